//! The data directory's disk fills up under a running server: what a
//! writer sees, what the log says, whether reads still answer, and
//! whether writes work again once space is freed, without a restart.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::http::{self, Answer};
use crate::site::{self, NewWork, Written};
use crate::util::{die, Journal, Options};

fn log_len(log: Option<&Path>) -> usize {
    log.and_then(|p| std::fs::read_to_string(p).ok())
        .map_or(0, |t| t.len())
}

fn log_since(log: Option<&Path>, from: usize) -> Vec<String> {
    let Some(text) = log.and_then(|p| std::fs::read_to_string(p).ok()) else {
        return Vec::new();
    };
    text.get(from..)
        .unwrap_or("")
        .lines()
        .map(str::to_string)
        .collect()
}

fn print_log(what: &str, lines: &[String]) {
    println!("server log lines {what}: {}", lines.len());
    // Access-log lines counted by status; the rest grouped by how they
    // start once a leading timestamp is dropped (file names differ).
    let mut access: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    for l in lines {
        if l.contains("quire::access") {
            let status = l
                .split_whitespace()
                .find_map(|w| w.strip_prefix("status="))
                .unwrap_or("?");
            *access.entry(status.to_string()).or_default() += 1;
            continue;
        }
        let rest = match l.split_once(' ') {
            Some((first, rest)) if first.len() > 18 && first.as_bytes()[0].is_ascii_digit() => {
                rest.trim_start()
            }
            _ => l.as_str(),
        };
        let key: String = rest.chars().take(60).collect();
        groups.entry(key).or_insert((0, l.as_str())).0 += 1;
    }
    if !access.is_empty() {
        let parts: Vec<String> = access.iter().map(|(s, n)| format!("{n}× {s}")).collect();
        println!("  access log: {}", parts.join(", "));
    }
    for (n, example) in groups.values().take(20) {
        println!("  [{n}×] {}", truncate(example, 400));
    }
}

/// Fills the filesystem with `path` (1 MiB at a time until ENOSPC), then
/// gives back `leave` bytes. Returns the filler's size.
fn fill(path: &Path, leave: u64) -> u64 {
    let mut file = std::fs::File::create(path)
        .unwrap_or_else(|e| die(&format!("cannot create {}: {e}", path.display())));
    let chunk = vec![0x5au8; 1 << 20];
    let mut written: u64 = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => die(&format!("filling {}: {e}", path.display())),
        }
    }
    // Small writes into the last partial MiB.
    let small = vec![0x5au8; 4096];
    while let Ok(n) = file.write(&small) {
        if n == 0 {
            break;
        }
        written += n as u64;
    }
    let _ = file.flush();
    let size = written.saturating_sub(leave);
    file.set_len(size)
        .unwrap_or_else(|e| die(&format!("cannot shrink the filler: {e}")));
    let _ = file.sync_all();
    size
}

fn describe(answer: &Answer) -> String {
    if answer.status == 200 {
        format!("200 ({} bytes)", answer.body.len())
    } else {
        format!("{} — {}", answer.status, answer.message())
    }
}

pub fn run(args: &[String]) {
    let options = Options::parse(args);
    let base = options.base();
    let accounts = options.accounts();
    let journal = Journal::append_to(&options.path("journal"));
    let filler = options.path("filler");
    let leave: u64 = options.number("leave-kb", 64u64) * 1024;
    let attempts: usize = options.number("attempts", 60);
    let log = options.get("log").map(Path::new);
    let run = crate::util::run_tag();
    let (login, password) = &accounts[0];
    let session = http::sign_in(&base, login, password).unwrap_or_else(|e| die(&e));
    let agent = http::agent_for(&base, Some(&session));
    let guest = http::agent();
    let mut failed_checks: Vec<String> = Vec::new();

    // Before: a work and a comment of ours, and a corpus work to read.
    let (corpus, _, _) = site::discover(&base, 1).unwrap_or_else(|e| die(&e));
    let corpus_work = corpus[0].id;
    let post = |marker: &str, paragraphs: usize| {
        let title = format!("Disk full {marker}");
        journal.write(&["try-work", marker]);
        let (written, _) = site::post_work(
            &agent,
            &base,
            &session,
            &NewWork {
                title: &title,
                chapter_title: "",
                body: &site::body_text(marker, paragraphs),
                fandom: "Quire Disk Testing",
                freeform: &format!("disk {marker}"),
            },
        );
        if let Written::Acked { work, .. } = &written {
            journal.write(&["work", marker, &work.to_string()]);
        }
        written
    };
    let comment = |work: i64, marker: &str| {
        journal.write(&["try-comment", marker, &work.to_string()]);
        let body = format!(
            "Disk comment {marker}. {}",
            "A long, careful comment. ".repeat(60)
        );
        let (written, _) = site::comment(&agent, &base, &session, work, &body);
        if matches!(written, Written::Acked { .. }) {
            journal.write(&["comment", marker, &work.to_string()]);
        }
        written
    };
    let before_marker = format!("d{run}before");
    let Written::Acked { work: before, .. } = post(&before_marker, 4) else {
        die("posting the first work failed before the disk was full");
    };
    if !matches!(comment(before, &format!("d{run}c0")), Written::Acked { .. }) {
        die("commenting failed before the disk was full");
    }
    // The index has it before we start.
    let found_by = |marker: &str, id: i64| -> bool {
        http::get(&guest, &format!("{base}/api/v1/works?q={marker}"))
            .ok()
            .filter(|a| a.status == 200)
            .and_then(|a| serde_json::from_str::<serde_json::Value>(&a.body).ok())
            .is_some_and(|j| {
                j["works"]
                    .as_array()
                    .is_some_and(|ws| ws.iter().any(|w| w["id"].as_i64() == Some(id)))
            })
    };
    let t = Instant::now();
    while !found_by(&before_marker, before) && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(300));
    }
    println!("before: work {before} posted, commented and found by search");

    // Fill the disk.
    let log_before_fill = log_len(log);
    let size = fill(&filler, leave);
    println!(
        "filled the disk: filler {} is {:.1} MiB; {} KiB given back",
        filler.display(),
        size as f64 / 1048576.0,
        leave / 1024
    );

    // Write until writes fail.
    let mut outcomes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut acked_while_full = 0;
    let mut failures_in_a_row = 0;
    let mut first_failure: Option<usize> = None;
    let mut sequence = String::new();
    for i in 0..attempts {
        let marker = format!("d{run}f{i:03}");
        let written = if i % 2 == 0 {
            comment(before, &marker)
        } else {
            post(&marker, 60)
        };
        let what = if i % 2 == 0 { "comment" } else { "new work" };
        sequence.push_str(match (&written, i % 2) {
            (Written::Acked { .. }, 0) => "c",
            (Written::Acked { .. }, _) => "w",
            (_, 0) => "C",
            _ => "W",
        });
        match written {
            Written::Acked { .. } => {
                acked_while_full += 1;
                failures_in_a_row = 0;
                outcomes
                    .entry(format!("{what}: acknowledged"))
                    .or_insert((0, String::new()))
                    .0 += 1;
            }
            Written::Refused(answer) => {
                first_failure.get_or_insert(i);
                failures_in_a_row += 1;
                outcomes
                    .entry(format!("{what}: HTTP {}", answer.status))
                    .or_insert((0, describe(&answer)))
                    .0 += 1;
            }
            Written::Failed(f) => {
                first_failure.get_or_insert(i);
                failures_in_a_row += 1;
                outcomes
                    .entry(format!("{what}: transport error {}", f.kind))
                    .or_insert((0, f.detail))
                    .0 += 1;
            }
        }
        if failures_in_a_row >= 6 {
            break;
        }
    }
    println!(
        "writes on the full disk, in order (c/w = comment/work acknowledged, C/W = refused): {sequence}"
    );
    println!("  {acked_while_full} acknowledged; by outcome:");
    for (what, (n, example)) in &outcomes {
        println!("  {n:>3}× {what}");
        if !example.is_empty() {
            println!("        the writer sees: {example}");
        }
    }
    if first_failure.is_none() {
        failed_checks.push(format!(
            "no write failed in {attempts} tries: the disk never filled (give back less with --leave-kb)"
        ));
    }

    // Reads while full.
    let mut reads = Vec::new();
    let mut read = |who: &str, agent: &ureq::Agent, path: String| {
        let outcome = http::get(agent, &format!("{base}{path}"));
        let line = match &outcome {
            Ok(a) => describe(a),
            Err(f) => format!("transport error: {}", f.detail),
        };
        let ok = matches!(&outcome, Ok(a) if a.status == 200);
        reads.push((format!("{who} GET {path}"), ok, line));
    };
    read("guest", &guest, format!("/works/{before}"));
    read("guest", &guest, format!("/works/{corpus_work}"));
    read("guest", &guest, "/".to_string());
    read("guest", &guest, format!("/api/v1/works?q={before_marker}"));
    read("guest", &guest, format!("/works?q={before_marker}"));
    read("guest", &guest, format!("/api/v1/works/{before}"));
    read("guest", &guest, "/healthz".to_string());
    read("signed-in", &agent, format!("/works/{before}"));
    read("signed-in", &agent, format!("/works/{corpus_work}"));
    read("signed-in", &agent, "/dashboard".to_string());
    println!("reads while the disk is full:");
    for (what, ok, line) in &reads {
        println!(
            "  {} {what}: {}",
            if *ok { "ok  " } else { "FAIL" },
            truncate(line, 300)
        );
        if !ok {
            failed_checks.push(format!("read while full: {what}: {}", truncate(line, 200)));
        }
    }
    if !found_by(&before_marker, before) {
        failed_checks.push("search no longer finds the work posted before the disk filled".into());
    }
    // Stay full through a round of the hit flusher (every 5 s): the
    // guests' reads above left hits to write.
    std::thread::sleep(Duration::from_secs(6));
    let full_log = log_since(log, log_before_fill);
    print_log("while the disk was full", &full_log);

    // Free the space; no restart.
    let log_before_free = log_len(log);
    std::fs::remove_file(&filler)
        .unwrap_or_else(|e| die(&format!("cannot remove the filler: {e}")));
    let freed = Instant::now();
    println!("freed the disk (removed the filler)");
    // Writes again, without a restart: the first success, and whether the
    // writes after it all succeed (a connection left broken by the full
    // disk would fail some of them).
    let mut first_ok: Option<Duration> = None;
    let mut after_sequence = String::new();
    let mut after_failures: BTreeMap<String, usize> = BTreeMap::new();
    let mut recovered_work: Option<(i64, String)> = None;
    let mut i = 0;
    while freed.elapsed() < Duration::from_secs(40) && i < 30 {
        i += 1;
        let (kind, written) = if i % 2 == 1 {
            ("comment", comment(before, &format!("d{run}after{i:02}")))
        } else {
            let marker = format!("d{run}afterw{i:02}");
            let written = post(&marker, 4);
            if let Written::Acked { work, .. } = &written {
                recovered_work.get_or_insert((*work, marker));
            }
            ("work", written)
        };
        match written {
            Written::Acked { .. } => {
                first_ok.get_or_insert(freed.elapsed());
                after_sequence.push(if kind == "comment" { 'c' } else { 'w' });
            }
            Written::Refused(a) => {
                after_sequence.push(if kind == "comment" { 'C' } else { 'W' });
                *after_failures
                    .entry(format!("{kind}: {}", describe(&a)))
                    .or_default() += 1;
            }
            Written::Failed(f) => {
                after_sequence.push(if kind == "comment" { 'C' } else { 'W' });
                *after_failures
                    .entry(format!("{kind}: transport: {}", f.detail))
                    .or_default() += 1;
            }
        }
        if first_ok.is_none() {
            std::thread::sleep(Duration::from_millis(500));
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    println!("writes after freeing, in order: {after_sequence}");
    for (what, n) in &after_failures {
        println!("  {n}× refused after freeing: {}", truncate(what, 400));
    }
    match first_ok {
        Some(t) => println!(
            "after freeing: the first write was acknowledged after {:.1} s",
            t.as_secs_f64()
        ),
        None => failed_checks.push("after freeing: no write acknowledged within 40 s".into()),
    }
    let tail: String = after_sequence.chars().rev().take(10).collect();
    if first_ok.is_some() && tail.chars().any(char::is_uppercase) {
        failed_checks.push(format!(
            "after freeing: writes still fail now and then (last ten, newest first: {tail})"
        ));
    }
    match &recovered_work {
        Some((work, marker)) => {
            let started = Instant::now();
            while !found_by(marker, *work) && started.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(500));
            }
            if found_by(marker, *work) {
                println!(
                    "after freeing: search finds a work posted after the freeing ({work}) after {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            } else {
                failed_checks
                    .push("after freeing: search does not find the new work within 30 s".into());
            }
        }
        None => failed_checks.push("after freeing: no work acknowledged".into()),
    }
    // A round of the hit flusher (every 5 s) after the freeing.
    std::thread::sleep(Duration::from_secs(6));
    let after_log = log_since(log, log_before_free);
    print_log("after the space was freed", &after_log);
    if log.is_some() && first_failure.is_some() && full_log.is_empty() {
        failed_checks.push("the server logged nothing while writes were failing".into());
    }

    if failed_checks.is_empty() {
        println!("DISK-FULL CHECKS OK");
    } else {
        for c in &failed_checks {
            println!("  PROBLEM: {c}");
        }
        println!("DISK-FULL CHECKS FAILED: {}", failed_checks.len());
        std::process::exit(1);
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect::<String>() + "…"
    }
}
