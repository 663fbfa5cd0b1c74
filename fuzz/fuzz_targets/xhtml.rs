//! Any text as chapter HTML through the EPUB's XHTML converter, raw and
//! after the archive's sanitizer: no panic, and always well-formed XML.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_text::FillProfile;

fuzz_target!(|bytes: &[u8]| {
    let Ok(html) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut fill = FillProfile::new();
    let _ = fill.set("Y/N", "<Al & \"Co\">");
    for input in [html.to_string(), quire_archive::sanitize::sanitize(html)] {
        for profile in [&FillProfile::new(), &fill] {
            let xhtml = quire_export::xhtml::to_xhtml(&input, profile);
            let doc = format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{xhtml}</div>");
            if let Err(err) = roxmltree::Document::parse(&doc) {
                panic!("not well-formed ({err}): {xhtml}");
            }
        }
    }
});
