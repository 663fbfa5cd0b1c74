//! Personal access tokens: how programs act for an account through the
//! JSON API, without its password and without a browser's cookie.

use sqlx::Row;

use crate::people::{User, UserId};
use crate::sessions::{random_token, token_hash, user_of_row};
use crate::{now, Archive, ArchiveError, Result};

/// What a token may do. Writing includes reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        match name {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
}

/// The prefix every token starts with, so that a token pasted somewhere
/// public is easy for secret scanners (and people) to recognize.
pub const TOKEN_PREFIX: &str = "quire_";

/// Tokens an account may hold at once; enough for every app and script a
/// person runs, few enough to read through on the account page.
pub const MAX_TOKENS_PER_ACCOUNT: usize = 50;

/// A token as its account page lists it: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds, to the minute; `None` if never used.
    pub last_used_at: Option<i64>,
}

/// A token's holder, as a request sent with it acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub token: ApiToken,
    pub user: User,
}

fn token_of_row(row: &sqlx::any::AnyRow) -> Result<ApiToken> {
    let scope: String = row.try_get("scope")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        // Only this module writes the column; anything else reads as the
        // lesser scope rather than granting more.
        scope: Scope::from_name(&scope).unwrap_or(Scope::Read),
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Archive {
    /// Makes a token for an account. The secret is returned this once:
    /// only its hash is kept.
    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        scope: Scope,
    ) -> Result<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > crate::model::limits::TOKEN_NAME_CHARS {
            return Err(ArchiveError::rejected(
                "name",
                "Name the token (up to 100 characters) after the app or script that will use it, so you know which to revoke later.",
            ));
        }
        crate::model::check_text("token name", name, crate::model::limits::TOKEN_NAME_CHARS)?;
        let mut tx = self.write().await?;
        let held: i64 = sqlx::query("SELECT COUNT(*) AS held FROM api_tokens WHERE user_id = $1")
            .bind(user)
            .fetch_one(&mut *tx)
            .await?
            .try_get("held")?;
        if held >= MAX_TOKENS_PER_ACCOUNT as i64 {
            return Err(ArchiveError::Conflict(format!(
                "An account may hold {MAX_TOKENS_PER_ACCOUNT} tokens at once; revoke one you no longer use first."
            )));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_token());
        let created_at = now();
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(token_hash(&secret))
        .bind(scope.name())
        .bind(created_at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        let token = ApiToken {
            id,
            name: name.to_string(),
            scope,
            created_at,
            last_used_at: None,
        };
        Ok((token, secret))
    }

    /// An account's tokens, newest first.
    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, name, scope, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_of_row)
        .collect()
    }

    /// Revokes one of the account's tokens; false when it has no such
    /// token (another account's is never touched).
    pub async fn revoke_api_token(&self, user: UserId, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whom a token acts for, unless it was revoked (or never was). Its
    /// use is noted at most once a minute, to keep reads from writing.
    pub async fn token_holder(&self, secret: &str) -> Result<Option<TokenHolder>> {
        let row = sqlx::query(
            "SELECT u.id AS user_id, u.login, u.email, u.is_wrangler, u.is_admin, \
             p.id AS default_pseud, u.suspended, \
             t.id, t.name, t.scope, t.created_at, t.last_used_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             JOIN pseuds p ON p.user_id = u.id AND p.is_default = 1 \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user = user_of_row(&row)?;
        let mut token = token_of_row(&row)?;
        let at = now();
        if token.last_used_at.is_none_or(|last| at - last >= 60) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(at)
                .bind(token.id)
                .execute(&self.pool)
                .await?;
            token.last_used_at = Some(at);
        }
        Ok(Some(TokenHolder { token, user }))
    }
}
