//! Repair never changes correct text, and restores garbled text, measured
//! on the words of real dictionaries: Debian's hunspell dictionaries for
//! eighteen languages (scripts/test installs them; nothing of them is
//! copied into the repository). Every word that is not plain ASCII, as
//! written and in capitals, and runs of them as sentences, must come out
//! of the repair as they went in; the same sentences garbled the way their
//! language's text is garbled (UTF-8 read as its Windows code page) must
//! come back, at least 97 in 100 of them in each language, and so must the
//! same sentences garbled twice (the garbled text saved and misread again).

use std::path::Path;

use encoding_rs::{Encoding, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252};
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
];

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
        for chunk in words.chunks(SENTENCE) {
            let sentence = chunk.join(" ");
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
            sentences += 1;
            let back = repair(&garbled).text;
            if back == sentence {
                restored += 1;
            } else if unrepaired.len() < 40 {
                unrepaired.push(format!("{name}: {garbled:?} → {back:?}"));
            }
            // The same mix-up twice.
            let (twice, _, _) = code_page.decode(garbled.as_bytes());
            if repair(&twice).text == sentence {
                restored_twice += 1;
            }
        }
        report.push(format!(
            "{name}: {} words, {changed} changed; {restored}/{sentences} garbled sentences restored, \
             {restored_twice}/{sentences} garbled twice",
            words.len()
        ));
        assert!(sentences > 0, "{name}: nothing to garble");
        // At least 97 in 100 sentences come back whole (what stays is
        // mostly the dictionaries' Greek letters and superscript
        // abbreviations, `XIXᵉˢ`, garbled in a Latin code page).
        if restored * 100 < sentences * 97 {
            short.push(format!("{name}: {restored}/{sentences} restored"));
        }
        if restored_twice * 100 < sentences * 97 {
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
