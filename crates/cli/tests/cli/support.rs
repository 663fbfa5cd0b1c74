//! What every command's test shares: running `quire`, scratch files and
//! data directories removed when a test ends, and `quire serve` on a free
//! port.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub fn quire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .output()
        .expect("quire runs")
}

pub fn quire_with_stdin(args: &[&str], input: &[u8]) -> Output {
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

pub fn seed_path(prefix: &str) -> String {
    quire_testkit::seed_path(prefix)
        .to_string_lossy()
        .into_owned()
}

pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "quire failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("valid JSON")
}

/// A file or directory a test makes under the temporary directory, removed
/// when the test ends.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn at(prefix: &str, name: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("quire-cli-{prefix}{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
        path
    }
    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
    pub fn new(name: &str, bytes: &[u8]) -> Scratch {
        let path = Scratch::at("", name);
        std::fs::write(&path, bytes).unwrap();
        Scratch(path)
    }
    pub fn dir(name: &str) -> Scratch {
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
pub type TempFile = Scratch;
/// A data directory a test imports into (made by quire on first use).
pub type DataDir = Scratch;

pub fn assert_one_line_error(output: &Output, mentions: &str) {
    assert_eq!(output.status.code(), Some(2), "exit status 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(mentions),
        "{stderr:?} mentions {mentions:?}"
    );
    assert!(output.stdout.is_empty());
}

pub fn seeds_dir() -> String {
    quire_testkit::seeds_dir().to_string_lossy().into_owned()
}

pub async fn stored_works(data: &DataDir) -> Vec<quire_archive::Work> {
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

/// `quire serve` on a free port, stopped (SIGTERM) when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
    /// Kept open: a server whose stdout is closed would fail to print.
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Server {
    pub fn start(data: &DataDir) -> Server {
        Server::start_with(data, &[])
    }

    pub fn start_with(data: &DataDir, extra: &[&str]) -> Server {
        // Warnings and errors only: a line per request would bury the
        // test output.
        Server::spawn(data, extra, "warn", Stdio::inherit())
    }

    /// A server whose log the test reads (from `child.stderr`).
    pub fn start_logging(data: &DataDir, extra: &[&str]) -> Server {
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
    pub fn more_lines(&mut self, count: usize) -> Vec<String> {
        use std::io::BufRead;
        (&mut self.output)
            .lines()
            .take(count)
            .map(|line| line.expect("the server's output reads"))
            .collect()
    }

    pub fn get(&self, path: &str) -> (u16, String, String) {
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
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }

    /// Stops the server and returns what it logged (see `start_logging`).
    pub fn stop_and_read_log(mut self) -> String {
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

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
