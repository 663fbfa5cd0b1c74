//! AO3 downloads (the HTML file behind a work's "Download → HTML").
//!
//! Read by structure, never by exact wording, because the wording changed
//! over the years: labels were singular before late 2023, word counts had
//! no thousands separator before April 2023, the Language line arrived in
//! mid-2022 and chapter headings became "Chapter N: Title" in late 2025.
//! What is relied on: the `#preface`, `#chapters` and `#afterword` ids, the
//! `dl.tags` list of `dt`/`dd` pairs (its labels matched case-insensitively,
//! singular or plural), `div.byline`, `p.message`, the `<!--chapter
//! content-->` markers and `userstuff` bodies, and blockquotes for
//! summaries and notes.
//!
//! The preface reader also reads the title pages of EPUBs: an AO3 EPUB
//! carries the same preface, and a FanFicFare EPUB carries
//! `<b>Label:</b> value` lines (or a table of them).

use std::collections::BTreeSet;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use super::{ImportError, Prepared, UNSPECIFIED_FANDOM};
use crate::model::{tag_key, Category, ChapterDraft, Formatted, Rating, Warnings, WorkDraft};

/// What a preface (or an EPUB title page) says about a work.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Metadata {
    pub title: Option<String>,
    pub creators: Vec<String>,
    /// The work's address where it was first posted.
    pub source_url: Option<String>,
    pub rating: Option<String>,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub fandoms: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    /// The language as the file names it ("English", "Español").
    pub language: Option<String>,
    pub series: Option<(String, u32)>,
    /// Dates as `YYYY-MM-DD`.
    pub published: Option<String>,
    pub updated: Option<String>,
    pub completed: Option<String>,
    /// The word count the file states (quire counts its own).
    pub words: Option<u64>,
    /// Chapters posted, and expected (`None` is AO3's `?`), from a
    /// `posted/expected` count.
    pub chapters: Option<(u32, Option<u32>)>,
    /// A FanFicFare "Status: Completed / In-Progress" line.
    pub status_complete: Option<bool>,
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
}

impl Metadata {
    /// How many of the tag and stat fields are filled: a title page that
    /// carries a work's metadata fills several.
    pub(crate) fn known_fields(&self) -> usize {
        [
            self.rating.is_some(),
            !self.warnings.is_empty(),
            !self.categories.is_empty(),
            !self.fandoms.is_empty(),
            !self.relationships.is_empty(),
            !self.characters.is_empty(),
            !self.freeforms.is_empty(),
            self.language.is_some(),
            self.series.is_some(),
            self.published.is_some(),
            self.words.is_some(),
            self.chapters.is_some(),
            self.status_complete.is_some(),
        ]
        .into_iter()
        .filter(|&filled| filled)
        .count()
    }
}

/// One chapter as the file lays it out; the body is HTML.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ChapterParts {
    pub heading: Option<String>,
    pub summary: String,
    pub notes: String,
    pub body: Option<String>,
    pub end_notes: String,
}

/// Reads `text` as an AO3 download when it has the structure of one;
/// `None` sends it down the plain HTML path.
pub(crate) fn try_read(
    text: &str,
    encoding: quire_text::SourceEncoding,
    fallback_title: &str,
) -> Option<Result<Prepared, ImportError>> {
    if !may_be_download(text) {
        return None;
    }
    // Parsing is quadratic in nesting: check before, not after.
    if quire_text::nesting::nests_too_deep(text) {
        return None;
    }
    let document = Html::parse_document(text);
    // AO3's downloads nest a dozen deep; reading the layout recurses, so
    // anything far deeper is read as plain HTML, which doesn't.
    if crate::sanitize::deepest(&document) > MAX_DOWNLOAD_NESTING || !is_download(&document) {
        return None;
    }
    Some(read_download(&document, encoding, fallback_title))
}

/// Deeper than any AO3 download, shallow enough for a recursive reader.
const MAX_DOWNLOAD_NESTING: usize = 500;

/// A cheap look before parsing: the ids and markers an AO3 download has.
fn may_be_download(text: &str) -> bool {
    let head = text.get(..text.len().min(200_000)).unwrap_or(text);
    let lower = head.to_ascii_lowercase();
    (lower.contains("preface") || lower.contains("tags"))
        && (lower.contains("chapters") || lower.contains("chapter content"))
}

/// An AO3 download: a preface (`#preface` or `dl.tags`) and a chapters part
/// (`#chapters` or the `<!--chapter content-->` markers), or a `#preface`
/// and an `#afterword` with the chapters between them, as quire's EPUBs
/// lay them out, one page a chapter and no `#chapters` around them. A bare
/// `div.userstuff` body is not one: it has no metadata to read.
pub(crate) fn is_download(document: &Html) -> bool {
    let has = |css: &str| document.select(&selector(css)).next().is_some();
    let preface = has("#preface") || has("dl.tags");
    let chapters = has("#chapters")
        || document
            .tree
            .root()
            .descendants()
            .any(|n| matches!(n.value(), Node::Comment(c) if marker(c) == Some(true)));
    preface && (chapters || (has("#preface") && has("#afterword")))
}

/// Reads a parsed AO3 download into a draft.
pub(crate) fn read_download(
    document: &Html,
    encoding: quire_text::SourceEncoding,
    fallback_title: &str,
) -> Result<Prepared, ImportError> {
    let mut metadata = read_metadata(document);
    if metadata.title.is_none() {
        metadata.title = head_title(document);
    }
    build(metadata, read_chapters(document), encoding, fallback_title)
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

// ---------------------------------------------------------------------------
// The preface.

/// Everything the preface (or a title page) says: the labelled tag list,
/// title, byline, summary and notes, and the afterword's end notes.
pub(crate) fn read_metadata(document: &Html) -> Metadata {
    let root = document.root_element();
    let mut metadata = Metadata::default();

    let (pairs, labels) = label_pairs(root);
    for (label, value) in &pairs {
        apply_label(&mut metadata, label, value, labels);
    }

    metadata.title = root
        .select(&selector("h1"))
        .find(|h| !in_story(*h))
        .map(plain)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            root.select(&selector("p.message b, p.message strong"))
                .map(plain)
                .find(|t| !t.is_empty())
        });

    if let Some(byline) = root.select(&selector(".byline")).find(|b| !in_story(*b)) {
        metadata.creators = byline_names(byline);
    }

    metadata.source_url = root
        .select(&selector("p.message a[href]"))
        .filter(|a| !inside(*a, |e| e.id() == Some("afterword")))
        .filter_map(|a| a.attr("href"))
        .find(|href| href.contains("/works/"))
        .map(str::to_string);

    // Summary and notes: blockquotes outside the story, each after its label.
    // Where there is a preface they are in it: a chapter's summary and
    // notes sit outside any `#chapters` when the file has none.
    let preface = root.select(&selector("#preface")).next().unwrap_or(root);
    for quote in preface.select(&selector("blockquote")) {
        if in_story(quote) || inside(quote, |e| e.id() == Some("afterword")) {
            continue;
        }
        let text = prose(quote);
        if text.is_empty() {
            continue;
        }
        let label = label_before(quote);
        if label.contains("summary") {
            append(&mut metadata.summary, &text);
        } else if label.contains("note") {
            append(&mut metadata.notes_start, &text);
        } else if metadata.summary.is_empty() && metadata.notes_start.is_empty() {
            append(&mut metadata.summary, &text);
        } else {
            append(&mut metadata.notes_start, &text);
        }
    }

    // End notes: the afterword's blockquote labelled as notes, or its first
    // one when none is labelled.
    for afterword in root.select(&selector("#afterword")) {
        let quotes: Vec<ElementRef> = afterword
            .select(&selector("blockquote"))
            .filter(|q| !inside(*q, |e| e.name() == "blockquote"))
            .collect();
        let labelled: Vec<&ElementRef> = quotes
            .iter()
            .filter(|q| label_before(**q).contains("note"))
            .collect();
        let chosen: Vec<&ElementRef> = if labelled.is_empty() {
            quotes.first().into_iter().collect()
        } else {
            labelled
        };
        for quote in chosen {
            append(&mut metadata.notes_end, &prose(*quote));
        }
    }
    metadata
}

/// The labelled values of a preface or title page: AO3's `dt`/`dd` pairs
/// when a `dl` holds known labels, else `<b>Label:</b>` lines.
fn label_pairs(root: ElementRef) -> (Vec<(String, Value)>, Labels) {
    let pairs: Vec<(String, Value)> = root
        .select(&selector("dl"))
        .filter(|dl| !in_story(*dl))
        .flat_map(definition_pairs)
        .collect();
    let mut scratch = Metadata::default();
    let mut known = false;
    for (label, value) in &pairs {
        known |= apply_label(&mut scratch, label, value, Labels::Ao3);
    }
    if known {
        (pairs, Labels::Ao3)
    } else {
        (bold_label_pairs(root), Labels::TitlePage)
    }
}

/// How many words of a page its labelled values (labels included) hold:
/// what a title page is made of, where a chapter is made of more.
pub(crate) fn labelled_words(document: &Html) -> usize {
    let (pairs, _) = label_pairs(document.root_element());
    pairs
        .iter()
        .map(|(label, value)| {
            quire_text::count::word_tokens(label).count()
                + quire_text::count::word_tokens(&value.text).count()
        })
        .sum()
}

/// The document's `<title>` up to its first " - " (AO3 writes
/// `Title - Authors - Fandom`).
fn head_title(document: &Html) -> Option<String> {
    let title = document.select(&selector("title")).next().map(plain)?;
    let first = title
        .split(" - ")
        .next()
        .unwrap_or(&title)
        .trim()
        .to_string();
    (!first.is_empty()).then_some(first)
}

/// A value beside a label: its text, and its links' texts (AO3 gives one
/// link per tag).
#[derive(Debug, Default)]
struct Value {
    text: String,
    links: Vec<String>,
}

impl Value {
    fn of(element: ElementRef) -> Value {
        Value {
            text: spaced_text(*element),
            links: element
                .select(&selector("a"))
                .map(plain)
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }

    /// The tags it holds: one per link, or the comma-separated names of its
    /// text (AO3 allows no comma in a tag name).
    fn items(&self) -> Vec<String> {
        if !self.links.is_empty() {
            return self.links.clone();
        }
        self.text
            .split([',', '，'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// The `dt`/`dd` pairs directly inside a `dl`.
fn definition_pairs(dl: ElementRef) -> Vec<(String, Value)> {
    let mut pairs = Vec::new();
    let mut label: Option<String> = None;
    for child in dl.child_elements() {
        match child.value().name() {
            "dt" => label = Some(plain(child)),
            "dd" => {
                if let Some(label) = label.take() {
                    pairs.push((label, Value::of(child)));
                }
            }
            _ => {}
        }
    }
    pairs
}

/// `<b>Label:</b> value<br/>` lines and `<td><b>Label:</b></td><td>value</td>`
/// rows, the way FanFicFare writes a title page.
fn bold_label_pairs(root: ElementRef) -> Vec<(String, Value)> {
    let mut pairs = Vec::new();
    for bold in root.select(&selector("b, strong")) {
        if in_story(bold) {
            continue;
        }
        let label = plain(bold);
        if !label.ends_with(':') {
            continue;
        }
        let mut value = Value::default();
        let mut text = String::new();
        for sibling in bold.next_siblings() {
            match sibling.value() {
                Node::Text(t) => text.push_str(t),
                Node::Element(e) if e.name() == "br" => break,
                Node::Element(e) if matches!(e.name(), "b" | "strong") => {
                    let next = ElementRef::wrap(sibling).map(plain).unwrap_or_default();
                    if next.ends_with(':') {
                        break;
                    }
                    text.push_str(&next);
                }
                Node::Element(_) => {
                    if let Some(element) = ElementRef::wrap(sibling) {
                        text.push(' ');
                        text.push_str(&spaced_text(sibling));
                        text.push(' ');
                        if element.value().name() == "a" {
                            value.links.push(plain(element));
                        }
                        value
                            .links
                            .extend(element.select(&selector("a")).map(plain));
                    }
                }
                _ => {}
            }
        }
        value.text = tidy(&text);
        if value.text.is_empty() {
            // A table row: the value is in the next cell.
            if let Some(cell) = bold
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "td")
            {
                if let Some(next) = cell.next_siblings().filter_map(ElementRef::wrap).next() {
                    value = Value::of(next);
                }
            }
        }
        value.links.retain(|l| !l.is_empty());
        pairs.push((label, value));
    }
    pairs
}

/// A label folded for matching: lower case, no colon, single spaces.
fn label_key(label: &str) -> String {
    tidy(label.trim().trim_end_matches([':', '：'])).to_lowercase()
}

/// Whose labels: AO3's own `dl.tags`, or a title page's (FanFicFare's,
/// whose "Category" holds fandoms and "Genre" tags and categories mixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Labels {
    Ao3,
    TitlePage,
}

/// Files one labelled value; says whether the label was known.
fn apply_label(metadata: &mut Metadata, label: &str, value: &Value, labels: Labels) -> bool {
    let key = label_key(label);
    match key.as_str() {
        "rating" | "ratings" => {
            if metadata.rating.is_none() {
                metadata.rating = value.items().into_iter().next();
            }
        }
        "archive warning" | "archive warnings" | "warning" | "warnings" => {
            push_all(&mut metadata.warnings, value.items())
        }
        "category" | "categories" if labels == Labels::Ao3 => {
            push_all(&mut metadata.categories, value.items())
        }
        // On a title page each name goes where it fits.
        "category" | "categories" | "genre" | "genres" => {
            for item in value.items() {
                if Category::from_name(&item).is_ok() {
                    push_all(&mut metadata.categories, [item]);
                } else if key.starts_with("genre") {
                    push_all(&mut metadata.freeforms, [item]);
                } else {
                    push_all(&mut metadata.fandoms, [item]);
                }
            }
        }
        "ao3 category" | "ao3 categories" => push_all(&mut metadata.categories, value.items()),
        "fandom" | "fandoms" => push_all(&mut metadata.fandoms, value.items()),
        "relationship" | "relationships" | "pairing" | "pairings" | "ships" => {
            push_all(&mut metadata.relationships, value.items())
        }
        "character" | "characters" => push_all(&mut metadata.characters, value.items()),
        "additional tag" | "additional tags" | "freeform" | "freeforms" | "freeform tag"
        | "freeform tags" | "tags" => push_all(&mut metadata.freeforms, value.items()),
        "language" => {
            if !value.text.is_empty() {
                metadata.language = Some(value.text.clone());
            }
        }
        "series" => {
            if metadata.series.is_none() {
                metadata.series = parse_series(value);
            }
        }
        "stats" => parse_stats(metadata, &value.text),
        "published" | "updated" | "completed" | "words" | "chapters" | "status" => {
            apply_stat(metadata, &key, &value.text)
        }
        "summary" | "description" => {
            if metadata.summary.is_empty() {
                metadata.summary = quire_text::insert::escape_html(&value.text);
            }
        }
        _ => return false,
    }
    true
}

fn push_all(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for item in items {
        let key = tag_key(&item);
        if !key.is_empty() && !list.iter().any(|t| tag_key(t) == key) {
            list.push(item);
        }
    }
}

/// "Part 2 of Name" (AO3, the name a link) or "Name [2]" (FanFicFare).
fn parse_series(value: &Value) -> Option<(String, u32)> {
    let text = value.text.trim();
    // A linked name is the name whatever it holds ("Tales [2]", "Part 3"):
    // the part is the number before it.
    if let Some(link) = value.links.first().filter(|l| !l.is_empty()) {
        let before = text.find(link.as_str()).map_or("", |at| &text[..at]);
        if let Some((_, digits)) = first_number(before) {
            return digits.parse().ok().map(|part| (link.clone(), part));
        }
    }
    if let (Some(open), true) = (text.rfind('['), text.ends_with(']')) {
        let part = text[open + 1..text.len() - 1].trim().parse().ok()?;
        let name = text[..open].trim().to_string();
        return (!name.is_empty()).then_some((name, part));
    }
    let (start, digits) = first_number(text)?;
    let part = digits.parse().ok()?;
    let name = match value.links.first() {
        Some(link) => link.clone(),
        None => {
            // The words after the number, less the joining word ("of").
            let rest = text[start + digits.len()..].trim();
            rest.split_once(' ')
                .map_or(rest, |(_, name)| name)
                .trim()
                .to_string()
        }
    };
    (!name.is_empty()).then_some((name, part))
}

/// Where the first run of digits in `text` starts, and the digits.
fn first_number(text: &str) -> Option<(usize, String)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((start, digits))
}

/// `Published: 2024-01-05 Updated: 2024-03-01 Words: 12,345 Chapters: 3/?`
fn parse_stats(metadata: &mut Metadata, text: &str) {
    let mut tokens = text.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let Some((key, value)) = token.split_once(':') else {
            continue;
        };
        let value = if value.is_empty() {
            match tokens.peek() {
                Some(next) if !next.contains(':') => tokens.next().unwrap_or_default(),
                _ => continue,
            }
        } else {
            value
        };
        apply_stat(metadata, &key.to_lowercase(), value);
    }
}

fn apply_stat(metadata: &mut Metadata, key: &str, value: &str) {
    let value = value.trim();
    match key {
        "published" => metadata.published = date(value),
        "updated" => metadata.updated = date(value),
        "completed" => metadata.completed = date(value),
        "words" => metadata.words = number(value).and_then(|n| n.parse().ok()),
        // `3/?` or `3/3`; a bare count (FanFicFare's) says nothing of the end.
        "chapters" => {
            let Some((posted, expected)) = value.split_once('/') else {
                return;
            };
            if let Some(posted) = number(posted).and_then(|n| n.parse().ok()) {
                let expected = number(expected).and_then(|n| n.parse().ok());
                metadata.chapters = Some((posted, expected));
            }
        }
        "status" => {
            let lower = value.to_lowercase();
            metadata.status_complete = if lower.contains("progress")
                || lower.contains("incomplete")
                || lower.contains("wip")
            {
                Some(false)
            } else if lower.contains("complete") {
                Some(true)
            } else {
                metadata.status_complete
            };
        }
        _ => {}
    }
}

/// The digits of a count written with or without separators
/// (`12,345`, `12.345`, `12 345`); `None` for `?` and the like.
fn number(text: &str) -> Option<String> {
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_separators = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''));
    (!digits.is_empty() && only_separators).then_some(digits)
}

/// A `YYYY-MM-DD` date, or nothing.
fn date(text: &str) -> Option<String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped.then(|| text.to_string())
}

/// The names in a byline: its links, or its text after "by".
fn byline_names(byline: ElementRef) -> Vec<String> {
    let mut names = Vec::new();
    let links: Vec<String> = byline
        .select(&selector("a"))
        .map(plain)
        .filter(|t| !t.is_empty())
        .collect();
    if !links.is_empty() {
        push_all(&mut names, links);
        return names;
    }
    let text = plain(byline);
    let text = match text.split_once(' ') {
        Some((first, rest)) if first.eq_ignore_ascii_case("by") => rest.to_string(),
        _ => text,
    };
    push_all(
        &mut names,
        text.split(',')
            .flat_map(|part| part.split(" and "))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    );
    names
}

/// The label a blockquote follows: the text of the element before it,
/// folded to lower case ("summary", "notes", "chapter end notes").
fn label_before(element: ElementRef) -> String {
    element
        .prev_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .filter(|e| !matches!(e.value().name(), "blockquote" | "div"))
        .map(|e| plain(e).to_lowercase())
        .unwrap_or_default()
}

/// Inside the story text or a summary/notes block, where labels and
/// headings belong to the author, not to the file's layout.
fn in_story(element: ElementRef) -> bool {
    inside(element, |e| {
        e.id() == Some("chapters") || e.name() == "blockquote" || has_class(e, "userstuff")
    })
}

fn inside(element: ElementRef, test: impl Fn(&scraper::node::Element) -> bool) -> bool {
    element
        .ancestors()
        .filter_map(|n| n.value().as_element())
        .any(test)
}

fn has_class(element: &scraper::node::Element, class: &str) -> bool {
    element.classes().any(|c| c.eq_ignore_ascii_case(class))
}

// ---------------------------------------------------------------------------
// The chapters.

/// Every chapter in `#chapters` (or, lacking it, the body outside the
/// preface and afterword), in order.
pub(crate) fn read_chapters(document: &Html) -> Vec<ChapterParts> {
    let roots: Vec<ElementRef> = document
        .select(&selector("#chapters"))
        .filter(|e| !inside(*e, |a| a.id() == Some("chapters")))
        .collect();
    let roots = if roots.is_empty() {
        document
            .select(&selector("body"))
            .next()
            .map(|body| vec![body])
            .unwrap_or_else(|| vec![document.root_element()])
    } else {
        roots
    };
    let mut walk = ChapterWalk::default();
    for root in &roots {
        walk.walk(**root);
    }
    let mut chapters = walk.finish();
    if chapters.iter().all(|c| c.body.is_none()) {
        // No body marked as one (the text sits loose in `#chapters`, or a
        // converter dropped the classes and markers): the headings divide
        // the text, and everything between them is kept.
        let mut split = Vec::new();
        for root in &roots {
            split_at_headings(**root, &mut split);
        }
        chapters = split;
    }
    chapters
}

/// Chapters by their headings alone; text before any heading is a chapter
/// of its own.
fn split_at_headings(node: NodeRef<'_, Node>, chapters: &mut Vec<ChapterParts>) {
    for child in node.children() {
        match child.value() {
            Node::Element(e) if matches!(e.id(), Some("preface" | "afterword")) => {}
            Node::Element(e) if is_heading(e.name()) => {
                if !has_class(e, "toc-heading") {
                    chapters.push(ChapterParts {
                        heading: ElementRef::wrap(child).map(plain),
                        body: Some(String::new()),
                        ..ChapterParts::default()
                    });
                }
            }
            Node::Element(_)
                if child.descendants().skip(1).any(|d| {
                    d.value()
                        .as_element()
                        .is_some_and(|e| is_heading(e.name()) && !has_class(e, "toc-heading"))
                }) =>
            {
                split_at_headings(child, chapters)
            }
            _ => {
                let mut html = String::new();
                serialize_into(&mut html, child);
                if html.trim().is_empty() {
                    continue;
                }
                if chapters.is_empty() {
                    chapters.push(ChapterParts {
                        body: Some(String::new()),
                        ..ChapterParts::default()
                    });
                }
                if let Some(body) = chapters.last_mut().and_then(|c| c.body.as_mut()) {
                    body.push_str(&html);
                }
            }
        }
    }
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4")
}

/// `Some(true)` for `<!--chapter content-->`, `Some(false)` for its end.
fn marker(comment: &str) -> Option<bool> {
    let folded = comment.trim().to_ascii_lowercase();
    let (end, rest) = match folded.strip_prefix('/') {
        Some(rest) => (true, rest.trim()),
        None => (false, folded.as_str()),
    };
    (rest == "chapter content").then_some(!end)
}

/// Walks the chapters part in document order: a heading starts a chapter,
/// blockquotes before the body are its summary and notes, after it its end
/// notes; the body is what the markers enclose, or a `userstuff` block.
#[derive(Default)]
struct ChapterWalk {
    done: Vec<ChapterParts>,
    current: ChapterParts,
    label: String,
}

impl ChapterWalk {
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        let mut capture: Option<String> = None;
        for child in node.children() {
            if let Some(buffer) = capture.as_mut() {
                match child.value() {
                    Node::Comment(c) if marker(c) == Some(false) => {
                        let body = capture.take().unwrap_or_default();
                        self.set_body(body);
                    }
                    _ => serialize_into(buffer, child),
                }
                continue;
            }
            match child.value() {
                Node::Comment(c) if marker(c) == Some(true) => capture = Some(String::new()),
                Node::Element(e) => {
                    let Some(element) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let name = e.name();
                    if matches!(e.id(), Some("preface" | "afterword")) {
                        continue;
                    }
                    if is_heading(name) {
                        if !has_class(e, "toc-heading") {
                            self.start_heading(plain(element));
                        }
                    } else if name == "blockquote" {
                        let text = prose(element);
                        self.note(text);
                    } else if name == "p" {
                        self.label = plain(element).to_lowercase();
                    } else if has_class(e, "userstuff") && !holds_marker(child) {
                        self.set_body(element.inner_html());
                    } else {
                        self.walk(child);
                    }
                }
                _ => {}
            }
        }
        if let Some(body) = capture {
            self.set_body(body);
        }
    }

    fn start_heading(&mut self, heading: String) {
        if self.current.heading.is_some() || self.current.body.is_some() {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.current.heading = Some(heading);
    }

    fn set_body(&mut self, body: String) {
        if self.current.body.is_some() {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.current.body = Some(body);
    }

    fn note(&mut self, text: String) {
        let label = std::mem::take(&mut self.label);
        if text.is_empty() {
            return;
        }
        let current = &mut self.current;
        if current.body.is_some() {
            append(&mut current.end_notes, &text);
        } else if label.contains("summary") {
            append(&mut current.summary, &text);
        } else {
            append(&mut current.notes, &text);
        }
    }

    fn finish(mut self) -> Vec<ChapterParts> {
        if self.current != ChapterParts::default() {
            self.done.push(self.current);
        }
        self.done
    }
}

fn holds_marker(node: NodeRef<'_, Node>) -> bool {
    node.descendants()
        .any(|n| matches!(n.value(), Node::Comment(c) if marker(c).is_some()))
}

/// Appends a node's HTML (comments left out).
fn serialize_into(out: &mut String, node: NodeRef<'_, Node>) {
    match node.value() {
        Node::Text(text) => {
            for c in text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    _ => out.push(c),
                }
            }
        }
        Node::Element(_) => {
            if let Some(element) = ElementRef::wrap(node) {
                out.push_str(&element.html());
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Into a draft.

/// A chapter's title from its heading: `Chapter 3: Title` (today's
/// wording) gives `Title`, a bare `Chapter 3` gives none, anything else
/// (the older bare title) is the title. With `position`, only that chapter
/// number is taken as the numbering (a chapter titled "Chapter 12" in
/// fifth place keeps its title).
pub(crate) fn chapter_title(heading: &str, position: Option<usize>) -> String {
    let heading = heading.trim();
    strip_chapter_number(heading, position).unwrap_or_else(|| heading.to_string())
}

fn strip_chapter_number(heading: &str, position: Option<usize>) -> Option<String> {
    let word = heading.get(..7)?;
    if !word.eq_ignore_ascii_case("chapter") {
        return None;
    }
    let after_word = &heading[7..];
    let rest = after_word.trim_start();
    if rest.len() == after_word.len() {
        return None;
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: usize = digits.parse().ok()?;
    if position.is_some_and(|p| p != number) {
        return None;
    }
    let after = rest[digits.len()..].trim_start();
    if after.is_empty() {
        return Some(String::new());
    }
    after
        .strip_prefix([':', '.', '-', '–', '—'])
        .map(|title| title.trim().to_string())
}

/// A draft from what the file says. Rating, warnings and categories must be
/// names quire knows; a file without them gets Not Rated and "Creator Chose
/// Not To Use Archive Warnings", as any untagged import.
pub(crate) fn build(
    metadata: Metadata,
    parts: Vec<ChapterParts>,
    encoding: quire_text::SourceEncoding,
    fallback_title: &str,
) -> Result<Prepared, ImportError> {
    let rating = match &metadata.rating {
        Some(name) => Rating::from_name(name).map_err(|source| ImportError::Tag {
            field: "rating",
            source,
        })?,
        None => Rating::NotRated,
    };
    let warnings = if metadata.warnings.is_empty() {
        Warnings::chose_not_to_use()
    } else {
        Warnings::from_names(metadata.warnings.iter().map(String::as_str)).map_err(|source| {
            ImportError::Tag {
                field: "archive warnings",
                source,
            }
        })?
    };
    let categories = metadata
        .categories
        .iter()
        .map(|name| Category::from_name(name))
        .collect::<Result<BTreeSet<_>, _>>()
        .map_err(|source| ImportError::Tag {
            field: "categories",
            source,
        })?;

    let chapters: Vec<ChapterDraft> = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let body_html = part.body.as_deref().unwrap_or("");
            let mut body = quire_text::analyze_str(body_html);
            body.encoding = encoding;
            ChapterDraft {
                html: crate::sanitize::sanitize(body_html),
                title: part
                    .heading
                    .as_deref()
                    .map(|h| chapter_title(h, Some(i + 1)))
                    .unwrap_or_default(),
                summary: Formatted::from_html(&part.summary),
                notes_start: Formatted::from_html(&part.notes),
                notes_end: Formatted::from_html(&part.end_notes),
                body,
            }
        })
        .collect();
    if chapters.iter().all(|c| c.body.paragraphs.is_empty()) {
        return Err(ImportError::Empty);
    }

    let (complete, expected_chapters) = match metadata.chapters {
        Some((posted, expected)) => (expected == Some(posted), expected),
        None => match metadata.status_complete {
            Some(false) => (false, None),
            _ => (true, u32::try_from(chapters.len()).ok()),
        },
    };
    let complete = complete || (metadata.completed.is_some() && metadata.chapters.is_none());

    let fandoms = if metadata.fandoms.is_empty() {
        vec![UNSPECIFIED_FANDOM.to_string()]
    } else {
        metadata.fandoms
    };
    let title = metadata
        .title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| fallback_title.to_string());
    let draft = WorkDraft {
        title,
        summary: Formatted::from_html(&metadata.summary),
        notes_start: Formatted::from_html(&metadata.notes_start),
        notes_end: Formatted::from_html(&metadata.notes_end),
        language: metadata
            .language
            .as_deref()
            .map_or(DEFAULT_LANGUAGE, language_code)
            .to_string(),
        rating,
        warnings,
        categories,
        fandoms,
        relationships: metadata.relationships,
        characters: metadata.characters,
        freeforms: metadata.freeforms,
        complete,
        expected_chapters,
        restricted: false,
        draft: false,
        chapters,
    };
    draft.validate()?;
    Ok(Prepared {
        draft,
        content_hash: String::new(),
        creators: metadata.creators,
        series: metadata.series,
        published: metadata.published,
        updated: metadata.updated.or(metadata.completed),
        source_url: metadata.source_url,
        seed_counts: None,
    })
}

/// What a file that names no language is taken to be written in, as for
/// plain-text imports.
pub(crate) const DEFAULT_LANGUAGE: &str = "en";

/// Language names as AO3 shows them (each in its own language) and in
/// English, with the code quire stores.
const LANGUAGES: &[(&str, &[&str])] = &[
    ("en", &["English"]),
    ("es", &["Español", "Spanish"]),
    ("fr", &["Français", "French"]),
    ("de", &["Deutsch", "German"]),
    ("it", &["Italiano", "Italian"]),
    ("pt-BR", &["Português brasileiro", "Brazilian Portuguese"]),
    ("pt-PT", &["Português europeu", "Português", "Portuguese"]),
    ("ru", &["Русский", "Russian"]),
    ("yue", &["中文-广东话 粵語", "Cantonese"]),
    (
        "zh",
        &[
            "中文-普通话 國語",
            "中文-普通话 国语",
            "中文",
            "Chinese",
            "Mandarin",
        ],
    ),
    ("ja", &["日本語", "Japanese"]),
    ("ko", &["한국어", "Korean"]),
    ("pl", &["Polski", "Polish"]),
    ("nl", &["Nederlands", "Dutch"]),
    ("sv", &["Svenska", "Swedish"]),
    ("da", &["Dansk", "Danish"]),
    ("no", &["Norsk", "Norwegian"]),
    ("fi", &["Suomi", "Finnish"]),
    ("cs", &["Čeština", "Czech"]),
    ("sk", &["Slovenčina", "Slovak"]),
    ("sl", &["Slovenščina", "Slovenian"]),
    ("hu", &["Magyar", "Hungarian"]),
    ("ro", &["Română", "Romanian"]),
    ("tr", &["Türkçe", "Turkish"]),
    ("uk", &["Українська", "Ukrainian"]),
    ("bg", &["Български", "Bulgarian"]),
    ("sr", &["Српски", "Srpski", "Serbian"]),
    ("hr", &["Hrvatski", "Croatian"]),
    ("el", &["Ελληνικά", "Greek"]),
    ("he", &["עברית", "Hebrew"]),
    ("ar", &["العربية", "Arabic"]),
    ("fa", &["فارسی", "Persian"]),
    ("hi", &["हिन्दी", "Hindi"]),
    ("bn", &["বাংলা", "Bengali"]),
    ("th", &["ไทย", "Thai"]),
    ("vi", &["Tiếng Việt", "Vietnamese"]),
    ("id", &["Bahasa Indonesia", "Indonesian"]),
    ("ms", &["Bahasa Malaysia", "Malay"]),
    ("fil", &["Filipino", "Tagalog"]),
    ("ca", &["Català", "Catalan"]),
    ("eu", &["Euskara", "Basque"]),
    ("gl", &["Galego", "Galician"]),
    ("lt", &["Lietuvių kalba", "Lietuvių", "Lithuanian"]),
    ("lv", &["Latviešu valoda", "Latviešu", "Latvian"]),
    ("et", &["Eesti", "Estonian"]),
    ("is", &["Íslenska", "Icelandic"]),
    ("ga", &["Gaeilge", "Irish"]),
    ("cy", &["Cymraeg", "Welsh"]),
    ("eo", &["Esperanto"]),
    ("la", &["Lingua latina", "Latina", "Latin"]),
];

/// The code for a language name ("English" → `en`, "Español" → `es`); a
/// name that already is a code (`en`, `pt-BR`) is kept. A name outside the
/// table falls back to `en`, as a file without a Language line does: the
/// code is a filter, and an author can correct it after the import.
pub(crate) fn language_code(name: &str) -> &str {
    let name = name.trim();
    if let Some((code, _)) = LANGUAGES.iter().find(|(code, names)| {
        code.eq_ignore_ascii_case(name)
            || names
                .iter()
                .any(|n| n.to_lowercase() == name.to_lowercase())
    }) {
        return code;
    }
    let looks_like_code = name.len() <= 8
        && name.split('-').next().is_some_and(|primary| {
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase())
        })
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if looks_like_code {
        name
    } else {
        DEFAULT_LANGUAGE
    }
}

// ---------------------------------------------------------------------------
// Text.

/// An element's text with white space folded, mojibake repaired.
fn plain(element: ElementRef) -> String {
    tidy(&quire_text::repair::repair(&element.text().collect::<String>()).text)
}

/// An element's text with a space between elements (so nested `dt`/`dd`
/// pairs don't run together), folded and repaired.
fn spaced_text(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    for descendant in node.descendants() {
        match descendant.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) if matches!(e.name(), "br" | "dt" | "dd" | "li" | "p" | "div") => {
                out.push(' ')
            }
            _ => {}
        }
    }
    tidy(&quire_text::repair::repair(&out).text)
}

fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn append(to: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !to.is_empty() {
        to.push_str("\n\n");
    }
    to.push_str(text);
}

/// A summary or notes block as the HTML inside it, its mojibake repaired:
/// the writer's formatting comes with it, cleaned when the work is made.
/// Empty when it holds no words.
pub(crate) fn prose(element: ElementRef) -> String {
    if quire_text::html_paragraphs(&element.inner_html()).is_empty() {
        return String::new();
    }
    quire_text::repair::repair(element.inner_html().trim()).text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArchiveWarning;
    use quire_text::SourceEncoding;

    const CURRENT: &str = include_str!("../../tests/data/ao3-current.html");
    const OLD: &str = include_str!("../../tests/data/ao3-2020.html");
    const ONESHOT: &str = include_str!("../../tests/data/ao3-oneshot.html");

    fn read(html: &str) -> Prepared {
        try_read(html, SourceEncoding::Utf8, "from the file name")
            .expect("read as an AO3 download")
            .unwrap()
    }

    fn read_err(html: &str) -> ImportError {
        try_read(html, SourceEncoding::Utf8, "x")
            .expect("read as an AO3 download")
            .unwrap_err()
    }

    /// The chapter bodies of a fixture, cut out by plain string search
    /// (independently of the parser): between the chapter content markers,
    /// or, without them, each inner `<div class="userstuff">` to its `</div>`.
    fn bodies_by_hand(html: &str) -> Vec<&str> {
        if html.contains("<!--chapter content-->") {
            html.split("<!--chapter content-->")
                .skip(1)
                .map(|s| s.split("<!--/chapter content-->").next().unwrap())
                .collect()
        } else {
            html.split("<div class=\"userstuff\">")
                .skip(1)
                .map(|s| s.split("</div>").next().unwrap())
                .collect()
        }
    }

    fn assert_every_word_kept(html: &str, prepared: &Prepared) {
        let bodies = bodies_by_hand(html);
        assert_eq!(bodies.len(), prepared.draft.chapters.len());
        for (i, (body, chapter)) in bodies.iter().zip(&prepared.draft.chapters).enumerate() {
            let repaired = quire_text::repair::repair(body).text;
            assert!(chapter.body.words().len() > 10, "chapter {i} has text");
            if let Err(lost) = quire_text::lossless::check(&chapter.body, &repaired) {
                panic!("chapter {i}: {lost}");
            }
            assert_eq!(chapter.body.word_count, chapter.body.counts.words);
        }
    }

    #[test]
    fn todays_layout() {
        let prepared = read(CURRENT);
        let draft = &prepared.draft;
        assert_eq!(draft.title, "The Cartographer's Lantern");
        assert_eq!(prepared.creators, vec!["saltmarsh_ink", "Pell (pellucid)"]);
        assert_eq!(draft.rating, Rating::TeenAndUpAudiences);
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
            BTreeSet::from([Category::FemaleFemale, Category::Gen])
        );
        assert_eq!(
            draft.fandoms,
            vec!["Lanternfall (Video Game)", "The Brass Coast Chronicles"]
        );
        assert_eq!(
            draft.relationships,
            vec!["Ysolde/Marit Quell", "Ysolde & Old Tamsin"]
        );
        assert_eq!(
            draft.characters,
            vec!["Ysolde Varr", "Marit Quell", "Old Tamsin"]
        );
        assert_eq!(
            draft.freeforms,
            vec![
                "Slow Burn",
                "Found Family",
                "Maps",
                "Angst with a Happy Ending"
            ]
        );
        assert_eq!(draft.language, "en");
        assert_eq!(
            prepared.series,
            Some(("Charts of the Brass Coast".to_string(), 2))
        );
        assert_eq!(prepared.published.as_deref(), Some("2024-02-11"));
        assert_eq!(prepared.updated.as_deref(), Some("2025-11-30"));
        assert_eq!(
            prepared.source_url.as_deref(),
            Some("https://archiveofourown.org/works/99999901")
        );
        // "Chapters: 3/?": the author doesn't know how many yet.
        assert!(!draft.complete);
        assert_eq!(draft.expected_chapters, None);
        assert_eq!(
            draft.summary.text(),
            "Ysolde draws maps of a coast that keeps moving.\n\n\
             Marit keeps the lantern lit so the maps can be read at night.\n\
             Neither of them expects the tide to answer."
        );
        assert_eq!(
            draft.notes_start.text(),
            "Written for a friend who asked for lighthouses and got a lantern instead."
        );
        assert_eq!(
            draft.notes_end.text(),
            "The last chapter is drafted. Come say hello in the comments!"
        );

        let titles: Vec<&str> = draft.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, vec!["The Salt Road", "Lamplight", ""]);
        let [one, two, three] = &draft.chapters[..] else {
            panic!("three chapters")
        };
        assert_eq!(one.summary.text(), "In which a map is wrong on purpose.");
        assert_eq!(
            one.notes_start.text(),
            "The salt road is real in the game, more or less."
        );
        assert_eq!(
            one.notes_end.text(),
            "Thank you for reading the first part!"
        );
        assert_eq!(one.body.scene_breaks, vec![3]);
        assert!(one.body.paragraphs[0].starts_with("The salt road ran along the cliffs"));
        assert_eq!(
            (two.summary.text().as_str(), two.notes_start.text().as_str()),
            ("", "")
        );
        assert_eq!(
            two.notes_end.text(),
            "Old Tamsin arrives next time, at last."
        );
        assert_eq!(
            two.body.paragraphs[1],
            "She wrote letters instead.\nSome of them were to her sister.\nMost of them were to nobody at all."
        );
        assert_eq!(
            (
                three.summary.text().as_str(),
                three.notes_start.text().as_str(),
                three.notes_end.text().as_str()
            ),
            ("", "", "")
        );
        assert!(three.body.paragraphs[0].starts_with("Old Tamsin had buried"));
        assert_every_word_kept(CURRENT, &prepared);

        let metadata = read_metadata(&Html::parse_document(CURRENT));
        assert_eq!(metadata.words, Some(12_480));
        assert_eq!(metadata.chapters, Some((3, None)));
    }

    #[test]
    fn the_layout_before_2022() {
        let prepared = read(OLD);
        let draft = &prepared.draft;
        assert_eq!(draft.title, "Nine Stops to Harrowgate");
        assert_eq!(prepared.creators, vec!["tinwhistle"]);
        assert_eq!(draft.rating, Rating::GeneralAudiences);
        assert_eq!(
            draft.warnings,
            Warnings::new([ArchiveWarning::NoneApply]).unwrap()
        );
        assert_eq!(draft.categories, BTreeSet::from([Category::MaleMale]));
        assert_eq!(draft.fandoms, vec!["Night Trains (TV)"]);
        assert_eq!(draft.relationships, vec!["Abel Fenn/Jory Crane"]);
        assert_eq!(draft.characters, vec!["Abel Fenn", "Jory Crane"]);
        assert_eq!(draft.freeforms, vec!["Trains", "Fluff"]);
        assert_eq!(draft.language, "en", "no Language line: English");
        assert_eq!(prepared.series, None);
        assert_eq!(prepared.published.as_deref(), Some("2019-06-02"));
        assert_eq!(
            prepared.updated.as_deref(),
            Some("2020-01-15"),
            "Completed:"
        );
        assert!(draft.complete);
        assert_eq!(draft.expected_chapters, Some(2));
        assert_eq!(
            draft.summary.text(),
            "A conductor, a stowaway, and a timetable that refuses to cooperate."
        );
        assert_eq!(
            (
                draft.notes_start.text().as_str(),
                draft.notes_end.text().as_str()
            ),
            ("", "")
        );

        let titles: Vec<&str> = draft.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Whistle Stop", ""],
            "a bare \"Chapter 2\" is no title"
        );
        assert_eq!(
            draft.chapters[0].notes_start.text(),
            "This began as a drabble and got away from me."
        );
        assert_eq!(draft.chapters[0].notes_end.text(), "");
        assert_eq!(
            draft.chapters[1].notes_end.text(),
            "Harrowgate is not a real town, sadly."
        );
        assert_every_word_kept(OLD, &prepared);

        let metadata = read_metadata(&Html::parse_document(OLD));
        assert_eq!(metadata.words, Some(4210));
    }

    #[test]
    fn a_one_chapter_work() {
        let prepared = read(ONESHOT);
        let draft = &prepared.draft;
        assert_eq!(draft.title, "Low Tide, Early");
        assert_eq!(prepared.creators, vec!["marrowbone"]);
        assert_eq!(draft.rating, Rating::NotRated);
        assert_eq!(draft.warnings, Warnings::chose_not_to_use());
        assert!(draft.categories.is_empty());
        assert_eq!(draft.fandoms, vec!["Original Work"]);
        assert!(draft.relationships.is_empty() && draft.characters.is_empty());
        assert_eq!(draft.freeforms, vec!["Vignette"]);
        assert_eq!(draft.language, "es");
        assert!(draft.complete);
        assert_eq!(draft.expected_chapters, Some(1));
        assert_eq!(draft.chapters.len(), 1);
        assert_eq!(
            draft.chapters[0].title, "",
            "the hidden heading is the work's title"
        );
        assert_eq!(draft.summary.text(), "");
        assert_every_word_kept(ONESHOT, &prepared);
    }

    #[test]
    fn a_one_chapter_work_with_its_text_loose() {
        let html = ONESHOT
            .replace("<!--chapter content-->", "")
            .replace("<!--/chapter content-->", "")
            .replace("<div class=\"userstuff\">", "")
            .replace("</p>\n  </div>", "</p>\n");
        let prepared = read(&html);
        assert_eq!(prepared.draft.chapters.len(), 1);
        assert_eq!(prepared.draft.chapters[0].title, "");
        assert_eq!(prepared.draft.chapters[0].body.paragraphs.len(), 2);
        assert_eq!(
            prepared.draft.chapters[0].body.words(),
            read(ONESHOT).draft.chapters[0].body.words()
        );
    }

    #[test]
    fn a_one_chapter_work_in_a_bare_userstuff_block() {
        let html = ONESHOT
            .replace("<!--chapter content-->", "")
            .replace("<!--/chapter content-->", "")
            .replace("<h2 class=\"toc-heading\">Low Tide, Early</h2>", "");
        let prepared = read(&html);
        assert_eq!(prepared.draft.chapters.len(), 1);
        assert_eq!(
            prepared.draft.chapters[0].body.words(),
            read(ONESHOT).draft.chapters[0].body.words()
        );
    }

    #[test]
    fn without_markers_or_classes_the_headings_divide_the_chapters() {
        let html = CURRENT
            .replace("<!--chapter content-->", "")
            .replace("<!--/chapter content-->", "")
            .replace(" class=\"userstuff\"", "")
            .replace(" class=\"heading\"", "");
        let prepared = read(&html);
        let titles: Vec<&str> = prepared
            .draft
            .chapters
            .iter()
            .map(|c| c.title.as_str())
            .collect();
        assert_eq!(titles, vec!["The Salt Road", "Lamplight", ""]);
        for (chapter, body) in prepared.draft.chapters.iter().zip(bodies_by_hand(CURRENT)) {
            let kept = quire_text::lossless::letters_of(&chapter.body.words().concat());
            let story = quire_text::lossless::html_letters(body);
            assert!(
                story.len() > 100 && kept.contains(&story),
                "the story text is all there, notes around it"
            );
        }
    }

    #[test]
    fn a_one_chapter_work_with_a_heading() {
        // Since 2026 a chaptered work with one chapter shows its heading.
        let html = ONESHOT.replace(
            "<h2 class=\"toc-heading\">Low Tide, Early</h2>",
            "<div class=\"meta group\"><h2 class=\"heading\">Chapter 1: Shells</h2></div>",
        );
        assert_eq!(read(&html).draft.chapters[0].title, "Shells");
    }

    #[test]
    fn names_quire_does_not_know_are_refused_clearly() {
        let err = read_err(&CURRENT.replace("Teen And Up Audiences</a>", "Spicy</a>"));
        assert!(matches!(
            err,
            ImportError::Tag {
                field: "rating",
                ..
            }
        ));
        let message = err.to_string();
        assert!(message.contains("\"Spicy\" is not a rating"), "{message}");
        assert!(message.contains("Teen And Up Audiences"), "{message}");

        let err = read_err(&CURRENT.replace("Major Character Death</a>", "Sad Ending</a>"));
        assert!(
            err.to_string()
                .contains("\"Sad Ending\" is not an archive warning"),
            "{err}"
        );

        let err = read_err(
            &CURRENT
                .replace(">Gen</a>", ">No Archive Warnings Apply</a>")
                .replace(
                    "Graphic Depictions Of Violence</a>, <a",
                    "No Archive Warnings Apply</a>, <a",
                ),
        );
        assert!(err.to_string().contains("stands alone"), "{err}");

        let err = read_err(&CURRENT.replace(">F/F</a>", ">Femslash</a>"));
        assert!(err.to_string().contains("is not a category"), "{err}");
    }

    #[test]
    fn the_old_name_of_a_warning_is_read() {
        let html = OLD.replace(">No Archive Warnings Apply</a>", ">Underage</a>");
        assert!(read(&html)
            .draft
            .warnings
            .contains(ArchiveWarning::UnderageSex));
    }

    #[test]
    fn labels_are_matched_by_case_and_number_not_wording() {
        let html = OLD
            .replace("<dt>Fandom:</dt>", "<dt>FANDOMS</dt>")
            .replace("<dt>Character:</dt>", "<dt> characters :</dt>");
        let draft = read(&html).draft;
        assert_eq!(draft.fandoms, vec!["Night Trains (TV)"]);
        assert_eq!(draft.characters, vec!["Abel Fenn", "Jory Crane"]);
    }

    #[test]
    fn stats_in_a_nested_list() {
        let html = OLD.replace(
            "<dd>Published: 2019-06-02 Completed: 2020-01-15 Words: 4210 Chapters: 2/2</dd>",
            "<dd><dl class=\"stats\"><dt>Published:</dt><dd>2019-06-02</dd><dt>Words:</dt>\
             <dd>4,210</dd><dt>Chapters:</dt><dd>2/3</dd></dl></dd>",
        );
        let metadata = read_metadata(&Html::parse_document(&html));
        assert_eq!(metadata.published.as_deref(), Some("2019-06-02"));
        assert_eq!(metadata.words, Some(4210));
        assert_eq!(metadata.chapters, Some((2, Some(3))));
        let draft = read(&html).draft;
        assert!(!draft.complete);
        assert_eq!(draft.expected_chapters, Some(3));
    }

    #[test]
    fn a_preface_and_afterword_with_no_chapter_between_is_refused_clearly() {
        let (preface, _) = CURRENT.split_once("<div id=\"chapters\"").unwrap();
        let html = format!(
            "{preface}<div id=\"afterword\"><h2>End Notes</h2><blockquote><p>Bye.</p></blockquote></div></body></html>"
        );
        assert!(matches!(read_err(&html), ImportError::Empty));
    }

    #[test]
    fn bodies_without_a_preface_are_not_downloads() {
        let body = "<div class=\"userstuff\"><p>The chapters were long.</p><p>Tags too.</p></div>";
        assert!(try_read(body, SourceEncoding::Utf8, "x").is_none());
        let page = "<html><body><h1>Chapters</h1><dl><dt>Tags</dt><dd>x</dd></dl></body></html>";
        assert!(try_read(page, SourceEncoding::Utf8, "x").is_none());
    }

    #[test]
    fn chapter_titles_in_every_wording() {
        assert_eq!(chapter_title("Chapter 3: The Tide", Some(3)), "The Tide");
        assert_eq!(chapter_title("chapter 3 - The Tide", Some(3)), "The Tide");
        assert_eq!(chapter_title("Chapter 3", Some(3)), "");
        assert_eq!(chapter_title("The Tide", Some(3)), "The Tide");
        assert_eq!(chapter_title("Chapter 12", Some(5)), "Chapter 12");
        assert_eq!(
            chapter_title("Chapter 5: Chapter 12", Some(5)),
            "Chapter 12"
        );
        assert_eq!(
            chapter_title("Chapters of Salt", Some(1)),
            "Chapters of Salt"
        );
        assert_eq!(chapter_title("Chapter 7: Seven", None), "Seven");
    }

    #[test]
    fn series_in_both_shapes() {
        let ao3 = Value {
            text: "Part 12 of The 100 Tales".into(),
            links: vec!["The 100 Tales".into()],
        };
        assert_eq!(parse_series(&ao3), Some(("The 100 Tales".into(), 12)));
        let plain = Value {
            text: "Part 3 of Tidewater".into(),
            links: vec![],
        };
        assert_eq!(parse_series(&plain), Some(("Tidewater".into(), 3)));
        let fanficfare = Value {
            text: "The 100 Tales [4]".into(),
            links: vec![],
        };
        assert_eq!(parse_series(&fanficfare), Some(("The 100 Tales".into(), 4)));
        let linked_brackets = Value {
            text: "Part 3 of Tales [2] of 1001 Nights".into(),
            links: vec!["Tales [2] of 1001 Nights".into()],
        };
        assert_eq!(
            parse_series(&linked_brackets),
            Some(("Tales [2] of 1001 Nights".into(), 3)),
            "a linked name is the name, brackets and numbers and all"
        );
    }

    #[test]
    fn language_names_become_codes() {
        assert_eq!(language_code("English"), "en");
        assert_eq!(language_code("español"), "es");
        assert_eq!(language_code("Português brasileiro"), "pt-BR");
        assert_eq!(language_code("中文-普通话 國語"), "zh");
        assert_eq!(language_code("日本語"), "ja");
        assert_eq!(language_code("pt-BR"), "pt-BR");
        assert_eq!(language_code("de"), "de");
        assert_eq!(
            language_code("Klingon (tlhIngan Hol)"),
            "en",
            "unknown: the default"
        );
    }

    #[test]
    fn a_download_nested_absurdly_deep_is_read_as_plain_html_without_overflowing() {
        let depth = 20_000;
        let deep = format!(
            "{}<h3>Chapter 9: Down</h3><p>At the bottom.</p>{}</body>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let crafted = CURRENT.replacen("</body>", &deep, 1);
        let prepared =
            crate::import::prepare(std::path::Path::new("work.html"), crafted.as_bytes())
                .expect("read as HTML");
        let text: Vec<&String> = prepared
            .draft
            .chapters
            .iter()
            .flat_map(|c| &c.body.paragraphs)
            .collect();
        // Too deep to parse at all: the file is read as the text it is,
        // markup and words alike.
        assert!(text.iter().any(|p| p.contains("At the bottom.")));
        assert!(prepared
            .draft
            .chapters
            .iter()
            .all(|c| !c.html.contains("<div")));
    }
}
