//! Moderation: readers' reports, works hidden by an admin, suspended
//! accounts — and co-creators, who are credited on a work only once they
//! accept an invitation, as on AO3.

use sqlx::Row;

use crate::people::{UserId, Viewer};
use crate::{model, now, record_change, Archive, ArchiveError, PseudId, Result, WorkId};

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
    pub comment_body: Option<String>,
    /// Accounts answerable for what was reported: the work's creators or
    /// the comment's writer.
    pub accountable: Vec<String>,
    pub reporter: Option<String>,
    pub reason: String,
    pub details: String,
    pub created_at: i64,
}

/// An invitation to be credited as a co-creator, as the invited person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorInvitation {
    pub work: WorkId,
    pub title: String,
    /// The invited pseud (one of the reader's own).
    pub pseud: String,
    pub invited_by: Option<String>,
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
                comment_body: row.try_get("body")?,
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

    /// The pseud a co-creator field names: `name`, or `name (login)` when
    /// several accounts use that name. Only pseuds of accounts qualify.
    pub async fn find_pseud(&self, written: &str) -> Result<PseudId> {
        let written = written.trim();
        let (name, login) = match written.strip_suffix(')').and_then(|w| w.rsplit_once(" (")) {
            Some((name, login)) => (name.trim(), Some(login.trim())),
            None => (written, None),
        };
        let rows = sqlx::query(
            "SELECT p.id, u.login FROM pseuds p JOIN users u ON u.id = p.user_id \
             WHERE p.name_key = $1 ORDER BY p.id",
        )
        .bind(model::tag_key(name))
        .fetch_all(&self.pool)
        .await?;
        let mut matching = Vec::new();
        for row in &rows {
            let owner: String = row.try_get("login")?;
            if login.is_none_or(|l| model::tag_key(l) == model::tag_key(&owner)) {
                matching.push((row.try_get::<PseudId, _>("id")?, owner));
            }
        }
        match matching.as_slice() {
            [] => Err(ArchiveError::NoPseudNamed(written.to_string())),
            [(pseud, _)] => Ok(*pseud),
            several => Err(ArchiveError::AmbiguousPseud {
                name: name.to_string(),
                choices: several
                    .iter()
                    .map(|(_, owner)| format!("`{name} ({owner})`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
            }),
        }
    }

    /// Invites pseuds to be credited on a work. The inviter must be one of
    /// its creators; a pseud of the inviter's own is credited at once, and
    /// anyone already credited or invited is left as they are.
    pub async fn invite_creators(
        &self,
        work: WorkId,
        pseuds: &[PseudId],
        by: UserId,
    ) -> Result<()> {
        if !self.is_creator(work, Viewer::User(by)).await? {
            return Err(ArchiveError::NotYours(work));
        }
        let mut tx = self.write().await?;
        invite_creators_in(&mut tx, work, pseuds, by).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the viewer holds an unanswered invitation to be credited on
    /// the work: enough to read it, draft or not, and decide.
    pub async fn is_invited(&self, work: WorkId, viewer: Viewer) -> Result<bool> {
        let Viewer::User(user) = viewer else {
            return Ok(false);
        };
        Ok(sqlx::query(
            "SELECT 1 FROM creator_invitations ci JOIN pseuds p ON p.id = ci.pseud_id \
             WHERE ci.work_id = $1 AND p.user_id = $2",
        )
        .bind(work)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// Pseud names invited to a work who haven't answered yet.
    pub async fn pending_creators(&self, work: WorkId) -> Result<Vec<String>> {
        sqlx::query(
            "SELECT p.name FROM creator_invitations ci JOIN pseuds p ON p.id = ci.pseud_id \
             WHERE ci.work_id = $1 ORDER BY ci.created_at, p.id",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name").map_err(ArchiveError::from))
        .collect()
    }

    /// The invitations waiting for an account's answer.
    pub async fn invitations_for(&self, user: UserId) -> Result<Vec<CreatorInvitation>> {
        let rows = sqlx::query(
            "SELECT w.id, w.title, p.name, inviter.login FROM creator_invitations ci \
             JOIN pseuds p ON p.id = ci.pseud_id JOIN works w ON w.id = ci.work_id \
             LEFT JOIN users inviter ON inviter.id = ci.invited_by \
             WHERE p.user_id = $1 ORDER BY ci.created_at, w.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CreatorInvitation {
                    work: r.try_get("id")?,
                    title: r.try_get("title")?,
                    pseud: r.try_get("name")?,
                    invited_by: r.try_get("login")?,
                })
            })
            .collect()
    }

    /// Accepts (credits the invited pseud, last) or declines an invitation
    /// to a work.
    pub async fn answer_invitation(&self, work: WorkId, user: UserId, accept: bool) -> Result<()> {
        let mut tx = self.write().await?;
        let pseuds: Vec<PseudId> = sqlx::query(
            "SELECT ci.pseud_id FROM creator_invitations ci JOIN pseuds p ON p.id = ci.pseud_id \
             WHERE ci.work_id = $1 AND p.user_id = $2",
        )
        .bind(work)
        .bind(user)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("pseud_id"))
        .collect::<std::result::Result<_, _>>()?;
        if pseuds.is_empty() {
            return Err(ArchiveError::Conflict(
                "there is no invitation to that work for you (it may have been answered already)"
                    .into(),
            ));
        }
        for &pseud in &pseuds {
            sqlx::query("DELETE FROM creator_invitations WHERE work_id = $1 AND pseud_id = $2")
                .bind(work)
                .bind(pseud)
                .execute(&mut *tx)
                .await?;
            if accept {
                credit_in(&mut tx, work, pseud).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes an account's credit off a work it shares with others; the last
    /// creator can't leave (orphan or delete the work instead).
    pub async fn remove_creator(&self, work: WorkId, user: UserId) -> Result<()> {
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "SELECT wc.pseud_id, p.user_id FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1",
        )
        .bind(work)
        .fetch_all(&mut *tx)
        .await?;
        let mut mine = Vec::new();
        for row in &rows {
            if row.try_get::<Option<UserId>, _>("user_id")? == Some(user) {
                mine.push(row.try_get::<PseudId, _>("pseud_id")?);
            }
        }
        if mine.is_empty() {
            return Err(ArchiveError::NotYours(work));
        }
        if mine.len() == rows.len() {
            return Err(ArchiveError::Conflict(
                "you are this work's only creator: orphan or delete it instead".into(),
            ));
        }
        for pseud in mine {
            sqlx::query("DELETE FROM work_creators WHERE work_id = $1 AND pseud_id = $2")
                .bind(work)
                .bind(pseud)
                .execute(&mut *tx)
                .await?;
        }
        crate::bump_version(&mut tx, work).await?;
        record_change(&mut tx, "work", work, "creators").await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Credits a pseud on a work after its present creators.
async fn credit_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work: WorkId,
    pseud: PseudId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO work_creators (work_id, pseud_id, position) \
         SELECT $1, $2, COALESCE(MAX(position), 0) + 1 FROM work_creators WHERE work_id = $1 \
         ON CONFLICT (work_id, pseud_id) DO NOTHING",
    )
    .bind(work)
    .bind(pseud)
    .execute(&mut **tx)
    .await?;
    crate::bump_version(tx, work).await?;
    record_change(tx, "work", work, "creators").await?;
    Ok(())
}

/// Credits the inviter's own pseuds and invites the others, in the
/// caller's transaction; anyone already credited or invited stays as is.
pub(crate) async fn invite_creators_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    work: WorkId,
    pseuds: &[PseudId],
    by: UserId,
) -> Result<()> {
    for &pseud in pseuds {
        let owner: Option<UserId> = sqlx::query("SELECT user_id FROM pseuds WHERE id = $1")
            .bind(pseud)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(ArchiveError::UnknownPseud(pseud))?
            .try_get("user_id")?;
        let credited =
            sqlx::query("SELECT 1 FROM work_creators WHERE work_id = $1 AND pseud_id = $2")
                .bind(work)
                .bind(pseud)
                .fetch_optional(&mut **tx)
                .await?
                .is_some();
        if credited {
            continue;
        }
        if owner == Some(by) {
            credit_in(tx, work, pseud).await?;
        } else {
            sqlx::query(
                "INSERT INTO creator_invitations (work_id, pseud_id, invited_by, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (work_id, pseud_id) DO NOTHING",
            )
            .bind(work)
            .bind(pseud)
            .bind(by)
            .bind(now())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
