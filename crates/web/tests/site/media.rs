//! Fanart, podfic and vids as AO3 carries them: images and players from
//! other sites, frames from the embed hosts, each shown on the page with
//! a policy that lets the browser load them and nothing else, and named as
//! links in downloads, which play nothing.

use std::io::Read;

use crate::harness::{eventually, post_work, Site};

const PODFIC: &str = "<p>Read aloud by the author.</p>\n\
    <audio src=\"http://podfic.example/ep1.mp3\" preload=\"auto\" onplay=\"alert(1)\">Your browser plays no audio.</audio>\n\
    <p><img src=\"https://art.example/cover.png\" alt=\"A lantern on a table\" width=\"300\"></p>\n\
    <iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc123\" allowfullscreen></iframe>\n\
    <iframe src=\"https://tracker.example/embed\">Not from an embed host.</iframe>";

#[test]
fn a_podfic_with_art_and_a_vid_shows_its_players_and_downloads_name_them() {
    let site = Site::start();
    let creator = site.member("podficcer");
    let id = post_work(
        &creator,
        &[
            ("title", "Lantern, Read Aloud"),
            ("format", "html"),
            ("body", PODFIC),
            ("summary", "A summary <iframe src=\"https://www.youtube.com/embed/x\"></iframe><audio src=\"https://podfic.example/a.mp3\">heard</audio>"),
        ],
    );
    let page = site.client().get(&format!("/works/{id}"));
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(
        body.contains("<audio controls=\"controls\" preload=\"metadata\" src=\"https://podfic.example/ep1.mp3\">Your browser plays no audio.</audio>"),
        "{body}"
    );
    assert!(body.contains(
        "<img alt=\"A lantern on a table\" src=\"https://art.example/cover.png\" width=\"300\">"
    ));
    assert!(
        body.contains("<iframe allow=\"encrypted-media; fullscreen; picture-in-picture\" allowfullscreen=\"allowfullscreen\" \
             height=\"315\" loading=\"lazy\" referrerpolicy=\"strict-origin\" \
             sandbox=\"allow-scripts allow-same-origin allow-popups allow-presentation\" \
             src=\"https://www.youtube.com/embed/abc123\" width=\"560\"></iframe>"),
        "{body}"
    );
    for gone in ["onplay", "tracker.example", "Not from an embed host"] {
        assert!(!body.contains(gone), "{gone} survived");
    }
    // The summary takes formatting, not media: the frame goes, the
    // player's fallback words stay.
    assert!(
        body.contains("A summary heard") || body.contains("A summary </p>"),
        "{body}"
    );
    assert_eq!(body.matches("<iframe").count(), 1, "{body}");
    assert_eq!(body.matches("<audio").count(), 1, "{body}");

    // The browser may load images and players from https sites and
    // frames from the embed hosts only.
    let csp = page.header("content-security-policy").unwrap_or("");
    for part in [
        "img-src 'self' data: https:;",
        "media-src 'self' https:;",
        "https://youtube.com https://www.youtube.com",
        "https://w.soundcloud.com",
        "script-src 'self';",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{part} not in {csp}");
    }
    let frames = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("frame-src "))
        .expect("a frame-src");
    assert!(
        frames
            .split_whitespace()
            .skip(1)
            .all(|source| source.starts_with("https://") && !source.contains('*')),
        "{frames}"
    );

    // The API hands on the chapter as stored.
    let api = site.client().get(&format!("/api/v1/works/{id}/chapters/1"));
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(
        api.body.contains("https://www.youtube.com/embed/abc123"),
        "{}",
        api.body
    );

    // Downloads play nothing: each embed is a link to where it plays.
    let guest = site.client();
    let html = guest.download(&format!("/works/{id}/download.html"), None);
    let text = html.text();
    assert!(
        text.contains("[audio: https://podfic.example/ep1.mp3]")
            && text.contains("[embedded media: https://www.youtube.com/embed/abc123]"),
        "{text}"
    );
    assert!(!text.contains("<audio") && !text.contains("<iframe"));
    let epub = guest.download(&format!("/works/{id}/download.epub"), None);
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(&epub.bytes)).expect("a zip");
    let mut chapters = String::new();
    for entry in 0..book.len() {
        let mut file = book.by_index(entry).expect("an entry");
        if file.name().ends_with(".xhtml") {
            file.read_to_string(&mut chapters).expect("UTF-8");
        }
    }
    assert!(
        chapters.contains("<a href=\"https://podfic.example/ep1.mp3\">[audio: https://podfic.example/ep1.mp3]</a>"),
        "{chapters}"
    );
    assert!(chapters.contains("[image: A lantern on a table]"));
    assert!(!chapters.contains("<audio") && !chapters.contains("<iframe"));
}

#[test]
fn an_image_without_alt_text_is_asked_for_it_and_a_decorative_one_posts() {
    let site = Site::start();
    let artist = site.member("artist");
    let refused = crate::harness::try_post_work(
        &artist,
        &[
            ("title", "Moodboard"),
            ("format", "html"),
            (
                "body",
                "<p>Made for the exchange.</p><img src=\"https://art.example/board.png\">",
            ),
        ],
    )
    .expect_err("an image that says nothing of itself is refused");
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("Say what the image at https://art.example/board.png shows")
            && refused.body.contains("alt=&#34;&#34;."),
        "{}",
        refused.body
    );
    // What was typed is still in the form, to put right.
    assert!(refused.body.contains("Made for the exchange."));
    for body in [
        "<p>Made for the exchange.</p><img src=\"https://art.example/board.png\" alt=\"Nine squares of sea glass\">",
        "<p>A border.</p><img src=\"https://art.example/border.png\" alt=\"\">",
    ] {
        let id = post_work(&artist, &[("title", "Moodboard"), ("format", "html"), ("body", body)]);
        assert!(site.client().get(&format!("/works/{id}")).body.contains("src=\"https://art.example/"));
    }
    // Markdown's image takes its words from the brackets.
    post_work(
        &artist,
        &[
            ("title", "Marked board"),
            ("format", "markdown"),
            ("body", "![Sea glass](https://art.example/g.png)"),
        ],
    );
    // A new chapter is asked the same.
    let id = post_work(&artist, &[("title", "Series of boards"), ("body", "One.")]);
    let token = artist.get(&format!("/works/{id}/chapters/new")).csrf();
    let answer = artist.post(
        &format!("/works/{id}/chapters/new"),
        &[
            ("csrf", token.as_str()),
            ("format", "html"),
            ("body", "<img src=\"https://art.example/2.png\">"),
            ("action", "post"),
        ],
    );
    assert_eq!(answer.status, 400);
    assert!(answer
        .body
        .contains("Say what the image at https://art.example/2.png shows"));
}

/// Readers filter by what a work is, read from what it holds: art, a
/// podfic (with its text, it is both), a vid, or prose; listings count each
/// type and show an art work's first picture.
#[test]
fn works_are_filtered_and_counted_by_type() {
    let site = Site::start();
    let creator = site.member("multimedia");
    let prose = "Tide words for the harbour. ".repeat(30);
    let text = post_work(&creator, &[("title", "Harbour prose"), ("body", &prose)]);
    let art = post_work(
        &creator,
        &[
            ("title", "Harbour art"),
            ("format", "html"),
            ("body", "<p>Tide sketch, pencil.</p><img src=\"https://art.example/tide.png\" alt=\"Boats at low tide\">"),
        ],
    );
    let podfic = post_work(
        &creator,
        &[
            ("title", "Harbour podfic"),
            ("format", "html"),
            (
                "body",
                &format!("<audio src=\"https://podfic.example/tide.mp3\"></audio><p>{prose}</p>"),
            ),
        ],
    );
    let vid = post_work(
        &creator,
        &[
            ("title", "Harbour vid"),
            ("format", "html"),
            (
                "body",
                "<p>Tide vid.</p><iframe src=\"https://player.vimeo.com/video/7\"></iframe>",
            ),
        ],
    );
    let guest = site.client();
    eventually("the four works are indexed", || {
        guest
            .get("/api/v1/works?q=tide")
            .body
            .contains("\"total\":4")
    });
    let ids = |query: &str| -> Vec<i64> {
        let answer = guest.get(&format!(
            "/api/v1/works?q=tide&sort=title&order=asc&{query}"
        ));
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        let page: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
        page["works"]
            .as_array()
            .expect("works")
            .iter()
            .map(|w| w["id"].as_i64().expect("an id"))
            .collect()
    };
    assert_eq!(ids("work_types=Art"), vec![art]);
    assert_eq!(ids("work_types=Audio,Video"), vec![podfic, vid]);
    assert_eq!(ids("work_types=Text"), vec![podfic, text]);
    assert_eq!(ids("exclude_work_types=Text"), vec![art, vid]);
    assert_eq!(ids("work_types=text&exclude_work_types=audio"), vec![text]);
    let bad = guest.get("/api/v1/works?work_types=Comics");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Text, Art, Audio, Video"), "{}", bad.body);

    let all: serde_json::Value =
        serde_json::from_str(&guest.get("/api/v1/works?q=tide").body).expect("JSON");
    let types = &all["facets"]["type"];
    for (name, count) in [("Text", 2), ("Art", 1), ("Audio", 1), ("Video", 1)] {
        let counted = types
            .as_array()
            .expect("type counts")
            .iter()
            .find(|c| c["tag"] == name)
            .map(|c| c["count"].as_u64().unwrap_or(0));
        assert_eq!(counted, Some(count), "{name} in {types}");
    }
    let art_blurb = all["works"]
        .as_array()
        .expect("works")
        .iter()
        .find(|w| w["id"] == art)
        .expect("the art work");
    assert_eq!(art_blurb["types"], serde_json::json!(["Art"]));
    assert_eq!(art_blurb["picture"]["alt"], "Boats at low tide");

    let listing = guest.get("/works?q=tide");
    assert!(listing.body.contains("<legend>Work types</legend>"));
    assert!(
        listing
            .body
            .contains("name=\"work_types\" value=\"Art\"> Art (1)"),
        "{}",
        listing.body
    );
    assert!(listing.body.contains(
        "<img class=\"picture\" src=\"https://art.example/tide.png\" alt=\"Boats at low tide\""
    ));
    assert!(listing.body.contains("<dt>Type:</dt><dd>Text, Audio</dd>"));
    // The work's own page names its types too; prose names none.
    let page = guest.get(&format!("/works/{podfic}"));
    assert!(
        page.body.contains("<dt>Type:</dt><dd>Text, Audio</dd>"),
        "{}",
        page.body
    );
    assert!(!guest
        .get(&format!("/works/{text}"))
        .body
        .contains("<dt>Type:</dt>"));
    let only_art = guest.get("/works?q=tide&work_types=Art");
    assert!(only_art.body.contains("Harbour art") && !only_art.body.contains("Harbour vid"));
}
