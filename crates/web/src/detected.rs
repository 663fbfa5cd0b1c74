//! What the text itself suggests (quire-text's signals), shown apart from
//! what the author tagged: to writers as suggestions, to readers as a
//! plainly labelled note. It never changes a work's tags.

use std::sync::Arc;

use quire_archive::model::{ArchiveWarning, Warnings};
use quire_text::signals::{NoteKind, Signals, REPORT_CONFIDENCE};

/// One suggestion with the sentences behind it.
pub struct Suggestion {
    pub label: String,
    pub passages: usize,
    pub evidence: Vec<String>,
}

/// Reads the story text of a work or a preview.
pub fn read(paragraphs: &[&str]) -> Signals {
    quire_text::signals(&paragraphs.join("\n\n"))
}

/// What the text of each work version suggests, kept: reading a long work
/// takes a while, and its text only changes with its version.
pub struct SignalsCache {
    read: quick_cache::sync::Cache<(quire_archive::WorkId, i64), Arc<Signals>>,
}

impl SignalsCache {
    pub fn new(works: usize) -> SignalsCache {
        SignalsCache {
            read: quick_cache::sync::Cache::new(works),
        }
    }

    /// Reads every chapter of a stored work, off the async threads, unless
    /// this version was read already.
    pub async fn read_work(&self, work: &quire_archive::Work) -> Arc<Signals> {
        let key = (work.id, work.version);
        if let Some(signals) = self.read.get(&key) {
            return signals;
        }
        let story: Vec<String> = work
            .chapters
            .iter()
            .flat_map(|c| c.body.paragraphs.iter().cloned())
            .collect();
        let signals = tokio::task::spawn_blocking(move || {
            let story: Vec<&str> = story.iter().map(String::as_str).collect();
            read(&story)
        })
        .await
        .unwrap_or_else(|_| read(&[]));
        let signals = Arc::new(signals);
        self.read.insert(key, Arc::clone(&signals));
        signals
    }
}

/// For the writer: the AO3 warnings the text suggests, then its notes.
pub fn for_writer(signals: &Signals) -> Vec<Suggestion> {
    let warnings = signals.warnings.iter().map(|w| Suggestion {
        label: w.warning.label().to_string(),
        passages: w.passages,
        evidence: w.evidence.iter().map(|e| e.text.clone()).collect(),
    });
    let notes = reported(signals).map(|n| Suggestion {
        label: format!("content note: {}", n.name.label()),
        passages: n.passages,
        evidence: n.evidence.iter().map(|e| e.text.clone()).collect(),
    });
    warnings.chain(notes).collect()
}

/// For readers: the notes the author's warnings don't already cover.
pub fn untagged(signals: &Signals, tagged: &Warnings) -> Vec<Suggestion> {
    reported(signals)
        .filter(|n| !covered(n.name, tagged))
        .map(|n| Suggestion {
            label: n.name.label().to_string(),
            passages: n.passages,
            evidence: n.evidence.iter().map(|e| e.text.clone()).collect(),
        })
        .collect()
}

fn reported(signals: &Signals) -> impl Iterator<Item = &quire_text::signals::ContentNote> {
    signals
        .notes
        .iter()
        .filter(|n| n.confidence >= REPORT_CONFIDENCE)
}

/// Does an archive warning the author chose already tell readers this?
fn covered(note: NoteKind, tagged: &Warnings) -> bool {
    let has = |w: ArchiveWarning| tagged.contains(w);
    match note {
        NoteKind::Violence | NoteKind::BloodGore | NoteKind::War => {
            has(ArchiveWarning::GraphicViolence)
        }
        NoteKind::Death => has(ArchiveWarning::MajorCharacterDeath),
        NoteKind::SexualViolence => has(ArchiveWarning::RapeNonCon),
        _ => false,
    }
}

/// The suggested warning, named as AO3 names it, for the rating line.
pub fn suggested_rating(signals: &Signals) -> &'static str {
    signals.rating.label()
}

/// Every note a reader can filter on, as (machine name, words).
pub fn all_notes() -> Vec<(&'static str, &'static str)> {
    NoteKind::ALL
        .into_iter()
        .map(|n| (n.name(), n.label()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_warning_covers_its_notes_and_nothing_else() {
        let graphic = Warnings::new([ArchiveWarning::GraphicViolence]).unwrap();
        let none = Warnings::chose_not_to_use();
        assert!(covered(NoteKind::Violence, &graphic));
        assert!(covered(NoteKind::BloodGore, &graphic));
        assert!(!covered(NoteKind::ChildHarm, &graphic));
        assert!(!covered(NoteKind::Violence, &none));
        assert!(!covered(NoteKind::Death, &graphic));
    }

    #[test]
    fn writers_see_warnings_first_then_notes() {
        let signals = quire_text::signals(
            "He drove the knife into the guard's chest again and again. Blood poured from the wound \
             and pooled on the stones. The soldiers shot the prisoners one by one. Their bodies \
             lay bleeding in the mud.",
        );
        let labels: Vec<String> = for_writer(&signals).into_iter().map(|s| s.label).collect();
        assert!(
            labels.iter().any(|l| l == "content note: violence"),
            "{labels:?}"
        );
        let first_note = labels
            .iter()
            .position(|l| l.starts_with("content note"))
            .unwrap();
        assert!(
            labels[first_note..]
                .iter()
                .all(|l| l.starts_with("content note")),
            "{labels:?}"
        );
        assert!(untagged(
            &signals,
            &Warnings::new([ArchiveWarning::GraphicViolence]).unwrap()
        )
        .iter()
        .all(|s| s.label != "violence"));
    }
}
