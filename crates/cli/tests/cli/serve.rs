//! `quire serve` as a person runs it: health, works and searches over
//! HTTP, its log, the demo, a taken port, a server killed while indexing
//! (and `quire reindex`), hits written at a clean stop, and the README's
//! API example run as written.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{
    assert_one_line_error, quire, quire_with_stdin, seed_path, seeds_dir, stdout, DataDir, Server,
};

#[test]
fn serve_answers_health_and_work_json() {
    let data = DataDir::dir("serve");
    stdout(&quire(&["import", "--data", data.path(), &seeds_dir()]));
    let server = Server::start(&data);
    let (status, content_type, body) = server.get("/healthz");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    assert!(body.contains("\"store\":\"ok\""), "{body}");

    let (status, _, body) = server.get("/api/v1/works/1");
    assert_eq!(status, 200);
    let work: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(work["rating"], "Not Rated");
    let (status, _, body) = server.get("/api/v1/works/1/chapters/1");
    assert_eq!(status, 200);
    let chapter: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        chapter["html"].as_str().unwrap().contains("naïve"),
        "the mojibake is repaired: {}",
        chapter["html"]
    );

    let (status, content_type, body) = server.get("/api/v1/works/999");
    assert_eq!(status, 404);
    assert_eq!(content_type, "application/problem+json");
    assert!(body.contains("no-such-work"));
    let (status, _, _) = server.get("/api/v1/works/not-a-number");
    assert_eq!(status, 404);
    assert!(server.stop().success(), "SIGTERM shuts down cleanly");
}

/// The public URL has one name; the old one still works for `serve` as
/// for `export`, and the log says to move to the new one.
#[test]
fn serve_reads_the_public_urls_old_name_and_says_so_in_its_log() {
    let data = DataDir::dir("serve-old-name");
    stdout(&quire(&[
        "import",
        "--data",
        data.path(),
        &seed_path("003_"),
    ]));
    let server = Server::start_logging(&data, &["--base-url", "https://old.example/"]);
    let (status, _, body) = server.get("/works/1/download.html");
    assert_eq!(status, 200);
    assert!(body.contains("https://old.example/works/1"), "{body}");
    let log = server.stop_and_read_log();
    assert!(
        log.lines()
            .any(|line| line.contains("WARN") && line.contains("QUIRE_PUBLIC_URL")),
        "{log}"
    );

    let server = Server::start_logging(
        &data,
        &[
            "--base-url",
            "https://old.example",
            "--public-url",
            "https://new.example",
        ],
    );
    let (_, _, body) = server.get("/works/1/download.txt");
    assert!(body.contains("https://new.example/works/1"), "{body}");
    let log = server.stop_and_read_log();
    assert!(!log.contains("QUIRE_PUBLIC_URL"), "{log}");
}

#[test]
fn serve_logs_a_json_line_per_request_when_asked() {
    let data = DataDir::dir("json-log");
    stdout(&quire(&["import", "--data", data.path(), &seeds_dir()]));
    let server = Server::start_logging(&data, &["--log-format", "json"]);
    let (status, _, _) = server.get("/works/1");
    assert_eq!(status, 200);
    let (status, _, _) = server.get("/works/999");
    assert_eq!(status, 404);
    let log = server.stop_and_read_log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let request = |path: &str| {
        lines
            .iter()
            .find(|l| l["path"] == path)
            .unwrap_or_else(|| panic!("no line for {path} in:\n{log}"))
    };
    let found = request("/works/1");
    assert_eq!(found["status"], 200);
    assert_eq!(found["method"], "GET");
    assert_eq!(found["route"], "/works/{id}");
    assert_eq!(found["level"], "INFO");
    assert!(found["timestamp"].is_string() && found["micros"].is_u64());
    assert_eq!(request("/works/999")["status"], 404);
}

#[test]
fn serve_demo_loads_its_works_once() {
    let data = DataDir::dir("demo");
    for _ in 0..2 {
        let mut server = Server::start_with(&data, &["--demo"]);
        let works: Vec<String> = server
            .more_lines(5)
            .iter()
            .map(|l| l.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(
            works,
            vec!["1", "2", "3", "4", "5"],
            "the same five works both times"
        );
        // The two seeds, three AO3 downloads and the generated corpus,
        // searchable as soon as the address is printed (not "the index is
        // being built").
        let (status, _, body) = server.get("/api/v1/works?per_page=1");
        assert_eq!(status, 200, "{body}");
        let found: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(found["total"], 305, "{body}");
        let (status, _, notice) = server.get("/works/2");
        assert_eq!(status, 200);
        assert!(
            notice.contains("could have adult content"),
            "seed 003 is unrated: {notice}"
        );
        let (status, _, page) = server.get("/works/2?view_adult=true");
        assert_eq!(status, 200);
        assert!(
            page.contains("Read as…"),
            "seed 003 is a reader-insert work"
        );
        assert!(server.stop().success());
    }
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let data = DataDir::dir("port");
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = holder.local_addr().unwrap().to_string();
    let output = quire(&["serve", "--data", data.path(), "--listen", &address]);
    assert_one_line_error(&output, "cannot listen on");
}

/// Polls a search until it finds `total` works (the follower builds and
/// catches up in the background), or panics after a generous wait.
fn wait_for_total(server: &Server, query: &str, total: u64) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let (status, _, body) = server.get(&format!("/api/v1/works?{query}"));
        if status == 200 {
            let found: serde_json::Value = serde_json::from_str(&body).unwrap();
            if found["total"] == total {
                return found;
            }
        } else {
            assert_eq!(status, 503, "only 'being built' may delay a search: {body}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index never reached {total} works for `{query}`: {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn corpus_into(
    data: &DataDir,
    works: &str,
    seed: &str,
) -> Vec<quire_archive::corpus::GeneratedWork> {
    let data_name = data.0.file_name().unwrap().to_string_lossy();
    let out = DataDir::dir(&format!("corpus-of-{data_name}-{works}"));
    stdout(&quire(&[
        "corpus",
        "--works",
        works,
        "--seed",
        seed,
        "--word-scale",
        "0.02",
        "--out",
        out.path(),
    ]));
    stdout(&quire(&["import", "--data", data.path(), out.path()]));
    std::fs::read_to_string(out.0.join("works.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn serve_searches_works_and_names_bad_parameters() {
    let data = DataDir::dir("serve-search");
    let generated = corpus_into(&data, "40", "3");
    let server = Server::start(&data);
    let all = wait_for_total(&server, "per_page=100", 40);
    assert_eq!(all["works"].as_array().unwrap().len(), 40);
    assert_eq!(all["page"], 1);
    let fandom = &generated[0].fandoms[0];
    let expected = generated
        .iter()
        .filter(|w| w.fandoms.contains(fandom))
        .count();
    let found = wait_for_total(
        &server,
        &format!("include={}&sort=kudos", fandom.replace(' ', "%20")),
        expected as u64,
    );
    let kudos: Vec<u64> = found["works"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kudos"].as_u64().unwrap())
        .collect();
    assert!(kudos.windows(2).all(|w| w[0] >= w[1]), "{kudos:?}");
    let facet = &found["facets"]["fandom"][0];
    assert_eq!(facet["tag"], fandom.as_str());
    assert_eq!(facet["count"], expected as u64);
    let work = &found["works"][0];
    for field in [
        "id",
        "title",
        "authors",
        "fandoms",
        "rating",
        "warnings",
        "categories",
        "relationships",
        "characters",
        "freeforms",
        "words",
        "chapters",
        "complete",
        "kudos",
        "hits",
        "bookmarks",
        "comments",
        "updated",
        "summary",
    ] {
        assert!(!work[field].is_null(), "{field} in {work}");
    }

    let title_word = generated[5].title.split(' ').next().unwrap().to_string();
    let (status, _, body) = server.get(&format!("/api/v1/works?q=title:{title_word}"));
    assert_eq!(status, 200);
    assert!(body.contains(&generated[5].title), "{body}");

    for (query, parameter) in [
        ("per_page=1000", "per_page"),
        ("sort=popularity", "sort"),
        ("rating=PG", "rating"),
        ("words_from=many", "words_from"),
        ("colour=blue", "colour"),
    ] {
        let (status, content_type, body) = server.get(&format!("/api/v1/works?{query}"));
        assert_eq!(status, 400, "{query}");
        assert_eq!(content_type, "application/problem+json");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["parameter"], parameter, "{body}");
    }
    assert!(server.stop().success());
}

#[test]
fn a_server_killed_while_indexing_catches_up_on_its_own() {
    let data = DataDir::dir("kill-index");
    corpus_into(&data, "3000", "4");
    let mut server = Server::start(&data);
    // Killed while the index is still being built from nothing.
    let (_, _, health) = server.get("/healthz");
    assert!(health.contains("\"index\":\"building\""), "{health}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let server = Server::start(&data);
    wait_for_total(&server, "per_page=1", 3000);

    // More works arrive while it runs; it is killed while following them.
    corpus_into(&data, "400", "5");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let server = Server::start(&data);
    wait_for_total(&server, "per_page=1", 3400);
    assert!(server.stop().success());

    // `quire reindex` builds a fresh generation; a restarted server uses it.
    let reindexed = stdout(&quire(&["reindex", "--data", data.path()]));
    assert!(reindexed.starts_with("indexed 3400 works"), "{reindexed}");
    let server = Server::start(&data);
    wait_for_total(&server, "per_page=1", 3400);
    assert!(server.stop().success());
}

/// Page views are counted in memory and written in batches; a clean stop
/// (SIGTERM) writes the last of them.
#[tokio::test]
async fn hits_buffered_at_a_clean_stop_are_written() {
    let data = DataDir::dir("hits");
    stdout(&quire(&["import", "--data", data.path(), &seeds_dir()]));
    let server = Server::start(&data);
    // The seeds arrive unrated: a reader goes on past the adult-content
    // notice, and only then reads (and counts).
    let (status, _, _) = server.get("/works/1?view_adult=true");
    assert_eq!(status, 200);
    assert!(server.stop().success(), "SIGTERM shuts down cleanly");
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    assert_eq!(archive.hit_count(1).await.unwrap(), 1);
    archive.close().await;
}

/// The README's API example, run as written against a real server: a
/// token from `quire user token`, a work posted from a text file with curl,
/// its EPUB fetched.
#[test]
fn the_readmes_api_example_posts_a_work_and_fetches_its_epub() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("the README reads");
    let example = readme
        .split("<!-- api-example")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the README has the API example");
    assert_eq!(example.lines().count(), 3, "{example}");

    let data = DataDir::dir("readme-api");
    let server = Server::start(&data);
    stdout(&quire_with_stdin(
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@example.org",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"a long password\n",
    ));
    let dir = DataDir::dir("readme-api-work");
    std::fs::create_dir_all(dir.path()).unwrap();
    std::fs::copy(
        seed_path("003"),
        PathBuf::from(dir.path()).join("story.txt"),
    )
    .unwrap();
    // `quire` is this build; the archive is this test's.
    let script = example.replace("http://127.0.0.1:8080", &server.base);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_quire"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ran = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("QUIRE_DATA", data.path())
        .output()
        .expect("bash runs");
    assert!(
        ran.status.success(),
        "the example failed: {}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    let epub = std::fs::read(PathBuf::from(dir.path()).join("story.epub")).expect("an EPUB");
    assert!(epub.starts_with(b"PK"), "a zip");
    assert!(
        epub.windows(20).any(|w| w == b"application/epub+zip"),
        "an EPUB's mimetype"
    );
    let (status, _, work) = server.get("/api/v1/works/1");
    assert_eq!(status, 200);
    assert!(work.contains("\"creators\":[\"alice\"]"), "{work}");
    assert!(server.stop().success());
}

/// Two servers on one PostgreSQL database, started as the README says,
/// each with a directory of its own (`--data` beside `--database`): both
/// answer, each keeps its own search index there, and a work imported
/// once is found through both.
#[test]
fn two_servers_on_one_database_each_keep_their_own_directory() {
    use quire_testkit::postgres::{admin_url, TestDatabase};
    if admin_url().is_none() {
        return;
    }
    let database = TestDatabase::create_blocking("quire_two_nodes");
    let imported = quire(&["import", "--database", &database.url, &seeds_dir()]);
    assert!(imported.status.success());
    let (one, two) = (DataDir::dir("node-one"), DataDir::dir("node-two"));
    let servers: Vec<Server> = [&one, &two]
        .into_iter()
        .map(|data| Server::start_with(data, &["--database", &database.url]))
        .collect();
    for (server, data) in servers.iter().zip([&one, &two]) {
        wait_for_total(server, "", 2);
        assert!(
            PathBuf::from(data.path()).join("index").is_dir(),
            "{} holds its own index",
            data.path()
        );
    }
    for server in servers {
        assert!(server.stop().success());
    }
    database.remove_blocking();
}

/// Email is written in the transaction that makes it and handed to SMTP by
/// a worker: messages queued while the SMTP server is away, by a server
/// then killed, are each delivered once after a restart.
#[tokio::test(flavor = "multi_thread")]
async fn email_queued_before_a_kill_is_delivered_exactly_once_after_a_restart() {
    use quire_archive::{Archive, SubscriptionTarget};
    use quire_testkit::smtp::{free_port, SmtpSink};

    let data = DataDir::dir("mail-kill");
    stdout(&quire(&["import", "--data", data.path(), &seeds_dir()]));
    let archive = Archive::open_data_dir(&data.0).await.unwrap();
    let mut tokens = Vec::new();
    for n in 0..3 {
        let login = format!("subscriber{n}");
        let user = archive
            .add_user(
                &login,
                &format!("{login}@example.org"),
                "long enough",
                Default::default(),
            )
            .await
            .unwrap();
        archive
            .subscribe(user.id, SubscriptionTarget::Work(1))
            .await
            .unwrap();
        let (_, token) = archive
            .create_api_token(user.id, "inbox", quire_archive::tokens::Scope::Read)
            .await
            .unwrap();
        tokens.push(token);
    }
    for words in ["A second chapter.", "A third chapter."] {
        let chapter =
            quire_archive::model::ChapterDraft::from_manuscript(quire_text::analyze_str(words));
        archive.add_chapter(1, &chapter).await.unwrap();
    }
    archive.close().await;

    // The SMTP server is away: the notices are delivered and their email
    // queued, and the server is killed before any is sent.
    let port = free_port();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let mut server = Server::start_with(&data, &["--smtp-url", &smtp]);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for token in &tokens {
        loop {
            let body = agent
                .get(format!("{}/api/v1/me/inbox", server.base))
                .header("authorization", format!("Bearer {token}"))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            if body.matches("\"kind\":\"chapter\"").count() == 2 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{body}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let archive = Archive::open_data_dir(&data.0).await.unwrap();
    let counts = archive.outbox_counts().await.unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.failed), (6, 0, 0));
    archive.close().await;

    // Back with the SMTP server up: every message once.
    let sink = SmtpSink::start_on(port);
    let server = Server::start_with(&data, &["--smtp-url", &smtp]);
    let mail = sink.wait_for(6, std::time::Duration::from_secs(30));
    std::thread::sleep(std::time::Duration::from_secs(3));
    let mail_after = sink.messages();
    assert_eq!(mail_after.len(), 6, "{mail_after:#?}");
    let mut ids: Vec<&str> = mail.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "six different messages");
    for n in 0..3 {
        let to = format!("subscriber{n}@example.org");
        assert_eq!(mail.iter().filter(|m| m.to == to).count(), 2, "{to}");
    }
    assert!(server.stop().success());
    let archive = Archive::open_data_dir(&data.0).await.unwrap();
    let counts = archive.outbox_counts().await.unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.failed), (0, 6, 0));
    archive.close().await;
}

/// `--embed-host` names the sites frames may come from, for what is
/// imported and for the pages' policy; a name that is not a host is a
/// one-line error.
#[test]
fn the_embed_hosts_an_archive_names_are_the_frames_it_keeps_and_loads() {
    let data = DataDir::dir("embeds");
    let chapter = crate::support::TempFile::new(
        "embeds.html",
        b"<html><head><title>Vid and podfic</title></head><body>\
          <p>Words first.</p>\
          <iframe src=\"http://media.example.org/player/1\"></iframe>\
          <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>\
          </body></html>",
    );
    let imported = quire(&[
        "import",
        "--embed-host",
        "media.example.org,vids.example.net",
        "--data",
        data.path(),
        chapter.path(),
    ]);
    assert!(
        stdout(&imported).starts_with("imported 1 work,"),
        "{imported:?}"
    );
    let server = Server::start_with(
        &data,
        &["--embed-host", "media.example.org,vids.example.net"],
    );
    let (status, _, body) = server.get("/api/v1/works/1/chapters/1");
    assert_eq!(status, 200);
    assert!(
        body.contains("https://media.example.org/player/1"),
        "{body}"
    );
    assert!(!body.contains("youtube"), "{body}");
    let response = ureq::get(format!("{}/works/1?view_adult=true", server.base))
        .call()
        .expect("the work page");
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        policy.contains(
            "frame-src https://media.example.org https://www.media.example.org \
             https://vids.example.net https://www.vids.example.net;"
        ),
        "{policy}"
    );
    assert!(server.stop().success());

    for bad in ["https://media.example.org", "localhost", "10.0.0.1"] {
        let refused = quire(&[
            "import",
            "--embed-host",
            bad,
            "--data",
            data.path(),
            chapter.path(),
        ]);
        assert_one_line_error(&refused, "is not a host name");
    }
}

#[test]
fn a_media_bucket_that_cannot_be_used_stops_the_server_with_a_message() {
    let data = DataDir::dir("bucket");
    let not_a_bucket = quire(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        data.path(),
        "--media-bucket",
        "nonsense",
    ]);
    assert!(!not_a_bucket.status.success());
    let said = String::from_utf8_lossy(&not_a_bucket.stderr);
    assert!(said.contains("--media-bucket s3://bucket/prefix"), "{said}");

    // Nothing answers at this endpoint: refused at start, in seconds.
    let nobody = quire_testkit::smtp::free_port();
    let unreachable = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data", data.path()])
        .args(["--media-bucket", "s3://archive-media"])
        .args([
            "--media-bucket-endpoint",
            &format!("http://127.0.0.1:{nobody}"),
        ])
        .env("AWS_ACCESS_KEY_ID", "quire-test")
        .env("AWS_SECRET_ACCESS_KEY", "quire-test-secret")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("quire runs");
    assert!(!unreachable.status.success());
    let said = String::from_utf8_lossy(&unreachable.stderr);
    assert!(said.contains("cannot reach the media bucket"), "{said}");
}
