//! The wrangling as a graph in memory: which tags a filter on a tag finds,
//! and (the other way round) which filters find a work tagged with a tag.
//! Both the store's `filter_tags` and the search index answer from here, so
//! a filter means the same thing everywhere.

use std::collections::{BTreeSet, HashMap};

use sqlx::{AnyPool, Row};

use crate::model::{self, TagKind};
use crate::{ArchiveError, Result, TagId};

#[derive(Debug, Clone)]
pub struct TagNode {
    pub kind: TagKind,
    pub name: String,
    pub synonym_of: Option<TagId>,
}

/// Every tag, its synonym link, and meta-tag and fandom-parent edges.
#[derive(Debug, Default)]
pub struct TagGraph {
    nodes: HashMap<TagId, TagNode>,
    by_key: HashMap<String, Vec<TagId>>,
    /// Same-kind sub-tags (a meta-tag's children).
    children: HashMap<TagId, Vec<TagId>>,
    /// Same-kind meta-tags above a tag.
    meta: HashMap<TagId, Vec<TagId>>,
    synonyms: HashMap<TagId, Vec<TagId>>,
}

impl TagGraph {
    pub async fn load(pool: &AnyPool) -> Result<TagGraph> {
        let mut graph = TagGraph::default();
        for row in sqlx::query("SELECT id, kind, name, name_key, synonym_of FROM tags")
            .fetch_all(pool)
            .await?
        {
            let id: TagId = row.try_get("id")?;
            let code: String = row.try_get("kind")?;
            let kind = TagKind::from_code(&code).ok_or_else(|| ArchiveError::DamagedTag {
                tag: id,
                what: format!("unknown kind `{code}`"),
            })?;
            let synonym_of: Option<TagId> = row.try_get("synonym_of")?;
            if let Some(canonical) = synonym_of {
                graph.synonyms.entry(canonical).or_default().push(id);
            }
            graph
                .by_key
                .entry(row.try_get("name_key")?)
                .or_default()
                .push(id);
            graph.nodes.insert(
                id,
                TagNode {
                    kind,
                    name: row.try_get("name")?,
                    synonym_of,
                },
            );
        }
        for row in sqlx::query("SELECT child_id, parent_id FROM tag_parents")
            .fetch_all(pool)
            .await?
        {
            let child: TagId = row.try_get("child_id")?;
            let parent: TagId = row.try_get("parent_id")?;
            let same_kind =
                graph.nodes.get(&child).map(|n| n.kind) == graph.nodes.get(&parent).map(|n| n.kind);
            // A character's fandom is its parent but not its meta-tag: a
            // filter on the fandom doesn't find works that only name the
            // character.
            if same_kind {
                graph.children.entry(parent).or_default().push(child);
                graph.meta.entry(child).or_default().push(parent);
            }
        }
        Ok(graph)
    }

    pub fn node(&self, id: TagId) -> Option<&TagNode> {
        self.nodes.get(&id)
    }

    pub fn contains(&self, id: TagId) -> bool {
        self.nodes.contains_key(&id)
    }

    /// Tags of that name, of one kind or of any.
    pub fn lookup(&self, kind: Option<TagKind>, name: &str) -> Vec<TagId> {
        self.by_key
            .get(&model::tag_key(name))
            .map(|ids| {
                ids.iter()
                    .copied()
                    .filter(|id| kind.is_none() || self.nodes.get(id).map(|n| n.kind) == kind)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What a filter stands on: a synonym's canonical, or the tag itself.
    pub fn filter_root(&self, id: TagId) -> TagId {
        self.nodes.get(&id).and_then(|n| n.synonym_of).unwrap_or(id)
    }

    /// Sub-tags below a tag, transitively.
    pub fn descendants(&self, id: TagId) -> BTreeSet<TagId> {
        walk(&self.children, id)
    }

    /// The tags a filter on `id` matches: its canonical (if it is a
    /// synonym), every sub-tag below that, and the synonyms of all of them.
    pub fn filter_set(&self, id: TagId) -> BTreeSet<TagId> {
        let root = self.filter_root(id);
        let mut tags = self.descendants(root);
        tags.insert(root);
        let synonyms: Vec<TagId> = tags
            .iter()
            .flat_map(|tag| self.synonyms.get(tag).into_iter().flatten().copied())
            .collect();
        tags.extend(synonyms);
        tags
    }

    /// The filters that find a work tagged `id`: the inverse of
    /// [`TagGraph::filter_set`] (its root and every meta-tag above it).
    pub fn filters_finding(&self, id: TagId) -> BTreeSet<TagId> {
        let root = self.filter_root(id);
        let mut filters = walk(&self.meta, root);
        filters.insert(root);
        filters
    }

    /// The top of a tag's meta-tag tree (several if it has several).
    pub fn tops(&self, id: TagId) -> BTreeSet<TagId> {
        let mut filters = self.filters_finding(id);
        filters.retain(|tag| self.meta.get(tag).is_none_or(Vec::is_empty));
        filters
    }
}

fn walk(edges: &HashMap<TagId, Vec<TagId>>, from: TagId) -> BTreeSet<TagId> {
    let mut found = BTreeSet::new();
    let mut frontier = vec![from];
    while let Some(current) = frontier.pop() {
        for &next in edges.get(&current).into_iter().flatten() {
            if found.insert(next) {
                frontier.push(next);
            }
        }
    }
    found
}
