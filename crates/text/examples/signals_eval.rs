//! Scores the content signals on the labelled passages beside the
//! repository, with two baselines computed in the same run, and measures
//! throughput.
//!
//! ```sh
//! cargo run --release -p quire-text --example signals_eval -- \
//!     ../shared/eval/passages-dev.jsonl ../shared/eval/passage-keywords.json
//! ```
//!
//! A passage is positive when at least two of its three annotators said so.
//! Each passage carries one label; the detector's note of that label is its
//! answer (suggested or not). Baselines: "always yes", and "any phrase of the
//! keyword lists that selected the passages appears" (the lists are read
//! here at run time, never copied into the repository). Only aggregate
//! scores are printed: no passage text.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use quire_text::NoteKind;

mod eval_common;
use eval_common::{
    ratio, read_keywords, read_passages, Counts, Labelled as Passage, KEYWORD_LISTS,
};

const LABELS: [&str; 8] = [
    "violence",
    "war",
    "death",
    "abduction",
    "misogyny",
    "homophobia",
    "racism",
    "ableism",
];

/// With `--sweep`: each label's F1 had the note been suggested only from
/// higher confidences on (aggregate scores only).
fn print_sweep(passages: &[Passage]) -> Result<(), Box<dyn Error>> {
    const STEPS: [f32; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];
    println!("\nF1 by the lowest confidence suggested: {STEPS:?}");
    for label in LABELS {
        let kind = NoteKind::from_name(label).ok_or("a label without a note")?;
        let mut counts = [Counts::default(); STEPS.len()];
        for p in passages.iter().filter(|p| p.label == label) {
            let confidence = quire_text::signals(&p.text)
                .note(kind)
                .map_or(0.0, |n| n.confidence);
            for (c, step) in counts.iter_mut().zip(STEPS) {
                c.add(confidence >= step, p.positive);
            }
        }
        let f1: Vec<String> = counts.iter().map(|c| format!("{:.2}", c.f1())).collect();
        println!("  {label:<11} {}", f1.join("  "));
    }
    Ok(())
}

/// With `--cues LABEL`: for each cue, in how many passages of the label it
/// appears, split by the annotators' answer and the detector's (aggregate
/// counts only).
fn print_cues(passages: &[Passage], label: &str) -> Result<(), Box<dyn Error>> {
    let kind = NoteKind::from_name(label).ok_or("no such label")?;
    let mut table: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for p in passages.iter().filter(|p| p.label == label) {
        let said = quire_text::signals(&p.text).note(kind).is_some();
        let column = match (p.positive, said) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        for cue in quire_text::signals::cue_names(&p.text) {
            table.entry(cue).or_default()[column] += 1;
        }
    }
    println!("\ncues in {label} passages: positive found, missed; negative flagged, clear; share positive");
    for (cue, [found, missed, flagged, clear]) in table {
        println!(
            "  {cue:<14} {found:>4} {missed:>4} {flagged:>4} {clear:>4}  {:.2}",
            ratio(found + missed, found + missed + flagged + clear)
        );
    }
    Ok(())
}

fn print_table(
    passages: &[Passage],
    keywords: &BTreeMap<String, Vec<String>>,
) -> Result<(), Box<dyn Error>> {
    println!(
        "| label | passages | positive | rules P | rules R | rules F1 | shipped model P | R | F1 (fitted on these passages) | always-yes F1 | keywords P | keywords R | keywords F1 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut macro_f1 = [0.0f64; 4];
    let rules_only = quire_text::signals::NoteModel::rules_only();
    for label in LABELS {
        let kind = NoteKind::from_name(label).ok_or("a label without a note")?;
        let phrases = &keywords[label];
        let (mut quire, mut yes, mut words, mut rules) = (
            Counts::default(),
            Counts::default(),
            Counts::default(),
            Counts::default(),
        );
        let mut n = 0;
        for p in passages.iter().filter(|p| p.label == label) {
            n += 1;
            let signals = quire_text::signals(&p.text);
            quire.add(signals.note(kind).is_some(), p.positive);
            rules.add(
                quire_text::signals::signals_with(&p.text, &rules_only)
                    .note(kind)
                    .is_some(),
                p.positive,
            );
            yes.add(true, p.positive);
            let lower = p.text.to_lowercase();
            words.add(
                phrases.iter().any(|k| lower.contains(k.as_str())),
                p.positive,
            );
        }
        println!(
            "| {label} | {n} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            quire.tp + quire.fn_,
            rules.precision(),
            rules.recall(),
            rules.f1(),
            quire.precision(),
            quire.recall(),
            quire.f1(),
            yes.f1(),
            words.precision(),
            words.recall(),
            words.f1()
        );
        macro_f1[0] += quire.f1() / LABELS.len() as f64;
        macro_f1[3] += rules.f1() / LABELS.len() as f64;
        macro_f1[1] += yes.f1() / LABELS.len() as f64;
        macro_f1[2] += words.f1() / LABELS.len() as f64;
    }
    println!(
        "| **macro-F1** | {} | | | | {:.3} | | | {:.3} | {:.3} | | | {:.3} |",
        passages.len(),
        macro_f1[3],
        macro_f1[0],
        macro_f1[1],
        macro_f1[2]
    );
    Ok(())
}

/// The notes each of the five AO3 works in `eval/ao3-works-dev.jsonl`
/// gets from its text (HTML read as AO3 serves it), from the rules alone
/// and with the model, with how many windows of it the model read: the work
/// level, where one chapter of violence in a long gentle work must count.
fn print_works(shared: &Path) -> Result<(), Box<dyn Error>> {
    let path = shared.join("eval/ao3-works-dev.jsonl");
    let Ok(file) = fs::read_to_string(&path) else {
        println!("\n(no {}: work-level check skipped)", path.display());
        return Ok(());
    };
    println!("\nwork-level notes (eval/ao3-works-dev.jsonl): rules alone → with the model");
    let rules = quire_text::signals::NoteModel::rules_only();
    for line in file.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let html = value["text"].as_str().ok_or("a work without text")?;
        let manuscript = quire_text::analyze_str(html);
        let text = manuscript.paragraphs.join("\n\n");
        let names = |s: &quire_text::Signals| {
            s.notes
                .iter()
                .map(|n| format!("{} {:.2}", n.name.name(), n.confidence))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "  work {} ({} words): {} → {}",
            value["work_id"].as_str().unwrap_or("?"),
            text.split_whitespace().count(),
            names(&quire_text::signals::signals_with(&text, &rules)),
            names(&quire_text::signals(&text))
        );
    }
    Ok(())
}

/// About 1 MB of story text: the seeds, then the passages, as paragraphs.
fn throughput_input(shared: &Path, passages: &[Passage]) -> Result<String, Box<dyn Error>> {
    let mut seeds: Vec<PathBuf> = fs::read_dir(shared.join("seeds"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    let mut parts = Vec::new();
    for seed in seeds {
        parts.push(fs::read_to_string(seed)?);
    }
    parts.extend(passages.iter().map(|p| p.text.clone()));
    let mut text = String::new();
    for part in parts.iter().cycle() {
        if text.len() >= 1_000_000 {
            break;
        }
        text.push_str(part.trim());
        text.push_str("\n\n");
    }
    Ok(text)
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let sweep = args.iter().any(|a| a == "--sweep");
    args.retain(|a| a != "--sweep");
    let cues = args
        .iter()
        .position(|a| a == "--cues")
        .map(|i| args.drain(i..(i + 2).min(args.len())).nth(1));
    let passages_path = PathBuf::from(
        args.first()
            .map_or("../shared/eval/passages-dev.jsonl", String::as_str),
    );
    let keywords_path = PathBuf::from(
        args.get(1)
            .map_or("../shared/eval/passage-keywords.json", String::as_str),
    );
    let passages = read_passages(&passages_path)?;
    let keywords = read_keywords(&keywords_path, &LABELS)?;
    println!(
        "{} passages from {}; keyword baseline: any phrase of {:?} in {}",
        passages.len(),
        passages_path.display(),
        KEYWORD_LISTS,
        keywords_path.display()
    );
    print_table(&passages, &keywords)?;
    if let Some(label) = cues {
        print_cues(&passages, label.as_deref().unwrap_or("violence"))?;
        return Ok(());
    }
    if sweep {
        print_sweep(&passages)?;
        return Ok(());
    }

    let shared = passages_path
        .parent()
        .and_then(Path::parent)
        .ok_or("the passages file is not in shared/eval/")?;
    let text = throughput_input(shared, &passages)?;
    print_works(shared)?;
    let mb = text.len() as f64 / 1e6;
    let bytes = text.as_bytes();
    let analyze = best_of(5, || quire_text::analyze(bytes));
    let both = best_of(5, || {
        quire_text::analyze(bytes).map(|m| quire_text::manuscript_signals(&m))
    });
    let signals_only = best_of(5, || quire_text::signals(&text));
    println!(
        "\nthroughput on {:.2} MB (seeds + passages), best of 5, one thread:\n  analyze: {:.1} MB/s\n  analyze + manuscript_signals: {:.1} MB/s\n  signals alone: {:.1} MB/s",
        mb,
        mb / analyze,
        mb / both,
        mb / signals_only
    );
    Ok(())
}
