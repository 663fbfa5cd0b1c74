//! How long hostile nesting takes to post, against an ordinary chapter of
//! the same size. Run in a release build:
//!
//!     cargo run --release -p quire-archive --example nesting_timing
//!
//! It prints, it asserts nothing: speed is measured, not tested. The figures
//! are in SECURITY.md.

use std::time::Instant;

use quire_archive::model::ChapterDraft;

fn time(what: &str, html: &str) {
    let started = Instant::now();
    let chapter = ChapterDraft::from_html(html);
    println!(
        "{what} ({} bytes): {:?}, {} paragraphs",
        html.len(),
        started.elapsed(),
        chapter.body.paragraphs.len()
    );
}

fn main() {
    // The most one 8 MB form can nest.
    let depth = 8_000_000 / "<div></div>".len();
    time(
        "nested divs, as deep as a form holds",
        &format!("{}x{}", "<div>".repeat(depth), "</div>".repeat(depth)),
    );
    // Just under the limit, again and again: the worst that is parsed.
    let limit = quire_text::nesting::MAX_PARSED_NESTING;
    let chunk = format!("{}x{}", "<div>".repeat(limit), "</div>".repeat(limit));
    time(
        "divs nested at the limit, repeated to 8 MB",
        &chunk.repeat(8_000_000 / chunk.len()),
    );
    let story = "<p>She said <em>no</em>, and meant it.</p>\n".repeat(8_000_000 / 42);
    time("an ordinary 8 MB chapter", &story);
}
