//! A work as one reader downloads it: its placeholders filled (or not),
//! its preface in AO3's order, its chapters as clean XHTML trees. Every
//! format draws from this, so they all say the same.

use quire_archive::model::Formatted;
use quire_archive::Work;

use crate::xhtml::{self, Node};
use crate::Options;

pub(crate) struct WorkView<'a> {
    pub work: &'a Work,
    pub url: String,
    pub creators: Vec<Creator>,
    /// The preface's `dt`/`dd` pairs (tags, language, series).
    pub rows: Vec<Row>,
    pub stats: Vec<(&'static str, String)>,
    /// Summaries and notes, as chapter text is: XHTML trees, filled.
    pub summary: Vec<Node>,
    pub notes_start: Vec<Node>,
    pub notes_end: Vec<Node>,
    pub chapters: Vec<ChapterView>,
    /// The codes this copy fills, with their values.
    pub filled: Vec<(String, String)>,
}

pub(crate) struct Creator {
    pub name: String,
    pub url: String,
}

pub(crate) struct Row {
    pub label: String,
    pub items: Vec<Item>,
}

pub(crate) struct Item {
    /// Words before the link ("Part 2 of " before a series' name).
    pub before: String,
    pub text: String,
    pub url: Option<String>,
}

pub(crate) struct ChapterView {
    pub number: usize,
    /// "Chapter 2: Title", or the work's title for a one-chapter work
    /// whose chapter has none.
    pub heading: String,
    /// The heading only stands in for the work's title (AO3's hidden
    /// title heading): it names no chapter, and reads back as none.
    pub title_only: bool,
    /// Summaries and notes, as chapter text is: XHTML trees, filled.
    pub summary: Vec<Node>,
    pub notes_start: Vec<Node>,
    pub notes_end: Vec<Node>,
    pub body: Vec<Node>,
}

impl WorkView<'_> {
    pub fn new<'a>(work: &'a Work, options: &Options) -> WorkView<'a> {
        let fill = &options.fill;
        let filled_text = |text: &Formatted| xhtml::convert(text.html(), fill);
        let one_chapter = work.chapters.len() == 1;
        let chapters = work
            .chapters
            .iter()
            .enumerate()
            .map(|(i, chapter)| ChapterView {
                number: i + 1,
                heading: chapter_heading(work, i, &chapter.title, one_chapter),
                title_only: one_chapter && chapter.title.trim().is_empty(),
                summary: filled_text(&chapter.summary),
                notes_start: filled_text(&chapter.notes_start),
                notes_end: filled_text(&chapter.notes_end),
                body: xhtml::convert_with(&chapter.html, fill, options),
            })
            .collect();
        WorkView {
            work,
            url: options.work_url(work.id),
            creators: creators(&work.creators, options),
            rows: rows(work, options),
            stats: stats(work),
            summary: filled_text(&work.summary),
            notes_start: filled_text(&work.notes_start),
            notes_end: filled_text(&work.notes_end),
            chapters,
            filled: filled_codes(work, options),
        }
    }

    /// "Alice, Bob and Carol", or Anonymous for a work that names nobody.
    pub fn byline(&self) -> String {
        byline(&self.creators)
    }

    pub fn has_end_notes(&self) -> bool {
        !self.notes_end.is_empty()
    }

    /// The sentence that tells a reader their copy is filled.
    pub fn fill_note(&self) -> Option<String> {
        fill_note(&self.filled)
    }
}

pub(crate) fn creators(names: &[String], options: &Options) -> Vec<Creator> {
    names
        .iter()
        .map(|name| Creator {
            name: name.clone(),
            url: options.author_url(name),
        })
        .collect()
}

pub(crate) fn byline(creators: &[Creator]) -> String {
    let names: Vec<&str> = creators.iter().map(|c| c.name.as_str()).collect();
    match names.as_slice() {
        [] => "Anonymous".to_string(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A titled chapter is always "Chapter N: Title", the one chapter of a work
/// too (as AO3 has headed them since 2026): a bare title would read back as
/// a numbering when it is one ("Chapter 1"), or lose its start when it
/// starts like one ("Chapter 1: …").
fn chapter_heading(work: &Work, index: usize, title: &str, one_chapter: bool) -> String {
    let title = title.trim();
    match (one_chapter, title.is_empty()) {
        (true, true) => work.title.clone(),
        (false, true) => format!("Chapter {}", index + 1),
        (_, false) => format!("Chapter {}: {title}", index + 1),
    }
}

fn strs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn label(singular: &str, plural: &str, count: usize) -> String {
    if count == 1 { singular } else { plural }.to_string()
}

fn rows(work: &Work, options: &Options) -> Vec<Row> {
    let tag = |name: &str| Item {
        before: String::new(),
        text: name.to_string(),
        url: Some(options.tag_url(name)),
    };
    let mut rows = vec![Row {
        label: "Rating".into(),
        items: vec![tag(work.rating.name())],
    }];
    let warnings: Vec<Item> = work.warnings.iter().map(|w| tag(w.name())).collect();
    rows.push(Row {
        label: label("Archive Warning", "Archive Warnings", warnings.len()),
        items: warnings,
    });
    let mut listed = |singular: &str, plural: &str, names: Vec<&str>| {
        if !names.is_empty() {
            rows.push(Row {
                label: label(singular, plural, names.len()),
                items: names.into_iter().map(tag).collect(),
            });
        }
    };
    listed(
        "Category",
        "Categories",
        work.categories.iter().map(|c| c.name()).collect(),
    );
    listed("Fandom", "Fandoms", strs(&work.fandoms));
    listed("Relationship", "Relationships", strs(&work.relationships));
    listed("Character", "Characters", strs(&work.characters));
    listed("Additional Tags", "Additional Tags", strs(&work.freeforms));
    rows.push(Row {
        label: "Language".into(),
        items: vec![Item {
            before: String::new(),
            text: language_name(&work.language),
            url: None,
        }],
    });
    if !work.series.is_empty() {
        rows.push(Row {
            label: "Series".into(),
            items: work
                .series
                .iter()
                // AO3's way: the series' name is its link, so a reader of
                // the file knows where the name starts and ends.
                .map(|part| Item {
                    before: format!("Part {} of ", part.part),
                    text: part.title.clone(),
                    url: Some(options.series_url(part.series)),
                })
                .collect(),
        });
    }
    rows
}

fn stats(work: &Work) -> Vec<(&'static str, String)> {
    let published = crate::dates::date(work.posted_at);
    let updated = crate::dates::date(work.updated_at);
    let mut stats = vec![("Published", published.clone())];
    if updated != published {
        stats.push((
            if work.complete {
                "Completed"
            } else {
                "Updated"
            },
            updated,
        ));
    }
    stats.push((
        "Words",
        quire_text::count::thousands(work.word_count as u64),
    ));
    let expected = work
        .expected_chapters
        .map_or_else(|| "?".to_string(), |n| n.to_string());
    stats.push(("Chapters", format!("{}/{expected}", work.chapters.len())));
    stats
}

/// The codes the work's chapters use that this reader has a value for,
/// in the order they first appear.
fn filled_codes(work: &Work, options: &Options) -> Vec<(String, String)> {
    let mut filled: Vec<(String, String)> = Vec::new();
    for chapter in &work.chapters {
        for placeholder in &chapter.body.placeholders {
            if filled.iter().any(|(code, _)| *code == placeholder.code) {
                continue;
            }
            if let Some(value) = options.fill.value_for(&placeholder.code) {
                filled.push((placeholder.code.clone(), value.to_string()));
            }
        }
    }
    filled
}

pub(crate) fn fill_note(filled: &[(String, String)]) -> Option<String> {
    if filled.is_empty() {
        return None;
    }
    let pairs: Vec<String> = filled
        .iter()
        .map(|(code, value)| format!("{code} as “{value}”"))
        .collect();
    Some(format!(
        "This copy was filled for one reader: it reads {}. The archive keeps the author’s placeholders.",
        pairs.join(", ")
    ))
}

/// The name readers know a language by, for the codes fan works are
/// mostly written in; any other code is shown as it is.
pub(crate) fn language_name(code: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("en", "English"),
        ("es", "Español"),
        ("fr", "Français"),
        ("de", "Deutsch"),
        ("it", "Italiano"),
        ("pt", "Português"),
        ("pt-BR", "Português brasileiro"),
        ("pl", "Polski"),
        ("ru", "Русский"),
        ("uk", "Українська"),
        ("zh", "中文"),
        ("ja", "日本語"),
        ("ko", "한국어"),
        ("nl", "Nederlands"),
        ("sv", "Svenska"),
        ("tr", "Türkçe"),
        ("vi", "Tiếng Việt"),
        ("id", "Bahasa Indonesia"),
    ];
    NAMES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map_or_else(|| code.trim().to_string(), |(_, name)| name.to_string())
}

/// The work's language as a tag an EPUB accepts (`und` when it isn't one).
pub(crate) fn language_tag(code: &str) -> String {
    let code = code.trim();
    if xhtml::is_language_tag(code) {
        code.to_string()
    } else {
        "und".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(language_name("en"), "English");
        assert_eq!(language_name("xx"), "xx");
        assert_eq!(language_tag("pt-BR"), "pt-BR");
        assert_eq!(language_tag("English!"), "und");
    }
}
