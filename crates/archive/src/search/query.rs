//! What a reader asks for: free text, AO3's filters, a sort and a page.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::graph::TagGraph;
use super::schema::{stemmed_query_terms, words_of, Fields, TextField};
use crate::model::{ArchiveWarning, Category, Rating, TagKind, WorkType};

/// Results per page unless the reader asks for another number.
pub const DEFAULT_PER_PAGE: usize = 20;
pub const MAX_PER_PAGE: usize = 100;
/// As on AO3, results go no deeper than this many pages.
pub const MAX_PAGE: usize = 5_000;
/// Words and phrases one search looks for at most. A lone word is looked
/// for by its stem in every language with a stemmer, so a pasted chapter
/// would be thousands of queries; a quotation in quotes is one phrase.
pub const MAX_TEXT_CLAUSES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Relevance to the text; without text, the same as `Updated`.
    #[default]
    BestMatch,
    Updated,
    Posted,
    Kudos,
    Hits,
    Bookmarks,
    Comments,
    Words,
    Title,
    Author,
}

impl Sort {
    pub const ALL: [Sort; 10] = [
        Sort::BestMatch,
        Sort::Updated,
        Sort::Posted,
        Sort::Kudos,
        Sort::Hits,
        Sort::Bookmarks,
        Sort::Comments,
        Sort::Words,
        Sort::Title,
        Sort::Author,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Sort::BestMatch => "best",
            Sort::Updated => "updated",
            Sort::Posted => "posted",
            Sort::Kudos => "kudos",
            Sort::Hits => "hits",
            Sort::Bookmarks => "bookmarks",
            Sort::Comments => "comments",
            Sort::Words => "words",
            Sort::Title => "title",
            Sort::Author => "author",
        }
    }

    pub fn from_name(name: &str) -> Option<Sort> {
        let name = name.trim().to_ascii_lowercase();
        Sort::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .or(match name.as_str() {
                "best_match" | "relevance" => Some(Sort::BestMatch),
                "revised_at" | "date_updated" => Some(Sort::Updated),
                "created_at" | "date_posted" => Some(Sort::Posted),
                "kudos_count" => Some(Sort::Kudos),
                "word_count" => Some(Sort::Words),
                _ => None,
            })
    }

    /// Numbers and dates biggest first, names A to Z, as AO3 sorts.
    pub fn default_direction(self) -> Direction {
        match self {
            Sort::Title | Sort::Author => Direction::Ascending,
            _ => Direction::Descending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crossovers {
    #[default]
    Include,
    Exclude,
    Only,
}

/// `complete` on AO3's filter form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Completion {
    #[default]
    Any,
    CompleteOnly,
    InProgressOnly,
}

/// A search, as a reader composes it on AO3's filter form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRequest {
    /// Free text: words, `"phrases"`, `-excluded`, `title:`, `author:`, `tag:`.
    pub text: String,
    /// Tags that must all be there (any kind, by name; wrangling applies).
    pub include: Vec<String>,
    /// Tags none of which may be there.
    pub exclude: Vec<String>,
    /// Any of these ratings (empty: all).
    pub ratings: Vec<Rating>,
    /// None of these ratings (a reader's mute list).
    pub ratings_exclude: Vec<Rating>,
    /// Works credited to any of these pseuds (an author's page).
    pub authors: Vec<String>,
    /// Works credited to none of these pseuds (a reader's mute list).
    pub authors_exclude: Vec<String>,
    /// Content notes (`violence`, `child-harm`) that the text itself must
    /// not suggest, whatever the author tagged.
    pub detected_exclude: Vec<String>,
    pub warnings_include: Vec<ArchiveWarning>,
    pub warnings_exclude: Vec<ArchiveWarning>,
    pub categories_include: Vec<Category>,
    pub categories_exclude: Vec<Category>,
    /// Fandoms that must all be there.
    pub fandoms: Vec<String>,
    pub completion: Completion,
    pub crossovers: Crossovers,
    pub single_chapter: bool,
    /// A language code such as `en`.
    pub language: Option<String>,
    /// Works of any of these types (empty: all).
    pub types: Vec<WorkType>,
    /// Works of none of these types.
    pub types_exclude: Vec<WorkType>,
    pub words_from: Option<u64>,
    pub words_to: Option<u64>,
    /// Unix seconds, inclusive.
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
    pub sort: Sort,
    /// `None`: the sort's own default.
    pub direction: Option<Direction>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
    /// Count the most common tags of each kind in the results.
    pub facets: bool,
}

impl SearchRequest {
    pub fn new() -> SearchRequest {
        SearchRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..SearchRequest::default()
        }
    }
}

/// One part of the free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextClause {
    pub negated: bool,
    /// `None`: any of the text fields.
    pub field: Option<TextField>,
    /// The words, as the index sees them; more than one is a phrase.
    pub words: Vec<String>,
    /// A lone word's stem in each language with a stemmer (`fr:chant`),
    /// looked for in works in that language when no field is named.
    pub stemmed: Vec<String>,
}

/// Reads free text the way readers write it: `"a phrase"`, `-word`,
/// `-"a phrase"`, `title:word`, `author:"two words"`; anything else is a
/// word to find (so `Spider-Man: Homecoming` is two plain words, not a
/// field). Each word or phrase must be somewhere in the work.
pub fn parse_text(text: &str) -> Vec<TextClause> {
    let mut clauses = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let mut negated = false;
        if let Some(after) = rest.strip_prefix('-') {
            negated = true;
            rest = after;
        }
        let mut field = None;
        if let Some(colon) = rest.find(':') {
            let prefix = &rest[..colon];
            if !prefix.contains(char::is_whitespace) && !prefix.contains('"') {
                if let Some(named) = TextField::from_prefix(prefix) {
                    field = Some(named);
                    rest = &rest[colon + 1..];
                }
            }
        }
        let raw;
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            raw = &after[..end];
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            raw = &rest[..end];
            rest = &rest[end..];
        }
        let words = words_of(raw);
        if !words.is_empty() {
            let stemmed = if field.is_none() {
                stemmed_query_terms(raw)
            } else {
                Vec::new()
            };
            clauses.push(TextClause {
                negated,
                field,
                words,
                stemmed,
            });
        }
        rest = rest.trim_start();
    }
    clauses
}

fn text_query(fields: &Fields, clause: &TextClause) -> Box<dyn Query> {
    let targets: Vec<TextField> = match clause.field {
        Some(field) => vec![field],
        None => TextField::ALL.to_vec(),
    };
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = targets
        .into_iter()
        .map(|target| {
            let field = fields.text(target);
            let terms: Vec<Term> = clause
                .words
                .iter()
                .map(|w| Term::from_field_text(field, w))
                .collect();
            let query: Box<dyn Query> = if terms.len() == 1 {
                Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(terms))
            };
            (Occur::Should, query)
        })
        .collect();
    for stem in &clause.stemmed {
        let term = Term::from_field_text(fields.stemmed, stem);
        per_field.push((
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
        ));
    }
    Box::new(BooleanQuery::new(per_field))
}

fn tag_query(fields: &Fields, tags: impl IntoIterator<Item = i64>) -> Box<dyn Query> {
    let mut terms: Vec<Term> = tags
        .into_iter()
        .map(|tag| Term::from_field_u64(fields.tag_id, u64::try_from(tag).unwrap_or(0)))
        .collect();
    // A lone tag (the usual unwrangled case) is a plain term: tantivy
    // intersects those several times faster than one-term sets.
    if terms.len() == 1 {
        if let Some(term) = terms.pop() {
            return Box::new(TermQuery::new(term, IndexRecordOption::Basic));
        }
    }
    Box::new(TermSetQuery::new(terms))
}

fn flag_query(field: Field, value: bool) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, u64::from(value)),
        IndexRecordOption::Basic,
    ))
}

fn range_query(field: Field, from: Option<u64>, to: Option<u64>) -> Option<Box<dyn Query>> {
    if from.is_none() && to.is_none() {
        return None;
    }
    let bound = |value: Option<u64>| match value {
        Some(v) => Bound::Included(Term::from_field_u64(field, v)),
        None => Bound::Unbounded,
    };
    Some(Box::new(RangeQuery::new(bound(from), bound(to))))
}

/// The tags a filter by name finds, whatever kind it is; empty when no tag
/// has that name.
fn filter_by_name(graph: &TagGraph, kind: Option<TagKind>, name: &str) -> Vec<i64> {
    graph
        .lookup(kind, name)
        .into_iter()
        .flat_map(|id| graph.filter_set(id))
        .collect()
}

/// Works credited to any of these pseud names, matched whole and without
/// regard to case, unlike `author:` in the text, which matches words.
fn author_query(fields: &Fields, names: &[String]) -> Box<dyn Query> {
    let terms: Vec<Term> = names
        .iter()
        .map(|name| Term::from_field_text(fields.author_key, &crate::model::tag_key(name)))
        .collect();
    Box::new(tantivy::query::TermSetQuery::new(terms))
}

/// The whole query: text, visibility and filters; the empty query when a
/// required tag doesn't exist, so nothing can match.
pub fn build(
    request: &SearchRequest,
    fields: &Fields,
    graph: &TagGraph,
    signed_in: bool,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for clause in parse_text(&request.text) {
        let occur = if clause.negated {
            Occur::MustNot
        } else {
            Occur::Must
        };
        clauses.push((occur, text_query(fields, &clause)));
    }
    if !signed_in {
        clauses.push((Occur::MustNot, flag_query(fields.restricted, true)));
    }

    let required = request
        .include
        .iter()
        .map(|name| (None, name.as_str()))
        .chain(
            request
                .fandoms
                .iter()
                .map(|n| (Some(TagKind::Fandom), n.as_str())),
        )
        .chain(
            request
                .warnings_include
                .iter()
                .map(|w| (Some(TagKind::ArchiveWarning), w.name())),
        )
        .chain(
            request
                .categories_include
                .iter()
                .map(|c| (Some(TagKind::Category), c.name())),
        );
    for (kind, name) in required {
        let tags = filter_by_name(graph, kind, name);
        if tags.is_empty() {
            return Box::new(EmptyQuery);
        }
        clauses.push((Occur::Must, tag_query(fields, tags)));
    }
    let excluded = request
        .exclude
        .iter()
        .map(|name| (None, name.as_str()))
        .chain(
            request
                .warnings_exclude
                .iter()
                .map(|w| (Some(TagKind::ArchiveWarning), w.name())),
        )
        .chain(
            request
                .categories_exclude
                .iter()
                .map(|c| (Some(TagKind::Category), c.name())),
        );
    for (kind, name) in excluded {
        let tags = filter_by_name(graph, kind, name);
        if !tags.is_empty() {
            clauses.push((Occur::MustNot, tag_query(fields, tags)));
        }
    }
    if !request.ratings.is_empty() {
        let tags: Vec<i64> = request
            .ratings
            .iter()
            .flat_map(|r| filter_by_name(graph, Some(TagKind::Rating), r.name()))
            .collect();
        if tags.is_empty() {
            return Box::new(EmptyQuery);
        }
        clauses.push((Occur::Must, tag_query(fields, tags)));
    }
    for rating in &request.ratings_exclude {
        let tags = filter_by_name(graph, Some(TagKind::Rating), rating.name());
        if !tags.is_empty() {
            clauses.push((Occur::MustNot, tag_query(fields, tags)));
        }
    }
    if !request.authors.is_empty() {
        clauses.push((Occur::Must, author_query(fields, &request.authors)));
    }
    for note in &request.detected_exclude {
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.detected, note.trim()),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if !request.authors_exclude.is_empty() {
        clauses.push((
            Occur::MustNot,
            author_query(fields, &request.authors_exclude),
        ));
    }
    match request.completion {
        Completion::Any => {}
        Completion::CompleteOnly => clauses.push((Occur::Must, flag_query(fields.complete, true))),
        Completion::InProgressOnly => {
            clauses.push((Occur::Must, flag_query(fields.complete, false)))
        }
    }
    match request.crossovers {
        Crossovers::Include => {}
        Crossovers::Exclude => clauses.push((Occur::MustNot, flag_query(fields.crossover, true))),
        Crossovers::Only => clauses.push((Occur::Must, flag_query(fields.crossover, true))),
    }
    if request.single_chapter {
        clauses.push((Occur::Must, flag_query(fields.single_chapter, true)));
    }
    if let Some(language) = &request.language {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.language, &language.trim().to_lowercase()),
                IndexRecordOption::Basic,
            )),
        ));
    }
    let type_term = |work_type: &WorkType| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(fields.work_type, work_type.name()),
            IndexRecordOption::Basic,
        ))
    };
    if !request.types.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = request
            .types
            .iter()
            .map(|t| (Occur::Should, type_term(t)))
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    for work_type in &request.types_exclude {
        clauses.push((Occur::MustNot, type_term(work_type)));
    }
    if let Some(range) = range_query(fields.words, request.words_from, request.words_to) {
        clauses.push((Occur::Must, range));
    }
    let seconds = |s: Option<i64>| s.map(|v| u64::try_from(v).unwrap_or(0));
    if let Some(range) = range_query(
        fields.updated,
        seconds(request.updated_from),
        seconds(request.updated_to),
    ) {
        clauses.push((Occur::Must, range));
    }
    // Only exclusions (or nothing at all): they exclude from everything.
    if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(negated: bool, field: Option<TextField>, words: &[&str]) -> TextClause {
        TextClause {
            negated,
            field,
            words: words.iter().map(|w| w.to_string()).collect(),
            stemmed: Vec::new(),
        }
    }

    /// The clauses without their stems in other languages, which
    /// `a_lone_word_is_also_looked_for_by_its_stem_in_each_language` checks.
    fn parse(text: &str) -> Vec<TextClause> {
        let mut clauses = parse_text(text);
        for clause in &mut clauses {
            clause.stemmed.clear();
        }
        clauses
    }

    #[test]
    fn a_lone_word_is_also_looked_for_by_its_stem_in_each_language() {
        let stems = |text: &str| -> Vec<Vec<String>> {
            parse_text(text).into_iter().map(|c| c.stemmed).collect()
        };
        let chanter = stems("Chanter");
        assert_eq!(chanter.len(), 1);
        assert!(chanter[0].contains(&"fr:chant".to_string()), "{chanter:?}");
        let hauser = stems("Häuser");
        assert_eq!(hauser.len(), 1);
        assert!(hauser[0].contains(&"de:haus".to_string()), "{hauser:?}");
        // Not in a phrase, a named field, or for a word in another script.
        assert_eq!(
            stems(r#""elles chantaient" title:chanter звёзды 森林"#),
            vec![Vec::<String>::new(); 4]
        );
    }

    #[test]
    fn free_text_reads_phrases_negations_and_fields() {
        assert_eq!(
            parse(r#"lantern "slow burn" -angst title:Tide author:"pell x" -tag:fluff"#),
            vec![
                clause(false, None, &["lantern"]),
                clause(false, None, &["slow", "burn"]),
                clause(true, None, &["angst"]),
                clause(false, Some(TextField::Title), &["tide"]),
                clause(false, Some(TextField::Author), &["pell", "x"]),
                clause(true, Some(TextField::Tag), &["fluff"]),
            ]
        );
    }

    #[test]
    fn what_is_not_a_field_is_text() {
        assert_eq!(
            parse("Spider-Man: Homecoming"),
            vec![
                clause(false, None, &["spider", "man"]),
                clause(false, None, &["homecom"]),
            ]
        );
        assert_eq!(parse_text(r#"-- "" ... "unclosed phrase"#).len(), 1);
        assert!(parse_text("   ").is_empty());
    }

    #[test]
    fn sorts_have_names() {
        for sort in Sort::ALL {
            assert_eq!(Sort::from_name(sort.name()), Some(sort));
        }
        assert_eq!(Sort::from_name("kudos_count"), Some(Sort::Kudos));
        assert_eq!(Sort::from_name("nonsense"), None);
    }
}
