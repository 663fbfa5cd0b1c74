//! Tag wrangling: canonical tags, synonyms, meta-tags and fandom parents,
//! and what a filter on a tag finds.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::model::{self, TagKind};
use crate::people::Viewer;
use crate::search::graph::TagGraph;
use crate::{record_change, Archive, ArchiveError, Result, TagId, WorkId};

/// A tag and its place in the wrangling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    pub id: TagId,
    pub kind: TagKind,
    pub name: String,
    pub canonical: bool,
    /// The canonical this tag is a synonym of.
    pub synonym_of: Option<String>,
    pub synonyms: Vec<String>,
    /// Meta-tags above it, and (for characters, relationships and
    /// additional tags) the fandoms it belongs to.
    pub parents: Vec<String>,
    /// Sub-tags below it.
    pub children: Vec<String>,
}

impl Archive {
    async fn tag_id(&self, kind: TagKind, name: &str) -> Result<TagId> {
        let row = sqlx::query("SELECT id FROM tags WHERE kind = $1 AND name_key = $2")
            .bind(kind.code())
            .bind(model::tag_key(name))
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(row.try_get("id")?),
            None => Err(ArchiveError::NoSuchTag {
                kind: kind.code(),
                name: name.trim().to_string(),
            }),
        }
    }

    async fn names(&self, sql: &str, id: TagId) -> Result<Vec<String>> {
        sqlx::query(sql)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("name").map_err(ArchiveError::from))
            .collect()
    }

    pub async fn tag(&self, kind: TagKind, name: &str) -> Result<Option<TagInfo>> {
        let id = match self.tag_id(kind, name).await {
            Ok(id) => id,
            Err(ArchiveError::NoSuchTag { .. }) => return Ok(None),
            Err(err) => return Err(err),
        };
        let row = sqlx::query(
            "SELECT t.name, t.canonical, s.name AS synonym_of FROM tags t LEFT JOIN tags s ON s.id = t.synonym_of WHERE t.id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(TagInfo {
            id,
            kind,
            name: row.try_get("name")?,
            canonical: row.try_get::<i64, _>("canonical")? != 0,
            synonym_of: row.try_get("synonym_of")?,
            synonyms: self
                .names("SELECT name FROM tags WHERE synonym_of = $1 ORDER BY name_key", id)
                .await?,
            parents: self
                .names(
                    "SELECT t.name FROM tag_parents p JOIN tags t ON t.id = p.parent_id WHERE p.child_id = $1 ORDER BY t.name_key",
                    id,
                )
                .await?,
            children: self
                .names(
                    "SELECT t.name FROM tag_parents p JOIN tags t ON t.id = p.child_id WHERE p.parent_id = $1 ORDER BY t.name_key",
                    id,
                )
                .await?,
        }))
    }

    /// A tag as `viewer` may know it: a tag that only drafts carry (and no
    /// wrangler has touched) is their creators' alone, so guessing its
    /// page tells no one else that it exists.
    pub async fn tag_for(
        &self,
        kind: TagKind,
        name: &str,
        viewer: crate::Viewer,
    ) -> Result<Option<TagInfo>> {
        let Some(tag) = self.tag(kind, name).await? else {
            return Ok(None);
        };
        let wrangled = tag.canonical
            || tag.synonym_of.is_some()
            || !tag.synonyms.is_empty()
            || !tag.parents.is_empty()
            || !tag.children.is_empty();
        if wrangled {
            return Ok(Some(tag));
        }
        let on_posted_work = sqlx::query(
            "SELECT 1 FROM work_tags wt JOIN works w ON w.id = wt.work_id \
             WHERE wt.tag_id = $1 AND w.draft = 0 LIMIT 1",
        )
        .bind(tag.id)
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        if on_posted_work {
            return Ok(Some(tag));
        }
        let crate::Viewer::User(user) = viewer else {
            return Ok(None);
        };
        let on_own_draft = sqlx::query(
            "SELECT 1 FROM work_tags wt JOIN work_creators c ON c.work_id = wt.work_id \
             JOIN pseuds p ON p.id = c.pseud_id WHERE wt.tag_id = $1 AND p.user_id = $2 LIMIT 1",
        )
        .bind(tag.id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        Ok(on_own_draft.then_some(tag))
    }

    /// Canonical tags of a kind whose names start with `prefix` (case and
    /// spacing folded as tag names are), for autocomplete: the names
    /// writers are offered so that their tags land on the wrangled ones.
    pub async fn tag_suggestions(
        &self,
        kind: TagKind,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<String>> {
        let folded = model::tag_key(prefix);
        if folded.is_empty() {
            return Ok(Vec::new());
        }
        // The prefix is literal: LIKE's wildcards in it are escaped.
        let pattern: String = folded
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .chain(['%'])
            .collect();
        let rows = sqlx::query(
            "SELECT name FROM tags WHERE kind = $1 AND canonical = 1 AND name_key LIKE $2 ESCAPE '\\' \
             ORDER BY name_key LIMIT $3",
        )
        .bind(kind.code())
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("name").map_err(ArchiveError::from))
            .collect()
    }

    /// Makes a tag canonical: the one name filters and autocomplete offer.
    pub async fn make_canonical(&self, kind: TagKind, name: &str) -> Result<()> {
        let id = self.tag_id(kind, name).await?;
        let mut tx = self.write().await?;
        let row = sqlx::query("SELECT synonym_of FROM tags WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if row.try_get::<Option<i64>, _>("synonym_of")?.is_some() {
            return Err(ArchiveError::Conflict(format!(
                "`{name}` is a synonym; a synonym can't be canonical. Make its canonical the tag you want, or unmerge it first"
            )));
        }
        sqlx::query("UPDATE tags SET canonical = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "tag", id, "canonical").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merges a tag into a canonical of the same kind as its synonym: works
    /// tagged with it are found by filters on the canonical from then on.
    pub async fn merge_as_synonym(&self, kind: TagKind, name: &str, canonical: &str) -> Result<()> {
        if kind.is_fixed() {
            return Err(ArchiveError::Conflict(format!(
                "{} tags are a fixed set and can't be merged",
                kind.label()
            )));
        }
        let id = self.tag_id(kind, name).await?;
        let target = self.tag_id(kind, canonical).await?;
        if id == target {
            return Err(ArchiveError::rejected(
                "synonym_of",
                format!("`{name}` can't be a synonym of itself"),
            ));
        }
        let mut tx = self.write().await?;
        let is_canonical: i64 = sqlx::query("SELECT canonical FROM tags WHERE id = $1")
            .bind(target)
            .fetch_one(&mut *tx)
            .await?
            .try_get("canonical")?;
        if is_canonical == 0 {
            return Err(ArchiveError::Conflict(format!(
                "`{canonical}` is not canonical; make it canonical first, then merge `{name}` into it"
            )));
        }
        sqlx::query("UPDATE tags SET canonical = 0, synonym_of = $1 WHERE id = $2")
            .bind(target)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The merged tag's own synonyms follow it to the new canonical.
        sqlx::query("UPDATE tags SET synonym_of = $1 WHERE synonym_of = $2")
            .bind(target)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "tag", id, "merged").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a parent: a meta-tag of the same kind (both canonical), or the
    /// fandom of a character, relationship or additional tag.
    pub async fn add_parent(
        &self,
        kind: TagKind,
        name: &str,
        parent_kind: TagKind,
        parent: &str,
    ) -> Result<()> {
        let fandom_parent = parent_kind == TagKind::Fandom
            && matches!(
                kind,
                TagKind::Character | TagKind::Relationship | TagKind::Freeform
            );
        if parent_kind != kind && !fandom_parent {
            return Err(ArchiveError::Conflict(format!(
                "a {} tag's parent is a {} meta-tag or, for characters, relationships and additional tags, a fandom",
                kind.code(),
                kind.code()
            )));
        }
        let child = self.tag_id(kind, name).await?;
        let parent_id = self.tag_id(parent_kind, parent).await?;
        if parent_kind == kind {
            // A loop of meta-tags would make a filter find everything forever.
            let below = TagGraph::load(&self.pool).await?.descendants(child);
            if below.contains(&parent_id) || child == parent_id {
                return Err(ArchiveError::Conflict(format!(
                    "`{parent}` is already under `{name}`; a tag can't be its own meta-tag"
                )));
            }
        }
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO tag_parents (child_id, parent_id) VALUES ($1, $2) ON CONFLICT (child_id, parent_id) DO NOTHING",
        )
        .bind(child)
        .bind(parent_id)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "tag", child, "parent-added").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tags a filter on `name` matches: its canonical (if it is a
    /// synonym), every sub-tag below that, and the synonyms of all of them.
    pub async fn filter_tags(&self, kind: TagKind, name: &str) -> Result<BTreeSet<TagId>> {
        let id = self.tag_id(kind, name).await?;
        Ok(TagGraph::load(&self.pool).await?.filter_set(id))
    }

    /// Works a filter on a tag finds, newest first, as `viewer` may see
    /// them (no drafts; registered-only works for signed-in readers).
    pub async fn works_tagged(
        &self,
        kind: TagKind,
        name: &str,
        viewer: Viewer,
    ) -> Result<Vec<WorkId>> {
        let tags = self.filter_tags(kind, name).await?;
        let mut works = BTreeSet::new();
        for tag in tags {
            let rows = sqlx::query(
                "SELECT w.id FROM work_tags wt JOIN works w ON w.id = wt.work_id \
                 WHERE wt.tag_id = $1 AND w.draft = 0 AND (w.restricted = 0 OR $2 = 1)",
            )
            .bind(tag)
            .bind(i64::from(viewer != Viewer::Guest))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                works.insert(row.try_get::<i64, _>("id")?);
            }
        }
        Ok(works.into_iter().rev().collect())
    }
}
