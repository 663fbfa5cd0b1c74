//! The fitted half of eight content notes: a linear model per note over the
//! words, word pairs and rule findings of a window of sentences.
//!
//! The rules (`rules.rs`) are precise where they speak (negation, idioms, an
//! act done to someone) but blind to everything their lexicon lacks. For the
//! eight notes the labelled passages cover, a logistic model reads a
//! passage-sized window as a whole and decides; the rules' findings are among
//! its features, and they still choose what is shown as evidence.
//!
//! The weights live in `notes_model.tsv`, written by
//! `scripts/train-notes` from the dev half of the passages alone: features
//! are at most two words long and no passage text is kept. The model reads
//! only windows where the rules found a sentence of evidence, and that
//! sentence is what a reader is shown: the model decides, it never raises a
//! note on a mere mention the rules have already set aside (the passages it
//! learned from were all chosen by such words, so alone it would).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::LazyLock;

use super::lexicon::Cue;
use super::rules::SentenceScores;
use super::tokens::{Cues, Token};
use super::NoteKind;

/// The notes the model decides, in the order of its weight columns.
pub const MODEL_NOTES: [NoteKind; 8] = [
    NoteKind::Violence,
    NoteKind::War,
    NoteKind::Death,
    NoteKind::Abduction,
    NoteKind::Misogyny,
    NoteKind::Homophobia,
    NoteKind::Racism,
    NoteKind::Ableism,
];

const N: usize = MODEL_NOTES.len();

/// A window closes once it holds this many words: about the length of the
/// labelled passages (median 79 words, three in four under 110).
const WINDOW_WORDS: usize = 100;

/// One sentence as the model reads it.
pub(crate) struct Sentence<'a> {
    pub text: &'a str,
    pub tokens: &'a [Token],
    pub scores: &'a SentenceScores,
}

/// Consecutive runs of sentences of about `WINDOW_WORDS` words; a short
/// tail joins the window before it rather than being judged alone.
pub(crate) fn windows(words: &[usize]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, &n) in words.iter().enumerate() {
        count += n;
        if count >= WINDOW_WORDS {
            out.push(start..i + 1);
            start = i + 1;
            count = 0;
        }
    }
    if start < words.len() {
        match out.last_mut() {
            Some(last) if count < WINDOW_WORDS / 2 => last.end = words.len(),
            _ => out.push(start..words.len()),
        }
    }
    out
}

/// Every feature of a window with its value: `w:` a word, `b:` two words
/// in a row, `c:` a lexicon cue, `r:` the strongest rule score of a note,
/// `h:` a rule finding strong enough to be evidence, `n:` the rules'
/// verdict over the window (their noisy-or reaching the suggestion
/// confidence). A word or pair that
/// occurs twice is given twice; the model counts it once (the features are
/// a set).
pub(crate) fn each_feature(window: &[Sentence], mut f: impl FnMut(&str, f32)) {
    let mut name = String::new();
    let mut cues = Cues::default();
    let mut strongest = [0.0f32; NoteKind::ALL.len()];
    // The rules' own verdict over the window: the noisy-or of its evidence.
    let mut missing = [1.0f32; NoteKind::ALL.len()];
    let mut previous = String::new();
    let mut word = String::new();
    for sentence in window {
        previous.clear();
        for token in sentence.tokens {
            cues = cues.union(token.cues);
            let Some(raw) = sentence.text.get(token.start as usize..token.end as usize) else {
                continue;
            };
            word.clear();
            word.extend(raw.chars().map(|c| match c {
                '’' => '\'',
                c => c.to_ascii_lowercase(),
            }));
            name.clear();
            let _ = write!(name, "w:{word}");
            f(&name, 1.0);
            if !previous.is_empty() {
                name.clear();
                let _ = write!(name, "b:{previous} {word}");
                f(&name, 1.0);
            }
            std::mem::swap(&mut previous, &mut word);
        }
        for ((best, missing), &score) in strongest
            .iter_mut()
            .zip(missing.iter_mut())
            .zip(&sentence.scores.notes)
        {
            *best = best.max(score);
            if score >= super::PASSAGE_MIN {
                *missing *= 1.0 - score;
            }
        }
    }
    for cue in Cue::ALL {
        if cues.has(cue) {
            name.clear();
            let _ = write!(name, "c:{cue:?}");
            f(&name, 1.0);
        }
    }
    for (kind, &score) in NoteKind::ALL.iter().zip(&strongest) {
        if score > 0.0 {
            name.clear();
            let _ = write!(name, "r:{}", kind.name());
            f(&name, score);
        }
        if score >= super::PASSAGE_MIN {
            name.clear();
            let _ = write!(name, "h:{}", kind.name());
            f(&name, 1.0);
        }
    }
    for (kind, &missing) in NoteKind::ALL.iter().zip(&missing) {
        if missing <= 1.0 - super::REPORT_CONFIDENCE {
            name.clear();
            let _ = write!(name, "n:{}", kind.name());
            f(&name, 1.0);
        }
    }
}

/// What went wrong reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("line {line} of the note model: {problem}")]
    Line { line: usize, problem: String },
    #[error("the note model has no {0} line")]
    Missing(&'static str),
}

/// Per note: the weights of every feature, a bias, and the probability from
/// which the note is suggested.
#[derive(Debug, Clone)]
pub struct NoteModel {
    /// False for the rules alone: the eight notes then come from the rules
    /// as every other note does.
    fitted: bool,
    index: HashMap<Box<str>, u32>,
    weights: Vec<[f32; N]>,
    bias: [f32; N],
    threshold: [f32; N],
}

impl NoteModel {
    /// Reads the tab-separated model: `notes` naming the columns (the order
    /// of `MODEL_NOTES`), `bias`, `threshold`, then one feature a line.
    /// Lines starting with `#` are comments.
    pub fn parse(tsv: &str) -> Result<NoteModel, ModelError> {
        let mut model = NoteModel {
            fitted: true,
            index: HashMap::new(),
            weights: Vec::new(),
            bias: [0.0; N],
            threshold: [0.0; N],
        };
        let (mut notes, mut bias, mut threshold) = (false, false, false);
        for (n, line) in tsv.lines().enumerate() {
            let bad = |problem: String| ModelError::Line {
                line: n + 1,
                problem,
            };
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let key = fields.next().unwrap_or_default();
            let rest: Vec<&str> = fields.collect();
            if rest.len() != N {
                return Err(bad(format!(
                    "{} columns after the name, not {N}",
                    rest.len()
                )));
            }
            if key == "notes" {
                let expected: Vec<&str> = MODEL_NOTES.iter().map(|k| k.name()).collect();
                if rest != expected {
                    return Err(bad(format!("the columns are {rest:?}, not {expected:?}")));
                }
                notes = true;
                continue;
            }
            let mut values = [0.0f32; N];
            for (value, field) in values.iter_mut().zip(&rest) {
                *value = field
                    .parse()
                    .map_err(|_| bad(format!("{field:?} is not a number")))?;
            }
            match key {
                "bias" => (model.bias, bias) = (values, true),
                "threshold" => (model.threshold, threshold) = (values, true),
                feature => {
                    let id = u32::try_from(model.weights.len())
                        .map_err(|_| bad("too many features".into()))?;
                    if model.index.insert(feature.into(), id).is_some() {
                        return Err(bad(format!("{feature:?} is listed twice")));
                    }
                    model.weights.push(values);
                }
            }
        }
        if !notes {
            return Err(ModelError::Missing("notes"));
        }
        if !bias {
            return Err(ModelError::Missing("bias"));
        }
        if !threshold {
            return Err(ModelError::Missing("threshold"));
        }
        Ok(model)
    }

    /// No model: every note from the rules, as before the model was fitted
    /// (the baseline the training program compares against).
    pub fn rules_only() -> NoteModel {
        NoteModel {
            fitted: false,
            index: HashMap::new(),
            weights: Vec::new(),
            bias: [0.0; N],
            threshold: [1.0; N],
        }
    }

    pub(crate) fn is_fitted(&self) -> bool {
        self.fitted
    }

    /// How many features carry a weight.
    pub fn features(&self) -> usize {
        self.weights.len()
    }

    /// What the features of `window` weigh for each note, the bias left
    /// out: how far the text itself moves the model.
    pub(crate) fn weigh(&self, window: &[Sentence]) -> [f32; N] {
        let mut found: Vec<(u32, f32)> = Vec::new();
        each_feature(window, |name, value| {
            if let Some(&id) = self.index.get(name) {
                found.push((id, value));
            }
        });
        found.sort_unstable_by_key(|&(id, _)| id);
        found.dedup_by_key(|&mut (id, _)| id);
        let mut weight = [0.0; N];
        for (id, value) in found {
            for (m, w) in weight.iter_mut().zip(&self.weights[id as usize]) {
                *m += w * value;
            }
        }
        weight
    }

    /// The probability of note `column` for a text whose features weigh
    /// `weight`.
    pub(crate) fn probability(&self, column: usize, weight: f32) -> f32 {
        1.0 / (1.0 + (-(self.bias[column] + weight)).exp())
    }

    /// The suggestion threshold of column `i`.
    pub(crate) fn threshold(&self, i: usize) -> f32 {
        self.threshold[i]
    }
}

/// The model shipped in the repository. It parses (a unit test checks the
/// file); were it ever not to, the notes would come from the rules alone
/// rather than a server stop on its first work.
pub(crate) static MODEL: LazyLock<NoteModel> = LazyLock::new(|| {
    NoteModel::parse(include_str!("notes_model.tsv")).unwrap_or_else(|_| NoteModel::rules_only())
});

/// A probability mapped so the note's threshold lands on the suggestion
/// confidence (0.5): below it scaled down, above it scaled up to 1.
pub(crate) fn calibrated(p: f32, threshold: f32) -> f32 {
    let t = threshold.clamp(0.01, 0.99);
    if p < t {
        0.5 * p / t
    } else {
        0.5 + 0.5 * (p - t) / (1.0 - t)
    }
}
