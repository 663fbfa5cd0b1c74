//! The import parsers (raw text, AO3 downloads, EPUB) on input nobody
//! planned: never a panic, always a draft or an error that says why.

use std::path::Path;

use proptest::prelude::*;
use quire_archive::import::prepare;

/// Bits of the structures the parsers look for, to reach past their first
/// checks more often than random bytes would.
fn fragments() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "<div id=\"preface\">",
        "<dl class=\"tags\">",
        "<dt>Rating:</dt>",
        "<dd>Mature</dd>",
        "<dt>Archive Warnings:</dt>",
        "<dd>No Archive Warnings Apply, Major Character Death</dd>",
        "<dt>Stats:</dt><dd>Published: 2024-02-30 Words: 1,2,3 Chapters: 3/?</dd>",
        "<div id=\"chapters\">",
        "<!--chapter content-->",
        "<div class=\"userstuff\">",
        "<!--/chapter content-->",
        "<h2 class=\"heading\">Chapter 1: ",
        "<div class=\"byline\">by <a rel=\"author\">",
        "Part 0 of <a>",
        "</div>",
        "</dl>",
        "<p>",
        "</p>",
        "<br>",
        "Y/N",
        "“",
        "\u{0}",
        "√Ø",
        "\n\n",
        "PK\u{3}\u{4}",
        "META-INF/container.xml",
        "<rootfile full-path=\"../../x\"/>",
    ])
    .prop_map(str::to_string)
}

fn structured() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![fragments(), "\\PC{0,20}"], 0..60)
        .prop_map(|parts| parts.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_under_any_name(bytes in prop::collection::vec(any::<u8>(), 0..2048), ext in prop::sample::select(vec!["txt", "html", "epub"])) {
        let _ = prepare(Path::new(&format!("work.{ext}")), &bytes);
    }

    #[test]
    fn almost_ao3_downloads(bytes in structured()) {
        if let Ok(prepared) = prepare(Path::new("work.html"), &bytes) {
            prop_assert!(prepared.draft.validate().is_ok(), "a prepared draft keeps the rules");
        }
    }

    #[test]
    fn almost_epubs(tail in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        prop_assert!(prepare(Path::new("book.epub"), &bytes).is_err(), "a broken zip is an error, not a panic");
    }
}
