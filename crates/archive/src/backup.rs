//! Backups of the embedded archive: a consistent copy of the SQLite file
//! taken while the archive runs (`VACUUM INTO`), with a manifest to check
//! it by, and a restore into an empty data directory. PostgreSQL archives
//! are backed up with PostgreSQL's own tools.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};

use crate::{now, Archive, ArchiveError, Backend, CountedTable, Result};

/// The file a backup holds, as in a data directory.
pub const DATABASE_FILE: &str = "quire.sqlite";
pub const MANIFEST_FILE: &str = "manifest.json";

/// The tables whose rows a manifest counts, to check a restore by.
const COUNTED: [CountedTable; 7] = [
    CountedTable::Works,
    CountedTable::Chapters,
    CountedTable::Tags,
    CountedTable::Kudos,
    CountedTable::Comments,
    CountedTable::Bookmarks,
    CountedTable::Changes,
];

/// What a backup holds, written beside it as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupManifest {
    pub quire_version: String,
    /// Unix seconds.
    pub created_at: i64,
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// Rows per table in the copy.
    pub rows: BTreeMap<String, i64>,
    /// Uploaded pictures and recordings copied beside it, under `media/`,
    /// as (path under the media directory, bytes). A backup from before
    /// uploads has none.
    #[serde(default)]
    pub media: BTreeMap<String, u64>,
}

/// The directory of a backup, or of a data directory, that holds media.
pub const MEDIA_DIR: &str = "media";

/// Why a backup could not be made or restored, apart from I/O.
#[derive(Debug, thiserror::Error)]
pub enum BackupProblem {
    #[error("this archive is on PostgreSQL: back it up with pg_dump")]
    OnPostgres,
    #[error("{} already holds a backup; choose an empty directory", .0.display())]
    BackupThere(PathBuf),
    #[error("{} has no {MANIFEST_FILE}: is it a directory `quire backup` wrote?", .0.display())]
    NoManifest(PathBuf),
    #[error("{} can't be read: {reason}", path.display())]
    BadManifest { path: PathBuf, reason: String },
    #[error(
        "{} is not the file its manifest describes (damaged or changed since the backup); \
         nothing was restored",
        .0.display()
    )]
    Changed(PathBuf),
    #[error("{} already holds an archive; restore into an empty data directory", .0.display())]
    ArchiveThere(PathBuf),
    #[error(
        "{} is not the upload its backup names (missing, damaged or changed since the backup); \
         nothing was restored",
        .0.display()
    )]
    MediaChanged(PathBuf),
    #[error("the restored archive has {found} rows in {table} where the backup had {expected}")]
    RowsDiffer {
        table: &'static str,
        found: i64,
        expected: i64,
    },
}

fn sha256_of(file: &Path) -> Result<(u64, String)> {
    let mut reader = std::fs::File::open(file).map_err(ArchiveError::io("read", file))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(ArchiveError::io("read", file))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((bytes, crate::hex(&hasher.finalize())))
}

/// Rows per counted table of a SQLite file, read without changing it.
async fn rows_in(file: &Path) -> Result<BTreeMap<String, i64>> {
    let url = format!("sqlite://{}?mode=ro&immutable=1", file.display());
    let mut connection = sqlx::AnyConnection::connect(&url).await?;
    let mut rows = BTreeMap::new();
    for table in COUNTED {
        let sql = format!("SELECT COUNT(*) AS row_count FROM {}", table.name());
        let count: i64 = sqlx::query(&sql)
            .fetch_one(&mut connection)
            .await?
            .try_get("row_count")?;
        rows.insert(table.name().to_string(), count);
    }
    connection.close().await?;
    Ok(rows)
}

impl Archive {
    /// Copies the running archive into `dest` (made if missing; it must not
    /// hold a backup already) and writes its manifest. Readers and writers
    /// go on meanwhile; the copy is the archive as of one moment.
    pub async fn backup_to(
        &self,
        dest: &Path,
        media: &crate::media::MediaStore,
    ) -> Result<BackupManifest> {
        if self.backend == Backend::Postgres {
            return Err(BackupProblem::OnPostgres.into());
        }
        std::fs::create_dir_all(dest).map_err(ArchiveError::io("create", dest))?;
        let file = dest.join(DATABASE_FILE);
        if file.exists() || dest.join(MANIFEST_FILE).exists() {
            return Err(BackupProblem::BackupThere(dest.to_path_buf()).into());
        }
        let partial = dest.join(format!("{DATABASE_FILE}.part"));
        let _ = std::fs::remove_file(&partial);
        let target = partial.to_string_lossy().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(&self.pool)
            .await?;
        std::fs::rename(&partial, &file).map_err(ArchiveError::io("write", &file))?;
        let (bytes, sha256) = sha256_of(&file)?;
        // After the database: every file a row of the copy names was kept
        // before its row was written, so it is here to copy.
        let media = copy_media(media.root(), &dest.join(MEDIA_DIR), &media.files()?)?;
        let manifest = BackupManifest {
            quire_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: now(),
            file: DATABASE_FILE.to_string(),
            bytes,
            sha256,
            rows: rows_in(&file).await?,
            media,
        };
        let manifest_file = dest.join(MANIFEST_FILE);
        let json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| ArchiveError::io("write", &manifest_file)(std::io::Error::other(e)))?;
        let partial_manifest = dest.join(format!("{MANIFEST_FILE}.part"));
        std::fs::write(&partial_manifest, json)
            .map_err(ArchiveError::io("write", &partial_manifest))?;
        std::fs::rename(&partial_manifest, &manifest_file)
            .map_err(ArchiveError::io("write", &manifest_file))?;
        Ok(manifest)
    }

    /// Restores a backup into an empty data directory: checks the copy
    /// against its manifest, puts it in place, opens it (bringing its
    /// schema up to date) and checks its rows. The search index is rebuilt
    /// by the caller.
    pub async fn restore_data_dir(src: &Path, data: &Path) -> Result<(Archive, BackupManifest)> {
        let manifest_file = src.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&manifest_file)
            .map_err(|_| BackupProblem::NoManifest(src.to_path_buf()))?;
        let manifest: BackupManifest =
            serde_json::from_str(&text).map_err(|e| BackupProblem::BadManifest {
                path: manifest_file.clone(),
                reason: e.to_string(),
            })?;
        let copy = src.join(&manifest.file);
        let (bytes, sha256) = sha256_of(&copy)?;
        if bytes != manifest.bytes || sha256 != manifest.sha256 {
            return Err(BackupProblem::Changed(copy).into());
        }
        let target = data.join(DATABASE_FILE);
        if target.exists() {
            return Err(BackupProblem::ArchiveThere(data.to_path_buf()).into());
        }
        let media_src = src.join(MEDIA_DIR);
        for (name, bytes) in &manifest.media {
            let file = media_src.join(name);
            if !media_file_is(&file, name, *bytes)? {
                return Err(BackupProblem::MediaChanged(file).into());
            }
        }
        std::fs::create_dir_all(data).map_err(ArchiveError::io("create", data))?;
        let partial = data.join(format!("{DATABASE_FILE}.part"));
        std::fs::copy(&copy, &partial).map_err(ArchiveError::io("copy to", &partial))?;
        let listed: Vec<(PathBuf, u64)> = manifest
            .media
            .iter()
            .map(|(name, bytes)| (PathBuf::from(name), *bytes))
            .collect();
        copy_media(&media_src, &data.join(MEDIA_DIR), &listed)?;
        std::fs::rename(&partial, &target).map_err(ArchiveError::io("write", &target))?;
        let archive = Archive::open_data_dir(data).await?;
        for table in COUNTED {
            let expected = manifest.rows.get(table.name()).copied().unwrap_or(0);
            let found = archive.count_rows(table).await?;
            if found != expected {
                archive.close().await;
                return Err(BackupProblem::RowsDiffer {
                    table: table.name(),
                    found,
                    expected,
                }
                .into());
            }
        }
        Ok((archive, manifest))
    }
}

/// Copies `files` (paths under `from`) to the same paths under `to`, each
/// whole under a temporary name first; returns what was copied.
fn copy_media(from: &Path, to: &Path, files: &[(PathBuf, u64)]) -> Result<BTreeMap<String, u64>> {
    let mut copied = BTreeMap::new();
    for (name, _) in files {
        let source = from.join(name);
        let target = to.join(name);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(ArchiveError::io("create", dir))?;
        }
        let partial = target.with_extension("part");
        let bytes = std::fs::copy(&source, &partial).map_err(ArchiveError::io("copy", &source))?;
        std::fs::rename(&partial, &target).map_err(ArchiveError::io("write", &target))?;
        copied.insert(name.to_string_lossy().replace('\\', "/"), bytes);
    }
    Ok(copied)
}

/// Whether a backed-up upload is whole: its size as listed and, for a
/// file named by its SHA-256 (every original), that hash.
fn media_file_is(file: &Path, name: &str, bytes: u64) -> Result<bool> {
    if !file.is_file() {
        return Ok(false);
    }
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let (found_bytes, found_sha) = sha256_of(file)?;
    let hash_named = stem.len() == 64 && stem.chars().all(|c| c.is_ascii_hexdigit());
    Ok(found_bytes == bytes && (!hash_named || found_sha == stem))
}
