//! Any bytes through the import parsers (raw text, AO3 download, EPUB),
//! under each name that picks a parser: no panic, and a draft that comes
//! back keeps the model's rules.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire_archive::import::prepare;

fuzz_target!(|bytes: &[u8]| {
    for name in ["work.txt", "work.html", "book.epub"] {
        if let Ok(prepared) = prepare(Path::new(name), bytes) {
            assert!(prepared.draft.validate().is_ok());
        }
    }
});
