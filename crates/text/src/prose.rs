//! Reading prose: where quotations are, where sentences end, who speaks.
//! Shared by layout (re-paragraphing), notes, placeholders and counts.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

fn is_opening_quote(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}

fn is_closing_quote(c: char) -> bool {
    matches!(c, '”' | '»')
}

/// Byte ranges of the double-quoted passages in `text`, quote marks
/// included. Curly marks pair with curly marks and straight with straight,
/// so a stray mark of one kind can't swallow a quotation of the other; where
/// the two overlap, the one that opens first wins. A quotation left open at
/// the end is not reported: it is more often a typo than a speech that runs
/// to the end of a block.
pub(crate) fn quote_spans(text: &str) -> Vec<Range<usize>> {
    // A curly quotation holding straight double quotes is none: a stray
    // curly mark in text pasted from elsewhere (`“door … "Wait," he said
    // … résumé”`), whose span would swallow every quotation in between.
    let mut spans: Vec<Range<usize>> = quote_spans_of(text, QuoteKind::Curly)
        .into_iter()
        .filter(|span| !text[span.clone()].contains('"'))
        .collect();
    spans.extend(quote_spans_of(text, QuoteKind::Straight));
    spans.sort_by_key(|s| s.start);
    let mut kept: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        if kept.last().is_none_or(|last| last.end <= span.start) {
            kept.push(span);
        }
    }
    kept
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteKind {
    Curly,
    Straight,
}

fn quote_spans_of(text: &str, kind: QuoteKind) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let after_space = prev.is_none_or(|p| p.is_whitespace() || "([{—–-".contains(p));
        let before_space = next.is_none_or(|n| n.is_whitespace());
        prev = Some(c);
        // What this mark can do: open, close, or either.
        let (can_open, can_close) = match (kind, c) {
            (QuoteKind::Curly, c) if is_opening_quote(c) => (true, false),
            (QuoteKind::Curly, c) if is_closing_quote(c) => (false, true),
            (QuoteKind::Straight, '"') => (!before_space, !after_space || before_space),
            _ => continue,
        };
        match open {
            None if can_open => open = Some(i),
            None => {}
            Some(start) => {
                let opens_anew = can_open && (!can_close || (after_space && !before_space));
                if opens_anew {
                    // An opening mark inside a quotation: the one before was
                    // never closed. End it where this one begins.
                    let trimmed = text[..i].trim_end().len();
                    if trimmed > start {
                        spans.push(start..trimmed);
                    }
                    open = Some(i);
                } else if can_close {
                    spans.push(start..i + c.len_utf8());
                    open = None;
                }
            }
        }
    }
    spans
}

/// The quotation whose closing mark ends at byte `end`, if any.
fn quote_ending_at(spans: &[Range<usize>], end: usize) -> Option<&Range<usize>> {
    let idx = spans.partition_point(|s| s.end < end);
    spans.get(idx).filter(|s| s.end == end)
}

pub(crate) fn inside(spans: &[Range<usize>], pos: usize) -> bool {
    // Spans are sorted and disjoint.
    let idx = spans.partition_point(|s| s.end <= pos);
    spans.get(idx).is_some_and(|s| s.start < pos && pos < s.end)
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "lt", "capt", "gen", "col", "sgt",
    "mt", "no", "fig", "etc", "e.g", "i.e",
];

const PRONOUNS: &[(&str, &str)] = &[
    ("he", "he"),
    ("him", "he"),
    ("his", "he"),
    ("she", "she"),
    ("her", "she"),
    ("they", "they"),
    ("them", "they"),
    ("i", "i"),
    ("you", "you"),
    ("your", "you"),
    ("we", "we"),
];

fn speech_verbs() -> &'static HashSet<String> {
    static VERBS: OnceLock<HashSet<String>> = OnceLock::new();
    VERBS.get_or_init(|| {
        const BASES: &[&str] = &[
            "say",
            "ask",
            "reply",
            "sob",
            "cry",
            "shout",
            "whisper",
            "mutter",
            "yell",
            "scream",
            "beg",
            "order",
            "insist",
            "promise",
            "repeat",
            "snap",
            "hiss",
            "murmur",
            "add",
            "answer",
            "breathe",
            "call",
            "exclaim",
            "growl",
            "laugh",
            "mumble",
            "plead",
            "sigh",
            "stammer",
            "stutter",
            "tease",
            "urge",
            "wonder",
            "demand",
            "chuckle",
            "giggle",
            "groan",
            "moan",
            "grumble",
            "grunt",
            "gasp",
            "squeak",
            "squeal",
            "roar",
            "bark",
            "announce",
            "admit",
            "agree",
            "argue",
            "continue",
            "interrupt",
            "joke",
            "offer",
            "suggest",
            "warn",
            "whine",
            "croak",
            "rasp",
            "purr",
            "drawl",
            "retort",
            "respond",
            "question",
            "declare",
            "explain",
            "confess",
            "muse",
            "note",
            "protest",
            "quip",
            "remark",
            "sneer",
            "snarl",
            "scoff",
            "huff",
            "snort",
            "shriek",
            "wail",
            "whimper",
            "correct",
            "counter",
            "press",
            "prompt",
            "chirp",
            "coo",
            "hum",
            "sing",
            "state",
            "inquire",
            "blurt",
            "grin",
            "smile",
            "smirk",
            "sniff",
            "sniffle",
            "reply",
        ];
        let mut forms = HashSet::new();
        for base in BASES {
            let base = base.to_string();
            forms.insert(base.clone());
            if let Some(stem) = base.strip_suffix('y') {
                forms.insert(format!("{stem}ies"));
                forms.insert(format!("{stem}ied"));
            }
            if base.ends_with('e') {
                forms.insert(format!("{base}s"));
                forms.insert(format!("{base}d"));
            } else if base.ends_with("sh") || base.ends_with("ss") || base.ends_with('x') {
                forms.insert(format!("{base}es"));
                forms.insert(format!("{base}ed"));
            } else {
                forms.insert(format!("{base}s"));
                forms.insert(format!("{base}ed"));
                // sob → sobbed, beg → begged, snap → snapped
                if let Some(last) = base.chars().last() {
                    forms.insert(format!("{base}{last}ed"));
                }
            }
            forms.insert(format!("{}ing", base.trim_end_matches('e')));
        }
        for irregular in [
            "said", "says", "told", "tells", "tell", "spat", "spit", "spits",
        ] {
            forms.insert(irregular.to_string());
        }
        forms
    })
}

/// A word stripped of surrounding punctuation and a possessive `'s`.
pub(crate) fn bare_word(word: &str) -> &str {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

fn pronoun(word: &str) -> Option<&'static str> {
    // "He'd", "I'm", "You're" name their person too.
    let word = word.split(['\'', '’']).next().unwrap_or(word);
    let lower = word.to_lowercase();
    PRONOUNS
        .iter()
        .find(|(form, _)| *form == lower)
        .map(|(_, person)| *person)
}

fn is_speech_verb(word: &str) -> bool {
    speech_verbs().contains(&word.to_lowercase())
}

/// Capitalised words that appear in the middle of sentences and never in
/// lower case: the names of the people (and places) of a text.
pub(crate) struct Names(HashSet<String>);

impl Names {
    pub(crate) fn collect(text: &str) -> Names {
        let mut capitalised = HashSet::new();
        let mut lower = HashSet::new();
        let mut sentence_start = true;
        for raw in text.split_whitespace() {
            let word = bare_word(raw);
            let at_start = sentence_start || raw.starts_with(['"', '“', '(', '[']);
            if let Some(first) = word.chars().next() {
                if first.is_lowercase() {
                    lower.insert(word.to_lowercase());
                } else if first.is_uppercase() && !at_start && pronoun(word).is_none() {
                    capitalised.insert(word.to_lowercase());
                }
            }
            let end = raw.trim_end_matches(['"', '”', '’', '\'', ')', ']', '*']);
            sentence_start = end.ends_with(is_terminal);
        }
        Names(capitalised.difference(&lower).cloned().collect())
    }

    /// Who a word names: a pronoun's person or a known name, lower-cased.
    fn person(&self, word: &str) -> Option<String> {
        let word = bare_word(word);
        if let Some(p) = pronoun(word) {
            return Some(p.to_string());
        }
        let lower = word.to_lowercase();
        let starts_upper = word.chars().next().is_some_and(char::is_uppercase);
        (starts_upper && self.0.contains(&lower)).then_some(lower)
    }
}

fn is_sentence_start(c: char) -> bool {
    c.is_uppercase()
        || c.is_ascii_digit()
        || matches!(c, '"' | '“' | '«' | '(' | '[' | '*' | '‘' | '\'')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Does the text right after a quotation read like its attribution
/// (`she sobbed`, `You ask`, `said Kylo`, `he softly said`)?
fn is_attribution(rest: &str, names: &Names) -> bool {
    let mut words = rest.split_whitespace().map(bare_word);
    let Some(first) = words.next() else {
        return false;
    };
    let second = words.next().unwrap_or("");
    if is_speech_verb(first) {
        return true;
    }
    if names.person(first).is_some() {
        if is_speech_verb(second) {
            return true;
        }
        if second.ends_with("ly") {
            return words.next().is_some_and(is_speech_verb);
        }
    }
    false
}

/// Splits `text` into sentences (byte ranges), never inside a quotation.
pub(crate) fn sentences(text: &str, quotes: &[Range<usize>], names: &Names) -> Vec<Range<usize>> {
    let mut bounds = vec![0];
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let quote_end = quote_ending_at(quotes, i + c.len_utf8());
        if quote_end.is_none() && inside(quotes, i) {
            continue;
        }
        let ends_sentence = if let Some(q) = quote_end {
            // A quotation ends a sentence when its words do (`"Hey."`) and
            // what follows isn't its attribution (`"Why?" she sobbed`).
            let inner = text[q.start..i].trim_end_matches(['"', '”', '»', ' ']);
            inner
                .chars()
                .last()
                .is_some_and(|l| is_terminal(l) || matches!(l, '-' | '—' | '–' | '~'))
        } else if is_terminal(c) {
            !is_abbreviation(&text[..i])
        } else {
            false
        };
        if !ends_sentence {
            continue;
        }
        // Swallow closing punctuation that belongs to this sentence.
        let mut end = i + c.len_utf8();
        while let Some(&(j, n)) = chars.peek() {
            let closer = is_terminal(n) || matches!(n, ')' | ']' | '*' | '_' | '’' | '\'');
            // A stray closing quote after the stop belongs to the sentence,
            // unless a quotation already ended it.
            let stray_quote =
                quote_end.is_none() && (n == '"' || is_closing_quote(n)) && !inside(quotes, j);
            if !(closer || stray_quote) {
                break;
            }
            end = j + n.len_utf8();
            chars.next();
        }
        let rest = &text[end..];
        let trimmed = rest.trim_start();
        if trimmed.len() == rest.len() {
            continue; // no space after: `e.g.x`, `...and`
        }
        let Some(next) = trimmed.chars().next() else {
            continue;
        };
        if !is_sentence_start(next) {
            continue;
        }
        if quote_end.is_some() && is_attribution(trimmed, names) {
            continue;
        }
        let start = end + (rest.len() - trimmed.len());
        if start < bytes.len() {
            bounds.push(start);
        }
    }
    bounds.push(text.len());
    bounds
        .windows(2)
        .map(|w| w[0]..text[..w[1]].trim_end().len().max(w[0]))
        .filter(|r| !text[r.clone()].trim().is_empty())
        .collect()
}

fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Initials: "J. K. Rowling".
    let mut letters = word.chars();
    matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase())
}

/// What a paragraph-builder needs to know about one sentence.
#[derive(Debug, Clone)]
pub(crate) struct SentenceInfo {
    pub range: Range<usize>,
    pub has_quote: bool,
    /// The sentence's last words are a closed quotation.
    pub ends_with_quote: bool,
    /// Who speaks or acts in it, when the text says.
    pub subject: Option<String>,
}

pub(crate) fn describe(
    text: &str,
    range: Range<usize>,
    quotes: &[Range<usize>],
    names: &Names,
) -> SentenceInfo {
    let first = quotes.partition_point(|q| q.start < range.start);
    let own: Vec<&Range<usize>> = quotes[first..]
        .iter()
        .take_while(|q| q.end <= range.end)
        .collect();
    let has_quote = !own.is_empty();
    let sentence = &text[range.clone()];
    let tail =
        sentence.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '*'));
    let ends_with_quote = own
        .last()
        .is_some_and(|q| q.end == range.start + tail.len());
    let subject = if let Some(first_quote) = own.first() {
        let after = &text[first_quote.end..range.end];
        let before = text[range.start..first_quote.start].trim();
        speaker_after_quote(after, names).or_else(|| {
            if before.is_empty() {
                None
            } else {
                before
                    .split_whitespace()
                    .next()
                    .and_then(|w| names.person(w))
            }
        })
    } else {
        sentence
            .split_whitespace()
            .next()
            .and_then(|w| names.person(w))
    };
    SentenceInfo {
        range,
        has_quote,
        ends_with_quote,
        subject,
    }
}

fn speaker_after_quote(after: &str, names: &Names) -> Option<String> {
    let words: Vec<&str> = after.split_whitespace().take(4).collect();
    match words.as_slice() {
        [verb, who, ..] if is_speech_verb(bare_word(verb)) => names.person(who),
        [who, verb, ..] if is_speech_verb(bare_word(verb)) => names.person(who),
        [who, adverb, verb, ..] if adverb.ends_with("ly") && is_speech_verb(bare_word(verb)) => {
            names.person(who)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> Vec<&str> {
        quote_spans(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn straight_and_curly_quotes() {
        assert_eq!(
            quoted(r#""Hey." He turned. "Why?" she asked."#),
            vec![r#""Hey.""#, r#""Why?""#]
        );
        assert_eq!(quoted("“Go,” he said."), vec!["“Go,”"]);
    }

    #[test]
    fn curly_and_straight_marks_pair_with_their_own_kind() {
        assert_eq!(quoted(r#"“a, "b. *** C." d"#), vec![r#""b. *** C.""#]);
        assert_eq!(quoted(r#"”a, "b." c"#), vec![r#""b.""#]);
    }

    #[test]
    fn an_unclosed_quote_ends_where_the_next_opens() {
        assert_eq!(
            quoted(r#""Wait, she said. "Stop." Then nothing."#),
            vec![r#""Wait, she said."#, r#""Stop.""#]
        );
    }

    #[test]
    fn sentences_respect_quotes_and_attributions() {
        let text = r#""Why?" she sobbed. "We were friends, Ben. Why?" Ben. Something softened. Mr. Solo left."#;
        let quotes = quote_spans(text);
        let names = Names::collect(text);
        let got: Vec<&str> = sentences(text, &quotes, &names)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            got,
            vec![
                r#""Why?" she sobbed."#,
                r#""We were friends, Ben. Why?""#,
                "Ben.",
                "Something softened.",
                "Mr. Solo left."
            ]
        );
    }

    #[test]
    fn subjects_from_attribution_or_narration() {
        let text = r#"Rey looked at Ben. Ben smiled. "Go," Rey said. "No." She left."#;
        let quotes = quote_spans(text);
        let names = Names::collect(text);
        let subjects: Vec<Option<String>> = sentences(text, &quotes, &names)
            .into_iter()
            .map(|r| describe(text, r, &quotes, &names).subject)
            .collect();
        assert_eq!(
            subjects,
            vec![
                Some("rey".into()),
                Some("ben".into()),
                Some("rey".into()),
                None,
                Some("she".into())
            ]
        );
    }
}
