//! Looks for every journalled write in the SQLite file itself (through
//! the `sqlite3` command), counting each marker: 0 = lost, 1 = kept,
//! 2 or more = stored twice. Also SQLite's own integrity check and quire's
//! "half-written" checks (crates/archive `integrity_problems`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::{die, read_journal, Entry, Options};

/// quire's own checks for half-written data (Archive::integrity_problems).
const HALF_WRITTEN: &[(&str, &str)] = &[
    ("works without chapters", "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM chapters c WHERE c.work_id = w.id)"),
    ("works without creators", "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_creators c WHERE c.work_id = w.id)"),
    ("works without a rating", "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM work_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.work_id = w.id AND t.kind = 'rating')"),
    ("chapters of missing works", "SELECT COUNT(*) FROM chapters c WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = c.work_id)"),
    ("tag links to missing works or tags", "SELECT COUNT(*) FROM work_tags wt WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = wt.work_id) OR NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = wt.tag_id)"),
    ("works with no change-feed entry", "SELECT COUNT(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.entity = 'work' AND c.entity_id = w.id)"),
    ("comments on missing chapters", "SELECT COUNT(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM chapters ch WHERE ch.id = c.chapter_id)"),
    ("kudos on missing works", "SELECT COUNT(*) FROM kudos k WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.id = k.work_id)"),
    ("chapters with no text", "SELECT COUNT(*) FROM chapters WHERE word_count = 0 OR length(manuscript) < 10"),
];

pub fn sqlite(db: &Path, sql: &str) -> Result<String, String> {
    let mut child = Command::new("sqlite3")
        .arg("-batch")
        .arg("-bail")
        .arg("-separator")
        .arg("\t")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sqlite3 (apt-get install sqlite3): {e}"))?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What the store holds for one journal line.
#[derive(Debug, Default, Clone, Copy)]
struct Found {
    /// Anywhere in the store.
    anywhere: i64,
    /// On the work the write was for.
    on_work: i64,
    /// A chapter's position; a work's chapter count.
    position: i64,
    /// A work's distinct kinds of tags.
    tag_kinds: i64,
}

pub fn run(args: &[String]) {
    let options = Options::parse(args);
    let db = options.path("db");
    let journal = options.path("journal");
    let problems = verify(&db, &journal);
    if problems > 0 {
        println!("VERIFY FAILED: {problems} problem(s)");
        std::process::exit(1);
    }
    println!("VERIFY OK");
}

/// Prints the report; returns how many problems it found.
pub fn verify(db: &Path, journal: &Path) -> usize {
    let entries = read_journal(journal);
    let mut problems = 0;

    let integrity = sqlite(db, "PRAGMA integrity_check;").unwrap_or_else(|e| die(&e));
    println!("PRAGMA integrity_check: {}", integrity.trim());
    if integrity.trim() != "ok" {
        problems += 1;
    }
    for (what, sql) in HALF_WRITTEN {
        let n: i64 = sqlite(db, &format!("{sql};"))
            .unwrap_or_else(|e| die(&e))
            .trim()
            .parse()
            .unwrap_or(-1);
        if n != 0 {
            println!("half-written: {n} {what}");
            problems += 1;
        }
    }

    let found = look_up(db, &entries);

    // Acknowledged writes, by kind.
    let acked_markers: BTreeSet<&str> = entries
        .iter()
        .filter(|e| !e.kind.starts_with("try-") && e.kind != "kudos")
        .map(|e| e.marker.as_str())
        .collect();
    let mut chapters_acked: BTreeMap<i64, i64> = BTreeMap::new();
    let mut chapters_tried: BTreeMap<i64, i64> = BTreeMap::new();
    for e in &entries {
        match e.kind.as_str() {
            "chapter" => *chapters_acked.entry(e.work).or_default() += 1,
            "try-chapter" => *chapters_tried.entry(e.work).or_default() += 1,
            _ => {}
        }
    }
    let mut report: BTreeMap<&str, [u64; 5]> = BTreeMap::new(); // acked, once, missing, duplicated, misplaced
    let mut shown = 0;
    let mut show = |line: String| {
        if shown < 40 {
            println!("  {line}");
        }
        shown += 1;
    };
    for (e, f) in entries.iter().zip(&found) {
        let kind = e.kind.as_str();
        if kind == "kudos" || kind.starts_with("try-") {
            continue;
        }
        let row = report.entry(kind).or_default();
        row[0] += 1;
        if f.anywhere == 1 && f.on_work == 1 {
            row[1] += 1;
        } else if f.anywhere == 0 {
            row[2] += 1;
            show(format!("LOST {kind} {} (work {})", e.marker, e.work));
        } else if f.anywhere >= 2 {
            row[3] += 1;
            show(format!(
                "DUPLICATED {kind} {} ×{} (work {})",
                e.marker, f.anywhere, e.work
            ));
        } else {
            row[4] += 1;
            show(format!(
                "MISPLACED {kind} {}: not on work {}",
                e.marker, e.work
            ));
        }
        if kind == "chapter" {
            let expected: i64 = e.extra.parse().unwrap_or(0);
            if f.on_work == 1 && expected != f.position {
                row[4] += 1;
                show(format!(
                    "WRONG REDIRECT chapter {}: the server sent the writer to chapter {expected}, it is chapter {}",
                    e.marker, f.position
                ));
            }
        }
        if kind == "work" && f.on_work == 1 {
            let acked = 1 + chapters_acked.get(&e.work).copied().unwrap_or(0);
            let tried = 1 + chapters_tried.get(&e.work).copied().unwrap_or(0);
            if f.position < acked || f.position > tried {
                row[4] += 1;
                show(format!(
                    "CHAPTERS work {} ({}): {} chapters stored, {acked} acknowledged, {tried} tried",
                    e.work, e.marker, f.position
                ));
            }
            // rating, warning, category, fandom, character, freeform
            if f.tag_kinds < 6 {
                row[4] += 1;
                show(format!(
                    "TAGS work {} ({}): {} kinds of tags stored, 6 posted",
                    e.work, e.marker, f.tag_kinds
                ));
            }
        }
    }

    // Kudos: one per account and work, whatever was answered.
    let mut kudos: BTreeMap<(String, i64), (u64, u64, i64)> = BTreeMap::new();
    for (e, f) in entries.iter().zip(&found) {
        if e.kind == "kudos" {
            let entry = kudos
                .entry((e.marker.clone(), e.work))
                .or_insert((0, 0, f.anywhere));
            if e.extra == "new" {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    let mut kudos_row = [0u64; 5];
    for ((login, work), (new, again, stored)) in &kudos {
        kudos_row[0] += 1;
        match stored {
            1 => kudos_row[1] += 1,
            0 => {
                kudos_row[2] += 1;
                show(format!("LOST kudos by {login} on work {work}"));
            }
            _ => {
                kudos_row[3] += 1;
                show(format!(
                    "DUPLICATED kudos by {login} on work {work} ×{stored}"
                ));
            }
        }
        if *new != 1 {
            kudos_row[4] += 1;
            show(format!(
                "KUDOS by {login} on work {work}: thanked as new {new} times, as again {again} times"
            ));
        }
    }
    if kudos_row[0] > 0 {
        report.insert("kudos (account, work)", kudos_row);
    }

    // Tries whose answer never came (or was an error): stored at most once.
    let mut unknown = [0u64; 3]; // not stored, stored once, stored twice+
    for (e, f) in entries.iter().zip(&found) {
        if let Some(kind) = e.kind.strip_prefix("try-") {
            if acked_markers.contains(e.marker.as_str()) {
                continue;
            }
            match f.anywhere {
                0 => unknown[0] += 1,
                1 => unknown[1] += 1,
                n => {
                    unknown[2] += 1;
                    show(format!(
                        "DUPLICATED unacknowledged {kind} {} ×{n}",
                        e.marker
                    ));
                }
            }
        }
    }
    if shown > 40 {
        println!("  … and {} more", shown - 40);
    }

    println!(
        "{:<22} {:>8} {:>10} {:>8} {:>11} {:>10}",
        "write", "acked", "found once", "missing", "duplicated", "other"
    );
    for (kind, row) in &report {
        println!(
            "{:<22} {:>8} {:>10} {:>8} {:>11} {:>10}",
            kind, row[0], row[1], row[2], row[3], row[4]
        );
        problems += (row[2] + row[3] + row[4]) as usize;
    }
    println!(
        "unacknowledged tries (no answer or an error): {} not stored, {} stored once, {} stored twice or more",
        unknown[0], unknown[1], unknown[2]
    );
    problems += unknown[2] as usize;
    problems
}

fn look_up(db: &Path, entries: &[Entry]) -> Vec<Found> {
    let mut sql = String::from(
        "CREATE TEMP TABLE j (idx INTEGER PRIMARY KEY, kind TEXT, marker TEXT, work INTEGER);\nBEGIN;\n",
    );
    for (i, e) in entries.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT INTO j VALUES ({i}, {}, {}, {});\n",
            quote(&e.kind),
            quote(&e.marker),
            e.work
        ));
    }
    sql.push_str(
        "COMMIT;
SELECT idx,
 CASE WHEN kind IN ('comment', 'try-comment') THEN (SELECT COUNT(*) FROM comments c WHERE instr(c.body, j.marker) > 0)
      WHEN kind IN ('chapter', 'try-chapter') THEN (SELECT COUNT(*) FROM chapters c WHERE instr(c.title, j.marker) > 0)
      WHEN kind IN ('work', 'try-work') THEN (SELECT COUNT(*) FROM works w WHERE instr(w.title, j.marker) > 0)
      WHEN kind = 'kudos' THEN (SELECT COUNT(*) FROM kudos k JOIN users u ON u.id = k.user_id WHERE u.login_key = lower(j.marker) AND k.work_id = j.work)
      ELSE 0 END,
 CASE WHEN kind = 'comment' THEN (SELECT COUNT(*) FROM comments c JOIN chapters ch ON ch.id = c.chapter_id WHERE instr(c.body, j.marker) > 0 AND ch.work_id = j.work)
      WHEN kind = 'chapter' THEN (SELECT COUNT(*) FROM chapters c WHERE instr(c.title, j.marker) > 0 AND c.work_id = j.work)
      WHEN kind = 'work' THEN (SELECT COUNT(*) FROM works w WHERE instr(w.title, j.marker) > 0 AND w.id = j.work)
      ELSE 0 END,
 CASE WHEN kind = 'chapter' THEN (SELECT COALESCE(MAX(c.position), 0) FROM chapters c WHERE instr(c.title, j.marker) > 0 AND c.work_id = j.work)
      WHEN kind = 'work' THEN (SELECT COUNT(*) FROM chapters c WHERE c.work_id = j.work)
      ELSE 0 END,
 CASE WHEN kind = 'work' THEN (SELECT COUNT(DISTINCT t.kind) FROM work_tags wt JOIN tags t ON t.id = wt.tag_id WHERE wt.work_id = j.work)
      ELSE 0 END
FROM j ORDER BY idx;
",
    );
    let out = sqlite(db, &sql).unwrap_or_else(|e| die(&e));
    let mut found = vec![Found::default(); entries.len()];
    for line in out.lines() {
        let f: Vec<i64> = line.split('\t').map(|v| v.parse().unwrap_or(-1)).collect();
        if f.len() == 5 && f[0] >= 0 && (f[0] as usize) < found.len() {
            found[f[0] as usize] = Found {
                anywhere: f[1],
                on_work: f[2],
                position: f[3],
                tag_kinds: f[4],
            };
        }
    }
    found
}
