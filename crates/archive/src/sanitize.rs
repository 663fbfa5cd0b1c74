//! The HTML authors may use, as AO3 allows it (`../shared/AO3-REFERENCE.md`):
//! formatting stays, anything that runs or reaches out goes.

use std::collections::HashSet;
use std::sync::OnceLock;

use ammonia::Builder;

/// The elements chapter text may hold, as AO3 allows them.
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "details",
    "figcaption",
    "figure",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
];

/// Removed together with what they hold, not just unwrapped.
const REMOVED_WITH_CONTENT: &[&str] = &[
    "iframe",
    "math",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "script",
    "style",
    "svg",
    "xmp",
    "title",
    "template",
    "textarea",
    "select",
    "object",
];

/// The rule class names follow (`^[a-zA-Z][\w-]+$`); the EPUB export
/// keeps the same ones.
pub fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() > 1
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Which of AO3's allowlists a field takes: chapter text may hold images;
/// summaries, notes, comments and bookmark notes take the same formatting
/// without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowlist {
    Chapter,
    Formatting,
}

fn builder(allowlist: Allowlist) -> &'static Builder<'static> {
    static CHAPTER: OnceLock<Builder<'static>> = OnceLock::new();
    static FORMATTING: OnceLock<Builder<'static>> = OnceLock::new();
    let (cell, media) = match allowlist {
        Allowlist::Chapter => (&CHAPTER, true),
        Allowlist::Formatting => (&FORMATTING, false),
    };
    cell.get_or_init(|| {
        let mut builder = Builder::empty();
        builder
            .tags(
                ALLOWED_ELEMENTS
                    .iter()
                    .copied()
                    .filter(|&element| media || element != "img")
                    .collect(),
            )
            .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
            .generic_attributes(
                ["align", "dir", "lang", "title", "class"]
                    .into_iter()
                    .collect(),
            )
            .tag_attributes(
                [
                    ("a", &["href", "name"][..]),
                    ("blockquote", &["cite"]),
                    ("q", &["cite"]),
                    ("col", &["span", "width"]),
                    ("colgroup", &["span", "width"]),
                    ("details", &["open"]),
                    ("hr", &["align", "width"]),
                    ("img", &["align", "alt", "border", "height", "src", "width"]),
                    ("ol", &["start", "type"]),
                    ("ul", &["type"]),
                    ("table", &["border", "summary", "width"]),
                    (
                        "td",
                        &["abbr", "axis", "colspan", "height", "rowspan", "width"],
                    ),
                    (
                        "th",
                        &[
                            "abbr", "axis", "colspan", "height", "rowspan", "scope", "width",
                        ],
                    ),
                ]
                .into_iter()
                .map(|(tag, attributes)| (tag, attributes.iter().copied().collect::<HashSet<_>>()))
                .collect(),
            )
            .url_schemes(["http", "https", "ftp", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow"))
            .attribute_filter(|element, attribute, value| {
                if element == "details" && attribute == "open" {
                    // AO3 writes it so, whatever it was.
                    Some("open".into())
                } else if (element == "img" && attribute == "src")
                    || (matches!(element, "blockquote" | "q") && attribute == "cite")
                {
                    // Images and quotations' sources: the web only (a
                    // relative address stays relative).
                    let scheme = value.split_once(':').map(|(scheme, _)| scheme);
                    let web = scheme.is_none_or(|scheme| {
                        scheme.eq_ignore_ascii_case("http")
                            || scheme.eq_ignore_ascii_case("https")
                            || scheme.contains(['/', '?', '#'])
                    });
                    web.then(|| value.into())
                } else if attribute == "class" {
                    let kept: Vec<&str> = value
                        .split_whitespace()
                        .filter(|c| is_class_name(c))
                        .collect();
                    if kept.is_empty() {
                        None
                    } else {
                        Some(kept.join(" ").into())
                    }
                } else {
                    Some(value.into())
                }
            });
        builder
    })
}

/// The deepest elements may nest in stored HTML. Far beyond any story's
/// blockquotes and lists; what reads and converts the HTML later (pages,
/// EPUBs, imports) can then walk it without fear for its stack.
pub const MAX_NESTING: usize = 100;

/// Author HTML with only what AO3 allows, nested at most [`MAX_NESTING`]
/// deep: deeper elements give up their tags and keep their text.
pub fn sanitize(html: &str) -> String {
    sanitize_for(html, Allowlist::Chapter)
}

/// [`sanitize`] with the allowlist of the field the HTML is for.
pub fn sanitize_for(html: &str, allowlist: Allowlist) -> String {
    let html = quire_text::without_controls(html);
    let clean = builder(allowlist)
        .clean(&quire_text::nesting::parseable(&html))
        .to_string();
    let fragment = scraper::Html::parse_fragment(&clean);
    // The fragment's own `<html>` wrapper is one level more.
    if deepest(&fragment) <= MAX_NESTING + 1 {
        return clean;
    }
    builder(allowlist).clean(&flattened(&fragment)).to_string()
}

/// HTML as a writer typed it into a field of the posting form (or a
/// comment box): sanitized to the field's allowlist, then its line breaks
/// made paragraphs as AO3 makes them ([`crate::paragraphs`]).
pub fn clean_typed(html: &str, allowlist: Allowlist) -> String {
    crate::paragraphs::paragraphed(&sanitize_for(html, allowlist))
}

/// A chapter's HTML as a writer typed it into the posting form.
pub fn clean_chapter(html: &str) -> String {
    clean_typed(html, Allowlist::Chapter)
}

/// How deep a parsed document's elements nest, found without recursing.
pub(crate) fn deepest(document: &scraper::Html) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for edge in document.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) if node.value().is_element() => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ego_tree::iter::Edge::Close(node) if node.value().is_element() => depth -= 1,
            _ => {}
        }
    }
    deepest
}

/// The fragment again, without the tags of elements deeper than
/// [`MAX_NESTING`] (the fragment's own `<html>` wrapper not counted).
fn flattened(fragment: &scraper::Html) -> String {
    use ego_tree::iter::Edge;
    use quire_text::insert::escape_html;
    const VOID: &[&str] = &["br", "hr", "img", "col", "wbr"];
    let mut out = String::new();
    let mut depth = 0usize;
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                scraper::Node::Element(element) => {
                    depth += 1;
                    if (2..=MAX_NESTING + 1).contains(&depth) {
                        out.push('<');
                        out.push_str(element.name());
                        for (name, value) in element.attrs() {
                            out.push_str(&format!(" {name}=\"{}\"", escape_html(value)));
                        }
                        out.push('>');
                    }
                }
                scraper::Node::Text(text) => out.push_str(&escape_html(text)),
                _ => {}
            },
            Edge::Close(node) => {
                if let scraper::Node::Element(element) = node.value() {
                    if (2..=MAX_NESTING + 1).contains(&depth) && !VOID.contains(&element.name()) {
                        out.push_str("</");
                        out.push_str(element.name());
                        out.push('>');
                    }
                    depth -= 1;
                }
            }
        }
    }
    out
}

/// The HTML of a manuscript that arrived as plain text: a `<p>` per
/// paragraph, `<br />` for the author's line breaks, `<hr />` for scene
/// breaks. Placeholders stay as written; filling happens when a reader reads.
pub fn html_of(manuscript: &quire_text::Manuscript) -> String {
    let mut html = String::new();
    for (i, paragraph) in manuscript.paragraphs.iter().enumerate() {
        if manuscript.scene_breaks.contains(&i) {
            html.push_str("<hr />\n");
        }
        html.push_str("<p>");
        let lines: Vec<String> = paragraph
            .split('\n')
            .map(quire_text::insert::escape_html)
            .collect();
        html.push_str(&lines.join("<br />"));
        html.push_str("</p>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_stays() {
        let html = "<p class=\"western\" align=\"center\"><em>Soft</em> and <strong>loud</strong></p>\
                    <blockquote><ul><li>one</li></ul></blockquote><table><tbody><tr><td>x</td></tr></tbody></table>";
        assert_eq!(sanitize(html), html);
    }

    /// Each attribute AO3 keeps on its element, and what it drops.
    #[test]
    fn the_attributes_ao3_keeps_stay() {
        let kept = [
            "<table border=\"1\" summary=\"Stats\" width=\"80%\"><tbody><tr><th scope=\"col\" colspan=\"2\" abbr=\"W\">Words</th></tr>\
             <tr><td rowspan=\"2\" colspan=\"2\" axis=\"n\" height=\"20\" width=\"50\">1</td></tr></tbody></table>",
            "<ol start=\"5\" type=\"i\"><li>five</li></ol><ul type=\"square\"><li>x</li></ul>",
            "<blockquote cite=\"https://example.org/source\">q</blockquote><q cite=\"/works/1\">short</q>",
            "<hr align=\"center\" width=\"50%\">",
            "<table><colgroup span=\"2\" width=\"10\"><col span=\"1\" width=\"5\"></colgroup><tbody><tr><td>c</td></tr></tbody></table>",
            "<img src=\"https://example.org/a.png\" alt=\"A\" width=\"10\" height=\"20\" align=\"left\" border=\"0\">",
            "<a href=\"mailto:me@example.org\" rel=\"nofollow\">mail</a><a href=\"ftp://example.org/f\" rel=\"nofollow\">f</a><a name=\"top\" rel=\"nofollow\">top</a>",
        ];
        for html in kept {
            assert_eq!(sanitize(html), html);
        }
        // `open` is written as AO3 writes it.
        assert_eq!(
            sanitize("<details open><summary>More</summary>x</details>"),
            "<details open=\"open\"><summary>More</summary>x</details>"
        );
        // On the wrong element, or pointing off the web, they go.
        for (html, gone) in [
            ("<p start=\"5\" colspan=\"2\">x</p>", "start"),
            ("<td scope=\"row\">x</td>", "scope"),
            ("<img src=\"mailto:me@example.org\" alt=\"a\">", "mailto"),
            ("<img src=\"ftp://example.org/a.png\" alt=\"a\">", "ftp"),
            (
                "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
                "javascript",
            ),
            ("<q cite=\"mailto:me@example.org\">q</q>", "mailto"),
        ] {
            let cleaned = sanitize(html);
            assert!(!cleaned.contains(gone), "{gone} survived: {cleaned}");
        }
    }

    #[test]
    fn what_runs_or_reaches_out_goes() {
        let cleaned = sanitize(
            "<p onclick=\"alert(1)\" style=\"color:red\">Hi<script>alert(1)</script></p>\
             <a href=\"javascript:alert(1)\">x</a><img src=\"data:image/png;base64,AA\" alt=\"a\">\
             <iframe src=\"https://evil.example\">inside</iframe><svg><text>drawn</text></svg>\
             <style>p{}</style><form action=\"/x\"><input></form>",
        );
        for gone in [
            "onclick",
            "style",
            "script",
            "alert",
            "javascript",
            "data:",
            "iframe",
            "inside",
            "drawn",
            "form",
            "input",
        ] {
            assert!(!cleaned.contains(gone), "{gone} survived: {cleaned}");
        }
        assert!(cleaned.contains("<p>Hi</p>"), "{cleaned}");
    }

    #[test]
    fn links_get_nofollow_and_classes_are_checked() {
        let cleaned = sanitize("<a href=\"https://example.org\" target=\"_blank\">x</a><span class=\"ok bad! 9no\">y</span>");
        assert_eq!(
            cleaned,
            "<a href=\"https://example.org\" rel=\"nofollow\">x</a><span class=\"ok\">y</span>"
        );
    }

    #[test]
    fn text_becomes_paragraphs() {
        let manuscript = quire_text::analyze_str("A <b> & \"c\"\nline two\n\n***\n\nY/N left.");
        assert_eq!(
            html_of(&manuscript),
            "<p>A &lt;b&gt; &amp; &quot;c&quot;<br />line two</p>\n<hr />\n<p>Y/N left.</p>\n"
        );
    }

    #[test]
    fn html_nested_past_the_limit_keeps_its_text_but_not_its_depth() {
        // Deeper than is kept, not so deep it isn't parsed.
        let depth = MAX_NESTING * 2;
        let html = format!(
            "<p>Before.</p>{}<em>Deep</em> words{}<p>After.</p>",
            "<blockquote>".repeat(depth),
            "</blockquote>".repeat(depth)
        );
        let cleaned = sanitize(&html);
        assert!(cleaned.contains("Deep") && cleaned.contains("words"));
        assert!(cleaned.starts_with("<p>Before.</p>") && cleaned.ends_with("<p>After.</p>"));
        assert_eq!(cleaned.matches("<blockquote>").count(), MAX_NESTING);
        // Within the limit nothing changes.
        let shallow = format!("{}<p>x</p>{}", "<div>".repeat(20), "</div>".repeat(20));
        assert_eq!(sanitize(&shallow), shallow);
        // Too deep to parse: shown as the text it is, not one element kept.
        let depth = quire_text::nesting::MAX_PARSED_NESTING + 1;
        let html = format!(
            "{}<em>x</em>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let cleaned = sanitize(&html);
        assert!(
            !cleaned.contains("<div") && !cleaned.contains("<em>"),
            "{cleaned}"
        );
        assert!(cleaned.starts_with("&lt;div&gt;&lt;div&gt;"), "{cleaned}");
    }
}
