//! Accounts: signing up, in and out, changing the password, deleting an
//! account (its works orphaned), and the pseuds a member writes under.

use crate::harness::{post_work, Site};

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
