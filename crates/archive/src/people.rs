//! People: accounts, their pseuds, and orphaning.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use sqlx::Row;

use crate::{model, now, record_change, Archive, ArchiveError, PseudId, Result, WorkId};

pub type UserId = i64;

/// The pseud orphaned works move to: they keep their text, lose their owner.
pub const ORPHAN_ACCOUNT: &str = "orphan_account";

/// What an account may do beyond reading, posting and reacting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    pub wrangler: bool,
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub email: String,
    pub roles: Roles,
    pub default_pseud: PseudId,
}

/// Who is looking: visibility of drafts and registered-only works depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Guest,
    User(UserId),
}

const LOGIN_CHARS: std::ops::RangeInclusive<usize> = 3..=40;
const MIN_PASSWORD_CHARS: usize = 8;

fn check_login(login: &str) -> Result<()> {
    let chars = login.chars().count();
    let allowed = login.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !LOGIN_CHARS.contains(&chars) || !allowed {
        return Err(ArchiveError::BadLogin(login.to_string()));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ArchiveError::WeakPassword(MIN_PASSWORD_CHARS));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ArchiveError::Password(e.to_string()))
}

impl Archive {
    /// Creates an account with a default pseud of the same name. The
    /// password is stored only as an argon2 hash.
    pub async fn add_user(
        &self,
        login: &str,
        email: &str,
        password: &str,
        roles: Roles,
    ) -> Result<User> {
        let login = login.trim();
        check_login(login)?;
        if !email.contains('@') {
            return Err(ArchiveError::BadEmail(email.to_string()));
        }
        let hash = hash_password(password)?;
        let key = model::tag_key(login);
        let mut tx = self.pool.begin().await?;
        let taken = sqlx::query("SELECT 1 FROM users WHERE login_key = $1")
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(ArchiveError::LoginTaken(login.to_string()));
        }
        let id: UserId = sqlx::query(
            "INSERT INTO users (login, login_key, email, password_hash, is_wrangler, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(login)
        .bind(&key)
        .bind(email.trim())
        .bind(hash)
        .bind(i64::from(roles.wrangler))
        .bind(i64::from(roles.admin))
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let pseud: PseudId = sqlx::query(
            "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES ($1, $2, $3, 1) RETURNING id",
        )
        .bind(id)
        .bind(login)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        record_change(&mut tx, "user", id, "created").await?;
        tx.commit().await?;
        Ok(User {
            id,
            login: login.to_string(),
            email: email.trim().to_string(),
            roles,
            default_pseud: pseud,
        })
    }

    /// Another display name for an account.
    pub async fn add_pseud(&self, user: UserId, name: &str) -> Result<PseudId> {
        let name = name.trim();
        check_login(name)?;
        let row = sqlx::query(
            "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES ($1, $2, $3, 0) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(model::tag_key(name))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// The account a login and password belong to. The same answer for an
    /// unknown login and a wrong password, so nobody learns who has an account.
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Option<User>> {
        let Some(row) = sqlx::query(
            "SELECT u.id, u.login, u.email, u.password_hash, u.is_wrangler, u.is_admin, p.id \
             FROM users u JOIN pseuds p ON p.user_id = u.id AND p.is_default = 1 WHERE u.login_key = $1",
        )
        .bind(model::tag_key(login))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let stored: String = row.try_get(3)?;
        let parsed =
            PasswordHash::new(&stored).map_err(|e| ArchiveError::Password(e.to_string()))?;
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Ok(None);
        }
        Ok(Some(User {
            id: row.try_get(0)?,
            login: row.try_get(1)?,
            email: row.try_get(2)?,
            roles: Roles {
                wrangler: row.try_get::<i64, _>(4)? != 0,
                admin: row.try_get::<i64, _>(5)? != 0,
            },
            default_pseud: row.try_get(6)?,
        }))
    }

    /// The pseud names of the account with this login, default first;
    /// none if there is no such account.
    pub async fn pseuds_of(&self, login: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT p.name FROM pseuds p JOIN users u ON u.id = p.user_id \
             WHERE u.login_key = $1 ORDER BY p.is_default DESC, p.id",
        )
        .bind(model::tag_key(login))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(ArchiveError::from))
            .collect()
    }

    /// Does this viewer own one of the work's pseuds?
    pub async fn is_creator(&self, work: WorkId, viewer: Viewer) -> Result<bool> {
        let Viewer::User(user) = viewer else {
            return Ok(false);
        };
        let row = sqlx::query(
            "SELECT 1 FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 AND p.user_id = $2",
        )
        .bind(work)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Moves a user's credit on a work to `orphan_account`; the work and its
    /// text stay, and no longer lead back to the account.
    pub async fn orphan_work(&self, work: WorkId, user: UserId) -> Result<()> {
        let orphan = self.ensure_unowned_pseud(ORPHAN_ACCOUNT).await?;
        let mut tx = self.pool.begin().await?;
        let owned = sqlx::query(
            "SELECT wc.pseud_id, wc.position FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 AND p.user_id = $2 ORDER BY wc.position",
        )
        .bind(work)
        .bind(user)
        .fetch_all(&mut *tx)
        .await?;
        let Some(first) = owned.first() else {
            return Err(ArchiveError::NotYours(work));
        };
        let position: i64 = first.try_get(1)?;
        for row in &owned {
            sqlx::query("DELETE FROM work_creators WHERE work_id = $1 AND pseud_id = $2")
                .bind(work)
                .bind(row.try_get::<i64, _>(0)?)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO work_creators (work_id, pseud_id, position) VALUES ($1, $2, $3) \
             ON CONFLICT (work_id, pseud_id) DO NOTHING",
        )
        .bind(work)
        .bind(orphan)
        .bind(position)
        .execute(&mut *tx)
        .await?;
        crate::bump_version(&mut tx, work).await?;
        record_change(&mut tx, "work", work, "orphaned").await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_and_passwords() {
        assert!(check_login("kylo_ren").is_ok());
        assert!(check_login("ab").is_err());
        assert!(check_login("no spaces").is_err());
        assert!(matches!(
            hash_password("short"),
            Err(ArchiveError::WeakPassword(8))
        ));
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
    }
}
