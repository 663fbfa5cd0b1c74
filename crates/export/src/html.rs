//! One HTML file holding the whole work, its stylesheet inside: it opens
//! offline, in any browser, and asks nothing of the network. The markup
//! is the EPUB's XHTML, which HTML5 parsers read the same.

use quire_archive::Work;

use crate::view::WorkView;
use crate::xhtml::{attr, text};
use crate::{pages, view, Options};

/// AO3's download title: `Title - Authors - Fandom`, `Multifandom` past
/// three fandoms.
pub(crate) fn title(view: &WorkView<'_>) -> String {
    let fandoms = if view.work.fandoms.len() > 3 {
        "Multifandom".to_string()
    } else {
        view.work.fandoms.join(", ")
    };
    let mut parts = vec![view.work.title.clone(), view.byline()];
    if !fandoms.is_empty() {
        parts.push(fandoms);
    }
    parts.join(" - ")
}

pub(crate) fn document(work: &Work, options: &Options) -> String {
    let view = WorkView::new(work, options);
    let language = view::language_tag(&work.language);
    let mut body = String::new();
    pages::preface(&view, "#endnotes", &mut body);
    if view.chapters.len() > 1 {
        // A div, not a nav: calibre converts this file to EPUB 2 as it is,
        // and XHTML 1.1 has no nav element.
        body.push_str("<div id=\"contents\">\n<p class=\"label\">Chapters</p>\n<ol>\n");
        for chapter in &view.chapters {
            body.push_str(&format!(
                "<li><a href=\"#chapter-{}\">{}</a></li>\n",
                chapter.number,
                text(&chapter.heading)
            ));
        }
        body.push_str("</ol>\n</div>\n");
    }
    body.push_str("<div id=\"chapters\">\n");
    for chapter in &view.chapters {
        pages::chapter(
            chapter,
            Some(&format!("chapter-{}", chapter.number)),
            &mut body,
        );
    }
    body.push_str("</div>\n");
    pages::afterword(&view, &mut body);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{title}</title>\n<style>\n{style}body {{ max-width: 42em; margin: 0 auto; padding: 0 1em; }}\n</style>\n\
         </head>\n<body>\n{body}</body>\n</html>\n",
        lang = attr(&language),
        title = text(&title(&view)),
        style = pages::STYLE,
    )
}
