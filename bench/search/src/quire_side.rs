//! The quire side, built the way the product builds it: generated works go
//! through `import::prepare_lines` (what `quire import corpus/` does with
//! each line of `works.jsonl`) and `Archive::import_batch` into the
//! embedded SQLite archive, then `SearchIndex::rebuild` writes the index.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use quire_archive::corpus::{generate_scaled, GeneratedWork};
use quire_archive::import::{prepare_lines, Prepared};
use quire_archive::search::SearchIndex;
use quire_archive::{Archive, Imported};

use crate::meta::{Meta, TokenCounts};

/// Works per `import_batch` call (one transaction each).
pub const BATCH: usize = 500;

pub struct ImportRun {
    pub meta: Meta,
    pub tokens: TokenCounts,
    /// Serializing the generated works to JSON lines and generating them:
    /// not part of the import's time.
    pub generate: Duration,
    /// `prepare_lines` and `import_batch`.
    pub import: Duration,
}

fn texts_of(work: &GeneratedWork) -> Vec<&str> {
    let mut texts = vec![work.title.as_str(), work.summary.as_str()];
    texts.extend(work.authors.iter().map(String::as_str));
    for list in [
        &work.fandoms,
        &work.relationships,
        &work.characters,
        &work.freeforms,
    ] {
        texts.extend(list.iter().map(String::as_str));
    }
    texts.extend(work.chapters.iter().map(|c| c.title.as_str()));
    texts
}

/// Imports the corpus into a fresh archive in `dir`.
pub async fn import(
    archive: &Archive,
    works: usize,
    seed: u64,
    word_scale: f64,
) -> Result<ImportRun> {
    let pseud = archive
        .ensure_unowned_pseud("search-bench")
        .await
        .context("creating the importing pseud")?;
    let mut corpus = generate_scaled(works, seed, word_scale);
    let mut meta = Meta::default();
    let mut tokens = TokenCounts::default();
    let mut generate = Duration::ZERO;
    let mut import = Duration::ZERO;
    let started = Instant::now();
    let mut next_report = works / 20;
    loop {
        let t = Instant::now();
        let chunk: Vec<GeneratedWork> = corpus.by_ref().take(BATCH).collect();
        if chunk.is_empty() {
            break;
        }
        let mut lines = Vec::with_capacity(chunk.len() * 2_048);
        for work in &chunk {
            serde_json::to_writer(&mut lines, work)?;
            lines.push(b'\n');
        }
        generate += t.elapsed();

        let first = meta.works.len();
        let t = Instant::now();
        let mut prepared: Vec<Prepared> = Vec::with_capacity(chunk.len());
        for (line, result) in prepare_lines(&lines) {
            prepared.push(result.map_err(|e| anyhow!("corpus work {}: {e}", first + line - 1))?);
        }
        if prepared.len() != chunk.len() {
            bail!(
                "prepare_lines read {} works from {} lines",
                prepared.len(),
                chunk.len()
            );
        }
        let refs: Vec<&Prepared> = prepared.iter().collect();
        let results = archive
            .import_batch(pseud, &refs)
            .await
            .with_context(|| format!("importing corpus works {first}.."))?;
        import += t.elapsed();

        if results.len() != chunk.len() {
            bail!(
                "import_batch answered {} results for {} works",
                results.len(),
                chunk.len()
            );
        }
        for (n, ((work, prepared), result)) in chunk.iter().zip(&prepared).zip(results).enumerate()
        {
            let id = match result {
                Ok(Imported::Posted(id)) => id,
                Ok(Imported::AlreadyThere(id)) => bail!(
                    "corpus work {} was already in the archive as work {id}: start from an empty --dir",
                    first + n
                ),
                Err(err) => bail!("corpus work {} was not imported: {err}", first + n),
            };
            meta.push(id, prepared)?;
            tokens.add(&texts_of(work));
        }
        if meta.works.len() >= next_report {
            let done = meta.works.len();
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "  quire: {done}/{works} works imported ({rate:.0}/s, about {:.0} s left)",
                (works - done) as f64 / rate.max(1e-9)
            );
            next_report = done + works / 20;
        }
    }
    Ok(ImportRun {
        meta,
        tokens,
        generate,
        import,
    })
}

/// Opens the index in `data_dir/index`; rebuilds it when it is missing
/// (or `rebuild` is set) and says how long that took.
pub async fn index(
    archive: &Archive,
    data_dir: &Path,
    rebuild: bool,
) -> Result<(SearchIndex, Option<Duration>)> {
    let index = SearchIndex::open(archive.clone(), data_dir)
        .await
        .context("opening quire's search index")?;
    if index.is_ready() && !rebuild {
        return Ok((index, None));
    }
    eprintln!("  quire: building the search index (SearchIndex::rebuild)");
    let t = Instant::now();
    let progress = index.rebuild().await.context("building the search index")?;
    let took = t.elapsed();
    eprintln!(
        "  quire: indexed {} works in {:.1} s",
        progress.works,
        took.as_secs_f64()
    );
    // Open it again as a server starting up would, without the writer the
    // rebuild keeps: the memory figures then show a searching process.
    drop(index);
    let index = SearchIndex::open(archive.clone(), data_dir)
        .await
        .context("opening quire's search index")?;
    if !index.is_ready() {
        bail!("the index was rebuilt but can't be opened");
    }
    Ok((index, Some(took)))
}

/// The searchable generation's segments and their documents, from tantivy's
/// `meta.json` (the index directory holds `CURRENT` and `gen-N/`).
pub fn segments(data_dir: &Path) -> Option<Vec<u64>> {
    let index = data_dir.join("index");
    let generation = std::fs::read_to_string(index.join("CURRENT")).ok()?;
    let meta = std::fs::read(
        index
            .join(format!("gen-{}", generation.trim()))
            .join("meta.json"),
    )
    .ok()?;
    let meta: serde_json::Value = serde_json::from_slice(&meta).ok()?;
    Some(
        meta.get("segments")?
            .as_array()?
            .iter()
            .filter_map(|s| s.get("max_doc")?.as_u64())
            .collect(),
    )
}
