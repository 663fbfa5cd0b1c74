//! `quire backup` and `quire restore`: a SQLite archive round trip, and a
//! PostgreSQL archive through pg_dump and pg_restore as the command says.

use std::process::{Command, Stdio};

use quire_testkit::postgres::{admin_url, TestDatabase};

use crate::support::{quire, seeds_dir, stderr, stdout, stored_works, DataDir};

#[tokio::test]
async fn backup_and_restore_round_trip() {
    let data = DataDir::dir("backup-source");
    let imported = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let dest = DataDir::dir("backup-dest");
    let backed_up = quire(&["backup", dest.path(), "--data", data.path()]);
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    assert!(
        stdout(&backed_up).starts_with("backed up 2 works"),
        "{}",
        stdout(&backed_up)
    );
    let again = quire(&["backup", dest.path(), "--data", data.path()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already holds a backup"));

    let restored_dir = DataDir::dir("backup-restored");
    let restored = quire(&["restore", dest.path(), "--data", restored_dir.path()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stdout(&restored).contains("restored 2 works")
            && stdout(&restored).contains("search index built (2 works)"),
        "{}",
        stdout(&restored)
    );
    let before = stored_works(&data).await;
    let after = stored_works(&restored_dir).await;
    assert_eq!(
        before
            .iter()
            .map(|w| (&w.title, &w.chapters[0].html))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|w| (&w.title, &w.chapters[0].html))
            .collect::<Vec<_>>()
    );
    let over = quire(&["restore", dest.path(), "--data", restored_dir.path()]);
    assert_eq!(over.status.code(), Some(2));
    assert!(stderr(&over).contains("restore into an empty data directory"));

    let postgres = quire(&[
        "backup",
        dest.path(),
        "--database",
        "postgres://db.example/quire",
    ]);
    assert_eq!(postgres.status.code(), Some(2));
    assert!(stderr(&postgres).contains("pg_dump --format=custom --file"));
}

/// Runs `program` with `args`; fails the test with what it printed.
fn run_tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} runs (scripts/test installs postgresql-client): {e}")
        });
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A PostgreSQL archive is backed up as `quire backup` says (pg_dump),
/// restored with pg_restore into an empty database, migrated, indexed and
/// served: the works and their text come back, and search finds them.
#[test]
fn a_postgres_archive_round_trips_through_pg_dump_and_serves() {
    if admin_url().is_none() {
        return;
    }
    let (source_db, restored_db) = (
        TestDatabase::create_blocking("quire_backup_src"),
        TestDatabase::create_blocking("quire_backup_dst"),
    );
    let (source, restored) = (source_db.url.clone(), restored_db.url.clone());
    let imported = quire(&["import", "--database", &source, &seeds_dir()]);
    assert!(imported.status.success(), "{}", stderr(&imported));

    // `quire backup` names the command; the test runs it as written.
    let dump_dir = DataDir::dir("pg-dump");
    std::fs::create_dir_all(dump_dir.path()).expect("a folder for the dump");
    let said = quire(&["backup", dump_dir.path(), "--database", &source]);
    let said = stderr(&said);
    let command = said
        .lines()
        .find(|line| line.trim_start().starts_with("pg_dump "))
        .unwrap_or_else(|| panic!("no pg_dump command in: {said}"));
    let dump = format!("{}/quire.pgdump", dump_dir.path());
    assert!(command.contains(&dump), "{command}");
    run_tool("pg_dump", &["--format=custom", "--file", &dump, &source]);
    run_tool("pg_restore", &["--no-owner", "--dbname", &restored, &dump]);

    // The restored archive opens (migrations run), builds its index and
    // serves what was backed up.
    let data = DataDir::dir("pg-restored");
    std::fs::create_dir_all(data.path()).expect("a folder to serve from");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--database", &restored, "--listen", "127.0.0.1:0"])
        .current_dir(data.path())
        .env("QUIRE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("quire serve starts");
    let mut output = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut output, &mut line).expect("the address");
    let base = line
        .trim()
        .strip_prefix("quire is listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut found = String::new();
    for _ in 0..300 {
        if let Ok(mut answer) = agent.get(format!("{base}/api/v1/works?per_page=10")).call() {
            found = answer.body_mut().read_to_string().unwrap_or_default();
            if found.contains("\"total\":2") {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        found.contains("\"total\":2"),
        "the restored archive's search: {found}"
    );
    let works: serde_json::Value = serde_json::from_str(&found).expect("JSON");
    let id = works["works"][0]["id"].as_i64().expect("a work's id");
    let mut page = agent
        .get(format!("{base}/works/{id}"))
        .call()
        .expect("the work page");
    assert_eq!(page.status(), 200);
    let title = works["works"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = page.body_mut().read_to_string().unwrap_or_default();
    assert!(body.contains(&title), "{title}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    for database in [source_db, restored_db] {
        database.remove_blocking();
    }
}
