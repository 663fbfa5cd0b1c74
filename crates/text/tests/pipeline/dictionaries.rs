//! Repair never changes correct text, and restores garbled text, measured
//! on the words of real dictionaries: Debian's hunspell dictionaries for
//! twenty-seven languages (scripts/test installs them; nothing of them is
//! copied into the repository). Every word that is not plain ASCII, as
//! written and in capitals, and runs of them as sentences, must come out
//! of the repair as they went in; the same sentences garbled the way their
//! language's text is garbled (UTF-8 read as its Windows code page) must
//! come back, at least 97 in 100 of them in each language (90 for the two
//! Baltic ones, see [`minimum_restored`]), and so must the same sentences
//! garbled twice (the garbled text saved and misread again). Letters the
//! code page has no byte for come back as U+FFFD, as a decoder left them.

use encoding_rs::Encoding;
use quire_text::repair::repair;

use crate::hunspell::{lost_letters, sentences, words, DICTIONARIES};

/// Sentences in 100 that must come back whole. Lithuanian and Latvian
/// through Windows-1257 spell `č` as `Ä¨`, which Windows-1252 reads as `Ĩ`:
/// where nothing else in the text tells the two code pages apart (no `į`,
/// no letter of the word before it), the repair keeps to Windows-1252.
fn minimum_restored(dictionary: &str) -> usize {
    match dictionary {
        "lt_LT" | "lv_LV" => 90,
        _ => 97,
    }
}

fn garble(code_page: &'static Encoding, text: &str) -> String {
    code_page.decode(text.as_bytes()).0.into_owned()
}

#[test]
fn dictionary_words_stay_as_written_and_come_back_when_garbled() {
    let mut report = Vec::new();
    let mut damaged = Vec::new();
    let mut unrepaired = Vec::new();
    let mut short = Vec::new();
    for &(name, code_page) in DICTIONARIES {
        let words = words(name);
        assert!(words.len() > 1_000, "{name}: {} words", words.len());
        let mut changed = 0;
        for word in &words {
            for form in [word.clone(), word.to_uppercase()] {
                let kept = repair(&form).text;
                if kept != form {
                    changed += 1;
                    if damaged.len() < 40 {
                        damaged.push(format!("{name}: {form:?} → {kept:?}"));
                    }
                }
            }
        }
        let (mut tried, mut restored, mut restored_twice) = (0, 0, 0);
        let mut shown_unrepaired = 0;
        for sentence in sentences(&words) {
            let kept = repair(&sentence).text;
            if kept != sentence {
                changed += 1;
                if damaged.len() < 40 {
                    damaged.push(format!("{name}: {sentence:?} → {kept:?}"));
                }
            }
            let garbled = garble(code_page, &sentence);
            if garbled == sentence {
                continue;
            }
            // A letter one of whose bytes the code page has no character
            // for is lost (the decoder wrote U+FFFD): the repair keeps the
            // U+FFFD in its place.
            let expected = lost_letters(&sentence, 1, |t| garble(code_page, t));
            tried += 1;
            let back = repair(&garbled).text;
            if back == expected {
                restored += 1;
            } else if shown_unrepaired < 3 {
                shown_unrepaired += 1;
                unrepaired.push(format!("{name}: {garbled:?} → {back:?}"));
            }
            // The same mix-up twice.
            let twice = garble(code_page, &garbled);
            if repair(&twice).text == lost_letters(&sentence, 2, |t| garble(code_page, t)) {
                restored_twice += 1;
            }
        }
        report.push(format!(
            "{name}: {} words, {changed} changed; {restored}/{tried} garbled sentences restored, \
             {restored_twice}/{tried} garbled twice",
            words.len()
        ));
        assert!(tried > 0, "{name}: nothing to garble");
        // What stays is mostly the dictionaries' Greek letters used as
        // signs (`kΩ`), garbled in a Latin code page.
        let minimum = minimum_restored(name);
        if restored * 100 < tried * minimum {
            short.push(format!("{name}: {restored}/{tried} restored"));
        }
        if restored_twice * 100 < tried * minimum {
            short.push(format!(
                "{name}: {restored_twice}/{tried} restored from garbling twice"
            ));
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        damaged.is_empty(),
        "correct text changed:\n{}\n{}",
        damaged.join("\n"),
        report.join("\n")
    );
    assert!(
        short.is_empty(),
        "{}\n{}\n{}",
        short.join("\n"),
        report.join("\n"),
        unrepaired.join("\n")
    );
}
