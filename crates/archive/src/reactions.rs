//! What readers leave on works: kudos, comments, bookmarks, hits.

use sqlx::Row;

use crate::people::UserId;
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub id: i64,
    /// `None` once the work is deleted; the bookmark and its note stay.
    pub work: Option<WorkId>,
    pub work_title: String,
    pub note: String,
    pub private: bool,
}

impl Archive {
    /// Leaves kudos; `false` when this reader already had.
    pub async fn leave_kudos(&self, work: WorkId, who: &Kudoser) -> Result<bool> {
        let (user, guest) = match who {
            Kudoser::User(id) => {
                if self.is_creator(work, crate::Viewer::User(*id)).await? {
                    return Err(ArchiveError::Refused(
                        "you can't leave kudos on your own work".into(),
                    ));
                }
                (Some(*id), None)
            }
            Kudoser::Guest(key) => (None, Some(key.as_str())),
        };
        let inserted = sqlx::query(
            "INSERT INTO kudos (work_id, user_id, guest_key, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(work)
        .bind(user)
        .bind(guest)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    pub async fn kudos_count(&self, work: WorkId) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM kudos WHERE work_id = $1")
            .bind(work)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Comments on a chapter, or replies to a comment (`parent`).
    pub async fn add_comment(
        &self,
        chapter: i64,
        by: &Commenter,
        parent: Option<i64>,
        body: &str,
    ) -> Result<i64> {
        if body.trim().is_empty() {
            return Err(ArchiveError::Refused("a comment needs some text".into()));
        }
        let (pseud, name) = match by {
            Commenter::Pseud(id) => (Some(*id), None),
            Commenter::Named(name) => (None, Some(name.trim())),
        };
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO comments (chapter_id, parent_id, pseud_id, guest_name, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(chapter)
        .bind(parent)
        .bind(pseud)
        .bind(name)
        .bind(body)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        record_change(&mut tx, "comment", id, "posted").await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn comment_count(&self, work: WorkId) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM comments c JOIN chapters ch ON ch.id = c.chapter_id WHERE ch.work_id = $1",
        )
        .bind(work)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    pub async fn add_bookmark(
        &self,
        work: WorkId,
        pseud: PseudId,
        note: &str,
        private: bool,
    ) -> Result<i64> {
        let title: String = sqlx::query("SELECT title FROM works WHERE id = $1")
            .bind(work)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ArchiveError::NoSuchWork(work))?
            .try_get(0)?;
        let row = sqlx::query(
            "INSERT INTO bookmarks (work_id, pseud_id, work_title, note, tags, private, rec, created_at) \
             VALUES ($1, $2, $3, $4, '', $5, 0, $6) RETURNING id",
        )
        .bind(work)
        .bind(pseud)
        .bind(title)
        .bind(note)
        .bind(i64::from(private))
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn bookmark(&self, id: i64) -> Result<Option<Bookmark>> {
        let row = sqlx::query(
            "SELECT id, work_id, work_title, note, private FROM bookmarks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Bookmark {
                id: r.try_get(0)?,
                work: r.try_get(1)?,
                work_title: r.try_get(2)?,
                note: r.try_get(3)?,
                private: r.try_get::<i64, _>(4)? != 0,
            })
        })
        .transpose()
    }

    /// Counts a visit: once per visitor per work per day (`day` = days
    /// since 1970). Returns whether it counted.
    pub async fn record_hit(&self, work: WorkId, visitor_key: &str, day: i64) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO hits (work_id, visitor_key, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(work)
        .bind(visitor_key)
        .bind(day)
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    pub async fn hit_count(&self, work: WorkId) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM hits WHERE work_id = $1")
            .bind(work)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }
}
