//! Changing works after they are posted: metadata and tags, chapters,
//! deletion, and who may see what.

use sqlx::Row;

use crate::model::{ChapterDraft, WorkDraft};
use crate::notifications::{record_event, EventRefs};
use crate::people::Viewer;
use crate::{
    bump_version, insert_chapter, now, record_change, write_tags, Archive, ArchiveError, Result,
    Work, WorkId,
};

/// What a reader meets at a work's address.
#[derive(Debug)]
pub enum Reading {
    Visible(Box<Work>),
    SignInNeeded,
    NotFound,
}

impl Archive {
    /// Replaces a work's metadata and tags (its chapters change through the
    /// chapter calls). The draft's chapters are ignored here.
    pub async fn edit_work(&self, id: WorkId, draft: &WorkDraft) -> Result<()> {
        let mut tx = self.write().await?;
        update_work_in(&mut tx, id, draft).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a work with its chapters, kudos, comments and hits. Bookmarks
    /// of it stay, with their notes, pointing nowhere (as on AO3).
    pub async fn delete_work(&self, id: WorkId) -> Result<()> {
        let mut tx = self.write().await?;
        let deleted = sqlx::query("DELETE FROM works WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(ArchiveError::NoSuchWork(id));
        }
        record_change(&mut tx, "work", id, "deleted").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a chapter at the end; returns its id.
    pub async fn add_chapter(&self, work: WorkId, chapter: &ChapterDraft) -> Result<i64> {
        self.add_chapter_with_media(work, chapter, None).await
    }

    /// Adds a chapter at the end with the files uploaded for it, together
    /// or (when the uploads would pass their owner's allowance) not at all.
    pub async fn add_chapter_with_media(
        &self,
        work: WorkId,
        chapter: &ChapterDraft,
        media: Option<crate::media::MediaUpload<'_>>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        // First: on PostgreSQL the row lock makes concurrent chapter changes
        // to one work wait their turn instead of reading the same positions.
        bump_version(&mut tx, work).await?;
        let last: Option<i64> =
            sqlx::query("SELECT MAX(position) AS last FROM chapters WHERE work_id = $1")
                .bind(work)
                .fetch_one(&mut *tx)
                .await?
                .try_get("last")?;
        let Some(last) = last else {
            return Err(ArchiveError::NoSuchWork(work));
        };
        let id = insert_chapter(&mut tx, work, last + 1, chapter).await?;
        if let Some(media) = media {
            crate::media::insert_media_in(&mut tx, work, media).await?;
        }
        refresh_word_count(&mut tx, work).await?;
        record_change(&mut tx, "work", work, "chapter-added").await?;
        let refs = EventRefs {
            work: Some(work),
            chapter: Some(id),
            ..EventRefs::default()
        };
        record_event(&mut tx, "chapter", refs).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a chapter's title, summary, notes and text; its place,
    /// comments and posting date stay.
    pub async fn edit_chapter(
        &self,
        work: WorkId,
        chapter: i64,
        draft: &ChapterDraft,
    ) -> Result<()> {
        self.edit_chapter_with_media(work, chapter, draft, None)
            .await
    }

    /// [`Archive::edit_chapter`] with the files uploaded into it, stored
    /// together or not at all.
    pub async fn edit_chapter_with_media(
        &self,
        work: WorkId,
        chapter: i64,
        draft: &ChapterDraft,
        media: Option<crate::media::MediaUpload<'_>>,
    ) -> Result<()> {
        if !draft.has_content() {
            return Err(ArchiveError::rejected(
                "body",
                "a chapter needs some text, an image or a player",
            ));
        }
        let manuscript = crate::chapter_text::store(&draft.body, work)?;
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE chapters SET title = $1, summary = $2, notes_start = $3, notes_end = $4, \
             manuscript = $5, word_count = $6, html = $7 WHERE id = $8 AND work_id = $9",
        )
        .bind(&draft.title)
        .bind(draft.summary.html())
        .bind(draft.notes_start.html())
        .bind(draft.notes_end.html())
        .bind(manuscript)
        .bind(draft.body.word_count as i64)
        .bind(&draft.html)
        .bind(chapter)
        .bind(work)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(ArchiveError::NoSuchChapter { work, chapter });
        }
        if let Some(media) = media {
            crate::media::insert_media_in(&mut tx, work, media).await?;
        }
        refresh_word_count(&mut tx, work).await?;
        bump_version(&mut tx, work).await?;
        record_change(&mut tx, "work", work, "chapter-edited").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a work's chapters in the given order (every chapter id once).
    pub async fn reorder_chapters(&self, work: WorkId, order: &[i64]) -> Result<()> {
        let mut tx = self.write().await?;
        // First: on PostgreSQL the row lock makes concurrent chapter changes
        // to one work wait their turn instead of reading the same positions.
        bump_version(&mut tx, work).await?;
        let mut current: Vec<i64> = sqlx::query("SELECT id FROM chapters WHERE work_id = $1")
            .bind(work)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut wanted = order.to_vec();
        current.sort_unstable();
        wanted.sort_unstable();
        if current.is_empty() {
            return Err(ArchiveError::NoSuchWork(work));
        }
        if current != wanted {
            return Err(ArchiveError::ChapterOrder(work));
        }
        set_positions(&mut tx, work, order).await?;
        record_change(&mut tx, "work", work, "chapters-reordered").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes one chapter (and its comments); the last one can't go.
    pub async fn delete_chapter(&self, work: WorkId, chapter: i64) -> Result<()> {
        let mut tx = self.write().await?;
        // First: on PostgreSQL the row lock makes concurrent chapter changes
        // to one work wait their turn instead of reading the same positions.
        bump_version(&mut tx, work).await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS count FROM chapters WHERE work_id = $1")
            .bind(work)
            .fetch_one(&mut *tx)
            .await?
            .try_get("count")?;
        if count <= 1 {
            return Err(ArchiveError::LastChapter(work));
        }
        let deleted = sqlx::query("DELETE FROM chapters WHERE id = $1 AND work_id = $2")
            .bind(chapter)
            .bind(work)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(ArchiveError::NoSuchChapter { work, chapter });
        }
        // Close the gap: positions stay 1..n.
        let remaining: Vec<i64> =
            sqlx::query("SELECT id FROM chapters WHERE work_id = $1 ORDER BY position")
                .bind(work)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<Result<_, _>>()?;
        set_positions(&mut tx, work, &remaining).await?;
        refresh_word_count(&mut tx, work).await?;
        record_change(&mut tx, "work", work, "chapter-deleted").await?;
        tx.commit().await?;
        Ok(())
    }

    /// May this user put works in the series of this title? Yes when it
    /// doesn't exist yet, or when every work in it is credited to them:
    /// a series belongs to its creators.
    pub async fn may_add_to_series(&self, title: &str, user: crate::UserId) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        series_open_to(&mut conn, title, user).await
    }

    /// Puts a work into a series (made if it doesn't exist yet) at a
    /// position, or at the end. Returns the series id.
    pub async fn add_to_series(
        &self,
        work: WorkId,
        title: &str,
        position: Option<u32>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let series = join_series_in(&mut tx, work, title, position).await?;
        tx.commit().await?;
        Ok(series)
    }

    /// What `viewer` meets following a link to work `id`: the work; or, for
    /// a guest at a registered-only work, a request to sign in (as on AO3,
    /// rather than being told it isn't there); or nothing — drafts and
    /// hidden works stay unknown to those who may not see them.
    pub async fn read_work(&self, id: WorkId, viewer: Viewer) -> Result<Reading> {
        if let Some(work) = self.work_for(id, viewer).await? {
            return Ok(Reading::Visible(Box::new(work)));
        }
        if viewer == Viewer::Guest {
            if let Some(work) = self.work(id).await? {
                if work.restricted && !work.draft && !work.hidden {
                    return Ok(Reading::SignInNeeded);
                }
            }
        }
        Ok(Reading::NotFound)
    }

    /// A work as `viewer` may see it: drafts only by their creators,
    /// registered-only works only by signed-in readers, hidden works only
    /// by their creators and the admins.
    pub async fn work_for(&self, id: WorkId, viewer: Viewer) -> Result<Option<Work>> {
        let Some(work) = self.work(id).await? else {
            return Ok(None);
        };
        let open = self
            .open_to(id, (work.draft, work.restricted, work.hidden), viewer)
            .await?;
        Ok(open.then_some(work))
    }

    /// Whether `viewer` may see work `id` ([`Archive::work_for`]'s rule),
    /// read from its flags alone: what a file uploaded with it asks on
    /// every request. `false` for a work that isn't there.
    pub async fn may_see_work(&self, id: WorkId, viewer: Viewer) -> Result<bool> {
        let Some(row) = sqlx::query("SELECT draft, restricted, hidden FROM works WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(false);
        };
        let flag = |name: &str| -> Result<bool> { Ok(row.try_get::<i64, _>(name)? != 0) };
        let flags = (flag("draft")?, flag("restricted")?, flag("hidden")?);
        self.open_to(id, flags, viewer).await
    }

    async fn open_to(
        &self,
        id: WorkId,
        (draft, restricted, hidden): (bool, bool, bool),
        viewer: Viewer,
    ) -> Result<bool> {
        if draft && !self.is_creator(id, viewer).await? && !self.is_invited(id, viewer).await? {
            return Ok(false);
        }
        if restricted && viewer == Viewer::Guest {
            return Ok(false);
        }
        if hidden && !self.sees_hidden(id, viewer).await? {
            return Ok(false);
        }
        Ok(true)
    }
}

/// Numbers a work's chapters 1..n in the given order.
async fn set_positions(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work: WorkId,
    order: &[i64],
) -> Result<()> {
    // Positions are unique per work: move everything out of the way first.
    sqlx::query("UPDATE chapters SET position = -position WHERE work_id = $1")
        .bind(work)
        .execute(&mut **tx)
        .await?;
    for (index, chapter) in order.iter().enumerate() {
        sqlx::query("UPDATE chapters SET position = $1 WHERE id = $2 AND work_id = $3")
            .bind(index as i64 + 1)
            .bind(chapter)
            .bind(work)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn refresh_word_count(tx: &mut sqlx::Transaction<'_, sqlx::Any>, work: WorkId) -> Result<()> {
    sqlx::query(
        "UPDATE works SET word_count = (SELECT COALESCE(SUM(word_count), 0) FROM chapters WHERE work_id = $1), \
         updated_at = $2 WHERE id = $1",
    )
    .bind(work)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A work's metadata and tags replaced, in the caller's transaction.
pub(crate) async fn update_work_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: WorkId,
    draft: &WorkDraft,
) -> Result<()> {
    let mut check = draft.clone();
    if check.chapters.is_empty() {
        // Validation wants text; the stored chapters stand for it.
        check.chapters = vec![ChapterDraft::from_manuscript(quire_text::analyze_str("x"))];
    }
    check.validate()?;
    let updated = sqlx::query(
            "UPDATE works SET title = $1, summary = $2, notes_start = $3, notes_end = $4, language = $5, \
             complete = $6, expected_chapters = $7, restricted = $8, draft = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(draft.title.trim())
        .bind(draft.summary.html())
        .bind(draft.notes_start.html())
        .bind(draft.notes_end.html())
        .bind(&draft.language)
        .bind(i64::from(draft.complete))
        .bind(draft.expected_chapters.map(i64::from))
        .bind(i64::from(draft.restricted))
        .bind(i64::from(draft.draft))
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(ArchiveError::NoSuchWork(id));
    }
    sqlx::query("DELETE FROM work_tags WHERE work_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    write_tags(tx, id, draft).await?;
    bump_version(tx, id).await?;
    record_change(tx, "work", id, "edited").await?;
    Ok(())
}

/// Whether a series of this title is open to `user`: new, or all of its
/// works theirs.
pub(crate) async fn series_open_to(
    conn: &mut sqlx::AnyConnection,
    title: &str,
    user: crate::UserId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS works, COUNT(owned.work_id) AS owned FROM series s \
         JOIN series_works sw ON sw.series_id = s.id \
         LEFT JOIN (SELECT DISTINCT wc.work_id FROM work_creators wc \
                    JOIN pseuds p ON p.id = wc.pseud_id WHERE p.user_id = $2) owned \
           ON owned.work_id = sw.work_id \
         WHERE s.title_key = $1",
    )
    .bind(crate::model::tag_key(title))
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    let works: i64 = row.try_get("works")?;
    let owned: i64 = row.try_get("owned")?;
    Ok(works == owned)
}

/// Puts a work into a series (made if new) at a position or at the end,
/// in the caller's transaction. Returns the series id.
pub(crate) async fn join_series_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    work: WorkId,
    title: &str,
    position: Option<u32>,
) -> Result<i64> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ArchiveError::rejected("series", "a series needs a title"));
    }
    crate::model::check_text(
        "series title",
        title,
        crate::model::limits::SERIES_TITLE_CHARS,
    )?;
    let key = crate::model::tag_key(title);
    let existing = sqlx::query("SELECT id FROM series WHERE title_key = $1")
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?;
    let series: i64 = match existing {
        Some(row) => row.try_get("id")?,
        None => sqlx::query(
            "INSERT INTO series (title, title_key, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(title)
        .bind(&key)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?,
    };
    let position = match position {
        Some(p) => i64::from(p),
        None => {
            let last: Option<i64> =
                sqlx::query("SELECT MAX(position) AS last FROM series_works WHERE series_id = $1")
                    .bind(series)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get("last")?;
            last.unwrap_or(0) + 1
        }
    };
    sqlx::query(
        "INSERT INTO series_works (series_id, work_id, position) VALUES ($1, $2, $3) \
             ON CONFLICT (series_id, work_id) DO UPDATE SET position = excluded.position",
    )
    .bind(series)
    .bind(work)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    bump_version(tx, work).await?;
    record_change(tx, "work", work, "series").await?;
    Ok(series)
}
