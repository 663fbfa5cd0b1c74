//! Accounts against stolen and fixed sessions: a new session at every
//! sign-in, cookies scripts can't read, and signing out everywhere.

use crate::harness::{Page, Site};

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
    // answers as it does to anyone.
    assert_eq!(member.get(&format!("/works/{id}")).status, 200);
    assert_eq!(member.get(&format!("/api/v1/works/{id}")).status, 404);
    assert_eq!(
        site.client().get(&format!("/api/v1/works/{id}")).status,
        404
    );
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
fn without_a_trusted_proxy_a_forwarded_address_is_not_believed() {
    let site = Site::start();
    let first = failed_sign_ins(&site, "203.0.113.1", "guess_a");
    assert!(first.contains(&429), "{first:?}");
    let second = failed_sign_ins(&site, "203.0.113.2", "guess_b");
    assert_eq!(second[0], 429, "the same connection's address: {second:?}");
}
