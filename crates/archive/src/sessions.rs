//! Who is signed in: sessions, their tokens, and the site's own secrets.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sqlx::Row;

use crate::people::{Roles, User, UserId};
use crate::{now, Archive, Result};

/// How long a sign-in lasts without signing in again.
pub const SESSION_SECONDS: i64 = 30 * 24 * 60 * 60;

/// A session as its cookie knows it: the token goes to the browser, only
/// its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

/// A signed-in reader, and the token their forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// A random secret of 32 bytes, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    crate::hex(&bytes)
}

/// An account from a `users` row joined with its default pseud. The two
/// ids come as `user_id` and `default_pseud`: a bare `id` would be
/// ambiguous beside the pseud's, or a token's.
pub(crate) fn user_of_row(row: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("user_id")?,
        login: row.try_get("login")?,
        email: row.try_get("email")?,
        roles: Roles {
            wrangler: row.try_get::<i64, _>("is_wrangler")? != 0,
            admin: row.try_get::<i64, _>("is_admin")? != 0,
        },
        default_pseud: row.try_get("default_pseud")?,
        suspended: row.try_get::<i64, _>("suspended")? != 0,
    })
}

pub(crate) fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::hex(&Sha256::digest(token.as_bytes()))
}

impl Archive {
    /// Signs a user in: a fresh token each time, so a token seen before
    /// sign-in is worth nothing after it.
    pub async fn start_session(&self, user: UserId) -> Result<NewSession> {
        let session = NewSession {
            token: random_token(),
            csrf: random_token(),
        };
        let at = now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&session.token))
        .bind(user)
        .bind(&session.csrf)
        .bind(at)
        .bind(at + SESSION_SECONDS)
        .execute(&self.pool)
        .await?;
        Ok(session)
    }

    /// The session a cookie's token belongs to, unless it ended or expired.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id AS user_id, u.login, u.email, u.is_wrangler, u.is_admin, \
             p.id AS default_pseud, u.suspended, s.csrf \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN pseuds p ON p.user_id = u.id AND p.is_default = 1 \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Session {
            user: user_of_row(&row)?,
            csrf: row.try_get("csrf")?,
        }))
    }

    /// Signs one browser out.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Signs a user out everywhere (a password change does this too).
    pub async fn end_all_sessions(&self, user: UserId) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A secret made on first use and kept: the same across restarts, and
    /// the same for every server of one archive.
    pub async fn site_secret(&self, name: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO site_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(random_token())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM site_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }
}
