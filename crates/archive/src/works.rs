//! Works as stored: reading one whole, and the writes every module that
//! changes a work shares (its row, tags, chapters, version and the change
//! feed entry that tells every follower).

use sqlx::Row;

use crate::model::{
    self, ArchiveWarning, Category, Formatted, Rating, TagKind, Warnings, WorkDraft,
};
use crate::{
    chapter_text, flag, now, Archive, ArchiveError, Backend, Chapter, PseudId, Result, SeedCounts,
    SeriesPart, TagId, Work, WorkId,
};

impl Archive {
    /// A pseud that belongs to no account: what `quire import --as NAME`
    /// posts as, and `orphan_account`. Returns the existing one if there is.
    pub async fn ensure_unowned_pseud(&self, name: &str) -> Result<PseudId> {
        let mut conn = self.pool.acquire().await?;
        unowned_pseud(&mut conn, name).await
    }

    /// Posts a work by the given pseuds, in one transaction: the work, its
    /// creators, tags, chapters and a change-feed entry are all stored, or
    /// nothing is.
    pub async fn post_work(&self, creators: &[PseudId], draft: &WorkDraft) -> Result<WorkId> {
        self.insert_work(creators, draft, None, None, None).await
    }

    pub(crate) async fn insert_work(
        &self,
        creators: &[PseudId],
        draft: &WorkDraft,
        content_hash: Option<&str>,
        dates: Option<(i64, i64)>,
        seed_counts: Option<SeedCounts>,
    ) -> Result<WorkId> {
        draft.validate()?;
        let mut tx = self.write().await?;
        let work_id =
            insert_work_in(&mut tx, creators, draft, content_hash, dates, seed_counts).await?;
        tx.commit().await?;
        Ok(work_id)
    }

    /// A work with its tags, creators and chapters, whatever its visibility
    /// (callers decide who may see it).
    pub async fn work(&self, id: WorkId) -> Result<Option<Work>> {
        // One snapshot for all its parts: read piecemeal, a work deleted
        // between two queries looked damaged (a row without its tags).
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let Some(row) = sqlx::query_as::<_, WorkRow>(
            "SELECT id, title, summary, notes_start, notes_end, language, complete, expected_chapters, \
             word_count, restricted, draft, posted_at, updated_at, version, hidden FROM works WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };

        let tag_rows = sqlx::query(
            "SELECT t.kind, t.name FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
             WHERE wt.work_id = $1 ORDER BY wt.position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut rating = None;
        let mut warnings = Vec::new();
        let mut categories = Vec::new();
        let (mut fandoms, mut relationships, mut characters, mut freeforms) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for tag in &tag_rows {
            let kind: String = tag.try_get("kind")?;
            let name: String = tag.try_get("name")?;
            let damaged = |what: String| ArchiveError::Damaged { work: id, what };
            match TagKind::from_code(&kind) {
                Some(TagKind::Rating) => {
                    rating = Some(Rating::from_name(&name).map_err(|e| damaged(e.to_string()))?)
                }
                Some(TagKind::ArchiveWarning) => warnings
                    .push(ArchiveWarning::from_name(&name).map_err(|e| damaged(e.to_string()))?),
                Some(TagKind::Category) => {
                    categories.push(Category::from_name(&name).map_err(|e| damaged(e.to_string()))?)
                }
                Some(TagKind::Fandom) => fandoms.push(name),
                Some(TagKind::Relationship) => relationships.push(name),
                Some(TagKind::Character) => characters.push(name),
                Some(TagKind::Freeform) => freeforms.push(name),
                None => return Err(damaged(format!("a tag of unknown kind {kind}"))),
            }
        }
        let damaged = |what: &str| ArchiveError::Damaged {
            work: id,
            what: what.to_string(),
        };
        let rating = rating.ok_or_else(|| damaged("no rating"))?;
        let warnings = Warnings::new(warnings).map_err(|e| damaged(&e.to_string()))?;

        let creators = sqlx::query(
            "SELECT p.name FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 ORDER BY wc.position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<Result<Vec<_>, _>>()?;

        let chapters = sqlx::query_as::<_, ChapterRow>(
            "SELECT id, position, title, summary, notes_start, notes_end, manuscript, word_count, html \
             FROM chapters WHERE work_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| chapter_from_row(id, r))
        .collect::<Result<Vec<_>>>()?;

        let series = sqlx::query(
            "SELECT s.id, s.title, sw.position FROM series_works sw JOIN series s ON s.id = sw.series_id \
             WHERE sw.work_id = $1 ORDER BY s.title_key",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(SeriesPart {
                series: r.try_get("id")?,
                title: r.try_get("title")?,
                part: u32::try_from(r.try_get::<i64, _>("position")?).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>>>()?;

        tx.commit().await?;
        Ok(Some(Work {
            id: row.id,
            title: row.title,
            summary: Formatted::from_stored(row.summary),
            notes_start: Formatted::from_stored(row.notes_start),
            notes_end: Formatted::from_stored(row.notes_end),
            language: row.language,
            rating,
            warnings,
            categories,
            fandoms,
            relationships,
            characters,
            freeforms,
            creators,
            complete: row.complete != 0,
            expected_chapters: row.expected_chapters.and_then(|n| u32::try_from(n).ok()),
            word_count: row.word_count.max(0) as usize,
            restricted: row.restricted != 0,
            draft: row.draft != 0,
            posted_at: row.posted_at,
            updated_at: row.updated_at,
            version: row.version,
            hidden: row.hidden != 0,
            series,
            chapters,
        }))
    }
}

/// A `works` row as stored: flags are 0 or 1 on both backends.
#[derive(sqlx::FromRow)]
struct WorkRow {
    id: WorkId,
    title: String,
    summary: String,
    notes_start: String,
    notes_end: String,
    language: String,
    complete: i64,
    expected_chapters: Option<i64>,
    word_count: i64,
    restricted: i64,
    draft: i64,
    posted_at: i64,
    updated_at: i64,
    version: i64,
    hidden: i64,
}

/// A `chapters` row as stored, its text in the stored chapter format.
#[derive(sqlx::FromRow)]
struct ChapterRow {
    id: i64,
    position: i64,
    title: String,
    summary: String,
    notes_start: String,
    notes_end: String,
    manuscript: String,
    word_count: i64,
    html: String,
}

fn chapter_from_row(work: WorkId, row: ChapterRow) -> Result<Chapter> {
    Ok(Chapter {
        body: chapter_text::load(&row.manuscript, work)?,
        id: row.id,
        position: u32::try_from(row.position).unwrap_or(0),
        title: row.title,
        summary: Formatted::from_stored(row.summary),
        notes_start: Formatted::from_stored(row.notes_start),
        notes_end: Formatted::from_stored(row.notes_end),
        word_count: row.word_count.max(0) as usize,
        html: row.html,
    })
}

/// A work's tags, in the order AO3 shows them: rating, warnings,
/// categories, then the author's own.
pub(crate) async fn write_tags(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work_id: WorkId,
    draft: &WorkDraft,
) -> Result<()> {
    let fixed = std::iter::once((TagKind::Rating, draft.rating.name().to_string()))
        .chain(
            draft
                .warnings
                .iter()
                .map(|w| (TagKind::ArchiveWarning, w.name().to_string())),
        )
        .chain(
            draft
                .categories
                .iter()
                .map(|c| (TagKind::Category, c.name().to_string())),
        );
    let chosen = draft
        .user_tags()
        .map(|(kind, name)| (kind, name.trim().to_string()));
    for (position, (kind, name)) in fixed.chain(chosen).enumerate() {
        let tag = find_or_create_tag(tx, kind, &name).await?;
        sqlx::query(
            "INSERT INTO work_tags (work_id, tag_id, position) VALUES ($1, $2, $3) \
             ON CONFLICT (work_id, tag_id) DO NOTHING",
        )
        .bind(work_id)
        .bind(tag)
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_chapter(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work_id: WorkId,
    position: i64,
    chapter: &model::ChapterDraft,
) -> Result<i64> {
    let manuscript = chapter_text::store(&chapter.body, work_id)?;
    let row = sqlx::query(
        "INSERT INTO chapters (work_id, position, title, summary, notes_start, notes_end, \
         manuscript, word_count, posted_at, html) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(work_id)
    .bind(position)
    .bind(&chapter.title)
    .bind(chapter.summary.html())
    .bind(chapter.notes_start.html())
    .bind(chapter.notes_end.html())
    .bind(manuscript)
    .bind(chapter.body.word_count as i64)
    .bind(now())
    .bind(&chapter.html)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// A work's version grows with every change; caches and downloads key on it.
pub(crate) async fn bump_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    work_id: WorkId,
) -> Result<()> {
    sqlx::query("UPDATE works SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(work_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn find_or_create_tag(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: TagKind,
    name: &str,
) -> Result<TagId> {
    let key = model::tag_key(name);
    if let Some(row) = sqlx::query("SELECT id FROM tags WHERE kind = $1 AND name_key = $2")
        .bind(kind.code())
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(row.try_get("id")?);
    }
    let row =
        sqlx::query("INSERT INTO tags (kind, name, name_key) VALUES ($1, $2, $3) RETURNING id")
            .bind(kind.code())
            .bind(name)
            .bind(&key)
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.try_get("id")?)
}

pub(crate) async fn record_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entity: &str,
    entity_id: i64,
    kind: &str,
) -> Result<()> {
    // The transaction has its id before it takes a number, so a follower
    // that finds the number missing can tell when it can no longer come
    // (see `feed`).
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_current_xact_id()::text")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("INSERT INTO changes (entity, entity_id, kind, at) VALUES ($1, $2, $3, $4)")
        .bind(entity)
        .bind(entity_id)
        .bind(kind)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a validated work inside the caller's transaction: the work, its
/// creators, tags, chapters and its change-feed entry.
pub(crate) async fn insert_work_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    creators: &[PseudId],
    draft: &WorkDraft,
    content_hash: Option<&str>,
    dates: Option<(i64, i64)>,
    seed_counts: Option<SeedCounts>,
) -> Result<WorkId> {
    let at = now();
    let (posted_at, updated_at) = dates.unwrap_or((at, at));
    let seed = seed_counts.unwrap_or_default();
    let work_id: WorkId = sqlx::query(
            "INSERT INTO works (title, summary, notes_start, notes_end, language, complete, \
             expected_chapters, word_count, restricted, draft, posted_at, updated_at, content_hash, \
             kudos_count, hits_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(draft.title.trim())
        .bind(draft.summary.html())
        .bind(draft.notes_start.html())
        .bind(draft.notes_end.html())
        .bind(&draft.language)
        .bind(flag(draft.complete))
        .bind(draft.expected_chapters.map(i64::from))
        .bind(draft.word_count() as i64)
        .bind(flag(draft.restricted))
        .bind(flag(draft.draft))
        .bind(posted_at)
        .bind(updated_at)
        .bind(content_hash)
        .bind(seed.kudos as i64)
        .bind(seed.hits as i64)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;

    // The same pseud named twice (a file can) is one creator.
    let mut unique_creators: Vec<PseudId> = Vec::with_capacity(creators.len());
    for &pseud in creators {
        if !unique_creators.contains(&pseud) {
            unique_creators.push(pseud);
        }
    }
    for (position, &pseud) in unique_creators.iter().enumerate() {
        let exists = sqlx::query("SELECT 1 FROM pseuds WHERE id = $1")
            .bind(pseud)
            .fetch_optional(&mut **tx)
            .await?;
        if exists.is_none() {
            return Err(ArchiveError::UnknownPseud(pseud));
        }
        sqlx::query("INSERT INTO work_creators (work_id, pseud_id, position) VALUES ($1, $2, $3)")
            .bind(work_id)
            .bind(pseud)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }

    write_tags(tx, work_id, draft).await?;
    for (index, chapter) in draft.chapters.iter().enumerate() {
        insert_chapter(tx, work_id, index as i64 + 1, chapter).await?;
    }
    record_change(tx, "work", work_id, "posted").await?;
    Ok(work_id)
}

/// The pseud of that name that belongs to no account, made if needed.
pub(crate) async fn unowned_pseud(conn: &mut sqlx::AnyConnection, name: &str) -> Result<PseudId> {
    let key = model::tag_key(name);
    if let Some(row) = sqlx::query("SELECT id FROM pseuds WHERE user_id IS NULL AND name_key = $1")
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(row.try_get("id")?);
    }
    let row = sqlx::query(
        "INSERT INTO pseuds (user_id, name, name_key, is_default) VALUES (NULL, $1, $2, 1) RETURNING id",
    )
    .bind(name.trim())
    .bind(&key)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}
