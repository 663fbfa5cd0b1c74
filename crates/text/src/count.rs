//! Counts: words, paragraphs, dialogue share and reading time.
//!
//! The word rule: a word is a whitespace-separated token holding at least
//! one letter or digit, so `--`, `***` and a lone `—` are not words, while
//! `don't`, `well-known`, `Y/N` and `word—word` each count once; in scripts
//! written without spaces (Chinese, Japanese, Thai, …) each character counts
//! as a word. This is the same unit the lossless check compares.
//!
//! AO3 counts differently ([`ao3_words`]): it drops apostrophes and single
//! hyphens, then counts runs of word characters, so `Y/N` and `word—word`
//! are two words there and `don't` one. Both are reported.

use serde::{Deserialize, Serialize};

use crate::prose;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub words: usize,
    /// The same text counted the way AO3 counts.
    pub ao3_words: usize,
    pub paragraphs: usize,
    /// Share of the story's characters that are inside quotations, 0–1.
    pub dialogue_share: f64,
    /// At [`WORDS_PER_MINUTE`], Chinese and Japanese characters at their
    /// own readers' pace ([`HAN_PER_MINUTE`], [`JAPANESE_PER_MINUTE`]);
    /// rounded up, 0 only for an empty text.
    pub reading_minutes: usize,
}

/// Silent reading speed of adults for fiction (Brysbaert 2019, "How many
/// words do we read per minute?": 260 words a minute for fiction).
pub const WORDS_PER_MINUTE: usize = 260;

/// Chinese readers read about 255 characters a minute, Japanese readers
/// about 357 of their mixed kanji and kana (Trauzettel-Klosinski and Dietz
/// 2012, the International Reading Speed Texts, read aloud by adults of
/// each language).
pub const HAN_PER_MINUTE: f64 = 255.0;
pub const JAPANESE_PER_MINUTE: f64 = 357.0;

/// Minutes to read `words` words of which `han` are Chinese or Japanese
/// characters (kana among them says the text is Japanese).
fn reading_minutes(words: usize, han: usize, kana: bool) -> usize {
    let pace = if kana {
        JAPANESE_PER_MINUTE
    } else {
        HAN_PER_MINUTE
    };
    let minutes = (words - han) as f64 / WORDS_PER_MINUTE as f64 + han as f64 / pace;
    minutes.ceil() as usize
}

/// A character of a script written without spaces between words
/// (Chinese, Japanese, Thai, Lao, Myanmar, Khmer): each counts as a word,
/// and search indexes it in pairs.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x0E00..=0x0E7F    // Thai
        | 0x0E80..=0x0EFF    // Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x20000..=0x2FFFF) // CJK Extensions B–F
}

/// A count as AO3 prints it: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whitespace-separated tokens holding a letter or digit, in order: the unit
/// of the lossless guarantee.
pub fn word_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
}

pub fn words(text: &str) -> usize {
    word_tokens(text)
        .map(|token| {
            let unspaced = token.chars().filter(|&c| is_unspaced_script(c)).count();
            if unspaced == 0 {
                1
            } else {
                let rest_has_word = token
                    .chars()
                    .any(|c| c.is_alphanumeric() && !is_unspaced_script(c));
                unspaced + usize::from(rest_has_word)
            }
        })
        .sum()
}

/// Words as AO3 counts them (its `WordCounter`, described in
/// `crates/text/README.md`): apostrophes and lone hyphens join, `--` and
/// every other non-word character separate, and each Han, Hiragana,
/// Katakana or Thai character is a word of its own.
pub fn ao3_words(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut in_word = false;
    for (i, &c) in chars.iter().enumerate() {
        // The last hyphen of a run needs no look back: the one before it
        // already ended the word.
        let doubled_hyphen = c == '-' && chars.get(i + 1) == Some(&'-');
        if matches!(c, '\'' | '’' | '‘' | '-') && !doubled_hyphen {
            continue;
        }
        if is_ao3_character_script(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() || c == '_' {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else {
            in_word = false;
        }
    }
    count
}

fn is_ao3_character_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x0E00..=0x0E7F | 0x20000..=0x2FFFF)
}

pub fn count<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Counts {
    let mut words_total = 0;
    // Chinese and Japanese characters, each a word; and whether any is kana.
    let mut han_total = 0;
    let mut kana = false;
    let mut ao3_total = 0;
    let mut paragraph_count = 0;
    let mut chars_total = 0usize;
    let mut quoted_chars = 0usize;
    for paragraph in paragraphs {
        paragraph_count += 1;
        words_total += words(paragraph);
        for c in paragraph.chars() {
            let code = c as u32;
            if (0x3040..=0x30FF).contains(&code) {
                kana = true;
            }
            if is_unspaced_script(c) && !(0x0E00..=0x17FF).contains(&code) {
                han_total += 1;
            }
        }
        ao3_total += ao3_words(paragraph);
        chars_total += paragraph.chars().count();
        for span in prose::quote_spans(paragraph) {
            quoted_chars += paragraph[span].chars().count();
        }
    }
    Counts {
        words: words_total,
        ao3_words: ao3_total,
        paragraphs: paragraph_count,
        dialogue_share: if chars_total == 0 {
            0.0
        } else {
            quoted_chars as f64 / chars_total as f64
        },
        reading_minutes: reading_minutes(words_total, han_total.min(words_total), kana),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_like_ao3() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn words_by_the_rule() {
        assert_eq!(
            words("He said -- no *** don't well-known Y/N word—word — ."),
            7
        );
        assert_eq!(words("日本語 text"), 4);
        // Each character of the unspaced script, and the rest of the token once.
        assert_eq!(words("東京tower 東京"), 5);
        assert_eq!(words(""), 0);
    }

    #[test]
    fn a_text_is_counted_paragraph_by_paragraph() {
        let counts = count(["\"Run,\" she said.", "They ran.", "日本語"]);
        assert_eq!(
            (counts.words, counts.ao3_words, counts.paragraphs),
            (8, 8, 3)
        );
        assert_eq!(counts.reading_minutes, 1);
        assert!(counts.dialogue_share > 0.1 && counts.dialogue_share < 0.5);
        assert_eq!(count([]).paragraphs, 0);
    }

    #[test]
    fn words_as_ao3_counts_them() {
        assert_eq!(ao3_words("one-word one's one--two"), 4);
        assert_eq!(ao3_words("Y/N word—word -- ***"), 4);
        assert_eq!(ao3_words("日本語 text"), 4);
        assert_eq!(ao3_words("S-stop. I love-"), 3);
    }

    #[test]
    fn chinese_and_japanese_are_timed_at_their_readers_pace() {
        let chinese = "森".repeat(2_550);
        assert_eq!(count([chinese.as_str()]).reading_minutes, 10);
        let japanese = "森の".repeat(1_785);
        assert_eq!(count([japanese.as_str()]).reading_minutes, 10);
        let english = "word ".repeat(2_600);
        assert_eq!(count([english.as_str()]).reading_minutes, 10);
        let both = format!("{} {}", "word ".repeat(1_300), "森".repeat(1_275));
        assert_eq!(count([both.as_str()]).reading_minutes, 10);
    }

    #[test]
    fn counts_a_story() {
        let counts = count(["\"Hi,\" she said.", "He left."]);
        assert_eq!(counts.words, 5);
        assert_eq!(counts.paragraphs, 2);
        assert_eq!(counts.reading_minutes, 1);
        assert!(
            (counts.dialogue_share - 5.0 / 23.0).abs() < 1e-9,
            "{}",
            counts.dialogue_share
        );
    }
}
