//! How deep HTML nests, found before it is parsed into a tree.
//!
//! Building the tree is quadratic in nesting for most block elements: on
//! every `<div>` the parser looks down its stack of open elements for a `<p>`
//! to close. 160,000 nested `<div>`s take 268 s in a release build, and an
//! 8 MB form holds ten times as many. The tokenizer alone is linear, so it
//! counts first, and HTML nested past [`MAX_PARSED_NESTING`] is read as the
//! text it is, tags and all, never as a tree.

use std::borrow::Cow;
use std::cell::Cell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Far deeper than any story's HTML (AO3's downloads nest about a dozen,
/// and quire keeps 100 at most), shallow enough that HTML nested this deep
/// all through an 8 MB form parses about as fast as an ordinary chapter.
pub const MAX_PARSED_NESTING: usize = 256;

/// Elements that never stay open: void elements, and those the parser
/// closes by itself when the next sibling starts.
const NOT_KEPT_OPEN: [&str; 32] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th",
    "tbody", "thead", "tfoot", "rb", "rt", "rp", "rtc", "colgroup",
];

#[derive(Default)]
struct DepthCounter {
    depth: Cell<usize>,
    deepest: Cell<usize>,
}

impl TokenSink for DepthCounter {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(tag) = token {
            if NOT_KEPT_OPEN.contains(&&*tag.name) {
                return TokenSinkResult::Continue;
            }
            // `<div/>` opens a div all the same: HTML ignores the slash.
            match tag.kind {
                TagKind::StartTag => {
                    let depth = self.depth.get() + 1;
                    self.depth.set(depth);
                    self.deepest.set(self.deepest.get().max(depth));
                }
                TagKind::EndTag => self.depth.set(self.depth.get().saturating_sub(1)),
            }
        }
        TokenSinkResult::Continue
    }
}

/// The most elements open at once, as the tags say. An estimate from
/// above: tags the parser would close or ignore (a stray `</div>`, a `<b>`
/// left open) can only make it larger.
pub fn nesting_estimate(html: &str) -> usize {
    let tokenizer = Tokenizer::new(DepthCounter::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.deepest.get()
}

/// Whether the HTML may nest past [`MAX_PARSED_NESTING`].
pub fn nests_too_deep(html: &str) -> bool {
    // Fewer `<` than the limit can't nest past it: nearly every text is
    // answered without tokenizing.
    html.bytes().filter(|&b| b == b'<').count() > MAX_PARSED_NESTING
        && nesting_estimate(html) > MAX_PARSED_NESTING
}

/// The HTML to parse: itself, or, nested past [`MAX_PARSED_NESTING`], its
/// text with every `<` and `&` escaped, so that the parser builds no tree
/// from it and a reader sees what was sent.
pub fn parseable(html: &str) -> Cow<'_, str> {
    if nests_too_deep(html) {
        Cow::Owned(html.replace('&', "&amp;").replace('<', "&lt;"))
    } else {
        Cow::Borrowed(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_counts_open_elements() {
        assert_eq!(nesting_estimate("plain words"), 0);
        assert_eq!(nesting_estimate("<p>one<p>two<br>three"), 0);
        assert_eq!(
            nesting_estimate("<div><div><em>x</em></div><div>y</div></div>"),
            3
        );
        assert_eq!(nesting_estimate("<ul><li><ul><li>x</ul></ul>"), 2);
        assert_eq!(nesting_estimate("<!-- <div><div> --><div/>x"), 1);
        assert_eq!(nesting_estimate("</div></div><b>x</b>"), 1);
    }

    #[test]
    fn ordinary_html_is_parsed_as_it_is() {
        let story = "<p>One.</p><blockquote><p><em>Two</em> &amp; three.</p></blockquote>";
        assert!(matches!(parseable(story), Cow::Borrowed(_)));
        let long_but_flat = "<p>line</p>".repeat(5_000);
        assert!(matches!(parseable(&long_but_flat), Cow::Borrowed(_)));
    }

    #[test]
    fn html_nested_past_the_limit_is_read_as_text() {
        let depth = MAX_PARSED_NESTING + 1;
        let deep = format!(
            "{}a &lt; b{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let text = parseable(&deep);
        assert!(!text.contains('<'));
        assert!(text.starts_with("&lt;div>&lt;div>"));
        assert!(
            text.contains("a &amp;lt; b"),
            "what was sent is what is shown"
        );
        let at_the_limit = format!(
            "{}x{}",
            "<div>".repeat(MAX_PARSED_NESTING),
            "</div>".repeat(MAX_PARSED_NESTING)
        );
        assert!(matches!(parseable(&at_the_limit), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_either_parsed_as_it_is_or_holds_no_tag(
            text in "(<(div|b|p|br|/div|/b|!--)>|[a-z &<>/-]){0,400}"
        ) {
            // Every open element was a `<` in the text.
            proptest::prop_assert!(nesting_estimate(&text) <= text.matches('<').count());
            match parseable(&text) {
                Cow::Borrowed(same) => proptest::prop_assert_eq!(same, text.as_str()),
                Cow::Owned(escaped) => proptest::prop_assert!(!escaped.contains('<')),
            }
        }
    }
}
