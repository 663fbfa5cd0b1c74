//! What the text suggests, shown apart from what the author tagged: to the
//! writer in the preview, to readers as a labelled note, and as a filter
//! in lists, the API and the mute list.

use crate::harness::{eventually, post_work, seed, Site};

#[test]
fn what_the_text_suggests_is_shown_apart_and_can_be_filtered_out() {
    let site = Site::start();
    let author = site.member("signal_author");
    let raw = seed("000");
    let preview = author.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Seed zero"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("fandoms", "Original Work"),
            ("body", &raw),
            ("action", "preview"),
        ],
    );
    assert!(
        preview
            .body
            .contains("The text suggests: <strong>Graphic Depictions Of Violence</strong>"),
        "{}",
        preview.body
    );
    assert!(preview
        .body
        .contains("suggests a rating of at least <strong>Mature</strong>"));
    let violent = post_work(
        &author,
        &[
            ("title", "Seed zero"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("body", &raw),
        ],
    );
    let gentle = post_work(
        &author,
        &[
            ("title", "Quiet tea"),
            ("body", "They drank tea and watched the rain."),
        ],
    );
    let guest = site.client();
    let page = guest.get(&format!("/works/{violent}"));
    let note = &page.body[page
        .body
        .find("<details class=\"detected\">")
        .expect("a detected note")..];
    let summary = &note[..note.find("</summary>").unwrap()];
    assert!(summary.contains("Detected in the text, not tagged by the author"));
    assert!(
        summary.contains("violence") && summary.contains("harm to children"),
        "{summary}"
    );
    assert!(
        !note.starts_with("<details class=\"detected\" open"),
        "collapsed by default"
    );
    assert!(!guest
        .get(&format!("/works/{gentle}"))
        .body
        .contains("class=\"detected\""));

    eventually("both are listed", || {
        let list = guest.get("/works").body;
        list.contains("Seed zero") && list.contains("Quiet tea")
    });
    let filtered = guest.get("/works?exclude_detected=child-harm").body;
    assert!(!filtered.contains("Seed zero") && filtered.contains("Quiet tea"));
    let api = guest.get("/api/v1/works?exclude_detected=violence");
    assert_eq!(api.status, 200);
    assert!(!api.body.contains("Seed zero") && api.body.contains("Quiet tea"));
    let bad = guest.get("/api/v1/works?exclude_detected=spiders");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("not a content note"));
    guest.submit(
        "/preferences",
        "/preferences",
        &[("mute_detected", "child-harm")],
    );
    let muted = guest.get("/works").body;
    assert!(!muted.contains("Seed zero") && muted.contains("1 work hidden by your filters"));
}
