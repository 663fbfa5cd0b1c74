//! Subscriptions: readers who asked to hear of a work's new chapters or
//! a creator's new works.

use sqlx::Row;

use crate::people::UserId;
use crate::{Archive, ArchiveError, PseudId, Result, WorkId};

/// What a reader can subscribe to, to hear of new chapters and works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionTarget {
    Work(WorkId),
    Pseud(PseudId),
    Series(i64),
}

impl SubscriptionTarget {
    fn parts(self) -> (&'static str, i64) {
        match self {
            SubscriptionTarget::Work(id) => ("work", id),
            SubscriptionTarget::Pseud(id) => ("pseud", id),
            SubscriptionTarget::Series(id) => ("series", id),
        }
    }
}

impl Archive {
    /// The works an account subscribed to, as (id, title).
    pub async fn work_subscriptions(&self, user: UserId) -> Result<Vec<(WorkId, String)>> {
        let rows = sqlx::query(
            "SELECT w.id, w.title FROM subscriptions s JOIN works w ON w.id = s.target_id \
             WHERE s.user_id = $1 AND s.target_kind = 'work' ORDER BY s.id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
            .collect()
    }

    /// Subscribes; `false` when already subscribed.
    pub async fn subscribe(&self, user: UserId, target: SubscriptionTarget) -> Result<bool> {
        let (kind, id) = target.parts();
        let inserted = sqlx::query(
            "INSERT INTO subscriptions (user_id, target_kind, target_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(kind)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    pub async fn unsubscribe(&self, user: UserId, target: SubscriptionTarget) -> Result<()> {
        let (kind, id) = target.parts();
        sqlx::query(
            "DELETE FROM subscriptions WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
        )
        .bind(user)
        .bind(kind)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Accounts to tell about something new in `target`.
    pub async fn subscribers(&self, target: SubscriptionTarget) -> Result<Vec<UserId>> {
        let (kind, id) = target.parts();
        sqlx::query("SELECT user_id FROM subscriptions WHERE target_kind = $1 AND target_id = $2 ORDER BY user_id")
            .bind(kind)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("user_id").map_err(ArchiveError::from))
            .collect()
    }
}
