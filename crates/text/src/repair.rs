//! Mojibake repair: UTF-8 that was decoded as Windows-1252, Latin-1 or Mac
//! Roman, one or two layers deep, anywhere in a text.
//!
//! The repair is local: it looks for runs of characters that, mapped back to
//! bytes through one of those encodings, form valid multi-byte UTF-8, and
//! replaces a run only when what it decodes to is plausible text (see
//! [`Plausibility`]). Correct text is never touched: a Portuguese `Ã`, a math
//! `√`, a Danish `Ø`, curly quotes and dashes don't form such runs, and the
//! rare pairs that do (French `«é` in Mac Roman, German `ß“` in Windows-1252)
//! decode to characters no real text of ours would use, so they are left alone.

use std::sync::OnceLock;

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};
use serde::Serialize;

/// The encoding a run of mojibake was mis-decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MojibakeEncoding {
    #[serde(rename = "windows-1252")]
    Windows1252,
    #[serde(rename = "iso-8859-1")]
    Latin1,
    #[serde(rename = "macintosh")]
    MacRoman,
}

impl MojibakeEncoding {
    pub fn label(self) -> &'static str {
        match self {
            MojibakeEncoding::Windows1252 => "windows-1252",
            MojibakeEncoding::Latin1 => "iso-8859-1",
            MojibakeEncoding::MacRoman => "macintosh",
        }
    }
}

/// One repaired run. `start..end` are byte offsets into the text given to
/// [`repair`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    pub start: usize,
    pub end: usize,
    pub before: String,
    pub after: String,
    pub encoding: MojibakeEncoding,
    /// 1 for UTF-8 read once in the wrong encoding, 2 when that result was
    /// encoded as UTF-8 and mis-read again.
    pub layers: u8,
}

/// Text with its mojibake repaired, and what was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    pub text: String,
    pub repairs: Vec<Repair>,
}

/// How deep a double mis-decoding we undo.
const MAX_LAYERS: u8 = 2;

/// Repairs mojibake in `text`; returns it unchanged (and no repairs) when
/// there is none.
pub fn repair(text: &str) -> Repaired {
    repair_layer(text, 1)
}

fn repair_layer(text: &str, layer: u8) -> Repaired {
    if text.is_ascii() {
        return Repaired {
            text: text.to_owned(),
            repairs: Vec::new(),
        };
    }
    let tables = tables();
    let mut out = String::with_capacity(text.len());
    let mut repairs = Vec::new();
    let mut copied_to = 0;
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        if bytes[pos] < 0x80 {
            pos += 1;
            continue;
        }
        let found = tables.iter().find_map(|table| {
            let run = table.candidate_run(text, pos)?;
            accept(run.decoded, layer).map(|(after, layers)| (table, run.end, after, layers))
        });
        let Some((table, run_end, after, layers)) = found else {
            pos += utf8_len(bytes[pos]);
            continue;
        };
        out.push_str(&text[copied_to..pos]);
        out.push_str(&after);
        repairs.push(Repair {
            start: pos,
            end: run_end,
            before: text[pos..run_end].to_owned(),
            after,
            encoding: table.label_for(&text[pos..run_end]),
            layers,
        });
        copied_to = run_end;
        pos = run_end;
    }
    out.push_str(&text[copied_to..]);
    Repaired { text: out, repairs }
}

/// Decides whether a decoded run is the real text: plausible as it is, or
/// plausible once a second layer of mojibake inside it is undone too (the
/// first layer of a double mis-decoding can hold C1 controls, which only
/// make sense as bytes of the second). Returns the text and the layers.
fn accept(decoded: String, layer: u8) -> Option<(String, u8)> {
    let inner = (layer < MAX_LAYERS).then(|| repair_layer(&decoded, layer + 1));
    match inner {
        Some(inner) if !inner.repairs.is_empty() && plausible(&inner.text) => {
            let deeper = inner.repairs.iter().map(|r| r.layers).max().unwrap_or(0);
            Some((inner.text, 1 + deeper))
        }
        _ => plausible(&decoded).then_some((decoded, 1)),
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
}

impl Table {
    fn build(kind: TableKind, encoding: &'static Encoding) -> Table {
        let mut latin = [0u8; 256];
        let mut others = Vec::new();
        for byte in 0x80u8..=0xFF {
            let single = [byte];
            let (decoded, _) = encoding.decode_without_bom_handling(&single);
            let Some(c) = decoded.chars().next() else {
                continue;
            };
            if c == '\u{FFFD}' {
                continue;
            }
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

    /// The longest run of UTF-8 sequences (in this encoding's disguise)
    /// starting at byte `start`, decoded.
    fn candidate_run(&self, text: &str, start: usize) -> Option<Run> {
        let mut chars = text[start..].char_indices().peekable();
        let mut bytes: Vec<u8> = Vec::new();
        let mut end = start;
        'sequences: while let Some(&(_, lead)) = chars.peek() {
            let Some(lead_byte) = self.byte(lead) else {
                break;
            };
            let needed = match lead_byte {
                0xC2..=0xDF => 1,
                0xE0..=0xEF => 2,
                0xF0..=0xF4 => 3,
                _ => break,
            };
            let mut sequence = [lead_byte, 0, 0, 0];
            let mut lookahead = chars.clone();
            lookahead.next();
            for slot in sequence.iter_mut().skip(1).take(needed) {
                match lookahead.next().and_then(|(_, c)| self.byte(c)) {
                    Some(b @ 0x80..=0xBF) => *slot = b,
                    _ => break 'sequences,
                }
            }
            if std::str::from_utf8(&sequence[..=needed]).is_err() {
                break;
            }
            bytes.extend_from_slice(&sequence[..=needed]);
            chars = lookahead;
            end = match chars.peek() {
                Some(&(next, _)) => start + next,
                None => text.len(),
            };
        }
        if bytes.is_empty() {
            return None;
        }
        let decoded = String::from_utf8(bytes).ok()?;
        Some(Run { end, decoded })
    }

    fn label_for(&self, before: &str) -> MojibakeEncoding {
        match self.kind {
            TableKind::MacRoman => MojibakeEncoding::MacRoman,
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

fn tables() -> &'static [Table; 2] {
    static TABLES: OnceLock<[Table; 2]> = OnceLock::new();
    TABLES.get_or_init(|| {
        [
            Table::build(TableKind::SloppyWindows1252, WINDOWS_1252),
            Table::build(TableKind::MacRoman, MACINTOSH),
        ]
    })
}

/// How believable a decoded character is as the real text behind mojibake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plausibility {
    /// Accented Latin letters, typographic punctuation, symbols, emoji, CJK.
    Likely,
    /// Letters that a few correct characters can also spell by chance
    /// (Greek, Cyrillic, Hebrew, Arabic from two; CJK, Hangul, Indic from
    /// three): believed only as a word, two or more letters long.
    InAWord,
    Unlikely,
}

fn plausibility(c: char) -> Plausibility {
    use Plausibility::*;
    match c as u32 {
        0x00A0..=0x017F => Likely,
        0x0192 | 0x0218..=0x021B => Likely,
        0x0370..=0x0373 | 0x0376..=0x03FF => InAWord,
        0x0400..=0x0482 | 0x048A..=0x04FF => InAWord,
        0x05D0..=0x05EA => InAWord,
        0x0620..=0x064A | 0x0660..=0x06FF => InAWord,
        // Three-byte sequences led by `â` (E2) decode to punctuation and
        // symbols; `á»` and the like to Vietnamese letters. A pair of
        // punctuation marks after any other accented letter (`café…”`)
        // decodes to one CJK, Hangul or Indic character by chance, so
        // those scripts are believed only as words.
        0x1E00..=0x1EFF => Likely,
        0x2000..=0x206F | 0x20A0..=0x20CF | 0x2100..=0x218F => Likely,
        0x2190..=0x23FF | 0x2460..=0x27BF | 0x2900..=0x2BFF => Likely,
        0xFB00..=0xFB06 | 0xFFFD => Likely,
        0x0900..=0x0DFF | 0x0E00..=0x0E7F => InAWord,
        0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7AF => InAWord,
        0xFE30..=0xFE4F | 0xFF00..=0xFFEF => InAWord,
        0x1F000..=0x1FAFF => Likely,
        0x20000..=0x2FFFF => InAWord,
        _ => Unlikely,
    }
}

fn plausible(decoded: &str) -> bool {
    let mut count = 0;
    let mut needs_a_word = false;
    for c in decoded.chars() {
        count += 1;
        match plausibility(c) {
            Plausibility::Likely => {}
            Plausibility::InAWord => needs_a_word = true,
            Plausibility::Unlikely => return false,
        }
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

    #[test]
    fn two_layers_deep() {
        let once = garble("She said “no” — naïve.", WINDOWS_1252);
        let twice = garble(&once, WINDOWS_1252);
        let fixed = repair(&twice);
        assert_eq!(fixed.text, "She said “no” — naïve.");
        assert!(fixed.repairs.iter().all(|r| r.layers == 2));
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
            "José…” and café—” and “Zoë…”",
        ] {
            let fixed = repair(text);
            assert_eq!(fixed.text, text);
            assert!(fixed.repairs.is_empty(), "{text}: {:?}", fixed.repairs);
        }
    }
}
