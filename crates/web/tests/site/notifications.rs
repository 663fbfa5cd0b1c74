//! Notifications and account recovery through a real SMTP server
//! (aiosmtpd): the inbox, email at once and in digests, unsubscribing
//! from a message's link, a forgotten password, a new address, a new
//! username.

use std::time::Duration;

use quire_testkit::smtp::{Mail, SmtpSink};

use crate::harness::{eventually, post_work, Client, Site};

fn site_with_mail(sink: &SmtpSink) -> Site {
    let url = sink.url();
    Site::start_with(move |settings| {
        settings.mail.smtp_url = Some(url);
        settings.mail.from = Some("Test archive <archive@example.org>".into());
    })
}

fn add_chapter(author: &Client, work: i64, words: &str) {
    let new = format!("/works/{work}/chapters/new");
    let added = author.submit(&new, &new, &[("body", words), ("action", "post")]);
    assert!(
        added.body.contains("Your chapter was posted"),
        "{}",
        added.body
    );
}

fn to(mail: &[Mail], address: &str) -> Vec<Mail> {
    mail.iter().filter(|m| m.to == address).cloned().collect()
}

#[test]
fn a_subscriber_gets_one_email_per_chapter_and_unsubscribes_from_its_link() {
    let sink = SmtpSink::start();
    let site = site_with_mail(&sink);
    let author = site.member("chapter_writer");
    let reader = site.member("chapter_reader");
    let work = post_work(
        &author,
        &[("title", "Slow Burn"), ("body", "The first chapter.")],
    );
    let subscribed = reader.submit(
        &format!("/works/{work}"),
        &format!("/works/{work}/subscription"),
        &[],
    );
    assert_eq!(subscribed.status, 200, "{}", subscribed.body);

    add_chapter(&author, work, "The second chapter.");
    let mail = sink.wait_for(1, Duration::from_secs(30));
    let mine = to(&mail, "chapter_reader@example.org");
    assert_eq!(mine.len(), 1, "{mail:#?}");
    let message = &mine[0];
    assert_eq!(message.subject, "New chapter: Slow Burn, chapter 2");
    assert!(
        message.text.contains(&format!("/works/{work}/chapters/2")),
        "{}",
        message.text
    );
    assert!(
        message.html.contains("<a href="),
        "an HTML part too: {}",
        message.html
    );
    assert!(message.message_id.contains('@'));
    assert!(
        to(&mail, "chapter_writer@example.org").is_empty(),
        "the writer knows"
    );

    // The inbox has it, and the header counts it.
    let inbox = reader.get("/inbox");
    assert!(
        inbox.body.contains("New chapter: Slow Burn, chapter 2"),
        "{}",
        inbox.body
    );
    assert!(
        inbox.body.contains("(1<span class=\"sr\"> unread</span>)"),
        "{}",
        inbox.body
    );

    // The unsubscribe link works without signing in, after a confirming
    // button; a forged one doesn't.
    let link = message
        .unsubscribe
        .clone()
        .expect("a List-Unsubscribe header");
    let path = link
        .trim_matches(|c| c == '<' || c == '>')
        .split_once("/unsubscribe/")
        .map(|(_, rest)| format!("/unsubscribe/{rest}"))
        .expect("a link to this site");
    assert_eq!(
        message.link("/unsubscribe/").as_deref(),
        Some(path.as_str())
    );
    let guest = site.client();
    let asked = guest.get(&path);
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("Unsubscribe"), "{}", asked.body);
    let mut forged = path.clone();
    forged.pop();
    forged.push(if path.ends_with('0') { '1' } else { '0' });
    assert_eq!(guest.post(&forged, &[]).status, 400);
    let done = guest.post(&path, &[]);
    assert_eq!(done.status, 200);
    assert!(
        done.body.contains("no more emails about new chapters"),
        "{}",
        done.body
    );

    // The next chapter reaches the inbox, and no email is written for it.
    add_chapter(&author, work, "The third chapter.");
    eventually("the third chapter's notice", || {
        reader.get("/inbox").body.contains("Slow Burn, chapter 3")
    });
    let counts = site.store(site.archive.outbox_counts()).unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.failed), (0, 1, 0));
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn the_inbox_marks_deletes_filters_and_replies() {
    let sink = SmtpSink::start();
    let site = site_with_mail(&sink);
    let author = site.member("inbox_writer");
    let reader = site.member("inbox_reader");
    let work = post_work(&author, &[("title", "Letters"), ("body", "Words.")]);
    let commented = reader.submit(
        &format!("/works/{work}"),
        &format!("/works/{work}/comments"),
        &[("body", "This made my day."), ("chapter", "1")],
    );
    assert_eq!(commented.status, 200, "{}", commented.body);
    let kudos = reader.submit(
        &format!("/works/{work}"),
        &format!("/works/{work}/kudos"),
        &[],
    );
    assert_eq!(kudos.status, 200);
    eventually("the comment and kudos reach the inbox", || {
        let inbox = author.get("/inbox").body;
        inbox.contains("inbox_reader commented on Letters")
            && inbox.contains("left kudos on Letters")
    });
    // The comment came by email at once; kudos wait for the digest.
    let mail = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(mail[0].subject, "inbox_reader commented on Letters");
    assert!(
        mail[0].text.contains("This made my day."),
        "{}",
        mail[0].text
    );

    let kudos_only = author.get("/inbox?kind=kudos");
    assert!(kudos_only.body.contains("left kudos"));
    assert!(!kudos_only.body.contains("commented on"));

    // Reply from the inbox: the reader hears of it.
    let inbox = author.get("/inbox").body;
    let reply_action = inbox
        .split("action=\"/inbox/")
        .filter_map(|rest| rest.split_once('"').map(|(path, _)| path.to_string()))
        .find(|path| path.ends_with("/reply"))
        .expect("a reply form on the comment's notice");
    let replied = author.submit(
        "/inbox",
        &format!("/inbox/{reply_action}"),
        &[("body", "Thank you!")],
    );
    assert!(
        replied.body.contains("Your reply is posted"),
        "{}",
        replied.body
    );
    eventually("the reply reaches the reader", || {
        reader
            .get("/inbox")
            .body
            .contains("inbox_writer replied to your comment on Letters")
    });
    assert!(author
        .get(&format!("/works/{work}"))
        .body
        .contains("Thank you!"));

    // Mark everything read; then one unread again; then delete it.
    let read = author.submit("/inbox", "/inbox/read", &[]);
    assert!(read.body.contains("Nothing unread."), "{}", read.body);
    let id = reply_action.trim_end_matches("/reply").to_string();
    let unread = author.submit("/inbox", &format!("/inbox/{id}"), &[("action", "unread")]);
    assert!(unread.body.contains("1 unread."), "{}", unread.body);
    let unread_only = author.get("/inbox?unread=1").body;
    assert!(unread_only.contains("commented on Letters") && !unread_only.contains("left kudos"));
    let deleted = author.submit("/inbox", &format!("/inbox/{id}"), &[("action", "delete")]);
    assert!(deleted.body.contains("Deleted."));
    assert!(!deleted.body.contains("commented on Letters"));
    // Someone else's notice isn't reachable.
    let others = reader.submit("/inbox", &format!("/inbox/{id}/reply"), &[("body", "Hi")]);
    assert_eq!(others.status, 404);
    // Addresses as anyone may type them: no notice, a first page.
    let largest = format!("/inbox/{}/reply", i64::MAX);
    assert_eq!(
        author.submit("/inbox", &largest, &[("body", "Hi")]).status,
        404
    );
    assert_eq!(author.get("/inbox?before=not-a-number").status, 200);
}

#[test]
fn email_choices_and_digests() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let site = Site::start_with(move |settings| {
        settings.mail.smtp_url = Some(url);
        settings.mail.digest_seconds = 3;
    });
    let author = site.member("digest_writer");
    let fans: Vec<Client> = (1..=3)
        .map(|n| site.member(&format!("digest_fan{n}")))
        .collect();
    let preferences = author.get("/preferences");
    assert!(
        preferences.body.contains("Daily digest"),
        "{}",
        preferences.body
    );
    let saved = author.submit(
        "/preferences",
        "/preferences/email",
        &[("mail_comment", "digest")],
    );
    assert!(
        saved.body.contains("Your email choices are saved."),
        "{}",
        saved.body
    );
    let work = post_work(&author, &[("title", "Gathered"), ("body", "Words.")]);
    for fan in &fans {
        let done = fan.submit(
            &format!("/works/{work}"),
            &format!("/works/{work}/comments"),
            &[("body", "Lovely."), ("chapter", "1")],
        );
        assert_eq!(done.status, 200);
    }
    // Every comment arrives by digest, none at once.
    let mut seen = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    while seen < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "{:#?}",
            sink.messages()
        );
        seen = sink
            .messages()
            .iter()
            .inspect(|m| assert!(m.subject.starts_with("Your day on the archive"), "{m:#?}"))
            .map(|m| m.text.matches("commented on Gathered").count())
            .sum();
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(seen, 3);
}

#[test]
fn a_forgotten_password_is_reset_once_from_the_emailed_link() {
    let sink = SmtpSink::start();
    let site = site_with_mail(&sink);
    let elsewhere = site.member("forgetful");
    let guest = site.client();
    assert!(guest.get("/login").body.contains("/password/forgot"));
    let asked = guest.submit(
        "/password/forgot",
        "/password/forgot",
        &[("login", "forgetful@example.org")],
    );
    let unknown = site.client().submit(
        "/password/forgot",
        "/password/forgot",
        &[("login", "nobody@example.org")],
    );
    assert_eq!(asked.status, 200);
    assert_eq!(unknown.status, 200);
    let said = |body: &str| {
        body.split("<p class=\"flash\" role=\"status\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .map(str::to_string)
    };
    assert!(said(&asked.body).is_some(), "{}", asked.body);
    assert_eq!(
        said(&asked.body),
        said(&unknown.body),
        "the same answer either way"
    );
    let mail = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(mail[0].to, "forgetful@example.org");
    let link = mail[0].link("/password/reset/").expect("a reset link");
    assert_eq!(guest.get(&link).status, 200);
    let set = guest.submit(
        &link,
        &link,
        &[
            ("password", "a brand new password"),
            ("password_confirmation", "a brand new password"),
        ],
    );
    assert!(
        set.body.contains("Your new password is set"),
        "{}",
        set.body
    );
    // Signed in here; signed out everywhere else.
    assert!(guest.get("/account").body.contains("forgetful"));
    assert_eq!(elsewhere.get("/account").status, 303);
    // The link works once.
    assert_eq!(guest.get(&link).status, 410);
    let again = site.client().submit(
        "/password/forgot",
        &link,
        &[
            ("password", "another new password"),
            ("password_confirmation", "another new password"),
        ],
    );
    assert_eq!(again.status, 400);
    let signed_in = site.client().submit(
        "/login",
        "/login",
        &[("login", "forgetful"), ("password", "a brand new password")],
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert!(signed_in.body.contains("Sign out"));
}

#[test]
fn a_new_address_is_confirmed_and_a_new_username_keeps_old_links() {
    let sink = SmtpSink::start();
    let site = site_with_mail(&sink);
    let member = site.member("moving_reader");
    let asked = member.submit(
        "/account",
        "/account/email",
        &[
            ("email", "moved@example.org"),
            ("password", "correct horse battery"),
        ],
    );
    assert!(
        asked.body.contains("sent a link to your new address"),
        "{}",
        asked.body
    );
    let mail = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(mail[0].to, "moved@example.org");
    let link = mail[0]
        .link("/account/email/")
        .expect("a confirmation link");
    let confirmed = member.submit(&link, &link, &[]);
    assert!(
        confirmed.body.contains("email address is changed"),
        "{}",
        confirmed.body
    );
    assert!(confirmed.body.contains("moved@example.org"));
    let mail = sink.wait_for(2, Duration::from_secs(30));
    assert_eq!(
        mail[1].to, "moving_reader@example.org",
        "the old address is told"
    );
    assert!(mail[1].subject.contains("changed"));

    let renamed = member.submit(
        "/account",
        "/account/login",
        &[
            ("login", "moved_reader"),
            ("password", "correct horse battery"),
        ],
    );
    assert!(
        renamed.body.contains("Your username is changed"),
        "{}",
        renamed.body
    );
    let old = site.client().get("/users/moving_reader/works");
    assert_eq!(old.status, 301);
    assert_eq!(old.location.as_deref(), Some("/users/moved_reader/works"));
    assert_eq!(site.client().get("/users/moved_reader").status, 200);
}

#[test]
fn without_smtp_the_inbox_still_fills_and_forgot_password_says_whom_to_ask() {
    let site = Site::start();
    let author = site.member("quiet_writer");
    let fan = site.member("quiet_fan");
    let pest = site.member("quiet_pest");
    let work = post_work(&author, &[("title", "Quiet"), ("body", "Words.")]);
    // Someone muted never reaches the inbox.
    let muted = author.submit("/users/quiet_pest", "/users/quiet_pest/mute", &[]);
    assert_eq!(muted.status, 200);
    let work_page = format!("/works/{work}");
    let kudos = format!("/works/{work}/kudos");
    pest.submit(&work_page, &kudos, &[]);
    fan.submit(&work_page, &kudos, &[]);
    eventually("kudos reach the inbox", || {
        author
            .get("/inbox")
            .body
            .contains("quiet_fan left kudos on Quiet")
    });
    assert!(!author.get("/inbox").body.contains("quiet_pest"));
    let counts = site.store(site.archive.outbox_counts()).unwrap();
    assert_eq!(
        counts.waiting + counts.sent + counts.failed,
        0,
        "no email is written"
    );
    let forgot = site.client().get("/password/forgot");
    assert!(forgot.body.contains("volunteers"), "{}", forgot.body);
    assert!(!author.get("/preferences").body.contains("Daily digest"));
}

#[test]
fn series_and_people_are_subscribed_to_from_their_pages() {
    let site = Site::start();
    let author = site.member("series_writer");
    let reader = site.member("series_reader");
    post_work(
        &author,
        &[
            ("title", "Part One"),
            ("body", "Words."),
            ("series", "The Saga"),
        ],
    );
    let person = reader.submit(
        "/users/series_writer",
        "/users/series_writer/subscription",
        &[],
    );
    assert!(
        person
            .body
            .contains("hear in your inbox when they post a new work"),
        "{}",
        person.body
    );
    assert!(person.body.contains(">Unsubscribe</button>"));
    let series = reader.get("/users/series_writer").body;
    let series_path = series
        .split("href=\"/series/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("/series/{id}"))
        .expect("a series link");
    let subscribed = reader.submit(&series_path, &format!("{series_path}/subscription"), &[]);
    assert!(
        subscribed.body.contains("new parts of this series"),
        "{}",
        subscribed.body
    );
    let dashboard = reader.get("/dashboard").body;
    assert!(dashboard.contains("The Saga</a> (series)"), "{dashboard}");
    assert!(
        dashboard.contains("series_writer</a> (person)"),
        "{dashboard}"
    );
    post_work(
        &author,
        &[
            ("title", "Part Two"),
            ("body", "Words."),
            ("series", "The Saga"),
        ],
    );
    eventually("the new work reaches the subscriber once", || {
        let inbox = reader.get("/inbox").body;
        inbox.contains("New work by series_writer: Part Two")
    });
    assert_eq!(reader.get("/inbox").body.matches("Part Two").count(), 1);
    // The API lists the same.
    let user = site
        .store(site.archive.user_id_of("series_reader"))
        .unwrap()
        .unwrap();
    let (_, token) = site
        .store(
            site.archive
                .create_api_token(user, "inbox", quire_archive::tokens::Scope::Read),
        )
        .unwrap();
    let listed = reader.api("GET", "/api/v1/me/subscriptions", Some(&token), None);
    assert!(
        listed.body.contains("\"kind\":\"series\""),
        "{}",
        listed.body
    );
    let inbox = reader.api("GET", "/api/v1/me/inbox?kind=work", Some(&token), None);
    assert!(inbox.body.contains("Part Two"), "{}", inbox.body);
    let notice = inbox
        .body
        .split("\"id\":")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .to_string();
    // A read token reads; marking takes a write token.
    let refused = reader.api(
        "PUT",
        &format!("/api/v1/me/inbox/{notice}/read"),
        Some(&token),
        None,
    );
    assert_eq!(refused.status, 403);
}
