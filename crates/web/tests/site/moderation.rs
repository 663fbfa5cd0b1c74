//! Reports, the admins' queue, hidden works, suspended accounts and
//! co-creators: who may do what, over HTTP.

use crate::harness::{eventually, post_work, Client, Site};

fn admin(site: &Site) -> Client {
    site.member_with_roles(
        "the_admin",
        quire_archive::Roles {
            wrangler: false,
            admin: true,
        },
    )
}

#[test]
fn reports_reach_the_admins_who_hide_works_and_resolve_them() {
    let site = Site::start();
    let author = site.member("report_author");
    let reader = site.member("report_reader");
    let guest = site.client();
    let admin = admin(&site);
    let id = post_work(
        &author,
        &[
            ("title", "Reported Tale"),
            ("body", "A story someone dislikes."),
        ],
    );
    let draft = post_work(
        &author,
        &[("title", "Secret"), ("body", "Not yet."), ("draft", "1")],
    );
    let path = format!("/works/{id}");
    reader.submit(
        &path,
        &format!("{path}/comments"),
        &[("chapter", "1"), ("body", "Nobody wants this.")],
    );
    let comment: i64 = site.store(async { site.archive.comments_on_work(id).await.unwrap()[0].id });

    // Every work and every comment of someone else carries a report link.
    let page = reader.get(&path);
    assert!(page.body.contains(&format!("href=\"{path}/report\"")));
    assert!(
        !page.body.contains(&format!("/comments/{comment}/report")),
        "not on your own comment"
    );
    assert!(author
        .get(&path)
        .body
        .contains(&format!("/comments/{comment}/report")));
    assert!(
        !author.get(&path).body.contains(&format!("{path}/report")),
        "not on your own work"
    );

    // Guests report too; a report needs a reason and a description.
    let form = guest.get(&format!("{path}/report"));
    assert_eq!(form.status, 200);
    assert!(form
        .body
        .contains("Missing archive warnings or the wrong rating"));
    let incomplete = guest.submit(&path, &format!("{path}/report"), &[("details", "Bad.")]);
    assert_eq!(incomplete.status, 400);
    assert!(
        incomplete.body.contains("not a reason"),
        "{}",
        incomplete.body
    );
    let empty = guest.submit(&path, &format!("{path}/report"), &[("reason", "warnings")]);
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("say in a sentence") || empty.body.contains("Say in a sentence"));
    let filed = guest.submit(
        &path,
        &format!("{path}/report"),
        &[
            ("reason", "warnings"),
            ("details", "Chapter 1 kills a child; no warning."),
        ],
    );
    assert!(
        filed.body.contains("Your report is with the archive"),
        "{}",
        filed.body
    );
    let filed = author.submit(
        &path,
        &format!("/comments/{comment}/report"),
        &[
            ("reason", "harassment"),
            ("details", "This reader follows me around."),
        ],
    );
    assert!(filed.body.contains("Your report is with the archive"));
    assert_eq!(guest.get(&format!("/works/{draft}/report")).status, 404);
    assert_eq!(guest.get("/comments/999/report").status, 404);

    // Only admins find the queue.
    for who in [&guest, &reader, &author] {
        assert_eq!(who.get("/admin/reports").status, 404);
        assert!(!who.get("/").body.contains("/admin/reports"));
    }
    let queue = admin.get("/admin/reports");
    assert_eq!(queue.status, 200);
    assert!(admin.get("/").body.contains("href=\"/admin/reports\""));
    assert!(queue.body.contains("Chapter 1 kills a child; no warning."));
    assert!(queue.body.contains("a guest"));
    assert!(
        queue.body.contains("Nobody wants this."),
        "the reported comment is quoted"
    );
    assert!(queue.body.contains("Suspend report_author"));
    assert!(queue.body.contains("Suspend report_reader"));

    // Nobody but an admin hides a work or resolves a report.
    for who in [&guest, &reader, &author] {
        let token = who.get("/preferences").csrf();
        let hide = who.post(
            &format!("/admin/works/{id}/hidden"),
            &[("csrf", &token), ("action", "hide")],
        );
        assert_eq!(hide.status, 404);
        let resolve = who.post("/admin/reports/1/resolve", &[("csrf", &token)]);
        assert_eq!(resolve.status, 404);
    }

    // A hidden work: gone for readers and from listings; its author and
    // the admins still see it, with a word on why.
    eventually("the work is listed", || {
        guest.get("/works").body.contains("Reported Tale")
    });
    let hidden = admin.submit(
        &path,
        &format!("/admin/works/{id}/hidden"),
        &[("action", "hide")],
    );
    assert!(
        hidden.body.contains("The work is hidden"),
        "{}",
        hidden.body
    );
    assert_eq!(guest.get(&path).status, 404);
    assert_eq!(reader.get(&path).status, 404);
    let own = author.get(&path);
    assert_eq!(own.status, 200);
    assert!(own.body.contains("hidden by the archive's admins"));
    assert_eq!(admin.get(&path).status, 200);
    eventually("the hidden work leaves the listing", || {
        !guest.get("/works").body.contains("Reported Tale")
    });
    let token = reader.get("/").csrf();
    let kudos = reader.post(&format!("{path}/kudos"), &[("csrf", &token)]);
    assert_eq!(kudos.status, 404, "nobody reacts to a hidden work");
    assert!(admin
        .get("/admin/reports")
        .body
        .contains("Show the work again"));
    let shown = admin.submit(
        &path,
        &format!("/admin/works/{id}/hidden"),
        &[("action", "unhide")],
    );
    assert!(shown.body.contains("visible again"));
    assert_eq!(guest.get(&path).status, 200);
    eventually("the work is listed again", || {
        guest.get("/works").body.contains("Reported Tale")
    });

    // Resolving takes a report off the queue.
    let resolved = admin.submit(
        "/admin/reports",
        "/admin/reports/1/resolve",
        &[("resolution", "Asked the author to add the warning.")],
    );
    assert!(resolved.body.contains("The report is resolved"));
    assert!(!resolved.body.contains("Chapter 1 kills a child"));
    assert!(resolved.body.contains("Nobody wants this."));
    let again = admin.submit("/admin/reports", "/admin/reports/1/resolve", &[]);
    assert_eq!(again.status, 400, "a report is resolved once");
}

#[test]
fn a_suspended_account_reads_but_writes_nothing_until_reinstated() {
    let site = Site::start();
    let author = site.member("kind_author");
    let troll = site.member("troll");
    let admin = admin(&site);
    let id = post_work(&author, &[("title", "Gentle"), ("body", "Soft words.")]);
    let own = post_work(&troll, &[("title", "Troll Work"), ("body", "Loud words.")]);
    let path = format!("/works/{id}");

    // Suspending is an admin's act, from the queue or the person's page.
    let token = author.get("/").csrf();
    let refused = author.post(
        "/admin/users/troll/suspended",
        &[("csrf", &token), ("action", "suspend")],
    );
    assert_eq!(refused.status, 404);
    assert!(!author
        .get("/users/troll")
        .body
        .contains("Suspend this account"));
    let page = admin.submit(
        "/users/troll",
        "/admin/users/troll/suspended",
        &[("action", "suspend"), ("return_to", "person")],
    );
    assert!(
        page.body.contains("The account is suspended"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Reinstate this account"));
    let own_account = admin.submit(
        "/",
        "/admin/users/the_admin/suspended",
        &[("action", "suspend")],
    );
    assert_eq!(
        own_account.status, 400,
        "an admin can't lock themselves out"
    );

    // Reading still works; every write answers 403 and says why.
    assert_eq!(troll.get(&path).status, 200);
    assert_eq!(troll.get("/dashboard").status, 200);
    let token = troll.get("/").csrf();
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{path}/kudos"), vec![]),
        (
            format!("{path}/comments"),
            vec![("chapter", "1"), ("body", "Hi")],
        ),
        (format!("{path}/bookmarks"), vec![("note", "x")]),
        (format!("{path}/subscription"), vec![]),
        (
            "/works/new".to_string(),
            vec![("title", "More"), ("body", "More words.")],
        ),
        (format!("/works/{own}/edit"), vec![("title", "Changed")]),
        (
            format!("/works/{own}/chapters/new"),
            vec![("body", "Another chapter.")],
        ),
    ];
    for (route, fields) in &writes {
        let mut form = vec![("csrf", token.as_str())];
        form.extend(fields.iter().copied());
        let answer = troll.post(route, &form);
        assert_eq!(answer.status, 403, "{route}");
        assert!(answer.body.contains("Your account is suspended"), "{route}");
    }
    assert_eq!(troll.get("/works/new").status, 403);
    assert_eq!(troll.get(&format!("/works/{own}/edit")).status, 403);

    // Reinstated, the account writes again.
    let page = admin.submit(
        "/users/troll",
        "/admin/users/troll/suspended",
        &[("action", "reinstate"), ("return_to", "person")],
    );
    assert!(page.body.contains("The account is reinstated"));
    let kudos = troll.submit(&path, &format!("{path}/kudos"), &[]);
    assert!(kudos.body.contains("Thank you for leaving kudos"));
}

/// Is `pseud` in the work page's byline?
fn credited(page: &str, pseud: &str) -> bool {
    page.contains(&format!("rel=\"author\" href=\"/works?author={pseud}\""))
}

#[test]
fn co_creators_are_credited_once_they_accept_and_may_leave() {
    let site = Site::start();
    let author = site.member("lead_author");
    let friend = site.member("co_friend");
    let stranger = site.member("co_stranger");

    // A misspelt co-creator stops the post and says so; nothing is posted.
    let token = author.get("/works/new").csrf();
    let refused = author.post(
        "/works/new",
        &[
            ("csrf", &token),
            ("title", "Misspelt"),
            ("body", "Words."),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("co_creators", "co_frend"),
            ("action", "post"),
        ],
    );
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("nobody here writes as"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"co_frend\""),
        "the field keeps what was typed"
    );

    let id = post_work(
        &author,
        &[
            ("title", "Together"),
            ("body", "Written by two."),
            ("co_creators", "co_friend"),
        ],
    );
    let path = format!("/works/{id}");
    let page = author.get(&path);
    assert!(credited(&page.body, "lead_author") && !credited(&page.body, "co_friend"));
    assert_eq!(
        friend.get(&format!("{path}/edit")).status,
        404,
        "not before accepting"
    );
    let edit = author.get(&format!("{path}/edit"));
    assert!(edit
        .body
        .contains("Invited, waiting for their answer: co_friend"));
    assert!(
        !edit.body.contains("Remove me as co-creator"),
        "the only creator can't leave"
    );

    let dashboard = friend.get("/dashboard");
    assert!(dashboard.body.contains("Co-creator invitations"));
    assert!(dashboard
        .body
        .contains("lead_author asks to credit you as co_friend"));
    let accepted = friend.submit(
        "/dashboard",
        &format!("/dashboard/invitations/{id}"),
        &[("answer", "accept")],
    );
    assert!(accepted.body.contains("now credited as a co-creator"));
    assert!(!accepted.body.contains("Co-creator invitations"));
    assert!(credited(&author.get(&path).body, "co_friend"));
    assert_eq!(friend.get(&format!("{path}/edit")).status, 200);
    assert_eq!(stranger.get(&format!("{path}/edit")).status, 404);

    // A co-creator invites others too; a declined invitation credits nobody.
    let invited = friend.submit(
        &format!("{path}/edit"),
        &format!("{path}/creators"),
        &[("action", "invite"), ("co_creators", "co_stranger")],
    );
    assert!(
        invited.body.contains("each is credited once they accept"),
        "{}",
        invited.body
    );
    let token = stranger.get("/").csrf();
    let forged = stranger.post(
        &format!("{path}/creators"),
        &[
            ("csrf", &token),
            ("action", "invite"),
            ("co_creators", "co_stranger"),
        ],
    );
    assert_eq!(forged.status, 404, "only creators invite");
    let declined = stranger.submit(
        "/dashboard",
        &format!("/dashboard/invitations/{id}"),
        &[("answer", "decline")],
    );
    assert!(declined.body.contains("The invitation is declined"));
    assert!(!credited(&author.get(&path).body, "co_stranger"));
    let twice = stranger.submit(
        "/dashboard",
        &format!("/dashboard/invitations/{id}"),
        &[("answer", "accept")],
    );
    assert_eq!(twice.status, 400, "an answered invitation is gone");

    // Leaving a shared work.
    let edit = friend.get(&format!("{path}/edit"));
    assert!(edit.body.contains("Remove me as co-creator"));
    let left = friend.submit(
        &format!("{path}/edit"),
        &format!("{path}/creators"),
        &[("action", "leave")],
    );
    assert!(left.body.contains("no longer credited"), "{}", left.body);
    assert!(!credited(&left.body, "co_friend"));
    assert_eq!(friend.get(&format!("{path}/edit")).status, 404);
    let alone = author.submit(
        &format!("{path}/edit"),
        &format!("{path}/creators"),
        &[("action", "leave")],
    );
    assert_eq!(alone.status, 400);
    assert!(alone.body.contains("only creator"));
}

#[test]
fn someone_invited_to_a_draft_may_read_it_to_decide_and_nothing_more() {
    let site = Site::start();
    let author = site.member("drafting_author");
    let invitee = site.member("draft_invitee");
    let stranger = site.member("draft_stranger");
    let id = post_work(
        &author,
        &[
            ("title", "Not yet out"),
            ("body", "Unfinished words."),
            ("draft", "1"),
            ("co_creators", "draft_invitee"),
        ],
    );
    let path = format!("/works/{id}");
    let read = invitee.get(&path);
    assert_eq!(read.status, 200, "the invitee reads the draft");
    assert!(read.body.contains("Unfinished words."));
    assert_eq!(stranger.get(&path).status, 404);
    assert_eq!(
        invitee.get(&format!("{path}/edit")).status,
        404,
        "not theirs yet"
    );
    // Reading isn't reacting: a draft takes no kudos, from anyone.
    let token = invitee.get(&path).csrf();
    let kudos = invitee.post(&format!("{path}/kudos"), &[("csrf", &token)]);
    assert_eq!(kudos.status, 400);
    assert!(kudos.body.contains("a draft takes kudos once it is posted"));

    let declined = invitee.submit(
        "/dashboard",
        &format!("/dashboard/invitations/{id}"),
        &[("answer", "decline")],
    );
    assert!(declined.body.contains("The invitation is declined"));
    assert_eq!(
        invitee.get(&path).status,
        404,
        "declined, it is private again"
    );
}

#[test]
fn a_flood_of_reports_is_slowed_and_other_readers_can_still_report() {
    let site = Site::start();
    let author = site.member("flooded_author");
    let id = post_work(&author, &[("title", "Flooded"), ("body", "Words.")]);
    let path = format!("/works/{id}");
    let flooder = site.member("report_flooder");
    let report = |client: &Client| {
        let token = client.get(&format!("{path}/report")).csrf();
        client
            .post(
                &format!("{path}/report"),
                &[
                    ("csrf", token.as_str()),
                    ("reason", "warnings"),
                    ("details", "Again and again."),
                ],
            )
            .status
    };
    let statuses: Vec<u16> = (0..12).map(|_| report(&flooder)).collect();
    assert_eq!(&statuses[..10], &[303; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    let page = flooder.submit(
        &path,
        &format!("{path}/report"),
        &[("reason", "warnings"), ("details", "Once more.")],
    );
    assert!(page.body.contains("Too many tries"), "{}", page.body);
    // Another reader, and a guest, are counted apart.
    assert_eq!(report(&site.member("fair_reporter")), 303);
    assert_eq!(report(&site.client()), 303);
}

#[test]
fn a_flood_of_comments_is_slowed_per_reader_and_the_limit_is_a_setting() {
    let comment = |client: &Client, path: &str, body: &str| {
        let token = client.get(path).csrf();
        client.post(
            &format!("{path}/comments"),
            &[
                ("csrf", token.as_str()),
                ("chapter", "1"),
                ("name", "A passerby"),
                ("body", body),
            ],
        )
    };

    let site = Site::start_with(|config| config.comments_per_minute = 3);
    let author = site.member("chatty_author");
    let id = post_work(&author, &[("title", "Talked about"), ("body", "Words.")]);
    let path = format!("/works/{id}");
    let chatty = site.member("chatty_reader");
    let statuses: Vec<u16> = (0..5)
        .map(|n| comment(&chatty, &path, &format!("Comment {n}")).status)
        .collect();
    assert_eq!(statuses, [303, 303, 303, 429, 429]);
    let slowed = comment(&chatty, &path, "One more");
    assert!(
        slowed.body.contains("Slow down a little"),
        "{}",
        slowed.body
    );
    assert!(slowed.body.contains("wait a minute"), "{}", slowed.body);
    // The refused ones were not stored.
    let page = chatty.get(&path).body;
    assert!(page.contains("Comment 2") && !page.contains("Comment 3"));
    // Another member and a guest are counted apart from the flooder.
    assert_eq!(comment(&author, &path, "Thank you!").status, 303);
    assert_eq!(comment(&site.client(), &path, "Hello").status, 303);

    // An archive that sets no limit takes as many as come.
    let open = Site::start_with(|config| config.comments_per_minute = 0);
    let author = open.member("open_author");
    let id = post_work(&author, &[("title", "Open"), ("body", "Words.")]);
    let reader = open.member("open_reader");
    for n in 0..15 {
        let answer = comment(&reader, &format!("/works/{id}"), &format!("Note {n}"));
        assert_eq!(answer.status, 303, "comment {n}");
    }
}
