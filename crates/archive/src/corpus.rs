//! A deterministic, AO3-like corpus for tests and benchmarks: the same seed
//! gives the same works, byte for byte. Shares follow what AO3 shows:
//! Zipf-distributed fandoms and additional tags, AO3's rating shares, about
//! two works in three with "No Archive Warnings Apply", log-normal word
//! counts (median about 2,500), heavy-tailed kudos and hits.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Zipf};
use serde::{Deserialize, Serialize};

use crate::model::{
    ArchiveWarning, Category, ChapterDraft, Formatted, ModelError, Rating, Warnings, WorkDraft,
};

/// Words per chapter that stay well inside AO3's 510,000-character limit.
const MAX_CHAPTER_WORDS: usize = 60_000;

/// One generated work: the fields of the API's work object that a
/// generator can know, plus its chapters and the counts to seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedWork {
    pub title: String,
    pub authors: Vec<String>,
    pub fandoms: Vec<String>,
    pub rating: String,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    pub language: String,
    pub words: usize,
    pub complete: bool,
    /// `None` is AO3's `?`.
    pub expected_chapters: Option<u32>,
    pub summary: String,
    /// `YYYY-MM-DD`.
    pub published: String,
    pub updated: String,
    pub chapters: Vec<GeneratedChapter>,
    pub kudos: u64,
    pub hits: u64,
}

impl GeneratedWork {
    /// The work as a draft, checked against the model's rules.
    pub fn draft(&self) -> Result<WorkDraft, ModelError> {
        let draft = WorkDraft {
            title: self.title.clone(),
            summary: Formatted::from_text(&self.summary),
            notes_start: Formatted::default(),
            notes_end: Formatted::default(),
            language: self.language.clone(),
            rating: Rating::from_name(&self.rating)?,
            warnings: Warnings::from_names(self.warnings.iter().map(String::as_str))?,
            categories: self
                .categories
                .iter()
                .map(|c| Category::from_name(c))
                .collect::<Result<_, _>>()?,
            fandoms: self.fandoms.clone(),
            relationships: self.relationships.clone(),
            characters: self.characters.clone(),
            freeforms: self.freeforms.clone(),
            complete: self.complete,
            expected_chapters: self.expected_chapters,
            restricted: false,
            draft: false,
            chapters: self
                .chapters
                .iter()
                .map(|c| ChapterDraft {
                    title: c.title.clone(),
                    ..ChapterDraft::from_manuscript(quire_text::analyze_str(&c.text))
                })
                .collect(),
        };
        draft.validate()?;
        Ok(draft)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedChapter {
    pub title: String,
    pub text: String,
}

const SYLLABLES: &[&str] = &[
    "ka", "ren", "sol", "vi", "mar", "tel", "os", "ith", "an", "dor", "ly", "qua", "ber", "sha",
    "no", "vel", "ir", "ta", "mo", "zen", "la", "fen", "ro", "cas", "wyn", "el", "bri", "tor",
];

const VOCABULARY: &[&str] = &[
    "the",
    "and",
    "she",
    "he",
    "they",
    "was",
    "had",
    "said",
    "light",
    "dark",
    "ship",
    "door",
    "hand",
    "eyes",
    "night",
    "morning",
    "sea",
    "city",
    "home",
    "letter",
    "map",
    "lantern",
    "river",
    "quiet",
    "slowly",
    "again",
    "never",
    "always",
    "before",
    "after",
    "under",
    "over",
    "into",
    "voice",
    "smile",
    "storm",
    "glass",
    "stone",
    "garden",
    "window",
    "fire",
    "cold",
    "warm",
    "remembered",
    "waited",
    "turned",
    "laughed",
    "whispered",
    "opened",
    "closed",
    "found",
    "lost",
    "kept",
    "held",
    "knew",
    "wanted",
    "feared",
    "loved",
    "of",
    "to",
    "in",
    "a",
    "her",
    "his",
    "their",
    "with",
    "from",
    "not",
    "only",
    "still",
    "almost",
    "every",
    "small",
    "old",
    "new",
];

const COMMON_FREEFORMS: &[&str] = &[
    "Fluff",
    "Angst",
    "Hurt/Comfort",
    "Slow Burn",
    "Found Family",
    "Alternate Universe",
    "Romance",
    "Friendship",
    "Humor",
    "Established Relationship",
    "Happy Ending",
    "Enemies to Lovers",
    "Canon Compliant",
    "Post-Canon",
    "Missing Scene",
    "Drabble",
    "Smut",
    "Whump",
    "Pining",
    "Domestic Fluff",
];

/// A made-up proper name, the same for the same index.
fn name_of(index: usize, parts: usize) -> String {
    let mut n = index;
    let mut word = String::new();
    for _ in 0..parts {
        word.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        n = n.wrapping_mul(7).wrapping_add(3);
    }
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => word,
    }
}

struct Universe {
    fandoms: Vec<String>,
    /// Characters of each fandom.
    characters: Vec<Vec<String>>,
    freeforms: Vec<String>,
    authors: Vec<String>,
}

impl Universe {
    fn new(works: usize) -> Universe {
        let fandom_count = (works / 20).clamp(20, 5_000);
        let freeform_count = (works / 2).clamp(100, 30_000);
        let author_count = (works / 3).max(10);
        let fandoms = (0..fandom_count)
            .map(|i| {
                format!(
                    "{} {}",
                    name_of(i, 2),
                    [
                        "Chronicles",
                        "Saga",
                        "(Video Game)",
                        "(TV)",
                        "- All Media Types"
                    ][i % 5]
                )
            })
            .collect();
        let characters = (0..fandom_count)
            .map(|f| {
                (0..12)
                    .map(|c| format!("{} {}", name_of(f * 12 + c, 2), name_of(f * 31 + c, 3)))
                    .collect()
            })
            .collect();
        let freeforms = (0..freeform_count)
            .map(|i| match COMMON_FREEFORMS.get(i) {
                Some(common) => common.to_string(),
                None => format!(
                    "{} {}",
                    name_of(i, 2),
                    ["Feels", "AU", "Fix-It", "Week", "Prompt"][i % 5]
                ),
            })
            .collect();
        let authors = (0..author_count)
            .map(|i| format!("{}_{}", name_of(i, 2).to_lowercase(), i))
            .collect();
        Universe {
            fandoms,
            characters,
            freeforms,
            authors,
        }
    }
}

fn pick_weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for &(choice, weight) in choices {
        if roll < weight {
            return choice;
        }
        roll -= weight;
    }
    choices[choices.len() - 1].0
}

fn sentence(rng: &mut ChaCha8Rng, words: usize) -> String {
    let mut out: Vec<&str> = (0..words)
        .map(|_| VOCABULARY[rng.random_range(0..VOCABULARY.len())])
        .collect();
    if out.is_empty() {
        out.push("and");
    }
    let mut text = out.join(" ");
    if let Some(first) = text.get(0..1) {
        let upper = first.to_uppercase();
        text.replace_range(0..1, &upper);
    }
    if rng.random_ratio(1, 6) {
        format!("\"{text},\" she said.")
    } else {
        format!("{text}.")
    }
}

/// Text of about `words` words in paragraphs separated by blank lines.
fn body(rng: &mut ChaCha8Rng, words: usize) -> String {
    let mut paragraphs = Vec::new();
    let mut written = 0;
    while written < words {
        let mut paragraph = Vec::new();
        for _ in 0..rng.random_range(2..6) {
            let n = rng.random_range(5..16).min(words - written).max(1);
            paragraph.push(sentence(rng, n));
            written += n + usize::from(paragraph.last().is_some_and(|s| s.ends_with("said."))) * 2;
            if written >= words {
                break;
            }
        }
        paragraphs.push(paragraph.join(" "));
    }
    paragraphs.join("\n\n")
}

/// Works `0..works` of the corpus for `seed`.
pub fn generate(works: usize, seed: u64) -> impl Iterator<Item = GeneratedWork> {
    generate_scaled(works, seed, 1.0)
}

/// The same corpus with every work's length multiplied by `word_scale`
/// (at least 20 words): the same titles, tags and counts, shorter texts,
/// for tests and benchmarks that need many works more than long ones.
pub fn generate_scaled(
    works: usize,
    seed: u64,
    word_scale: f64,
) -> impl Iterator<Item = GeneratedWork> {
    let word_scale = if word_scale.is_finite() && word_scale > 0.0 {
        word_scale.min(1.0)
    } else {
        1.0
    };
    let universe = Universe::new(works);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fandom_zipf =
        Zipf::new(universe.fandoms.len() as f64, 1.1).expect("fandom count is positive");
    let freeform_zipf =
        Zipf::new(universe.freeforms.len() as f64, 1.0).expect("tag count is positive");
    let word_counts = LogNormal::new(2_500f64.ln(), 1.1).expect("valid log-normal");
    let kudos_dist = LogNormal::new(3.0, 1.6).expect("valid log-normal");
    let mut titles = HashSet::new();
    (0..works).map(move |index| {
        let rng = &mut rng;
        let fandom_index = fandom_zipf.sample(rng) as usize - 1;
        let mut fandoms = vec![universe.fandoms[fandom_index].clone()];
        if rng.random_ratio(1, 12) {
            let other = universe.fandoms[fandom_zipf.sample(rng) as usize - 1].clone();
            if other != fandoms[0] {
                fandoms.push(other);
            }
        }
        let cast = &universe.characters[fandom_index];
        let mut characters: Vec<String> = (0..rng.random_range(1..5))
            .map(|_| cast[rng.random_range(0..cast.len())].clone())
            .collect();
        characters.dedup();
        let relationships: Vec<String> = if characters.len() >= 2 && rng.random_ratio(3, 4) {
            let joiner = if rng.random_ratio(4, 5) { "/" } else { " & " };
            vec![format!("{}{joiner}{}", characters[0], characters[1])]
        } else {
            Vec::new()
        };
        let mut freeforms: Vec<String> = (0..rng.random_range(0..8))
            .map(|_| universe.freeforms[freeform_zipf.sample(rng) as usize - 1].clone())
            .collect();
        freeforms.sort();
        freeforms.dedup();

        let rating = pick_weighted(
            rng,
            &[
                (Rating::GeneralAudiences, 30),
                (Rating::TeenAndUpAudiences, 31),
                (Rating::Mature, 16),
                (Rating::Explicit, 18),
                (Rating::NotRated, 5),
            ],
        );
        let warnings: Vec<ArchiveWarning> = match rng.random_range(0..100) {
            0..=65 => vec![ArchiveWarning::NoneApply],
            66..=84 => vec![ArchiveWarning::ChoseNotToUse],
            _ => {
                let specific = [
                    ArchiveWarning::GraphicViolence,
                    ArchiveWarning::MajorCharacterDeath,
                    ArchiveWarning::RapeNonCon,
                    ArchiveWarning::UnderageSex,
                ];
                let mut chosen: Vec<ArchiveWarning> = specific
                    .into_iter()
                    .filter(|_| rng.random_ratio(1, 3))
                    .collect();
                if chosen.is_empty() {
                    chosen.push(ArchiveWarning::GraphicViolence);
                }
                chosen
            }
        };
        let mut categories: Vec<Category> = (0..rng.random_range(0..3))
            .map(|_| {
                pick_weighted(
                    rng,
                    &[
                        (Category::MaleMale, 40),
                        (Category::FemaleMale, 25),
                        (Category::Gen, 20),
                        (Category::FemaleFemale, 8),
                        (Category::Multi, 4),
                        (Category::Other, 3),
                    ],
                )
            })
            .collect();
        categories.sort();
        categories.dedup();

        let full_words = word_counts.sample(rng).clamp(100.0, 200_000.0) as usize;
        let words = ((full_words as f64 * word_scale) as usize).max(20);
        let chosen_chapters: usize = if rng.random_ratio(7, 10) {
            1
        } else {
            rng.random_range(2..=(full_words / 500).clamp(2, 40))
        };
        // AO3 caps a chapter at 510,000 characters: long works come in more
        // chapters (a word here averages under six characters).
        let chapter_count = chosen_chapters.max(full_words.div_ceil(MAX_CHAPTER_WORDS));
        // Texts come from their own generator, so a scaled corpus draws the
        // same everything else.
        let mut text_rng = ChaCha8Rng::seed_from_u64(rng.random());
        let chapters: Vec<GeneratedChapter> = (0..chapter_count)
            .map(|c| GeneratedChapter {
                title: if chapter_count > 1 && rng.random_ratio(1, 2) {
                    format!(
                        "{} {}",
                        name_of(index + c, 1),
                        VOCABULARY[c % VOCABULARY.len()]
                    )
                } else {
                    String::new()
                },
                text: body(&mut text_rng, (words / chapter_count).max(20)),
            })
            .collect();
        let complete = chapter_count == 1 || rng.random_ratio(3, 5);
        let expected_chapters = if complete {
            Some(chapter_count as u32)
        } else if rng.random_ratio(1, 2) {
            None
        } else {
            Some(chapter_count as u32 + rng.random_range(1..10))
        };

        let mut title = format!(
            "{} {}",
            name_of(rng.random_range(0..100_000), 2),
            ["of Lanterns", "Tide", "in Winter", "and Ash", "Returning"][rng.random_range(0..5)]
        );
        if !titles.insert(title.clone()) {
            title = format!("{title} ({index})");
            titles.insert(title.clone());
        }
        let published_day = rng.random_range(14_600..20_400); // 2009–2025
        let updated_day = published_day
            + if complete && chapter_count == 1 {
                0
            } else {
                rng.random_range(0..400)
            };
        let kudos = kudos_dist.sample(rng) as u64;
        let hits = kudos * rng.random_range(8..25) + rng.random_range(0..200);
        let author_count = if rng.random_ratio(1, 20) { 2 } else { 1 };
        let mut authors: Vec<String> = (0..author_count)
            .map(|_| universe.authors[rng.random_range(0..universe.authors.len())].clone())
            .collect();
        authors.dedup();
        GeneratedWork {
            title,
            authors,
            fandoms,
            rating: rating.name().to_string(),
            warnings: warnings.iter().map(|w| w.name().to_string()).collect(),
            categories: categories.iter().map(|c| c.name().to_string()).collect(),
            relationships,
            characters,
            freeforms,
            language: "en".into(),
            // Counted as quire counts the text, not the length it was
            // generated to: filters on word ranges built from the corpus
            // file then find the works at their edges.
            words: chapters
                .iter()
                .map(|c| quire_text::count::words(&c.text))
                .sum(),
            complete,
            expected_chapters,
            summary: sentence(rng, 14),
            published: crate::dates::day_of(published_day * 86_400),
            updated: crate::dates::day_of(updated_day * 86_400),
            chapters,
            kudos,
            hits,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus() {
        let a: Vec<_> = generate(50, 7).collect();
        let b: Vec<_> = generate(50, 7).collect();
        let c: Vec<_> = generate(50, 8).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// The corpus file's `words` is what quire counts once the work is
    /// read, at every scale.
    #[test]
    fn the_words_written_are_the_words_quire_counts() {
        for scale in [1.0, 0.05] {
            for work in generate_scaled(300, 3, scale) {
                let draft = work.draft().expect("a valid draft");
                assert_eq!(work.words, draft.word_count(), "{}", work.title);
            }
        }
    }

    #[test]
    fn shares_look_like_ao3() {
        let works: Vec<_> = generate(2_000, 1).collect();
        let titles: HashSet<&str> = works.iter().map(|w| w.title.as_str()).collect();
        assert_eq!(titles.len(), works.len(), "every title is unique");
        let share = |f: &dyn Fn(&GeneratedWork) -> bool| {
            works.iter().filter(|w| f(w)).count() as f64 / works.len() as f64
        };
        let general = share(&|w| w.rating == "General Audiences");
        assert!((0.25..0.35).contains(&general), "{general}");
        let none_apply = share(&|w| w.warnings == ["No Archive Warnings Apply"]);
        assert!((0.6..0.72).contains(&none_apply), "{none_apply}");
        let mut words: Vec<usize> = works.iter().map(|w| w.words).collect();
        words.sort_unstable();
        let median = words[words.len() / 2];
        assert!((2_000..3_200).contains(&median), "median words {median}");
        // Zipf: the most common fandom holds far more works than the median one.
        let mut counts = std::collections::HashMap::new();
        for work in &works {
            *counts.entry(&work.fandoms[0]).or_insert(0) += 1;
        }
        let mut sizes: Vec<usize> = counts.into_values().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        assert!(sizes[0] > 10 * sizes[sizes.len() / 2], "{:?}", &sizes[..5]);
        for work in &works {
            assert!(
                crate::model::Warnings::from_names(work.warnings.iter().map(String::as_str))
                    .is_ok()
            );
            assert!(!work.chapters.is_empty());
        }
    }

    #[test]
    fn every_generated_work_keeps_the_rules() {
        for work in generate(300, 4) {
            if let Err(err) = work.draft() {
                panic!("{}: {err}", work.title);
            }
        }
    }

    #[test]
    fn a_scaled_corpus_is_the_same_works_shorter() {
        let full: Vec<_> = generate(40, 3).collect();
        let short: Vec<_> = generate_scaled(40, 3, 0.01).collect();
        for (a, b) in full.iter().zip(&short) {
            assert_eq!(a.title, b.title);
            assert_eq!(a.fandoms, b.fandoms);
            assert!(b.words <= a.words && b.words >= 20);
        }
    }
}
