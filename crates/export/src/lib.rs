//! quire-export: a work, or a series of works, as the bytes of a download.
//!
//! Pure functions, data in and bytes out: no I/O, no network, nothing
//! fetched. Three formats, all laid out like AO3's downloads (preface with
//! tags and stats, chapters with their notes, end notes):
//!
//! - [`epub`]: EPUB 3 with an EPUB 2 NCX, valid to epubcheck;
//!   [`series_epub`] puts every work of a series into one book.
//! - [`html`]: one HTML file with its stylesheet inside, readable offline.
//! - [`txt`]: UTF-8 plain text wrapped at 78 columns.
//! - [`pdf`]: a PDF typeset in process by typst, on A5 or US letter
//!   ([`Options::with_paper`]), in fonts from Debian's font packages.
//!
//! A reader's reader-insert fill ([`Options::with_fill`]) is applied as
//! the download is made, never stored; a filled copy says so in its
//! preface.
//!
//! The bytes depend only on the work, the base URL and the fill (an EPUB
//! is dated by the work's last update, not by the clock), so a cache keyed
//! by work id, `version` and format serves every reader who has no fill.
//! Who may download what (drafts, registered-only works) is the caller's
//! to decide, as with `Archive::work`.
//!
//! ```no_run
//! # fn demo(work: &quire_archive::Work) -> Result<(), quire_export::ExportError> {
//! let options = quire_export::Options::new("https://archive.example")?;
//! let bytes = quire_export::epub(work, &options)?;
//! let name = quire_export::file_name(work, "epub");
//! # Ok(()) }
//! ```

mod cover;
mod dates;
mod epub;
mod html;
mod names;
mod pages;
mod pdf;
mod txt;
mod view;
pub mod xhtml;

use quire_archive::{Work, WorkId};
use quire_text::FillProfile;

pub use names::{file_name, series_file_name};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the link base `{0}` is not a web address; give one such as https://archive.example")]
    BaseUrl(String),
    #[error("a series download needs at least one work")]
    EmptySeries,
    #[error(
        "work {work} is not part of series {series}, so it can't go into that series' download"
    )]
    NotInSeries { work: WorkId, series: i64 },
    #[error("could not write the EPUB: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("could not write the EPUB: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "the PDF needs a font for `{character}` (U+{code:04X}) and none is installed; install Debian's {package} (apt-get install {package})",
        code = *character as u32
    )]
    FontMissing {
        character: char,
        package: &'static str,
    },
    #[error("typst could not typeset the PDF: {0}")]
    Typeset(String),
}

/// The download formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Epub,
    Html,
    Txt,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Epub, Format::Html, Format::Txt, Format::Pdf];

    /// The file extension, which is also the name in URLs and on the
    /// command line.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Txt => "txt",
            Format::Pdf => "pdf",
        }
    }

    /// The `Content-Type` to serve it with.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Epub => "application/epub+zip",
            Format::Html => "text/html; charset=utf-8",
            Format::Txt => "text/plain; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| {
            f.extension()
                .eq_ignore_ascii_case(ext.trim_start_matches('.'))
        })
    }
}

/// The page size of a PDF.
///
/// A5 unless asked otherwise: a book's page, near the shape of the phones,
/// tablets and e-readers most downloads are read on, where a letter or A4
/// page shrinks to unreadable or scrolls sideways; it prints two to a
/// sheet of A4. US letter is there for those who print on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    #[default]
    A5,
    Letter,
}

impl Paper {
    pub const ALL: [Paper; 2] = [Paper::A5, Paper::Letter];

    /// The name in URLs (`?paper=letter`) and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A5 => "a5",
            Paper::Letter => "letter",
        }
    }

    pub fn from_name(name: &str) -> Option<Paper> {
        Paper::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How a download is made: where its links point, whose fill it reads
/// with, and (for a PDF) its paper.
#[derive(Debug, Clone)]
pub struct Options {
    base: url::Url,
    fill: FillProfile,
    paper: Paper,
    pictures: std::sync::Arc<[Picture]>,
    carrying: Carrying,
}

/// A picture the archive keeps (an upload), to carry inside a download in
/// place of its alt text.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Its addresses as chapter HTML may name it (`/media/…`: the picture
    /// and its smaller copies).
    pub addresses: Vec<String>,
    /// `image/png` or `image/jpeg`.
    pub media_type: &'static str,
    /// `png` or `jpg`.
    pub extension: &'static str,
    pub bytes: Vec<u8>,
}

/// How a download carries the archive's own pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carrying {
    /// Not at all: their alt text stands in (text, PDF).
    AltText,
    /// As files of the book (EPUB).
    Packed,
    /// Inside the page, as `data:` addresses (the one-file HTML).
    Inline,
}

impl Options {
    /// `base_url` is the archive's public address (`https://archive.example`,
    /// or with a path prefix); downloads link back to the work and its tags
    /// there.
    pub fn new(base_url: &str) -> Result<Options, ExportError> {
        let mut base = url::Url::parse(base_url.trim())
            .map_err(|_| ExportError::BaseUrl(base_url.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ExportError::BaseUrl(base_url.to_string()));
        }
        base.set_query(None);
        base.set_fragment(None);
        Ok(Options {
            base,
            fill: FillProfile::new(),
            paper: Paper::default(),
            pictures: std::sync::Arc::new([]),
            carrying: Carrying::AltText,
        })
    }

    /// The archive's own pictures the work's chapters show: EPUB and HTML
    /// downloads carry them; the others give their alt text.
    pub fn with_pictures(mut self, pictures: Vec<Picture>) -> Options {
        self.pictures = pictures.into();
        self
    }

    fn carrying(&self, carrying: Carrying) -> Options {
        Options {
            carrying,
            ..self.clone()
        }
    }

    /// The pictures an EPUB packs, with the file each is packed as.
    pub(crate) fn packed_pictures(&self) -> Vec<(String, &Picture)> {
        if self.carrying != Carrying::Packed {
            return Vec::new();
        }
        self.pictures
            .iter()
            .enumerate()
            .map(|(i, picture)| (format!("images/p{i}.{}", picture.extension), picture))
            .collect()
    }
}

impl xhtml::ArchiveFiles for Options {
    /// What an `<img>` of the archive's own at `address` shows in this
    /// download, if it shows it at all.
    fn picture_src(&self, address: &str) -> Option<String> {
        if self.carrying == Carrying::AltText {
            return None;
        }
        let (index, picture) = self
            .pictures
            .iter()
            .enumerate()
            .find(|(_, picture)| picture.addresses.iter().any(|a| a == address))?;
        Some(match self.carrying {
            Carrying::Packed => format!("images/p{index}.{}", picture.extension),
            _ => {
                use base64::Engine;
                format!(
                    "data:{};base64,{}",
                    picture.media_type,
                    base64::engine::general_purpose::STANDARD.encode(&picture.bytes)
                )
            }
        })
    }

    /// Uploads live at `/media/…` under the archive's address.
    fn file_link(&self, address: &str) -> Option<String> {
        let path = address.strip_prefix("/media/")?;
        let base = self.base.as_str().trim_end_matches('/');
        Some(format!("{base}/media/{path}"))
    }
}

impl Options {
    /// Fills reader-insert placeholders (`Y/N`, `E/C`…) with this
    /// reader's values; codes it lacks stay as written.
    pub fn with_fill(mut self, fill: FillProfile) -> Options {
        self.fill = fill;
        self
    }

    /// The page size of a PDF; other formats have none.
    pub fn with_paper(mut self, paper: Paper) -> Options {
        self.paper = paper;
        self
    }

    pub fn paper(&self) -> Paper {
        self.paper
    }

    fn at(&self, segments: &[&str]) -> url::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The archive as a book's publisher: its host, as readers know it
    /// (`archive.example`).
    pub(crate) fn publisher(&self) -> String {
        self.base.host_str().unwrap_or("quire").to_string()
    }

    pub(crate) fn work_url(&self, id: WorkId) -> String {
        self.at(&["works", &id.to_string()]).to_string()
    }

    pub(crate) fn series_url(&self, id: i64) -> String {
        self.at(&["series", &id.to_string()]).to_string()
    }

    pub(crate) fn tag_url(&self, tag: &str) -> String {
        // A tag is anything a writer typed: every character but RFC 3986's
        // unreserved ones is escaped (the URL crate's path escaping keeps
        // `[`, `]` and `'`, which epubcheck rightly refuses in a path).
        const OUTSIDE_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let tags = self.at(&["tags"]).to_string();
        format!(
            "{tags}/{}/works",
            percent_encoding::utf8_percent_encode(tag, OUTSIDE_UNRESERVED)
        )
    }

    pub(crate) fn author_url(&self, name: &str) -> String {
        let mut url = self.at(&["works"]);
        url.query_pairs_mut().append_pair("author", name);
        url.to_string()
    }
}

/// The work as an EPUB 3 book.
pub fn epub(work: &Work, options: &Options) -> Result<Vec<u8>, ExportError> {
    epub::pack(&epub::work_book(work, &options.carrying(Carrying::Packed)))
}

/// Every work of series `series` in one EPUB, in series order (by each
/// work's part number). Every work given must belong to the series.
pub fn series_epub(series: i64, works: &[Work], options: &Options) -> Result<Vec<u8>, ExportError> {
    epub::pack(&epub::series_book(series, works, options)?)
}

/// The work as one self-contained HTML file.
pub fn html(work: &Work, options: &Options) -> Vec<u8> {
    let options = options.carrying(Carrying::Inline);
    quire_text::without_controls(&html::document(work, &options))
        .into_owned()
        .into_bytes()
}

/// The work as UTF-8 plain text.
pub fn txt(work: &Work, options: &Options) -> Vec<u8> {
    quire_text::without_controls(&txt::document(work, options))
        .into_owned()
        .into_bytes()
}

/// A work's generated cover, the one inside its EPUB, as an SVG document:
/// what the OPDS catalog shows e-reader apps before they download.
pub fn cover_svg(work: &Work, options: &Options) -> String {
    let view = view::WorkView::new(work, options);
    cover::svg(&work.title, &view.byline(), &epub::identifier(&view.url))
}

/// The work as a PDF on `options`' paper (A5 unless
/// [`Options::with_paper`] says otherwise). Fails, naming the Debian
/// package to install, when the work is written in a script no installed
/// font covers.
pub fn pdf(work: &Work, options: &Options) -> Result<Vec<u8>, ExportError> {
    pdf::document(work, options)
}

/// The work in `format`: one entry point for a download route.
pub fn export(work: &Work, format: Format, options: &Options) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Epub => epub(work, options),
        Format::Html => Ok(html(work, options)),
        Format::Txt => Ok(txt(work, options)),
        Format::Pdf => pdf(work, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let options = Options::new("https://a.example/archive/").unwrap();
        assert_eq!(options.work_url(7), "https://a.example/archive/works/7");
        assert_eq!(
            options.tag_url("Kylo Ren/Rey"),
            "https://a.example/archive/tags/Kylo%20Ren%2FRey/works"
        );
        assert_eq!(
            options.author_url("Zoë & co"),
            "https://a.example/archive/works?author=Zo%C3%AB+%26+co"
        );
        let bare = Options::new("http://127.0.0.1:8080").unwrap();
        assert_eq!(bare.work_url(1), "http://127.0.0.1:8080/works/1");
        assert!(matches!(
            Options::new("archive.example"),
            Err(ExportError::BaseUrl(_))
        ));
        assert!(matches!(
            Options::new("mailto:a@b"),
            Err(ExportError::BaseUrl(_))
        ));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_extension(".EPUB"), Some(Format::Epub));
        assert_eq!(Format::from_extension("txt"), Some(Format::Txt));
        assert_eq!(Format::from_extension("pdf"), Some(Format::Pdf));
        assert_eq!(Format::from_extension("mobi"), None);
        assert_eq!(Paper::from_name("Letter"), Some(Paper::Letter));
        assert_eq!(Paper::from_name("a5"), Some(Paper::A5));
        assert_eq!(Paper::from_name("a4"), None);
    }
}
