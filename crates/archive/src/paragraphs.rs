//! Line breaks in HTML as AO3 reads them (`../shared/AO3-REFERENCE.md`):
//! writers type paragraphs into AO3's HTML box with blank lines, and
//! expect them kept.
//!
//! - a blank line starts a new paragraph, a single line break is a `<br />`,
//!   and each line break past two adds an empty paragraph;
//! - two `<br>` in a row outside a `<p>` split paragraphs too;
//! - loose text and runs of inline elements are wrapped in `<p>`;
//! - an inline element open across a paragraph break is closed before it
//!   and opened again after it;
//! - inside `<div>`, `<blockquote>`, `<center>`, `<details>` and `<figure>`
//!   the same happens; tables, lists, `<pre>`, headings and the other
//!   blocks are left exactly as they are.
//!
//! It works on HTML already sanitized (see [`crate::sanitize::clean_chapter`]),
//! whose nesting is bounded, so walking it recursively is safe.

use ego_tree::NodeRef;
use quire_text::insert::escape_html;
use scraper::Node;

use crate::sanitize::VOID_ELEMENTS as VOID;

/// Blocks whose children are paragraphed like the page's own.
const CONTAINERS: &[&str] = &["div", "blockquote", "center", "details", "figure"];

/// Blocks kept exactly as they are, breaks and all.
const KEPT_BLOCKS: &[&str] = &[
    "address",
    "caption",
    "col",
    "colgroup",
    "dd",
    "dl",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "pre",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Players and frames: kept whole where they stand, line breaks between
/// their sources and all.
const EMBEDS: &[&str] = &["audio", "video", "iframe"];

/// `html` with its line breaks made paragraphs and `<br />`s, as AO3 does.
pub fn paragraphed(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    // Reopening deeply nested inline elements after every break could
    // make a short text enormous (a hundred nested tags, then `a` and a
    // blank line, again and again): past this length, elements open
    // across a break are closed and not opened again. No text is lost.
    let reopen_until = html.len().saturating_mul(4).saturating_add(64 * 1024);
    container(*fragment.root_element(), true, reopen_until, &mut out);
    out
}

/// What a run of inline content is made of.
enum Token {
    Text(String),
    /// An inline element's start tag, written out, and its end tag.
    Open(String, String),
    /// Its end.
    Close(String),
    /// `<br />`.
    Break,
    /// Anything else kept whole: an image, or a block inside an inline
    /// element.
    Whole(String),
}

fn start_tag(element: &scraper::node::Element) -> String {
    let mut tag = format!("<{}", element.name());
    for (name, value) in element.attrs() {
        tag.push_str(&format!(" {name}=\"{}\"", escape_html(value)));
    }
    tag.push('>');
    tag
}

/// The element as HTML, unchanged but for line breaks at the start of a
/// `<pre>`, which a parser drops one at a time (so each cleaning would
/// lose one more): none are kept.
fn whole(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    write_whole(node, &mut out);
    out
}

fn write_whole(node: NodeRef<'_, Node>, out: &mut String) {
    match node.value() {
        Node::Text(text) => out.push_str(&escape_text(text)),
        Node::Element(element) => {
            let name = element.name();
            out.push_str(&start_tag(element));
            if VOID.contains(&name) {
                return;
            }
            let mut children = node.children().peekable();
            if name == "pre" {
                if let Some(Node::Text(text)) = children.peek().map(|c| c.value()) {
                    out.push_str(&escape_text(text.trim_start_matches(['\n', '\r'])));
                    children.next();
                }
            }
            for child in children {
                write_whole(child, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        _ => {}
    }
}

/// Paragraphs the children of a block that holds paragraphs. Blocks at
/// the top stand on lines of their own; inside a block they run on, so
/// that no white space is added inside it.
fn container(node: NodeRef<'_, Node>, top: bool, reopen_until: usize, out: &mut String) {
    let end = if top { "\n" } else { "" };
    let mut run = Vec::new();
    for child in node.children() {
        let element = match child.value() {
            Node::Text(text) => {
                run.push(Token::Text(text.to_string()));
                continue;
            }
            Node::Element(element) => element,
            _ => continue,
        };
        let name = element.name();
        let container_block = CONTAINERS.contains(&name);
        // A block inside a paragraph or an inline element can't be wrapped
        // in a `<p>` (a parser would move it out): kept whole, as the
        // parser read it.
        let kept_whole = KEPT_BLOCKS.contains(&name) || (!container_block && holds_a_block(child));
        if !kept_whole && !container_block && name != "p" {
            inline_node(child, &mut run);
            continue;
        }
        // A block ends the run of inline content before it.
        paragraphs(
            std::mem::take(&mut run),
            "<p>",
            false,
            end,
            reopen_until,
            out,
        );
        if kept_whole {
            out.push_str(&whole(child));
            out.push_str(end);
        } else if container_block {
            out.push_str(&start_tag(element));
            container(child, false, reopen_until, out);
            out.push_str(&format!("</{name}>{end}"));
        } else {
            let mut inside = Vec::new();
            inline(child, &mut inside);
            paragraphs(inside, &start_tag(element), true, end, reopen_until, out);
        }
    }
    paragraphs(run, "<p>", false, end, reopen_until, out);
}

fn is_block(name: &str) -> bool {
    name == "p" || CONTAINERS.contains(&name) || KEPT_BLOCKS.contains(&name)
}

/// Does an element hold a block anywhere inside it?
fn holds_a_block(node: NodeRef<'_, Node>) -> bool {
    node.descendants()
        .skip(1)
        .any(|inner| matches!(inner.value(), Node::Element(e) if is_block(e.name())))
}

/// The tokens of a paragraph's content.
fn inline(node: NodeRef<'_, Node>, run: &mut Vec<Token>) {
    for child in node.children() {
        inline_node(child, run);
    }
}

/// The tokens of one inline node.
fn inline_node(node: NodeRef<'_, Node>, run: &mut Vec<Token>) {
    match node.value() {
        Node::Text(text) => run.push(Token::Text(text.to_string())),
        Node::Element(element) => {
            let name = element.name();
            if name == "br" {
                run.push(Token::Break);
            } else if VOID.contains(&name) || EMBEDS.contains(&name) || is_block(name) {
                run.push(Token::Whole(whole(node)));
            } else {
                run.push(Token::Open(start_tag(element), format!("</{name}>")));
                inline(node, run);
                run.push(Token::Close(format!("</{name}>")));
            }
        }
        _ => {}
    }
}

/// Text as HTML, written as html5ever writes it (so that paragraphing
/// its own output changes nothing).
fn escape_text(text: &str) -> String {
    escape_html(text).replace('\u{a0}', "&nbsp;")
}

/// Paragraphs being written from a run of inline tokens.
struct Writer<'a> {
    out: &'a mut String,
    /// The start tag each paragraph gets (a `<p>` the author wrote keeps
    /// its attributes on every paragraph made of it).
    start: &'a str,
    /// What follows each paragraph: a line break at the top, nothing
    /// inside a block.
    end: &'a str,
    /// Past this length of the whole output, inline elements open across
    /// a break are not opened again after it.
    reopen_until: usize,
    current: String,
    /// The current paragraph holds something to see.
    seen: bool,
    /// The last thing in the current paragraph is a `<br />` (spaces
    /// aside).
    after_break: bool,
    /// Whether it held something to see before that `<br />`.
    seen_before_break: bool,
    /// Inline elements open here, to close and open again at a break.
    open: Vec<(String, String)>,
    /// Paragraphs written, and empty ones waiting to be written before the
    /// next (empty ones at the very end are dropped).
    written: usize,
    empty_waiting: usize,
}

impl Writer<'_> {
    fn end_paragraph(&mut self) {
        let mut content = std::mem::take(&mut self.current);
        for (_, close) in self.open.iter().rev() {
            content.push_str(close);
        }
        if self.seen {
            if self.written > 0 {
                for _ in 0..self.empty_waiting {
                    self.out.push_str(self.start);
                    self.out.push_str("&nbsp;</p>");
                    self.out.push_str(self.end);
                }
            }
            self.empty_waiting = 0;
            self.out.push_str(self.start);
            self.out
                .push_str(content.trim_matches(|c: char| c.is_ascii_whitespace()));
            self.out.push_str("</p>");
            self.out.push_str(self.end);
            self.written += 1;
        }
        if self.out.len() < self.reopen_until {
            for (start, _) in &self.open {
                self.current.push_str(start);
            }
        } else {
            // Closed above; not reopened, so they are not closed again.
            self.open.clear();
        }
        self.seen = false;
        self.after_break = false;
    }

    fn text(&mut self, text: &str) {
        // Runs of line breaks, with the spaces between them.
        let mut rest = text;
        while !rest.is_empty() {
            let at = rest.find('\n').unwrap_or(rest.len());
            let (words, after) = rest.split_at(at);
            if !words
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .is_empty()
            {
                self.current.push_str(&escape_text(words));
                self.seen = true;
                self.after_break = false;
            } else if !words.is_empty() && self.seen {
                self.current.push_str(words);
            }
            let run_end = after
                .find(|c: char| !c.is_ascii_whitespace())
                .unwrap_or(after.len());
            let breaks = after[..run_end].matches('\n').count();
            match breaks {
                0 => {}
                1 => {
                    if self.seen && !self.after_break {
                        self.current.push_str("<br />");
                        self.seen_before_break = true;
                        self.after_break = true;
                    }
                }
                _ => {
                    self.end_paragraph();
                    self.empty_waiting += breaks - 2;
                }
            }
            rest = &after[run_end..];
        }
    }
}

/// Writes a run of inline content as paragraphs, each started with
/// `start`; `in_p` says the run was a `<p>` of the author's, inside which
/// two `<br>`s stay two line breaks.
fn paragraphs(
    run: Vec<Token>,
    start: &str,
    in_p: bool,
    end: &str,
    reopen_until: usize,
    out: &mut String,
) {
    let mut writer = Writer {
        out,
        reopen_until,
        start,
        end,
        current: String::new(),
        seen: false,
        after_break: false,
        seen_before_break: false,
        open: Vec::new(),
        written: 0,
        empty_waiting: 0,
    };
    for token in run {
        match token {
            Token::Text(text) => writer.text(&text),
            Token::Break if writer.after_break && !in_p => {
                // Drop the first `<br />`: the two make a paragraph break.
                if let Some(at) = writer.current.rfind("<br />") {
                    writer.current.replace_range(at..at + "<br />".len(), "");
                }
                writer.seen = writer.seen_before_break;
                writer.end_paragraph();
            }
            Token::Break => {
                writer.seen_before_break = writer.seen;
                writer.current.push_str("<br />");
                writer.seen = true;
                writer.after_break = true;
            }
            Token::Open(start, end) => {
                writer.current.push_str(&start);
                writer.open.push((start, end));
            }
            Token::Close(tag) => {
                // Unless it was closed for good at a break (see
                // `reopen_until`).
                if writer.open.pop().is_some() {
                    writer.current.push_str(&tag);
                }
            }
            Token::Whole(html) => {
                writer.current.push_str(&html);
                writer.seen = true;
                writer.after_break = false;
            }
        }
    }
    writer.end_paragraph();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of AO3's rules, written as a writer would type it.
    #[test]
    fn line_breaks_become_paragraphs_as_on_ao3() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "a blank line starts a paragraph; one break is a <br />",
                "First paragraph.\n\nSecond paragraph <em>here</em>.\nA line after a single break.",
                "<p>First paragraph.</p>\n<p>Second paragraph <em>here</em>.<br />A line after a single break.</p>\n",
            ),
            (
                "three breaks make an empty paragraph",
                "One.\n\n\nTwo.",
                "<p>One.</p>\n<p>&nbsp;</p>\n<p>Two.</p>\n",
            ),
            (
                "spaces on a blank line still make it blank",
                "One.\n  \t\nTwo.",
                "<p>One.</p>\n<p>Two.</p>\n",
            ),
            (
                "leading and trailing blank lines make nothing",
                "\n\n\nOnly.\n\n\n\n",
                "<p>Only.</p>\n",
            ),
            (
                "an inline element across a blank line is closed and reopened",
                "<em>Soft\n\nstill soft</em> plain",
                "<p><em>Soft</em></p>\n<p><em>still soft</em> plain</p>\n",
            ),
            (
                "two <br> outside a <p> split paragraphs",
                "One.<br><br>Two.",
                "<p>One.</p>\n<p>Two.</p>\n",
            ),
            (
                "two <br> inside a <p> stay",
                "<p>One.<br><br>Two.</p>",
                "<p>One.<br /><br />Two.</p>\n",
            ),
            (
                "a break after a <br> is the same break",
                "<p>One.<br />\nTwo.</p>",
                "<p>One.<br />Two.</p>\n",
            ),
            (
                "a <p> with a blank line inside becomes two, attributes kept",
                "<p align=\"center\">One.\n\nTwo.</p>",
                "<p align=\"center\">One.</p>\n<p align=\"center\">Two.</p>\n",
            ),
            (
                "loose text beside blocks is wrapped",
                "Before.<blockquote>Quoted.\n\nAgain.</blockquote>After.",
                "<p>Before.</p>\n<blockquote><p>Quoted.</p><p>Again.</p></blockquote>\n<p>After.</p>\n",
            ),
            (
                "nothing inside tables, lists, pre or headings changes",
                "<table><tr><td>a\n\nb</td></tr></table><ul><li>x\n\ny</li></ul><pre>p\n\nq</pre><h2>h\n\ni</h2>",
                "<table><tbody><tr><td>a\n\nb</td></tr></tbody></table>\n<ul><li>x\n\ny</li></ul>\n<pre>p\n\nq</pre>\n<h2>h\n\ni</h2>\n",
            ),
            (
                "paragraphs already written stay as they are",
                "<p>One.</p>\n<p>Two <strong>bold</strong>.</p>\n",
                "<p>One.</p>\n<p>Two <strong>bold</strong>.</p>\n",
            ),
            (
                "an image alone is a paragraph",
                "<img src=\"https://example.org/a.png\" alt=\"a\">",
                "<p><img alt=\"a\" src=\"https://example.org/a.png\"></p>\n",
            ),
        ];
        for (rule, typed, expected) in cases {
            assert_eq!(paragraphed(typed), *expected, "{rule}");
        }
    }

    /// A hundred nested inline elements open across a hundred thousand
    /// breaks: the output stays within a few times the input, every word
    /// kept.
    #[test]
    fn nesting_across_many_breaks_cannot_blow_up() {
        let typed = format!(
            "{}{}{}",
            "<em>".repeat(100),
            "a\n\n".repeat(100_000),
            "</em>".repeat(100)
        );
        let out = paragraphed(&typed);
        // The reopening budget, plus `<p>…</p>` around each line: 90 MB
        // before the budget.
        assert!(
            out.len() <= typed.len() * 8 + 128 * 1024,
            "{} bytes",
            out.len()
        );
        assert_eq!(out.matches("<p>").count(), 100_000);
        assert_eq!(out.matches('a').count(), 100_000);
        assert_eq!(out.matches("<em>").count(), out.matches("</em>").count());
    }

    #[test]
    fn paragraphing_twice_changes_nothing() {
        for typed in [
            "a\n\n\nb\nc<em>d\n\ne</em>",
            "<div>x\n\ny<br><br>z</div>",
            "<p>keep<br><br>these</p>",
        ] {
            let once = paragraphed(typed);
            assert_eq!(paragraphed(&once), once, "{typed}");
        }
    }

    use proptest::prelude::*;

    /// Pieces writers type: tags of every kind, text, and line breaks.
    fn typed() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "<p>",
            "</p>",
            "<p align=\"center\">",
            "<em>",
            "</em>",
            "<strong>",
            "</strong>",
            "<div>",
            "</div>",
            "<blockquote>",
            "</blockquote>",
            "<table><tr><td>",
            "</td></tr></table>",
            "<ul><li>",
            "</li></ul>",
            "<ol start=\"5\"><li>",
            "</ol>",
            "<pre>",
            "</pre>",
            "<h2>",
            "</h2>",
            "<br>",
            "<br />",
            "<img src=\"https://example.org/a.png\" alt=\"a\">",
            "<hr>",
            "<details open><summary>More</summary>",
            "</details>",
            "<span class=\"x\">",
            "</span>",
            "\n",
            "\n\n",
            "\n\n\n",
            " ",
            "\t",
            "&amp;",
            "&nbsp;",
            "\u{a0}",
            "<",
            ">",
            "\"",
            "Y/N",
            "word",
            "Another line",
            "<script>gone</script>",
            "<!-- note -->",
        ]);
        prop::collection::vec(
            prop_oneof![pieces.prop_map(str::to_string), "[a-z .,]{0,12}"],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    /// The text a page shows, without any whitespace (paragraphing moves
    /// and adds whitespace, never words).
    fn words(html: &str) -> String {
        scraper::Html::parse_fragment(html)
            .root_element()
            .text()
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn cleaning_twice_is_cleaning_once(html in typed()) {
            let once = crate::sanitize::clean_chapter(&html);
            prop_assert_eq!(crate::sanitize::clean_chapter(&once), once.clone(), "from {:?}", html);
        }

        #[test]
        fn paragraphing_loses_no_text(html in typed()) {
            let sanitized = crate::sanitize::sanitize(&html);
            let cleaned = crate::sanitize::clean_chapter(&html);
            prop_assert_eq!(words(&cleaned), words(&sanitized), "from {:?}", html);
        }

        /// The same for the fields that take formatting without media
        /// (summaries, notes, comments, bookmark notes, descriptions).
        #[test]
        fn a_formatted_field_is_cleaned_once_and_keeps_its_words(html in typed()) {
            use crate::formatted::Formatted;
            use crate::sanitize::{sanitize_for, Allowlist};
            let once = Formatted::from_html(&html);
            prop_assert_eq!(Formatted::from_html(once.html()), once.clone(), "from {:?}", html);
            let sanitized = sanitize_for(&html, Allowlist::Formatting);
            prop_assert_eq!(words(once.html()), words(&sanitized), "from {:?}", html);
        }
    }
}
