//! Fresh, empty archives on each backend the run has.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use quire_archive::Archive;
use quire_testkit::postgres::{admin_url, TestDatabase};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// One empty archive; dropped data is cleaned up by `finish`.
pub struct TestArchive {
    pub name: &'static str,
    pub archive: Archive,
    /// The database's own address (`sqlite://…` or `postgres://…`), for
    /// tests that write to it beside the archive.
    pub url: Option<String>,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(PathBuf),
    PostgresDatabase(TestDatabase),
}

impl TestArchive {
    /// Removes what the test created. Called at the end of each test; a
    /// failing test leaves its data behind to look at.
    pub async fn finish(self) {
        self.archive.close().await;
        match self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            // The pool is closed, but the server may still be ending its
            // sessions; the drop doesn't wait for them.
            Cleanup::PostgresDatabase(database) => database.remove().await,
        }
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// A new, empty directory under the system's temporary directory.
pub fn scratch_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

pub async fn sqlite() -> TestArchive {
    let dir = scratch_dir("quire-archive-test");
    let archive = Archive::open_data_dir(&dir)
        .await
        .expect("SQLite archive opens");
    TestArchive {
        name: "sqlite",
        archive,
        url: Some(format!("sqlite://{}", dir.join("quire.sqlite").display())),
        cleanup: Cleanup::Directory(dir),
    }
}

/// An empty archive in a new database on the PostgreSQL test server.
pub async fn postgres() -> TestArchive {
    let database = TestDatabase::create("quire_test").await;
    let archive = Archive::open(&database.url)
        .await
        .expect("PostgreSQL archive opens");
    TestArchive {
        name: "postgres",
        archive,
        url: Some(database.url.clone()),
        cleanup: Cleanup::PostgresDatabase(database),
    }
}

/// A member account named `login`, with a default pseud of the same name.
pub async fn member(archive: &Archive, login: &str) -> quire_archive::User {
    archive
        .add_user(
            login,
            &format!("{login}@example.org"),
            "long enough",
            quire_archive::Roles::default(),
        )
        .await
        .expect("a member account")
}

/// An empty archive on every backend this run tests.
pub async fn all() -> Vec<TestArchive> {
    let mut archives = vec![sqlite().await];
    if admin_url().is_some() {
        archives.push(postgres().await);
    }
    archives
}

/// The database URLs every PostgreSQL test here is given.
#[test]
fn database_urls() {
    use quire_testkit::postgres::with_database;
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

/// A server and an importer may open a new archive at the same moment: the
/// schema is created once and both get a working archive.
#[tokio::test]
async fn many_open_one_new_sqlite_archive_at_once() {
    let dir = std::env::temp_dir().join(unique("quire-archive-race"));
    std::fs::create_dir_all(&dir).unwrap();
    let opens: Vec<_> = (0..6)
        .map(|_| {
            let dir = dir.clone();
            tokio::spawn(async move { Archive::open_data_dir(&dir).await })
        })
        .collect();
    for open in opens {
        let archive = open.await.unwrap().expect("every open succeeds");
        archive.health().await.unwrap();
        archive.close().await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
