//! Throughput of `analyze` and `repair` on about 1 MB of fan-written text.
//!
//! The input is built at start, deterministically, from the evaluation texts
//! beside the repository (`../shared/eval/passages-dev.jsonl` and
//! `../shared/seeds/*.txt`, read by path, never copied in): paragraphs
//! separated by blank lines, every other one given typographic quotes and
//! dashes, and half of those (one paragraph in four) mis-decoded: UTF-8 read
//! as Windows-1252 or Mac Roman. The exact bytes are written to
//! `target/bench-input/analyze-1mb.txt` so `bench/ftfy.sh` times ftfy on the
//! same input.
//!
//! ```sh
//! cargo bench -p quire-text --bench analyze
//! ```

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};

/// Stop adding paragraphs once the input is this long.
const TARGET_BYTES: usize = 1_000_000;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The paragraphs the input is made of, in a fixed order: the seeds, then the
/// passages as the file lists them.
fn source_paragraphs() -> Vec<String> {
    let seeds = quire_testkit::seed_paths();
    let mut paragraphs: Vec<String> = Vec::new();
    for seed in seeds {
        let text = fs::read_to_string(&seed).expect("seed is UTF-8");
        paragraphs.extend(
            text.split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
        );
    }
    for value in quire_testkit::eval_lines("passages-dev.jsonl") {
        let text = value["text"].as_str().expect("passage has a text");
        paragraphs.push(text.trim().to_owned());
    }
    paragraphs
}

/// Curly quotes, em dashes and ellipses, as most stories are typed.
fn typographic(paragraph: &str) -> String {
    let mut out = String::with_capacity(paragraph.len() + paragraph.len() / 8);
    let mut open_double = true;
    let mut previous = ' ';
    for c in paragraph.chars() {
        match c {
            '\'' if previous.is_alphanumeric() => out.push('’'),
            '\'' => out.push('‘'),
            '"' => {
                out.push(if open_double { '“' } else { '”' });
                open_double = !open_double;
            }
            _ => out.push(c),
        }
        previous = c;
    }
    out.replace(" - ", " — ").replace("...", "…")
}

/// UTF-8 bytes read as a single-byte encoding: how mojibake is made.
fn garble(text: &str, encoding: &'static Encoding) -> String {
    encoding
        .decode_without_bom_handling(text.as_bytes())
        .0
        .into_owned()
}

struct Input {
    /// What the bench runs on.
    garbled: String,
    /// The same text before the mis-decoding: what a perfect repair returns.
    clean: String,
    paragraphs: usize,
    garbled_paragraphs: usize,
}

fn build_input() -> Input {
    let sources = source_paragraphs();
    assert!(!sources.is_empty(), "no source paragraphs");
    let mut clean_parts = Vec::new();
    let mut garbled_parts = Vec::new();
    let mut garbled_paragraphs = 0;
    let mut length = 0;
    for (i, source) in sources.iter().cycle().enumerate() {
        if length >= TARGET_BYTES {
            break;
        }
        let clean = if i % 2 == 0 {
            typographic(source)
        } else {
            source.clone()
        };
        let garbled = match i % 8 {
            0 => garble(&clean, WINDOWS_1252),
            4 => garble(&clean, MACINTOSH),
            _ => clean.clone(),
        };
        if garbled != clean {
            garbled_paragraphs += 1;
        }
        length += garbled.len() + 2;
        clean_parts.push(clean);
        garbled_parts.push(garbled);
    }
    Input {
        paragraphs: garbled_parts.len(),
        garbled: garbled_parts.join("\n\n") + "\n",
        // The first seed arrived with one word of real mojibake: a perfect
        // repair changes it too.
        clean: (clean_parts.join("\n\n") + "\n").replace("na√Øve", "naïve"),
        garbled_paragraphs,
    }
}

fn write_input(bytes: &[u8]) -> PathBuf {
    let dir = workspace().join("target/bench-input");
    fs::create_dir_all(&dir).expect("create target/bench-input");
    let path = dir.join("analyze-1mb.txt");
    fs::write(&path, bytes).expect("write target/bench-input/analyze-1mb.txt");
    path
}

/// The stretch around the first difference of two texts, a few characters
/// either side.
fn first_difference<'a>(got: &'a str, want: &'a str) -> (&'a str, &'a str) {
    let common = got
        .char_indices()
        .zip(want.chars())
        .find(|((_, a), b)| a != b)
        .map_or(got.len().min(want.len()), |((i, _), _)| i);
    let window = |text: &'a str| {
        let start = text[..common]
            .char_indices()
            .rev()
            .nth(15)
            .map_or(0, |(i, _)| i);
        let end = text[common..]
            .char_indices()
            .nth(15)
            .map_or(text.len(), |(i, _)| common + i);
        &text[start..end]
    };
    (window(got), window(want))
}

fn bench_analyze(c: &mut Criterion) {
    let input = build_input();
    let path = write_input(input.garbled.as_bytes());
    let repaired = quire_text::repair::repair(&input.garbled);
    let differing: Vec<(&str, &str)> = repaired
        .text
        .split("\n\n")
        .zip(input.clean.split("\n\n"))
        .filter(|(a, b)| a != b)
        .collect();
    eprintln!(
        "input: {} bytes, {} paragraphs, {} mis-decoded; written to {}",
        input.garbled.len(),
        input.paragraphs,
        input.garbled_paragraphs,
        path.canonicalize().unwrap_or(path).display()
    );
    eprintln!(
        "repair: {} runs repaired; {} paragraphs differ from the text before mis-decoding",
        repaired.repairs.len(),
        differing.len()
    );
    for (got, want) in differing.iter().take(5) {
        let (got, want) = first_difference(got, want);
        eprintln!("  repaired {got:?}, expected {want:?}");
    }
    // A speed of wrong answers is no speed: the bench refuses to time a
    // repair that doesn't give back the text before mis-decoding.
    assert!(
        differing.is_empty(),
        "{} paragraphs differ from the text before mis-decoding; no timing taken",
        differing.len()
    );

    let bytes = input.garbled.as_bytes();
    let mut group = c.benchmark_group("analyze-1mb");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("analyze", |b| {
        b.iter(|| quire_text::analyze(black_box(bytes)).expect("input is text"))
    });
    group.bench_function("repair", |b| {
        b.iter(|| quire_text::repair::repair(black_box(&input.garbled)))
    });
    group.bench_function("repair_bytes", |b| {
        b.iter(|| quire_text::repair_bytes(black_box(bytes)).expect("input is text"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench_analyze
}
criterion_main!(benches);
