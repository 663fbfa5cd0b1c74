//! Importing works from files: AO3 downloads (HTML), EPUBs, and raw text
//! and HTML bodies through quire-text. The same file imported twice is one
//! work (its bytes' SHA-256 is kept).

mod ao3;
mod epub;
mod storing;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::model::{ChapterDraft, Formatted, Rating, Warnings, WorkDraft};

/// The fandom AO3 gives works whose fandom nobody has said yet.
pub const UNSPECIFIED_FANDOM: &str = "Unspecified Fandom";

/// The largest file (or corpus line) read as one work. AO3's longest works
/// download as a few tens of megabytes; anything past this is not a work
/// but a mistake or an attack, and is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// Longest first line that can be a title rather than a sentence.
const TITLE_LINE_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Text(#[from] quire_text::AnalyzeError),
    #[error("this line is not a work as `quire corpus` writes it ({0})")]
    Corpus(String),
    #[error("there is no story text in it")]
    Empty,
    #[error(transparent)]
    Invalid(#[from] crate::model::ModelError),
    #[error("the file's {field} can't be imported: {source}; correct it in the file and import it again")]
    Tag {
        field: &'static str,
        source: crate::model::ModelError,
    },
    #[error("this is not a readable EPUB ({reason}); open it in an e-book reader or calibre and save it again, or import its chapters as HTML files")]
    NotAnEpub { reason: String },
    #[error("the EPUB has no {what}; re-save it with calibre (or another EPUB editor), or import its chapters as HTML files")]
    EpubIncomplete { what: String },
    #[error("it is {} MiB; a work is read from at most {} MiB, so this is not imported. If it is really one work, split it into smaller files", .bytes >> 20, MAX_FILE_BYTES >> 20)]
    TooLarge { bytes: u64 },
    #[error("it could not be read to the end ({0})")]
    Read(String),
}

/// Refuses a file (or line) too large to be one work, by its size alone.
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes });
    }
    Ok(())
}

/// A file read into a work draft, and the hash that identifies the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub draft: WorkDraft,
    pub content_hash: String,
    /// The work's creators as the file names them (an AO3 download does);
    /// empty when the file doesn't say, and the importer's pseud is used.
    pub creators: Vec<String>,
    /// The series the file places the work in: its name and the work's
    /// part number (an AO3 download's "Part 2 of …").
    pub series: Option<(String, u32)>,
    /// When the work was first published, as `YYYY-MM-DD`, if the file says.
    pub published: Option<String>,
    /// When it was last updated (or completed), as `YYYY-MM-DD`, if the
    /// file says.
    pub updated: Option<String>,
    /// Where the work was first posted (an AO3 download gives its address).
    pub source_url: Option<String>,
    /// Kudos and hits the work arrives with (a generated corpus states them).
    pub seed_counts: Option<crate::SeedCounts>,
}

/// Reads a corpus file (`works.jsonl`, as `quire corpus` writes it): one
/// prepared work, or the reason it can't be, per non-empty line, with its
/// line number. Each line is its own work, known by its own hash.
pub fn prepare_lines(bytes: &[u8]) -> Vec<(usize, Result<Prepared, ImportError>)> {
    CorpusLines::new(bytes).collect()
}

/// A corpus read a line at a time, so that a corpus of any size is read in
/// the memory of its longest line, and no line is held past
/// [`MAX_FILE_BYTES`]: a longer one is refused and skipped unread.
pub struct CorpusLines<R> {
    reader: R,
    line: usize,
    buffer: Vec<u8>,
    /// The longest line read; [`MAX_FILE_BYTES`] but in tests.
    limit: u64,
    done: bool,
}

impl<R: std::io::BufRead> CorpusLines<R> {
    pub fn new(reader: R) -> CorpusLines<R> {
        CorpusLines::with_limit(reader, MAX_FILE_BYTES)
    }

    fn with_limit(reader: R, limit: u64) -> CorpusLines<R> {
        CorpusLines {
            reader,
            line: 0,
            buffer: Vec::new(),
            limit,
            done: false,
        }
    }

    /// The next line, or its refusal; `None` at the end.
    fn next_line(&mut self) -> Option<Result<(), ImportError>> {
        use std::io::{BufRead, Read};
        self.buffer.clear();
        self.line += 1;
        let limit = self.limit + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer);
        match read {
            Err(err) => Some(Err(ImportError::Read(err.to_string()))),
            Ok(0) => None,
            Ok(n) if n as u64 == limit && self.buffer.last() != Some(&b'\n') => {
                // The rest of the line is passed over without being kept.
                let skipped = match self.reader.skip_until(b'\n') {
                    Ok(more) => n as u64 + more as u64,
                    Err(err) => return Some(Err(ImportError::Read(err.to_string()))),
                };
                self.buffer.clear();
                Some(Err(ImportError::TooLarge { bytes: skipped }))
            }
            Ok(_) => Some(Ok(())),
        }
    }
}

impl<R: std::io::BufRead> Iterator for CorpusLines<R> {
    type Item = (usize, Result<Prepared, ImportError>);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.next_line() {
                None => self.done = true,
                Some(Err(err)) => {
                    // A read error ends the file; a long line ends only itself.
                    self.done = matches!(err, ImportError::Read(_));
                    return Some((self.line, Err(err)));
                }
                Some(Ok(())) => {
                    let line = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
                    if !line.iter().all(u8::is_ascii_whitespace) {
                        return Some((self.line, prepare_line(line)));
                    }
                }
            }
        }
        None
    }
}

fn prepare_line(line: &[u8]) -> Result<Prepared, ImportError> {
    let work: crate::corpus::GeneratedWork =
        serde_json::from_slice(line).map_err(|e| ImportError::Corpus(e.to_string()))?;
    Ok(Prepared {
        draft: work.draft()?,
        content_hash: crate::hex(&Sha256::digest(line)),
        creators: work.authors.clone(),
        series: None,
        published: Some(work.published.clone()),
        updated: Some(work.updated.clone()),
        source_url: None,
        seed_counts: Some(crate::SeedCounts {
            kudos: work.kudos,
            hits: work.hits,
        }),
    })
}

/// Reads a file's bytes into a draft: an EPUB (by its zip signature or
/// `.epub` name), an AO3 download (by its structure), or otherwise raw text
/// or HTML. Untagged works get Not Rated and "Creator Chose Not To Use
/// Archive Warnings" until someone sets them.
pub fn prepare(path: &Path, bytes: &[u8]) -> Result<Prepared, ImportError> {
    check_size(bytes.len() as u64)?;
    let content_hash = crate::hex(&Sha256::digest(bytes));
    let read = if epub::is_epub(path, bytes) {
        Some(epub::read(bytes, &title_from_file_name(path)))
    } else {
        quire_text::decode::decode(bytes).ok().and_then(|decoded| {
            ao3::try_read(&decoded.text, decoded.encoding, &title_from_file_name(path))
        })
    };
    if let Some(read) = read {
        return read.map(|prepared| Prepared {
            content_hash,
            ..prepared
        });
    }
    prepare_raw(path, bytes, content_hash)
}

/// Raw text or an HTML body: one chapter, its title from the text or the
/// file's name.
fn prepare_raw(path: &Path, bytes: &[u8], content_hash: String) -> Result<Prepared, ImportError> {
    let mut manuscript = quire_text::analyze(bytes)?;
    if manuscript.paragraphs.is_empty() {
        return Err(ImportError::Empty);
    }
    let title = match manuscript.title.clone() {
        Some(title) => title,
        None => take_title_line(&mut manuscript).unwrap_or_else(|| title_from_file_name(path)),
    };
    // The notes the text pipeline split off become the work's notes, as AO3
    // shows them; past AO3's length they stay only in the manuscript.
    let within_limit = |notes: &str| {
        if notes.chars().count() <= crate::model::limits::NOTES_CHARS {
            Formatted::from_text(notes)
        } else {
            Formatted::default()
        }
    };
    let draft = WorkDraft {
        title,
        summary: manuscript
            .summary
            .as_deref()
            .filter(|s| s.chars().count() <= crate::model::limits::SUMMARY_CHARS)
            .map(Formatted::from_text)
            .unwrap_or_default(),
        notes_start: within_limit(&manuscript.notes.start),
        notes_end: within_limit(&manuscript.notes.end),
        language: "en".into(),
        rating: Rating::NotRated,
        warnings: Warnings::chose_not_to_use(),
        categories: Default::default(),
        fandoms: vec![UNSPECIFIED_FANDOM.into()],
        relationships: vec![],
        characters: vec![],
        freeforms: vec![],
        complete: true,
        expected_chapters: Some(1),
        restricted: false,
        draft: false,
        chapters: vec![chapter_of_raw(bytes, manuscript)],
    };
    draft.validate()?;
    Ok(Prepared {
        draft,
        content_hash,
        creators: Vec::new(),
        series: None,
        published: None,
        updated: None,
        source_url: None,
        seed_counts: None,
    })
}

/// HTML keeps the author's formatting, sanitized; text gets paragraphs.
fn chapter_of_raw(bytes: &[u8], manuscript: quire_text::Manuscript) -> ChapterDraft {
    let html = match manuscript.format {
        quire_text::SourceFormat::Html => quire_text::repair_bytes(bytes)
            .map(|repaired| crate::sanitize::sanitize(&repaired.text))
            .unwrap_or_else(|_| crate::sanitize::html_of(&manuscript)),
        quire_text::SourceFormat::Text => crate::sanitize::html_of(&manuscript),
    };
    ChapterDraft {
        html,
        ..ChapterDraft::from_manuscript(manuscript)
    }
}

/// A short first paragraph with no sentence in it, followed by the story,
/// is the title (`Ashes` / `Chapter One: Ashes`); it moves out of the text.
fn take_title_line(manuscript: &mut quire_text::Manuscript) -> Option<String> {
    let first = manuscript.paragraphs.first()?;
    // HTML bodies (AO3's among them) carry their title elsewhere.
    let looks_like_title = manuscript.format == quire_text::SourceFormat::Text
        && manuscript.paragraphs.len() > 1
        && first.chars().count() <= TITLE_LINE_CHARS
        && !first.contains('\n')
        && !first.ends_with(['.', '!', '?', ',', ';', ':', '"', '”'])
        && !first.starts_with(['"', '“', '\'', '‘', '(', '['])
        && !manuscript.scene_breaks.contains(&1);
    if !looks_like_title {
        return None;
    }
    let title = manuscript.paragraphs.remove(0);
    for index in &mut manuscript.scene_breaks {
        *index -= 1;
    }
    manuscript.scene_breaks.retain(|&i| i > 0);
    manuscript.counts = quire_text::count::count(manuscript.paragraphs.iter().map(String::as_str));
    manuscript.word_count = manuscript.counts.words;
    Some(title)
}

fn title_from_file_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let spaced = stem.replace(['_', '-'], " ");
    let tidy = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if tidy.is_empty() {
        "Untitled".into()
    } else {
        tidy
    }
}

/// Files an import of `path` reads: the file itself, or every `.txt`,
/// `.html`, `.htm` and `.epub` file under a folder, in name order.
pub fn files_under(path: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let entry_path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(entry_path);
            } else if entry_path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| {
                    matches!(
                        e.to_ascii_lowercase().as_str(),
                        "txt" | "html" | "htm" | "epub" | "jsonl"
                    )
                })
            {
                found.push(entry_path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_line(seed: u64) -> String {
        let work = crate::corpus::generate(1, seed).next().unwrap();
        serde_json::to_string(&work).unwrap()
    }

    #[test]
    fn a_corpus_line_past_the_limit_is_refused_unkept_and_the_next_line_read() {
        let (good, also_good) = (corpus_line(1), corpus_line(2));
        let limit = good.len().max(also_good.len()) as u64 + 10;
        let long = format!("{{\"title\": \"{}\"}}", "x".repeat(3 * limit as usize));
        let text = format!("{good}\n\n{long}\n{also_good}\n");
        let mut lines = CorpusLines::with_limit(text.as_bytes(), limit);
        let (first, read) = lines.next().unwrap();
        assert_eq!(first, 1);
        assert!(read.is_ok(), "{read:?}");
        let (third, refused) = lines.next().unwrap();
        assert_eq!(third, 3, "the blank line is passed over, and counted");
        match refused {
            Err(ImportError::TooLarge { bytes }) => assert_eq!(bytes, long.len() as u64 + 1),
            other => panic!("{other:?}"),
        }
        // Never more than the limit was held.
        assert!(lines.buffer.capacity() as u64 <= 2 * (limit + 1));
        let (fourth, read) = lines.next().unwrap();
        assert_eq!(fourth, 4);
        assert!(read.is_ok(), "{read:?}");
        assert!(lines.next().is_none());
        // All at once, as before: the same lines.
        let all = prepare_lines(text.as_bytes());
        assert_eq!(all.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3, 4]);
    }

    #[test]
    fn a_file_past_the_limit_is_refused_by_its_size() {
        // Zeroed, so the allocation is never touched.
        let huge = vec![0u8; MAX_FILE_BYTES as usize + 1];
        let refused = prepare(Path::new("huge.txt"), &huge).unwrap_err();
        assert!(
            refused
                .to_string()
                .starts_with("it is 128 MiB; a work is read from at most 128 MiB"),
            "{refused}"
        );
    }

    #[test]
    fn a_first_line_title_moves_out_of_the_text() {
        let prepared = prepare(
            Path::new("x.txt"),
            b"Ashes\n\nThe halls burned.\n\n***\n\nHe left.",
        )
        .unwrap();
        assert_eq!(prepared.draft.title, "Ashes");
        let body = &prepared.draft.chapters[0].body;
        assert_eq!(body.paragraphs, vec!["The halls burned.", "He left."]);
        assert_eq!(body.scene_breaks, vec![1]);
        assert_eq!(body.word_count, 5);
    }

    #[test]
    fn otherwise_the_file_name_is_the_title() {
        let prepared = prepare(
            Path::new("/x/my_first-fic.txt"),
            b"\"Hi,\" she said.\n\nHe left.",
        )
        .unwrap();
        assert_eq!(prepared.draft.title, "my first fic");
        assert_eq!(prepared.draft.rating, Rating::NotRated);
        assert_eq!(prepared.draft.fandoms, vec![UNSPECIFIED_FANDOM]);
    }

    #[test]
    fn a_labelled_title_wins() {
        let prepared = prepare(Path::new("x.txt"), b"Title: Embers\n\nIt burned.").unwrap();
        assert_eq!(prepared.draft.title, "Embers");
    }

    #[test]
    fn an_html_files_title_is_its_title() {
        let saved = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
            <title>Salt &amp; Smoke: \"Part One\"</title></head>\
            <body><p>She waited.</p><p>He came.</p></body></html>";
        let prepared = prepare(Path::new("/x/saved_page.html"), saved).unwrap();
        assert_eq!(prepared.draft.title, "Salt & Smoke: \"Part One\"");
        assert_eq!(
            prepared.draft.chapters[0].body.paragraphs,
            vec!["She waited.", "He came."],
            "the title is not story text"
        );

        // A title the body gives wins over the window's.
        let labelled = b"<html><head><title>Window</title></head>\
            <body><p>Title: Embers</p><p>It burned.</p></body></html>";
        let prepared = prepare(Path::new("x.html"), labelled).unwrap();
        assert_eq!(prepared.draft.title, "Embers");

        // An AO3 download's own title wins over its `Title - Authors - Fandom`.
        let html = include_str!("../../tests/data/ao3-current.html").replace(
            "<title>The Cartographer's Lantern - ",
            "<title>Something Else - ",
        );
        let prepared = prepare(Path::new("download.html"), html.as_bytes()).unwrap();
        assert_eq!(prepared.draft.title, "The Cartographer's Lantern");

        // Without one, the file's name.
        let untitled = b"<html><head><title> </title></head><body><p>It burned.</p></body></html>";
        let prepared = prepare(Path::new("/x/embers_2.html"), untitled).unwrap();
        assert_eq!(prepared.draft.title, "embers 2");
    }

    #[test]
    fn the_same_bytes_hash_the_same() {
        let a = prepare(Path::new("a.txt"), b"Story text.").unwrap();
        let b = prepare(Path::new("b.txt"), b"Story text.").unwrap();
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.content_hash.len(), 64);
    }

    #[test]
    fn an_ao3_download_is_read_by_its_structure() {
        let html = include_str!("../../tests/data/ao3-2020.html");
        let prepared = prepare(Path::new("/x/download.html"), html.as_bytes()).unwrap();
        assert_eq!(prepared.draft.title, "Nine Stops to Harrowgate");
        assert_eq!(prepared.creators, vec!["tinwhistle"]);
        assert_eq!(prepared.draft.chapters.len(), 2);
        assert_eq!(
            prepared.content_hash,
            crate::hex(&Sha256::digest(html.as_bytes()))
        );
        // The same download saved as UTF-16 reads the same.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(html.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let again = prepare(Path::new("download.htm"), &utf16).unwrap();
        assert_eq!(again.draft.fandoms, vec!["Night Trains (TV)"]);
        assert_eq!(
            again.draft.chapters[0].body.encoding,
            quire_text::SourceEncoding::Utf16Le
        );
    }

    #[test]
    fn a_bare_ao3_body_is_plain_html() {
        let prepared = prepare(
            Path::new("/x/23796682.html"),
            b"<div class=\"userstuff\"><p>The chapters were long.</p><p>So were the tags.</p></div>",
        )
        .unwrap();
        assert_eq!(prepared.draft.title, "23796682");
        assert!(prepared.creators.is_empty() && prepared.series.is_none());
        assert_eq!(prepared.draft.chapters[0].body.paragraphs.len(), 2);
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert!(matches!(
            prepare(Path::new("e.txt"), b"  \n\n "),
            Err(ImportError::Empty)
        ));
        let err = prepare(Path::new("i.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
    }
}
