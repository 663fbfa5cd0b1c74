//! The OPDS catalog as an e-reader app walks it: every feed valid against
//! the Atom/OPDS grammar in `schemas/opds.rnc` (checked with jing), from
//! the root to an EPUB, with paging, search, and a reader's own shelves
//! behind HTTP Basic sign-in.

use std::process::Command;

use crate::harness::{post_work, Client, Site};

/// Validates a feed with jing against the grammar; jing missing is a
/// failure, not a skip (scripts/test installs it).
fn assert_valid(name: &str, xml: &str) {
    let schema =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/site/schemas/opds.rnc");
    let file = std::env::temp_dir().join(format!("quire-opds-{}-{name}.xml", std::process::id()));
    std::fs::write(&file, xml).expect("the feed is written");
    let output = Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("jing runs (apt-get install -y jing; scripts/test installs it)");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "{name} is not a valid OPDS feed:\n{}{}\n{xml}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The feed's `href`s of links with this `rel` (and `type`, when given).
fn links(xml: &str, rel: &str, kind: Option<&str>) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("link") && n.attribute("rel") == Some(rel))
        .filter(|n| kind.is_none_or(|k| n.attribute("type") == Some(k)))
        .filter_map(|n| n.attribute("href").map(str::to_string))
        .collect()
}

fn entry_titles(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("title")))
        .filter_map(|t| t.text().map(str::to_string))
        .collect()
}

/// GETs an absolute URL from a feed on this site.
fn follow(client: &Client, site: &Site, url: &str) -> String {
    let path = url
        .strip_prefix(&site.base)
        .unwrap_or_else(|| panic!("{url} is on {}", site.base));
    let feed = client.download(path, None);
    assert_eq!(feed.status, 200, "{path}");
    assert!(
        feed.content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/atom+xml;profile=opds-catalog")),
        "{path}: {:?}",
        feed.content_type
    );
    feed.text()
}

#[test]
fn an_e_reader_follows_the_catalog_from_the_root_to_an_epub() {
    let site = Site::start();
    let author = site.member("opds_author");
    let first = post_work(
        &author,
        &[
            ("title", "Tea & <Toast>"),
            ("body", "A morning story."),
            ("summary", "Breakfast, at last."),
            ("fandoms", "Original Work"),
            ("freeforms", "Fluff"),
        ],
    );
    for n in 0..27 {
        post_work(
            &author,
            &[("title", &format!("Filler {n}")), ("body", "Words here.")],
        );
    }
    post_work(
        &author,
        &[
            ("title", "Members Only"),
            ("body", "Locked words."),
            ("restricted", "1"),
        ],
    );
    let app = site.client();
    crate::harness::eventually("the works are indexed", || {
        app.get("/works").body.contains("of 28 works")
    });

    let root = follow(&app, &site, &format!("{}/opds", site.base));
    assert_valid("root", &root);
    assert!(entry_titles(&root).contains(&"Recently updated".to_string()));
    assert!(
        !entry_titles(&root).contains(&"Your bookmarks".to_string()),
        "no shelves for a guest"
    );
    let search = links(
        &root,
        "search",
        Some("application/opensearchdescription+xml"),
    );
    assert_eq!(search.len(), 1);

    // Root → recent → page 2 → back, all valid; paging says where it is.
    let recent_url = &links(&root, "subsection", None)[0];
    let recent = follow(&app, &site, recent_url);
    assert_valid("recent", &recent);
    assert_eq!(entry_titles(&recent).len(), 25);
    assert!(recent.contains("<opensearch:totalResults>28</opensearch:totalResults>"));
    assert!(
        !recent.contains("Members Only"),
        "registered-only works need a signed-in reader"
    );
    let next = links(&recent, "next", None);
    assert_eq!(next.len(), 1);
    let second = follow(&app, &site, &next[0]);
    assert_valid("recent-2", &second);
    assert_eq!(entry_titles(&second).len(), 3);
    assert!(links(&second, "next", None).is_empty());
    assert_eq!(links(&second, "previous", None).len(), 1);

    // The entry of the first work: escaped text, authors, tags, downloads.
    let page = if recent.contains("Tea &amp; &lt;Toast&gt;") {
        recent
    } else {
        second
    };
    assert!(page.contains("<category term=\"Fluff\" label=\"Fluff\"/>"));
    // KOReader shows an entry's content: the work's summary is there,
    // the stats line in the Atom summary beside it.
    let doc = roxmltree::Document::parse(&page).expect("well-formed XML");
    let entry = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("entry")
                && n.children()
                    .any(|c| c.has_tag_name("title") && c.text() == Some("Tea & <Toast>"))
        })
        .expect("the work's entry");
    let child = |name: &str| {
        entry
            .children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_string()
    };
    // The summary as HTML, escaped as Atom's `type="html"` says.
    assert_eq!(child("content"), "<p>Breakfast, at last.</p>");
    assert!(
        entry
            .children()
            .any(|c| c.has_tag_name("content") && c.attribute("type") == Some("html")),
        "the content says it is HTML"
    );
    assert!(
        child("summary").contains("words") && child("summary").contains("Original Work"),
        "{}",
        child("summary")
    );
    // Its cover: the one in its EPUB, as SVG, kept by its ETag.
    let covers = links(&page, "http://opds-spec.org/image", Some("image/svg+xml"));
    let cover = covers
        .iter()
        .find(|href| href.ends_with(&format!("/works/{first}/cover.svg")))
        .expect("the work's cover is linked");
    assert!(links(&page, "http://opds-spec.org/image/thumbnail", None).contains(cover));
    let cover_path = cover.strip_prefix(&site.base).unwrap_or(cover);
    let image = app.download(cover_path, None);
    assert_eq!(image.status, 200);
    assert_eq!(
        image.content_type.as_deref(),
        Some("image/svg+xml; charset=utf-8")
    );
    let svg = roxmltree::Document::parse(std::str::from_utf8(&image.bytes).unwrap())
        .expect("the cover is well-formed SVG");
    assert_eq!(svg.root_element().tag_name().name(), "svg");
    assert!(image.text().contains("Tea &amp; &lt;Toast&gt;"));
    let again = app.download(cover_path, image.etag.as_deref());
    assert_eq!(again.status, 304, "the cover is kept by its ETag");
    let epubs = links(
        &page,
        "http://opds-spec.org/acquisition",
        Some("application/epub+zip"),
    );
    let epub = epubs
        .iter()
        .find(|href| href.ends_with(&format!("/works/{first}/download.epub")))
        .expect("the work's EPUB is offered");
    let book = app.download(epub.strip_prefix(&site.base).unwrap_or(epub), None);
    assert_eq!(book.status, 200);
    assert!(book.bytes.starts_with(b"PK"));

    // Fandoms and tags lead to acquisition feeds of their works.
    let fandoms_url = links(&root, "subsection", None)
        .into_iter()
        .find(|l| l.ends_with("/opds/fandoms"))
        .expect("a fandoms feed");
    let fandoms = follow(&app, &site, &fandoms_url);
    assert_valid("fandoms", &fandoms);
    assert_eq!(entry_titles(&fandoms), vec!["Original Work".to_string()]);
    let fandom = follow(&app, &site, &links(&fandoms, "subsection", None)[0]);
    assert_valid("fandom", &fandom);
    assert!(fandom.contains("<opensearch:totalResults>28</opensearch:totalResults>"));
    let tags = follow(&app, &site, &format!("{}/opds/tags", site.base));
    assert_valid("tags", &tags);
    assert!(entry_titles(&tags).contains(&"Fluff".to_string()));

    // Search, as the OpenSearch description tells apps to.
    let description = app.download("/opds/search.xml", None);
    assert_eq!(
        description.content_type.as_deref(),
        Some("application/opensearchdescription+xml")
    );
    let template = format!("{}/opds/search?q={{searchTerms}}", site.base);
    assert!(description.text().contains(&template));
    let found = follow(&app, &site, &template.replace("{searchTerms}", "morning"));
    assert_valid("search", &found);
    assert_eq!(entry_titles(&found), vec!["Tea & <Toast>".to_string()]);
}

#[test]
fn a_readers_shelves_open_with_http_basic_sign_in() {
    let site = Site::start();
    let author = site.member("shelf_author");
    let reader = site.member("shelf_reader");
    let open = post_work(&author, &[("title", "Open Book"), ("body", "Words.")]);
    let locked = post_work(
        &author,
        &[
            ("title", "Locked Book"),
            ("body", "Words."),
            ("restricted", "1"),
        ],
    );
    for id in [open, locked] {
        let path = format!("/works/{id}");
        reader.submit(&path, &format!("{path}/bookmarks"), &[("note", "Loved it")]);
    }
    reader.submit(
        &format!("/works/{open}"),
        &format!("/works/{open}/subscription"),
        &[],
    );

    // An app: no cookies, Basic sign-in.
    let app = site.client();
    let asked = app.download("/opds/bookmarks", None);
    assert_eq!(asked.status, 401);
    let basic = |login: &str, password: &str| {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
        )
    };
    let wrong = app.get_with(
        "/opds/bookmarks",
        &[("authorization", &basic("shelf_reader", "nope"))],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Basic")));
    let nobody = app.get_with(
        "/opds/bookmarks",
        &[("authorization", &basic("nobody_here", "nope"))],
    );
    assert_eq!(nobody.status, 401);
    assert_eq!(
        nobody.body, wrong.body,
        "the same words whether the account exists or not"
    );

    let right = basic("shelf_reader", "correct horse battery");
    let root = app.get_with("/opds", &[("authorization", &right)]);
    assert_valid("root-signed-in", &root.body);
    assert!(entry_titles(&root.body).contains(&"Your bookmarks".to_string()));
    let shelf = app.get_with("/opds/bookmarks", &[("authorization", &right)]);
    assert_eq!(shelf.status, 200);
    assert_valid("bookmarks", &shelf.body);
    let mut titles = entry_titles(&shelf.body);
    titles.sort();
    assert_eq!(
        titles,
        vec!["Locked Book".to_string(), "Open Book".to_string()]
    );
    let subscriptions = app.get_with("/opds/subscriptions", &[("authorization", &right)]);
    assert_valid("subscriptions", &subscriptions.body);
    assert_eq!(
        entry_titles(&subscriptions.body),
        vec!["Open Book".to_string()]
    );
    let members = app.get_with("/opds/recent", &[("authorization", &right)]);
    assert!(
        members.body.contains("Locked Book"),
        "signed in, registered-only works show"
    );
    assert!(!app.get("/opds/recent").body.contains("Locked Book"));
    // An app loads many feeds with the same details: browsing doesn't run
    // into the sign-in limit (ten tries a minute).
    for _ in 0..15 {
        let page = app.get_with("/opds/bookmarks", &[("authorization", &right)]);
        assert_eq!(page.status, 200);
    }
    // The site's own sign-in works too.
    assert_eq!(reader.download("/opds/bookmarks", None).status, 200);

    // A token from the account page stands in for the password, so the
    // e-reader never holds it: for its own account only.
    let (reader_token, other_token) = site.store(async {
        let archive = &site.archive;
        let reader = archive.user_id_of("shelf_reader").await.unwrap().unwrap();
        let author = archive.user_id_of("shelf_author").await.unwrap().unwrap();
        let read = quire_archive::tokens::Scope::Read;
        (
            archive
                .create_api_token(reader, "e-reader", read)
                .await
                .unwrap()
                .1,
            archive
                .create_api_token(author, "e-reader", read)
                .await
                .unwrap()
                .1,
        )
    });
    let with_token = basic("shelf_reader", &reader_token);
    let shelf = app.get_with("/opds/bookmarks", &[("authorization", &with_token)]);
    assert_eq!(shelf.status, 200);
    assert_eq!(entry_titles(&shelf.body).len(), 2);
    let borrowed = basic("shelf_reader", &other_token);
    assert_eq!(
        app.get_with("/opds/bookmarks", &[("authorization", &borrowed)])
            .status,
        401,
        "another account's token doesn't open this one's shelves"
    );
    let made_up = basic("shelf_reader", "quire_0000");
    assert_eq!(
        app.get_with("/opds/bookmarks", &[("authorization", &made_up)])
            .status,
        401
    );
}

/// jing and the grammar do refuse a broken feed: otherwise the checks
/// above would prove nothing.
#[test]
fn the_grammar_refuses_feeds_opds_forbids() {
    let valid = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:quire:opds:test</id><title>t</title><updated>2026-01-01T00:00:00Z</updated>
  <author><name>quire</name></author>
  <link rel="self" href="http://x/opds" type="application/atom+xml;profile=opds-catalog;kind=acquisition"/>
  <entry><id>urn:quire:work:1</id><title>w</title><updated>2026-01-01T00:00:00Z</updated>
    <author><name>a</name></author>
    <link rel="http://opds-spec.org/acquisition" href="http://x/works/1/download.epub" type="application/epub+zip"/>
  </entry>
</feed>"#;
    assert!(validates("valid", valid), "the reference feed is valid");
    let with_cover = valid.replace(
        "</entry>",
        "<link rel=\"http://opds-spec.org/image/thumbnail\" href=\"http://x/c.svg\" type=\"image/svg+xml\"/></entry>",
    );
    assert!(validates("cover", &with_cover), "a cover link is valid");
    let broken = [
        (
            "no-acquisition",
            valid.replace("http://opds-spec.org/acquisition", "alternate"),
        ),
        ("no-id", valid.replace("<id>urn:quire:opds:test</id>", "")),
        (
            "bad-date",
            valid.replace(
                "2026-01-01T00:00:00Z</updated>\n  <author>",
                "yesterday</updated>\n  <author>",
            ),
        ),
        (
            "no-author",
            valid.replace("<author><name>a</name></author>", ""),
        ),
        ("bad-type", valid.replace("kind=acquisition", "kind=other")),
        (
            "cover-not-an-image",
            valid.replace(
                "</entry>",
                "<link rel=\"http://opds-spec.org/image\" href=\"http://x/c\" type=\"text/html\"/></entry>",
            ),
        ),
    ];
    for (name, xml) in broken {
        assert!(!validates(name, &xml), "{name} passed:\n{xml}");
    }
}

fn validates(name: &str, xml: &str) -> bool {
    std::panic::catch_unwind(|| assert_valid(name, xml)).is_ok()
}

#[test]
fn feeds_carry_etag_and_last_modified_and_answer_304_until_they_change() {
    let site = Site::start();
    let author = site.member("opds_keeper");
    post_work(&author, &[("title", "First Light"), ("body", "Dawn.")]);
    let app = site.client();
    crate::harness::eventually("the work is indexed", || {
        app.get("/works").body.contains("First Light")
    });
    let first = app.get("/opds/recent");
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_string();
    let modified = first
        .header("last-modified")
        .expect("a Last-Modified")
        .to_string();
    assert_eq!(first.header("vary"), Some("Accept"));
    // The feed's date is when it last changed, the same as the header's.
    let updated = first
        .body
        .split("<updated>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the feed is dated");
    let header_time = httpdate::parse_http_date(&modified).unwrap();
    let seconds = header_time
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(updated, atom_date(seconds));

    // Unchanged: the same ETag and date, a 304 by either, and HEAD (as
    // KOReader asks) says the same.
    let again = app.get("/opds/recent");
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("last-modified"), Some(modified.as_str()));
    assert_eq!(
        app.get_with("/opds/recent", &[("if-none-match", &etag)])
            .status,
        304
    );
    assert_eq!(
        app.get_with("/opds/recent", &[("if-modified-since", &modified)])
            .status,
        304
    );
    let head = app.head("/opds/recent");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("last-modified"), Some(modified.as_str()));

    // A new work changes the feed: a new ETag, a later date, and the old
    // validators get the whole feed.
    post_work(&author, &[("title", "Second Light"), ("body", "Dusk.")]);
    crate::harness::eventually("the new work is in the feed", || {
        app.get("/opds/recent").body.contains("Second Light")
    });
    let changed = app.get("/opds/recent");
    let new_etag = changed.header("etag").unwrap();
    assert_ne!(new_etag, etag);
    let new_modified = httpdate::parse_http_date(changed.header("last-modified").unwrap()).unwrap();
    assert!(
        new_modified > header_time,
        "the date moves on with the feed"
    );
    let stale = app.get_with(
        "/opds/recent",
        &[("if-none-match", &etag), ("if-modified-since", &modified)],
    );
    assert_eq!(stale.status, 200);
    assert!(stale.body.contains("Second Light"));
    assert_eq!(
        app.get_with("/opds/recent", &[("if-modified-since", &modified)])
            .status,
        200,
        "a date before the change gets the new feed"
    );
}

/// Seconds since 1970 as an Atom date, by the `time` crate, not quire's.
fn atom_date(seconds: u64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds as i64).unwrap();
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn a_browser_gets_a_readable_page_where_an_app_gets_the_feed() {
    let site = Site::start();
    let author = site.member("opds_browser");
    post_work(
        &author,
        &[
            ("title", "Paper Boats"),
            ("summary", "Folded at the harbour."),
            ("body", "They floated."),
        ],
    );
    let client = site.client();
    crate::harness::eventually("the work is indexed", || {
        client.get("/works").body.contains("Paper Boats")
    });
    // What Chromium and Firefox send.
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let root = client.get_with("/opds", &[("accept", browser)]);
    assert_eq!(root.status, 200);
    assert!(root
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(root.header("vary"), Some("Accept"));
    assert!(root.body.contains("<h1>quire</h1>"));
    assert!(root.body.contains("add <code class=\"address\">"));
    assert!(root.body.contains(&format!(
        "<a href=\"{}/opds/recent\">Recently updated</a>",
        site.base
    )));
    let recent = client.get_with("/opds/recent", &[("accept", browser)]);
    assert!(recent.body.contains("Paper Boats") && recent.body.contains("Folded at the harbour."));
    assert!(recent.body.contains("/download.epub\">EPUB</a>"));
    // Apps: Atom asked for by name, anything, or nothing at all.
    for accept in [
        Some("application/atom+xml;profile=opds-catalog, application/xml;q=0.5"),
        Some("*/*"),
        Some("application/atom+xml, text/html;q=0.5"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("accept", *a)).collect();
        let feed = client.get_with("/opds", &headers);
        assert!(
            feed.header("content-type")
                .unwrap()
                .starts_with("application/atom+xml"),
            "Accept {accept:?} gets {:?}",
            feed.header("content-type")
        );
    }
}
