//! A stream of new works (several chapters each) and comments from a few
//! threads, for a server that is about to be killed; and the check made
//! after it is restarted: every acknowledged write whole and once, and
//! the search index caught up without anyone running `quire reindex`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::{self, Session};
use crate::site::{self, NewWork, Written};
use crate::util::{die, read_journal, Journal, Options, Stats};

pub const FANDOM: &str = "Quire Crash Testing";

struct Shared {
    base: String,
    run: String,
    round: u32,
    chapters: u32,
    sessions: Vec<Session>,
    journal: Journal,
    deadline: Instant,
    acked: AtomicU64,
}

pub fn run(args: &[String]) {
    let options = Options::parse(args);
    let base = options.base();
    let threads: usize = options.number("threads", 4);
    let seconds: u64 = options.number("duration", 60);
    let chapters: u32 = options.number("chapters", 3);
    let round: u32 = options.number("round", 1);
    let journal = Journal::append_to(&options.path("journal"));
    let accounts = options.accounts();
    let mut sessions = Vec::new();
    for (login, password) in accounts.iter().take(threads.max(1)) {
        sessions.push(http::sign_in(&base, login, password).unwrap_or_else(|e| die(&e)));
    }
    let shared = Arc::new(Shared {
        base,
        run: crate::util::run_tag(),
        round,
        chapters: chapters.max(1),
        sessions,
        journal,
        deadline: Instant::now() + Duration::from_secs(seconds),
        acked: AtomicU64::new(0),
    });
    // Scripts wait for this line before they start the clock on the kill.
    println!(
        "streaming: run {} round {round}, {threads} threads",
        shared.run
    );
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || stream(&shared, t))
        })
        .collect();
    let mut stats = Stats::default();
    let mut gone = 0;
    for h in handles {
        let (s, saw_gone) = h.join().expect("a stream thread");
        stats.merge(s);
        gone += usize::from(saw_gone);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "stream round {round}: {} writes acknowledged in {seconds:.1} s; {gone} of {threads} threads saw the server go",
        shared.acked.load(Ordering::Relaxed)
    );
    stats.print(seconds);
    let mut unexpected = 0;
    for (what, (n, example)) in &stats.errors {
        println!("  {n:>5}  {what}\n         e.g. {example}");
        if !what.contains("while the server went away") {
            unexpected += n;
        }
    }
    if unexpected > 0 {
        println!("stream: {unexpected} unexpected error(s)");
        std::process::exit(1);
    }
}

/// Is the server still answering? (After a transport error: a killed
/// server is expected, a live one that dropped a request is not.)
fn server_gone(base: &str) -> bool {
    let agent = http::agent();
    match http::get(&agent, &format!("{base}/healthz")) {
        Ok(_) => false,
        Err(f) => f.server_gone() || f.kind.starts_with("io:"),
    }
}

/// One thread's writes; returns its statistics and whether the server
/// went away under it.
fn stream(shared: &Shared, t: usize) -> (Stats, bool) {
    let session = &shared.sessions[t % shared.sessions.len()];
    let agent = http::agent_for(&shared.base, Some(session));
    let base = &shared.base;
    let mut stats = Stats::default();
    let mut seq = 0;
    // One write; false when the thread should stop.
    let outcome = |stats: &mut Stats, kind: &str, written: &Written, elapsed: Duration| -> bool {
        match written {
            Written::Acked { .. } => {
                stats.record(kind, elapsed, true);
                shared.acked.fetch_add(1, Ordering::Relaxed);
                true
            }
            Written::Refused(answer) => {
                stats.record(kind, elapsed, false);
                stats.error(
                    format!("{kind}: unexpected {}", answer.status),
                    answer.message(),
                );
                true
            }
            Written::Failed(failure) => {
                stats.record(kind, elapsed, false);
                if server_gone(base) {
                    stats.error(
                        format!(
                            "{kind}: transport error while the server went away ({})",
                            failure.kind
                        ),
                        failure.detail.clone(),
                    );
                } else {
                    stats.error(
                        format!(
                            "{kind}: transport error with the server up ({})",
                            failure.kind
                        ),
                        failure.detail.clone(),
                    );
                }
                false
            }
        }
    };
    while Instant::now() < shared.deadline {
        seq += 1;
        let marker = format!("k{}r{}t{t}w{seq:04}", shared.run, shared.round);
        let title = format!("Kill nine {marker}");
        let body = site::body_text(&marker, 5);
        let freeform = format!("crash {marker}");
        shared.journal.write(&["try-work", &marker]);
        let (written, elapsed) = site::post_work(
            &agent,
            base,
            session,
            &NewWork {
                title: &title,
                chapter_title: &format!("{marker}c1"),
                body: &body,
                fandom: FANDOM,
                freeform: &freeform,
            },
        );
        let work = match written {
            Written::Acked { work, .. } => {
                shared.journal.write(&["work", &marker, &work.to_string()]);
                Some(work)
            }
            _ => None,
        };
        if !outcome(&mut stats, "write:work", &written, elapsed) {
            return (stats, true);
        }
        let Some(work) = work else { continue };
        for c in 2..=shared.chapters {
            let chapter = format!("{marker}c{c}");
            shared
                .journal
                .write(&["try-chapter", &chapter, &work.to_string()]);
            let (written, elapsed) = site::add_chapter(
                &agent,
                base,
                session,
                work,
                &chapter,
                &site::body_text(&chapter, 3),
            );
            if let Written::Acked { position, .. } = written {
                shared.journal.write(&[
                    "chapter",
                    &chapter,
                    &work.to_string(),
                    &position.to_string(),
                ]);
            }
            if !outcome(&mut stats, "write:chapter", &written, elapsed) {
                return (stats, true);
            }
        }
        let comment_marker = format!("{marker}m");
        shared
            .journal
            .write(&["try-comment", &comment_marker, &work.to_string()]);
        let (written, elapsed) = site::comment(
            &agent,
            base,
            session,
            work,
            &format!("Crash comment {comment_marker}"),
        );
        if matches!(written, Written::Acked { .. }) {
            shared
                .journal
                .write(&["comment", &comment_marker, &work.to_string()]);
        }
        if !outcome(&mut stats, "write:comment", &written, elapsed) {
            return (stats, true);
        }
    }
    (stats, false)
}

/// After the restart, through the site: each acknowledged work whole
/// (title, its chapters in order with their text, its tags), each
/// acknowledged comment on its page once, and the search API finding
/// every acknowledged work by its title word within `--search-wait`.
pub fn check(args: &[String]) {
    let options = Options::parse(args);
    let base = options.base();
    let wait = Duration::from_secs(options.number("search-wait", 30));
    let entries = read_journal(&options.path("journal"));
    let agent = http::agent();
    let mut problems: Vec<String> = Vec::new();

    let mut chapters_acked: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut chapters_tried: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &entries {
        match e.kind.as_str() {
            "chapter" => chapters_acked
                .entry(e.work)
                .or_default()
                .push(e.marker.clone()),
            "try-chapter" => *chapters_tried.entry(e.work).or_default() += 1,
            _ => {}
        }
    }
    let works: Vec<(i64, String)> = entries
        .iter()
        .filter(|e| e.kind == "work")
        .map(|e| (e.work, e.marker.clone()))
        .collect();
    // Stored chapter counts, for the search check.
    let mut stored_chapters: BTreeMap<i64, u64> = BTreeMap::new();
    for (id, marker) in &works {
        let answer = match http::get(&agent, &format!("{base}/api/v1/works/{id}")) {
            Ok(a) => a,
            Err(f) => {
                problems.push(format!("work {id}: {}", f.detail));
                continue;
            }
        };
        if answer.status != 200 {
            problems.push(format!(
                "work {id} ({marker}): GET /api/v1/works/{id} answered {}",
                answer.status
            ));
            continue;
        }
        let json: serde_json::Value = match serde_json::from_str(&answer.body) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("work {id}: unreadable JSON: {e}"));
                continue;
            }
        };
        let title = json["title"].as_str().unwrap_or("");
        if title != format!("Kill nine {marker}") {
            problems.push(format!(
                "work {id}: title `{title}`, posted `Kill nine {marker}`"
            ));
        }
        let chapters = json["chapters"].as_array().cloned().unwrap_or_default();
        stored_chapters.insert(*id, chapters.len() as u64);
        let acked = chapters_acked.get(id).cloned().unwrap_or_default();
        let tried = chapters_tried.get(id).copied().unwrap_or(0);
        if chapters.len() < 1 + acked.len() || chapters.len() > 1 + tried {
            problems.push(format!(
                "work {id} ({marker}): {} chapters, {} acknowledged, {} tried",
                chapters.len(),
                1 + acked.len(),
                1 + tried
            ));
        }
        // Chapter 1 came with the work; after it, the chapters tried for
        // it (acknowledged or not), each once, in the order they were
        // posted (their titles end c2, c3, …), each with all its text.
        let tried_titles: Vec<String> = entries
            .iter()
            .filter(|e| e.kind == "try-chapter" && e.work == *id)
            .map(|e| e.marker.clone())
            .collect();
        let mut last_place = 0;
        for (i, chapter) in chapters.iter().enumerate() {
            let ctitle = chapter["title"].as_str().unwrap_or("").to_string();
            let (text_marker, wanted) = if i == 0 {
                if ctitle != format!("{marker}c1") {
                    problems.push(format!(
                        "work {id}: chapter 1 is titled `{ctitle}`, posted `{marker}c1`"
                    ));
                }
                (marker.clone(), 5)
            } else {
                match tried_titles.iter().position(|t| *t == ctitle) {
                    Some(place) if place + 1 > last_place => last_place = place + 1,
                    Some(_) => problems.push(format!(
                        "work {id}: chapter {} (`{ctitle}`) is out of order",
                        i + 1
                    )),
                    None => problems.push(format!(
                        "work {id}: chapter {} is titled `{ctitle}`, which was never posted to it",
                        i + 1
                    )),
                }
                (ctitle.clone(), 3)
            };
            let html = chapter["html"].as_str().unwrap_or("");
            let paragraphs = html.matches(&format!("of {text_marker}.")).count();
            if paragraphs != wanted {
                problems.push(format!(
                    "work {id}: chapter {} has {paragraphs} of its {wanted} paragraphs",
                    i + 1
                ));
            }
        }
        for c in &acked {
            let n = chapters
                .iter()
                .filter(|ch| ch["title"].as_str() == Some(c.as_str()))
                .count();
            if n != 1 {
                problems.push(format!(
                    "work {id}: acknowledged chapter {c} is there {n} times"
                ));
            }
        }
        let has = |field: &str, value: &str| {
            json[field].as_array().is_some_and(|a| {
                a.iter()
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value)))
            })
        };
        if !has("fandoms", FANDOM) {
            problems.push(format!(
                "work {id}: fandom `{FANDOM}` missing: {}",
                json["fandoms"]
            ));
        }
        if !has("freeforms", &format!("crash {marker}")) {
            problems.push(format!(
                "work {id}: freeform `crash {marker}` missing: {}",
                json["freeforms"]
            ));
        }
        if !has("characters", "Load Tester") {
            problems.push(format!("work {id}: character tag missing"));
        }
    }
    // Comments: on the work's page, once.
    let mut comments_ok = 0;
    for e in entries.iter().filter(|e| e.kind == "comment") {
        match http::get(
            &agent,
            &format!("{base}/works/{}?view_full_work=true", e.work),
        ) {
            Ok(a) if a.status == 200 => {
                let n = a
                    .body
                    .matches(&format!("Crash comment {}", e.marker))
                    .count();
                if n == 1 {
                    comments_ok += 1;
                } else {
                    problems.push(format!(
                        "comment {} on work {}: on the page {n} times",
                        e.marker, e.work
                    ));
                }
            }
            Ok(a) => problems.push(format!("work {} page answered {}", e.work, a.status)),
            Err(f) => problems.push(format!("work {} page: {}", e.work, f.detail)),
        }
    }
    println!(
        "site check: {} acknowledged works read back ({} chapters acknowledged), {comments_ok} of {} acknowledged comments on their pages",
        works.len(),
        chapters_acked.values().map(Vec::len).sum::<usize>(),
        entries.iter().filter(|e| e.kind == "comment").count()
    );

    // Search: every acknowledged work, with its stored chapter count.
    let started = Instant::now();
    let mut pending: Vec<(i64, String)> = works.clone();
    let mut first_pending = None;
    let mut last_status = String::new();
    loop {
        let mut still = Vec::new();
        for (id, marker) in &pending {
            let url = format!("{base}/api/v1/works?q={marker}&per_page=5");
            let found = match http::get(&agent, &url) {
                Ok(a) if a.status == 200 => {
                    let json: serde_json::Value = serde_json::from_str(&a.body).unwrap_or_default();
                    json["works"].as_array().is_some_and(|ws| {
                        ws.iter().any(|w| {
                            w["id"].as_i64() == Some(*id)
                                && w["chapters"].as_u64() == stored_chapters.get(id).copied()
                        })
                    })
                }
                Ok(a) => {
                    last_status = format!(
                        "{} {}",
                        a.status,
                        a.body.chars().take(200).collect::<String>()
                    );
                    false
                }
                Err(f) => {
                    last_status = f.detail;
                    false
                }
            };
            if !found {
                still.push((*id, marker.clone()));
            }
        }
        if first_pending.is_none() {
            first_pending = Some(still.len());
        }
        pending = still;
        if pending.is_empty() || started.elapsed() >= wait {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let caught_up = started.elapsed().as_secs_f64();
    if pending.is_empty() {
        println!(
            "search: all {} acknowledged works found by their title word (with their chapter counts) after {caught_up:.1} s; {} were not yet found at the first look",
            works.len(),
            first_pending.unwrap_or(0)
        );
    } else {
        println!(
            "search: {} of {} acknowledged works still not found after {:.0} s (last error: {last_status})",
            pending.len(),
            works.len(),
            wait.as_secs_f64()
        );
        for (id, marker) in pending.iter().take(10) {
            problems.push(format!(
                "search: work {id} ({marker}) not found by `{marker}` within {} s",
                wait.as_secs()
            ));
        }
    }
    if problems.is_empty() {
        println!("CHECK OK");
    } else {
        for p in problems.iter().take(50) {
            println!("  {p}");
        }
        println!("CHECK FAILED: {} problem(s)", problems.len());
        std::process::exit(1);
    }
}
