//! Downloads over HTTP: formats, file names, the reader's fill, ETags and
//! revalidation, the kept copy dropped when the work changes, and who may
//! download what.

use crate::harness::{post_work, seed, Site};

#[test]
fn works_download_as_epub_html_and_txt_with_the_readers_names() {
    let site = Site::start();
    let author = site.member("download_author");
    let id = post_work(
        &author,
        &[("title", "Lantern: A Story"), ("body", &seed("003"))],
    );
    let path = format!("/works/{id}");
    let guest = site.client();
    let page = guest.get(&path);
    for ext in ["epub", "html", "txt"] {
        assert!(page
            .body
            .contains(&format!("href=\"{path}/download.{ext}\"")));
    }

    let epub = guest.download(&format!("{path}/download.epub"), None);
    assert_eq!(epub.status, 200);
    assert_eq!(epub.content_type.as_deref(), Some("application/epub+zip"));
    assert_eq!(
        epub.disposition.as_deref(),
        Some("attachment; filename=\"download_author_Lantern_A_Story.epub\""),
        "AO3's Author_Title, safe characters only"
    );
    assert!(epub.bytes.starts_with(b"PK"), "a zip");
    assert!(
        epub.bytes[30..].starts_with(b"mimetypeapplication/epub+zip"),
        "the mimetype entry first, stored"
    );
    let html = guest.download(&format!("{path}/download.html"), None);
    assert_eq!(
        html.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(html.text().contains("Lantern: A Story"));
    let txt = guest.download(&format!("{path}/download.txt"), None);
    assert_eq!(
        txt.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        txt.text().contains("Y/N"),
        "no fill: placeholders as written"
    );

    // A fill on the URL, then a reader's own from "Read as…".
    let filled = guest.download(&format!("{path}/download.txt?fill=Y/N:Robin"), None);
    assert_eq!(filled.status, 200);
    // The preface names what was filled, once; the story has no code left.
    let story = filled.text();
    assert!(story.contains("Robin"));
    assert_eq!(story.matches("Y/N").count(), 1, "{story}");
    assert!(txt.text().matches("Y/N").count() > 1);
    assert_ne!(filled.etag, txt.etag, "each fill is its own download");
    let bad = guest.download(&format!("{path}/download.txt?fill=Y/N"), None);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("CODE:VALUE"));
    let unknown = guest.download(&format!("{path}/download.txt?fill=Q/Q:x"), None);
    assert_eq!(unknown.status, 400);
    let reader = site.member("download_reader");
    reader.submit(&path, &format!("{path}/read-as"), &[("fill:Y/N", "Sam")]);
    assert!(reader
        .get(&path)
        .body
        .contains("Download (with your names)"));
    let own = reader.download(&format!("{path}/download.txt"), None);
    assert!(own.text().contains("Sam") && own.text().matches("Y/N").count() == 1);

    // Asking again with the ETag: nothing to send.
    let etag = epub.etag.clone().expect("an ETag");
    let again = guest.download(&format!("{path}/download.epub"), Some(&etag));
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    let same = guest.download(&format!("{path}/download.epub"), None);
    assert_eq!(same.bytes, epub.bytes, "the kept copy");

    // An edit makes a new version: a new ETag, and the old copy goes.
    // The three formats as written are kept in the work's own folder;
    // the filled ones (a URL's, a reader's) never are.
    let kept = || -> Vec<String> {
        std::fs::read_dir(site.data_dir().join("downloads").join(format!("work-{id}")))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(kept().len(), 3, "{:?}", kept());
    let edit = format!("/works/{id}/edit");
    author.submit(
        &edit,
        &edit,
        &[
            ("title", "Lantern, Revised"),
            ("rating", "Teen And Up Audiences"),
            ("fandoms", "Original Work"),
            ("warnings", "No Archive Warnings Apply"),
        ],
    );
    let changed = guest.download(&format!("{path}/download.epub"), Some(&etag));
    assert_eq!(changed.status, 200, "the old ETag no longer matches");
    assert_ne!(changed.etag.as_deref(), Some(etag.as_str()));
    assert!(changed
        .disposition
        .as_deref()
        .is_some_and(|d| d.contains("Lantern_Revised.epub")));
    assert_eq!(kept().len(), 1, "only the current version's copy is kept");
    // A deleted work's copies go with it.
    author.submit(&edit, &format!("/works/{id}/delete"), &[("confirm", "1")]);
    assert!(kept().is_empty());
    assert_eq!(
        guest
            .download(&format!("{path}/download.epub"), None)
            .status,
        404
    );
}

#[test]
fn downloads_follow_the_same_visibility_as_pages() {
    let site = Site::start();
    let author = site.member("private_downloader");
    let member = site.member("member_downloader");
    let guest = site.client();
    let locked = post_work(
        &author,
        &[
            ("title", "Members"),
            ("body", "Words."),
            ("restricted", "1"),
        ],
    );
    let draft = post_work(
        &author,
        &[("title", "Draft"), ("body", "Words."), ("draft", "1")],
    );
    for ext in ["epub", "html", "txt"] {
        // A guest is asked to sign in first, as on the work's page.
        assert_eq!(
            guest
                .download(&format!("/works/{locked}/download.{ext}"), None)
                .status,
            303
        );
        assert_eq!(
            member
                .download(&format!("/works/{draft}/download.{ext}"), None)
                .status,
            404
        );
        assert_eq!(
            author
                .download(&format!("/works/{draft}/download.{ext}"), None)
                .status,
            200
        );
    }
    let members = member.download(&format!("/works/{locked}/download.epub"), None);
    assert_eq!(members.status, 200);
    assert_eq!(guest.download("/works/999/download.epub", None).status, 404);
    assert_eq!(guest.download("/works/x/download.txt", None).status, 404);
}

#[test]
fn a_series_downloads_as_one_epub_of_the_parts_a_reader_may_see() {
    let site = Site::start();
    let author = site.member("series_downloader");
    let guest = site.client();
    let first = post_work(
        &author,
        &[
            ("title", "First Light"),
            ("body", "Dawn words."),
            ("series", "Daybreak"),
        ],
    );
    post_work(
        &author,
        &[
            ("title", "Members Noon"),
            ("body", "Noon words."),
            ("series", "Daybreak"),
            ("restricted", "1"),
        ],
    );
    let page = guest.get(&format!("/works/{first}"));
    assert!(page.body.contains("href=\"/series/1/download.epub\""));
    assert!(guest
        .get("/series/1")
        .body
        .contains("Download the series as EPUB"));
    let book = guest.download("/series/1/download.epub", None);
    assert_eq!(book.status, 200);
    assert_eq!(book.content_type.as_deref(), Some("application/epub+zip"));
    assert!(book
        .disposition
        .as_deref()
        .is_some_and(|d| d.contains("Daybreak") && d.ends_with(".epub\"")));
    let member = site.member("series_member");
    let theirs = member.download("/series/1/download.epub", None);
    assert_eq!(theirs.status, 200);
    assert_ne!(
        theirs.etag, book.etag,
        "a member's copy holds the registered-only part"
    );
    assert!(theirs.bytes.len() > book.bytes.len());
    assert_eq!(guest.download("/series/2/download.epub", None).status, 404);
}
