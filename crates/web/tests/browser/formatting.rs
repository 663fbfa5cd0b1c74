//! A chapter typed as a writer types into AO3's HTML box, read on a phone:
//! paragraphs from blank lines, a table whose cell spans two columns and a
//! list that starts at 5, as the writer meant them; and a summary typed
//! the same way, in italics and two paragraphs.

use crate::harness::{post_work, Site};
use crate::reflow::{emulate_color_scheme, emulate_phone};
use crate::{browser, screenshot, visit, Driver};

const TYPED: &str = "The lighthouse stood alone.\n\nThe keeper counted <em>every</em> ship.\nOne line after a single break.\n\n\
<table border=\"1\"><tr><th colspan=\"2\">Ships this year</th></tr><tr><td>Spring</td><td>12</td></tr></table>\n\n\
<ol start=\"5\"><li>The fifth lantern</li><li>The sixth lantern</li></ol>\n\nThe end.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapter_typed_in_html_reads_as_its_writer_meant_on_a_phone() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let id = tokio::task::block_in_place(|| {
        let writer = site.member("html_writer");
        post_work(
            &writer,
            &[
                ("title", "Typed as on AO3"),
                (
                    "summary",
                    "A keeper, <i>alone</i>.\n\nAnd a second paragraph.",
                ),
                ("format", "html"),
                ("body", TYPED),
            ],
        )
    });
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser(&driver, profile.path()).await;
    emulate_phone(&b, 390).await;
    visit(&b, &site, &format!("/works/{id}")).await;
    let seen = b
        .execute(
            "const text = document.querySelector('#chapters .userstuff, .userstuff:not(blockquote)'); \
             const paragraphs = [...text.querySelectorAll(':scope > p')].map(p => p.innerText.trim()); \
             const list = text.querySelector('ol'); \
             const cell = text.querySelector('th'); \
             const table = text.querySelector('table').getBoundingClientRect(); \
             const summary = document.querySelector('section.summary blockquote'); \
             const italic = summary ? summary.querySelector('i') : null; \
             return { paragraphs, \
               summary: summary ? [...summary.querySelectorAll('p')].map(p => p.innerText.trim()) : [], \
               italic: italic ? getComputedStyle(italic).fontStyle : null, \
               summaryRight: summary ? summary.getBoundingClientRect().right : null, \
               breaks: text.querySelectorAll(':scope > p br').length, \
               start: list ? list.start : null, \
               first: list ? list.querySelector('li').innerText : null, \
               span: cell ? cell.colSpan : null, \
               tableRight: table.right, \
               pageWidth: document.documentElement.scrollWidth, \
               window: window.innerWidth };",
            vec![],
        )
        .await
        .expect("measures");
    // The preface with its formatted summary, light and dark, on a phone
    // and on a desk.
    screenshot(&b, "work-summary-390.png").await;
    emulate_color_scheme(&b, "dark").await;
    screenshot(&b, "work-summary-390-dark.png").await;
    emulate_phone(&b, 1280).await;
    screenshot(&b, "work-summary-1280-dark.png").await;
    emulate_color_scheme(&b, "light").await;
    screenshot(&b, "work-summary-1280.png").await;
    emulate_phone(&b, 390).await;
    b.execute(
        "document.querySelector('.userstuff table').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .expect("scrolls");
    screenshot(&b, "work-html-390.png").await;
    emulate_color_scheme(&b, "dark").await;
    screenshot(&b, "work-html-390-dark.png").await;
    let paragraphs: Vec<String> = seen["paragraphs"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        paragraphs.first().map(String::as_str),
        Some("The lighthouse stood alone."),
        "{seen}"
    );
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("The keeper counted every ship.\nOne line after")),
        "a single break is a line break inside the paragraph: {seen}"
    );
    assert_eq!(
        paragraphs.last().map(String::as_str),
        Some("The end."),
        "{seen}"
    );
    assert_eq!(seen["breaks"], 1, "{seen}");
    assert_eq!(
        seen["summary"],
        serde_json::json!(["A keeper, alone.", "And a second paragraph."]),
        "the summary's blank line is a paragraph, its tags are formatting: {seen}"
    );
    assert_eq!(seen["italic"], "italic", "{seen}");
    assert!(
        seen["summaryRight"].as_f64().unwrap_or(f64::MAX) <= seen["window"].as_f64().unwrap_or(0.0),
        "the summary fits the phone: {seen}"
    );
    assert_eq!(seen["start"], 5, "the list starts at 5: {seen}");
    assert_eq!(seen["first"], "The fifth lantern", "{seen}");
    assert_eq!(
        seen["span"], 2,
        "the heading cell spans both columns: {seen}"
    );
    let (page, window, right) = (
        seen["pageWidth"].as_f64().unwrap_or(f64::MAX),
        seen["window"].as_f64().unwrap_or(0.0),
        seen["tableRight"].as_f64().unwrap_or(f64::MAX),
    );
    assert!(
        page <= window && right <= window,
        "nothing reaches past the phone's edge: {seen}"
    );
}
