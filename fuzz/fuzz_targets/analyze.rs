//! Any bytes through the whole pipeline: `analyze` and `render` never
//! panic, and when the bytes decode no word of the repaired input is lost.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_text::{analyze, lossless, repair_bytes, FillProfile};

fuzz_target!(|bytes: &[u8]| {
    let Ok(manuscript) = analyze(bytes) else {
        // Refused as binary: repairing must refuse it too, without panicking.
        assert!(
            repair_bytes(bytes).is_err(),
            "analyze refused what repair_bytes read"
        );
        return;
    };
    let mut profile = FillProfile::new();
    for pair in ["Y/N=Alex", "E/C=green", "L/N=Quinn"] {
        profile.set_pair(pair).expect("valid pair");
    }
    let _ = manuscript.render(&profile);
    let _ = manuscript.render(&FillProfile::new());

    let decoded = quire_text::decode::decode(bytes).expect("analyze read these bytes");
    // Control characters are not text: analyze removes them first.
    let repaired = quire_text::repair::repair(&quire_text::without_controls(&decoded.text));
    if let Err(lost) = lossless::check(&manuscript, &repaired.text) {
        panic!("words lost: {lost}");
    }
});
