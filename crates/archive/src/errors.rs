//! Why the archive said no, or could not answer. Each error is one of a
//! few kinds ([`ErrorKind`]) that the site and the API answer by; callers
//! match on the variant or the kind, never on the message's words.

use std::path::PathBuf;

use crate::backup::BackupProblem;
use crate::model::ModelError;
use crate::{PseudId, TagId, WorkId};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(transparent)]
    Invalid(#[from] ModelError),
    /// Something given for `field` can't be taken as it is.
    #[error("{reason}")]
    Rejected { field: &'static str, reason: String },
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
    #[error(transparent)]
    Backup(#[from] BackupProblem),
    /// A file or folder outside the database could not be used.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("there is no pseud with id {0}")]
    UnknownPseud(PseudId),
    #[error("there is no work {0}")]
    NoSuchWork(WorkId),
    #[error("work {work} has no chapter {chapter}")]
    NoSuchChapter { work: WorkId, chapter: i64 },
    #[error("there is no comment {0} here")]
    NoSuchComment(i64),
    /// Something asked for by name or number that isn't there (or that
    /// the one asking may not know of).
    #[error("{0}")]
    Missing(String),
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
    /// The request is well formed, but what it would change is not in a
    /// state that allows it (a frozen thread, a draft, a full list).
    #[error("{0}")]
    Conflict(String),
    /// The thing is there, and the one asking may see it, but changing it
    /// is someone else's to do.
    #[error("{0}")]
    NotAllowed(String),
    #[error("the stored work {work} is damaged ({what}); restore it from a backup")]
    Damaged { work: WorkId, what: String },
    #[error("the stored tag {tag} is damaged ({what}); restore it from a backup")]
    DamagedTag { tag: TagId, what: String },
}

/// What sort of trouble an [`ArchiveError`] is: what the site and the API
/// answer by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The one asking can put it right by sending something else.
    Invalid,
    /// It isn't there, or isn't theirs to know of.
    NotFound,
    /// It can't be done to the thing as it is now.
    Conflict,
    /// It is there, but not theirs to change.
    Forbidden,
    /// The disk is full; what was being written was rolled back whole.
    OutOfSpace,
    /// The archive's own trouble: the database, a file, damaged data.
    Broken,
}

impl ArchiveError {
    pub fn kind(&self) -> ErrorKind {
        if self.is_out_of_space() {
            return ErrorKind::OutOfSpace;
        }
        match self {
            ArchiveError::Invalid(_)
            | ArchiveError::Rejected { .. }
            | ArchiveError::BadLogin(_)
            | ArchiveError::BadEmail(_)
            | ArchiveError::WeakPassword(_)
            | ArchiveError::ChapterOrder(_)
            | ArchiveError::NotYourPseud(_)
            | ArchiveError::NoPseudNamed(_)
            | ArchiveError::AmbiguousPseud { .. }
            | ArchiveError::BadDatabaseUrl(_) => ErrorKind::Invalid,
            ArchiveError::NoSuchWork(_)
            | ArchiveError::NoSuchChapter { .. }
            | ArchiveError::NoSuchTag { .. }
            | ArchiveError::Missing(_)
            | ArchiveError::NoSuchComment(_)
            // Someone else's work is not told apart from a missing one.
            | ArchiveError::NotYours(_) => ErrorKind::NotFound,
            ArchiveError::LoginTaken(_)
            | ArchiveError::LastChapter(_)
            | ArchiveError::SeriesNotYours(_)
            | ArchiveError::Conflict(_) => ErrorKind::Conflict,
            ArchiveError::NotAllowed(_) => ErrorKind::Forbidden,
            ArchiveError::Backup(problem) => match problem {
                BackupProblem::NoManifest(_)
                | BackupProblem::BadManifest { .. }
                | BackupProblem::Changed(_)
                | BackupProblem::MediaChanged(_) => ErrorKind::Invalid,
                BackupProblem::OnPostgres
                | BackupProblem::BackupThere(_)
                | BackupProblem::ArchiveThere(_) => ErrorKind::Conflict,
                BackupProblem::RowsDiffer { .. } => ErrorKind::Broken,
            },
            ArchiveError::Database(_)
            | ArchiveError::Migrate(_)
            | ArchiveError::Lock(_)
            | ArchiveError::Io { .. }
            | ArchiveError::UnknownPseud(_)
            | ArchiveError::Password(_)
            | ArchiveError::Damaged { .. }
            | ArchiveError::DamagedTag { .. } => ErrorKind::Broken,
        }
    }

    /// Did the database, or a file being written, run out of disk space?
    /// What was being written was rolled back whole; the archive is
    /// otherwise fine.
    pub fn is_out_of_space(&self) -> bool {
        const ENOSPC: i32 = 28;
        match self {
            // SQLITE_FULL (13) in its primary and extended forms; PostgreSQL's
            // disk_full (53100).
            ArchiveError::Database(sqlx::Error::Database(db)) => {
                let code = db.code();
                matches!(code.as_deref(), Some("13" | "53100"))
                    || db.message().contains("disk is full")
                    || db.message().contains("No space left on device")
            }
            ArchiveError::Database(sqlx::Error::Io(io)) | ArchiveError::Io { source: io, .. } => {
                io.raw_os_error() == Some(ENOSPC)
            }
            _ => false,
        }
    }

    /// A refusal for `field`, in the archive's words.
    pub(crate) fn rejected(field: &'static str, reason: impl Into<String>) -> ArchiveError {
        ArchiveError::Rejected {
            field,
            reason: reason.into(),
        }
    }

    /// A file operation that failed, naming the path.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> ArchiveError {
        let path = path.into();
        move |source| ArchiveError::Io {
            action,
            path,
            source,
        }
    }
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
