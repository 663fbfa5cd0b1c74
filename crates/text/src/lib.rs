//! quire-text: raw bytes in, a repaired manuscript out.
//!
//! `decode → repair → layout → notes → placeholders → counts`, pure and
//! without I/O. The one guarantee every step keeps: no word is lost. The
//! words (whitespace-separated tokens holding a letter or digit) of start
//! notes + paragraphs + end notes are, in order, the words of the repaired
//! input; only punctuation-only scene-break marks (`--`, `***`) leave.

pub mod count;
pub mod decode;
pub mod insert;
pub mod layout;
pub mod lossless;
pub mod nesting;
pub mod notes;
mod prose;
pub mod repair;
pub mod signals;

use serde::{Deserialize, Serialize};

pub use count::Counts;
pub use decode::{DecodeError, SourceEncoding};
pub use insert::{FillError, FillProfile, PlaceholderCount};
pub use layout::Block;
pub use notes::Notes;
pub use repair::{MojibakeEncoding, Repair, Repaired};
pub use signals::{manuscript_signals, signals, NoteKind, Signals, SuggestedRating, Warning};

/// How the story arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Text,
    Html,
}

/// A story as quire reads it: plain data every later part works from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manuscript {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Plain-text paragraphs; `\n` inside one is a line break the author wrote.
    pub paragraphs: Vec<String>,
    /// A scene break stands before `paragraphs[i]` for each `i` here.
    pub scene_breaks: Vec<usize>,
    pub notes: Notes,
    /// Links and handles found in the notes.
    pub credits: Vec<String>,
    pub placeholders: Vec<PlaceholderCount>,
    /// Placeholders to fill, or narration addressed to "you".
    pub reader_insert: bool,
    pub second_person: bool,
    pub repairs: Vec<Repair>,
    pub word_count: usize,
    pub counts: Counts,
    pub format: SourceFormat,
    pub encoding: SourceEncoding,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Decodes and repairs bytes, changing nothing else: what `quire repair`
/// prints.
pub fn repair_bytes(bytes: &[u8]) -> Result<Repaired, DecodeError> {
    let decoded = decode::decode(bytes)?;
    Ok(repair::repair(&decoded.text))
}

/// Reads any bytes into a manuscript.
pub fn analyze(bytes: &[u8]) -> Result<Manuscript, AnalyzeError> {
    let decoded = decode::decode(bytes)?;
    Ok(analyze_decoded(
        &decoded.text,
        decoded.encoding,
        Layout::Detect,
        Mojibake::Repair,
    ))
}

/// Reads text that is already decoded (a form post, a database row); a
/// text that looks like HTML is read as HTML.
pub fn analyze_str(text: &str) -> Manuscript {
    analyze_str_with(text, Mojibake::Repair)
}

/// [`analyze_str`], repairing mojibake or not.
pub fn analyze_str_with(text: &str, mojibake: Mojibake) -> Manuscript {
    analyze_decoded(text, SourceEncoding::Utf8, Layout::Detect, mojibake)
}

/// Reads text a writer said is plain: whatever it holds that looks like
/// markup (`<i onwheel=…>`, `<script>`) is words on the page, never tags.
pub fn analyze_plain_str(text: &str) -> Manuscript {
    analyze_plain_str_with(text, Mojibake::Repair)
}

/// [`analyze_plain_str`], repairing mojibake or not.
pub fn analyze_plain_str_with(text: &str, mojibake: Mojibake) -> Manuscript {
    analyze_decoded(text, SourceEncoding::Utf8, Layout::Text, mojibake)
}

/// Whether text is read with its mojibake repaired. A writer whose correct
/// text only looks garbled (a cipher, a keyboard smash, a language the
/// repair mistakes) keeps it as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mojibake {
    #[default]
    Repair,
    Keep,
}

/// `text` repaired, or as it is, with what was changed.
pub fn repaired(text: &str, mojibake: Mojibake) -> Repaired {
    match mojibake {
        Mojibake::Repair => repair::repair(text),
        Mojibake::Keep => Repaired {
            text: text.to_owned(),
            repairs: Vec::new(),
        },
    }
}

/// How a text's layout is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// As HTML when it looks like HTML, else as plain text.
    Detect,
    Text,
}

/// The one rule for text quire keeps: control characters are not text.
/// C0 controls other than tab and newline, DEL, and the noncharacters
/// U+FFFE and U+FFFF (all of which XML 1.0 forbids and no reader sees) are
/// removed; a carriage return, alone or before a newline, becomes one
/// newline. C1 controls stay: they are evidence the mojibake repair reads.
pub fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| c == '\r' || is_control(c);
    if !text.contains(forbidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c if forbidden(c) => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Does `text` hold a character [`without_controls`] removes (a carriage
/// return is only a line break written the old way)?
pub fn has_controls(text: &str) -> bool {
    text.contains(is_control)
}

fn is_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// A paragraph longer than this, in a text whose paragraphs are this long
/// on average, arrived as a run-on block and is re-paragraphed; stories
/// written with paragraphs keep theirs.
const RUN_ON_PARAGRAPH_BYTES: usize = 1200;

fn analyze_decoded(
    text: &str,
    encoding: SourceEncoding,
    layout: Layout,
    mojibake: Mojibake,
) -> Manuscript {
    let repaired = repaired(&without_controls(text), mojibake);
    let (format, blocks, html_title) =
        if layout == Layout::Detect && layout::looks_like_html(&repaired.text) {
            let (blocks, title) = layout::html_blocks(&repaired.text);
            (SourceFormat::Html, blocks, title)
        } else {
            (
                SourceFormat::Text,
                layout::text_blocks(&repaired.text),
                None,
            )
        };
    let separated = notes::separate(blocks);
    let body = if format == SourceFormat::Text {
        reparagraph_run_ons(separated.body)
    } else {
        separated.body
    };

    let (paragraphs, scene_breaks) = flatten(body);
    let notes = Notes {
        start: separated.start.join("\n\n"),
        end: separated.end.join("\n\n"),
    };
    let credits = notes::credits(&notes.start)
        .into_iter()
        .chain(notes::credits(&notes.end))
        .collect();
    let prose = || {
        separated
            .start
            .iter()
            .chain(&paragraphs)
            .chain(&separated.end)
            .map(String::as_str)
            .filter(|p| !notes::is_tag_line(p))
    };
    let placeholders = insert::count(prose());
    let second_person = insert::is_second_person(paragraphs.iter().map(String::as_str));
    let counts = count::count(paragraphs.iter().map(String::as_str));
    Manuscript {
        title: separated.title.or(html_title),
        summary: separated.summary,
        reader_insert: !placeholders.is_empty() || second_person,
        placeholders,
        second_person,
        paragraphs,
        scene_breaks,
        notes,
        credits,
        repairs: repaired.repairs,
        word_count: counts.words,
        counts,
        format,
        encoding,
    }
}

fn reparagraph_run_ons(body: Vec<Block>) -> Vec<Block> {
    let lengths: Vec<usize> = body
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.len()),
            Block::SceneBreak => None,
        })
        .collect();
    let average = lengths.iter().sum::<usize>() / lengths.len().max(1);
    if average < RUN_ON_PARAGRAPH_BYTES {
        return body;
    }
    body.into_iter()
        .flat_map(|block| match block {
            Block::Paragraph(p) if p.len() >= RUN_ON_PARAGRAPH_BYTES && !p.contains('\n') => {
                layout::reparagraph(&p)
            }
            other => vec![other],
        })
        .collect()
}

/// Paragraphs and the indices of the breaks before them; breaks at the very
/// start or end, and doubled breaks, mean nothing and go.
fn flatten(blocks: Vec<Block>) -> (Vec<String>, Vec<usize>) {
    let mut paragraphs = Vec::new();
    let mut breaks = Vec::new();
    let mut pending_break = false;
    for block in blocks {
        match block {
            Block::SceneBreak => pending_break = !paragraphs.is_empty(),
            Block::Paragraph(p) => {
                if pending_break {
                    breaks.push(paragraphs.len());
                    pending_break = false;
                }
                paragraphs.push(p);
            }
        }
    }
    (paragraphs, breaks)
}

impl Manuscript {
    /// Every word of the manuscript in reading order: start notes,
    /// paragraphs, end notes. The lossless guarantee is stated on this.
    pub fn words(&self) -> Vec<&str> {
        count::word_tokens(&self.notes.start)
            .chain(self.paragraphs.iter().flat_map(|p| count::word_tokens(p)))
            .chain(count::word_tokens(&self.notes.end))
            .collect()
    }

    /// The manuscript as plain text: paragraphs separated by a blank line,
    /// scene breaks as `* * *`, notes before and after, placeholders filled
    /// from `profile` (the stored text keeps them).
    pub fn render(&self, profile: &FillProfile) -> String {
        let fill = |text: &str| {
            text.split("\n\n")
                .map(|p| {
                    if notes::is_tag_line(p) {
                        p.to_string()
                    } else {
                        insert::fill(p, profile)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        let mut parts: Vec<String> = Vec::new();
        if !self.notes.start.is_empty() {
            parts.push(fill(&self.notes.start));
        }
        for (i, paragraph) in self.paragraphs.iter().enumerate() {
            if self.scene_breaks.contains(&i) {
                parts.push("* * *".to_string());
            }
            parts.push(insert::fill(paragraph, profile));
        }
        if !self.notes.end.is_empty() {
            parts.push(fill(&self.notes.end));
        }
        let mut out = parts.join("\n\n");
        out.push('\n');
        out
    }
}

/// The paragraphs of an HTML fragment as the layout step reads them: one
/// per block, `<br>` kept as `\n`, `&nbsp;` and empty paragraphs dropped,
/// `<hr>` left out. For short HTML such as summaries and notes, where a
/// paragraph that is only `* * *` is the author's text, not a scene break.
pub fn html_paragraphs(html: &str) -> Vec<String> {
    layout::html_note_blocks(html)
        .into_iter()
        .filter_map(|block| match block {
            Block::Paragraph(p) => Some(p),
            Block::SceneBreak => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_keep_the_marks_their_author_wrote_between_paragraphs() {
        assert_eq!(
            html_paragraphs(
                "<p>Thanks!</p><p>* * *</p><p>—</p><hr/><p>Next&nbsp;time.</p><p>&nbsp;</p>"
            ),
            vec!["Thanks!", "* * *", "—", "Next time."]
        );
        // In a story the same marks are breaks.
        let story = analyze_str("<p>Thanks!</p><p>* * *</p><p>Next time.</p>");
        assert_eq!(story.paragraphs, vec!["Thanks!", "Next time."]);
        assert_eq!(story.scene_breaks, vec![1]);
    }

    #[test]
    fn control_characters_are_not_text() {
        assert_eq!(
            without_controls("a\u{0}b\u{1b}[31mc\u{7f}\u{fffe}d\te\r\nf\rg\u{85}"),
            "ab[31mcd\te\nf\ng\u{85}"
        );
        assert!(matches!(
            without_controls("clean\ttext\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(has_controls("bell\u{7}") && !has_controls("line\r\nbreak\ttab"));
        let read = analyze_str("Hello\u{0} there.\u{1b}\n\nSecond\u{8} one.");
        assert_eq!(read.paragraphs, vec!["Hello there.", "Second one."]);
    }

    #[test]
    fn plain_text_is_text_whatever_it_looks_like() {
        for text in [
            "<i onwheel=alert(1)> Scroll over me </i>",
            "<script>alert(1)</script>",
            "<p>Not a paragraph tag</p> but words.",
        ] {
            let read = analyze_plain_str(text);
            assert_eq!(read.paragraphs, vec![text.trim().to_string()], "{text}");
            assert_eq!(read.format, SourceFormat::Text);
        }
        // Asked to guess, quire still reads markup as markup.
        assert_eq!(
            analyze_str("<p>One</p><p>Two</p>").paragraphs,
            vec!["One", "Two"]
        );
    }

    #[test]
    fn flatten_drops_meaningless_breaks() {
        let (paragraphs, breaks) = flatten(vec![
            Block::SceneBreak,
            Block::Paragraph("a".into()),
            Block::SceneBreak,
            Block::SceneBreak,
            Block::Paragraph("b".into()),
            Block::SceneBreak,
        ]);
        assert_eq!(paragraphs, vec!["a", "b"]);
        assert_eq!(breaks, vec![1]);
    }

    #[test]
    fn render_fills_and_marks_breaks() {
        let manuscript = analyze_str("Y/N waited.\n\n***\n\nThen Y/N left.\n\nNotes: thanks");
        let mut profile = FillProfile::new();
        profile.set_pair("Y/N=Alex").unwrap();
        assert_eq!(
            manuscript.render(&profile),
            "Alex waited.\n\n* * *\n\nThen Alex left.\n\nNotes: thanks\n"
        );
        assert_eq!(manuscript.notes.end, "Notes: thanks");
    }

    #[test]
    fn binary_is_an_error() {
        assert!(matches!(
            analyze(b"\0\0\0\x01\x02"),
            Err(AnalyzeError::Decode(_))
        ));
    }
}
