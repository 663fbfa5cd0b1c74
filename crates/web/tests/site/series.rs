//! Series: made and joined only by their creators, and their pages.

use crate::harness::{post_work, Site};

#[test]
fn series_are_made_and_joined_only_by_their_creators() {
    let site = Site::start();
    let author = site.member("series_author");
    let other = site.member("series_other");
    let first = post_work(
        &author,
        &[
            ("title", "Part one"),
            ("body", "Words."),
            ("series", "The Long Road"),
        ],
    );
    let second = post_work(
        &author,
        &[
            ("title", "Part two"),
            ("body", "More words."),
            ("series", "the long road"),
        ],
    );
    assert!(author
        .get(&format!("/works/{first}"))
        .body
        .contains("Part 1 of <a href=\"/series/1\">The Long Road</a>"));
    assert!(author
        .get(&format!("/works/{second}"))
        .body
        .contains("Part 2 of <a href=\"/series/1\">The Long Road</a>"));
    let taken = other.submit(
        "/works/new",
        "/works/new",
        &[
            ("title", "Interloper"),
            ("body", "Words."),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("series", "The Long Road"),
            ("action", "post"),
        ],
    );
    assert_eq!(taken.status, 400);
    assert!(taken.body.contains("belongs to someone else"));
    let theirs = post_work(&other, &[("title", "Their own"), ("body", "Words.")]);
    let edit = format!("/works/{theirs}/edit");
    let refused = other.submit(
        &edit,
        &edit,
        &[
            ("title", "Their own"),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("series", "The Long Road"),
        ],
    );
    assert_eq!(refused.status, 400);
    let edit = format!("/works/{first}/edit");
    assert!(author.get(&edit).body.contains("value=\"The Long Road\""));
    let third = post_work(&author, &[("title", "Part three"), ("body", "Words.")]);
    let edit = format!("/works/{third}/edit");
    let joined = author.submit(
        &edit,
        &edit,
        &[
            ("title", "Part three"),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
            ("complete", "1"),
            ("series", "The Long Road"),
        ],
    );
    assert!(
        joined
            .body
            .contains("Part 3 of <a href=\"/series/1\">The Long Road</a>"),
        "{}",
        joined.body
    );

    // The series page: every part in order, for whoever may see it.
    let guest = site.client();
    let page = guest.get("/series/1");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>The Long Road</h1>"));
    let at = |title: &str| {
        page.body
            .find(title)
            .unwrap_or_else(|| panic!("{title} listed"))
    };
    assert!(at("Part one") < at("Part two") && at("Part two") < at("Part three"));
    assert!(page.body.contains("Part 3</h2>"));
    assert!(!page.body.contains("Interloper"));
    let people = guest.get("/users/series_author");
    assert!(people
        .body
        .contains("<a href=\"/series/1\">The Long Road</a>"));
    assert!(!guest.get("/users/series_other").body.contains("/series/1"));
    assert_eq!(guest.get("/series/999").status, 404);
    assert_eq!(guest.get("/series/abc").status, 404);
}
