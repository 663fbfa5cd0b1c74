//! Opening the store and keeping it sound: the database URL, migrations
//! (under a lock on SQLite), integrity checks, health, write transactions,
//! and the tables counted to prove nothing was left half-written.

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::Row;

use crate::model::{self, ArchiveWarning, Category, Rating, TagKind};
use crate::{chapter_text, Archive, ArchiveError, Backend, Result};

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

/// Tables whose rows [`Archive::count_rows`] counts.
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
                crate::formatted::upgrade_stored_fields(&archive.pool).await?;
            }
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&archive.pool)
                    .await?;
                chapter_text::upgrade_stored_chapters(&archive.pool).await?;
                crate::formatted::upgrade_stored_fields(&archive.pool).await?;
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
                "SELECT COUNT(*) AS found FROM works w WHERE NOT EXISTS (SELECT 1 FROM chapters c WHERE c.work_id = w.id)",
            ),
            (
                "works without creators",
                "SELECT COUNT(*) AS found FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_creators c WHERE c.work_id = w.id)",
            ),
            (
                "works without a rating",
                "SELECT COUNT(*) AS found FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
                 WHERE wt.work_id = w.id AND t.kind = 'rating')",
            ),
            (
                "chapters of missing works",
                "SELECT COUNT(*) AS found FROM chapters c WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = c.work_id)",
            ),
            (
                "tag links to missing works or tags",
                "SELECT COUNT(*) AS found FROM work_tags wt WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = wt.work_id) \
                 OR NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = wt.tag_id)",
            ),
            (
                "works with no change-feed entry",
                "SELECT COUNT(*) AS found FROM works w WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.entity = 'work' AND c.entity_id = w.id)",
            ),
        ];
        let mut problems = Vec::new();
        for (what, sql) in CHECKS {
            let count: i64 = sqlx::query(sql)
                .fetch_one(&self.pool)
                .await?
                .try_get("found")?;
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
    pub(crate) async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
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

    /// How many rows a table holds: for tests and `quire` diagnostics that
    /// check nothing was left half-written.
    pub async fn count_rows(&self, table: CountedTable) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS row_count FROM {}", table.name());
        Ok(sqlx::query(&sql)
            .fetch_one(&self.pool)
            .await?
            .try_get("row_count")?)
    }
}

#[cfg(test)]
mod tests {
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
