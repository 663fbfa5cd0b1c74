//! Archives written by an earlier release open in this one, on both
//! backends: the fixtures under `tests/fixtures/` were written by the
//! release named in their first lines (see there how), and each is loaded
//! into an empty database, opened (which runs every newer migration) and
//! read back: works and their chapters, the account and its password, its
//! token, the search index built from it, and no half-written row. And the
//! two backends' migrations make the same tables with the same columns.

use std::collections::BTreeSet;

use quire_archive::search::{SearchIndex, SearchRequest};
use quire_archive::Archive;
use quire_testkit::postgres::{admin_url, TestDatabase};
use sqlx::Connection;

use crate::backends;

const RELEASE: &str = "release-2026-12-05";

fn fixture(backend: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/{RELEASE}.{backend}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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
    sqlx::raw_sql(&fixture("sqlite"))
        .execute(&mut connection)
        .await
        .expect("the fixture loads");
    connection.close().await.unwrap();
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
    let database = TestDatabase::create("quire_upgrade").await;
    let url = database.url.clone();
    let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
    // psql's own commands (`\restrict`) are not SQL.
    let script: String = fixture("postgres")
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .map(|line| format!("{line}\n"))
        .collect();
    sqlx::raw_sql(&script)
        .execute(&mut connection)
        .await
        .expect("the fixture loads");
    connection.close().await.unwrap();
    let (_, older) = chapter_formats(&url).await;
    assert!(older > 0, "the fixture's chapters predate the text format");
    let archive = Archive::open(&url).await.expect("this release opens it");
    assert_eq!(chapter_formats(&url).await, (older, 0), "rewritten on open");
    reads_back("postgres", &archive).await;
    archive.close().await;
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
