//! A clean multilingual corpus built at run time from Debian's hunspell
//! dictionaries (scripts/test installs them; nothing of them is copied into
//! the repository): the words of each language and sentences made of them.
//! Shared by the dictionary test and the mojibake bench
//! (bench/mojibake-compare includes this file by path).

use std::path::Path;

use encoding_rs::{Encoding, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252, WINDOWS_1257};

/// (dictionary, the code page its language's text was typed in on Windows)
pub const DICTIONARIES: &[(&str, &Encoding)] = &[
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

/// Words taken from each dictionary, spread over all of it.
const SAMPLE: usize = 6_000;
/// Words to a sentence.
const SENTENCE: usize = 8;

/// The dictionary's words (stems, without their affix flags) that are not
/// plain ASCII, decoded in the character set its `.aff` names; 6,000 of
/// them spread over it.
pub fn words(name: &str) -> Vec<String> {
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

/// Sentences of eight words. Words next to each other in a dictionary
/// share their beginnings (`bỗng bộ bộc bội`), words of a sentence don't:
/// each sentence takes words spread over the sample.
pub fn sentences(words: &[String]) -> Vec<String> {
    let stride = words.len() / SENTENCE;
    (0..stride)
        .map(|first| {
            (0..SENTENCE)
                .map(|i| words[first + i * stride].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `text` with U+FFFD for each letter that some layer of `garbling`,
/// applied to the letter alone, turns into something holding U+FFFD (a
/// byte the code page has no character for, as a decoder left it): what
/// no repair can bring back.
pub fn lost_letters(text: &str, layers: usize, garbling: impl Fn(&str) -> String) -> String {
    text.chars()
        .map(|c| {
            let mut layer = c.to_string();
            for _ in 0..layers {
                layer = garbling(&layer);
                if layer.contains('\u{FFFD}') {
                    return '\u{FFFD}';
                }
            }
            c
        })
        .collect()
}
