//! What the evaluation programs share: the labelled passages and keyword
//! lists beside the repository, read the same way, and the counts scored
//! from them. Only aggregates leave these programs; no passage text.

// Each program uses only part of what is here.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::Path;

/// The keyword lists of the JSON file that a baseline matches: every list
/// of phrases it has for a label.
pub const KEYWORD_LISTS: [&str; 5] = [
    "phrases",
    "cleaned_up_phrases",
    "stemmed_phrases",
    "set_1",
    "set_2",
];

/// One labelled passage: positive when at least two of its three
/// annotators said so.
pub struct Labelled {
    pub label: String,
    pub positive: bool,
    pub work: String,
    pub text: String,
}

pub fn read_passages(path: &Path) -> Result<Vec<Labelled>, Box<dyn Error>> {
    let mut out = Vec::new();
    for line in fs::read_to_string(path)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)?;
        let votes: u64 = value["votes"]
            .as_array()
            .ok_or("a passage without votes")?
            .iter()
            .filter_map(serde_json::Value::as_u64)
            .sum();
        out.push(Labelled {
            label: value["warning"]
                .as_str()
                .ok_or("a passage without a warning")?
                .to_string(),
            positive: votes >= 2,
            work: value["work_id"].as_str().unwrap_or_default().to_string(),
            text: value["text"]
                .as_str()
                .ok_or("a passage without text")?
                .to_string(),
        });
    }
    Ok(out)
}

/// Every label's phrases, lower-cased, each once.
pub fn read_keywords(
    path: &Path,
    labels: &[&str],
) -> Result<BTreeMap<String, Vec<String>>, Box<dyn Error>> {
    let value: serde_json::Value = serde_json::from_str(&fs::read_to_string(path)?)?;
    let mut out = BTreeMap::new();
    for &label in labels {
        let entry = &value[label];
        let mut phrases: Vec<String> = KEYWORD_LISTS
            .iter()
            .filter_map(|list| entry[*list].as_array())
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_lowercase)
            .filter(|p| !p.trim().is_empty())
            .collect();
        phrases.sort();
        phrases.dedup();
        out.insert(label.to_string(), phrases);
    }
    Ok(out)
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}
