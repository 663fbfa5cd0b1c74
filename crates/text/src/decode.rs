//! Bytes to text: byte-order marks, UTF-8, UTF-16 and a Windows-1252 fallback.
//!
//! Windows-1252 is the fallback because every byte has a meaning in it, so no
//! input is lost; if the bytes were really UTF-8 with a few broken sequences,
//! the valid sequences come out as mojibake, which [`crate::repair`] then fixes.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use serde::{Deserialize, Serialize};

/// The encodings we recognise in input bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl SourceEncoding {
    pub fn label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Windows1252 => "windows-1252",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            SourceEncoding::Utf8 => UTF_8,
            SourceEncoding::Utf16Le => UTF_16LE,
            SourceEncoding::Utf16Be => UTF_16BE,
            SourceEncoding::Windows1252 => WINDOWS_1252,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "this looks like a binary file, not text ({reason}); \
         save the story as plain text, HTML or EPUB and try again"
    )]
    Binary { reason: String },
}

/// Text decoded from bytes, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
    pub had_bom: bool,
}

/// How many bytes from the start are inspected for the binary check and the
/// BOM-less UTF-16 guess: enough to be representative, cheap on large files.
const SNIFF_LEN: usize = 64 * 1024;

/// Decodes any bytes; refuses only input that is evidently not text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let source = if encoding == UTF_8 {
            SourceEncoding::Utf8
        } else if encoding == UTF_16LE {
            SourceEncoding::Utf16Le
        } else {
            SourceEncoding::Utf16Be
        };
        let text = decode_without_bom(&bytes[bom_len..], source);
        check_not_binary(&text)?;
        return Ok(Decoded {
            text,
            encoding: source,
            had_bom: true,
        });
    }

    if let Some(source) = guess_bomless_utf16(bytes) {
        let text = decode_without_bom(bytes, source);
        check_not_binary(&text)?;
        return Ok(Decoded {
            text,
            encoding: source,
            had_bom: false,
        });
    }

    let sniff = &bytes[..bytes.len().min(SNIFF_LEN)];
    if sniff.contains(&0) {
        return Err(DecodeError::Binary {
            reason: "it contains NUL bytes".into(),
        });
    }

    let (text, source) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), SourceEncoding::Utf8),
        Err(_) => (
            decode_without_bom(bytes, SourceEncoding::Windows1252),
            SourceEncoding::Windows1252,
        ),
    };
    check_not_binary(&text)?;
    Ok(Decoded {
        text,
        encoding: source,
        had_bom: false,
    })
}

fn decode_without_bom(bytes: &[u8], source: SourceEncoding) -> String {
    let (text, _had_errors) = source.encoding().decode_without_bom_handling(bytes);
    text.into_owned()
}

/// UTF-16 without a BOM shows up as ASCII with every other byte zero.
fn guess_bomless_utf16(bytes: &[u8]) -> Option<SourceEncoding> {
    let sniff = &bytes[..bytes.len().min(SNIFF_LEN) & !1];
    if sniff.len() < 4 {
        return None;
    }
    let pairs = sniff.len() / 2;
    let zeros_even = sniff.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = sniff.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    // ASCII-heavy UTF-16 has zeros in nearly every high byte and almost none in the low ones.
    if zeros_odd * 10 >= pairs * 7 && zeros_even * 20 <= pairs {
        Some(SourceEncoding::Utf16Le)
    } else if zeros_even * 10 >= pairs * 7 && zeros_odd * 20 <= pairs {
        Some(SourceEncoding::Utf16Be)
    } else {
        None
    }
}

/// Refuses text that decoded but is mostly control characters (images,
/// archives, executables read as text).
fn check_not_binary(text: &str) -> Result<(), DecodeError> {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(SNIFF_LEN) {
        total += 1;
        if c == '\0' {
            return Err(DecodeError::Binary {
                reason: "it contains NUL characters".into(),
            });
        }
        if is_binary_control(c) {
            controls += 1;
        }
    }
    // A few stray control characters happen in real text (a form feed, an
    // escape pasted from a terminal); binary data has them everywhere.
    if total >= 16 && controls * 10 > total {
        return Err(DecodeError::Binary {
            reason: format!("{controls} of its first {total} characters are control characters"),
        });
    }
    Ok(())
}

fn is_binary_control(c: char) -> bool {
    matches!(c, '\u{1}'..='\u{8}' | '\u{e}'..='\u{1f}' | '\u{7f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("naïve".as_bytes()).unwrap();
        assert_eq!(plain.text, "naïve");
        assert_eq!(plain.encoding, SourceEncoding::Utf8);
        assert!(!plain.had_bom);

        let bom = decode(b"\xEF\xBB\xBFna\xC3\xAFve").unwrap();
        assert_eq!(bom.text, "naïve");
        assert!(bom.had_bom);
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Hé “x”".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le).unwrap().text, "Hé “x”");
        assert_eq!(decode(&le).unwrap().encoding, SourceEncoding::Utf16Le);

        let mut be = vec![0xFE, 0xFF];
        be.extend("Hé “x”".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be).unwrap().text, "Hé “x”");
        assert_eq!(decode(&be).unwrap().encoding, SourceEncoding::Utf16Be);
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let text = "She said, \"hello\" and left.";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&le).unwrap().text, text);
        assert_eq!(decode(&be).unwrap().encoding, SourceEncoding::Utf16Be);
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let decoded = decode(b"caf\xE9 \x93quoted\x94").unwrap();
        assert_eq!(decoded.text, "café “quoted”");
        assert_eq!(decoded.encoding, SourceEncoding::Windows1252);
    }

    #[test]
    fn binary_is_refused_with_a_way_out() {
        let err = decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("NUL"), "{message}");
        assert!(message.contains("plain text"), "{message}");

        let controls: Vec<u8> = (0..200u8).map(|i| (i % 8) + 1).collect();
        assert!(matches!(decode(&controls), Err(DecodeError::Binary { .. })));
    }

    #[test]
    fn a_stray_control_character_is_tolerated() {
        assert!(decode(b"Chapter one\x0c\nIt was a dark and stormy night.").is_ok());
    }

    #[test]
    fn empty_input_is_empty_text() {
        assert_eq!(decode(b"").unwrap().text, "");
    }
}
