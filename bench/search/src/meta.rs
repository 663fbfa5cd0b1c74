//! What the benchmark remembers of the corpus: per work the id quire gave
//! it and what the filter shapes look at, the query parameters chosen from
//! it, and the answers a plain scan of it gives (the truth both search
//! engines are held to).

use std::collections::{BTreeSet, HashMap};

use quire_archive::import::Prepared;
use quire_archive::model::TagKind;
use serde::{Deserialize, Serialize};

use crate::system::date_to_unix;

/// One work as stored by quire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetaWork {
    pub id: i64,
    /// The word count quire stores (the text pipeline's count).
    pub words: u64,
    pub complete: bool,
    pub kudos: u64,
    /// Unix seconds.
    pub updated: i64,
    /// Indexes into [`Meta::tags`], each tag once.
    pub tags: Vec<u32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Meta {
    /// `kind:name`, kind as quire's `TagKind::code`.
    pub tags: Vec<String>,
    /// In corpus order.
    pub works: Vec<MetaWork>,
    #[serde(skip)]
    interned: HashMap<String, u32>,
}

pub fn tag_string(kind: TagKind, name: &str) -> String {
    format!("{}:{}", kind.code(), name.trim())
}

/// The tags of a prepared work as quire stores them: rating, warnings,
/// categories, then the author's tags, each once.
pub fn tags_of(prepared: &Prepared) -> Vec<String> {
    let draft = &prepared.draft;
    let mut seen = BTreeSet::new();
    std::iter::once(tag_string(TagKind::Rating, draft.rating.name()))
        .chain(
            draft
                .warnings
                .iter()
                .map(|w| tag_string(TagKind::ArchiveWarning, w.name())),
        )
        .chain(
            draft
                .categories
                .iter()
                .map(|c| tag_string(TagKind::Category, c.name())),
        )
        .chain(draft.user_tags().map(|(kind, name)| tag_string(kind, name)))
        // quire keys a tag by kind and case-folded name.
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect()
}

impl Meta {
    pub fn push(&mut self, id: i64, prepared: &Prepared) -> anyhow::Result<()> {
        let updated = prepared
            .updated
            .as_deref()
            .or(prepared.published.as_deref())
            .and_then(date_to_unix)
            .ok_or_else(|| anyhow::anyhow!("work {id} has no readable update date"))?;
        let tags = tags_of(prepared)
            .into_iter()
            .map(|t| self.intern(t))
            .collect();
        self.works.push(MetaWork {
            id,
            words: prepared.draft.word_count() as u64,
            complete: prepared.draft.complete,
            kudos: prepared.seed_counts.map_or(0, |s| s.kudos),
            updated,
            tags,
        });
        Ok(())
    }

    fn intern(&mut self, tag: String) -> u32 {
        if let Some(&n) = self.interned.get(&tag) {
            return n;
        }
        let n = self.tags.len() as u32;
        self.interned.insert(tag.clone(), n);
        self.tags.push(tag);
        n
    }

    /// Rebuilds the lookup after loading from disk.
    pub fn reindex(&mut self) {
        self.interned = self
            .tags
            .iter()
            .enumerate()
            .map(|(n, t)| (t.clone(), n as u32))
            .collect();
    }

    pub fn tag_id(&self, tag: &str) -> Option<u32> {
        self.interned.get(tag).copied()
    }

    pub fn tag_names(&self, work: &MetaWork) -> Vec<&str> {
        work.tags
            .iter()
            .filter_map(|&t| self.tags.get(t as usize).map(String::as_str))
            .collect()
    }
}

/// The words of a text as a rough search engine sees them: lower case,
/// split at anything not a letter or digit.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// In how many works each token appears outside the chapter text (titles,
/// summaries, tags, creators, chapter titles): enough to find a name that
/// a modest share of works mention. Chapter texts are drawn from a fixed
/// vocabulary without names.
#[derive(Debug, Default)]
pub struct TokenCounts {
    pub works: u64,
    pub counts: HashMap<String, u64>,
}

impl TokenCounts {
    pub fn add(&mut self, texts: &[&str]) {
        self.works += 1;
        let mut seen = BTreeSet::new();
        for text in texts {
            for token in tokens(text) {
                seen.insert(token);
            }
        }
        for token in seen {
            *self.counts.entry(token).or_default() += 1;
        }
    }
}

/// The parameters each shape cycles through; the same list for both sides.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Params {
    /// A name token and the share of works that mention it outside the text.
    pub words: Vec<(String, f64)>,
    /// Popular fandoms (the 3rd most common first) and their work counts.
    pub fandoms: Vec<(String, u64)>,
    /// A fandom, one of its characters and a common freeform that occur
    /// together, and in how many works.
    pub triples: Vec<([String; 3], u64)>,
    /// Word-count ranges (as quire stores counts), inclusive.
    pub ranges: Vec<(u64, u64)>,
}

/// How many parameters each shape cycles through.
pub const VARIANTS: usize = 8;

fn kind_and_name(tag: &str) -> (&str, &str) {
    tag.split_once(':').unwrap_or(("", tag))
}

/// `count` items spread evenly over `items` (all of them if there are fewer).
fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if items.len() <= count {
        return items.to_vec();
    }
    (0..count)
        .map(|i| items[i * (items.len() - 1) / (count - 1).max(1)].clone())
        .collect()
}

pub fn choose(meta: &Meta, token_counts: &TokenCounts, word_scale: f64) -> anyhow::Result<Params> {
    let mut tag_works = vec![0u64; meta.tags.len()];
    for work in &meta.works {
        for &t in &work.tags {
            tag_works[t as usize] += 1;
        }
    }
    let ranked = |kind: TagKind| -> Vec<(u32, u64)> {
        let prefix = format!("{}:", kind.code());
        let mut list: Vec<(u32, u64)> = meta
            .tags
            .iter()
            .enumerate()
            .filter(|(_, t)| t.starts_with(&prefix))
            .map(|(n, _)| (n as u32, tag_works[n]))
            .collect();
        list.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| meta.tags[a.0 as usize].cmp(&meta.tags[b.0 as usize]))
        });
        list
    };
    let name = |t: u32| kind_and_name(&meta.tags[t as usize]).1.to_string();

    // Popular fandoms: the 3rd most common and the ones after it.
    let fandom_ranking = ranked(TagKind::Fandom);
    let fandom_ids: Vec<(u32, u64)> = fandom_ranking
        .iter()
        .skip(2)
        .take(VARIANTS)
        .copied()
        .collect();
    anyhow::ensure!(
        !fandom_ids.is_empty(),
        "the corpus has fewer than three fandoms; give more --works"
    );
    let fandoms = fandom_ids.iter().map(|&(t, n)| (name(t), n)).collect();

    // For each of those fandoms: the character and common freeform seen
    // together in it most often.
    let common: BTreeSet<u32> = ranked(TagKind::Freeform)
        .into_iter()
        .take(5)
        .map(|(t, _)| t)
        .collect();
    let character_prefix = format!("{}:", TagKind::Character.code());
    let mut triples = Vec::new();
    for &(fandom, _) in &fandom_ids {
        let mut pairs: HashMap<(u32, u32), u64> = HashMap::new();
        for work in meta.works.iter().filter(|w| w.tags.contains(&fandom)) {
            for &c in &work.tags {
                if !meta.tags[c as usize].starts_with(&character_prefix) {
                    continue;
                }
                for &f in work.tags.iter().filter(|f| common.contains(f)) {
                    *pairs.entry((c, f)).or_default() += 1;
                }
            }
        }
        let best = pairs.into_iter().max_by(|a, b| {
            a.1.cmp(&b.1).then_with(|| {
                // The smaller names win a tie, for a stable choice.
                (&meta.tags[b.0 .0 as usize], &meta.tags[b.0 .1 as usize])
                    .cmp(&(&meta.tags[a.0 .0 as usize], &meta.tags[a.0 .1 as usize]))
            })
        });
        if let Some(((c, f), n)) = best {
            triples.push(([name(fandom), name(c), name(f)], n));
        }
    }
    anyhow::ensure!(
        !triples.is_empty(),
        "no popular fandom has a character and a common freeform together; give more --works"
    );

    // Name tokens: the first word of each character, by how many works
    // mention it; the ones a modest share (0.2 %–3 %) of works mention.
    let mut names: Vec<(String, u64)> = ranked(TagKind::Character)
        .into_iter()
        .filter_map(|(t, _)| tokens(&name(t)).next())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .filter(|w| w.chars().count() >= 4 && w.chars().all(|c| c.is_alphabetic()))
        .map(|w| {
            let n = token_counts.counts.get(&w).copied().unwrap_or(0);
            (w, n)
        })
        .collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let all = token_counts.works.max(1) as f64;
    let modest: Vec<(String, u64)> = names
        .iter()
        .filter(|(_, n)| (0.002..=0.03).contains(&(*n as f64 / all)))
        .cloned()
        .collect();
    let chosen = if modest.len() >= VARIANTS {
        spread(&modest, VARIANTS)
    } else {
        // Too few in the band (a small corpus names its few characters
        // often): the names nearest to it.
        let distance = |n: u64| {
            let share = n as f64 / all;
            if share < 0.002 {
                0.002 / share.max(1e-12)
            } else if share > 0.03 {
                share / 0.03
            } else {
                1.0
            }
        };
        let mut nearest = names;
        nearest.sort_by(|a, b| {
            distance(a.1)
                .total_cmp(&distance(b.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        nearest.truncate(VARIANTS);
        nearest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        nearest
    };
    let words: Vec<(String, f64)> = chosen
        .into_iter()
        .map(|(w, n)| (w, n as f64 / all))
        .collect();
    anyhow::ensure!(!words.is_empty(), "the corpus has no character names");

    // 1,000–5,000 words at full length, and ranges around it, scaled.
    let scaled = |n: u64| ((n as f64 * word_scale).round() as u64).max(1);
    let ranges = [
        (1_000, 5_000),
        (1_200, 5_000),
        (1_000, 4_000),
        (800, 5_000),
        (1_500, 6_000),
        (1_000, 3_000),
        (2_000, 5_000),
        (900, 4_500),
    ]
    .into_iter()
    .map(|(a, b)| (scaled(a), scaled(b)))
    .collect();

    Ok(Params {
        words,
        fandoms,
        triples,
        ranges,
    })
}

/// What a scan of the corpus says a filter-only query should answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub total: u64,
    pub top: Vec<i64>,
}

pub enum Order {
    Updated,
    Kudos,
}

/// `None` without the corpus's record.
pub fn truth(
    meta: Option<&Meta>,
    matches: impl Fn(&MetaWork) -> bool,
    order: Order,
    limit: usize,
) -> Option<Truth> {
    let meta = meta?;
    let mut found: Vec<(i64, i64)> = meta
        .works
        .iter()
        .filter(|w| matches(w))
        .map(|w| {
            let key = match order {
                Order::Updated => w.updated,
                Order::Kudos => i64::try_from(w.kudos).unwrap_or(i64::MAX),
            };
            (key, w.id)
        })
        .collect();
    let total = found.len() as u64;
    found.sort_unstable_by(|a, b| b.cmp(a));
    Some(Truth {
        total,
        top: found.into_iter().take(limit).map(|(_, id)| id).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_both_ends() {
        let items: Vec<u32> = (0..100).collect();
        let picked = spread(&items, 8);
        assert_eq!(picked.len(), 8);
        assert_eq!(picked[0], 0);
        assert_eq!(picked[7], 99);
        assert_eq!(spread(&items[..3], 8), vec![0, 1, 2]);
    }

    #[test]
    fn tokens_split_like_a_search_engine() {
        let t: Vec<String> = tokens("Kaly Renos/Mar-tel karen_12 (TV)").collect();
        assert_eq!(t, ["kaly", "renos", "mar", "tel", "karen", "12", "tv"]);
    }
}
