//! A work as a PDF, typeset by typst as a library: no calibre, no other
//! process. The work is written as typst markup laid out like the EPUB
//! (preface with tags, stats, summary and notes; each chapter from a new
//! page with its summary and notes; end notes), every piece of the
//! writer's text escaped (`markup`), then compiled and exported in
//! process.

mod fonts;
mod markup;

use std::sync::OnceLock;

use quire_archive::Work;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::view::{ChapterView, WorkView};
use crate::xhtml::Node;
use crate::{dates, ExportError, Options, Paper};

pub(crate) use fonts::Fonts;
use markup::{escape, string};

/// The work as PDF bytes, on `options`' paper.
pub(crate) fn document(work: &Work, options: &Options) -> Result<Vec<u8>, ExportError> {
    typeset(work, options, Fonts::system())
}

pub(crate) fn typeset(
    work: &Work,
    options: &Options,
    fonts: &'static Fonts,
) -> Result<Vec<u8>, ExportError> {
    let view = WorkView::new(work, options);
    let text = source(&view, options.paper, fonts);
    if let Some((character, package)) = fonts.missing(&text) {
        return Err(ExportError::FontMissing { character, package });
    }
    let world = Book {
        library: library(),
        fonts,
        source: Source::new(main_id()?, text),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    let pdf = compiled.and_then(|document| {
        let options = typst_pdf::PdfOptions {
            // The same work, version and paper is the same document to a
            // reader's library.
            ident: Smart::Custom(format!("{}#{}", view.url, options.paper.name())),
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
    });
    // typst keeps what it computed for the next compilation of the same
    // document; a server makes each PDF once, so that memory would only
    // grow.
    typst::comemo::evict(0);
    pdf.map_err(|errors| ExportError::Typeset(diagnostics(&errors)))
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The one file a download is compiled from.
fn main_id() -> Result<FileId, ExportError> {
    static ID: OnceLock<Option<FileId>> = OnceLock::new();
    ID.get_or_init(|| {
        VirtualPath::new("/work.typ")
            .ok()
            .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
    })
    .ok_or_else(|| ExportError::Typeset("typst refused the path /work.typ".into()))
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// What typst sees: one source file, the fonts, and no other file, no
/// package, no clock (a download must not change with the day it's made).
struct Book {
    library: &'static LazyHash<Library>,
    fonts: &'static Fonts,
    source: Source,
}

impl World for Book {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.source.id() {
            Ok(Bytes::from_string(self.source.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

impl Paper {
    /// The page setup: A5 in 10 point type, or US letter in 11 with the
    /// wider margins its width wants for a readable line.
    fn setup(self) -> &'static str {
        match self {
            Paper::A5 => {
                "#set page(paper: \"a5\", margin: (x: 16mm, top: 18mm, bottom: 20mm), numbering: \"1\")\n\
                 #set text(size: 10pt)\n"
            }
            Paper::Letter => {
                "#set page(paper: \"us-letter\", margin: (x: 1.25in, y: 1in), numbering: \"1\")\n\
                 #set text(size: 11pt)\n"
            }
        }
    }
}

/// typst's `lang` and `region` for the work's language code, when typst
/// knows them as such (it refuses anything but ISO codes).
fn lang_and_region(code: &str) -> (Option<String>, Option<String>) {
    let mut parts = code.trim().split(['-', '_']);
    let lang = parts
        .next()
        .filter(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase);
    let region = parts
        .next()
        .filter(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    (lang.clone(), lang.and(region))
}

/// The typst source of the whole download.
fn source(view: &WorkView<'_>, paper: Paper, fonts: &Fonts) -> String {
    let work = view.work;
    let body_words: usize = work.chapters.iter().map(|c| c.html.len()).sum();
    let mut out = String::with_capacity(body_words + body_words / 8 + 8_192);
    prelude(view, paper, fonts, &mut out);
    preface(view, &mut out);
    for chapter in &view.chapters {
        self::chapter(chapter, &mut out);
    }
    afterword(view, &mut out);
    out
}

fn prelude(view: &WorkView<'_>, paper: Paper, fonts: &Fonts, out: &mut String) {
    let work = view.work;
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| string(i)).collect();
        // A trailing comma: `("one",)` is an array, `("one")` a string.
        format!("({},)", quoted.join(", "))
    };
    let keywords = crate::epub::subjects(work);
    let updated = dates::civil(work.updated_at);
    out.push_str(&format!(
        "#set document(title: {}, author: {}, keywords: {}, date: datetime(year: {}, month: {}, day: {}, hour: {}, minute: {}, second: {}))\n",
        string(&work.title),
        if work.creators.is_empty() { "()".to_string() } else { list(&work.creators) },
        if keywords.is_empty() { "()".to_string() } else { list(&keywords) },
        updated.year, updated.month, updated.day, updated.hour, updated.minute, updated.second,
    ));
    out.push_str(paper.setup());
    let families: Vec<String> = fonts
        .families(&work.language)
        .iter()
        .map(|f| string(f))
        .collect();
    out.push_str(&format!("#set text(font: ({},)", families.join(", ")));
    let (lang, region) = lang_and_region(&work.language);
    if let Some(lang) = lang {
        out.push_str(&format!(", lang: {}", string(&lang)));
    }
    if let Some(region) = region {
        out.push_str(&format!(", region: {}", string(&region)));
    }
    out.push_str(")\n");
    let mono: Vec<String> = fonts
        .mono_family()
        .into_iter()
        .chain(fonts.families(&work.language).into_iter().skip(1))
        .map(string)
        .collect();
    out.push_str(&format!(
        "#let mono(body) = text(font: ({},), size: 0.9em, body)\n\
         #show raw: set text(font: ({},), size: 0.9em)\n",
        mono.join(", "),
        mono.join(", ")
    ));
    // Ragged right, as the EPUB and HTML downloads read: no justification,
    // so no hyphenation, and lines broken first-fit, which keeps a
    // 200,000-word work's typesetting near a second (bench/RESULTS.md).
    out.push_str(
        "#set par(spacing: 0.9em, leading: 0.6em)\n\
         #show heading: set block(above: 1.4em, below: 1em)\n\
         #show heading.where(level: 1): set text(size: 1.5em)\n\
         #show heading.where(level: 2): set text(size: 1.3em)\n\
         #show heading.where(level: 3): set text(size: 1.1em)\n\
         #show link: set text(fill: rgb(\"#1a4f8b\"))\n\
         #let row(label, body) = par(hanging-indent: 1.5em, justify: false)[#strong(label) #body]\n\
         #let labelled(label, body) = block[#strong(label) #quote(block: true, body)]\n\
         #let message(body) = text(size: 0.9em, body)\n",
    );
}

fn link(url: &str, label: &str, out: &mut String) {
    out.push_str(&format!("#link({})[", string(url)));
    escape(label, out);
    out.push(']');
}

fn labelled(label: &str, note: &[Node], out: &mut String) {
    if note.is_empty() {
        return;
    }
    out.push_str("\n\n#labelled[");
    escape(label, out);
    out.push_str("][");
    markup::nodes(note, out);
    out.push_str("]\n\n");
}

/// The preface: where the work was posted, its tags and stats, then its
/// title, authors, summary and notes (`pages::preface`'s order).
fn preface(view: &WorkView<'_>, out: &mut String) {
    let work = view.work;
    out.push_str("#message[#strong[");
    escape(&work.title, out);
    out.push_str("]#linebreak()Posted originally on the archive at ");
    link(&view.url, &view.url, out);
    out.push_str("\\.]\n\n");
    if let Some(note) = view.fill_note() {
        out.push_str("#message[");
        escape(&note, out);
        out.push_str("]\n\n");
    }
    for row in &view.rows {
        out.push_str("#row[");
        escape(&format!("{}:", row.label), out);
        out.push_str("][");
        for (i, item) in row.items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            escape(&item.before, out);
            match &item.url {
                Some(url) => link(url, &item.text, out),
                None => escape(&item.text, out),
            }
        }
        out.push_str("]\n\n");
    }
    out.push_str("#row[Stats\\:][");
    let stats: Vec<String> = view
        .stats
        .iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    escape(&stats.join(" "), out);
    out.push_str("]\n\n#heading(level: 1)[");
    escape(&work.title, out);
    out.push_str("]\n\n#emph[by ");
    if view.creators.is_empty() {
        out.push_str("Anonymous");
    }
    for (i, creator) in view.creators.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        link(&creator.url, &creator.name, out);
    }
    out.push_str("]\n\n");
    labelled("Summary", &view.summary, out);
    labelled("Notes", &view.notes_start, out);
    if view.has_end_notes() {
        escape("(See the end of the work for more notes.)", out);
        out.push_str("\n\n");
    }
}

/// One chapter, from a new page: heading, summary and notes, the text,
/// end notes.
fn chapter(chapter: &ChapterView, out: &mut String) {
    out.push_str("\n\n#pagebreak(weak: true)\n#heading(level: 2)[");
    escape(&chapter.heading, out);
    out.push_str("]\n\n");
    labelled("Chapter Summary", &chapter.summary, out);
    labelled("Chapter Notes", &chapter.notes_start, out);
    markup::nodes(&chapter.body, out);
    labelled("Chapter End Notes", &chapter.notes_end, out);
}

/// The work's end notes, or an afterword, and the way back to comment.
fn afterword(view: &WorkView<'_>, out: &mut String) {
    out.push_str("\n\n#pagebreak(weak: true)\n");
    if view.has_end_notes() {
        out.push_str("#heading(level: 2)[End Notes]\n\n#quote(block: true)[");
        markup::nodes(&view.notes_end, out);
        out.push_str("]\n\n");
    } else {
        out.push_str("#heading(level: 2)[Afterword]\n\n");
    }
    out.push_str("#message[Please ");
    link(&view.url, "drop by the archive and comment", out);
    out.push_str(" to let the creator know if you enjoyed their work!]\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_archive::model::ChapterDraft;
    use quire_archive::{Chapter, Work};

    /// A one-chapter work of `html`, with the corpus's first work's tags.
    fn work(html: &str) -> Work {
        let draft = quire_archive::corpus::generate(1, 3)
            .next()
            .and_then(|work| work.draft().ok())
            .expect("the corpus makes a work");
        let chapter = ChapterDraft::from_html(html);
        Work {
            id: 1,
            title: draft.title.clone(),
            summary: Default::default(),
            notes_start: Default::default(),
            notes_end: Default::default(),
            language: "en".into(),
            rating: draft.rating,
            warnings: draft.warnings.clone(),
            categories: draft.categories.iter().copied().collect(),
            fandoms: draft.fandoms.clone(),
            relationships: Vec::new(),
            characters: Vec::new(),
            freeforms: Vec::new(),
            creators: vec!["someone".into()],
            complete: true,
            expected_chapters: Some(1),
            word_count: chapter.body.word_count,
            restricted: false,
            draft: false,
            hidden: false,
            posted_at: 1_700_000_000,
            updated_at: 1_700_000_000,
            version: 1,
            series: Vec::new(),
            chapters: vec![Chapter {
                id: 1,
                position: 1,
                title: String::new(),
                summary: Default::default(),
                notes_start: Default::default(),
                notes_end: Default::default(),
                word_count: chapter.body.word_count,
                body: chapter.body,
                html: chapter.html,
            }],
        }
    }

    #[test]
    fn without_the_font_packages_latin_still_prints_and_cjk_names_its_package() {
        let embedded_only: &'static Fonts = Box::leak(Box::new(Fonts::search(&[])));
        let options = Options::new("https://quire.example").expect("a base URL");
        let latin = typeset(
            &work("<p>Plain words, Привет, κόσμε.</p>"),
            &options,
            embedded_only,
        )
        .expect("Libertinus sets Latin, Cyrillic and Greek");
        assert!(latin.starts_with(b"%PDF-"));
        let err = typeset(
            &work("<p>Plain words and 世界.</p>"),
            &options,
            embedded_only,
        )
        .expect_err("no font has CJK");
        assert!(
            matches!(
                err,
                ExportError::FontMissing {
                    character: '世',
                    package: "fonts-noto-cjk"
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("apt-get install fonts-noto-cjk"),
            "{err}"
        );
    }

    #[test]
    fn languages_as_typst_knows_them() {
        assert_eq!(
            lang_and_region("pt-BR"),
            (Some("pt".into()), Some("BR".into()))
        );
        assert_eq!(lang_and_region("en"), (Some("en".into()), None));
        assert_eq!(lang_and_region("English!"), (None, None));
        assert_eq!(lang_and_region(""), (None, None));
    }
}
