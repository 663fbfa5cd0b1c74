//! quire-archive: the domain model, its storage, and the one façade
//! (`Archive`) that the web server, the CLI and the tests all use.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL: the
//! SQL is written once, in the dialect both speak (`$1` parameters,
//! `RETURNING`), through sqlx's `Any` driver; only the migrations differ.

mod authoring;
pub mod backup;
mod blocking;
pub mod bookmarks;
mod chapter_text;
pub mod comment_controls;
pub mod corpus;
pub mod creators;
pub mod dates;
mod editing;
mod errors;
pub mod feed;
pub mod formatted;
mod history;
mod hits;
pub mod import;
pub mod media;
pub mod model;
pub mod moderation;
pub mod notifications;
pub mod outbox;
pub mod paragraphs;
pub mod people;
mod preferences;
mod reactions;
pub mod recovery;
pub mod sanitize;
pub mod search;
pub mod series;
pub mod sessions;
mod store;
mod subscriptions;
pub mod tokens;
mod works;
mod wrangling;

pub use authoring::Posting;
pub use bookmarks::{Bookmark, BookmarkNote};
pub use editing::Reading;
pub use errors::{ArchiveError, ErrorKind, Result};
pub use hits::Hit;
pub use people::{Roles, User, UserId, Viewer, WorksOnDeletion};
pub use reactions::{guest_key, Comment, CommentView, Commenter, KudosGivers, Kudoser};
pub use store::CountedTable;
pub use subscriptions::{Subscription, SubscriptionTarget};
pub use wrangling::TagInfo;

pub(crate) use works::{
    bump_version, insert_chapter, insert_work_in, record_change, unowned_pseud, write_tags,
};

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::AnyPool;

use model::{Category, Formatted, Rating, Warnings};

pub type WorkId = i64;
pub type PseudId = i64;
pub type TagId = i64;

/// What importing one file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Posted(WorkId),
    /// The same file was imported before, as this work.
    AlreadyThere(WorkId),
}

/// Why one file was not imported: its content, or the archive.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    File(#[from] import::ImportError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// Which database holds the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The archive: every read and write goes through here.
#[derive(Clone)]
pub struct Archive {
    pool: AnyPool,
    backend: Backend,
    /// [`Archive::archive_id`], read once: followers ask on every round.
    id: std::sync::Arc<tokio::sync::OnceCell<String>>,
}

/// A stored work, as readers see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Work {
    pub id: WorkId,
    pub title: String,
    pub summary: Formatted,
    pub notes_start: Formatted,
    pub notes_end: Formatted,
    pub language: String,
    pub rating: Rating,
    pub warnings: Warnings,
    pub categories: Vec<Category>,
    pub fandoms: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    pub creators: Vec<String>,
    pub complete: bool,
    pub expected_chapters: Option<u32>,
    pub word_count: usize,
    pub restricted: bool,
    pub draft: bool,
    /// Hidden by an admin: seen only by its creators and the admins.
    pub hidden: bool,
    /// Unix seconds.
    pub posted_at: i64,
    pub updated_at: i64,
    /// Grows with every change; caches key on it.
    pub version: i64,
    /// The series the work belongs to, with its part number in each.
    pub series: Vec<SeriesPart>,
    pub chapters: Vec<Chapter>,
}

/// "Part N of <series>".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeriesPart {
    pub series: i64,
    pub title: String,
    pub part: u32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Chapter {
    pub id: i64,
    pub position: u32,
    pub title: String,
    pub summary: Formatted,
    pub notes_start: Formatted,
    pub notes_end: Formatted,
    pub body: quire_text::Manuscript,
    /// The author's formatting, sanitized.
    pub html: String,
    pub word_count: usize,
}

/// Kudos and hits a work arrives with, before anyone here has read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedCounts {
    pub kudos: u64,
    pub hits: u64,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub entity: String,
    pub entity_id: i64,
    pub kind: String,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix seconds now, as the archive stamps what it writes.
pub fn now_seconds() -> i64 {
    now()
}

/// `YYYY-MM-DD` as Unix seconds at midnight UTC (days from the civil
/// calendar, after Howard Hinnant's algorithm).
pub fn date_to_unix(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * 86_400)
}

/// Bytes as lower-case hexadecimal (content hashes, guest keys).
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // One string, not one per byte: guests' keys are made on every view.
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// `$1, $2, …` for an `IN` list.
pub(crate) fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date_to_unix("1970-01-01"), Some(0));
        assert_eq!(super::date_to_unix("2000-03-01"), Some(951_868_800));
        assert_eq!(super::date_to_unix("2024-02-29"), Some(1_709_164_800));
        assert_eq!(super::date_to_unix("2024-13-01"), None);
        assert_eq!(super::date_to_unix("soon"), None);
    }
}
