//! Downloads over HTTP: formats, file names, the reader's fill, ETags and
//! revalidation, the kept copy dropped when the work changes, and who may
//! download what; a long PDF made in the background.

use std::time::{Duration, Instant};

use crate::harness::{post_work, seed, Client, Site};

/// "Lantern: A Story" (seed 003, placeholders and all) posted by a new
/// member `login`: the author, the work's id and its path.
fn lantern(site: &Site, login: &str) -> (Client, i64, String) {
    let author = site.member(login);
    let id = post_work(
        &author,
        &[("title", "Lantern: A Story"), ("body", &seed("003"))],
    );
    (author, id, format!("/works/{id}"))
}

#[test]
fn works_download_as_epub_html_and_txt_with_the_readers_names() {
    let site = Site::start();
    let (author, id, path) = lantern(&site, "download_author");
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

#[test]
fn a_work_downloads_as_a_pdf_on_a5_or_letter_kept_like_the_others() {
    let site = Site::start();
    let (_, id, path) = lantern(&site, "pdf_author");
    let guest = site.client();
    let page = guest.get(&path);
    assert!(page.body.contains(&format!("href=\"{path}/download.pdf\"")));
    assert!(page
        .body
        .contains(&format!("href=\"{path}/download.pdf?paper=letter\"")));

    let a5 = guest.download(&format!("{path}/download.pdf"), None);
    assert_eq!(a5.status, 200, "{}", a5.text());
    assert_eq!(a5.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        a5.disposition.as_deref(),
        Some("attachment; filename=\"pdf_author_Lantern_A_Story.pdf\"")
    );
    assert!(a5.bytes.starts_with(b"%PDF-"));
    let letter = guest.download(&format!("{path}/download.pdf?paper=letter"), None);
    assert_eq!(letter.status, 200);
    assert!(letter.bytes.starts_with(b"%PDF-"));
    assert_ne!(letter.bytes, a5.bytes);
    assert_ne!(letter.etag, a5.etag, "each paper is its own download");
    let a4 = guest.download(&format!("{path}/download.pdf?paper=a4"), None);
    assert_eq!(a4.status, 400);
    assert!(a4.text().contains("?paper=letter"));

    // Both papers are kept in the work's folder, beside each other; the
    // next reader gets the kept copy, not a new one.
    let folder = site.data_dir().join("downloads").join(format!("work-{id}"));
    let mut kept: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|name| name.ends_with(".pdf")), "{kept:?}");
    for name in &kept {
        std::fs::write(folder.join(name), b"%PDF-the kept copy").unwrap();
    }
    let again = guest.download(&format!("{path}/download.pdf"), None);
    assert_eq!(again.status, 200);
    assert_eq!(again.bytes, b"%PDF-the kept copy");
    assert_eq!(again.etag, a5.etag);
    let etag = a5.etag.clone().expect("an ETag");
    let revalidated = guest.download(&format!("{path}/download.pdf"), Some(&etag));
    assert_eq!(revalidated.status, 304);

    // A reader's fill makes a copy of their own, never kept.
    let filled = guest.download(&format!("{path}/download.pdf?fill=Y/N:Robin"), None);
    assert_eq!(filled.status, 200);
    assert!(filled.bytes.starts_with(b"%PDF-") && filled.bytes != a5.bytes);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 2);
}

#[test]
fn a_pdf_that_takes_long_is_made_in_the_background_while_the_reader_is_asked_to_wait() {
    // A wait shorter than any PDF takes to make: every first request is a
    // long one.
    let site = Site::start_with(|settings| settings.download_wait = Duration::from_millis(1));
    let author = site.member("slow_pdf_author");
    let id = post_work(&author, &[("title", "Slow"), ("body", &seed("003"))]);
    let url = format!("/works/{id}/download.pdf");
    let guest = site.client();
    let first = guest.download(&url, None);
    assert_eq!(first.status, 202, "{}", first.text());
    assert!(first.text().contains("is being made"), "{}", first.text());
    assert!(first.text().contains(&format!("href=\"{url}\"")));
    let letter = guest.download(&format!("{url}?paper=letter"), None);
    assert_eq!(letter.status, 202);
    assert!(letter
        .text()
        .contains(&format!("href=\"{url}?paper=letter\"")));

    // Asked again, it is served once made, from the kept copy.
    let started = Instant::now();
    let pdf = loop {
        let answer = guest.download(&url, None);
        if answer.status != 202 {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the PDF was never made"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type.as_deref(), Some("application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF-"));

    // A filled copy is never kept, so it can't be fetched later: it is
    // waited for, however long it takes.
    let filled = guest.download(&format!("{url}?fill=Y/N:Robin"), None);
    assert_eq!(filled.status, 200);
    assert!(filled.bytes.starts_with(b"%PDF-"));
}
