//! Reading history: the works a signed-in reader opened, for their own
//! dashboard only.

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
}
