//! Mojibake repair: UTF-8 that was decoded as Windows-1252, Latin-1 or Mac
//! Roman, one to three layers deep, or as Windows-1251 (Cyrillic),
//! Windows-1250 and ISO-8859-2 (Central European), Windows-1257 (Baltic) or
//! code page 437 (a DOS console), anywhere in a text.
//!
//! The repair is local: it looks for runs of characters that, mapped back to
//! bytes through one of those encodings, form valid multi-byte UTF-8, and
//! replaces a run only when what it decodes to is plausible text (see
//! [`Plausibility`]). Correct text is never touched: a Portuguese `Ã`, a math
//! `√`, a Danish `Ø`, curly quotes and dashes don't form such runs, and the
//! rare pairs that do (French `«é` in Mac Roman, German `ß“` in Windows-1252)
//! decode to characters no real text of ours would use, so they are left alone.

use std::sync::OnceLock;

use encoding_rs::{
    Encoding, ISO_8859_2, MACINTOSH, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252, WINDOWS_1257,
};
use oem_cp::code_table::DECODING_TABLE_CP437;
use serde::{Deserialize, Serialize};

/// The encoding a run of mojibake was mis-decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MojibakeEncoding {
    #[serde(rename = "windows-1252")]
    Windows1252,
    #[serde(rename = "iso-8859-1")]
    Latin1,
    #[serde(rename = "macintosh")]
    MacRoman,
    #[serde(rename = "windows-1251")]
    Windows1251,
    #[serde(rename = "windows-1250")]
    Windows1250,
    #[serde(rename = "iso-8859-2")]
    Iso8859_2,
    #[serde(rename = "windows-1257")]
    Windows1257,
    #[serde(rename = "ibm437")]
    Cp437,
}

impl MojibakeEncoding {
    pub fn label(self) -> &'static str {
        match self {
            MojibakeEncoding::Windows1252 => "windows-1252",
            MojibakeEncoding::Latin1 => "iso-8859-1",
            MojibakeEncoding::MacRoman => "macintosh",
            MojibakeEncoding::Windows1251 => "windows-1251",
            MojibakeEncoding::Windows1250 => "windows-1250",
            MojibakeEncoding::Iso8859_2 => "iso-8859-2",
            MojibakeEncoding::Windows1257 => "windows-1257",
            MojibakeEncoding::Cp437 => "ibm437",
        }
    }
}

/// One repaired run. `start..end` are byte offsets into the text given to
/// [`repair`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    pub start: usize,
    pub end: usize,
    pub before: String,
    pub after: String,
    pub encoding: MojibakeEncoding,
    /// 1 for UTF-8 read once in the wrong encoding, 2 when that result was
    /// encoded as UTF-8 and mis-read again, 3 when that happened once more.
    pub layers: u8,
}

/// Text with its mojibake repaired, and what was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    pub text: String,
    pub repairs: Vec<Repair>,
}

/// Repairs mojibake in `text`; returns it unchanged (and no repairs) when
/// there is none.
pub fn repair(text: &str) -> Repaired {
    // Where code pages read a run alike in length but not in letters
    // (`Ä¯` is `į` in Windows-1257, `Ĩ` in Windows-1252), the one that
    // alone read more of the text's other runs is how the text was garbled.
    let first = scan(text, Before::Space, false, LAYERS_BELOW, TABLE_ORDER);
    let candidates = match first.preferred_order() {
        Some(order) => scan(text, Before::Space, false, LAYERS_BELOW, order).candidates,
        None => first.candidates,
    };
    // A run that correct text could also spell (`IRMÃ”`, `√π`) is repaired
    // only in a text that shows mojibake elsewhere, unmistakably; the same
    // holds for each layer of a double mis-decoding.
    // Words with one garbled letter each (Hungarian `tĂĽkĂ¶r`, Russian `РІ`
    // for `в`) are evidence together, when each reads as a small letter
    // that is not inside a word in capitals: correct text spells such a
    // pair by chance only in capitals (`ВЕР»` would be `ВЕл`).
    let single_letters = candidates
        .iter()
        .filter(|c| {
            c.scripted
                && c.decoded.chars().all(char::is_lowercase)
                && !text[..c.start]
                    .chars()
                    .rev()
                    .take(2)
                    .all(char::is_uppercase)
                && !text[c.end..].chars().next().is_some_and(char::is_uppercase)
        })
        .count();
    // Bytes lost inside three words or more (Slovenian `pljuÄ�ih`,
    // `ozvoÄ�i`, where `č`'s second byte is one Windows-1252 leaves
    // undefined): a decoder lost them, and correct text has no lead byte's
    // character before each U+FFFD.
    let lost_in_words = candidates
        .iter()
        .filter(|c| {
            c.decoded == "\u{FFFD}"
                && text[..c.start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                && text[c.end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
        })
        .count();
    let mut evidence =
        candidates.iter().any(|c| !c.ambiguous) || single_letters >= 3 || lost_in_words >= 3;
    // Likewise one layer down: three runs that each hide one letter of a
    // script's code page read twice (Czech `Ă„Ĺ¤` → `ÄŤ` → `č`).
    let scripted_deeper = candidates
        .iter()
        .filter(|c| c.deeper.as_ref().is_some_and(|d| d.scripted && d.plausible))
        .count();
    let deeper_evidence = candidates
        .iter()
        .any(|c| c.deeper.as_ref().is_some_and(|d| d.any_confident))
        || scripted_deeper >= 3;
    evidence |= scripted_deeper >= 3;
    let mut out = String::with_capacity(text.len());
    let mut repairs = Vec::new();
    let mut copied_to = 0;
    for candidate in candidates {
        if candidate.ambiguous && !evidence {
            continue;
        }
        let deeper = candidate
            .deeper
            .filter(|d| d.plausible && (!d.any_ambiguous || deeper_evidence));
        let (after, layers) = match deeper {
            Some(deeper) => (deeper.text, deeper.layers),
            None if candidate.plausible => (candidate.decoded, 1),
            None => continue,
        };
        let before = &text[candidate.start..candidate.end];
        copy_reading_c1(text, copied_to..candidate.start, &mut out, &mut repairs);
        out.push_str(&after);
        copied_to = candidate.end;
        repairs.push(Repair {
            start: candidate.start,
            end: candidate.end,
            before: before.to_owned(),
            after,
            encoding: candidate.encoding,
            layers,
        });
    }
    copy_reading_c1(text, copied_to..text.len(), &mut out, &mut repairs);
    Repaired { text: out, repairs }
}

/// Copies `text[range]` to `out` with each C1 control in it read as the
/// Windows-1252 character its byte is: a curly quote, dash or ellipsis
/// typed in Windows and decoded as Latin-1 (`\u{93}` for `“`, `\u{85}` for
/// `…`). No text uses C1 controls as such, so this never touches correct
/// text; the five bytes Windows-1252 leaves undefined stay as they are.
/// (A C1 control inside a run of mojibake was already read with its run.)
fn copy_reading_c1(
    text: &str,
    range: std::ops::Range<usize>,
    out: &mut String,
    repairs: &mut Vec<Repair>,
) {
    let piece = &text[range.clone()];
    if !piece.contains(|c: char| ('\u{80}'..='\u{9f}').contains(&c)) {
        out.push_str(piece);
        return;
    }
    for (at, c) in piece.char_indices() {
        let read = match c as u32 {
            code @ 0x80..=0x9F => {
                let byte = [code as u8];
                let (decoded, _) = WINDOWS_1252.decode_without_bom_handling(&byte);
                decoded
                    .chars()
                    .next()
                    .filter(|d| *d != c && !d.is_control())
            }
            _ => None,
        };
        match read {
            Some(glyph) => {
                out.push(glyph);
                let start = range.start + at;
                repairs.push(Repair {
                    start,
                    end: start + c.len_utf8(),
                    before: c.to_string(),
                    after: glyph.to_string(),
                    encoding: MojibakeEncoding::Latin1,
                    layers: 1,
                });
            }
            None => out.push(c),
        }
    }
}

/// A run of characters that decodes as UTF-8 in some encoding's disguise.
struct Candidate {
    start: usize,
    end: usize,
    encoding: MojibakeEncoding,
    /// Correct text could spell this run too.
    ambiguous: bool,
    /// Read through one script's code page, and judged by its letters.
    scripted: bool,
    /// The run decoded once.
    decoded: String,
    plausible: bool,
    /// The decoded run decoded again, when it is itself mojibake.
    deeper: Option<Deeper>,
}

impl Candidate {
    /// What the run reads as: its second layer where that is plausible.
    fn reads(&self) -> &str {
        match &self.deeper {
            Some(deeper) if deeper.plausible => &deeper.text,
            _ => &self.decoded,
        }
    }
}

struct Deeper {
    text: String,
    /// How many layers the run was read through, counting the one above.
    layers: u8,
    /// The second layer's own [`Scan`] figures: a tie there is settled by
    /// the whole text's.
    alone: [usize; TABLES],
    outread: [bool; TABLES],
    plausible: bool,
    /// Every run inside was read through one script's code page.
    scripted: bool,
    any_ambiguous: bool,
    any_confident: bool,
}

/// Indexes into [`tables`], in the order that breaks ties.
type TableOrder = [usize; TABLES];

const TABLE_ORDER: TableOrder = [0, 1, 2, 3, 4, 5, 6];

/// Layers looked for below the first: text mis-decoded three times over
/// (`doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t`) is still found in the wild.
const LAYERS_BELOW: u8 = 2;

/// The runs found in a text, and how its code pages fared.
struct Scan {
    candidates: Vec<Candidate>,
    /// For each table, the runs it alone read at their full length.
    alone: [usize; TABLES],
    /// Tables whose reading of a run, as long as the one taken but
    /// different, was passed over.
    outread: [bool; TABLES],
}

impl Scan {
    /// The order to scan again in, when the table that read the most alone
    /// had a reading passed over: that one first, the rest as usual.
    fn preferred_order(&self) -> Option<TableOrder> {
        // The first of the most voted, in the usual order.
        let leader = (0..TABLES).rev().max_by_key(|&table| self.alone[table])?;
        if leader == TABLE_ORDER[0] || self.alone[leader] == 0 || !self.outread[leader] {
            return None;
        }
        let mut order = TABLE_ORDER;
        order[..=leader].rotate_right(1);
        Some(order)
    }
}

/// Finds the runs in `text`. `before` says what precedes the text and
/// `letter_after` whether a letter follows it (a decoded run is scanned
/// again on its own); `layers_below` says how many more layers to look for
/// inside each run;
/// `order` breaks ties between tables.
fn scan(
    text: &str,
    before: Before,
    letter_after: bool,
    layers_below: u8,
    order: TableOrder,
) -> Scan {
    let mut scanned = Scan {
        candidates: Vec::new(),
        alone: [0; TABLES],
        outread: [false; TABLES],
    };
    if text.is_ascii() {
        return scanned;
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos] < 0x80 {
            pos += 1;
            continue;
        }
        // Most characters of correct text start no sequence in any table:
        // tell them at once.
        let mut here = text[pos..].chars();
        let (c, next) = (here.next(), here.next());
        let may_start = c.is_some_and(|c| {
            TIDIED_A_GRAVE
                .iter()
                .any(|(garbled, _)| garbled.starts_with(c))
                || tables().iter().any(|table| table.may_start(c, next))
        });
        if !may_start {
            pos += utf8_len(bytes[pos]);
            continue;
        }
        let before_here = text[..pos].chars().next_back().map_or(before, Before::of);
        // The longest reading wins (tables in order break ties): a
        // Windows-1250 run read twice is longer than the Windows-1252 run
        // its first characters also spell.
        let context = Context {
            before,
            letter_after,
            before_here,
            layers_below,
            order,
        };
        let found = (layers_below == LAYERS_BELOW)
            .then(|| lost_no_break_space(text, pos))
            .flatten()
            .or_else(|| {
                let mut readings: Vec<(usize, Candidate)> = order
                    .iter()
                    .filter_map(|&table| {
                        Some((table, read_at(&tables()[table], text, pos, context)?))
                    })
                    .collect();
                let longest = readings.iter().map(|(_, c)| c.end).max()?;
                readings.retain(|(_, c)| c.end == longest);
                if let [(table, _)] = readings.as_slice() {
                    scanned.alone[*table] += 1;
                }
                // Of the longest, the first in `order` whose letters take
                // the case of the word they stand in (`kaÄ¨uogÄ—` is
                // `kačiuogė` through Windows-1257, not `kaĨuogė`).
                // (After a capital either case may follow.)
                let small_before = text[..pos]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_lowercase);
                let misfits = |c: &Candidate| {
                    if small_before {
                        c.reads().chars().filter(|d| d.is_uppercase()).count()
                    } else {
                        0
                    }
                };
                let best = (0..readings.len()).min_by_key(|&i| (misfits(&readings[i].1), i))?;
                let taken = readings.swap_remove(best).1;
                for (table, other) in &readings {
                    scanned.outread[*table] |= other.reads() != taken.reads();
                }
                Some(taken)
            });
        match found {
            Some(candidate) => {
                if let Some(deeper) = &candidate.deeper {
                    for (outread, inner) in scanned.outread.iter_mut().zip(deeper.outread) {
                        *outread |= inner;
                    }
                    for (count, inner) in scanned.alone.iter_mut().zip(deeper.alone) {
                        *count += inner;
                    }
                }
                pos = candidate.end;
                scanned.candidates.push(candidate);
            }
            None => pos += utf8_len(bytes[pos]),
        }
    }
    scanned
}

/// What stands before a run: combining marks follow letters, and signs too
/// in faces and crossed-out figures (`$6̶3̶`, `(ง'̀⌣'́)ง`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    Letter,
    Sign,
    /// A space, or the start of the text.
    Space,
}

impl Before {
    fn of(c: char) -> Before {
        if c.is_alphabetic() {
            Before::Letter
        } else if c.is_whitespace() {
            Before::Space
        } else {
            Before::Sign
        }
    }
}

#[derive(Clone, Copy)]
struct Context {
    /// What precedes the text scanned (a decoded run scanned again).
    before: Before,
    /// A letter follows the text scanned.
    letter_after: bool,
    /// What precedes the position read.
    before_here: Before,
    /// How many more layers to look for inside the run.
    layers_below: u8,
    order: TableOrder,
}

/// The run of mojibake `table` reads at `pos`, if it is usable.
fn read_at(table: &Table, text: &str, pos: usize, context: Context) -> Option<Candidate> {
    let Context {
        before: before_text,
        letter_after,
        before_here,
        layers_below,
        order,
    } = context;
    let after_letter = before_here == Before::Letter;
    let run = table.candidate_run(text, pos)?;
    // The characters either side of the run.
    let before = text[..pos].chars().next_back();
    let after = text[run.end..].chars().next();
    // A box beside boxes is a drawing (`──┐` would read `─Ŀ`, `├┤a┼┐a`
    // `ôaſa`), unless the boxes spell a Cyrillic word (`╨╜╨░` is `на`) or
    // stand inside a word (`K├╢ln` is `Köln`).
    if table.kind == TableKind::Cp437 {
        let all_boxes = text[pos..run.end].chars().all(is_box_drawing);
        let cyrillic_word =
            run.decoded.chars().nth(1).is_some() && run.decoded.chars().all(is_cyrillic);
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        let inside_a_word = letter(before) && letter(after);
        if before.is_some_and(is_box_drawing)
            || after.is_some_and(is_box_drawing)
            || all_boxes && !cyrillic_word && !inside_a_word
        {
            return None;
        }
    }
    let letter_after_run = after.map_or(letter_after, char::is_alphabetic);
    let script = table.kind.script();
    // One letter of an alphabet standing as a word (Russian `и`, `в`):
    // believed where the text shows mojibake elsewhere.
    // So is one Greek letter beside Latin ones, as a sign (`kΩ`, `μM`,
    // `Δt`).
    let mut decoded = run.decoded.chars();
    let one = decoded.next().filter(|_| decoded.next().is_none());
    let greek = one.is_some_and(is_greek_letter);
    let lone_letter = script.is_none()
        && (greek || !after_letter && !letter_after_run)
        && one.is_some_and(|c| plausibility(c) == Plausibility::InAWord);
    let plausible = match script {
        Some(reads_as_script) => {
            let known: String = run
                .decoded
                .chars()
                .zip(&run.sequences)
                .filter_map(|(c, &kind)| (kind != Sequence::Lost).then_some(c))
                .collect();
            reads_as_script(&known)
        }
        None => lone_letter || plausible(&run.decoded, before_here),
    } && !glued_to_latin(&run.decoded, &text[..pos], &text[run.end..]);
    let deeper = if layers_below > 0 {
        // A U+FFFD for a byte this layer lost is no byte of the one below
        // (where a decoded U+FFFD may be): it is read there as a control
        // character, which no sequence holds, and put back after.
        let below: String = run
            .decoded
            .chars()
            .zip(&run.sequences)
            .map(|(c, &kind)| if kind == Sequence::Lost { LOST_HERE } else { c })
            .collect();
        deeper_layer(&below, before_here, letter_after_run, layers_below, order)
    } else {
        None
    };
    if !plausible && !deeper.as_ref().is_some_and(|d| d.plausible) {
        return None;
    }
    let ambiguous = match script {
        // One letter could be a chance pair of correct letters (an
        // all-caps word before a quote). A guessed byte is believed where
        // the text shows mojibake elsewhere. So is one sign beside a
        // Cyrillic letter.
        Some(_) => {
            let mut decoded = run.decoded.chars();
            let first = decoded.next().unwrap_or_default();
            let one = decoded.next().is_none();
            let cyrillic_beside = before.into_iter().chain(after).any(is_cyrillic);
            run.sequences.iter().any(|&kind| kind != Sequence::Whole)
                || one && (first.is_alphabetic() || cyrillic_beside)
        }
        // Cyrillic letters beyond the modern Russian, Ukrainian,
        // Belarusian and South Slavic alphabets (historic ones, Kazakh and
        // Tatar additions) are what Mac Roman quotes before a sign spell by
        // chance (`“∞—©` is `Ұѩ`, `“§—à` is `Ҥш`).
        None => {
            lone_letter
                || run
                    .decoded
                    .chars()
                    .any(|c| matches!(c as u32, 0x0400..=0x04FF) && !is_cyrillic(c))
                || run_could_be_correct(
                    text,
                    pos,
                    &run,
                    (before_text == Before::Letter, letter_after),
                )
        }
    };
    // A capital between small letters (`LiĂ¨ge`, `SlovenÄ�ina`,
    // `mГ©dicament`) is no letter of a word: a sequence whose first
    // character is one is mojibake, though alone it could be correct. So
    // is a Cyrillic run inside a word in Latin letters that reads as
    // Latin (`signiп¬Ѓcantly`).
    let small = |c: Option<char>| c.is_some_and(char::is_lowercase);
    let capital_among_small =
        small(before) && text[pos..].chars().next().is_some_and(char::is_uppercase) && small(after);
    let ascii_letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    let latin_in_a_latin_word = table.kind == TableKind::Windows1251
        && ascii_letter(before)
        && ascii_letter(after)
        && !run.decoded.chars().any(is_cyrillic);
    // A box or a Greek sign glued to a word is no drawing and no formula.
    let glued_to_a_word = table.kind == TableKind::Cp437
        && (before.is_some_and(char::is_alphabetic) || after.is_some_and(char::is_alphabetic));
    // One Greek letter inside a word in Latin letters is a sign of science
    // (`IL2RÎ³cKO` is `IL2RγcKO`): a capital and a sign inside a word are
    // no word's letters.
    let greek_in_a_latin_word = greek && ascii_letter(before) && ascii_letter(after);
    let ambiguous = ambiguous
        && !capital_among_small
        && !latin_in_a_latin_word
        && !glued_to_a_word
        && !greek_in_a_latin_word;
    Some(Candidate {
        start: pos,
        end: run.end,
        encoding: table.label_for(&text[pos..run.end]),
        ambiguous,
        scripted: script.is_some(),
        decoded: run.decoded,
        plausible,
        deeper,
    })
}

/// `à` is C3 A0 in UTF-8, and A0 is the no-break space in Windows-1252: text
/// that went through a decoder and then a tidier comes out with `Ã` and a
/// plain space (`voilÃ le travail`). After a small letter no correct word
/// ends in a capital `Ã`; standing alone before a word in small letters it
/// is `à` where the text shows mojibake elsewhere. Either the space was the
/// no-break one and the word's own space follows (`voilÃ  le`), or the two
/// became one; Portuguese joins `à` to the word after it (`às`, `àquele`).
/// `à` (C3 A0) with its A0 tidied into a space, as each code page shows C3.
const TIDIED_A_GRAVE: [(&str, MojibakeEncoding); 3] = [
    ("Ã ", MojibakeEncoding::Windows1252),
    ("Г ", MojibakeEncoding::Windows1251),
    ("Ă ", MojibakeEncoding::Windows1250),
];

fn lost_no_break_space(text: &str, pos: usize) -> Option<Candidate> {
    // C3 is `Ã` in Windows-1252, `Г` in Windows-1251 (French typed on a
    // Russian Windows) and `Ă` in Windows-1250.
    let (garbled, encoding) = TIDIED_A_GRAVE
        .into_iter()
        .find(|(garbled, _)| text[pos..].starts_with(garbled))?;
    let rest = &text[pos + garbled.len()..];
    let next = rest.chars().next()?;
    let before = text[..pos].chars().next_back();
    let after_small_letter = before.is_some_and(char::is_lowercase);
    let alone = !before.is_some_and(char::is_alphanumeric) && (next.is_lowercase() || next == ' ');
    if !(after_small_letter && (next.is_alphabetic() || next == ' ') || alone) {
        return None;
    }
    let joined = ["s", "quele", "queles", "quela", "quelas", "quilo"]
        .iter()
        .any(|word| {
            rest.strip_prefix(word).is_some_and(|after| {
                !after
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '\'' | '’'))
            })
        });
    // Vietnamese writes `à` inside words (`trào`): in a text whose
    // Vietnamese letters show garbled the same way (`á»‡`, `áº¡`: U+1EA0 to
    // U+1EFF read as Windows-1252), the space was the no-break one.
    let vietnamese = || {
        ["á»", "áº", "áş"]
            .iter()
            .any(|garbled| text.contains(garbled))
    };
    let inside_a_word = after_small_letter && next.is_lowercase() && vietnamese();
    let decoded = if next == ' ' || joined || inside_a_word {
        "à"
    } else {
        "à "
    };
    Some(Candidate {
        start: pos,
        end: pos + garbled.len(),
        encoding,
        ambiguous: !after_small_letter,
        scripted: false,
        decoded: decoded.to_owned(),
        plausible: true,
        deeper: None,
    })
}

/// Stands for a byte lost in the layer above while the one below is read.
const LOST_HERE: char = '\u{1A}';

/// A decoded run read as mojibake once more (the first layer of a double
/// mis-decoding can hold C1 controls, which only make sense as bytes of the
/// second).
fn deeper_layer(
    decoded: &str,
    before: Before,
    letter_after: bool,
    layers_below: u8,
    order: TableOrder,
) -> Option<Deeper> {
    let Scan {
        candidates: inner,
        alone,
        outread,
    } = scan(decoded, before, letter_after, layers_below - 1, order);
    if inner.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(decoded.len());
    let mut copied_to = 0;
    let mut layers = 2;
    for candidate in &inner {
        text.push_str(&decoded[copied_to..candidate.start]);
        // A third layer is read where all of it is unmistakable.
        match &candidate.deeper {
            Some(deeper) if deeper.plausible && !deeper.any_ambiguous => {
                text.push_str(&deeper.text);
                layers = layers.max(deeper.layers + 1);
            }
            _ => text.push_str(&candidate.decoded),
        }
        copied_to = candidate.end;
    }
    text.push_str(&decoded[copied_to..]);
    let text = text.replace(LOST_HERE, "\u{FFFD}");
    // Runs read through one script's code page were judged by that
    // script's rule; the general one would refuse a one-letter word (but
    // not where the run alone is a word of one letter).
    let scripted = inner.iter().all(|c| c.scripted);
    Some(Deeper {
        layers,
        scripted,
        plausible: if scripted {
            inner.iter().all(|c| c.plausible)
        } else {
            plausible(&text, before) || inner.iter().all(|c| c.plausible)
        },
        alone,
        outread,
        any_ambiguous: inner.iter().any(|c| c.ambiguous),
        any_confident: inner.iter().any(|c| !c.ambiguous),
        text,
    })
}

/// A run is ambiguous when each of its sequences is: two chance pairs side
/// by side (`José—“à“`) are no more a sign of mojibake than one.
fn run_could_be_correct(
    text: &str,
    start: usize,
    run: &Run,
    (letter_before, letter_after_text): (bool, bool),
) -> bool {
    let Run {
        sequence_ends,
        sequences,
        decoded,
        ..
    } = run;
    let is_letter_before = |at: usize| match text[..at].chars().next_back() {
        Some(c) => c.is_alphabetic(),
        None => letter_before,
    };
    let mut from = start;
    let sequences = sequence_ends.iter().zip(sequences).zip(decoded.chars());
    sequences.into_iter().all(|((&end, &kind), decoded)| {
        let letter_after = text[end..]
            .chars()
            .next()
            .map_or(letter_after_text, char::is_alphabetic);
        let sequence = &text[from..end];
        let mut before = text[..from].chars().rev();
        let capital_before = before.next().is_some_and(char::is_uppercase);
        let two_capitals_before = capital_before && before.next().is_some_and(char::is_uppercase);
        let capital_after = text[end..].chars().next().is_some_and(char::is_uppercase);
        // Two capitals after a capital (`ZBOŠÄŽŠ`), or a capital before a
        // no-break space (`SELKÄ`, `IRMÃ`, `PÅ` in Danish): a word in
        // capitals.
        let mut chars = sequence.chars();
        let in_capitals = capital_before
            && chars.next().is_some_and(char::is_uppercase)
            && chars.next().is_some_and(|c| {
                c.is_uppercase()
                    || matches!(c, '\u{a0}' | ' ')
                        && !text[end..].chars().next().is_some_and(char::is_lowercase)
            })
            && chars.next().is_none();
        // Mojibake in a word in capitals decodes to a capital (`HÃ”TEL`);
        // a small letter there is a chance pair (`SÖÄ£`, leetspeak).
        let small_among_capitals =
            decoded.is_lowercase() && (two_capitals_before || capital_before && capital_after);
        // Two signs standing alone (`¬´` for a frown, `∆°`) are what they
        // look like, unless they spell a word of one letter (Portuguese `é`
        // is `√©`).
        let signs_alone = sequence_ends.len() == 1
            && !is_letter_before(from)
            && !letter_after
            && sequence.chars().count() == 2
            && !sequence.chars().any(char::is_alphabetic)
            && (!decoded.is_alphabetic() || decoded > '\u{ff}');
        // A guessed byte is believed where the text shows mojibake
        // elsewhere.
        // Windows-1252 punctuation read as Latin-1 after a word
        // (`vlažnější…”` as `í\u{85}\u{94}`) spells a sequence by chance:
        // what it decodes to (`텔`) is none of the signs that `â` and two C1
        // controls are in Latin-1 mojibake (quotes, `₂`, `→`, `≤`).
        let mut rest = sequence.chars().skip(1);
        let c1_punctuation = is_letter_before(from)
            && sequence.chars().count() >= 3
            && rest.all(|c| ('\u{80}'..='\u{9f}').contains(&c))
            && !('\u{2000}'..='\u{2bff}').contains(&decoded);
        // Maths right after a word of two letters or more is no formula
        // (`pi√π` is `più`; `x≈π` may be one).
        let mut letters_before = text[..from].chars().rev();
        let after_a_word = letters_before.next().is_some_and(char::is_alphabetic)
            && letters_before.next().is_some_and(char::is_alphabetic);
        let maths_after_a_word = after_a_word
            && sequence
                .chars()
                .next()
                .is_some_and(|c| shape(c) == Shape::Maths);
        let ambiguous = (kind != Sequence::Whole
            || c1_punctuation
            || in_capitals
            || small_among_capitals
            || signs_alone
            || could_be_correct(sequence, is_letter_before(from), letter_after))
            && !maths_after_a_word;
        from = end;
        ambiguous
    })
}

/// How a character reads in correct text, for telling mojibake from
/// correct text that happens to spell a UTF-8 sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Letter,
    /// Typographic punctuation (and the no-break space) that follows or
    /// precedes letters in real text.
    Punctuation,
    /// Maths signs and currency, which sit next to each other in formulas.
    Maths,
    Other,
}

fn shape(c: char) -> Shape {
    match c {
        '”' | '“' | '’' | '‘' | '—' | '–' | '…' | '•' | '«' | '»' | '™' | '‚' | '„' | '›' | '‹'
        | '\u{a0}' => Shape::Punctuation,
        'π' | '∞' | '±' | '≤' | '≥' | '∂' | '∑' | '∏' | '∫' | 'Ω' | 'µ' | '√' | '≈' | '∆' | '÷'
        | '◊' | '¬' | '≠' | '‰' | '£' | '¢' | '¥' | '€' | '×' => Shape::Maths,
        c if c.is_alphabetic() => Shape::Letter,
        _ => Shape::Other,
    }
}

/// Is this one UTF-8 sequence in disguise also ordinary text? (Maths and
/// word endings don't happen in the middle of a word: `Ma√±ana`, `S√£o`.) A capital
/// letter before a closing quote or dash (`IRMÃ”`, `Ä“`), a letter before two
/// such marks (`está»—`), a quote or dash before a letter (`»ö`), or maths
/// (`√π`, `≈£`).
fn could_be_correct(before: &str, letter_before: bool, letter_after: bool) -> bool {
    use Shape::*;
    let inside_a_word = letter_before && letter_after;
    // `Â` before a sign is the mark of Latin-1 signs gone wrong (`Â«`, `Â°`);
    // real text hardly ever has a capital Â anywhere but inside a word.
    if before.starts_with('Â') {
        return false;
    }
    let chars: Vec<char> = before.chars().take(4).collect();
    let shapes: Vec<Shape> = chars.iter().map(|&c| shape(c)).collect();
    match shapes.as_slice() {
        // `Ã` + no-break space is `à` gone wrong, not a word before a space.
        // An opening mark right after a letter (`Ã«`) isn't a word's ending.
        // Inside a word (`MÃ”NICA`) it isn't an ending either.
        // `“` closes a word in German and opens a quote in English: either
        // way no letter follows a capital and it at once, and `Å“uvre` is
        // `œuvre` gone wrong. (An apostrophe may, `O’Brien`; `Ã”NIBUS`
        // may be Portuguese.)
        [Letter, Punctuation] => {
            let opening = matches!(chars[1], '\u{a0}' | '«' | '„' | '‚' | '‹');
            let quote_before_a_letter = letter_after && chars[1] == '“';
            // No word ends in an accented capital and a trademark sign:
            // `Ã™` is `Ù` gone wrong (`OÃ™`), `Ä™` is `ę`.
            let trademark = chars[1] == '™';
            !(inside_a_word || opening || quote_before_a_letter || trademark)
        }
        [Punctuation, Letter] => true,
        // Three letters inside a word (`zbošäžš`) are how correct Central
        // European text spells a sequence by chance; mojibake of a word
        // shows itself elsewhere too. (Two capitals inside a word in
        // capitals: see `run_could_be_correct`.)
        [Letter, Letter, Letter] => inside_a_word,
        // Spacing accents doubled are quotation marks (`lá´´` closes what
        // two backquotes opened).
        [Letter, Other, Other] => chars[1] == chars[2] && matches!(chars[1], '´' | '¨' | '¸' | '¯'),
        // `√π`, `≈£5`, `x≈π`: an operator before a constant or a price (but
        // see `run_could_be_correct` for one after a word). `¬Ω` is Mac
        // Roman for `½`.
        // A times sign before a dash or quote (`3×—4`, `“×”`) is a sign,
        // though Hebrew's letters through Windows-1252 look the same.
        [Maths, Punctuation] => chars[0] == '×' && !inside_a_word,
        [Maths, Maths] => {
            !inside_a_word && matches!(chars[0], '√' | '≈' | '∆' | '÷' | '±' | '≤' | '≥' | '≠')
        }
        // After a word, a dash, ellipsis or space can be followed by almost
        // anything (`café—€5`, `Zoë—œuvre`, `José…”`); a closing mark by
        // more marks (`está»—`). An opening mark there (`æ„›`) or a sign
        // after a closing mark (`Viá»‡t`) is mojibake.
        [Letter, Punctuation, third] => match chars[1] {
            '…' | '—' | '–' | '\u{a0}' => true,
            '”' | '’' | '»' | '›' | '“' | '‘' => {
                *third == Punctuation || matches!(chars[2], '¿' | '¡')
            }
            _ => false,
        },
        _ => false,
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TableKind {
    /// Windows-1252, with the C1 controls Latin-1 would give for the bytes
    /// Windows-1252 leaves undefined or maps elsewhere.
    SloppyWindows1252,
    MacRoman,
    /// Cyrillic text's UTF-8 read as Windows-1251 (`Привет` as
    /// `РџСЂРёРІРµС‚`).
    Windows1251,
    /// Central European text's UTF-8 read as Windows-1250 (`łódź` as
    /// `Ĺ‚ĂłdĹş`).
    Windows1250,
    /// The same read as ISO-8859-2, the Latin-2 of Unix and the web, which
    /// puts Š, Ś, Ž and Ą where Windows-1250 has other signs and leaves C1
    /// controls where it has quotes (`třetí` as `tĹ\u{99}etĂ\u{AD}`).
    Iso8859_2,
    /// Baltic text's UTF-8 read as Windows-1257 (`įdomu` as `ÄŻdomu`).
    Windows1257,
    /// UTF-8 shown by a DOS or Windows console in code page 437, which
    /// draws boxes and Greek where UTF-8's lead bytes are (`Čeština` as
    /// `─îe┼ítina`, `café` as `caf├⌐`, `правильное` as `╨┐╤Ç╨░╨▓...`).
    Cp437,
}

impl TableKind {
    /// What a run read through a table of one script's encoding must decode
    /// to: text of that script. Correct Cyrillic or Central European text
    /// spells a UTF-8 sequence only by chance (an all-caps word before a
    /// quote), and what that decodes to is almost never a letter of the
    /// same script, let alone two in a row. `None`: the general rules of
    /// [`plausible`] apply.
    fn script(self) -> Option<fn(&str) -> bool> {
        match self {
            TableKind::SloppyWindows1252 | TableKind::MacRoman => None,
            // Russian (and English typed on a Russian Windows) keeps its
            // quotes, dashes and emoji in runs that start with `в`, which
            // correct text follows with `Ђ`, `„` or `ќ` only by chance.
            // French and English typed on a Russian Windows too: their
            // accented letters and ligatures (`rГ©gion`, `signiп¬Ѓcantly`),
            // believed as one letter only where the text shows mojibake.
            TableKind::Windows1251 => Some(|text| {
                text.chars().all(|c| is_cyrillic(c) || is_typographic(c))
                    || text.chars().all(|c| {
                        is_typographic(c)
                            || matches!(c as u32, 0x00C0..=0x00FF | 0xFB00..=0xFB06)
                                && c != '×'
                                && c != '÷'
                    })
            }),
            // Romanian's ș and ț (comma below) besides Latin-1 and
            // Extended-A; and Hebrew and Arabic, whose UTF-8 passed through
            // Windows-1250 too, as words of two letters or more.
            TableKind::Iso8859_2 | TableKind::Windows1257 => {
                Some(|text| text.chars().all(is_central_european))
            }
            // Boxes and Greek before accented letters are no text's: what
            // they decode to is believed as letters of one script or as
            // punctuation (`ΓÇÖ` is `’`).
            // (The long `ſ` is a box drawing's chance pair: `┼┐`.)
            TableKind::Cp437 => Some(|text| {
                text.chars()
                    .all(|c| (is_central_european(c) || is_vietnamese(c)) && c != 'ſ')
                    || text.chars().all(is_cyrillic)
                    || text.chars().all(is_typographic)
            }),
            TableKind::Windows1250 => Some(|text| {
                let hebrew = |c: char| matches!(c as u32, 0x05D0..=0x05EA);
                let arabic = |c: char| matches!(c as u32, 0x0620..=0x064A | 0x0660..=0x06FF);
                // Vietnamese's letters with two marks (`má»›i` is `mới`).
                let vietnamese = |c: char| is_central_european(c) || is_vietnamese(c);
                // One Greek letter as a sign (`ϒ-ná`, `σ-vá` in Hungarian).
                let mut letters = text.chars();
                let greek_sign =
                    letters.next().is_some_and(is_greek_letter) && letters.next().is_none();
                // English and Polish typed on a Central European Windows
                // keep their quotes in runs of `â€` (`â€ś` is `“`).
                text.chars().all(vietnamese)
                    || text.chars().all(is_typographic)
                    || greek_sign
                    || text.chars().nth(1).is_some()
                        && (text.chars().all(hebrew) || text.chars().all(arabic))
            }),
        }
    }
}

/// Latin-1's letters, Latin Extended-A, and Romanian's ș and ț (comma
/// below).
fn is_central_european(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x017F | 0x0218..=0x021B)
}

/// Vietnamese's letters beyond Latin-1: ơ, ư and those with two marks.
fn is_vietnamese(c: char) -> bool {
    matches!(
        c as u32,
        0x01A0 | 0x01A1 | 0x01AF | 0x01B0 | 0x1EA0..=0x1EF9
    )
}

/// Box drawing and block elements, which code page 437 puts where UTF-8's
/// lead bytes are: beside each other they are a drawing, not mojibake.
fn is_box_drawing(c: char) -> bool {
    matches!(c as u32, 0x2500..=0x259F)
}

/// A Greek letter as science writes it for a sign (`Ω`, `μ`, `ϒ`, `ϖ`).
fn is_greek_letter(c: char) -> bool {
    matches!(c as u32, 0x0391..=0x03D6)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0401..=0x040C | 0x040E..=0x044F | 0x0451..=0x045C | 0x045E | 0x045F | 0x0490 | 0x0491)
}

/// Punctuation, the signs typed beside it, dingbats and emoji.
fn is_typographic(c: char) -> bool {
    matches!(c as u32, 0x2010..=0x2027 | 0x2030..=0x205E | 0x20AC | 0x2116 | 0x2122 | 0x2600..=0x27BF | 0x1F000..=0x1FAFF)
}

/// Maps characters back to the single byte an encoding decodes to them.
struct Table {
    kind: TableKind,
    /// Indexed by code point for U+0080..U+00FF; 0 means "not in this encoding".
    latin: [u8; 256],
    /// Code points above U+00FF, sorted for binary search.
    others: Vec<(char, u8)>,
}

struct Run {
    end: usize,
    decoded: String,
    /// Where each UTF-8 sequence of the run ends (byte offsets in the text).
    sequence_ends: Vec<usize>,
    /// How each sequence was read.
    sequences: Vec<Sequence>,
}

/// How a UTF-8 sequence was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sequence {
    Whole,
    /// Its last byte, A0, is a plain space: the no-break space that byte
    /// decodes to was tidied into one.
    Spaced,
    /// A byte was lost: the character can't be known.
    Lost,
}

impl Table {
    fn build(kind: TableKind, decode: impl Fn(u8) -> Option<char>) -> Table {
        let mut latin = [0u8; 256];
        let mut others = Vec::new();
        for byte in 0x80u8..=0xFF {
            let Some(c) = decode(byte).filter(|&c| c != '\u{FFFD}') else {
                continue;
            };
            if (c as u32) < 256 {
                latin[c as usize] = byte;
            } else {
                others.push((c, byte));
            }
        }
        if kind == TableKind::SloppyWindows1252 {
            for (cp, byte) in latin.iter_mut().enumerate().take(0xA0).skip(0x80) {
                if *byte == 0 {
                    *byte = cp as u8;
                }
            }
        }
        others.sort_unstable();
        Table {
            kind,
            latin,
            others,
        }
    }

    fn byte(&self, c: char) -> Option<u8> {
        let cp = c as u32;
        if cp < 0x80 {
            None
        } else if cp < 0x100 {
            Some(self.latin[cp as usize]).filter(|&b| b != 0)
        } else {
            self.others
                .binary_search_by_key(&c, |&(c, _)| c)
                .ok()
                .map(|i| self.others[i].1)
        }
    }

    /// Whether `c` then `next` could begin a sequence in this encoding's
    /// disguise (a lead byte, then a continuation byte or what stands for
    /// a lost or tidied one).
    fn may_start(&self, c: char, next: Option<char>) -> bool {
        self.byte(c)
            .is_some_and(|lead| (0xC2..=0xF4).contains(&lead))
            && next.is_some_and(|next| {
                matches!(self.byte(next), Some(0x80..=0xBF))
                    || matches!(next, '\u{FFFD}' | ' ' | '?')
            })
    }

    /// The longest run of UTF-8 sequences (in this encoding's disguise)
    /// starting at byte `start`, decoded.
    fn candidate_run(&self, text: &str, start: usize) -> Option<Run> {
        let mut chars = text[start..].char_indices().peekable();
        let mut decoded = String::new();
        let mut sequence_ends = Vec::new();
        let mut sequences = Vec::new();
        while let Some(&(from, _)) = chars.peek() {
            let mut lookahead = chars.clone();
            let Some((kind, c)) = self.read_sequence(&mut lookahead) else {
                break;
            };
            let end = lookahead
                .peek()
                .map_or(text.len(), |&(next, _)| start + next);
            // A sign of punctuation and a space after a letter are how
            // correct text goes on (`allé» dit`), not a no-break space.
            if kind == Sequence::Spaced
                && text[start + from..end]
                    .chars()
                    .any(|c| shape(c) == Shape::Punctuation)
            {
                break;
            }
            decoded.push(c);
            sequences.push(kind);
            chars = lookahead;
            sequence_ends.push(end);
        }
        let end = *sequence_ends.last()?;
        Some(Run {
            end,
            decoded,
            sequence_ends,
            sequences,
        })
    }

    /// Reads one UTF-8 sequence in this encoding's disguise from `chars`.
    /// Two more shapes than plain UTF-8: a character outside the Basic
    /// Multilingual Plane written as two surrogates of three bytes each
    /// (CESU-8, as Java and MySQL's `utf8` wrote emoji), and a sequence one
    /// of whose continuation bytes a sloppy decoder lost, leaving U+FFFD
    /// (or, as the last byte of a quote or dash, a `?`) in its place:
    /// what that byte was can't be known, so the sequence reads as U+FFFD.
    /// And a last byte A0 (the no-break space in the encodings that have
    /// it there) may have become a plain space.
    fn read_sequence(
        &self,
        chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    ) -> Option<(Sequence, char)> {
        let lead = self.byte(chars.next()?.1)?;
        let needed = match lead {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => return None,
        };
        let mut sequence = [lead, 0, 0, 0];
        let mut lost = None;
        let mut kind = Sequence::Whole;
        for at in 1..=needed {
            let next = chars.peek().map(|&(_, c)| c)?;
            match self.byte(next) {
                Some(b @ 0x80..=0xBF) => sequence[at] = b,
                _ if next == ' ' && at == needed && self.byte('\u{a0}') == Some(0xA0) => {
                    sequence[at] = 0xA0;
                    kind = Sequence::Spaced;
                }
                // A `?` only where nothing else could stand: after the
                // first two bytes of a curly quote or dash (`â€?`).
                _ if lost.is_none()
                    && (next == '\u{FFFD}'
                        || next == '?' && at == 2 && sequence[..2] == [0xE2, 0x80]) =>
                {
                    lost = Some(at);
                }
                _ => return None,
            }
            chars.next();
        }
        let sequence = &mut sequence[..=needed];
        if let Some(at) = lost {
            // Some byte in the lost one's place must make the sequence
            // valid UTF-8.
            let valid = (0x80..=0xBF).any(|b| {
                sequence[at] = b;
                std::str::from_utf8(sequence).is_ok()
            });
            return valid.then_some((Sequence::Lost, '\u{FFFD}'));
        }
        if let Ok(valid) = std::str::from_utf8(sequence) {
            return valid.chars().next().map(|c| (kind, c));
        }
        // A high surrogate (ED A0..AF xx) must be followed by a low one.
        if sequence[0] != 0xED || !(0xA0..=0xAF).contains(&sequence[1]) {
            return None;
        }
        let mut low = [0u8; 3];
        for (at, slot) in low.iter_mut().enumerate() {
            let byte = self.byte(chars.next()?.1)?;
            let fits = match at {
                0 => byte == 0xED,
                1 => (0xB0..=0xBF).contains(&byte),
                _ => (0x80..=0xBF).contains(&byte),
            };
            if !fits {
                return None;
            }
            *slot = byte;
        }
        let surrogate = |b: &[u8]| {
            (u32::from(b[0] & 0x0F) << 12) | (u32::from(b[1] & 0x3F) << 6) | u32::from(b[2] & 0x3F)
        };
        let high = surrogate(sequence) - 0xD800;
        let low = surrogate(&low) - 0xDC00;
        char::from_u32(0x10000 + (high << 10) + low).map(|c| (Sequence::Whole, c))
    }

    fn label_for(&self, before: &str) -> MojibakeEncoding {
        match self.kind {
            TableKind::MacRoman => MojibakeEncoding::MacRoman,
            TableKind::Windows1251 => MojibakeEncoding::Windows1251,
            TableKind::Windows1250 => MojibakeEncoding::Windows1250,
            TableKind::Iso8859_2 => MojibakeEncoding::Iso8859_2,
            TableKind::Windows1257 => MojibakeEncoding::Windows1257,
            TableKind::Cp437 => MojibakeEncoding::Cp437,
            TableKind::SloppyWindows1252 => {
                // C1 controls come from Latin-1; Windows-1252 shows glyphs for
                // all of those bytes but five it leaves undefined.
                let latin1_only = before.chars().any(|c| {
                    matches!(c as u32, 0x80..=0x9F)
                        && !matches!(c as u32, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
                });
                if latin1_only {
                    MojibakeEncoding::Latin1
                } else {
                    MojibakeEncoding::Windows1252
                }
            }
        }
    }
}

/// Tried in this order; the first that reads a run as plausible text wins.
const TABLES: usize = 7;

fn tables() -> &'static [Table; TABLES] {
    static BUILT: OnceLock<[Table; TABLES]> = OnceLock::new();
    let whatwg = |encoding: &'static Encoding| {
        move |byte: u8| {
            let single = [byte];
            let (decoded, _) = encoding.decode_without_bom_handling(&single);
            decoded.chars().next()
        }
    };
    BUILT.get_or_init(|| {
        [
            Table::build(TableKind::SloppyWindows1252, whatwg(WINDOWS_1252)),
            Table::build(TableKind::MacRoman, whatwg(MACINTOSH)),
            Table::build(TableKind::Windows1251, whatwg(WINDOWS_1251)),
            Table::build(TableKind::Windows1250, whatwg(WINDOWS_1250)),
            Table::build(TableKind::Iso8859_2, whatwg(ISO_8859_2)),
            Table::build(TableKind::Windows1257, whatwg(WINDOWS_1257)),
            Table::build(TableKind::Cp437, |byte| {
                byte.checked_sub(0x80)
                    .map(|at| DECODING_TABLE_CP437[usize::from(at)])
            }),
        ]
    })
}

/// How believable a decoded character is as the real text behind mojibake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plausibility {
    /// Accented Latin letters, typographic punctuation, symbols, emoji, CJK.
    Likely,
    /// Letters of an alphabet (Greek, Cyrillic, Hebrew, Arabic) that a pair of
    /// correct characters can also spell by chance (Mac Roman `—é` is
    /// Cyrillic `ю`): believed only as a word, two or more letters long.
    InAWord,
    Unlikely,
}

fn plausibility(c: char) -> Plausibility {
    use Plausibility::*;
    match c as u32 {
        // Latin-1 letters and signs, Latin Extended-A; from Extended-B only
        // what languages use (ƒ, Vietnamese Ơ/Ư, pinyin, Romanian Ș/Ț): the
        // rest is what Mac Roman `«` before a sign decodes to by chance.
        0x00A0..=0x017F => Likely,
        0x0192 | 0x01A0 | 0x01A1 | 0x01AF | 0x01B0 | 0x01CD..=0x01DC | 0x0218..=0x021B => Likely,
        // Modifier letters: French ordinals (`1ʳᵉ`) and the like, in
        // words.
        0x02B0..=0x02FF => InAWord,
        0x0370..=0x0373 | 0x0376..=0x03FF => InAWord,
        0x0400..=0x0482 | 0x048A..=0x04FF => InAWord,
        0x05D0..=0x05EA => InAWord,
        0x0620..=0x064A | 0x0660..=0x06FF => InAWord,
        // Everything two bytes long but the above is refused: IPA, Armenian,
        // Syriac and the like are what chance pairs of correct characters
        // decode to. Three and four bytes take three or four characters
        // in a row, which correct text rarely spells (and the one shape it
        // does, `está»—`, is caught by `could_be_correct`).
        // Samaritan, Mandaic and Arabic extensions are what `à` before a
        // no-break space and a sign spells (`déjà\u{a0}¿`), not text.
        0x0800..=0x08FF => Unlikely,
        0x0900..=0xD7FF => Likely,
        0xE000..=0xF8FF => Unlikely, // private use
        0xF900..=0xFFFD => Likely,
        0x10000..=0xEFFFF => Likely,
        _ => Unlikely,
    }
}

/// Combining accents (`e` + U+0301) are believed right after a letter or
/// a sign. Only the accents languages put on letters, and the strokes that
/// cross out (U+0335–U+0338): the rest of the block (a tilde overlay, arrows
/// below, Latin letters written above) is what a capital before `´`, `Š`
/// or `Ž` spells by chance (`Ì´`, `ÍŠ`, `ÍŽ` in Czech written in capitals).
fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x0333 | 0x0335..=0x0338)
}

/// A Cyrillic, Hebrew or Arabic letter glued to a Latin word is no word
/// anyone writes: it is correct signs beside a Latin word that a code page
/// reads as letters by chance (Mac Roman `“©—Ørsted` is `ҩѯrsted`). (A
/// Greek letter there is a sign: `kΩ`, `μM`, `Δt`.) Latin letters that
/// look Cyrillic are typed into Cyrillic words, though (Serbian `Cрпски`
/// with a Latin `C`).
fn glued_to_latin(decoded: &str, before: &str, after: &str) -> bool {
    let alphabet = |c: Option<char>| {
        c.is_some_and(|c| c.is_alphabetic() && matches!(c as u32, 0x0400..=0x06FF))
    };
    let latin_word = |letters: &mut dyn Iterator<Item = char>| {
        let mut any = false;
        let mut all_look_cyrillic = true;
        for c in letters.take_while(char::is_ascii_alphabetic) {
            any = true;
            all_look_cyrillic &= "ABCEHKMOPTXaceopxy".contains(c);
        }
        any && !all_look_cyrillic
    };
    (alphabet(decoded.chars().next()) && latin_word(&mut before.chars().rev()))
        || (alphabet(decoded.chars().next_back()) && latin_word(&mut after.chars()))
}

/// The alphabets whose letters a chance pair of correct characters spells
/// (see [`Plausibility::InAWord`]); every other letter is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Other,
}

fn alphabet_of(c: char) -> Alphabet {
    match c as u32 {
        0x0370..=0x03FF => Alphabet::Greek,
        0x0400..=0x04FF => Alphabet::Cyrillic,
        0x0590..=0x05FF => Alphabet::Hebrew,
        0x0600..=0x06FF => Alphabet::Arabic,
        _ => Alphabet::Other,
    }
}

fn plausible(decoded: &str, before: Before) -> bool {
    let mut count = 0;
    let mut needs_a_word = false;
    let mut previous = before;
    let mut previous_alphabet = None;
    for c in decoded.chars() {
        count += 1;
        if is_combining(c) {
            if previous == Before::Space {
                return false;
            }
            continue;
        }
        match plausibility(c) {
            Plausibility::Likely => {}
            Plausibility::InAWord => needs_a_word = true,
            Plausibility::Unlikely => return false,
        }
        // Letters of two alphabets side by side are chance pairs, not a
        // word (`é—“×”` through Windows-1252 is `闓ה`).
        let alphabet = c.is_alphabetic().then(|| alphabet_of(c));
        if let (Some(before), Some(now)) = (previous_alphabet, alphabet) {
            if before != now && (before != Alphabet::Other || now != Alphabet::Other) {
                return false;
            }
        }
        previous_alphabet = alphabet;
        previous = Before::of(c);
    }
    !needs_a_word || count >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `text` as UTF-8 and decodes the bytes as `encoding`: how
    /// mojibake is made.
    fn garble(text: &str, encoding: &'static Encoding) -> String {
        encoding
            .decode_without_bom_handling(text.as_bytes())
            .0
            .into_owned()
    }

    #[test]
    fn mac_roman_from_the_seed() {
        let fixed = repair("They were so na√Øve, so stupid.");
        assert_eq!(fixed.text, "They were so naïve, so stupid.");
        assert_eq!(fixed.repairs.len(), 1);
        let r = &fixed.repairs[0];
        assert_eq!(r.before, "√Ø");
        assert_eq!(r.after, "ï");
        assert_eq!(r.encoding, MojibakeEncoding::MacRoman);
        assert_eq!(
            &"They were so na√Øve, so stupid."[r.start..r.end],
            "√Ø",
            "span is a byte span of the input"
        );
    }

    #[test]
    fn windows_1252_quotes_and_accents() {
        let original = "Café “déjà vu” — it’s ’90s…";
        let garbled = garble(original, WINDOWS_1252);
        assert_ne!(garbled, original);
        let fixed = repair(&garbled);
        assert_eq!(fixed.text, original);
        assert!(fixed
            .repairs
            .iter()
            .all(|r| r.encoding == MojibakeEncoding::Windows1252));
    }

    #[test]
    fn latin1_with_c1_controls() {
        let garbled: String = "it’s".bytes().map(|b| b as char).collect();
        let fixed = repair(&garbled);
        assert_eq!(fixed.text, "it’s");
        assert_eq!(fixed.repairs[0].encoding, MojibakeEncoding::Latin1);
    }

    /// Russian, Ukrainian and Serbian UTF-8 read as Windows-1251; Polish,
    /// Czech and Hungarian read as Windows-1250: repaired, one-letter words
    /// too once a longer one shows the text is garbled.
    #[test]
    fn cyrillic_and_central_european_read_in_their_windows_encodings() {
        for (original, encoding, label) in [
            (
                "Привет, как дела? Всё в порядке.",
                WINDOWS_1251,
                MojibakeEncoding::Windows1251,
            ),
            (
                "Її звали Ґанна, і вона жила у Києві.",
                WINDOWS_1251,
                MojibakeEncoding::Windows1251,
            ),
            (
                "Љубав и ђак, њихова кућа.",
                WINDOWS_1251,
                MojibakeEncoding::Windows1251,
            ),
            (
                "Zażółć gęślą jaźń, powiedział Łukasz.",
                WINDOWS_1250,
                MojibakeEncoding::Windows1250,
            ),
            (
                "Příliš žluťoučký kůň úpěl ďábelské ódy.",
                WINDOWS_1250,
                MojibakeEncoding::Windows1250,
            ),
            (
                "Árvíztűrő tükörfúrógép és őszi ütő.",
                WINDOWS_1250,
                MojibakeEncoding::Windows1250,
            ),
        ] {
            let garbled = garble(original, encoding);
            assert_ne!(garbled, original);
            let fixed = repair(&garbled);
            assert_eq!(fixed.text, original, "from {garbled}");
            assert!(
                fixed.repairs.iter().any(|r| r.encoding == label),
                "{original}: {:?}",
                fixed.repairs
            );
        }
    }

    /// The same mix-up twice: the garbled text saved as UTF-8 and read as
    /// its code page again.
    #[test]
    fn cyrillic_and_central_european_garbled_twice() {
        for (original, encoding) in [
            ("Привет, как дела? Всё в порядке.", WINDOWS_1251),
            ("Zażółć gęślą jaźń, powiedział Łukasz.", WINDOWS_1250),
        ] {
            let twice = garble(&garble(original, encoding), encoding);
            let fixed = repair(&twice);
            assert_eq!(fixed.text, original, "from {twice}");
            assert!(
                fixed.repairs.iter().any(|r| r.layers == 2),
                "{:?}",
                fixed.repairs
            );
        }
    }

    /// Correct Cyrillic and Central European text, all-caps words before
    /// quotes and dashes included, is left as it is.
    #[test]
    fn correct_cyrillic_and_central_european_text_stays() {
        for text in [
            "«ВЕР» и «ТЕКСТ» — ПІДІЙМИ ПРАПОР… ПРЁТ!",
            "Сё, Рё, Т» and Р“ stand alone here.",
            "ВСЁ «ХОРОШО»: СЃ — нет.",
            "PĂŞUNE, ÎNCĂ, ŞI ŢARĂ; Ţară şi ţară.",
            "„SCHÄ“ sagte er, ÄŁ und Ĺ‚ nicht.",
            "Łódź, Kraków — „cytat” i ‘inny’.",
        ] {
            assert_eq!(repair(text).text, text, "changed");
        }
    }

    #[test]
    fn c1_punctuation_after_a_word_is_punctuation() {
        assert_eq!(repair("\u{93}vlažnější\u{85}\u{94}").text, "“vlažnější…”");
        assert_eq!(repair("\u{93}café\u{85}\u{94}").text, "“café…”");
        // Latin-1 mojibake of a quote or a subscript after a word is still
        // one, once or twice.
        assert_eq!(repair("Zoe\u{e2}\u{80}\u{99}s").text, "Zoe’s");
        assert_eq!(repair("H\u{c3}\u{a2}\u{c2}\u{82}\u{c2}\u{82}O").text, "H₂O");
    }

    /// Windows-1252 punctuation that reached us as the C1 controls of its
    /// bytes, in text that is otherwise right (the bytes were read as
    /// Latin-1 and the text saved as UTF-8).
    #[test]
    fn c1_controls_standing_for_windows_1252_punctuation() {
        let garbled = "\u{93}Wait\u{94} \u{96} she said\u{85} it\u{92}s Zoë\u{97}";
        let fixed = repair(garbled);
        assert_eq!(fixed.text, "“Wait” – she said… it’s Zoë—");
        assert_eq!(fixed.repairs.len(), 6);
        for r in &fixed.repairs {
            assert_eq!(&garbled[r.start..r.end], r.before);
            assert_eq!(r.encoding, MojibakeEncoding::Latin1);
        }
        // Beside a run of mojibake, both are read.
        assert_eq!(repair("\u{93}cafÃ©\u{94}").text, "“café”");
        // The five bytes Windows-1252 leaves undefined stay as they were.
        let undefined = "a\u{81}b\u{8d}c\u{8f}d\u{90}e\u{9d}";
        assert_eq!(repair(undefined).text, undefined);
        assert!(repair(undefined).repairs.is_empty());
    }

    /// Characters outside the Basic Multilingual Plane written as CESU-8:
    /// each UTF-16 surrogate as its own three bytes.
    fn cesu8(text: &str) -> Vec<u8> {
        let mut bytes = Vec::new();
        for c in text.chars() {
            let mut units = [0u16; 2];
            for &unit in c.encode_utf16(&mut units).iter() {
                let unit = u32::from(unit);
                if unit < 0x80 {
                    bytes.push(unit as u8);
                } else if unit < 0x800 {
                    bytes.extend([0xC0 | (unit >> 6) as u8, 0x80 | (unit & 0x3F) as u8]);
                } else {
                    bytes.extend([
                        0xE0 | (unit >> 12) as u8,
                        0x80 | ((unit >> 6) & 0x3F) as u8,
                        0x80 | (unit & 0x3F) as u8,
                    ]);
                }
            }
        }
        bytes
    }

    #[test]
    fn emoji_written_as_surrogate_pairs() {
        for text in [
            "so proud of them 🥹🎉",
            "🐉 dragon",
            "Zoë 💜 naïve",
            "𝒜 and 😀😁",
        ] {
            let bytes = cesu8(text);
            let windows = WINDOWS_1252.decode_without_bom_handling(&bytes).0;
            let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
            assert_eq!(repair(&windows).text, text, "{windows:?}");
            assert_eq!(repair(&latin1).text, text, "{latin1:?}");
        }
        // Half a pair is not a character.
        let half = WINDOWS_1252
            .decode_without_bom_handling(&[b'a', 0xED, 0xA0, 0xBD, b' ', b'b'])
            .0
            .into_owned();
        assert_eq!(repair(&half).text, half);
    }

    #[test]
    fn a_byte_lost_in_the_first_layer_is_not_read_again() {
        // Ukrainian `баскетболіст` garbled once, its `с` lost: the `лі`
        // before the U+FFFD is no second layer.
        let sloppy =
            garble("баскетболіст і баскетболістка", WINDOWS_1252).replace('\u{81}', "\u{FFFD}");
        let want = "ба\u{FFFD}кетболі\u{FFFD}т і ба\u{FFFD}кетболі\u{FFFD}тка";
        assert_eq!(repair(&sloppy).text, want, "{sloppy:?}");
    }

    #[test]
    fn a_byte_lost_to_a_sloppy_decoder_stays_lost() {
        // A decoder that had no character for Windows-1252's 9D (the last
        // byte of `”`) wrote U+FFFD; `â€œ` beside it shows the mojibake.
        let sloppy =
            garble("“Stay,” he said. “Please.”", WINDOWS_1252).replace('\u{9d}', "\u{FFFD}");
        assert_eq!(
            repair(&sloppy).text,
            "“Stay,\u{FFFD} he said. “Please.\u{FFFD}"
        );
        let question = garble("“Stay,” he said.", WINDOWS_1252).replace('\u{9d}', "?");
        assert_eq!(repair(&question).text, "“Stay,\u{FFFD} he said.");
        // Alone, a letter before U+FFFD could be the text's own.
        for kept in [
            "NÃ\u{FFFD}O",
            "Ă\u{FFFD} is lost",
            "who? what?",
            "ÄÄ\u{FFFD}I and ÄÖ\u{FFFD}",
        ] {
            assert_eq!(repair(kept).text, kept);
        }
        // A capital between small letters is no letter of the word.
        assert_eq!(repair("SlovenÄ\u{FFFD}ina").text, "Sloven\u{FFFD}ina");
        // Inside three words or more, it is the mark of lost bytes, though
        // no other mojibake shows (Slovenian `č` is C4 8D, and Windows-1252
        // has nothing at 8D).
        let slovenian = garble("Pljučih, ozvoči, Cerejčanov in beločnic.", WINDOWS_1252)
            .replace('\u{8d}', "\u{FFFD}");
        assert_eq!(
            repair(&slovenian).text,
            "Plju\u{FFFD}ih, ozvo\u{FFFD}i, Cerej\u{FFFD}anov in belo\u{FFFD}nic."
        );
    }

    /// French and English read through Windows-1250 or Windows-1251, and
    /// Mac Roman maths after a letter: a capital between small letters, or
    /// Cyrillic inside a word in Latin letters, is mojibake even where it
    /// is all the text shows.
    #[test]
    fn latin_letters_through_central_european_and_cyrillic_code_pages() {
        for (original, encoding) in [
            ("Au château, une idée.", WINDOWS_1250),
            ("Une idée reçue.", WINDOWS_1251),
            ("A signiﬁcant ﬁnding.", WINDOWS_1251),
            ("Ci vediamo più tardi.", MACINTOSH),
            ("Một ngày mới, trời đẹp lắm.", WINDOWS_1250),
        ] {
            let garbled = garble(original, encoding);
            assert_ne!(garbled, original);
            assert_eq!(repair(&garbled).text, original, "{garbled}");
        }
        // `à` whose no-break space a tidier made a plain one, through
        // Windows-1251 as through Windows-1252.
        let tidied = garble("Il pense à l’été, à Paris.", WINDOWS_1251).replace('\u{a0}', " ");
        assert_eq!(repair(&tidied).text, "Il pense à l’été, à Paris.");
        // Alone and not between small letters, the same could be correct.
        for kept in ["Г© и Г", "2√π", "x≈π", "a x≈π", "Ă¨"] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    /// One Greek letter beside Latin ones is a sign (`kΩ`, `μM`, `Δt`):
    /// repaired where the text shows mojibake elsewhere, kept alone.
    #[test]
    fn a_greek_letter_as_a_sign_beside_latin_letters() {
        let original = "Café: 5 kΩ-os, 3 μM, Δt.";
        assert_eq!(repair(&garble(original, WINDOWS_1252)).text, original);
        let hungarian = "Egészen bőséges σ-vá.";
        assert_eq!(repair(&garble(hungarian, WINDOWS_1250)).text, hungarian);
        for kept in ["5 kÎ©-os", "3 al:Î¼M", "Î”t"] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    #[test]
    fn a_grave_a_whose_no_break_space_became_a_space() {
        let cases = [
            ("voilÃ  tout", "voilà tout"),
            ("voilÃ tout", "voilà tout"),
            ("Ã bientôt, cafÃ©", "à bientôt, café"),
            ("jusqu’Ã demain, Ã©tÃ©", "jusqu’à demain, été"),
            // Portuguese joins à to the word after it.
            (
                "Ã s vezes, Ã quela hora, opÃ§Ã£o",
                "às vezes, àquela hora, opção",
            ),
            ("prÃªt Ã s’en aller", "prêt à s’en aller"),
        ];
        for (garbled, clean) in cases {
            assert_eq!(repair(garbled).text, clean, "{garbled:?}");
        }
        // Inside a Vietnamese word, beside its other garbled letters.
        let vietnamese = garble("trào lưu mới nhất", WINDOWS_1252).replace('\u{a0}', " ");
        assert_eq!(
            repair(&vietnamese).text,
            "trào lưu mới nhất",
            "{vietnamese:?}"
        );
        // A capital Ã in its own right: spelt-out capitals, or with no
        // mojibake elsewhere to say otherwise.
        for kept in [
            "S Ã O P A U L O",
            "the letter Ã is a Portuguese one",
            "IRMÃ E MÃE",
        ] {
            assert_eq!(repair(kept).text, kept);
        }
    }

    #[test]
    fn what_correct_text_spells_by_chance_stays() {
        for kept in [
            // A capital before a no-break space, in a word in capitals.
            "HYVÄ\u{a0}PÄIVÄ",
            "PÅ\u{a0}SKOLEN",
            "TRANSIÇÃ\u{a0}O",
            // A small letter spelt among capitals.
            "SÖÄ£ ÄÆ",
            "BÄ£Ä",
            // Two signs standing alone.
            "so it goes ¬´ whatever",
            "∆° and more",
            // Spacing accents doubled as closing quotes.
            "``vamos lá´´ e ``até´´",
            "ele disse ``olá¨¨",
            // Signs before a Latin word, which Mac Roman reads as
            // Cyrillic letters glued to it.
            "“©—Ørsted ",
            "hm“©—Ø",
            // Quotes and signs that spell letters no modern alphabet has.
            "“∞—© ",
            "“§—à ",
            // Signs that spell letters of two scripts side by side.
            "José—“×” ",
            "Zoë—“×” ",
            "× ×—",
            "déjà\u{a0}¿×” ",
        ] {
            assert_eq!(repair(kept).text, kept, "{kept:?}");
        }
    }

    #[test]
    fn hebrew_arabic_and_punctuation_through_one_scripts_code_page() {
        for text in ["שלום עולם", "مرحبا بالعالم"] {
            assert_eq!(repair(&garble(text, WINDOWS_1250)).text, text);
        }
        // English typed on a Russian Windows: quotes, dashes and emoji.
        for text in ["It’s “done” – mostly… ❤", "Привет — “мир” 😀"] {
            let garbled = garble(text, WINDOWS_1251);
            assert_eq!(repair(&garbled).text, text, "{garbled:?}");
            let twice = garble(&garbled, WINDOWS_1251);
            assert_eq!(repair(&twice).text, text, "{twice:?}");
        }
    }

    #[test]
    fn a_no_break_space_byte_tidied_into_a_space() {
        // Š, Р and ภ end in byte A0: the no-break space, which a tidier
        // turned into a plain one.
        for text in ["Švejk řekl: šťastný", "Россия и Рим", "ภาษาไทย ภูเขา"]
        {
            let tidied = garble(text, WINDOWS_1252).replace('\u{a0}', " ");
            assert_eq!(repair(&tidied).text, text, "{tidied:?}");
        }
        // Correct text going on after a capital or a closing mark.
        for kept in ["ÞAÐ ER GOTT", "PÅ SKOLEN", "«Il est allé» dit-il, cafÃ©"] {
            let want = kept.replace("cafÃ©", "café");
            assert_eq!(repair(kept).text, want, "{kept:?}");
        }
    }

    #[test]
    fn latin_2_and_baltic_code_pages() {
        let czech = "Mám dost třetího tisíciletí, řekla Šárka.";
        assert_eq!(repair(&garble(czech, encoding_rs::ISO_8859_2)).text, czech);
        // `č` through Windows-1257 is `Ä¨`, which Windows-1252 reads as `Ĩ`:
        // the code page that alone read `į` (`ÄÆ`) settles it.
        let lithuanian = "Į kačiuogę žiūrėjo įdomiai.";
        assert_eq!(repair(&garble(lithuanian, WINDOWS_1257)).text, lithuanian);
        // So does the case of the word a letter stands in.
        let latvian = "kaplička un gājēji";
        assert_eq!(repair(&garble(latvian, WINDOWS_1257)).text, latvian);
    }

    #[test]
    fn two_layers_deep() {
        let once = garble("She said “no” — naïve.", WINDOWS_1252);
        let twice = garble(&once, WINDOWS_1252);
        let fixed = repair(&twice);
        assert_eq!(fixed.text, "She said “no” — naïve.");
        assert!(fixed.repairs.iter().all(|r| r.layers == 2));
    }

    /// Found by the property test: `œ` garbled twice is `Ã…â€œ`, whose
    /// first layer `Å“` a German closing quote could spell, but not with a
    /// letter straight after it.
    #[test]
    fn two_layers_of_a_ligature_before_letters() {
        for text in ["\"œuvre ", "(œuvre)", "«œil»", "L’œuvre"] {
            let twice = garble(&garble(text, WINDOWS_1252), WINDOWS_1252);
            assert_eq!(repair(&twice).text, text, "{twice}");
        }
        // A capital before a closing quote and a space stays as written.
        assert_eq!(repair("„BÅ“ sagte").text, "„BÅ“ sagte");
    }

    #[test]
    fn only_part_of_a_text() {
        let text = format!(
            "Clean “quotes” and naïve stay. {} Then more clean text — ok.",
            garble("But this “part” is broken.", WINDOWS_1252)
        );
        let fixed = repair(&text);
        assert_eq!(
            fixed.text,
            "Clean “quotes” and naïve stay. But this “part” is broken. Then more clean text — ok."
        );
    }

    #[test]
    fn emoji_cjk_cyrillic_greek() {
        for original in [
            "😀 ok",
            "日本語のテキスト",
            "привет мир",
            "αβγ δέλτα",
            "שלום",
        ] {
            for encoding in [WINDOWS_1252, MACINTOSH] {
                let garbled = garble(original, encoding);
                assert_eq!(repair(&garbled).text, original, "{garbled}");
            }
        }
    }

    #[test]
    fn what_correct_text_could_spell_is_repaired_given_evidence() {
        // Alone, `Ã”` may be Portuguese; beside unmistakable mojibake it is `Ô`.
        assert_eq!(repair("Ã”NIBUS").text, "Ã”NIBUS");
        assert_eq!(repair("Ã”NIBUS, cafÃ©").text, "ÔNIBUS, café");
        assert_eq!(repair("√π").text, "√π");
        assert_eq!(repair("√π √©").text, "ù é");
    }

    #[test]
    fn inside_a_word_is_mojibake() {
        assert_eq!(repair("Ma√±ana in S√£o Paulo").text, "Mañana in São Paulo");
        assert_eq!(repair("√± and ±√").text, "√± and ±√");
    }

    #[test]
    fn rarer_characters() {
        for original in [
            "ツ",
            "中",
            "¯\\_(ツ)_/¯",
            "❤️ and 🏳️‍🌈",
            "H₂O x²",
            "𝚫",
            "ᛟ",
            "nǐ hǎo, café",
            "e\u{301}",
            "Nguyễn, café",
        ] {
            for encoding in [WINDOWS_1252, MACINTOSH] {
                let garbled = garble(original, encoding);
                assert_eq!(repair(&garbled).text, original, "{garbled:?}");
            }
        }
    }

    /// UTF-8 shown by a console in code page 437.
    fn garble_cp437(text: &str) -> String {
        text.bytes()
            .map(|byte| match byte.checked_sub(0x80) {
                Some(at) => DECODING_TABLE_CP437[usize::from(at)],
                None => char::from(byte),
            })
            .collect()
    }

    #[test]
    fn utf8_read_through_code_page_437() {
        for text in [
            "Čeština",
            "Tiếng Việt",
            "#правильноепитание",
            "un café crème, s’il vous plaît",
            "Grüße aus Köln",
            "Пример: набежала туча.",
        ] {
            let garbled = garble_cp437(text);
            assert_ne!(garbled, text);
            let fixed = repair(&garbled);
            assert_eq!(fixed.text, text, "{garbled}");
            assert!(fixed
                .repairs
                .iter()
                .all(|r| r.encoding == MojibakeEncoding::Cp437));
        }
    }

    /// Box drawings are what code page 437 shows in correct text: they
    /// stay, however their characters pair up.
    #[test]
    fn box_drawings_stay() {
        for text in [
            "┌──┬──┐\n│ é│ ü│\n└──┴──┘",
            "├┤a┼┐a┼┐a┼┐a┼┐a",
            "╔═══╗ ║ñ║ ╚═══╝",
            "──┐ Fußübung, Gießöl, Maßänderung",
            "α, ß, Γ, π, Σ, σ, µ — ±5 ≥ 3 ≤ 4",
        ] {
            let fixed = repair(text);
            assert_eq!(fixed.text, text);
            assert!(fixed.repairs.is_empty(), "{text}: {:?}", fixed.repairs);
        }
    }

    #[test]
    fn three_layers_deep() {
        for (text, encoding) in [
            ("The Mona Lisa doesn’t have eyebrows.", WINDOWS_1252),
            ("Merci de télécharger le plug-in", MACINTOSH),
            ("She said “no” — naïve.", WINDOWS_1252),
        ] {
            let thrice = garble(&garble(&garble(text, encoding), encoding), encoding);
            let fixed = repair(&thrice);
            assert_eq!(fixed.text, text, "{thrice}");
            assert!(
                fixed.repairs.iter().any(|r| r.layers == 3),
                "{:?}",
                fixed.repairs
            );
        }
    }

    /// An accented capital before a trademark sign ends no word: it is a
    /// capital whose second byte is 0x99 (`Ù`, `ę`, `ř`).
    #[test]
    fn a_capital_before_a_trademark_sign() {
        for text in ["OÙ ET QUAND?", "PIÙ TARDI, PERCHÉ NO"] {
            let garbled = garble(text, WINDOWS_1252);
            assert_eq!(repair(&garbled).text, text, "{garbled}");
        }
        for text in ["ACME™ and NINTENDO™", "CAFÉ™", "SÃO PAULO™"] {
            assert_eq!(repair(text).text, text);
        }
    }

    /// One Greek letter inside a word in Latin letters, as biology and
    /// chemistry write them.
    #[test]
    fn a_greek_letter_inside_a_latin_word() {
        for text in ["IL2RγcKO mice", "TNFαR and PPARγ", "the NFκB pathway"] {
            let garbled = garble(text, WINDOWS_1252);
            assert_eq!(repair(&garbled).text, text, "{garbled}");
        }
    }

    /// Latin letters that look Cyrillic, typed into a Cyrillic word.
    #[test]
    fn cyrillic_words_with_a_latin_look_alike() {
        for text in ["Cрпски", "Hовости", "cтраница", "Kиев и Oдеса"] {
            let garbled = garble(text, WINDOWS_1252);
            assert_eq!(repair(&garbled).text, text, "{garbled}");
        }
    }

    /// A text whose quotes went through Windows-1250 and whose other
    /// characters through Windows-1252: each run is read in its own.
    #[test]
    fn quotes_through_a_central_european_code_page() {
        let text = format!(
            "It was named{} after the rock-climbers {}",
            garble("\u{a0}„scars´ stones", WINDOWS_1252),
            garble("“who got hurt”.", WINDOWS_1250)
        );
        assert_eq!(
            repair(&text).text,
            "It was named\u{a0}„scars´ stones after the rock-climbers “who got hurt”."
        );
    }

    /// Strokes that cross out figures, and accents over the signs of a
    /// face, follow signs rather than letters.
    #[test]
    fn combining_marks_after_signs() {
        for (text, layers) in [
            ("hotel $49 $6\u{336}3\u{336} updated", 1),
            ("sob (ง'\u{300}⌣'\u{301})ง", 2),
        ] {
            let mut garbled = text.to_owned();
            for _ in 0..layers {
                garbled = garble(&garbled, WINDOWS_1252);
            }
            assert_eq!(repair(&garbled).text, text, "{garbled}");
        }
        // A spacing accent used as a closing quote after an Italian capital
        // spells a tilde overlay by chance.
        assert_eq!(repair("«COSÌ´ disse").text, "«COSÌ´ disse");
    }

    #[test]
    fn correct_text_stays() {
        for text in [
            "NÃO é possível",
            "Ã",
            "√2 ≈ 1.414, √ Ø, ∅",
            "Søren Ørsted, Ø",
            "“Curly” ‘quotes’ — em dashes – en dashes…",
            "«Énorme», «écoute» — «Ça va»",
            "Gruß“ und „BÄR“",
            "CAFÉ—ok",
            "½ cup • bullet © 2024 ™",
            "¿Qué? ¡Sí! Ñandú",
            "—é, “à”",
            "José…” and café—” and “Zoë…”, José”\u{a0}, café—¿qué?, José—“à\u{a0}“the",
            "IRMÃ” NÃ— NÃ… Ã’ Å” Å… Ä“ á»— á»… Æ’",
            "«é» »ö √π ≈π ≈£5 «© »®",
            // Hebrew through Windows-1250, glued to a Latin word.
            "×—×’s ",
        ] {
            let fixed = repair(text);
            assert_eq!(fixed.text, text);
            assert!(fixed.repairs.is_empty(), "{text}: {:?}", fixed.repairs);
        }
    }
}
