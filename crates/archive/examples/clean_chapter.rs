//! Cleaning a 500,000-word chapter typed as into AO3's HTML box: quire's
//! whole cleaning (ammonia with AO3's allowlist, then AO3's paragraphing)
//! against `ammonia::clean` alone, in the same run;
//! and posting it whole (reading the text as well) against posting it
//! before paragraphing existed.
//!
//! ```sh
//! cargo run --release -p quire-archive --example clean_chapter
//! ```
//!
//! The chapter is made from the two seed stories beside the repository
//! (`../shared/seeds/`), their sentences laid out as a writer types HTML:
//! paragraphs separated by blank lines, single line breaks inside some,
//! italics and bold across words, and now and then a table and a list.

use std::time::{Duration, Instant};

use quire_archive::model::ChapterDraft;
use quire_archive::sanitize::{clean_chapter, sanitize};

const WORDS: usize = 500_000;

fn chapter() -> String {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");
    let mut words: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(seeds).expect("the seeds beside the repository") {
        let text = std::fs::read_to_string(entry.expect("a seed").path()).unwrap_or_default();
        words.extend(text.split_whitespace().map(quire_text::insert::escape_html));
    }
    assert!(!words.is_empty(), "no words in {seeds}");
    let mut html = String::new();
    let mut count = 0;
    let mut paragraph = 0;
    while count < WORDS {
        paragraph += 1;
        for n in 0..60 {
            let word = &words[count % words.len()];
            match n {
                10 => html.push_str(&format!("<em>{word}")),
                14 => html.push_str(&format!("{word}</em>")),
                30 if paragraph % 3 == 0 => html.push_str(&format!("{word}\n")),
                40 => html.push_str(&format!("<strong>{word}</strong>")),
                _ => html.push_str(word),
            }
            html.push(' ');
            count += 1;
        }
        html.push_str("\n\n");
        if paragraph % 200 == 0 {
            html.push_str("<table border=\"1\"><tr><th colspan=\"2\">Tally</th></tr><tr><td>a</td><td>1</td></tr></table>\n\n");
            html.push_str("<ol start=\"5\"><li>five</li><li>six</li></ol>\n\n");
        }
    }
    html
}

/// The median time of `runs` runs.
fn median(runs: usize, mut work: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        size = work();
        times.push(started.elapsed());
    }
    times.sort();
    (times[runs / 2], size)
}

fn main() {
    let html = chapter();
    println!(
        "input: {} bytes, {WORDS} words, rebuilt from the seeds each run",
        html.len()
    );
    let runs = 5;
    let (peer, peer_bytes) = median(runs, || ammonia::clean(&html).len());
    let (ammonia, ammonia_bytes) = median(runs, || sanitize(&html).len());
    let (cleaned, cleaned_bytes) = median(runs, || clean_chapter(&html).len());
    let (before, _) = median(runs, || {
        let text = quire_text::analyze_str(&html);
        sanitize(&html).len() + text.paragraphs.len()
    });
    let (after, _) = median(runs, || ChapterDraft::from_html(&html).html.len());
    println!("| what | median of {runs} | output bytes | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| `ammonia::clean` alone, its default allowlist (the peer) | {:.1} ms | {peer_bytes} | 1.00 |",
        peer.as_secs_f64() * 1e3
    );
    println!(
        "| quire's sanitize: ammonia with AO3's allowlist, nesting bounded | {:.1} ms | {ammonia_bytes} | {:.2} |",
        ammonia.as_secs_f64() * 1e3,
        ammonia.as_secs_f64() / peer.as_secs_f64()
    );
    println!(
        "| quire's cleaning: that, then AO3's paragraphing | {:.1} ms | {cleaned_bytes} | {:.2} |",
        cleaned.as_secs_f64() * 1e3,
        cleaned.as_secs_f64() / peer.as_secs_f64()
    );
    println!(
        "| posting before (read the text + ammonia) | {:.1} ms | | 1.00 |",
        before.as_secs_f64() * 1e3
    );
    println!(
        "| posting now (`ChapterDraft::from_html`) | {:.1} ms | | {:.2} |",
        after.as_secs_f64() * 1e3,
        after.as_secs_f64() / before.as_secs_f64()
    );
}
