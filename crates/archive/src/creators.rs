//! Co-creators: a work's creators invite others to be credited on it,
//! who are credited only once they accept, as on AO3; and a creator may
//! leave a shared work.

use sqlx::Row;

use crate::notifications::{record_event, EventRefs};
use crate::people::{UserId, Viewer};
use crate::{model, now, record_change, Archive, ArchiveError, PseudId, Result, WorkId};

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

    /// The pseuds a co-creator field names, commas between, each once.
    pub async fn find_pseuds(&self, written: &str) -> Result<Vec<PseudId>> {
        let names: Vec<&str> = written
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        model::check_count("co-creators", names.len(), model::limits::CO_CREATORS)?;
        let mut pseuds = Vec::new();
        for name in names {
            let pseud = self.find_pseud(name).await?;
            if !pseuds.contains(&pseud) {
                pseuds.push(pseud);
            }
        }
        Ok(pseuds)
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
        let row = sqlx::query("SELECT user_id, name FROM pseuds WHERE id = $1")
            .bind(pseud)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(ArchiveError::UnknownPseud(pseud))?;
        let owner: Option<UserId> = row.try_get("user_id")?;
        if let Some(owner) = owner {
            let blocked =
                sqlx::query("SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2")
                    .bind(owner)
                    .bind(by)
                    .fetch_optional(&mut **tx)
                    .await?
                    .is_some();
            if blocked {
                let name: String = row.try_get("name")?;
                return Err(ArchiveError::NotAllowed(format!(
                    "Sorry, {name} has blocked you, so you can't invite them as a co-creator."
                )));
            }
        }
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
            let refs = EventRefs {
                actor: Some(by),
                work: Some(work),
                user: owner,
                ..EventRefs::default()
            };
            record_event(tx, "invitation", refs).await?;
        }
    }
    Ok(())
}
