//! Any text through mojibake repair: no panic, and the reported repairs are
//! exactly the change: byte spans of the input, in order, holding their
//! `before`, which replaced by their `after` give the repaired text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_text::repair::repair;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let repaired = repair(&text);
    let mut rebuilt = String::new();
    let mut copied = 0;
    for r in &repaired.repairs {
        assert!(r.start >= copied && r.start < r.end && r.end <= text.len());
        assert_eq!(&text[r.start..r.end], r.before);
        rebuilt.push_str(&text[copied..r.start]);
        rebuilt.push_str(&r.after);
        copied = r.end;
    }
    rebuilt.push_str(&text[copied..]);
    assert_eq!(
        rebuilt, repaired.text,
        "repairs describe the change exactly"
    );
    if repaired.repairs.is_empty() {
        assert_eq!(repaired.text, text, "no repairs, no change");
    }
});
