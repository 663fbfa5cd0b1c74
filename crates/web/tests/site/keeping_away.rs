//! Keeping people away, through the site and the API: blocking (refused
//! comments, replies and kudos; listed and lifted in preferences) and
//! muting a person completely (their comments, works, bookmarks and series
//! hidden, counted, and shown on asking).

use quire_archive::tokens::Scope;

use crate::harness::{account_with_token, eventually, post_work, Site};

#[test]
fn a_blocked_reader_is_refused_and_told_no_more() {
    let site = Site::start();
    let author = site.member("block_author");
    let pest = site.member("block_pest");
    let friend = site.member("block_friend");
    let id = post_work(
        &author,
        &[
            ("title", "Kept safe"),
            ("body", "A story its author guards."),
        ],
    );
    let path = format!("/works/{id}");
    // The author's own comment, which the pest could otherwise answer.
    author.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Thank you all for reading.")],
    );
    let authors_comment = site
        .store(async { site.archive.comments_on_work(id).await.unwrap() })
        .last()
        .map(|c| c.id)
        .unwrap_or_default();

    // From the pest's page: the author blocks them.
    let page = author.get("/users/block_pest");
    assert!(page.body.contains(">Block</button>"), "{}", page.body);
    let blocked = author.submit(
        "/users/block_pest",
        "/users/block_pest/block",
        &[("action", "block")],
    );
    assert!(blocked.body.contains("Blocked."), "{}", blocked.body);
    assert!(blocked.body.contains(">Unblock</button>"));
    // Nothing on the pest's side says so: their view of the page is as
    // anyone's.
    let seen_by_pest = pest.get(&path).body;
    assert!(!seen_by_pest.contains("blocked"), "{seen_by_pest}");

    let comment = pest.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Let me in.")],
    );
    assert_eq!(comment.status, 403, "{}", comment.body);
    assert!(
        comment.body.contains("so you can&#39;t comment on it"),
        "{}",
        comment.body
    );
    let reply = pest.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("chapter", "1"),
            ("parent", &authors_comment.to_string()),
            ("body", "A reply."),
        ],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    let kudos = pest.submit(&path, &format!("{path}/kudos"), &[]);
    assert_eq!(kudos.status, 403, "{}", kudos.body);
    assert!(!site
        .store(async { site.archive.comments_on_work(id).await.unwrap() })
        .iter()
        .any(|c| c.writer == "block_pest"));
    // Everyone else is untouched.
    let fine = friend.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Lovely.")],
    );
    assert!(
        fine.body.contains("Your comment was posted"),
        "{}",
        fine.body
    );

    // The API says the same, to the same people.
    let token = account_with_token(&site, "block_api", Scope::Write);
    let client = site.client();
    let listed = client.api("GET", "/api/v1/me/blocks", Some(&token), None);
    assert_eq!(listed.status, 200);
    assert!(listed.body.contains("\"logins\":[]"), "{}", listed.body);
    let put = client.api("PUT", "/api/v1/me/blocks/block_pest", Some(&token), None);
    assert_eq!(put.status, 204, "{}", put.body);
    let listed = client.api("GET", "/api/v1/me/blocks", Some(&token), None);
    assert!(listed.body.contains("\"block_pest\""), "{}", listed.body);
    let own = client.api("PUT", "/api/v1/me/blocks/block_api", Some(&token), None);
    assert_eq!(own.status, 422, "{}", own.body);
    let nobody = client.api(
        "PUT",
        "/api/v1/me/blocks/no_such_person",
        Some(&token),
        None,
    );
    assert_eq!(nobody.status, 404, "{}", nobody.body);
    let deleted = client.api("DELETE", "/api/v1/me/blocks/block_pest", Some(&token), None);
    assert_eq!(deleted.status, 204);

    // The author's preferences list the block, and lift it.
    let preferences = author.get("/preferences");
    assert!(
        preferences.body.contains("Unblock block_pest"),
        "{}",
        preferences.body
    );
    let lifted = author.submit(
        "/preferences",
        "/users/block_pest/block",
        &[("action", "unblock"), ("return_to", "/preferences")],
    );
    assert!(lifted.body.contains("Unblocked."), "{}", lifted.body);
    assert!(lifted.body.contains("Nobody."), "{}", lifted.body);
    let welcome = pest.submit(&path, &format!("{path}/kudos"), &[]);
    assert!(welcome.body.contains("Thank you for leaving kudos"));
    // And blocks by login from the same page.
    let again = author.submit(
        "/preferences",
        "/preferences/block",
        &[("login", "block_pest")],
    );
    assert!(again.body.contains("Unblock block_pest"), "{}", again.body);
    let typo = author.submit(
        "/preferences",
        "/preferences/block",
        &[("login", "block_pets")],
    );
    assert_eq!(typo.status, 400);
    assert!(typo.body.contains("Nobody here has the login block_pets"));
}

#[test]
fn a_muted_person_vanishes_from_pages_and_lists_with_a_count() {
    let site = Site::start();
    let author = site.member("mute_author");
    let loud = site.member("mute_loud");
    let reader = site.member("mute_reader");
    let id = post_work(
        &author,
        &[("title", "Quiet story"), ("body", "A story with comments.")],
    );
    post_work(
        &loud,
        &[
            ("title", "Loud story"),
            ("body", "A story by the loud one."),
            ("series", "Loud saga"),
        ],
    );
    let path = format!("/works/{id}");
    loud.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "LOUD OPINIONS HERE.")],
    );
    let loud_comment = site
        .store(async { site.archive.comments_on_work(id).await.unwrap() })
        .last()
        .map(|c| c.id)
        .unwrap_or_default();
    author.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("chapter", "1"),
            ("parent", &loud_comment.to_string()),
            ("body", "A patient answer."),
        ],
    );
    author.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "A note from the author.")],
    );
    eventually("both works are listed", || {
        let list = reader.get("/works").body;
        list.contains("Quiet story") && list.contains("Loud story")
    });

    // From the comment itself, the reader mutes its writer.
    let page = reader.get(&path);
    assert!(page.body.contains("Mute mute_loud"), "{}", page.body);
    let muted = reader.submit(&path, "/users/mute_loud/mute", &[("return_to", &path)]);
    assert!(muted.body.contains("Muted."), "{}", muted.body);
    assert!(!muted.body.contains("LOUD OPINIONS"), "{}", muted.body);
    assert!(
        !muted.body.contains("A patient answer"),
        "a reply to a muted comment goes with it"
    );
    assert!(muted.body.contains("A note from the author"));
    assert!(muted.body.contains("2 hidden · <a"), "{}", muted.body);
    let shown = reader.get(&format!("{path}?show_muted=1")).body;
    assert!(shown.contains("LOUD OPINIONS") && shown.contains("A patient answer"));

    // Their works leave every list, counted; so do their bookmarks.
    let list = reader.get("/works").body;
    assert!(
        !list.contains("Loud story") && list.contains("Quiet story"),
        "{list}"
    );
    assert!(list.contains("1 work hidden by your filters"), "{list}");
    let home = reader.get("/").body;
    assert!(!home.contains("Loud story"), "{home}");
    let person = reader.get("/users/mute_loud").body;
    assert!(person.contains(">Unmute</button>"), "{person}");
    assert!(person.contains("1 hidden · <a"), "their series: {person}");
    // A series page leaves their parts out, counted.
    let series = site
        .store(async {
            let user = site.archive.user_id_of("mute_loud").await.unwrap().unwrap();
            site.archive.series_of_user(user).await.unwrap()
        })
        .first()
        .map(|s| s.0)
        .expect("the loud one's series");
    let page = reader.get(&format!("/series/{series}")).body;
    assert!(
        !page.contains("Loud story") && page.contains("1 hidden · <a"),
        "{page}"
    );
    let shown = reader.get(&format!("/series/{series}?show_muted=1")).body;
    assert!(shown.contains("Loud story"));

    // A guest mutes too, in their cookie; a pseud added later is muted
    // with the rest.
    let guest = site.client();
    guest.submit(&path, "/users/mute_loud/mute", &[("return_to", &path)]);
    loud.submit("/account", "/account/pseuds", &[("pseud", "loud_again")]);
    let second_pseud = site
        .store(async {
            let user = site.archive.user_id_of("mute_loud").await.unwrap().unwrap();
            site.archive
                .own_pseud_named(user, "loud_again")
                .await
                .unwrap()
        })
        .expect("the new pseud")
        .to_string();
    post_work(
        &loud,
        &[
            ("title", "Another loud story"),
            ("body", "More from the loud one."),
            ("pseud", &second_pseud),
        ],
    );
    eventually("the new work is indexed", || {
        site.client()
            .get("/works")
            .body
            .contains("Another loud story")
    });
    let list = guest.get("/works").body;
    assert!(
        !list.contains("Loud story") && !list.contains("Another loud story"),
        "{list}"
    );
    assert!(list.contains("2 works hidden by your filters"), "{list}");
    assert!(!guest.get(&path).body.contains("LOUD OPINIONS"));

    // Preferences list them and take a typo back with its reason.
    let preferences = reader.get("/preferences").body;
    assert!(preferences.contains("value=\"mute_loud\""), "{preferences}");
    let typo = reader.submit(
        "/preferences",
        "/preferences",
        &[("mute_people", "mute_lound")],
    );
    assert_eq!(typo.status, 400);
    assert!(typo.body.contains("Nobody here has the login mute_lound"));
    let unmuted = reader.submit(
        &path,
        "/users/mute_loud/mute",
        &[("action", "unmute"), ("return_to", &path)],
    );
    assert!(unmuted.body.contains("LOUD OPINIONS"), "{}", unmuted.body);
    assert!(unmuted.body.contains("Unmuted."));

    // The API's mute list carries people too.
    let token = account_with_token(&site, "mute_api", Scope::Write);
    let client = site.client();
    let saved = client.api(
        "PUT",
        "/api/v1/me/mutes",
        Some(&token),
        Some(&serde_json::json!({"people": ["mute_loud"]})),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let found = client.api("GET", "/api/v1/works?sort=title", Some(&token), None);
    assert!(!found.body.contains("Loud story"), "{}", found.body);
    assert!(found.body.contains("Quiet story"));
    let unknown = client.api(
        "PUT",
        "/api/v1/me/mutes",
        Some(&token),
        Some(&serde_json::json!({"people": ["nobody_at_all"]})),
    );
    assert_eq!(unknown.status, 422, "{}", unknown.body);
}

#[test]
fn the_adult_notice_asks_once_a_session_and_never_programs() {
    let site = Site::start();
    let author = site.member("adult_author");
    let mature = post_work(
        &author,
        &[
            ("title", "Grown-up story"),
            ("body", "Words for grown readers."),
            ("rating", "Mature"),
        ],
    );
    let explicit = post_work(
        &author,
        &[
            ("title", "Another grown-up story"),
            ("body", "More words for grown readers."),
            ("rating", "Explicit"),
        ],
    );
    let general = post_work(
        &author,
        &[
            ("title", "A story for all"),
            ("body", "Words for everyone."),
        ],
    );

    let guest = site.client();
    let notice = guest.get(&format!("/works/{mature}"));
    assert_eq!(notice.status, 200);
    assert!(
        notice.body.contains("could have adult content"),
        "{}",
        notice.body
    );
    assert!(notice.body.contains("Mature"));
    assert!(!notice.body.contains("Words for grown readers"));
    // Asked again of the same guest until they go on (the kept copy of the
    // page says the same).
    assert!(guest
        .get(&format!("/works/{mature}"))
        .body
        .contains("could have adult content"));
    let general_page = guest.get(&format!("/works/{general}")).body;
    assert!(general_page.contains("Words for everyone"));

    let continued = guest.get(&format!("/works/{mature}?view_adult=true"));
    assert!(
        continued.body.contains("Words for grown readers"),
        "{}",
        continued.body
    );
    let cookie = continued
        .headers
        .iter()
        .find(|(name, value)| name == "set-cookie" && value.starts_with("quire_adult="))
        .map(|(_, value)| value.clone())
        .expect("the choice is kept for the session");
    assert!(
        !cookie.to_ascii_lowercase().contains("max-age") && !cookie.contains("Expires"),
        "a session cookie: {cookie}"
    );
    // For the rest of the session, every adult work opens at once.
    let next = guest.get(&format!("/works/{explicit}"));
    assert!(
        next.body.contains("More words for grown readers"),
        "{}",
        next.body
    );
    // A new browser session (no cookie) is asked again, even though the
    // page was kept for the other guest.
    let another = site.client();
    assert!(another
        .get(&format!("/works/{explicit}"))
        .body
        .contains("could have adult content"));

    // Its creator is never asked; a reader whose preferences say so isn't.
    assert!(author
        .get(&format!("/works/{mature}"))
        .body
        .contains("Words for grown readers"));
    let reader = site.member("adult_reader");
    assert!(reader
        .get(&format!("/works/{mature}"))
        .body
        .contains("could have adult content"));
    reader.submit(
        "/preferences",
        "/preferences",
        &[("skip_adult_notice", "1")],
    );
    assert!(reader
        .get(&format!("/works/{mature}"))
        .body
        .contains("Words for grown readers"));
    assert!(reader
        .get("/preferences")
        .body
        .contains("name=\"skip_adult_notice\" value=\"1\" checked"));

    // Downloads, feeds and the API never ask.
    let epub = another.download(&format!("/works/{mature}/download.txt"), None);
    assert!(epub.text().contains("Words for grown readers"));
    let api = another.api("GET", &format!("/api/v1/works/{mature}"), None, None);
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(!api.body.contains("adult content"));
}
