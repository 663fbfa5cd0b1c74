//! The mixed load: 80% page reads, 15% filtered searches, 5% writes
//! (comments, kudos, new chapters), one thread and one connection each,
//! for a fixed time. Every acknowledged write goes to the journal for
//! `quire-load verify` to look for in the store afterwards.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::{self, encode, Session};
use crate::site::{self, Listed, NewWork, Written};
use crate::util::{die, Journal, Options, Rng, Stats};

struct Shared {
    base: String,
    run: String,
    sessions: Vec<Session>,
    /// Works each account posted, by account index.
    owned: Vec<Vec<i64>>,
    corpus: Vec<Listed>,
    multi: Vec<Listed>,
    fandoms: Vec<String>,
    words: Vec<String>,
    journal: Journal,
    requests: AtomicU64,
    deadline: Instant,
    read_share: f64,
    search_share: f64,
}

pub fn run(args: &[String]) {
    let options = Options::parse(args);
    let base = options.base();
    let connections: usize = options.number("connections", 64);
    let seconds: u64 = options.number("duration", 60);
    let works_per_account: usize = options.number("works-per-account", 2);
    let journal_path = options.path("journal");
    let read_share: f64 = options.number("reads", 0.80);
    let search_share: f64 = options.number("searches", 0.15);
    let accounts = options.accounts();
    if accounts.len() > 9 {
        die("at most 9 accounts: sign-in is limited to 10 tries a minute per address");
    }
    let run = crate::util::run_tag();
    eprintln!(
        "quire-load mixed: run {run}, {connections} connections, {seconds} s, {} accounts",
        accounts.len()
    );

    let (corpus, fandoms, words) = site::discover(&base, 10).unwrap_or_else(|e| die(&e));
    let multi: Vec<Listed> = corpus.iter().filter(|w| w.chapters > 1).cloned().collect();
    eprintln!(
        "  {} works to read ({} with several chapters), {} fandoms, {} title words",
        corpus.len(),
        multi.len(),
        fandoms.len(),
        words.len()
    );

    let journal = Journal::append_to(&journal_path);
    let mut sessions = Vec::new();
    for (login, password) in &accounts {
        let session = http::sign_in(&base, login, password).unwrap_or_else(|e| die(&e));
        sessions.push(session);
    }
    eprintln!("  signed in {} accounts", sessions.len());

    // Works the accounts own, for new chapters to go to.
    let mut owned = vec![Vec::new(); sessions.len()];
    let setup_agent = http::agent();
    for (i, session) in sessions.iter().enumerate() {
        let agent = http::agent_for(&base, Some(session));
        for n in 0..works_per_account {
            let marker = format!("lw{run}a{i}n{n}");
            let title = format!("Load work {marker}");
            let body = site::body_text(&marker, 4);
            journal.write(&["try-work", &marker]);
            let (written, _) = site::post_work(
                &agent,
                &base,
                session,
                &NewWork {
                    title: &title,
                    chapter_title: "",
                    body: &body,
                    fandom: "Quire Load Testing",
                    freeform: &format!("load {run}"),
                },
            );
            match written {
                Written::Acked { work, .. } => {
                    journal.write(&["work", &marker, &work.to_string()]);
                    owned[i].push(work);
                }
                Written::Refused(a) => die(&format!(
                    "posting a work as {} answered {}: {}",
                    session.login,
                    a.status,
                    a.message()
                )),
                Written::Failed(f) => die(&format!("posting a work: {}", f.detail)),
            }
        }
    }
    drop(setup_agent);
    eprintln!(
        "  posted {} works to add chapters to",
        owned.iter().map(Vec::len).sum::<usize>()
    );

    let started = Instant::now();
    let shared = Arc::new(Shared {
        base,
        run,
        sessions,
        owned,
        corpus,
        multi,
        fandoms,
        words,
        journal,
        requests: AtomicU64::new(0),
        deadline: started + Duration::from_secs(seconds),
        read_share,
        search_share,
    });
    let threads: Vec<_> = (0..connections)
        .map(|t| {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("conn-{t}"))
                .stack_size(256 * 1024)
                .spawn(move || worker(&shared, t))
                .expect("a thread")
        })
        .collect();
    // Progress, every ten seconds.
    let mut last = 0;
    while Instant::now() < shared.deadline {
        std::thread::sleep(Duration::from_secs(1));
        let elapsed = started.elapsed().as_secs();
        if elapsed / 10 != last / 10 {
            eprintln!(
                "  {elapsed:>3} s: {} requests",
                shared.requests.load(Ordering::Relaxed)
            );
        }
        last = elapsed;
    }
    let mut stats = Stats::default();
    let mut acked = [0u64; 3];
    for thread in threads {
        let (s, a) = thread.join().expect("a worker thread");
        stats.merge(s);
        for (i, n) in a.iter().enumerate() {
            acked[i] += n;
        }
    }
    let seconds = started.elapsed().as_secs_f64();

    println!();
    println!(
        "mixed load: {connections} connections for {seconds:.1} s against {}",
        shared.base
    );
    stats.print(seconds);
    println!();
    println!(
        "requests: {} in {seconds:.1} s = {:.1} req/s",
        stats.total(),
        stats.total() as f64 / seconds
    );
    println!(
        "writes acknowledged: {} comments, {} kudos, {} chapters (+ {} works posted before the clock)",
        acked[0],
        acked[1],
        acked[2],
        shared.owned.iter().map(Vec::len).sum::<usize>()
    );
    println!("errors: {}", stats.error_count());
    for (what, (n, example)) in &stats.errors {
        println!("  {n:>6}  {what}\n          e.g. {example}");
    }
    if stats.error_count() > 0 {
        std::process::exit(1);
    }
}

/// One connection's loop. Returns its statistics and acknowledged writes
/// (comments, kudos, chapters).
fn worker(shared: &Shared, t: usize) -> (Stats, [u64; 3]) {
    let account = t % shared.sessions.len();
    let session = &shared.sessions[account];
    let agent = http::agent_for(&shared.base, Some(session));
    let mut rng = Rng::new(0x51ED + t as u64 * 7919);
    let mut stats = Stats::default();
    let mut acked = [0u64; 3];
    let mut seq = 0u32;
    let base = &shared.base;
    while Instant::now() < shared.deadline {
        shared.requests.fetch_add(1, Ordering::Relaxed);
        let roll = rng.unit();
        if roll < shared.read_share + shared.search_share {
            let (kind, path) = if roll < shared.read_share {
                read_target(shared, &mut rng)
            } else {
                search_target(shared, &mut rng)
            };
            let outcome = http::get(&agent, &format!("{base}{path}"));
            check_read(&mut stats, kind, &path, outcome);
            continue;
        }
        seq += 1;
        let marker = format!("l{}t{t:02}n{seq:06}", shared.run);
        let which = rng.unit();
        let (kind, written) = if which < 0.5 {
            let work = rng.pick(&shared.corpus).id;
            let body = format!("Load comment {marker}: the third act earns its ending.");
            shared
                .journal
                .write(&["try-comment", &marker, &work.to_string()]);
            (
                "write:comment",
                site::comment(&agent, base, session, work, &body),
            )
        } else if which < 0.75 {
            let work = rng.pick(&shared.corpus).id;
            ("write:kudos", site::kudos(&agent, base, session, work))
        } else {
            let work = *rng.pick(&shared.owned[account]);
            let title = format!("Chapter {marker}");
            let body = site::body_text(&marker, 3);
            shared
                .journal
                .write(&["try-chapter", &marker, &work.to_string()]);
            (
                "write:chapter",
                site::add_chapter(&agent, base, session, work, &title, &body),
            )
        };
        let (written, elapsed) = written;
        match written {
            Written::Acked {
                work,
                position,
                again,
            } => {
                stats.record(kind, elapsed, true);
                match kind {
                    "write:comment" => {
                        acked[0] += 1;
                        shared
                            .journal
                            .write(&["comment", &marker, &work.to_string()]);
                    }
                    "write:kudos" => {
                        acked[1] += 1;
                        shared.journal.write(&[
                            "kudos",
                            &session.login,
                            &work.to_string(),
                            if again { "again" } else { "new" },
                        ]);
                    }
                    _ => {
                        acked[2] += 1;
                        shared.journal.write(&[
                            "chapter",
                            &marker,
                            &work.to_string(),
                            &position.to_string(),
                        ]);
                    }
                }
            }
            Written::Refused(answer) => {
                stats.record(kind, elapsed, false);
                let what = if answer.status >= 500 {
                    format!("{kind}: {} server error", answer.status)
                } else if answer.status == 303 {
                    format!(
                        "{kind}: 303 to an unexpected page ({})",
                        answer.location.as_deref().unwrap_or("")
                    )
                } else {
                    format!("{kind}: unexpected {}", answer.status)
                };
                stats.error(what, answer.message());
            }
            Written::Failed(failure) => {
                stats.record(kind, failure.elapsed, false);
                stats.error(
                    format!("{kind}: transport error ({})", failure.kind),
                    failure.detail.clone(),
                );
            }
        }
    }
    (stats, acked)
}

fn check_read(stats: &mut Stats, kind: &str, path: &str, outcome: http::Outcome) {
    match outcome {
        Ok(answer) if answer.status == 200 => stats.record(kind, answer.elapsed, true),
        Ok(answer) => {
            stats.record(kind, answer.elapsed, false);
            let what = if answer.status >= 500 {
                format!("{kind}: {} server error", answer.status)
            } else {
                format!("{kind}: unexpected {}", answer.status)
            };
            stats.error(what, format!("GET {path}: {}", answer.message()));
        }
        Err(failure) => {
            stats.record(kind, failure.elapsed, false);
            stats.error(
                format!("{kind}: transport error ({})", failure.kind),
                format!("GET {path}: {}", failure.detail),
            );
        }
    }
}

fn read_target(shared: &Shared, rng: &mut Rng) -> (&'static str, String) {
    let roll = rng.unit();
    if roll < 0.45 {
        (
            "read:work",
            format!("/works/{}", rng.pick(&shared.corpus).id),
        )
    } else if roll < 0.60 && !shared.multi.is_empty() {
        let work = rng.pick(&shared.multi);
        let position = 1 + rng.below(work.chapters as usize);
        (
            "read:chapter",
            format!("/works/{}/chapters/{position}", work.id),
        )
    } else if roll < 0.70 {
        ("read:home", "/".to_string())
    } else if roll < 0.80 && !shared.fandoms.is_empty() {
        let fandom = rng.pick(&shared.fandoms);
        ("read:tag", format!("/tags/{}/works", encode(fandom)))
    } else if roll < 0.90 {
        ("read:listing", format!("/works?page={}", 1 + rng.below(5)))
    } else {
        (
            "read:api-work",
            format!("/api/v1/works/{}", rng.pick(&shared.corpus).id),
        )
    }
}

/// A filtered search as the works page's filter form or an API client
/// writes it.
fn search_target(shared: &Shared, rng: &mut Rng) -> (&'static str, String) {
    let mut params: Vec<(String, String)> = Vec::new();
    if !shared.words.is_empty() && rng.unit() < 0.7 {
        params.push(("q".into(), rng.pick(&shared.words).clone()));
    }
    if !shared.fandoms.is_empty() && rng.unit() < 0.5 {
        params.push(("fandoms".into(), rng.pick(&shared.fandoms).clone()));
    }
    if rng.unit() < 0.3 {
        let ratings = [
            "General Audiences",
            "Teen And Up Audiences",
            "Mature",
            "Explicit",
        ];
        params.push(("rating".into(), rng.pick(&ratings).to_string()));
    }
    if rng.unit() < 0.3 {
        params.push(("exclude_warnings".into(), "Major Character Death".into()));
    }
    if rng.unit() < 0.2 {
        params.push(("complete".into(), "true".into()));
    }
    if rng.unit() < 0.2 {
        params.push(("words_from".into(), "1000".into()));
    }
    let sorts = ["best", "updated", "kudos", "hits", "words", "title"];
    params.push(("sort".into(), rng.pick(&sorts).to_string()));
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let query = query.join("&");
    if rng.unit() < 0.5 {
        ("search:page", format!("/works?{query}"))
    } else {
        ("search:api", format!("/api/v1/works?{query}"))
    }
}
