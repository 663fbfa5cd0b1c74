//! Blocking: one account keeping another away from what it writes.
//!
//! A block is per account (every pseud of both). The blocked person can't
//! comment on the blocker's works or reply to their comments, leave the
//! blocker's works kudos, invite the blocker as a co-creator, or see the
//! blocker's bookmarks of the blocked person's works. Nothing tells them
//! of the block beyond the refusal itself.

use sqlx::Row;

use crate::model::{self, limits};
use crate::people::UserId;
use crate::{now, Archive, ArchiveError, Result, WorkId};

impl Archive {
    /// `user` blocks `other`; `false` when they already had.
    pub async fn block(&self, user: UserId, other: UserId) -> Result<bool> {
        if user == other {
            return Err(ArchiveError::rejected("login", "You can't block yourself."));
        }
        let mut tx = self.write().await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM blocks WHERE user_id = $1")
            .bind(user)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let already = sqlx::query("SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2")
            .bind(user)
            .bind(other)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if already {
            return Ok(false);
        }
        model::check_count("blocked people", count as usize + 1, limits::BLOCKED_PEOPLE)?;
        sqlx::query("INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(other)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// `user` lifts their block of `other`; `false` when there was none.
    pub async fn unblock(&self, user: UserId, other: UserId) -> Result<bool> {
        let mut tx = self.write().await?;
        let removed = sqlx::query("DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2")
            .bind(user)
            .bind(other)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(removed)
    }

    /// The logins `user` has blocked, in alphabetical order.
    pub async fn blocked_people(&self, user: UserId) -> Result<Vec<String>> {
        sqlx::query(
            "SELECT u.login FROM blocks b JOIN users u ON u.id = b.blocked_id \
             WHERE b.user_id = $1 ORDER BY u.login",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("login").map_err(ArchiveError::from))
        .collect()
    }

    /// Whether `user` has blocked `other`.
    pub async fn has_blocked(&self, user: UserId, other: UserId) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2")
                .bind(user)
                .bind(other)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// The account behind a pseud (`None` for one whose account went).
    pub(crate) async fn user_of_pseud(&self, pseud: crate::PseudId) -> Result<Option<UserId>> {
        Ok(sqlx::query("SELECT user_id FROM pseuds WHERE id = $1")
            .bind(pseud)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ArchiveError::UnknownPseud(pseud))?
            .try_get("user_id")?)
    }

    /// Refuses `actor` what `doing` names on a work when one of its
    /// creators has blocked them.
    pub(crate) async fn refuse_if_a_creator_blocked(
        &self,
        work: WorkId,
        actor: UserId,
        doing: &str,
    ) -> Result<()> {
        let blocked = sqlx::query(
            "SELECT 1 FROM blocks b JOIN pseuds p ON p.user_id = b.user_id \
             JOIN work_creators wc ON wc.pseud_id = p.id \
             WHERE wc.work_id = $1 AND b.blocked_id = $2 LIMIT 1",
        )
        .bind(work)
        .bind(actor)
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        if blocked {
            return Err(ArchiveError::NotAllowed(format!(
                "Sorry, a creator of this work has blocked you, so you can't {doing}."
            )));
        }
        Ok(())
    }
}
