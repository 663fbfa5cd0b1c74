//! Archives written by an earlier release open in this one, on both
//! backends: the fixtures under `tests/fixtures/` were written by the
//! release named in their first lines (see there how), and each is loaded
//! into an empty database, opened (which runs every newer migration) and
//! read back: works and their chapters, the account and its password, its
//! token, the search index built from it, and no half-written row. And the
//! two backends' migrations make the same tables with the same columns.

use std::collections::BTreeSet;

use quire_archive::model::Formatted;
use quire_archive::search::{SearchIndex, SearchRequest};
use quire_archive::Archive;
use quire_testkit::postgres::{admin_url, TestDatabase};
use sqlx::Connection;

use crate::backends;

const RELEASE: &str = "release-2026-12-05";

/// Written by the release before summaries, notes, comments and bookmark
/// notes took HTML (`tests/fixtures/make-release-fixture.sh`).
const PLAIN_TEXT_RELEASE: &str = "release-2026-12-06-20052d9";

fn fixture(release: &str, backend: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/{release}.{backend}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture loaded into a new SQLite file, as the release left it; the
/// directory it is in.
async fn load_sqlite(release: &str) -> std::path::PathBuf {
    let dir = backends::scratch_dir("quire-upgrade-sqlite");
    let file = dir.join("quire.sqlite");
    let mut connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
    // The dump lists tables by name, not by what refers to what.
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut connection)
        .await
        .unwrap();
    sqlx::raw_sql(&fixture(release, "sqlite"))
        .execute(&mut connection)
        .await
        .expect("the fixture loads");
    connection.close().await.unwrap();
    dir
}

/// The fixture loaded into a new PostgreSQL database.
async fn load_postgres(release: &str) -> TestDatabase {
    let database = TestDatabase::create("quire_upgrade").await;
    let mut connection = sqlx::PgConnection::connect(&database.url).await.unwrap();
    // psql's own commands (`\restrict`) are not SQL.
    let script: String = fixture(release, "postgres")
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .map(|line| format!("{line}\n"))
        .collect();
    sqlx::raw_sql(&script)
        .execute(&mut connection)
        .await
        .expect("the fixture loads");
    connection.close().await.unwrap();
    database
}

/// What the fixture's archive must hold once opened by this release.
async fn reads_back(name: &str, archive: &Archive) {
    let ids = archive.work_ids_after(0, 100).await.unwrap();
    assert_eq!(ids.len(), 3, "{name}: the fixture's works");
    for id in &ids {
        let work = archive.work(*id).await.unwrap().expect("a stored work");
        assert!(!work.title.is_empty(), "{name}: work {id}'s title");
        assert!(!work.chapters.is_empty(), "{name}: work {id}'s chapters");
        for chapter in &work.chapters {
            assert!(
                !chapter.body.paragraphs.is_empty() && !chapter.html.is_empty(),
                "{name}: work {id}'s stored chapter reads"
            );
        }
    }
    let user = archive
        .authenticate("fixture_writer", "correct horse battery")
        .await
        .unwrap()
        .expect("the fixture's account signs in with its password");
    assert_eq!(archive.api_tokens_of(user.id).await.unwrap().len(), 1);
    assert_eq!(
        archive.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let dir = backends::scratch_dir("quire-upgrade-index");
    let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
    index.catch_up().await.unwrap();
    let all = index.search(&SearchRequest::new(), true).unwrap();
    assert_eq!(all.total, 3, "{name}: the index built from the old archive");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_sqlite_archive_of_the_last_release_opens_and_reads_back() {
    let dir = load_sqlite(RELEASE).await;
    let file = dir.join("quire.sqlite");
    let url = format!("sqlite://{}", file.display());
    let (_, older) = chapter_formats(&url).await;
    assert!(older > 0, "the fixture's chapters predate the text format");
    let archive = Archive::open_data_dir(&dir)
        .await
        .expect("this release opens it");
    assert_eq!(chapter_formats(&url).await, (older, 0), "rewritten on open");
    reads_back("sqlite", &archive).await;
    archive.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_postgres_archive_of_the_last_release_opens_and_reads_back() {
    if admin_url().is_none() {
        return;
    }
    let database = load_postgres(RELEASE).await;
    let url = database.url.clone();
    let (_, older) = chapter_formats(&url).await;
    assert!(older > 0, "the fixture's chapters predate the text format");
    let archive = Archive::open(&url).await.expect("this release opens it");
    assert_eq!(chapter_formats(&url).await, (older, 0), "rewritten on open");
    reads_back("postgres", &archive).await;
    archive.close().await;
    database.remove().await;
}

/// What the plain-text fixture's fields must read as once opened: every
/// `<` and `&` the writer's own, line breaks made paragraphs, nothing that
/// looked like a tag made one; and the same after opening again.
async fn plain_text_reads_back_as_it_was_written(name: &str, archive: &Archive) {
    let work = archive.work(1).await.unwrap().expect("the fixture's work");
    assert_eq!(
        work.summary.html(),
        "<p>Where a &lt; b &amp; c &gt; d.<br />A second line.</p>\n\
         <p>A second paragraph with &lt;b&gt;no bold&lt;/b&gt;.</p>",
        "{name}"
    );
    assert_eq!(
        work.summary.text(),
        "Where a < b & c > d.\nA second line.\n\nA second paragraph with <b>no bold</b>.",
        "{name}"
    );
    assert_eq!(
        work.notes_start.text(),
        "For a friend <3 & her cat.",
        "{name}"
    );
    assert_eq!(
        work.notes_end.text(),
        "Thanks for reading!\n\nMore soon.",
        "{name}"
    );
    let two = &work.chapters[1];
    assert_eq!(two.summary.text(), "Chapter two: 1 < 2.", "{name}");
    assert_eq!(two.notes_start.text(), "Beta: <em>nobody</em>", "{name}");
    assert_eq!(
        two.notes_end.html(),
        "<p>Line one<br />Line two</p>",
        "{name}"
    );
    let comments = archive.comments_on_work(1).await.unwrap();
    assert_eq!(
        comments[0].body.text(),
        "I <3 this.\n\nSo much & more.",
        "{name}"
    );
    let writer = archive
        .authenticate("fixture_writer", "correct horse battery")
        .await
        .unwrap()
        .expect("the fixture's account");
    let bookmarks = archive
        .bookmarks_of(writer.id, quire_archive::Viewer::User(writer.id))
        .await
        .unwrap();
    assert_eq!(
        bookmarks[0].note.html(),
        "<p>Read it twice &lt;3<br />and again</p>",
        "{name}"
    );
    // Search reads the words, not the markup.
    let dir = backends::scratch_dir("quire-upgrade-index");
    let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
    index.catch_up().await.unwrap();
    let mut request = SearchRequest::new();
    request.text = "\"second paragraph\"".into();
    let found = index.search(&request, true).unwrap();
    assert_eq!(found.total, 1, "{name}: found by its summary's words");
    assert_eq!(
        found.works[0].summary, work.summary,
        "{name}: the blurb's summary"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn plain_text_fields_of_the_last_release_become_the_same_words_in_html_on_sqlite() {
    let dir = load_sqlite(PLAIN_TEXT_RELEASE).await;
    for _ in 0..2 {
        let archive = Archive::open_data_dir(&dir)
            .await
            .expect("this release opens it");
        plain_text_reads_back_as_it_was_written("sqlite", &archive).await;
        archive.close().await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn plain_text_fields_of_the_last_release_become_the_same_words_in_html_on_postgres() {
    if admin_url().is_none() {
        return;
    }
    let database = load_postgres(PLAIN_TEXT_RELEASE).await;
    for _ in 0..2 {
        let archive = Archive::open(&database.url)
            .await
            .expect("this release opens it");
        plain_text_reads_back_as_it_was_written("postgres", &archive).await;
        archive.close().await;
    }
    database.remove().await;
}

/// How many stored chapters are, and are not, in the text format this
/// release writes (`{"v":1,…}`).
async fn chapter_formats(url: &str) -> (usize, usize) {
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT manuscript FROM chapters")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    let current = rows
        .iter()
        .filter(|(text,)| text.starts_with("{\"v\":1,"))
        .count();
    (current, rows.len() - current)
}

/// `(table, column)` of every table the migrations made.
async fn columns(test: &backends::TestArchive) -> BTreeSet<(String, String)> {
    sqlx::any::install_default_drivers();
    let url = test.url.as_deref().expect("an address");
    let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
    let sql = match test.name {
        "sqlite" => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'"
        }
        _ => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
        }
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql)
        .fetch_all(&mut connection)
        .await
        .unwrap();
    rows.into_iter().collect()
}

#[tokio::test]
async fn both_backends_migrations_make_the_same_tables_and_columns() {
    let archives = backends::all().await;
    if archives.len() < 2 {
        // Without QUIRE_TEST_POSTGRES there is one backend to compare.
        for test in archives {
            test.finish().await;
        }
        return;
    }
    let mut found = Vec::new();
    for test in &archives {
        found.push((test.name, columns(test).await));
    }
    let (sqlite, postgres) = (&found[0].1, &found[1].1);
    assert!(sqlite.len() > 50, "{sqlite:?}");
    assert_eq!(
        sqlite.difference(postgres).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "on SQLite only"
    );
    assert_eq!(
        postgres.difference(sqlite).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "on PostgreSQL only"
    );
    for test in archives {
        test.finish().await;
    }
}

#[tokio::test]
async fn an_upgrade_stopped_halfway_goes_on_where_it_stopped() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive
            .ensure_unowned_pseud("orphan_account")
            .await
            .unwrap();
        let mut ids = Vec::new();
        for _ in 0..3 {
            let mut draft = crate::works::draft();
            draft.summary = Formatted::from_text("a < b");
            ids.push(archive.post_work(&[pseud], &draft).await.unwrap());
        }
        // As a crash would leave it: the first work rewritten and noted as
        // done, the others still as the last release wrote them.
        let url = test.url.clone().expect("an address");
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&url).await.unwrap();
        for id in &ids[1..] {
            sqlx::query("UPDATE works SET summary = $1 WHERE id = $2")
                .bind("a < b")
                .bind(id)
                .execute(&mut connection)
                .await
                .unwrap();
        }
        sqlx::query("INSERT INTO formatting_upgrades (name, done_through) VALUES ('works', $1)")
            .bind(ids[0])
            .execute(&mut connection)
            .await
            .unwrap();
        connection.close().await.unwrap();
        let reopened = Archive::open(&url).await.expect("it opens");
        for id in &ids {
            let work = reopened.work(*id).await.unwrap().expect("the work");
            assert_eq!(
                work.summary.html(),
                "<p>a &lt; b</p>",
                "{}: work {id} rewritten once",
                test.name
            );
        }
        reopened.close().await;
        test.finish().await;
    }
}
