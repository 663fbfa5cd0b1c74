//! A PostgreSQL server to test on, when the run has one: `QUIRE_TEST_POSTGRES`
//! holds its address (an administrator's, as `postgres://user@host/db`),
//! and each test makes its own empty database there. Set but not
//! answering is a failure, never a skip.
//!
//! A database is dropped by [`TestDatabase::remove`] at the end of the
//! test that made it; a failing test leaves its database to look at.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::Connection;

/// The PostgreSQL server this run tests on (`QUIRE_TEST_POSTGRES`), if any.
pub fn admin_url() -> Option<String> {
    std::env::var("QUIRE_TEST_POSTGRES")
        .ok()
        .map(|url| url.trim().to_string())
        .filter(|url| !url.is_empty())
}

/// `postgres://user@host:port/db` with the database replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..authority_end])
}

/// A new, empty database on the test server.
pub struct TestDatabase {
    /// Its name, `PREFIX_PID_N_NANOS`.
    pub name: String,
    /// Its address: the server's, with this database.
    pub url: String,
    admin_url: String,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A name no other test of this run, nor a database an earlier run left
/// behind, has.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// The server's administrator address; panics when the run has none.
fn required_admin_url() -> String {
    admin_url().expect(
        "QUIRE_TEST_POSTGRES is not set: a test asks quire_testkit::postgres::admin_url() first",
    )
}

async fn connect(admin_url: &str) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| {
            panic!("QUIRE_TEST_POSTGRES is set but {admin_url} does not answer: {e}")
        })
}

/// Runs `work` to its end on a runtime of its own, on a thread of its own,
/// so that a caller inside another runtime may wait on it too.
fn block_on<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(work)
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

impl TestDatabase {
    /// A new, empty database named from `prefix` on the server
    /// `QUIRE_TEST_POSTGRES` names. Panics when the variable is not set,
    /// or when it is and the server does not answer.
    pub async fn create(prefix: &str) -> TestDatabase {
        let admin_url = required_admin_url();
        let name = unique(prefix);
        let mut admin = connect(&admin_url).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("test database {name} created: {e}"));
        let url = with_database(&admin_url, &name);
        TestDatabase {
            name,
            url,
            admin_url,
        }
    }

    /// [`TestDatabase::create`] for a test without a runtime.
    pub fn create_blocking(prefix: &str) -> TestDatabase {
        let prefix = prefix.to_string();
        block_on(async move { TestDatabase::create(&prefix).await })
    }

    /// Drops the database, ending whatever sessions still hold it (`WITH
    /// (FORCE)`: a closed pool's sessions may still be ending).
    pub async fn remove(self) {
        let mut admin = connect(&self.admin_url).await;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("test database {} dropped: {e}", self.name));
    }

    /// [`TestDatabase::remove`] for a test without a runtime.
    pub fn remove_blocking(self) {
        block_on(self.remove());
    }
}
