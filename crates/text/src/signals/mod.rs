//! Content signals: AO3 archive warnings, a minimum rating and content notes
//! *suggested* from the text itself, each with the sentences that led to it.
//!
//! quire never overrides an author: these are suggestions for the author to
//! confirm or dismiss, and for a reader's filter to fall back on when a work
//! says nothing.
//!
//! The method (see "Signals" in the crate README): hand-written cue lexicons
//! (`lexicon.rs`, written for quire by hand, fitted to nothing), scored per
//! sentence by hand-written rules (`rules.rs`) that ask for an act together
//! with a person it is done to or the marks it leaves, cancel it under
//! negation in its clause, weaken it when hypothetical or asked, and mask
//! idioms ("killing time", "dying to know"). Per document, the sentences'
//! scores combine as independent evidence (noisy-or). For the eight notes
//! the labelled passages cover, a fitted linear model (`model.rs`) reads
//! each passage-sized window where the rules found evidence and decides;
//! the rules' sentences stay the evidence shown.

mod lexicon;
mod model;
mod rules;
mod tokens;

pub use model::{ModelError, NoteModel, MODEL_NOTES};

use serde::{Deserialize, Serialize};

use std::ops::Range;

use crate::Manuscript;
use rules::SentenceScores;
use tokens::Token;

/// A content note, serialized as its machine name (`child-harm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    Violence,
    War,
    Death,
    ChildHarm,
    Abduction,
    BloodGore,
    AbusePhysical,
    AbuseEmotional,
    SexualContent,
    SexualViolence,
    SelfHarm,
    Suicide,
    SubstanceAbuse,
    Misogyny,
    Homophobia,
    Racism,
    Ableism,
    Pregnancy,
}

impl NoteKind {
    pub const ALL: [NoteKind; 18] = [
        NoteKind::Violence,
        NoteKind::War,
        NoteKind::Death,
        NoteKind::ChildHarm,
        NoteKind::Abduction,
        NoteKind::BloodGore,
        NoteKind::AbusePhysical,
        NoteKind::AbuseEmotional,
        NoteKind::SexualContent,
        NoteKind::SexualViolence,
        NoteKind::SelfHarm,
        NoteKind::Suicide,
        NoteKind::SubstanceAbuse,
        NoteKind::Misogyny,
        NoteKind::Homophobia,
        NoteKind::Racism,
        NoteKind::Ableism,
        NoteKind::Pregnancy,
    ];

    /// The machine name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            NoteKind::Violence => "violence",
            NoteKind::War => "war",
            NoteKind::Death => "death",
            NoteKind::ChildHarm => "child-harm",
            NoteKind::Abduction => "abduction",
            NoteKind::BloodGore => "blood-gore",
            NoteKind::AbusePhysical => "abuse-physical",
            NoteKind::AbuseEmotional => "abuse-emotional",
            NoteKind::SexualContent => "sexual-content",
            NoteKind::SexualViolence => "sexual-violence",
            NoteKind::SelfHarm => "self-harm",
            NoteKind::Suicide => "suicide",
            NoteKind::SubstanceAbuse => "substance-abuse",
            NoteKind::Misogyny => "misogyny",
            NoteKind::Homophobia => "homophobia",
            NoteKind::Racism => "racism",
            NoteKind::Ableism => "ableism",
            NoteKind::Pregnancy => "pregnancy",
        }
    }

    /// The note of a machine name.
    /// The note in words, as a page shows it to readers.
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Violence => "violence",
            NoteKind::War => "war",
            NoteKind::Death => "death",
            NoteKind::ChildHarm => "harm to children",
            NoteKind::Abduction => "abduction",
            NoteKind::BloodGore => "blood and gore",
            NoteKind::AbusePhysical => "physical abuse",
            NoteKind::AbuseEmotional => "emotional abuse",
            NoteKind::SexualContent => "sexual content",
            NoteKind::SexualViolence => "sexual violence",
            NoteKind::SelfHarm => "self-harm",
            NoteKind::Suicide => "suicide",
            NoteKind::SubstanceAbuse => "substance abuse",
            NoteKind::Misogyny => "misogyny",
            NoteKind::Homophobia => "homophobia",
            NoteKind::Racism => "racism",
            NoteKind::Ableism => "ableism",
            NoteKind::Pregnancy => "pregnancy",
        }
    }

    pub fn from_name(name: &str) -> Option<NoteKind> {
        NoteKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// AO3's archive warnings that a text can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Warning {
    #[serde(rename = "Graphic Depictions Of Violence")]
    GraphicViolence,
    #[serde(rename = "Major Character Death")]
    MajorCharacterDeath,
    #[serde(rename = "Rape/Non-Con")]
    RapeNonCon,
    #[serde(rename = "Underage Sex")]
    Underage,
}

impl Warning {
    /// AO3's words, as serialized.
    pub fn label(self) -> &'static str {
        match self {
            Warning::GraphicViolence => "Graphic Depictions Of Violence",
            Warning::MajorCharacterDeath => "Major Character Death",
            Warning::RapeNonCon => "Rape/Non-Con",
            Warning::Underage => "Underage Sex",
        }
    }
}

/// AO3's ratings, least to most restricted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SuggestedRating {
    #[serde(rename = "General Audiences")]
    General,
    #[serde(rename = "Teen And Up Audiences")]
    Teen,
    #[serde(rename = "Mature")]
    Mature,
    #[serde(rename = "Explicit")]
    Explicit,
}

impl SuggestedRating {
    /// AO3's words, as serialized.
    pub fn label(self) -> &'static str {
        match self {
            SuggestedRating::General => "General Audiences",
            SuggestedRating::Teen => "Teen And Up Audiences",
            SuggestedRating::Mature => "Mature",
            SuggestedRating::Explicit => "Explicit",
        }
    }
}

/// A sentence that led to a suggestion: `text[start..end]` of the text
/// analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedWarning {
    pub warning: Warning,
    /// 0..=1, in hundredths.
    #[serde(serialize_with = "hundredths")]
    pub confidence: f32,
    /// How many sentences showed it; `evidence` holds the strongest few.
    pub passages: usize,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentNote {
    pub name: NoteKind,
    /// 0..=1, in hundredths.
    #[serde(serialize_with = "hundredths")]
    pub confidence: f32,
    /// How many sentences showed it; `evidence` holds the strongest few.
    pub passages: usize,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    pub warnings: Vec<SuggestedWarning>,
    pub rating: SuggestedRating,
    pub notes: Vec<ContentNote>,
}

impl Signals {
    /// The note of that kind, when suggested.
    pub fn note(&self, kind: NoteKind) -> Option<&ContentNote> {
        self.notes.iter().find(|n| n.name == kind)
    }

    pub fn warning(&self, warning: Warning) -> Option<&SuggestedWarning> {
        self.warnings.iter().find(|w| w.warning == warning)
    }
}

/// A sentence scoring below this is not evidence of anything.
const PASSAGE_MIN: f32 = 0.3;
/// A note is suggested from this confidence on.
pub const REPORT_CONFIDENCE: f32 = 0.5;
/// Graphic violence is suggested from this confidence on: a story with a
/// punch in it is not yet graphic.
const GRAPHIC_CONFIDENCE: f32 = 0.6;
/// We cannot tell whether the one who dies is a major character, so a death
/// suggests the warning only this strongly.
const CHARACTER_DEATH_SHARE: f32 = 0.8;
/// The strongest sentences kept as evidence per suggestion.
const MAX_EVIDENCE: usize = 8;

/// Suggested warnings, rating and content notes for `text`. Evidence spans
/// are byte offsets into `text`.
pub fn signals(text: &str) -> Signals {
    signals_with(text, &model::MODEL)
}

/// `signals` with another note model: for the training program's
/// cross-validation, not an API.
#[doc(hidden)]
pub fn signals_with(text: &str, model: &NoteModel) -> Signals {
    let read = Read::new(text);
    let fitted = if model.is_fitted() {
        fitted_notes(&read, model)
    } else {
        Default::default()
    };
    assemble(&read, &fitted, model)
}

/// For each of `MODEL_NOTES`, the model's best probability over the
/// windows of `text` that hold evidence a reader could be shown (0 when
/// none does): what the training program chooses thresholds on.
#[doc(hidden)]
pub fn fitted_scores(text: &str, model: &NoteModel) -> [f32; MODEL_NOTES.len()] {
    let read = Read::new(text);
    fitted_notes(&read, model).map(|w| w.iter().map(|w| w.probability).fold(0.0, f32::max))
}

/// The model's features of `text` read as one window, each once (the
/// largest value of a repeated one): what the training program fits on.
#[doc(hidden)]
pub fn passage_features(text: &str) -> Vec<(String, f32)> {
    let read = Read::new(text);
    let all: Vec<model::Sentence> = (0..read.spans.len()).map(|i| read.sentence(i)).collect();
    let mut out: std::collections::HashMap<String, f32> = std::collections::HashMap::new();
    model::each_feature(&all, |name, value| {
        let v = out.entry(name.to_string()).or_insert(value);
        *v = v.max(value);
    });
    let mut out: Vec<(String, f32)> = out.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A text split into sentences, each tokenized and scored by the rules.
struct Read<'a> {
    text: &'a str,
    spans: Vec<(usize, usize)>,
    tokens: Vec<Token>,
    /// The tokens of each sentence, as a range of `tokens`.
    ranges: Vec<Range<usize>>,
    scores: Vec<SentenceScores>,
}

impl<'a> Read<'a> {
    fn new(text: &'a str) -> Read<'a> {
        tokens::warm_up();
        let spans = tokens::sentences(text);
        let mut read = Read {
            text,
            tokens: Vec::new(),
            ranges: Vec::with_capacity(spans.len()),
            scores: Vec::with_capacity(spans.len()),
            spans,
        };
        let mut buffer = Vec::new();
        let mut word = String::new();
        for &(start, end) in &read.spans {
            let sentence = &text[start..end];
            tokens::tokenize(sentence, &mut buffer, &mut word);
            let question = sentence
                .trim_end_matches(['"', '\'', '”', '’', ')', ']', '*', '_'])
                .ends_with('?');
            read.scores.push(rules::score(&buffer, question));
            let from = read.tokens.len();
            read.tokens.extend_from_slice(&buffer);
            read.ranges.push(from..read.tokens.len());
        }
        read
    }

    fn sentence(&self, i: usize) -> model::Sentence<'_> {
        let (start, end) = self.spans[i];
        model::Sentence {
            text: &self.text[start..end],
            tokens: &self.tokens[self.ranges[i].clone()],
            scores: &self.scores[i],
        }
    }

    /// The sentences the rules found anything in, with their scores.
    fn scored(&self) -> Vec<(usize, SentenceScores)> {
        self.scores
            .iter()
            .enumerate()
            .filter(|(_, s)| s.profanity > 0 || s.notes.iter().any(|&n| n >= PASSAGE_MIN))
            .map(|(i, s)| (i, s.clone()))
            .collect()
    }
}

/// A window the model read for one note: its probability, and the
/// sentences in it strong enough to show, each with its strength.
struct WindowFinding {
    probability: f32,
    evidence: Vec<(f32, usize)>,
}

/// A sentence the rules score this high opens its window to the model.
/// Once the model finds the note in the work, the sentences of the opened
/// windows the rules count as evidence (`PASSAGE_MIN`) are shown with it,
/// the strongest first, as the rules alone show them. Higher than `PASSAGE_MIN`:
/// a lone word the rules count as weak evidence ("the word murder was on
/// the board") is a mention, and the model, fitted on passages chosen by
/// such words, would call it more. Cross-validated, 0.4 costs 0.002 of
/// macro-F1 against 0.3; 0.5 costs 0.025.
const FITTED_EVIDENCE: f32 = 0.4;

/// Per model note, every window holding a sentence the rules score as
/// evidence of it, with the model's probability for the window. The rules
/// find where a note might be and name the sentences a reader is shown;
/// the model, reading the whole window, decides whether it is.
fn fitted_notes(read: &Read, model: &NoteModel) -> [Vec<WindowFinding>; MODEL_NOTES.len()] {
    let mut out: [Vec<WindowFinding>; MODEL_NOTES.len()] = Default::default();
    let words: Vec<usize> = read.ranges.iter().map(Range::len).collect();
    for range in model::windows(&words) {
        let evidence: [Vec<(f32, usize)>; MODEL_NOTES.len()] = MODEL_NOTES.map(|note| {
            let found: Vec<(f32, usize)> = range
                .clone()
                .map(|i| (read.scores[i].get(note), i))
                .filter(|&(score, _)| score >= PASSAGE_MIN)
                .collect();
            if found.iter().any(|&(score, _)| score >= FITTED_EVIDENCE) {
                found
            } else {
                Vec::new()
            }
        });
        if evidence.iter().all(Vec::is_empty) {
            continue;
        }
        let window: Vec<model::Sentence> = range.map(|i| read.sentence(i)).collect();
        let weights = model.weigh(&window);
        for (column, evidence) in evidence.into_iter().enumerate() {
            if !evidence.is_empty() {
                out[column].push(WindowFinding {
                    probability: model.probability(column, weights[column]),
                    evidence,
                });
            }
        }
    }
    out
}

/// Signals over the story's paragraphs joined with a blank line (`"\n\n"`),
/// notes and title left out: evidence offsets are into
/// `m.paragraphs.join("\n\n")`.
pub fn manuscript_signals(m: &Manuscript) -> Signals {
    signals(&m.paragraphs.join("\n\n"))
}

/// The names of the cues the lexicon finds in `text`, idioms masked, each
/// once: for the evaluation program's aggregate cue table, not an API.
#[doc(hidden)]
pub fn cue_names(text: &str) -> Vec<String> {
    let mut all = tokens::Cues::default();
    let mut buffer = Vec::new();
    let mut word = String::new();
    for (start, end) in tokens::sentences(text) {
        tokens::tokenize(&text[start..end], &mut buffer, &mut word);
        all = buffer.iter().fold(all, |a, t| a.union(t.cues));
    }
    lexicon::Cue::ALL
        .iter()
        .filter(|&&c| all.has(c))
        .map(|c| format!("{c:?}"))
        .collect()
}

struct Found {
    confidence: f32,
    passages: usize,
    evidence: Vec<Evidence>,
}

/// Noisy-or of the sentences' scores, and the strongest as evidence in
/// reading order.
fn gather(
    text: &str,
    spans: &[(usize, usize)],
    scored: &[(usize, SentenceScores)],
    score: impl Fn(&SentenceScores) -> f32,
) -> Found {
    let mut hits: Vec<(f32, usize)> = scored
        .iter()
        .map(|(i, s)| (score(s), *i))
        .filter(|&(s, _)| s >= PASSAGE_MIN)
        .collect();
    let missing: f32 = hits.iter().map(|&(s, _)| 1.0 - s).product();
    let passages = hits.len();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.truncate(MAX_EVIDENCE);
    hits.sort_by_key(|&(_, i)| i);
    let evidence = hits
        .into_iter()
        .map(|(_, i)| evidence(text, spans[i]))
        .collect();
    Found {
        confidence: round(1.0 - missing),
        passages,
        evidence,
    }
}

/// Written as the decimal it was rounded to: an `f32` widened to `f64` on
/// the way to JSON would print 0.93 as 0.9300000071525574.
fn hundredths<S: serde::Serializer>(x: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((f64::from(*x) * 100.0).round() / 100.0)
}

fn round(x: f32) -> f32 {
    (x.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// A model note over the whole text: the best window's probability,
/// calibrated to the note's threshold. Its evidence is the rules'
/// strongest sentences of every window the rules opened to the model: once
/// the work has the note, "He'd killed children." shows it wherever it
/// stands, even in a window the model read as something else.
fn fitted_found(read: &Read, windows: &[WindowFinding], threshold: f32) -> Found {
    let best = windows.iter().map(|w| w.probability).fold(0.0, f32::max);
    let mut hits: Vec<(f32, usize)> = windows
        .iter()
        .flat_map(|w| w.evidence.iter().copied())
        .collect();
    let passages = hits.len();
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.truncate(MAX_EVIDENCE);
    hits.sort_by_key(|&(_, i)| i);
    Found {
        confidence: round(model::calibrated(best, threshold)),
        passages,
        evidence: hits
            .into_iter()
            .map(|(_, i)| evidence(read.text, read.spans[i]))
            .collect(),
    }
}

fn evidence(text: &str, (start, end): (usize, usize)) -> Evidence {
    Evidence {
        start,
        end,
        text: text[start..end].to_string(),
    }
}

fn assemble(
    read: &Read,
    fitted: &[Vec<WindowFinding>; MODEL_NOTES.len()],
    model: &NoteModel,
) -> Signals {
    let (text, spans) = (read.text, &read.spans[..]);
    let scored = &read.scored()[..];
    let notes: Vec<ContentNote> = NoteKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let column = MODEL_NOTES.iter().position(|&k| k == kind);
            let found = match column.filter(|_| model.is_fitted()) {
                Some(column) => fitted_found(read, &fitted[column], model.threshold(column)),
                None => gather(text, spans, scored, |s| s.get(kind)),
            };
            (found.confidence >= REPORT_CONFIDENCE).then_some(ContentNote {
                name: kind,
                confidence: found.confidence,
                passages: found.passages,
                evidence: found.evidence,
            })
        })
        .collect();
    let confidence = |kind: NoteKind| {
        notes
            .iter()
            .find(|n| n.name == kind)
            .map_or(0.0, |n| n.confidence)
    };

    let mut warnings = Vec::new();
    let mut warn = |warning: Warning, found: Found, threshold: f32| {
        if found.confidence >= threshold {
            warnings.push(SuggestedWarning {
                warning,
                confidence: found.confidence,
                passages: found.passages,
                evidence: found.evidence,
            });
        }
    };
    // Violence is graphic when blood, gore or pain go with it somewhere in
    // the work; the evidence is the sentences of either.
    let graphic = gather(text, spans, scored, |s| {
        s.get(NoteKind::Violence).max(s.intensity)
    });
    let intensity = gather(text, spans, scored, |s| s.intensity).confidence;
    warn(
        Warning::GraphicViolence,
        Found {
            confidence: round(confidence(NoteKind::Violence) * (0.5 + 0.5 * intensity)),
            ..graphic
        },
        GRAPHIC_CONFIDENCE,
    );
    warn(
        Warning::MajorCharacterDeath,
        gather(text, spans, scored, |s| {
            s.character_death * CHARACTER_DEATH_SHARE
        }),
        REPORT_CONFIDENCE,
    );
    warn(
        Warning::RapeNonCon,
        gather(text, spans, scored, |s| s.get(NoteKind::SexualViolence)),
        REPORT_CONFIDENCE,
    );
    warn(
        Warning::Underage,
        gather(text, spans, scored, |s| s.underage),
        REPORT_CONFIDENCE,
    );

    let explicit_sentences = scored.iter().filter(|(_, s)| s.explicit).count();
    let profanity: usize = scored.iter().map(|(_, s)| s.profanity).sum();
    let rating = if explicit_sentences >= 2 {
        SuggestedRating::Explicit
    } else if warnings
        .iter()
        .any(|w| w.warning != Warning::MajorCharacterDeath)
        || explicit_sentences == 1
        || confidence(NoteKind::SexualContent) >= 0.85
        || confidence(NoteKind::BloodGore) >= 0.7
        || confidence(NoteKind::Suicide) >= 0.7
        || confidence(NoteKind::SelfHarm) >= 0.7
    {
        SuggestedRating::Mature
    } else if notes.iter().any(|n| n.name != NoteKind::Pregnancy)
        || !warnings.is_empty()
        || profanity >= 2
    {
        SuggestedRating::Teen
    } else {
        SuggestedRating::General
    };
    Signals {
        warnings,
        rating,
        notes,
    }
}

#[cfg(test)]
mod tests;
