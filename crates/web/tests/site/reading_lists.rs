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

#[test]
fn bookmarks_are_one_per_reader_and_listed_by_person_and_tag() {
    let site = Site::start();
    let author = site.member("bm_author");
    let reader = site.member("bm_reader");
    let other = site.member("bm_other");
    let id = post_work(
        &author,
        &[
            ("title", "Bookmarked story"),
            ("body", "A story to keep."),
            ("freeforms", "Slow Burn"),
        ],
    );
    let path = format!("/works/{id}");
    reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[
            ("note", "First thoughts."),
            ("tags", "Comfort"),
            ("rec", "1"),
        ],
    );
    // Bookmarking again changes the one bookmark; the form shows it.
    let again = reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[
            ("note", "Second thoughts."),
            ("tags", "Comfort, Reread"),
            ("rec", "1"),
        ],
    );
    assert!(
        again.body.contains("Save changes to your bookmark"),
        "{}",
        again.body
    );
    assert!(again.body.contains("Second thoughts."));
    other.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[("note", ""), ("tags", "Later")],
    );

    let guest = site.client();
    let all = guest.get("/bookmarks").body;
    assert!(all.contains("2 bookmarks"), "{all}");
    assert!(all.contains("Second thoughts.") && !all.contains("First thoughts."));
    let recs = guest.get("/bookmarks?recs=1").body;
    assert!(
        recs.contains("1 bookmark") && recs.contains("bm_reader"),
        "{recs}"
    );
    let mine = guest.get("/users/bm_reader/bookmarks").body;
    assert!(mine.contains("Bookmarks by bm_reader") && mine.contains("1 bookmark"));
    // A tag page finds the bookmarker's tags and the work's own.
    let by_own_tag = guest.get("/tags/Reread/bookmarks").body;
    assert!(by_own_tag.contains("1 bookmark"), "{by_own_tag}");
    let by_work_tag = guest.get("/tags/Slow%20Burn/bookmarks").body;
    assert!(by_work_tag.contains("2 bookmarks"), "{by_work_tag}");

    // Edited and deleted from the list, by their owner only.
    let bookmark = site
        .store(async {
            let user = site.archive.user_id_of("bm_reader").await.unwrap().unwrap();
            site.archive.bookmark_of_work(user, id).await.unwrap()
        })
        .expect("the reader's bookmark")
        .id;
    let list = reader.get("/bookmarks").body;
    assert!(list.contains(&format!("action=\"/bookmarks/{bookmark}/edit\"")));
    assert!(!other
        .get("/bookmarks")
        .body
        .contains(&format!("action=\"/bookmarks/{bookmark}/edit\"")));
    let refused = other.submit(
        "/bookmarks",
        &format!("/bookmarks/{bookmark}/edit"),
        &[("note", "Not mine.")],
    );
    assert_eq!(refused.status, 403);
    let edited = reader.submit(
        "/bookmarks",
        &format!("/bookmarks/{bookmark}/edit"),
        &[
            ("note", "Third thoughts."),
            ("private", "1"),
            ("return_to", "/bookmarks"),
        ],
    );
    assert!(
        edited.body.contains("Your bookmark is changed"),
        "{}",
        edited.body
    );
    assert!(edited.body.contains("(private)"));
    assert!(
        !guest.get("/bookmarks").body.contains("Third thoughts."),
        "private now"
    );

    // A muted bookmarker's bookmarks leave the list, counted.
    guest.submit("/users/bm_other", "/users/bm_other/mute", &[]);
    let muted = guest.get("/bookmarks").body;
    assert!(!muted.contains("bm_other"), "{muted}");
    assert!(muted.contains("1 hidden · <a"), "{muted}");

    // The API lists the same.
    let api = guest.api("GET", "/api/v1/bookmarks?tag=Later", None, None);
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(
        api.body.contains("\"total\":1") && api.body.contains("bm_other"),
        "{}",
        api.body
    );
    let bad = guest.api("GET", "/api/v1/bookmarks?sort=sideways", None, None);
    assert_eq!(bad.status, 400);
    let long = "t".repeat(151);
    let too_long = guest.api("GET", &format!("/api/v1/bookmarks?tag={long}"), None, None);
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    assert_eq!(guest.get(&format!("/bookmarks?tag={long}")).status, 400);
    assert_eq!(guest.get(&format!("/tags/{long}/bookmarks")).status, 400);
    let twice = guest.api(
        "GET",
        "/api/v1/bookmarks?sort=newest&sort=oldest",
        None,
        None,
    );
    assert_eq!(twice.status, 400);
    assert_eq!(
        twice.header("content-type"),
        Some("application/problem+json")
    );

    let deleted = reader.submit(
        "/bookmarks",
        &format!("/bookmarks/{bookmark}/delete"),
        &[("return_to", "/bookmarks")],
    );
    assert!(deleted.body.contains("The bookmark is deleted"));
    assert!(reader.get(&path).body.contains(">Save bookmark</button>"));
}

#[test]
fn series_and_works_elsewhere_are_bookmarked_from_pages_and_the_api() {
    let site = Site::start();
    let author = site.member("bx_author");
    let reader = site.member("bx_reader");
    post_work(
        &author,
        &[
            ("title", "Part one"),
            ("body", "The first part."),
            ("series", "The Long Cycle"),
        ],
    );
    let series = site
        .store(async {
            let user = site.archive.user_id_of("bx_author").await.unwrap().unwrap();
            site.archive.series_of_user(user).await.unwrap()
        })
        .first()
        .map(|s| s.0)
        .expect("the series");
    let path = format!("/series/{series}");
    assert!(!site
        .client()
        .get(&path)
        .body
        .contains("Bookmark this series"));
    let page = reader.get(&path).body;
    assert!(page.contains("Bookmark this series"), "{page}");
    let saved = reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[("note", "The whole cycle."), ("rec", "1")],
    );
    assert!(saved.body.contains("Bookmarked."), "{}", saved.body);
    assert!(saved.body.contains("Your bookmark of this series"));

    let form = reader.get("/bookmarks/external/new");
    assert_eq!(form.status, 200);
    let bad = reader.submit(
        "/bookmarks/external/new",
        "/bookmarks/external/new",
        &[("url", "javascript:alert(1)"), ("title", "Trap")],
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    let kept = reader.submit(
        "/bookmarks/external/new",
        "/bookmarks/external/new",
        &[
            ("url", "https://example.org/fic/7"),
            ("title", "Far Away"),
            ("creator", "someone_else"),
            ("work_tags", "Other Fandom, Fluff"),
            ("note", "Found it elsewhere."),
        ],
    );
    assert!(
        kept.body.contains("Bookmarks by bx_reader"),
        "{}",
        kept.body
    );
    assert!(kept.body.contains("href=\"https://example.org/fic/7\""));
    assert!(kept.body.contains("by someone_else <em>(elsewhere)</em>"));
    assert!(kept.body.contains(&format!(
        "Series: <a href=\"/series/{series}\">The Long Cycle</a>"
    )));
    let by_tag = site.client().get("/tags/Fluff/bookmarks").body;
    assert!(by_tag.contains("Far Away"), "{by_tag}");

    // The API: a series and a work elsewhere, and what it lists.
    let token =
        crate::harness::account_with_token(&site, "bx_api", quire_archive::tokens::Scope::Write);
    let client = site.client();
    let series_mark = client.api(
        "POST",
        &format!("/api/v1/series/{series}/bookmarks"),
        Some(&token),
        Some(&serde_json::json!({"note": "Through the API."})),
    );
    assert_eq!(series_mark.status, 201, "{}", series_mark.body);
    let refused = client.api(
        "POST",
        "/api/v1/bookmarks/external",
        Some(&token),
        Some(&serde_json::json!({"work": {"url": "ftp://example.org/x", "title": "X"}})),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let elsewhere = client.api(
        "POST",
        "/api/v1/bookmarks/external",
        Some(&token),
        Some(&serde_json::json!({
            "work": {"url": "https://example.org/fic/8", "title": "Further", "tags": ["Angst"]},
            "bookmark": {"rec": true},
        })),
    );
    assert_eq!(elsewhere.status, 201, "{}", elsewhere.body);
    let listed = client
        .api("GET", "/api/v1/users/bx_api/bookmarks", None, None)
        .body;
    assert!(
        listed.contains("\"url\":\"https://example.org/fic/8\""),
        "{listed}"
    );
    assert!(listed.contains(&format!("\"series\":{series}")), "{listed}");
}
