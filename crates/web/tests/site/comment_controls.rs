//! A work's comment controls through the site and the API: a moderated
//! comment goes from the queue to the page; hidden, spam, who may comment,
//! and an admin removing one person's comments.

use crate::harness::{post_work, Site};

#[test]
fn a_moderated_comment_goes_from_the_queue_to_the_page() {
    let site = Site::start();
    let author = site.member("controls_author");
    let reader = site.member("controls_reader");
    let admin = site.member_with_roles(
        "controls_admin",
        quire_archive::Roles {
            wrangler: false,
            admin: true,
        },
    );
    let guest = site.client();
    let id = post_work(
        &author,
        &[
            ("title", "Guarded comments"),
            ("body", "A story with a queue."),
        ],
    );
    let path = format!("/works/{id}");
    let edit = author.get(&format!("{path}/edit"));
    assert!(edit.body.contains("Hold new comments until I approve them"));
    let saved = author.submit(
        &format!("{path}/edit"),
        &format!("{path}/comment-settings"),
        &[("comment_policy", "everyone"), ("moderated_comments", "1")],
    );
    assert!(
        saved.body.contains("comment settings are saved"),
        "{}",
        saved.body
    );
    assert!(guest
        .get(&path)
        .body
        .contains("wait for its creators' approval"));

    // The reader's comment waits: they see it, marked; nobody else does.
    let posted = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Queued words.")],
    );
    assert!(posted.body.contains("is waiting for the work"));
    assert!(posted.body.contains("Queued words.") && posted.body.contains("(awaiting approval)"));
    let seen = guest.get(&path).body;
    assert!(!seen.contains("Queued words."), "{seen}");
    assert!(seen.contains("Comments (0)"));
    let api = guest.api(
        "GET",
        &format!("/api/v1/works/{id}/chapters/1/comments"),
        None,
        None,
    );
    assert!(!api.body.contains("Queued words."), "{}", api.body);
    // Nor can anyone reply to it yet.
    let comment = site
        .store(async { site.archive.comments_on_work(id).await.unwrap() })
        .last()
        .map(|c| c.id)
        .unwrap_or_default();
    assert!(!seen.contains(&format!("action=\"/comments/{comment}/approve\"")));

    // The author approves it from the page.
    let queue = author.get(&path).body;
    assert!(
        queue.contains(&format!("action=\"/comments/{comment}/approve\"")),
        "{queue}"
    );
    let approved = author.submit(&path, &format!("/comments/{comment}/approve"), &[]);
    assert!(approved.body.contains("approved and on the page"));
    let seen = guest.get(&path).body;
    assert!(
        seen.contains("Queued words.") && seen.contains("Comments (1)"),
        "{seen}"
    );

    // Hidden: readers see that it was, not what it said.
    author.submit(&path, &format!("/comments/{comment}/hide"), &[]);
    let seen = guest.get(&path).body;
    assert!(seen.contains("hidden by the work's creator") && !seen.contains("Queued words."));
    assert!(author.get(&path).body.contains("(hidden from readers)"));
    let api = guest.api(
        "GET",
        &format!("/api/v1/works/{id}/chapters/1/comments"),
        None,
        None,
    );
    assert!(api.body.contains("\"hidden\":true") && !api.body.contains("Queued words."));
    author.submit(&path, &format!("/comments/{comment}/unhide"), &[]);
    assert!(guest.get(&path).body.contains("Queued words."));

    // Spam: an admin's mark, the admins' eyes only; nobody else may mark.
    let refused = author.submit(&path, &format!("/admin/comments/{comment}/spam"), &[]);
    assert_eq!(refused.status, 404);
    admin.submit(&path, &format!("/admin/comments/{comment}/spam"), &[]);
    assert!(!guest.get(&path).body.contains("Queued words."));
    assert!(!author.get(&path).body.contains("Queued words."));
    assert!(admin.get(&path).body.contains("(marked as spam"));
    admin.submit(
        &path,
        &format!("/admin/comments/{comment}/spam"),
        &[("action", "unspam")],
    );

    // Who may comment.
    author.submit(
        &format!("{path}/edit"),
        &format!("{path}/comment-settings"),
        &[("comment_policy", "registered")],
    );
    let page = guest.get(&path).body;
    assert!(page.contains("Sign in</a> to comment"), "{page}");
    let refused = guest.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("name", "Guest"), ("body", "Hi.")],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let now_shown = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Straight onto the page.")],
    );
    assert!(
        now_shown.body.contains("Your comment was posted"),
        "not moderated any more"
    );
    author.submit(
        &format!("{path}/edit"),
        &format!("{path}/comment-settings"),
        &[("comment_policy", "none")],
    );
    assert!(reader.get(&path).body.contains("turned its comments off"));
    let refused = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Hi.")],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);

    // An admin removes everything the reader wrote, from their page.
    let page = admin.get("/users/controls_reader").body;
    assert!(page.contains("Remove their comments"), "{page}");
    let removed = admin.submit(
        "/users/controls_reader",
        "/admin/users/controls_reader/comments/delete",
        &[("confirm", "1")],
    );
    assert!(removed
        .body
        .contains("Every comment this person wrote is removed"));
    assert!(site
        .store(async { site.archive.comments_on_work(id).await.unwrap() })
        .is_empty());
}

#[test]
fn the_api_sets_a_works_controls_and_moderates_its_comments() {
    use quire_archive::tokens::Scope;

    use crate::harness::account_with_token;
    let site = Site::start();
    let author = account_with_token(&site, "api_controls_author", Scope::Write);
    let reader = account_with_token(&site, "api_controls_reader", Scope::Write);
    let client = site.client();
    let posted = client.api(
        "POST",
        "/api/v1/works",
        Some(&author),
        Some(&serde_json::json!({
            "title": "Moderated through the API",
            "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"],
            "fandoms": ["Original Work"],
            "body": "Some words.",
        })),
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let id = serde_json::from_str::<serde_json::Value>(&posted.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let settings = format!("/api/v1/works/{id}/comment-settings");
    let bad = client.api(
        "PUT",
        &settings,
        Some(&author),
        Some(&serde_json::json!({"policy": "friends", "moderated": true})),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    let set = client.api(
        "PUT",
        &settings,
        Some(&author),
        Some(&serde_json::json!({"policy": "registered", "moderated": true})),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    let read = client.api("GET", &settings, None, None);
    assert!(
        read.body.contains("\"policy\":\"registered\"") && read.body.contains("\"moderated\":true")
    );
    let not_theirs = client.api(
        "PUT",
        &settings,
        Some(&reader),
        Some(&serde_json::json!({"policy": "everyone", "moderated": false})),
    );
    assert_eq!(not_theirs.status, 404);

    let comment = client.api(
        "POST",
        &format!("/api/v1/works/{id}/comments"),
        Some(&reader),
        Some(&serde_json::json!({"body": "Held words."})),
    );
    assert_eq!(comment.status, 201, "{}", comment.body);
    let comment_id = serde_json::from_str::<serde_json::Value>(&comment.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let listed = |token: Option<&str>| {
        client
            .api(
                "GET",
                &format!("/api/v1/works/{id}/chapters/1/comments"),
                token,
                None,
            )
            .body
    };
    assert!(!listed(None).contains("Held words."));
    assert!(listed(Some(&reader)).contains("\"held\":true"));
    let refused = client.api(
        "PUT",
        &format!("/api/v1/comments/{comment_id}/approval"),
        Some(&reader),
        None,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let approved = client.api(
        "PUT",
        &format!("/api/v1/comments/{comment_id}/approval"),
        Some(&author),
        None,
    );
    assert_eq!(approved.status, 204, "{}", approved.body);
    assert!(listed(None).contains("Held words."));
    client.api(
        "PUT",
        &format!("/api/v1/comments/{comment_id}/hidden"),
        Some(&author),
        None,
    );
    assert!(!listed(None).contains("Held words."));
    client.api(
        "DELETE",
        &format!("/api/v1/comments/{comment_id}/hidden"),
        Some(&author),
        None,
    );
    assert!(listed(None).contains("Held words."));
    let not_admin = client.api(
        "DELETE",
        "/api/v1/users/api_controls_reader/comments",
        Some(&author),
        None,
    );
    assert_eq!(not_admin.status, 404);
}
