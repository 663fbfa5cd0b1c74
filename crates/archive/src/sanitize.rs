//! The HTML authors may use, as AO3 allows it (`../shared/AO3-REFERENCE.md`):
//! formatting stays, anything that runs or reaches out goes.

use std::collections::HashSet;
use std::sync::OnceLock;

use ammonia::Builder;
use ego_tree::NodeRef;

/// The elements chapter text may hold, as AO3 allows them.
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "details",
    "figcaption",
    "figure",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
];

/// What chapter text may embed beside images, as AO3 allows it: audio
/// and video with their sources and text tracks, and frames from the
/// hosts of [`embed_hosts`]. Summaries, notes and comments take none.
pub const MEDIA_ELEMENTS: &[&str] = &["audio", "video", "source", "track", "iframe"];

/// A host name as embed hosts are compared: lower case, without a final
/// dot or a leading `www.`.
fn bare_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(bare) => bare.to_string(),
        None => host,
    }
}

/// The hosts frames may come from unless the operator names others: AO3's
/// list of video, audio and podfic sites. A host stands for itself and
/// its `www.` name.
pub const DEFAULT_EMBED_HOSTS: &[&str] = &[
    "8tracks.com",
    "archive.org",
    "criticalcommons.org",
    "open.spotify.com",
    "player.bilibili.com",
    "player.vimeo.com",
    "podfic.com",
    "soundcloud.com",
    "vidders.net",
    "viddertube.com",
    "vimeo.com",
    "w.soundcloud.com",
    "youtube-nocookie.com",
    "youtube.com",
];

static EMBED_HOSTS: OnceLock<Vec<String>> = OnceLock::new();

/// A list of embed hosts quire can't take.
#[derive(Debug, thiserror::Error)]
pub enum EmbedHostsError {
    #[error("`{0}` is not a host name; give names such as www.youtube.com, separated by commas")]
    NotAHost(String),
    #[error("the embed hosts were already chosen for this process")]
    AlreadyChosen,
}

/// Chooses, once per process and before anything is cleaned, the hosts
/// chapter text may embed frames from (see [`DEFAULT_EMBED_HOSTS`]); an
/// empty list allows none. What is already stored keeps its frames, and
/// pages' Content-Security-Policy lets browsers load only these hosts.
pub fn choose_embed_hosts<I, S>(hosts: I) -> Result<(), EmbedHostsError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut chosen = Vec::new();
    for host in hosts {
        let bare = bare_host(host.as_ref());
        match url::Host::parse(&bare) {
            Ok(url::Host::Domain(_)) if bare.contains('.') => {}
            _ => return Err(EmbedHostsError::NotAHost(host.as_ref().trim().to_string())),
        }
        if !chosen.contains(&bare) {
            chosen.push(bare);
        }
    }
    chosen.sort();
    match EMBED_HOSTS.get() {
        Some(current) if *current == chosen => Ok(()),
        Some(_) => Err(EmbedHostsError::AlreadyChosen),
        None => EMBED_HOSTS
            .set(chosen)
            .map_err(|_| EmbedHostsError::AlreadyChosen),
    }
}

/// The hosts chapter text may embed frames from, each without `www.`.
pub fn embed_hosts() -> &'static [String] {
    EMBED_HOSTS.get_or_init(|| {
        DEFAULT_EMBED_HOSTS
            .iter()
            .map(|host| host.to_string())
            .collect()
    })
}

/// A frame's address as it is kept: on https, from an embed host, with
/// no name or password and the usual port; `None` for anything else.
pub fn embed_address(src: &str) -> Option<String> {
    let src = src.trim();
    let absolute = if src.starts_with("//") {
        format!("https:{src}")
    } else {
        src.to_string()
    };
    let mut address = url::Url::parse(&absolute).ok()?;
    if !matches!(address.scheme(), "http" | "https")
        || !address.username().is_empty()
        || address.password().is_some()
        || address.port().is_some()
    {
        return None;
    }
    let bare = bare_host(address.host_str()?);
    if !embed_hosts().contains(&bare) {
        return None;
    }
    address.set_scheme("https").ok()?;
    Some(address.to_string())
}

/// How an address reaches the web, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WebAddress {
    /// No scheme: relative to the page (`/works/1`, `a.png#top`).
    Relative,
    Http,
    Https,
}

/// `None` for an address with a scheme other than http and https.
fn web_address_kind(value: &str) -> Option<WebAddress> {
    match value.split_once(':') {
        None => Some(WebAddress::Relative),
        Some((scheme, _)) if scheme.contains(['/', '?', '#']) => Some(WebAddress::Relative),
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("https") => Some(WebAddress::Https),
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("http") => Some(WebAddress::Http),
        Some(_) => None,
    }
}

/// A media or image address kept as `https` when it came as `http` or
/// with no scheme (browsers load nothing else into an https page),
/// relative ones as they are; `None` for any other scheme.
fn web_address(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("//") {
        return Some(format!("https://{rest}"));
    }
    match web_address_kind(value)? {
        WebAddress::Relative | WebAddress::Https => Some(value.to_string()),
        WebAddress::Http => value
            .split_once(':')
            .map(|(_, rest)| format!("https:{rest}")),
    }
}

/// What every player and frame carries, whatever the writer gave, in
/// this order: players show their controls; a frame runs its own player
/// but can't reach this page, take it over or open anything but a new
/// tab, and tells its host only which archive it is on (YouTube's player
/// asks for that much).
const FORCED_ATTRIBUTES: &[(&str, &[(&str, &str)])] = &[
    ("audio", &[("controls", "controls")]),
    (
        "video",
        &[("controls", "controls"), ("playsinline", "playsinline")],
    ),
    (
        "iframe",
        &[
            (
                "sandbox",
                "allow-scripts allow-same-origin allow-popups allow-presentation",
            ),
            ("allow", "encrypted-media; fullscreen; picture-in-picture"),
            ("allowfullscreen", "allowfullscreen"),
            ("loading", "lazy"),
            ("referrerpolicy", "strict-origin"),
        ],
    ),
];

fn forced_attributes(element: &str) -> &'static [(&'static str, &'static str)] {
    FORCED_ATTRIBUTES
        .iter()
        .find(|(name, _)| *name == element)
        .map_or(&[], |(_, attributes)| attributes)
}

/// Elements with no content and no end tag, of those cleaned HTML keeps.
pub(crate) const VOID_ELEMENTS: &[&str] = &["br", "hr", "img", "col", "wbr", "source", "track"];

/// Removed together with what they hold, not just unwrapped.
const REMOVED_WITH_CONTENT: &[&str] = &[
    "iframe",
    "math",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "script",
    "style",
    "svg",
    "xmp",
    "title",
    "template",
    "textarea",
    "select",
    "object",
];

/// The rule class names follow (`^[a-zA-Z][\w-]+$`); the EPUB export
/// keeps the same ones.
pub fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() > 1
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Which of AO3's allowlists a field takes: chapter text may hold images;
/// summaries, notes, comments and bookmark notes take the same formatting
/// without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowlist {
    Chapter,
    Formatting,
}

fn builder(allowlist: Allowlist) -> &'static Builder<'static> {
    static CHAPTER: OnceLock<Builder<'static>> = OnceLock::new();
    static FORMATTING: OnceLock<Builder<'static>> = OnceLock::new();
    let (cell, media) = match allowlist {
        Allowlist::Chapter => (&CHAPTER, true),
        Allowlist::Formatting => (&FORMATTING, false),
    };
    cell.get_or_init(|| {
        let mut builder = Builder::empty();
        let mut tags: HashSet<&str> = ALLOWED_ELEMENTS
            .iter()
            .copied()
            .filter(|&element| media || element != "img")
            .collect();
        let mut removed: HashSet<&str> = REMOVED_WITH_CONTENT.iter().copied().collect();
        if media {
            tags.extend(MEDIA_ELEMENTS);
            removed.remove("iframe");
        }
        builder
            .tags(tags)
            .clean_content_tags(removed)
            .generic_attributes(
                ["align", "dir", "lang", "title", "class"]
                    .into_iter()
                    .collect(),
            )
            .tag_attributes(
                [
                    ("a", &["href", "name"][..]),
                    ("blockquote", &["cite"]),
                    ("q", &["cite"]),
                    ("col", &["span", "width"]),
                    ("colgroup", &["span", "width"]),
                    ("details", &["open"]),
                    ("hr", &["align", "width"]),
                    ("img", &["align", "alt", "border", "height", "src", "width"]),
                    (
                        "audio",
                        &["controls", "crossorigin", "loop", "muted", "preload", "src"],
                    ),
                    (
                        "video",
                        &[
                            "controls",
                            "crossorigin",
                            "height",
                            "loop",
                            "muted",
                            "playsinline",
                            "poster",
                            "preload",
                            "src",
                            "width",
                        ],
                    ),
                    ("source", &["src", "type"]),
                    ("track", &["default", "kind", "label", "src", "srclang"]),
                    ("iframe", &["height", "src", "width"]),
                    ("ol", &["start", "type"]),
                    ("ul", &["type"]),
                    ("table", &["border", "summary", "width"]),
                    (
                        "td",
                        &["abbr", "axis", "colspan", "height", "rowspan", "width"],
                    ),
                    (
                        "th",
                        &[
                            "abbr", "axis", "colspan", "height", "rowspan", "scope", "width",
                        ],
                    ),
                ]
                .into_iter()
                .filter(|(tag, _)| media || !MEDIA_ELEMENTS.contains(tag))
                .map(|(tag, attributes)| {
                    let forced = forced_attributes(tag).iter().map(|(name, _)| *name);
                    (
                        tag,
                        attributes
                            .iter()
                            .copied()
                            .chain(forced)
                            .collect::<HashSet<_>>(),
                    )
                })
                .collect(),
            )
            .url_schemes(["http", "https", "ftp", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow"))
            .attribute_filter(|element, attribute, value| {
                if let Some((_, forced)) = forced_attributes(element)
                    .iter()
                    .find(|(name, _)| *name == attribute)
                {
                    Some((*forced).into())
                } else if element == "details" && attribute == "open" {
                    // AO3 writes it so, whatever it was.
                    Some("open".into())
                } else if element == "iframe" && attribute == "src" {
                    embed_address(value).map(Into::into)
                } else if (attribute == "src"
                    && matches!(element, "img" | "audio" | "video" | "source" | "track"))
                    || (element == "video" && attribute == "poster")
                {
                    web_address(value).map(Into::into)
                } else if attribute == "crossorigin" {
                    // Never `use-credentials`: a reader's cookies for
                    // another site are not this archive's to send.
                    Some("anonymous".into())
                } else if attribute == "preload" {
                    let preload = value.trim().to_ascii_lowercase();
                    Some(
                        if preload == "none" {
                            "none"
                        } else {
                            "metadata"
                        }
                        .into(),
                    )
                } else if matches!(attribute, "loop" | "muted" | "default" | "playsinline") {
                    Some(attribute.to_string().into())
                } else if matches!(element, "blockquote" | "q") && attribute == "cite" {
                    // Quotations' sources: the web only (a relative
                    // address stays relative).
                    web_address_kind(value).map(|_| value.into())
                } else if attribute == "class" {
                    let kept: Vec<&str> = value
                        .split_whitespace()
                        .filter(|c| is_class_name(c))
                        .collect();
                    if kept.is_empty() {
                        None
                    } else {
                        Some(kept.join(" ").into())
                    }
                } else {
                    Some(value.into())
                }
            });
        builder
    })
}

/// The deepest elements may nest in stored HTML. Far beyond any story's
/// blockquotes and lists; what reads and converts the HTML later (pages,
/// EPUBs, imports) can then walk it without fear for its stack.
pub const MAX_NESTING: usize = 100;

/// Author HTML with only what AO3 allows, nested at most [`MAX_NESTING`]
/// deep: deeper elements give up their tags and keep their text.
pub fn sanitize(html: &str) -> String {
    sanitize_for(html, Allowlist::Chapter)
}

/// [`sanitize`] with the allowlist of the field the HTML is for.
pub fn sanitize_for(html: &str, allowlist: Allowlist) -> String {
    let html = quire_text::without_controls(html);
    let clean = builder(allowlist)
        .clean(&quire_text::nesting::parseable(&html))
        .to_string();
    let fragment = scraper::Html::parse_fragment(&clean);
    // The fragment's own `<html>` wrapper is one level more.
    if deepest(&fragment) <= MAX_NESTING + 1 && !fragment.tree.nodes().any(is_embed) {
        return clean;
    }
    builder(allowlist).clean(&rewritten(&fragment)).to_string()
}

/// A player or a frame: written again with its forced attributes (see
/// [`rewritten`]).
fn is_embed(node: NodeRef<'_, scraper::Node>) -> bool {
    matches!(node.value(), scraper::Node::Element(element)
        if matches!(element.name(), "audio" | "video" | "iframe"))
}

fn is_addressless_frame(node: NodeRef<'_, scraper::Node>) -> bool {
    matches!(node.value(), scraper::Node::Element(element)
        if element.name() == "iframe" && element.attr("src").is_none())
}

/// HTML as a writer typed it into a field of the posting form (or a
/// comment box): sanitized to the field's allowlist, then its line breaks
/// made paragraphs as AO3 makes them ([`crate::paragraphs`]).
pub fn clean_typed(html: &str, allowlist: Allowlist) -> String {
    crate::paragraphs::paragraphed(&sanitize_for(html, allowlist))
}

/// A chapter's HTML as a writer typed it into the posting form.
pub fn clean_chapter(html: &str) -> String {
    clean_typed(html, Allowlist::Chapter)
}

/// The addresses of the images in cleaned HTML that say nothing of what
/// they show: no `alt` at all. (`alt=""` marks an image as decoration,
/// which a screen reader rightly passes over.)
pub fn images_without_alt(html: &str) -> Vec<String> {
    if !html.contains("<img") {
        return Vec::new();
    }
    let fragment = scraper::Html::parse_fragment(html);
    fragment
        .tree
        .nodes()
        .filter_map(|node| node.value().as_element())
        .filter(|element| element.name() == "img" && element.attr("alt").is_none())
        .map(|element| element.attr("src").unwrap_or("").to_string())
        .collect()
}

/// Embed hosts whose players play sound: a frame from any other host
/// counts as video.
const AUDIO_HOSTS: &[&str] = &[
    "8tracks.com",
    "archive.org",
    "open.spotify.com",
    "podfic.com",
    "soundcloud.com",
    "w.soundcloud.com",
];

/// The media cleaned HTML holds, for the work's types and its picture in
/// listings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaFound {
    /// Images that say what they show (decoration, `alt=""`, isn't art).
    pub images: usize,
    /// The first of them: its address and its words.
    pub first_image: Option<(String, String)>,
    pub audio: bool,
    pub video: bool,
}

impl MediaFound {
    /// What `html` (cleaned) holds, added to what was found before.
    pub fn add(&mut self, html: &str) {
        if !holds_media(html) {
            return;
        }
        let fragment = scraper::Html::parse_fragment(html);
        for element in fragment.tree.nodes().filter_map(|n| n.value().as_element()) {
            match element.name() {
                "img" => {
                    let alt = element.attr("alt").unwrap_or("").trim();
                    let src = element.attr("src").unwrap_or("");
                    if !alt.is_empty() && !src.is_empty() {
                        self.images += 1;
                        if self.first_image.is_none() {
                            self.first_image = Some((src.to_string(), alt.to_string()));
                        }
                    }
                }
                "audio" => self.audio = true,
                "video" => self.video = true,
                "iframe" => {
                    let host = element
                        .attr("src")
                        .and_then(|src| url::Url::parse(src).ok())
                        .and_then(|url| url.host_str().map(bare_host))
                        .unwrap_or_default();
                    if AUDIO_HOSTS.contains(&host.as_str()) {
                        self.audio = true;
                    } else {
                        self.video = true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Does cleaned HTML hold an image, a player or a frame? (Cleaned HTML
/// writes its tags in lower case, and any `<` in text as `&lt;`.)
pub fn holds_media(html: &str) -> bool {
    MEDIA_TAGS.iter().any(|tag| html.contains(tag))
}

/// How an image, a player or a frame begins in cleaned HTML.
pub(crate) const MEDIA_TAGS: &[&str] = &["<img", "<audio", "<video", "<iframe"];

/// How deep a parsed document's elements nest, found without recursing.
pub(crate) fn deepest(document: &scraper::Html) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for edge in document.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) if node.value().is_element() => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ego_tree::iter::Edge::Close(node) if node.value().is_element() => depth -= 1,
            _ => {}
        }
    }
    deepest
}

/// The fragment again, without the tags of elements deeper than
/// [`MAX_NESTING`] (the fragment's own `<html>` wrapper not counted);
/// players and frames with their forced attributes last, in one order; a
/// frame left without an address (its host is not an embed host) gone,
/// and the others emptied of the text a parser keeps inside a frame,
/// which no browser shows.
fn rewritten(fragment: &scraper::Html) -> String {
    use ego_tree::iter::Edge;
    use quire_text::insert::escape_html;
    let mut out = String::new();
    let mut depth = 0usize;
    // While inside a frame (or one that goes), the frame's node.
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in fragment.tree.root().traverse() {
        if let Some(frame) = skipping {
            if let Edge::Close(node) = edge {
                if node.id() == frame {
                    skipping = None;
                    if !is_addressless_frame(node) && (2..=MAX_NESTING + 1).contains(&depth) {
                        out.push_str("</iframe>");
                    }
                    depth -= 1;
                }
            }
            continue;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                scraper::Node::Element(element) => {
                    depth += 1;
                    if element.name() == "iframe" {
                        skipping = Some(node.id());
                        if is_addressless_frame(node) {
                            continue;
                        }
                    }
                    if (2..=MAX_NESTING + 1).contains(&depth) {
                        out.push('<');
                        out.push_str(element.name());
                        let forced = forced_attributes(element.name());
                        for (name, value) in element.attrs() {
                            if forced.iter().all(|(forced, _)| *forced != name) {
                                out.push_str(&format!(" {name}=\"{}\"", escape_html(value)));
                            }
                        }
                        for (name, value) in forced {
                            out.push_str(&format!(" {name}=\"{value}\""));
                        }
                        out.push('>');
                    }
                }
                scraper::Node::Text(text) => out.push_str(&escape_html(text)),
                _ => {}
            },
            Edge::Close(node) => {
                if let scraper::Node::Element(element) = node.value() {
                    if (2..=MAX_NESTING + 1).contains(&depth)
                        && !VOID_ELEMENTS.contains(&element.name())
                    {
                        out.push_str("</");
                        out.push_str(element.name());
                        out.push('>');
                    }
                    depth -= 1;
                }
            }
        }
    }
    out
}

/// The HTML of a manuscript that arrived as plain text: a `<p>` per
/// paragraph, `<br />` for the author's line breaks, `<hr />` for scene
/// breaks. Placeholders stay as written; filling happens when a reader reads.
pub fn html_of(manuscript: &quire_text::Manuscript) -> String {
    let mut html = String::new();
    for (i, paragraph) in manuscript.paragraphs.iter().enumerate() {
        if manuscript.scene_breaks.contains(&i) {
            html.push_str("<hr />\n");
        }
        html.push_str("<p>");
        let lines: Vec<String> = paragraph
            .split('\n')
            .map(quire_text::insert::escape_html)
            .collect();
        html.push_str(&lines.join("<br />"));
        html.push_str("</p>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_stays() {
        let html = "<p class=\"western\" align=\"center\"><em>Soft</em> and <strong>loud</strong></p>\
                    <blockquote><ul><li>one</li></ul></blockquote><table><tbody><tr><td>x</td></tr></tbody></table>";
        assert_eq!(sanitize(html), html);
    }

    /// Each attribute AO3 keeps on its element, and what it drops.
    #[test]
    fn the_attributes_ao3_keeps_stay() {
        let kept = [
            "<table border=\"1\" summary=\"Stats\" width=\"80%\"><tbody><tr><th scope=\"col\" colspan=\"2\" abbr=\"W\">Words</th></tr>\
             <tr><td rowspan=\"2\" colspan=\"2\" axis=\"n\" height=\"20\" width=\"50\">1</td></tr></tbody></table>",
            "<ol start=\"5\" type=\"i\"><li>five</li></ol><ul type=\"square\"><li>x</li></ul>",
            "<blockquote cite=\"https://example.org/source\">q</blockquote><q cite=\"/works/1\">short</q>",
            "<hr align=\"center\" width=\"50%\">",
            "<table><colgroup span=\"2\" width=\"10\"><col span=\"1\" width=\"5\"></colgroup><tbody><tr><td>c</td></tr></tbody></table>",
            "<img src=\"https://example.org/a.png\" alt=\"A\" width=\"10\" height=\"20\" align=\"left\" border=\"0\">",
            "<a href=\"mailto:me@example.org\" rel=\"nofollow\">mail</a><a href=\"ftp://example.org/f\" rel=\"nofollow\">f</a><a name=\"top\" rel=\"nofollow\">top</a>",
        ];
        for html in kept {
            assert_eq!(sanitize(html), html);
        }
        // `open` is written as AO3 writes it.
        assert_eq!(
            sanitize("<details open><summary>More</summary>x</details>"),
            "<details open=\"open\"><summary>More</summary>x</details>"
        );
        // On the wrong element, or pointing off the web, they go.
        for (html, gone) in [
            ("<p start=\"5\" colspan=\"2\">x</p>", "start"),
            ("<td scope=\"row\">x</td>", "scope"),
            ("<img src=\"mailto:me@example.org\" alt=\"a\">", "mailto"),
            ("<img src=\"ftp://example.org/a.png\" alt=\"a\">", "ftp"),
            (
                "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
                "javascript",
            ),
            ("<q cite=\"mailto:me@example.org\">q</q>", "mailto"),
        ] {
            let cleaned = sanitize(html);
            assert!(!cleaned.contains(gone), "{gone} survived: {cleaned}");
        }
    }

    #[test]
    fn what_runs_or_reaches_out_goes() {
        let cleaned = sanitize(
            "<p onclick=\"alert(1)\" style=\"color:red\">Hi<script>alert(1)</script></p>\
             <a href=\"javascript:alert(1)\">x</a><img src=\"data:image/png;base64,AA\" alt=\"a\">\
             <iframe src=\"https://evil.example\">inside</iframe><svg><text>drawn</text></svg>\
             <style>p{}</style><form action=\"/x\"><input></form>",
        );
        for gone in [
            "onclick",
            "style",
            "script",
            "alert",
            "javascript",
            "data:",
            "iframe",
            "inside",
            "drawn",
            "form",
            "input",
        ] {
            assert!(!cleaned.contains(gone), "{gone} survived: {cleaned}");
        }
        assert!(cleaned.contains("<p>Hi</p>"), "{cleaned}");
    }

    const FRAME_ATTRIBUTES: &str = "sandbox=\"allow-scripts allow-same-origin allow-popups allow-presentation\" \
        allow=\"encrypted-media; fullscreen; picture-in-picture\" allowfullscreen=\"allowfullscreen\" \
        loading=\"lazy\" referrerpolicy=\"strict-origin\"";

    #[test]
    fn frames_from_embed_hosts_stay_sandboxed_and_on_https() {
        for (typed, kept) in [
            (
                "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc?si=x\" title=\"YouTube video player\" frameborder=\"0\" allow=\"autoplay; clipboard-write\" referrerpolicy=\"unsafe-url\" allowfullscreen></iframe>",
                "https://www.youtube.com/embed/abc?si=x",
            ),
            (
                "<iframe src=\"http://player.vimeo.com/video/1\"></iframe>",
                "https://player.vimeo.com/video/1",
            ),
            (
                "<iframe src=\"//w.soundcloud.com/player/?url=x\" sandbox=\"allow-top-navigation\" onload=\"alert(1)\">fallback <b>text</b></iframe>",
                "https://w.soundcloud.com/player/?url=x",
            ),
            (
                "<iframe src=\"HTTPS://ARCHIVE.ORG./embed/podfic\"></iframe>",
                "https://archive.org./embed/podfic",
            ),
        ] {
            let cleaned = sanitize(typed);
            assert!(
                cleaned.contains(&format!("src=\"{}\"", kept.replace('&', "&amp;"))),
                "{cleaned}"
            );
            assert!(cleaned.contains(FRAME_ATTRIBUTES), "{cleaned}");
            assert!(cleaned.ends_with("></iframe>"), "{cleaned}");
            for gone in ["autoplay", "unsafe-url", "top-navigation", "onload", "fallback", "frameborder"] {
                assert!(!cleaned.contains(gone), "{gone} survived: {cleaned}");
            }
            assert_eq!(sanitize(&cleaned), cleaned, "cleaning again changes it");
        }
        let kept =
            sanitize("<iframe src=\"https://www.youtube.com/embed/abc\" width=\"560\"></iframe>");
        assert_eq!(
            kept,
            format!("<iframe src=\"https://www.youtube.com/embed/abc\" width=\"560\" {FRAME_ATTRIBUTES}></iframe>")
        );
    }

    #[test]
    fn frames_from_anywhere_else_go_with_what_they_hold() {
        for src in [
            "https://evil.example/embed",
            "https://youtube.com.evil.example/embed",
            "https://evilyoutube.com/embed",
            "https://user:pass@www.youtube.com/embed/x",
            "https://www.youtube.com:8443/embed/x",
            "/works/1",
            "embed/x",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://archive.org/x",
            "",
        ] {
            let cleaned = sanitize(&format!(
                "<p>Before</p><iframe src=\"{src}\">inside <b>it</b></iframe><p>After</p>"
            ));
            assert_eq!(cleaned, "<p>Before</p><p>After</p>", "from {src}");
        }
        // Nor does a frame with no address at all stay.
        assert_eq!(sanitize("<iframe>x</iframe>y"), "y");
    }

    #[test]
    fn audio_and_video_keep_their_sources_and_tracks() {
        let cleaned = sanitize(
            "<audio src=\"http://example.org/ep1.mp3\" preload=\"auto\" crossorigin=\"use-credentials\" onplay=\"alert(1)\" autoplay loop></audio>\
             <video poster=\"javascript:alert(1)\" width=\"640\" muted=\"\"><source src=\"https://example.org/v.webm\" type=\"video/webm\"><source src=\"data:video/mp4;base64,AA\">\
             <track kind=\"captions\" src=\"/captions.vtt\" srclang=\"en\" label=\"English\" default>Your browser shows no video.</video>",
        );
        assert_eq!(
            cleaned,
            "<audio crossorigin=\"anonymous\" loop=\"loop\" preload=\"metadata\" src=\"https://example.org/ep1.mp3\" controls=\"controls\"></audio>\
             <video muted=\"muted\" width=\"640\" controls=\"controls\" playsinline=\"playsinline\"><source src=\"https://example.org/v.webm\" type=\"video/webm\"><source>\
             <track default=\"default\" kind=\"captions\" label=\"English\" src=\"/captions.vtt\" srclang=\"en\">Your browser shows no video.</video>"
        );
        assert_eq!(sanitize(&cleaned), cleaned, "cleaning again changes it");
        assert_eq!(
            clean_chapter(&cleaned),
            clean_chapter(&clean_chapter(&cleaned))
        );
    }

    #[test]
    fn summaries_notes_and_comments_take_no_media() {
        let typed = "<p>Hi <img src=\"https://example.org/a.png\" alt=\"a\"></p>\
            <audio src=\"https://example.org/a.mp3\">fallback</audio>\
            <iframe src=\"https://www.youtube.com/embed/x\">inside</iframe>";
        let cleaned = sanitize_for(typed, Allowlist::Formatting);
        assert_eq!(cleaned, "<p>Hi </p>fallback");
    }

    #[test]
    fn images_without_alt_are_named_and_decorative_ones_are_not() {
        let html = sanitize(
            "<p><img src=\"https://a.example/1.png\" alt=\"A fox\"><img src=\"https://a.example/2.png\">\
             <img src=\"https://a.example/3.png\" alt=\"\"><img></p>",
        );
        assert_eq!(
            images_without_alt(&html),
            vec!["https://a.example/2.png".to_string(), String::new()]
        );
        assert!(images_without_alt("<p>No images.</p>").is_empty());
    }

    #[test]
    fn media_found_names_art_audio_and_video() {
        let mut found = MediaFound::default();
        found.add(&clean_chapter(
            "<p>Words only.</p><img src=\"https://a.example/border.png\" alt=\"\">",
        ));
        assert_eq!(found, MediaFound::default(), "decoration is not art");
        found.add(&clean_chapter(
            "<img src=\"https://a.example/1.png\" alt=\"A fox\"><img src=\"https://a.example/2.png\" alt=\"A hen\">\
             <iframe src=\"https://w.soundcloud.com/player/?url=x\"></iframe>",
        ));
        assert_eq!(found.images, 2);
        assert_eq!(
            found.first_image,
            Some(("https://a.example/1.png".into(), "A fox".into()))
        );
        assert!(found.audio && !found.video);
        found.add(&clean_chapter(
            "<iframe src=\"https://player.vimeo.com/video/1\"></iframe>",
        ));
        assert!(found.video);
        let mut video = MediaFound::default();
        video.add(&clean_chapter(
            "<video src=\"https://v.example/v.mp4\"></video>",
        ));
        assert!(video.video && !video.audio && video.images == 0);
    }

    #[test]
    fn embed_hosts_are_host_names() {
        for bad in [
            "",
            "youtube",
            "https://youtube.com",
            "127.0.0.1",
            "you tube.com",
            "[::1]",
        ] {
            assert!(
                matches!(choose_embed_hosts([bad]), Err(EmbedHostsError::NotAHost(_))),
                "{bad:?} taken"
            );
        }
        assert!(embed_hosts().iter().all(|host| !host.starts_with("www.")));
    }

    #[test]
    fn links_get_nofollow_and_classes_are_checked() {
        let cleaned = sanitize("<a href=\"https://example.org\" target=\"_blank\">x</a><span class=\"ok bad! 9no\">y</span>");
        assert_eq!(
            cleaned,
            "<a href=\"https://example.org\" rel=\"nofollow\">x</a><span class=\"ok\">y</span>"
        );
    }

    #[test]
    fn text_becomes_paragraphs() {
        let manuscript = quire_text::analyze_str("A <b> & \"c\"\nline two\n\n***\n\nY/N left.");
        assert_eq!(
            html_of(&manuscript),
            "<p>A &lt;b&gt; &amp; &quot;c&quot;<br />line two</p>\n<hr />\n<p>Y/N left.</p>\n"
        );
    }

    #[test]
    fn html_nested_past_the_limit_keeps_its_text_but_not_its_depth() {
        // Deeper than is kept, not so deep it isn't parsed.
        let depth = MAX_NESTING * 2;
        let html = format!(
            "<p>Before.</p>{}<em>Deep</em> words{}<p>After.</p>",
            "<blockquote>".repeat(depth),
            "</blockquote>".repeat(depth)
        );
        let cleaned = sanitize(&html);
        assert!(cleaned.contains("Deep") && cleaned.contains("words"));
        assert!(cleaned.starts_with("<p>Before.</p>") && cleaned.ends_with("<p>After.</p>"));
        assert_eq!(cleaned.matches("<blockquote>").count(), MAX_NESTING);
        // Within the limit nothing changes.
        let shallow = format!("{}<p>x</p>{}", "<div>".repeat(20), "</div>".repeat(20));
        assert_eq!(sanitize(&shallow), shallow);
        // Too deep to parse: shown as the text it is, not one element kept.
        let depth = quire_text::nesting::MAX_PARSED_NESTING + 1;
        let html = format!(
            "{}<em>x</em>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let cleaned = sanitize(&html);
        assert!(
            !cleaned.contains("<div") && !cleaned.contains("<em>"),
            "{cleaned}"
        );
        assert!(cleaned.starts_with("&lt;div&gt;&lt;div&gt;"), "{cleaned}");
    }
}
