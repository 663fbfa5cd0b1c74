//! Serving under load: guests' pages kept ready-made and dropped exactly
//! when what they show changes, revalidation (ETag, 304), compression,
//! /metrics, request timeouts, and idle connections that don't crowd out
//! readers.

use std::time::Duration;

use crate::harness::{eventually, post_work, Site};

fn is_kept(page: &crate::harness::Page) -> bool {
    page.header("x-cache") == Some("hit")
}

#[test]
fn guests_pages_are_kept_and_never_shown_stale_after_a_change() {
    let site = Site::start();
    let author = site.member("cache_author");
    let id = post_work(
        &author,
        &[("title", "Kept Lanterns"), ("body", "The first version.")],
    );
    let path = format!("/works/{id}");
    let guest = site.client();
    let first = guest.get(&path);
    assert_eq!(first.status, 200);
    assert!(!is_kept(&first), "the first view draws the page");
    let second = guest.get(&path);
    assert!(is_kept(&second), "the second is served ready-made");
    assert_eq!(first.body, second.body);

    // Another guest gets the same page with their own form token, which
    // their forms then carry successfully.
    let other = site.client();
    let theirs = other.get(&path);
    assert!(is_kept(&theirs));
    assert_ne!(theirs.csrf(), second.csrf());
    assert_eq!(
        theirs.body.replace(&theirs.csrf(), "T"),
        second.body.replace(&second.csrf(), "T")
    );
    let commented = other.post(
        &format!("{path}/comments"),
        &[
            ("csrf", &theirs.csrf()),
            ("chapter", "1"),
            ("name", "Passerby"),
            ("body", "Kept and still fresh."),
        ],
    );
    assert_eq!(commented.status, 303, "{}", commented.body);
    // The comment shows on the very next page, for every guest.
    assert!(guest.get(&path).body.contains("Kept and still fresh."));

    // The author edits through the site: guests see it at once.
    let edit = author.get(&format!("{path}/edit"));
    assert_eq!(edit.status, 200);
    let saved = author.submit(
        &format!("{path}/edit"),
        &format!("{path}/edit"),
        &[
            ("title", "Kept Lanterns, Revised"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("complete", "1"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let after_edit = guest.get(&path);
    assert!(
        after_edit.body.contains("Kept Lanterns, Revised"),
        "an edit drops the kept page"
    );
    // Listings too, as soon as the search index has the edit (a listing
    // drawn from an index still behind is not kept).
    eventually("the listing shows the new title", || {
        guest.get("/works").body.contains("Kept Lanterns, Revised")
    });
    // Kept again once the index has caught up with every change, which on
    // a loaded machine may be a round after it first shows the title.
    eventually("and then it is kept again", || {
        is_kept(&guest.get("/works"))
    });

    // A change made outside the site (another process, another server on
    // the same database) arrives through the change feed.
    site.store(site.archive.set_work_hidden(id, true))
        .expect("the work hides");
    eventually("the hidden work leaves the guests' pages", || {
        guest.get(&path).status == 404 && !guest.get("/works").body.contains("Kept Lanterns")
    });
}

#[test]
fn a_work_page_kept_for_one_work_survives_changes_to_another() {
    let site = Site::start();
    let author = site.member("two_works");
    let one = post_work(&author, &[("title", "First Light"), ("body", "One.")]);
    let two = post_work(&author, &[("title", "Second Light"), ("body", "Two.")]);
    let guest = site.client();
    guest.get(&format!("/works/{one}"));
    guest.get("/works");
    let token = author.get(&format!("/works/{two}/edit")).csrf();
    let deleted = author.post(
        &format!("/works/{two}/delete"),
        &[("csrf", &token), ("confirm", "1")],
    );
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(
        is_kept(&guest.get(&format!("/works/{one}"))),
        "another work's change leaves this page kept"
    );
    let listing = guest.get("/works");
    assert!(!is_kept(&listing), "listings are drawn again");
    // The search index follows the change feed: until it has the delete,
    // a listing is drawn (never kept) from what it has.
    eventually("the deleted work leaves the listing", || {
        !guest.get("/works").body.contains("Second Light")
    });
}

#[test]
fn signed_in_readers_and_their_settings_get_their_own_pages() {
    let site = Site::start();
    let author = site.member("personal_author");
    let id = post_work(
        &author,
        &[
            ("title", "Names"),
            ("body", "Y/N opened the door and smiled."),
        ],
    );
    let path = format!("/works/{id}");
    let reader = site.member("personal_reader");
    reader.get(&path);
    let again = reader.get(&path);
    assert!(!is_kept(&again), "signed-in pages are never shared");
    assert!(again.body.contains("personal_reader"));

    // A guest with a reader-insert name has a page of their own.
    let guest = site.client();
    let plain = guest.get(&path);
    let token = plain.csrf();
    let filled = guest.post(
        &format!("{path}/read-as"),
        &[("csrf", &token), ("fill:Y/N", "Alex"), ("return_to", &path)],
    );
    assert!(
        filled.status == 303 || filled.status == 200,
        "{}",
        filled.body
    );
    let as_alex = guest.get(&path);
    let filled_in = ">Alex</span> opened the door";
    assert!(as_alex.body.contains(filled_in), "{}", as_alex.body);
    assert!(
        is_kept(&guest.get(&path)),
        "kept for readers with that name"
    );
    let stranger = site.client().get(&path);
    assert!(!stranger.body.contains(filled_in));
}

#[test]
fn a_kept_page_revalidates_with_its_etag() {
    let site = Site::start();
    let author = site.member("etag_author");
    let id = post_work(&author, &[("title", "Tags of Time"), ("body", "Once.")]);
    let path = format!("/works/{id}");
    let guest = site.client();
    let page = guest.get(&path);
    let etag = page.header("etag").expect("an ETag").to_string();
    assert!(page.header("last-modified").is_some());
    assert_eq!(page.header("cache-control"), Some("no-cache"));

    let same = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(same.status, 304);
    assert!(same.body.is_empty());
    // Another guest's copy carries another token: theirs doesn't match.
    let other = site.client().get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(other.status, 200);

    let token = author.get(&format!("{path}/edit")).csrf();
    let chapter = author.post(
        &format!("{path}/chapters/new"),
        &[
            ("csrf", &token),
            ("chapter_title", "Twice"),
            ("body", "Again."),
            ("action", "post"),
        ],
    );
    assert_eq!(chapter.status, 303, "{}", chapter.body);
    let changed = guest.get_with(&path, &[("if-none-match", &etag)]);
    assert_eq!(changed.status, 200, "a new chapter is a new page");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[test]
fn pages_are_compressed_for_readers_who_ask_and_downloads_are_not_squeezed_twice() {
    let site = Site::start();
    let author = site.member("squeeze_author");
    let body = "A long paragraph about lanterns. ".repeat(200);
    let id = post_work(&author, &[("title", "Squeezed"), ("body", &body)]);
    let path = format!("/works/{id}");
    let guest = site.client();
    let plain = guest.fetch(&path, &[]);
    assert_eq!(plain.encoding, None);
    let gzip = guest.fetch(&path, &[("accept-encoding", "gzip")]);
    assert_eq!(gzip.encoding.as_deref(), Some("gzip"));
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gzip.bytes[..]),
        &mut unzipped,
    )
    .expect("gzip that decodes");
    assert!(unzipped.contains("Squeezed"));
    assert!(gzip.bytes.len() * 3 < plain.bytes.len());
    let brotli = guest.fetch(&path, &[("accept-encoding", "br")]);
    assert_eq!(brotli.encoding.as_deref(), Some("br"));
    let mut unbrotlied = String::new();
    std::io::Read::read_to_string(
        &mut brotli::Decompressor::new(&brotli.bytes[..], 4096),
        &mut unbrotlied,
    )
    .expect("brotli that decodes");
    assert!(unbrotlied.contains("Squeezed"));

    let epub = guest.fetch(
        &format!("{path}/download.epub"),
        &[("accept-encoding", "gzip, br")],
    );
    assert_eq!(epub.status, 200);
    assert_eq!(epub.encoding, None, "an EPUB is a zip already");
}

#[test]
fn metrics_count_requests_and_the_cache_for_this_machine_only() {
    let site = Site::start();
    let author = site.member("metrics_author");
    let id = post_work(&author, &[("title", "Counted"), ("body", "Counted.")]);
    let guest = site.client();
    for _ in 0..3 {
        guest.get(&format!("/works/{id}"));
    }
    let metrics = guest.get("/metrics");
    assert_eq!(metrics.status, 200);
    let text = &metrics.body;
    for expected in [
        "quire_http_requests_total{route=\"/works/{id}\",method=\"GET\",status=\"200\"} 3",
        "quire_page_cache_hits_total 2",
        "quire_page_cache_misses_total",
        "quire_http_request_duration_seconds_bucket{le=",
        "quire_db_pool_connections",
        "quire_search_index_lag_changes",
        "quire_hits_buffered",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    let relayed = guest.get_with("/metrics", &[("x-forwarded-for", "203.0.113.9")]);
    assert_eq!(relayed.status, 404, "not through a proxy");
}

#[test]
fn a_request_slower_than_the_timeout_is_answered_503() {
    use std::io::{Read, Write};
    let site = Site::start_with(|config| config.request_timeout = Duration::from_millis(50));
    // A form whose body never comes: the handler waits on it until the
    // timeout answers for it.
    let address = site.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("a connection");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    stream
        .write_all(
            b"POST /works/1/comments HTTP/1.1\r\nHost: quire\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncsrf=",
        )
        .expect("the head is sent");
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).expect("an answer");
    assert_eq!(&answer, b"HTTP/1.1 503");
    // Everything else still answers in time.
    assert_eq!(site.client().get("/healthz").status, 200);
}

#[test]
fn a_thousand_idle_connections_leave_room_for_readers() {
    let site = Site::start();
    let address: std::net::SocketAddr = site
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    // From sixteen other addresses (one address may hold 64 at once).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let idle: Vec<tokio::net::TcpStream> = runtime.block_on(async {
        let mut idle = Vec::new();
        for n in 0..1000 {
            let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
            let from = format!("127.0.1.{}:0", 1 + n / 64);
            socket
                .bind(from.parse().expect("a loopback address"))
                .expect("binds");
            idle.push(socket.connect(address).await.expect("a connection"));
        }
        idle
    });
    let guest = site.client();
    let page = guest.get("/works");
    assert_eq!(page.status, 200);
    assert_eq!(guest.get("/healthz").status, 200);
    drop(idle);
}

fn counter(site: &Site, name: &str) -> u64 {
    let text = site.client().get("/metrics").body;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
}

#[test]
fn readers_asking_for_one_page_at_once_share_one_drawing() {
    let site = Site::start();
    let author = site.member("crowd_author");
    let id = post_work(&author, &[("title", "Crowded"), ("body", "Many at once.")]);
    let path = format!("/works/{id}");
    let before = counter(&site, "quire_page_cache_misses_total");
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let guest = site.client();
            let path = path.clone();
            std::thread::spawn(move || guest.get(&path).status)
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.join().expect("a reader"), 200);
    }
    assert_eq!(
        counter(&site, "quire_page_cache_misses_total") - before,
        1,
        "one drawing for sixteen readers"
    );
}

#[test]
fn a_kept_page_carries_the_same_headers_and_counts_the_same_way_taken_plain_or_compressed() {
    let site = Site::start();
    let author = site.member("plain_author");
    let id = post_work(
        &author,
        &[
            ("title", "Straight Out"),
            ("body", "Kept, then sent as it is."),
        ],
    );
    let path = format!("/works/{id}");
    let guest = site.client();
    let drawn = guest.get(&path);
    assert!(!is_kept(&drawn));
    // Without compression asked for, the kept page goes out as it is.
    let plain = guest.get(&path);
    assert!(is_kept(&plain));
    assert_eq!(plain.body, drawn.body);
    for name in [
        "content-type",
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "etag",
        "last-modified",
        "cache-control",
        "vary",
    ] {
        assert!(plain.header(name).is_some(), "{name} missing");
        assert_eq!(plain.header(name), drawn.header(name), "{name}");
    }
    // Asked for compressed, the same kept page comes in its kept gzip form.
    let zipped = guest.fetch(&path, &[("accept-encoding", "gzip")]);
    assert_eq!(zipped.encoding.as_deref(), Some("gzip"));
    assert_eq!(zipped.header("x-cache"), Some("hit"));
    assert_eq!(String::from_utf8_lossy(&zipped.decoded()), plain.body);

    // A view of a kept work page waits to be counted as a hit. (A reader's
    // views of a work count once a day, and hits are written every few
    // seconds: the view after a write is buffered again, to be counted
    // once when written.)
    eventually("a kept view is buffered as a hit", || {
        let before = counter(&site, "quire_hits_buffered");
        let view = guest.get(&path);
        is_kept(&view) && counter(&site, "quire_hits_buffered") == before + 1
    });
    let answered = site.client().get("/metrics").body;
    assert!(
        answered.contains(
            "quire_http_requests_total{route=\"/works/{id}\",method=\"GET\",status=\"200\"}"
        ),
        "{answered}"
    );
}

#[test]
fn signed_in_readers_reuse_a_chapters_filled_text_until_it_changes() {
    let site = Site::start();
    let author = site.member("fragment_author");
    let id = post_work(
        &author,
        &[("title", "Shared Names"), ("body", "Y/N lit the lantern.")],
    );
    let path = format!("/works/{id}");
    let fill_as_sam = |reader: &crate::harness::Client| {
        let token = reader.get(&path).csrf();
        let filled = reader.post(
            &format!("{path}/read-as"),
            &[("csrf", &token), ("fill:Y/N", "Sam"), ("return_to", &path)],
        );
        assert!(
            filled.status == 303 || filled.status == 200,
            "{}",
            filled.body
        );
    };
    let first = site.member("fragment_reader_one");
    let second = site.member("fragment_reader_two");
    fill_as_sam(&first);
    fill_as_sam(&second);
    assert!(first
        .get(&path)
        .body
        .contains(">Sam</span> lit the lantern"));
    let reused = counter(&site, "quire_chapter_text_cache_hits_total");
    // Another reader with the same name gets the text already filled in,
    // inside a page of their own.
    let theirs = second.get(&path);
    assert!(theirs.body.contains(">Sam</span> lit the lantern"));
    assert!(theirs.body.contains("fragment_reader_two"));
    assert!(!is_kept(&theirs));
    assert_eq!(
        counter(&site, "quire_chapter_text_cache_hits_total"),
        reused + 1
    );

    // An edit makes a new version: nobody is shown the old text.
    let edit = format!("{path}/chapters/1/edit");
    let saved = author.submit(
        &edit,
        &edit,
        &[
            ("format", "html"),
            ("body", "<p>Y/N put the lantern out.</p>"),
            ("action", "post"),
        ],
    );
    assert!(
        saved
            .body
            .contains("Your changes to the chapter were saved"),
        "{}",
        saved.body
    );
    let after = second.get(&path);
    assert!(
        after.body.contains(">Sam</span> put the lantern out"),
        "{}",
        after.body
    );
    assert!(!after.body.contains("lit the lantern"));
}

/// What browsers, curl, feed readers and e-readers send, and the coding
/// each gets.
const ASKED: [(&str, &str, Option<&str>); 6] = [
    (
        "Chrome, Firefox, Edge",
        "gzip, deflate, br, zstd",
        Some("br"),
    ),
    ("Safari", "gzip, deflate, br", Some("br")),
    ("a feed reader on Go's net/http", "gzip", Some("gzip")),
    ("curl, KOReader", "", None),
    ("identity asked by name", "identity", None),
    (
        "brotli refused",
        "br;q=0, gzip;q=0.5, identity;q=0.1",
        Some("gzip"),
    ),
];

fn asking(line: &str) -> Vec<(&str, &str)> {
    if line.is_empty() {
        Vec::new()
    } else {
        vec![("accept-encoding", line)]
    }
}

#[test]
fn kept_pages_come_in_the_coding_each_client_asks_for_and_are_the_same_page() {
    let site = Site::start();
    let author = site.member("coding_author");
    let body = "A long paragraph about lanterns and the sea. ".repeat(300);
    let id = post_work(
        &author,
        &[
            ("title", "Every Coding"),
            ("body", &body),
            ("fandoms", "Original Work"),
        ],
    );
    let guest = site.client();
    for path in [
        format!("/works/{id}"),
        "/works".to_string(),
        "/tags/Original%20Work/works".to_string(),
    ] {
        eventually("the listing shows the work", || {
            guest.get(&path).body.contains("Every Coding")
        });
        let plain = guest.get(&path);
        assert!(is_kept(&plain), "{path}");
        let mut etags = Vec::new();
        for (client, line, coding) in ASKED {
            let answer = guest.fetch(&path, &asking(line));
            assert_eq!(answer.status, 200, "{client}, {path}");
            assert_eq!(answer.header("x-cache"), Some("hit"), "{client}, {path}");
            assert_eq!(answer.encoding.as_deref(), coding, "{client}, {path}");
            assert_eq!(
                String::from_utf8_lossy(&answer.decoded()),
                plain.body,
                "{client}, {path}: the same page, byte for byte"
            );
            assert_eq!(
                answer.header("content-length"),
                Some(answer.bytes.len().to_string().as_str()),
                "{client}, {path}"
            );
            assert!(
                answer
                    .header("vary")
                    .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{client}, {path}"
            );
            if coding.is_some() {
                assert!(
                    answer.bytes.len() * 3 < plain.body.len(),
                    "{client}, {path}"
                );
            }
            // Revalidated with its own ETag: not modified, in that coding.
            let etag = answer.header("etag").expect("an ETag").to_string();
            let mut again = asking(line);
            again.push(("if-none-match", &etag));
            assert_eq!(guest.fetch(&path, &again).status, 304, "{client}, {path}");
            // HEAD says what GET would send, without the body.
            let head = guest.head_with(&path, &asking(line));
            assert_eq!(head.status, 200);
            assert!(head.body.is_empty());
            assert_eq!(
                head.header("content-length"),
                answer.header("content-length")
            );
            assert_eq!(head.header("content-encoding"), coding);
            etags.push((coding, etag));
        }
        // One ETag per form: a cache between never hands gzip to a reader
        // who asked for brotli.
        for (coding, etag) in &etags {
            for (other, other_etag) in &etags {
                assert_eq!(coding == other, etag == other_etag, "{path}: {etags:?}");
            }
        }
        // A client that refuses everything quire can send is told so.
        let refused = guest.fetch(&path, &[("accept-encoding", "zstd, identity;q=0")]);
        assert_eq!(refused.status, 406);
        assert!(refused.text().contains("Accept-Encoding"));
    }
}

#[test]
fn a_first_visit_is_answered_from_the_kept_page_with_a_token_of_its_own() {
    let site = Site::start();
    let author = site.member("first_visit_author");
    let id = post_work(&author, &[("title", "First Visit"), ("body", "Hello.")]);
    let path = format!("/works/{id}");
    let returning = site.client();
    returning.get(&path);
    let kept = returning.get(&path);
    assert!(is_kept(&kept));
    let mut newcomers = Vec::new();
    for (client, line, coding) in ASKED {
        let newcomer = site.client();
        let answer = newcomer.fetch(&path, &asking(line));
        assert_eq!(answer.header("x-cache"), Some("hit"), "{client}");
        assert_eq!(answer.encoding.as_deref(), coding, "{client}");
        let cookie = answer.header("set-cookie").expect("a form token is given");
        assert!(cookie.starts_with("quire_csrf=") && cookie.contains("HttpOnly"));
        let page = String::from_utf8_lossy(&answer.decoded()).into_owned();
        let token = &cookie["quire_csrf=".len()..]
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        assert_ne!(token, &kept.csrf());
        assert_eq!(
            page.replace(token.as_str(), "T"),
            kept.body.replace(&kept.csrf(), "T"),
            "{client}"
        );
        newcomers.push((newcomer, token.clone()));
    }
    // Each token works: a newcomer can comment with it.
    for (newcomer, token) in newcomers {
        let commented = newcomer.post(
            &format!("{path}/comments"),
            &[
                ("csrf", &token),
                ("chapter", "1"),
                ("name", "Newcomer"),
                ("body", "First time here."),
            ],
        );
        assert_eq!(commented.status, 303, "{}", commented.body);
    }
}

#[test]
fn a_change_drops_every_form_of_a_kept_page() {
    let site = Site::start();
    let author = site.member("forms_author");
    let id = post_work(&author, &[("title", "Old Name"), ("body", "Text.")]);
    let path = format!("/works/{id}");
    let guest = site.client();
    guest.get(&path);
    for (_, line, _) in ASKED {
        let answer = guest.fetch(&path, &asking(line));
        assert!(String::from_utf8_lossy(&answer.decoded()).contains("Old Name"));
    }
    let saved = author.submit(
        &format!("{path}/edit"),
        &format!("{path}/edit"),
        &[
            ("title", "New Name"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("complete", "1"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    for (client, line, _) in ASKED {
        let answer = guest.fetch(&path, &asking(line));
        let page = String::from_utf8_lossy(&answer.decoded()).into_owned();
        assert!(
            page.contains("New Name") && !page.contains("Old Name"),
            "{client}"
        );
    }
}

/// Two readers with different form tokens ask for the same page, which
/// holds a guess at the first one's token: only the first one's answer
/// would be shorter if the token were compressed with the page (BREACH).
fn same_length_whoever_asks(
    one: &crate::harness::Client,
    two: &crate::harness::Client,
    token_one: &str,
    path: &str,
    who: &str,
) {
    for (_, line, coding) in ASKED.iter().filter(|(_, _, coding)| coding.is_some()) {
        let (a, b) = (
            one.fetch(path, &asking(line)),
            two.fetch(path, &asking(line)),
        );
        assert_eq!(a.encoding.as_deref(), *coding);
        let page = String::from_utf8_lossy(&a.decoded()).into_owned();
        assert!(page.contains(token_one), "{who}: the page holds the token");
        assert!(page.contains(&token_one[..32]), "{who}: and the guess");
        assert_eq!(a.bytes.len(), b.bytes.len(), "{who}, {coding:?}");
    }
}

/// BREACH: a page that holds the reader's form token and what someone
/// else wrote (a comment, or the reader's own search, sent by a page of
/// an attacker's) compresses to the same length whether or not that text
/// guesses the token, for guests' kept pages and members' pages alike.
#[test]
fn a_guess_at_the_form_token_never_changes_how_long_the_answer_is() {
    let site = Site::start();
    let author = site.member("breach_author");
    let id = post_work(&author, &[("title", "Breach"), ("body", "Text.")]);
    let path = format!("/works/{id}");
    let (one, two) = (site.client(), site.client());
    let token_one = one.get(&path).csrf();
    assert_ne!(token_one, two.get(&path).csrf());
    let commented = author.post(
        &format!("{path}/comments"),
        &[
            ("csrf", &author.get(&path).csrf()),
            ("chapter", "1"),
            ("body", &format!("csrf\" value=\"{}", &token_one[..32])),
        ],
    );
    assert_eq!(commented.status, 303, "{}", commented.body);
    same_length_whoever_asks(&one, &two, &token_one, &path, "guests");

    let member = site.member("breach_reader");
    let same_account = site.client();
    let signed_in = same_account.submit(
        "/login",
        "/login",
        &[
            ("login", "breach_reader"),
            ("password", "correct horse battery"),
        ],
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let token_one = member.get("/works").csrf();
    assert_ne!(token_one, same_account.get("/works").csrf());
    let search = format!("/works?q={}", &token_one[..32]);
    same_length_whoever_asks(&member, &same_account, &token_one, &search, "members");
}

#[test]
fn the_stylesheet_and_script_are_compressed_once_and_revalidated() {
    let site = Site::start();
    let guest = site.client();
    for path in ["/static/quire.css", "/static/quire.js"] {
        let plain = guest.fetch(path, &[]);
        assert_eq!(plain.status, 200);
        for (client, line, coding) in ASKED {
            let answer = guest.fetch(path, &asking(line));
            assert_eq!(answer.encoding.as_deref(), coding, "{client}");
            assert_eq!(answer.decoded(), plain.bytes, "{client}");
            assert!(answer
                .header("vary")
                .is_some_and(|v| v.eq_ignore_ascii_case("accept-encoding")));
            let etag = answer.header("etag").expect("an ETag").to_string();
            let mut again = asking(line);
            again.push(("if-none-match", &etag));
            assert_eq!(guest.fetch(path, &again).status, 304, "{client}");
        }
    }
}

/// A page drawn for each request that has an ETag of its own (an HTML
/// download) is compressed per answer, and each form revalidates with
/// its own ETag.
#[test]
fn a_page_compressed_per_answer_revalidates_each_form_with_its_own_etag() {
    let site = Site::start();
    let author = site.member("download_forms");
    let body = "A paragraph for the download, long enough to compress. ".repeat(100);
    let id = post_work(&author, &[("title", "Taken Away"), ("body", &body)]);
    let path = format!("/works/{id}/download.html");
    let guest = site.client();
    let plain = guest.fetch(&path, &[]);
    assert_eq!(plain.status, 200);
    let plain_etag = plain.etag.clone().expect("an ETag");
    let mut etags = vec![plain_etag.clone()];
    for (client, line, coding) in ASKED.iter().filter(|(_, _, coding)| coding.is_some()) {
        let answer = guest.fetch(&path, &asking(line));
        assert_eq!(answer.encoding.as_deref(), *coding, "{client}");
        assert_eq!(answer.decoded(), plain.bytes, "{client}");
        let etag = answer.etag.clone().expect("an ETag");
        let mut again = asking(line);
        again.push(("if-none-match", &etag));
        let revalidated = guest.fetch(&path, &again);
        assert_eq!(revalidated.status, 304, "{client}");
        assert_eq!(revalidated.etag.as_deref(), Some(etag.as_str()));
        etags.push(etag);
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 3, "plain, gzip and brotli each have their own");
    // A client holding the plain copy is told it still stands, under that
    // copy's own ETag, whatever it asks for now.
    let held = guest.fetch(
        &path,
        &[("accept-encoding", "br"), ("if-none-match", &plain_etag)],
    );
    assert_eq!(held.status, 304);
    assert_eq!(held.etag.as_deref(), Some(plain_etag.as_str()));
}
