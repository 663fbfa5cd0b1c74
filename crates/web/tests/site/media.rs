//! Fanart, podfic and vids as AO3 carries them: images and players from
//! other sites, frames from the embed hosts, each shown on the page with
//! a policy that lets the browser load them and nothing else, and named as
//! links in downloads, which play nothing.

use std::io::Read;

use crate::harness::{post_work, Site};

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
