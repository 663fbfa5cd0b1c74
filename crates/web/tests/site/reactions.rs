//! What readers leave on a work: kudos, comments and replies, bookmarks,
//! subscriptions, and hits counted once per reader.

use crate::harness::{eventually, post_work, Site};

#[test]
fn kudos_comments_replies_and_bookmarks() {
    let site = Site::start();
    let author = site.member("kudos_author");
    let reader = site.member("kudos_reader");
    let guest = site.client();
    let id = post_work(
        &author,
        &[("title", "Reactions"), ("body", "A story to react to.")],
    );
    let path = format!("/works/{id}");

    let page = guest.submit(&path, &format!("{path}/kudos"), &[("return_to", &path)]);
    assert!(page.body.contains("Thank you for leaving kudos"));
    assert!(page.body.contains("1 guest left kudos"));
    let again = guest.submit(&path, &format!("{path}/kudos"), &[]);
    assert!(again.body.contains("already left kudos"));
    let page = reader.submit(&path, &format!("{path}/kudos"), &[]);
    assert!(
        page.body.contains("kudos_reader and 1 guest left kudos"),
        "{}",
        page.body
    );
    let own = author.submit(&path, &format!("{path}/kudos"), &[]);
    assert_eq!(own.status, 400);
    assert!(
        !author.get(&path).body.contains("kudos-form"),
        "no kudos button on your own work"
    );

    let page = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "I loved the ending.")],
    );
    assert!(page.body.contains("Your comment was posted"));
    assert!(page.body.contains("I loved the ending."));
    let comment: i64 = site.store(async { site.archive.comments_on_work(id).await.unwrap()[0].id });
    let page = author.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("chapter", "1"),
            ("parent", &comment.to_string()),
            ("body", "Thank you so much!"),
        ],
    );
    assert!(
        page.body.contains("class=\"comment depth-1\""),
        "the reply sits under its comment"
    );
    let guest_comment = guest.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Nameless")],
    );
    assert_eq!(guest_comment.status, 400);
    assert!(guest_comment.body.contains("give a name"));
    let named = guest.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("name", "Passerby"), ("body", "Lovely.")],
    );
    assert!(named.body.contains("Passerby") && named.body.contains("(guest)"));

    // Only the writer edits; the writer or the work's author deletes.
    let edit = format!("/comments/{comment}/edit");
    let refused = author.submit(&path, &edit, &[("body", "Changed by someone else")]);
    assert_eq!(refused.status, 403);
    assert!(refused
        .body
        .contains("Only the person who wrote a comment can edit it."));
    let edited = reader.submit(
        &path,
        &edit,
        &[("body", "I loved the ending, truly."), ("return_to", &path)],
    );
    assert!(edited.body.contains("I loved the ending, truly.") && edited.body.contains("(edited)"));
    let token = guest.get(&path).csrf();
    let guest_delete = guest.post(&format!("/comments/{comment}/delete"), &[("csrf", &token)]);
    assert_eq!(guest_delete.status, 303, "a guest is asked to sign in");
    assert!(guest_delete
        .location
        .unwrap_or_default()
        .starts_with("/login"));
    let deleted = author.submit(&path, &format!("/comments/{comment}/delete"), &[]);
    assert!(deleted.body.contains("The comment was deleted"));
    assert!(!deleted.body.contains("I loved the ending"));

    let asked = guest.post(
        &format!("{path}/bookmarks"),
        &[("csrf", &token), ("note", "mine")],
    );
    assert_eq!(asked.status, 303);
    assert!(asked.location.unwrap_or_default().starts_with("/login"));
    let saved = reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[
            ("note", "Comfort read"),
            ("tags", "fluff, reread"),
            ("rec", "1"),
        ],
    );
    assert!(saved.body.contains("Bookmarked"));
    let subscribed = reader.submit(&path, &format!("{path}/subscription"), &[]);
    assert!(subscribed.body.contains("re subscribed") && subscribed.body.contains("Unsubscribe"));
    let unsubscribed = reader.submit(
        &path,
        &format!("{path}/subscription"),
        &[("action", "unsubscribe")],
    );
    assert!(unsubscribed.body.contains("no longer subscribed"));
    eventually("the counts reach the list", || {
        let list = guest.get("/works").body;
        list.contains("<dt>Kudos:</dt><dd>2</dd>") && list.contains("<dt>Bookmarks:</dt><dd>1</dd>")
    });
}

/// A view is counted once per reader per day, written within a few
/// seconds (in a batch) rather than while the page is drawn; an author
/// reading their own work isn't counted.
#[test]
fn hits_are_counted_in_batches_once_per_reader() {
    let site = Site::start();
    let author = site.member("hit_author");
    let id = post_work(&author, &[("title", "Counted"), ("body", "Words.")]);
    let path = format!("/works/{id}");
    let guest = site.client();
    for _ in 0..3 {
        assert_eq!(guest.get(&path).status, 200);
    }
    author.get(&path);
    eventually("the hit is written", || {
        site.store(site.archive.hit_count(id)).unwrap() == 1
    });
    let reader = site.member("hit_reader");
    reader.get(&path);
    eventually("the second reader's hit is written", || {
        site.store(site.archive.hit_count(id)).unwrap() == 2
    });
}

/// The work's author freezes a whole thread from its page: every reply in
/// it, at every depth, shows as frozen and loses its Reply form, and a
/// reply three levels down is refused; another thread stays open; the
/// API unfreezes it and the deep reply goes through.
#[test]
fn a_frozen_thread_refuses_a_reply_three_levels_down() {
    use quire_archive::tokens::Scope;
    let site = Site::start();
    let author = site.member("thread_author");
    let reader = site.member("thread_reader");
    let id = post_work(
        &author,
        &[
            ("title", "Threads"),
            ("body", "A story with a long thread."),
        ],
    );
    let path = format!("/works/{id}");
    let comment = |parent: Option<i64>, body: &str| {
        let parent = parent.map(|p| p.to_string()).unwrap_or_default();
        reader.submit(
            &path,
            &format!("{path}/comments"),
            &[("chapter", "1"), ("parent", &parent), ("body", body)],
        )
    };
    let newest = || {
        site.store(async { site.archive.comments_on_work(id).await.unwrap() })
            .last()
            .map(|c| c.id)
            .unwrap_or_default()
    };
    comment(None, "The first comment.");
    let root = newest();
    comment(Some(root), "One level down.");
    let one = newest();
    comment(Some(one), "Two levels down.");
    let two = newest();
    comment(Some(two), "Three levels down.");
    let three = newest();
    comment(None, "Another thread.");
    let other = newest();

    assert!(
        !reader.get(&path).body.contains("Freeze thread"),
        "only the work's creators are offered the button"
    );
    let refused = reader.submit(&path, &format!("/comments/{root}/freeze"), &[]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let page = author.submit(&path, &format!("/comments/{root}/freeze"), &[]);
    assert!(page.body.contains("The thread is frozen"), "{}", page.body);
    assert_eq!(
        page.body.matches("(frozen: no replies)").count(),
        4,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("Unfreeze thread").count(), 4);
    let page = reader.get(&path);
    for frozen in [root, one, two, three] {
        assert!(
            !page
                .body
                .contains(&format!("name=\"parent\" value=\"{frozen}\"")),
            "no Reply form under frozen comment {frozen}"
        );
    }
    assert!(page
        .body
        .contains(&format!("name=\"parent\" value=\"{other}\"")));

    let deep = comment(Some(three), "Four levels down.");
    assert_eq!(deep.status, 400, "{}", deep.body);
    assert!(deep.body.contains("frozen"), "{}", deep.body);
    let open = comment(Some(other), "This one is open.");
    assert!(
        open.body.contains("Your comment was posted"),
        "{}",
        open.body
    );

    // The API unfreezes (its creators only), and the thread takes replies.
    let token = crate::harness::account_with_token(&site, "thread_api_author", Scope::Write);
    let not_theirs = site.client().api(
        "DELETE",
        &format!("/api/v1/comments/{root}/freeze"),
        Some(&token),
        None,
    );
    assert_eq!(not_theirs.status, 403, "{}", not_theirs.body);
    let author_token = site.store(async {
        let user = site
            .archive
            .user_id_of("thread_author")
            .await
            .unwrap()
            .expect("the author's account");
        site.archive
            .create_api_token(user, "threads", Scope::Write)
            .await
            .unwrap()
            .1
    });
    let unfrozen = site.client().api(
        "DELETE",
        &format!("/api/v1/comments/{root}/freeze"),
        Some(&author_token),
        None,
    );
    assert_eq!(unfrozen.status, 204, "{}", unfrozen.body);
    let deep = comment(Some(three), "Four levels down.");
    assert!(
        deep.body.contains("Your comment was posted"),
        "{}",
        deep.body
    );
    assert!(!reader.get(&path).body.contains("(frozen: no replies)"));
}
