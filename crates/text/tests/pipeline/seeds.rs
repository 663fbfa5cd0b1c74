//! The two samples in `../shared/seeds/`, as raw as works arrive.

use quire_text::{analyze, FillProfile};

use crate::shared::{assert_lossless, seed};

/// Seed 000: a run-on massacre scene with Mac Roman mojibake.
const SEED_000: &str = "000_";
/// Seed 003: a run-on reader-insert story with a time skip and trailing credits.
const SEED_003: &str = "003_";

#[test]
fn seed_000_is_repaired() {
    let manuscript = analyze(&seed(SEED_000)).unwrap();
    let text = manuscript.paragraphs.join("\n");
    assert!(text.contains("naïve"), "naïve is restored");
    assert!(!text.contains('√'), "no mojibake left");
    assert_eq!(manuscript.repairs.len(), 1);
    assert_eq!(manuscript.repairs[0].before, "√Ø");
    assert_eq!(manuscript.repairs[0].encoding.label(), "macintosh");
}

#[test]
fn seed_000_is_reparagraphed_between_quotations() {
    let manuscript = analyze(&seed(SEED_000)).unwrap();
    assert!(
        manuscript.paragraphs.len() >= 20,
        "only {} paragraphs",
        manuscript.paragraphs.len()
    );
    for paragraph in &manuscript.paragraphs {
        assert_eq!(
            paragraph.matches('"').count() % 2,
            0,
            "a paragraph boundary falls inside a quotation: {paragraph}"
        );
        let last = paragraph.trim_end().chars().last().unwrap();
        assert!(
            matches!(last, '.' | '!' | '?' | '"'),
            "a paragraph ends mid-sentence: {paragraph}"
        );
    }
}

#[test]
fn seeds_are_lossless() {
    assert_lossless(&seed(SEED_000));
    assert_lossless(&seed(SEED_003));
}

#[test]
fn seed_003_placeholders_are_counted() {
    let manuscript = analyze(&seed(SEED_003)).unwrap();
    let counts: Vec<(&str, usize)> = manuscript
        .placeholders
        .iter()
        .map(|p| (p.code.as_str(), p.count))
        .collect();
    assert_eq!(counts, vec![("Y/N", 7), ("E/C", 1), ("H/C", 1)]);
    assert!(manuscript.reader_insert);
    assert!(
        manuscript.second_person,
        "narration addresses the reader as you"
    );
}

#[test]
fn seed_003_time_skip_follows_a_scene_break() {
    let manuscript = analyze(&seed(SEED_003)).unwrap();
    let skip = manuscript
        .paragraphs
        .iter()
        .position(|p| p.starts_with("(6 months later)"))
        .expect("a paragraph starts with the time skip");
    assert_eq!(manuscript.scene_breaks, vec![skip]);
    assert!(!manuscript.paragraphs[skip - 1].contains("--"));
}

#[test]
fn seed_003_credits_are_end_notes() {
    let manuscript = analyze(&seed(SEED_003)).unwrap();
    for handle in ["the-imagines-awaken.tumblr.com", "theaidenellis.tumblr.com"] {
        assert!(
            manuscript.notes.end.contains(handle),
            "end notes hold {handle}"
        );
        assert!(manuscript.credits.iter().any(|c| c == handle));
        assert!(
            manuscript.paragraphs.iter().all(|p| !p.contains(handle)),
            "the story does not hold {handle}"
        );
    }
    assert!(manuscript.notes.start.is_empty());
    assert!(manuscript
        .paragraphs
        .last()
        .unwrap()
        .ends_with("\"I love you, Y/N.\""));
}

#[test]
fn seed_003_fills_for_a_reader() {
    let manuscript = analyze(&seed(SEED_003)).unwrap();
    let mut profile = FillProfile::new();
    for pair in ["Y/N=Alex", "E/C=green", "H/C=brown"] {
        profile.set_pair(pair).unwrap();
    }
    let rendered = manuscript.render(&profile);
    for code in ["Y/N", "E/C", "H/C"] {
        assert!(!rendered.contains(code), "{code} remains");
    }
    assert_eq!(rendered.matches("Alex").count(), 7);
    assert!(rendered.contains("\"I love you, Alex.\""));
    assert!(rendered.contains("Your beautiful green eyes"));
    assert!(rendered.contains("your brown hair"));
    assert!(rendered.contains("\n\n* * *\n\n(6 months later)"));
    // The stored manuscript keeps its placeholders for the next reader.
    assert!(manuscript.paragraphs.iter().any(|p| p.contains("Y/N")));
}

#[test]
fn unfilled_codes_stay_as_written() {
    let manuscript = analyze(&seed(SEED_003)).unwrap();
    let mut profile = FillProfile::new();
    profile.set_pair("Y/N=Alex").unwrap();
    let rendered = manuscript.render(&profile);
    assert!(rendered.contains("E/C eyes"));
    assert!(rendered.contains("H/C hair"));
}
