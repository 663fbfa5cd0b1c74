//! How strongly one sentence shows each kind of content: hand-written rules
//! over the cues of its words. A word alone is weak evidence; an act with a
//! person it is done to, or with the marks it leaves (blood, screaming), is
//! strong; negation in its clause cancels it and a hypothetical (`if`,
//! `would`, `almost`) or a question weakens it.

use super::lexicon::Cue::{self, *};
use super::tokens::{Cues, Token};
use super::NoteKind;

/// What one sentence shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentenceScores {
    pub notes: [f32; NoteKind::ALL.len()],
    /// Blood, gore, or pain beside violence: what makes violence graphic.
    pub intensity: f32,
    pub character_death: f32,
    pub underage: f32,
    pub explicit: bool,
    pub profanity: usize,
}

impl SentenceScores {
    fn set(&mut self, kind: NoteKind, score: f32) {
        self.notes[kind as usize] = score.clamp(0.0, 0.95);
    }
    pub(crate) fn get(&self, kind: NoteKind) -> f32 {
        self.notes[kind as usize]
    }
}

/// The cues that make a sentence worth scoring at all: a sentence with none
/// of them is skipped (most sentences of most stories).
const GRAMMAR: [Cue; 18] = [
    Neg, Hypo, Passive, Pron, You, Own, Reflexive, Person, Child, Female, Family, Body, Surface,
    Weapon, Generalize, Insult, Frame, Tender,
];

struct Sentence<'a> {
    t: &'a [Token],
    all: Cues,
    question: bool,
}

impl Sentence<'_> {
    fn has(&self, cue: Cue) -> bool {
        self.all.has(cue)
    }

    fn at(&self, cue: Cue) -> impl Iterator<Item = usize> + '_ {
        self.t
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.cues.has(cue))
            .map(|(i, _)| i)
    }

    /// Whether a word with any of `cues` stands within `before` words
    /// before `i` or `after` words after it.
    fn near(&self, i: usize, cues: &[Cue], before: usize, after: usize) -> bool {
        let lo = i.saturating_sub(before);
        let hi = (i + after + 1).min(self.t.len());
        (lo..hi).any(|j| j != i && cues.iter().any(|&c| self.t[j].cues.has(c)))
    }

    fn negated(&self, i: usize) -> bool {
        let clause = self.t[i].clause;
        (i.saturating_sub(4)..i).any(|j| self.t[j].clause == clause && self.t[j].cues.has(Neg))
    }

    fn hypothetical(&self, i: usize) -> bool {
        let clause = self.t[i].clause;
        (i.saturating_sub(8)..i).any(|j| self.t[j].clause == clause && self.t[j].cues.has(Hypo))
    }

    /// How much an act at `i` counts: nothing when negated, less when only
    /// imagined or asked about.
    fn factor(&self, i: usize) -> f32 {
        if self.negated(i) {
            return 0.0;
        }
        let mut f = if self.hypothetical(i) { 0.4 } else { 1.0 };
        if self.question {
            f *= 0.6;
        }
        f
    }

    /// Negation only: a sexual reference or a pregnancy mentioned as a
    /// possibility is still a reference.
    fn unless_negated(&self, i: usize) -> f32 {
        if self.negated(i) {
            0.0
        } else {
            1.0
        }
    }

    /// A person the act at `i` is done to: within three words after it, in
    /// the same clause.
    fn object(&self, i: usize) -> bool {
        let clause = self.t[i].clause;
        (i + 1..(i + 4).min(self.t.len())).any(|j| {
            self.t[j].clause == clause
                && [Pron, Person, Child, Female]
                    .iter()
                    .any(|&c| self.t[j].cues.has(c))
        })
    }

    fn passive(&self, i: usize) -> bool {
        (i.saturating_sub(2)..i).any(|j| self.t[j].cues.has(Passive))
    }

    fn count(&self, cue: Cue) -> usize {
        self.t.iter().filter(|t| t.cues.has(cue)).count()
    }
}

/// The best of several findings, raised a little for each further one: two
/// signs in a sentence are surer than one.
fn combine(scores: &mut [f32]) -> f32 {
    scores.sort_by(|a, b| b.total_cmp(a));
    let Some(&best) = scores.first() else {
        return 0.0;
    };
    let extra = scores[1..].iter().filter(|&&s| s >= 0.3).count() as f32;
    (best + 0.1 * extra).min(0.95)
}

pub(crate) fn score(tokens: &[Token], question: bool) -> SentenceScores {
    let mut out = SentenceScores::default();
    let all = tokens.iter().fold(Cues::default(), |a, t| a.union(t.cues));
    if GRAMMAR.iter().fold(all, |a, &g| a.minus(g)).is_empty() {
        return out;
    }
    let s = Sentence {
        t: tokens,
        all,
        question,
    };
    out.profanity = s.count(Profane);

    let violence = violence(&s);
    out.set(NoteKind::Violence, violence);
    let gore = blood_gore(&s);
    out.set(NoteKind::BloodGore, gore);
    out.intensity = if violence >= 0.4 && s.has(Pain) {
        gore.max(0.6)
    } else {
        gore
    };
    let death = death(&s);
    out.set(NoteKind::Death, death);
    if death >= 0.65 && (s.has(Person) || s.has(Pron) || s.has(Own) || s.has(Child)) {
        out.character_death = death;
    }
    out.set(NoteKind::War, war(&s));
    out.set(NoteKind::Abduction, abduction(&s));
    out.set(NoteKind::Misogyny, misogyny(&s));
    out.set(NoteKind::Homophobia, homophobia(&s));
    out.set(NoteKind::Racism, racism(&s));
    out.set(NoteKind::Ableism, ableism(&s));
    out.set(NoteKind::AbuseEmotional, abuse_emotional(&s));
    if violence >= 0.45 && s.has(Family) {
        out.set(NoteKind::AbusePhysical, violence);
    }
    let (sexual, explicit) = sexual_content(&s);
    out.set(NoteKind::SexualContent, sexual);
    out.explicit = explicit;
    let sexual_violence = s.at(SexViol).map(|i| 0.8 * s.factor(i)).fold(0.0, f32::max);
    out.set(NoteKind::SexualViolence, sexual_violence);
    if s.has(Minor) {
        let sexual_act = sexual.max(sexual_violence);
        if sexual_act >= 0.4 {
            out.underage = sexual_act;
        }
    }
    if s.has(Child) {
        let harm = violence
            .max(sexual_violence)
            .max(if death >= 0.5 { death } else { 0.0 });
        if harm >= 0.4 {
            out.set(NoteKind::ChildHarm, harm);
        }
    }
    out.set(NoteKind::SelfHarm, self_harm(&s));
    out.set(NoteKind::Suicide, suicide(&s));
    out.set(NoteKind::SubstanceAbuse, substance(&s));
    let pregnancy = s
        .at(Pregnant)
        .map(|i| {
            0.8 * if s.negated(i) {
                0.0
            } else if s.hypothetical(i) {
                0.6
            } else {
                1.0
            }
        })
        .fold(0.0, f32::max);
    out.set(NoteKind::Pregnancy, pregnancy);
    out
}

fn violence(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    // An act on someone that leaves marks is violence shown; either alone
    // may be a mention.
    for i in s.at(Kill).chain(s.at(HarmStrong)) {
        let done_to = s.object(i) || s.passive(i);
        let marks = s.near(i, &[Weapon, Blood, Pain, Gore], 6, 6) || s.near(i, &[Body], 0, 6);
        let score = match (done_to, marks) {
            (true, true) => 0.9,
            (true, false) | (false, true) => 0.45,
            (false, false) => 0.3,
        };
        found.push(score * s.factor(i));
    }
    // Pushed against the wall and kissed is romance: a weak act beside
    // tenderness counts little.
    let tender = if s.has(Tender) { 0.3 } else { 1.0 };
    for i in s.at(HarmWeak) {
        if !(s.object(i) || s.passive(i)) {
            continue;
        }
        let marks = s.near(i, &[Body, Surface, Weapon, Blood, Pain, Gore], 6, 6);
        found.push(if marks { 0.8 } else { 0.45 } * tender * s.factor(i));
    }
    for i in s.at(ViolNoun) {
        let act = s.t[i].cues;
        if act.has(Kill) || act.has(HarmStrong) || act.has(HarmWeak) {
            continue;
        }
        let marks = s.has(Blood) || s.has(Pain) || s.has(Weapon) || s.has(Gore);
        found.push(if marks { 0.7 } else { 0.4 } * s.factor(i));
    }
    for i in s.at(Gore) {
        found.push(0.4 * s.factor(i));
    }
    for i in s.at(Blood) {
        if s.near(i, &[BloodFlow, Pain, Weapon], 5, 5) {
            found.push(0.4 * s.factor(i));
        }
    }
    combine(&mut found)
}

fn blood_gore(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(Gore) {
        found.push(0.75 * s.factor(i));
    }
    for i in s.at(Blood) {
        let flowing = s.near(
            i,
            &[BloodFlow, Weapon, Pain, Body, Gore, Kill, HarmStrong],
            5,
            5,
        );
        found.push(if flowing { 0.6 } else { 0.3 } * s.factor(i));
    }
    combine(&mut found)
}

fn death(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    // A body and its blood is a death shown; "she died" may be backstory.
    let shown = s.has(Blood) || s.has(Gore);
    for i in s.at(Die) {
        found.push(if shown { 0.8 } else { 0.35 } * s.factor(i));
    }
    for i in s.at(DieBase) {
        found.push(0.35 * s.factor(i));
    }
    for i in s.at(Dead) {
        found.push(if shown { 0.85 } else { 0.55 } * s.factor(i));
    }
    for i in s.at(DeathNoun) {
        let whose = s.near(i, &[Own, Person, Child, Pron], 3, 3);
        found.push(if whose { 0.5 } else { 0.4 } * s.factor(i));
    }
    for i in s.at(Grief) {
        found.push(0.45 * s.factor(i));
    }
    for i in s.at(Kill) {
        if s.object(i) {
            found.push(0.45 * s.factor(i));
        }
    }
    for i in s.at(Suicide) {
        found.push(0.45 * s.factor(i));
    }
    combine(&mut found)
}

fn war(s: &Sentence) -> f32 {
    let nouns: Vec<usize> = s.at(WarNoun).collect();
    let Some(&first) = nouns.first() else {
        return 0.0;
    };
    // The army that kills and bleeds is war shown; the one that marches
    // or is named may be backdrop.
    let deadly = [Weapon, Kill, Die, Dead, Blood, Pain, Gore]
        .iter()
        .any(|&c| s.has(c));
    let base = match (deadly, nouns.len() > 1 || s.has(WarAct)) {
        (true, true) => 0.75,
        (true, false) | (false, true) => 0.45,
        (false, false) => 0.3,
    };
    base * s.factor(first)
}

fn abduction(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(Abduct) {
        found.push(0.8 * s.factor(i));
    }
    for i in s.at(Restrain) {
        let confined = s.has(Confine);
        if s.object(i) || s.passive(i) || confined {
            found.push(if confined { 0.7 } else { 0.55 } * s.factor(i));
        }
    }
    for i in s.at(Capture) {
        if s.object(i) || s.passive(i) {
            let held = s.has(Confine) || s.has(Restrain);
            found.push(if held { 0.6 } else { 0.35 } * s.factor(i));
        }
    }
    for i in s.at(Confine) {
        if s.near(i, &[Person, Pron, Child], 4, 4) {
            found.push(0.3 * s.factor(i));
        }
    }
    combine(&mut found)
}

/// A slur aimed at someone: "you", "such a", "stupid", "like some" before it.
fn framed(s: &Sentence, i: usize) -> bool {
    s.near(i, &[Frame, You], 3, 0)
}

fn misogyny(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    // In a sex scene "slut" is as often play as scorn; aimed and hostile it
    // is scorn.
    let sex = s.has(SexExplicit) || s.has(SexRef);
    for i in s.at(SlurFStrong) {
        found.push(match (framed(s, i), sex) {
            (true, false) => 0.8,
            (true, true) | (false, false) => 0.4,
            (false, true) => 0.2,
        });
    }
    for i in s.at(SlurF) {
        found.push(if framed(s, i) { 0.7 } else { 0.45 });
    }
    for i in s.at(MisoPhrase) {
        found.push(0.75 * s.factor(i));
    }
    for i in s.at(Female) {
        if s.near(i, &[Generalize], 0, 2) && (s.has(Stereo) || s.has(Insult)) {
            found.push(0.75 * s.factor(i));
        } else if s.near(i, &[Stereo], 4, 4) {
            found.push(0.3 * s.factor(i));
        }
    }
    combine(&mut found)
}

fn homophobia(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    found.extend(std::iter::repeat_n(0.75, s.count(SlurG)));
    for i in s.at(HomoPhrase) {
        found.push(0.6 * s.factor(i).max(0.5));
    }
    // Naming someone gay is no slight; scorn beside it is.
    for i in s.at(Gay) {
        if s.near(i, &[Condemn], 6, 6) {
            found.push(0.75);
        } else if s.near(i, &[Insult, SlurAWeak], 6, 6) {
            found.push(0.6);
        }
    }
    combine(&mut found)
}

fn racism(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    found.extend(std::iter::repeat_n(0.8, s.count(SlurR)));
    // Talk about racism is not yet racism: hostility beside a group is.
    let hostile = s.has(Insult) || s.has(Dehuman) || s.has(Profane);
    for i in s.at(RaceCond) {
        found.push(if hostile { 0.6 } else { 0.3 } * s.factor(i).max(0.5));
    }
    for i in s.at(Race) {
        if s.near(i, &[Dehuman], 5, 5) {
            found.push(0.6);
        } else if s.near(i, &[Insult], 5, 5) {
            found.push(0.55);
        }
    }
    for i in s.at(GroupPhrase) {
        let scorn = [Dehuman, Insult, RaceCond, Race].iter().any(|&c| s.has(c));
        found.push(if scorn { 0.7 } else { 0.35 } * s.factor(i).max(0.5));
    }
    combine(&mut found)
}

fn ableism(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    found.extend(std::iter::repeat_n(0.75, s.count(SlurA)));
    let hostile = s.has(Insult) || s.has(Profane);
    for i in s.at(SlurAWeak) {
        if framed(s, i) {
            found.push(if hostile { 0.5 } else { 0.35 });
        }
    }
    for i in s.at(Disab) {
        if s.near(i, &[AbleCond], 6, 6) {
            found.push(0.6 * s.factor(i).max(0.5));
        }
    }
    combine(&mut found)
}

fn abuse_emotional(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(EmoPhrase) {
        found.push(0.45 * s.factor(i));
    }
    for i in s.at(You) {
        let insults = (i + 1..(i + 5).min(s.t.len()))
            .filter(|&j| {
                (s.t[j].cues.has(Insult) || s.t[j].cues.has(SlurF) || s.t[j].cues.has(SlurFStrong))
                    && !s.negated(j)
            })
            .count();
        if insults > 0 {
            found.push(if insults > 1 { 0.7 } else { 0.5 });
        }
    }
    combine(&mut found)
}

fn sexual_content(s: &Sentence) -> (f32, bool) {
    let mut found = Vec::new();
    let mut explicit = false;
    for i in s.at(SexExplicit) {
        let f = s.unless_negated(i);
        explicit |= f > 0.0;
        found.push(0.75 * f);
    }
    for i in s.at(SexRef) {
        found.push(0.4 * s.unless_negated(i));
    }
    for i in s.at(Fuck) {
        let aimed = s.near(i, &[Pron], 0, 1);
        let wanted = s.near(i, &[Hypo], 2, 0);
        if aimed || wanted {
            found.push(0.45 * s.unless_negated(i));
        }
    }
    (combine(&mut found), explicit)
}

fn self_harm(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(SelfHarm) {
        found.push(0.75 * s.factor(i));
    }
    for i in s.at(SelfHarmAct) {
        if s.near(i, &[Reflexive], 0, 2) {
            found.push(0.75 * s.factor(i));
        } else if s.near(i, &[Wrist], 4, 4) {
            found.push(0.55 * s.factor(i));
        }
    }
    combine(&mut found)
}

fn suicide(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(Suicide) {
        found.push(0.7 * s.factor(i));
    }
    for i in s.at(Kill).chain(s.at(Hang)) {
        if s.near(i, &[Reflexive], 0, 2) {
            found.push(0.75 * s.factor(i));
        }
    }
    for i in s.at(Jump) {
        if s.near(i, &[Height], 0, 4) {
            found.push(0.35 * s.factor(i));
        }
    }
    combine(&mut found)
}

fn substance(s: &Sentence) -> f32 {
    let mut found = Vec::new();
    for i in s.at(HardDrug).chain(s.at(Addiction)) {
        found.push(0.55 * s.factor(i));
    }
    for i in s.at(Drunk) {
        let drink = s.has(Alcohol);
        found.push(if drink { 0.55 } else { 0.4 } * s.factor(i));
    }
    for i in s.at(Weed) {
        found.push(0.4 * s.factor(i));
    }
    combine(&mut found)
}
