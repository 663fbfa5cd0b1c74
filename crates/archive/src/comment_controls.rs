//! A work's comment controls: who may comment, whether comments wait for
//! the creators' approval, and what the creators and admins do to a
//! comment besides deleting it (approve, hide, mark as spam, remove all of
//! one person's).

use sqlx::Row;

use crate::notifications::{record_event, EventRefs};
use crate::people::{UserId, Viewer};
use crate::reactions::recount_comments_of_chapter;
use crate::{record_change, Archive, ArchiveError, Result, WorkId};

/// Who may comment on a work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CommentPolicy {
    #[default]
    Everyone,
    /// Signed-in readers only.
    Registered,
    /// No one: the work takes no new comments.
    NoOne,
}

impl CommentPolicy {
    pub const ALL: [CommentPolicy; 3] = [
        CommentPolicy::Everyone,
        CommentPolicy::Registered,
        CommentPolicy::NoOne,
    ];

    /// As stored, and as forms and the API say it.
    pub fn name(self) -> &'static str {
        match self {
            CommentPolicy::Everyone => "everyone",
            CommentPolicy::Registered => "registered",
            CommentPolicy::NoOne => "none",
        }
    }

    pub fn from_name(name: &str) -> Option<CommentPolicy> {
        CommentPolicy::ALL.into_iter().find(|p| p.name() == name)
    }

    /// In plain words, for the form.
    pub fn label(self) -> &'static str {
        match self {
            CommentPolicy::Everyone => "Everyone, guests too",
            CommentPolicy::Registered => "Signed-in readers only",
            CommentPolicy::NoOne => "No one (comments off)",
        }
    }
}

/// A work's comment controls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentSettings {
    pub policy: CommentPolicy,
    /// New comments wait for the creators' approval (their own don't).
    pub moderated: bool,
}

impl Archive {
    pub async fn comment_settings(&self, work: WorkId) -> Result<CommentSettings> {
        let row = sqlx::query("SELECT comment_policy, moderated_comments FROM works WHERE id = $1")
            .bind(work)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ArchiveError::NoSuchWork(work))?;
        let policy: String = row.try_get("comment_policy")?;
        Ok(CommentSettings {
            policy: CommentPolicy::from_name(&policy).unwrap_or_default(),
            moderated: row.try_get::<i64, _>("moderated_comments")? != 0,
        })
    }

    /// The work's creators set who may comment and whether comments wait
    /// for approval. What is already posted stays as it is.
    pub async fn set_comment_settings(
        &self,
        work: WorkId,
        by: UserId,
        settings: CommentSettings,
    ) -> Result<()> {
        if !self.is_creator(work, Viewer::User(by)).await? {
            return Err(ArchiveError::NotYours(work));
        }
        let mut tx = self.write().await?;
        sqlx::query("UPDATE works SET comment_policy = $2, moderated_comments = $3 WHERE id = $1")
            .bind(work)
            .bind(settings.policy.name())
            .bind(i64::from(settings.moderated))
            .execute(&mut *tx)
            .await?;
        // The work's page shows (or leaves out) the comment form.
        record_change(&mut tx, "work", work, "comments").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses a comment the work's settings don't take, and says whether
    /// one it takes waits for approval.
    pub(crate) async fn comment_admission(
        &self,
        work: WorkId,
        commenter: Option<UserId>,
        guest: bool,
    ) -> Result<bool> {
        let settings = self.comment_settings(work).await?;
        let creator = match commenter {
            Some(user) => self.is_creator(work, Viewer::User(user)).await?,
            None => false,
        };
        match settings.policy {
            CommentPolicy::NoOne if !creator => {
                return Err(ArchiveError::Conflict(
                    "This work's creators have turned its comments off.".into(),
                ))
            }
            CommentPolicy::Registered if guest => {
                return Err(ArchiveError::NotAllowed(
                    "Only signed-in readers may comment on this work. Please sign in first.".into(),
                ))
            }
            _ => {}
        }
        Ok(settings.moderated && !creator)
    }

    /// The work's creators or an admin let a comment that waited for
    /// approval onto the page.
    pub async fn approve_comment(&self, id: i64, by: UserId) -> Result<()> {
        self.set_comment_flag(id, by, "held", false, Moderator::CreatorOrAdmin)
            .await
    }

    /// The work's creators or an admin hide a comment (its replies stay),
    /// or show it again.
    pub async fn set_comment_hidden(&self, id: i64, by: UserId, hidden: bool) -> Result<()> {
        self.set_comment_flag(id, by, "hidden", hidden, Moderator::CreatorOrAdmin)
            .await
    }

    /// An admin marks a comment as spam: it leaves the page for everyone
    /// but the admins, and stops counting.
    pub async fn mark_spam(&self, id: i64, by: UserId, spam: bool) -> Result<()> {
        self.set_comment_flag(id, by, "spam", spam, Moderator::Admin)
            .await
    }

    async fn set_comment_flag(
        &self,
        id: i64,
        by: UserId,
        column: &'static str,
        value: bool,
        who: Moderator,
    ) -> Result<()> {
        let context = self.comment_context(id).await?;
        let allowed = self.is_admin(by).await?
            || (who == Moderator::CreatorOrAdmin
                && self.is_creator(context.work, Viewer::User(by)).await?);
        if !allowed {
            return Err(ArchiveError::NotAllowed(match who {
                Moderator::CreatorOrAdmin => {
                    "Only the work's creators or an admin can do that to its comments.".into()
                }
                Moderator::Admin => "Only an admin can mark a comment as spam.".into(),
            }));
        }
        let mut tx = self.write().await?;
        let changed = sqlx::query(&format!(
            "UPDATE comments SET {column} = $2 WHERE id = $1 AND {column} <> $2"
        ))
        .bind(id)
        .bind(i64::from(value))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        record_change(&mut tx, "comment", id, column).await?;
        if column == "held" && !value && changed > 0 {
            // Held, the reply reached only the creators; approved, it is
            // news to the one it answers.
            let refs = EventRefs {
                actor: context.writer,
                comment: Some(id),
                ..EventRefs::default()
            };
            record_event(&mut tx, "comment-approved", refs).await?;
        }
        recount_comments_of_chapter(&mut tx, context.chapter).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An admin removes every comment one account wrote, on every work
    /// (replies to them go with them); the number removed.
    pub async fn delete_comments_of(&self, user: UserId, by: UserId) -> Result<u64> {
        if !self.is_admin(by).await? {
            return Err(ArchiveError::NotAllowed(
                "Only an admin can remove someone's comments.".into(),
            ));
        }
        let mut tx = self.write().await?;
        let chapters: Vec<i64> = sqlx::query(
            "SELECT DISTINCT c.chapter_id FROM comments c JOIN pseuds p ON p.id = c.pseud_id \
             WHERE p.user_id = $1",
        )
        .bind(user)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("chapter_id"))
        .collect::<std::result::Result<_, _>>()?;
        let removed = sqlx::query(
            "DELETE FROM comments WHERE pseud_id IN (SELECT id FROM pseuds WHERE user_id = $1)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        for chapter in chapters {
            recount_comments_of_chapter(&mut tx, chapter).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moderator {
    CreatorOrAdmin,
    Admin,
}
