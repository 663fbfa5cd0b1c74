//! A writer's text and a chapter's XHTML tree as typst markup.
//!
//! Text goes in escaped, so that nothing a writer types is read as markup:
//! every character typst gives a meaning to (`#` code, `$` math, `*`
//! strong, `_` emphasis, `@` references, `<` labels, `//` comments,
//! backslashes, quotes it would curl, `-` and `.` shorthands, `=`/`+`/`-`
//! at a line's start) gets a backslash, which typst's lexer reads as that
//! character, literally. Formatting is written as function calls
//! (`#emph[…]`), never as `*`/`_` markup, whose meaning depends on the
//! letters around it. Text right after a call must not continue it: `(`,
//! `[` and `;` are always escaped, and so is a `.` that a name could
//! follow (`.x`) or that ends the text (the next node may start with a
//! letter). No call ends in `;`: typst would take the white space after
//! it along with it.

use crate::xhtml::{Element, Node};

/// Elements nested deeper than this keep their text but not their
/// formatting: typst stops at a depth of calls and layouts that hostile
/// HTML (already bounded at 128 by the converter) could otherwise reach.
const MAX_NESTING: usize = 16;

/// Whether typst's markup reads `c` as white space.
fn is_markup_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// `text` as markup that typst sets as exactly these characters, except
/// that each run of white space becomes one space (as HTML sets it) and
/// control characters go.
pub(crate) fn escape(text: &str, out: &mut String) {
    // Not a space: white space that starts the text is kept (as one
    // space), or `<b>bold</b> and` would run together.
    let mut previous = '\0';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_markup_space(c) {
            if previous != ' ' {
                out.push(' ');
                previous = ' ';
            }
            continue;
        }
        if c.is_control() {
            continue;
        }
        let special = match c {
            '\\' | '/' | '*' | '_' | '#' | '$' | '@' | '<' | '>' | '[' | ']' | '~' | '\'' | '"'
            | '`' | '=' | '+' | '-' | ':' | '(' | ';' => true,
            // `...` is an ellipsis shorthand, `1.` at a line's start a
            // numbered list, `.name` after a call a field of its result.
            '.' => {
                previous.is_ascii_digit()
                    || chars
                        .peek()
                        .is_none_or(|&next| next == '.' || next == '_' || next.is_alphabetic())
            }
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
        previous = c;
    }
}

/// `text` as the inside of a typst string literal.
pub(crate) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A chapter's XHTML tree as markup.
pub(crate) fn nodes(nodes: &[Node], out: &mut String) {
    Writer { depth: 0 }.nodes(nodes, out);
}

struct Writer {
    depth: usize,
}

impl Writer {
    fn nodes(&mut self, nodes: &[Node], out: &mut String) {
        for node in nodes {
            match node {
                Node::Text(text) => escape(text, out),
                Node::Element(element) => self.element(element, out),
            }
        }
    }

    /// `children` inside `#call[…]`, or bare past the nesting bound.
    fn call(&mut self, call: &str, children: &[Node], out: &mut String) {
        self.wrapped(&[call], children, out);
    }

    /// `children` inside each of `calls`, the first outermost.
    fn wrapped(&mut self, calls: &[&str], children: &[Node], out: &mut String) {
        let Some((first, rest)) = calls.split_first() else {
            return self.nodes(children, out);
        };
        if self.depth >= MAX_NESTING {
            return self.nodes(children, out);
        }
        self.depth += 1;
        out.push('#');
        out.push_str(first);
        out.push('[');
        self.wrapped(rest, children, out);
        out.push(']');
        self.depth -= 1;
    }

    /// A block: its own paragraph, aligned as its class says.
    fn block(&mut self, element: &Element, call: Option<&str>, out: &mut String) {
        let align = alignment(element).map(|a| format!("align({a})"));
        let calls: Vec<&str> = align.as_deref().into_iter().chain(call).collect();
        out.push_str("\n\n");
        self.wrapped(&calls, &element.children, out);
        out.push_str("\n\n");
    }

    fn element(&mut self, element: &Element, out: &mut String) {
        let children = &element.children;
        match element.name {
            "p" | "div" | "details" | "figure" | "caption" => self.block(element, None, out),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                // The work's title is level 1 and chapters level 2: a
                // writer's headings sit below them, and out of the PDF's
                // outline.
                let level = (element.name.as_bytes()[1] - b'0' + 2).min(6);
                let call = format!("heading(level: {level}, outlined: false)");
                self.block(element, Some(&call), out);
            }
            "summary" | "dt" => self.block(element, Some("strong"), out),
            "figcaption" => self.block(element, Some("emph"), out),
            "dd" => self.block(element, Some("pad(left: 1.5em)"), out),
            "blockquote" => self.block(element, Some("quote(block: true)"), out),
            "pre" => {
                out.push_str("\n\n#raw(block: true, ");
                out.push_str(&string(&text_of(children)));
                out.push_str(")\n\n");
            }
            "hr" => out.push_str("\n\n#align(center)[\\* \\* \\*]\n\n"),
            "br" => out.push_str("#linebreak()"),
            "ul" | "ol" => self.list(element, out),
            "dl" => {
                out.push_str("\n\n");
                self.nodes(children, out);
                out.push_str("\n\n");
            }
            "table" => self.table(element, out),
            "em" | "i" | "cite" | "dfn" | "var" => self.call("emph", children, out),
            "strong" | "b" => self.call("strong", children, out),
            "u" | "ins" => self.call("underline", children, out),
            "s" | "del" => self.call("strike", children, out),
            "sub" => self.call("sub", children, out),
            "sup" => self.call("super", children, out),
            "small" => self.call("text(size: 0.85em)", children, out),
            "mark" => self.call("highlight", children, out),
            "code" | "kbd" | "samp" => self.call("mono", children, out),
            "span" if has_class(element, "tt") => self.call("mono", children, out),
            "span" if has_class(element, "big") => self.call("text(size: 1.2em)", children, out),
            "q" => {
                out.push('“');
                self.nodes(children, out);
                out.push('”');
            }
            "a" => match element.attr("href") {
                Some(href) => self.call(&format!("link({})", string(href)), children, out),
                None => self.nodes(children, out),
            },
            "rt" => {
                // Ruby text after its base, in parentheses, as a reader
                // without ruby support sees it.
                out.push_str("\\(");
                self.nodes(children, out);
                out.push(')');
            }
            "rp" | "col" | "colgroup" => {}
            _ => self.nodes(children, out),
        }
    }

    fn list(&mut self, element: &Element, out: &mut String) {
        let call = if element.name == "ol" { "enum" } else { "list" };
        out.push_str("\n\n");
        if self.depth >= MAX_NESTING {
            self.nodes(&element.children, out);
            out.push_str("\n\n");
            return;
        }
        self.depth += 1;
        out.push('#');
        out.push_str(call);
        out.push('(');
        for item in &element.children {
            out.push('[');
            match item {
                Node::Element(li) => self.nodes(&li.children, out),
                Node::Text(text) => escape(text, out),
            }
            out.push_str("],");
        }
        out.push_str(")\n\n");
        self.depth -= 1;
    }

    /// A table as rows of cells, as many columns as its widest row, its
    /// caption above it; header cells in bold.
    fn table(&mut self, element: &Element, out: &mut String) {
        let mut rows: Vec<&Element> = Vec::new();
        out.push_str("\n\n");
        for part in &element.children {
            let Node::Element(part) = part else { continue };
            match part.name {
                "caption" => self.block(part, Some("emph"), out),
                "thead" | "tbody" | "tfoot" => {
                    rows.extend(part.children.iter().filter_map(|row| match row {
                        Node::Element(row) if row.name == "tr" => Some(row),
                        _ => None,
                    }))
                }
                "tr" => rows.push(part),
                _ => {}
            }
        }
        let columns = rows.iter().map(|row| cells(row).len()).max().unwrap_or(0);
        if columns == 0 || self.depth >= MAX_NESTING {
            for row in &rows {
                for cell in cells(row) {
                    self.block(cell, None, out);
                }
            }
            out.push_str("\n\n");
            return;
        }
        self.depth += 1;
        out.push_str(&format!("#table(columns: {columns}, "));
        for row in &rows {
            let row = cells(row);
            for cell in &row {
                out.push('[');
                if cell.name == "th" {
                    self.call("strong", &cell.children, out);
                } else {
                    self.nodes(&cell.children, out);
                }
                out.push_str("],");
            }
            for _ in row.len()..columns {
                out.push_str("[],");
            }
        }
        out.push_str(")\n\n");
        self.depth -= 1;
    }
}

/// A row's cells (the converter gives a row nothing else but white space).
fn cells(row: &Element) -> Vec<&Element> {
    row.children
        .iter()
        .filter_map(|cell| match cell {
            Node::Element(cell) => Some(cell),
            Node::Text(_) => None,
        })
        .collect()
}

fn has_class(element: &Element, class: &str) -> bool {
    element
        .attr("class")
        .is_some_and(|classes| classes.split(' ').any(|c| c == class))
}

/// The alignment AO3's `align` (kept as a class) or `center` asks for.
fn alignment(element: &Element) -> Option<&'static str> {
    if has_class(element, "align-center") || has_class(element, "center") {
        Some("center")
    } else if has_class(element, "align-right") {
        Some("right")
    } else {
        None
    }
}

/// The text inside `nodes`, line breaks as new lines.
fn text_of(nodes: &[Node]) -> String {
    let mut text = String::new();
    fn walk(nodes: &[Node], text: &mut String) {
        for node in nodes {
            match node {
                Node::Text(t) => text.push_str(t),
                Node::Element(e) if e.name == "br" => text.push('\n'),
                Node::Element(e) if e.name == "rp" => {}
                Node::Element(e) => walk(&e.children, text),
            }
        }
    }
    walk(nodes, &mut text);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use typst::syntax::{SyntaxKind, SyntaxNode};

    /// What typst's parser reads `markup` as, when it reads it as text
    /// only: the characters it sets, or what else it found.
    fn read_as_text(markup: &str) -> Result<String, String> {
        let root = typst::syntax::parse(markup);
        text_of_nodes(root.children().as_slice(), markup)
    }

    fn text_of_nodes(nodes: &[SyntaxNode], markup: &str) -> Result<String, String> {
        let mut text = String::new();
        for node in nodes {
            match node.kind() {
                SyntaxKind::Text => text.push_str(node.leaf_text()),
                SyntaxKind::Space => text.push(' '),
                SyntaxKind::Escape => text.push_str(&node.leaf_text()[1..]),
                other => return Err(format!("{other:?} in {markup:?}")),
            }
        }
        Ok(text)
    }

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape(text, &mut out);
        out
    }

    /// The text as it should come out: white space runs as one space,
    /// control characters gone.
    fn as_set(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if is_markup_space(c) {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            } else if !c.is_control() {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn what_writers_type_stays_text() {
        for text in [
            "#set page(paper: \"a4\")",
            "$x^2$ costs $5",
            "*not bold* and _not italic_ and snake_case_name",
            "@someone <label> <3",
            "C:\\path\\to\\file \\u{41} \\",
            "// not a comment /* nor this */",
            "= Not a heading",
            "- not a list\n+ nor this\n/ nor: this",
            "1. not numbered\n\n2. either",
            "Wait... what -- really --- yes -5 and -?",
            "'single' and \"double\" quotes",
            "~tilde~ `raw` [brackets] {braces}",
            "http://example.org/a_b https://x.y",
            "a*/b",
        ] {
            let markup = escaped(text);
            assert_eq!(read_as_text(&markup), Ok(as_set(text)), "{text:?}");
        }
    }

    #[test]
    fn strings_are_literal() {
        let literal = string("a \"quoted\" \\ back\nslash");
        let root = typst::syntax::parse_code(&literal);
        let node: &SyntaxNode = root.children().next().unwrap();
        let value = node.cast::<typst::syntax::ast::Str>().unwrap().get();
        assert_eq!(value, "a \"quoted\" \\ back\nslash");
    }

    /// Text between two calls, as the writer puts it, is text still, and
    /// the calls are two calls.
    fn between_calls(text: &str) -> Result<String, String> {
        let markup = format!("#emph[a]{}#linebreak()", escaped(text));
        let root = typst::syntax::parse(&markup);
        let nodes = root.children().as_slice();
        let kind = |i: usize| nodes.get(i).map(SyntaxNode::kind);
        let last = nodes.len().saturating_sub(1);
        let call = |i: usize| {
            kind(i - 1) == Some(SyntaxKind::Hash) && kind(i) == Some(SyntaxKind::FuncCall)
        };
        if nodes.len() < 5 || !call(1) || !call(last) {
            return Err(format!("not two calls around text: {markup:?}"));
        }
        text_of_nodes(&nodes[2..last - 1], &markup)
    }

    #[test]
    fn text_after_a_call_does_not_continue_it() {
        for text in [
            " and",
            ".field",
            ".",
            "(args)",
            "[content]",
            ";",
            ". Then",
            " ;",
        ] {
            assert_eq!(between_calls(text), Ok(as_set(text)), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_text_survives_typst_s_parser(text in any::<String>()) {
            let markup = escaped(&text);
            prop_assert_eq!(read_as_text(&markup), Ok(as_set(&text)));
        }

        #[test]
        fn any_text_between_calls_survives_typst_s_parser(text in any::<String>()) {
            prop_assume!(!as_set(&text).is_empty());
            prop_assert_eq!(between_calls(&text), Ok(as_set(&text)));
        }

        #[test]
        fn markup_characters_survive_typst_s_parser(
            text in "[\\\\/*_#$@<>\\[\\]~'\"`=+\\-:.0-9a-z \n]{0,40}"
        ) {
            let markup = escaped(&text);
            prop_assert_eq!(read_as_text(&markup), Ok(as_set(&text)));
        }
    }
}
