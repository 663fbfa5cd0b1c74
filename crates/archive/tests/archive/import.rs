//! Importing files through the archive on each backend.

use std::path::{Path, PathBuf};

use quire_archive::{CountedTable, Imported};

use crate::backends;

/// The five AO3 works of `../shared/eval/ao3-works-dev.jsonl`, as HTML bodies.
fn eval_works() -> Vec<(String, String)> {
    quire_testkit::ao3_works()
}

#[tokio::test]
async fn imported_ao3_bodies_keep_every_word() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("importer").await.unwrap();
        for (id, html) in eval_works() {
            let path = PathBuf::from(format!("{id}.html"));
            let Imported::Posted(work_id) = archive
                .import_file(pseud, &path, html.as_bytes())
                .await
                .unwrap()
            else {
                panic!("{id} is new");
            };
            let work = archive.work(work_id).await.unwrap().unwrap();
            let stored: Vec<&str> = work.chapters.iter().flat_map(|c| c.body.words()).collect();
            let repaired = quire_text::repair::repair(&html).text;
            let format = work.chapters[0].body.format;
            if let Err(lost) = quire_text::lossless::check_words(&stored, format, &repaired) {
                panic!("{}: work {id}: {lost}", test.name);
            }
            assert_eq!(work.title, id, "the file name is the title");
        }
        assert_eq!(archive.count_rows(CountedTable::Works).await.unwrap(), 5);
        test.finish().await;
    }
}

#[tokio::test]
async fn the_same_file_twice_is_one_work() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("importer").await.unwrap();
        let seed = quire_testkit::seed_paths().remove(0);
        let bytes = std::fs::read(&seed).unwrap();
        let first = archive.import_file(pseud, &seed, &bytes).await.unwrap();
        let Imported::Posted(id) = first else {
            panic!("{}: first import posts", test.name)
        };
        let second = archive
            .import_file(pseud, Path::new("renamed.txt"), &bytes)
            .await
            .unwrap();
        assert_eq!(second, Imported::AlreadyThere(id), "{}", test.name);
        assert_eq!(archive.count_rows(CountedTable::Works).await.unwrap(), 1);
        test.finish().await;
    }
}

#[tokio::test]
async fn an_ao3_download_imports_with_its_metadata() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ao3-current.html");
    let bytes = std::fs::read(&path).unwrap();
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("importer").await.unwrap();
        let Imported::Posted(id) = archive.import_file(pseud, &path, &bytes).await.unwrap() else {
            panic!("{}: posted", test.name)
        };
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(work.title, "The Cartographer's Lantern", "{}", test.name);
        assert_eq!(
            work.creators,
            vec!["saltmarsh_ink", "Pell (pellucid)"],
            "credited as AO3 shows them"
        );
        assert_eq!(work.rating.name(), "Teen And Up Audiences");
        assert_eq!(
            work.fandoms,
            vec!["Lanternfall (Video Game)", "The Brass Coast Chronicles"]
        );
        assert!(work
            .relationships
            .contains(&"Ysolde/Marit Quell".to_string()));
        assert!(work.freeforms.contains(&"Slow Burn".to_string()));
        assert!(!work.complete);
        assert_eq!(work.expected_chapters, None);
        assert_eq!(work.chapters.len(), 3);
        assert_eq!(work.series.len(), 1);
        assert_eq!(
            (work.series[0].title.as_str(), work.series[0].part),
            ("Charts of the Brass Coast", 2)
        );
        assert_eq!(work.posted_at, 1_707_609_600, "Published: 2024-02-11");
        assert!(work.updated_at > work.posted_at);
        assert!(
            work.chapters.iter().any(|c| c.html.contains("<em>")),
            "formatting is kept"
        );
        for chapter in &work.chapters {
            assert!(!chapter.html.contains("<script") && !chapter.html.contains("style="));
        }
        let again = archive.import_file(pseud, &path, &bytes).await.unwrap();
        assert_eq!(again, Imported::AlreadyThere(id));
        test.finish().await;
    }
}
