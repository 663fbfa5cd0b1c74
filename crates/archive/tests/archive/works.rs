//! Posting and reading works.

use std::collections::BTreeSet;

use quire_archive::model::{ArchiveWarning, Category, ChapterDraft, Rating, Warnings, WorkDraft};
use quire_archive::{ArchiveError, CountedTable};

use crate::backends;

pub fn chapter(text: &str) -> ChapterDraft {
    ChapterDraft::from_manuscript(quire_text::analyze_str(text))
}

pub fn draft() -> WorkDraft {
    WorkDraft {
        title: "Ashes".into(),
        summary: "Kylo makes a choice.".into(),
        notes_start: "For a friend.".into(),
        notes_end: Default::default(),
        language: "en".into(),
        rating: Rating::Mature,
        warnings: Warnings::new([
            ArchiveWarning::GraphicViolence,
            ArchiveWarning::MajorCharacterDeath,
        ])
        .unwrap(),
        categories: BTreeSet::from([Category::Gen]),
        fandoms: vec!["Star Wars - All Media Types".into()],
        relationships: vec![],
        characters: vec!["Kylo Ren".into(), "Rey".into(), "kylo  ren".into()],
        freeforms: vec!["Angst".into()],
        complete: false,
        expected_chapters: None,
        restricted: false,
        draft: false,
        chapters: vec![
            chapter("They were so na√Øve.\n\n* * *\n\nThe halls burned."),
            chapter("\"Rey,\" he said."),
        ],
    }
}

#[tokio::test]
async fn a_posted_work_reads_back() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive
            .ensure_unowned_pseud("orphan_account")
            .await
            .unwrap();
        assert_eq!(
            archive
                .ensure_unowned_pseud("Orphan_Account")
                .await
                .unwrap(),
            pseud
        );
        let id = archive.post_work(&[pseud, pseud], &draft()).await.unwrap();
        let work = archive.work(id).await.unwrap().expect("the work exists");
        let name = test.name;
        assert_eq!(work.title, "Ashes", "{name}");
        assert_eq!(work.summary.text(), "Kylo makes a choice.");
        assert_eq!(work.rating, Rating::Mature);
        assert!(work.warnings.contains(ArchiveWarning::MajorCharacterDeath));
        assert_eq!(work.categories, vec![Category::Gen]);
        assert_eq!(work.fandoms, vec!["Star Wars - All Media Types"]);
        assert_eq!(
            work.characters,
            vec!["Kylo Ren", "Rey"],
            "{name}: tag names are unique case-insensitively"
        );
        assert_eq!(work.freeforms, vec!["Angst"]);
        assert_eq!(work.creators, vec!["orphan_account"]);
        assert_eq!(work.expected_chapters, None);
        assert!(!work.complete && !work.draft && !work.restricted);
        assert_eq!(work.chapters.len(), 2);
        assert_eq!(work.chapters[0].position, 1);
        assert_eq!(
            work.chapters[0].body,
            draft().chapters[0].body,
            "{name}: manuscript round-trips"
        );
        assert_eq!(work.chapters[0].body.paragraphs[0], "They were so naïve.");
        assert_eq!(work.chapters[0].body.scene_breaks, vec![1]);
        assert_eq!(work.word_count, draft().word_count());
        assert_eq!(work.version, 1);

        let changes = archive.changes_since(0, 1_000).await.unwrap();
        assert_eq!(changes.len(), 1, "{name}");
        assert_eq!(
            (changes[0].entity.as_str(), changes[0].entity_id),
            ("work", id)
        );
        assert!(archive
            .changes_since(changes[0].seq, 1_000)
            .await
            .unwrap()
            .is_empty());
        assert!(archive.work(id + 1000).await.unwrap().is_none());
        test.finish().await;
    }
}

#[tokio::test]
async fn tags_are_shared_between_works_case_insensitively() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let tags_before = archive.count_rows(CountedTable::Tags).await.unwrap();
        archive.post_work(&[pseud], &draft()).await.unwrap();
        let mut second = draft();
        second.characters = vec!["KYLO REN".into()];
        second.freeforms = vec!["angst".into(), "Fluff".into()];
        let id = archive.post_work(&[pseud], &second).await.unwrap();
        let tags_after = archive.count_rows(CountedTable::Tags).await.unwrap();
        // Fandom, Kylo Ren, Rey, Angst from the first; Fluff from the second.
        assert_eq!(tags_after - tags_before, 5, "{}", test.name);
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(
            work.characters,
            vec!["Kylo Ren"],
            "the first spelling stays"
        );
        assert_eq!(work.freeforms, vec!["Angst", "Fluff"]);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_failure_while_posting_leaves_nothing_behind() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let tags_before = archive.count_rows(CountedTable::Tags).await.unwrap();
        // The second creator does not exist: found after the work row is written.
        let err = archive
            .post_work(&[pseud, pseud + 999], &draft())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ArchiveError::UnknownPseud(_)),
            "{}: {err}",
            test.name
        );
        for table in [
            CountedTable::Works,
            CountedTable::Chapters,
            CountedTable::WorkTags,
            CountedTable::WorkCreators,
            CountedTable::Changes,
        ] {
            assert_eq!(
                archive.count_rows(table).await.unwrap(),
                0,
                "{}: {table:?}",
                test.name
            );
        }
        assert_eq!(
            archive.count_rows(CountedTable::Tags).await.unwrap(),
            tags_before
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn an_invalid_work_is_refused_before_the_database() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let mut no_fandom = draft();
        no_fandom.fandoms.clear();
        let err = archive.post_work(&[pseud], &no_fandom).await.unwrap_err();
        assert!(err.to_string().contains("at least one fandom"), "{err}");
        let mixed: Result<WorkDraft, _> = serde_json::from_value({
            let mut value = serde_json::to_value(draft()).unwrap();
            value["warnings"] = serde_json::json!(["none-apply", "graphic-violence"]);
            value
        });
        assert!(
            mixed.is_err(),
            "mixed exclusive warnings cannot even be built"
        );
        assert_eq!(archive.count_rows(CountedTable::Works).await.unwrap(), 0);
        test.finish().await;
    }
}
