//! search-bench: quire's search (tantivy, in process) beside PostgreSQL
//! full-text search, on the same generated corpus, in the same run.
//!
//! Builds (or reuses, from `--dir`) quire's archive and index and a
//! PostgreSQL table of the same works, checks that both answer six query
//! shapes the same way a plain scan of the corpus does, times both on one
//! thread, and prints a markdown report. README.md says more.

mod meta;
mod pg;
mod probe;
mod quire_side;
mod system;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::Parser;
use quire_archive::model::{ArchiveWarning, TagKind};
use quire_archive::search::{Completion, SearchIndex, SearchRequest, Sort};
use quire_archive::Archive;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnection;

use meta::{Meta, Order, Params, Truth};
use pg::PgQuery;

#[derive(Parser, Debug)]
#[command(
    name = "search-bench",
    about = "quire's search (tantivy, in process) beside PostgreSQL full-text search on one generated corpus"
)]
struct Args {
    /// Works in the generated corpus.
    #[arg(long, default_value_t = 1_000_000)]
    works: usize,
    /// The corpus's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every text's length is multiplied by this (titles, tags and counts
    /// stay), so many works fit one machine.
    #[arg(long, default_value_t = 0.05)]
    word_scale: f64,
    /// Work directory: quire's archive and index, and what the benchmark
    /// remembers of the corpus. Reused when present, so a rerun only
    /// measures. Default: target/search-bench/w<works>-s<seed>-x<scale>.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// A PostgreSQL server; the benchmark creates and uses its own database
    /// `quire_search_bench` there.
    #[arg(
        long,
        default_value = "postgres://postgres:postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Timed queries per shape and side.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Also print PostgreSQL's plan (EXPLAIN ANALYZE) of each shape's
    /// first query to standard error.
    #[arg(long)]
    explain: bool,
    /// Also time variants of quire's slow shapes with tantivy directly
    /// (where the time goes), and add them to the report.
    #[arg(long)]
    probe: bool,
}

/// What a built work directory holds.
#[derive(Debug, Serialize, Deserialize)]
struct State {
    works: usize,
    seed: u64,
    word_scale: f64,
    /// Names this build; the PostgreSQL table records it, so a table of
    /// another build (other ids) is never reused.
    token: String,
    generate_secs: f64,
    import_secs: f64,
    index_secs: f64,
    params: Params,
}

/// What a search answers, on either side.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub total: u64,
    pub ids: Vec<i64>,
    /// By tag kind code: (name, works), most first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
}

struct Query {
    label: String,
    quire: SearchRequest,
    pg: PgQuery,
    /// For filter-only shapes: what a scan of the corpus answers.
    truth: Option<Truth>,
}

struct Shape {
    key: char,
    what: String,
    text: bool,
    queries: Vec<Query>,
}

#[derive(Debug, Clone, Copy)]
struct Latency {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

fn latency(mut times: Vec<Duration>) -> Latency {
    times.sort_unstable();
    let rank = |q: f64| {
        let n = times.len();
        let at = ((q * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
        times.get(at).copied().unwrap_or_default()
    };
    let mean = if times.is_empty() {
        Duration::ZERO
    } else {
        times.iter().sum::<Duration>() / times.len() as u32
    };
    Latency {
        p50: rank(0.50),
        p99: rank(0.99),
        mean,
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let staged = path.with_extension("json.new");
    let file =
        std::fs::File::create(&staged).with_context(|| format!("writing {}", staged.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, value)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    std::fs::rename(&staged, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn quire_answer(index: &SearchIndex, request: &SearchRequest) -> Result<Answer> {
    let results = index.search(request, false)?;
    Ok(Answer {
        total: results.total as u64,
        ids: results.works.iter().map(|w| w.id).collect(),
        facets: results
            .facets
            .into_iter()
            .map(|(kind, list)| {
                (
                    kind.to_string(),
                    list.into_iter().map(|f| (f.tag, f.count)).collect(),
                )
            })
            .collect(),
    })
}

fn tag(kind: TagKind, name: &str) -> String {
    meta::tag_string(kind, name)
}

const EXCLUDED: [ArchiveWarning; 2] = [
    ArchiveWarning::GraphicViolence,
    ArchiveWarning::MajorCharacterDeath,
];

/// The six shapes over `params`; with the corpus's record, each query also
/// carries what a scan of the corpus answers.
fn shapes(params: &Params, meta: Option<&Meta>) -> Vec<Shape> {
    let has = |w: &meta::MetaWork, t: Option<u32>| t.is_some_and(|t| w.tags.contains(&t));
    let tag_id = |t: &str| meta.and_then(|m| m.tag_id(t));
    let excluded: Vec<String> = EXCLUDED
        .iter()
        .map(|w| tag(TagKind::ArchiveWarning, w.name()))
        .collect();
    let excluded_ids: Vec<Option<u32>> = excluded.iter().map(|t| tag_id(t)).collect();

    let text = |facets: bool| -> Vec<Query> {
        params
            .words
            .iter()
            .map(|(word, _)| Query {
                label: format!("`{word}`"),
                quire: SearchRequest {
                    text: word.clone(),
                    sort: Sort::BestMatch,
                    facets,
                    ..SearchRequest::new()
                },
                pg: PgQuery::Text {
                    word: word.clone(),
                    facets,
                },
                truth: None,
            })
            .collect()
    };
    let fandom = |by_kudos: bool| -> Vec<Query> {
        params
            .fandoms
            .iter()
            .map(|(name, _)| {
                let fandom_tag = tag(TagKind::Fandom, name);
                let id = tag_id(&fandom_tag);
                let (none, truth) = if by_kudos {
                    (
                        excluded.clone(),
                        meta::truth(
                            meta,
                            |w| has(w, id) && !excluded_ids.iter().any(|&e| has(w, e)),
                            Order::Kudos,
                            20,
                        ),
                    )
                } else {
                    (
                        Vec::new(),
                        meta::truth(meta, |w| has(w, id), Order::Updated, 20),
                    )
                };
                Query {
                    label: format!("`{name}`"),
                    quire: SearchRequest {
                        fandoms: vec![name.clone()],
                        warnings_exclude: if by_kudos {
                            EXCLUDED.to_vec()
                        } else {
                            Vec::new()
                        },
                        sort: if by_kudos { Sort::Kudos } else { Sort::Updated },
                        ..SearchRequest::new()
                    },
                    pg: PgQuery::Tags {
                        all: vec![fandom_tag],
                        none,
                        by_kudos,
                    },
                    truth,
                }
            })
            .collect()
    };
    let triples = params
        .triples
        .iter()
        .map(|([fandom, character, freeform], _)| {
            let all = vec![
                tag(TagKind::Fandom, fandom),
                tag(TagKind::Character, character),
                tag(TagKind::Freeform, freeform),
            ];
            let ids: Vec<Option<u32>> = all.iter().map(|t| tag_id(t)).collect();
            Query {
                label: format!("`{fandom}` + `{character}` + `{freeform}`"),
                quire: SearchRequest {
                    include: vec![fandom.clone(), character.clone(), freeform.clone()],
                    sort: Sort::Updated,
                    ..SearchRequest::new()
                },
                pg: PgQuery::Tags {
                    all,
                    none: Vec::new(),
                    by_kudos: false,
                },
                truth: meta::truth(
                    meta,
                    |w| ids.iter().all(|&t| has(w, t)),
                    Order::Updated,
                    20,
                )),
            }
        })
        .collect();
    let ranges = params
        .ranges
        .iter()
        .map(|&(from, to)| Query {
            label: format!("{from}–{to}"),
            quire: SearchRequest {
                words_from: Some(from),
                words_to: Some(to),
                completion: Completion::CompleteOnly,
                sort: Sort::Kudos,
                ..SearchRequest::new()
            },
            pg: PgQuery::Words {
                from: i32::try_from(from).unwrap_or(i32::MAX),
                to: i32::try_from(to).unwrap_or(i32::MAX),
            },
            truth: meta::truth(
                meta,
                |w| w.complete && (from..=to).contains(&w.words),
                Order::Kudos,
                20,
            )),
        })
        .collect();
    vec![
        Shape {
            key: 'a',
            what: "text, one name word, best match".into(),
            text: true,
            queries: text(false),
        },
        Shape {
            key: 'b',
            what: "one fandom, sort by updated".into(),
            text: false,
            queries: fandom(false),
        },
        Shape {
            key: 'c',
            what: "one fandom − 2 warnings, sort by kudos".into(),
            text: false,
            queries: fandom(true),
        },
        Shape {
            key: 'd',
            what: "fandom + character + freeform, sort by updated".into(),
            text: false,
            queries: triples,
        },
        Shape {
            key: 'e',
            what: "word range + complete, sort by kudos".into(),
            text: false,
            queries: ranges,
        },
        Shape {
            key: 'f',
            what: "text + facets (top 10 tags of each kind)".into(),
            text: true,
            queries: text(true),
        },
    ]
}

/// How one shape's answers compared.
#[derive(Debug, Default)]
struct Agreement {
    queries: usize,
    /// Filter shapes: queries where quire, PostgreSQL and the scan agree on
    /// the total and the 20 ids.
    agree: usize,
    quire_totals: u64,
    pg_totals: u64,
    /// Text shapes: ids in both top 20s, summed.
    overlap: usize,
    facet_kinds_agree: usize,
    facet_kinds: usize,
    problems: Vec<String>,
}

fn overlap(a: &[i64], b: &[i64]) -> usize {
    a.iter().filter(|id| b.contains(id)).count()
}

async fn check(
    shape: &Shape,
    index: &SearchIndex,
    conn: &mut PgConnection,
    works: usize,
) -> Result<Agreement> {
    let mut agreement = Agreement::default();
    for query in &shape.queries {
        let q = quire_answer(index, &query.quire)
            .with_context(|| format!("quire, shape {} {}", shape.key, query.label))?;
        let p = pg::answer(conn, &query.pg)
            .await
            .with_context(|| format!("PostgreSQL, shape {} {}", shape.key, query.label))?;
        agreement.queries += 1;
        agreement.quire_totals += q.total;
        agreement.pg_totals += p.total;
        match &query.truth {
            Some(truth) => {
                let mut wrong = Vec::new();
                if q.total != truth.total || q.ids != truth.top {
                    wrong.push(format!(
                        "quire total {} ({} of 20 ids right, in order: {})",
                        q.total,
                        overlap(&q.ids, &truth.top),
                        q.ids == truth.top
                    ));
                }
                if p.total != truth.total || p.ids != truth.top {
                    wrong.push(format!(
                        "PostgreSQL total {} ({} of 20 ids right, in order: {})",
                        p.total,
                        overlap(&p.ids, &truth.top),
                        p.ids == truth.top
                    ));
                }
                if wrong.is_empty() {
                    agreement.agree += 1;
                } else {
                    agreement.problems.push(format!(
                        "shape {} {}: the corpus holds {} works: {}",
                        shape.key,
                        query.label,
                        truth.total,
                        wrong.join("; ")
                    ));
                }
            }
            None => {
                agreement.overlap += overlap(&q.ids, &p.ids);
                eprintln!(
                    "  shape {} {}: quire {} works ({:.2} %), PostgreSQL {} ({:.2} %), {} of the top 20 in both",
                    shape.key,
                    query.label,
                    q.total,
                    100.0 * q.total as f64 / works.max(1) as f64,
                    p.total,
                    100.0 * p.total as f64 / works.max(1) as f64,
                    overlap(&q.ids, &p.ids)
                );
                if q.total == p.total {
                    agreement.agree += 1;
                }
            }
        }
        if query.quire.facets {
            for kind in TagKind::ALL {
                let code = kind.code();
                let counts = |a: &Answer| -> Vec<u64> {
                    a.facets
                        .get(code)
                        .map(|l| l.iter().map(|(_, n)| *n).collect())
                        .unwrap_or_default()
                };
                agreement.facet_kinds += 1;
                if counts(&q) == counts(&p) {
                    agreement.facet_kinds_agree += 1;
                } else if q.total == p.total {
                    agreement.problems.push(format!(
                        "shape {} {}: the same {} works, but {code} facets differ: quire {:?}, PostgreSQL {:?}",
                        shape.key,
                        query.label,
                        q.total,
                        q.facets.get(code),
                        p.facets.get(code)
                    ));
                }
            }
        }
    }
    Ok(agreement)
}

async fn measure(
    shape: &Shape,
    index: &SearchIndex,
    conn: &mut PgConnection,
    runs: usize,
) -> Result<(Latency, Latency)> {
    let mut quire = Vec::with_capacity(runs);
    for n in 0..runs {
        let query = &shape.queries[n % shape.queries.len()];
        let t = Instant::now();
        let results = index.search(&query.quire, false)?;
        black_box(&results);
        quire.push(t.elapsed());
    }
    let mut postgres = Vec::with_capacity(runs);
    for n in 0..runs {
        let query = &shape.queries[n % shape.queries.len()];
        let t = Instant::now();
        let answer = pg::answer(conn, &query.pg).await?;
        black_box(&answer);
        postgres.push(t.elapsed());
    }
    Ok((latency(quire), latency(postgres)))
}

fn sqlite_size(dir: &Path) -> u64 {
    ["quire.sqlite", "quire.sqlite-wal", "quire.sqlite-shm"]
        .iter()
        .map(|f| system::dir_size(&dir.join(f)))
        .sum()
}

fn ratio(pg: Duration, quire: Duration) -> f64 {
    pg.as_secs_f64() / quire.as_secs_f64().max(1e-9)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.works < 100 {
        bail!("--works must be at least 100");
    }
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    if !(args.word_scale > 0.0 && args.word_scale <= 1.0) {
        bail!("--word-scale must be more than 0 and at most 1");
    }
    let dir = args.dir.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "target/search-bench/w{}-s{}-x{}",
            args.works, args.seed, args.word_scale
        ))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let state_path = dir.join("state.json");
    let meta_path = dir.join("corpus-meta.json");
    let quire_dir = dir.join("quire");
    eprintln!("search-bench: work directory {}", dir.display());

    // --- quire ---
    let previous: Option<State> = if state_path.exists() {
        Some(read_json(&state_path)?)
    } else {
        None
    };
    if let Some(state) = &previous {
        if state.works != args.works
            || state.seed != args.seed
            || state.word_scale != args.word_scale
        {
            bail!(
                "{} holds a build of {} works, seed {}, word scale {}: give another --dir or remove it",
                dir.display(),
                state.works,
                state.seed,
                state.word_scale
            );
        }
    }
    let reused = previous.is_some() && quire_dir.exists() && meta_path.exists();
    let (state, meta, archive, index) = if reused {
        let Some(state) = previous else {
            bail!("the work directory's state vanished");
        };
        eprintln!(
            "quire: reusing the archive and index in {}",
            quire_dir.display()
        );
        let mut meta: Meta = read_json(&meta_path)?;
        meta.reindex();
        let archive = Archive::open_data_dir(&quire_dir)
            .await
            .context("opening quire's archive")?;
        let (index, rebuilt) = quire_side::index(&archive, &quire_dir, false).await?;
        let mut state = state;
        if let Some(took) = rebuilt {
            state.index_secs = took.as_secs_f64();
            write_json(&state_path, &state)?;
        }
        (state, meta, archive, index)
    } else {
        if quire_dir.exists() {
            std::fs::remove_dir_all(&quire_dir)
                .with_context(|| format!("removing the unfinished {}", quire_dir.display()))?;
        }
        std::fs::create_dir_all(&quire_dir)?;
        eprintln!(
            "quire: importing {} generated works into {}",
            args.works,
            quire_dir.display()
        );
        let archive = Archive::open_data_dir(&quire_dir)
            .await
            .context("opening quire's archive")?;
        let run = quire_side::import(&archive, args.works, args.seed, args.word_scale).await?;
        let params = meta::choose(&run.meta, &run.tokens, args.word_scale)?;
        write_json(&meta_path, &run.meta)?;
        let (index, took) = quire_side::index(&archive, &quire_dir, true).await?;
        let token = format!(
            "{}-{}-{}-{}",
            args.works,
            args.seed,
            args.word_scale,
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let state = State {
            works: args.works,
            seed: args.seed,
            word_scale: args.word_scale,
            token,
            generate_secs: run.generate.as_secs_f64(),
            import_secs: run.import.as_secs_f64(),
            index_secs: took.unwrap_or_default().as_secs_f64(),
            params,
        };
        write_json(&state_path, &state)?;
        (state, run.meta, archive, index)
    };
    if meta.works.len() != args.works {
        bail!(
            "{} records {} works, not {}: remove {} and run again",
            meta_path.display(),
            meta.works.len(),
            args.works,
            dir.display()
        );
    }
    let rss_quire = system::rss();

    // --- PostgreSQL ---
    let mut conn = pg::connect(&args.postgres).await?;
    let pg_build = match pg::existing(&mut conn, &state.token).await? {
        Some(build) => {
            eprintln!("postgres: reusing the table in {}", pg::DATABASE);
            build
        }
        None => {
            eprintln!(
                "postgres: loading {} works into {}",
                args.works,
                pg::DATABASE
            );
            pg::build(&mut conn, &state.token, &meta, args.seed, args.word_scale).await?
        }
    };
    let pg_sizes = pg::sizes(&mut conn).await?;
    let pg_server = pg::server(&mut conn).await?;
    pg::prepare_session(&mut conn).await?;

    // --- the queries, checked ---
    let shapes = shapes(&state.params, &meta);
    let mut words: Vec<u64> = meta.works.iter().map(|w| w.words).collect();
    words.sort_unstable();
    let total_words: u64 = words.iter().sum();
    let median_words = words.get(words.len() / 2).copied().unwrap_or(0);
    drop(words);
    // The scan's answers are computed; the process keeps no more of the
    // corpus than a server would while it is measured.
    drop(meta);

    eprintln!("checking that both sides answer alike");
    let mut agreements = Vec::new();
    for shape in &shapes {
        let agreement = check(shape, &index, &mut conn, args.works).await?;
        for problem in &agreement.problems {
            eprintln!("  DISAGREE {problem}");
        }
        agreements.push(agreement);
    }
    if args.explain {
        for shape in &shapes {
            if let Some(query) = shape.queries.first() {
                eprintln!(
                    "--- shape {} {}: PostgreSQL plan\n{}",
                    shape.key,
                    query.label,
                    pg::explain(&mut conn, &query.pg).await?
                );
            }
        }
    }

    let probed = if args.probe {
        eprintln!("probing quire's index with tantivy directly");
        let lines = probe::run(&archive, &quire_dir, &state.params, args.runs.min(40)).await?;
        for line in &lines {
            eprintln!("  {line}");
        }
        lines
    } else {
        Vec::new()
    };

    eprintln!("warming up");
    for _ in 0..2 {
        for shape in &shapes {
            for query in &shape.queries {
                black_box(index.search(&query.quire, false)?);
                black_box(pg::answer(&mut conn, &query.pg).await?);
            }
        }
    }
    let mut timings = Vec::new();
    for shape in &shapes {
        eprintln!("measuring shape {} ({} runs a side)", shape.key, args.runs);
        timings.push(measure(shape, &index, &mut conn, args.runs).await?);
    }
    let rss_end = system::rss();

    // --- the report ---
    let (cpu, cores) = system::machine();
    let memory = system::memory_total().map_or(String::new(), |m| format!(", {}", system::mib(m)));
    let index_size = system::dir_size(&quire_dir.join("index"));
    let sqlite = sqlite_size(&quire_dir);
    let n = args.works as f64;
    println!("## search: quire (tantivy, in process) vs PostgreSQL full-text search\n");
    println!(
        "- Machine: {cpu}, {cores} cores{memory}. Date: {} (UTC).",
        system::today()
    );
    println!(
        "- Corpus: {} works (`quire_archive::corpus::generate_scaled`, seed {}). Every text is scaled to \
         {:.0} % of its generated length (`--word-scale {}`) so {} works fit this machine: titles, tags, \
         dates and counts are the full corpus's; {} words of chapter text in all, median {} words a work \
         (quire's count).",
        args.works,
        args.seed,
        args.word_scale * 100.0,
        args.word_scale,
        args.works,
        total_words,
        median_words
    );
    println!(
        "- {pg_server}; the measuring session: {}.",
        pg::SESSION_SETTINGS
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "- {} timed queries per shape and side, one at a time on one thread, after a check pass and two \
         warm-up rounds; each shape cycles through {} parameters taken from the corpus, the same list for \
         both. Latency is wall-clock time for the total and the first page of 20 ids (and facets): quire's \
         `SearchIndex::search(…, signed_in = false)`, which also reads each hit's stored summary; \
         PostgreSQL's page and `count(*)` statements (and the facet statement), prepared, over one connection.",
        args.runs,
        shapes.first().map_or(0, |s| s.queries.len())
    );
    if reused {
        println!("- Build figures are from the run that built the work directory; this run only measured.");
    }
    println!();
    println!("| build | time | on disk |");
    println!("|---|---:|---:|");
    println!(
        "| quire import: `prepare_lines` + `Archive::import_batch` ({} a batch) into SQLite | {} ({:.0} works/s) | {} |",
        quire_side::BATCH,
        system::seconds(Duration::from_secs_f64(state.import_secs)),
        n / state.import_secs.max(1e-9),
        system::mib(sqlite)
    );
    let segments = quire_side::segments(&quire_dir).unwrap_or_default();
    println!(
        "| quire index: `SearchIndex::rebuild` | {} ({:.0} works/s) | {} in {} segments |",
        system::seconds(Duration::from_secs_f64(state.index_secs)),
        n / state.index_secs.max(1e-9),
        system::mib(index_size),
        segments.len()
    );
    println!(
        "| PostgreSQL load: COPY (tsvector computed as rows arrive) | {} ({:.0} works/s) | table {}, TOAST {} |",
        system::seconds(pg_build.copy),
        pg_build.rows as f64 / pg_build.copy.as_secs_f64().max(1e-9),
        system::mib(pg_sizes.table),
        system::mib(pg_sizes.toast)
    );
    println!(
        "| PostgreSQL indexes (GIN tsv, GIN tags, btree kudos/updated/words) + VACUUM ANALYZE | {} + {} | indexes {}, in all {} |",
        system::seconds(pg_build.index),
        system::seconds(pg_build.vacuum),
        system::mib(pg_sizes.indexes),
        system::mib(pg_sizes.total)
    );
    println!();
    println!(
        "Process memory: VmRSS {} with quire's index open (before PostgreSQL), {} after all queries; \
         VmHWM (peak, build included) {}.",
        system::mib(rss_quire.now),
        system::mib(rss_end.now),
        system::mib(rss_end.peak)
    );
    println!();
    println!("| shape | quire p50 | quire p99 | quire mean | PG p50 | PG p99 | PG mean | PG/quire p50 | PG/quire p99 | quire p99 ≤ 10 ms | quire ≥ 10× PG (p50, p99) | answers |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|:-:|:-:|---|");
    for ((shape, (q, p)), agreement) in shapes.iter().zip(&timings).zip(&agreements) {
        let r50 = ratio(p.p50, q.p50);
        let r99 = ratio(p.p99, q.p99);
        let yes = |b: bool| if b { "yes" } else { "no" };
        let answers = if shape.text {
            let mut s = format!(
                "totals equal {}/{}; avg {:.0} vs {:.0} works; top-20 overlap {:.1}/20",
                agreement.agree,
                agreement.queries,
                agreement.quire_totals as f64 / agreement.queries.max(1) as f64,
                agreement.pg_totals as f64 / agreement.queries.max(1) as f64,
                agreement.overlap as f64 / agreement.queries.max(1) as f64
            );
            if agreement.facet_kinds > 0 {
                s.push_str(&format!(
                    "; facet counts equal {}/{} kinds",
                    agreement.facet_kinds_agree, agreement.facet_kinds
                ));
            }
            s
        } else {
            format!(
                "{}/{} match the scan; avg {:.0} works",
                agreement.agree,
                agreement.queries,
                agreement.quire_totals as f64 / agreement.queries.max(1) as f64
            )
        };
        println!(
            "| {}. {} | {} | {} | {} | {} | {} | {} | {:.1}× | {:.1}× | {} | {}, {} | {} |",
            shape.key,
            shape.what,
            system::millis(q.p50),
            system::millis(q.p99),
            system::millis(q.mean),
            system::millis(p.p50),
            system::millis(p.p99),
            system::millis(p.mean),
            r50,
            r99,
            yes(q.p99 <= Duration::from_millis(10)),
            yes(r50 >= 10.0),
            yes(r99 >= 10.0),
            answers
        );
    }
    println!();
    println!("Parameters (cycled through in order):");
    let list = |items: Vec<String>| items.join(", ");
    println!(
        "- a, f: {}",
        list(
            state
                .params
                .words
                .iter()
                .map(|(w, share)| format!(
                    "`{w}` ({:.2} % of works name it outside the text)",
                    share * 100.0
                ))
                .collect()
        )
    );
    println!(
        "- b, c: {}",
        list(
            state
                .params
                .fandoms
                .iter()
                .map(|(f, n)| format!("`{f}` ({n})"))
                .collect()
        )
    );
    println!(
        "- d: {}",
        list(
            state
                .params
                .triples
                .iter()
                .map(|([f, c, ff], n)| format!("`{f}` + `{c}` + `{ff}` ({n})"))
                .collect()
        )
    );
    println!(
        "- e: {} words (quire's count), complete only",
        list(
            state
                .params
                .ranges
                .iter()
                .map(|(a, b)| format!("{a}–{b}"))
                .collect()
        )
    );
    if !probed.is_empty() {
        println!();
        println!(
            "Where quire's time goes (`--probe`: tantivy directly on the same index, medians):"
        );
        for line in &probed {
            println!("- {line}");
        }
    }
    let problems: Vec<&String> = agreements.iter().flat_map(|a| &a.problems).collect();
    if !problems.is_empty() {
        println!();
        println!("Disagreements:");
        for problem in problems {
            println!("- {problem}");
        }
    }
    archive.close().await;
    Ok(())
}
