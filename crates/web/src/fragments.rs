//! Pieces of pages kept for every reader, signed in or not. A whole page
//! is kept only for guests (see `page_cache`); a signed-in reader's page
//! differs in its header, kudos button and history, but the part that
//! costs the most to draw, a chapter's text with the reader's names filled
//! in, is the same for everyone who reads with the same names.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use quire_archive::{Chapter, Work};
use quire_text::insert::{FillProfile, HtmlFill};

/// A chapter's text for one set of names, as of one version of its work
/// (every change to a chapter makes a new version).
type Key = (i64, i64, FillProfile);

#[derive(Clone)]
struct TextWeight;

impl quick_cache::Weighter<Key, Arc<str>> for TextWeight {
    fn weight(&self, _: &Key, text: &Arc<str>) -> u64 {
        (text.len() + 128) as u64
    }
}

pub struct FilledChapters {
    kept: quick_cache::sync::Cache<Key, Arc<str>, TextWeight>,
    reused: AtomicU64,
    drawn: AtomicU64,
}

impl FilledChapters {
    /// Keeps about `bytes` of chapter text.
    pub fn new(bytes: u64) -> FilledChapters {
        FilledChapters {
            kept: quick_cache::sync::Cache::with_weighter(
                (bytes / 16_384).max(16) as usize,
                bytes.max(1),
                TextWeight,
            ),
            reused: AtomicU64::new(0),
            drawn: AtomicU64::new(0),
        }
    }

    /// The chapter's HTML with these names in it, each placeholder marked
    /// so the "Read as…" panel can preview other names as they're typed.
    /// The names are escaped as they go in: a name is text, never markup.
    pub fn filled(&self, work: &Work, chapter: &Chapter, names: &FillProfile) -> Arc<str> {
        self.filled_text(chapter.id, work.version, &chapter.html, names)
    }

    fn filled_text(&self, chapter: i64, version: i64, html: &str, names: &FillProfile) -> Arc<str> {
        let key = (chapter, version, names.clone());
        if let Some(text) = self.kept.get(&key) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return text;
        }
        self.drawn.fetch_add(1, Ordering::Relaxed);
        let text: Arc<str> = quire_text::insert::fill_html(html, names, HtmlFill::Marked).into();
        self.kept.insert(key, Arc::clone(&text));
        text
    }

    /// Chapters' texts taken ready-made, and drawn afresh.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.reused.load(Ordering::Relaxed),
            self.drawn.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chapter_is_filled_once_per_version_and_names() {
        let kept = FilledChapters::new(1 << 20);
        let mut alex = FillProfile::new();
        let _ = alex.set("Y/N", "Alex");
        let first = "<p>Y/N smiled.</p>";
        let text = kept.filled_text(3, 1, first, &alex);
        assert!(text.contains("Alex") && !text.contains("Y/N smiled"));
        kept.filled_text(3, 1, first, &alex);
        assert_eq!(kept.counts(), (1, 1));
        // Other names, or a new version, are drawn afresh.
        let plain = kept.filled_text(3, 1, first, &FillProfile::new());
        assert!(!plain.contains("Alex"));
        assert!(kept
            .filled_text(3, 2, "<p>Y/N laughed.</p>", &alex)
            .contains("laughed"));
        assert_eq!(kept.counts(), (1, 3));
    }
}
