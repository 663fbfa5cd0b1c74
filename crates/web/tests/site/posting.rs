//! Posting a work: a raw seed repaired and its notes set apart, a
//! preview that stores nothing, what AO3 requires, and Markdown and HTML
//! bodies that keep their formatting and lose their scripts.

use crate::harness::{eventually, post_work, seed, Site};

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
            ("body", "<p onclick=\"alert(1)\">Kept <strong>bold</strong></p><script>alert(2)</script><img src=\"https://evil.example/x.png\" alt=\"\">"),
        ],
    );
    let page = author.get(&format!("/works/{html}"));
    assert!(page.body.contains("<strong>bold</strong>"));
    assert!(
        !page.body.contains("alert(") && !page.body.contains("onclick"),
        "{}",
        page.body
    );
    // A remote image stays in the text (AO3 allows them), and the page's
    // policy lets it load over https.
    assert!(page
        .body
        .contains("<img alt=\"\" src=\"https://evil.example/x.png\">"));
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("img-src 'self' data: https:;"), "{csp}");
}

/// The posting form says what HTML does, listing the elements the
/// sanitizer keeps, and the API's document says it for `format`; the
/// preview shows the chapter as posting stores it.
#[test]
fn the_form_and_the_api_say_what_html_does_and_the_preview_shows_what_is_stored() {
    let site = Site::start();
    let writer = site.member("html_helper");
    let form = writer.get("/works/new");
    assert!(form.body.contains("What HTML does"));
    for element in quire_archive::sanitize::ALLOWED_ELEMENTS {
        assert!(
            form.body.contains(&format!("<code>{element}</code>")),
            "{element} is not listed on the form"
        );
    }
    let document = writer.get("/api/v1/openapi.json").body;
    assert!(document.contains("a blank line starts a paragraph"));

    let typed = "One.\n\nTwo <em>here</em>.\nThree.";
    let preview = writer.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Previewed"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("format", "html"),
            ("body", typed),
            ("action", "preview"),
        ],
    );
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview
        .body
        .contains("Preview: what quire made of your text"));
    let stored = "<p>One.</p>\n<p>Two <em>here</em>.<br />Three.</p>";
    assert!(preview.body.contains(stored), "{}", preview.body);
    let id = post_work(
        &writer,
        &[("title", "Posted"), ("format", "html"), ("body", typed)],
    );
    assert!(site
        .client()
        .get(&format!("/works/{id}"))
        .body
        .contains(stored));
}
