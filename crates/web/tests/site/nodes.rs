//! Several nodes on one PostgreSQL: what one writes, every other shows,
//! even a transaction that commits after a later one (PostgreSQL's commits
//! come in any order). Runs when QUIRE_TEST_POSTGRES is set (CI sets it).

use quire_testkit::postgres::{admin_url, TestDatabase};
use sqlx::Connection;

use crate::harness::{eventually, post_work, Site};

#[test]
fn a_late_commit_reaches_every_nodes_search_and_guests_pages() {
    if admin_url().is_none() {
        return;
    }
    let test_database = TestDatabase::create_blocking("quire_nodes");
    let database = test_database.url.clone();
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
    // The nodes still hold connections; the drop ends them.
    test_database.remove_blocking();
}

#[test]
fn a_podfic_uploaded_through_one_node_plays_from_another_through_their_bucket() {
    if admin_url().is_none() {
        return;
    }
    use crate::uploads::{media_addresses, png, post_with_files, posted, wav};
    let bucket = quire_testkit::bucket::S3Service::start("quire-nodes");
    let test_database = TestDatabase::create_blocking("quire_nodes_media");
    let database = test_database.url.clone();
    let (a, b) = (bucket.settings(""), bucket.settings(""));
    let node_a = Site::start_on(Some(database.clone()), move |s| s.media_bucket = Some(a));
    let node_b = Site::start_on(Some(database.clone()), move |s| s.media_bucket = Some(b));
    let podficcer = node_a.member("node_podficcer");
    let recording = wav(2);
    let answer = post_with_files(
        &podficcer,
        &[
            ("body", "Read aloud."),
            ("media_1_description", "A lantern, drawn"),
        ],
        &[
            ("media_1", "lantern.png", &png(64, 64)),
            ("media_2", "lantern.wav", &recording),
        ],
    );
    let id = posted(answer);
    let guest = node_b.client();
    let page = format!("/works/{id}");
    eventually("the other node shows the work", || {
        guest.get(&page).status == 200
    });
    let addresses = media_addresses(&guest.get(&page).body);
    let (art, audio) = (&addresses[0], &addresses[1]);
    assert_eq!(
        guest.fetch(art, &[]).status,
        200,
        "node B serves node A's upload"
    );
    let range = guest.fetch(audio, &[("range", "bytes=0-99")]);
    assert_eq!(range.status, 206);
    assert_eq!(range.bytes, recording[..100]);
    let delete = podficcer.submit(
        &format!("/works/{id}/edit"),
        &format!("/works/{id}/delete"),
        &[("confirm", "1")],
    );
    assert_eq!(delete.status, 200, "{}", delete.body);
    assert_eq!(
        guest.fetch(audio, &[]).status,
        404,
        "gone from node B with the work"
    );
    drop((node_a, node_b));
    test_database.remove_blocking();
}
