//! Search: a tantivy index of every visible work, kept beside the store and
//! following its change feed.
//!
//! The store is the truth; the index can always be rebuilt from it. It lives
//! in `<data>/index/`, one directory per generation (`gen-N`) and a
//! `CURRENT` file naming the one in use, so a rebuild (`quire reindex`, or a
//! server that finds no usable index) writes a fresh generation and swaps it
//! in while searches go on against the old one. Each commit records the last
//! change it includes, so a restarted server catches up from there.
//!
//! Tag filters are resolved when a search runs, through the wrangling graph
//! held in memory: a synonym merged into a canonical changes what a filter
//! finds at once, without touching the index.

pub mod graph;
pub mod load;
pub mod query;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

pub use graph::TagGraph;
pub use load::IndexedWork;
pub use query::{Completion, Crossovers, Direction, SearchRequest, Sort, MAX_TEXT_CLAUSES};

use crate::feed::FeedCursor;
use crate::model::Formatted;
use crate::model::{TagKind, WorkType};
use crate::{Archive, ArchiveError, WorkId};
use schema::{Fields, LANGUAGE_FACET, SCHEMA_VERSION, WORK_TYPE_FACET};

/// How often the follower looks for new changes: a write is searchable
/// well within a second.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(200);
/// After a failed round (the database away, the disk full), the next try
/// waits this long, so the log is not flooded.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(2);
/// Changes read per round.
const CHANGES_PER_ROUND: i64 = 2_000;
/// Tags of each kind the facets list.
pub const FACET_TAGS: usize = 10;
/// Languages the language facet lists: every one an archive holds, in
/// practice (AO3 offers about ninety).
const FACET_LANGUAGES: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index is being built; try again in a minute")]
    NotReady,
    #[error("the search index failed: {0}; {advice}", advice = way_out(.0))]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index's directory {path} can't be used: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] ArchiveError),
    #[error("`{parameter}`: {message}")]
    BadParameter {
        parameter: &'static str,
        message: String,
    },
    #[error("the search index holds a damaged entry ({0}); `quire reindex` rebuilds it")]
    Damaged(String),
    #[error("the index writer stopped: {0}")]
    Writer(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// What to do about a failing index. A full disk needs no rebuild: the
/// index carries on from its last commit once there is room again.
fn way_out(err: &tantivy::TantivyError) -> &'static str {
    let full = |io: &std::io::Error| io.kind() == std::io::ErrorKind::StorageFull;
    // Tantivy's own I/O variant names no source; others may.
    let mut disk_full = matches!(err, tantivy::TantivyError::IoError(io) if full(io));
    let mut cause = std::error::Error::source(err);
    while let Some(error) = cause {
        disk_full |= error.downcast_ref::<std::io::Error>().is_some_and(full);
        cause = error.source();
    }
    if disk_full {
        "the disk is full; the index picks up again by itself once space is freed"
    } else {
        "`quire reindex` rebuilds it from the archive"
    }
}

/// A work as lists show it: the API's work object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct WorkSummary {
    pub id: WorkId,
    pub title: String,
    pub authors: Vec<String>,
    pub fandoms: Vec<String>,
    pub rating: String,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    pub language: String,
    pub words: u64,
    pub chapters: u32,
    /// `None` is AO3's `?`.
    pub expected_chapters: Option<u32>,
    pub complete: bool,
    pub kudos: u64,
    pub hits: u64,
    pub bookmarks: u64,
    pub comments: u64,
    /// `YYYY-MM-DD`.
    pub posted: String,
    pub updated: String,
    /// HTML, cleaned as summaries are (the index keeps what was stored).
    #[serde(deserialize_with = "crate::formatted::stored")]
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub summary: Formatted,
    pub restricted: bool,
    /// `Text`, `Art`, `Audio`, `Video`: what the chapters hold.
    #[serde(default)]
    pub types: Vec<String>,
    /// The first image that says what it shows, for listings.
    #[serde(default)]
    pub picture: Option<Picture>,
}

/// An image of a work's, with the words that say what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Picture {
    pub src: String,
    pub alt: String,
}

impl WorkSummary {
    pub fn of(work: &IndexedWork) -> WorkSummary {
        let names = |kind: TagKind| -> Vec<String> {
            work.tags
                .iter()
                .filter(|(_, k, _)| *k == kind)
                .map(|(_, _, name)| name.clone())
                .collect()
        };
        let day = crate::dates::day_of;
        WorkSummary {
            id: work.id,
            title: work.title.clone(),
            authors: work.creators.clone(),
            fandoms: names(TagKind::Fandom),
            rating: names(TagKind::Rating)
                .into_iter()
                .next()
                .unwrap_or_default(),
            warnings: names(TagKind::ArchiveWarning),
            categories: names(TagKind::Category),
            relationships: names(TagKind::Relationship),
            characters: names(TagKind::Character),
            freeforms: names(TagKind::Freeform),
            language: work.language.clone(),
            words: work.words,
            chapters: work.chapters,
            expected_chapters: work.expected_chapters,
            complete: work.complete,
            kudos: work.kudos,
            hits: work.hits,
            bookmarks: work.bookmarks,
            comments: work.comments,
            posted: day(work.posted),
            updated: day(work.updated),
            summary: work.summary.clone(),
            restricted: work.restricted,
            types: work.types.iter().map(|t| t.name().to_string()).collect(),
            picture: work.picture.clone().map(|(src, alt)| Picture { src, alt }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FacetCount {
    pub tag: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub works: Vec<WorkSummary>,
    /// By tag kind (`fandom`, `rating`, …), most common first; the works'
    /// languages by code (`language`) and their types (`type`).
    pub facets: BTreeMap<&'static str, Vec<FacetCount>>,
}

/// What the index's last commit says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    schema: u32,
    /// Every change of the store's feed up to this one is in the index.
    seq: i64,
    /// The archive the index follows ([`Archive::archive_id`]).
    #[serde(default)]
    archive: String,
    /// The mark of change `seq` ([`Archive::feed_mark`]): an index is
    /// trusted only by a store whose change `seq` has the same mark.
    #[serde(default)]
    mark: String,
}

impl Payload {
    /// The payload for an index that has every change up to `seq`.
    async fn of(archive: &Archive, seq: i64) -> Result<Payload> {
        Ok(Payload {
            schema: SCHEMA_VERSION,
            seq,
            archive: archive.archive_id().await?,
            mark: archive.feed_mark(seq).await?,
        })
    }

    /// Was this index built from `archive` as it is (not another archive,
    /// nor a copy of this one that is behind it or went another way)?
    async fn follows(&self, archive: &Archive) -> Result<bool> {
        Ok(self.archive == archive.archive_id().await?
            && self.seq <= archive.last_change_seq().await?
            && archive.feed_mark(self.seq).await? == self.mark)
    }
}

/// One opened generation of the index.
struct Live {
    generation: u64,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// The follower's own state: the writer it holds and where it is in the feed.
struct Follower {
    generation: u64,
    writer: Option<IndexWriter>,
    feed: FeedCursor,
}

/// What one round of following did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Works indexed again or removed.
    pub works: usize,
    /// The last change now in the index.
    pub seq: i64,
    /// Whether the round rebuilt the whole index.
    pub rebuilt: bool,
}

struct Inner {
    /// The last change searches see, readable without waiting on the
    /// follower.
    searchable: std::sync::atomic::AtomicI64,
    archive: Archive,
    dir: PathBuf,
    live: RwLock<Option<Arc<Live>>>,
    graph: RwLock<Arc<TagGraph>>,
    follower: tokio::sync::Mutex<Follower>,
}

/// The search index of an archive. Cheap to clone; one follower per index
/// directory writes to it.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn generation_dir(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("gen-{generation}"))
}

fn read_current(dir: &Path) -> Option<u64> {
    std::fs::read_to_string(dir.join("CURRENT"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn generations(dir: &Path) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("gen-")?.parse().ok())
        .collect()
}

fn register_analyzer(index: &Index) {
    index
        .tokenizers()
        .register(schema::ANALYZER, schema::analyzer());
}

/// Opens a generation if it is whole and of this schema.
fn open_generation(dir: &Path, generation: u64) -> Option<(Live, Payload)> {
    let index = Index::open_in_dir(generation_dir(dir, generation)).ok()?;
    let payload: Payload =
        serde_json::from_str(index.load_metas().ok()?.payload.as_deref()?).ok()?;
    if payload.schema != SCHEMA_VERSION {
        return None;
    }
    let (expected, fields) = schema::build();
    if index.schema() != expected {
        return None;
    }
    register_analyzer(&index);
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .ok()?;
    Some((
        Live {
            generation,
            index,
            reader,
            fields,
        },
        payload,
    ))
}

fn commit(writer: &mut IndexWriter, payload: &Payload) -> tantivy::Result<()> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

fn id_term(fields: &Fields, id: WorkId) -> Term {
    Term::from_field_u64(fields.id, u64::try_from(id).unwrap_or(0))
}

/// Runs a blocking piece of tantivy work (commits, merges) off the async
/// threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Writer(e.to_string()))?
}

impl SearchIndex {
    /// The index under `data_dir/index` for this archive. Opening never
    /// fails for a missing or unusable index: the first [`SearchIndex::catch_up`]
    /// (which the server's follower runs at once) rebuilds it.
    pub async fn open(archive: Archive, data_dir: &Path) -> Result<SearchIndex> {
        let dir = data_dir.join("index");
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let graph = TagGraph::load(&archive.pool).await?;
        let mut opened =
            read_current(&dir).and_then(|generation| open_generation(&dir, generation));
        // An index of another archive, or of this one as it no longer is
        // (restored from a backup, say), is built anew rather than trusted.
        if let Some((_, payload)) = &opened {
            if !payload.follows(&archive).await? {
                opened = None;
            }
        }
        let searchable = opened.as_ref().map_or(0, |(_, payload)| payload.seq);
        let (live, follower) = match opened {
            Some((live, payload)) => {
                let follower = Follower {
                    generation: live.generation,
                    writer: None,
                    feed: FeedCursor::at(payload.seq),
                };
                (Some(Arc::new(live)), follower)
            }
            None => (
                None,
                Follower {
                    generation: 0,
                    writer: None,
                    feed: FeedCursor::at(0),
                },
            ),
        };
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                searchable: std::sync::atomic::AtomicI64::new(searchable),
                archive,
                dir,
                live: RwLock::new(live),
                graph: RwLock::new(Arc::new(graph)),
                follower: tokio::sync::Mutex::new(follower),
            }),
        })
    }

    fn live(&self) -> Option<Arc<Live>> {
        self.inner.live.read().ok()?.clone()
    }

    fn graph(&self) -> Arc<TagGraph> {
        match self.inner.graph.read() {
            Ok(graph) => graph.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    async fn reload_graph(&self) -> Result<Arc<TagGraph>> {
        let graph = Arc::new(TagGraph::load(&self.inner.archive.pool).await?);
        match self.inner.graph.write() {
            Ok(mut slot) => *slot = graph.clone(),
            Err(poisoned) => *poisoned.into_inner() = graph.clone(),
        }
        Ok(graph)
    }

    fn set_live(&self, live: Option<Arc<Live>>) {
        match self.inner.live.write() {
            Ok(mut slot) => *slot = live,
            Err(poisoned) => *poisoned.into_inner() = live,
        }
    }

    fn set_searchable(&self, seq: i64) {
        self.inner
            .searchable
            .store(seq, std::sync::atomic::Ordering::SeqCst);
    }

    /// The last change of the store's feed that searches see now.
    pub fn searchable_seq(&self) -> i64 {
        self.inner
            .searchable
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether searches can be answered now.
    pub fn is_ready(&self) -> bool {
        self.live().is_some()
    }

    /// The last change the searchable index includes.
    pub async fn indexed_seq(&self) -> i64 {
        self.inner.follower.lock().await.feed.settled()
    }

    /// Builds a fresh generation from the store and swaps it in. Searches
    /// keep using the old one until the swap.
    pub async fn rebuild(&self) -> Result<Progress> {
        let mut follower = self.inner.follower.lock().await;
        let progress = self.rebuild_locked(&mut follower).await?;
        Ok(progress)
    }

    async fn rebuild_locked(&self, follower: &mut Follower) -> Result<Progress> {
        let archive = &self.inner.archive;
        let dir = &self.inner.dir;
        // Changes after this point, and those committed late below it, are
        // caught up afterwards; reindexing a work twice is harmless.
        let feed = archive.feed_cursor_at_end().await?;
        let seq = feed.settled();
        let payload = Payload::of(archive, seq).await?;
        let graph = self.reload_graph().await?;
        let generation = generations(dir)
            .into_iter()
            .chain(read_current(dir))
            .max()
            .unwrap_or(0)
            + 1;
        let path = generation_dir(dir, generation);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
        let (tantivy_schema, fields) = schema::build();
        let index = Index::create_in_dir(&path, tantivy_schema)?;
        register_analyzer(&index);
        let writer: Arc<Mutex<IndexWriter>> = Arc::new(Mutex::new(index.writer(256 << 20)?));
        let mut after = 0;
        let mut indexed = 0;
        loop {
            let ids = archive.work_ids_after(after, 1_000).await?;
            let Some(&last) = ids.last() else { break };
            after = last;
            let works = archive.works_for_index(&ids).await?;
            let mut docs = Vec::with_capacity(works.len());
            for work in works.iter().filter(|w| w.listed()) {
                docs.push(
                    schema::document(&fields, work, &graph, &WorkSummary::of(work))
                        .map_err(|e| SearchError::Damaged(e.to_string()))?,
                );
            }
            indexed += docs.len();
            let writer = writer.clone();
            blocking(move || {
                let writer = writer
                    .lock()
                    .map_err(|e| SearchError::Writer(e.to_string()))?;
                for doc in docs {
                    writer.add_document(doc)?;
                }
                Ok(())
            })
            .await?;
        }
        let writer = Arc::try_unwrap(writer)
            .map_err(|_| SearchError::Writer("the writer is still shared".into()))?
            .into_inner()
            .map_err(|e| SearchError::Writer(e.to_string()))?;
        let writer = blocking(move || {
            let mut writer = writer;
            commit(&mut writer, &payload)?;
            Ok(writer)
        })
        .await?;
        let current = dir.join("CURRENT");
        let staged = dir.join("CURRENT.new");
        std::fs::write(&staged, generation.to_string()).map_err(io_error(&staged))?;
        std::fs::rename(&staged, &current).map_err(io_error(&current))?;
        let (live, _) = open_generation(dir, generation).ok_or_else(|| {
            SearchError::Damaged(format!(
                "the new generation {generation} could not be opened"
            ))
        })?;
        self.set_live(Some(Arc::new(live)));
        self.set_searchable(seq);
        *follower = Follower {
            generation,
            writer: Some(writer),
            feed,
        };
        for old in generations(dir).into_iter().filter(|g| *g < generation) {
            // Best effort: an old generation that can't be removed now is
            // removed by the next rebuild.
            let _ = std::fs::remove_dir_all(generation_dir(dir, old));
        }
        Ok(Progress {
            works: indexed,
            seq,
            rebuilt: true,
        })
    }

    /// One round of following the store: rebuilds if there is no usable
    /// index, switches to a generation another process built, then indexes
    /// the works the new changes touched.
    pub async fn catch_up(&self) -> Result<Progress> {
        let mut follower = self.inner.follower.lock().await;
        let current = read_current(&self.inner.dir);
        let live = self.live();
        let switched = current.is_some_and(|c| live.as_ref().is_none_or(|l| l.generation != c));
        if switched {
            follower.writer = None;
            let mut opened = current.and_then(|c| open_generation(&self.inner.dir, c));
            if let Some((_, payload)) = &opened {
                if !payload.follows(&self.inner.archive).await? {
                    opened = None;
                }
            }
            match opened {
                Some((live, payload)) => {
                    *follower = Follower {
                        generation: live.generation,
                        writer: None,
                        feed: FeedCursor::at(payload.seq),
                    };
                    self.set_live(Some(Arc::new(live)));
                    self.set_searchable(payload.seq);
                }
                None => self.set_live(None),
            }
        }
        let Some(live) = self.live() else {
            return self.rebuild_locked(&mut follower).await;
        };
        if follower.generation != live.generation {
            follower.generation = live.generation;
            follower.writer = None;
        }
        // Every change is applied the first time it is seen, a late commit
        // too (see `feed`); the index records how far it has them all.
        let mut feed = follower.feed.clone();
        let taken = self
            .inner
            .archive
            .read_feed(&mut feed, CHANGES_PER_ROUND)
            .await?;
        if taken.is_empty() {
            follower.feed = feed;
            self.set_searchable(follower.feed.settled());
            return Ok(Progress {
                works: 0,
                seq: follower.feed.settled(),
                rebuilt: false,
            });
        }
        let upto = feed.settled();
        let payload = Payload::of(&self.inner.archive, upto).await?;

        let mut works: BTreeSet<WorkId> = BTreeSet::new();
        let mut tags = Vec::new();
        for change in &taken {
            match change.entity.as_str() {
                "work" => {
                    works.insert(change.entity_id);
                }
                "tag" => tags.push(change.entity_id),
                _ => {}
            }
        }
        let mut graph = self.graph();
        if !tags.is_empty() {
            graph = self.reload_graph().await?;
            let mut affected: Vec<i64> = Vec::new();
            for tag in tags {
                affected.push(tag);
                affected.extend(graph.filter_set(tag));
            }
            works.extend(self.inner.archive.works_with_tags(&affected).await?);
        }
        let ids: Vec<WorkId> = works.into_iter().collect();
        let loaded = self.inner.archive.works_for_index(&ids).await?;
        if loaded
            .iter()
            .flat_map(|w| &w.tags)
            .any(|(tag, _, _)| !graph.contains(*tag))
        {
            graph = self.reload_graph().await?;
        }
        let mut docs = Vec::with_capacity(loaded.len());
        for work in loaded.iter().filter(|w| w.listed()) {
            docs.push(
                schema::document(&live.fields, work, &graph, &WorkSummary::of(work))
                    .map_err(|e| SearchError::Damaged(e.to_string()))?,
            );
        }
        let writer = match follower.writer.take() {
            Some(writer) => writer,
            None => {
                let index = live.index.clone();
                blocking(move || Ok(index.writer(64 << 20)?)).await?
            }
        };
        let fields = live.fields.clone();
        let deletes = ids.clone();
        let writer = blocking(move || {
            let mut writer = writer;
            for id in deletes {
                writer.delete_term(id_term(&fields, id));
            }
            for doc in docs {
                writer.add_document(doc)?;
            }
            commit(&mut writer, &payload)?;
            Ok(writer)
        })
        .await?;
        follower.writer = Some(writer);
        follower.feed = feed;
        live.reader.reload()?;
        self.set_searchable(upto);
        Ok(Progress {
            works: ids.len(),
            seq: upto,
            rebuilt: false,
        })
    }

    /// Follows the store until the task is dropped; a failing round is
    /// reported through `on_error` and tried again a little later.
    pub async fn follow(self, on_error: impl Fn(&SearchError) + Send) {
        loop {
            let pause = match self.catch_up().await {
                Ok(progress) if progress.works > 0 || progress.rebuilt => continue,
                Ok(_) => FOLLOW_INTERVAL,
                Err(err) => {
                    on_error(&err);
                    RETRY_AFTER_ERROR
                }
            };
            tokio::time::sleep(pause).await;
        }
    }

    /// Answers a search; `signed_in` readers also find registered-only works.
    pub fn search(&self, request: &SearchRequest, signed_in: bool) -> Result<SearchResults> {
        check(request)?;
        let live = self.live().ok_or(SearchError::NotReady)?;
        let graph = self.graph();
        let query = query::build(request, &live.fields, &graph, signed_in);
        let searcher = live.reader.searcher();
        let offset = (request.page - 1) * request.per_page;
        let top = TopDocs::with_limit(request.per_page).and_offset(offset);
        let direction = request
            .direction
            .unwrap_or_else(|| request.sort.default_direction());
        let order = match direction {
            Direction::Ascending => Order::Asc,
            Direction::Descending => Order::Desc,
        };
        let sort = if request.sort == Sort::BestMatch
            && query::parse_text(&request.text)
                .iter()
                .all(|clause| clause.negated)
        {
            Sort::Updated
        } else {
            request.sort
        };
        let fields = &live.fields;
        let numeric =
            |field: tantivy::schema::Field| live.index.schema().get_field_name(field).to_string();
        let (addresses, total, facets): (Vec<DocAddress>, usize, Option<FacetCounts>) = match sort {
            Sort::BestMatch => {
                let collector = top.tweak_score(|segment: &tantivy::SegmentReader| {
                    let ids = segment
                        .fast_fields()
                        .u64("id")
                        .ok()
                        .map(|c| c.first_or_default_col(0));
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        (score, ids.as_ref().map_or(0, |c| c.get_val(doc)))
                    }
                });
                run(&searcher, &*query, collector, request.facets)?
            }
            Sort::Title | Sort::Author => {
                let field = if sort == Sort::Title {
                    fields.title_sort
                } else {
                    fields.author_sort
                };
                run(
                    &searcher,
                    &*query,
                    top.order_by_string_fast_field(numeric(field), order),
                    request.facets,
                )?
            }
            numeric_sort => {
                let field = match numeric_sort {
                    Sort::Posted => fields.sort_posted,
                    Sort::Kudos => fields.sort_kudos,
                    Sort::Hits => fields.sort_hits,
                    Sort::Bookmarks => fields.sort_bookmarks,
                    Sort::Comments => fields.sort_comments,
                    Sort::Words => fields.sort_words,
                    _ => fields.sort_updated,
                };
                run(
                    &searcher,
                    &*query,
                    top.order_by_fast_field::<u64>(numeric(field), order),
                    request.facets,
                )?
            }
        };
        let mut works = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let json = doc
                .get_first(fields.summary_json)
                .and_then(|v| v.as_str())
                .ok_or_else(|| SearchError::Damaged("a work without its summary".into()))?;
            works
                .push(serde_json::from_str(json).map_err(|e| SearchError::Damaged(e.to_string()))?);
        }
        let mut facet_lists = BTreeMap::new();
        if let Some(counts) = facets {
            // The `limit` most common under `/{name}`.
            let top = |name: &str, limit: usize| -> Vec<FacetCount> {
                counts
                    .top_k(format!("/{name}").as_str(), limit)
                    .into_iter()
                    .filter_map(|(facet, count)| {
                        Some(FacetCount {
                            tag: facet.to_path().last()?.to_string(),
                            count,
                        })
                    })
                    .collect()
            };
            for kind in TagKind::ALL {
                facet_lists.insert(kind.code(), top(kind.code(), FACET_TAGS));
            }
            facet_lists.insert(LANGUAGE_FACET, top(LANGUAGE_FACET, FACET_LANGUAGES));
            facet_lists.insert(WORK_TYPE_FACET, top(WORK_TYPE_FACET, WorkType::ALL.len()));
        }
        Ok(SearchResults {
            total,
            page: request.page,
            per_page: request.per_page,
            works,
            facets: facet_lists,
        })
    }
}

fn check(request: &SearchRequest) -> Result<()> {
    if request.per_page == 0 || request.per_page > query::MAX_PER_PAGE {
        return Err(SearchError::BadParameter {
            parameter: "per_page",
            message: format!("give a number from 1 to {}", query::MAX_PER_PAGE),
        });
    }
    if request.page == 0 || request.page > query::MAX_PAGE {
        return Err(SearchError::BadParameter {
            parameter: "page",
            message: format!(
                "give a page from 1 to {}; narrow the search to see further",
                query::MAX_PAGE
            ),
        });
    }
    let clauses = query::parse_text(&request.text).len();
    if clauses > query::MAX_TEXT_CLAUSES {
        return Err(SearchError::BadParameter {
            parameter: "q",
            message: format!(
                "the search has {clauses} words and phrases, and the archive looks for at most {} at a time: leave some out, or put a quotation in quotes to look for it as one phrase",
                query::MAX_TEXT_CLAUSES
            ),
        });
    }
    if let (Some(from), Some(to)) = (request.words_from, request.words_to) {
        if from > to {
            return Err(SearchError::BadParameter {
                parameter: "words_from",
                message: format!("{from} is more than words_to ({to})"),
            });
        }
    }
    Ok(())
}

/// Runs one search with its sort, a count and (if asked) facet counts.
fn run<C>(
    searcher: &Searcher,
    query: &dyn Query,
    top: C,
    want_facets: bool,
) -> Result<(Vec<DocAddress>, usize, Option<FacetCounts>)>
where
    C: tantivy::collector::Collector,
    C::Fruit: IntoIterator,
    <C::Fruit as IntoIterator>::Item: HasAddress,
{
    if want_facets {
        let mut facets = FacetCollector::for_field("facet");
        for kind in TagKind::ALL {
            facets.add_facet(format!("/{}", kind.code()).as_str());
        }
        facets.add_facet(format!("/{LANGUAGE_FACET}").as_str());
        facets.add_facet(format!("/{WORK_TYPE_FACET}").as_str());
        let (hits, total, counts) = searcher.search(query, &(top, Count, facets))?;
        Ok((
            hits.into_iter().map(|h| h.address()).collect(),
            total,
            Some(counts),
        ))
    } else {
        let (hits, total) = searcher.search(query, &(top, Count))?;
        Ok((hits.into_iter().map(|h| h.address()).collect(), total, None))
    }
}

trait HasAddress {
    fn address(&self) -> DocAddress;
}

impl<K> HasAddress for (K, DocAddress) {
    fn address(&self) -> DocAddress {
        self.1
    }
}

#[cfg(test)]
mod advice_tests {
    use std::io::{Error, ErrorKind};

    #[test]
    fn a_full_disk_is_not_sent_to_reindex() {
        let full = tantivy::TantivyError::from(Error::from(ErrorKind::StorageFull));
        let said = super::SearchError::from(full).to_string();
        assert!(
            said.contains("disk is full") && !said.contains("reindex"),
            "{said}"
        );
        let denied = tantivy::TantivyError::from(Error::from(ErrorKind::PermissionDenied));
        assert!(super::SearchError::from(denied)
            .to_string()
            .contains("`quire reindex` rebuilds it"));
    }
}
