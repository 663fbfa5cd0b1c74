//! The outbox: email written in the transaction that gives rise to it,
//! then handed to the SMTP server by a worker that claims each message for
//! a while, so a crash or an SMTP outage loses nothing and a message is
//! sent once.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::notifications::{Notice, NoticeKind};
use crate::people::UserId;
use crate::{now, Archive, Result};

/// What a message says, kept as JSON until it is sent; the site writes the
/// words and links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum MailContent {
    /// Notices, one at once or a day's in a digest.
    Notices {
        digest: bool,
        notices: Vec<(NoticeKind, Notice)>,
    },
    /// A link to set a new password.
    PasswordReset { login: String, token: String },
    /// A link, sent to a new address, to confirm it.
    ConfirmEmail {
        login: String,
        token: String,
        new_email: String,
    },
    /// A notice to the old address that the account's address changed.
    EmailChanged { login: String, new_email: String },
}

impl MailContent {
    fn kind(&self) -> &'static str {
        match self {
            MailContent::Notices { digest: true, .. } => "digest",
            MailContent::Notices { .. } => "notice",
            MailContent::PasswordReset { .. } => "password-reset",
            MailContent::ConfirmEmail { .. } => "confirm-email",
            MailContent::EmailChanged { .. } => "email-changed",
        }
    }
}

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: i64,
    /// Unique to this message: the same on every attempt, so a receiving
    /// server can tell a retry from a new message.
    pub key: String,
    pub user: Option<UserId>,
    pub login: Option<String>,
    pub to: String,
    pub content: MailContent,
    pub attempts: i64,
}

/// Attempts before a message is given up on, about two days of backoff.
pub const MAX_ATTEMPTS: i64 = 12;

/// Seconds before trying a message again after its `attempts`th refusal:
/// 30 s, doubling, at most six hours.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    (30_i64 << doublings).min(6 * 3600)
}

/// How many messages are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Queues a message in a transaction; `false` when one with this key was
/// already queued. `to` defaults to the account's address as it is now.
pub(crate) async fn queue_mail_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &str,
    user: UserId,
    to: Option<&str>,
    content: &MailContent,
) -> Result<bool> {
    let to = match to {
        Some(to) => to.to_string(),
        None => sqlx::query("SELECT email FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&mut **tx)
            .await?
            .try_get("email")?,
    };
    // Plain strings and enums: writing them can't fail, and a message
    // that somehow did is set aside when claimed, not sent empty.
    let json = serde_json::to_string(content).unwrap_or_default();
    let at = now();
    let queued = sqlx::query(
        "INSERT INTO outbox (message_key, user_id, to_address, kind, content, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_key) DO NOTHING",
    )
    .bind(key)
    .bind(user)
    .bind(to)
    .bind(content.kind())
    .bind(json)
    .bind(at)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(queued == 1)
}

impl Archive {
    /// Claims up to `limit` messages that are due, for `lease` seconds:
    /// another worker takes a message only once its lease has run out, so
    /// a worker that dies mid-send leaves it for another, later.
    pub async fn claim_mail(&self, limit: i64, lease: i64) -> Result<Vec<OutgoingMail>> {
        let at = now();
        let claim = crate::sessions::random_token();
        // One statement claims the batch: on PostgreSQL a row another
        // worker claimed meanwhile fails the outer test once its lock is
        // released, so no message is claimed twice.
        sqlx::query(
            "UPDATE outbox SET claimed_until = $1, claimed_by = $2 WHERE claimed_until <= $3 \
             AND sent_at IS NULL AND id IN (SELECT id FROM outbox WHERE sent_at IS NULL \
             AND failed_at IS NULL AND next_attempt_at <= $3 AND claimed_until <= $3 ORDER BY id LIMIT $4)",
        )
        .bind(at + lease)
        .bind(&claim)
        .bind(at)
        .bind(limit)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT o.id, o.message_key, o.user_id, u.login, o.to_address, o.content, o.attempts \
             FROM outbox o LEFT JOIN users u ON u.id = o.user_id \
             WHERE o.claimed_by = $1 AND o.sent_at IS NULL ORDER BY o.id",
        )
        .bind(&claim)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let json: String = row.try_get("content")?;
            let Ok(content) = serde_json::from_str::<MailContent>(&json) else {
                // Written by this module, so unreadable only if damaged:
                // set aside rather than tried for ever.
                self.mail_failed(id, "the message could not be read", true)
                    .await?;
                continue;
            };
            claimed.push(OutgoingMail {
                id,
                key: row.try_get("message_key")?,
                user: row.try_get("user_id")?,
                login: row.try_get("login")?,
                to: row.try_get("to_address")?,
                content,
                attempts: row.try_get("attempts")?,
            });
        }
        Ok(claimed)
    }

    /// The SMTP server took a message. Its content goes: a reset link
    /// shouldn't outlive its sending in the database.
    pub async fn mail_sent(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET sent_at = $1, content = '' WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The message wasn't tried (the SMTP server couldn't be reached): it
    /// is due again at once, for whichever worker reaches a server first,
    /// and the attempt isn't counted against it.
    pub async fn release_mail(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET claimed_until = 0 WHERE id = $1 AND sent_at IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sending failed: tried again after a backoff, or given up on when the
    /// server refused it for good or after [`MAX_ATTEMPTS`].
    pub async fn mail_failed(&self, id: i64, error: &str, permanent: bool) -> Result<()> {
        let at = now();
        let attempts: i64 = sqlx::query("SELECT attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("attempts"))
            .transpose()?
            .unwrap_or(0)
            + 1;
        let give_up = permanent || attempts >= MAX_ATTEMPTS;
        sqlx::query(
            "UPDATE outbox SET attempts = $1, next_attempt_at = $2, claimed_until = 0, \
             last_error = $3, failed_at = $4 WHERE id = $5",
        )
        .bind(attempts)
        .bind(at + backoff(attempts))
        .bind(error.chars().take(500).collect::<String>())
        .bind(give_up.then_some(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many messages wait, were sent, and were given up on.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS waiting, \
             COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
             COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed FROM outbox",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxCounts {
            waiting: row.try_get("waiting")?,
            sent: row.try_get("sent")?,
            failed: row.try_get("failed")?,
        })
    }
}
