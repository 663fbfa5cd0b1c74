//! The search index on each backend: what it finds, how it filters and
//! sorts, and that it follows the store.

use quire_archive::model::{ArchiveWarning, Rating, TagKind, Warnings, WorkDraft};
use quire_archive::search::{
    Completion, Crossovers, Direction, SearchIndex, SearchRequest, SearchResults, Sort,
};
use quire_archive::{Archive, Kudoser, WorkId};

use crate::backends::{self, TestArchive};
use crate::works::draft;

fn ids(results: &SearchResults) -> Vec<WorkId> {
    results.works.iter().map(|w| w.id).collect()
}

fn request(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        ..SearchRequest::new()
    }
}

async fn open_index(test: &TestArchive) -> (SearchIndex, std::path::PathBuf) {
    let dir = backends::scratch_dir("quire-search-test");
    let index = SearchIndex::open(test.archive.clone(), &dir).await.unwrap();
    let progress = index.catch_up().await.unwrap();
    assert!(progress.rebuilt, "a new index is built on the first round");
    (index, dir)
}

struct Library {
    tide: WorkId,
    lantern: WorkId,
    winter: WorkId,
    locked: WorkId,
}

async fn post_library(archive: &Archive) -> Library {
    let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
    let ash = archive.ensure_unowned_pseud("Ash Wren").await.unwrap();
    let work = |title: &str, fandom: &str, freeform: &str| WorkDraft {
        title: title.into(),
        fandoms: vec![fandom.into()],
        freeforms: vec![freeform.into()],
        ..draft()
    };
    let tide = archive
        .post_work(
            &[pell],
            &WorkDraft {
                rating: Rating::GeneralAudiences,
                warnings: Warnings::new([ArchiveWarning::NoneApply]).unwrap(),
                complete: true,
                expected_chapters: Some(2),
                ..work("Tide of Lanterns", "Sea Chronicles", "Slow Burn")
            },
        )
        .await
        .unwrap();
    let lantern = archive
        .post_work(
            &[ash],
            &work("The Lantern Keeper", "Sea Chronicles", "Angst"),
        )
        .await
        .unwrap();
    let winter = archive
        .post_work(
            &[pell, ash],
            &WorkDraft {
                fandoms: vec!["Sea Chronicles".into(), "Winter Saga".into()],
                ..work("Returning in Winter", "Sea Chronicles", "Fluff")
            },
        )
        .await
        .unwrap();
    let locked = archive
        .post_work(
            &[pell],
            &WorkDraft {
                restricted: true,
                ..work("Behind the Door", "Winter Saga", "Angst")
            },
        )
        .await
        .unwrap();
    archive
        .post_work(
            &[pell],
            &WorkDraft {
                draft: true,
                ..work("Unfinished Lantern", "Sea Chronicles", "Angst")
            },
        )
        .await
        .unwrap();
    for guest in ["a", "b", "c"] {
        archive
            .leave_kudos(lantern, &Kudoser::Guest(guest.into()))
            .await
            .unwrap();
    }
    archive
        .leave_kudos(tide, &Kudoser::Guest("a".into()))
        .await
        .unwrap();
    Library {
        tide,
        lantern,
        winter,
        locked,
    }
}

#[tokio::test]
async fn search_finds_filters_sorts_and_counts() {
    for test in backends::all().await {
        let archive = &test.archive;
        let library = post_library(archive).await;
        let (index, dir) = open_index(&test).await;
        let search = |request: SearchRequest| index.search(&request, false).unwrap();
        let sorted = |mut found: Vec<WorkId>| {
            found.sort_unstable();
            found
        };
        let Library {
            tide,
            lantern,
            winter,
            locked,
        } = library;

        // Text: words anywhere, phrases, exclusions, fields.
        assert_eq!(
            sorted(ids(&search(request("lantern")))),
            vec![tide, lantern]
        );
        assert_eq!(ids(&search(request("\"lantern keeper\""))), vec![lantern]);
        assert_eq!(
            ids(&search(request("\"keeper lantern\""))),
            Vec::<WorkId>::new()
        );
        assert_eq!(ids(&search(request("lantern -keeper"))), vec![tide]);
        assert_eq!(
            sorted(ids(&search(request("author:\"ash wren\"")))),
            vec![lantern, winter]
        );
        assert_eq!(ids(&search(request("title:winter"))), vec![winter]);
        assert_eq!(ids(&search(request("tag:\"slow burn\""))), vec![tide]);
        assert_eq!(
            sorted(ids(&search(request("halls naive")))),
            vec![tide, lantern, winter],
            "the repaired body text is searched, accents folded"
        );

        // Visibility: registered-only works only for signed-in readers,
        // drafts never.
        assert_eq!(search(request("")).total, 3);
        let signed_in = index.search(&request(""), true).unwrap();
        assert_eq!(signed_in.total, 4);
        assert!(ids(&signed_in).contains(&locked));
        assert_eq!(search(request("unfinished")).total, 0);

        // Filters.
        let filtered = |edit: &dyn Fn(&mut SearchRequest)| {
            let mut request = SearchRequest::new();
            edit(&mut request);
            let mut found = ids(&search(request));
            found.sort_unstable();
            found
        };
        assert_eq!(
            filtered(&|r| r.include = vec!["angst".into()]),
            vec![lantern]
        );
        assert_eq!(
            filtered(&|r| r.exclude = vec!["Winter Saga".into()]),
            vec![tide, lantern]
        );
        assert_eq!(
            filtered(&|r| r.ratings = vec![Rating::GeneralAudiences]),
            vec![tide]
        );
        assert_eq!(
            filtered(&|r| r.warnings_exclude = vec![ArchiveWarning::MajorCharacterDeath]),
            vec![tide]
        );
        assert_eq!(
            filtered(&|r| r.completion = Completion::CompleteOnly),
            vec![tide]
        );
        assert_eq!(filtered(&|r| r.crossovers = Crossovers::Only), vec![winter]);
        assert_eq!(
            filtered(&|r| r.crossovers = Crossovers::Exclude),
            vec![tide, lantern]
        );
        assert_eq!(
            filtered(&|r| r.include = vec!["No Such Tag".into()]),
            Vec::<WorkId>::new()
        );
        assert_eq!(filtered(&|r| r.language = Some("EN".into())).len(), 3);
        assert!(filtered(&|r| r.words_from = Some(1_000)).is_empty());

        // Sorts: kudos with ties broken by id; title A to Z; reversed.
        let by = |sort: Sort, direction: Option<Direction>| {
            ids(&search(SearchRequest {
                sort,
                direction,
                ..SearchRequest::new()
            }))
        };
        assert_eq!(by(Sort::Kudos, None), vec![lantern, tide, winter]);
        assert_eq!(by(Sort::Title, None), vec![winter, lantern, tide]);
        assert_eq!(
            by(Sort::Title, Some(Direction::Descending)),
            vec![tide, lantern, winter]
        );
        let first = &search(SearchRequest {
            sort: Sort::Kudos,
            ..SearchRequest::new()
        })
        .works[0];
        assert_eq!(
            (first.title.as_str(), first.kudos),
            ("The Lantern Keeper", 3)
        );
        assert_eq!(first.authors, vec!["Ash Wren"]);

        // Pages.
        let page = |page: usize| {
            ids(&search(SearchRequest {
                sort: Sort::Title,
                page,
                per_page: 2,
                ..SearchRequest::new()
            }))
        };
        assert_eq!(page(1), vec![winter, lantern]);
        assert_eq!(page(2), vec![tide]);
        let refused = index
            .search(
                &SearchRequest {
                    per_page: 101,
                    ..SearchRequest::new()
                },
                false,
            )
            .unwrap_err();
        assert!(refused.to_string().contains("per_page"), "{refused}");

        // Facets count what the results hold, per kind.
        let faceted = search(SearchRequest {
            facets: true,
            ..SearchRequest::new()
        });
        let fandoms = &faceted.facets["fandom"];
        assert_eq!(fandoms[0].tag, "Sea Chronicles");
        assert_eq!(fandoms[0].count, 3);
        assert!(fandoms
            .iter()
            .any(|f| f.tag == "Winter Saga" && f.count == 1));
        assert_eq!(faceted.facets["rating"].len(), 2);

        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}

#[tokio::test]
async fn the_index_follows_posts_edits_deletes_and_wrangling() {
    for test in backends::all().await {
        let archive = &test.archive;
        let library = post_library(archive).await;
        let (index, dir) = open_index(&test).await;
        let found = |text: &str| ids(&index.search(&request(text), false).unwrap());

        let pseud = archive.ensure_unowned_pseud("Pell").await.unwrap();
        let new = archive
            .post_work(
                &[pseud],
                &WorkDraft {
                    title: "Glass Harbour".into(),
                    freeforms: vec!["Reylo Feels".into()],
                    ..draft()
                },
            )
            .await
            .unwrap();
        assert!(
            found("harbour").is_empty(),
            "not before the index catches up"
        );
        let progress = index.catch_up().await.unwrap();
        assert_eq!(progress.works, 1);
        assert_eq!(found("harbour"), vec![new]);

        let mut edited = draft();
        edited.title = "Stone Harbour".into();
        edited.freeforms = vec!["Reylo Feels".into()];
        archive.edit_work(new, &edited).await.unwrap();
        index.catch_up().await.unwrap();
        assert!(found("glass").is_empty());
        assert_eq!(found("stone"), vec![new]);

        archive
            .leave_kudos(new, &Kudoser::Guest("z".into()))
            .await
            .unwrap();
        index.catch_up().await.unwrap();
        let work = &index.search(&request("stone"), false).unwrap().works[0];
        assert_eq!(work.kudos, 1);

        // Wrangling: a synonym merged into a canonical is found by a filter
        // on the canonical, and a meta-tag finds its sub-tags' works.
        let include = |tag: &str| {
            ids(&index
                .search(
                    &SearchRequest {
                        include: vec![tag.into()],
                        ..SearchRequest::new()
                    },
                    false,
                )
                .unwrap())
        };
        assert_eq!(include("Angst"), vec![library.lantern]);
        archive
            .make_canonical(TagKind::Freeform, "Angst")
            .await
            .unwrap();
        archive
            .merge_as_synonym(TagKind::Freeform, "Fluff", "Angst")
            .await
            .unwrap();
        archive
            .make_canonical(TagKind::Freeform, "Slow Burn")
            .await
            .unwrap();
        archive
            .add_parent(TagKind::Freeform, "Slow Burn", TagKind::Freeform, "Angst")
            .await
            .unwrap();
        index.catch_up().await.unwrap();
        let mut angst = include("angst");
        angst.sort_unstable();
        assert_eq!(angst, vec![library.tide, library.lantern, library.winter]);
        let mut fluff = include("fluff");
        fluff.sort_unstable();
        assert_eq!(fluff, angst, "a synonym filters as its canonical");
        let faceted = index
            .search(
                &SearchRequest {
                    facets: true,
                    ..SearchRequest::new()
                },
                false,
            )
            .unwrap();
        let freeforms = &faceted.facets["freeform"];
        assert!(
            freeforms.iter().any(|f| f.tag == "Angst" && f.count == 3),
            "facets count by canonical and meta-tag: {freeforms:?}"
        );
        assert!(!freeforms.iter().any(|f| f.tag == "Fluff"));

        archive.delete_work(new).await.unwrap();
        index.catch_up().await.unwrap();
        assert!(found("stone").is_empty());
        assert_eq!(
            index.indexed_seq().await,
            archive.last_change_seq().await.unwrap()
        );

        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_missing_damaged_or_older_index_is_rebuilt_and_caught_up() {
    let test = backends::sqlite().await;
    let archive = &test.archive;
    post_library(archive).await;
    let (index, dir) = open_index(&test).await;
    assert_eq!(index.search(&request(""), false).unwrap().total, 3);
    drop(index);

    // Written while no index followed: caught up on the next start.
    let pseud = archive.ensure_unowned_pseud("Pell").await.unwrap();
    archive
        .post_work(
            &[pseud],
            &WorkDraft {
                title: "Late Arrival".into(),
                ..draft()
            },
        )
        .await
        .unwrap();
    let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
    let progress = index.catch_up().await.unwrap();
    assert!(!progress.rebuilt);
    assert_eq!(progress.works, 1);
    assert_eq!(index.search(&request("late"), false).unwrap().total, 1);
    drop(index);

    let generation = std::fs::read_to_string(dir.join("index/CURRENT")).unwrap();
    let gen_dir = dir.join(format!("index/gen-{}", generation.trim()));
    type Damage<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let damages: [Damage; 3] = [
        (
            "meta.json gone",
            Box::new(|| {
                let current = std::fs::read_to_string(dir.join("index/CURRENT")).unwrap();
                let _ = std::fs::remove_file(
                    dir.join(format!("index/gen-{}/meta.json", current.trim())),
                );
            }),
        ),
        (
            "CURRENT names nothing",
            Box::new(|| std::fs::write(dir.join("index/CURRENT"), "987654").unwrap()),
        ),
        (
            "the whole directory gone",
            Box::new(|| {
                let _ = std::fs::remove_dir_all(dir.join("index"));
            }),
        ),
    ];
    assert!(gen_dir.exists());
    for (what, damage) in damages {
        damage();
        let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
        assert!(!index.is_ready(), "{what}: no usable index");
        assert!(index.search(&request(""), false).is_err());
        let progress = index.catch_up().await.unwrap();
        assert!(progress.rebuilt, "{what}: rebuilt");
        assert_eq!(
            index.search(&request(""), false).unwrap().total,
            4,
            "{what}: everything found again"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
    test.finish().await;
}

/// A one-chapter work in `language`.
fn post(title: &str, language: &str, text: &str) -> WorkDraft {
    WorkDraft {
        title: title.into(),
        language: language.into(),
        chapters: vec![quire_archive::model::ChapterDraft::from_manuscript(
            quire_text::analyze_str(text),
        )],
        ..draft()
    }
}

/// Works in languages written without spaces are found by any two or more
/// characters of their words, and Russian works by `е` for `ё`.
#[tokio::test]
async fn chinese_japanese_and_russian_works_are_found_as_their_readers_search() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
        let chinese = archive
            .post_work(
                &[pell],
                &post("星之旅", "zh", "我在森林里迷路了。天黑了，星星出来了。"),
            )
            .await
            .unwrap();
        let japanese = archive
            .post_work(
                &[pell],
                &post("塔", "ja", "東京タワーの上で、彼は待っていた。"),
            )
            .await
            .unwrap();
        let russian = archive
            .post_work(&[pell], &post("Небо", "ru", "Над морем горели звёзды."))
            .await
            .unwrap();
        let (index, dir) = open_index(&test).await;
        let found = |text: &str| ids(&index.search(&request(text), false).unwrap());
        for (query, work) in [
            ("森林", chinese),
            ("迷路", chinese),
            ("星星出来", chinese),
            ("星之旅", chinese),
            ("タワー", japanese),
            ("東京", japanese),
            ("звезды", russian),
            ("звёзды", russian),
            ("Звезды", russian),
        ] {
            assert_eq!(found(query), vec![work], "{query}");
        }
        assert!(
            found("森林大火").is_empty(),
            "every pair must be there, in order"
        );
        drop(index);
        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}

/// Works in French, German, Spanish, Portuguese and Polish are found by
/// other forms of their words, stemmed in the work's own language; the
/// same word in an English work is found only as written, and a word
/// named with a field or in a phrase is matched as the index sees it.
#[tokio::test]
async fn works_in_latin_script_languages_are_found_by_any_form_of_their_words() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
        let mut posted = Vec::new();
        for (title, language, text) in [
            ("Nuit", "fr", "Elles chantaient sous les étoiles."),
            ("Heim", "de", "Die alten Häuser standen leer."),
            ("Canto", "es", "Escribió tres canciones para ella."),
            ("Mar", "pt-BR", "As meninas corriam pela praia."),
            ("Las", "pl", "Poszli razem do lasu nad rzeką."),
            ("Grad", "hr", "Djeca su se igrala u gradovima."),
            ("Plain", "en", "Chantaient is a word here, untouched."),
        ] {
            let work = archive
                .post_work(&[pell], &post(title, language, text))
                .await
                .unwrap();
            posted.push(work);
        }
        let [french, german, spanish, portuguese, polish, croatian, english] = posted[..] else {
            unreachable!("seven works posted");
        };
        let (index, dir) = open_index(&test).await;
        let found = |text: &str| ids(&index.search(&request(text), false).unwrap());
        for (query, works) in [
            ("chanter", vec![french]),
            ("étoile", vec![french]),
            ("etoile", vec![french]),
            ("Haus", vec![german]),
            // German readers without umlauts on their keyboard write ae.
            ("haeuser", vec![german]),
            ("canción", vec![spanish]),
            ("cancion", vec![spanish]),
            ("menina", vec![portuguese]),
            ("correr", vec![portuguese]),
            ("las", vec![polish]),
            ("rzeka", vec![polish]),
            ("grad", vec![croatian]),
            ("igrali", vec![croatian]),
            ("chantaient", vec![french, english]),
            ("title:chanter", vec![]),
            ("\"elles chanter\"", vec![]),
            (
                "-chanter",
                vec![german, spanish, portuguese, polish, croatian, english],
            ),
        ] {
            let mut got = found(query);
            got.sort();
            let mut want = works;
            want.sort();
            assert_eq!(got, want, "{query}");
        }
        drop(index);
        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}

/// A search names at most `MAX_TEXT_CLAUSES` words and phrases; one more
/// is refused with the limit and the way round it, whatever the backend.
#[tokio::test]
async fn a_search_of_too_many_words_is_refused_with_the_way_round() {
    use quire_archive::search::{SearchError, MAX_TEXT_CLAUSES};
    for test in backends::all().await {
        post_library(&test.archive).await;
        let (index, dir) = open_index(&test).await;
        let words = |n: usize| {
            (0..n)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        index
            .search(&request(&words(MAX_TEXT_CLAUSES)), false)
            .expect("as many words as allowed are searched");
        match index.search(&request(&words(MAX_TEXT_CLAUSES + 1)), false) {
            Err(SearchError::BadParameter { parameter, message }) => {
                assert_eq!(parameter, "q");
                assert!(message.contains(&MAX_TEXT_CLAUSES.to_string()), "{message}");
                assert!(message.contains("quotes"), "{message}");
            }
            other => panic!("expected the search to be refused, got {other:?}"),
        }
        // A long quotation in quotes is one phrase.
        let quoted = format!("\"{}\"", words(MAX_TEXT_CLAUSES * 3));
        index
            .search(&request(&quoted), false)
            .expect("a long quotation is one phrase");
        drop(index);
        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}
