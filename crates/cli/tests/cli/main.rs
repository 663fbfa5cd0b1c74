//! `quire analyze`, `repair` and `render` as a person runs them.

mod export;
mod promises;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn quire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .output()
        .expect("quire runs")
}

fn quire_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quire runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn seed_path(prefix: &str) -> String {
    quire_testkit::seed_path(prefix)
        .to_string_lossy()
        .into_owned()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "quire failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("valid JSON")
}

/// A file or directory a test makes under the temporary directory, removed
/// when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn at(prefix: &str, name: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("quire-cli-{prefix}{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
        path
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
    fn new(name: &str, bytes: &[u8]) -> Scratch {
        let path = Scratch::at("", name);
        std::fs::write(&path, bytes).unwrap();
        Scratch(path)
    }
    fn dir(name: &str) -> Scratch {
        Scratch(Scratch::at("data-", name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A file holding `bytes`.
type TempFile = Scratch;
/// A data directory a test imports into (made by quire on first use).
type DataDir = Scratch;

#[test]
fn analyze_json_has_the_documented_shape() {
    let value = json(&quire(&["analyze", &seed_path("003_"), "--json"]));
    assert!(value["title"].is_null());
    let paragraphs = value["paragraphs"].as_array().unwrap();
    assert!(paragraphs.len() >= 10);
    let breaks = value["scene_breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1);
    let skip = breaks[0].as_u64().unwrap() as usize;
    assert!(paragraphs[skip]
        .as_str()
        .unwrap()
        .starts_with("(6 months later)"));
    assert_eq!(value["notes"]["start"], "");
    assert!(value["notes"]["end"]
        .as_str()
        .unwrap()
        .contains("theaidenellis.tumblr.com"));
    assert_eq!(value["placeholders"][0]["code"], "Y/N");
    assert_eq!(value["placeholders"][0]["count"], 7);
    assert_eq!(value["reader_insert"], true);
    assert_eq!(value["repairs"].as_array().unwrap().len(), 0);
    assert!(value["word_count"].as_u64().unwrap() > 800);
    assert_eq!(
        value["counts"]["ao3_words"], 945,
        "Y/N, E/C, H/C are two words each on AO3"
    );
    assert_eq!(value["encoding"], "utf-8");
    assert_eq!(value["format"], "text");
}

#[test]
fn analyze_json_reports_repairs_with_byte_spans() {
    let path = seed_path("000_");
    let raw = std::fs::read(&path).unwrap();
    let value = json(&quire(&["analyze", &path, "--json"]));
    let repair = &value["repairs"][0];
    assert_eq!(repair["before"], "√Ø");
    assert_eq!(repair["after"], "ï");
    assert_eq!(repair["encoding"], "macintosh");
    let (start, end) = (
        repair["start"].as_u64().unwrap() as usize,
        repair["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&raw[start..end], "√Ø".as_bytes());
}

#[test]
fn analyze_json_suggests_warnings_with_evidence() {
    let value = json(&quire(&["analyze", &seed_path("000_"), "--json"]));
    let signals = &value["signals"];
    assert_eq!(signals["rating"], "Mature");
    assert_eq!(
        signals["warnings"][0]["warning"],
        "Graphic Depictions Of Violence"
    );
    let notes = signals["notes"].as_array().unwrap();
    let violence = notes
        .iter()
        .find(|n| n["name"] == "violence")
        .expect("a violence note");
    let confidence = violence["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "{confidence}");
    assert_eq!(
        confidence,
        (confidence * 100.0).round() / 100.0,
        "hundredths"
    );
    assert!(violence["passages"].as_u64().unwrap() >= 3);
    // Evidence offsets are into the paragraphs joined by a blank line.
    let joined = value["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n\n");
    let evidence = violence["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty());
    for e in evidence {
        let (start, end) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(joined[start..end], *e["text"].as_str().unwrap());
    }
    assert!(evidence
        .iter()
        .any(|e| e["text"].as_str().unwrap().contains("killed children")));
    assert!(notes.iter().any(|n| n["name"] == "child-harm"));
}

#[test]
fn analyze_without_json_is_a_short_summary() {
    let text = stdout(&quire(&["analyze", &seed_path("003_")]));
    assert!(text.lines().count() < 15, "{text}");
    assert!(text.contains("words"));
    assert!(text.contains("Y/N ×7"));
    assert!(
        text.contains("suggested from the text: at least Teen And Up Audiences"),
        "{text}"
    );
    assert!(text.contains("abuse-emotional ("), "{text}");
}

#[test]
fn repair_changes_only_the_mojibake() {
    let path = seed_path("000_");
    let raw = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    let repaired = stdout(&quire(&["repair", &path]));
    assert_eq!(repaired, raw.replace("√Ø", "ï"));
}

#[test]
fn repair_reads_standard_input() {
    let output = quire_with_stdin(&["repair", "-"], "caf√© ‚Äúok‚Äù\r\n".as_bytes());
    assert_eq!(stdout(&output), "café “ok”\r\n");
}

#[test]
fn render_fills_placeholders() {
    let text = stdout(&quire(&[
        "render",
        &seed_path("003_"),
        "--fill",
        "Y/N=Alex",
        "--fill",
        "E/C=green",
        "--fill",
        "H/C=brown",
    ]));
    for code in ["Y/N", "E/C", "H/C"] {
        assert!(!text.contains(code), "{code} remains");
    }
    assert!(text.contains("\"I love you, Alex.\""));
    assert!(text.contains("\n\n* * *\n\n(6 months later) Kylo dreams of you."));
    assert!(text.ends_with("Notes: the-imagines-awaken.tumblr.com theaidenellis.tumblr.com\n"));
}

fn assert_one_line_error(output: &Output, mentions: &str) {
    assert_eq!(output.status.code(), Some(2), "exit status 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(mentions),
        "{stderr:?} mentions {mentions:?}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_file_is_named() {
    let output = quire(&["analyze", "/no/such/story.txt"]);
    assert_one_line_error(&output, "/no/such/story.txt: no such file");
}

#[test]
fn a_binary_file_is_refused_by_name() {
    let file = TempFile::new("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    for command in ["analyze", "repair", "render"] {
        let output = quire(&[command, file.path()]);
        assert_one_line_error(&output, file.path());
        assert!(String::from_utf8_lossy(&output.stderr).contains("binary"));
    }
}

#[test]
fn a_directory_is_not_a_story() {
    let output = quire(&["analyze", env!("CARGO_MANIFEST_DIR")]);
    assert_one_line_error(&output, "directory");
}

#[test]
fn bad_arguments_are_one_line() {
    assert_one_line_error(&quire(&["analyze"]), "PATH");
    assert_one_line_error(&quire(&["analyze", "x", "--jsn"]), "--jsn");
    assert_one_line_error(&quire(&["frobnicate"]), "frobnicate");
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Alex"]),
        "Y/N=Alex",
    );
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Q/Q=x"]),
        "Q/Q",
    );
    // The command line takes the same short names as every other way in.
    let long = format!("Y/N={}", "A".repeat(quire_text::insert::MAX_FILL_CHARS + 1));
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", &long]),
        "at most 40",
    );
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Y/N=A\u{1b}[31m"]),
        "control character",
    );
}

#[test]
fn help_still_works() {
    let output = quire(&["--help"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("analyze"));
}

fn seeds_dir() -> String {
    quire_testkit::seeds_dir().to_string_lossy().into_owned()
}

async fn stored_works(data: &DataDir) -> Vec<quire_archive::Work> {
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    let mut works = Vec::new();
    for id in 1..=10 {
        if let Some(work) = archive.work(id).await.unwrap() {
            works.push(work);
        }
    }
    archive.close().await;
    works
}

#[tokio::test]
async fn import_the_seeds_once() {
    let data = DataDir::dir("seeds");
    let first = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert_eq!(
        stdout(&first),
        "imported 2 works, 0 already there, 0 failed\n"
    );
    let again = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert_eq!(
        stdout(&again),
        "imported 0 works, 2 already there, 0 failed\n"
    );

    let works = stored_works(&data).await;
    assert_eq!(works.len(), 2);
    let text: String = works[0].chapters[0].body.paragraphs.join("\n");
    assert!(
        text.contains("naïve") && !text.contains('√'),
        "the text is repaired"
    );
    assert_eq!(works[0].rating.name(), "Not Rated");
    assert_eq!(works[0].creators, vec!["orphan_account"]);
    assert!(works[1].chapters[0]
        .body
        .notes
        .end
        .contains("theaidenellis.tumblr.com"));
}

#[tokio::test]
async fn one_bad_file_does_not_stop_the_rest() {
    let data = DataDir::dir("bad");
    let good = TempFile::new("good.txt", b"Ashes\n\nThe halls burned.\n\nHe left.");
    let binary = TempFile::new("bad.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    // One line, no paragraph breaks, past AO3's 510,000 characters a chapter.
    let endless = TempFile::new("endless.txt", "and on ".repeat(100_000).as_bytes());
    // 2 GiB that take no disk (a sparse file): refused by its size, unread.
    let huge = TempFile::new("huge.html", b"");
    std::fs::File::options()
        .write(true)
        .open(huge.path())
        .and_then(|f| f.set_len(2 << 30))
        .unwrap();
    let output = quire(&[
        "import",
        "--data",
        data.path(),
        "--as",
        "Ren",
        binary.path(),
        endless.path(),
        huge.path(),
        "/no/such/folder",
        good.path(),
    ]);
    assert_eq!(output.status.code(), Some(1), "some files failed");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "imported 1 work, 0 already there, 4 failed\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}: this looks like a binary file", binary.path())),
        "{stderr}"
    );
    assert!(
        stderr.contains("/no/such/folder: no such file or folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: the chapter text is 699999 characters long; the most is 510000",
            endless.path()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: it is 2048 MiB; a work is read from at most 128 MiB, so this is not imported",
            huge.path()
        )),
        "{stderr}"
    );
    let works = stored_works(&data).await;
    assert_eq!(works.len(), 1);
    assert_eq!(works[0].title, "Ashes");
    assert_eq!(works[0].creators, vec!["Ren"]);
}

/// `quire serve` on a free port, stopped (SIGTERM) when dropped.
struct Server {
    child: std::process::Child,
    base: String,
    /// Kept open: a server whose stdout is closed would fail to print.
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(data: &DataDir) -> Server {
        Server::start_with(data, &[])
    }

    fn start_with(data: &DataDir, extra: &[&str]) -> Server {
        // Warnings and errors only: a line per request would bury the
        // test output.
        Server::spawn(data, extra, "warn", Stdio::inherit())
    }

    /// A server whose log the test reads (from `child.stderr`).
    fn start_logging(data: &DataDir, extra: &[&str]) -> Server {
        Server::spawn(data, extra, "info", Stdio::piped())
    }

    fn spawn(data: &DataDir, extra: &[&str], log: &str, stderr: Stdio) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["serve", "--data", data.path(), "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("QUIRE_LOG", log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("quire serve starts");
        let mut output = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        output
            .read_line(&mut line)
            .expect("quire serve prints its address");
        let base = line
            .trim()
            .strip_prefix("quire is listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Server {
            child,
            base,
            output,
        }
    }

    /// The next lines the server prints after its address.
    fn more_lines(&mut self, count: usize) -> Vec<String> {
        use std::io::BufRead;
        (&mut self.output)
            .lines()
            .take(count)
            .map(|line| line.expect("the server's output reads"))
            .collect()
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let mut response = agent
            .get(format!("{}{path}", self.base))
            .call()
            .expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (
            status,
            content_type,
            response.body_mut().read_to_string().unwrap(),
        )
    }

    /// Sends SIGTERM and waits: a clean shutdown exits 0.
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }

    /// Stops the server and returns what it logged (see `start_logging`).
    fn stop_and_read_log(mut self) -> String {
        use std::io::Read;
        let mut stderr = self
            .child
            .stderr
            .take()
            .expect("started with start_logging");
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let mut log = String::new();
        stderr.read_to_string(&mut log).unwrap();
        assert!(self.child.wait().unwrap().success());
        log
    }
}

impl Drop for Server {
    /// A test that fails midway leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
        // The two seeds, three AO3 downloads and the generated corpus.
        wait_for_total(&server, "per_page=1", 305);
        let (status, _, page) = server.get("/works/2");
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

#[test]
fn users_and_tags_from_the_command_line() {
    let data = DataDir::dir("users");
    let output = quire_with_stdin(
        &[
            "user",
            "add",
            "kylo",
            "--email",
            "kylo@example.org",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"a long password\n",
    );
    assert!(stdout(&output).starts_with("created user kylo"));
    let again = quire_with_stdin(
        &[
            "user",
            "add",
            "KYLO",
            "--email",
            "k@example.org",
            "--password-stdin",
            "--data",
            data.path(),
        ],
        b"a long password\n",
    );
    assert_one_line_error(&again, "taken");

    let story = TempFile::new(
        "tagged.txt",
        b"Title: Ashes\nPairing: Kylo Ren/Rey\n\nThe halls burned.",
    );
    stdout(&quire(&["import", "--data", data.path(), story.path()]));
    stdout(&quire(&[
        "tag",
        "canonical",
        "fandom",
        "Unspecified Fandom",
        "--data",
        data.path(),
    ]));
    let shown = stdout(&quire(&[
        "tag",
        "show",
        "fandom",
        "unspecified fandom",
        "--data",
        data.path(),
    ]));
    assert!(shown.contains("canonical: yes"), "{shown}");
    assert_one_line_error(
        &quire(&["tag", "show", "ship", "x", "--data", data.path()]),
        "not a tag kind",
    );
    assert_one_line_error(
        &quire(&[
            "tag",
            "synonym",
            "fandom",
            "Nope",
            "--of",
            "Unspecified Fandom",
            "--data",
            data.path(),
        ]),
        "no fandom tag named `Nope`",
    );
}

/// Kills the importer with SIGKILL in the middle of 500 files, then runs it
/// again: every file ends up imported exactly once, nothing half-written.
#[tokio::test]
async fn an_import_killed_midway_resumes_exactly_once() {
    const FILES: usize = 500;
    let data = DataDir::dir("crash");
    let source = DataDir::dir("crash-source");
    std::fs::create_dir_all(&source.0).unwrap();
    for i in 0..FILES {
        let paragraphs: Vec<String> = (0..40)
            .map(|p| format!("Story {i}, paragraph {p}: \"Again,\" she said, and the lights of the ship went out one by one."))
            .collect();
        let text = format!("Tale number {i}\n\n{}", paragraphs.join("\n\n"));
        std::fs::write(source.0.join(format!("{i:03}.txt")), text).unwrap();
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["import", "--data", data.path(), source.path()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some works are in, then kill without warning.
    let database = data.0.join("quire.sqlite");
    let mut imported_before_kill = 0;
    for _ in 0..600 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if database.exists() {
            let archive = quire_archive::Archive::open_data_dir(&data.0)
                .await
                .unwrap();
            imported_before_kill = archive
                .count_rows(quire_archive::CountedTable::Works)
                .await
                .unwrap();
            archive.close().await;
            if imported_before_kill >= 20 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the importer was killed, not finished");
    assert!(imported_before_kill > 0 && (imported_before_kill as usize) < FILES);

    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    assert_eq!(
        archive.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    let after_kill = archive
        .count_rows(quire_archive::CountedTable::Works)
        .await
        .unwrap();
    archive.close().await;

    let rerun = stdout(&quire(&["import", "--data", data.path(), source.path()]));
    assert_eq!(
        rerun,
        format!(
            "imported {} works, {after_kill} already there, 0 failed\n",
            FILES as i64 - after_kill
        )
    );
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    assert_eq!(
        archive
            .count_rows(quire_archive::CountedTable::Works)
            .await
            .unwrap(),
        FILES as i64
    );
    assert_eq!(
        archive
            .count_rows(quire_archive::CountedTable::Chapters)
            .await
            .unwrap(),
        FILES as i64
    );
    assert_eq!(
        archive.integrity_problems().await.unwrap(),
        Vec::<String>::new()
    );
    archive.close().await;
}

#[tokio::test]
async fn a_generated_corpus_imports_as_written() {
    let out = DataDir::dir("corpus-out");
    let again = DataDir::dir("corpus-again");
    let data = DataDir::dir("corpus-data");
    assert_eq!(
        stdout(&quire(&[
            "corpus",
            "--works",
            "30",
            "--seed",
            "9",
            "--out",
            out.path()
        ])),
        format!("wrote 30 works to {}/works.jsonl\n", out.path())
    );
    stdout(&quire(&[
        "corpus",
        "--works",
        "30",
        "--seed",
        "9",
        "--out",
        again.path(),
    ]));
    let written = std::fs::read(out.0.join("works.jsonl")).unwrap();
    assert_eq!(
        written,
        std::fs::read(again.0.join("works.jsonl")).unwrap(),
        "deterministic"
    );

    let first = stdout(&quire(&["import", "--data", data.path(), out.path()]));
    assert_eq!(first, "imported 30 works, 0 already there, 0 failed\n");
    let second = stdout(&quire(&["import", "--data", data.path(), out.path()]));
    assert_eq!(second, "imported 0 works, 30 already there, 0 failed\n");

    let generated: Vec<quire_archive::corpus::GeneratedWork> = String::from_utf8(written)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let archive = quire_archive::Archive::open_data_dir(&data.0)
        .await
        .unwrap();
    for (index, expected) in generated.iter().enumerate() {
        let work = archive.work(index as i64 + 1).await.unwrap().unwrap();
        assert_eq!(work.title, expected.title);
        assert_eq!(work.rating.name(), expected.rating);
        assert_eq!(work.fandoms, expected.fandoms);
        assert_eq!(work.creators, expected.authors);
        assert_eq!(work.chapters.len(), expected.chapters.len());
    }
    archive.close().await;
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    let data = DataDir::dir("backup-source");
    let imported = quire(&["import", "--data", data.path(), &seeds_dir()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let dest = DataDir::dir("backup-dest");
    let backed_up = quire(&["backup", dest.path(), "--data", data.path()]);
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    assert!(
        stdout(&backed_up).starts_with("backed up 2 works"),
        "{}",
        stdout(&backed_up)
    );
    let again = quire(&["backup", dest.path(), "--data", data.path()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already holds a backup"));

    let restored_dir = DataDir::dir("backup-restored");
    let restored = quire(&["restore", dest.path(), "--data", restored_dir.path()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stdout(&restored).contains("restored 2 works")
            && stdout(&restored).contains("search index built (2 works)"),
        "{}",
        stdout(&restored)
    );
    let before = stored_works(&data).await;
    let after = stored_works(&restored_dir).await;
    assert_eq!(
        before
            .iter()
            .map(|w| (&w.title, &w.chapters[0].html))
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|w| (&w.title, &w.chapters[0].html))
            .collect::<Vec<_>>()
    );
    let over = quire(&["restore", dest.path(), "--data", restored_dir.path()]);
    assert_eq!(over.status.code(), Some(2));
    assert!(stderr(&over).contains("restore into an empty data directory"));

    let postgres = quire(&[
        "backup",
        dest.path(),
        "--database",
        "postgres://db.example/quire",
    ]);
    assert_eq!(postgres.status.code(), Some(2));
    assert!(stderr(&postgres).contains("pg_dump --format=custom --file"));
}

/// Page views are counted in memory and written in batches; a clean stop
/// (SIGTERM) writes the last of them.
#[tokio::test]
async fn hits_buffered_at_a_clean_stop_are_written() {
    let data = DataDir::dir("hits");
    stdout(&quire(&["import", "--data", data.path(), &seeds_dir()]));
    let server = Server::start(&data);
    let (status, _, _) = server.get("/works/1");
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

/// Runs `program` with `args`; fails the test with what it printed.
fn run_tool(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} runs (scripts/test installs postgresql-client): {e}")
        });
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A PostgreSQL archive is backed up as `quire backup` says (pg_dump),
/// restored with pg_restore into an empty database, migrated, indexed and
/// served: the works and their text come back, and search finds them.
#[test]
fn a_postgres_archive_round_trips_through_pg_dump_and_serves() {
    let Some(admin) = std::env::var("QUIRE_TEST_POSTGRES")
        .ok()
        .map(|url| url.trim().to_string())
        .filter(|url| !url.is_empty())
    else {
        return;
    };
    let (server_url, _) = admin.rsplit_once('/').expect("a database URL");
    let suffix = std::process::id();
    let (source_db, restored_db) = (
        format!("quire_backup_src_{suffix}"),
        format!("quire_backup_dst_{suffix}"),
    );
    let (source, restored) = (
        format!("{server_url}/{source_db}"),
        format!("{server_url}/{restored_db}"),
    );
    for database in [&source_db, &restored_db] {
        run_tool(
            "psql",
            &[
                &admin,
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {database}"),
            ],
        );
        run_tool(
            "psql",
            &[&admin, "-q", "-c", &format!("CREATE DATABASE {database}")],
        );
    }
    let imported = quire(&["import", "--database", &source, &seeds_dir()]);
    assert!(imported.status.success(), "{}", stderr(&imported));

    // `quire backup` names the command; the test runs it as written.
    let dump_dir = DataDir::dir("pg-dump");
    std::fs::create_dir_all(dump_dir.path()).expect("a folder for the dump");
    let said = quire(&["backup", dump_dir.path(), "--database", &source]);
    let said = stderr(&said);
    let command = said
        .lines()
        .find(|line| line.trim_start().starts_with("pg_dump "))
        .unwrap_or_else(|| panic!("no pg_dump command in: {said}"));
    let dump = format!("{}/quire.pgdump", dump_dir.path());
    assert!(command.contains(&dump), "{command}");
    run_tool("pg_dump", &["--format=custom", "--file", &dump, &source]);
    run_tool("pg_restore", &["--no-owner", "--dbname", &restored, &dump]);

    // The restored archive opens (migrations run), builds its index and
    // serves what was backed up.
    let data = DataDir::dir("pg-restored");
    std::fs::create_dir_all(data.path()).expect("a folder to serve from");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--database", &restored, "--listen", "127.0.0.1:0"])
        .current_dir(data.path())
        .env("QUIRE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("quire serve starts");
    let mut output = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut output, &mut line).expect("the address");
    let base = line
        .trim()
        .strip_prefix("quire is listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut found = String::new();
    for _ in 0..300 {
        if let Ok(mut answer) = agent.get(format!("{base}/api/v1/works?per_page=10")).call() {
            found = answer.body_mut().read_to_string().unwrap_or_default();
            if found.contains("\"total\":2") {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        found.contains("\"total\":2"),
        "the restored archive's search: {found}"
    );
    let works: serde_json::Value = serde_json::from_str(&found).expect("JSON");
    let id = works["works"][0]["id"].as_i64().expect("a work's id");
    let mut page = agent
        .get(format!("{base}/works/{id}"))
        .call()
        .expect("the work page");
    assert_eq!(page.status(), 200);
    let title = works["works"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = page.body_mut().read_to_string().unwrap_or_default();
    assert!(body.contains(&title), "{title}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    for database in [&source_db, &restored_db] {
        run_tool(
            "psql",
            &[
                &admin,
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
            ],
        );
    }
}
