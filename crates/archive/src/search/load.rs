//! What the search index reads from the store: works in batches, with
//! everything a search can match, filter, sort or show.

use std::collections::HashMap;

use sqlx::Row;

use crate::model::{Formatted, TagKind, WorkType};
use crate::sanitize::MediaFound;
use crate::{Archive, ArchiveError, Result, TagId, WorkId};

/// A work as the index sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedWork {
    pub id: WorkId,
    pub title: String,
    pub summary: Formatted,
    /// The words of the work's notes and its chapters' summaries and notes.
    pub notes: String,
    pub language: String,
    pub complete: bool,
    pub expected_chapters: Option<u32>,
    pub chapters: u32,
    pub words: u64,
    pub restricted: bool,
    pub draft: bool,
    /// Hidden by an admin: out of every listing, like a draft.
    pub hidden: bool,
    pub posted: i64,
    pub updated: i64,
    pub kudos: u64,
    pub hits: u64,
    pub bookmarks: u64,
    pub comments: u64,
    pub creators: Vec<String>,
    /// In the order the author gave them.
    pub tags: Vec<(TagId, TagKind, String)>,
    /// Chapter titles and text.
    pub body: String,
    /// What its chapters hold: prose, art, audio, video.
    pub types: Vec<WorkType>,
    /// The first image that says what it shows: its address and words.
    pub picture: Option<(String, String)>,
}

impl IndexedWork {
    /// Does the work belong in listings and search? Drafts and works an
    /// admin hid don't.
    pub fn listed(&self) -> bool {
        !self.draft && !self.hidden
    }
}

/// The words of a stored formatted field.
fn stored_text(html: String) -> String {
    Formatted::from_stored(html).text()
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Archive {
    /// The newest change's sequence number (0 for none).
    pub async fn last_change_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last_seq FROM changes")
                .fetch_one(&self.pool)
                .await?
                .try_get("last_seq")?,
        )
    }

    /// Work ids above `after`, ascending, at most `limit`.
    pub async fn work_ids_after(&self, after: WorkId, limit: i64) -> Result<Vec<WorkId>> {
        sqlx::query("SELECT id FROM works WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id").map_err(ArchiveError::from))
            .collect()
    }

    /// Works carrying any of these tags.
    pub async fn works_with_tags(&self, tags: &[TagId]) -> Result<Vec<WorkId>> {
        let mut works = Vec::new();
        for chunk in tags.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT work_id FROM work_tags WHERE tag_id IN ({})",
                crate::placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for tag in chunk {
                query = query.bind(*tag);
            }
            for row in query.fetch_all(&self.pool).await? {
                works.push(row.try_get("work_id")?);
            }
        }
        works.sort_unstable();
        works.dedup();
        Ok(works)
    }

    /// These works as the index sees them; ids with no work are left out.
    pub async fn works_for_index(&self, ids: &[WorkId]) -> Result<Vec<IndexedWork>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            found.extend(self.works_for_index_chunk(chunk).await?);
        }
        Ok(found)
    }

    async fn works_for_index_chunk(&self, ids: &[WorkId]) -> Result<Vec<IndexedWork>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = crate::placeholders(ids.len());
        let bound = |sql: String| {
            let ids = ids.to_vec();
            async move {
                let mut query = sqlx::query(&sql);
                for id in ids {
                    query = query.bind(id);
                }
                query.fetch_all(&self.pool).await
            }
        };
        let mut works: Vec<IndexedWork> = Vec::with_capacity(ids.len());
        let mut media: Vec<MediaFound> = Vec::with_capacity(ids.len());
        let mut position: HashMap<WorkId, usize> = HashMap::with_capacity(ids.len());
        for row in bound(format!(
            "SELECT id, title, summary, notes_start, notes_end, language, complete, \
             expected_chapters, word_count, restricted, draft, posted_at, updated_at, \
             kudos_count, hits_count, bookmarks_count, comments_count, hidden FROM works \
             WHERE id IN ({list}) ORDER BY id"
        ))
        .await?
        {
            let id: WorkId = row.try_get("id")?;
            let notes_start = stored_text(row.try_get("notes_start")?);
            let notes_end = stored_text(row.try_get("notes_end")?);
            position.insert(id, works.len());
            media.push(MediaFound::default());
            works.push(IndexedWork {
                id,
                title: row.try_get("title")?,
                summary: Formatted::from_stored(row.try_get("summary")?),
                notes: [notes_start, notes_end].join("\n"),
                language: row.try_get("language")?,
                complete: row.try_get::<i64, _>("complete")? != 0,
                expected_chapters: row
                    .try_get::<Option<i64>, _>("expected_chapters")?
                    .and_then(|n| u32::try_from(n).ok()),
                chapters: 0,
                words: count(row.try_get("word_count")?),
                restricted: row.try_get::<i64, _>("restricted")? != 0,
                draft: row.try_get::<i64, _>("draft")? != 0,
                hidden: row.try_get::<i64, _>("hidden")? != 0,
                posted: row.try_get("posted_at")?,
                updated: row.try_get("updated_at")?,
                kudos: count(row.try_get("kudos_count")?),
                hits: count(row.try_get("hits_count")?),
                bookmarks: count(row.try_get("bookmarks_count")?),
                comments: count(row.try_get("comments_count")?),
                creators: Vec::new(),
                tags: Vec::new(),
                body: String::new(),
                types: Vec::new(),
                picture: None,
            });
        }
        for row in bound(format!(
            "SELECT wc.work_id, p.name FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id IN ({list}) ORDER BY wc.work_id, wc.position"
        ))
        .await?
        {
            if let Some(&at) = position.get(&row.try_get::<WorkId, _>("work_id")?) {
                works[at].creators.push(row.try_get("name")?);
            }
        }
        for row in bound(format!(
            "SELECT wt.work_id, t.id, t.kind, t.name FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
             WHERE wt.work_id IN ({list}) ORDER BY wt.work_id, wt.position"
        ))
        .await?
        {
            let work: WorkId = row.try_get("work_id")?;
            let tag: TagId = row.try_get("id")?;
            let code: String = row.try_get("kind")?;
            let kind = TagKind::from_code(&code).ok_or_else(|| ArchiveError::DamagedTag {
                tag,
                what: format!("unknown kind `{code}`"),
            })?;
            if let Some(&at) = position.get(&work) {
                works[at].tags.push((tag, kind, row.try_get("name")?));
            }
        }
        // A chapter's HTML only when it holds media: the rest of it is
        // what the manuscript already gives, and reading it too would
        // double what a rebuild reads.
        let media_html = crate::sanitize::MEDIA_TAGS
            .iter()
            .map(|tag| format!("html LIKE '%{tag}%'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        for row in bound(format!(
            "SELECT work_id, title, summary, notes_start, notes_end, manuscript, \
             CASE WHEN {media_html} THEN html ELSE '' END AS media_html FROM chapters \
             WHERE work_id IN ({list}) ORDER BY work_id, position"
        ))
        .await?
        {
            let work: WorkId = row.try_get("work_id")?;
            let Some(&at) = position.get(&work) else {
                continue;
            };
            let paragraphs = crate::chapter_text::load_paragraphs(
                &row.try_get::<String, _>("manuscript")?,
                work,
            )?;
            media[at].add(&row.try_get::<String, _>("media_html")?);
            let entry = &mut works[at];
            entry.chapters += 1;
            for note in [
                stored_text(row.try_get("summary")?),
                stored_text(row.try_get("notes_start")?),
                stored_text(row.try_get("notes_end")?),
            ] {
                if !note.is_empty() {
                    entry.notes.push('\n');
                    entry.notes.push_str(&note);
                }
            }
            let title: String = row.try_get("title")?;
            for text in std::iter::once(&title)
                .filter(|t| !t.is_empty())
                .chain(&paragraphs)
            {
                if !entry.body.is_empty() {
                    entry.body.push('\n');
                }
                entry.body.push_str(text);
            }
        }
        for (work, media) in works.iter_mut().zip(media) {
            work.types = WorkType::of(work.words, &media);
            // An uploaded picture is shown in lists by its small copy.
            work.picture = media
                .first_image
                .map(|(src, alt)| (crate::media::thumbnail_address(&src).unwrap_or(src), alt));
        }
        Ok(works)
    }
}
