//! `mojibake-compare languages`: quire and plsfix on a clean multilingual
//! corpus built at run time from Debian's hunspell dictionaries in
//! /usr/share/hunspell (nothing of them is copied into the repository),
//! and on its sentences garbled the ways listed in [`CLASSES`].
//!
//! The word sample and the sentences are the dictionary test's
//! (`crates/text/tests/pipeline/hunspell.rs`, included by path): 6,000
//! non-ASCII words spread over each dictionary, sentences of 8 words spread
//! over the sample.
//!
//! Writes, under `target/mojibake-compare/`: `languages.jsonl` (class,
//! language, clean, input, expected) for `score_ftfy.py --languages`,
//! `results-languages.json`, and `failures-languages-{quire,plsfix}.txt`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};
use serde_json::json;

use crate::{mb_per_s, pct, Tally, TOOLS};

/// The dictionaries, their words and sentences: the same corpus as the
/// dictionary test's.
#[path = "../../../crates/text/tests/pipeline/hunspell.rs"]
mod hunspell;

use hunspell::{lost_letters, sentences, words, DICTIONARIES};

/// The classes, in table order; the first two are clean text.
pub const CLASSES: [&str; 10] = [
    "clean words",
    "clean sentences",
    "code page x1",
    "code page x2",
    "windows-1252 x1",
    "mac roman x1",
    "no-break space tidied",
    "C1 punctuation",
    "CESU-8 emoji",
    "lossy windows-1252",
];

/// The bytes Windows-1252 leaves undefined (encoding_rs reads them as the
/// C1 controls of the same number).
const UNDEFINED_1252: [char; 5] = ['\u{81}', '\u{8D}', '\u{8F}', '\u{90}', '\u{9D}'];

const EMOJI: &str = " 😀🎉💜";

/// UTF-8 bytes read in `encoding`.
fn decode(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn garble(encoding: &'static Encoding, text: &str, layers: usize) -> String {
    (0..layers).fold(text.to_owned(), |t, _| decode(encoding, t.as_bytes()))
}

/// Windows-1252 garbling with the five undefined bytes lost (U+FFFD), as a
/// strict decoder leaves them.
fn garble_lossy_1252(text: &str) -> String {
    garble(WINDOWS_1252, text, 1)
        .chars()
        .map(|c| {
            if UNDEFINED_1252.contains(&c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// CESU-8: UTF-8, except that a character beyond U+FFFF is written as its
/// two UTF-16 surrogates, three bytes each.
fn cesu8(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c as u32 > 0xFFFF {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let u = *unit as u32;
                out.extend([
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
            }
        } else {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    out
}

struct Case {
    class: usize,
    language: usize,
    input: String,
    expected: String,
}

fn build_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (language, &(name, code_page)) in DICTIONARIES.iter().enumerate() {
        let words = words(name);
        assert!(words.len() > 1_000, "{name}: {} words", words.len());
        let mut push = |class: &str, input: String, expected: String| {
            let class = CLASSES.iter().position(|c| *c == class).expect("a class");
            cases.push(Case {
                class,
                language,
                input,
                expected,
            });
        };
        for word in &words {
            push("clean words", word.clone(), word.clone());
            let capitals = word.to_uppercase();
            if &capitals != word {
                push("clean words", capitals.clone(), capitals);
            }
        }
        for sentence in sentences(&words) {
            push("clean sentences", sentence.clone(), sentence.clone());
            // UTF-8 read in `by`, `layers` times over.
            let mut garbled = |class: &str, by: &'static Encoding, layers: usize| {
                let input = garble(by, &sentence, layers);
                if input != sentence {
                    push(
                        class,
                        input,
                        lost_letters(&sentence, layers, |t| garble(by, t, 1)),
                    );
                }
            };
            garbled("code page x1", code_page, 1);
            garbled("code page x2", code_page, 2);
            if code_page != WINDOWS_1252 {
                garbled("windows-1252 x1", WINDOWS_1252, 1);
            }
            garbled("mac roman x1", MACINTOSH, 1);

            let western = garble(WINDOWS_1252, &sentence, 1);
            if western.contains('\u{A0}') {
                push(
                    "no-break space tidied",
                    western.replace('\u{A0}', " "),
                    sentence.clone(),
                );
            }
            push(
                "C1 punctuation",
                format!("\u{93}{sentence}\u{85}\u{94}"),
                format!("“{sentence}…”"),
            );
            let with_emoji = format!("{sentence}{EMOJI}");
            push(
                "CESU-8 emoji",
                decode(WINDOWS_1252, &cesu8(&with_emoji)),
                with_emoji,
            );
            let lossy = garble_lossy_1252(&sentence);
            if lossy.contains('\u{FFFD}') {
                push(
                    "lossy windows-1252",
                    lossy,
                    lost_letters(&sentence, 1, garble_lossy_1252),
                );
            }
        }
    }
    cases
}

/// One tally per tool, in `TOOLS` order.
type Cell = [Tally; 2];

fn add(sum: &mut Cell, cell: &Cell) {
    for (s, c) in sum.iter_mut().zip(cell) {
        s.n += c.n;
        s.bytes += c.bytes;
        s.exact += c.exact;
    }
}

fn cell_text(clean: bool, exact: usize, n: usize) -> String {
    if clean {
        format!("changed {} ({})", n - exact, pct(n - exact, n))
    } else {
        format!("restored {exact}/{n} ({})", pct(exact, n))
    }
}

pub fn run(out_dir: &Path) {
    let start = Instant::now();
    let mut cases = build_corpus();
    // Grouped by class (languages in order within), so that each class is
    // timed as one run.
    cases.sort_by_key(|c| c.class);
    let built = start.elapsed();
    let corpus_bytes: usize = cases.iter().map(|c| c.input.len()).sum();
    fs::create_dir_all(out_dir).expect("create output dir");

    let mut jsonl = String::new();
    for case in &cases {
        let line = json!({
            "class": CLASSES[case.class],
            "language": DICTIONARIES[case.language].0,
            "clean": case.class < 2,
            "input": case.input,
            "expected": case.expected,
        });
        writeln!(jsonl, "{line}").expect("write to string");
    }
    fs::write(out_dir.join("languages.jsonl"), jsonl).expect("write languages.jsonl");

    let mut cells: BTreeMap<(usize, usize), Cell> = BTreeMap::new();
    let mut timings = serde_json::Map::new();
    for (t, (name, fix)) in TOOLS.iter().enumerate() {
        // Each class timed as one run, scored afterwards.
        let mut outputs: Vec<String> = Vec::with_capacity(cases.len());
        let mut per_class = serde_json::Map::new();
        let mut seconds = Duration::ZERO;
        for chunk in cases.chunk_by(|a, b| a.class == b.class) {
            let start = Instant::now();
            outputs.extend(chunk.iter().map(|c| fix(&c.input)));
            let elapsed = start.elapsed();
            seconds += elapsed;
            let bytes = chunk.iter().map(|c| c.input.len()).sum();
            per_class.insert(
                CLASSES[chunk[0].class].to_owned(),
                json!({"seconds": elapsed.as_secs_f64(), "mb_per_s": mb_per_s(bytes, elapsed)}),
            );
        }
        let mut failures = String::new();
        for (case, got) in cases.iter().zip(&outputs) {
            let tally = &mut cells.entry((case.class, case.language)).or_default()[t];
            tally.n += 1;
            tally.bytes += case.input.len();
            if *got == case.expected {
                tally.exact += 1;
            } else {
                writeln!(
                    failures,
                    "{}, {}\n  input    {:?}\n  got      {got:?}\n  expected {:?}",
                    CLASSES[case.class], DICTIONARIES[case.language].0, case.input, case.expected
                )
                .expect("write");
            }
        }
        fs::write(
            out_dir.join(format!("failures-languages-{name}.txt")),
            failures,
        )
        .expect("write failures");
        timings.insert(
            name.to_string(),
            json!({
                "seconds": seconds.as_secs_f64(),
                "mb_per_s": mb_per_s(corpus_bytes, seconds),
                "classes": per_class,
            }),
        );
    }

    println!(
        "languages: {} dictionaries, {} cases, {:.2} MB of input (built in {:.1} s); written to {}",
        DICTIONARIES.len(),
        cases.len(),
        corpus_bytes as f64 / 1e6,
        built.as_secs_f64(),
        out_dir.join("languages.jsonl").display()
    );
    // Per class, all languages pooled.
    println!();
    println!("| class | cases | MB | quire | plsfix |");
    println!("|---|---:|---:|---:|---:|");
    for (class, label) in CLASSES.iter().enumerate() {
        let mut sum = Cell::default();
        for (_, cell) in cells.range((class, 0)..(class + 1, 0)) {
            add(&mut sum, cell);
        }
        let [q, p] = &sum;
        println!(
            "| {label} | {} | {:.2} | {} | {} |",
            q.n,
            q.bytes as f64 / 1e6,
            cell_text(class < 2, q.exact, q.n),
            cell_text(class < 2, p.exact, p.n)
        );
    }
    // Per language, all classes pooled: clean, then garbled.
    println!();
    println!("| language | code page | text | cases | quire | plsfix |");
    println!("|---|---|---|---:|---:|---:|");
    for (language, (name, code_page)) in DICTIONARIES.iter().enumerate() {
        for clean in [true, false] {
            let mut sum = Cell::default();
            for (&(class, l), cell) in &cells {
                if l == language && (class < 2) == clean {
                    add(&mut sum, cell);
                }
            }
            let [q, p] = &sum;
            println!(
                "| {name} | {} | {} | {} | {} | {} |",
                code_page.name(),
                if clean { "clean" } else { "garbled" },
                q.n,
                cell_text(clean, q.exact, q.n),
                cell_text(clean, p.exact, p.n)
            );
        }
    }
    println!();
    println!("| MB/s, case by case | MB | quire | plsfix |");
    println!("|---|---:|---:|---:|");
    for (class, label) in CLASSES.iter().enumerate() {
        let bytes: usize = cells
            .range((class, 0)..(class + 1, 0))
            .map(|(_, c)| c[0].bytes)
            .sum();
        let rate = |name: &str| {
            timings[name]["classes"][*label]["mb_per_s"]
                .as_f64()
                .unwrap_or(0.0)
        };
        println!(
            "| {label} | {:.2} | {:.1} | {:.1} |",
            bytes as f64 / 1e6,
            rate("quire"),
            rate("plsfix")
        );
    }
    let rate = |name: &str| timings[name]["mb_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "| whole corpus | {:.2} | {:.1} | {:.1} |",
        corpus_bytes as f64 / 1e6,
        rate("quire"),
        rate("plsfix")
    );
    println!();
    println!(
        "failures: {}/failures-languages-{{quire,plsfix}}.txt",
        out_dir.display()
    );

    let results = json!({
        "corpus_bytes": corpus_bytes,
        "cases": cases.len(),
        "classes": CLASSES,
        "languages": DICTIONARIES
            .iter()
            .map(|(name, code_page)| json!({"name": name, "code_page": code_page.name()}))
            .collect::<Vec<_>>(),
        "cells": cells
            .iter()
            .map(|(&(class, language), cell)| json!({
                "class": CLASSES[class],
                "language": DICTIONARIES[language].0,
                "clean": class < 2,
                "n": cell[0].n,
                "bytes": cell[0].bytes,
                "tools": {"quire": cell[0].exact, "plsfix": cell[1].exact},
            }))
            .collect::<Vec<_>>(),
        "timings": timings,
    });
    fs::write(
        out_dir.join("results-languages.json"),
        serde_json::to_string_pretty(&results).expect("json"),
    )
    .expect("write results-languages.json");
}
