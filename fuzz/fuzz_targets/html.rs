//! Any bytes as pasted HTML and as an HTML file to import: no panic, and
//! what the sanitizer keeps can run nothing (see `support::assert_inert`).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire_archive::import::prepare;
use quire_archive::model::ChapterDraft;

#[path = "../support.rs"]
mod support;

fuzz_target!(|bytes: &[u8]| {
    let html = String::from_utf8_lossy(bytes);
    support::assert_inert(&ChapterDraft::from_html(&html).html);
    if let Ok(prepared) = prepare(Path::new("work.html"), bytes) {
        assert!(prepared.draft.validate().is_ok());
        for chapter in &prepared.draft.chapters {
            support::assert_inert(&chapter.html);
        }
    }
});
