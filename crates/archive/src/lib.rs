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
pub mod tokens;
mod wrangling;

pub use authoring::Posting;
pub use editing::Reading;
pub use people::{Roles, User, UserId, Viewer, WorksOnDeletion};
pub use reactions::{
    guest_key, Bookmark, BookmarkNote, Comment, CommentView, Commenter, Hit, KudosGivers, Kudoser,
    SubscriptionTarget,
};
pub use wrangling::TagInfo;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use model::{ArchiveWarning, Category, ModelError, Rating, TagKind, Warnings, WorkDraft};

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

/// The database file of a `sqlite:` URL, unless it is in memory.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// An exclusive lock on `<database>.lock`, held while migrations run.
struct MigrationLock(std::fs::File);

impl MigrationLock {
    /// Waits for the lock off the async threads: the holder may be a task
    /// on this very runtime, and it needs them to finish.
    async fn take(database: std::path::PathBuf) -> std::io::Result<MigrationLock> {
        let mut name = database.into_os_string();
        name.push(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(std::path::PathBuf::from(name))?;
        tokio::task::spawn_blocking(move || file.lock().map(|()| MigrationLock(file)))
            .await
            .map_err(std::io::Error::other)?
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
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

/// Dates from the file when it gives them (an AO3 download does).
fn prepared_dates(prepared: &import::Prepared) -> Option<(i64, i64)> {
    let posted = prepared.published.as_deref().and_then(date_to_unix);
    let updated = prepared
        .updated
        .as_deref()
        .and_then(date_to_unix)
        .or(posted);
    posted.zip(updated)
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

impl Archive {
    /// Opens (creating if needed) the archive at a database URL and brings
    /// its schema up to date.
    pub async fn open(url: &str) -> Result<Archive> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(ArchiveError::BadDatabaseUrl(url.to_string()));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            // A connection that comes back still inside a transaction is
            // closed, never reused: when SQLite rolls a transaction back by
            // itself (a full disk), sqlx's own ROLLBACK then fails and
            // leaves it believing one is open, so that connection's next
            // "transactions" would be savepoints that never commit.
            .after_release(|conn, _| {
                Box::pin(async move {
                    // Flushes a rollback still queued on the connection.
                    sqlx::Connection::ping(&mut *conn).await?;
                    Ok(!sqlx::Connection::is_in_transaction(&*conn))
                })
            })
            .connect(url)
            .await?;
        let archive = Archive {
            pool,
            backend,
            id: Default::default(),
        };
        match backend {
            Backend::Sqlite => {
                // Two quire processes may open one file at once (a server and
                // an import); sqlx takes no lock for SQLite migrations, so
                // one is taken here, on a file beside the database.
                let _lock = match sqlite_file(url) {
                    Some(file) => Some(
                        MigrationLock::take(file)
                            .await
                            .map_err(ArchiveError::Lock)?,
                    ),
                    None => None,
                };
                // WAL lets readers go on while one writer writes; it is a
                // property of the file, so setting it once is enough.
                sqlx::query("PRAGMA journal_mode=WAL")
                    .execute(&archive.pool)
                    .await?;
                sqlx::migrate!("migrations/sqlite")
                    .run(&archive.pool)
                    .await?;
                chapter_text::upgrade_stored_chapters(&archive.pool).await?;
            }
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&archive.pool)
                    .await?;
                chapter_text::upgrade_stored_chapters(&archive.pool).await?;
            }
        }
        archive.seed_fixed_tags().await?;
        Ok(archive)
    }

    /// Opens the embedded archive in a data directory (`quire.sqlite`).
    pub async fn open_data_dir(dir: &Path) -> Result<Archive> {
        let file = dir.join("quire.sqlite");
        Archive::open(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// Half-written data, if any: works without chapters, creators or a
    /// rating, and rows pointing at nothing. Every write is one transaction,
    /// so this should always be empty; the crash tests hold it to that.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        const CHECKS: &[(&str, &str)] = &[
            (
                "works without chapters",
                "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM chapters c WHERE c.work_id = w.id)",
            ),
            (
                "works without creators",
                "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_creators c WHERE c.work_id = w.id)",
            ),
            (
                "works without a rating",
                "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
                 WHERE wt.work_id = w.id AND t.kind = 'rating')",
            ),
            (
                "chapters of missing works",
                "SELECT COUNT(*) FROM chapters c WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = c.work_id)",
            ),
            (
                "tag links to missing works or tags",
                "SELECT COUNT(*) FROM work_tags wt WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = wt.work_id) \
                 OR NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = wt.tag_id)",
            ),
            (
                "works with no change-feed entry",
                "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.entity = 'work' AND c.entity_id = w.id)",
            ),
        ];
        let mut problems = Vec::new();
        for (what, sql) in CHECKS {
            let count: i64 = sqlx::query(sql).fetch_one(&self.pool).await?.try_get(0)?;
            if count > 0 {
                problems.push(format!("{count} {what}"));
            }
        }
        Ok(problems)
    }

    /// Is the store answering? (`/healthz` asks.)
    pub async fn health(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// A transaction for writing. SQLite's takes the write lock at once
    /// (`BEGIN IMMEDIATE`): one that read first and wrote later would fail
    /// ("database is locked") whenever another write committed in between,
    /// which busy waiting can't cure.
    async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Connections to the database: open, and of those idle.
    pub fn pool_connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Waits for open connections to finish and closes them.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Ratings, warnings and categories exist from the start, canonical.
    async fn seed_fixed_tags(&self) -> Result<()> {
        let fixed = Rating::ALL
            .iter()
            .map(|r| (TagKind::Rating, r.name()))
            .chain(
                ArchiveWarning::ALL
                    .iter()
                    .map(|w| (TagKind::ArchiveWarning, w.name())),
            )
            .chain(Category::ALL.iter().map(|c| (TagKind::Category, c.name())));
        let mut tx = self.write().await?;
        for (kind, name) in fixed {
            sqlx::query(
                "INSERT INTO tags (kind, name, name_key, canonical) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (kind, name_key) DO NOTHING",
            )
            .bind(kind.code())
            .bind(name)
            .bind(model::tag_key(name))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A pseud that belongs to no account: what `quire import --as NAME`
    /// posts as, and `orphan_account`. Returns the existing one if there is.
    pub async fn ensure_unowned_pseud(&self, name: &str) -> Result<PseudId> {
        let mut conn = self.pool.acquire().await?;
        unowned_pseud(&mut conn, name).await
    }

    /// Posts a work by the given pseuds, in one transaction: the work, its
    /// creators, tags, chapters and a change-feed entry are all stored, or
    /// nothing is.
    pub async fn post_work(&self, creators: &[PseudId], draft: &WorkDraft) -> Result<WorkId> {
        self.insert_work(creators, draft, None, None, None).await
    }

    /// Imports one file's bytes as a work by `pseud`. The same bytes
    /// imported again (by any name) are the work already there.
    pub async fn import_file(
        &self,
        pseud: PseudId,
        path: &Path,
        bytes: &[u8],
    ) -> Result<Imported, ImportFailure> {
        let prepared = import::prepare(path, bytes)?;
        self.import_prepared(pseud, &prepared).await
    }

    /// Stores a prepared work (one file, or one line of a corpus), once.
    pub async fn import_prepared(
        &self,
        pseud: PseudId,
        prepared: &import::Prepared,
    ) -> Result<Imported, ImportFailure> {
        if let Some(existing) = self.work_with_hash(&prepared.content_hash).await? {
            return Ok(Imported::AlreadyThere(existing));
        }
        let mut creators = Vec::with_capacity(prepared.creators.len().max(1));
        for name in &prepared.creators {
            creators.push(self.ensure_unowned_pseud(name).await?);
        }
        if creators.is_empty() {
            creators.push(pseud);
        }
        let dates = prepared_dates(prepared);
        match self
            .insert_work(
                &creators,
                &prepared.draft,
                Some(&prepared.content_hash),
                dates,
                prepared.seed_counts,
            )
            .await
        {
            Ok(id) => {
                if let Some((series, part)) = &prepared.series {
                    self.add_to_series(id, series, Some(*part)).await?;
                }
                Ok(Imported::Posted(id))
            }
            // Another importer stored the same file between our check and our
            // insert: the unique hash kept it to one work.
            Err(ArchiveError::Database(err)) => {
                match self.work_with_hash(&prepared.content_hash).await? {
                    Some(existing) => Ok(Imported::AlreadyThere(existing)),
                    None => Err(ArchiveError::Database(err).into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Stores many prepared works in one transaction: the fast path for
    /// a large corpus. Each work is stored once (by its hash) and a work that
    /// breaks the model's rules gets its error while the others are stored.
    /// A database failure stores none of the batch; the caller can retry
    /// the works one by one with [`Archive::import_prepared`] to find which.
    pub async fn import_batch(
        &self,
        pseud: PseudId,
        batch: &[&import::Prepared],
    ) -> Result<Vec<Result<Imported, ImportFailure>>> {
        let mut results = Vec::with_capacity(batch.len());
        let mut stored_series = Vec::new();
        let mut tx = self.write().await?;
        let mut seen: std::collections::HashMap<&str, WorkId> = std::collections::HashMap::new();
        for prepared in batch {
            if let Err(err) = prepared.draft.validate() {
                results.push(Err(ArchiveError::from(err).into()));
                continue;
            }
            if let Some(&id) = seen.get(prepared.content_hash.as_str()) {
                results.push(Ok(Imported::AlreadyThere(id)));
                continue;
            }
            let existing = sqlx::query("SELECT id FROM works WHERE content_hash = $1")
                .bind(&prepared.content_hash)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = existing {
                results.push(Ok(Imported::AlreadyThere(row.try_get(0)?)));
                continue;
            }
            let mut creators = Vec::with_capacity(prepared.creators.len().max(1));
            for name in &prepared.creators {
                creators.push(unowned_pseud(&mut tx, name).await?);
            }
            if creators.is_empty() {
                creators.push(pseud);
            }
            let id = insert_work_in(
                &mut tx,
                &creators,
                &prepared.draft,
                Some(&prepared.content_hash),
                prepared_dates(prepared),
                prepared.seed_counts,
            )
            .await?;
            seen.insert(&prepared.content_hash, id);
            if let Some(series) = &prepared.series {
                stored_series.push((id, series));
            }
            results.push(Ok(Imported::Posted(id)));
        }
        tx.commit().await?;
        for (id, (series, part)) in stored_series {
            self.add_to_series(id, series, Some(*part)).await?;
        }
        Ok(results)
    }

    async fn work_with_hash(&self, hash: &str) -> Result<Option<WorkId>> {
        let row = sqlx::query("SELECT id FROM works WHERE content_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn insert_work(
        &self,
        creators: &[PseudId],
        draft: &WorkDraft,
        content_hash: Option<&str>,
        dates: Option<(i64, i64)>,
        seed_counts: Option<SeedCounts>,
    ) -> Result<WorkId> {
        draft.validate()?;
        let mut tx = self.write().await?;
        let work_id =
            insert_work_in(&mut tx, creators, draft, content_hash, dates, seed_counts).await?;
        tx.commit().await?;
        Ok(work_id)
    }

    /// A work with its tags, creators and chapters, whatever its visibility
    /// (callers decide who may see it).
    pub async fn work(&self, id: WorkId) -> Result<Option<Work>> {
        // One snapshot for all its parts: read piecemeal, a work deleted
        // between two queries looked damaged (a row without its tags).
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let Some(row) = sqlx::query(
            "SELECT id, title, summary, notes_start, notes_end, language, complete, expected_chapters, \
             word_count, restricted, draft, posted_at, updated_at, version, hidden FROM works WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };

        let tag_rows = sqlx::query(
            "SELECT t.kind, t.name FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
             WHERE wt.work_id = $1 ORDER BY wt.position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut rating = None;
        let mut warnings = Vec::new();
        let mut categories = Vec::new();
        let (mut fandoms, mut relationships, mut characters, mut freeforms) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for tag in &tag_rows {
            let kind: String = tag.try_get(0)?;
            let name: String = tag.try_get(1)?;
            let damaged = |what: String| ArchiveError::Damaged { work: id, what };
            match TagKind::from_code(&kind) {
                Some(TagKind::Rating) => {
                    rating = Some(Rating::from_name(&name).map_err(|e| damaged(e.to_string()))?)
                }
                Some(TagKind::ArchiveWarning) => warnings
                    .push(ArchiveWarning::from_name(&name).map_err(|e| damaged(e.to_string()))?),
                Some(TagKind::Category) => {
                    categories.push(Category::from_name(&name).map_err(|e| damaged(e.to_string()))?)
                }
                Some(TagKind::Fandom) => fandoms.push(name),
                Some(TagKind::Relationship) => relationships.push(name),
                Some(TagKind::Character) => characters.push(name),
                Some(TagKind::Freeform) => freeforms.push(name),
                None => return Err(damaged(format!("a tag of unknown kind {kind}"))),
            }
        }
        let damaged = |what: &str| ArchiveError::Damaged {
            work: id,
            what: what.to_string(),
        };
        let rating = rating.ok_or_else(|| damaged("no rating"))?;
        let warnings = Warnings::new(warnings).map_err(|e| damaged(&e.to_string()))?;

        let creators = sqlx::query(
            "SELECT p.name FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 ORDER BY wc.position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;

        let chapters = sqlx::query(
            "SELECT id, position, title, summary, notes_start, notes_end, manuscript, word_count, html \
             FROM chapters WHERE work_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| chapter_from_row(id, r))
        .collect::<Result<Vec<_>>>()?;

        let series = sqlx::query(
            "SELECT s.id, s.title, sw.position FROM series_works sw JOIN series s ON s.id = sw.series_id \
             WHERE sw.work_id = $1 ORDER BY s.title_key",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(SeriesPart {
                series: r.try_get(0)?,
                title: r.try_get(1)?,
                part: u32::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>>>()?;

        tx.commit().await?;
        Ok(Some(Work {
            id: row.try_get(0)?,
            title: row.try_get(1)?,
            summary: row.try_get(2)?,
            notes_start: row.try_get(3)?,
            notes_end: row.try_get(4)?,
            language: row.try_get(5)?,
            rating,
            warnings,
            categories,
            fandoms,
            relationships,
            characters,
            freeforms,
            creators,
            complete: row.try_get::<i64, _>(6)? != 0,
            expected_chapters: row
                .try_get::<Option<i64>, _>(7)?
                .and_then(|n| u32::try_from(n).ok()),
            word_count: row.try_get::<i64, _>(8)?.max(0) as usize,
            restricted: row.try_get::<i64, _>(9)? != 0,
            draft: row.try_get::<i64, _>(10)? != 0,
            posted_at: row.try_get(11)?,
            updated_at: row.try_get(12)?,
            version: row.try_get(13)?,
            hidden: row.try_get::<i64, _>(14)? != 0,
            series,
            chapters,
        }))
    }

    /// The change feed after `seq`, oldest first.
    /// Changes after `seq`, oldest first, at most `limit`.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT seq, entity, entity_id, kind FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.try_get(0)?,
                    entity: r.try_get(1)?,
                    entity_id: r.try_get(2)?,
                    kind: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// How many rows a table holds: for tests and `quire` diagnostics that
    /// check nothing was left half-written.
    pub async fn count_rows(&self, table: CountedTable) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(sqlx::query(&sql).fetch_one(&self.pool).await?.try_get(0)?)
    }
}

/// Tables whose rows [`Archive::count_rows`] counts.
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

    /// Writes one row in a write transaction, as every archive method does.
    async fn write_row(archive: &super::Archive, name: &str, value: &str) -> super::Result<()> {
        let mut tx = archive.write().await?;
        sqlx::query("INSERT INTO site_secrets (name, value) VALUES ($1, $2)")
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets SQLite's page limit on every pooled connection (a disk that
    /// fills up, without needing one).
    async fn limit_pages(archive: &super::Archive, pages: i64) {
        let mut held = Vec::new();
        for _ in 0..archive.pool.size().max(1) {
            held.push(archive.pool.acquire().await.expect("a connection"));
        }
        for conn in &mut held {
            sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
                .execute(&mut **conn)
                .await
                .expect("the limit is set");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_disk_refuses_the_write_and_leaves_no_connection_stuck() {
        let dir = std::env::temp_dir().join(format!(
            "quire-full-disk-{}-{}",
            std::process::id(),
            crate::sessions::random_token()
        ));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let archive = super::Archive::open_data_dir(&dir).await.expect("opens");
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&archive.pool)
            .await
            .expect("a page count");
        limit_pages(&archive, pages + 4).await;
        let big = "x".repeat(3_000);
        let mut refused = None;
        for n in 0..200 {
            if let Err(err) = write_row(&archive, &format!("filler-{n}"), &big).await {
                refused = Some(err);
                break;
            }
        }
        let refused = refused.expect("the page limit is reached");
        assert!(refused.is_out_of_space(), "{refused}");

        // No connection the pool hands out believes it is still inside a
        // transaction (sqlx's own ROLLBACK failed after SQLite's).
        let mut held = Vec::new();
        for _ in 0..archive.pool.size() {
            let conn = archive.pool.acquire().await.expect("a connection");
            assert!(!sqlx::Connection::is_in_transaction(&*conn));
            held.push(conn);
        }
        drop(held);

        // Space comes back: writes commit again, as another process sees.
        limit_pages(&archive, 1_073_741_823).await;
        for n in 0..20 {
            write_row(&archive, &format!("after-{n}"), "v")
                .await
                .expect("a write after space is freed");
        }
        let other = super::Archive::open_data_dir(&dir).await.expect("opens");
        let seen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM site_secrets WHERE name LIKE 'after-%'")
                .fetch_one(&other.pool)
                .await
                .expect("a count");
        assert_eq!(seen, 20, "every acknowledged write committed");
        other.close().await;
        archive.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedTable {
    Works,
    Chapters,
    WorkTags,
    WorkCreators,
    Tags,
    Changes,
    Kudos,
    Comments,
    Bookmarks,
}

impl CountedTable {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CountedTable::Works => "works",
            CountedTable::Chapters => "chapters",
            CountedTable::WorkTags => "work_tags",
            CountedTable::WorkCreators => "work_creators",
            CountedTable::Tags => "tags",
            CountedTable::Changes => "changes",
            CountedTable::Kudos => "kudos",
            CountedTable::Comments => "comments",
            CountedTable::Bookmarks => "bookmarks",
        }
    }
}

fn chapter_from_row(work: WorkId, row: &AnyRow) -> Result<Chapter> {
    let body = chapter_text::load(&row.try_get::<String, _>(6)?, work)?;
    Ok(Chapter {
        id: row.try_get(0)?,
        position: u32::try_from(row.try_get::<i64, _>(1)?).unwrap_or(0),
        title: row.try_get(2)?,
        summary: row.try_get(3)?,
        notes_start: row.try_get(4)?,
        notes_end: row.try_get(5)?,
        body,
        word_count: row.try_get::<i64, _>(7)?.max(0) as usize,
        html: row.try_get(8)?,
    })
}

/// A work's tags, in the order AO3 shows them: rating, warnings,
/// categories, then the author's own.
async fn write_tags(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work_id: WorkId,
    draft: &WorkDraft,
) -> Result<()> {
    let fixed = std::iter::once((TagKind::Rating, draft.rating.name().to_string()))
        .chain(
            draft
                .warnings
                .iter()
                .map(|w| (TagKind::ArchiveWarning, w.name().to_string())),
        )
        .chain(
            draft
                .categories
                .iter()
                .map(|c| (TagKind::Category, c.name().to_string())),
        );
    let chosen = draft
        .user_tags()
        .map(|(kind, name)| (kind, name.trim().to_string()));
    for (position, (kind, name)) in fixed.chain(chosen).enumerate() {
        let tag = find_or_create_tag(tx, kind, &name).await?;
        sqlx::query(
            "INSERT INTO work_tags (work_id, tag_id, position) VALUES ($1, $2, $3) \
             ON CONFLICT (work_id, tag_id) DO NOTHING",
        )
        .bind(work_id)
        .bind(tag)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_chapter(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work_id: WorkId,
    position: i64,
    chapter: &model::ChapterDraft,
) -> Result<i64> {
    let manuscript = chapter_text::store(&chapter.body, work_id)?;
    let row = sqlx::query(
        "INSERT INTO chapters (work_id, position, title, summary, notes_start, notes_end, \
         manuscript, word_count, posted_at, html) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(work_id)
    .bind(position)
    .bind(&chapter.title)
    .bind(&chapter.summary)
    .bind(&chapter.notes_start)
    .bind(&chapter.notes_end)
    .bind(manuscript)
    .bind(chapter.body.word_count as i64)
    .bind(now())
    .bind(&chapter.html)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// A work's version grows with every change; caches and downloads key on it.
async fn bump_version(tx: &mut sqlx::Transaction<'_, sqlx::Any>, work_id: WorkId) -> Result<()> {
    sqlx::query("UPDATE works SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(work_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn find_or_create_tag(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: TagKind,
    name: &str,
) -> Result<TagId> {
    let key = model::tag_key(name);
    if let Some(row) = sqlx::query("SELECT id FROM tags WHERE kind = $1 AND name_key = $2")
        .bind(kind.code())
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(row.try_get(0)?);
    }
    let row =
        sqlx::query("INSERT INTO tags (kind, name, name_key) VALUES ($1, $2, $3) RETURNING id")
            .bind(kind.code())
            .bind(name)
            .bind(&key)
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.try_get(0)?)
}

async fn record_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entity: &str,
    entity_id: i64,
    kind: &str,
) -> Result<()> {
    // The transaction has its id before it takes a number, so a follower
    // that finds the number missing can tell when it can no longer come
    // (see `feed`).
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_current_xact_id()::text")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("INSERT INTO changes (entity, entity_id, kind, at) VALUES ($1, $2, $3, $4)")
        .bind(entity)
        .bind(entity_id)
        .bind(kind)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a validated work inside the caller's transaction: the work, its
/// creators, tags, chapters and its change-feed entry.
async fn insert_work_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    creators: &[PseudId],
    draft: &WorkDraft,
    content_hash: Option<&str>,
    dates: Option<(i64, i64)>,
    seed_counts: Option<SeedCounts>,
) -> Result<WorkId> {
    let at = now();
    let (posted_at, updated_at) = dates.unwrap_or((at, at));
    let seed = seed_counts.unwrap_or_default();
    let work_id: WorkId = sqlx::query(
            "INSERT INTO works (title, summary, notes_start, notes_end, language, complete, \
             expected_chapters, word_count, restricted, draft, posted_at, updated_at, content_hash, \
             kudos_count, hits_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(draft.title.trim())
        .bind(&draft.summary)
        .bind(&draft.notes_start)
        .bind(&draft.notes_end)
        .bind(&draft.language)
        .bind(flag(draft.complete))
        .bind(draft.expected_chapters.map(i64::from))
        .bind(draft.word_count() as i64)
        .bind(flag(draft.restricted))
        .bind(flag(draft.draft))
        .bind(posted_at)
        .bind(updated_at)
        .bind(content_hash)
        .bind(seed.kudos as i64)
        .bind(seed.hits as i64)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;

    // The same pseud named twice (a file can) is one creator.
    let mut unique_creators: Vec<PseudId> = Vec::with_capacity(creators.len());
    for &pseud in creators {
        if !unique_creators.contains(&pseud) {
            unique_creators.push(pseud);
        }
    }
    for (position, &pseud) in unique_creators.iter().enumerate() {
        let exists = sqlx::query("SELECT 1 FROM pseuds WHERE id = $1")
            .bind(pseud)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_none() {
            return Err(ArchiveError::UnknownPseud(pseud));
        }
        sqlx::query("INSERT INTO work_creators (work_id, pseud_id, position) VALUES ($1, $2, $3)")
            .bind(work_id)
            .bind(pseud)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }

    write_tags(tx, work_id, draft).await?;
    for (index, chapter) in draft.chapters.iter().enumerate() {
        insert_chapter(tx, work_id, index as i64 + 1, chapter).await?;
    }
    record_change(tx, "work", work_id, "posted").await?;
    Ok(work_id)
}

/// The pseud of that name that belongs to no account, made if needed.
async fn unowned_pseud(conn: &mut sqlx::AnyConnection, name: &str) -> Result<PseudId> {
    let key = model::tag_key(name);
    if let Some(row) = sqlx::query("SELECT id FROM pseuds WHERE user_id IS NULL AND name_key = $1")
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(row.try_get(0)?);
    }
    let row = sqlx::query(
        "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES (NULL, $1, $2, 1) RETURNING id",
    )
    .bind(name.trim())
    .bind(&key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}
