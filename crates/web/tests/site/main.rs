//! The website over HTTP: every route's status, what it shows, and who may
//! do what. Each test starts its own site on a free port.

mod api;
mod authorization;
mod downloads;
mod hardening;
mod harness;
mod hostile;
mod moderation;
mod nodes;
mod opds;
mod serving;

use harness::{eventually, post_work, seed, Site};

#[test]
fn pages_answer_and_carry_security_headers() {
    let site = Site::start();
    let guest = site.client();
    for path in [
        "/",
        "/works",
        "/login",
        "/signup",
        "/preferences",
        "/static/quire.css",
        "/static/quire.js",
    ] {
        let page = guest.get(path);
        assert_eq!(page.status, 200, "{path}");
    }
    let home = site.client().get("/");
    let csp = home.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    assert!(home.header("referrer-policy").is_some());
    let cookie = home
        .header("set-cookie")
        .expect("a guest gets a form token");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(home.body.contains("<main id=\"main\"") && home.body.contains("Skip to content"));
    for path in [
        "/nowhere",
        "/works/999",
        "/works/abc",
        "/works/1/chapters/1",
        "/static/x.js",
        "/users/nobody/works",
    ] {
        assert_eq!(guest.get(path).status, 404, "{path}");
    }
}

/// A 100 MB body is refused from its Content-Length, before a byte of it
/// is read, with a 413 that says what to do.
#[test]
fn bodies_over_the_limit_are_refused_with_413() {
    use std::io::{Read, Write};
    let site = Site::start();
    let address = site.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("connects");
    let head = format!(
        "POST /works/new HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        100 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).expect("sends the head");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("chapter at a time"));
    // The server goes on answering.
    assert_eq!(site.client().get("/").status, 200);
}

#[test]
fn accounts_sign_up_in_and_out() {
    let site = Site::start();
    let reader = site.member("reader_one");
    assert!(reader.get("/").body.contains("Sign out"));
    // The same login again is refused, with the reason.
    let again = site.client();
    let page = again.submit(
        "/signup",
        "/signup",
        &[
            ("login", "Reader_One"),
            ("email", "x@example.org"),
            ("password", "another password"),
            ("password_confirmation", "another password"),
        ],
    );
    assert_eq!(page.status, 400);
    assert!(page.body.contains("is taken"), "{}", page.body);
    let mismatch = again.submit(
        "/signup",
        "/signup",
        &[
            ("login", "reader_two"),
            ("email", "x@example.org"),
            ("password", "another password"),
            ("password_confirmation", "different password"),
        ],
    );
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.body.contains("two passwords are different"));

    // Sign out, then back in; a wrong password and an unknown login get
    // the same answer.
    let home = reader.get("/");
    let out = reader.post("/logout", &[("csrf", &home.csrf())]);
    assert_eq!(out.status, 303);
    assert!(!reader.get("/").body.contains("Sign out"));
    let wrong = reader.submit(
        "/login",
        "/login",
        &[("login", "reader_one"), ("password", "wrong password")],
    );
    let unknown = reader.submit(
        "/login",
        "/login",
        &[("login", "nobody_here"), ("password", "wrong password")],
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(
        wrong.body.replace("reader_one", "LOGIN"),
        unknown
            .body
            .replace("nobody_here", "LOGIN")
            .replace(&unknown.csrf(), &wrong.csrf())
    );
    let back = reader.submit(
        "/login",
        "/login",
        &[
            ("login", "reader_one"),
            ("password", "correct horse battery"),
            ("return_to", "/works"),
        ],
    );
    assert_eq!(back.status, 200);
    assert!(back.body.contains("Sign out"));
    // Only a local path is returned to.
    let token = reader.get("/login").csrf();
    let away = site.client();
    let away_token = away.get("/login").csrf();
    let answer = away.post(
        "/login",
        &[
            ("csrf", &away_token),
            ("login", "reader_one"),
            ("password", "correct horse battery"),
            ("return_to", "//evil.example/"),
        ],
    );
    assert_eq!(answer.location.as_deref(), Some("/"));
    assert_eq!(token.len(), 64);
}

#[test]
fn sign_in_is_rate_limited() {
    let site = Site::start();
    let _ = site.member("target_user");
    let attacker = site.client();
    let mut statuses = Vec::new();
    for _ in 0..14 {
        let page = attacker.submit(
            "/login",
            "/login",
            &[("login", "target_user"), ("password", "guess guess")],
        );
        statuses.push(page.status);
    }
    // Ten tries a minute from one address (signing up spent one): wrong
    // passwords until the budget is spent, then refusals only.
    let first_refusal = statuses
        .iter()
        .position(|s| *s == 429)
        .expect("refused at last");
    assert!(first_refusal >= 8, "{statuses:?}");
    assert!(
        statuses[..first_refusal].iter().all(|s| *s == 401),
        "{statuses:?}"
    );
    assert!(
        statuses[first_refusal..].iter().all(|s| *s == 429),
        "{statuses:?}"
    );
    let page = attacker.submit(
        "/login",
        "/login",
        &[("login", "target_user"), ("password", "guess")],
    );
    assert!(page.body.contains("Too many tries"));
}

/// Every route the site's router takes a POST on, read from where the
/// router is built, so a new route is tried here the day it is added.
fn state_changing_routes() -> Vec<String> {
    harness::router_routes()
        .into_iter()
        .filter(|(method, path)| method == "POST" && !path.starts_with("/api/"))
        .map(|(_, path)| path)
        .collect()
}

#[test]
fn every_form_refuses_a_request_without_its_token() {
    let site = Site::start();
    let author = site.member("author_a");
    let id = post_work(
        &author,
        &[("title", "Tokens"), ("body", "Some words here.")],
    );
    let routes: Vec<String> = state_changing_routes()
        .iter()
        .map(|route| {
            route
                .replace("{id}", &id.to_string())
                .replace("{work}", &id.to_string())
                .replace("{position}", "1")
                .replace("{login}", "author_a")
                .replace("{tag}", "Original%20Work")
        })
        .collect();
    assert!(
        routes.len() >= 30 && routes.contains(&format!("/works/{id}/kudos")),
        "the router's routes were not all read: {routes:?}"
    );
    for client in [site.client(), author] {
        for route in &routes {
            let missing = client.post(route, &[("body", "x")]);
            assert_eq!(missing.status, 403, "{route} without a token");
            let wrong = client.post(route, &[("csrf", &"0".repeat(64)), ("body", "x")]);
            assert_eq!(wrong.status, 403, "{route} with another token");
        }
    }
}

#[test]
fn posting_a_raw_seed_repairs_it_and_sets_the_notes_apart() {
    let site = Site::start();
    let guest = site.client();
    let asked = guest.get("/works/new");
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.location.as_deref(),
        Some("/login?return_to=%2Fworks%2Fnew")
    );

    let author = site.member("seed_poster");
    let raw = seed("003");
    let preview = author.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Seed three"),
            ("rating", "Teen And Up Audiences"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("fandoms", "Original Work"),
            ("format", "plain"),
            ("body", &raw),
            ("complete", "1"),
            ("action", "preview"),
        ],
    );
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview
        .body
        .contains("Preview: what quire made of your text"));
    let paragraphs = preview.body.matches("<p>").count();
    assert!(
        paragraphs > 10,
        "the run-on line became {paragraphs} paragraphs"
    );
    assert!(
        preview.body.contains("Notes found at the end"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Reader-insert placeholders: Y/N"));
    // Nothing is stored by a preview.
    assert!(!author.get("/works").body.contains("Seed three"));

    let id = post_work(
        &author,
        &[
            ("title", "Seed three"),
            ("rating", "Teen And Up Audiences"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("body", &raw),
        ],
    );
    let work = author.get(&format!("/works/{id}"));
    assert_eq!(work.status, 200);
    let text = &work.body[work
        .body
        .find("<div class=\"userstuff\">")
        .expect("the text")..];
    assert!(text.matches("<p>").count() > 10);
    assert!(
        work.body.contains("End Notes:"),
        "the trailing notes sit apart"
    );
    assert!(!work.body.contains("√"), "no mojibake is left");
    eventually("the posted work is listed", || {
        guest.get("/works").body.contains("Seed three")
    });

    // A form missing what AO3 requires says what to fix, and keeps the text.
    let missing = author.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "No fandom"),
            ("warnings", "No Archive Warnings Apply"),
            ("body", "Words."),
            ("action", "post"),
        ],
    );
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("Name at least one fandom"));
    assert!(missing.body.contains("Words."));
    let no_warning = author.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "No warning"),
            ("fandoms", "Original Work"),
            ("body", "Words."),
            ("action", "post"),
        ],
    );
    assert_eq!(no_warning.status, 400);
    assert!(no_warning.body.contains("Choose the archive warnings"));
}

#[test]
fn markdown_and_html_bodies_keep_formatting_and_lose_scripts() {
    let site = Site::start();
    let author = site.member("formatter");
    let md = post_work(
        &author,
        &[
            ("title", "Marked"),
            ("format", "markdown"),
            ("body", "Some *soft* words.\n\n- one\n- two"),
        ],
    );
    let page = author.get(&format!("/works/{md}"));
    assert!(
        page.body.contains("<em>soft</em>") && page.body.contains("<li>one</li>"),
        "{}",
        page.body
    );
    let html = post_work(
        &author,
        &[
            ("title", "Marked up"),
            ("format", "html"),
            ("body", "<p onclick=\"alert(1)\">Kept <strong>bold</strong></p><script>alert(2)</script><img src=\"https://evil.example/x.png\">"),
        ],
    );
    let page = author.get(&format!("/works/{html}"));
    assert!(page.body.contains("<strong>bold</strong>"));
    assert!(
        !page.body.contains("alert(") && !page.body.contains("onclick"),
        "{}",
        page.body
    );
    // A remote image may stay in the text (AO3 allows them), but the page's
    // policy lets no image load from elsewhere.
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("img-src 'self' data:"), "{csp}");
}

#[test]
fn drafts_and_registered_only_works_are_shown_only_to_whom_they_should_be() {
    let site = Site::start();
    let author = site.member("private_author");
    let other = site.member("other_reader");
    let guest = site.client();
    let draft = post_work(
        &author,
        &[
            ("title", "Unfinished thing"),
            ("body", "Draft words."),
            ("draft", "1"),
        ],
    );
    let locked = post_work(
        &author,
        &[
            ("title", "Members only"),
            ("body", "Locked words."),
            ("restricted", "1"),
        ],
    );
    let open = post_work(
        &author,
        &[("title", "Open to all"), ("body", "Open words.")],
    );

    assert_eq!(author.get(&format!("/works/{draft}")).status, 200);
    assert!(author
        .get(&format!("/works/{draft}"))
        .body
        .contains("This is a draft"));
    assert_eq!(other.get(&format!("/works/{draft}")).status, 404);
    assert_eq!(guest.get(&format!("/works/{draft}")).status, 404);

    assert_eq!(other.get(&format!("/works/{locked}")).status, 200);
    // A guest following a link is asked to sign in, and comes back to it.
    let asked = guest.get(&format!("/works/{locked}"));
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.location,
        Some(format!("/login?return_to=%2Fworks%2F{locked}"))
    );

    eventually("the open work is listed", || {
        guest.get("/works").body.contains("Open to all")
    });
    let listed = guest.get("/works").body;
    assert!(!listed.contains("Members only") && !listed.contains("Unfinished thing"));
    let member_list = other.get("/works").body;
    assert!(member_list.contains("Members only") && !member_list.contains("Unfinished thing"));

    // Nobody reacts to what they can't see.
    let token = guest.get("/preferences").csrf();
    let kudos = guest.post(&format!("/works/{locked}/kudos"), &[("csrf", &token)]);
    assert_eq!(kudos.status, 303);
    assert!(kudos.location.is_some_and(|to| to.starts_with("/login?")));
    let token = other.get("/").csrf();
    let comment = other.post(
        &format!("/works/{draft}/comments"),
        &[("csrf", &token), ("body", "Sneaky"), ("chapter", "1")],
    );
    assert_eq!(comment.status, 404);
    assert_eq!(guest.get(&format!("/works/{open}")).status, 200);
}

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

#[test]
fn read_as_fills_placeholders_for_this_reader_only() {
    let site = Site::start();
    let author = site.member("insert_author");
    let id = post_work(&author, &[("title", "You and me"), ("body", &seed("003"))]);
    let path = format!("/works/{id}");
    let guest = site.client();
    let before = guest.get(&path);
    assert!(before.body.contains("Read as…") && before.body.contains("name=\"fill:Y/N\""));
    assert!(before.body.contains("Y/N"));
    let filled = guest.submit(
        &path,
        &format!("{path}/read-as"),
        &[("fill:Y/N", "Zoë <b>")],
    );
    assert!(filled.body.contains("The work now reads with your names"));
    let text = &filled.body[filled.body.find("<div class=\"userstuff\">").unwrap()..];
    let text = &text[..text.find("</div>").unwrap()];
    // What a reader sees: the text without its markup (the marks that let
    // the page preview names carry the code in an attribute).
    let visible: String = text
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
        .collect();
    assert!(
        !visible.contains("Y/N"),
        "no placeholder is left in the text"
    );
    assert!(text.contains("<span class=\"reader-insert\" data-code=\"Y/N\""));
    assert!(
        text.contains("Zoë &lt;b&gt;"),
        "the name is text, not markup"
    );
    assert!(filled.body.contains("Filled in for you"));
    // Another reader still sees the placeholders; the stored text keeps them.
    assert!(site.client().get(&path).body.contains("Y/N"));
    let stored = site.store(async { site.archive.work(id).await.unwrap().unwrap() });
    assert!(stored.chapters[0].html.contains("Y/N"));
    // An account keeps its fill across sign-ins.
    let reader = site.member("insert_reader");
    reader.submit(&path, &format!("{path}/read-as"), &[("fill:Y/N", "Alex")]);
    let home = reader.get("/");
    reader.post("/logout", &[("csrf", &home.csrf())]);
    let back = reader.submit(
        "/login",
        "/login",
        &[
            ("login", "insert_reader"),
            ("password", "correct horse battery"),
        ],
    );
    assert_eq!(back.status, 200);
    assert!(reader.get(&path).body.contains("Alex"));
    let bad = guest.submit(&path, &format!("{path}/read-as"), &[("fill:Q/Q", "x")]);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("not a placeholder code"));
}

#[test]
fn filters_and_the_mute_list_hide_works_and_say_how_many() {
    let site = Site::start();
    let author = site.member("filter_author");
    post_work(
        &author,
        &[
            ("title", "Gentle tale"),
            ("body", "Soft words."),
            ("fandoms", "Meadow Saga"),
        ],
    );
    post_work(
        &author,
        &[
            ("title", "Grim tale"),
            ("body", "Hard words."),
            ("rating", "Mature"),
            ("fandoms", "Meadow Saga, Iron Coast"),
        ],
    );
    let guest = site.client();
    eventually("both are listed", || {
        let list = guest.get("/works").body;
        list.contains("Gentle tale") && list.contains("Grim tale")
    });
    let list = guest.get("/works").body;
    assert!(
        list.contains("Meadow Saga (2)") && list.contains("Iron Coast (1)"),
        "facet counts"
    );

    let excluded = guest.get("/works?exclude_rating=Mature&words_from=&sort=title");
    assert_eq!(excluded.status, 200);
    assert!(excluded.body.contains("Gentle tale") && !excluded.body.contains("Grim tale"));
    assert!(
        excluded.body.contains("value=\"Mature\" checked"),
        "the form shows the filter"
    );
    let fandom = guest.get("/tags/Iron%20Coast/works");
    assert!(fandom.body.contains("Grim tale") && !fandom.body.contains("Gentle tale"));
    let by_author = guest.get("/users/filter_author/works");
    assert!(by_author.body.contains("Grim tale") && by_author.body.contains("Gentle tale"));
    let bad = guest.get("/works?sort=sideways");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("is not a sort"));

    // The mute list: a guest's in a cookie, an account's with the account.
    let saved = guest.submit("/preferences", "/preferences", &[("mute_rating", "Mature")]);
    assert!(saved.body.contains("Your preferences are saved"));
    let list = guest.get("/works").body;
    assert!(!list.contains("Grim tale") && list.contains("Gentle tale"));
    assert!(list.contains("1 work hidden by your filters"), "{list}");
    let shown = guest.get("/works?show_muted=1").body;
    assert!(shown.contains("Grim tale"));
    let reader = site.member("muting_reader");
    reader.submit(
        "/preferences",
        "/preferences",
        &[("mute_tags", "Iron Coast")],
    );
    let list = reader.get("/works").body;
    assert!(!list.contains("Grim tale") && list.contains("1 work hidden"));
    let list = reader.get("/tags/Meadow%20Saga/works").body;
    assert!(!list.contains("Grim tale") && list.contains("1 work hidden"));
    reader.submit(
        "/preferences",
        "/preferences",
        &[("mute_authors", "filter_author")],
    );
    assert!(reader.get("/works").body.contains("2 works hidden"));
}

#[test]
fn multi_chapter_works_read_by_chapter_and_whole() {
    let site = Site::start();
    let author = site.member("chapter_author");
    let id = post_work(
        &author,
        &[("title", "Long one"), ("body", "First chapter words.")],
    );
    site.store(async {
        let chapter = quire_archive::model::ChapterDraft {
            title: "The second".into(),
            ..quire_archive::model::ChapterDraft::from_manuscript(quire_text::analyze_str(
                "Second chapter words.",
            ))
        };
        site.archive.add_chapter(id, &chapter).await.unwrap();
    });
    let guest = site.client();
    let first = guest.get(&format!("/works/{id}"));
    assert!(
        first.body.contains("First chapter words.")
            && !first.body.contains("Second chapter words.")
    );
    assert!(first
        .body
        .contains(&format!("href=\"/works/{id}/chapters/2\"")));
    let second = guest.get(&format!("/works/{id}/chapters/2"));
    assert!(
        second.body.contains("Chapter 2: The second") && second.body.contains("← Previous chapter")
    );
    let whole = guest.get(&format!("/works/{id}?view_full_work=true"));
    assert!(
        whole.body.contains("First chapter words.") && whole.body.contains("Second chapter words.")
    );
    assert_eq!(guest.get(&format!("/works/{id}/chapters/3")).status, 404);
    assert_eq!(guest.get(&format!("/works/{id}/chapters/0")).status, 404);
}

#[test]
fn what_the_text_suggests_is_shown_apart_and_can_be_filtered_out() {
    let site = Site::start();
    let author = site.member("signal_author");
    let raw = seed("000");
    let preview = author.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Seed zero"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("fandoms", "Original Work"),
            ("body", &raw),
            ("action", "preview"),
        ],
    );
    assert!(
        preview
            .body
            .contains("The text suggests: <strong>Graphic Depictions Of Violence</strong>"),
        "{}",
        preview.body
    );
    assert!(preview
        .body
        .contains("suggests a rating of at least <strong>Mature</strong>"));
    let violent = post_work(
        &author,
        &[
            ("title", "Seed zero"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("body", &raw),
        ],
    );
    let gentle = post_work(
        &author,
        &[
            ("title", "Quiet tea"),
            ("body", "They drank tea and watched the rain."),
        ],
    );
    let guest = site.client();
    let page = guest.get(&format!("/works/{violent}"));
    let note = &page.body[page
        .body
        .find("<details class=\"detected\">")
        .expect("a detected note")..];
    let summary = &note[..note.find("</summary>").unwrap()];
    assert!(summary.contains("Detected in the text, not tagged by the author"));
    assert!(
        summary.contains("violence") && summary.contains("harm to children"),
        "{summary}"
    );
    assert!(
        !note.starts_with("<details class=\"detected\" open"),
        "collapsed by default"
    );
    assert!(!guest
        .get(&format!("/works/{gentle}"))
        .body
        .contains("class=\"detected\""));

    eventually("both are listed", || {
        let list = guest.get("/works").body;
        list.contains("Seed zero") && list.contains("Quiet tea")
    });
    let filtered = guest.get("/works?exclude_detected=child-harm").body;
    assert!(!filtered.contains("Seed zero") && filtered.contains("Quiet tea"));
    let api = guest.get("/api/v1/works?exclude_detected=violence");
    assert_eq!(api.status, 200);
    assert!(!api.body.contains("Seed zero") && api.body.contains("Quiet tea"));
    let bad = guest.get("/api/v1/works?exclude_detected=spiders");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("not a content note"));
    guest.submit(
        "/preferences",
        "/preferences",
        &[("mute_detected", "child-harm")],
    );
    let muted = guest.get("/works").body;
    assert!(!muted.contains("Seed zero") && muted.contains("1 work hidden by your filters"));
}

#[test]
fn authors_edit_orphan_and_delete_their_works_and_nobody_else_can() {
    let site = Site::start();
    let author = site.member("editing_author");
    let other = site.member("editing_other");
    let guest = site.client();
    let id = post_work(
        &author,
        &[
            ("title", "First title"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("body", &seed("000")),
        ],
    );
    let edit = format!("/works/{id}/edit");
    let form = author.get(&edit);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"First title\""));
    assert!(
        form.body
            .contains("The text suggests: <strong>Graphic Depictions Of Violence</strong>"),
        "the editing page shows what the text suggests"
    );
    assert!(author.get(&format!("/works/{id}")).body.contains(&edit));
    assert_eq!(other.get(&edit).status, 404);
    assert!(!other.get(&format!("/works/{id}")).body.contains(&edit));
    assert_eq!(guest.get(&edit).status, 303);

    let saved = author.submit(
        &edit,
        &edit,
        &[
            ("title", "Second title"),
            ("rating", "Mature"),
            ("warnings", "Graphic Depictions Of Violence"),
            ("fandoms", "Original Work, Ash Valley"),
            ("complete", "1"),
        ],
    );
    assert!(
        saved.body.contains("Your changes were saved"),
        "{}",
        saved.body
    );
    assert!(saved.body.contains("Second title") && saved.body.contains("Ash Valley"));
    // Violence is tagged now: the reader's note no longer lists it.
    if let Some(at) = saved.body.find("not tagged by the author: ") {
        let rest = &saved.body[at + "not tagged by the author: ".len()..];
        let listed: Vec<&str> = rest[..rest.find("</summary>").unwrap()]
            .split(", ")
            .collect();
        assert!(!listed.contains(&"violence"), "{listed:?}");
        assert!(listed.contains(&"harm to children"), "{listed:?}");
    } else {
        panic!("harm to children is still untagged, so the note stays");
    }
    eventually("the list shows the new title", || {
        guest
            .get("/tags/Ash%20Valley/works")
            .body
            .contains("Second title")
    });
    let missing = author.submit(
        &edit,
        &edit,
        &[
            ("title", "No fandom"),
            ("warnings", "No Archive Warnings Apply"),
        ],
    );
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("Name at least one fandom"));
    let token = other.get("/preferences").csrf();
    let refused = other.post(
        &edit,
        &[
            ("csrf", &token),
            ("title", "Mine now"),
            ("fandoms", "X"),
            ("warnings", "No Archive Warnings Apply"),
        ],
    );
    assert_eq!(refused.status, 404);
    for action in ["orphan", "delete"] {
        let refused = other.post(
            &format!("/works/{id}/{action}"),
            &[("csrf", &token), ("confirm", "1")],
        );
        assert_eq!(refused.status, 404, "{action} by another member");
    }

    let unconfirmed = author.submit(&edit, &format!("/works/{id}/orphan"), &[]);
    assert_eq!(unconfirmed.status, 400);
    let orphaned = author.submit(&edit, &format!("/works/{id}/orphan"), &[("confirm", "1")]);
    assert!(
        orphaned.body.contains("orphan_account"),
        "{}",
        orphaned.body
    );
    assert_eq!(
        author.get(&edit).status,
        404,
        "an orphaned work is no longer theirs"
    );

    let doomed = post_work(&author, &[("title", "Short lived"), ("body", "Gone soon.")]);
    let gone = author.submit(
        &format!("/works/{doomed}/edit"),
        &format!("/works/{doomed}/delete"),
        &[("confirm", "1")],
    );
    assert_eq!(gone.status, 200);
    assert_eq!(author.get(&format!("/works/{doomed}")).status, 404);
}

#[test]
fn tag_pages_show_the_wrangling_and_only_wranglers_change_it() {
    let site = Site::start();
    let author = site.member("tag_author");
    post_work(
        &author,
        &[
            ("title", "Tagged"),
            ("body", "Words."),
            ("fandoms", "Star Wars"),
            ("freeforms", "Reylo, Kylo Ren/Rey"),
        ],
    );
    let guest = site.client();
    let page = guest.get("/tags/Reylo");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Additional Tags") && page.body.contains("/tags/Reylo/works"));
    assert!(!page.body.contains("Wrangle this tag"));
    assert_eq!(guest.get("/tags/Nothing%20Here").status, 404);
    assert_eq!(
        guest.get("/tags/Kylo%20Ren%2FRey").status,
        200,
        "a slash in a name is one segment"
    );

    // A member may not wrangle; the form isn't there for them.
    let token = author.get("/preferences").csrf();
    let refused = author.post("/tags/Reylo", &[("csrf", &token), ("action", "canonical")]);
    assert_eq!(refused.status, 404);

    let wrangler = site.member_with_roles(
        "the_wrangler",
        quire_archive::Roles {
            wrangler: true,
            admin: false,
        },
    );
    assert!(wrangler
        .get("/tags/Reylo")
        .body
        .contains("Wrangle this tag"));
    let canonical = wrangler.submit(
        "/tags/Kylo%20Ren%2FRey",
        "/tags/Kylo%20Ren%2FRey",
        &[("action", "canonical")],
    );
    assert!(
        canonical.body.contains("is <strong>canonical</strong>"),
        "{}",
        canonical.body
    );
    let merged = wrangler.submit(
        "/tags/Reylo",
        "/tags/Reylo",
        &[("action", "synonym"), ("canonical", "Kylo Ren/Rey")],
    );
    assert!(merged.body.contains("It is a synonym of"));
    let parent = wrangler.submit(
        "/tags/Kylo%20Ren%2FRey",
        "/tags/Kylo%20Ren%2FRey",
        &[
            ("action", "parent"),
            ("parent_kind", "fandom"),
            ("parent", "Star Wars"),
        ],
    );
    assert!(parent.body.contains("Parent tags") && parent.body.contains("Star Wars"));
    assert!(parent.body.contains("Reylo"), "the synonym is listed");
    let bad = wrangler.submit("/tags/Reylo", "/tags/Reylo", &[("action", "canonical")]);
    assert_eq!(bad.status, 400, "a synonym can't be canonical");
    let list = guest.get("/tags/Star%20Wars/works");
    assert!(list.body.contains("About this tag"));
}

#[test]
fn authors_add_reorder_and_delete_chapters() {
    let site = Site::start();
    let author = site.member("chapter_keeper");
    let other = site.member("chapter_other");
    let id = post_work(
        &author,
        &[("title", "Growing"), ("body", "The first chapter's words.")],
    );
    let new = format!("/works/{id}/chapters/new");
    assert_eq!(author.get(&new).status, 200);
    assert_eq!(other.get(&new).status, 404);
    assert_eq!(site.client().get(&new).status, 303);

    let preview = author.submit(
        &new,
        &new,
        &[
            ("chapter_title", "Second"),
            ("body", "na√Øve words about Y/N"),
            ("action", "preview"),
        ],
    );
    assert!(
        preview.body.contains("Repaired 1 garbled"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("naïve words"));
    let added = author.submit(
        &new,
        &new,
        &[
            ("chapter_title", "Second"),
            ("format", "markdown"),
            ("body", "The *second* chapter."),
            ("action", "post"),
        ],
    );
    assert!(
        added.body.contains("Your chapter was posted"),
        "{}",
        added.body
    );
    assert!(added.body.contains("Chapter 2: Second") && added.body.contains("<em>second</em>"));
    let empty = author.submit(&new, &new, &[("body", "  "), ("action", "post")]);
    assert_eq!(empty.status, 400);

    // Editing a chapter: its form holds the text as kept, as HTML.
    let edit_second = format!("/works/{id}/chapters/2/edit");
    assert_eq!(other.get(&edit_second).status, 404);
    assert_eq!(
        author.get(&format!("/works/{id}/chapters/9/edit")).status,
        404
    );
    let form = author.get(&edit_second);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Edit chapter 2 of"));
    assert!(
        form.body
            .contains("The &#60;em&#62;second&#60;/em&#62; chapter."),
        "{}",
        form.body
    );
    assert!(form.body.contains("value=\"html\" checked"));
    assert!(author
        .get(&format!("/works/{id}/edit"))
        .body
        .contains(&format!("href=\"{edit_second}\"")));
    let saved = author.submit(
        &edit_second,
        &edit_second,
        &[
            ("chapter_title", "Second, revised"),
            ("chapter_notes_end", "Thank you for reading."),
            ("format", "html"),
            ("body", "<p>The <strong>revised</strong> chapter.</p>"),
            ("action", "post"),
        ],
    );
    assert!(
        saved
            .body
            .contains("Your changes to the chapter were saved"),
        "{}",
        saved.body
    );
    assert!(saved.body.contains("Chapter 2: Second, revised"));
    assert!(
        saved.body.contains("<strong>revised</strong>") && !saved.body.contains("<em>second</em>")
    );
    assert!(saved.body.contains("Thank you for reading."));
    let token = other.get("/preferences").csrf();
    let forged = other.post(
        &edit_second,
        &[("csrf", &token), ("body", "Mine now."), ("action", "post")],
    );
    assert_eq!(forged.status, 404);
    let blank = author.submit(
        &edit_second,
        &edit_second,
        &[("body", " "), ("action", "post")],
    );
    assert_eq!(blank.status, 400);

    let stored = site.store(async { site.archive.work(id).await.unwrap().unwrap() });
    let (first, second) = (stored.chapters[0].id, stored.chapters[1].id);
    let edit = format!("/works/{id}/edit");
    let token = other.get("/preferences").csrf();
    let refused = other.post(
        &format!("/works/{id}/chapters/order"),
        &[
            ("csrf", &token),
            (&format!("order:{first}"), "2"),
            (&format!("order:{second}"), "1"),
        ],
    );
    assert_eq!(refused.status, 404);
    let reordered = author.submit(
        &edit,
        &format!("/works/{id}/chapters/order"),
        &[
            (&format!("order:{first}"), "2"),
            (&format!("order:{second}"), "1"),
        ],
    );
    assert!(reordered.body.contains("in their new order"));
    let body = &reordered.body;
    assert!(
        body.find("The <strong>revised</strong> chapter.").unwrap()
            < body.find("The first chapter").unwrap()
    );
    let bad = author.submit(
        &edit,
        &format!("/works/{id}/chapters/order"),
        &[(&format!("order:{first}"), "x")],
    );
    assert_eq!(bad.status, 400);

    let deleted = author.submit(
        &edit,
        &format!("/works/{id}/chapters/delete"),
        &[("chapter", &second.to_string()), ("confirm", "1")],
    );
    assert_eq!(deleted.status, 200);
    let stored = site.store(async { site.archive.work(id).await.unwrap().unwrap() });
    assert_eq!(stored.chapters.len(), 1);
    assert!(stored.chapters[0].html.contains("first chapter"));
    let last = author.submit(
        &edit,
        &format!("/works/{id}/chapters/delete"),
        &[("chapter", &first.to_string()), ("confirm", "1")],
    );
    assert_eq!(last.status, 400, "the last chapter stays");
}

#[test]
fn readers_change_their_password_and_delete_their_account() {
    let site = Site::start();
    let reader = site.member("account_holder");
    let elsewhere = site.client();
    let signed_in = elsewhere.submit(
        "/login",
        "/login",
        &[
            ("login", "account_holder"),
            ("password", "correct horse battery"),
        ],
    );
    assert!(signed_in.body.contains("Sign out"));
    assert_eq!(
        site.client().get("/account").status,
        303,
        "guests are asked to sign in"
    );
    assert_eq!(reader.get("/account").status, 200);

    let wrong = reader.submit(
        "/account",
        "/account/password",
        &[
            ("current_password", "not it"),
            ("new_password", "a new secret phrase"),
            ("new_password_confirmation", "a new secret phrase"),
        ],
    );
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("current password is not right"));
    let changed = reader.submit(
        "/account",
        "/account/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "a new secret phrase"),
            ("new_password_confirmation", "a new secret phrase"),
        ],
    );
    assert!(
        changed.body.contains("Your password is changed"),
        "{}",
        changed.body
    );
    assert!(
        changed.body.contains("Sign out"),
        "this browser stays signed in"
    );
    assert!(
        !elsewhere.get("/").body.contains("Sign out"),
        "the other browser is signed out"
    );

    let id = post_work(
        &reader,
        &[("title", "Left behind"), ("body", "Words that stay.")],
    );
    let unsure = reader.submit(
        "/account",
        "/account/delete",
        &[("works", "orphan"), ("password", "wrong")],
    );
    assert_eq!(unsure.status, 400);
    assert!(unsure.body.contains("still here"));
    let gone = reader.submit(
        "/account",
        "/account/delete",
        &[("works", "orphan"), ("password", "a new secret phrase")],
    );
    assert_eq!(gone.status, 200);
    assert!(!gone.body.contains("Sign out"));
    let work = site.client().get(&format!("/works/{id}"));
    assert!(work.body.contains("orphan_account"));
    let again = site.client().submit(
        "/login",
        "/login",
        &[
            ("login", "account_holder"),
            ("password", "a new secret phrase"),
        ],
    );
    assert_eq!(again.status, 401);
}

#[test]
fn author_pages_and_the_dashboard_show_what_each_reader_may_see() {
    let site = Site::start();
    let author = site.member("page_author");
    let reader = site.member("page_reader");
    let posted = post_work(
        &author,
        &[("title", "Out in the world"), ("body", "Public words.")],
    );
    post_work(
        &author,
        &[
            ("title", "Still brewing"),
            ("body", "Draft words."),
            ("draft", "1"),
        ],
    );
    let path = format!("/works/{posted}");
    reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[("note", "Shared note"), ("rec", "1")],
    );
    reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[("note", "Secret note"), ("private", "1")],
    );
    reader.submit(&path, &format!("{path}/subscription"), &[]);

    let guest = site.client();
    let public = guest.get("/users/page_reader");
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Shared note") && public.body.contains("(recommended)"));
    assert!(
        !public.body.contains("Secret note"),
        "private bookmarks stay private"
    );
    assert_eq!(guest.get("/users/nobody_at_all").status, 404);

    let dashboard = reader.get("/dashboard");
    assert!(dashboard.body.contains("Secret note") && dashboard.body.contains("Shared note"));
    assert!(
        dashboard.body.contains("Subscriptions") && dashboard.body.contains("Out in the world")
    );
    let theirs = author.get("/dashboard");
    assert!(theirs.body.contains("Still brewing") && theirs.body.contains("Drafts"));
    assert!(!reader.get("/dashboard").body.contains("Still brewing"));
    assert!(!guest
        .get("/users/page_author")
        .body
        .contains("Still brewing"));
    assert_eq!(guest.get("/dashboard").status, 303);

    // History: what this reader opened, for them only; and it clears.
    reader.get(&path);
    let dashboard = reader.get("/dashboard").body;
    let history = &dashboard[dashboard.find("id=\"history-heading\"").unwrap()..];
    let history = &history[..history.find("</section>").unwrap()];
    assert!(
        history.contains("Out in the world") && history.contains("visits"),
        "{history}"
    );
    assert!(
        !author.get("/dashboard").body.contains("visits"),
        "an author's own views aren't history"
    );
    let cleared = reader.submit("/dashboard", "/dashboard/history/clear", &[]);
    assert!(cleared.body.contains("Your history is cleared"));
    assert!(!cleared.body.contains("visits"));
}

#[test]
fn tag_suggestions_offer_canonical_names() {
    let site = Site::start();
    let author = site.member("suggest_author");
    post_work(
        &author,
        &[
            ("title", "Stars"),
            ("body", "Words."),
            ("fandoms", "Star Wars, Star Trek"),
        ],
    );
    site.store(async {
        site.archive
            .make_canonical(quire_archive::model::TagKind::Fandom, "Star Wars")
            .await
            .unwrap();
    });
    let guest = site.client();
    let found = guest.get("/api/v1/tags/suggest?kind=fandom&q=sta");
    assert_eq!(found.status, 200);
    assert_eq!(
        found.body,
        r#"{"kind":"fandom","suggestions":["Star Wars"]}"#
    );
    // A parameter given twice is a problem too, not axum's plain text.
    let twice = guest.get("/api/v1/tags/suggest?kind=fandom&kind=fandom");
    assert_eq!(twice.status, 400);
    assert_eq!(
        twice.header("content-type"),
        Some("application/problem+json")
    );
    assert!(twice.body.contains("bad-parameter"), "{}", twice.body);
    let bad = guest.get("/api/v1/tags/suggest?kind=rating&q=g");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("\"parameter\":\"kind\""));
    let form = author.get("/works/new").body;
    assert!(form.contains("data-suggest=\"fandom\" list=\"suggest-fandom\""));
}

#[test]
fn series_are_made_and_joined_only_by_their_creators() {
    let site = Site::start();
    let author = site.member("series_author");
    let other = site.member("series_other");
    let first = post_work(
        &author,
        &[
            ("title", "Part one"),
            ("body", "Words."),
            ("series", "The Long Road"),
        ],
    );
    let second = post_work(
        &author,
        &[
            ("title", "Part two"),
            ("body", "More words."),
            ("series", "the long road"),
        ],
    );
    assert!(author
        .get(&format!("/works/{first}"))
        .body
        .contains("Part 1 of <a href=\"/series/1\">The Long Road</a>"));
    assert!(author
        .get(&format!("/works/{second}"))
        .body
        .contains("Part 2 of <a href=\"/series/1\">The Long Road</a>"));
    let taken = other.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Interloper"),
            ("body", "Words."),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("series", "The Long Road"),
            ("action", "post"),
        ],
    );
    assert_eq!(taken.status, 400);
    assert!(taken.body.contains("belongs to someone else"));
    let theirs = post_work(&other, &[("title", "Their own"), ("body", "Words.")]);
    let edit = format!("/works/{theirs}/edit");
    let refused = other.submit(
        &edit,
        &edit,
        &[
            ("title", "Their own"),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("series", "The Long Road"),
        ],
    );
    assert_eq!(refused.status, 400);
    let edit = format!("/works/{first}/edit");
    assert!(author.get(&edit).body.contains("value=\"The Long Road\""));
    let third = post_work(&author, &[("title", "Part three"), ("body", "Words.")]);
    let edit = format!("/works/{third}/edit");
    let joined = author.submit(
        &edit,
        &edit,
        &[
            ("title", "Part three"),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("complete", "1"),
            ("series", "The Long Road"),
        ],
    );
    assert!(
        joined
            .body
            .contains("Part 3 of <a href=\"/series/1\">The Long Road</a>"),
        "{}",
        joined.body
    );

    // The series page: every part in order, for whoever may see it.
    let guest = site.client();
    let page = guest.get("/series/1");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>The Long Road</h1>"));
    let at = |title: &str| {
        page.body
            .find(title)
            .unwrap_or_else(|| panic!("{title} listed"))
    };
    assert!(at("Part one") < at("Part two") && at("Part two") < at("Part three"));
    assert!(page.body.contains("Part 3</h2>"));
    assert!(!page.body.contains("Interloper"));
    let people = guest.get("/users/series_author");
    assert!(people
        .body
        .contains("<a href=\"/series/1\">The Long Road</a>"));
    assert!(!guest.get("/users/series_other").body.contains("/series/1"));
    assert_eq!(guest.get("/series/999").status, 404);
    assert_eq!(guest.get("/series/abc").status, 404);
}

#[test]
fn pseuds_are_added_on_the_account_page_and_chosen_when_posting() {
    let site = Site::start();
    let writer = site.member("many_names");
    let other = site.member("other_names");
    assert!(
        !writer.get("/works/new").body.contains("Post as"),
        "one pseud, no choice"
    );
    let added = writer.submit("/account", "/account/pseuds", &[("pseud", "Night_Owl")]);
    assert!(
        added.body.contains("Your new pseud is ready"),
        "{}",
        added.body
    );
    assert!(added.body.contains("many_names (default), Night_Owl"));
    let again = writer.submit("/account", "/account/pseuds", &[("pseud", "night_owl")]);
    assert_eq!(again.status, 400);
    assert!(again.body.contains("already have a pseud"));
    let bad = writer.submit("/account", "/account/pseuds", &[("pseud", "no spaces")]);
    assert_eq!(bad.status, 400);

    let form = writer.get("/works/new");
    assert!(form.body.contains("Post as"));
    let owl: i64 = site.store(async {
        let user = site
            .archive
            .user_id_of("many_names")
            .await
            .unwrap()
            .unwrap();
        site.archive.pseuds_of_user(user).await.unwrap()[1].0
    });
    let id = post_work(
        &writer,
        &[
            ("title", "By Night"),
            ("body", "Words."),
            ("pseud", &owl.to_string()),
        ],
    );
    let page = writer.get(&format!("/works/{id}"));
    assert!(page
        .body
        .contains("rel=\"author\" href=\"/works?author=Night_Owl\""));
    // Someone else's pseud can't be chosen: the work is theirs, by default.
    let id = post_work(
        &other,
        &[
            ("title", "Borrowed"),
            ("body", "Words."),
            ("pseud", &owl.to_string()),
        ],
    );
    let page = other.get(&format!("/works/{id}"));
    assert!(page
        .body
        .contains("rel=\"author\" href=\"/works?author=other_names\""));
    assert!(!page.body.contains("author=Night_Owl"));
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

#[test]
fn the_json_api_pages_with_next_links_and_answers_304_to_a_copy_still_current() {
    let site = Site::start();
    let author = site.member("paging_author");
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(post_work(
            &author,
            &[("title", &format!("Paged {n}")), ("body", "Lantern words.")],
        ));
    }
    let guest = site.client();
    eventually("the three works are indexed", || {
        guest
            .get("/api/v1/works?q=lantern")
            .body
            .contains("\"total\":3")
    });

    let first = guest.get("/api/v1/works?q=lantern&per_page=2");
    assert_eq!(first.status, 200);
    let page: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    let next = page["next"].as_str().expect("a next link").to_string();
    assert_eq!(next, "/api/v1/works?q=lantern&per_page=2&page=2");
    assert_eq!(
        first.header("link"),
        Some(format!("<{next}>; rel=\"next\"").as_str())
    );
    let second: serde_json::Value = serde_json::from_str(&guest.get(&next).body).unwrap();
    assert_eq!(second["works"].as_array().map(Vec::len), Some(1));
    assert!(second["next"].is_null(), "the last page has no next");
    let seen: Vec<i64> = [&page, &second]
        .iter()
        .flat_map(|p| p["works"].as_array().cloned().unwrap_or_default())
        .filter_map(|w| w["id"].as_i64())
        .collect();
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    let mut expected = ids.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "every work once, across the pages");

    // A client holding the current copy gets 304 and no body.
    let path = format!("/api/v1/works/{}", ids[0]);
    let fetched = guest.get(&path);
    let etag = fetched.header("etag").expect("an ETag").to_string();
    let again = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let listing_etag = first.header("etag").expect("listings too").to_string();
    let listing = guest.get_with(
        "/api/v1/works?q=lantern&per_page=2",
        &[("if-none-match", &listing_etag)],
    );
    assert_eq!(listing.status, 304);
    // Once the work changes, the old copy is no longer current.
    site.store(async {
        let chapter = quire_archive::model::ChapterDraft::from_manuscript(quire_text::analyze_str(
            "A second chapter.",
        ));
        site.archive.add_chapter(ids[0], &chapter).await.unwrap();
    });
    let changed = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[test]
fn the_json_api_tells_a_tags_place_in_the_wrangling_and_where_its_works_are() {
    let site = Site::start();
    let author = site.member("tag_api_author");
    post_work(
        &author,
        &[
            ("title", "Droids"),
            ("body", "Beeps."),
            ("fandoms", "Star Wars, SW"),
        ],
    );
    site.store(async {
        use quire_archive::model::TagKind;
        site.archive
            .make_canonical(TagKind::Fandom, "Star Wars")
            .await
            .unwrap();
        site.archive
            .merge_as_synonym(TagKind::Fandom, "SW", "Star Wars")
            .await
            .unwrap();
    });
    let guest = site.client();
    let found = guest.get("/api/v1/tags/fandom/star%20wars");
    assert_eq!(found.status, 200, "{}", found.body);
    let tag: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(tag["name"], "Star Wars");
    assert_eq!(tag["canonical"], true);
    assert_eq!(tag["synonyms"], serde_json::json!(["SW"]));
    assert_eq!(tag["works"], "/api/v1/works?include=Star+Wars");
    eventually("the work is found through its tag", || {
        guest
            .get("/api/v1/works?include=Star+Wars")
            .body
            .contains("\"total\":1")
    });

    let synonym: serde_json::Value =
        serde_json::from_str(&guest.get("/api/v1/tags/fandom/SW").body).unwrap();
    assert_eq!(synonym["synonym_of"], "Star Wars");
    assert_eq!(synonym["canonical"], false);

    let missing = guest.get("/api/v1/tags/fandom/Nothing%20Here");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert!(missing.body.contains("no-such-tag"));
    let bad = guest.get("/api/v1/tags/colour/Blue");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("\"parameter\":\"kind\""));
}
