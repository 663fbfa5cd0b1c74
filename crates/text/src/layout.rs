//! Layout: paragraphs and scene breaks, from plain text or HTML, and
//! re-paragraphing of a story that arrived as one run-on block.

use std::sync::OnceLock;

use regex::Regex;
use scraper::{Html, Node};

use crate::prose::{self, Names};

/// One unit of a story's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; `\n` inside it is a line break the author wrote.
    Paragraph(String),
    SceneBreak,
}

/// What a line standing alone between paragraphs is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoneLine {
    /// `--`, `***`, `~~~`, `* * *`: a break whose mark carries no words.
    PunctuationBreak,
    /// `o0o`, `xXx`: a break whose mark is made of letters, kept as text.
    LetteredBreak,
    /// `(6 months later)`: a break, and the words start the next paragraph.
    TimeSkip,
    Text,
}

fn punctuation_break() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:[-*~=#_+•·◇◆○●❖✦✧☆★♦♥♡❤︎ ]{2,}|[—–]{1,}|[·•] ?[·•] ?[·•](?: ?[·•])*)$")
            .expect("static regex")
    })
}

fn lettered_break() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^[-~*=_ ]*(?:o0o|0o0|oOo|OoO|o0O|O0o|xXx|XxX|xox|oxo|OxO|XoX)(?:[o0OxX]*)[-~*=_ ]*$",
        )
        .expect("static regex")
    })
}

fn time_skip() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?xi)^
            [(\[{*_~-]*\s*
            (?:
              (?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|
                 fifteen|twenty|thirty|fifty|a\ few|a\ couple\ of|several|some|many|
                 a\ hundred|hundreds\ of|a\ thousand)
              \s+(?:more\s+)?
              (?:second|minute|hour|day|night|week|month|year|decade|centur(?:y|ie))s?
              \s+(?:later|earlier|ago|before|after|pass(?:ed)?|go\ by)
            | time[\s-]*skip | flash[\s-]*back | end\ (?:of\ )?flash[\s-]*back | present(?:\ day|\ time)?
            | later(?:\ that\ (?:day|night|evening|morning|afternoon))?
            | the\ next\ (?:morning|day|night|week|evening) | meanwhile | years\ later | months\ later
            )
            [.!]?\s*[)\]}*_~-]*$",
        )
        .expect("static regex")
    })
}

pub(crate) fn classify_lone_line(line: &str) -> LoneLine {
    let line = line.trim();
    if line.is_empty() {
        return LoneLine::Text;
    }
    if punctuation_break().is_match(line) {
        LoneLine::PunctuationBreak
    } else if lettered_break().is_match(line) {
        LoneLine::LetteredBreak
    } else if line.len() <= 60 && time_skip().is_match(line) {
        LoneLine::TimeSkip
    } else {
        LoneLine::Text
    }
}

/// Turns one paragraph-sized piece of text into blocks, recognising the
/// lone lines that are scene breaks.
fn push_paragraph(blocks: &mut Vec<Block>, text: String) {
    match classify_lone_line(&text) {
        LoneLine::PunctuationBreak => blocks.push(Block::SceneBreak),
        LoneLine::LetteredBreak | LoneLine::TimeSkip => {
            blocks.push(Block::SceneBreak);
            blocks.push(Block::Paragraph(text));
        }
        LoneLine::Text => blocks.push(Block::Paragraph(text)),
    }
}

/// Folds runs of spaces, tabs and no-break spaces into one space; keeps
/// line breaks.
pub(crate) fn tidy_spaces(text: &str) -> String {
    text.split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn looks_like_html(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?i)<(?:p|br|div|html|body|em|i|b|strong|span|blockquote|hr|h[1-6])(?:\s[^>]*)?/?>",
        )
        .expect("static regex")
    });
    let head = &text[..floor_char_boundary(text, 4096)];
    let start = text.trim_start();
    start.starts_with('<') && re.is_match(head) || re.find_iter(head).count() >= 3
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// Paragraphs of plain text: blank-line separated blocks, or one paragraph
/// per line when there are no blank lines.
pub(crate) fn text_blocks(text: &str) -> Vec<Block> {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let has_blank_lines = normalized
        .split('\n')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| !w[0].trim().is_empty() && w[1].trim().is_empty());
    let mut blocks = Vec::new();
    if has_blank_lines {
        let mut current: Vec<&str> = Vec::new();
        for line in normalized.split('\n').chain(std::iter::once("")) {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    push_lines(&mut blocks, &current);
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
    } else {
        for line in normalized.split('\n') {
            let line = tidy_spaces(line);
            if !line.is_empty() {
                push_paragraph(&mut blocks, line);
            }
        }
    }
    blocks
}

/// One blank-line separated block: hard-wrapped prose is joined back into
/// one line; short lines (verse, lists, texts) keep their breaks. A lone
/// line that is a scene break splits the block.
fn push_lines(blocks: &mut Vec<Block>, lines: &[&str]) {
    if lines
        .iter()
        .any(|l| classify_lone_line(l) != LoneLine::Text)
        && lines.len() > 1
    {
        for line in lines {
            push_paragraph(blocks, tidy_spaces(line));
        }
        return;
    }
    let hard_wrapped = lines.len() >= 2
        && lines[..lines.len() - 1]
            .iter()
            .all(|l| (45..=100).contains(&l.trim_end().chars().count()));
    let joined = if hard_wrapped {
        lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
    } else {
        lines.join("\n")
    };
    let tidy = tidy_spaces(&joined);
    if !tidy.is_empty() {
        push_paragraph(blocks, tidy);
    }
}

const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "caption",
    "body",
    "html",
];

/// Elements whose content is not story text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "head",
    "title",
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "select",
    "textarea",
    "button",
];

/// Paragraphs of HTML: one per `<p>` (or other block), `<br>` kept as a line
/// break, `<hr>` a scene break; `&nbsp;` and empty paragraphs dropped.
pub(crate) fn html_blocks(html: &str) -> (Vec<Block>, Option<String>) {
    read_html(html, true)
}

/// Paragraphs of HTML that is not a story (a summary, notes): a lone
/// `* * *` or `—` there is what the author wrote between paragraphs, kept
/// as a paragraph, not a scene break; `<hr>` is still a break.
pub(crate) fn html_note_blocks(html: &str) -> Vec<Block> {
    read_html(html, false).0
}

fn read_html(html: &str, lone_lines_break: bool) -> (Vec<Block>, Option<String>) {
    let html = &*crate::nesting::parseable(html);
    let document = if html.contains("<html") || html.contains("<body") || html.contains("<HTML") {
        Html::parse_document(html)
    } else {
        Html::parse_fragment(html)
    };
    let mut walker = HtmlWalker {
        lone_lines_break,
        ..HtmlWalker::default()
    };
    walker.walk(document.tree.root());
    walker.flush();
    (walker.blocks, walker.title)
}

/// The text of the first `title` element at or under `node`, if it says
/// anything.
fn document_title(node: ego_tree::NodeRef<'_, Node>) -> Option<String> {
    let title = node
        .descendants()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "title"))?;
    let text: String = title
        .descendants()
        .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
        .collect();
    let text = tidy_spaces(&text);
    (!text.is_empty()).then_some(text)
}

#[derive(Default)]
struct HtmlWalker {
    blocks: Vec<Block>,
    current: String,
    title: Option<String>,
    /// Whether a paragraph that is only a break mark is a scene break.
    lone_lines_break: bool,
}

impl HtmlWalker {
    /// Reads the tree in document order without recursing, so that HTML
    /// nested a hundred thousand deep costs time, not the stack.
    fn walk(&mut self, root: ego_tree::NodeRef<'_, Node>) {
        use ego_tree::iter::Edge;
        // The element whose content is being skipped, if any.
        let mut skipping = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) if skipping.is_none() => match node.value() {
                    Node::Text(text) => {
                        // HTML folds white space; a no-break space is a space to a reader.
                        for (i, piece) in text.split(|c: char| c.is_whitespace()).enumerate() {
                            if i > 0 && !self.current.ends_with([' ', '\n']) {
                                self.current.push(' ');
                            }
                            self.current.push_str(piece);
                        }
                    }
                    Node::Element(element) => {
                        let name = element.name();
                        // A whole document's title is inside its head,
                        // which is skipped below: it is looked for first.
                        if matches!(name, "title" | "head") && self.title.is_none() {
                            self.title = document_title(node);
                        }
                        if SKIPPED_ELEMENTS.contains(&name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        match name {
                            "br" => self.current.push('\n'),
                            "hr" => {
                                self.flush();
                                self.blocks.push(Block::SceneBreak);
                            }
                            _ if BLOCK_ELEMENTS.contains(&name) => self.flush(),
                            _ => {}
                        }
                    }
                    _ => {}
                },
                Edge::Open(_) => {}
                Edge::Close(node) => {
                    if skipping.is_some() {
                        if skipping == Some(node.id()) {
                            skipping = None;
                        }
                        continue;
                    }
                    if let Node::Element(element) = node.value() {
                        if BLOCK_ELEMENTS.contains(&element.name()) {
                            self.flush();
                        }
                    }
                }
            }
        }
    }

    fn flush(&mut self) {
        let text = tidy_spaces(&self.current);
        self.current.clear();
        if text.is_empty() {
            return;
        }
        if self.lone_lines_break {
            push_paragraph(&mut self.blocks, text);
        } else {
            self.blocks.push(Block::Paragraph(text));
        }
    }
}

/// A narration paragraph grows to about this many bytes before the next
/// sentence starts a new one: a run-on story has no other clue where its
/// author paused, and a screenful of unbroken text is hard to read.
const NARRATION_PARAGRAPH_TARGET: usize = 900;

/// Re-paragraphs a story that arrived as one block: a new paragraph where
/// the speaker changes and where narration follows a closed quotation;
/// never inside a quotation, never mid-sentence. Inline scene breaks
/// (`… alive. -- (6 months later) Kylo …`) become breaks.
pub(crate) fn reparagraph(block: &str) -> Vec<Block> {
    let names = Names::collect(block);
    let mut blocks = Vec::new();
    for piece in split_inline_breaks(block) {
        match piece {
            Piece::Text(text) => paragraphs_of(text, &names, &mut blocks),
            Piece::Break => blocks.push(Block::SceneBreak),
            Piece::Mark(mark) => {
                blocks.push(Block::SceneBreak);
                blocks.push(Block::Paragraph(mark.to_string()));
            }
        }
    }
    blocks
}

enum Piece<'a> {
    Text(&'a str),
    Break,
    /// A lettered break mark (`o0o`), kept as text.
    Mark(&'a str),
}

fn inline_break() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"\s(--+|\*(?: ?\*){2,}|~{3,}|={3,}|#{3,}|_{3,}|o0o|0o0|oOo|OoO|xXx|XxX|\((?:[^()]{2,40})\)|\[(?:[^\[\]]{2,40})\])\s",
        )
        .expect("static regex")
    })
}

fn split_inline_breaks(block: &str) -> Vec<Piece<'_>> {
    let quotes = prose::quote_spans(block);
    let mut pieces = Vec::new();
    let mut from = 0;
    let mut search_at = 0;
    while let Some(found) = inline_break().captures_at(block, search_at) {
        // Group 1 is the whole mark and always takes part in a match.
        let Some(mark) = found.get(1) else { break };
        search_at = mark.end();
        let before = block[..mark.start()].trim_end();
        let after = block[mark.end()..].trim_start();
        let after_sentence = before.chars().last().is_some_and(|c| {
            matches!(c, '.' | '!' | '?' | '…' | '"' | '”' | '’' | ')' | ']' | '*')
        });
        let starts_sentence = after.chars().next().is_some_and(|c| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '(' | '[')
        });
        if !after_sentence || !starts_sentence || prose::inside(&quotes, mark.start()) {
            continue;
        }
        let text = mark.as_str();
        let kind = classify_lone_line(text);
        if kind == LoneLine::Text {
            continue;
        }
        if before.len() > from {
            pieces.push(Piece::Text(&block[from..before.len()]));
        }
        match kind {
            LoneLine::PunctuationBreak => {
                pieces.push(Piece::Break);
                from = block.len() - after.len();
            }
            LoneLine::LetteredBreak => {
                pieces.push(Piece::Mark(text));
                from = block.len() - after.len();
            }
            // The time skip's words open the next paragraph.
            _ => {
                if !matches!(pieces.last(), Some(Piece::Break)) {
                    pieces.push(Piece::Break);
                }
                from = mark.start();
            }
        }
    }
    if from < block.len() && !block[from..].trim().is_empty() {
        pieces.push(Piece::Text(&block[from..]));
    }
    pieces
}

fn paragraphs_of(text: &str, names: &Names, blocks: &mut Vec<Block>) {
    let text = text.trim();
    let quotes = prose::quote_spans(text);
    let sentences: Vec<_> = prose::sentences(text, &quotes, names)
        .into_iter()
        .map(|range| prose::describe(text, range, &quotes, names))
        .collect();

    let mut paragraph_start: Option<usize> = None;
    let mut paragraph_end = 0;
    let mut speaker: Option<String> = None;
    let mut has_quote = false;
    let mut previous_ends_with_quote = false;

    for sentence in &sentences {
        let start_new = match paragraph_start {
            None => false,
            Some(start) => {
                let different_speaker = sentence.subject.is_some() && sentence.subject != speaker;
                let length = paragraph_end - start;
                previous_ends_with_quote
                    || (has_quote && different_speaker)
                    || (sentence.has_quote && speaker.is_some() && different_speaker)
                    || (!sentence.has_quote && !has_quote && length >= NARRATION_PARAGRAPH_TARGET)
            }
        };
        if start_new {
            if let Some(start) = paragraph_start {
                blocks.push(Block::Paragraph(
                    text[start..paragraph_end].trim().to_string(),
                ));
            }
            paragraph_start = None;
            speaker = None;
            has_quote = false;
        }
        if paragraph_start.is_none() {
            paragraph_start = Some(sentence.range.start);
        }
        paragraph_end = sentence.range.end;
        // The first speaker of a paragraph defines it; narration before the
        // first quotation only until someone speaks.
        let speaks_first = sentence.has_quote && !has_quote && sentence.subject.is_some();
        if speaker.is_none() || speaks_first {
            speaker.clone_from(&sentence.subject);
        }
        has_quote |= sentence.has_quote;
        previous_ends_with_quote = sentence.ends_with_quote;
    }
    if let Some(start) = paragraph_start {
        let last = text[start..].trim();
        if !last.is_empty() {
            blocks.push(Block::Paragraph(last.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.as_str()),
                Block::SceneBreak => None,
            })
            .collect()
    }

    #[test]
    fn lone_lines() {
        for mark in ["--", "***", "~~~", "* * *", "-----", "~*~*~", "—"] {
            assert_eq!(
                classify_lone_line(mark),
                LoneLine::PunctuationBreak,
                "{mark}"
            );
        }
        for mark in ["o0o", "oOo", "xXx", "~o0o~", "-oOo-"] {
            assert_eq!(classify_lone_line(mark), LoneLine::LetteredBreak, "{mark}");
        }
        for skip in [
            "(6 months later)",
            "[Three weeks later]",
            "*Time skip*",
            "Two years later",
            "(Flashback)",
        ] {
            assert_eq!(classify_lone_line(skip), LoneLine::TimeSkip, "{skip}");
        }
        for text in [
            "Hello.",
            "...",
            "\"--\"",
            "Ooo",
            "Later he left.",
            "(6 months later) he came back",
        ] {
            assert_eq!(classify_lone_line(text), LoneLine::Text, "{text}");
        }
    }

    #[test]
    fn blank_lines_make_paragraphs() {
        let blocks = text_blocks("One line\nand its break.\n\n***\n\nSecond.\r\n\r\nThird   one.");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("One line\nand its break.".into()),
                Block::SceneBreak,
                Block::Paragraph("Second.".into()),
                Block::Paragraph("Third one.".into()),
            ]
        );
    }

    #[test]
    fn one_paragraph_per_line() {
        let blocks = text_blocks("First.\nSecond.\n(6 months later)\nThird.\n");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("First.".into()),
                Block::Paragraph("Second.".into()),
                Block::SceneBreak,
                Block::Paragraph("(6 months later)".into()),
                Block::Paragraph("Third.".into()),
            ]
        );
    }

    #[test]
    fn hard_wrapped_prose_is_joined() {
        let text = "This is a long line of prose that was wrapped by an\nold mail program at a fixed width so that every line\nends early.\n\nNext.";
        assert_eq!(
            paragraphs(&text_blocks(text)),
            vec![
                "This is a long line of prose that was wrapped by an old mail program at a fixed width so that every line ends early.",
                "Next."
            ]
        );
    }

    #[test]
    fn html_paragraphs_breaks_and_rules() {
        let (blocks, title) = html_blocks(
            "<title>T</title><div class=\"userstuff\"><p>One&nbsp;<em>two</em> three.</p><p>&nbsp;</p>\
             <p>Line<br>break</p><hr><p class=\"western\">  Four  </p><script>alert(1)</script></div>",
        );
        assert_eq!(title.as_deref(), Some("T"));
        let (_, title) = html_blocks(
            "<!DOCTYPE html><HTML><HEAD><meta charset=\"utf-8\"><TITLE> Tags &amp;  Chapters </TITLE></HEAD>\
             <BODY><p>One.</p></BODY></HTML>",
        );
        assert_eq!(
            title.as_deref(),
            Some("Tags & Chapters"),
            "a whole document's title, in its head"
        );
        let (_, title) =
            html_blocks("<html><head><title> </title></head><body><p>One.</p></body></html>");
        assert_eq!(title, None, "an empty title is none");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("One two three.".into()),
                Block::Paragraph("Line\nbreak".into()),
                Block::SceneBreak,
                Block::Paragraph("Four".into()),
            ]
        );
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("<p>Hi</p>"));
        assert!(looks_like_html(
            "Text with <em>a</em> <i>few</i> <b>tags</b>"
        ));
        assert!(!looks_like_html("He said 3 < 4 and x > y."));
        assert!(!looks_like_html("A <3 heart"));
    }

    #[test]
    fn reparagraphs_dialogue() {
        let block = r#"He walked in. "Hey." He turned away. "What's wrong?" You ask. Kylo straightens. "You. You are what's wrong." The words felt like poison. -- (6 months later) Kylo dreams of you."#;
        let blocks = reparagraph(block);
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(r#"He walked in. "Hey.""#.into()),
                Block::Paragraph("He turned away.".into()),
                Block::Paragraph(r#""What's wrong?" You ask."#.into()),
                Block::Paragraph(r#"Kylo straightens. "You. You are what's wrong.""#.into()),
                Block::Paragraph("The words felt like poison.".into()),
                Block::SceneBreak,
                Block::Paragraph("(6 months later) Kylo dreams of you.".into()),
            ]
        );
    }

    #[test]
    fn a_dash_inside_a_sentence_is_not_a_break() {
        let blocks = reparagraph("He stopped -- and then he ran. It was over.");
        assert!(!blocks.contains(&Block::SceneBreak));
    }
}
