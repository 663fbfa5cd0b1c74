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
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: quire\r\nConnection: close\r\n\r\n"
    )
    .expect("sends");
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
