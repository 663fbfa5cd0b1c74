//! Any text as a chapter written in Markdown (raw HTML inside included):
//! no panic, and the HTML kept can run nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_archive::model::ChapterDraft;

#[path = "../support.rs"]
mod support;

fuzz_target!(|bytes: &[u8]| {
    let markdown = String::from_utf8_lossy(bytes);
    support::assert_inert(&ChapterDraft::from_markdown(&markdown).html);
});
