//! quire's mojibake repair against plsfix, on a labelled corpus built at run
//! time from the evaluation texts beside the repository (read by path from
//! `../shared`, never copied in) and a list of tricky strings of our own.
//!
//! ```sh
//! cargo run --release                 # tables on stdout; corpus and results under target/
//! cargo run --release -- probe 'na√Øve' 'IRMÃ”'
//! cargo run --release -- probe --garble windows-1252 'ᛟ'
//! cargo run --release -- languages    # the hunspell corpus (src/languages.rs)
//! cargo run --release -- ftfy-cases PATH/TO/ftfy/tests/test_cases.json
//! ```
//!
//! Writes, under the main repository's `target/mojibake-compare/`:
//! `corpus.jsonl` (one case a line: category, clean, input, expected) for
//! `score_ftfy.py`, `results-rust.json`, and `failures-{quire,plsfix}.txt`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use encoding_rs::{MACINTOSH, WINDOWS_1252};
use serde_json::json;

mod languages;

/// Clean strings a repair must leave alone: the ones the brief names, and
/// letters next to punctuation that happen to spell a UTF-8 sequence in
/// Windows-1252 or Mac Roman. Each is also garbled to check restoration.
const TRICKY: &[&str] = &[
    "NÃO é possível, irmã.",
    "“VOLTA AQUI, IRMÃ”",
    "“AMANHÃ…”",
    "“MAMÃ—” ela gritou",
    "“Não sei, irmã…”",
    "√2 ≈ 1.414",
    "√π ≈ 1.77",
    "x≈π",
    "it cost ≈£5",
    "Søren Ørsted, Ø",
    "“GÅ”",
    "“SÅ…”",
    "der Buchstabe „Ä“",
    "»öffne die Tür«",
    "“Curly” ‘quotes’ — em dashes – en dashes…",
    "«Énorme», «écoute» — «Ça va»",
    "«Je suis allé…»",
    "«No está»—dijo",
    "“Sí…”",
    "„Bär“ sagte er, „Gruß“",
    "日本語のテキスト、中文",
    "안녕하세요",
    "😀 🐍 👍🏽",
    "I ❤️ you ☺️ ✔️ 🏳️‍🌈",
    "¯\\_(ツ)_/¯",
    "½ cup • © 2024 ™ £5 €10",
    "¿Qué? ¡Sí! Ñandú",
    "CAFÉ—ok",
    "—é, “à”",
    "αβγ δέλτα",
    "привет мир",
    "Wèi Wúxiàn, Lán Zhàn, nǐ hǎo",
    "Tiếng Việt",
    "Cafe\u{301} (decomposed)",
    "H₂O, x₁",
    "ᛟ othala",
    "𝚫 delta",
    "Łódź, żółć",
    "İstanbul, ğ ş ı",
    "Þór, Ða",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Windows1252,
    Latin1,
    MacRoman,
}

impl Encoding {
    const ALL: [Encoding; 3] = [Encoding::Windows1252, Encoding::Latin1, Encoding::MacRoman];

    fn label(self) -> &'static str {
        match self {
            Encoding::Windows1252 => "windows-1252",
            Encoding::Latin1 => "latin-1",
            Encoding::MacRoman => "mac roman",
        }
    }

    fn parse(label: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| {
            e.label() == label
                || e.label().replace(' ', "-") == label
                || e.label().replace(' ', "") == label
        })
    }

    /// UTF-8 bytes read in this encoding: one layer of mojibake.
    fn garble_once(self, text: &str) -> String {
        match self {
            Encoding::Windows1252 => WINDOWS_1252
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned(),
            Encoding::MacRoman => MACINTOSH
                .decode_without_bom_handling(text.as_bytes())
                .0
                .into_owned(),
            Encoding::Latin1 => text.bytes().map(char::from).collect(),
        }
    }

    fn garble(self, text: &str, layers: u8) -> String {
        let mut out = text.to_owned();
        for _ in 0..layers {
            out = self.garble_once(&out);
        }
        out
    }
}

struct Case {
    category: String,
    /// How the input was made: `clean`, or `ENCODING xLAYERS`.
    scheme: String,
    /// Clean input: the repair must return it unchanged.
    clean: bool,
    input: String,
    expected: String,
}

struct Sources {
    /// The passages as given: one paragraph each, mostly ASCII.
    passages: Vec<String>,
    /// Five consecutive passages, typographic quotes and dashes, joined by
    /// blank lines.
    documents: Vec<String>,
    seeds: Vec<String>,
    /// AO3's HTML as served.
    works: Vec<String>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn jsonl_texts(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; clone the repository beside shared/",
            path.display()
        )
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            value["text"].as_str().expect("a text field").to_owned()
        })
        .collect()
}

/// Curly quotes, em dashes and ellipses, as most stories are typed (the same
/// rule as the criterion bench).
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

fn load_sources() -> Sources {
    let shared = repo().join("../shared");
    let passages: Vec<String> = jsonl_texts(&shared.join("eval/passages-dev.jsonl"))
        .into_iter()
        .map(|t| t.trim().to_owned())
        .collect();
    let documents = passages
        .chunks(5)
        .map(|group| {
            group
                .iter()
                .map(|p| typographic(p))
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .collect();
    let mut seed_paths: Vec<PathBuf> = fs::read_dir(shared.join("seeds"))
        .expect("../shared/seeds")
        .map(|e| e.expect("seed entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    seed_paths.sort();
    let seeds = seed_paths
        .iter()
        .map(|p| {
            // The first seed arrived with one word of real mojibake; its
            // clean form is the repaired word.
            fs::read_to_string(p)
                .expect("seed")
                .replace("na√Øve", "naïve")
        })
        .collect();
    let works = jsonl_texts(&shared.join("eval/ao3-works-dev.jsonl"));
    Sources {
        passages,
        documents,
        seeds,
        works,
    }
}

fn build_corpus(sources: &Sources) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut clean = |category: &str, texts: &[String]| {
        for text in texts {
            cases.push(Case {
                category: category.to_owned(),
                scheme: "clean".to_owned(),
                clean: true,
                input: text.clone(),
                expected: text.clone(),
            });
        }
    };
    clean("clean: eval passages as given", &sources.passages);
    clean(
        "clean: passages, typographic, 5 per text",
        &sources.documents,
    );
    clean("clean: seeds", &sources.seeds);
    clean("clean: AO3 works (HTML)", &sources.works);
    let tricky: Vec<String> = TRICKY.iter().map(|s| s.to_string()).collect();
    clean(TRICKY_CLEAN, &tricky);

    let whole_texts: Vec<&String> = sources
        .documents
        .iter()
        .chain(&sources.seeds)
        .chain(&sources.works)
        .collect();
    for layers in [1u8, 2] {
        for encoding in Encoding::ALL {
            let category = format!(
                "whole text, {}, {layers} layer{}",
                encoding.label(),
                if layers == 1 { "" } else { "s" }
            );
            for text in &whole_texts {
                let garbled = encoding.garble(text, layers);
                if &garbled != *text {
                    cases.push(Case {
                        category: category.clone(),
                        scheme: format!("{} x{layers}", encoding.label()),
                        clean: false,
                        input: garbled,
                        expected: (*text).clone(),
                    });
                }
            }
        }
    }
    for layers in [1u8, 2] {
        for encoding in Encoding::ALL {
            let category = format!(
                "one paragraph of 5, {}, {layers} layer{}",
                encoding.label(),
                if layers == 1 { "" } else { "s" }
            );
            for (k, document) in sources.documents.iter().enumerate() {
                let paragraphs: Vec<&str> = document.split("\n\n").collect();
                // The k-th document has its (k mod n)-th paragraph garbled, or
                // the next one holding a non-ASCII character.
                let n = paragraphs.len();
                let Some(target) = (0..n)
                    .map(|i| (k + i) % n)
                    .find(|&i| !paragraphs[i].is_ascii())
                else {
                    continue;
                };
                let input = paragraphs
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        if i == target {
                            encoding.garble(p, layers)
                        } else {
                            p.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n");
                cases.push(Case {
                    category: category.clone(),
                    scheme: format!("{} x{layers}", encoding.label()),
                    clean: false,
                    input,
                    expected: document.clone(),
                });
            }
        }
    }
    for layers in [1u8, 2] {
        for encoding in Encoding::ALL {
            for text in TRICKY {
                let garbled = encoding.garble(text, layers);
                if garbled != *text {
                    cases.push(Case {
                        category: TRICKY_GARBLED.to_owned(),
                        scheme: format!("{} x{layers}", encoding.label()),
                        clean: false,
                        input: garbled,
                        expected: text.to_string(),
                    });
                }
            }
        }
    }
    cases
}

const TRICKY_CLEAN: &str = "clean: tricky strings";
const TRICKY_GARBLED: &str = "tricky strings garbled (3 encodings x 1-2 layers)";

type Fixer = fn(&str) -> String;

fn quire(text: &str) -> String {
    quire_text::repair::repair(text).text
}

/// plsfix's nearest to `ftfy.fix_encoding`: `fix_text` with every fix but the
/// encoding ones turned off. (`fix_encoding` itself is private in plsfix
/// 0.1.8; `fix_text` works line by line, and its `unescape_html` setting is
/// ignored: HTML entities are always decoded.)
fn plsfix(text: &str) -> String {
    let config = plsfix::TextFixerConfig {
        unescape_html: Some(false),
        remove_terminal_escapes: false,
        fix_encoding: true,
        restore_byte_a0: true,
        replace_lossy_sequences: true,
        decode_inconsistent_utf8: true,
        fix_c1_controls: true,
        fix_latin_ligatures: false,
        fix_character_width: false,
        uncurl_quotes: false,
        fix_line_breaks: false,
        remove_control_chars: false,
        normalization: None,
        max_decode_length: 1_000_000,
    };
    plsfix::fix_text(text, Some(&config))
}

const TOOLS: [(&str, Fixer); 2] = [("quire", quire), ("plsfix", plsfix)];

#[derive(Default, Clone)]
struct Tally {
    n: usize,
    bytes: usize,
    exact: usize,
    /// Output identical to the input: left alone.
    untouched: usize,
}

/// The stretch around the first difference of two texts, `radius` characters
/// either side.
fn first_difference<'a>(got: &'a str, want: &'a str, radius: usize) -> (&'a str, &'a str) {
    let common = got
        .char_indices()
        .zip(want.chars())
        .find(|((_, a), b)| a != b)
        .map_or(got.len().min(want.len()), |((i, _), _)| i);
    let window = |text: &'a str| {
        let start = text[..common]
            .char_indices()
            .rev()
            .nth(radius - 1)
            .map_or(0, |(i, _)| i);
        let end = text[common..]
            .char_indices()
            .nth(radius)
            .map_or(text.len(), |(i, _)| common + i);
        &text[start..end]
    };
    (window(got), window(want))
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e6
}

fn run(out_dir: &Path) {
    let sources = load_sources();
    let cases = build_corpus(&sources);
    let corpus_bytes: usize = cases.iter().map(|c| c.input.len()).sum();
    fs::create_dir_all(out_dir).expect("create output dir");

    let mut corpus = String::new();
    for case in &cases {
        let line = json!({
            "category": case.category,
            "scheme": case.scheme,
            "clean": case.clean,
            "input": case.input,
            "expected": case.expected,
        });
        writeln!(corpus, "{line}").expect("write to string");
    }
    fs::write(out_dir.join("corpus.jsonl"), corpus).expect("write corpus.jsonl");

    let mut order: Vec<String> = Vec::new();
    for case in &cases {
        if !order.contains(&case.category) {
            order.push(case.category.clone());
        }
    }
    let mut results = serde_json::Map::new();
    let mut tallies: BTreeMap<(&str, String), Tally> = BTreeMap::new();
    let mut timings = serde_json::Map::new();
    // What each tool made of the tricky strings, for score_ftfy.py's matrix.
    let mut tricky: Vec<serde_json::Map<String, serde_json::Value>> = cases
        .iter()
        .filter(|c| c.category == TRICKY_CLEAN || c.category == TRICKY_GARBLED)
        .map(|c| {
            let mut m = serde_json::Map::new();
            m.insert("scheme".into(), json!(c.scheme));
            m.insert("input".into(), json!(c.input));
            m.insert("expected".into(), json!(c.expected));
            m
        })
        .collect();
    for (name, fix) in TOOLS {
        for entry in &mut tricky {
            let output = fix(entry["input"].as_str().expect("input"));
            entry.insert(name.to_owned(), json!(output));
        }
        let mut failures = String::new();
        let mut total = Duration::ZERO;
        for case in &cases {
            let start = Instant::now();
            let got = fix(&case.input);
            total += start.elapsed();
            let tally = tallies.entry((name, case.category.clone())).or_default();
            tally.n += 1;
            tally.bytes += case.input.len();
            if got == case.expected {
                tally.exact += 1;
            } else {
                let (g, w) = first_difference(&got, &case.expected, 12);
                writeln!(
                    failures,
                    "{}\n  got      {g:?}\n  expected {w:?}",
                    case.category
                )
                .expect("write");
            }
            if got == case.input {
                tally.untouched += 1;
            }
        }
        fs::write(out_dir.join(format!("failures-{name}.txt")), failures).expect("write failures");
        timings.insert(
            name.to_owned(),
            json!({"corpus_seconds": total.as_secs_f64(), "corpus_mb_per_s": mb_per_s(corpus_bytes, total)}),
        );
    }

    // The criterion bench's input, if it was written: the same bytes ftfy_bench.py times.
    let bench_input = repo().join("target/bench-input/analyze-1mb.txt");
    if let Ok(text) = fs::read_to_string(&bench_input) {
        for (name, fix) in TOOLS {
            let mut times: Vec<Duration> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(fix(std::hint::black_box(&text)));
                    start.elapsed()
                })
                .collect();
            times.sort();
            let entry = timings[name].as_object_mut().expect("object");
            entry.insert("bench_input_bytes".into(), json!(text.len()));
            entry.insert(
                "bench_input_median_seconds".into(),
                json!(times[2].as_secs_f64()),
            );
            entry.insert(
                "bench_input_mb_per_s".into(),
                json!(mb_per_s(text.len(), times[2])),
            );
        }
    }

    println!(
        "corpus: {} cases, {:.2} MB of input; written to {}",
        cases.len(),
        corpus_bytes as f64 / 1e6,
        out_dir.join("corpus.jsonl").display()
    );
    println!();
    println!("| category | cases | MB | quire | plsfix |");
    println!("|---|---:|---:|---:|---:|");
    let mut categories = Vec::new();
    for category in &order {
        let mut row = format!("| {category} |");
        let mut tools = serde_json::Map::new();
        let clean = cases.iter().any(|c| &c.category == category && c.clean);
        for (i, (name, _)) in TOOLS.iter().enumerate() {
            let t = tallies[&(*name, category.clone())].clone();
            if i == 0 {
                write!(row, " {} | {:.2} |", t.n, t.bytes as f64 / 1e6).expect("write");
            }
            if clean {
                let changed = t.n - t.exact;
                write!(row, " changed {changed} ({}) |", pct(changed, t.n)).expect("write");
            } else {
                write!(
                    row,
                    " restored {}/{} ({}) |",
                    t.exact,
                    t.n,
                    pct(t.exact, t.n)
                )
                .expect("write");
            }
            tools.insert(
                name.to_string(),
                json!({"exact": t.exact, "untouched": t.untouched}),
            );
        }
        println!("{row}");
        let first = &tallies[&(TOOLS[0].0, category.clone())];
        categories.push(json!({
            "name": category, "clean": clean, "n": first.n, "bytes": first.bytes, "tools": tools,
        }));
    }
    println!();
    println!("| tool | corpus MB/s | bench input MB/s |");
    println!("|---|---:|---:|");
    for (name, _) in TOOLS {
        let t = &timings[name];
        println!(
            "| {name} | {:.1} | {} |",
            t["corpus_mb_per_s"].as_f64().unwrap_or(0.0),
            t.get("bench_input_mb_per_s")
                .and_then(|v| v.as_f64())
                .map_or("(run the criterion bench first)".to_owned(), |v| format!(
                    "{v:.1}"
                ))
        );
    }
    results.insert("corpus_bytes".into(), json!(corpus_bytes));
    results.insert("categories".into(), json!(categories));
    results.insert("timings".into(), serde_json::Value::Object(timings));
    results.insert("tricky".into(), json!(tricky));
    fs::write(
        out_dir.join("results-rust.json"),
        serde_json::to_string_pretty(&serde_json::Value::Object(results)).expect("json"),
    )
    .expect("write results-rust.json");
    println!();
    println!(
        "failures: {}/failures-{{quire,plsfix}}.txt (first difference, 12 characters either side)",
        out_dir.display()
    );
}

/// Scores quire and plsfix on ftfy's own test cases (real-world mojibake
/// and synthetic edge cases, from ftfy's source distribution on PyPI, which
/// run.sh downloads; nothing of it is kept here). The expected text is the
/// case's `fixed-encoding` where it has one (what encoding repair alone
/// gives), else `fixed`; a case whose expected text is its input is clean
/// text that must stay. ftfy marks some cases as its own known failures
/// (`expect: fail`): they are scored all the same.
fn ftfy_cases(path: &Path) {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}; run.sh downloads it", path.display()));
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("a JSON list");
    let mut rows: BTreeMap<(&str, bool), (usize, usize)> = BTreeMap::new();
    let mut failures = String::new();
    for case in &cases {
        let input = case["original"].as_str().expect("original");
        let expected = case
            .get("fixed-encoding")
            .or_else(|| case.get("fixed"))
            .and_then(|v| v.as_str())
            .expect("fixed");
        let clean = input == expected;
        for (name, fix) in TOOLS {
            let got = fix(input);
            let row = rows.entry((name, clean)).or_default();
            row.0 += 1;
            if got == expected {
                row.1 += 1;
            } else {
                writeln!(
                    failures,
                    "{name}: {}\n  input    {input:?}\n  got      {got:?}\n  expected {expected:?}",
                    case["label"].as_str().unwrap_or("")
                )
                .expect("write");
            }
        }
    }
    println!("| ftfy's test cases | cases | quire | plsfix |");
    println!("|---|---:|---:|---:|");
    for clean in [true, false] {
        let (n, quire_ok) = rows.get(&("quire", clean)).copied().unwrap_or_default();
        let (_, plsfix_ok) = rows.get(&("plsfix", clean)).copied().unwrap_or_default();
        let what = if clean {
            "clean, must stay"
        } else {
            "garbled, must come back"
        };
        let cell = |ok: usize| {
            if clean {
                format!("changed {} ({})", n - ok, pct(n - ok, n))
            } else {
                format!("restored {ok}/{n} ({})", pct(ok, n))
            }
        };
        println!(
            "| {what} | {n} | {} | {} |",
            cell(quire_ok),
            cell(plsfix_ok)
        );
    }
    let out = repo().join("target/mojibake-compare/failures-ftfy-cases.txt");
    fs::create_dir_all(out.parent().expect("parent")).expect("create output dir");
    fs::write(&out, failures).expect("write failures");
    println!("failures: {}", out.display());
}

/// Shows what each repair does to the strings given, garbled first with
/// `--garble ENCODING[:LAYERS]`.
fn probe(args: &[String]) {
    let mut garble: Option<(Encoding, u8)> = None;
    let mut strings = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--garble" {
            let spec = iter.next().expect("--garble ENCODING[:LAYERS]");
            let (label, layers) = spec.split_once(':').unwrap_or((spec, "1"));
            let encoding = Encoding::parse(label).expect("windows-1252, latin-1 or mac-roman");
            garble = Some((encoding, layers.parse().expect("layers")));
        } else {
            strings.push(arg.clone());
        }
    }
    for original in strings {
        let input = match garble {
            Some((encoding, layers)) => encoding.garble(&original, layers),
            None => original.clone(),
        };
        println!("input   {input:?}");
        let repaired = quire_text::repair::repair(&input);
        println!(
            "quire   {:?}{}",
            repaired.text,
            if repaired.text == original {
                "  (= original)"
            } else {
                ""
            }
        );
        for r in &repaired.repairs {
            println!(
                "        {:?} -> {:?} ({}, {} layer)",
                r.before,
                r.after,
                r.encoding.label(),
                r.layers
            );
        }
        let p = plsfix(&input);
        println!(
            "plsfix  {p:?}{}",
            if p == original { "  (= original)" } else { "" }
        );
        println!();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("probe") => probe(&args[1..]),
        Some("languages") => languages::run(&repo().join("target/mojibake-compare")),
        Some("ftfy-cases") => ftfy_cases(args.get(1).map(Path::new).unwrap_or_else(|| {
            eprintln!("usage: mojibake-compare ftfy-cases PATH/TO/test_cases.json");
            std::process::exit(2);
        })),
        None => run(&repo().join("target/mojibake-compare")),
        Some(other) => {
            eprintln!(
                "usage: mojibake-compare [probe [--garble ENCODING[:LAYERS]] STRING... | languages | ftfy-cases PATH]; got {other:?}"
            );
            std::process::exit(2);
        }
    }
}
