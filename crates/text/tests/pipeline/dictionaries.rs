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

use std::path::Path;

use encoding_rs::{Encoding, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252, WINDOWS_1257};
use quire_text::repair::repair;

/// (dictionary, the code page its language's text was typed in on Windows)
const DICTIONARIES: &[(&str, &Encoding)] = &[
    ("ru_RU", WINDOWS_1251),
    ("uk_UA", WINDOWS_1251),
    ("bg_BG", WINDOWS_1251),
    ("sr_RS", WINDOWS_1251),
    ("pl_PL", WINDOWS_1250),
    ("cs_CZ", WINDOWS_1250),
    ("sk_SK", WINDOWS_1250),
    ("hu_HU", WINDOWS_1250),
    ("ro_RO", WINDOWS_1250),
    ("hr_HR", WINDOWS_1250),
    ("sl_SI", WINDOWS_1250),
    ("de_DE", WINDOWS_1252),
    ("da_DK", WINDOWS_1252),
    ("pt_PT", WINDOWS_1252),
    ("pt_BR", WINDOWS_1252),
    ("es_ES", WINDOWS_1252),
    ("it_IT", WINDOWS_1252),
    ("fr_FR", WINDOWS_1252),
    ("sv_SE", WINDOWS_1252),
    ("nl_NL", WINDOWS_1252),
    ("lt_LT", WINDOWS_1257),
    ("lv_LV", WINDOWS_1257),
    // Languages with a code page of their own that quire does not read
    // back (Windows-1253 to 1258): their text misread as Western European,
    // the commonest mix-up.
    ("el_GR", WINDOWS_1252),
    ("he_IL", WINDOWS_1252),
    ("ar", WINDOWS_1252),
    ("tr_TR", WINDOWS_1252),
    ("vi_VN", WINDOWS_1252),
];

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

/// Words taken from each dictionary, spread over all of it.
const SAMPLE: usize = 6_000;
/// Words to a sentence.
const SENTENCE: usize = 8;

/// The dictionary's words (stems, without their affix flags), decoded in
/// the character set its `.aff` names.
fn words(name: &str) -> Vec<String> {
    let dir = Path::new("/usr/share/hunspell");
    let read = |ext: &str| {
        std::fs::read(dir.join(format!("{name}.{ext}"))).unwrap_or_else(|e| {
            panic!("{name}.{ext}: {e} (scripts/test installs the hunspell dictionaries)")
        })
    };
    let aff = String::from_utf8_lossy(&read("aff")).into_owned();
    let set = aff
        .lines()
        .find_map(|l| l.strip_prefix("SET "))
        .map(|s| s.trim().replace("ISO8859", "ISO-8859"))
        .unwrap_or_else(|| "UTF-8".into());
    let encoding = Encoding::for_label(set.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let dic = read("dic");
    let (text, _, _) = encoding.decode(&dic);
    let all: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(['/', '\t']).next())
        .map(str::trim)
        .filter(|w| !w.is_ascii() && !w.is_empty())
        .map(str::to_string)
        .collect();
    let step = (all.len() / SAMPLE).max(1);
    all.into_iter().step_by(step).collect()
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
        let (mut sentences, mut restored, mut restored_twice) = (0, 0, 0);
        let mut shown_unrepaired = 0;
        // Words next to each other in a dictionary share their beginnings
        // (`bỗng bộ bộc bội`), words of a sentence don't: each sentence
        // takes words spread over the sample.
        let stride = words.len() / SENTENCE;
        for first in 0..stride {
            let sentence = (0..SENTENCE)
                .map(|i| words[first + i * stride].as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let kept = repair(&sentence).text;
            if kept != sentence {
                changed += 1;
                if damaged.len() < 40 {
                    damaged.push(format!("{name}: {sentence:?} → {kept:?}"));
                }
            }
            let (garbled, _, _) = code_page.decode(sentence.as_bytes());
            if garbled == sentence {
                continue;
            }
            // A letter one of whose bytes the code page has no character
            // for is lost (the decoder wrote U+FFFD): the repair keeps the
            // U+FFFD in its place.
            let expected: String = sentence
                .chars()
                .map(|c| {
                    let mut bytes = [0; 4];
                    let (alone, _, _) = code_page.decode(c.encode_utf8(&mut bytes).as_bytes());
                    if alone.contains('\u{FFFD}') {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            sentences += 1;
            let back = repair(&garbled).text;
            if back == expected {
                restored += 1;
            } else if shown_unrepaired < 3 {
                shown_unrepaired += 1;
                unrepaired.push(format!("{name}: {garbled:?} → {back:?}"));
            }
            // The same mix-up twice.
            let (twice, _, _) = code_page.decode(garbled.as_bytes());
            if repair(&twice).text == expected {
                restored_twice += 1;
            }
        }
        report.push(format!(
            "{name}: {} words, {changed} changed; {restored}/{sentences} garbled sentences restored, \
             {restored_twice}/{sentences} garbled twice",
            words.len()
        ));
        assert!(sentences > 0, "{name}: nothing to garble");
        // What stays is mostly the dictionaries' Greek letters used as
        // signs (`kΩ`), garbled in a Latin code page.
        let minimum = minimum_restored(name);
        if restored * 100 < sentences * minimum {
            short.push(format!("{name}: {restored}/{sentences} restored"));
        }
        if restored_twice * 100 < sentences * minimum {
            short.push(format!(
                "{name}: {restored_twice}/{sentences} restored from garbling twice"
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
