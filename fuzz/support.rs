//! What every target that produces HTML for readers checks.

/// Fails if the HTML holds anything a browser would run or load from
/// elsewhere on its own: a script-bearing element, an event handler, a
/// link or source whose scheme is not http(s) or a plain relative one, or
/// a frame that is not a sandboxed https one from an embed host.
pub fn assert_inert(html: &str) {
    let fragment = scraper::Html::parse_fragment(html);
    for node in fragment.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name();
        assert!(
            !matches!(
                name,
                "script" | "style" | "object" | "embed" | "base" | "meta" | "link"
                    | "form" | "svg" | "math" | "template" | "frame" | "frameset"
            ),
            "<{name}> kept in: {html}"
        );
        if name == "iframe" {
            let src = element.attr("src").unwrap_or("");
            assert!(
                quire_archive::sanitize::embed_address(src).as_deref() == Some(src)
                    && src.starts_with("https://"),
                "a frame from {src:?} kept in: {html}"
            );
            assert!(
                element.attr("sandbox")
                    == Some("allow-scripts allow-same-origin allow-popups allow-presentation"),
                "a frame without its sandbox kept in: {html}"
            );
            assert!(!node.has_children(), "a frame holding something kept in: {html}");
        }
        for (attribute, value) in element.attrs() {
            assert!(
                !attribute.to_ascii_lowercase().starts_with("on"),
                "{attribute} kept on <{name}> in: {html}"
            );
            assert!(attribute != "style" && attribute != "srcdoc", "{attribute} kept in: {html}");
            if matches!(
                attribute,
                "href" | "src" | "action" | "formaction" | "xlink:href" | "poster"
            ) {
                assert!(
                    matches!(scheme(value).as_deref(), None | Some("http" | "https")),
                    "{attribute}={value:?} kept in: {html}"
                );
            }
        }
    }
}

/// The scheme a browser reads in an address, as the URL standard parses
/// it: leading and trailing controls and spaces dropped, tabs and line
/// breaks removed, then letters, digits, `+`, `-` and `.` before a colon.
/// `None` is a relative address (`h\u{fffd}://x` is one: no scheme).
fn scheme(address: &str) -> Option<String> {
    let cleaned: String = address
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}
