//! A public server meets readers who mean it harm: half-sent requests held
//! open, fills that multiply a work, control characters in every field,
//! fields and lists without end, planted form tokens, HTML typed as plain
//! text, guessed draft tags. Each is bounded, refused or made harmless.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::harness::{post_work, Site};

fn address(site: &Site) -> SocketAddr {
    site.base
        .trim_start_matches("http://")
        .parse()
        .expect("the site's address")
}

/// A connection from another loopback address (Linux answers all of
/// 127.0.0.0/8): another reader, as far as the server can tell.
fn connect_from(local: &str, to: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket
            .bind(format!("{local}:0").parse().expect("an address"))
            .expect("binds to a loopback address");
        socket.connect(to).await.expect("connects")
    });
    let stream = stream.into_std().expect("a std stream");
    stream.set_nonblocking(false).expect("blocking");
    stream
}

/// Sends a whole request and reads the status line of the answer.
fn ask(mut stream: TcpStream, path: &str) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    // A refused connection may be closed before the request is written.
    if write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: quire\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return String::new();
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

/// Has the server closed this connection (within `wait`)?
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).expect("a timeout");
    let mut byte = [0u8; 512];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return true,
            // A 408 or the like before closing is fine; keep reading.
            Ok(_) => continue,
            Err(err) => {
                return !matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

#[test]
fn half_sent_requests_are_closed_and_capped_while_other_readers_are_answered() {
    let site = Site::start_with(|config| {
        config.connections.header_timeout = Duration::from_secs(2);
        config.connections.per_address = 6;
    });
    let server = address(&site);
    // One address opens as many half-sent requests as it may, and goes
    // silent.
    let mut stalled: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut stream = connect_from("127.0.0.9", server);
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: quire\r\nUser-Agent: slow")
                .expect("half a request");
            stream
        })
        .collect();
    // A seventh from it is closed unanswered.
    let seventh = connect_from("127.0.0.9", server);
    assert_eq!(
        ask(seventh, "/healthz"),
        "",
        "a seventh connection is refused"
    );
    // Another reader is answered at once.
    let started = Instant::now();
    assert_eq!(
        ask(connect_from("127.0.0.10", server), "/healthz"),
        "HTTP/1.1 200 OK"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "another reader waited {:?}",
        started.elapsed()
    );
    // The silent ones are closed once their headers are late.
    for stream in &mut stalled {
        assert!(
            closed_within(stream, Duration::from_secs(6)),
            "a half-sent request is still open"
        );
    }
    // Their slots are free again.
    let mut freed = false;
    for _ in 0..50 {
        if ask(connect_from("127.0.0.9", server), "/healthz") == "HTTP/1.1 200 OK" {
            freed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(freed, "the address may connect again");
}

#[test]
fn a_trusted_proxy_is_never_capped() {
    // A reverse proxy carries every reader: its connections are not one
    // reader's, so the per-address cap would shut the whole archive.
    let site = Site::start_with(|config| {
        config.connections.per_address = 2;
        config.trusted_proxies = vec!["127.0.0.12".parse().unwrap()];
    });
    let server = address(&site);
    let held: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = connect_from("127.0.0.12", server);
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: quire\r\n")
                .expect("half a request");
            stream
        })
        .collect();
    assert_eq!(
        ask(connect_from("127.0.0.12", server), "/healthz"),
        "HTTP/1.1 200 OK",
        "a fifth connection from the proxy is answered"
    );
    drop(held);
    // Anyone else still meets the cap.
    let _first = connect_from("127.0.0.13", server);
    let _second = connect_from("127.0.0.13", server);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(ask(connect_from("127.0.0.13", server), "/healthz"), "");
}

#[test]
fn a_kept_alive_connection_is_answered_again_and_again() {
    let site = Site::start_with(|config| {
        config.connections.header_timeout = Duration::from_secs(2);
    });
    let mut stream = connect_from("127.0.0.11", address(&site));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    for _ in 0..3 {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: quire\r\n\r\n")
            .expect("asks");
        let mut answer = vec![0u8; 4096];
        let read = stream.read(&mut answer).expect("an answer");
        assert!(
            answer[..read].starts_with(b"HTTP/1.1 200 OK"),
            "{}",
            String::from_utf8_lossy(&answer[..read])
        );
        // Less than the deadline between requests: the connection stays.
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_fill_is_short_and_never_multiplies_a_work() {
    let site = Site::start();
    let author = site.member("placeholder_author");
    // A placeholder every three bytes, as the probe that made 600 MB wrote.
    let crowded = post_work(
        &author,
        &[
            ("title", "Crowded"),
            ("body", &"Y/N ".repeat(10_000)),
            ("format", "plain"),
        ],
    );
    let guest = site.client();
    let path = format!("/works/{crowded}");
    let long = "A".repeat(41);
    for (what, answer) in [
        (
            "download",
            guest.get(&format!("{path}/download.txt?fill=Y/N:{long}")),
        ),
        (
            "API chapter",
            guest.api(
                "GET",
                &format!("/api/v1/works/{crowded}/chapters/1?fill=Y/N:{long}"),
                None,
                None,
            ),
        ),
    ] {
        assert_eq!(answer.status, 400, "{what}: {}", answer.body);
        assert!(
            answer.body.contains("at most 40"),
            "{what} says the limit: {}",
            answer.body
        );
    }
    let refused = guest.submit(&path, &format!("{path}/read-as"), &[("fill:Y/N", &long)]);
    assert!(refused.body.contains("at most 40"), "{}", refused.body);

    // Forty letters are a name, but not ten thousand times over in 40 KB.
    let forty = "A".repeat(40);
    let grown = guest.get(&format!("{path}/download.txt?fill=Y/N:{forty}"));
    assert_eq!(grown.status, 400, "{}", grown.body);
    assert!(
        grown.body.contains("Choose shorter names"),
        "{}",
        grown.body
    );
    let api = guest.api(
        "GET",
        &format!("/api/v1/works/{crowded}/chapters/1?fill=Y/N:{forty}"),
        None,
        None,
    );
    assert_eq!(api.status, 400, "{}", api.body);
    // A short name fills it, at about the size it was.
    let sam = guest.download(&format!("{path}/download.txt?fill=Y/N:Sam"), None);
    assert_eq!(sam.status, 200);
    assert!(
        sam.bytes.len() < 2 * 40_000 + 64 * 1024,
        "{}",
        sam.bytes.len()
    );
    // A reader whose saved name is too long for this work reads it as
    // written, and is not refused the page.
    let reader = site.member("placeholder_reader");
    reader.submit(&path, &format!("{path}/read-as"), &[("fill:Y/N", &forty)]);
    let page = reader.get(&path);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&forty.repeat(2)));

    // However many names are asked for, no filled copy is kept on disk.
    let other = post_work(
        &author,
        &[("title", "Plain"), ("body", "Y/N waved.\n\nThen Y/N left.")],
    );
    for n in 0..300 {
        let answer = guest.download(
            &format!("/works/{other}/download.txt?fill=Y/N:Name{n}"),
            None,
        );
        assert_eq!(answer.status, 200);
    }
    let downloads = site.data_dir().join("downloads");
    let files: usize = std::fs::read_dir(&downloads)
        .map(|folders| {
            folders
                .flatten()
                .map(|folder| std::fs::read_dir(folder.path()).map_or(0, |f| f.count()))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(files, 0, "filled downloads are never kept");
}

/// What a hostile (or unlucky) writer can type: every control character,
/// XML's noncharacters, markup, quotes, wide and astral characters.
fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let pieces: Vec<&'static str> = vec![
        "\u{0}",
        "\u{1}",
        "\u{7}",
        "\u{8}",
        "\u{b}",
        "\u{c}",
        "\u{1b}[31m",
        "\u{1f}",
        "\u{7f}",
        "\u{85}",
        "\u{fffe}",
        "\u{ffff}",
        "\r",
        "\r\n",
        "\t",
        "<",
        ">",
        "&",
        "\"",
        "'",
        "<script>alert(1)</script>",
        "<i onwheel=alert(1)>",
        "]]>",
        "&amp;",
        "Y/N",
        "é",
        "漢字",
        "😀",
        "\u{200b}",
        "\u{202e}",
        " ",
        "word",
    ];
    prop::collection::vec(prop::sample::select(pieces), 1..12).prop_map(|parts| parts.concat())
}

/// No character XML 1.0 forbids, and no control character a page could
/// carry to a parser.
fn forbidden_in(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && !('\u{80}'..='\u{9f}').contains(&c))
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    })
}

#[test]
fn any_string_through_any_field_leaves_every_page_feed_and_download_parseable() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRunner};

    let site = Site::start();
    let writer = site.member("hostile_writer");
    let reader = site.member("hostile_reader");
    let guest = site.client();
    let mut runner = TestRunner::new(Config {
        cases: 8,
        ..Config::default()
    });
    for case in 0..8 {
        let text = hostile_text()
            .new_tree(&mut runner)
            .expect("a string")
            .current();
        let field = |name: &str| format!("{name} {text} {case}");
        let id = post_work(
            &writer,
            &[
                ("title", &field("Title")),
                ("summary", &field("Summary")),
                ("notes_start", &field("Notes")),
                ("notes_end", &field("End")),
                ("fandoms", &field("Fandom")),
                ("relationships", &field("A/B")),
                ("characters", &field("Character")),
                ("freeforms", &field("Freeform")),
                ("series", &field("Series")),
                ("chapter_title", &field("Chapter")),
                ("body", &field("The story says")),
                ("format", if case % 2 == 0 { "plain" } else { "html" }),
            ],
        );
        let path = format!("/works/{id}");
        for (action, form) in [
            (format!("{path}/comments"), vec![("body", field("Comment"))]),
            (
                format!("{path}/bookmarks"),
                vec![("note", field("Note")), ("tags", field("Mark"))],
            ),
        ] {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = reader.submit(&path, &action, &form);
            assert_eq!(
                answer.status, 200,
                "{action} with {text:?}: {}",
                answer.body
            );
        }
        let page = guest.get(&path);
        assert_eq!(page.status, 200);
        assert_eq!(
            forbidden_in(&page.body),
            None,
            "the work page carries a control character from {text:?}"
        );
        assert!(page.body.contains("Title"));
        for feed in ["/opds/recent", "/opds/tags", "/opds/fandoms"] {
            let body = guest.get(feed).body;
            if let Err(err) = roxmltree::Document::parse(&body) {
                panic!("{feed} is not XML after {text:?}: {err}");
            }
        }
        for format in ["txt", "html"] {
            let download = guest.download(&format!("{path}/download.{format}"), None);
            assert_eq!(download.status, 200);
            assert_eq!(
                forbidden_in(&download.text()),
                None,
                "the {format} download carries a control character from {text:?}"
            );
        }
        let epub = guest.download(&format!("{path}/download.epub"), None);
        let mut book =
            zip::ZipArchive::new(std::io::Cursor::new(&epub.bytes)).expect("the EPUB is a zip");
        for entry in 0..book.len() {
            let mut file = book.by_index(entry).expect("an entry");
            let name = file.name().to_string();
            if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
                let mut xml = String::new();
                file.read_to_string(&mut xml).expect("UTF-8");
                let options = roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..roxmltree::ParsingOptions::default()
                };
                if let Err(err) = roxmltree::Document::parse_with_options(&xml, options) {
                    panic!("{name} is not XML after {text:?}: {err}");
                }
            }
        }
        // epubcheck on the first two: slow, and the XML above covers the rest.
        if case < 2 {
            let (passed, report) =
                epubcheck::run_epubcheck(&format!("hostile-{case}"), &epub.bytes);
            assert!(passed, "epubcheck after {text:?}:\n{report}");
        }
    }
}

#[allow(dead_code)]
#[path = "../../../export/tests/export/support.rs"]
pub mod epubcheck;

#[test]
fn every_field_and_list_people_fill_in_has_a_limit_the_error_names() {
    use quire_archive::model::limits;
    let site = Site::start();
    let author = site.member("limit_author");
    let work = post_work(&author, &[("title", "Limits"), ("body", "Some words.")]);
    let path = format!("/works/{work}");
    let reader = site.member("limit_reader");
    let over = |max: usize| "a".repeat(max + 1);
    let tags = |count: usize| {
        (0..count)
            .map(|n| format!("tag {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };

    // Through the site: the page says what to change.
    let series = over(limits::SERIES_TITLE_CHARS);
    let refused_series = crate::harness::try_post_work(
        &author,
        &[("title", "A part"), ("body", "Words."), ("series", &series)],
    )
    .expect_err("a series title too long");
    let comment = over(limits::COMMENT_CHARS);
    let note = over(limits::BOOKMARK_NOTE_CHARS);
    let too_many_tags = tags(limits::BOOKMARK_TAGS + 1);
    let muted = tags(limits::MUTED_TAGS + 1);
    let guest_name = over(limits::GUEST_NAME_CHARS);
    for (what, answer, says) in [
        ("series title", refused_series, "the most is 240"),
        (
            "comment",
            reader.submit(&path, &format!("{path}/comments"), &[("body", &comment)]),
            "the most is 10000",
        ),
        (
            "guest's name",
            site.client().submit(
                &path,
                &format!("{path}/comments"),
                &[("body", "Hi."), ("name", &guest_name)],
            ),
            "the most is 100",
        ),
        (
            "bookmark note",
            reader.submit(&path, &format!("{path}/bookmarks"), &[("note", &note)]),
            "the most is 5000",
        ),
        (
            "bookmark tags",
            reader.submit(
                &path,
                &format!("{path}/bookmarks"),
                &[("tags", &too_many_tags)],
            ),
            "there are 76 bookmark tags; the most is 75",
        ),
        (
            "mute list",
            reader.submit("/preferences", "/preferences", &[("mute_tags", &muted)]),
            "there are 201 muted tags; the most is 200",
        ),
    ] {
        assert!(
            (400..500).contains(&answer.status) && answer.body.contains(says),
            "{what}: {} {}",
            answer.status,
            answer.body
        );
    }
    // Pseuds: fifty, then no more.
    for n in 1..limits::PSEUDS {
        let added = reader.submit(
            "/account",
            "/account/pseuds",
            &[("pseud", &format!("name_{n}"))],
        );
        assert_eq!(added.status, 200, "pseud {n}: {}", added.body);
    }
    let one_more = reader.submit("/account", "/account/pseuds", &[("pseud", "one_too_many")]);
    assert!(
        one_more
            .body
            .contains("there are 51 pseuds; the most is 50"),
        "{}",
        one_more.body
    );

    // Through the API: the same limits, as problems.
    let token =
        crate::harness::account_with_token(&site, "limit_api", quire_archive::tokens::Scope::Write);
    let api = site.client();
    for (what, method, endpoint, body, says) in [
        (
            "comment",
            "POST",
            format!("/api/v1/works/{work}/comments"),
            serde_json::json!({ "body": comment }),
            "the most is 10000",
        ),
        (
            "bookmark tags",
            "POST",
            format!("/api/v1/works/{work}/bookmarks"),
            serde_json::json!({ "tags": (0..76).map(|n| format!("t{n}")).collect::<Vec<_>>() }),
            "the most is 75",
        ),
        (
            "mute list",
            "PUT",
            "/api/v1/me/mutes".to_string(),
            serde_json::json!({ "authors": (0..201).map(|n| format!("a{n}")).collect::<Vec<_>>() }),
            "the most is 200",
        ),
        (
            "control character",
            "POST",
            "/api/v1/works".to_string(),
            serde_json::json!({
                "title": "Bell\u{7}", "rating": "General Audiences",
                "warnings": ["No Archive Warnings Apply"], "fandoms": ["Original Work"],
                "body": "Words."
            }),
            "control character",
        ),
    ] {
        let answer = api.api(method, &endpoint, Some(&token), Some(&body));
        assert_eq!(answer.status, 422, "{what}: {}", answer.body);
        assert!(answer.body.contains(says), "{what}: {}", answer.body);
    }

    // The API's document states the same limits.
    let document: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/openapi.json").body).expect("the document");
    let schema = |name: &str| document["components"]["schemas"][name]["properties"].clone();
    for (schema_name, property, key, limit) in [
        (
            "CommentIn",
            "body",
            "maxLength",
            limits::with_markup(limits::COMMENT_CHARS),
        ),
        (
            "CommentEdit",
            "body",
            "maxLength",
            limits::with_markup(limits::COMMENT_CHARS),
        ),
        (
            "BookmarkIn",
            "note",
            "maxLength",
            limits::with_markup(limits::BOOKMARK_NOTE_CHARS),
        ),
        ("BookmarkIn", "tags", "maxItems", limits::BOOKMARK_TAGS),
        ("Mutes", "tags", "maxItems", limits::MUTED_TAGS),
        ("Mutes", "authors", "maxItems", limits::MUTED_AUTHORS),
        ("WorkFields", "title", "maxLength", limits::TITLE_CHARS),
        (
            "WorkFields",
            "summary",
            "maxLength",
            limits::with_markup(limits::SUMMARY_CHARS),
        ),
        (
            "WorkFields",
            "notes_start",
            "maxLength",
            limits::with_markup(limits::NOTES_CHARS),
        ),
        ("WorkFields", "freeforms", "maxItems", limits::USER_TAGS),
        (
            "WorkFields",
            "series",
            "maxLength",
            limits::SERIES_TITLE_CHARS,
        ),
        ("ChapterIn", "title", "maxLength", limits::TITLE_CHARS),
        (
            "ChapterIn",
            "notes_end",
            "maxLength",
            limits::with_markup(limits::NOTES_CHARS),
        ),
    ] {
        assert_eq!(
            schema(schema_name)[property][key],
            serde_json::json!(limit),
            "{schema_name}.{property} {key}"
        );
    }
}

#[test]
fn a_form_token_the_server_did_not_issue_is_refused() {
    let site = Site::start();
    site.member("planted_victim");
    let planted = "0123456789abcdef".repeat(4);
    let cookie = format!("quire_csrf={planted}");
    let guest = site.client();
    let page = guest.get_with("/login", &[("cookie", &cookie)]);
    // The page's forms carry a token of the server's, not the planted one,
    // and the cookie is replaced.
    assert!(!page.body.contains(&planted));
    assert!(page
        .headers
        .iter()
        .any(|(name, value)| name == "set-cookie" && value.starts_with("quire_csrf=")));
    // From a browser that holds only the planted cookie.
    let signed_in = site.client().post_with(
        "/login",
        &[
            ("csrf", &planted),
            ("login", "planted_victim"),
            ("password", "correct horse battery"),
        ],
        &[("cookie", &cookie)],
    );
    assert_ne!(signed_in.status, 303, "{}", signed_in.body);
    assert!(signed_in
        .headers
        .iter()
        .all(|(name, value)| name != "set-cookie" || !value.starts_with("quire_session=")));
}

#[test]
fn a_tag_only_drafts_carry_is_unknown_to_all_but_their_creators() {
    let site = Site::start();
    let author = site.member("draft_tagger");
    let draft = post_work(
        &author,
        &[
            ("title", "Unannounced"),
            ("body", "Words."),
            ("freeforms", "Secret Surprise Party"),
            ("draft", "1"),
        ],
    );
    let page = "/tags/Secret%20Surprise%20Party";
    let api = "/api/v1/tags/freeform/Secret%20Surprise%20Party";
    let guest = site.client();
    let other = site.member("tag_guesser");
    assert_eq!(guest.get(page).status, 404);
    assert_eq!(other.get(page).status, 404);
    assert_eq!(guest.api("GET", api, None, None).status, 404);
    assert_eq!(author.get(page).status, 200, "its creator sees it");
    // A tag no one has used answers the same as the draft's.
    assert_eq!(guest.get("/tags/Never%20Used%20Anywhere").status, 404);

    // Posted, it is everyone's.
    let edit = format!("/works/{draft}/edit");
    let posted = author.submit(
        &edit,
        &edit,
        &[
            ("title", "Unannounced"),
            ("rating", "General Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("fandoms", "Original Work"),
            ("freeforms", "Secret Surprise Party"),
        ],
    );
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(guest.get(page).status, 200);
    assert_eq!(guest.api("GET", api, None, None).status, 200);
}

#[test]
fn plain_text_stays_text_whatever_it_looks_like() {
    let site = Site::start();
    let author = site.member("plain_writer");
    let guest = site.client();
    for (n, body) in [
        "<i onwheel=alert(1)> Scroll over me </i>",
        "<script>alert(1)</script>",
    ]
    .into_iter()
    .enumerate()
    {
        let id = post_work(
            &author,
            &[
                ("title", &format!("Plain {n}")),
                ("body", body),
                ("format", "plain"),
            ],
        );
        let page = guest.get(&format!("/works/{id}")).body;
        let escaped = body.trim().replace('<', "&lt;").replace('>', "&gt;");
        assert!(page.contains(&escaped), "{body} is shown as written");
        let txt = guest.download(&format!("/works/{id}/download.txt"), None);
        assert!(txt.text().contains(body.trim()), "{}", txt.text());
    }
}

#[test]
fn kept_downloads_go_when_their_work_changes_or_goes_by_any_route() {
    let site = Site::start();
    let token = crate::harness::account_with_token(
        &site,
        "sweep_author",
        quire_archive::tokens::Scope::Write,
    );
    let api = site.client();
    let made = api.api(
        "POST",
        "/api/v1/works",
        Some(&token),
        Some(&serde_json::json!({
            "title": "Swept", "rating": "General Audiences",
            "warnings": ["No Archive Warnings Apply"], "fandoms": ["Original Work"],
            "body": "Some words."
        })),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = serde_json::from_str::<serde_json::Value>(&made.body).expect("JSON")["id"]
        .as_i64()
        .expect("an id");
    let folder = site.data_dir().join("downloads").join(format!("work-{id}"));
    let guest = site.client();
    assert_eq!(
        guest
            .download(&format!("/works/{id}/download.epub"), None)
            .status,
        200
    );
    assert!(folder.exists(), "the download is kept");
    // Deleted through the API, which never calls the site's own clean-up:
    // the sweep that follows the change feed removes it.
    let deleted = api.api("DELETE", &format!("/api/v1/works/{id}"), Some(&token), None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    crate::harness::eventually("the deleted work's downloads are gone", || !folder.exists());
}
