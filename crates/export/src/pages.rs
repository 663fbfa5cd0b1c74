//! The XHTML of a download's parts (preface, chapter, afterword), laid out
//! as AO3's downloads are (`../shared/AO3-REFERENCE.md`, download layout),
//! so readers and AO3 tools find what they expect. The EPUB puts each part
//! in a file of its own; the HTML download puts them one after another.

use crate::view::{ChapterView, WorkView};
use crate::xhtml::{self, attr, text, Node};

/// The stylesheet of both the EPUB and the HTML download: plain, so an
/// e-reader's own settings (font, size, margins) win.
pub(crate) const STYLE: &str = "\
body { margin: 0 1em; line-height: 1.5; }
h1, h2, h3 { line-height: 1.2; }
h1 { font-size: 1.6em; margin: 0.5em 0; }
h2.heading, h2.toc-heading { font-size: 1.3em; margin: 1.5em 0 1em; }
p.label { font-weight: bold; margin: 1em 0 0.2em; }
p.message { font-size: 0.95em; }
blockquote { margin: 0.5em 1.5em; }
dl.tags { margin: 1em 0; }
dl.tags dt { font-weight: bold; margin-top: 0.4em; }
dl.tags dd { margin-left: 1.5em; }
.byline { font-style: italic; margin-bottom: 1em; }
.userstuff p { margin: 0 0 1em; }
hr { border: none; margin: 1.5em 0; text-align: center; }
hr::after { content: \"* * *\"; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #888; padding: 0.2em 0.5em; vertical-align: top; }
.align-left { text-align: left; }
.align-center, .center { text-align: center; }
.align-right { text-align: right; }
.align-justify { text-align: justify; }
.big { font-size: 1.2em; }
.tt { font-family: monospace; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { height: 100%; max-width: 100%; }
nav ol, #contents ol { list-style: none; padding-left: 1em; }
";

/// A labelled blockquote ("Summary", "Chapter Notes"), when there is text.
fn labelled(label: &str, note: &[Node], class: &str, out: &mut String) {
    if note.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<div class=\"{class}\">\n<p class=\"label\">{}</p>\n<blockquote class=\"userstuff\">\n",
        text(label)
    ));
    xhtml::write_nodes(note, out);
    out.push_str("\n</blockquote>\n</div>\n");
}

fn link(label: &str, url: &str) -> String {
    format!("<a href=\"{}\">{}</a>", attr(url), text(label))
}

/// The preface: where the work was posted, its tags and stats, then its
/// title, authors, summary and notes.
/// `end_notes` is where the end notes are: another file in an EPUB.
pub(crate) fn preface(view: &WorkView<'_>, end_notes: &str, out: &mut String) {
    let work = view.work;
    out.push_str("<div id=\"preface\">\n<p class=\"message\"><b>");
    out.push_str(&text(&work.title));
    out.push_str("</b><br/>Posted originally on the archive at ");
    out.push_str(&link(&view.url, &view.url));
    out.push_str(".</p>\n");
    if let Some(note) = view.fill_note() {
        out.push_str(&format!("<p class=\"message fill\">{}</p>\n", text(&note)));
    }
    out.push_str("<div class=\"meta\">\n<dl class=\"tags\">\n");
    for row in &view.rows {
        out.push_str(&format!("<dt>{}:</dt>\n<dd>", text(&row.label)));
        let items: Vec<String> = row
            .items
            .iter()
            .map(|item| {
                let shown = match &item.url {
                    Some(url) => link(&item.text, url),
                    None => text(&item.text),
                };
                format!("{}{shown}", text(&item.before))
            })
            .collect();
        out.push_str(&items.join(", "));
        out.push_str("</dd>\n");
    }
    out.push_str("<dt>Stats:</dt>\n<dd>");
    let stats: Vec<String> = view
        .stats
        .iter()
        .map(|(label, value)| format!("{label}: {}", text(value)))
        .collect();
    out.push_str(&stats.join(" "));
    out.push_str("</dd>\n</dl>\n");
    out.push_str(&format!("<h1>{}</h1>\n", text(&work.title)));
    out.push_str("<div class=\"byline\">by ");
    let creators: Vec<String> = view
        .creators
        .iter()
        .map(|c| link(&c.name, &c.url))
        .collect();
    if creators.is_empty() {
        out.push_str("Anonymous");
    } else {
        out.push_str(&creators.join(", "));
    }
    out.push_str("</div>\n");
    labelled("Summary", &view.summary, "summary", out);
    labelled("Notes", &view.notes_start, "notes", out);
    if view.has_end_notes() {
        out.push_str("<p>(See the end of the work for <a href=\"");
        out.push_str(&attr(end_notes));
        out.push_str("\">more notes</a>.)</p>\n");
    }
    out.push_str("</div>\n</div>\n");
}

/// One chapter: heading, its summary and notes, the text, its end notes.
pub(crate) fn chapter(chapter: &ChapterView, id: Option<&str>, out: &mut String) {
    out.push_str("<div class=\"chapter\"");
    if let Some(id) = id {
        out.push_str(&format!(" id=\"{}\"", attr(id)));
    }
    out.push_str(">\n<div class=\"meta group\">\n");
    // AO3 marks the heading that is only the work's title `toc-heading`:
    // readers of the file know it names no chapter.
    let class = if chapter.title_only {
        "toc-heading"
    } else {
        "heading"
    };
    out.push_str(&format!(
        "<h2 class=\"{class}\">{}</h2>\n",
        text(&chapter.heading)
    ));
    labelled("Chapter Summary", &chapter.summary, "summary", out);
    labelled("Chapter Notes", &chapter.notes_start, "notes", out);
    out.push_str("</div>\n<div class=\"userstuff\">\n");
    xhtml::write_nodes(&chapter.body, out);
    out.push_str("\n</div>\n");
    labelled("Chapter End Notes", &chapter.notes_end, "end notes", out);
    out.push_str("</div>\n");
}

/// The afterword: the work's end notes and the way back to comment.
pub(crate) fn afterword(view: &WorkView<'_>, out: &mut String) {
    out.push_str("<div id=\"afterword\">\n");
    if view.has_end_notes() {
        out.push_str("<h2 class=\"heading\" id=\"endnotes\">End Notes</h2>\n<blockquote class=\"userstuff\">\n");
        xhtml::write_nodes(&view.notes_end, out);
        out.push_str("\n</blockquote>\n");
    } else {
        out.push_str("<h2 class=\"heading\">Afterword</h2>\n");
    }
    out.push_str("<p class=\"message\">Please ");
    out.push_str(&link("drop by the archive and comment", &view.url));
    out.push_str(" to let the creator know if you enjoyed their work!</p>\n</div>\n");
}
