//! Reading history and "marked for later": the works a signed-in reader
//! opened, and those they mean to, for their own dashboard only.

use sqlx::Row;

use crate::people::UserId;
use crate::{now, Archive, Result, WorkId};

impl Archive {
    /// Notes that a signed-in reader opened a work, for their history.
    pub async fn record_reading(&self, user: UserId, work: WorkId) -> Result<()> {
        sqlx::query(
            "INSERT INTO readings (user_id, work_id, last_read_at, visits) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (user_id, work_id) DO UPDATE SET last_read_at = excluded.last_read_at, \
             visits = readings.visits + 1",
        )
        .bind(user)
        .bind(work)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A reader's history, last read first, as (work, title, last read in
    /// Unix seconds, visits).
    pub async fn reading_history(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<(WorkId, String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT r.work_id, w.title, r.last_read_at, r.visits FROM readings r \
             JOIN works w ON w.id = r.work_id WHERE r.user_id = $1 \
             ORDER BY r.last_read_at DESC, r.work_id DESC LIMIT $2",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("work_id")?,
                    r.try_get("title")?,
                    r.try_get("last_read_at")?,
                    r.try_get("visits")?,
                ))
            })
            .collect()
    }

    /// Forgets a reader's history.
    pub async fn clear_reading_history(&self, user: UserId) -> Result<()> {
        sqlx::query("DELETE FROM readings WHERE user_id = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets one work of a reader's history.
    pub async fn forget_reading(&self, user: UserId, work: WorkId) -> Result<()> {
        sqlx::query("DELETE FROM readings WHERE user_id = $1 AND work_id = $2")
            .bind(user)
            .bind(work)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Marks a work to read later; `false` when it already was.
    pub async fn mark_for_later(&self, user: UserId, work: WorkId) -> Result<bool> {
        let mut tx = self.write().await?;
        let marked = sqlx::query(
            "INSERT INTO marked_for_later (user_id, work_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, work_id) DO NOTHING",
        )
        .bind(user)
        .bind(work)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(marked)
    }

    pub async fn unmark_for_later(&self, user: UserId, work: WorkId) -> Result<()> {
        sqlx::query("DELETE FROM marked_for_later WHERE user_id = $1 AND work_id = $2")
            .bind(user)
            .bind(work)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_marked_for_later(&self, user: UserId, work: WorkId) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM marked_for_later WHERE user_id = $1 AND work_id = $2")
                .bind(user)
                .bind(work)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// The works a reader marked for later, newest mark first, as (work,
    /// title); a work since hidden or turned back into a draft is left out
    /// (its mark stays, for when it is back).
    pub async fn marked_for_later(&self, user: UserId) -> Result<Vec<(WorkId, String)>> {
        sqlx::query(
            "SELECT m.work_id, w.title FROM marked_for_later m JOIN works w ON w.id = m.work_id \
             WHERE m.user_id = $1 AND w.draft = 0 AND w.hidden = 0 \
             ORDER BY m.created_at DESC, m.work_id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("work_id")?, r.try_get("title")?)))
        .collect()
    }
}
