//! Pictures and podfic uploaded with a work, as a writer's browser sends
//! them (multipart): placed in the chapter, served with ETags and ranges
//! to whoever may read the work, gone with the work; and hostile files
//! (a script riding in a picture, a file that only claims to be one, a
//! decompression bomb, a body of a gigabyte) refused by name with nothing
//! kept. The site suite runs again on PostgreSQL.

use std::io::{Read, Write};

use crate::harness::Site;

/// A PNG of `width` × `height`, as an artist's program would write one.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// `seconds` of a tone as WAV.
pub(crate) fn wav(seconds: u32) -> Vec<u8> {
    quire_testkit::tone_wav(seconds * 1_000)
}

const WORK_FIELDS: [(&str, &str); 7] = [
    ("rating", "General Audiences"),
    ("warnings", "No Archive Warnings Apply"),
    ("fandoms", "Original Work"),
    ("complete", "1"),
    ("action", "post"),
    ("format", "html"),
    ("title", "Fox in Snow"),
];

/// Posts the form with files; the answer.
pub(crate) fn post_with_files(
    client: &quire_testkit::site::Client,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> quire_testkit::site::Page {
    let token = client.get("/works/new").csrf();
    let mut sent = vec![("csrf", token.as_str())];
    sent.extend(
        WORK_FIELDS
            .iter()
            .filter(|(n, _)| !fields.iter().any(|(g, _)| g == n)),
    );
    sent.extend_from_slice(fields);
    client.post_multipart("/works/new", &sent, files)
}

/// The id of the work a posting made, once it is taken (303).
pub(crate) fn posted(answer: quire_testkit::site::Page) -> String {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let location = answer.location.expect("a posted work's address");
    location
        .trim_start_matches("/works/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every address under /media/ the page names, in order.
pub(crate) fn media_addresses(body: &str) -> Vec<String> {
    body.match_indices("src=\"/media/")
        .map(|(at, _)| {
            let rest = &body[at + 5..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Files kept under the site's media directory (not uploads arriving).
pub(crate) fn kept_files(site: &Site) -> Vec<std::path::PathBuf> {
    let root = site.data_dir().join("media");
    let mut found = Vec::new();
    for shard in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(shard.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            found.push(file.path());
        }
    }
    found
}

#[test]
fn a_fanart_and_a_podfic_are_kept_served_with_ranges_and_go_with_their_work() {
    let site = Site::start();
    let artist = site.member("artist");
    let mut picture = png(1000, 500);
    // Bytes after the picture's end (a camera's trailer): the kept file is
    // quire's own encoding of the pixels, so they can't come along.
    picture.extend_from_slice(b"camera trailer 0123456789");
    let podfic = wav(2);
    let answer = post_with_files(
        &artist,
        &[
            ("body", "<p>Drawn for a friend.</p><p><img src=\"fox.png\" alt=\"A red fox asleep in snow\"></p>"),
            ("media_2_description", "Chapter one, read aloud.\n\nThe fox sleeps."),
        ],
        &[("media_1", "fox.png", &picture), ("media_2", "Chapter 1.wav", &podfic)],
    );
    let id = posted(answer);

    let page = site.client().get(&format!("/works/{id}"));
    assert_eq!(page.status, 200);
    let addresses = media_addresses(&page.body);
    assert_eq!(addresses.len(), 2, "{}", page.body);
    let (art, audio) = (&addresses[0], &addresses[1]);
    assert!(
        art.ends_with("/w800/fox.png"),
        "the text's own reference points at the upload, a column wide: {art}"
    );
    assert!(page.body.contains("alt=\"A red fox asleep in snow\""));
    assert!(audio.ends_with("/Chapter-1.wav"), "{audio}");
    let player = page
        .body
        .split("<audio")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or("");
    assert!(
        player.contains(&format!("src=\"{audio}\"")) && player.contains("controls=\"controls\""),
        "{player}"
    );
    let original = art.replace("/w800/", "/");
    assert_eq!(
        image::load_from_memory(&site.client().fetch(art, &[]).bytes)
            .unwrap()
            .width(),
        800
    );
    assert!(
        page.body.contains(
            "<summary>Transcript</summary><p>Chapter one, read aloud.</p><p>The fox sleeps.</p>"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Art") && page.body.contains("Audio"),
        "the work's types come from its uploads"
    );

    // The picture: written anew (no script), with its ETag and a policy
    // that lets nothing run if it is opened on its own.
    let guest = site.client();
    let served = guest.fetch(&original, &[]);
    assert_eq!(served.status, 200);
    assert_eq!(served.content_type.as_deref(), Some("image/png"));
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert!(served
        .header("content-security-policy")
        .unwrap_or("")
        .contains("sandbox"));
    assert!(served
        .header("cache-control")
        .unwrap_or("")
        .starts_with("public"));
    assert!(!String::from_utf8_lossy(&served.bytes).contains("camera trailer"));
    let decoded = image::load_from_memory(&served.bytes).expect("a picture");
    assert_eq!((decoded.width(), decoded.height()), (1000, 500));
    let etag = served.etag.clone().expect("an ETag");
    assert_eq!(guest.download(&original, Some(&etag)).status, 304);
    let thumbnail = guest.fetch(&art.replace("/w800/", "/w320/"), &[]);
    assert_eq!(thumbnail.status, 200);
    assert_eq!(
        image::load_from_memory(&thumbnail.bytes).unwrap().width(),
        320
    );

    // The recording: its own bytes, a range of them for seeking, and the
    // whole file to save under its name.
    let whole = guest.fetch(audio, &[]);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.content_type.as_deref(), Some("audio/wav"));
    assert_eq!(whole.bytes, podfic);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let range = guest.fetch(
        audio,
        &[
            ("range", "bytes=1000-1999"),
            ("accept-encoding", "gzip, br"),
        ],
    );
    assert_eq!(range.status, 206);
    assert_eq!(
        range.header("content-range"),
        Some(format!("bytes 1000-1999/{}", podfic.len()).as_str())
    );
    assert_eq!(range.bytes, podfic[1000..2000]);
    assert!(range.encoding.is_none(), "a range is the file's own bytes");
    let saved = guest.fetch(&format!("{audio}?download=1"), &[]);
    assert_eq!(
        saved.disposition.as_deref(),
        Some("attachment; filename=\"Chapter-1.wav\"; filename*=UTF-8''Chapter%2D1%2Ewav")
    );

    // Listings show the picture's small copy.
    crate::harness::eventually("the work is listed with its picture", || {
        guest
            .get("/works")
            .body
            .contains(&format!("src=\"{}\"", art.replace("/w800/", "/w320/")))
    });

    // Downloads carry the picture: packed in the EPUB (which epubcheck
    // passes), inline in the one-file HTML; the podfic is a link.
    let epub = guest.fetch(&format!("/works/{id}/download.epub"), &[]);
    assert_eq!(epub.status, 200);
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(epub.bytes.clone())).unwrap();
    let mut packed = Vec::new();
    book.by_name("EPUB/images/p0.png")
        .expect("the picture is in the book")
        .read_to_end(&mut packed)
        .unwrap();
    assert_eq!(
        image::load_from_memory(&packed).unwrap().width(),
        800,
        "the phone-sized copy"
    );
    let mut chapter_page = String::new();
    for i in 0..book.len() {
        let mut file = book.by_index(i).unwrap();
        if file.name().ends_with(".xhtml") {
            file.read_to_string(&mut chapter_page).unwrap();
        }
    }
    assert!(
        chapter_page.contains("<img src=\"images/p0.png\" alt=\"A red fox asleep in snow\"/>"),
        "{chapter_page}"
    );
    assert!(
        chapter_page.contains(&format!("[audio: {}{audio}]", site.base)),
        "the podfic is a link to the archive's copy: {chapter_page}"
    );
    let (passed, report) = crate::hostile::epubcheck::run_epubcheck("uploads", &epub.bytes);
    assert!(passed, "epubcheck:\n{report}");
    let html = guest
        .fetch(&format!("/works/{id}/download.html"), &[])
        .text();
    assert!(
        html.contains("<img src=\"data:image/png;base64,"),
        "the HTML file carries it"
    );
    let text = guest
        .fetch(&format!("/works/{id}/download.txt"), &[])
        .text();
    assert!(text.contains("[image: A red fox asleep in snow]"), "{text}");

    // E-readers' catalog offers the podfic as the file itself.
    let acquisition = format!(
        "<link rel=\"http://opds-spec.org/acquisition\" href=\"{}{audio}?download=1\" type=\"audio/wav\" title=\"Chapter-1.wav\"/>",
        site.base
    );
    crate::harness::eventually("the podfic is in the catalog", || {
        guest.get("/opds/recent").body.contains(&acquisition)
    });

    // A chapter added with a picture of its own.
    let chapter_form = artist.get(&format!("/works/{id}/chapters/new"));
    let second = artist.post_multipart(
        &format!("/works/{id}/chapters/new"),
        &[
            ("csrf", &chapter_form.csrf()),
            ("format", "plain"),
            ("body", ""),
            ("media_1_description", "The fox, awake"),
            ("action", "post"),
        ],
        &[("media_1", "awake.png", &png(200, 100))],
    );
    assert_eq!(second.status, 303, "{}", second.body);
    let chapter = site.client().get(&format!("/works/{id}/chapters/2"));
    assert!(
        chapter.body.contains("alt=\"The fox, awake\""),
        "{}",
        chapter.body
    );
    assert!(
        chapter.body.contains("height=\"100\"") && chapter.body.contains("width=\"200\""),
        "an upload added at the end keeps its size: {}",
        chapter.body
    );

    // Deleted with the work: the addresses answer 404 and the files leave
    // the disk.
    assert!(!kept_files(&site).is_empty());
    let delete = artist.submit(
        &format!("/works/{id}/edit"),
        &format!("/works/{id}/delete"),
        &[("confirm", "1")],
    );
    assert_eq!(delete.status, 200, "{}", delete.body);
    assert_eq!(guest.fetch(&original, &[]).status, 404);
    assert_eq!(guest.fetch(audio, &[]).status, 404);
    assert_eq!(kept_files(&site), Vec::<std::path::PathBuf>::new());
}

#[test]
fn a_restricted_or_draft_works_uploads_are_for_its_readers_only() {
    let site = Site::start();
    let artist = site.member("quiet_artist");
    let answer = post_with_files(
        &artist,
        &[
            ("restricted", "1"),
            ("body", ""),
            ("media_1_description", "A moth"),
        ],
        &[("media_1", "moth.png", &png(40, 40))],
    );
    let id = posted(answer);
    let page = artist.get(&format!("/works/{id}"));
    let address = media_addresses(&page.body).pop().expect("the picture");
    assert_eq!(
        site.client().fetch(&address, &[]).status,
        404,
        "a guest can't fetch it"
    );
    let reader = site.member("signed_in_reader");
    let served = reader.fetch(&address, &[]);
    assert_eq!(served.status, 200);
    assert!(served
        .header("cache-control")
        .unwrap_or("")
        .starts_with("private"));
}

#[test]
fn hostile_uploads_are_refused_by_name_and_nothing_is_kept() {
    let site = Site::start_with(|settings| {
        settings.uploads.recording_mb = 2;
        settings.uploads.picture_mb = 1;
        settings.uploads.account_mb = 3;
    });
    let writer = site.member("careful_writer");
    let before = writer.get("/users/careful_writer/works").body;

    // A page that calls itself a picture.
    let fake = post_with_files(
        &writer,
        &[("body", "Words."), ("media_1_description", "not really")],
        &[(
            "media_1",
            "cute.png",
            b"<!doctype html><script>alert(document.cookie)</script>",
        )],
    );
    assert_eq!(fake.status, 400);
    assert!(
        fake.body
            .contains("cute.png isn&#39;t a picture or a recording this archive keeps")
            || fake.body.contains("cute.png isn&#x27;t")
            || fake.body.contains("cute.png isn’t"),
        "{}",
        fake.body
    );
    assert!(fake.body.contains("Nothing was posted"));

    // A polyglot: a real picture with a page hidden after it.
    let mut polyglot = png(40, 40);
    polyglot.extend_from_slice(b"<html><ScRiPt>fetch('/account')</script></html>");
    let hidden = post_with_files(
        &writer,
        &[("body", "Words."), ("media_1_description", "a drawing")],
        &[("media_1", "drawing.png", &polyglot)],
    );
    assert_eq!(hidden.status, 400);
    assert!(
        hidden
            .body
            .contains("drawing.png carries more than a picture"),
        "{}",
        hidden.body
    );

    // A decompression bomb: a real PNG header claiming 100,000 pixels a
    // side, in a file of a few hundred bytes.
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let refused = post_with_files(
        &writer,
        &[("body", "Words."), ("media_1_description", "huge")],
        &[("media_1", "bomb.png", &bomb)],
    );
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("100000 × 100000 pixels"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("save a smaller copy"));

    // A picture with no words on what it shows.
    let silent = post_with_files(
        &writer,
        &[("body", "")],
        &[("media_1", "art.png", &png(30, 30))],
    );
    assert_eq!(silent.status, 400);
    assert!(
        silent.body.contains("Say what the image"),
        "{}",
        silent.body
    );

    // Past the account's allowance (3 MB) in one posting: refused whole.
    let big = wav(100); // 1.6 MB each
    let over = post_with_files(
        &writer,
        &[("body", "Three readings.")],
        &[("media_1", "a.wav", &big), ("media_2", "b.wav", &big)],
    );
    assert_eq!(over.status, 400, "{}", over.body);
    assert!(
        over.body
            .contains("the most this archive keeps for one account"),
        "{}",
        over.body
    );

    // A body that declares a gigabyte is refused before a byte of it is
    // read; one that streams a gigabyte without saying so is cut off at
    // the limit.
    let declared = raw_post(&site, &writer, Some(1 << 30), 0);
    assert!(declared.starts_with("HTTP/1.1 413"), "{declared}");
    let streamed = raw_post(&site, &writer, None, 1 << 30);
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    assert!(streamed.contains("larger than 2 MB"), "{streamed}");

    assert_eq!(
        writer.get("/users/careful_writer/works").body,
        before,
        "no work was posted"
    );
    assert_eq!(
        kept_files(&site),
        Vec::<std::path::PathBuf>::new(),
        "no file was kept"
    );
    let incoming = site.data_dir().join("media").join("incoming");
    let arriving: Vec<_> = std::fs::read_dir(&incoming)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    assert!(
        arriving.is_empty(),
        "uploads refused are removed: {arriving:?}"
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(bytes);
    hasher.finalize()
}

/// Posts a form whose file part holds `stream` bytes of zeros, sent in
/// 64 KiB pieces until the server answers or closes; `declared` is the
/// Content-Length claimed (none: chunked). Returns the answer's head.
fn raw_post(
    site: &Site,
    writer: &quire_testkit::site::Client,
    declared: Option<u64>,
    stream: u64,
) -> String {
    let token = writer.get("/works/new").csrf();
    let cookie = writer.cookie_header();
    let address = site.address();
    let mut socket = std::net::TcpStream::connect(&address).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let boundary = "xyzzy";
    let length = match declared {
        Some(bytes) => format!("content-length: {bytes}\r\n"),
        None => "transfer-encoding: chunked\r\n".to_string(),
    };
    write!(
        socket,
        "POST /works/new HTTP/1.1\r\nhost: {address}\r\ncookie: {cookie}\r\n\
         content-type: multipart/form-data; boundary={boundary}\r\n{length}\r\n"
    )
    .unwrap();
    let mut head = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\ncontent-disposition: form-data; name=\"media_1\"; filename=\"huge.wav\"\r\n\r\n"
    )
    .into_bytes();
    let piece = vec![0u8; 64 * 1024];
    let mut sent = 0u64;
    let send = |socket: &mut std::net::TcpStream, bytes: &[u8]| -> bool {
        let written = match declared {
            Some(_) => socket.write_all(bytes),
            None => socket
                .write_all(format!("{:x}\r\n", bytes.len()).as_bytes())
                .and_then(|()| socket.write_all(bytes))
                .and_then(|()| socket.write_all(b"\r\n")),
        };
        written.is_ok()
    };
    if send(&mut socket, &std::mem::take(&mut head)) {
        while sent < stream {
            if !send(&mut socket, &piece) {
                break;
            }
            sent += piece.len() as u64;
        }
    }
    assert!(
        sent < 64 * 1024 * 1024,
        "the server read {sent} bytes of a body past its limit"
    );
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn uploads_kept_in_a_bucket_are_served_with_ranges_and_go_with_their_work() {
    let bucket = quire_testkit::bucket::S3Service::start("quire-single");
    let settings = bucket.settings("archive");
    let site = Site::start_with(move |s| s.media_bucket = Some(settings));
    let artist = site.member("bucket_artist");
    let podfic = wav(2);
    let answer = post_with_files(
        &artist,
        &[
            ("body", ""),
            ("media_1_description", "A heron"),
            ("media_2_description", "Read aloud."),
        ],
        &[
            ("media_1", "heron.png", &png(900, 300)),
            ("media_2", "heron.wav", &podfic),
        ],
    );
    let id = posted(answer);
    // In the bucket, under its prefix, and not on the node's disk.
    let keys = bucket.keys();
    assert_eq!(
        keys.len(),
        4,
        "a picture, its two copies and a recording: {keys:?}"
    );
    assert!(keys.iter().all(|k| k.starts_with("archive/")), "{keys:?}");
    assert_eq!(kept_files(&site), Vec::<std::path::PathBuf>::new());

    let guest = site.client();
    let page = guest.get(&format!("/works/{id}"));
    let addresses = media_addresses(&page.body);
    let (art, audio) = (&addresses[0], &addresses[1]);
    let picture = guest.fetch(art, &[]);
    assert_eq!(picture.status, 200);
    assert_eq!(picture.content_type.as_deref(), Some("image/png"));
    assert_eq!(
        image::load_from_memory(&picture.bytes).unwrap().width(),
        800
    );
    let etag = picture.etag.clone().expect("an ETag");
    assert_eq!(guest.download(art, Some(&etag)).status, 304);
    let range = guest.fetch(audio, &[("range", "bytes=100-199")]);
    assert_eq!(range.status, 206);
    assert_eq!(
        range.header("content-range"),
        Some(format!("bytes 100-199/{}", podfic.len()).as_str())
    );
    assert_eq!(range.bytes, podfic[100..200]);
    assert_eq!(
        guest.fetch(audio, &[("range", "bytes=99999999-")]).status,
        416
    );
    assert_eq!(guest.fetch(audio, &[]).bytes, podfic);
    let epub = guest.fetch(&format!("/works/{id}/download.epub"), &[]);
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(epub.bytes)).unwrap();
    assert!(
        book.by_name("EPUB/images/p0.png").is_ok(),
        "the book carries the picture from the bucket"
    );

    let delete = artist.submit(
        &format!("/works/{id}/edit"),
        &format!("/works/{id}/delete"),
        &[("confirm", "1")],
    );
    assert_eq!(delete.status, 200, "{}", delete.body);
    assert_eq!(guest.fetch(audio, &[]).status, 404);
    assert_eq!(
        bucket.keys(),
        Vec::<String>::new(),
        "the work's files left the bucket"
    );
}
