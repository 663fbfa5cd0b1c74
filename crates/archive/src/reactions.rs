//! What readers leave on works: kudos and comments (bookmarks are in
//! their own module).

use sqlx::Row;

use crate::model::{self, Formatted};
use crate::notifications::{record_event, EventRefs};
use crate::people::{UserId, Viewer};
use crate::{now, record_change, Archive, ArchiveError, PseudId, Result, WorkId};

/// Who leaves kudos: one per account, or one per guest per work, a guest
/// known by a salted hash of their address (never the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kudoser {
    User(UserId),
    Guest(String),
}

/// Who writes a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commenter {
    Pseud(PseudId),
    Named(String),
}

/// One comment, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub chapter: i64,
    pub parent: Option<i64>,
    pub body: Formatted,
    pub edited: bool,
    pub frozen: bool,
    /// Waiting for the work's creators' approval.
    pub held: bool,
}

/// A comment as a page shows it: who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentView {
    pub id: i64,
    pub chapter: i64,
    pub parent: Option<i64>,
    /// The pseud's name, or the name a guest gave.
    pub writer: String,
    /// The account behind the pseud; `None` for guests.
    pub writer_user: Option<UserId>,
    /// That account's login, for its page and its block and mute forms.
    pub writer_login: Option<String>,
    pub body: Formatted,
    pub edited: bool,
    pub frozen: bool,
    /// Waiting for the work's creators' approval.
    pub held: bool,
    /// Hidden by the work's creators or an admin.
    pub hidden: bool,
    /// Marked as spam by an admin.
    pub spam: bool,
    /// Unix seconds.
    pub posted_at: i64,
}

/// Who left kudos: accounts by name, guests counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KudosGivers {
    pub names: Vec<String>,
    pub guests: i64,
}

/// How a guest is known for kudos and hits: a hash of the archive's secret
/// salt and their address, so the address itself is never stored.
pub fn guest_key(salt: &[u8], address: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(address.as_bytes());
    crate::hex(&hasher.finalize())
}

impl Archive {
    /// Leaves kudos; `false` when this reader already had.
    pub async fn leave_kudos(&self, work: WorkId, who: &Kudoser) -> Result<bool> {
        let draft: i64 = sqlx::query("SELECT draft FROM works WHERE id = $1")
            .bind(work)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ArchiveError::NoSuchWork(work))?
            .try_get("draft")?;
        if draft != 0 {
            return Err(ArchiveError::Conflict(
                "a draft takes kudos once it is posted".into(),
            ));
        }
        let (user, guest) = match who {
            Kudoser::User(id) => {
                if self.is_creator(work, crate::Viewer::User(*id)).await? {
                    return Err(ArchiveError::Conflict(
                        "you can't leave kudos on your own work".into(),
                    ));
                }
                self.refuse_if_a_creator_blocked(work, *id, "leave it kudos")
                    .await?;
                (Some(*id), None)
            }
            Kudoser::Guest(key) => (None, Some(key.as_str())),
        };
        let mut tx = self.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO kudos (work_id, user_id, guest_key, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(work)
        .bind(user)
        .bind(guest)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            bump_count(&mut tx, work, "kudos_count").await?;
            let refs = EventRefs {
                actor: user,
                work: Some(work),
                ..EventRefs::default()
            };
            record_event(&mut tx, "kudos", refs).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    pub async fn kudos_count(&self, work: WorkId) -> Result<i64> {
        self.stored_count(work, "kudos_count").await
    }

    pub(crate) async fn stored_count(&self, work: WorkId, column: &'static str) -> Result<i64> {
        Ok(
            sqlx::query(&format!("SELECT {column} FROM works WHERE id = $1"))
                .bind(work)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get(column))
                .transpose()?
                .unwrap_or(0),
        )
    }

    /// Comments on a chapter, or replies to a comment (`parent`).
    pub async fn add_comment(
        &self,
        chapter: i64,
        by: &Commenter,
        parent: Option<i64>,
        body: &str,
    ) -> Result<i64> {
        let body = comment_text(body)?;
        if let Commenter::Named(name) = by {
            if name.trim().is_empty() {
                return Err(ArchiveError::rejected(
                    "name",
                    "Please give a name to comment as a guest, or sign in.",
                ));
            }
            model::check_text("name", name.trim(), model::limits::GUEST_NAME_CHARS)?;
        }
        let commenter = match by {
            Commenter::Pseud(pseud) => self.user_of_pseud(*pseud).await?,
            Commenter::Named(_) => None,
        };
        if let Some(parent) = parent {
            let answered = self.comment_context(parent).await?;
            if let (Some(writer), Some(commenter)) = (answered.writer, commenter) {
                if self.has_blocked(writer, commenter).await? {
                    return Err(ArchiveError::NotAllowed(
                        "Sorry, the writer of that comment has blocked you, so you can't reply to it."
                            .into(),
                    ));
                }
            }
            // A reply answers a comment on the same chapter.
            if answered.chapter != chapter {
                return Err(ArchiveError::NoSuchComment(parent));
            }
            if answered.frozen {
                return Err(ArchiveError::Conflict(
                    "this comment thread is frozen; it takes no replies".into(),
                ));
            }
            if answered.held {
                return Err(ArchiveError::Conflict(
                    "that comment is waiting for approval; it takes replies once it is approved"
                        .into(),
                ));
            }
        }
        let held;
        let on = sqlx::query(
            "SELECT w.id, w.draft FROM chapters c JOIN works w ON w.id = c.work_id WHERE c.id = $1",
        )
        .bind(chapter)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| -> Result<(WorkId, i64)> { Ok((row.try_get("id")?, row.try_get("draft")?)) })
        .transpose()?;
        match on {
            None => {
                return Err(ArchiveError::Missing(format!(
                    "there is no chapter {chapter} to comment on"
                )))
            }
            Some((work, 0)) => {
                if let Some(commenter) = commenter {
                    self.refuse_if_a_creator_blocked(work, commenter, "comment on it")
                        .await?;
                }
                held = self
                    .comment_admission(work, commenter, matches!(by, Commenter::Named(_)))
                    .await?;
            }
            Some(_) => {
                return Err(ArchiveError::Conflict(
                    "a draft takes comments once it is posted".into(),
                ))
            }
        }
        let (pseud, name) = match by {
            Commenter::Pseud(id) => (Some(*id), None),
            Commenter::Named(name) => (None, Some(name.trim())),
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO comments (chapter_id, parent_id, pseud_id, guest_name, body, created_at, held) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(chapter)
        .bind(parent)
        .bind(pseud)
        .bind(name)
        .bind(body.html())
        .bind(now())
        .bind(i64::from(held))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record_change(&mut tx, "comment", id, "posted").await?;
        recount_comments_of_chapter(&mut tx, chapter).await?;
        let refs = EventRefs {
            actor: commenter,
            comment: Some(id),
            ..EventRefs::default()
        };
        record_event(&mut tx, "comment", refs).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every comment on a work, oldest first; replies name their parent.
    pub async fn comments_on_work(&self, work: WorkId) -> Result<Vec<CommentView>> {
        let rows = sqlx::query(
            "SELECT c.id, c.chapter_id, c.parent_id, COALESCE(p.name, c.guest_name, '') AS writer, p.user_id, \
             u.login, c.body, c.edited_at, c.frozen, c.held, c.hidden, c.spam, c.created_at \
             FROM comments c JOIN chapters ch ON ch.id = c.chapter_id \
             LEFT JOIN pseuds p ON p.id = c.pseud_id LEFT JOIN users u ON u.id = p.user_id \
             WHERE ch.work_id = $1 ORDER BY c.id",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CommentView {
                    id: r.try_get("id")?,
                    chapter: r.try_get("chapter_id")?,
                    parent: r.try_get("parent_id")?,
                    writer: r.try_get("writer")?,
                    writer_user: r.try_get("user_id")?,
                    writer_login: r.try_get("login")?,
                    body: Formatted::from_stored(r.try_get("body")?),
                    edited: r.try_get::<Option<i64>, _>("edited_at")?.is_some(),
                    frozen: r.try_get::<i64, _>("frozen")? != 0,
                    held: r.try_get::<i64, _>("held")? != 0,
                    hidden: r.try_get::<i64, _>("hidden")? != 0,
                    spam: r.try_get::<i64, _>("spam")? != 0,
                    posted_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// The work a comment is on.
    pub async fn work_of_comment(&self, id: i64) -> Result<Option<WorkId>> {
        let row = sqlx::query(
            "SELECT ch.work_id FROM comments c JOIN chapters ch ON ch.id = c.chapter_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("work_id")).transpose()?)
    }

    /// Who left kudos on a work, first given first.
    pub async fn kudos_givers(&self, work: WorkId) -> Result<KudosGivers> {
        let rows = sqlx::query(
            "SELECT u.login FROM kudos k LEFT JOIN users u ON u.id = k.user_id \
             WHERE k.work_id = $1 ORDER BY k.id",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?;
        let mut givers = KudosGivers::default();
        for row in rows {
            match row.try_get::<Option<String>, _>("login")? {
                Some(name) => givers.names.push(name),
                None => givers.guests += 1,
            }
        }
        Ok(givers)
    }

    pub async fn comment_count(&self, work: WorkId) -> Result<i64> {
        self.stored_count(work, "comments_count").await
    }

    pub async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        let row = sqlx::query(
            "SELECT id, chapter_id, parent_id, body, edited_at, frozen, held FROM comments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Comment {
                id: r.try_get("id")?,
                chapter: r.try_get("chapter_id")?,
                parent: r.try_get("parent_id")?,
                body: Formatted::from_stored(r.try_get("body")?),
                edited: r.try_get::<Option<i64>, _>("edited_at")?.is_some(),
                frozen: r.try_get::<i64, _>("frozen")? != 0,
                held: r.try_get::<i64, _>("held")? != 0,
            })
        })
        .transpose()
    }

    /// Who wrote a comment (its pseud's account), and the work it is on.
    pub(crate) async fn comment_context(&self, id: i64) -> Result<CommentContext> {
        let row = sqlx::query(
            "SELECT p.user_id, ch.work_id, c.chapter_id, c.frozen, c.held FROM comments c \
             JOIN chapters ch ON ch.id = c.chapter_id \
             LEFT JOIN pseuds p ON p.id = c.pseud_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(ArchiveError::NoSuchComment(id))?;
        Ok(CommentContext {
            writer: row.try_get("user_id")?,
            work: row.try_get("work_id")?,
            chapter: row.try_get("chapter_id")?,
            frozen: row.try_get::<i64, _>("frozen")? != 0,
            held: row.try_get::<i64, _>("held")? != 0,
        })
    }

    /// Its writer edits a comment, unless the work's author froze it.
    pub async fn edit_comment(&self, id: i64, by: UserId, body: &str) -> Result<()> {
        let CommentContext {
            writer,
            work,
            frozen,
            ..
        } = self.comment_context(id).await?;
        if writer != Some(by) {
            return Err(ArchiveError::NotAllowed(
                "Only the person who wrote a comment can edit it.".into(),
            ));
        }
        if frozen {
            return Err(ArchiveError::Conflict(
                "this comment thread is frozen; it can't be edited".into(),
            ));
        }
        let body = comment_text(body)?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3")
            .bind(body.html())
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "comment", id, "edited").await?;
        // The work's pages show it.
        record_change(&mut tx, "work", work, "comments").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Its writer, the work's author or an admin (taking down abuse, as
    /// AO3's Policy & Abuse team does) deletes a comment, with its replies.
    pub async fn delete_comment(&self, id: i64, by: UserId) -> Result<()> {
        let CommentContext { writer, work, .. } = self.comment_context(id).await?;
        if writer != Some(by)
            && !self.is_creator(work, Viewer::User(by)).await?
            && !self.is_admin(by).await?
        {
            return Err(ArchiveError::NotAllowed(
                "Only the comment's writer, the work's author or an admin can delete it.".into(),
            ));
        }
        let mut tx = self.write().await?;
        // Another delete may have taken it since it was looked at.
        let chapter: i64 = sqlx::query("SELECT chapter_id FROM comments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(ArchiveError::NoSuchComment(id))?
            .try_get("chapter_id")?;
        sqlx::query("DELETE FROM comments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "comment", id, "deleted").await?;
        recount_comments_of_chapter(&mut tx, chapter).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The work's creators or an admin freeze a comment thread: the
    /// comment and its replies at every depth take no edits and no replies.
    pub async fn freeze_comment(&self, id: i64, by: UserId) -> Result<()> {
        self.set_thread_frozen(id, by, true).await
    }

    /// Lets a frozen thread, at every depth, take replies and edits again.
    pub async fn unfreeze_comment(&self, id: i64, by: UserId) -> Result<()> {
        self.set_thread_frozen(id, by, false).await
    }

    async fn set_thread_frozen(&self, id: i64, by: UserId, frozen: bool) -> Result<()> {
        let work = self.comment_context(id).await?.work;
        if !self.is_creator(work, Viewer::User(by)).await? && !self.is_admin(by).await? {
            return Err(ArchiveError::NotAllowed(
                "Only the work's creators or an admin can freeze or unfreeze its comments.".into(),
            ));
        }
        // The thread is the comment and every reply beneath it, however deep.
        let mut tx = self.write().await?;
        sqlx::query(
            "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE id = $1 \
             UNION ALL SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id) \
             UPDATE comments SET frozen = $2 WHERE id IN (SELECT id FROM thread)",
        )
        .bind(id)
        .bind(i64::from(frozen))
        .execute(&mut *tx)
        .await?;
        let change = if frozen { "frozen" } else { "unfrozen" };
        record_change(&mut tx, "comment", id, change).await?;
        record_change(&mut tx, "work", work, "comments").await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One more kudos or hit on a work's counter, and a change for the search
/// index to pick up (counts may lag there; see the search module).
/// Who wrote a comment, where it is, and whether its thread is frozen.
pub(crate) struct CommentContext {
    pub(crate) writer: Option<UserId>,
    pub(crate) work: WorkId,
    pub(crate) chapter: i64,
    frozen: bool,
    held: bool,
}

/// A comment as it is kept: its HTML cleaned, never without words, never
/// too long.
fn comment_text(typed: &str) -> Result<Formatted> {
    let body = Formatted::from_html(typed);
    if body.text().trim().is_empty() {
        return Err(ArchiveError::rejected(
            "comment",
            "a comment needs some text",
        ));
    }
    model::check_formatted("comment", &body, model::limits::COMMENT_CHARS)?;
    Ok(body)
}

async fn bump_count(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work: WorkId,
    column: &'static str,
) -> Result<()> {
    sqlx::query(&format!(
        "UPDATE works SET {column} = {column} + 1 WHERE id = $1"
    ))
    .bind(work)
    .execute(&mut **tx)
    .await?;
    record_change(tx, "work", work, "counts").await
}

/// Comments are counted again from their rows: a deleted comment takes its
/// replies with it.
pub(crate) async fn recount_comments_of_chapter(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    chapter: i64,
) -> Result<()> {
    let work: WorkId = sqlx::query("SELECT work_id FROM chapters WHERE id = $1")
        .bind(chapter)
        .fetch_one(&mut **tx)
        .await?
        .try_get("work_id")?;
    sqlx::query(
        "UPDATE works SET comments_count = (SELECT COUNT(*) FROM comments c \
         JOIN chapters ch ON ch.id = c.chapter_id \
         WHERE ch.work_id = $1 AND c.held = 0 AND c.spam = 0) WHERE id = $1",
    )
    .bind(work)
    .execute(&mut **tx)
    .await?;
    // Not just "counts": the work's pages show the comments themselves.
    record_change(tx, "work", work, "comments").await
}

#[cfg(test)]
mod tests {
    #[test]
    fn guest_keys_hide_the_address() {
        let key = super::guest_key(b"salt", "203.0.113.7");
        assert_eq!(key.len(), 64);
        assert!(!key.contains("203"));
        assert_eq!(key, super::guest_key(b"salt", "203.0.113.7"));
        assert_ne!(key, super::guest_key(b"other salt", "203.0.113.7"));
    }
}
