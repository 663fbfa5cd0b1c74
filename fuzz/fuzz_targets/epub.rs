//! Any bytes as an EPUB to import: no panic, and a draft that comes back
//! keeps the model's rules and holds nothing that can run. The seeds to
//! start from are real EPUBs (`scripts/fuzz` makes them with
//! `quire export`), so the fuzzer begins inside the zip and OPF parsers
//! rather than at "not a zip".

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire_archive::import::prepare;

#[path = "../support.rs"]
mod support;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(prepared) = prepare(Path::new("book.epub"), bytes) {
        assert!(prepared.draft.validate().is_ok());
        for chapter in &prepared.draft.chapters {
            support::assert_inert(&chapter.html);
        }
    }
});
