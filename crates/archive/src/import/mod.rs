//! Importing works from files: raw text and HTML bodies through quire-text.
//! The same file imported twice is one work (its bytes' SHA-256 is kept).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::model::{ChapterDraft, Rating, Warnings, WorkDraft};

/// The fandom AO3 gives works whose fandom nobody has said yet.
pub const UNSPECIFIED_FANDOM: &str = "Unspecified Fandom";

/// Longest first line that can be a title rather than a sentence.
const TITLE_LINE_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Text(#[from] quire_text::AnalyzeError),
    #[error("there is no story text in it")]
    Empty,
    #[error(transparent)]
    Invalid(#[from] crate::model::ModelError),
}

/// A file read into a work draft, and the hash that identifies the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub draft: WorkDraft,
    pub content_hash: String,
    /// The work's creators as the file names them (an AO3 download does);
    /// empty when the file doesn't say, and the importer's pseud is used.
    pub creators: Vec<String>,
}

/// Reads a file's bytes into a draft. Untagged works get Not Rated and
/// "Creator Chose Not To Use Archive Warnings" until someone sets them.
pub fn prepare(path: &Path, bytes: &[u8]) -> Result<Prepared, ImportError> {
    let mut manuscript = quire_text::analyze(bytes)?;
    if manuscript.paragraphs.is_empty() {
        return Err(ImportError::Empty);
    }
    let title = match manuscript.title.clone() {
        Some(title) => title,
        None => take_title_line(&mut manuscript).unwrap_or_else(|| title_from_file_name(path)),
    };
    let draft = WorkDraft {
        title,
        summary: manuscript.summary.clone().unwrap_or_default(),
        notes_start: String::new(),
        notes_end: String::new(),
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
        chapters: vec![ChapterDraft::from_manuscript(manuscript)],
    };
    draft.validate()?;
    Ok(Prepared {
        draft,
        content_hash: hex(&Sha256::digest(bytes)),
        creators: Vec::new(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
/// `.html` and `.htm` file under a folder, in name order.
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
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "txt" | "html" | "htm"))
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
    fn the_same_bytes_hash_the_same() {
        let a = prepare(Path::new("a.txt"), b"Story text.").unwrap();
        let b = prepare(Path::new("b.txt"), b"Story text.").unwrap();
        assert_eq!(a.content_hash, b.content_hash);
        assert_eq!(a.content_hash.len(), 64);
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
