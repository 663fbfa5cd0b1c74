//! Reader-insert: placeholders such as `Y/N` (your name) and `E/C` (eye
//! colour) that each reader fills with their own, and second-person
//! narration.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::prose;

/// The placeholder codes we recognise, longest first so `Y/L/N` wins over
/// `L/N`. Each is matched in any case, bare or in brackets.
pub const CODES: &[&str] = &[
    "Y/L/N", "Y/F/N", "Y/M/N", "Y/N/N", "Y/E/C", "Y/H/C", "Y/H/L", "Y/S/C", "Y/F/C", "Y/B/F",
    "F/L/N", "B/F/N", "Y/N", "YN", "F/N", "G/N", "L/N", "M/N", "N/N", "E/C", "H/C", "H/L", "S/C",
    "F/C", "S/N", "S/T", "H/T", "B/F", "B/N", "F/F", "F/S", "Y/A", "Y/C",
];

/// Codes that mean the same thing: a reader who filled one has filled all.
const SAME_MEANING: &[&[&str]] = &[
    &["Y/N", "YN", "F/N", "Y/F/N"],
    &["L/N", "Y/L/N"],
    &["M/N", "Y/M/N"],
    &["N/N", "Y/N/N"],
    &["E/C", "Y/E/C"],
    &["H/C", "Y/H/C"],
    &["H/L", "Y/H/L"],
    &["S/C", "Y/S/C", "S/T"],
    &["F/C", "Y/F/C"],
    &["B/F", "Y/B/F", "B/F/N"],
];

/// What each code asks the reader for, in plain words, by its spellings.
/// Codes that fics use too loosely to say (`G/N`, `S/N`, `B/N`, `F/S`,
/// `Y/C`) are left out: a wrong label would mislead more than none.
const MEANINGS: &[(&[&str], &str)] = &[
    (&["Y/N", "YN", "F/N", "Y/F/N"], "your name"),
    (&["L/N", "Y/L/N"], "your last name"),
    (&["F/L/N"], "your full name"),
    (&["M/N", "Y/M/N"], "your middle name"),
    (&["N/N", "Y/N/N"], "your nickname"),
    (&["E/C", "Y/E/C"], "your eye colour"),
    (&["H/C", "Y/H/C"], "your hair colour"),
    (&["H/L", "Y/H/L"], "your hair length"),
    (&["S/C", "Y/S/C", "S/T"], "your skin colour"),
    (&["F/C", "Y/F/C"], "your favourite colour"),
    (&["B/F", "Y/B/F", "B/F/N"], "your best friend's name"),
    (&["H/T"], "your height"),
    (&["Y/A"], "your age"),
    (&["F/F"], "your favourite food"),
];

/// What a placeholder code asks the reader for, in plain words
/// (`E/C` → "your eye colour"), when fics agree on it.
pub fn meaning(code: &str) -> Option<&'static str> {
    MEANINGS
        .iter()
        .find(|(codes, _)| codes.iter().any(|c| c.eq_ignore_ascii_case(code)))
        .map(|(_, meaning)| *meaning)
}

fn code_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let alternatives: Vec<String> = CODES.iter().map(|c| regex::escape(c)).collect();
        Regex::new(&format!("(?i)(?:{})", alternatives.join("|"))).expect("static regex")
    })
}

/// One placeholder occurrence: `range` covers its brackets, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub range: Range<usize>,
    /// The code in its canonical spelling (`Y/N`).
    pub code: &'static str,
}

/// How often a code appears in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceholderCount {
    pub code: String,
    pub count: usize,
}

fn canonical(found: &str) -> Option<&'static str> {
    CODES
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(found))
}

/// Placeholders in a paragraph of prose (not a tag line; see
/// [`crate::notes`]): never inside a word (`SYNC`) nor glued to a name by a
/// slash (`Kylo Ren/Y/N`).
pub fn find(text: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    for m in code_regex().find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let glued =
            |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '_');
        if glued(before) || glued(after) {
            continue;
        }
        let Some(code) = canonical(m.as_str()) else {
            continue;
        };
        let mut range = m.range();
        if let (Some(open), Some(close)) = (before, after) {
            if matches!((open, close), ('(', ')') | ('[', ']') | ('{', '}')) {
                range = range.start - 1..range.end + 1;
            }
        }
        found.push(Placeholder { range, code });
    }
    found
}

pub fn count<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Vec<PlaceholderCount> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for paragraph in paragraphs {
        for placeholder in find(paragraph) {
            *counts.entry(placeholder.code).or_default() += 1;
        }
    }
    // Most frequent first; codes in their canonical order on ties.
    let mut counts: Vec<PlaceholderCount> = counts
        .into_iter()
        .map(|(code, count)| PlaceholderCount {
            code: code.to_string(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    counts
}

/// A reader's own values for placeholders: `Y/N=Alex`, `E/C=green`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FillProfile {
    values: BTreeMap<&'static str, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FillError {
    #[error("`{0}` is not CODE=VALUE; write it like Y/N=Alex")]
    NotAPair(String),
    #[error("`{code}` is not a placeholder code quire knows; known codes: {known}")]
    UnknownCode { code: String, known: String },
    #[error("the value for {0} is empty; give a name or word after the =")]
    EmptyValue(String),
    #[error("the value for {code} is {chars} characters long; a fill is a name or a word, at most {MAX_FILL_CHARS}")]
    TooLong { code: String, chars: usize },
    #[error("the value for {0} holds a control character; type it as plain letters")]
    ControlCharacter(String),
}

/// The longest value a placeholder takes: a name, a colour, a place. Every
/// placeholder in a work is replaced by it, so this bounds how much larger
/// a filled work can be than the stored one.
pub const MAX_FILL_CHARS: usize = 40;

impl FillProfile {
    pub fn new() -> FillProfile {
        FillProfile::default()
    }

    /// Sets one value from `CODE=VALUE`; brackets around the code are
    /// allowed (`(Y/N)=Alex`).
    pub fn set_pair(&mut self, pair: &str) -> Result<(), FillError> {
        let (code, value) = pair
            .split_once('=')
            .ok_or_else(|| FillError::NotAPair(pair.to_string()))?;
        self.set(code, value)
    }

    pub fn set(&mut self, code: &str, value: &str) -> Result<(), FillError> {
        let bare = code
            .trim()
            .trim_matches(|c| matches!(c, '(' | ')' | '[' | ']' | '{' | '}'));
        let code = canonical(bare).ok_or_else(|| FillError::UnknownCode {
            code: bare.to_string(),
            known: CODES.join(", "),
        })?;
        let value = value.trim();
        if value.is_empty() {
            return Err(FillError::EmptyValue(code.to_string()));
        }
        let chars = value.chars().count();
        if chars > MAX_FILL_CHARS {
            return Err(FillError::TooLong {
                code: code.to_string(),
                chars,
            });
        }
        if value.chars().any(char::is_control) {
            return Err(FillError::ControlCharacter(code.to_string()));
        }
        self.values.insert(code, value.to_string());
        Ok(())
    }

    /// At most how many bytes filling adds to a text with these
    /// placeholders (counted as [`count`] counts them), escaped for HTML
    /// or XML as pages and downloads write it; 0 when nothing is filled.
    pub fn growth<'a>(
        &self,
        placeholders: impl IntoIterator<Item = &'a PlaceholderCount>,
    ) -> usize {
        placeholders
            .into_iter()
            .filter_map(|found| {
                let value = self.value_for(canonical(&found.code)?)?;
                // Markup escapes take at most six bytes for one (`&quot;`).
                let escaped = value.len() + 5 * value.matches(['&', '<', '>', '"', '\'']).count();
                Some(
                    found
                        .count
                        .saturating_mul(escaped.saturating_sub(found.code.len())),
                )
            })
            .fold(0, usize::saturating_add)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value for a code, or for a code that means the same.
    pub fn value_for(&self, code: &str) -> Option<&str> {
        if let Some(v) = self.values.get(code) {
            return Some(v);
        }
        let family = SAME_MEANING.iter().find(|f| f.contains(&code))?;
        family
            .iter()
            .find_map(|c| self.values.get(c))
            .map(String::as_str)
    }
}

/// `text` with its placeholders filled from `profile`: brackets go with the
/// code, a value that starts a sentence starts with a capital, codes the
/// profile lacks stay as written.
pub fn fill(text: &str, profile: &FillProfile) -> String {
    if profile.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for placeholder in find(text) {
        let Some(value) = profile.value_for(placeholder.code) else {
            continue;
        };
        out.push_str(&text[copied..placeholder.range.start]);
        if starts_sentence(&text[..placeholder.range.start]) {
            out.push_str(&capitalized(value));
        } else {
            out.push_str(value);
        }
        copied = placeholder.range.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// How [`fill_html`] writes each placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HtmlFill {
    /// The value, or the code as written when the profile has none.
    Plain,
    /// The same, inside `<span class="reader-insert" data-code="Y/N">`
    /// (with `data-capital` where a sentence starts), so that a page script
    /// can show other values as the reader types them.
    Marked,
}

/// `html` as the sanitizer writes it (attributes double-quoted) with the
/// placeholders in its text filled from `profile` — never inside a tag or
/// an attribute. Values are escaped; a value at the start of a paragraph
/// or sentence starts with a capital.
pub fn fill_html(html: &str, profile: &FillProfile, how: HtmlFill) -> String {
    if profile.is_empty() && how == HtmlFill::Plain {
        return html.to_string();
    }
    let in_text = text_positions(html);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    for placeholder in find(html) {
        if !in_text(placeholder.range.start) {
            continue;
        }
        let value = profile.value_for(placeholder.code);
        if value.is_none() && how == HtmlFill::Plain {
            continue;
        }
        let before = &html[..placeholder.range.start];
        let capital = starts_sentence(without_trailing_tags(before));
        let shown = match value {
            Some(value) if capital => capitalized(value),
            Some(value) => value.to_string(),
            None => html[placeholder.range.clone()].to_string(),
        };
        out.push_str(&html[copied..placeholder.range.start]);
        if how == HtmlFill::Marked {
            out.push_str("<span class=\"reader-insert\" data-code=\"");
            out.push_str(placeholder.code);
            out.push('"');
            if capital {
                out.push_str(" data-capital=\"\"");
            }
            out.push('>');
        }
        if value.is_some() {
            out.push_str(&escape_html(&shown));
        } else {
            // The code as the author wrote it: already HTML.
            out.push_str(&shown);
        }
        if how == HtmlFill::Marked {
            out.push_str("</span>");
        }
        copied = placeholder.range.end;
    }
    out.push_str(&html[copied..]);
    out
}

/// A test for "is this byte offset in the text, outside every tag?",
/// worked out in one pass over the markup.
fn text_positions(html: &str) -> impl Fn(usize) -> bool {
    // Spans of markup: from `<` to its closing `>`, quotes respected.
    let mut tags: Vec<Range<usize>> = Vec::new();
    let mut open: Option<usize> = None;
    let mut quoted = false;
    for (at, c) in html.char_indices() {
        match (open, c) {
            (None, '<') => open = Some(at),
            (Some(_), '"') => quoted = !quoted,
            (Some(start), '>') if !quoted => {
                tags.push(start..at + 1);
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        tags.push(start..html.len());
    }
    move |at| {
        let i = tags.partition_point(|t| t.end <= at);
        tags.get(i).is_none_or(|t| !t.contains(&at))
    }
}

/// The text before a placeholder with the tags that close and open
/// paragraphs stripped, so `</p><p>Y/N` starts a sentence.
fn without_trailing_tags(before: &str) -> &str {
    let mut rest = before;
    loop {
        let trimmed = rest.trim_end();
        match trimmed.strip_suffix('>').and_then(|t| t.rfind('<')) {
            Some(open) => rest = &trimmed[..open],
            None => return trimmed,
        }
    }
}

fn capitalized(value: &str) -> String {
    let mut chars = value.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text made safe to put in HTML text or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn starts_sentence(before: &str) -> bool {
    let trimmed = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '*' | '_' | '«')
    });
    let mut last = trimmed.chars();
    let closed_quote = matches!(last.next_back(), Some('"' | '”'))
        && last.as_str().ends_with(['.', '!', '?', '…']);
    trimmed.is_empty() || trimmed.ends_with(['.', '!', '?', '…', '\n']) || closed_quote
}

/// Share of the narration's words (outside quotations) that address the
/// reader as "you", above which a story reads as second-person.
const SECOND_PERSON_SHARE: f64 = 0.02;

/// Is this narration written to "you", as reader-insert stories are?
pub fn is_second_person<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> bool {
    let mut narration_words = 0usize;
    let mut you = 0usize;
    let mut first_person = 0usize;
    for paragraph in paragraphs {
        let quotes = prose::quote_spans(paragraph);
        let mut offset = 0;
        for word in paragraph.split_whitespace() {
            let at = paragraph[offset..]
                .find(word)
                .map_or(offset, |i| offset + i);
            offset = at + word.len();
            if prose::inside(&quotes, at) || quotes.iter().any(|q| q.start == at) {
                continue;
            }
            narration_words += 1;
            match prose::bare_word(word).to_lowercase().as_str() {
                "you" | "your" | "yours" | "yourself" | "you're" | "you’re" | "you'd" | "you’d"
                | "you'll" | "you’ll" | "you've" | "you’ve" => you += 1,
                "i" | "me" | "my" | "mine" | "myself" => first_person += 1,
                _ => {}
            }
        }
    }
    // Three at least, so the share is never taken of nothing.
    you >= 3 && you as f64 / narration_words as f64 >= SECOND_PERSON_SHARE && you > first_person
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_plain_words_where_fics_agree() {
        assert_eq!(meaning("Y/N"), Some("your name"));
        assert_eq!(meaning("y/e/c"), Some("your eye colour"));
        assert_eq!(meaning("H/C"), Some("your hair colour"));
        assert_eq!(meaning("G/N"), None);
        // Every spelling named here is one the archive recognises, and
        // codes that mean the same thing read the same.
        for (codes, _) in MEANINGS {
            for code in *codes {
                assert!(CODES.contains(code), "{code}");
            }
        }
        for group in SAME_MEANING {
            let said: Vec<_> = group.iter().map(|c| meaning(c)).collect();
            assert!(said.windows(2).all(|w| w[0] == w[1]), "{group:?}: {said:?}");
        }
    }

    fn alex() -> FillProfile {
        let mut profile = FillProfile::new();
        profile.set("Y/N", "alex <3").unwrap();
        profile
    }

    #[test]
    fn a_fill_is_a_short_plain_value() {
        let mut profile = FillProfile::new();
        let long = "A".repeat(MAX_FILL_CHARS + 1);
        let refused = profile.set("Y/N", &long).unwrap_err();
        assert_eq!(
            refused,
            FillError::TooLong {
                code: "Y/N".into(),
                chars: MAX_FILL_CHARS + 1
            }
        );
        assert!(refused.to_string().contains("at most 40"), "{refused}");
        assert!(profile.set("Y/N", &"A".repeat(MAX_FILL_CHARS)).is_ok());
        assert_eq!(
            profile.set("E/C", "gr\u{1b}[31meen").unwrap_err(),
            FillError::ControlCharacter("E/C".into())
        );
        assert_eq!(profile.value_for("E/C"), None);
    }

    #[test]
    fn growth_bounds_what_filling_adds() {
        let text = "Y/N and YN met E/C. ".repeat(50);
        let mut profile = FillProfile::new();
        assert_eq!(profile.growth(&count([text.as_str()])), 0);
        profile.set("Y/N", "Alexandra & <Sam>").unwrap();
        let growth = profile.growth(&count([text.as_str()]));
        let filled = fill_html(&text, &profile, HtmlFill::Plain);
        assert!(
            filled.len() <= text.len() + growth,
            "{} > {} + {growth}",
            filled.len(),
            text.len()
        );
        assert!(growth < 50 * 2 * 6 * "Alexandra & <Sam>".len());
    }

    #[test]
    fn html_is_filled_in_its_text_only_and_escaped() {
        let html =
            "<p>Y/N smiled.</p><p>\"Hi, (Y/N).\" <a href=\"/x?Y/N\" title=\"a > Y/N\">E/C</a></p>";
        assert_eq!(
            fill_html(html, &alex(), HtmlFill::Plain),
            "<p>Alex &lt;3 smiled.</p><p>\"Hi, alex &lt;3.\" <a href=\"/x?Y/N\" title=\"a > Y/N\">E/C</a></p>"
        );
        assert_eq!(fill_html(html, &FillProfile::new(), HtmlFill::Plain), html);
    }

    #[test]
    fn marked_html_wraps_every_placeholder_filled_or_not() {
        let html = "<p>Y/N has E/C eyes.</p>";
        assert_eq!(
            fill_html(html, &alex(), HtmlFill::Marked),
            "<p><span class=\"reader-insert\" data-code=\"Y/N\" data-capital=\"\">Alex &lt;3</span> has \
             <span class=\"reader-insert\" data-code=\"E/C\">E/C</span> eyes.</p>"
        );
        assert_eq!(
            fill_html("<p>no codes</p>", &FillProfile::new(), HtmlFill::Marked),
            "<p>no codes</p>"
        );
        // With nothing to fill, the placeholders are still marked for the
        // page's script.
        let empty = FillProfile::new();
        assert!(empty.is_empty() && !alex().is_empty());
        assert_eq!(
            fill_html("<p>Hi, Y/N.</p>", &empty, HtmlFill::Marked),
            "<p>Hi, <span class=\"reader-insert\" data-code=\"Y/N\">Y/N</span>.</p>"
        );
    }

    #[test]
    fn an_unclosed_tag_hides_what_follows_it() {
        assert_eq!(
            fill_html("<p>Y/N</p><img alt=\"Y/N", &alex(), HtmlFill::Plain),
            "<p>Alex &lt;3</p><img alt=\"Y/N"
        );
    }

    fn codes(text: &str) -> Vec<(&str, &'static str)> {
        find(text)
            .into_iter()
            .map(|p| (&text[p.range], p.code))
            .collect()
    }

    #[test]
    fn finds_codes_bare_bracketed_any_case() {
        assert_eq!(
            codes("Y/N, (y/n) and [Y/N] or {E/C}; Y/N's eyes, yn? Y/L/N."),
            vec![
                ("Y/N", "Y/N"),
                ("(y/n)", "Y/N"),
                ("[Y/N]", "Y/N"),
                ("{E/C}", "E/C"),
                ("Y/N", "Y/N"),
                ("yn", "YN"),
                ("Y/L/N", "Y/L/N"),
            ]
        );
    }

    #[test]
    fn not_inside_words_or_relationships() {
        assert!(codes("SYNC the synth, Kylo Ren/Y/N, Y/N/Kylo, H/Cs").is_empty());
    }

    #[test]
    fn fills_with_case_and_brackets() {
        let mut profile = FillProfile::new();
        profile.set_pair("Y/N=alex").unwrap();
        profile.set_pair("E/C=green").unwrap();
        assert_eq!(
            fill(
                "(Y/N) smiled. Your E/C eyes met y/n's. \"y/n!\" H/C hair.",
                &profile
            ),
            "Alex smiled. Your green eyes met alex's. \"Alex!\" H/C hair."
        );
    }

    #[test]
    fn after_a_curly_closing_quote() {
        let mut profile = FillProfile::new();
        profile.set_pair("Y/N=alex").unwrap();
        assert_eq!(
            fill("“Go.” y/n left. “Go”y/n", &profile),
            "“Go.” Alex left. “Go”alex"
        );
    }

    #[test]
    fn same_meaning_codes_share_a_value() {
        let mut profile = FillProfile::new();
        profile.set_pair("Y/N=Sam").unwrap();
        assert_eq!(fill("Hi F/N Y/L/N", &profile), "Hi Sam Y/L/N");
    }

    #[test]
    fn bad_pairs_say_how_to_fix_them() {
        let mut profile = FillProfile::new();
        assert!(profile
            .set_pair("Alex")
            .unwrap_err()
            .to_string()
            .contains("Y/N=Alex"));
        assert!(matches!(
            profile.set_pair("Q/Q=x"),
            Err(FillError::UnknownCode { .. })
        ));
        assert!(matches!(
            profile.set_pair("Y/N= "),
            Err(FillError::EmptyValue(_))
        ));
    }

    #[test]
    fn counts_most_frequent_first() {
        let counted = count(["Y/N and E/C. Y/N.", "H/C, Y/N"]);
        assert_eq!(
            counted,
            vec![
                PlaceholderCount {
                    code: "Y/N".into(),
                    count: 3
                },
                PlaceholderCount {
                    code: "E/C".into(),
                    count: 1
                },
                PlaceholderCount {
                    code: "H/C".into(),
                    count: 1
                },
            ]
        );
    }

    #[test]
    fn second_person_narration() {
        assert!(is_second_person([
            "You walk into the room and your heart races. He looks at you.",
            "\"I missed you,\" he says. You smile."
        ]));
        assert!(!is_second_person([
            "He walked into the room. \"I missed you, you know,\" she said. \"You too.\""
        ]));
        // Narration after a line of dialogue counts; the dialogue doesn't.
        assert!(is_second_person([
            "\"Hey.\" You turn. You look up. You smile, and your hands shake."
        ]));
        assert!(!is_second_person([
            "\"You there. You, yes. You!\" he called, and she turned."
        ]));
        // Three times in a long story told otherwise: not to "you".
        let long = format!(
            "{} You know the rest. You would. You always do.",
            "The harbour woke slowly that morning, gulls first. ".repeat(30)
        );
        assert!(!is_second_person([long.as_str()]));
        // As often "I" as "you": not to "you" either.
        assert!(!is_second_person([
            "You see. I see. You go. I go. You stay. I stay."
        ]));
        // Twice is a share of a third, and still not a way of telling.
        assert!(!is_second_person(["You wait. You go."]));
        // Told by "I", to "you": first person.
        assert!(!is_second_person([
            "I saw you there and you saw me, and I knew you knew my name, and I ran."
        ]));
    }
}
