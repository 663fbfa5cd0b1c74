//! Tags: their pages, wrangling by wranglers only, and the suggestions the
//! forms offer.

use crate::harness::{post_work, Site};

#[test]
fn tag_pages_show_the_wrangling_and_only_wranglers_change_it() {
    let site = Site::start();
    let author = site.member("tag_author");
    post_work(
        &author,
        &[
            ("title", "Tagged"),
            ("body", "Words."),
            ("fandoms", "Star Wars"),
            ("freeforms", "Reylo, Kylo Ren/Rey"),
        ],
    );
    let guest = site.client();
    let page = guest.get("/tags/Reylo");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Additional Tags") && page.body.contains("/tags/Reylo/works"));
    assert!(!page.body.contains("Wrangle this tag"));
    assert_eq!(guest.get("/tags/Nothing%20Here").status, 404);
    assert_eq!(
        guest.get("/tags/Kylo%20Ren%2FRey").status,
        200,
        "a slash in a name is one segment"
    );

    // A member may not wrangle; the form isn't there for them.
    let token = author.get("/preferences").csrf();
    let refused = author.post("/tags/Reylo", &[("csrf", &token), ("action", "canonical")]);
    assert_eq!(refused.status, 404);

    let wrangler = site.member_with_roles(
        "the_wrangler",
        quire_archive::Roles {
            wrangler: true,
            admin: false,
        },
    );
    assert!(wrangler
        .get("/tags/Reylo")
        .body
        .contains("Wrangle this tag"));
    let canonical = wrangler.submit(
        "/tags/Kylo%20Ren%2FRey",
        "/tags/Kylo%20Ren%2FRey",
        &[("action", "canonical")],
    );
    assert!(
        canonical.body.contains("is <strong>canonical</strong>"),
        "{}",
        canonical.body
    );
    let merged = wrangler.submit(
        "/tags/Reylo",
        "/tags/Reylo",
        &[("action", "synonym"), ("canonical", "Kylo Ren/Rey")],
    );
    assert!(merged.body.contains("It is a synonym of"));
    let parent = wrangler.submit(
        "/tags/Kylo%20Ren%2FRey",
        "/tags/Kylo%20Ren%2FRey",
        &[
            ("action", "parent"),
            ("parent_kind", "fandom"),
            ("parent", "Star Wars"),
        ],
    );
    assert!(parent.body.contains("Parent tags") && parent.body.contains("Star Wars"));
    assert!(parent.body.contains("Reylo"), "the synonym is listed");
    let bad = wrangler.submit("/tags/Reylo", "/tags/Reylo", &[("action", "canonical")]);
    assert_eq!(bad.status, 400, "a synonym can't be canonical");
    let list = guest.get("/tags/Star%20Wars/works");
    assert!(list.body.contains("About this tag"));
}

#[test]
fn tag_suggestions_offer_canonical_names() {
    let site = Site::start();
    let author = site.member("suggest_author");
    post_work(
        &author,
        &[
            ("title", "Stars"),
            ("body", "Words."),
            ("fandoms", "Star Wars, Star Trek"),
        ],
    );
    site.store(async {
        site.archive
            .make_canonical(quire_archive::model::TagKind::Fandom, "Star Wars")
            .await
            .unwrap();
    });
    let guest = site.client();
    let found = guest.get("/api/v1/tags/suggest?kind=fandom&q=sta");
    assert_eq!(found.status, 200);
    assert_eq!(
        found.body,
        r#"{"kind":"fandom","suggestions":["Star Wars"]}"#
    );
    // A parameter given twice is a problem too, not axum's plain text.
    let twice = guest.get("/api/v1/tags/suggest?kind=fandom&kind=fandom");
    assert_eq!(twice.status, 400);
    assert_eq!(
        twice.header("content-type"),
        Some("application/problem+json")
    );
    assert!(twice.body.contains("bad-parameter"), "{}", twice.body);
    let bad = guest.get("/api/v1/tags/suggest?kind=rating&q=g");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("\"parameter\":\"kind\""));
    let form = author.get("/works/new").body;
    assert!(form.contains("data-suggest=\"fandom\" list=\"suggest-fandom\""));
}
