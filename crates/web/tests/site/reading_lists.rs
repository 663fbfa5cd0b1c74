//! Marked for later and reading history: a reader's own lists, on the
//! dashboard, in their e-reader feed and through the API.

use quire_archive::tokens::Scope;

use crate::harness::{account_with_token, post_work, Site};

#[test]
fn a_reader_marks_works_for_later_and_keeps_the_history_they_want() {
    let site = Site::start();
    let author = site.member("lists_author");
    let reader = site.member("lists_reader");
    let first = post_work(
        &author,
        &[("title", "Read tonight"), ("body", "A story for later.")],
    );
    let second = post_work(
        &author,
        &[
            ("title", "Read someday"),
            ("body", "Another story for later."),
        ],
    );
    let path = format!("/works/{first}");
    assert!(
        !author.get(&path).body.contains("Mark for later"),
        "not on one's own work"
    );
    let page = reader.get(&path).body;
    assert!(page.contains(">Mark for later</button>"), "{page}");
    let marked = reader.submit(&path, &format!("{path}/later"), &[]);
    assert!(
        marked.body.contains("Marked for later: it waits"),
        "{}",
        marked.body
    );
    assert!(marked.body.contains("Marked for later · remove"));
    reader.submit(
        &format!("/works/{second}"),
        &format!("/works/{second}/later"),
        &[],
    );
    let dashboard = reader.get("/dashboard").body;
    let later = &dashboard[dashboard.find("later-heading").unwrap()..];
    let (tonight, someday) = (
        later.find("Read tonight").unwrap(),
        later.find("Read someday").unwrap(),
    );
    assert!(someday < tonight, "newest mark first");
    // The e-reader feed carries the same list.
    let feed = reader.get("/opds/later");
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("Read tonight") && feed.body.contains("Read someday"));
    // Off the list from the dashboard.
    let removed = reader.submit(
        "/dashboard",
        &format!("/works/{first}/later"),
        &[("action", "unmark"), ("return_to", "/dashboard")],
    );
    let later = &removed.body[removed.body.find("later-heading").unwrap()..];
    assert!(!later[..later.find("history-heading").unwrap()].contains("Read tonight"));

    // History: both read, one removed on its own.
    let history = reader.get("/dashboard").body;
    let history = &history[history.find("history-heading").unwrap()..];
    assert!(history.contains("Read tonight") && history.contains("Read someday"));
    let forgotten = reader.submit(
        "/dashboard",
        &format!("/dashboard/history/{first}/delete"),
        &[],
    );
    let history = &forgotten.body[forgotten.body.find("history-heading").unwrap()..];
    assert!(!history.contains("Read tonight") && history.contains("Read someday"));
    // Asking for none forgets it all and keeps nothing after.
    reader.submit("/preferences", "/preferences", &[("keep_no_history", "1")]);
    reader.get(&path);
    let history = reader.get("/dashboard").body;
    let history = &history[history.find("history-heading").unwrap()..];
    assert!(
        history.contains("You asked for no reading history"),
        "{history}"
    );
    assert!(!history.contains("Read someday") && !history.contains("last read"));

    // The API: the same list, and marks.
    let token = account_with_token(&site, "lists_api", Scope::Write);
    let client = site.client();
    let put = client.api(
        "PUT",
        &format!("/api/v1/works/{second}/later"),
        Some(&token),
        None,
    );
    assert_eq!(put.status, 204, "{}", put.body);
    let list = client.api("GET", "/api/v1/me/later", Some(&token), None);
    assert!(list.body.contains("Read someday"), "{}", list.body);
    client.api(
        "DELETE",
        &format!("/api/v1/works/{second}/later"),
        Some(&token),
        None,
    );
    let list = client.api("GET", "/api/v1/me/later", Some(&token), None);
    assert!(list.body.contains("\"works\":[]"), "{}", list.body);
}
