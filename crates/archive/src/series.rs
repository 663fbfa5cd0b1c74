//! Series as readers see them: the works in order, each only if the reader
//! may see it.

use sqlx::Row;

use crate::model::{self, Formatted};
use crate::people::{UserId, Viewer};
use crate::search::IndexedWork;
use crate::{record_change, Archive, ArchiveError, Result, WorkId};

/// A series with the works this reader may see, in series order.
#[derive(Debug, Clone)]
pub struct SeriesListing {
    pub id: i64,
    pub title: String,
    /// As its creators wrote it: HTML, cleaned as a summary is.
    pub description: Formatted,
    /// (part number, work), in order.
    pub works: Vec<(u32, IndexedWork)>,
}

impl SeriesListing {
    /// Everyone credited on a work of the series, in order of first credit.
    pub fn creators(&self) -> Vec<String> {
        let mut creators: Vec<String> = Vec::new();
        for (_, work) in &self.works {
            for author in &work.creators {
                if !creators.contains(author) {
                    creators.push(author.clone());
                }
            }
        }
        creators
    }

    pub fn words(&self) -> u64 {
        self.works.iter().map(|(_, w)| w.words).sum()
    }
}

impl Archive {
    /// A series as `viewer` may see it: drafts and hidden works left out,
    /// registered-only works only for signed-in readers. `None` when there
    /// is no such series or none of its works is open to them.
    pub async fn series_for(&self, id: i64, viewer: Viewer) -> Result<Option<SeriesListing>> {
        let Some(row) = sqlx::query("SELECT title, description FROM series WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let title: String = row.try_get("title")?;
        let description = Formatted::from_stored(row.try_get("description")?);
        let parts: Vec<(WorkId, i64)> = sqlx::query(
            "SELECT work_id, position FROM series_works WHERE series_id = $1 ORDER BY position, work_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("work_id")?, r.try_get("position")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()?;
        let ids: Vec<WorkId> = parts.iter().map(|(work, _)| *work).collect();
        let mut loaded = self.works_for_index(&ids).await?;
        let mut works = Vec::with_capacity(parts.len());
        for (work, position) in parts {
            let Some(at) = loaded.iter().position(|w| w.id == work) else {
                continue;
            };
            let indexed = loaded.swap_remove(at);
            if !indexed.listed() || (indexed.restricted && viewer == Viewer::Guest) {
                continue;
            }
            let part = u32::try_from(position).map_err(|_| ArchiveError::Damaged {
                work,
                what: format!("series part {position}"),
            })?;
            works.push((part, indexed));
        }
        if works.is_empty() {
            return Ok(None);
        }
        Ok(Some(SeriesListing {
            id,
            title,
            description,
            works,
        }))
    }

    /// Is `user` credited on a work of the series (posted or not)? They
    /// may describe it, as on AO3.
    pub async fn is_series_creator(&self, id: i64, user: UserId) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 FROM series_works sw JOIN work_creators wc ON wc.work_id = sw.work_id \
             JOIN pseuds p ON p.id = wc.pseud_id WHERE sw.series_id = $1 AND p.user_id = $2 LIMIT 1",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// A series' creator writes its description: HTML as typed, cleaned
    /// as a summary is. To anyone else the series is not theirs to find.
    pub async fn describe_series(&self, id: i64, by: UserId, typed: &str) -> Result<()> {
        if !self.is_series_creator(id, by).await? {
            return Err(ArchiveError::Missing(format!(
                "there is no series {id} of yours to describe"
            )));
        }
        let description = Formatted::from_html(typed);
        model::check_formatted(
            "series description",
            &description,
            model::limits::SERIES_DESCRIPTION_CHARS,
        )?;
        let mut tx = self.write().await?;
        sqlx::query("UPDATE series SET description = $1 WHERE id = $2")
            .bind(description.html())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "series", id, "described").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The series an account has works in, by title; only series with a
    /// posted, visible work of theirs.
    pub async fn series_of_user(&self, user: UserId) -> Result<Vec<(i64, String)>> {
        sqlx::query(
            "SELECT DISTINCT s.id, s.title FROM series s \
             JOIN series_works sw ON sw.series_id = s.id \
             JOIN works w ON w.id = sw.work_id AND w.draft = 0 AND w.hidden = 0 \
             JOIN work_creators wc ON wc.work_id = w.id \
             JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE p.user_id = $1 ORDER BY s.title, s.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(ArchiveError::from)
    }
}
