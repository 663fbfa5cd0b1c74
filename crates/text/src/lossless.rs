//! The lossless promise, checked from outside the pipeline.
//!
//! Tests, the fuzz target and the importers' tests ask here whether a
//! manuscript kept every word of what it was made from. The answer must not
//! come from the code it judges: for HTML, an oracle that read the input with
//! quire's own layout could never see that layout drop a paragraph. So HTML
//! is read here the simplest way there is — every text node html5ever's tree
//! holds, but those of elements a browser never shows as the page (scripts,
//! styles, templates, `<noscript>`, the window's title) — and compared letter
//! by letter, which needs no idea of blocks, paragraphs or word boundaries.
//! Plain text needs no reading at all: its words are the words of the input.

use std::fmt;

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::{count, nesting, Manuscript, SourceFormat};

/// Elements whose text is not part of the page a reader sees.
const NOT_SHOWN: [&str; 5] = ["script", "style", "template", "noscript", "title"];

/// What a manuscript lost of its input: where the two first part, with a
/// little of each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    pub at: usize,
    pub kept: String,
    pub input: String,
    pub kept_len: usize,
    pub input_len: usize,
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "text differs at {}: kept {:?}, input has {:?} ({} against {})",
            self.at, self.kept, self.input, self.kept_len, self.input_len
        )
    }
}

/// The letters and digits of the text a reader sees in `html`, in document
/// order. HTML nested too deep to parse is shown as the text it is
/// ([`nesting::parseable`]), so its letters are those of the source.
pub fn html_letters(html: &str) -> String {
    if nesting::nests_too_deep(html) {
        return letters_of(html);
    }
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    let mut hidden_depth = 0usize;
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if NOT_SHOWN.contains(&e.name()) => hidden_depth += 1,
                Node::Text(text) if hidden_depth == 0 => out.extend(letters(text)),
                _ => {}
            },
            Edge::Close(node) => {
                if matches!(node.value(), Node::Element(e) if NOT_SHOWN.contains(&e.name())) {
                    hidden_depth -= 1;
                }
            }
        }
    }
    out
}

/// The letters and digits of `text`, nothing else.
pub fn letters_of(text: &str) -> String {
    letters(text).collect()
}

fn letters(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| c.is_alphanumeric())
}

/// Where `kept` and `input` first differ, if they do.
pub fn compare<T: PartialEq + fmt::Debug>(kept: &[T], input: &[T]) -> Result<(), Lost> {
    if kept == input {
        return Ok(());
    }
    let at = kept
        .iter()
        .zip(input)
        .position(|(a, b)| a != b)
        .unwrap_or(kept.len().min(input.len()));
    let around = |side: &[T]| {
        format!(
            "{:?}",
            &side[at.saturating_sub(8)..(at + 8).min(side.len())]
        )
    };
    Err(Lost {
        at,
        kept: around(kept),
        input: around(input),
        kept_len: kept.len(),
        input_len: input.len(),
    })
}

/// Checks that `manuscript` kept every word of `repaired`, the input as
/// repaired before layout: the same words in order for plain text; the
/// same letters and digits in order for HTML.
pub fn check(manuscript: &Manuscript, repaired: &str) -> Result<(), Lost> {
    check_words(&manuscript.words(), manuscript.format, repaired)
}

/// [`check`] for words gathered from several manuscripts, such as the
/// chapters one file was imported into.
pub fn check_words(kept: &[&str], format: SourceFormat, repaired: &str) -> Result<(), Lost> {
    match format {
        SourceFormat::Text => {
            let input: Vec<&str> = count::word_tokens(repaired).collect();
            compare(kept, &input)
        }
        SourceFormat::Html => {
            let kept: Vec<char> = kept.iter().flat_map(|w| letters(w)).collect();
            let input: Vec<char> = html_letters(repaired).chars().collect();
            compare(&kept, &input)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze_str;

    #[test]
    fn html_letters_are_what_a_browser_shows() {
        assert_eq!(
            html_letters(
                "<html><head><title>Tab</title><style>p{}</style></head><body>\
                 <p>O<i>n</i>e &amp; 2</p><script>x()</script><noscript>js</noscript>\
                 <template>t</template><!-- c --><p>three</p></body></html>"
            ),
            "One2three"
        );
        // Text the parser moves out of a table is still shown, where it moves.
        assert_eq!(html_letters("<table><tr><td>a</td></tr>b</table>"), "ba");
    }

    #[test]
    fn a_dropped_paragraph_is_seen() {
        let html = "<p>First paragraph.</p><p>Second paragraph.</p>";
        let read = analyze_str(html);
        assert_eq!(check(&read, html), Ok(()));
        let mut lost = read.clone();
        lost.paragraphs.remove(1);
        let found = check(&lost, html).unwrap_err();
        assert_eq!((found.at, found.kept_len, found.input_len), (14, 14, 29));
        assert_eq!(
            found.to_string(),
            "text differs at 14: kept \"['a', 'r', 'a', 'g', 'r', 'a', 'p', 'h']\", \
             input has \"['a', 'r', 'a', 'g', 'r', 'a', 'p', 'h', 'S', 'e', 'c', 'o', 'n', 'd', 'p', 'a']\" \
             (14 against 29)"
        );
        let mut changed = read;
        changed.paragraphs[0] = "First paragrph.".into();
        assert!(check(&changed, html).is_err());
    }

    #[test]
    fn letters_are_letters_and_digits_of_any_script() {
        assert_eq!(letters_of("Y/N's 2nd — café, 東京!"), "YNs2ndcafé東京");
        assert_eq!(
            compare(&['a', 'b', 'c'], &['a', 'x', 'c']).unwrap_err().at,
            1
        );
    }

    #[test]
    fn plain_text_is_checked_word_by_word() {
        let text = "One two.\n\nThree four.";
        let read = analyze_str(text);
        assert_eq!(check(&read, text), Ok(()));
        let mut joined = read;
        joined.paragraphs = vec!["One two. Threefour.".into()];
        assert!(check(&joined, text).is_err());
    }
}
