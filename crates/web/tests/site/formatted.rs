//! Summaries, notes, comments and bookmark notes take HTML as on AO3: what
//! a writer types into each is kept formatted (without media, with AO3's
//! paragraphs), shown so on every page, in the API and in downloads, and
//! read as words where formatting can't show (search, plain text).

use serde_json::{json, Value};

use crate::harness::{account_with_token, eventually, post_work, Site};

const SUMMARY: &str = "A <i>short</i> summary.\n\nSecond <b>part</b> & more.";
const SUMMARY_KEPT: &str = "<p>A <i>short</i> summary.</p>\n<p>Second <b>part</b> &amp; more.</p>";

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("not JSON ({err}): {body}"))
}

#[test]
fn a_formatted_preface_is_kept_and_shown_formatted_everywhere() {
    let site = Site::start();
    let writer = site.member("preface_writer");
    let form = writer.get("/works/new");
    assert!(
        form.body
            .contains("The summary and notes take HTML as on AO3"),
        "the form says the preface takes HTML"
    );
    let id = post_work(
        &writer,
        &[
            ("title", "Formatted Preface"),
            ("summary", SUMMARY),
            (
                "notes_start",
                "Thanks to <a href=\"https://example.org/beta\" onclick=\"x()\">my beta</a>.\nSee you.",
            ),
            (
                "notes_end",
                "<ol start=\"5\"><li>five</li></ol><img src=\"https://example.org/a.png\" alt=\"pic\">",
            ),
            ("chapter_summary", "In which <em>nothing</em> happens."),
            ("format", "html"),
            ("body", "The text."),
        ],
    );
    let page = site.client().get(&format!("/works/{id}"));
    for kept in [
        SUMMARY_KEPT,
        "<p>Thanks to <a href=\"https://example.org/beta\" rel=\"nofollow\">my beta</a>.<br />See you.</p>",
        "<ol start=\"5\"><li>five</li></ol>",
        "<p>In which <em>nothing</em> happens.</p>",
    ] {
        assert!(page.body.contains(kept), "{kept} not on the page:\n{}", page.body);
    }
    for gone in ["&lt;i&gt;", "onclick", "example.org/a.png"] {
        assert!(!page.body.contains(gone), "{gone} on the page");
    }

    // The listing's blurb, once the index has it.
    eventually("the blurb shows the formatted summary", || {
        site.client()
            .get("/works")
            .body
            .contains("<i>short</i> summary.")
    });

    // The edit form holds the HTML as stored, to edit as HTML.
    let edit = writer.get(&format!("/works/{id}/edit"));
    let document = scraper::Html::parse_document(&edit.body);
    let selector = scraper::Selector::parse("textarea#summary").expect("a selector");
    let in_box: String = document
        .select(&selector)
        .next()
        .expect("the summary box")
        .text()
        .collect();
    assert_eq!(in_box, SUMMARY_KEPT);

    // The API gives the same HTML.
    let work = json_of(
        &site
            .client()
            .api("GET", &format!("/api/v1/works/{id}"), None, None)
            .body,
    );
    assert_eq!(work["summary"], SUMMARY_KEPT);

    // Downloads: formatted where they can be, words where they can't.
    let html = site.client().get(&format!("/works/{id}/download.html"));
    assert!(html.body.contains("<i>short</i>"), "{}", html.body);
    assert!(html.body.contains("<ol start=\"5\">"), "{}", html.body);
    let txt = site.client().get(&format!("/works/{id}/download.txt"));
    // Italics as plain text shows them.
    assert!(txt.body.contains("A _short_ summary."), "{}", txt.body);
    assert!(txt.body.contains("Second part & more."), "{}", txt.body);
    assert!(!txt.body.contains("<i>"), "{}", txt.body);

    // Search finds the summary's words, not its tags.
    eventually("search finds a word of the summary", || {
        site.client()
            .get("/works?q=short")
            .body
            .contains("Formatted Preface")
    });
    assert!(!site
        .client()
        .get("/works?q=summary%3Ai")
        .body
        .contains("Formatted Preface"));
}

#[test]
fn comments_and_bookmark_notes_take_html_on_the_site_and_in_the_api() {
    let site = Site::start();
    let writer = site.member("commented_writer");
    let id = post_work(&writer, &[("title", "Talked About"), ("body", "The text.")]);
    let reader = site.member("html_reader");
    let path = format!("/works/{id}");
    let answer = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("chapter", "1"),
            ("return_to", &path),
            (
                "body",
                "I <b>loved</b> it.\n\nTruly <script>alert(1)</script><img src=\"https://example.org/x.png\">.",
            ),
        ],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let page = site.client().get(&path);
    assert!(
        page.body
            .contains("<p>I <b>loved</b> it.</p>\n<p>Truly .</p>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("alert(1)") && !page.body.contains("x.png"));

    // Text only markup: refused as a comment with no words.
    let empty = reader.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("chapter", "1"),
            ("return_to", &path),
            ("body", "<p> </p><b></b>"),
        ],
    );
    assert!(
        empty.body.contains("a comment needs some text"),
        "{}",
        empty.body
    );

    let bookmarked = reader.submit(
        &path,
        &format!("{path}/bookmarks"),
        &[
            ("return_to", &path),
            ("note", "Read it <em>twice</em>.\nThen again."),
            ("tags", "comfort read"),
        ],
    );
    assert_eq!(bookmarked.status, 200, "{}", bookmarked.body);
    let shelf = site.client().get("/users/html_reader");
    assert!(
        shelf
            .body
            .contains("<p>Read it <em>twice</em>.<br />Then again.</p>"),
        "{}",
        shelf.body
    );

    // The API takes and gives the same HTML.
    let token = account_with_token(&site, "api_commenter", quire_archive::tokens::Scope::Write);
    let client = site.client();
    let posted = client.api(
        "POST",
        &format!("/api/v1/works/{id}/comments"),
        Some(&token),
        Some(&json!({"body": "From the <i>API</i>.\n\nTwo paragraphs."})),
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let comments = json_of(
        &client
            .api(
                "GET",
                &format!("/api/v1/works/{id}/chapters/1/comments"),
                None,
                None,
            )
            .body,
    );
    let bodies: Vec<&str> = comments["comments"]
        .as_array()
        .expect("a list of comments")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&"<p>From the <i>API</i>.</p>\n<p>Two paragraphs.</p>"),
        "{bodies:?}"
    );
}

#[test]
fn a_series_is_described_in_html_by_its_creators_only() {
    let site = Site::start();
    let writer = site.member("series_writer");
    post_work(
        &writer,
        &[
            ("title", "Part One"),
            ("series", "The Tides"),
            ("body", "Words."),
        ],
    );
    let token = account_with_token(&site, "series_reader", quire_archive::tokens::Scope::Read);
    let client = site.client();
    let first = json_of(
        &client
            .api("GET", "/api/v1/users/series_writer", Some(&token), None)
            .body,
    );
    let id = first["series"][0]["id"].as_i64().expect("the series' id");
    let path = format!("/series/{id}");
    assert!(writer.get(&path).body.contains("Describe this series"));
    assert!(!site
        .client()
        .get(&path)
        .body
        .contains("Describe this series"));

    let described = writer.submit(
        &path,
        &format!("{path}/description"),
        &[(
            "description",
            "Four <i>tides</i>, one town.\n\nRead in order.<img src=\"https://example.org/a.png\">",
        )],
    );
    assert_eq!(described.status, 200, "{}", described.body);
    let kept = "<p>Four <i>tides</i>, one town.</p>\n<p>Read in order.</p>";
    assert!(site.client().get(&path).body.contains(kept));
    let api = json_of(
        &client
            .api("GET", &format!("/api/v1{path}"), None, None)
            .body,
    );
    assert_eq!(api["description"], kept);

    // Anyone else finds no series of theirs to describe.
    let other = site.member("not_the_writer");
    let refused = other.post(
        &format!("{path}/description"),
        &[
            ("csrf", &other.get(&path).csrf()),
            ("description", "Mine now."),
        ],
    );
    assert_eq!(refused.status, 404);
    assert!(site.client().get(&path).body.contains(kept));

    // Past the limit, the error says so.
    let long = "x".repeat(quire_archive::model::limits::SERIES_DESCRIPTION_CHARS + 1);
    let too_long = writer.post(
        &format!("{path}/description"),
        &[("csrf", &writer.get(&path).csrf()), ("description", &long)],
    );
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    assert!(
        too_long.body.contains("series description"),
        "{}",
        too_long.body
    );
}
