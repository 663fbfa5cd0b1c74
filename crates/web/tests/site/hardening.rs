//! Accounts against stolen and fixed sessions: a new session at every
//! sign-in, cookies scripts can't read, and signing out everywhere. And
//! what every page carries or refuses: security headers, bodies over the
//! limit, guessed passwords, and forms sent without their token.

use crate::harness::{post_work, router_routes, Page, Site};

/// The session cookie a sign-in set, as its whole `Set-Cookie` line.
fn session_cookie(page: &Page) -> Option<String> {
    page.headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.clone())
        .find(|value| value.starts_with("quire_session=") && !value.starts_with("quire_session=;"))
}

fn sign_in(site: &Site, login: &str, headers: &[(&str, &str)]) -> Page {
    let client = site.client();
    let token = client.get("/login").csrf();
    let form = [
        ("csrf", token.as_str()),
        ("login", login),
        ("password", "correct horse battery"),
    ];
    client.post_with("/login", &form, headers)
}

#[test]
fn every_sign_in_gets_a_new_session_in_a_cookie_scripts_cannot_read() {
    let site = Site::start();
    site.member("session_holder");
    let first = sign_in(&site, "session_holder", &[]);
    let second = sign_in(&site, "session_holder", &[]);
    assert_eq!(first.status, 303, "{}", first.body);
    let (first, second) = (
        session_cookie(&first).expect("a session cookie"),
        session_cookie(&second).expect("a session cookie"),
    );
    let value = |line: &str| line.split(';').next().unwrap_or("").to_string();
    assert_ne!(value(&first), value(&second));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(first.contains(attribute), "{attribute} missing: {first}");
    }
    assert!(!first.contains("Secure"), "plain http: {first}");
    // Behind a TLS proxy the cookie is only ever sent over TLS.
    let behind_tls = sign_in(&site, "session_holder", &[("x-forwarded-proto", "https")]);
    let line = session_cookie(&behind_tls).expect("a session cookie");
    assert!(line.contains("Secure"), "{line}");
}

#[test]
fn signing_out_everywhere_ends_every_session_of_the_account() {
    let site = Site::start();
    let here = site.member("everywhere_reader");
    let phone = site.client();
    let token = phone.get("/login").csrf();
    let signed_in = phone.post(
        "/login",
        &[
            ("csrf", &token),
            ("login", "everywhere_reader"),
            ("password", "correct horse battery"),
        ],
    );
    assert_eq!(signed_in.status, 303);
    let other_reader = site.member("somebody_else");
    assert!(phone.get("/").body.contains("Sign out"));

    let account = here.get("/account");
    assert!(account.body.contains("Sign out everywhere"));
    let done = here.submit("/account", "/account/sessions/end", &[]);
    assert!(
        done.body.contains("signed out on every browser"),
        "{}",
        done.body
    );
    assert!(!here.get("/").body.contains("Sign out"), "this browser");
    assert!(!phone.get("/").body.contains("Sign out"), "the other one");
    assert_eq!(phone.get("/account").status, 303, "asked to sign in again");
    assert!(
        other_reader.get("/").body.contains("Sign out"),
        "other accounts are left alone"
    );
    // Without the form's token nothing happens.
    let forged = other_reader.post("/account/sessions/end", &[]);
    assert_eq!(forged.status, 403);
    assert!(other_reader.get("/").body.contains("Sign out"));
}

#[test]
fn the_json_api_never_acts_on_a_session_cookie() {
    let site = Site::start();
    let member = site.member("api_cookie_holder");
    let id = crate::harness::post_work(
        &member,
        &[
            ("title", "Members Only"),
            ("body", "Seen by members."),
            ("restricted", "1"),
        ],
    );
    // The member's browser sees the work; the API, sent the same cookies,
    // answers as it does to anyone without a token: send one.
    assert_eq!(member.get(&format!("/works/{id}")).status, 200);
    let with_cookies = member.get(&format!("/api/v1/works/{id}"));
    assert_eq!(with_cookies.status, 401);
    assert!(
        with_cookies.body.contains("token-needed"),
        "{}",
        with_cookies.body
    );
    assert_eq!(
        site.client().get(&format!("/api/v1/works/{id}")).status,
        401
    );
    // Nor does it write for one: a page of another site can't make a
    // signed-in browser post, kudos or delete through the API.
    let work = serde_json::json!({
        "title": "Posted by a cookie",
        "rating": "Not Rated",
        "warnings": ["Creator Chose Not To Use Archive Warnings"],
        "fandoms": ["Original Work"],
        "body": "Words.",
    });
    let posted = member.api("POST", "/api/v1/works", None, Some(&work));
    assert_eq!(posted.status, 401, "{}", posted.body);
    let deleted = member.api("DELETE", &format!("/api/v1/works/{id}"), None, None);
    assert_eq!(deleted.status, 401, "{}", deleted.body);
    assert_eq!(member.get(&format!("/works/{id}")).status, 200);
    crate::harness::eventually("the index has the work", || {
        member.get("/works").body.contains("Members Only")
    });
    let found = member.get("/api/v1/works?q=Members");
    assert_eq!(found.status, 200);
    assert!(!found.body.contains("Members Only"), "{}", found.body);
}

/// Wrong sign-ins for a dozen different accounts, each as sent by `from`
/// through a proxy; the statuses.
fn failed_sign_ins(site: &Site, from: &str, accounts: &str) -> Vec<u16> {
    let client = site.client();
    let token = client.get("/login").csrf();
    (0..12)
        .map(|i| {
            let login = format!("{accounts}_{i}");
            let form = [
                ("csrf", token.as_str()),
                ("login", login.as_str()),
                ("password", "not the password"),
            ];
            client
                .post_with("/login", &form, &[("x-forwarded-for", from)])
                .status
        })
        .collect()
}

#[test]
fn behind_a_trusted_proxy_each_reader_has_their_own_address() {
    let site = Site::start_with(|config| {
        config.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()];
    });
    let first = failed_sign_ins(&site, "203.0.113.1", "guess_a");
    assert!(
        first.contains(&429),
        "one address is slowed down: {first:?}"
    );
    let second = failed_sign_ins(&site, "6.6.6.6, 203.0.113.2", "guess_b");
    assert_eq!(second[0], 401, "another reader is not: {second:?}");
}

#[test]
fn guessing_the_password_on_the_account_page_is_slowed_like_signing_in() {
    // A borrowed, signed-in browser could otherwise try passwords there
    // without end: the change and delete forms ask for the current one.
    for (form, fields) in [
        (
            "/account/password",
            vec![
                ("current_password", "a guess"),
                ("new_password", "a new secret phrase"),
                ("new_password_confirmation", "a new secret phrase"),
            ],
        ),
        (
            "/account/delete",
            vec![("works", "orphan"), ("password", "a guess")],
        ),
    ] {
        let site = Site::start();
        let reader = site.member("borrowed_browser");
        let statuses: Vec<u16> = (0..12)
            .map(|_| reader.submit("/account", form, &fields).status)
            .collect();
        let first_refusal = statuses
            .iter()
            .position(|s| *s == 429)
            .unwrap_or_else(|| panic!("{form}: never slowed: {statuses:?}"));
        assert!(
            statuses[..first_refusal].iter().all(|s| *s == 400),
            "{form}: {statuses:?}"
        );
        assert!(
            statuses[first_refusal..].iter().all(|s| *s == 429),
            "{form}: {statuses:?}"
        );
    }
}

#[test]
fn one_account_tried_from_many_addresses_is_slowed_down() {
    // Every try from an address of its own, so only the limit kept per
    // account name can slow them.
    let site = Site::start_with(|config| {
        config.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()];
    });
    // Made in the store: signing up counts against the name too.
    site.store(async {
        site.archive
            .add_user(
                "many_places",
                "many@example.org",
                "correct horse battery",
                quire_archive::Roles::default(),
            )
            .await
            .expect("an account")
    });
    let client = site.client();
    let token = client.get("/login").csrf();
    let statuses: Vec<u16> = (0..12)
        .map(|i| {
            let from = format!("198.51.100.{}", i + 1);
            let form = [
                ("csrf", token.as_str()),
                // The name as typed differently each time: one account all the same.
                (
                    "login",
                    if i % 2 == 0 {
                        "many_places"
                    } else {
                        "Many_Places"
                    },
                ),
                ("password", "not the password"),
            ];
            client
                .post_with("/login", &form, &[("x-forwarded-for", &from)])
                .status
        })
        .collect();
    assert_eq!(statuses[..10], [401; 10], "ten tries at once: {statuses:?}");
    assert_eq!(
        statuses[10..],
        [429; 2],
        "then the account waits: {statuses:?}"
    );
    // Another account from another address is not slowed by it.
    let other = [
        ("csrf", token.as_str()),
        ("login", "someone_else"),
        ("password", "not the password"),
    ];
    assert_eq!(
        client
            .post_with("/login", &other, &[("x-forwarded-for", "198.51.100.99")])
            .status,
        401
    );
}

#[test]
fn without_a_trusted_proxy_a_forwarded_address_is_not_believed() {
    let site = Site::start();
    let first = failed_sign_ins(&site, "203.0.113.1", "guess_a");
    assert!(first.contains(&429), "{first:?}");
    let second = failed_sign_ins(&site, "203.0.113.2", "guess_b");
    assert_eq!(second[0], 429, "the same connection's address: {second:?}");
}

#[test]
fn bytes_that_are_not_utf8_anywhere_are_read_or_refused_never_a_server_error() {
    let site = Site::start();
    let author = site.member("bytes_author");
    let token = author.get("/works/new").csrf();
    // Latin-1 where UTF-8 belongs, percent-encoded as a form is, plus a
    // stray byte that is UTF-8 nowhere.
    let body = format!(
        "csrf={token}&title=Caf%E9+%FF&rating=General+Audiences&warnings=No+Archive+Warnings+Apply\
         &fandoms=Original+Work&format=plain&action=post&body=She+was+na%EFve.%0D%0A%0D%0AThe+end%C0%AF."
    );
    let posted = author.post_bytes(
        "/works/new",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let work = author.get(posted.location.as_deref().unwrap_or("/"));
    assert_eq!(work.status, 200);
    assert!(
        work.body.contains("Caf\u{FFFD} \u{FFFD}"),
        "each bad byte is one replacement character"
    );
    assert!(work.body.contains("The end"));

    // Raw bytes, not even percent-encoded.
    let mut raw = format!(
        "csrf={token}&title=Raw&rating=General+Audiences&warnings=No+Archive+Warnings+Apply\
         &fandoms=Original+Work&format=plain&action=post&body="
    )
    .into_bytes();
    raw.extend_from_slice(b"Raw \xff\xfe words.");
    let posted = author.post_bytes("/works/new", "application/x-www-form-urlencoded", &raw);
    assert_eq!(posted.status, 303, "{}", posted.body);
    let work = author.get(posted.location.as_deref().unwrap_or("/"));
    assert!(
        work.body.contains("Raw \u{FFFD}\u{FFFD} words."),
        "{}",
        work.body
    );

    let guest = site.client();
    // In a query: read with replacement characters, like a form.
    for path in [
        "/works?q=%FF%FE",
        "/works?include=%C0%AF&fandoms=%FF",
        "/opds/search?q=%FF",
        "/api/v1/works?q=%FF",
        "/api/v1/tags/suggest?kind=fandom&q=%FF",
    ] {
        let answer = guest.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    // In the address itself: nothing is there, said as for any address.
    for path in [
        "/tags/%FF%FE",
        "/tags/%FF/works",
        "/works/%FF",
        "/users/%C0%AF",
    ] {
        let answer = guest.get(path);
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        assert!(
            answer.body.contains("find that page"),
            "{path}: {}",
            answer.body
        );
    }
    let api = guest.get("/api/v1/works/%FF");
    assert_eq!(api.status, 404);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
}

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
    router_routes()
        .into_iter()
        .filter(|(method, path)| method == "POST" && !path.starts_with("/api/"))
        // An email's unsubscribe link carries its own signature for one
        // person and one kind of email, and a mail program posts it with no
        // page before (RFC 8058); a forged one is refused
        // (`a_subscriber_gets_one_email_per_chapter_and_unsubscribes_from_its_link`).
        .filter(|(_, path)| !path.starts_with("/unsubscribe/"))
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

/// A body the server refused unread closes its connection, and the answer
/// says so: a client's next request (a POST is never tried again) goes on
/// a new connection instead of one closing under it.
#[test]
fn a_refused_body_is_answered_with_connection_close_and_the_next_request_succeeds() {
    let site = Site::start();
    let guest = site.client();
    for _ in 0..20 {
        let refused = guest.api(
            "POST",
            "/api/v1/works",
            None,
            Some(&serde_json::json!({"title": "No token"})),
        );
        assert_eq!(refused.status, 401, "{}", refused.body);
        assert_eq!(refused.header("connection"), Some("close"));
        assert_eq!(guest.get("/api/v1/works?per_page=1").status, 200);
    }
    // An answer to a request with no body keeps its connection.
    assert_eq!(guest.get("/nowhere").header("connection"), None);
}
