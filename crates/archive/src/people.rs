//! People: accounts, their pseuds, and orphaning.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
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
    /// Suspended by an admin: may read, may not post, comment or react.
    pub suspended: bool,
}

/// What happens to an account's works when it is deleted: the account
/// holder chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorksOnDeletion {
    /// The works stay, credited to the account's pseud names, which no
    /// longer belong to anyone.
    Keep,
    /// The works stay, credited to `orphan_account`.
    Orphan,
    /// The works go, with their chapters, comments and kudos.
    Delete,
}

/// Who is looking: visibility of drafts and registered-only works depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Guest,
    User(UserId),
}

const LOGIN_CHARS: std::ops::RangeInclusive<usize> = 3..=40;
const MIN_PASSWORD_CHARS: usize = 8;

pub(crate) fn check_login(login: &str) -> Result<()> {
    let chars = login.chars().count();
    let allowed = login.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !LOGIN_CHARS.contains(&chars) || !allowed {
        return Err(ArchiveError::BadLogin(login.to_string()));
    }
    Ok(())
}

/// Argon2id at OWASP's first recommended setting (Password Storage Cheat
/// Sheet): 19 MiB of memory, 2 passes, 1 lane. Written out rather than left
/// to the crate's default, so that a change of default never changes how
/// passwords are kept unnoticed. A stored hash names its own parameters,
/// so hashes made under other settings still verify.
fn hasher() -> Result<Argon2<'static>> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| ArchiveError::Password(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ArchiveError::WeakPassword(MIN_PASSWORD_CHARS));
    }
    let salt = SaltString::generate(&mut OsRng);
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ArchiveError::Password(e.to_string()))
}

/// Keeps a new password hash in the caller's transaction and ends every
/// session of the account, so a stolen session dies with the old password.
pub(crate) async fn store_password_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: UserId,
    hash: &str,
) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    record_change(tx, "user", user, "password").await
}

/// Does `password` match a stored argon2 hash?
pub(crate) fn password_matches(stored: &str, password: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| ArchiveError::Password(e.to_string()))?;
    Ok(hasher()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

impl Archive {
    /// An account's own works, drafts among them, newest first, as
    /// (id, title, draft).
    pub async fn works_of_user(&self, user: UserId) -> Result<Vec<(WorkId, String, bool)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT w.id, w.title, w.draft FROM works w \
             JOIN work_creators wc ON wc.work_id = w.id JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE p.user_id = $1 ORDER BY w.id DESC",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("title")?,
                    r.try_get::<i64, _>("draft")? != 0,
                ))
            })
            .collect()
    }

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
        let mut tx = self.write().await?;
        // A name someone had before leads to them still, so it isn't free.
        let taken = sqlx::query(
            "SELECT 1 FROM users WHERE login_key = $1 UNION SELECT 1 FROM former_logins WHERE login_key = $1",
        )
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
        .try_get("id")?;
        let pseud: PseudId = sqlx::query(
            "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES ($1, $2, $3, 1) RETURNING id",
        )
        .bind(id)
        .bind(login)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record_change(&mut tx, "user", id, "created").await?;
        tx.commit().await?;
        Ok(User {
            id,
            login: login.to_string(),
            email: email.trim().to_string(),
            roles,
            default_pseud: pseud,
            suspended: false,
        })
    }

    /// Another display name for an account.
    pub async fn add_pseud(&self, user: UserId, name: &str) -> Result<PseudId> {
        let name = name.trim();
        check_login(name)?;
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pseuds WHERE user_id = $1")
            .bind(user)
            .fetch_one(&self.pool)
            .await?;
        model::check_count(
            "pseuds",
            usize::try_from(held).unwrap_or(usize::MAX) + 1,
            model::limits::PSEUDS,
        )?;
        let taken = sqlx::query("SELECT 1 FROM pseuds WHERE user_id = $1 AND name_key = $2")
            .bind(user)
            .bind(model::tag_key(name))
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if taken {
            return Err(ArchiveError::Conflict(format!(
                "you already have a pseud named `{name}`"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES ($1, $2, $3, 0) RETURNING id",
        )
        .bind(user)
        .bind(name)
        .bind(model::tag_key(name))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The account a login and password belong to. The same answer for an
    /// unknown login and a wrong password, so nobody learns who has an account.
    pub async fn authenticate(&self, login: &str, password: &str) -> Result<Option<User>> {
        let Some(row) = sqlx::query(
            "SELECT u.id AS user_id, u.login, u.email, u.password_hash, u.is_wrangler, u.is_admin, \
             p.id AS default_pseud, u.suspended FROM users u JOIN pseuds p ON p.user_id = u.id AND p.is_default = 1 WHERE u.login_key = $1",
        )
        .bind(model::tag_key(login))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        if !password_matches(&row.try_get::<String, _>("password_hash")?, password)? {
            return Ok(None);
        }
        Ok(Some(crate::sessions::user_of_row(&row)?))
    }

    /// The account with this login, if there is one.
    pub async fn user_id_of(&self, login: &str) -> Result<Option<UserId>> {
        let row = sqlx::query("SELECT id FROM users WHERE login_key = $1")
            .bind(model::tag_key(login))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// An account's own pseuds with their ids, default first.
    pub async fn pseuds_of_user(&self, user: UserId) -> Result<Vec<(PseudId, String)>> {
        sqlx::query("SELECT id, name FROM pseuds WHERE user_id = $1 ORDER BY is_default DESC, id")
            .bind(user)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(ArchiveError::from)
    }

    /// The account's own pseud of this name, matched as every pseud name
    /// is (`tag_key`: whatever the case and surrounding spaces), if it has one.
    pub async fn own_pseud_named(&self, user: UserId, name: &str) -> Result<Option<PseudId>> {
        Ok(
            sqlx::query("SELECT id FROM pseuds WHERE user_id = $1 AND name_key = $2")
                .bind(user)
                .bind(crate::model::tag_key(name))
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get("id"))
                .transpose()?,
        )
    }

    /// The accounts with these logins (those that exist), each with its
    /// pseud names: one query for a whole mute list.
    pub async fn accounts_named(&self, logins: &[String]) -> Result<Vec<(UserId, Vec<String>)>> {
        if logins.is_empty() {
            return Ok(vec![]);
        }
        let placeholders: Vec<String> = (1..=logins.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT u.id, p.name FROM users u JOIN pseuds p ON p.user_id = u.id \
             WHERE u.login_key IN ({}) ORDER BY u.id, p.is_default DESC, p.id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for login in logins {
            query = query.bind(model::tag_key(login));
        }
        let mut accounts: Vec<(UserId, Vec<String>)> = Vec::new();
        for row in query.fetch_all(&self.pool).await? {
            let id: UserId = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            match accounts.last_mut() {
                Some((last, names)) if *last == id => names.push(name),
                _ => accounts.push((id, vec![name])),
            }
        }
        Ok(accounts)
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
            .map(|r| r.try_get::<String, _>("name").map_err(ArchiveError::from))
            .collect()
    }

    /// Changes a password after checking the current one; every session of
    /// the account ends, so a stolen session dies with the old password.
    pub async fn change_password(&self, user: UserId, current: &str, new: &str) -> Result<()> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ArchiveError::Missing("there is no such account".into()))?;
        if !password_matches(&row.try_get::<String, _>("password_hash")?, current)? {
            return Err(ArchiveError::rejected(
                "current_password",
                "the current password is not right",
            ));
        }
        self.store_password(user, new).await
    }

    /// An operator sets an account's password without the current one
    /// (`quire user password`): the way back in for someone locked out.
    /// Every session of the account ends, as on a change.
    pub async fn reset_password(&self, user: UserId, new: &str) -> Result<()> {
        let known = sqlx::query("SELECT 1 FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(ArchiveError::Missing("there is no such account".into()));
        }
        self.store_password(user, new).await
    }

    async fn store_password(&self, user: UserId, new: &str) -> Result<()> {
        let hash = hash_password(new)?;
        let mut tx = self.write().await?;
        store_password_in(&mut tx, user, &hash).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operator changes an account's email address (`quire user email`).
    pub async fn set_email(&self, user: UserId, email: &str) -> Result<()> {
        let email = email.trim();
        if !email.contains('@') {
            return Err(ArchiveError::BadEmail(email.to_string()));
        }
        let mut tx = self.write().await?;
        let changed = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(ArchiveError::Missing("there is no such account".into()));
        }
        record_change(&mut tx, "user", user, "email").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an account in one transaction. Its works are kept, orphaned
    /// or deleted as chosen; its comments stay under its pseud names, which
    /// no longer lead to an account; its bookmarks, kudos, subscriptions,
    /// sessions and settings go.
    pub async fn delete_user(&self, user: UserId, works: WorksOnDeletion) -> Result<()> {
        let orphan = match works {
            WorksOnDeletion::Orphan => Some(self.ensure_unowned_pseud(ORPHAN_ACCOUNT).await?),
            _ => None,
        };
        let mut tx = self.write().await?;
        let owned: Vec<WorkId> = sqlx::query(
            "SELECT DISTINCT wc.work_id FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE p.user_id = $1",
        )
        .bind(user)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("work_id"))
        .collect::<std::result::Result<_, _>>()?;
        let kudosed: Vec<WorkId> = sqlx::query("SELECT work_id FROM kudos WHERE user_id = $1")
            .bind(user)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("work_id"))
            .collect::<std::result::Result<_, _>>()?;
        for &work in &owned {
            match works {
                WorksOnDeletion::Keep => {}
                WorksOnDeletion::Orphan => {
                    if let Some(orphan) = orphan {
                        orphan_in(&mut tx, work, user, orphan).await?;
                    }
                }
                WorksOnDeletion::Delete => {
                    sqlx::query("DELETE FROM works WHERE id = $1")
                        .bind(work)
                        .execute(&mut *tx)
                        .await?;
                    record_change(&mut tx, "work", work, "deleted").await?;
                }
            }
        }
        let bookmarked: Vec<Option<WorkId>> = sqlx::query(
            "SELECT b.work_id FROM bookmarks b JOIN pseuds p ON p.id = b.pseud_id WHERE p.user_id = $1",
        )
        .bind(user)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("work_id"))
        .collect::<std::result::Result<_, _>>()?;
        sqlx::query(
            "DELETE FROM bookmarks WHERE pseud_id IN (SELECT id FROM pseuds WHERE user_id = $1)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await?;
        // The pseuds stay, owned by no one: works and comments keep naming them.
        sqlx::query("UPDATE pseuds SET user_id = NULL, is_default = 0 WHERE user_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        // Kudos went with the account (and bookmarks with it): the counts follow.
        let touched: std::collections::BTreeSet<WorkId> = kudosed
            .into_iter()
            .chain(bookmarked.into_iter().flatten())
            .filter(|w| works != WorksOnDeletion::Delete || !owned.contains(w))
            .collect();
        for work in touched {
            sqlx::query(
                "UPDATE works SET kudos_count = (SELECT COUNT(*) FROM kudos WHERE work_id = $1), \
                 bookmarks_count = (SELECT COUNT(*) FROM bookmarks WHERE work_id = $1 AND private = 0) \
                 WHERE id = $1",
            )
            .bind(work)
            .execute(&mut *tx)
            .await?;
            record_change(&mut tx, "work", work, "counts").await?;
        }
        record_change(&mut tx, "user", user, "deleted").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the account is one of the archive's admins.
    pub async fn is_admin(&self, user: UserId) -> Result<bool> {
        let admin: Option<i64> = sqlx::query("SELECT is_admin FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("is_admin"))
            .transpose()?;
        Ok(admin.is_some_and(|admin| admin != 0))
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
        let mut tx = self.write().await?;
        orphan_in(&mut tx, work, user, orphan).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Moves a user's credit on a work to the orphan pseud, in place of their
/// first credit, inside the caller's transaction.
async fn orphan_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work: WorkId,
    user: UserId,
    orphan: PseudId,
) -> Result<()> {
    let owned = sqlx::query(
        "SELECT wc.pseud_id, wc.position FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
         WHERE wc.work_id = $1 AND p.user_id = $2 ORDER BY wc.position",
    )
    .bind(work)
    .bind(user)
    .fetch_all(&mut **tx)
    .await?;
    let Some(first) = owned.first() else {
        return Err(ArchiveError::NotYours(work));
    };
    let position: i64 = first.try_get("position")?;
    for row in &owned {
        sqlx::query("DELETE FROM work_creators WHERE work_id = $1 AND pseud_id = $2")
            .bind(work)
            .bind(row.try_get::<i64, _>("pseud_id")?)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO work_creators (work_id, pseud_id, position) VALUES ($1, $2, $3) \
         ON CONFLICT (work_id, pseud_id) DO NOTHING",
    )
    .bind(work)
    .bind(orphan)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    crate::bump_version(tx, work).await?;
    record_change(tx, "work", work, "orphaned").await?;
    Ok(())
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
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(password_matches(&hash, "correct horse").unwrap());
        assert!(!password_matches(&hash, "correct horsE").unwrap());
    }

    #[test]
    fn hashes_made_under_other_settings_still_verify() {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let older = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(password_matches(&older, "correct horse").unwrap());
        assert!(!password_matches(&older, "wrong horse").unwrap());
    }
}
