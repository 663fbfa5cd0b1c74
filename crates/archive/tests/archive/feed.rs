//! Following the change feed when PostgreSQL commits out of order: a
//! change numbered before one already seen, committed late, still reaches
//! every follower; a number taken by a transaction that rolled back is
//! passed once it can no longer come. And an index never answers for an
//! archive it wasn't built from.

use quire_archive::feed::FeedCursor;
use quire_archive::model::WorkDraft;
use quire_archive::search::{SearchIndex, SearchRequest};
use quire_testkit::postgres::admin_url;
use sqlx::Connection;

use crate::backends;
use crate::works::draft;

fn titled(title: &str) -> WorkDraft {
    WorkDraft {
        title: title.into(),
        ..draft()
    }
}

fn search(index: &SearchIndex, text: &str) -> Vec<i64> {
    index
        .search(
            &SearchRequest {
                text: text.into(),
                ..SearchRequest::new()
            },
            true,
        )
        .expect("a search")
        .works
        .iter()
        .map(|w| w.id)
        .collect()
}

/// A transaction that takes a change number for `work` (with a new title)
/// and is left open.
async fn open_late_change(url: &str, work: i64, title: &str) -> sqlx::PgConnection {
    let mut connection = sqlx::PgConnection::connect(url).await.expect("connects");
    sqlx::query("BEGIN").execute(&mut connection).await.unwrap();
    sqlx::query("UPDATE works SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(work)
        .execute(&mut connection)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO changes (entity, entity_id, kind, at) VALUES ('work', $1, 'edited', 0)",
    )
    .bind(work)
    .execute(&mut connection)
    .await
    .unwrap();
    connection
}

#[tokio::test]
async fn a_change_committed_late_reaches_the_index_and_a_rolled_back_number_is_passed() {
    if admin_url().is_none() {
        // Only PostgreSQL commits out of order; SQLite's one writer can't.
        return;
    }
    let test = backends::postgres().await;
    let archive = &test.archive;
    let url = test.url.clone().expect("a PostgreSQL archive's address");
    let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
    let early = archive
        .post_work(&[pell], &titled("Lantern Early"))
        .await
        .unwrap();
    let dir = backends::scratch_dir("quire-feed-test");
    let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
    index.catch_up().await.unwrap();
    let mut cursor = archive.feed_cursor_at_end().await.unwrap();

    // A transaction takes its number and waits; another commits after it,
    // and so does one that rolls back.
    let mut late = open_late_change(&url, early, "Lantern Returned").await;
    let bystander = archive
        .post_work(&[pell], &titled("Bystander"))
        .await
        .unwrap();
    let mut rolled_back = open_late_change(&url, bystander, "Never Was").await;
    let after_it = archive
        .post_work(&[pell], &titled("Afterward"))
        .await
        .unwrap();
    sqlx::query("ROLLBACK")
        .execute(&mut rolled_back)
        .await
        .unwrap();
    index.catch_up().await.unwrap();
    let seen = archive.read_feed(&mut cursor, 100).await.unwrap();
    assert_eq!(
        seen.iter().map(|c| c.entity_id).collect::<Vec<_>>(),
        vec![bystander, after_it],
        "what committed is handed on at once, past the holes"
    );
    assert_eq!(search(&index, "Bystander"), vec![bystander]);
    assert_eq!(search(&index, "Afterward"), vec![after_it]);
    assert!(search(&index, "Returned").is_empty());
    assert_eq!(cursor.holes(), 2);

    // The late one commits: every follower gets it, the index included.
    sqlx::query("COMMIT").execute(&mut late).await.unwrap();
    let seen = archive.read_feed(&mut cursor, 100).await.unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].entity_id, seen[0].kind.as_str()),
        (early, "edited")
    );
    index.catch_up().await.unwrap();
    assert_eq!(search(&index, "Returned"), vec![early]);

    // The rolled-back number can no longer come: both followers move past
    // it once every transaction that was open when it went missing has
    // ended (the server's, so other tests' transactions may delay it), and
    // the index says it has every change.
    let last = archive.last_change_seq().await.unwrap();
    for _ in 0..300 {
        archive.read_feed(&mut cursor, 100).await.unwrap();
        index.catch_up().await.unwrap();
        if cursor.holes() == 0 && index.indexed_seq().await == last {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(cursor.holes(), 0);
    assert_eq!(cursor.settled(), last);
    assert_eq!(index.indexed_seq().await, last);
    let _ = std::fs::remove_dir_all(dir);
    test.finish().await;
}

#[tokio::test]
async fn a_hole_is_kept_while_its_transaction_is_open_however_long() {
    if admin_url().is_none() {
        return;
    }
    let test = backends::postgres().await;
    let archive = &test.archive;
    let url = test.url.clone().expect("a PostgreSQL archive's address");
    let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
    let work = archive.post_work(&[pell], &titled("Slow")).await.unwrap();
    let mut cursor = archive.feed_cursor_at_end().await.unwrap();
    let mut late = open_late_change(&url, work, "Slower").await;
    archive.post_work(&[pell], &titled("Quick")).await.unwrap();
    // Many reads while it stays open: the hole is never given up.
    for _ in 0..20 {
        archive.read_feed(&mut cursor, 100).await.unwrap();
        assert_eq!(cursor.holes(), 1);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    sqlx::query("COMMIT").execute(&mut late).await.unwrap();
    let seen = archive.read_feed(&mut cursor, 100).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(cursor.holes(), 0, "a filled hole is no hole");
    assert_eq!(cursor.settled(), archive.last_change_seq().await.unwrap());
    test.finish().await;
}

#[tokio::test]
async fn an_index_never_answers_for_another_archive_or_an_older_copy() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pell = archive.ensure_unowned_pseud("Pell").await.unwrap();
        archive
            .post_work(&[pell], &titled("Original Archive"))
            .await
            .unwrap();
        let dir = backends::scratch_dir("quire-index-identity");
        let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
        index.catch_up().await.unwrap();
        assert_eq!(search(&index, "Original").len(), 1, "{}", test.name);
        drop(index);

        // The same directory on another, empty archive of the same backend.
        let other = match test.name {
            "sqlite" => backends::sqlite().await,
            _ => backends::postgres().await,
        };
        let opp = other.archive.ensure_unowned_pseud("Opp").await.unwrap();
        other
            .archive
            .post_work(&[opp], &titled("Other Archive"))
            .await
            .unwrap();
        let reopened = SearchIndex::open(other.archive.clone(), &dir)
            .await
            .unwrap();
        assert!(
            !reopened.is_ready(),
            "{}: another archive's index is not used",
            test.name
        );
        reopened.catch_up().await.unwrap();
        assert!(search(&reopened, "Original").is_empty(), "{}", test.name);
        assert_eq!(search(&reopened, "Other").len(), 1, "{}", test.name);
        drop(reopened);
        other.finish().await;

        // The same archive as a copy that went another way after the index
        // was made (a backup restored, then written to): its last change is
        // not the one the index recorded, so the index is built again
        // rather than skip what the copy holds.
        let own = backends::scratch_dir("quire-index-identity-own");
        let index = SearchIndex::open(archive.clone(), &own).await.unwrap();
        index.catch_up().await.unwrap();
        drop(index);
        let again = SearchIndex::open(archive.clone(), &own).await.unwrap();
        assert!(again.is_ready(), "{}: its own index is trusted", test.name);
        drop(again);
        sqlx::any::install_default_drivers();
        let mut raw = sqlx::AnyConnection::connect(test.url.as_deref().expect("an address"))
            .await
            .expect("connects");
        let last = archive.last_change_seq().await.unwrap();
        sqlx::query("DELETE FROM changes WHERE seq = $1")
            .bind(last)
            .execute(&mut raw)
            .await
            .unwrap();
        raw.close().await.unwrap();
        let behind = SearchIndex::open(archive.clone(), &own).await.unwrap();
        assert!(
            !behind.is_ready(),
            "{}: an index ahead of its store is built again",
            test.name
        );
        archive
            .post_work(&[pell], &titled("Written After"))
            .await
            .unwrap();
        let diverged = SearchIndex::open(archive.clone(), &own).await.unwrap();
        assert!(
            !diverged.is_ready(),
            "{}: a store that went another way",
            test.name
        );
        diverged.catch_up().await.unwrap();
        assert_eq!(search(&diverged, "Written").len(), 1, "{}", test.name);
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(own);
        test.finish().await;
    }
}

#[test]
fn a_new_cursor_starts_where_it_is_told() {
    let cursor = FeedCursor::at(7);
    assert_eq!(
        (cursor.settled(), cursor.newest(), cursor.holes()),
        (7, 7, 0)
    );
}
