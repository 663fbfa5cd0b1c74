//! Whatever work quire exports as EPUB or HTML imports back as the same
//! work: title, creators, tags, rating, warnings, categories, series,
//! summary, notes, and every chapter with its title, summary, notes and
//! text, and the chapter count (`3/?` stays `3/?`).
//!
//! What "the same" means: names (title, creators, tags, series, chapter
//! titles) are equal once their white space is folded to single spaces,
//! as any HTML reader folds it; summaries and notes are equal as
//! paragraphs of lines, each line with its white space folded (a file
//! keeps the author's paragraphs and line breaks, not runs of spaces); a
//! chapter's text is equal as the paragraphs quire reads from it. Lists
//! keep their order; rating, warnings, categories, completeness and the
//! expected chapter count are equal outright.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use quire_archive::import::{prepare, Prepared};
use quire_archive::model::{
    tag_key, ArchiveWarning, Category, Formatted, Rating, Warnings, WorkDraft,
};
use quire_archive::{SeriesPart, Work};

use crate::support::{options, text_chapter, work_from_draft};

/// Words that names and text are made of: markup characters, quotes,
/// accents, other scripts, and words that look like the file's own labels.
const WORDS: &[&str] = &[
    "Ashes",
    "salt",
    "road",
    "&",
    "<b>",
    "a<b",
    "R&R",
    "\"quoted\"",
    "'single'",
    "it's",
    "Zoë",
    "Ærø",
    "naïve",
    "東京",
    "Привет",
    "ÿ",
    "—",
    "…",
    "Chapter",
    "Part",
    "12",
    "of",
    "Summary",
    "Notes",
    "by",
    "and",
    "Rating:",
    "Words:",
    "3/?",
    "[2]",
    "(1)",
    "tide",
    "lantern",
    "Y/N",
    "x",
    "far-off",
    "/",
];

/// Words of a chapter's text: markup characters, quotes, accents and other
/// scripts, but no "Notes:" or "Rating:" that quire reads as a chapter's
/// notes or tags, which a chapter written so would not keep as text.
const TEXT_WORDS: &[&str] = &[
    "she",
    "waited",
    "&",
    "<b>",
    "a<b",
    "\"late\"",
    "'here'",
    "it's",
    "Zoë",
    "Ærø",
    "東京",
    "Привет",
    "—",
    "…",
    "12",
    "tide",
    "lantern",
    "far-off",
    "x",
];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_string)
}

/// A name of one to `most` words.
fn name(most: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..=most).prop_map(|words| words.join(" "))
}

/// Up to `most` names of a kind, no two the same tag (and no comma in
/// any: AO3 allows none in a tag).
fn names(least: usize, most: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(4), least..=most).prop_map(|list| {
        let mut seen = BTreeSet::new();
        list.into_iter()
            .filter(|n| seen.insert(tag_key(n)))
            .collect()
    })
}

/// Words as a writer formats them in a summary or notes.
const FORMATTED_WORDS: &[&str] = &[
    "<i>tide</i>",
    "<b>salt</b>",
    "<em>far-off</em> road",
    "<strong>Zoë</strong>",
    "<a href=\"https://example.org/x\">lantern</a>",
];

/// A summary or notes as an author writes them: plain text of paragraphs
/// of lines (its `<` and `&` the writer's own), the same typed as HTML
/// with some words formatted, or nothing at all.
fn prose() -> impl Strategy<Value = Formatted> {
    let line = prop::collection::vec(word(), 1..12).prop_map(|w| w.join(" "));
    let paragraph = prop::collection::vec(line, 1..3).prop_map(|l| l.join("\n"));
    let text = prop::collection::vec(paragraph, 1..4).prop_map(|p| p.join("\n\n"));
    let formatted_line = prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(TEXT_WORDS).prop_map(quire_text::insert::escape_html),
            1 => prop::sample::select(FORMATTED_WORDS).prop_map(str::to_string),
        ],
        1..10,
    )
    .prop_map(|w| w.join(" "));
    let formatted_paragraph =
        prop::collection::vec(formatted_line, 1..3).prop_map(|l| l.join("\n"));
    let html = prop::collection::vec(formatted_paragraph, 1..4).prop_map(|p| p.join("\n\n"));
    prop_oneof![
        1 => Just(Formatted::default()),
        2 => text.prop_map(|t| Formatted::from_text(&t)),
        2 => html.prop_map(|h| Formatted::from_html(&h)),
    ]
}

fn warnings() -> impl Strategy<Value = Warnings> {
    let specific = prop::sample::subsequence(
        vec![
            ArchiveWarning::GraphicViolence,
            ArchiveWarning::MajorCharacterDeath,
            ArchiveWarning::RapeNonCon,
            ArchiveWarning::UnderageSex,
        ],
        1..=4,
    );
    prop_oneof![
        Just(Warnings::chose_not_to_use()),
        Just(Warnings::new([ArchiveWarning::NoneApply]).unwrap()),
        specific.prop_map(|w| Warnings::new(w).unwrap()),
    ]
}

#[derive(Debug, Clone)]
struct ChapterSpec {
    title: String,
    summary: Formatted,
    notes_start: Formatted,
    notes_end: Formatted,
    text: Vec<String>,
}

fn chapter() -> impl Strategy<Value = ChapterSpec> {
    let title = prop_oneof![Just(String::new()), name(5)];
    let sentence = prop::collection::vec(prop::sample::select(TEXT_WORDS), 3..15)
        .prop_map(|w| format!("{}.", w.join(" ")));
    let text = prop::collection::vec(sentence, 1..5);
    (title, prose(), prose(), prose(), text).prop_map(
        |(title, summary, notes_start, notes_end, text)| ChapterSpec {
            title,
            summary,
            notes_start,
            notes_end,
            text,
        },
    )
}

/// How the work stands: complete, or in progress with its last chapter
/// known (that many more) or not (`?`).
#[derive(Debug, Clone)]
enum Progress {
    Complete,
    Unknown,
    More(u32),
}

fn progress() -> impl Strategy<Value = Progress> {
    prop_oneof![
        Just(Progress::Complete),
        Just(Progress::Unknown),
        (1u32..20).prop_map(Progress::More),
    ]
}

fn work() -> impl Strategy<Value = Work> {
    let creators = prop::collection::vec(name(3), 1..=3).prop_map(|list| {
        let mut seen = BTreeSet::new();
        list.into_iter()
            .filter(|n| seen.insert(tag_key(n)))
            .collect::<Vec<_>>()
    });
    let tags = (
        names(1, 4),
        names(0, 6),
        names(0, 8),
        // A long list fills a preface well past forty words.
        prop_oneof![names(0, 3), names(20, 45)],
    );
    let meta = (
        prop::sample::select(Rating::ALL.to_vec()),
        warnings(),
        prop::sample::subsequence(Category::ALL.to_vec(), 0..=Category::ALL.len()),
        prop::option::of((name(5), 1u32..40)),
    );
    (
        name(8),
        creators,
        tags,
        meta,
        (prose(), prose(), prose()),
        prop::collection::vec(chapter(), 1..=5),
        progress(),
    )
        .prop_map(|(title, creators, tags, meta, notes, chapters, progress)| {
            let (fandoms, relationships, characters, freeforms) = tags;
            let (rating, warnings, categories, series) = meta;
            let (summary, notes_start, notes_end) = notes;
            let posted = chapters.len() as u32;
            let draft = WorkDraft {
                title,
                summary,
                notes_start,
                notes_end,
                language: "en".into(),
                rating,
                warnings,
                categories: categories.into_iter().collect(),
                fandoms,
                relationships,
                characters,
                freeforms,
                complete: matches!(progress, Progress::Complete),
                expected_chapters: match progress {
                    Progress::Complete => Some(posted),
                    Progress::Unknown => None,
                    Progress::More(more) => Some(posted + more),
                },
                restricted: false,
                draft: false,
                chapters: chapters
                    .into_iter()
                    .map(|c| {
                        let mut chapter = text_chapter(&c.title, &c.text.join("\n\n"));
                        chapter.summary = c.summary;
                        chapter.notes_start = c.notes_start;
                        chapter.notes_end = c.notes_end;
                        chapter
                    })
                    .collect(),
            };
            draft.validate().expect("a work the archive would keep");
            let creators: Vec<&str> = creators.iter().map(String::as_str).collect();
            let mut work = work_from_draft(7, &draft, &creators);
            work.series = series
                .into_iter()
                .map(|(title, part)| SeriesPart {
                    series: 3,
                    title,
                    part,
                })
                .collect();
            work
        })
}

/// A name with its white space folded.
fn folded(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Summary or notes as paragraphs of folded lines.
fn paragraphs(note: &Formatted) -> Vec<Vec<String>> {
    note.text()
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(folded)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The elements of a summary or notes, in order, with their attributes:
/// what a round trip must keep of the writer's formatting.
fn formatting(note: &Formatted) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(note.html());
    fragment
        .tree
        .root()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .filter(|e| e.value().name() != "html")
        .map(|e| {
            let mut attributes: Vec<String> =
                e.value().attrs().map(|(n, v)| format!("{n}={v}")).collect();
            attributes.sort();
            format!("{} {}", e.value().name(), attributes.join(" "))
        })
        .collect()
}

fn folded_all(names: &[String]) -> Vec<String> {
    names.iter().map(|n| folded(n)).collect()
}

/// Every field the round trip keeps, read back equal, or the first that
/// is not, named.
fn assert_same(format: &str, work: &Work, back: &Prepared) -> Result<(), TestCaseError> {
    let draft = &back.draft;
    let what = |field: &str| format!("{format}: {field}");
    prop_assert_eq!(
        folded(&draft.title),
        folded(&work.title),
        "{}",
        what("title")
    );
    prop_assert_eq!(
        folded_all(&back.creators),
        folded_all(&work.creators),
        "{}",
        what("creators")
    );
    prop_assert_eq!(draft.rating, work.rating, "{}", what("rating"));
    prop_assert_eq!(&draft.warnings, &work.warnings, "{}", what("warnings"));
    let categories: BTreeSet<Category> = work.categories.iter().copied().collect();
    prop_assert_eq!(&draft.categories, &categories, "{}", what("categories"));
    for (field, got, want) in [
        ("fandoms", &draft.fandoms, &work.fandoms),
        ("relationships", &draft.relationships, &work.relationships),
        ("characters", &draft.characters, &work.characters),
        ("additional tags", &draft.freeforms, &work.freeforms),
    ] {
        prop_assert_eq!(folded_all(got), folded_all(want), "{}", what(field));
    }
    let series = work.series.first().map(|s| (folded(&s.title), s.part));
    prop_assert_eq!(
        back.series.as_ref().map(|(t, p)| (folded(t), *p)),
        series,
        "{}",
        what("series")
    );
    for (field, got, want) in [
        ("summary", &draft.summary, &work.summary),
        ("notes", &draft.notes_start, &work.notes_start),
        ("end notes", &draft.notes_end, &work.notes_end),
    ] {
        prop_assert_eq!(paragraphs(got), paragraphs(want), "{}", what(field));
        prop_assert_eq!(
            formatting(got),
            formatting(want),
            "{}",
            what(&format!("{field}'s formatting"))
        );
    }
    prop_assert_eq!(draft.complete, work.complete, "{}", what("complete"));
    prop_assert_eq!(
        draft.expected_chapters,
        work.expected_chapters,
        "{}",
        what("expected chapters")
    );
    prop_assert_eq!(
        draft.chapters.len(),
        work.chapters.len(),
        "{}",
        what("chapters")
    );
    for (i, (got, want)) in draft.chapters.iter().zip(&work.chapters).enumerate() {
        let what = |field: &str| format!("{format}: chapter {}'s {field}", i + 1);
        prop_assert_eq!(folded(&got.title), folded(&want.title), "{}", what("title"));
        for (field, got, want) in [
            ("summary", &got.summary, &want.summary),
            ("notes", &got.notes_start, &want.notes_start),
            ("end notes", &got.notes_end, &want.notes_end),
        ] {
            prop_assert_eq!(paragraphs(got), paragraphs(want), "{}", what(field));
        }
        prop_assert_eq!(
            &got.body.paragraphs,
            &want.body.paragraphs,
            "{}",
            what("text")
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_work_exported_imports_back_the_same(work in work()) {
        let epub = quire_export::epub(&work, &options()).expect("exported");
        let back = prepare(Path::new("work.epub"), &epub)
            .map_err(|e| TestCaseError::fail(format!("the EPUB is refused: {e}")))?;
        assert_same("EPUB", &work, &back)?;

        let html = quire_export::html(&work, &options());
        let back = prepare(Path::new("work.html"), &html)
            .map_err(|e| TestCaseError::fail(format!("the HTML is refused: {e}")))?;
        assert_same("HTML", &work, &back)?;
    }

    /// A download cut short (a failed transfer) is read as far as it goes
    /// or refused with a reason, never a panic.
    #[test]
    fn a_download_cut_short_is_read_or_refused(work in work(), cut in any::<prop::sample::Index>()) {
        for (name, bytes) in [
            ("work.epub", quire_export::epub(&work, &options()).expect("exported")),
            ("work.html", quire_export::html(&work, &options())),
        ] {
            let short = &bytes[..cut.index(bytes.len())];
            if let Err(err) = prepare(Path::new(name), short) {
                prop_assert!(!err.to_string().is_empty());
            }
        }
    }
}

/// A chapter typed in HTML with AO3's own attributes (a cell spanning two
/// columns, a list starting at 5, an open `details`, a quotation's
/// source), exported as EPUB and as HTML and imported again, keeps them.
#[test]
fn formatting_a_writer_typed_survives_a_download_and_an_import() {
    use crate::support::{draft_with, html_chapter};
    let typed = "The tally.\n\n<table><tr><th colspan=\"2\" scope=\"col\">Ships</th></tr>\
        <tr><td>Spring</td><td>12</td></tr></table>\n\n\
        <ol start=\"5\"><li>The fifth</li><li>The sixth</li></ol>\n\n\
        <details open><summary>More</summary><p>Hidden.</p></details>\n\n\
        <blockquote cite=\"https://example.org/source\"><p>Quoted.</p></blockquote>";
    let draft = draft_with(vec![html_chapter("One", typed)]);
    let stored = &draft.chapters[0].html;
    let kept = [
        "colspan=\"2\"",
        "scope=\"col\"",
        "<ol start=\"5\">",
        "<details open=\"open\">",
        "cite=\"https://example.org/source\"",
    ];
    for attribute in kept {
        assert!(
            stored.contains(attribute),
            "{attribute} not stored: {stored}"
        );
    }
    let work = work_from_draft(1, &draft, &["writer"]);
    let epub = quire_export::epub(&work, &options()).expect("exported");
    let html = quire_export::html(&work, &options());
    for (name, bytes) in [("work.epub", epub), ("work.html", html)] {
        let back = prepare(Path::new(name), &bytes).expect("imports");
        let chapter = &back.draft.chapters[0].html;
        for attribute in kept {
            assert!(
                chapter.contains(attribute),
                "{name}: {attribute} lost: {chapter}"
            );
        }
    }
}
