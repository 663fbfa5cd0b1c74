//! A reader's preferences (filters, mute list, fills), kept as the
//! settings page wrote them.

use sqlx::Row;

use crate::people::UserId;
use crate::{Archive, Result};

impl Archive {
    /// An account's reading settings as the website stored them.
    pub async fn preferences(&self, user: UserId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT settings FROM preferences WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get("settings")).transpose()?)
    }

    pub async fn set_preferences(&self, user: UserId, settings: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO preferences (user_id, settings) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings",
        )
        .bind(user)
        .bind(settings)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
