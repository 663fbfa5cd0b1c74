//! The work as plain UTF-8 text: the preface as labelled lines,
//! paragraphs wrapped at 78 columns and set apart by blank lines, scene
//! breaks as `* * *`, italics as `_underscores_` the way plain-text
//! e-books have long marked them.

use quire_archive::Work;

use crate::view::WorkView;
use crate::xhtml::{Element, Node};
use crate::Options;

pub(crate) const WIDTH: usize = 78;
const RULE: &str = "==============================================================================";

pub(crate) fn document(work: &Work, options: &Options) -> String {
    let view = WorkView::new(work, options);
    let mut out = String::new();
    out.push_str(&wrap(&work.title, WIDTH, ""));
    out.push_str(&wrap(&format!("by {}", view.byline()), WIDTH, ""));
    out.push('\n');
    out.push_str(&wrap(
        &format!("Posted originally on the archive at {}.", view.url),
        WIDTH,
        "",
    ));
    if let Some(note) = view.fill_note() {
        out.push('\n');
        out.push_str(&wrap(&note, WIDTH, ""));
    }
    out.push('\n');
    for row in &view.rows {
        let items: Vec<String> = row
            .items
            .iter()
            .map(|i| format!("{}{}", i.before, i.text))
            .collect();
        out.push_str(&wrap(
            &format!("{}: {}", row.label, items.join(", ")),
            WIDTH,
            "    ",
        ));
    }
    let stats: Vec<String> = view
        .stats
        .iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    out.push_str(&wrap(&format!("Stats: {}", stats.join(" ")), WIDTH, "    "));
    section(&mut out, "Summary", &view.summary);
    section(&mut out, "Notes", &view.notes_start);
    if view.has_end_notes() {
        out.push_str("\n(See the end of the work for more notes.)\n");
    }
    for chapter in &view.chapters {
        out.push('\n');
        out.push_str(RULE);
        out.push('\n');
        out.push_str(&wrap(&chapter.heading, WIDTH, ""));
        out.push_str(RULE);
        out.push('\n');
        section(&mut out, "Chapter Summary", &chapter.summary);
        section(&mut out, "Chapter Notes", &chapter.notes_start);
        out.push('\n');
        out.push_str(&body(&chapter.body));
        section(&mut out, "Chapter End Notes", &chapter.notes_end);
    }
    out.push('\n');
    out.push_str(RULE);
    out.push('\n');
    if view.has_end_notes() {
        section(&mut out, "End Notes", &view.notes_end);
        out.push('\n');
    }
    out.push_str(&wrap(
        &format!(
            "Please drop by the archive and comment to let the creator know if you enjoyed their work: {}",
            view.url
        ),
        WIDTH,
        "",
    ));
    out
}

/// A labelled block of plain-text paragraphs, when there is text.
fn section(out: &mut String, label: &str, note: &[Node]) {
    if note.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str(label);
    out.push_str(":\n\n");
    out.push_str(&body(note));
}

/// Words in lines of at most `width` columns, each line after the first
/// starting with `indent`, ending with a newline. A word longer than a
/// line (a URL) stands alone on its line, unbroken.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> String {
    wrap_with(text, width, "", indent)
}

/// [`wrap`] with its own start for the first line (a list bullet).
fn wrap_with(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let used = line.chars().count();
        let needed = used + usize::from(!line_empty) + word.chars().count();
        if !line_empty && needed > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            line_empty = true;
        }
        if !line_empty {
            line.push(' ');
        }
        line.push_str(word);
        line_empty = false;
    }
    if !line_empty {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One block of the body, before wrapping.
enum Block {
    Paragraph {
        indent: usize,
        bullet: Option<String>,
        text: String,
    },
    Preformatted {
        indent: usize,
        text: String,
    },
    SceneBreak,
}

#[derive(Default)]
struct Flow {
    blocks: Vec<Block>,
    current: String,
    indent: usize,
    bullet: Option<String>,
}

impl Flow {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        if text.trim().is_empty() {
            return;
        }
        self.blocks.push(Block::Paragraph {
            indent: self.indent,
            bullet: self.bullet.take(),
            text,
        });
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Text(text) => {
                    // Line breaks in the source are spaces; `<br>` is the
                    // author's line break.
                    for c in text.chars() {
                        self.current.push(if c.is_whitespace() { ' ' } else { c });
                    }
                }
                Node::Element(element) => self.element(element),
            }
        }
    }

    fn element(&mut self, element: &Element) {
        match element.name {
            "br" => self.current.push('\n'),
            "hr" => {
                self.flush();
                self.blocks.push(Block::SceneBreak);
            }
            "i" | "em" | "cite" => {
                self.current.push('_');
                self.nodes(&element.children);
                self.current.push('_');
            }
            "blockquote" | "figure" => {
                self.flush();
                self.indent += 4;
                self.nodes(&element.children);
                self.flush();
                self.indent -= 4;
            }
            "ul" | "ol" => {
                self.flush();
                let mut number = 0;
                for item in &element.children {
                    let Node::Element(item) = item else { continue };
                    number += 1;
                    let bullet = if element.name == "ol" {
                        format!("{number}. ")
                    } else {
                        "- ".to_string()
                    };
                    let width = bullet.chars().count();
                    self.bullet = Some(bullet);
                    self.indent += width;
                    self.nodes(&item.children);
                    self.flush();
                    self.indent -= width;
                }
            }
            "tr" => {
                self.flush();
                let cells: Vec<String> = element
                    .children
                    .iter()
                    .map(|cell| {
                        let mut flow = Flow::default();
                        flow.nodes(std::slice::from_ref(cell));
                        flow.flush();
                        flow.blocks
                            .iter()
                            .filter_map(|b| match b {
                                Block::Paragraph { text, .. }
                                | Block::Preformatted { text, .. } => {
                                    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
                                }
                                Block::SceneBreak => None,
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                self.current = cells.join(" | ");
                self.flush();
            }
            "pre" => {
                self.flush();
                let mut text = String::new();
                raw_text(&element.children, &mut text);
                self.blocks.push(Block::Preformatted {
                    indent: self.indent,
                    text,
                });
            }
            "rp" => {}
            name if is_block(name) => {
                self.flush();
                self.nodes(&element.children);
                self.flush();
            }
            _ => self.nodes(&element.children),
        }
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "details"
            | "summary"
            | "figcaption"
    )
}

fn raw_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) if e.name == "br" => out.push('\n'),
            Node::Element(e) => raw_text(&e.children, out),
        }
    }
}

/// A chapter's text as wrapped paragraphs.
pub(crate) fn body(nodes: &[Node]) -> String {
    let mut flow = Flow::default();
    flow.nodes(nodes);
    flow.flush();
    let mut paragraphs = Vec::new();
    for block in &flow.blocks {
        match block {
            Block::Paragraph {
                indent,
                bullet,
                text,
            } => {
                let pad = " ".repeat(*indent);
                let first = match bullet {
                    Some(bullet) => {
                        format!(
                            "{}{bullet}",
                            " ".repeat(indent.saturating_sub(bullet.chars().count()))
                        )
                    }
                    None => pad.clone(),
                };
                let mut wrapped = String::new();
                for (i, line) in text.split('\n').enumerate() {
                    let start = if i == 0 { first.as_str() } else { pad.as_str() };
                    let line = wrap_with(line, WIDTH, start, &pad);
                    // A line break the author wrote on an empty line still
                    // counts as a line.
                    wrapped.push_str(if line.is_empty() { "\n" } else { &line });
                }
                paragraphs.push(wrapped.trim_start_matches('\n').to_string());
            }
            Block::Preformatted { indent, text } => {
                let pad = " ".repeat(*indent);
                let lines: Vec<String> = text.lines().map(|l| format!("{pad}{l}")).collect();
                paragraphs.push(lines.join("\n") + "\n");
            }
            Block::SceneBreak => {
                paragraphs.push(format!("{}* * *\n", " ".repeat((WIDTH - 5) / 2)));
            }
        }
    }
    paragraphs.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_text::FillProfile;

    fn text_of(html: &str) -> String {
        body(&crate::xhtml::convert(html, &FillProfile::new()))
    }

    #[test]
    fn wraps_at_78_columns() {
        let paragraph = "word ".repeat(40);
        let wrapped = wrap(&paragraph, WIDTH, "");
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= WIDTH),
            "{wrapped}"
        );
        assert_eq!(wrapped.lines().next().unwrap().len(), 74);
        assert_eq!(wrapped.split_whitespace().count(), 40);
        assert!(wrapped.ends_with("word\n"));
    }

    #[test]
    fn long_words_stand_alone_and_indents_follow() {
        let url = format!("https://example.org/{}", "x".repeat(90));
        let wrapped = wrap(&format!("see {url} there"), 30, "  ");
        assert_eq!(wrapped, format!("see\n  {url}\n  there\n"));
        assert_eq!(wrap("  ", 10, ""), "");
        assert_eq!(
            wrap("Zoë’s café", 10, ""),
            "Zoë’s café\n",
            "columns are characters, not bytes"
        );
    }

    proptest::proptest! {
        #[test]
        fn wrapping_keeps_every_word_and_fits_the_width(
            text in "[a-zA-Zéü“”—,. \n]{0,60}( [a-z]{70,90})?[a-z ,.]{0,300}",
            width in 10usize..100,
        ) {
            let wrapped = wrap(&text, width, "  ");
            for line in wrapped.lines() {
                proptest::prop_assert!(
                    line.chars().count() <= width || line.split_whitespace().count() == 1,
                    "{:?} is wider than {}", line, width
                );
            }
            let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
            proptest::prop_assert_eq!(words(&wrapped), words(&text));
        }
    }

    #[test]
    fn chapter_text_as_paragraphs() {
        let text = text_of(
            "<p>One <em>two</em>\nthree.<br>Four.</p><hr><ul><li>a</li><li>b</li></ul>\
             <blockquote><p>q</p></blockquote><table><tr><td>x</td><th>y</th></tr></table>",
        );
        assert_eq!(
            text,
            format!(
                "One _two_ three.\nFour.\n\n{}* * *\n\n- a\n\n- b\n\n    q\n\nx | y\n",
                " ".repeat(36)
            )
        );
    }
}
