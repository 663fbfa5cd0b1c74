use proptest::prelude::*;

use super::*;

fn has(text: &str, kind: NoteKind) -> bool {
    signals(text).note(kind).is_some()
}

/// The strongest sentence score of any note in `text`, even one too weak
/// to count as evidence: what a rule sees before the threshold hides it.
fn strongest(text: &str) -> (f32, Option<NoteKind>) {
    let mut best = (0.0, None);
    let mut buffer = Vec::new();
    let mut word = String::new();
    for (start, end) in tokens::sentences(text) {
        tokens::tokenize(&text[start..end], &mut buffer, &mut word);
        let scores = rules::score(&buffer, false);
        for kind in NoteKind::ALL {
            if scores.get(kind) > best.0 {
                best = (scores.get(kind), Some(kind));
            }
        }
    }
    best
}

#[test]
fn a_killing_with_blood_is_violence() {
    let text = "He stabbed the guard in the throat. Blood pooled on the floor as the man screamed.";
    let s = signals(text);
    let violence = s.note(NoteKind::Violence).expect("violence");
    assert!(violence.confidence >= 0.8, "{violence:?}");
    assert_eq!(
        violence.evidence[0].text,
        "He stabbed the guard in the throat."
    );
    assert!(s.note(NoteKind::BloodGore).is_some());
    assert!(s.warning(Warning::GraphicViolence).is_some());
    assert!(s.rating >= SuggestedRating::Mature);
}

#[test]
fn negated_violence_is_nothing() {
    for text in [
        "He didn't kill her.",
        "He did not kill her.",
        "He didn't stab her with the knife.",
        "She never hit him in the face, not once.",
        "Nobody was stabbed.",
        "She wasn't pregnant.",
    ] {
        assert_eq!(strongest(text), (0.0, None), "{text}");
    }
    // The negation stays in its clause.
    assert!(has(
        "He didn't hesitate, and he killed her with the knife. He shot the guard in the head.",
        NoteKind::Violence
    ));
}

#[test]
fn figures_of_speech_are_nothing() {
    for text in [
        "I'm dying to know what happened.",
        "We were killing time at the mall.",
        "That test was a massacre of a morning.",
        "She was bored to death in class.",
        "He shot her a look across the table.",
        "You're killing me, she laughed.",
        "He fought the urge to smile.",
        "She had a panic attack before the exam.",
        "His blood boiled when he saw the grade.",
        "She bit her lip and laughed.",
        "I could murder a pizza right now.",
        "The guilt kills him.",
        "He pushed her against the wall and kissed her.",
        "Son of a bitch.",
    ] {
        assert!(
            strongest(text).0 < PASSAGE_MIN,
            "{text}: {:?}",
            strongest(text)
        );
        let s = signals(text);
        assert!(s.notes.is_empty(), "{text}: {s:?}");
        assert!(s.warnings.is_empty(), "{text}: {s:?}");
        assert_eq!(s.rating, SuggestedRating::General, "{text}");
    }
}

#[test]
fn a_lone_word_is_not_the_act() {
    for text in [
        "The word murder was written on the board.",
        "She read a book about the war.",
        "Blood type O.",
    ] {
        let s = signals(text);
        assert!(s.notes.is_empty(), "{text}: {s:?}");
    }
    // Each alone is a mention; the same words as an act on someone with
    // marks of it are violence.
    assert!(has("He killed the boy with a knife.", NoteKind::Violence));
}

#[test]
fn death_needs_someone_dying() {
    assert!(has(
        "Her father died that winter. They buried him beside her mother.",
        NoteKind::Death
    ));
    assert!(!has("If you die, I die.", NoteKind::Death));
}

#[test]
fn hypotheticals_are_weaker_than_acts() {
    let act = signals("He killed her with a knife.")
        .note(NoteKind::Violence)
        .map(|n| n.confidence);
    let threat = signals("He would kill her with a knife.")
        .note(NoteKind::Violence)
        .map_or(0.0, |n| n.confidence);
    assert!(act.expect("the act is violence") > threat);
}

#[test]
fn slurs_aimed_at_a_woman_are_misogyny_and_the_idiom_is_not() {
    assert!(has("Get out, you stupid whore.", NoteKind::Misogyny));
    assert!(!has(
        "That son of a bitch stole my car.",
        NoteKind::Misogyny
    ));
    assert!(has(
        "Women should stay in the kitchen and obey.",
        NoteKind::Misogyny
    ));
}

#[test]
fn other_labels_fire_on_their_acts() {
    assert!(has(
        "They kidnapped the girl and held her for ransom.",
        NoteKind::Abduction
    ));
    assert!(has(
        "The soldiers marched into battle, and the army's guns killed hundreds in the trenches.",
        NoteKind::War
    ));
    assert!(has(
        "He slit his wrists in the bathtub.",
        NoteKind::SelfHarm
    ));
    assert!(has(
        "She tried to kill herself last year.",
        NoteKind::Suicide
    ));
    assert!(has("She was pregnant with twins.", NoteKind::Pregnancy));
    assert!(!has("She was not pregnant after all.", NoteKind::Pregnancy));
    assert!(has(
        "He called him a faggot and spat.",
        NoteKind::Homophobia
    ));
    assert!(has("She called her a mudblood.", NoteKind::Racism));
    assert!(has("They laughed at the retard.", NoteKind::Ableism));
    assert!(has(
        "He was a heroin addict who overdosed twice.",
        NoteKind::SubstanceAbuse
    ));
}

#[test]
fn names_serialize_as_machine_names_and_ao3_labels() {
    let s =
        signals("He stabbed the guard in the throat. Blood pooled on the floor, and he screamed.");
    let json = serde_json::to_value(&s).expect("serializes");
    assert_eq!(json["rating"], "Mature");
    assert_eq!(
        json["warnings"][0]["warning"],
        "Graphic Depictions Of Violence"
    );
    assert_eq!(json["notes"][0]["name"], "violence");
    for rating in [
        SuggestedRating::General,
        SuggestedRating::Teen,
        SuggestedRating::Mature,
        SuggestedRating::Explicit,
    ] {
        assert_eq!(
            serde_json::to_value(rating).expect("serializes"),
            rating.label()
        );
    }
    for warning in [
        Warning::GraphicViolence,
        Warning::MajorCharacterDeath,
        Warning::RapeNonCon,
        Warning::Underage,
    ] {
        assert_eq!(
            serde_json::to_value(warning).expect("serializes"),
            warning.label()
        );
    }
    for kind in NoteKind::ALL {
        let name = serde_json::to_value(kind).expect("serializes");
        assert_eq!(name, kind.name());
        assert_eq!(NoteKind::from_name(kind.name()), Some(kind));
    }
}

#[test]
fn manuscript_offsets_are_into_the_joined_paragraphs() {
    let m = crate::analyze_str(
        "A quiet morning.\n\nHe stabbed the guard in the throat and blood poured out.",
    );
    let joined = m.paragraphs.join("\n\n");
    let s = manuscript_signals(&m);
    let note = s.note(NoteKind::Violence).expect("violence");
    for e in &note.evidence {
        assert_eq!(&joined[e.start..e.end], e.text);
    }
}

#[test]
fn evidence_is_capped_but_passages_are_counted() {
    let text = "He stabbed the man in the chest. ".repeat(20);
    let note = signals(&text)
        .note(NoteKind::Violence)
        .cloned()
        .expect("violence");
    assert_eq!(note.passages, 20);
    assert_eq!(note.evidence.len(), MAX_EVIDENCE);
}

fn check_spans(text: &str) {
    let s = signals(text);
    let all = s
        .notes
        .iter()
        .flat_map(|n| &n.evidence)
        .chain(s.warnings.iter().flat_map(|w| &w.evidence));
    for e in all {
        assert!(e.start <= e.end && e.end <= text.len());
        assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
        assert_eq!(&text[e.start..e.end], e.text);
    }
    for n in &s.notes {
        assert!((0.0..=1.0).contains(&n.confidence));
        assert!(n.evidence.len() <= n.passages.min(MAX_EVIDENCE));
    }
}

proptest! {
    /// The model file's parser answers any text with a model or an error
    /// naming the problem, never a panic; the shipped file, cut anywhere,
    /// still does.
    #[test]
    fn the_model_parser_never_panics(text in "[a-z:#\\t\\n0-9.\\- ]*", cut in 0usize..200_000) {
        let _ = NoteModel::parse(&text);
        let shipped = include_str!("notes_model.tsv");
        let cut = (0..=cut.min(shipped.len())).rev().find(|&i| shipped.is_char_boundary(i)).unwrap_or(0);
        let _ = NoteModel::parse(&shipped[..cut]);
    }

    #[test]
    fn spans_slice_the_text_exactly(text in "\\PC*") {
        check_spans(&text);
    }

    #[test]
    fn spans_slice_violent_text_exactly(
        words in proptest::collection::vec(
            prop_oneof![
                Just("He"), Just("stabbed"), Just("her"), Just("blood"), Just("didn't"),
                Just("kill"), Just("é"), Just("—"), Just("“"), Just("’"), Just("."), Just("!"),
                Just("\n"), Just(" "), Just("dead"), Just("whore"), Just("pregnant"), Just("?"),
                Just("kidnapped"), Just("soldiers"), Just("war"),
            ],
            0..60,
        )
    ) {
        check_spans(&words.concat());
    }
}

/// A model whose every note says yes to anything: what the rules' evidence
/// still holds back.
fn eager_model() -> NoteModel {
    let columns: Vec<&str> = MODEL_NOTES.iter().map(|k| k.name()).collect();
    let eights = |v: &str| vec![v; MODEL_NOTES.len()].join("\t");
    NoteModel::parse(&format!(
        "# a test model\nnotes\t{}\nbias\t{}\nthreshold\t{}\n",
        columns.join("\t"),
        eights("9"),
        eights("0.5")
    ))
    .expect("the test model parses")
}

#[test]
fn the_shipped_model_parses_and_keeps_no_passage_text() {
    let tsv = include_str!("notes_model.tsv");
    let model = NoteModel::parse(tsv).expect("the shipped model parses");
    assert!(model.features() > 100, "{} features", model.features());
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let name = line.split('\t').next().unwrap_or_default();
        let words = name.split_once(':').map_or(name, |(_, w)| w);
        assert!(
            words.split(' ').count() <= 2,
            "a feature longer than two words: {name:?}"
        );
    }
    for column in 0..MODEL_NOTES.len() {
        let t = model.threshold(column);
        assert!((0.1..=0.9).contains(&t), "threshold {t}");
    }
}

#[test]
fn a_broken_model_file_is_named_by_its_line() {
    let err = NoteModel::parse("notes\tviolence\n").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let columns: Vec<&str> = MODEL_NOTES.iter().map(|k| k.name()).collect();
    let header = format!("notes\t{}\n", columns.join("\t"));
    let err = NoteModel::parse(&header).unwrap_err();
    assert!(err.to_string().contains("no bias line"), "{err}");
    let zeros = vec!["0"; MODEL_NOTES.len()].join("\t");
    let text = format!("{header}bias\t{zeros}\nthreshold\t{zeros}\nw:x\t{zeros}\nw:x\t{zeros}\n");
    let err = NoteModel::parse(&text).unwrap_err();
    assert!(
        err.to_string().contains("line 5") && err.to_string().contains("twice"),
        "{err}"
    );
}

#[test]
fn a_note_the_model_raises_is_shown_only_with_a_sentence_the_rules_found() {
    let eager = eager_model();
    // The model says yes to everything, but nothing here is evidence.
    for text in [
        "The word murder was written on the board.",
        "She read a book about the war.",
        "They had tea in the garden and talked about the weather.",
    ] {
        let s = signals_with(text, &eager);
        assert!(
            MODEL_NOTES.iter().all(|&k| s.note(k).is_none()),
            "{text}: {s:?}"
        );
    }
    let text = "They had tea in the garden. He stabbed the guard in the throat. Blood pooled on the floor.";
    let s = signals_with(text, &eager);
    let violence = s.note(NoteKind::Violence).expect("violence");
    assert!(violence
        .evidence
        .iter()
        .any(|e| e.text == "He stabbed the guard in the throat."));
    assert!(violence.evidence.iter().all(|e| !e.text.contains("tea")));
    for e in &violence.evidence {
        assert_eq!(&text[e.start..e.end], e.text);
    }
    // The rules alone, for comparison, agree here.
    assert!(signals_with(text, &NoteModel::rules_only())
        .note(NoteKind::Violence)
        .is_some());
}

#[test]
fn windows_are_about_a_passage_and_a_short_tail_joins_the_last() {
    assert_eq!(model::windows(&[]), Vec::<Range<usize>>::new());
    assert_eq!(model::windows(&[10, 10]), vec![0..2]);
    assert_eq!(model::windows(&[60, 60, 60, 60]), vec![0..2, 2..4]);
    // 120 words, then 20: the tail joins the window before it.
    assert_eq!(model::windows(&[60, 60, 20]), vec![0..3]);
    // 120 words, then 70: the tail stands alone.
    assert_eq!(model::windows(&[60, 60, 70]), vec![0..2, 2..3]);
}

#[test]
fn one_violent_scene_in_a_long_gentle_work_is_noted() {
    let gentle = "They walked to the market in the morning and bought bread, apples and a little \
        jar of honey for the weekend. The sun was warm on the stones and the baker waved at them \
        from his door. ";
    let scene = "He drew the knife and stabbed the guard in the throat. The man screamed as blood \
        poured over his hands and pooled on the stone floor. He stabbed him again and again until \
        the screaming stopped.\n\n";
    let mut text = String::new();
    for _ in 0..40 {
        text.push_str(gentle);
        text.push_str("\n\n");
    }
    text.push_str(scene);
    for _ in 0..40 {
        text.push_str(gentle);
        text.push_str("\n\n");
    }
    let s = signals(&text);
    let violence = s.note(NoteKind::Violence).expect("the scene is noted");
    assert!(violence.evidence.iter().all(|e| scene.contains(&e.text)));
    assert!(s.note(NoteKind::War).is_none() && s.note(NoteKind::Death).is_none());
    // And the gentle part alone is nothing.
    assert!(signals(&gentle.repeat(80)).notes.is_empty());
}
