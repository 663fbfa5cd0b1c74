//! `--probe`: where quire's time goes in its slow shapes, measured on the
//! same index with tantivy directly (the queries rebuilt as
//! `search::query::build` builds them, and variants of them).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use quire_archive::model::{ArchiveWarning, TagKind};
use quire_archive::search::schema::{analyzer, words_of, ANALYZER};
use quire_archive::Archive;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, Order, Searcher, Term};

use crate::meta::Params;
use crate::system::millis;

const TEXT_FIELDS: [&str; 6] = ["title", "summary", "notes", "tag", "author", "body"];

fn field(index: &Index, name: &str) -> Result<Field> {
    index
        .schema()
        .get_field(name)
        .map_err(|e| anyhow!("the index has no field `{name}`: {e}"))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Times `run` over `items`, `runs` times in all, after one untimed round.
fn time<T>(
    items: &[T],
    runs: usize,
    mut run: impl FnMut(&T) -> Result<usize>,
) -> Result<(Duration, usize)> {
    let mut found = 0;
    for item in items {
        found += run(item)?;
    }
    let mut times = Vec::with_capacity(runs);
    for n in 0..runs {
        let t = Instant::now();
        run(&items[n % items.len()])?;
        times.push(t.elapsed());
    }
    Ok((median(times), found))
}

fn tag_ids(tags: &[u64], field: Field) -> impl Iterator<Item = Term> + '_ {
    tags.iter().map(move |&t| Term::from_field_u64(field, t))
}

async fn tag_id(archive: &Archive, kind: TagKind, name: &str) -> Result<u64> {
    let info = archive
        .tag(kind, name)
        .await?
        .ok_or_else(|| anyhow!("no {} tag `{name}`", kind.code()))?;
    Ok(u64::try_from(info.id)?)
}

/// Tag filters as quire builds them (a `TermSetQuery` for each tag, an
/// `AllQuery` when there is no text) or as plain `TermQuery`s.
fn filters(
    searcher_fields: &Fields,
    all: &[u64],
    none: &[u64],
    term_set: bool,
    with_all_query: bool,
) -> Box<dyn Query> {
    let one = |tag: u64| -> Box<dyn Query> {
        if term_set {
            Box::new(TermSetQuery::new(tag_ids(&[tag], searcher_fields.tag_id)))
        } else {
            Box::new(TermQuery::new(
                Term::from_field_u64(searcher_fields.tag_id, tag),
                IndexRecordOption::Basic,
            ))
        }
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if with_all_query {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    clauses.push((
        Occur::MustNot,
        Box::new(TermQuery::new(
            Term::from_field_u64(searcher_fields.restricted, 1),
            IndexRecordOption::Basic,
        )),
    ));
    for &tag in all {
        clauses.push((Occur::Must, one(tag)));
    }
    for &tag in none {
        clauses.push((Occur::MustNot, one(tag)));
    }
    Box::new(BooleanQuery::new(clauses))
}

struct Fields {
    tag_id: Field,
    restricted: Field,
    text: Vec<Field>,
}

fn text_query(fields: &Fields, word: &str) -> Box<dyn Query> {
    let words = words_of(word);
    let Some(word) = words.first() else {
        return Box::new(EmptyQuery);
    };
    Box::new(BooleanQuery::new(
        fields
            .text
            .iter()
            .map(|&f| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f, word),
                        IndexRecordOption::WithFreqs,
                    )),
                )
            })
            .collect(),
    ))
}

fn facet_collector() -> FacetCollector {
    let mut facets = FacetCollector::for_field("facet");
    for kind in TagKind::ALL {
        facets.add_facet(format!("/{}", kind.code()).as_str());
    }
    facets
}

fn sorted_page(searcher: &Searcher, query: &dyn Query, sort: &str) -> Result<usize> {
    let top = TopDocs::with_limit(20).order_by_fast_field::<u64>(sort, Order::Desc);
    let (_, total) = searcher.search(query, &(top, Count))?;
    Ok(total)
}

pub async fn run(
    archive: &Archive,
    data_dir: &Path,
    params: &Params,
    runs: usize,
) -> Result<Vec<String>> {
    let index_dir = data_dir.join("index");
    let generation = std::fs::read_to_string(index_dir.join("CURRENT"))
        .context("reading the index's CURRENT")?;
    let index = Index::open_in_dir(index_dir.join(format!("gen-{}", generation.trim())))?;
    index.tokenizers().register(ANALYZER, analyzer());
    let searcher = index.reader()?.searcher();
    let fields = Fields {
        tag_id: field(&index, "tag_id")?,
        restricted: field(&index, "restricted")?,
        text: TEXT_FIELDS
            .iter()
            .map(|f| field(&index, f))
            .collect::<Result<_>>()?,
    };
    let mut lines = Vec::new();
    let facet_terms: Vec<usize> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.facet_reader("facet").map(|f| f.facet_dict().num_terms()))
        .collect::<Result<_, _>>()?;
    lines.push(format!(
        "{} segments; distinct facets (tags) per segment: {:?}",
        facet_terms.len(),
        facet_terms
    ));

    // Facets: the cost with no match at all is the walk over each
    // segment's whole facet dictionary that FacetCollector::for_segment makes.
    let words: Vec<String> = params.words.iter().map(|(w, _)| w.clone()).collect();
    let (empty, _) = time(&[()], runs, |_| {
        searcher.search(&EmptyQuery, &facet_collector())?;
        Ok(0)
    })?;
    let (count, _) = time(&words, runs, |w| {
        Ok(searcher.search(&*text_query(&fields, w), &Count)?)
    })?;
    let (facets, _) = time(&words, runs, |w| {
        searcher.search(&*text_query(&fields, w), &facet_collector())?;
        Ok(0)
    })?;
    lines.push(format!(
        "shape f: text query + Count {}; + FacetCollector (7 kinds) {}; FacetCollector over no match at all {} (medians)",
        millis(count),
        millis(facets),
        millis(empty)
    ));

    // Tag filters: TermSetQuery (bitset of every posting) vs TermQuery.
    let mut triples = Vec::new();
    for ([fandom, character, freeform], _) in &params.triples {
        triples.push(vec![
            tag_id(archive, TagKind::Fandom, fandom).await?,
            tag_id(archive, TagKind::Character, character).await?,
            tag_id(archive, TagKind::Freeform, freeform).await?,
        ]);
    }
    let mut fandoms = Vec::new();
    for (fandom, _) in &params.fandoms {
        fandoms.push(vec![tag_id(archive, TagKind::Fandom, fandom).await?]);
    }
    let mut excluded = Vec::new();
    for warning in [
        ArchiveWarning::GraphicViolence,
        ArchiveWarning::MajorCharacterDeath,
    ] {
        excluded.push(tag_id(archive, TagKind::ArchiveWarning, warning.name()).await?);
    }
    for (shape, list, none, sort) in [
        ('b', &fandoms, &[][..], "sort_updated"),
        ('c', &fandoms, &excluded[..], "sort_kudos"),
        ('d', &triples, &[][..], "sort_updated"),
    ] {
        let mut cells = Vec::new();
        let mut totals = Vec::new();
        for (label, term_set, all_query) in [
            (
                "as quire builds it (TermSetQuery per tag + AllQuery)",
                true,
                true,
            ),
            ("TermQuery per tag + AllQuery", false, true),
            ("TermQuery per tag, no AllQuery", false, false),
        ] {
            let (took, found) = time(list, runs, |tags| {
                sorted_page(
                    &searcher,
                    &*filters(&fields, tags, none, term_set, all_query),
                    sort,
                )
            })?;
            totals.push(found);
            cells.push(format!("{label} {}", millis(took)));
        }
        let same = totals.windows(2).all(|w| w[0] == w[1]);
        lines.push(format!(
            "shape {shape} (page + Count, no stored-summary reads): {}{}",
            cells.join("; "),
            if same {
                ""
            } else {
                " (the variants found different totals!)"
            }
        ));
    }
    Ok(lines)
}
