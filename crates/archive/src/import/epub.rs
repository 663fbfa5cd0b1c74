//! EPUB files: a zip whose `META-INF/container.xml` names the package
//! (OPF) file, whose metadata gives the title and creators and whose spine
//! lists the chapters in reading order.
//!
//! An AO3 EPUB (calibre's conversion of the HTML download) is read as the
//! download it came from: its spine documents together carry the preface,
//! the chapters and the afterword. Other EPUBs give one chapter per spine
//! document that holds story text; navigation, cover, contents and bare
//! title pages are left out, and a title page that lists a work's tags (as
//! FanFicFare writes one) gives its tags. Tags on such a title page that
//! quire doesn't know as a rating or archive warning don't stop the import:
//! an unknown rating is dropped (Not Rated), an unknown warning becomes an
//! additional tag, since these pages come from many sites with their own
//! ratings.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::Path;

use scraper::{ElementRef, Html, Node, Selector};
use zip::ZipArchive;

use super::ao3::{self, ChapterParts, Metadata};
use super::{ImportError, Prepared};
use crate::model::{ArchiveWarning, Rating, Warnings};

/// Every zip file starts so; an EPUB is a zip.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The most one file inside the EPUB may unpack to: well above any
/// chapter, well below what a zip bomb would make.
const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// The most all the files read from one EPUB may unpack to together: a
/// bomb of many entries, or a spine naming one big entry many times, stops
/// here.
const MAX_UNPACKED_BYTES: u64 = 128 << 20;

/// Words a title page may hold besides its labelled values (its heading,
/// "Table of Contents" and the like); a first chapter that opens with a
/// header of labelled tags holds its story besides, and stays a chapter.
const TITLE_PAGE_OTHER_WORDS: usize = 40;

/// An EPUB by its zip signature or its `.epub` name.
pub(crate) fn is_epub(path: &Path, bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("epub"))
}

/// Reads an EPUB into a draft; `fallback_title` is used when neither the
/// package nor a title page names the work.
pub(crate) fn read(bytes: &[u8], fallback_title: &str) -> Result<Prepared, ImportError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::NotAnEpub {
        reason: format!("it is not a zip file: {e}"),
    })?;
    let mut budget = MAX_UNPACKED_BYTES;
    let package_path = package_path(&mut archive, &mut budget)?;
    let package_bytes = entry(&mut archive, &package_path, &mut budget)?.ok_or_else(|| {
        ImportError::EpubIncomplete {
            what: format!("package file {package_path}, which META-INF/container.xml names"),
        }
    })?;
    let package = Package::parse(&xml_text(&package_bytes), &package_path)?;

    // Every file is unpacked before any is parsed, so a book over the
    // budget is refused before the costly part.
    let mut unpacked = Vec::new();
    for item in &package.spine {
        if let Some(bytes) = entry(&mut archive, &item.path, &mut budget)? {
            unpacked.push(bytes);
        }
    }
    let mut documents = Vec::new();
    for bytes in unpacked {
        let Ok(decoded) = quire_text::decode::decode(&bytes) else {
            continue;
        };
        documents.push(Document {
            html: Html::parse_document(&quire_text::nesting::parseable(&decoded.text)),
            encoding: decoded.encoding,
        });
    }
    let encoding = documents
        .first()
        .map_or(quire_text::SourceEncoding::Utf8, |d| d.encoding);
    let fallback_title = package.title.as_deref().unwrap_or(fallback_title);

    // An AO3 EPUB: the download's structure, spread over the spine.
    let combined = combine(&documents, fallback_title);
    if ao3::is_download(&combined) {
        let mut prepared = ao3::read_download(&combined, encoding, fallback_title)?;
        if prepared.creators.is_empty() {
            prepared.creators = package.creators;
        }
        if prepared.series.is_none() {
            prepared.series = package.series;
        }
        return Ok(prepared);
    }

    let mut metadata = Metadata::default();
    let mut parts = Vec::new();
    let bare_title_words = title_words(package.title.as_deref(), &package.creators);
    for document in &documents {
        let Some(body) = document.body() else {
            continue;
        };
        let words = words_of(body);
        if words.is_empty() || is_auxiliary(body) || is_contents(body, words.len()) {
            continue;
        }
        if parts.is_empty() {
            let page = ao3::read_metadata(&document.html);
            let unlabelled = words
                .len()
                .saturating_sub(ao3::labelled_words(&document.html));
            if page.known_fields() >= 2 && unlabelled <= TITLE_PAGE_OTHER_WORDS {
                if metadata.known_fields() == 0 {
                    metadata = page;
                }
                continue;
            }
            if words.iter().all(|w| bare_title_words.contains(w)) {
                continue;
            }
        }
        parts.push(chapter_of(body));
    }
    if parts.is_empty() {
        return Err(ImportError::Empty);
    }

    lenient_tags(&mut metadata);
    metadata.title = package.title.clone().or(metadata.title);
    if metadata.creators.is_empty() {
        metadata.creators = package.creators.clone();
    }
    metadata.language = metadata.language.or(package.language.clone());
    metadata.series = metadata.series.or(package.series.clone());
    if metadata.summary.is_empty() {
        if let Some(description) = &package.description {
            let fragment = Html::parse_fragment(&quire_text::nesting::parseable(description));
            metadata.summary = ao3::prose(fragment.root_element());
        }
    }
    ao3::build(metadata, parts, encoding, fallback_title)
}

struct Document {
    html: Html,
    encoding: quire_text::SourceEncoding,
}

impl Document {
    fn body(&self) -> Option<ElementRef<'_>> {
        self.html.select(&selector("body")).next()
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

/// The spine documents' bodies as one HTML document, in reading order.
fn combine(documents: &[Document], title: &str) -> Html {
    let mut html = String::from("<!DOCTYPE html><html><head><title>");
    html.push_str(&escape(title));
    html.push_str("</title></head><body>");
    for document in documents {
        if let Some(body) = document.body() {
            html.push_str(&body.inner_html());
        }
    }
    html.push_str("</body></html>");
    Html::parse_document(&html)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The words of a page, lower-cased.
fn words_of(body: ElementRef) -> Vec<String> {
    body.text()
        .flat_map(quire_text::count::word_tokens)
        .map(str::to_lowercase)
        .collect()
}

/// The words a bare title page holds: the title, the creators, "by" and
/// "and".
fn title_words(title: Option<&str>, creators: &[String]) -> HashSet<String> {
    title
        .into_iter()
        .chain(creators.iter().map(String::as_str))
        .chain(["by", "and"])
        .flat_map(quire_text::count::word_tokens)
        .map(str::to_lowercase)
        .collect()
}

/// FanFicFare's own pages other than chapters (contents, update log) say
/// so in their body class.
fn is_auxiliary(body: ElementRef) -> bool {
    body.value().classes().any(|class| {
        let class = class.to_ascii_lowercase();
        class.starts_with("fff_") && class != "fff_chapter" && class != "fff_titlepage"
    })
}

/// A table of contents: a page whose words are nearly all links to other
/// places in the book.
fn is_contents(body: ElementRef, words: usize) -> bool {
    let links: Vec<ElementRef> = body
        .select(&selector("a[href]"))
        .filter(|a| !a.attr("href").unwrap_or_default().contains("://"))
        .collect();
    let linked: usize = links
        .iter()
        .map(|a| a.text().flat_map(quire_text::count::word_tokens).count())
        .sum();
    links.len() >= 2 && linked * 10 >= words * 7
}

/// A spine document as a chapter: its first heading, when no text comes
/// before it, is the chapter's title and leaves the body.
fn chapter_of(body: ElementRef) -> ChapterParts {
    let mut html = body.inner_html();
    let mut heading = None;
    for node in body.descendants() {
        match node.value() {
            Node::Element(e) if matches!(e.name(), "h1" | "h2" | "h3" | "h4") => {
                if let Some(element) = ElementRef::wrap(node) {
                    let text = element
                        .text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    html = html.replacen(&element.html(), "", 1);
                    heading = Some(quire_text::repair::repair(&text).text);
                }
                break;
            }
            Node::Text(text) if quire_text::count::word_tokens(text).next().is_some() => break,
            _ => {}
        }
    }
    ChapterParts {
        heading,
        body: Some(html),
        ..ChapterParts::default()
    }
}

/// Title-page tags from sites with their own ratings and warnings: what
/// quire knows is kept, an unknown rating is dropped, unknown warnings
/// become additional tags.
fn lenient_tags(metadata: &mut Metadata) {
    if metadata
        .rating
        .as_deref()
        .is_some_and(|r| Rating::from_name(r).is_err())
    {
        metadata.rating = None;
    }
    let (known, unknown): (Vec<String>, Vec<String>) = std::mem::take(&mut metadata.warnings)
        .into_iter()
        .partition(|w| ArchiveWarning::from_name(w).is_ok());
    metadata.freeforms.extend(unknown);
    if Warnings::from_names(known.iter().map(String::as_str)).is_ok() {
        metadata.warnings = known;
    }
}

// ---------------------------------------------------------------------------
// The zip and the package file.

/// One file of the zip, unpacked, counted against `budget` (what the
/// EPUB may still unpack to).
fn entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<Vec<u8>>, ImportError> {
    let name = if archive.index_for_name(name).is_some() {
        name.to_string()
    } else {
        match archive.file_names().find(|n| n.eq_ignore_ascii_case(name)) {
            Some(found) => found.to_string(),
            None => return Ok(None),
        }
    };
    let file = archive.by_name(&name).map_err(|e| ImportError::NotAnEpub {
        reason: format!("{name} can't be unpacked: {e}"),
    })?;
    let limit = MAX_ENTRY_BYTES.min(*budget);
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::NotAnEpub {
            reason: format!("{name} can't be unpacked: {e}"),
        })?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Err(ImportError::NotAnEpub {
            reason: format!("{name} unpacks to more than {} MiB", MAX_ENTRY_BYTES >> 20),
        });
    }
    if bytes.len() as u64 > *budget {
        return Err(ImportError::NotAnEpub {
            reason: format!(
                "its files unpack to more than {} MiB together",
                MAX_UNPACKED_BYTES >> 20
            ),
        });
    }
    *budget -= bytes.len() as u64;
    Ok(Some(bytes))
}

/// The package file's path, from `META-INF/container.xml`.
fn package_path(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    budget: &mut u64,
) -> Result<String, ImportError> {
    let container = entry(archive, "META-INF/container.xml", budget)?.ok_or_else(|| {
        ImportError::EpubIncomplete {
            what: "META-INF/container.xml (the file that says where its contents are)".into(),
        }
    })?;
    let text = xml_text(&container);
    let document = parse_xml(&text, "META-INF/container.xml")?;
    document
        .descendants()
        .filter(|n| n.tag_name().name() == "rootfile")
        .find_map(|n| n.attribute("full-path"))
        .map(|p| p.trim_start_matches('/').to_string())
        .ok_or_else(|| ImportError::EpubIncomplete {
            what: "package file named in META-INF/container.xml".into(),
        })
}

fn xml_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

fn parse_xml<'a>(text: &'a str, name: &str) -> Result<roxmltree::Document<'a>, ImportError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| ImportError::NotAnEpub {
        reason: format!("{name} is not well-formed XML: {e}"),
    })
}

/// What the package file says: metadata, and the spine's documents.
#[derive(Debug, Default)]
struct Package {
    title: Option<String>,
    creators: Vec<String>,
    language: Option<String>,
    description: Option<String>,
    series: Option<(String, u32)>,
    /// Paths inside the zip of the spine's (X)HTML documents, in order.
    spine: Vec<SpineItem>,
}

#[derive(Debug)]
struct SpineItem {
    path: String,
}

impl Package {
    fn parse(text: &str, path: &str) -> Result<Package, ImportError> {
        let document = parse_xml(text, path)?;
        let base = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut package = Package::default();
        let elements = || document.descendants().filter(|n| n.is_element());
        let text_of = |n: roxmltree::Node| {
            n.text()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };

        // EPUB 3 gives roles and series positions in `meta refines`.
        let mut refinements: HashMap<(String, String), String> = HashMap::new();
        for meta in elements().filter(|n| n.tag_name().name() == "meta") {
            if let (Some(target), Some(property)) =
                (meta.attribute("refines"), meta.attribute("property"))
            {
                refinements.insert(
                    (
                        target.trim_start_matches('#').to_string(),
                        property.to_string(),
                    ),
                    text_of(meta),
                );
            }
        }
        let refined = |node: roxmltree::Node, property: &str| {
            node.attribute("id")
                .and_then(|id| refinements.get(&(id.to_string(), property.to_string())))
                .cloned()
        };

        let mut calibre_series: Option<String> = None;
        let mut calibre_index: Option<u32> = None;
        for node in elements() {
            match node.tag_name().name() {
                "title" if package.title.is_none() => {
                    package.title = Some(text_of(node)).filter(|t| !t.is_empty());
                }
                "creator" => {
                    let role = node
                        .attributes()
                        .find(|a| a.name() == "role")
                        .map(|a| a.value().to_string())
                        .or_else(|| refined(node, "role"));
                    let name = text_of(node);
                    if !name.is_empty()
                        && role.is_none_or(|r| r.eq_ignore_ascii_case("aut"))
                        && !package.creators.contains(&name)
                    {
                        package.creators.push(name);
                    }
                }
                "language" if package.language.is_none() => {
                    package.language = Some(text_of(node)).filter(|t| !t.is_empty());
                }
                "description" if package.description.is_none() => {
                    package.description = node.text().map(str::to_string);
                }
                "meta" => match (node.attribute("name"), node.attribute("content")) {
                    (Some("calibre:series"), Some(name)) => {
                        calibre_series = Some(name.trim().to_string())
                    }
                    (Some("calibre:series_index"), Some(index)) => {
                        calibre_index = part_number(index)
                    }
                    _ => {
                        if node.attribute("property") == Some("belongs-to-collection")
                            && package.series.is_none()
                        {
                            if let Some(part) =
                                refined(node, "group-position").and_then(|p| part_number(&p))
                            {
                                package.series = Some((text_of(node), part));
                            }
                        }
                    }
                },
                _ => {}
            }
        }
        if let (Some(name), Some(part)) = (calibre_series, calibre_index) {
            if !name.is_empty() {
                package.series = Some((name, part));
            }
        }

        let mut manifest: HashMap<&str, (&str, &str, &str)> = HashMap::new();
        for item in elements().filter(|n| n.tag_name().name() == "item") {
            if let (Some(id), Some(href)) = (item.attribute("id"), item.attribute("href")) {
                manifest.insert(
                    id,
                    (
                        href,
                        item.attribute("media-type").unwrap_or_default(),
                        item.attribute("properties").unwrap_or_default(),
                    ),
                );
            }
        }
        for itemref in elements().filter(|n| n.tag_name().name() == "itemref") {
            let Some(&(href, media_type, properties)) =
                itemref.attribute("idref").and_then(|id| manifest.get(id))
            else {
                continue;
            };
            let is_page = media_type.contains("html")
                || [".xhtml", ".html", ".htm"]
                    .iter()
                    .any(|ext| href.to_ascii_lowercase().ends_with(ext));
            if !is_page || properties.split_whitespace().any(|p| p == "nav") {
                continue;
            }
            package.spine.push(SpineItem {
                path: resolve(base, href),
            });
        }
        if package.spine.is_empty() {
            return Err(ImportError::EpubIncomplete {
                what: format!("chapters listed in the spine of {path}"),
            });
        }
        Ok(package)
    }
}

/// `2`, `2.0` → 2.
fn part_number(text: &str) -> Option<u32> {
    let value: f64 = text.trim().parse().ok()?;
    (value >= 0.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0).then_some(value as u32)
}

/// An `href` from the package file as a path inside the zip: relative to
/// the package's folder, percent-decoded, without its fragment.
fn resolve(base: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or_default();
    let decoded = percent_decode(href);
    let mut parts: Vec<&str> = if decoded.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = [bytes[i + 1], bytes[i + 2]];
            if let Some(byte) = std::str::from_utf8(&hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;

    use super::*;
    use crate::model::Category;

    const CURRENT: &str = include_str!("../../tests/data/ao3-current.html");

    /// An EPUB made here and now: `mimetype` first and stored, the rest
    /// deflated.
    fn epub(files: &[(&str, &str)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        writer.start_file("mimetype", stored).unwrap();
        writer.write_all(b"application/epub+zip").unwrap();
        for (name, text) in files {
            writer.start_file(*name, deflated).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"#;

    fn xhtml(title: &str, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">\n\
             <head><title>{title}</title><link rel=\"stylesheet\" href=\"../style.css\"/></head>\n\
             {body}\n</html>"
        )
    }

    fn prepare(bytes: &[u8]) -> Result<Prepared, ImportError> {
        super::super::prepare(Path::new("/books/some_book.epub"), bytes)
    }

    /// Every word of `html` is in `body`, read by the lossless oracle.
    fn assert_kept(body: &quire_text::Manuscript, html: &str) {
        assert_eq!(body.format, quire_text::SourceFormat::Html);
        if let Err(lost) = quire_text::lossless::check(body, &quire_text::repair::repair(html).text)
        {
            panic!("{lost}");
        }
    }

    const CHAPTER_ONE: &str = "<p>The ferry came in crooked, the way it always did when Aunt Odile was at the wheel.</p>\
        <p>Lise counted the crates on the dock: nine, then ten, then nine again when a gull sat on one.</p>\
        <hr/><p>By dark the crates were in the barn and the <em>argument</em> about them had only started.</p>";
    const CHAPTER_TWO: &str = "<p>Nobody slept the second night.<br/>The wind saw to that.</p>\
        <p>In the morning the barn door was open and one crate was missing, and Lise, for once, said nothing at all.</p>";

    fn generic_book() -> Vec<u8> {
        let opf = r##"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="uid">urn:uuid:00000000-0000-4000-8000-000000000001</dc:identifier>
    <dc:title>  The Barn   Crates </dc:title>
    <dc:creator id="a1">Céleste Marin</dc:creator>
    <meta refines="#a1" property="role" scheme="marc:relators">aut</meta>
    <dc:creator opf:role="aut">Jo Park</dc:creator>
    <dc:creator id="e1">An Editor</dc:creator>
    <meta refines="#e1" property="role" scheme="marc:relators">edt</meta>
    <dc:language>fr</dc:language>
    <dc:description>&lt;p&gt;Two cousins, one ferry, &lt;b&gt;ten&lt;/b&gt; crates.&lt;/p&gt;&lt;p&gt;Or nine.&lt;/p&gt;</dc:description>
    <meta name="calibre:series" content="Island Summers"/>
    <meta name="calibre:series_index" content="3.0"/>
  </metadata>
  <manifest>
    <item id="cover" href="Text/cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="cover-image" href="Images/cover.jpg" media-type="image/jpeg" properties="cover-image"/>
    <item id="title" href="Text/title.xhtml" media-type="application/xhtml+xml"/>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="contents" href="Text/contents.xhtml" media-type="application/xhtml+xml"/>
    <item id="c1" href="Text/chapter%201.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="Text/../Text/chapter2.xhtml#start" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine>
    <itemref idref="cover" linear="no"/>
    <itemref idref="title"/>
    <itemref idref="nav"/>
    <itemref idref="contents"/>
    <itemref idref="c1"/>
    <itemref idref="c2"/>
  </spine>
</package>"##;
        epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf),
            (
                "OEBPS/Text/cover.xhtml",
                &xhtml("Cover", "<body><div><img src=\"../Images/cover.jpg\" alt=\"\"/></div></body>"),
            ),
            (
                "OEBPS/Text/title.xhtml",
                &xhtml(
                    "The Barn Crates",
                    "<body><h1>The Barn Crates</h1><p>by Céleste Marin and Jo Park</p></body>",
                ),
            ),
            (
                "OEBPS/nav.xhtml",
                &xhtml(
                    "Contents",
                    "<body><nav epub:type=\"toc\"><ol><li><a href=\"Text/chapter%201.xhtml\">Chapter 1: Arrival</a></li></ol></nav></body>",
                ),
            ),
            (
                "OEBPS/Text/contents.xhtml",
                &xhtml(
                    "Contents",
                    "<body><h2>Contents</h2><p><a href=\"chapter%201.xhtml\">Chapter 1: Arrival</a></p>\
                     <p><a href=\"chapter2.xhtml\">The Second Night</a></p></body>",
                ),
            ),
            (
                "OEBPS/Text/chapter 1.xhtml",
                &xhtml(
                    "Chapter 1",
                    &format!("<body><section><h1>Chapter 1: Arrival</h1>{CHAPTER_ONE}</section></body>"),
                ),
            ),
            (
                "OEBPS/Text/chapter2.xhtml",
                &xhtml(
                    "Chapter 2",
                    &format!("<body><h2 id=\"start\">The Second Night</h2>{CHAPTER_TWO}</body>"),
                ),
            ),
            ("OEBPS/style.css", "p { margin: 0; }"),
        ])
    }

    #[test]
    fn an_epub_gives_its_metadata_and_its_chapters_in_spine_order() {
        let prepared = prepare(&generic_book()).unwrap();
        let draft = &prepared.draft;
        assert_eq!(draft.title, "The Barn Crates");
        assert_eq!(
            prepared.creators,
            vec!["Céleste Marin", "Jo Park"],
            "not the editor"
        );
        assert_eq!(draft.language, "fr");
        assert_eq!(
            draft.summary.text(),
            "Two cousins, one ferry, ten crates.\n\nOr nine."
        );
        assert_eq!(prepared.series, Some(("Island Summers".into(), 3)));
        assert_eq!(draft.rating, Rating::NotRated);
        assert_eq!(draft.warnings, Warnings::chose_not_to_use());
        assert_eq!(draft.fandoms, vec![super::super::UNSPECIFIED_FANDOM]);
        assert!(draft.complete);
        assert_eq!(draft.expected_chapters, Some(2));
        assert_eq!(prepared.content_hash.len(), 64);

        let titles: Vec<&str> = draft.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Arrival", "The Second Night"],
            "cover, title page, nav and contents left out"
        );
        assert_kept(&draft.chapters[0].body, CHAPTER_ONE);
        assert_eq!(draft.chapters[0].body.scene_breaks, vec![2]);
        assert_kept(&draft.chapters[1].body, CHAPTER_TWO);
        assert_eq!(
            draft.chapters[1].body.paragraphs[0],
            "Nobody slept the second night.\nThe wind saw to that."
        );
    }

    #[test]
    fn a_fanficfare_title_page_gives_the_tags() {
        let opf = r##"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="fanficfare-uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="fanficfare-uid">made-up-uid</dc:identifier>
    <dc:title id="id">Lamplight Letters</dc:title>
    <dc:creator opf:role="aut">saltmarsh_ink</dc:creator>
    <dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="title_page" href="OEBPS/title_page.xhtml" media-type="application/xhtml+xml"/>
    <item id="toc_page" href="OEBPS/toc_page.xhtml" media-type="application/xhtml+xml"/>
    <item id="log_page" href="OEBPS/log_page.xhtml" media-type="application/xhtml+xml"/>
    <item id="file0001" href="OEBPS/file0001.xhtml" media-type="application/xhtml+xml"/>
    <item id="file0002" href="OEBPS/file0002.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="title_page"/>
    <itemref idref="toc_page"/>
    <itemref idref="log_page"/>
    <itemref idref="file0001"/>
    <itemref idref="file0002"/>
  </spine>
</package>"##;
        let container = CONTAINER.replace("OEBPS/content.opf", "content.opf");
        let title_page = "<body class=\"fff_titlepage\">\n\
            <h3><a href=\"https://archiveofourown.org/works/99999905\">Lamplight Letters</a> by <a class=\"authorlink\" href=\"https://archiveofourown.org/users/saltmarsh_ink\">saltmarsh_ink</a></h3>\n<div>\n\
            <b>Category:</b> Lanternfall (Video Game)<br />\n\
            <b>Genre:</b> F/F, Epistolary, Found Family<br />\n\
            <b>Language:</b> English<br />\n\
            <b>Characters:</b> Marit Quell, Ysolde Varr<br />\n\
            <b>Relationships:</b> Ysolde/Marit Quell<br />\n\
            <b>Series:</b> <a href=\"https://archiveofourown.org/series/9999901\">Charts of the Brass Coast [3]</a><br />\n\
            <b>Status:</b> In-Progress<br />\n\
            <b>Published:</b> 2025-01-04<br />\n\
            <b>Updated:</b> 2025-02-20<br />\n\
            <b>Rating:</b> Mature<br />\n\
            <b>Warnings:</b> No Archive Warnings Apply<br />\n\
            <b>Chapters:</b> 2<br />\n\
            <b>Words:</b> 2,345<br />\n\
            <b>Freeform Tags:</b> Epistolary, Letters<br />\n\
            <b>Summary:</b> Letters written at night, sent in the morning, answered never.<br />\n\
            </div>\n</body>";
        let toc_page = "<body class=\"fff_tocpage\"><div><h3>Table of Contents</h3>\
            <a href=\"file0001.xhtml\">First Letter</a><br/><a href=\"file0002.xhtml\">Second Letter</a><br/></div></body>";
        let log_page = "<body class=\"fff_logpage\"><h3>Update Log</h3><p class='log_entry'>\
            <b>Chapters:</b> <span id=\"numChapters\">2</span> <b>Words:</b> <span id=\"numWords\">2,345</span></p></body>";
        let letter_one =
            "<p>Dear nobody,</p><p>The oil is low again and the sea is loud.</p><p>Yours, M.</p>";
        let letter_two =
            "<p>Dear nobody,</p><p>Someone knocked tonight. I let her in.</p><p>Yours, M.</p>";
        let book = epub(&[
            ("META-INF/container.xml", &container),
            ("content.opf", opf),
            ("OEBPS/title_page.xhtml", &xhtml("Lamplight Letters by saltmarsh_ink", title_page)),
            ("OEBPS/toc_page.xhtml", &xhtml("Lamplight Letters", toc_page)),
            ("OEBPS/log_page.xhtml", &xhtml("Update Log", log_page)),
            (
                "OEBPS/file0001.xhtml",
                &xhtml("First Letter", &format!("<body class=\"fff_chapter\">\n<h3 class=\"fff_chapter_title\">First Letter</h3>\n{letter_one}</body>")),
            ),
            (
                "OEBPS/file0002.xhtml",
                &xhtml("Second Letter", &format!("<body class=\"fff_chapter\">\n<h3 class=\"fff_chapter_title\">Second Letter</h3>\n{letter_two}</body>")),
            ),
        ]);
        let prepared = prepare(&book).unwrap();
        let draft = &prepared.draft;
        assert_eq!(draft.title, "Lamplight Letters");
        assert_eq!(prepared.creators, vec!["saltmarsh_ink"]);
        assert_eq!(draft.rating, Rating::Mature);
        assert_eq!(
            draft.warnings,
            Warnings::from_names(["No Archive Warnings Apply"]).unwrap()
        );
        assert_eq!(draft.categories, BTreeSet::from([Category::FemaleFemale]));
        assert_eq!(draft.fandoms, vec!["Lanternfall (Video Game)"]);
        assert_eq!(draft.relationships, vec!["Ysolde/Marit Quell"]);
        assert_eq!(draft.characters, vec!["Marit Quell", "Ysolde Varr"]);
        assert_eq!(
            draft.freeforms,
            vec!["Epistolary", "Found Family", "Letters"]
        );
        assert_eq!(draft.language, "en");
        assert_eq!(
            prepared.series,
            Some(("Charts of the Brass Coast".into(), 3))
        );
        assert_eq!(prepared.published.as_deref(), Some("2025-01-04"));
        assert_eq!(prepared.updated.as_deref(), Some("2025-02-20"));
        assert_eq!(
            draft.summary.text(),
            "Letters written at night, sent in the morning, answered never."
        );
        assert!(!draft.complete, "Status: In-Progress");
        assert_eq!(draft.expected_chapters, None);
        let titles: Vec<&str> = draft.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, vec!["First Letter", "Second Letter"]);
        assert_kept(&draft.chapters[0].body, letter_one);
        assert_kept(&draft.chapters[1].body, letter_two);
    }

    #[test]
    fn a_first_chapter_that_opens_with_tags_stays_a_chapter() {
        let opf = r##"<package><metadata><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Gulls</dc:title></metadata>
  <manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>
  <spine><itemref idref="c1"/></spine></package>"##;
        let chapter = "<p><b>Rating:</b> Mature<br/><b>Warnings:</b> None<br/><b>Pairing:</b> Gull/Wind</p>\
            <p>The gulls came back in March, as they always did, loud and hungry and sure of their welcome.</p>\
            <p>Nobody on the island had the heart to tell them otherwise, though the baker tried every spring.</p>\
            <p>This year he put out bread instead, and the gulls, astonished, were quiet for nearly a minute.</p>";
        let book = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", opf),
            (
                "OEBPS/c1.xhtml",
                &xhtml("Gulls", &format!("<body>{chapter}</body>")),
            ),
        ]);
        let prepared = prepare(&book).unwrap();
        assert_eq!(prepared.draft.title, "Gulls");
        assert_eq!(prepared.draft.chapters.len(), 1);
        assert_kept(&prepared.draft.chapters[0].body, chapter);
    }

    #[test]
    fn other_sites_ratings_do_not_stop_an_import() {
        let mut metadata = Metadata {
            rating: Some("Fiction T".into()),
            warnings: vec!["Violence".into(), "Major Character Death".into()],
            ..Metadata::default()
        };
        lenient_tags(&mut metadata);
        assert_eq!(metadata.rating, None);
        assert_eq!(metadata.warnings, vec!["Major Character Death"]);
        assert_eq!(metadata.freeforms, vec!["Violence"]);
    }

    /// An AO3 EPUB as calibre makes it from the download: the same
    /// preface, chapters and afterword, split over several XHTML files.
    #[test]
    fn an_ao3_epub_reads_as_its_download() {
        let body = CURRENT
            .split("<body>")
            .nth(1)
            .unwrap()
            .split("</body>")
            .next()
            .unwrap();
        let (preface, rest) = body.split_once("<div id=\"chapters\"").unwrap();
        let (chapters, afterword) = rest.split_once("<div id=\"afterword\">").unwrap();
        let chapters = format!("<div id=\"chapters\"{chapters}");
        // calibre splits long files, repeating the enclosing `#chapters`.
        let (first, second) = chapters
            .split_once("<div class=\"meta group\">\n    <h2 class=\"heading\">Chapter 2")
            .unwrap();
        let first = format!("{first}</div>");
        let second = format!(
            "<div id=\"chapters\" class=\"userstuff\"><div class=\"meta group\">\n    <h2 class=\"heading\">Chapter 2{second}"
        );
        let afterword = format!("<div id=\"afterword\">{afterword}");
        let opf = r##"<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="uuid_id" version="2.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>The Cartographer's Lantern</dc:title>
    <dc:creator opf:role="aut">saltmarsh_ink</dc:creator>
    <dc:creator opf:role="aut">Pell (pellucid)</dc:creator>
    <dc:language>en</dc:language>
    <dc:subject>Lanternfall (Video Game)</dc:subject>
  </metadata>
  <manifest>
    <item href="titlepage.xhtml" id="titlepage" media-type="application/xhtml+xml"/>
    <item href="part_split_000.xhtml" id="html1" media-type="application/xhtml+xml"/>
    <item href="part_split_001.xhtml" id="html2" media-type="application/xhtml+xml"/>
    <item href="part_split_002.xhtml" id="html3" media-type="application/xhtml+xml"/>
    <item href="part_split_003.xhtml" id="html4" media-type="application/xhtml+xml"/>
    <item href="toc.ncx" id="ncx" media-type="application/x-dtbncx+xml"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="titlepage"/>
    <itemref idref="html1"/>
    <itemref idref="html2"/>
    <itemref idref="html3"/>
    <itemref idref="html4"/>
  </spine>
</package>"##;
        let wrap = |part: &str| {
            xhtml(
                "The Cartographer's Lantern",
                &format!("<body class=\"calibre\">{part}</body>"),
            )
        };
        let book = epub(&[
            (
                "META-INF/container.xml",
                &CONTAINER.replace("OEBPS/content.opf", "content.opf"),
            ),
            ("content.opf", opf),
            (
                "titlepage.xhtml",
                &wrap("<div class=\"calibre1\"><img src=\"cover.jpeg\" alt=\"\"/></div>"),
            ),
            ("part_split_000.xhtml", &wrap(preface)),
            ("part_split_001.xhtml", &wrap(&first)),
            ("part_split_002.xhtml", &wrap(&second)),
            ("part_split_003.xhtml", &wrap(&afterword)),
            ("toc.ncx", "<ncx/>"),
        ]);
        let from_epub = prepare(&book).unwrap();
        let from_html = super::super::prepare(Path::new("work.html"), CURRENT.as_bytes()).unwrap();
        assert_eq!(from_epub.draft, from_html.draft);
        assert_eq!(from_epub.creators, from_html.creators);
        assert_eq!(from_epub.series, from_html.series);
        assert_eq!(from_epub.published, from_html.published);
        assert_eq!(from_epub.updated, from_html.updated);
        assert_eq!(from_epub.draft.chapters.len(), 3);
    }

    /// An EPUB as quire exported it before its chapters sat in a
    /// `#chapters` block: a preface page (tags, stats, a summary and notes
    /// well past forty words), one page a chapter, and an afterword with
    /// the end notes. Books like it are out there and must read back.
    fn quire_book() -> Vec<u8> {
        macro_rules! file {
            ($name:literal) => {
                (
                    $name,
                    include_str!(concat!("../../tests/data/quire-epub/", $name)),
                )
            };
        }
        epub(&[
            file!("META-INF/container.xml"),
            file!("EPUB/content.opf"),
            file!("EPUB/cover.xhtml"),
            file!("EPUB/preface.xhtml"),
            file!("EPUB/chapter-001.xhtml"),
            file!("EPUB/chapter-002.xhtml"),
            file!("EPUB/chapter-003.xhtml"),
            file!("EPUB/afterword.xhtml"),
        ])
    }

    #[test]
    fn a_quire_epub_with_a_long_preface_keeps_its_tags() {
        let preface = include_str!("../../tests/data/quire-epub/EPUB/preface.xhtml");
        let page = Html::parse_document(preface);
        let words = words_of(page.select(&selector("body")).next().unwrap()).len();
        let unlabelled = words - ao3::labelled_words(&page);
        assert!(
            unlabelled > 2 * TITLE_PAGE_OTHER_WORDS,
            "the preface holds {unlabelled} words besides its tags"
        );
        let prepared = prepare(&quire_book()).unwrap();
        let draft = &prepared.draft;
        assert_eq!(draft.title, "The Long Way Home");
        assert_eq!(
            prepared.creators,
            vec!["Reylo Writer", "Co Author", "Zoë Third"]
        );
        assert_eq!(draft.rating, Rating::Mature);
        assert_eq!(
            draft.warnings,
            Warnings::new([
                ArchiveWarning::GraphicViolence,
                ArchiveWarning::MajorCharacterDeath
            ])
            .unwrap()
        );
        assert_eq!(
            draft.categories,
            BTreeSet::from([Category::FemaleMale, Category::Gen, Category::Multi])
        );
        assert_eq!(
            draft.fandoms,
            vec!["Star Wars - All Media Types", "Star Wars Sequel Trilogy"]
        );
        assert_eq!(
            draft.relationships,
            vec!["Kylo Ren/Rey", "Finn & Poe Dameron"]
        );
        assert_eq!(draft.characters, vec!["Rey (Star Wars)", "Ben Solo", "Zoë"]);
        assert_eq!(draft.freeforms.len(), 10);
        assert_eq!(
            draft.freeforms[..3],
            ["Slow Burn", "Angst with a Happy Ending", "Hurt/Comfort"]
        );
        assert_eq!(draft.freeforms[9], "Fix-It");
        assert_eq!(prepared.series, Some(("The Long Way".to_string(), 2)));
        assert_eq!(
            draft.summary.text(),
            "Two people, one ship, and a war that will not end on its own. Rey flies; Ben mends \
             what he broke, slowly, badly, and then a little better.\n\n\
             A story about the long way round, told in three parts, with a fourth promised and \
             not yet written."
        );
        assert_eq!(draft.notes_start.text(), "Written for the exchange.");
    }

    #[test]
    fn a_quire_epubs_preface_and_end_notes_are_not_chapters() {
        let prepared = prepare(&quire_book()).unwrap();
        let draft = &prepared.draft;
        let titles: Vec<&str> = draft.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, vec!["Ashes & <Embers>", "", "Landfall"]);
        let [one, two, three] = &draft.chapters[..] else {
            panic!("three chapters")
        };
        assert_eq!(one.summary.text(), "Where it starts.\n\nA second line.");
        assert_eq!(one.notes_start.text(), "Beta'd by a friend <3");
        assert_eq!(one.notes_end.text(), "More soon & thank you.");
        assert_eq!(
            one.body.paragraphs,
            vec![
                "She waited.",
                "He came, \"late\" as ever.",
                "The end of the beginning."
            ]
        );
        assert_eq!(
            (
                two.summary.text().as_str(),
                two.notes_start.text().as_str(),
                two.notes_end.text().as_str()
            ),
            ("", "", "")
        );
        assert_eq!(three.notes_start.text(), "Nearly there.");
        assert_eq!(
            draft.notes_end.text(),
            "Thank you for reading!\nFind me elsewhere."
        );
        assert!(
            draft
                .chapters
                .iter()
                .all(|c| c.summary != draft.summary && !c.body.words().contains(&"Published")),
            "the preface is nobody's chapter"
        );
    }

    #[test]
    fn a_quire_epub_keeps_an_unknown_chapter_count() {
        let draft = prepare(&quire_book()).unwrap().draft;
        assert!(!draft.complete, "Chapters: 3/?");
        assert_eq!(draft.expected_chapters, None);
        assert_eq!(draft.chapters.len(), 3);
    }

    #[test]
    fn broken_epubs_say_what_is_wrong() {
        let err = prepare(b"this is not a zip at all").unwrap_err();
        assert!(matches!(err, ImportError::NotAnEpub { .. }));
        let message = err.to_string();
        assert!(message.contains("not a zip file"), "{message}");
        assert!(message.contains("save it again"), "{message}");

        let err = prepare(&epub(&[("OEBPS/content.opf", "<package/>")])).unwrap_err();
        assert!(matches!(err, ImportError::EpubIncomplete { .. }));
        assert!(err.to_string().contains("META-INF/container.xml"), "{err}");

        let err = prepare(&epub(&[("META-INF/container.xml", CONTAINER)])).unwrap_err();
        assert!(
            err.to_string().contains("package file OEBPS/content.opf"),
            "{err}"
        );

        let err = prepare(&epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", "<package><metadata>"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("not well-formed XML"), "{err}");

        let empty_spine = "<package><metadata/><manifest/><spine/></package>";
        let err = prepare(&epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", empty_spine),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("spine"), "{err}");

        // A zip by its signature is read as an EPUB whatever its name.
        let err = super::super::prepare(Path::new("story.txt"), &epub(&[])).unwrap_err();
        assert!(matches!(err, ImportError::EpubIncomplete { .. }), "{err}");
    }

    #[test]
    fn hrefs_resolve_inside_the_zip() {
        assert_eq!(
            resolve("OEBPS", "Text/chapter%201.xhtml#x"),
            "OEBPS/Text/chapter 1.xhtml"
        );
        assert_eq!(
            resolve("OEBPS/Text", "../Images/a.jpg"),
            "OEBPS/Images/a.jpg"
        );
        assert_eq!(resolve("", "./a.xhtml"), "a.xhtml");
        assert_eq!(resolve("OEBPS", "%C3%A9t%C3%A9.xhtml"), "OEBPS/été.xhtml");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    /// A package whose spine reads these files in order.
    fn package(hrefs: &[&str]) -> String {
        let items: String = hrefs
            .iter()
            .enumerate()
            .map(|(i, href)| {
                format!("<item id=\"i{i}\" href=\"{href}\" media-type=\"application/xhtml+xml\"/>")
            })
            .collect();
        let spine: String = (0..hrefs.len())
            .map(|i| format!("<itemref idref=\"i{i}\"/>"))
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">\
             <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Hostile</dc:title></metadata>\
             <manifest>{items}</manifest><spine>{spine}</spine></package>"
        )
    }

    fn refusal(bytes: &[u8]) -> String {
        match prepare(bytes) {
            Ok(prepared) => panic!("taken: {:?}", prepared.draft.title),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn a_spine_naming_one_big_file_again_and_again_stops_at_the_budget() {
        // About 8 KB of zip that would unpack to 40 x 8 MiB = 320 MiB.
        let page = xhtml(
            "Big",
            &format!("<body><p>{}</p></body>", "a ".repeat(4 << 20)),
        );
        let book = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", &package(&["big.xhtml"; 40])),
            ("OEBPS/big.xhtml", &page),
        ]);
        assert!(book.len() < 64 * 1024, "{} bytes", book.len());
        let said = refusal(&book);
        assert!(said.contains("more than 128 MiB together"), "{said}");
    }

    #[test]
    fn one_file_unpacking_past_the_entry_limit_is_refused() {
        let page = format!("<p>{}</p>", "z".repeat(65 << 20));
        let book = epub(&[
            ("META-INF/container.xml", CONTAINER),
            ("OEBPS/content.opf", &package(&["huge.xhtml"])),
            ("OEBPS/huge.xhtml", &page),
        ]);
        let said = refusal(&book);
        assert!(
            said.contains("huge.xhtml unpacks to more than 64 MiB"),
            "{said}"
        );
    }

    #[test]
    fn paths_that_climb_out_of_the_book_name_nothing_outside_it() {
        let book = epub(&[
            ("META-INF/container.xml", CONTAINER),
            (
                "OEBPS/content.opf",
                &package(&[
                    "../../../../../../etc/passwd",
                    "/etc/hostname",
                    "chapter.xhtml",
                ]),
            ),
            (
                "OEBPS/chapter.xhtml",
                &xhtml(
                    "One",
                    "<body><p>The only chapter that is really here.</p></body>",
                ),
            ),
        ]);
        let prepared = prepare(&book).unwrap();
        let text: Vec<String> = prepared
            .draft
            .chapters
            .iter()
            .flat_map(|c| c.body.paragraphs.clone())
            .collect();
        assert_eq!(
            text,
            vec!["The only chapter that is really here.".to_string()]
        );
    }

    #[test]
    fn a_billion_laughs_package_is_refused_not_expanded() {
        let mut entities = String::from("<!ENTITY lol \"lol\">");
        for level in 1..=9 {
            let previous = if level == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", level - 1)
            };
            entities.push_str(&format!(
                "<!ENTITY lol{level} \"{}\">",
                format!("&{previous};").repeat(10)
            ));
        }
        // A whole book but for the entities: the same package with a plain
        // title is taken, so only the entities can be what refuses it.
        let package = |doctype: &str, title: &str| {
            format!(
                "<?xml version=\"1.0\"?>\n{doctype}\
                 <package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">\
                 <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{title}</dc:title></metadata>\
                 <manifest><item id=\"c1\" href=\"one.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>\
                 <spine><itemref idref=\"c1\"/></spine></package>"
            )
        };
        let chapter = xhtml("One", &format!("<body>{CHAPTER_ONE}</body>"));
        let book = |opf: &str| {
            epub(&[
                ("META-INF/container.xml", CONTAINER),
                ("OEBPS/content.opf", opf),
                ("OEBPS/one.xhtml", &chapter),
            ])
        };
        let plain =
            prepare(&book(&package("", "Laughs"))).expect("the book without entities is taken");
        assert_eq!(plain.draft.title, "Laughs");
        let bomb = package(&format!("<!DOCTYPE package [{entities}]>"), "&lol9;");
        let said = refusal(&book(&bomb));
        assert!(
            said.contains("content.opf is not well-formed XML") && said.contains("entit"),
            "{said}"
        );
    }
}
