//! `quire import` as a person runs it: the seeds once, one bad file never
//! stopping the rest, an import killed midway resumed exactly once, and a
//! generated corpus (`quire corpus`) imported as written.

use std::process::{Command, Stdio};

use crate::support::{quire, seeds_dir, stdout, stored_works, DataDir, TempFile};

#[tokio::test]
async fn import_the_seeds_once() {
    let data = DataDir::dir("seeds");
    let first = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert_eq!(
        stdout(&first),
        "imported 2 works, 0 already there, 0 failed\n"
    );
    let again = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert_eq!(
        stdout(&again),
        "imported 0 works, 2 already there, 0 failed\n"
    );

    let works = stored_works(&data).await;
    assert_eq!(works.len(), 2);
    let text: String = works[0].chapters[0].body.paragraphs.join("\n");
    assert!(
        text.contains("naïve") && !text.contains('√'),
        "the text is repaired"
    );
    assert_eq!(works[0].rating.name(), "Not Rated");
    assert_eq!(works[0].creators, vec!["orphan_account"]);
    assert!(works[1].chapters[0]
        .body
        .notes
        .end
        .contains("theaidenellis.tumblr.com"));
}

#[tokio::test]
async fn one_bad_file_does_not_stop_the_rest() {
    let data = DataDir::dir("bad");
    let good = TempFile::new("good.txt", b"Ashes\n\nThe halls burned.\n\nHe left.");
    let binary = TempFile::new("bad.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    // One line, no paragraph breaks, past AO3's 510,000 characters a chapter.
    let endless = TempFile::new("endless.txt", "and on ".repeat(100_000).as_bytes());
    // 2 GiB that take no disk (a sparse file): refused by its size, unread.
    let huge = TempFile::new("huge.html", b"");
    std::fs::File::options()
        .write(true)
        .open(huge.path())
        .and_then(|f| f.set_len(2 << 30))
        .unwrap();
    let output = quire(&[
        "import",
        "--data",
        data.path(),
        "--as",
        "Ren",
        binary.path(),
        endless.path(),
        huge.path(),
        "/no/such/folder",
        good.path(),
    ]);
    assert_eq!(output.status.code(), Some(1), "some files failed");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "imported 1 work, 0 already there, 4 failed\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}: this looks like a binary file", binary.path())),
        "{stderr}"
    );
    assert!(
        stderr.contains("/no/such/folder: no such file or folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: the chapter text is 699999 characters long; the most is 510000",
            endless.path()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: it is 2048 MiB; a work is read from at most 128 MiB, so this is not imported",
            huge.path()
        )),
        "{stderr}"
    );
    let works = stored_works(&data).await;
    assert_eq!(works.len(), 1);
    assert_eq!(works[0].title, "Ashes");
    assert_eq!(works[0].creators, vec!["Ren"]);
}

/// Kills the importer with SIGKILL in the middle of 500 files, then runs it
/// again: every file ends up imported exactly once, nothing half-written.
#[tokio::test]
async fn an_import_killed_midway_resumes_exactly_once() {
    const FILES: usize = 500;
    let data = DataDir::dir("crash");
    let source = DataDir::dir("crash-source");
    std::fs::create_dir_all(&source.0).unwrap();
    for i in 0..FILES {
        let paragraphs: Vec<String> = (0..40)
            .map(|p| format!("Story {i}, paragraph {p}: \"Again,\" she said, and the lights of the ship went out one by one."))
            .collect();
        let text = format!("Tale number {i}\n\n{}", paragraphs.join("\n\n"));
        std::fs::write(source.0.join(format!("{i:03}.txt")), text).unwrap();
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["import", "--data", data.path(), source.path()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some works are in, then kill without warning.
    let database = data.0.join("quire.sqlite");
    let mut imported_before_kill = 0;
    for _ in 0..600 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if database.exists() {
            let archive = quire_archive::Archive::open_data_dir(&data.0)
                .await
                .unwrap();
            imported_before_kill = archive
                .count_rows(quire_archive::CountedTable::Works)
                .await
                .unwrap();
            archive.close().await;
            if imported_before_kill >= 20 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the importer was killed, not finished");
    assert!(imported_before_kill > 0 && (imported_before_kill as usize) < FILES);

    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    assert_eq!(
        archive.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let after_kill = archive
        .count_rows(quire_archive::CountedTable::Works)
        .await
        .unwrap();
    archive.close().await;

    let rerun = stdout(&quire(&["import", "--data", data.path(), source.path()]));
    assert_eq!(
        rerun,
        format!(
            "imported {} works, {after_kill} already there, 0 failed\n",
            FILES as i64 - after_kill
        )
    );
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    assert_eq!(
        archive
            .count_rows(quire_archive::CountedTable::Works)
            .await
            .unwrap(),
        FILES as i64
    );
    assert_eq!(
        archive
            .count_rows(quire_archive::CountedTable::Chapters)
            .await
            .unwrap(),
        FILES as i64
    );
    assert_eq!(
        archive.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    archive.close().await;
}

#[tokio::test]
async fn a_generated_corpus_imports_as_written() {
    let out = DataDir::dir("corpus-out");
    let again = DataDir::dir("corpus-again");
    let data = DataDir::dir("corpus-data");
    assert_eq!(
        stdout(&quire(&[
            "corpus",
            "--works",
            "30",
            "--seed",
            "9",
            "--out",
            out.path()
        ])),
        format!("wrote 30 works to {}/works.jsonl\n", out.path())
    );
    stdout(&quire(&[
        "corpus",
        "--works",
        "30",
        "--seed",
        "9",
        "--out",
        again.path(),
    ]));
    let written = std::fs::read(out.0.join("works.jsonl")).unwrap();
    assert_eq!(
        written,
        std::fs::read(again.0.join("works.jsonl")).unwrap(),
        "deterministic"
    );

    let first = stdout(&quire(&["import", "--data", data.path(), out.path()]));
    assert_eq!(first, "imported 30 works, 0 already there, 0 failed\n");
    let second = stdout(&quire(&["import", "--data", data.path(), out.path()]));
    assert_eq!(second, "imported 0 works, 30 already there, 0 failed\n");

    let generated: Vec<quire_archive::corpus::GeneratedWork> = String::from_utf8(written)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    for (index, expected) in generated.iter().enumerate() {
        let work = archive.work(index as i64 + 1).await.unwrap().unwrap();
        assert_eq!(work.title, expected.title);
        assert_eq!(work.rating.name(), expected.rating);
        assert_eq!(work.fandoms, expected.fandoms);
        assert_eq!(work.creators, expected.authors);
        assert_eq!(work.chapters.len(), expected.chapters.len());
    }
    archive.close().await;
}
