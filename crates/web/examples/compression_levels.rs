//! How long each brotli quality and gzip level takes on pages, and how
//! small it makes them, as quire compresses them (in pieces around a form
//! token): the measurement behind `compression::Effort`'s levels.
//!
//! ```sh
//! cargo run --release -p quire-web --example compression_levels -- PAGE.html…
//! ```
//!
//! Each page is cut where a 64-character form token would be (the first
//! `value="` of 64 hex characters, as quire's pages hold it) and
//! compressed at every level, as many times as fit in 0.3 s. The peer is
//! gzip at level 6, zlib's default, on the same pieces in the same run.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use quire_web::compression::{cut_at, Coding, Compressed};

/// The first form token on the page, if it holds one.
fn token_in(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    page.find(marker)
        .map(|at| page[at + marker.len()..].chars().take(64).collect())
        .unwrap_or_default()
}

/// Microseconds per compression, and the bytes it makes.
fn measure(pieces: &[Bytes], coding: Coding, level: u32) -> (f64, usize) {
    let started = Instant::now();
    let mut runs = 0u32;
    let mut bytes = 0;
    while runs < 3 || started.elapsed() < Duration::from_millis(300) {
        bytes = Compressed::at_level(pieces, coding, level).held_bytes();
        runs += 1;
    }
    (
        started.elapsed().as_secs_f64() * 1e6 / f64::from(runs),
        bytes,
    )
}

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: compression_levels PAGE.html…");
        std::process::exit(2);
    }
    for path in paths {
        let page = match std::fs::read_to_string(&path) {
            Ok(page) => page,
            Err(err) => {
                eprintln!("{path}: {err}");
                std::process::exit(1);
            }
        };
        let token = token_in(&page);
        let pieces = cut_at(&Bytes::from(page.clone()), &token);
        let (peer_us, peer_bytes) = measure(&pieces, Coding::Gzip, 6);
        println!(
            "\n{path}: {} bytes, {} pieces; peer gzip -6: {peer_us:.0} µs, {peer_bytes} bytes\n",
            page.len(),
            pieces.len()
        );
        println!("| coding | level | µs | bytes | time vs gzip -6 | size vs gzip -6 |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (coding, levels) in [(Coding::Gzip, 1..=9), (Coding::Brotli, 0..=11)] {
            for level in levels {
                let (us, bytes) = measure(&pieces, coding, level);
                println!(
                    "| {coding:?} | {level} | {us:.0} | {bytes} | {:.2}× | {:.3} |",
                    us / peer_us,
                    bytes as f64 / peer_bytes as f64
                );
            }
        }
    }
}
