//! Whatever HTML a chapter holds, the converter writes well-formed XHTML
//! (and an HTML download that parses as XML).

use proptest::prelude::*;
use quire_text::FillProfile;

/// Pieces that HTML soup is made of: every element AO3 allows and some it
/// doesn't, attributes good and bad, entities, stray brackets, text with
/// characters XML forbids.
fn piece() -> impl Strategy<Value = String> {
    let tags = prop::sample::select(vec![
        "p",
        "div",
        "em",
        "i",
        "b",
        "strong",
        "u",
        "s",
        "strike",
        "big",
        "tt",
        "center",
        "acronym",
        "a",
        "abbr",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "col",
        "colgroup",
        "h1",
        "h3",
        "pre",
        "code",
        "br",
        "hr",
        "img",
        "ruby",
        "rt",
        "rp",
        "details",
        "summary",
        "figure",
        "figcaption",
        "span",
        "sup",
        "sub",
        "q",
        "cite",
        "dfn",
        "ins",
        "del",
        "script",
        "style",
        "svg",
        "math",
        "form",
        "input",
        "section",
        "font",
        "address",
        "kbd",
    ]);
    let attrs = prop::sample::select(vec![
        "",
        " class=\"x y-1\"",
        " class=\"9bad\"",
        " align=\"center\"",
        " align=\"nonsense\"",
        " lang=\"en-GB\"",
        " lang=\"not a tag\"",
        " dir=\"rtl\"",
        " title='a \"q\" &amp; <b>'",
        " href=\"https://example.org/x y?a=1&b=2\"",
        " href=\"javascript:alert(1)\"",
        " href=\"#frag\"",
        " src=\"https://img.example/a.png\" alt=\"pic\"",
        " span=\"3\"",
        " id=\"dup\"",
        " onclick=\"x()\"",
    ]);
    prop_oneof![
        (tags.clone(), attrs).prop_map(|(t, a)| format!("<{t}{a}>")),
        tags.prop_map(|t| format!("</{t}>")),
        "[a-zA-Z ]{0,12}".prop_map(String::from),
        prop::sample::select(vec![
            "&nbsp;",
            "&amp;",
            "&lt;",
            "&bogus;",
            "&#0;",
            "&#x1F600;",
            "<",
            ">",
            "&",
            "\"",
            "'",
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<?pi x?>",
            "\u{1}",
            "\u{85}",
            "\u{fffe}",
            "Y/N",
            "\n",
            "\r\n",
            "\t",
            "]]>",
            "<p/>",
            "</>",
        ])
        .prop_map(String::from),
        any::<String>(),
    ]
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|pieces| pieces.concat())
}

fn assert_well_formed(xhtml: &str) -> Result<(), TestCaseError> {
    let doc = format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{xhtml}</div>");
    prop_assert!(
        roxmltree::Document::parse(&doc).is_ok(),
        "not well-formed: {}",
        xhtml
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_chapter_html_becomes_well_formed_xhtml(html in soup()) {
        let xhtml = quire_export::xhtml::to_xhtml(&html, &FillProfile::new());
        assert_well_formed(&xhtml)?;
        prop_assert!(!xhtml.contains("<script") && !xhtml.contains("<img"));
    }

    #[test]
    fn filled_chapter_html_stays_well_formed(html in soup(), value in "[<>&\"' a-zA-Z]{1,10}") {
        let mut fill = FillProfile::new();
        prop_assume!(fill.set("Y/N", &value).is_ok());
        let xhtml = quire_export::xhtml::to_xhtml(&html, &fill);
        assert_well_formed(&xhtml)?;
    }

    #[test]
    fn sanitized_html_too(html in soup()) {
        let stored = quire_archive::sanitize::sanitize(&html);
        let xhtml = quire_export::xhtml::to_xhtml(&stored, &FillProfile::new());
        assert_well_formed(&xhtml)?;
    }
}
