//! Several nodes on one PostgreSQL: what one writes, every other shows,
//! even a transaction that commits after a later one (PostgreSQL's commits
//! come in any order). Runs when QUIRE_TEST_POSTGRES is set (CI sets it).

use sqlx::Connection;

use crate::harness::{eventually, post_work, Site};

/// A new, empty database on the test server; its URL.
fn new_database(admin: &str) -> String {
    let name = format!(
        "quire_nodes_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(admin)
            .await
            .unwrap_or_else(|e| {
                panic!("QUIRE_TEST_POSTGRES is set but {admin} does not answer: {e}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("a database");
    });
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

#[test]
fn a_late_commit_reaches_every_nodes_search_and_guests_pages() {
    let Some(admin) = std::env::var("QUIRE_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        return;
    };
    let database = new_database(admin.trim());
    let writer_node = Site::start_on(Some(database.clone()), |_| {});
    let reader_node = Site::start_on(Some(database.clone()), |_| {});
    let author = writer_node.member("node_author");
    let work = post_work(&author, &[("title", "Lantern Early"), ("body", "Words.")]);
    let guest = reader_node.client();
    let page = format!("/works/{work}");
    eventually("the other node shows the work", || {
        guest.get(&page).body.contains("Lantern Early")
    });
    // Its guests' page is now kept by the reading node.
    assert!(guest.get(&page).body.contains("Lantern Early"));

    // A transaction takes its change number and commits after a later one.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut late = runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(&database).await.expect("connects");
        for sql in [
            "BEGIN".to_string(),
            format!("UPDATE works SET title = 'Lantern Returned', version = version + 1 WHERE id = {work}"),
            format!("INSERT INTO changes (entity, entity_id, kind, at) VALUES ('work', {work}, 'edited', 0)"),
        ] {
            sqlx::query(&sql).execute(&mut connection).await.expect(&sql);
        }
        connection
    });
    let other = post_work(&author, &[("title", "Bystander"), ("body", "Words.")]);
    eventually("the later work is found on the reading node", || {
        guest
            .get("/works?q=Bystander")
            .body
            .contains(&format!("/works/{other}\""))
    });
    runtime.block_on(async {
        sqlx::query("COMMIT")
            .execute(&mut late)
            .await
            .expect("commits");
    });
    eventually("the late title on the reading node's guest page", || {
        guest.get(&page).body.contains("Lantern Returned")
    });
    eventually("the late title in the reading node's search", || {
        guest
            .get("/works?q=Returned")
            .body
            .contains(&format!("/works/{work}\""))
    });
    let name = database.rsplit('/').next().unwrap_or_default().to_string();
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(admin.trim())
            .await
            .expect("connects");
        // The nodes still hold connections; FORCE ends them.
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut connection)
            .await;
    });
}
