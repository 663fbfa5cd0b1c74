//! export-bench: quire's EPUB and PDF builds beside calibre's
//! `ebook-convert work.html work.epub` and `ebook-convert work.html
//! work.pdf`, on the same work, in the same run.
//!
//! For each size it makes one work from the generated corpus's prose (in
//! chapters of about 5,000 words, as the export tests make theirs), writes quire's HTML download of it
//! (what calibre converts, as AO3's EPUBs and PDFs are calibre conversions
//! of its HTML), then times quire's `epub()` and `pdf()` in process and
//! calibre's commands, runs epubcheck on both books, counts the PDFs'
//! pages and blank pages (poppler's pdfinfo and pdftotext), and prints
//! markdown tables.
//!
//!   export-bench [--words 5000,200000] [--runs 5] [--pdf-runs 3] [--calibre-runs 3] [--out DIR]

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
    pdf_runs: usize,
    calibre_runs: usize,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        words: vec![5_000, 200_000],
        runs: 5,
        pdf_runs: 3,
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
            "--pdf-runs" => args.pdf_runs = number(&value)?.max(1),
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

/// A file's size in KiB.
fn size(path: &Path) -> String {
    std::fs::metadata(path)
        .map(|m| format!("{} KiB", m.len() / 1024))
        .unwrap_or_else(|_| "none".into())
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
    pdf_table(&args, &options, &tiny_path);
    println!();
    println!("calibre: {calibre_version}");
}

/// Pages in a PDF, and how many of them hold no text (a page number
/// alone counts as none), by poppler's pdfinfo and pdftotext.
fn pdf_pages(path: &Path) -> String {
    let Some(text) = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    else {
        return "unreadable".into();
    };
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    let blank = pages
        .iter()
        .filter(|page| {
            page.split_whitespace()
                .all(|word| word.chars().all(|c| c.is_ascii_digit()))
        })
        .count();
    format!("{} pages, {blank} blank", pages.len())
}

/// quire's `pdf()` (A5, and US letter) beside `ebook-convert work.html
/// work.pdf`, calibre converting the same HTML as for the EPUB table.
fn pdf_table(args: &Args, options: &quire_export::Options, tiny_path: &Path) {
    let startup = median(
        (0..args.calibre_runs)
            .map(|_| calibre(tiny_path, &args.out.join("one-line.pdf")))
            .collect(),
    );
    println!(
        "calibre's start-up for a PDF (converting a one-line book), median of {}: {}",
        args.calibre_runs,
        ms(startup)
    );
    println!();
    // The first PDF a process makes indexes the installed fonts and reads
    // the faces it sets; a server pays that once, so it is timed apart.
    let start = Instant::now();
    quire_export::pdf(&work(1_000), options).unwrap_or_else(|err| panic!("quire's PDF: {err}"));
    println!(
        "quire's first PDF in a process (a 1,000-word work, fonts indexed and loaded): {}",
        ms(start.elapsed())
    );
    println!();
    println!("| words (chapters) | quire `pdf()` A5, median of {runs} | quire `pdf()` US letter, median of {runs} | calibre `ebook-convert` to PDF, median of {} | calibre ÷ quire (A5) | calibre's conversion alone (less start-up) | ÷ quire | quire PDF (A5) | calibre PDF | sizes (quire A5 / calibre) |", args.calibre_runs, runs = args.pdf_runs);
    println!("|---|---:|---:|---:|---:|---:|---:|---|---|---|");
    let letter = options.clone().with_paper(quire_export::Paper::Letter);
    for &words in &args.words {
        let work = work(words);
        let html_path = args.out.join(format!("work-{words}.html"));
        let quire_path = args.out.join(format!("quire-{words}.pdf"));
        let calibre_path = args.out.join(format!("calibre-{words}.pdf"));
        std::fs::write(&html_path, quire_export::html(&work, options)).expect("write the HTML");
        let time = |options: &quire_export::Options| {
            let mut times = Vec::new();
            let mut bytes = Vec::new();
            for _ in 0..args.pdf_runs {
                let start = Instant::now();
                bytes = quire_export::pdf(std::hint::black_box(&work), options)
                    .unwrap_or_else(|err| panic!("quire's PDF: {err}"));
                times.push(start.elapsed());
            }
            (median(times), bytes)
        };
        let (quire, bytes) = time(options);
        std::fs::write(&quire_path, &bytes).expect("write quire's PDF");
        let (quire_letter, _) = time(&letter);
        let calibre_time = median(
            (0..args.calibre_runs)
                .map(|_| calibre(&html_path, &calibre_path))
                .collect(),
        );
        let conversion = calibre_time.saturating_sub(startup);
        println!(
            "| {} ({}) | {} | {} | {} | {:.1}× | {} | {:.1}× | {} | {} | {} / {} |",
            work.word_count,
            work.chapters.len(),
            ms(quire),
            ms(quire_letter),
            ms(calibre_time),
            calibre_time.as_secs_f64() / quire.as_secs_f64().max(1e-9),
            ms(conversion),
            conversion.as_secs_f64() / quire.as_secs_f64().max(1e-9),
            pdf_pages(&quire_path),
            pdf_pages(&calibre_path),
            size(&quire_path),
            size(&calibre_path),
        );
    }
}

/// One `ebook-convert` of `from` into `to`, timed. A failed conversion
/// ends the run: a ratio against a conversion that made nothing would
/// mean nothing.
fn calibre(from: &Path, to: &Path) -> std::time::Duration {
    let _ = std::fs::remove_file(to);
    let start = Instant::now();
    let status = Command::new("ebook-convert").arg(from).arg(to).output();
    let took = start.elapsed();
    let failed = match status {
        Ok(o) if o.status.success() && to.exists() => return took,
        Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
        Err(err) => format!("ebook-convert did not run: {err}"),
    };
    let tail: Vec<&str> = failed.lines().rev().take(5).collect();
    eprintln!(
        "export-bench: ebook-convert {} {} failed:\n{}",
        from.display(),
        to.display(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    std::process::exit(1);
}
