//! Reading: who sees drafts and works for members only, read-as fills for
//! this reader only, works in chapters, filters and the mute list, and
//! author pages and the dashboard.

use crate::harness::{eventually, post_work, seed, Site};

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
    // A remembered fill is one line, closed, with a way to change it.
    let summary = filled
        .body
        .split("<summary id=\"read-as-heading\"")
        .nth(1)
        .expect("the Read as… summary");
    let summary = &summary[..summary.find("</summary>").expect("closed")];
    assert!(
        summary.contains("Reading as <span class=\"fill\">Zoë &#60;b&#62;</span>")
            && summary.contains("<span class=\"change\">change</span>"),
        "{summary}"
    );
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
    // One bookmark per reader per work: the private one keeps another.
    let quiet = post_work(
        &author,
        &[("title", "Kept quiet"), ("body", "Quiet words.")],
    );
    let quiet_path = format!("/works/{quiet}");
    reader.submit(
        &quiet_path,
        &format!("{quiet_path}/bookmarks"),
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

/// A work's language is shown by its own name, on its page and in
/// listings, and marked as that language for screen readers.
#[test]
fn a_works_language_is_shown_by_its_own_name() {
    let site = Site::start();
    let writer = site.member("sprachen");
    let work = post_work(
        &writer,
        &[
            ("title", "Die Laterne"),
            ("language", "de"),
            ("body", "Die Laterne schwang im Wind."),
        ],
    );
    let guest = site.client();
    let page = guest.get(&format!("/works/{work}")).body;
    assert!(page.contains("<dd lang=\"de\">Deutsch</dd>"), "{page}");
    eventually("the work is listed", || {
        guest
            .get("/users/sprachen/works")
            .body
            .contains("Die Laterne")
    });
    let listing = guest.get("/users/sprachen/works").body;
    assert!(
        listing.contains("<dd lang=\"de\">Deutsch</dd>"),
        "{listing}"
    );
    for (title, language, body) in [
        ("Звёзды", "ru", "Звёзды горели над рекой."),
        ("Der Wind", "de", "Der Wind kam vom Meer."),
    ] {
        post_work(
            &writer,
            &[("title", title), ("language", language), ("body", body)],
        );
    }
    eventually("all three are listed", || {
        guest.get("/works?language=ru").body.contains("Звёзды")
            && guest.get("/works?language=de").body.contains("Der Wind")
    });
    // The filter offers the languages the works are in, by name and with
    // how many each, whichever one is chosen; the one chosen stays chosen.
    let filtered = guest.get("/works?language=de").body;
    assert!(filtered.contains("Die Laterne"));
    assert!(!filtered.contains("Звёзды"));
    assert!(filtered.contains("<option value=\"\">Any language</option>"));
    assert!(
        filtered.contains("<option value=\"de\" lang=\"de\" selected>Deutsch (2)</option>"),
        "the filter keeps its language: {filtered}"
    );
    assert!(
        filtered.contains("<option value=\"ru\" lang=\"ru\">русский (1)</option>")
            || filtered.contains("<option value=\"ru\" lang=\"ru\">Русский (1)</option>"),
        "{filtered}"
    );
    // Languages no work is in are not offered; one asked for by address is.
    assert!(!filtered.contains("lang=\"ja\""));
    let none = guest.get("/works?language=ja").body;
    assert!(!none.contains("Die Laterne"));
    assert!(
        none.contains("lang=\"ja\" selected>日本語 (0)</option>"),
        "{none}"
    );
    assert!(none.contains("lang=\"de\">Deutsch (2)</option>"), "{none}");
    // The API keeps codes.
    let api = guest.get("/api/v1/works?facets=true").body;
    assert!(
        api.contains("\"language\":[{\"tag\":\"de\",\"count\":2}"),
        "{api}"
    );
    let edit = writer.get(&format!("/works/{work}/edit")).body;
    assert!(
        edit.contains("<option value=\"de\" lang=\"de\" selected>Deutsch</option>"),
        "the edit form keeps the work's language"
    );
    let new = writer.get("/works/new").body;
    assert!(new.contains("<option value=\"en\" lang=\"en\" selected>English</option>"));
}
