//! Moderation: readers' reports, works hidden by an admin, suspended
//! accounts.

use sqlx::Row;

use crate::people::{UserId, Viewer};
use crate::{now, record_change, Archive, ArchiveError, Result, WorkId};

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    Work(WorkId),
    Comment(i64),
}

impl ReportTarget {
    fn kind(self) -> &'static str {
        match self {
            ReportTarget::Work(_) => "work",
            ReportTarget::Comment(_) => "comment",
        }
    }

    fn id(self) -> i64 {
        match self {
            ReportTarget::Work(id) | ReportTarget::Comment(id) => id,
        }
    }
}

/// Why a reader reports something: AO3's Policy & Abuse categories, cut to
/// the ones an archive's volunteers act on.
pub const REPORT_REASONS: [(&str, &str); 6] = [
    ("harassment", "Harassment or threats"),
    ("warnings", "Missing archive warnings or the wrong rating"),
    ("spam", "Spam or commercial promotion"),
    ("plagiarism", "Plagiarism or not a fan work"),
    ("illegal", "Illegal content"),
    ("other", "Something else"),
];

/// The longest report description kept.
pub const MAX_REPORT_DETAILS: usize = crate::model::limits::REPORT_CHARS;

/// A report as the admins' queue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub target: ReportTarget,
    /// The work itself, or the work the comment is on; `None` once deleted.
    pub work: Option<WorkId>,
    pub work_title: Option<String>,
    /// Whether that work is hidden now; `None` once it's gone.
    pub work_hidden: Option<bool>,
    /// The reported comment's text, for comment reports.
    pub comment_body: Option<crate::model::Formatted>,
    /// Accounts answerable for what was reported: the work's creators or
    /// the comment's writer.
    pub accountable: Vec<String>,
    pub reporter: Option<String>,
    pub reason: String,
    pub details: String,
    pub created_at: i64,
}

impl Archive {
    /// Files a report. Anyone may report what they can see; the admins'
    /// queue shows it until one of them resolves it.
    pub async fn report(
        &self,
        target: ReportTarget,
        reporter: Option<UserId>,
        reason: &str,
        details: &str,
    ) -> Result<i64> {
        if !REPORT_REASONS.iter().any(|(name, _)| *name == reason) {
            return Err(ArchiveError::rejected(
                "reason",
                format!("`{reason}` is not a reason a report can give; choose one from the list"),
            ));
        }
        let details = details.trim();
        if details.is_empty() {
            return Err(ArchiveError::rejected(
                "details",
                "say in a sentence or two what is wrong, so the admins know what to look for",
            ));
        }
        crate::model::check_text("report", details, MAX_REPORT_DETAILS)?;
        let work = match target {
            ReportTarget::Work(id) => self.work_exists(id).await?.then_some(id),
            ReportTarget::Comment(id) => self.work_of_comment(id).await?,
        }
        .ok_or_else(|| ArchiveError::Missing(format!("there is no such {}", target.kind())))?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO reports (target_kind, target_id, work_id, reporter_id, reason, details, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(target.kind())
        .bind(target.id())
        .bind(work)
        .bind(reporter)
        .bind(reason)
        .bind(details)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record_change(&mut tx, "report", id, "filed").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Reports no admin has resolved yet, oldest first.
    pub async fn open_reports(&self, limit: i64) -> Result<Vec<Report>> {
        let rows = sqlx::query(
            "SELECT r.id, r.target_kind, r.target_id, r.work_id, w.title, u.login, r.reason, \
             r.details, r.created_at, c.body, w.hidden \
             FROM reports r LEFT JOIN works w ON w.id = r.work_id \
             LEFT JOIN users u ON u.id = r.reporter_id \
             LEFT JOIN comments c ON r.target_kind = 'comment' AND c.id = r.target_id \
             WHERE r.resolved_at IS NULL ORDER BY r.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut reports = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("target_kind")?;
            let target_id: i64 = row.try_get("target_id")?;
            let target = if kind == "comment" {
                ReportTarget::Comment(target_id)
            } else {
                ReportTarget::Work(target_id)
            };
            reports.push(Report {
                id: row.try_get("id")?,
                target,
                work: row.try_get("work_id")?,
                work_title: row.try_get("title")?,
                accountable: self.accountable_for(target).await?,
                reporter: row.try_get("login")?,
                reason: row.try_get("reason")?,
                details: row.try_get("details")?,
                created_at: row.try_get("created_at")?,
                comment_body: row
                    .try_get::<Option<String>, _>("body")?
                    .map(crate::model::Formatted::from_stored),
                work_hidden: row.try_get::<Option<i64>, _>("hidden")?.map(|h| h != 0),
            });
        }
        Ok(reports)
    }

    /// The logins of the accounts behind a work or a comment.
    async fn accountable_for(&self, target: ReportTarget) -> Result<Vec<String>> {
        let sql = match target {
            ReportTarget::Work(_) => {
                "SELECT DISTINCT u.login FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
                 JOIN users u ON u.id = p.user_id WHERE wc.work_id = $1 ORDER BY u.login"
            }
            ReportTarget::Comment(_) => {
                "SELECT u.login FROM comments c JOIN pseuds p ON p.id = c.pseud_id \
                 JOIN users u ON u.id = p.user_id WHERE c.id = $1"
            }
        };
        sqlx::query(sql)
            .bind(target.id())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("login").map_err(ArchiveError::from))
            .collect()
    }

    /// Closes a report with a word on what was done.
    pub async fn resolve_report(&self, id: i64, admin: UserId, resolution: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE reports SET resolved_at = $1, resolved_by = $2, resolution = $3 \
             WHERE id = $4 AND resolved_at IS NULL",
        )
        .bind(now())
        .bind(admin)
        .bind(resolution.trim())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ArchiveError::Conflict(format!(
                "report {id} is not open (it may have been resolved already)"
            )));
        }
        record_change(&mut tx, "report", id, "resolved").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn work_exists(&self, id: WorkId) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM works WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Hides a work from everyone but its creators and the admins (or shows
    /// it again). It leaves listings and search; its text stays as it was.
    pub async fn set_work_hidden(&self, work: WorkId, hidden: bool) -> Result<()> {
        let mut tx = self.write().await?;
        // The version moves so cached pages and downloads go; the updated
        // date stays, since the author changed nothing.
        let done = sqlx::query("UPDATE works SET hidden = $1, version = version + 1 WHERE id = $2")
            .bind(i64::from(hidden))
            .bind(work)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(ArchiveError::NoSuchWork(work));
        }
        let kind = if hidden { "hidden" } else { "unhidden" };
        record_change(&mut tx, "work", work, kind).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Suspends an account (or lifts the suspension): a suspended account
    /// can still read and sign in, but not post, edit, comment or react.
    pub async fn set_suspended(&self, user: UserId, suspended: bool) -> Result<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET suspended = $1 WHERE id = $2")
            .bind(i64::from(suspended))
            .bind(user)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(ArchiveError::Missing("there is no such account".into()));
        }
        let kind = if suspended { "suspended" } else { "reinstated" };
        record_change(&mut tx, "user", user, kind).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Is this account suspended? An unknown account is not.
    pub async fn is_suspended(&self, user: UserId) -> Result<bool> {
        let row = sqlx::query("SELECT suspended FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("suspended"))
            .transpose()?
            .is_some_and(|s| s != 0))
    }

    /// May this viewer see hidden works? Their creators and admins may.
    pub(crate) async fn sees_hidden(&self, work: WorkId, viewer: Viewer) -> Result<bool> {
        let Viewer::User(user) = viewer else {
            return Ok(false);
        };
        Ok(self.is_admin(user).await? || self.is_creator(work, viewer).await?)
    }
}
