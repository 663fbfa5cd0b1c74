//! Bookmarks: one per reader per work, series or work elsewhere (AO3's
//! external works), with the reader's note, tags, and whether it is
//! private or a recommendation; listed by person, by tag or all together,
//! as each viewer may see them.

use sqlx::Row;

use crate::model::{self, Formatted};
use crate::people::{UserId, Viewer};
use crate::{now, record_change, Archive, ArchiveError, PseudId, Result, WorkId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub id: i64,
    /// `None` once the work is deleted; the bookmark and its note stay.
    pub work: Option<WorkId>,
    pub work_title: String,
    pub note: Formatted,
    /// The bookmarker's own tags, comma-separated as typed.
    pub tags: Vec<String>,
    pub private: bool,
    /// A recommendation, shown as such to others.
    pub rec: bool,
    /// The pseud it was made as.
    pub bookmarker: String,
    /// The account behind it, and its login.
    pub bookmarker_user: Option<UserId>,
    pub bookmarker_login: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// A bookmark of a series (`work` is then `None`; `work_title` is the
    /// series' title).
    pub series: Option<i64>,
    /// A bookmark of a work elsewhere (`work_title` is its title).
    pub external: Option<ExternalWork>,
}

/// A work on another site, as a reader bookmarks it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalWork {
    /// An http or https address.
    pub url: String,
    pub title: String,
    pub creator: String,
    /// Its fandoms, characters and other tags, as the reader gives them.
    pub tags: Vec<String>,
}

/// What a bookmark says besides which work it keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkNote {
    /// As typed: HTML, cleaned when it is kept.
    pub note: String,
    pub tags: Vec<String>,
    pub private: bool,
    pub rec: bool,
}

/// Which bookmarks a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkFilter {
    /// One account's.
    pub owner: Option<UserId>,
    /// Bookmarks the bookmarker tagged so, or of works carrying the tag
    /// (or a synonym of it).
    pub tag: Option<String>,
    pub recs_only: bool,
    pub with_notes: bool,
    pub oldest_first: bool,
    /// From 1.
    pub page: i64,
    pub per_page: i64,
}

/// One page of bookmarks and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkPage {
    pub bookmarks: Vec<Bookmark>,
    pub total: i64,
}

const COLUMNS: &str = "b.id, b.work_id, b.work_title, b.note, b.tags, b.private, b.rec, \
     b.created_at, p.name AS bookmarker, p.user_id, u.login, b.series_id, b.external_url, \
     b.external_creator, b.external_tags";
const FROM: &str = "FROM bookmarks b JOIN pseuds p ON p.id = b.pseud_id \
     LEFT JOIN users u ON u.id = p.user_id LEFT JOIN works w ON w.id = b.work_id";

/// A comma-separated list as kept, as its names.
fn names_of(list: &str) -> Vec<String> {
    list.split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn bookmark_of_row(r: &sqlx::any::AnyRow) -> Result<Bookmark> {
    let tags: String = r.try_get("tags")?;
    let title: String = r.try_get("work_title")?;
    let external = match r.try_get::<Option<String>, _>("external_url")? {
        Some(url) => Some(ExternalWork {
            url,
            title: title.clone(),
            creator: r
                .try_get::<Option<String>, _>("external_creator")?
                .unwrap_or_default(),
            tags: names_of(
                &r.try_get::<Option<String>, _>("external_tags")?
                    .unwrap_or_default(),
            ),
        }),
        None => None,
    };
    Ok(Bookmark {
        series: r.try_get("series_id")?,
        external,
        id: r.try_get("id")?,
        work: r.try_get("work_id")?,
        work_title: title,
        note: Formatted::from_stored(r.try_get("note")?),
        tags: names_of(&tags),
        private: r.try_get::<i64, _>("private")? != 0,
        rec: r.try_get::<i64, _>("rec")? != 0,
        bookmarker: r.try_get("bookmarker")?,
        bookmarker_user: r.try_get("user_id")?,
        bookmarker_login: r.try_get("login")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A note and tags as they are kept, checked against their limits.
fn kept_note(note: &BookmarkNote) -> Result<(Formatted, String)> {
    let tags: Vec<String> = note
        .tags
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let note_text = Formatted::from_html(&note.note);
    model::check_formatted(
        "bookmark note",
        &note_text,
        model::limits::BOOKMARK_NOTE_CHARS,
    )?;
    model::check_count("bookmark tags", tags.len(), model::limits::BOOKMARK_TAGS)?;
    for tag in &tags {
        model::check_text("bookmark tag", tag, model::limits::TAG_NAME_CHARS)?;
    }
    Ok((note_text, tags.join(", ")))
}

/// The work's public bookmark count, from its rows.
async fn recount(tx: &mut sqlx::Transaction<'_, sqlx::Any>, work: Option<WorkId>) -> Result<()> {
    let Some(work) = work else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE works SET bookmarks_count = \
         (SELECT COUNT(*) FROM bookmarks WHERE work_id = $1 AND private = 0) WHERE id = $1",
    )
    .bind(work)
    .execute(&mut **tx)
    .await?;
    record_change(tx, "work", work, "counts").await
}

impl Archive {
    /// Bookmarks a work as one of the reader's pseuds. A reader keeps one
    /// bookmark per work: bookmarking it again changes that one (its note,
    /// tags, privacy and pseud) and answers its id.
    pub async fn add_bookmark(
        &self,
        work: WorkId,
        pseud: PseudId,
        note: &BookmarkNote,
    ) -> Result<i64> {
        let row = sqlx::query("SELECT title, draft FROM works WHERE id = $1")
            .bind(work)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ArchiveError::NoSuchWork(work))?;
        let title: String = row.try_get("title")?;
        if row.try_get::<i64, _>("draft")? != 0 {
            return Err(ArchiveError::Conflict(
                "a draft can be bookmarked once it is posted".into(),
            ));
        }
        self.keep_bookmark(pseud, note, Kept::Work(work), &title)
            .await
    }

    /// Changes a bookmark's note, tags and privacy; its owner only.
    pub async fn edit_bookmark(&self, id: i64, by: UserId, note: &BookmarkNote) -> Result<()> {
        let bookmark = self.bookmark(id).await?.ok_or_else(|| no_such(id))?;
        if bookmark.bookmarker_user != Some(by) {
            return Err(ArchiveError::NotAllowed(
                "Only the reader who made a bookmark can change it.".into(),
            ));
        }
        let (note_text, tags) = kept_note(note)?;
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE bookmarks SET note = $2, tags = $3, private = $4, rec = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(note_text.html())
        .bind(tags)
        .bind(i64::from(note.private))
        .bind(i64::from(note.rec))
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "bookmark", id, "edited").await?;
        recount(&mut tx, bookmark.work).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a bookmark; its owner or an admin.
    pub async fn delete_bookmark(&self, id: i64, by: UserId) -> Result<()> {
        let bookmark = self.bookmark(id).await?.ok_or_else(|| no_such(id))?;
        if bookmark.bookmarker_user != Some(by) && !self.is_admin(by).await? {
            return Err(ArchiveError::NotAllowed(
                "Only the reader who made a bookmark, or an admin, can delete it.".into(),
            ));
        }
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM bookmarks WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "bookmark", id, "deleted").await?;
        recount(&mut tx, bookmark.work).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Bookmarks a series (one per reader per series: again changes it).
    /// The caller checks that the reader may see the series.
    pub async fn add_series_bookmark(
        &self,
        series: i64,
        pseud: PseudId,
        note: &BookmarkNote,
    ) -> Result<i64> {
        let title: String = sqlx::query("SELECT title FROM series WHERE id = $1")
            .bind(series)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| ArchiveError::Missing(format!("there is no series {series}")))?
            .try_get("title")?;
        self.keep_bookmark(pseud, note, Kept::Series(series), &title)
            .await
    }

    /// Bookmarks a work on another site (one per reader per address:
    /// again changes it, and what it says of the work).
    pub async fn add_external_bookmark(
        &self,
        work: &ExternalWork,
        pseud: PseudId,
        note: &BookmarkNote,
    ) -> Result<i64> {
        let url = work.url.trim();
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if parsed.is_none() {
            return Err(ArchiveError::rejected(
                "url",
                "Give the work's address as it starts in a browser, with https:// or http://.",
            ));
        }
        model::check_text("url", url, model::limits::URL_CHARS)?;
        let title = work.title.trim();
        if title.is_empty() {
            return Err(ArchiveError::rejected(
                "title",
                "Give the work's title, as its own site has it.",
            ));
        }
        model::check_text("title", title, model::limits::TITLE_CHARS)?;
        model::check_text("creator", work.creator.trim(), model::limits::TITLE_CHARS)?;
        let tags: Vec<&str> = work
            .tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        model::check_count("work tags", tags.len(), model::limits::BOOKMARK_TAGS)?;
        for tag in &tags {
            model::check_text("work tag", tag, model::limits::TAG_NAME_CHARS)?;
        }
        let external = ExternalWork {
            url: url.to_string(),
            title: title.to_string(),
            creator: work.creator.trim().to_string(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        };
        self.keep_bookmark(pseud, note, Kept::External(&external), title)
            .await
    }

    /// Writes a bookmark, or changes the reader's one of the same work,
    /// series or address (of whichever pseud), and recounts a work's
    /// bookmarks.
    async fn keep_bookmark(
        &self,
        pseud: PseudId,
        note: &BookmarkNote,
        of: Kept<'_>,
        title: &str,
    ) -> Result<i64> {
        let (note_text, tags) = kept_note(note)?;
        let (work, series, url, creator, external_tags) = match of {
            Kept::Work(id) => (Some(id), None, None, None, None),
            Kept::Series(id) => (None, Some(id), None, None, None),
            Kept::External(work) => (
                None,
                None,
                Some(work.url.clone()),
                Some(work.creator.clone()),
                Some(work.tags.join(", ")),
            ),
        };
        let mut tx = self.write().await?;
        let existing: Option<i64> = sqlx::query(
            "SELECT b.id FROM bookmarks b JOIN pseuds p ON p.id = b.pseud_id \
             WHERE p.user_id = (SELECT user_id FROM pseuds WHERE id = $1) \
             AND (b.work_id = $2 OR b.series_id = $3 OR b.external_url = $4) ORDER BY b.id LIMIT 1",
        )
        .bind(pseud)
        .bind(work.unwrap_or(0))
        .bind(series.unwrap_or(0))
        .bind(url.clone().unwrap_or_default())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE bookmarks SET pseud_id = $2, work_title = $3, note = $4, tags = $5, \
                     private = $6, rec = $7, external_creator = $8, external_tags = $9 WHERE id = $1",
                )
                .bind(id)
                .bind(pseud)
                .bind(title)
                .bind(note_text.html())
                .bind(tags)
                .bind(i64::from(note.private))
                .bind(i64::from(note.rec))
                .bind(creator)
                .bind(external_tags)
                .execute(&mut *tx)
                .await?;
                record_change(&mut tx, "bookmark", id, "edited").await?;
                id
            }
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO bookmarks (pseud_id, work_title, note, tags, private, rec, created_at, \
                     series_id, external_url, external_creator, external_tags, work_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(pseud)
                .bind(title)
                .bind(note_text.html())
                .bind(tags)
                .bind(i64::from(note.private))
                .bind(i64::from(note.rec))
                .bind(now())
                .bind(series)
                .bind(url)
                .bind(creator)
                .bind(external_tags)
                .bind(work)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                record_change(&mut tx, "bookmark", id, "created").await?;
                id
            }
        };
        recount(&mut tx, work).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reader's own bookmark of a series, if they have one.
    pub async fn bookmark_of_series(&self, user: UserId, series: i64) -> Result<Option<Bookmark>> {
        self.own_bookmark(user, "series_id", series).await
    }

    /// The reader's own bookmark whose `column` is `id`.
    async fn own_bookmark(
        &self,
        user: UserId,
        column: &'static str,
        id: i64,
    ) -> Result<Option<Bookmark>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} {FROM} WHERE p.user_id = $1 AND b.{column} = $2 ORDER BY b.id LIMIT 1"
        ))
        .bind(user)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(bookmark_of_row).transpose()
    }

    pub async fn bookmark(&self, id: i64) -> Result<Option<Bookmark>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(bookmark_of_row).transpose()
    }

    /// The reader's own bookmark of a work, if they have one.
    pub async fn bookmark_of_work(&self, user: UserId, work: WorkId) -> Result<Option<Bookmark>> {
        self.own_bookmark(user, "work_id", work).await
    }

    /// An account's bookmarks, newest first, as `viewer` may see them.
    pub async fn bookmarks_of(&self, user: UserId, viewer: Viewer) -> Result<Vec<Bookmark>> {
        let filter = BookmarkFilter {
            owner: Some(user),
            per_page: i64::MAX,
            ..BookmarkFilter::default()
        };
        Ok(self.list_bookmarks(&filter, viewer).await?.bookmarks)
    }

    /// Bookmarks as `viewer` may see them: their own, all of them; anyone
    /// else's, the public ones, and only of works they could open (or that
    /// are gone), so that a bookmark never shows the title of a hidden
    /// work, or a registered-only one to a guest; and never a blocker's
    /// bookmarks of the viewer's own works.
    pub async fn list_bookmarks(
        &self,
        filter: &BookmarkFilter,
        viewer: Viewer,
    ) -> Result<BookmarkPage> {
        let viewer_id = match viewer {
            Viewer::User(id) => id,
            Viewer::Guest => 0,
        };
        let mut conditions = vec![
            "(p.user_id = $1 OR (b.private = 0 AND (w.id IS NULL \
             OR (w.draft = 0 AND w.hidden = 0 AND (w.restricted = 0 OR $1 <> 0)))))"
                .to_string(),
            "NOT (EXISTS (SELECT 1 FROM blocks bl WHERE bl.user_id = p.user_id AND bl.blocked_id = $1) \
             AND EXISTS (SELECT 1 FROM work_creators wc JOIN pseuds cp ON cp.id = wc.pseud_id \
             WHERE wc.work_id = b.work_id AND cp.user_id = $1))"
                .to_string(),
        ];
        // A series shows only while one of its works may be seen.
        conditions.push(
            "(b.series_id IS NULL OR p.user_id = $1 OR EXISTS (SELECT 1 FROM series_works sw \
             JOIN works sww ON sww.id = sw.work_id WHERE sw.series_id = b.series_id \
             AND sww.draft = 0 AND sww.hidden = 0 AND (sww.restricted = 0 OR $1 <> 0)))"
                .into(),
        );
        // Every parameter is in the query whatever the filter, as
        // PostgreSQL wants: an unset one matches everything.
        conditions.push("($2 = 0 OR p.user_id = $2)".into());
        conditions.push(
            "($3 = '' OR (', ' || LOWER(b.tags) || ',') LIKE ('%, ' || $3 || ',%') \
             OR (', ' || LOWER(COALESCE(b.external_tags, '')) || ',') LIKE ('%, ' || $3 || ',%') \
             OR EXISTS (SELECT 1 FROM work_tags wt JOIN tags t ON t.id = wt.tag_id \
             WHERE wt.work_id = b.work_id AND (t.name_key = $3 \
             OR t.synonym_of IN (SELECT id FROM tags WHERE name_key = $3) \
             OR t.id IN (SELECT synonym_of FROM tags WHERE name_key = $3))))"
                .into(),
        );
        if filter.recs_only {
            conditions.push("b.rec = 1".into());
        }
        if filter.with_notes {
            conditions.push("b.note <> ''".into());
        }
        let order = if filter.oldest_first { "ASC" } else { "DESC" };
        let clause = conditions.join(" AND ");
        let tag = filter
            .tag
            .as_deref()
            .map(|t| model::tag_key(t).replace(['%', '_'], ""))
            .unwrap_or_default();
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} WHERE {clause}"))
            .bind(viewer_id)
            .bind(filter.owner.unwrap_or(0))
            .bind(&tag)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let per_page = filter.per_page.max(1);
        let offset = (filter.page.max(1) - 1).saturating_mul(per_page);
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} {FROM} WHERE {clause} ORDER BY b.id {order} LIMIT $4 OFFSET $5"
        ))
        .bind(viewer_id)
        .bind(filter.owner.unwrap_or(0))
        .bind(&tag)
        .bind(per_page)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(BookmarkPage {
            bookmarks: rows.iter().map(bookmark_of_row).collect::<Result<_>>()?,
            total,
        })
    }
}

/// What a bookmark keeps.
#[derive(Clone, Copy)]
enum Kept<'a> {
    Work(WorkId),
    Series(i64),
    External(&'a ExternalWork),
}

fn no_such(id: i64) -> ArchiveError {
    ArchiveError::Missing(format!("there is no bookmark {id}"))
}
