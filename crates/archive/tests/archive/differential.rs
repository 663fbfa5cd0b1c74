//! The search index against brute force: a generated corpus of 20,000
//! works, wrangled a little (synonyms, meta-tags, a fandom family), then
//! 500 random searches. Each must return exactly the works — and for every
//! sort but best match, the order — that a plain scan over the generated
//! data finds, with facet counts that agree. One work in eight is written
//! in French, German, Russian, Chinese or Greek, in several forms of each
//! word, so that stemming in the work's language, pairs of characters and
//! the language facet are checked too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use quire_archive::corpus::{generate_scaled, GeneratedWork};
use quire_archive::model::{tag_key, ArchiveWarning, Category, Rating, TagKind};
use quire_archive::search::schema::{stemmed_words_of, words_of};
use quire_archive::search::{
    Completion, Crossovers, Direction, SearchIndex, SearchRequest, SearchResults, Sort,
};
use quire_archive::{import, Archive, Imported, WorkId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::backends;

const WORKS: usize = 20_000;
const SEARCHES: usize = 500;

/// A tag as the oracle knows it: kind and folded name.
type TagRef = (TagKind, String);

/// What the test did to the wrangling, in its own terms.
#[derive(Default)]
struct Wrangling {
    synonym_of: HashMap<TagRef, TagRef>,
    meta: HashMap<TagRef, Vec<TagRef>>,
}

impl Wrangling {
    fn root(&self, tag: &TagRef) -> TagRef {
        self.synonym_of
            .get(tag)
            .cloned()
            .unwrap_or_else(|| tag.clone())
    }

    /// Every filter that finds a work carrying `tag`.
    fn filters(&self, tag: &TagRef) -> BTreeSet<TagRef> {
        let mut found = BTreeSet::new();
        let mut frontier = vec![self.root(tag)];
        while let Some(current) = frontier.pop() {
            if found.insert(current.clone()) {
                frontier.extend(self.meta.get(&current).into_iter().flatten().cloned());
            }
        }
        found
    }

    fn tops(&self, tag: &TagRef) -> BTreeSet<TagRef> {
        self.filters(tag)
            .into_iter()
            .filter(|t| self.meta.get(t).is_none_or(Vec::is_empty))
            .collect()
    }
}

struct OracleWork {
    id: WorkId,
    /// Each text field's values, as words.
    fields: [Vec<Vec<String>>; 6],
    /// Its words stemmed in its own language (`fr:chant`), where it is
    /// written in a Latin-script language other than English.
    stemmed: BTreeSet<String>,
    /// Folded filters that find this work, by kind, with display names.
    filters: BTreeSet<TagRef>,
    crossover: bool,
    language: String,
    complete: bool,
    single_chapter: bool,
    words: u64,
    posted: i64,
    updated: i64,
    kudos: u64,
    hits: u64,
    title: String,
    author: String,
}

fn tags_of(work: &GeneratedWork) -> Vec<(TagKind, String)> {
    let mut tags = vec![(TagKind::Rating, work.rating.clone())];
    let groups = [
        (TagKind::ArchiveWarning, &work.warnings),
        (TagKind::Category, &work.categories),
        (TagKind::Fandom, &work.fandoms),
        (TagKind::Relationship, &work.relationships),
        (TagKind::Character, &work.characters),
        (TagKind::Freeform, &work.freeforms),
    ];
    for (kind, names) in groups {
        tags.extend(names.iter().map(|n| (kind, n.clone())));
    }
    tags
}

fn date(day: &str) -> i64 {
    quire_archive::date_to_unix(day).expect("generated dates are valid")
}

fn oracle(works: &[GeneratedWork], ids: &[WorkId], wrangling: &Wrangling) -> Vec<OracleWork> {
    works
        .iter()
        .zip(ids)
        .map(|(work, &id)| {
            let draft = work.draft().expect("generated works keep the rules");
            let tags = tags_of(work);
            let folded = |(kind, name): &(TagKind, String)| (*kind, tag_key(name));
            let filters: BTreeSet<TagRef> = tags
                .iter()
                .flat_map(|t| wrangling.filters(&folded(t)))
                .collect();
            let tops: BTreeSet<TagRef> = tags
                .iter()
                .filter(|(kind, _)| *kind == TagKind::Fandom)
                .flat_map(|t| wrangling.tops(&folded(t)))
                .collect();
            let body: String = work
                .chapters
                .iter()
                .flat_map(|c| [c.title.as_str(), c.text.as_str()])
                .collect::<Vec<_>>()
                .join("\n");
            let values = |texts: Vec<&str>| texts.into_iter().map(words_of).collect::<Vec<_>>();
            OracleWork {
                id,
                fields: [
                    values(vec![&work.title]),
                    values(vec![&work.summary]),
                    Vec::new(),
                    values(tags.iter().map(|(_, n)| n.as_str()).collect()),
                    values(work.authors.iter().map(String::as_str).collect()),
                    values(vec![&body]),
                ],
                stemmed: stemmed_words_of(
                    &work.language,
                    [work.title.as_str(), work.summary.as_str(), body.as_str()],
                )
                .into_iter()
                .collect(),
                filters,
                crossover: tops.len() > 1,
                language: work.language.to_lowercase(),
                complete: work.complete,
                single_chapter: work.chapters.len() == 1 && work.complete,
                words: draft.word_count() as u64,
                posted: date(&work.published),
                updated: date(&work.updated),
                kudos: work.kudos,
                hits: work.hits,
                title: work.title.trim().to_lowercase(),
                author: work.authors[0].trim().to_lowercase(),
            }
        })
        .collect()
}

fn contains_run(haystack: &[String], needle: &[String]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Brute force: the ids a request finds, in the request's order.
fn brute_force(
    works: &[OracleWork],
    request: &SearchRequest,
    known: &BTreeSet<TagRef>,
    wrangling: &Wrangling,
) -> Vec<WorkId> {
    let clauses = quire_archive::search::query::parse_text(&request.text);
    let field_index = |field: quire_archive::search::schema::TextField| {
        quire_archive::search::schema::TextField::ALL
            .iter()
            .position(|f| *f == field)
            .unwrap()
    };
    let exists_any_kind = |name: &str| -> Vec<TagRef> {
        TagKind::ALL
            .iter()
            .map(|k| (*k, tag_key(name)))
            .filter(|t| known.contains(t))
            .collect()
    };
    // A synonym's name finds what its canonical tag finds.
    let wanted = |work: &OracleWork, refs: &[TagRef]| {
        refs.iter()
            .any(|r| work.filters.contains(&wrangling.root(r)))
    };
    let mut found: Vec<&OracleWork> = works
        .iter()
        .filter(|work| {
            clauses.iter().all(|clause| {
                let fields: Vec<usize> = match clause.field {
                    Some(f) => vec![field_index(f)],
                    None => (0..6).collect(),
                };
                let hit = fields.iter().any(|&f| {
                    work.fields[f]
                        .iter()
                        .any(|value| contains_run(value, &clause.words))
                }) || clause
                    .stemmed
                    .iter()
                    .any(|stem| work.stemmed.contains(stem));
                hit != clause.negated
            })
        })
        .filter(|work| {
            request
                .include
                .iter()
                .all(|name| wanted(work, &exists_any_kind(name)))
                && request
                    .fandoms
                    .iter()
                    .all(|name| wanted(work, &[(TagKind::Fandom, tag_key(name))]))
                && request
                    .warnings_include
                    .iter()
                    .all(|w| wanted(work, &[(TagKind::ArchiveWarning, tag_key(w.name()))]))
                && request
                    .categories_include
                    .iter()
                    .all(|c| wanted(work, &[(TagKind::Category, tag_key(c.name()))]))
                && !request
                    .exclude
                    .iter()
                    .any(|name| wanted(work, &exists_any_kind(name)))
                && !request
                    .warnings_exclude
                    .iter()
                    .any(|w| wanted(work, &[(TagKind::ArchiveWarning, tag_key(w.name()))]))
                && !request
                    .categories_exclude
                    .iter()
                    .any(|c| wanted(work, &[(TagKind::Category, tag_key(c.name()))]))
                && (request.ratings.is_empty()
                    || request
                        .ratings
                        .iter()
                        .any(|r| wanted(work, &[(TagKind::Rating, tag_key(r.name()))])))
                && match request.completion {
                    Completion::Any => true,
                    Completion::CompleteOnly => work.complete,
                    Completion::InProgressOnly => !work.complete,
                }
                && match request.crossovers {
                    Crossovers::Include => true,
                    Crossovers::Exclude => !work.crossover,
                    Crossovers::Only => work.crossover,
                }
                && (!request.single_chapter || work.single_chapter)
                && request
                    .language
                    .as_ref()
                    .is_none_or(|l| l.trim().to_lowercase() == work.language)
                && request.words_from.is_none_or(|from| work.words >= from)
                && request.words_to.is_none_or(|to| work.words <= to)
                && request.updated_from.is_none_or(|from| work.updated >= from)
                && request.updated_to.is_none_or(|to| work.updated <= to)
        })
        .collect();
    let direction = request
        .direction
        .unwrap_or_else(|| request.sort.default_direction());
    let numeric = |work: &OracleWork| -> (u64, WorkId) {
        let value = match request.sort {
            Sort::Posted => work.posted as u64,
            Sort::Kudos => work.kudos,
            Sort::Hits => work.hits,
            Sort::Bookmarks | Sort::Comments => 0,
            Sort::Words => work.words,
            _ => work.updated as u64,
        };
        (value, work.id)
    };
    match request.sort {
        Sort::Title => found.sort_by(|a, b| (&a.title, a.id).cmp(&(&b.title, b.id))),
        Sort::Author => {
            found.sort_by(|a, b| (&a.author, &a.title, a.id).cmp(&(&b.author, &b.title, b.id)))
        }
        _ => found.sort_by_key(|w| numeric(w)),
    }
    if direction == Direction::Descending {
        found.reverse();
    }
    found.into_iter().map(|w| w.id).collect()
}

/// Does what the test's wrangling says, through the archive.
async fn wrangle(archive: &Archive, works: &[GeneratedWork]) -> Wrangling {
    let mut counts: BTreeMap<(TagKind, String), usize> = BTreeMap::new();
    for work in works {
        for tag in tags_of(work) {
            *counts.entry(tag).or_default() += 1;
        }
    }
    let popular = |kind: TagKind| -> Vec<String> {
        let mut named: Vec<(&(TagKind, String), &usize)> =
            counts.iter().filter(|((k, _), _)| *k == kind).collect();
        named.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        named.into_iter().map(|((_, n), _)| n.clone()).collect()
    };
    let fandoms = popular(TagKind::Fandom);
    let freeforms = popular(TagKind::Freeform);
    let characters = popular(TagKind::Character);
    let mut wrangling = Wrangling::default();
    let key = |kind: TagKind, name: &str| (kind, tag_key(name));

    // Synonyms: a small fandom into a big one, a freeform into another, a
    // character into another.
    for (kind, canonical, synonym) in [
        (TagKind::Fandom, &fandoms[1], &fandoms[40]),
        (TagKind::Freeform, &freeforms[0], &freeforms[7]),
        (TagKind::Character, &characters[2], &characters[30]),
    ] {
        archive.make_canonical(kind, canonical).await.unwrap();
        archive
            .merge_as_synonym(kind, synonym, canonical)
            .await
            .unwrap();
        wrangling
            .synonym_of
            .insert(key(kind, synonym), key(kind, canonical));
    }
    // Meta-tags: a freeform under another, two fandoms under a third (so a
    // work in both is no crossover), and a synonym's canonical under a meta.
    for (kind, meta, sub) in [
        (TagKind::Freeform, &freeforms[3], &freeforms[5]),
        (TagKind::Freeform, &freeforms[3], &freeforms[0]),
        (TagKind::Fandom, &fandoms[0], &fandoms[2]),
        (TagKind::Fandom, &fandoms[0], &fandoms[3]),
    ] {
        archive.make_canonical(kind, meta).await.unwrap();
        archive.make_canonical(kind, sub).await.unwrap();
        archive.add_parent(kind, sub, kind, meta).await.unwrap();
        wrangling
            .meta
            .entry(key(kind, sub))
            .or_default()
            .push(key(kind, meta));
    }
    wrangling
}

fn random_request(
    rng: &mut ChaCha8Rng,
    works: &[GeneratedWork],
    tag_names: &[String],
) -> SearchRequest {
    let mut request = SearchRequest::new();
    let pick_tag = |rng: &mut ChaCha8Rng| tag_names[rng.random_range(0..tag_names.len())].clone();
    let sample = &works[rng.random_range(0..works.len())];
    if rng.random_ratio(2, 5) {
        let mut parts = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            let words: Vec<&str> = match rng.random_range(0..5) {
                0 => sample.title.split(' ').collect(),
                1 => sample.summary.split(' ').collect(),
                2 => sample.chapters[0].text.split(' ').collect(),
                3 => sample.authors[0].split(' ').collect(),
                _ => sample.characters[0].split(' ').collect(),
            };
            let start = rng.random_range(0..words.len());
            let len = rng.random_range(1..=2).min(words.len() - start);
            let chosen = words[start..start + len].join(" ");
            let negated = if rng.random_ratio(1, 5) { "-" } else { "" };
            let field = match rng.random_range(0..6) {
                0 => "title:",
                1 => "author:",
                2 => "tag:",
                _ => "",
            };
            parts.push(if len > 1 {
                format!("{negated}{field}\"{chosen}\"")
            } else {
                format!("{negated}{field}{chosen}")
            });
        }
        request.text = parts.join(" ");
    }
    for _ in 0..rng.random_range(0..3) {
        if rng.random_ratio(1, 25) {
            request.include.push("No Such Tag Anywhere".into());
        } else if rng.random_ratio(1, 2) {
            // A tag of a real work keeps most includes from finding nothing.
            let tags = tags_of(sample);
            request
                .include
                .push(tags[rng.random_range(0..tags.len())].1.clone());
        } else {
            request.include.push(pick_tag(rng));
        }
    }
    for _ in 0..rng.random_range(0..3) {
        request.exclude.push(pick_tag(rng));
    }
    if rng.random_ratio(1, 4) {
        request.fandoms.push(sample.fandoms[0].clone());
    }
    if rng.random_ratio(1, 3) {
        request.ratings = Rating::ALL
            .into_iter()
            .filter(|_| rng.random_ratio(1, 2))
            .collect();
    }
    let warnings = ArchiveWarning::ALL;
    if rng.random_ratio(1, 4) {
        request
            .warnings_exclude
            .push(warnings[rng.random_range(0..warnings.len())]);
        request
            .warnings_exclude
            .push(warnings[rng.random_range(0..warnings.len())]);
    }
    if rng.random_ratio(1, 8) {
        request
            .warnings_include
            .push(warnings[rng.random_range(0..warnings.len())]);
    }
    let categories = Category::ALL;
    if rng.random_ratio(1, 6) {
        request
            .categories_include
            .push(categories[rng.random_range(0..categories.len())]);
    }
    if rng.random_ratio(1, 6) {
        request
            .categories_exclude
            .push(categories[rng.random_range(0..categories.len())]);
    }
    request.completion = [
        Completion::Any,
        Completion::CompleteOnly,
        Completion::InProgressOnly,
    ][rng.random_range(0..3)];
    request.crossovers =
        [Crossovers::Include, Crossovers::Exclude, Crossovers::Only][rng.random_range(0..3)];
    request.single_chapter = rng.random_ratio(1, 6);
    if rng.random_ratio(1, 10) {
        request.language =
            Some(["en", "en", "fr", "de", "ru", "zh", "el"][rng.random_range(0..7)].into());
    }
    if rng.random_ratio(1, 3) {
        let from = rng.random_range(0..150);
        request.words_from = Some(from);
        if rng.random_ratio(1, 2) {
            request.words_to = Some(from + rng.random_range(0..300));
        }
    }
    if rng.random_ratio(1, 4) {
        let from = date(&sample.updated) - rng.random_range(0..400) * 86_400;
        request.updated_from = Some(from);
        request.updated_to = Some(from + rng.random_range(1..900) * 86_400);
    }
    request.sort = Sort::ALL[rng.random_range(0..Sort::ALL.len())];
    if rng.random_ratio(1, 3) {
        request.direction = Some(if rng.random_ratio(1, 2) {
            Direction::Ascending
        } else {
            Direction::Descending
        });
    }
    request.per_page = [20, 20, 50, 100][rng.random_range(0..4)];
    request.page = if rng.random_ratio(1, 4) {
        rng.random_range(2..6)
    } else {
        1
    };
    request.facets = rng.random_ratio(1, 5);
    request
}

/// Words of five languages not written in English, in several forms
/// each (a Chinese text has no spaces between its words).
const FOREIGN: &[(&str, &str, &[&str])] = &[
    (
        "fr",
        " ",
        &[
            "chanson",
            "chansons",
            "chanter",
            "chantaient",
            "étoile",
            "étoiles",
            "nuit",
            "nuits",
            "forêt",
            "forêts",
            "maison",
            "maisons",
        ],
    ),
    (
        "de",
        " ",
        &[
            "Haus", "Häuser", "Hauses", "Stern", "Sterne", "Sternen", "Nacht", "Nächte", "Wald",
            "Wälder", "Fluss", "Flüsse",
        ],
    ),
    (
        "ru",
        " ",
        &[
            "звезда",
            "звезды",
            "звёздами",
            "звёзд",
            "река",
            "реки",
            "рекой",
            "ночь",
            "ночью",
            "свет",
            "света",
            "светом",
            "лес",
            "леса",
            "лесом",
            "дом",
            "домами",
        ],
    ),
    (
        "zh",
        "",
        &[
            "森林", "星星", "河流", "夜晚", "光明", "房子", "我们", "他们", "走进", "看见",
        ],
    ),
    (
        "el",
        " ",
        &[
            "θάλασσα",
            "θάλασσες",
            "θάλασσας",
            "ουρανός",
            "ουρανού",
            "αστέρι",
            "αστέρια",
            "νύχτα",
            "νύχτες",
            "σπίτι",
            "σπίτια",
        ],
    ),
];

/// Every eighth work rewritten in one of [`FOREIGN`]'s languages: its
/// title and chapter text (its tags and summary stay English, as fandom
/// and tag names mostly are). Each uses three of its language's words, so
/// that works differ in which forms of a word they hold and a search finds
/// some by another form than the one it names.
fn in_other_languages(works: &mut [GeneratedWork], rng: &mut ChaCha8Rng) {
    for (n, work) in works.iter_mut().enumerate().filter(|(n, _)| n % 8 == 3) {
        let (language, space, all) = FOREIGN[n % FOREIGN.len()];
        let words: Vec<&str> = (0..3)
            .map(|_| all[rng.random_range(0..all.len())])
            .collect();
        let mut text = |count: usize| {
            (0..count)
                .map(|_| words[rng.random_range(0..words.len())])
                .collect::<Vec<_>>()
                .join(space)
        };
        work.language = language.into();
        work.title = text(2);
        for chapter in &mut work.chapters {
            chapter.text = text(40);
        }
    }
}

fn check_facets(
    results: &SearchResults,
    matched: &[&OracleWork],
    names: &HashMap<TagRef, String>,
    request: &SearchRequest,
) {
    let mut languages: BTreeMap<String, u64> = BTreeMap::new();
    for work in matched {
        *languages.entry(work.language.clone()).or_default() += 1;
    }
    let listed: BTreeMap<String, u64> = results.facets["language"]
        .iter()
        .map(|f| (f.tag.clone(), f.count))
        .collect();
    assert_eq!(listed, languages, "language facets of {request:?}");
    for kind in TagKind::ALL {
        let mut expected: HashMap<String, u64> = HashMap::new();
        for work in matched {
            for filter in work.filters.iter().filter(|(k, _)| *k == kind) {
                *expected.entry(names[filter].clone()).or_default() += 1;
            }
        }
        let listed = &results.facets[kind.code()];
        assert_eq!(
            listed.len(),
            expected.len().min(10),
            "{kind:?} facets of {request:?}"
        );
        for facet in listed {
            assert_eq!(
                Some(&facet.count),
                expected.get(&facet.tag),
                "facet {} ({kind:?}) of {request:?}",
                facet.tag
            );
        }
        if let Some(lowest) = listed.iter().map(|f| f.count).min() {
            let listed_names: BTreeSet<&str> = listed.iter().map(|f| f.tag.as_str()).collect();
            let best_unlisted = expected
                .iter()
                .filter(|(name, _)| !listed_names.contains(name.as_str()))
                .map(|(_, count)| *count)
                .max()
                .unwrap_or(0);
            assert!(best_unlisted <= lowest, "{kind:?} facets miss a bigger tag");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_agrees_with_brute_force_on_20000_works() {
    let test = backends::sqlite().await;
    let archive = &test.archive;
    let mut works: Vec<GeneratedWork> = generate_scaled(WORKS, 11, 0.01).collect();
    in_other_languages(&mut works, &mut ChaCha8Rng::seed_from_u64(8));
    let pseud = archive.ensure_unowned_pseud("corpus").await.unwrap();
    let mut ids = Vec::with_capacity(WORKS);
    for chunk in works.chunks(500) {
        let lines: String = chunk
            .iter()
            .map(|w| serde_json::to_string(w).unwrap() + "\n")
            .collect();
        let prepared: Vec<import::Prepared> = import::prepare_lines(lines.as_bytes())
            .into_iter()
            .map(|(_, p)| p.unwrap())
            .collect();
        let refs: Vec<&import::Prepared> = prepared.iter().collect();
        for result in archive.import_batch(pseud, &refs).await.unwrap() {
            match result.unwrap() {
                Imported::Posted(id) => ids.push(id),
                Imported::AlreadyThere(id) => panic!("work {id} twice"),
            }
        }
    }
    let wrangling = wrangle(archive, &works).await;
    let dir = backends::scratch_dir("quire-differential");
    let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
    assert_eq!(index.rebuild().await.unwrap().works, WORKS);
    let oracle_works = oracle(&works, &ids, &wrangling);

    let mut names: HashMap<TagRef, String> = HashMap::new();
    for work in &works {
        for (kind, name) in tags_of(work) {
            names.entry((kind, tag_key(&name))).or_insert(name);
        }
    }
    let known: BTreeSet<TagRef> = names.keys().cloned().collect();
    let tag_names: Vec<String> = {
        let mut all: Vec<String> = names.values().cloned().collect();
        all.sort();
        all
    };

    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut nonempty = 0;
    let mut faceted = 0;
    for round in 0..SEARCHES {
        let request = random_request(&mut rng, &works, &tag_names);
        let results = index.search(&request, false).unwrap();
        let expected = brute_force(&oracle_works, &request, &known, &wrangling);
        assert_eq!(
            results.total,
            expected.len(),
            "round {round}: total of {request:?}"
        );
        let start = (request.page - 1) * request.per_page;
        let page: Vec<WorkId> = results.works.iter().map(|w| w.id).collect();
        let effective_best = request.sort == Sort::BestMatch
            && quire_archive::search::query::parse_text(&request.text)
                .iter()
                .any(|c| !c.negated);
        if effective_best {
            // Relevance order is the engine's; the set must still be exact.
            assert_eq!(
                page.len(),
                expected.len().saturating_sub(start).min(request.per_page)
            );
            let all: BTreeSet<WorkId> = expected.iter().copied().collect();
            assert!(
                page.iter().all(|id| all.contains(id)),
                "round {round}: {request:?}"
            );
            if expected.len() <= request.per_page && request.page == 1 {
                let mut sorted = page.clone();
                sorted.sort_unstable();
                let mut want = expected.clone();
                want.sort_unstable();
                assert_eq!(sorted, want, "round {round}: {request:?}");
            }
        } else {
            let want: Vec<WorkId> = expected
                .iter()
                .skip(start)
                .take(request.per_page)
                .copied()
                .collect();
            assert_eq!(page, want, "round {round}: page of {request:?}");
        }
        if request.facets {
            let by_id: HashMap<WorkId, &OracleWork> =
                oracle_works.iter().map(|w| (w.id, w)).collect();
            let matched: Vec<&OracleWork> = expected.iter().map(|id| by_id[id]).collect();
            check_facets(&results, &matched, &names, &request);
            faceted += 1;
        }
        if !expected.is_empty() {
            nonempty += 1;
        }
    }
    // Every form of every word of the other languages, alone: found in
    // the works that hold any form with the same stem in their language.
    for (language, _, forms) in FOREIGN {
        for form in *forms {
            let mut request = SearchRequest::new();
            request.text = form.to_string();
            request.sort = Sort::Updated;
            request.per_page = 100;
            let results = index.search(&request, false).unwrap();
            let expected = brute_force(&oracle_works, &request, &known, &wrangling);
            assert!(!expected.is_empty(), "{language} {form}");
            assert_eq!(results.total, expected.len(), "{language} {form}: total");
            let page: Vec<WorkId> = results.works.iter().map(|w| w.id).collect();
            assert_eq!(
                page,
                expected[..expected.len().min(100)],
                "{language} {form}"
            );
        }
    }
    // The random searches must exercise something: most find works.
    assert!(
        nonempty > SEARCHES / 3,
        "only {nonempty} searches found anything"
    );
    assert!(faceted > 50, "{faceted}");
    let _ = std::fs::remove_dir_all(dir);
    test.finish().await;
}
