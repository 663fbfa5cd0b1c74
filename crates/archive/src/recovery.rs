//! A way back into an account, and changes to how it is known: a password
//! reset by email, a new address confirmed from that address, a new
//! username whose old links still lead to it.
//!
//! Every link sent carries a one-time secret of which only the hash is
//! kept; it expires, and works once.

use sqlx::Row;

use crate::outbox::{queue_mail_in, MailContent};
use crate::people::{
    check_login, hash_password, password_matches, store_password_in, User, UserId,
};
use crate::sessions::{random_token, token_hash, user_of_row};
use crate::{model, now, record_change, Archive, ArchiveError, Result};

/// How long a password-reset link works: long enough to find the email,
/// short enough that an old inbox is no key to the account.
pub const RESET_LINK_SECONDS: i64 = 60 * 60;
/// How long a link confirming a new address works.
pub const EMAIL_LINK_SECONDS: i64 = 24 * 60 * 60;
/// Links of one kind (reset, new address) one account may have open at
/// once; asking again past this sends nothing more until one expires.
pub const OPEN_LINKS: i64 = 3;

const EXPIRED: &str = "This link has expired or has already been used. You can ask for a new one.";

async fn open_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: UserId,
    purpose: &str,
    new_email: Option<&str>,
    lasts: i64,
) -> Result<String> {
    let token = random_token();
    let at = now();
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user)
    .bind(purpose)
    .bind(new_email)
    .bind(at)
    .bind(at + lasts)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Links of this purpose the account has open: unused and unexpired.
async fn open_links(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: UserId,
    purpose: &str,
) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS open FROM account_tokens WHERE user_id = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3",
    )
    .bind(user)
    .bind(purpose)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("open")?)
}

/// Uses a token once: the account (and the new address it carries), or
/// an error saying the link no longer works.
async fn use_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    token: &str,
    purpose: &str,
) -> Result<(UserId, Option<String>)> {
    let hash = token_hash(token);
    let at = now();
    let used = sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1",
    )
    .bind(at)
    .bind(&hash)
    .bind(purpose)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if used == 0 {
        return Err(ArchiveError::Conflict(EXPIRED.into()));
    }
    let row = sqlx::query("SELECT user_id, new_email FROM account_tokens WHERE token_hash = $1")
        .bind(&hash)
        .fetch_one(&mut **tx)
        .await?;
    Ok((row.try_get("user_id")?, row.try_get("new_email")?))
}

impl Archive {
    /// Sends a password-reset link to the account with this login or
    /// email address, if there is one. The caller answers the same either
    /// way, so nobody learns who has an account here.
    pub async fn request_password_reset(&self, login_or_email: &str) -> Result<()> {
        let given = login_or_email.trim();
        if given.is_empty() {
            return Ok(());
        }
        let row = sqlx::query(
            "SELECT id, login FROM users WHERE login_key = $1 OR LOWER(email) = LOWER($2) ORDER BY id LIMIT 1",
        )
        .bind(model::tag_key(given))
        .bind(given)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(()) };
        let user: UserId = row.try_get("id")?;
        let login: String = row.try_get("login")?;
        let mut tx = self.write().await?;
        if open_links(&mut tx, user, "reset").await? >= OPEN_LINKS {
            return Ok(());
        }
        let token = open_token(&mut tx, user, "reset", None, RESET_LINK_SECONDS).await?;
        let key = format!("reset-{}", token_hash(&token));
        let content = MailContent::PasswordReset { login, token };
        queue_mail_in(&mut tx, &key, user, None, &content).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset link still works, to show its form or say at once
    /// that it doesn't.
    pub async fn reset_link_works(&self, token: &str) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 FROM account_tokens WHERE token_hash = $1 AND purpose = 'reset' \
             AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// Sets a new password from a reset link, once. Every session of the
    /// account ends, and every other reset link stops working.
    pub async fn reset_password_with(&self, token: &str, new_password: &str) -> Result<User> {
        // Before the link is used up: a password too short leaves the
        // link working for a better one.
        let hash = hash_password(new_password)?;
        let mut tx = self.write().await?;
        let (user, _) = use_token(&mut tx, token, "reset").await?;
        store_password_in(&mut tx, user, &hash).await?;
        sqlx::query(
            "UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = 'reset' AND used_at IS NULL",
        )
        .bind(now())
        .bind(user)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.user_by_id(user).await
    }

    /// Asks to change an account's address: the account's password, then a
    /// link to the new address; nothing changes until it is followed.
    pub async fn request_email_change(
        &self,
        user: UserId,
        password: &str,
        new_email: &str,
    ) -> Result<()> {
        let new_email = new_email.trim();
        if !new_email.contains('@') || new_email.chars().count() > 254 {
            return Err(ArchiveError::BadEmail(new_email.to_string()));
        }
        self.check_password(user, password).await?;
        let login: String = sqlx::query("SELECT login FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&self.pool)
            .await?
            .try_get("login")?;
        let mut tx = self.write().await?;
        // Each ask mails an address the asker chose: a few at a time.
        if open_links(&mut tx, user, "email").await? >= OPEN_LINKS {
            return Err(ArchiveError::Conflict(
                "Links to confirm a new address are already on their way; please follow one, or try again tomorrow."
                    .into(),
            ));
        }
        let token = open_token(&mut tx, user, "email", Some(new_email), EMAIL_LINK_SECONDS).await?;
        let key = format!("confirm-{}", token_hash(&token));
        let content = MailContent::ConfirmEmail {
            login,
            token,
            new_email: new_email.to_string(),
        };
        queue_mail_in(&mut tx, &key, user, Some(new_email), &content).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Follows a confirmation link: the account takes the new address, and
    /// the old one is told, in case it wasn't its owner who asked.
    pub async fn confirm_email_change(&self, token: &str) -> Result<User> {
        let mut tx = self.write().await?;
        let (user, new_email) = use_token(&mut tx, token, "email").await?;
        let new_email = new_email.ok_or_else(|| ArchiveError::Conflict(EXPIRED.into()))?;
        let row = sqlx::query("SELECT login, email FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&mut *tx)
            .await?;
        let login: String = row.try_get("login")?;
        let old: String = row.try_get("email")?;
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(&new_email)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let key = format!("email-changed-{}", token_hash(token));
        let content = MailContent::EmailChanged { login, new_email };
        queue_mail_in(&mut tx, &key, user, Some(&old), &content).await?;
        record_change(&mut tx, "user", user, "email").await?;
        tx.commit().await?;
        self.user_by_id(user).await
    }

    /// Changes an account's username, with its password. The old name
    /// keeps leading to the account ([`Archive::login_now`]) and can't be
    /// taken by anyone else.
    pub async fn change_login(&self, user: UserId, password: &str, new_login: &str) -> Result<()> {
        let new_login = new_login.trim();
        check_login(new_login)?;
        self.check_password(user, password).await?;
        let key = model::tag_key(new_login);
        let mut tx = self.write().await?;
        let old_key: String = sqlx::query("SELECT login_key FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&mut *tx)
            .await?
            .try_get("login_key")?;
        let taken = sqlx::query(
            "SELECT 1 FROM users WHERE login_key = $1 AND id <> $2 \
             UNION SELECT 1 FROM former_logins WHERE login_key = $1 AND user_id <> $2",
        )
        .bind(&key)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(ArchiveError::LoginTaken(new_login.to_string()));
        }
        sqlx::query("UPDATE users SET login = $1, login_key = $2 WHERE id = $3")
            .bind(new_login)
            .bind(&key)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        if old_key != key {
            sqlx::query(
                "INSERT INTO former_logins (login_key, user_id) VALUES ($1, $2) \
                 ON CONFLICT (login_key) DO UPDATE SET user_id = excluded.user_id",
            )
            .bind(&old_key)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            // Taking back a name one had before.
            sqlx::query("DELETE FROM former_logins WHERE login_key = $1")
                .bind(&key)
                .execute(&mut *tx)
                .await?;
        }
        // The default pseud is the username, as on AO3, unless the account
        // already has a pseud of the new name to write under.
        let default = sqlx::query(
            "SELECT id FROM pseuds WHERE user_id = $1 AND is_default = 1 AND name_key = $2 \
             AND NOT EXISTS (SELECT 1 FROM pseuds o WHERE o.user_id = $1 AND o.name_key = $3 AND o.is_default = 0)",
        )
        .bind(user)
        .bind(&old_key)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = default {
            let pseud: i64 = row.try_get("id")?;
            sqlx::query("UPDATE pseuds SET name = $1, name_key = $2 WHERE id = $3")
                .bind(new_login)
                .bind(&key)
                .bind(pseud)
                .execute(&mut *tx)
                .await?;
            // Its works' bylines changed: pages and the index follow.
            let works: Vec<i64> =
                sqlx::query("SELECT work_id FROM work_creators WHERE pseud_id = $1")
                    .bind(pseud)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|row| row.try_get("work_id"))
                    .collect::<std::result::Result<_, _>>()?;
            for work in works {
                crate::bump_version(&mut tx, work).await?;
                record_change(&mut tx, "work", work, "creators").await?;
            }
        }
        record_change(&mut tx, "user", user, "login").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The login an account has now, given one it had before.
    pub async fn login_now(&self, former: &str) -> Result<Option<String>> {
        Ok(sqlx::query(
            "SELECT u.login FROM former_logins f JOIN users u ON u.id = f.user_id WHERE f.login_key = $1",
        )
        .bind(model::tag_key(former))
        .fetch_optional(&self.pool)
        .await?
        .map(|row| row.try_get::<String, _>("login"))
        .transpose()?)
    }

    async fn check_password(&self, user: UserId, password: &str) -> Result<()> {
        let stored: String = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ArchiveError::Missing("there is no such account".into()))?
            .try_get("password_hash")?;
        if !password_matches(&stored, password)? {
            return Err(ArchiveError::rejected(
                "password",
                "the password is not right",
            ));
        }
        Ok(())
    }

    /// An account by its id.
    pub async fn user_by_id(&self, user: UserId) -> Result<User> {
        let row = sqlx::query(
            "SELECT u.id AS user_id, u.login, u.email, u.is_wrangler, u.is_admin, \
             p.id AS default_pseud, u.suspended FROM users u \
             JOIN pseuds p ON p.user_id = u.id AND p.is_default = 1 WHERE u.id = $1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ArchiveError::Missing("there is no such account".into()))?;
        user_of_row(&row)
    }
}
