//! The PostgreSQL side: one table of the same works (with the ids quire
//! gave them), a weighted `tsvector` PostgreSQL computes itself, GIN indexes
//! on it and on the tags, btree indexes for the sorts and the word range.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use quire_archive::corpus::{generate_scaled, GeneratedWork};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Row};

use crate::meta::Meta;
use crate::system::date_to_unix;
use crate::Answer;

/// The database the benchmark creates and uses.
pub const DATABASE: &str = "quire_search_bench";
/// Rows per COPY statement.
const COPY_ROWS: usize = 5_000;

/// Settings of the measuring session, said in the report: JIT compiles
/// plans of large estimated cost, which costs tens of milliseconds per
/// query and never pays off in queries this short.
pub const SESSION_SETTINGS: &[&str] = &["SET jit = off", "SET work_mem = '64MB'"];
/// For the index build only.
const BUILD_SETTINGS: &[&str] = &["SET maintenance_work_mem = '1GB'"];

const SCHEMA: &[&str] = &[
    "DROP TABLE IF EXISTS works, bench_build",
    // Tag names without their kind, for the text vector. Declared immutable
    // (it is) so a generated column may use it.
    "CREATE OR REPLACE FUNCTION bench_tag_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE \
     AS $$ SELECT coalesce(string_agg(substr(t, strpos(t, ':') + 1), ' '), '') FROM unnest($1) AS t $$",
    "CREATE OR REPLACE FUNCTION bench_join(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE \
     AS $$ SELECT coalesce(array_to_string($1, ' '), '') $$",
    "CREATE TABLE works (
        id bigint PRIMARY KEY,
        title text NOT NULL,
        summary text NOT NULL,
        body text NOT NULL,
        authors text[] NOT NULL,
        tags text[] NOT NULL,
        words integer NOT NULL,
        complete boolean NOT NULL,
        kudos bigint NOT NULL,
        hits bigint NOT NULL,
        updated timestamptz NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', bench_tag_text(tags)), 'B')
            || setweight(to_tsvector('english', summary), 'C')
            || setweight(to_tsvector('english', bench_join(authors)), 'C')
            || setweight(to_tsvector('english', body), 'D')
        ) STORED
    )",
];

const INDEXES: &[&str] = &[
    "CREATE INDEX works_tsv ON works USING gin (tsv)",
    "CREATE INDEX works_tags ON works USING gin (tags)",
    "CREATE INDEX works_kudos ON works (kudos, id)",
    "CREATE INDEX works_updated ON works (updated, id)",
    "CREATE INDEX works_words ON works (words)",
];

const COPY: &str = "COPY works (id, title, summary, body, authors, tags, words, complete, kudos, hits, updated) FROM STDIN";

/// How the PostgreSQL side was built.
#[derive(Debug, Clone, Copy)]
pub struct PgBuild {
    pub rows: u64,
    pub copy: Duration,
    pub index: Duration,
    pub vacuum: Duration,
}

#[derive(Debug, Clone)]
pub struct PgSizes {
    pub total: u64,
    pub table: u64,
    pub toast: u64,
    pub indexes: u64,
}

/// Connects to `url`'s server, creating the benchmark's database there if
/// it is missing.
pub async fn connect(url: &str) -> Result<PgConnection> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("`{url}` is not a PostgreSQL URL"))?
        .disable_statement_logging();
    let mut admin = PgConnection::connect_with(&options)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(DATABASE)
        .fetch_optional(&mut admin)
        .await?;
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
            .execute(&mut admin)
            .await
            .with_context(|| format!("creating the database {DATABASE}"))?;
    }
    admin.close().await?;
    PgConnection::connect_with(&options.database(DATABASE))
        .await
        .with_context(|| format!("connecting to the database {DATABASE}"))
}

/// The build already in the database, if it is of this very corpus and
/// quire archive (`token`).
pub async fn existing(conn: &mut PgConnection, token: &str) -> Result<Option<PgBuild>> {
    let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('bench_build')::text")
        .fetch_one(&mut *conn)
        .await?;
    if table.is_none() {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT rows, copy_secs, index_secs, vacuum_secs FROM bench_build WHERE token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let rows: i64 = row.try_get(0)?;
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM works")
        .fetch_one(&mut *conn)
        .await?;
    if present != rows {
        return Ok(None);
    }
    Ok(Some(PgBuild {
        rows: rows as u64,
        copy: Duration::from_secs_f64(row.try_get(1)?),
        index: Duration::from_secs_f64(row.try_get(2)?),
        vacuum: Duration::from_secs_f64(row.try_get(3)?),
    }))
}

/// COPY's text format: backslash, tab, newline and carriage return escaped.
fn copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

/// An array literal (every element quoted), then escaped for COPY.
fn copy_array<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    let mut literal = String::from("{");
    for (n, item) in items.into_iter().enumerate() {
        if n > 0 {
            literal.push(',');
        }
        literal.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                literal.push('\\');
            }
            literal.push(c);
        }
        literal.push('"');
    }
    literal.push('}');
    copy_text(out, &literal);
}

/// Chapter titles and texts, as quire's index reads a work's body.
fn body_of(work: &GeneratedWork) -> String {
    let mut body = String::new();
    for chapter in &work.chapters {
        for text in [chapter.title.as_str(), chapter.text.as_str()] {
            if text.is_empty() {
                continue;
            }
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(text);
        }
    }
    body
}

fn row(out: &mut String, work: &GeneratedWork, index: usize, meta: &Meta) -> Result<()> {
    let Some(stored) = meta.works.get(index) else {
        bail!("corpus work {index} is not in the import's record");
    };
    // The corpus is generated again here: it must be the one imported.
    if date_to_unix(&work.updated) != Some(stored.updated) || work.kudos != stored.kudos {
        bail!("corpus work {index} differs from the one imported: was --seed or --word-scale changed?");
    }
    out.push_str(&stored.id.to_string());
    out.push('\t');
    copy_text(out, &work.title);
    out.push('\t');
    copy_text(out, &work.summary);
    out.push('\t');
    copy_text(out, &body_of(work));
    out.push('\t');
    copy_array(out, work.authors.iter().map(String::as_str));
    out.push('\t');
    copy_array(out, meta.tag_names(stored));
    out.push('\t');
    out.push_str(&format!(
        "{}\t{}\t{}\t{}\t{} 00:00:00+00\n",
        stored.words,
        if stored.complete { 't' } else { 'f' },
        stored.kudos,
        work.hits,
        work.updated.trim(),
    ));
    Ok(())
}

/// Creates the table, loads the corpus with COPY and builds the indexes.
pub async fn build(
    conn: &mut PgConnection,
    token: &str,
    meta: &Meta,
    seed: u64,
    word_scale: f64,
) -> Result<PgBuild> {
    for statement in SCHEMA {
        sqlx::raw_sql(statement)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("creating the table: {statement}"))?;
    }
    let works = meta.works.len();
    let mut corpus = generate_scaled(works, seed, word_scale).enumerate();
    let mut copy = Duration::ZERO;
    let mut rows = 0u64;
    let mut next_report = works / 10;
    loop {
        let mut data = String::with_capacity(COPY_ROWS * 2_048);
        let mut in_chunk = 0;
        for (index, work) in corpus.by_ref().take(COPY_ROWS) {
            row(&mut data, &work, index, meta)?;
            in_chunk += 1;
        }
        if in_chunk == 0 {
            break;
        }
        let t = Instant::now();
        let mut copy_in = conn.copy_in_raw(COPY).await?;
        copy_in.send(data.as_bytes()).await?;
        rows += copy_in.finish().await.context("loading works with COPY")?;
        copy += t.elapsed();
        if rows as usize >= next_report {
            eprintln!(
                "  postgres: {rows}/{works} rows copied ({:.0} s in COPY)",
                copy.as_secs_f64()
            );
            next_report = rows as usize + works / 10;
        }
    }
    if rows as usize != works {
        bail!("COPY stored {rows} rows of {works} works");
    }
    for statement in BUILD_SETTINGS {
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
    }
    let t = Instant::now();
    for statement in INDEXES {
        eprintln!("  postgres: {statement}");
        sqlx::raw_sql(statement)
            .execute(&mut *conn)
            .await
            .with_context(|| statement.to_string())?;
    }
    let index = t.elapsed();
    eprintln!("  postgres: VACUUM ANALYZE works");
    let t = Instant::now();
    sqlx::raw_sql("VACUUM ANALYZE works")
        .execute(&mut *conn)
        .await?;
    let vacuum = t.elapsed();
    sqlx::raw_sql(
        "CREATE TABLE bench_build (token text PRIMARY KEY, rows bigint NOT NULL, \
         copy_secs float8 NOT NULL, index_secs float8 NOT NULL, vacuum_secs float8 NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO bench_build VALUES ($1, $2, $3, $4, $5)")
        .bind(token)
        .bind(rows as i64)
        .bind(copy.as_secs_f64())
        .bind(index.as_secs_f64())
        .bind(vacuum.as_secs_f64())
        .execute(&mut *conn)
        .await?;
    Ok(PgBuild {
        rows,
        copy,
        index,
        vacuum,
    })
}

pub async fn sizes(conn: &mut PgConnection) -> Result<PgSizes> {
    let row = sqlx::query(
        "SELECT pg_total_relation_size('works'), pg_relation_size('works'), \
         pg_indexes_size('works'), \
         coalesce(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0) \
         FROM pg_class WHERE oid = 'works'::regclass",
    )
    .fetch_one(&mut *conn)
    .await?;
    let get = |n: usize| -> Result<u64> { Ok(row.try_get::<i64, _>(n)?.max(0) as u64) };
    Ok(PgSizes {
        total: get(0)?,
        table: get(1)?,
        indexes: get(2)?,
        toast: get(3)?,
    })
}

/// The server's version and the settings that bear on the figures.
pub async fn server(conn: &mut PgConnection) -> Result<String> {
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut *conn)
        .await?;
    let mut parts = vec![format!("PostgreSQL {version}")];
    for setting in [
        "shared_buffers",
        "effective_cache_size",
        "max_parallel_workers_per_gather",
    ] {
        let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(&mut *conn)
            .await?;
        parts.push(format!("{setting} {value}"));
    }
    Ok(parts.join(", "))
}

pub async fn prepare_session(conn: &mut PgConnection) -> Result<()> {
    for statement in SESSION_SETTINGS {
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One search, as PostgreSQL is asked it.
#[derive(Debug, Clone)]
pub enum PgQuery {
    /// Best match first (`ts_rank`, then id); with facets if asked.
    Text { word: String, facets: bool },
    /// Works with all of `all` and none of `none`.
    Tags {
        all: Vec<String>,
        none: Vec<String>,
        by_kudos: bool,
    },
    /// Complete works of `from..=to` words, most kudos first.
    Words { from: i32, to: i32 },
}

const TEXT_PAGE: &str = "SELECT id FROM works, plainto_tsquery('english', $1) AS q \
     WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id DESC LIMIT 20";
const TEXT_COUNT: &str = "SELECT count(*) FROM works WHERE tsv @@ plainto_tsquery('english', $1)";
const TEXT_FACETS: &str = "SELECT kind, name, n FROM (
        SELECT split_part(t, ':', 1) AS kind, substr(t, strpos(t, ':') + 1) AS name, count(*) AS n,
               row_number() OVER (PARTITION BY split_part(t, ':', 1) ORDER BY count(*) DESC, t) AS r
        FROM works, unnest(tags) AS t
        WHERE tsv @@ plainto_tsquery('english', $1)
        GROUP BY t
    ) AS counted WHERE r <= 10 ORDER BY kind, n DESC, name";
const TAGS_PAGE_UPDATED: &str =
    "SELECT id FROM works WHERE tags @> $1 AND NOT tags && $2 ORDER BY updated DESC, id DESC LIMIT 20";
const TAGS_PAGE_KUDOS: &str =
    "SELECT id FROM works WHERE tags @> $1 AND NOT tags && $2 ORDER BY kudos DESC, id DESC LIMIT 20";
const TAGS_COUNT: &str = "SELECT count(*) FROM works WHERE tags @> $1 AND NOT tags && $2";
const WORDS_PAGE: &str = "SELECT id FROM works WHERE words BETWEEN $1 AND $2 AND complete \
     ORDER BY kudos DESC, id DESC LIMIT 20";
const WORDS_COUNT: &str = "SELECT count(*) FROM works WHERE words BETWEEN $1 AND $2 AND complete";

/// Runs one search: the page of 20 ids, the total and (if asked) facets.
pub async fn answer(conn: &mut PgConnection, query: &PgQuery) -> Result<Answer> {
    let mut facets = BTreeMap::new();
    let (ids, total): (Vec<i64>, i64) = match query {
        PgQuery::Text { word, facets: want } => {
            let ids = sqlx::query_scalar(TEXT_PAGE)
                .bind(word)
                .fetch_all(&mut *conn)
                .await?;
            let total = sqlx::query_scalar(TEXT_COUNT)
                .bind(word)
                .fetch_one(&mut *conn)
                .await?;
            if *want {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(TEXT_FACETS)
                    .bind(word)
                    .fetch_all(&mut *conn)
                    .await?;
                for (kind, name, n) in rows {
                    facets
                        .entry(kind)
                        .or_insert_with(Vec::new)
                        .push((name, n.max(0) as u64));
                }
            }
            (ids, total)
        }
        PgQuery::Tags {
            all,
            none,
            by_kudos,
        } => {
            let page = if *by_kudos {
                TAGS_PAGE_KUDOS
            } else {
                TAGS_PAGE_UPDATED
            };
            let ids = sqlx::query_scalar(page)
                .bind(all)
                .bind(none)
                .fetch_all(&mut *conn)
                .await?;
            let total = sqlx::query_scalar(TAGS_COUNT)
                .bind(all)
                .bind(none)
                .fetch_one(&mut *conn)
                .await?;
            (ids, total)
        }
        PgQuery::Words { from, to } => {
            let ids = sqlx::query_scalar(WORDS_PAGE)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *conn)
                .await?;
            let total = sqlx::query_scalar(WORDS_COUNT)
                .bind(from)
                .bind(to)
                .fetch_one(&mut *conn)
                .await?;
            (ids, total)
        }
    };
    Ok(Answer {
        total: total.max(0) as u64,
        ids,
        facets,
    })
}

/// `EXPLAIN ANALYZE` of a query's page statement, for the report's notes.
pub async fn explain(conn: &mut PgConnection, query: &PgQuery) -> Result<String> {
    let rows: Vec<String> = match query {
        PgQuery::Text { word, .. } => {
            sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {TEXT_PAGE}"))
                .bind(word)
                .fetch_all(&mut *conn)
                .await?
        }
        PgQuery::Tags {
            all,
            none,
            by_kudos,
        } => {
            let page = if *by_kudos {
                TAGS_PAGE_KUDOS
            } else {
                TAGS_PAGE_UPDATED
            };
            sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {page}"))
                .bind(all)
                .bind(none)
                .fetch_all(&mut *conn)
                .await?
        }
        PgQuery::Words { from, to } => {
            sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {WORDS_PAGE}"))
                .bind(from)
                .bind(to)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    Ok(rows.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_escapes_text_and_arrays() {
        let mut out = String::new();
        copy_text(&mut out, "a\tb\nc\\d");
        assert_eq!(out, "a\\tb\\nc\\\\d");
        let mut out = String::new();
        copy_array(&mut out, ["fandom:X \"Y\"", "a\\b"]);
        assert_eq!(out, "{\"fandom:X \\\\\"Y\\\\\"\",\"a\\\\\\\\b\"}");
        let mut out = String::new();
        copy_array(&mut out, []);
        assert_eq!(out, "{}");
    }
}
