//! quire-archive: the domain model, its storage, and the one façade
//! (`Archive`) that the web server, the CLI and the tests all use.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL: the
//! SQL is written once, in the dialect both speak (`$1` parameters,
//! `RETURNING`), through sqlx's `Any` driver; only the migrations differ.

mod authoring;
pub mod backup;
mod chapter_text;
pub mod corpus;
mod editing;
pub mod feed;
pub mod import;
pub mod model;
pub mod moderation;
pub mod people;
mod reactions;
pub mod sanitize;
pub mod search;
pub mod series;
pub mod sessions;
mod store;
pub mod tokens;
mod works;
mod wrangling;

pub use authoring::Posting;
pub use editing::Reading;
pub use people::{Roles, User, UserId, Viewer, WorksOnDeletion};
pub use reactions::{
    guest_key, Bookmark, BookmarkNote, Comment, CommentView, Commenter, Hit, KudosGivers, Kudoser,
    SubscriptionTarget,
};
pub use store::CountedTable;
pub use wrangling::TagInfo;

pub(crate) use works::{
    bump_version, insert_chapter, insert_work_in, record_change, unowned_pseud, write_tags,
};

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::AnyPool;

use model::{Category, ModelError, Rating, Warnings};

pub type WorkId = i64;
pub type PseudId = i64;
pub type TagId = i64;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(transparent)]
    Invalid(#[from] ModelError),
    #[error(
        "`{0}` is not a database quire can use; give sqlite://PATH or postgres://USER@HOST/DB"
    )]
    BadDatabaseUrl(String),
    #[error("the database could not be opened or answered with an error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not lock the database for its schema update ({0}); check the data directory's permissions")]
    Lock(std::io::Error),
    #[error("there is no pseud with id {0}")]
    UnknownPseud(PseudId),
    #[error("there is no work {0}")]
    NoSuchWork(WorkId),
    #[error("work {work} has no chapter {chapter}")]
    NoSuchChapter { work: WorkId, chapter: i64 },
    #[error("give every chapter of work {0} exactly once to reorder them")]
    ChapterOrder(WorkId),
    #[error("a work needs at least one chapter; delete work {0} instead")]
    LastChapter(WorkId),
    #[error("`{0}` can't be a login: use 3 to 40 letters, digits or underscores")]
    BadLogin(String),
    #[error("`{0}` is not an email address")]
    BadEmail(String),
    #[error("the login `{0}` is taken; choose another")]
    LoginTaken(String),
    #[error("a password needs at least {0} characters")]
    WeakPassword(usize),
    #[error("the password could not be hashed or checked: {0}")]
    Password(String),
    #[error("work {0} is not yours")]
    NotYours(WorkId),
    #[error("pseud {0} is not one of yours; post as one of your own pseuds")]
    NotYourPseud(PseudId),
    #[error("The series \"{0}\" belongs to someone else; choose another title.")]
    SeriesNotYours(String),
    #[error("nobody here writes as `{0}`; check the spelling of the pseud")]
    NoPseudNamed(String),
    #[error("several people write as `{name}`; say which one, as {choices}")]
    AmbiguousPseud { name: String, choices: String },
    #[error("there is no {kind} tag named `{name}`")]
    NoSuchTag { kind: &'static str, name: String },
    #[error("{0}")]
    Refused(String),
    /// The thing is there, and the one asking may see it, but changing it
    /// is someone else's to do.
    #[error("{0}")]
    NotAllowed(String),
    #[error("the stored work {work} is damaged ({what}); restore it from a backup")]
    Damaged { work: WorkId, what: String },
    #[error("the stored tag {tag} is damaged ({what}); restore it from a backup")]
    DamagedTag { tag: TagId, what: String },
}

impl ArchiveError {
    /// Did the database run out of disk space? What was being written was
    /// rolled back whole; the archive is otherwise fine.
    pub fn is_out_of_space(&self) -> bool {
        let ArchiveError::Database(err) = self else {
            return false;
        };
        match err {
            // SQLITE_FULL (13) in its primary and extended forms; PostgreSQL's
            // disk_full (53100).
            sqlx::Error::Database(db) => {
                let code = db.code();
                matches!(code.as_deref(), Some("13" | "53100"))
                    || db.message().contains("disk is full")
                    || db.message().contains("No space left on device")
            }
            // ENOSPC
            sqlx::Error::Io(io) => io.raw_os_error() == Some(28),
            _ => false,
        }
    }
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

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
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
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
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
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
