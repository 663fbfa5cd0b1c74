//! export-bench: quire's EPUB build beside calibre's `ebook-convert
//! work.html work.epub`, on the same work, in the same run.
//!
//! For each size it makes one work from the generated corpus's prose (in
//! chapters of about 5,000 words, as the export tests make theirs), writes quire's HTML download of it
//! (what calibre converts, as AO3's EPUBs are calibre conversions of its
//! HTML), then times quire's `epub()` in process and calibre's command,
//! runs epubcheck on both books and prints a markdown table.
//!
//!   export-bench [--words 5000,200000] [--runs 5] [--calibre-runs 3] [--out DIR]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

// The works the export tests check with epubcheck, built the same way.
#[allow(dead_code)]
#[path = "../../../crates/export/tests/export/support.rs"]
mod support;

const CHAPTER_WORDS: usize = 5_000;

struct Args {
    words: Vec<usize>,
    runs: usize,
    calibre_runs: usize,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        words: vec![5_000, 200_000],
        runs: 5,
        calibre_runs: 3,
        out: PathBuf::from("target/export-bench"),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: `{v}` is not a whole number"))
        };
        match flag.as_str() {
            "--words" => args.words = value.split(',').map(number).collect::<Result<_, _>>()?,
            "--runs" => args.runs = number(&value)?.max(1),
            "--calibre-runs" => args.calibre_runs = number(&value)?.max(1),
            "--out" => args.out = PathBuf::from(value),
            _ => return Err(format!("unknown option {flag}; see the top of src/main.rs")),
        }
    }
    Ok(args)
}

/// A work of about `words` words in chapters of about 5,000, built as the
/// export tests build theirs.
fn work(words: usize) -> quire_archive::Work {
    support::generated_work(1, words.div_ceil(CHAPTER_WORDS).max(1), words)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// epubcheck's counts line, e.g. `0 fatals / 0 errors / 2 warnings`.
fn epubcheck(path: &Path) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return "no book".into();
    };
    let name = path
        .file_stem()
        .map_or("book".into(), |s| s.to_string_lossy().into_owned());
    let (_, report) = support::run_epubcheck(&name, &bytes);
    report
        .lines()
        .find_map(|l| l.strip_prefix("Messages: "))
        .map(|counts| counts.replace(" / 0 infos", "").trim().to_string())
        .unwrap_or_else(|| format!("no summary: {}", report.lines().last().unwrap_or("")))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("export-bench: {err}");
            std::process::exit(2);
        }
    };
    if let Err(err) = std::fs::create_dir_all(&args.out) {
        eprintln!("export-bench: cannot create {}: {err}", args.out.display());
        std::process::exit(1);
    }
    let options = quire_export::Options::new("https://quire.example").expect("a valid base URL");
    let calibre_version = Command::new("ebook-convert")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|_| "ebook-convert not found".into());
    // calibre's start-up (Python and Qt) on a book of one line: what every
    // conversion pays before converting anything, as AO3 pays it per
    // download. Subtracted, it leaves calibre's conversion alone.
    let tiny_path = args.out.join("one-line.html");
    std::fs::write(
        &tiny_path,
        "<!DOCTYPE html><html><head><title>One</title></head><body><p>One line.</p></body></html>",
    )
    .expect("write the one-line book");
    let startup = median(
        (0..args.calibre_runs)
            .map(|_| calibre(&tiny_path, &args.out.join("one-line.epub")))
            .collect(),
    );
    println!(
        "calibre's start-up (converting a one-line book), median of {}: {}",
        args.calibre_runs,
        ms(startup)
    );
    println!();
    println!("| words (chapters) | quire `epub()` median of {} | calibre `ebook-convert` median of {} | calibre ÷ quire (calibre started per download, as AO3 runs it) | calibre's conversion alone (less start-up) | ÷ quire | quire EPUB, epubcheck | calibre EPUB, epubcheck | sizes (quire / calibre) |", args.runs, args.calibre_runs);
    println!("|---|---:|---:|---:|---:|---:|---|---|---|");
    for &words in &args.words {
        let work = work(words);
        let html_path = args.out.join(format!("work-{words}.html"));
        let quire_path = args.out.join(format!("quire-{words}.epub"));
        let calibre_path = args.out.join(format!("calibre-{words}.epub"));
        std::fs::write(&html_path, quire_export::html(&work, &options)).expect("write the HTML");

        let mut quire_times = Vec::new();
        let mut bytes = Vec::new();
        for _ in 0..args.runs {
            let start = Instant::now();
            bytes =
                quire_export::epub(std::hint::black_box(&work), &options).expect("quire's EPUB");
            quire_times.push(start.elapsed());
        }
        std::fs::write(&quire_path, &bytes).expect("write quire's EPUB");

        let calibre_times = (0..args.calibre_runs)
            .map(|_| calibre(&html_path, &calibre_path))
            .collect();
        let quire = median(quire_times);
        let calibre = median(calibre_times);
        let conversion = calibre.saturating_sub(startup);
        let size = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| format!("{} KiB", m.len() / 1024))
                .unwrap_or_else(|_| "none".into())
        };
        println!(
            "| {} ({}) | {} | {} | {:.0}× | {} | {:.0}× | {} | {} | {} / {} |",
            work.word_count,
            work.chapters.len(),
            ms(quire),
            ms(calibre),
            calibre.as_secs_f64() / quire.as_secs_f64().max(1e-9),
            ms(conversion),
            conversion.as_secs_f64() / quire.as_secs_f64().max(1e-9),
            epubcheck(&quire_path),
            epubcheck(&calibre_path),
            size(&quire_path),
            size(&calibre_path),
        );
    }
    println!();
    println!("calibre: {calibre_version}");
}

/// One `ebook-convert` of `from` into `to`, timed; a failure is said.
fn calibre(from: &Path, to: &Path) -> std::time::Duration {
    let _ = std::fs::remove_file(to);
    let start = Instant::now();
    let status = Command::new("ebook-convert").arg(from).arg(to).output();
    let took = start.elapsed();
    match status {
        Ok(o) if o.status.success() => {}
        Ok(o) => eprintln!(
            "ebook-convert failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(err) => eprintln!("ebook-convert did not run: {err}"),
    }
    took
}
