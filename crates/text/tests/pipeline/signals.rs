//! Content signals on the two seeds: what arrived with no warning.

use quire_text::signals::{NoteKind, Signals, SuggestedRating, Warning};
use quire_text::{analyze, manuscript_signals};

use crate::shared::seed;

fn seed_signals(prefix: &str) -> (String, Signals) {
    let manuscript = analyze(&seed(prefix)).expect("the seed analyzes");
    let text = manuscript.paragraphs.join("\n\n");
    (text, manuscript_signals(&manuscript))
}

/// The note of `kind` is suggested with a sentence holding `words` among
/// its evidence.
fn assert_evidence(signals: &Signals, kind: NoteKind, words: &str) {
    let note = signals
        .note(kind)
        .unwrap_or_else(|| panic!("no {} note in {signals:#?}", kind.name()));
    assert!(
        note.evidence.iter().any(|e| e.text.contains(words)),
        "no {words:?} in the {} evidence: {:#?}",
        kind.name(),
        note.evidence
    );
}

fn assert_spans(text: &str, signals: &Signals) {
    for e in signals
        .notes
        .iter()
        .flat_map(|n| &n.evidence)
        .chain(signals.warnings.iter().flat_map(|w| &w.evidence))
    {
        assert_eq!(&text[e.start..e.end], e.text);
    }
}

#[test]
fn seed_000_the_massacre_is_graphic_violence_against_children() {
    let (text, signals) = seed_signals("000_");
    assert_spans(&text, &signals);
    let graphic = signals
        .warning(Warning::GraphicViolence)
        .unwrap_or_else(|| panic!("no graphic violence in {signals:#?}"));
    assert!(graphic.confidence >= 0.8, "{graphic:?}");
    assert!(signals.rating >= SuggestedRating::Mature, "{signals:#?}");

    assert_evidence(&signals, NoteKind::Violence, "beheaded another youngling");
    assert_evidence(&signals, NoteKind::ChildHarm, "killed children");
    assert_evidence(&signals, NoteKind::ChildHarm, "dead children");
    assert_evidence(&signals, NoteKind::BloodGore, "innocent blood");
    // A massacre, not a romance: nothing here is sexual or about pregnancy.
    assert!(
        signals.note(NoteKind::SexualContent).is_none(),
        "{signals:#?}"
    );
    assert!(signals.note(NoteKind::Pregnancy).is_none(), "{signals:#?}");
}

#[test]
fn seed_003_is_verbal_abuse_with_sexual_references_and_a_pregnancy() {
    let (text, signals) = seed_signals("003_");
    assert_spans(&text, &signals);
    assert!(signals.rating >= SuggestedRating::Teen, "{signals:#?}");

    assert_evidence(&signals, NoteKind::AbuseEmotional, "You're pathetic");
    assert_evidence(&signals, NoteKind::Misogyny, "whore");
    assert_evidence(&signals, NoteKind::SexualContent, "spread your legs");
    assert_evidence(&signals, NoteKind::Pregnancy, "pregnant with his child");
    // Nobody is beheaded here; a slap is no graphic violence.
    assert!(
        signals.warning(Warning::GraphicViolence).is_none(),
        "{signals:#?}"
    );
}
