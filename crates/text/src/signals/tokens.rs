//! Sentences, words and the cues each word carries.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::lexicon::{Cue, Effect, PHRASES, WORDS};

/// The cues of one word, one bit a cue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cues(u128);

impl Cues {
    pub(crate) fn has(self, cue: Cue) -> bool {
        self.0 & (1 << cue as u8) != 0
    }
    fn add(&mut self, cue: Cue) {
        self.0 |= 1 << cue as u8;
    }
    pub(crate) fn union(self, other: Cues) -> Cues {
        Cues(self.0 | other.0)
    }
    pub(crate) fn minus(self, cue: Cue) -> Cues {
        Cues(self.0 & !(1 << cue as u8))
    }
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A word of a sentence: its cues, and which clause of the sentence it
/// stands in (negation does not cross a clause).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub cues: Cues,
    pub clause: u16,
    id: u32,
    /// Where the word stands in its sentence, in bytes (quotes and
    /// hyphens at its edges trimmed): the fitted model reads the words.
    pub start: u32,
    pub end: u32,
}

const UNKNOWN: u32 = u32::MAX;

struct Tables {
    ids: HashMap<Box<str>, u32>,
    cues: Vec<Cues>,
    phrases: Vec<Phrase>,
    /// Phrase indices by the id of a word their first slot accepts.
    by_first: HashMap<u32, Vec<usize>>,
    /// Words that end a clause: a negation before them does not reach past.
    clause_words: Vec<u32>,
}

enum Slot {
    Any,
    Words(Vec<u32>),
}

struct Phrase {
    slots: Vec<Slot>,
    effect: Effect,
}

/// Inflections of a lexicon entry (see the module note of `lexicon`).
fn forms(entry: &str) -> Vec<String> {
    if let Some(exact) = entry.strip_prefix('=') {
        return vec![exact.to_string()];
    }
    let (word, double) = match entry.strip_suffix('+') {
        Some(w) => (w, true),
        None => (entry, false),
    };
    let mut out = vec![word.to_string()];
    let last = word.chars().last().unwrap_or('x');
    let before_last = word.chars().rev().nth(1).unwrap_or('a');
    let consonant_y = last == 'y' && !"aeiou".contains(before_last);
    let stem_y = &word[..word.len().saturating_sub(1)];
    if word.ends_with(['s', 'x', 'z']) || word.ends_with("sh") || word.ends_with("ch") {
        out.push(format!("{word}es"));
    } else if consonant_y {
        out.push(format!("{stem_y}ies"));
    } else {
        out.push(format!("{word}s"));
    }
    if word.ends_with('e') {
        out.push(format!("{word}d"));
    } else if consonant_y {
        out.push(format!("{stem_y}ied"));
    } else if double {
        out.push(format!("{word}{last}ed"));
    } else {
        out.push(format!("{word}ed"));
    }
    if let Some(stem) = word.strip_suffix("ie") {
        out.push(format!("{stem}ying"));
    } else if word.ends_with('e') && !word.ends_with("ee") && !word.ends_with("ye") {
        out.push(format!("{stem_y}ing"));
    } else if double {
        out.push(format!("{word}{last}ing"));
    } else {
        out.push(format!("{word}ing"));
    }
    out
}

impl Tables {
    /// The id of a word, registered with the cues it has by the fallback
    /// rules when the lexicon does not list it (a phrase's `didn't`).
    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.cues.len()).expect("the lexicon has fewer than 2^32 words");
        let cues = self.fallback(word);
        self.ids.insert(word.into(), id);
        self.cues.push(cues);
        id
    }

    fn build() -> Tables {
        let mut tables = Tables {
            ids: HashMap::new(),
            cues: Vec::new(),
            phrases: Vec::new(),
            by_first: HashMap::new(),
            clause_words: Vec::new(),
        };
        for &(cue, entries) in WORDS {
            for entry in entries.split_whitespace() {
                for form in forms(entry) {
                    let id = tables.id(&form);
                    tables.cues[id as usize].add(cue);
                }
            }
        }
        for &(text, effect) in PHRASES {
            let slots: Vec<Slot> = text
                .split_whitespace()
                .map(|slot| {
                    if slot == "*" {
                        Slot::Any
                    } else {
                        Slot::Words(slot.split('|').map(|w| tables.id(w)).collect())
                    }
                })
                .collect();
            let index = tables.phrases.len();
            if let Some(Slot::Words(first)) = slots.first() {
                for &id in first {
                    tables.by_first.entry(id).or_default().push(index);
                }
            }
            tables.phrases.push(Phrase { slots, effect });
        }
        tables.clause_words = [
            "and", "but", "so", "because", "while", "when", "until", "though", "although",
            "before", "after", "then", "or", "yet", "since", "as", "that", "which", "who",
        ]
        .iter()
        .map(|w| tables.id(w))
        .collect();
        tables
    }

    fn lookup(&self, word: &str) -> (u32, Cues) {
        match self.ids.get(word) {
            Some(&id) => (id, self.cues[id as usize]),
            None => (UNKNOWN, self.fallback(word)),
        }
    }

    /// The cues of a word the lexicon does not list, from its parts.
    fn fallback(&self, word: &str) -> Cues {
        let mut cues = Cues::default();
        // "kylo's", "he'd": the word before the clitic.
        if let Some(stem) = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("'d"))
            .or_else(|| word.strip_suffix("'ll"))
        {
            if let Some(&id) = self.ids.get(stem) {
                cues = self.cues[id as usize];
            }
        }
        if word.ends_with("n't") {
            cues.add(Cue::Neg);
        }
        // "blood-soaked", "s-stop": what the parts say.
        if word.contains('-') {
            for part in word.split('-') {
                if let Some(&id) = self.ids.get(part) {
                    cues = cues.union(self.cues[id as usize]);
                }
            }
        }
        cues
    }
}

static TABLES: LazyLock<Tables> = LazyLock::new(Tables::build);

/// Builds the tables now rather than on the first sentence.
pub(crate) fn warm_up() {
    LazyLock::force(&TABLES);
}

/// A sentence longer than this many bytes is cut at the next space: a
/// run-on without stops still gives evidence a reader can take in.
const MAX_SENTENCE_BYTES: usize = 600;

/// The sentences of `text` as byte spans, trimmed of surrounding space.
/// A sentence ends after `.`, `!`, `?` or `…` (and any closing quotes or
/// brackets) followed by space, at a line break, or past
/// `MAX_SENTENCE_BYTES` at a space.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut pending_end: Option<usize> = None;
    let push = |s: usize, e: usize, spans: &mut Vec<(usize, usize)>| {
        let piece = &text[s..e];
        let trimmed = piece.trim_end();
        if !trimmed.trim().is_empty() {
            spans.push((s, s + trimmed.len()));
        }
    };
    for (i, c) in text.char_indices() {
        let Some(s) = start else {
            if !c.is_whitespace() {
                start = Some(i);
            }
            continue;
        };
        if let Some(end) = pending_end {
            if c.is_whitespace() {
                push(s, end, &mut spans);
                start = None;
                pending_end = None;
                continue;
            }
            if matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '*' | '_')
                || matches!(c, '.' | '!' | '?' | '…')
            {
                pending_end = Some(i + c.len_utf8());
                continue;
            }
            pending_end = None;
        }
        if c == '\n' || (c.is_whitespace() && i - s > MAX_SENTENCE_BYTES) {
            push(s, i, &mut spans);
            start = None;
            continue;
        }
        if matches!(c, '.' | '!' | '?' | '…') {
            pending_end = Some(i + c.len_utf8());
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut spans);
    }
    spans
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

fn breaks_clause(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”' | '—' | '–' | '.' | '!' | '?' | '…'
    )
}

/// The words of `sentence`, looked up in the lexicon, with phrases applied.
/// `out` is cleared first and reused so a document allocates once.
pub(crate) fn tokenize(sentence: &str, out: &mut Vec<Token>, word: &mut String) {
    out.clear();
    let tables = &*TABLES;
    let mut clause: u16 = 0;
    let mut start: Option<usize> = None;
    let mut finish = |s: usize, e: usize, clause: &mut u16, out: &mut Vec<Token>| {
        let untrimmed = &sentence[s..e];
        let raw = untrimmed.trim_start_matches(['\'', '’', '-']);
        let start = s + (untrimmed.len() - raw.len());
        let raw = raw.trim_end_matches(['\'', '’', '-']);
        if raw.is_empty() {
            return;
        }
        word.clear();
        for c in raw.chars() {
            word.push(match c {
                '’' => '\'',
                c => c.to_ascii_lowercase(),
            });
        }
        let (id, cues) = tables.lookup(word);
        if tables.clause_words.contains(&id) {
            *clause = clause.saturating_add(1);
        }
        // A sentence is at most a few hundred bytes past its cut, so its
        // offsets fit in 32 bits; a longer one saturates harmlessly.
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        out.push(Token {
            cues,
            clause: *clause,
            id,
            start: at(start),
            end: at(start + raw.len()),
        });
    };
    for (i, c) in sentence.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            finish(s, i, &mut clause, out);
        }
        if breaks_clause(c) {
            clause = clause.saturating_add(1);
        }
    }
    if let Some(s) = start {
        finish(s, sentence.len(), &mut clause, out);
    }
    apply_phrases(tables, out);
}

fn apply_phrases(tables: &Tables, tokens: &mut [Token]) {
    let mut adds: Vec<(usize, Cue)> = Vec::new();
    for i in 0..tokens.len() {
        let Some(candidates) = tables.by_first.get(&tokens[i].id) else {
            continue;
        };
        for &p in candidates {
            let phrase = &tables.phrases[p];
            let n = phrase.slots.len();
            if i + n > tokens.len() {
                continue;
            }
            let matches = phrase
                .slots
                .iter()
                .zip(&tokens[i..i + n])
                .all(|(slot, t)| match slot {
                    Slot::Any => true,
                    Slot::Words(ids) => ids.contains(&t.id),
                });
            if !matches {
                continue;
            }
            match phrase.effect {
                Effect::Mask => {
                    for t in &mut tokens[i..i + n] {
                        t.cues = Cues::default();
                    }
                }
                Effect::Add(cue) => adds.push((i, cue)),
            }
        }
    }
    for (i, cue) in adds {
        tokens[i].cues.add(cue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections() {
        assert_eq!(forms("kill"), ["kill", "kills", "killed", "killing"]);
        assert_eq!(forms("stab+"), ["stab", "stabs", "stabbed", "stabbing"]);
        assert_eq!(forms("die"), ["die", "dies", "died", "dying"]);
        assert_eq!(forms("bury"), ["bury", "buries", "buried", "burying"]);
        assert_eq!(forms("=shot"), ["shot"]);
    }

    #[test]
    fn sentences_split_after_stops_and_quotes() {
        let text = "He ran. \"Stop!\" she cried. Why?\nNo";
        let spans: Vec<&str> = sentences(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(spans, ["He ran.", "\"Stop!\"", "she cried.", "Why?", "No"]);
    }

    #[test]
    fn phrases_mask_idioms() {
        let mut tokens = Vec::new();
        let mut word = String::new();
        tokenize("We were killing time", &mut tokens, &mut word);
        assert!(tokens[2].cues.is_empty());
        tokenize("He was killing them", &mut tokens, &mut word);
        assert!(tokens[2].cues.has(Cue::Kill));
    }
}
