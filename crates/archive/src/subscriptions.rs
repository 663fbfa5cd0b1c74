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
    /// Every pseud of an account, as AO3 subscribes to a user.
    User(UserId),
    Series(i64),
}

/// One of a reader's subscriptions, as their page and the API list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub target: SubscriptionTarget,
    /// The work's or series' title, or the person's login.
    pub name: String,
}

impl SubscriptionTarget {
    fn parts(self) -> (&'static str, i64) {
        match self {
            SubscriptionTarget::Work(id) => ("work", id),
            SubscriptionTarget::Pseud(id) => ("pseud", id),
            SubscriptionTarget::User(id) => ("user", id),
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

    /// Everything an account subscribed to, newest first: works, series
    /// and people (a subscription to something since deleted is left out).
    pub async fn subscriptions(&self, user: UserId) -> Result<Vec<Subscription>> {
        let rows = sqlx::query(
            "SELECT s.target_kind, s.target_id, COALESCE(w.title, se.title, u.login, p.name) AS name \
             FROM subscriptions s \
             LEFT JOIN works w ON s.target_kind = 'work' AND w.id = s.target_id \
             LEFT JOIN series se ON s.target_kind = 'series' AND se.id = s.target_id \
             LEFT JOIN users u ON s.target_kind = 'user' AND u.id = s.target_id \
             LEFT JOIN pseuds p ON s.target_kind = 'pseud' AND p.id = s.target_id \
             WHERE s.user_id = $1 ORDER BY s.id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(name) = row.try_get::<Option<String>, _>("name")? else {
                continue;
            };
            let id: i64 = row.try_get("target_id")?;
            let target = match row.try_get::<String, _>("target_kind")?.as_str() {
                "work" => SubscriptionTarget::Work(id),
                "pseud" => SubscriptionTarget::Pseud(id),
                "user" => SubscriptionTarget::User(id),
                "series" => SubscriptionTarget::Series(id),
                _ => continue,
            };
            found.push(Subscription { target, name });
        }
        Ok(found)
    }

    /// Whether an account is subscribed to this.
    pub async fn is_subscribed(&self, user: UserId, target: SubscriptionTarget) -> Result<bool> {
        let (kind, id) = target.parts();
        Ok(sqlx::query(
            "SELECT 1 FROM subscriptions WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
        )
        .bind(user)
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
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
