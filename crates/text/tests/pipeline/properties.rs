//! Properties of the pipeline over generated input: nothing panics, clean
//! text survives repair untouched, garbled text is repaired back to the
//! original, no word is lost, and re-paragraphing never splits a quotation.

use encoding_rs::{Encoding, MACINTOSH, WINDOWS_1252};
use proptest::prelude::*;
use proptest::test_runner::Config;
use quire_text::{analyze, analyze_str, lossless, repair::repair, repair_bytes, FillProfile};

/// `cases` unless `PROPTEST_CASES` asks for more (a longer hunt), and no
/// regression files written beside the sources: a failure is reported with
/// its shrunk input and kept as a plain test at the end of this file.
fn config(cases: u32) -> Config {
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    Config {
        cases: from_env.unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

fn profile() -> FillProfile {
    let mut profile = FillProfile::new();
    for pair in ["Y/N=Alex", "E/C=green", "H/C=auburn", "L/N=Quinn"] {
        profile.set_pair(pair).expect("valid pair");
    }
    profile
}

// ---------------------------------------------------------------------------
// Vocabulary. Every entry is correct text as a person would type it.

const ASCII_WORDS: &[&str] = &[
    "the",
    "a",
    "door",
    "light",
    "dark",
    "and",
    "but",
    "was",
    "were",
    "to",
    "of",
    "in",
    "her",
    "his",
    "your",
    "eyes",
    "hand",
    "ship",
    "night",
    "never",
    "always",
    "again",
    "don't",
    "couldn't",
    "well-known",
    "Y/N",
    "E/C",
    "(Y/N)",
    "[L/N]",
    "3",
    "1999",
    "12:30",
    "OK",
    "Kylo",
    "Rey",
    "Ben",
    "Hux",
    "Snoke",
    "you",
    "it",
    "felt",
    "turned",
    "smiled",
    "left",
];

const ACCENTED_WORDS: &[&str] = &[
    "naïve",
    "café",
    "São",
    "NÃO",
    "Ørsted",
    "Gruß",
    "déjà",
    "vu",
    "Ñandú",
    "façade",
    "Zoë",
    "résumé",
    "smörgåsbord",
    "Þór",
    "œuvre",
    "coöperate",
    "Ångström",
    "piñata",
    "Dvořák",
    "Łódź",
    "İstanbul",
    "crème",
    "brûlée",
    "señor",
    "Straße",
    "ÉCOLE",
    "CAFÉ",
    "über",
    "garçon",
    "fiancée",
    "José",
    "à",
    "voilà",
    "Mañana",
    "São Paulo",
    "Ærø",
];

const SYMBOLS: &[&str] = &[
    "—",
    "–",
    "…",
    "√2",
    "≈",
    "½",
    "©",
    "™",
    "•",
    "€5",
    "£3",
    "°C",
    "±",
    "×",
    "÷",
    "∞",
    "→",
    "♥",
    "★",
    "§",
    "¶",
    "µ",
    "²",
    "¿Qué?",
    "¡Sí!",
    "«Ça",
    "va»",
    "„Ja“",
    "‹oui›",
];

const SCRIPTS: &[&str] = &[
    "日本語",
    "テキスト",
    "中文",
    "愛",
    "네",
    "❤️",
    "☺️",
    "✨",
    "👩‍❤️‍👨",
    "Việt",
    "cafe\u{301}",
    "Zoe\u{308}",
    "한국어",
    "привет",
    "мир",
    "Ёлка",
    "αβγ",
    "δέλτα",
    "Ωμέγα",
    "שלום",
    "مرحبا",
    "नमस्ते",
    "ไทย",
    "😀",
    "🙂",
    "💜",
    "👍🏽",
    "🎉",
];

/// Punctuation glued to the start or end of a word, as people write it.
const OPENERS: &[&str] = &["", "", "", "", "“", "‘", "\"", "'", "(", "«", "*", "¿"];
const CLOSERS: &[&str] = &[
    "", "", "", "", "", ",", ".", "!", "?", ";", ":", "”", "’", "…", "—", ".”", ",”", "?”", "…”",
    "’s", ")", "»", "*", "\"", "'", "!!", "?!",
];

/// What stands between two tokens.
const SEPARATORS: &[&str] = &[
    " ", " ", " ", " ", " ", " ", "  ", "\n", "\n\n", " — ", " – ", "—", ", ", ". ", "\t",
    "\u{a0}", "\u{3000}", "\u{2003}",
];

/// Spaces other than U+0020 that people's editors leave in text.
const WIDE_SPACES: &[&str] = &[
    "\u{a0}", "\u{3000}", "\u{2003}", "\u{202f}", "\u{2009}", "\t",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(list)
}

fn clean_word() -> impl Strategy<Value = String> {
    let bare = prop_oneof![
        3 => pick(ASCII_WORDS),
        3 => pick(ACCENTED_WORDS),
        1 => pick(SYMBOLS),
        1 => pick(SCRIPTS),
    ];
    (pick(OPENERS), bare, pick(CLOSERS)).prop_map(|(o, w, c)| format!("{o}{w}{c}"))
}

/// Correct text with realistic non-ASCII: words from the vocabulary with
/// punctuation glued on as people write, joined by spaces, punctuation and
/// line breaks.
fn clean_text() -> impl Strategy<Value = String> {
    prop::collection::vec((clean_word(), pick(SEPARATORS)), 1..40).prop_map(|parts| {
        let mut text = String::new();
        for (word, sep) in parts {
            text.push_str(&word);
            text.push_str(sep);
        }
        text
    })
}

// ---------------------------------------------------------------------------
// Garbling: how mojibake is made.

fn garble(text: &str, encoding: &'static Encoding) -> String {
    encoding
        .decode_without_bom_handling(text.as_bytes())
        .0
        .into_owned()
}

fn garble_latin1(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

// ---------------------------------------------------------------------------
// Story-like text.

const NAMES: &[&str] = &["Kylo", "Rey", "Ben", "Hux", "Poe", "Y/N", "(Y/N)", "Finn"];
const PRONOUNS: &[&str] = &["He", "She", "They", "You", "I", "We"];
const VERBS: &[&str] = &[
    "walked in",
    "turned away",
    "smiled",
    "looked at the door",
    "waited",
    "left the room",
    "felt the cold",
    "straightened",
    "laughed softly",
    "stared at the stars",
    "sighed",
    "closed E/C eyes",
    "ran",
    "did not answer",
];
const TAGS: &[&str] = &[
    "said",
    "asked",
    "whispered",
    "snapped",
    "replied",
    "sobbed",
    "muttered",
    "shouted",
];
const SPEECH: &[&str] = &[
    "Hey",
    "What's wrong",
    "You are what's wrong",
    "I love you, Y/N",
    "Go",
    "No",
    "Wait",
    "We were friends, Ben",
    "Don't",
    "I can't do this",
    "Stay with me",
    "It's over",
    "Why",
    "Not again",
    "Mr. Solo will see you now",
    "It's 3 a.m. already",
    "Come here. Now",
    "You... you came back",
    "Stop — please",
    "Wait -- no. Not you",
    "I waited. *** Nothing",
    "Notes: none. Go",
    "See you (6 months later), then",
    "He said 'never' to me",
    "A/N? What's that. Ask Hux",
    "Two weeks later. He came back",
    "o0o. Whatever that means",
    "Kylo. Kylo Ren. Ben",
    "Y/N. Y/N, look at me",
];
const ENDS: &[&str] = &[".", "!", "?", "…", "...", "?!"];
const LONE_BREAKS: &[&str] = &[
    "***",
    "--",
    "* * *",
    "~~~",
    "o0o",
    "xXx",
    "-o0o-",
    "(6 months later)",
    "(Later that night)",
    "[Flashback]",
    "Time skip",
    "Two weeks later.",
    "———",
    "• • •",
    "==",
];
const INLINE_BREAKS: &[&str] = &[
    "--",
    "***",
    "* * *",
    "~~~",
    "o0o",
    "xXx",
    "(6 months later)",
    "(The next morning)",
    "[a few days later]",
    "===",
];
const START_NOTES: &[&str] = &[
    "Title: Ashes of the Empire",
    "Summary: Kylo makes a choice he cannot take back.",
    "Summary:",
    "Notes: This is my first fic, be nice!",
    "A/N I hope you like it",
    "A/N: requested by an anon",
    "Author's Note: cross-posted from my-blog.tumblr.com",
    "Pairing: Kylo Ren/Y/N",
    "Rating: M",
    "Warnings: angst, violence",
    "Word count: 2,345",
    "Disclaimer: I own nothing.",
    "imagines-awaken.tumblr.com",
];
const END_NOTES: &[&str] = &[
    "A/N thanks for reading!",
    "Notes: the-imagines-awaken.tumblr.com theaidenellis.tumblr.com",
    "Notes: Let me know what you think ❤",
    "Author's notes: part 2 coming soon",
    "my-blog.tumblr.com",
    "https://example.org/me @handle",
    "Credits: gif by @someone",
    "Taglist: @a-blog @another_one",
    "@someone\u{a0}https://example.org",
];

/// A sentence of a story. The words of a mixed sentence may carry stray
/// straight quotes; without `straight_quotes_in_words` those become stray
/// curly ones, so a text's straight quotes stay balanced.
fn sentence_with(straight_quotes_in_words: bool) -> impl Strategy<Value = String> {
    let subject = prop_oneof![pick(NAMES), pick(PRONOUNS)];
    let narration =
        (subject.clone(), pick(VERBS), pick(ENDS)).prop_map(|(s, v, e)| format!("{s} {v}{e}"));
    let quote = (pick(SPEECH), pick(ENDS)).prop_map(|(s, e)| format!("\"{s}{e}\""));
    let tagged = (pick(SPEECH), subject.clone(), pick(TAGS))
        .prop_map(|(s, who, tag)| format!("\"{s},\" {} {tag}.", who.to_lowercase()));
    let tag_first = (subject.clone(), pick(TAGS), pick(SPEECH), pick(ENDS))
        .prop_map(|(who, tag, s, e)| format!("{who} {tag}, \"{s}{e}\""));
    let curly = (pick(SPEECH), pick(ENDS), pick(TAGS))
        .prop_map(|(s, e, tag)| format!("“{s}{e}” {tag} Rey."));
    // Quotation marks glued to what stands before and after them.
    let glued =
        (subject.clone(), pick(SPEECH), pick(ENDS), 0..5u8).prop_map(
            |(who, s, e, how)| match how {
                0 => format!("{who} said,\"{s}{e}\""),
                1 => format!("{who} ran—\"{s}{e}\""),
                2 => format!("(\"{s}{e}\")"),
                3 => format!("*\"{s}{e}\"*"),
                _ => format!("\"{s}{e}\"{} said.", who.to_lowercase()),
            },
        );
    let mixed = (clean_text(), pick(ENDS)).prop_map(move |(t, e)| {
        let mut t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !straight_quotes_in_words {
            t = t.replace('"', "”");
        }
        format!("{t}{e}")
    });
    prop_oneof![
        4 => narration,
        3 => quote,
        3 => tagged,
        2 => tag_first,
        1 => curly,
        1 => glued,
        1 => mixed,
    ]
}

fn sentence() -> impl Strategy<Value = String> {
    sentence_with(true)
}

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence(), 1..6).prop_map(|s| s.join(" "))
}

/// A single line over 1,500 bytes: a story pasted without paragraphs,
/// sometimes with inline scene breaks and notes.
fn run_on_line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => sentence(),
        1 => pick(INLINE_BREAKS).prop_map(str::to_string),
    ];
    (
        prop::collection::vec(piece, 30..70),
        prop::option::of(pick(END_NOTES)),
    )
        .prop_map(|(pieces, note)| {
            let mut line = pieces.join(" ");
            while line.len() <= 1500 {
                line.push_str(" He waited. She did not come.");
            }
            if let Some(note) = note {
                line.push(' ');
                line.push_str(note);
            }
            line
        })
}

#[derive(Debug, Clone)]
enum Part {
    Paragraph(String),
    RunOn(String),
    Break(&'static str),
}

/// Story-like text: notes and labels, paragraphs separated by blank lines,
/// single newlines or nothing at all, scene-break lines, run-on lines; or a
/// whole story pasted as one run-on line between its notes.
fn story() -> impl Strategy<Value = String> {
    let story = prop_oneof![
        3 => paragraphed_story(),
        1 => run_on_story(),
    ];
    (story, 0..4u8, pick(WIDE_SPACES), any::<u64>())
        .prop_map(|(story, how, space, seed)| with_wide_spaces(&story, how, space, seed))
}

/// `text` with its ASCII spaces left alone (`how` 0 or 1), one in eight
/// swapped for other spaces (2), or every one swapped for `space` (3), as
/// some editors and sites leave text.
fn with_wide_spaces(text: &str, how: u8, space: &str, seed: u64) -> String {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64: a fixed sequence per seed, so shrinking is stable.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    text.chars()
        .map(|c| match (c, how) {
            (' ', 2) => {
                let roll = next();
                if roll % 8 == 0 {
                    WIDE_SPACES[(roll / 8) as usize % WIDE_SPACES.len()].to_string()
                } else {
                    " ".to_string()
                }
            }
            (' ', 3) => space.to_string(),
            _ => c.to_string(),
        })
        .collect()
}

/// Notes on lines of their own (or not), then one run-on line carrying the
/// story, its inline scene breaks and sometimes its end notes.
fn run_on_story() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(pick(START_NOTES), 0..3),
        run_on_line(),
        prop::collection::vec(pick(END_NOTES), 0..2),
        pick(&["\n\n", "\n", " "]),
    )
        .prop_map(|(start, line, end, separator)| {
            let mut pieces: Vec<String> = start.iter().map(|s| s.to_string()).collect();
            pieces.push(line);
            pieces.extend(end.iter().map(|s| s.to_string()));
            pieces.join(separator)
        })
}

fn paragraphed_story() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        8 => paragraph().prop_map(Part::Paragraph),
        1 => run_on_line().prop_map(Part::RunOn),
        2 => pick(LONE_BREAKS).prop_map(Part::Break),
    ];
    let separator = pick(&["\n\n", "\n", " ", "\r\n\r\n", "\n\n\n", "\n \n"]);
    (
        prop::collection::vec(pick(START_NOTES), 0..4),
        prop::collection::vec(part, 1..12),
        prop::collection::vec(pick(END_NOTES), 0..3),
        separator,
        any::<bool>(),
    )
        .prop_map(|(start, body, end, separator, trailing_newline)| {
            let mut pieces: Vec<String> = start.iter().map(|s| s.to_string()).collect();
            for part in body {
                pieces.push(match part {
                    Part::Paragraph(p) | Part::RunOn(p) => p,
                    // A scene-break mark stands on its own line.
                    Part::Break(b) if separator == " " => format!("\n{b}\n"),
                    Part::Break(b) => b.to_string(),
                });
            }
            pieces.extend(end.iter().map(|s| s.to_string()));
            let mut text = pieces.join(separator);
            if trailing_newline {
                text.push('\n');
            }
            text
        })
}

/// One line over 1,200 bytes whose straight double quotes are balanced.
fn run_on_with_quotes() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence_with(false), 20..60).prop_map(|sentences| {
        let mut line = sentences.join(" ");
        while line.len() <= 1500 {
            line.push_str(" \"Again.\" He waited.");
        }
        line
    })
}

/// Arbitrary text biased towards what the pipeline looks at: line breaks,
/// quotes, break marks, labels, links, placeholders, HTML tags, mojibake.
fn token_soup() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        " ",
        " ",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u{a0}",
        "\"",
        "“",
        "”",
        "‘",
        "’",
        "'",
        "(",
        ")",
        "[",
        "]",
        "*",
        "***",
        "* * *",
        "--",
        "—",
        "~~~",
        "o0o",
        "xXx",
        "(6 months later)",
        "(Later that night)",
        "Notes:",
        "Notes",
        "A/N",
        "Summary:",
        "Title:",
        "Pairing:",
        "Author's note:",
        "End notes:",
        "Credits:",
        "x.tumblr.com",
        "https://a.org/b",
        "@handle",
        "www.x.com",
        "Y/N",
        "(Y/N)",
        "E/C",
        "y/n",
        ".",
        "!",
        "?",
        "…",
        ",",
        ":",
        "Kylo",
        "said",
        "you",
        "You",
        "He",
        "she",
        "the",
        "Mr.",
        "J.",
        "3",
        "café",
        "日本",
        "😀",
        "<p>",
        "</p>",
        "<br>",
        "<hr>",
        "<em>",
        "</em>",
        "&nbsp;",
        "&amp;",
        "<script>",
        "Ã©",
        "â€œ",
        "â€",
        "√Ø",
        "Ã",
        "\u{feff}",
        "\u{200b}",
        "\u{85}",
        "\u{2028}",
        "\u{1}",
    ];
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => "\\PC{1,3}",
        ],
        0..120,
    )
    .prop_map(|pieces| pieces.concat())
}

// ---------------------------------------------------------------------------
// Checks.

/// The input as `analyze` reads it: control characters are not text (the
/// archive's one rule, pinned by its own unit test), then repaired.
fn repaired_input(text: &str) -> quire_text::Repaired {
    repair(&quire_text::without_controls(text))
}

fn check_lossless(text: &str) -> Result<(), TestCaseError> {
    let repaired = repaired_input(text);
    let manuscript = analyze_str(text);
    if let Err(lost) = lossless::check(&manuscript, &repaired.text) {
        return Err(TestCaseError::fail(format!("{lost}; input {text:?}")));
    }
    Ok(())
}

fn quote_count(text: &str) -> usize {
    text.matches('"').count()
}

/// A story as HTML: one `<p>` per paragraph, `<br>` for line breaks,
/// sometimes a whole document with a title and a closing rule.
/// A story as HTML, and the story as written: the words a reader must
/// find are the generator's own, not what any part of quire reads back
/// from the HTML (an oracle that used quire's HTML layout could not see it
/// drop text).
fn html_story() -> impl Strategy<Value = (String, String)> {
    (story(), any::<bool>()).prop_map(|(s, wrap)| {
        let escaped = s
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let body: String = escaped
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
            .collect();
        let html = if wrap {
            format!("<html><head><title>T</title></head><body>{body}<hr></body></html>")
        } else {
            body
        };
        (html, s)
    })
}

fn arbitrary_bytes() -> impl Strategy<Value = Vec<u8>> {
    let utf16 = (".{0,200}", any::<bool>(), any::<bool>()).prop_map(|(s, le, bom)| {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for unit in s.encode_utf16() {
            out.extend_from_slice(&if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    });
    let utf16_ascii = ("[ -~\n]{2,200}", any::<bool>()).prop_map(|(s, le)| {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect::<Vec<u8>>()
    });
    // Valid UTF-8 with bytes spliced in: broken sequences, NULs, BOMs.
    let spliced = (
        clean_text(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    )
        .prop_map(|(text, edits)| {
            let mut bytes = text.into_bytes();
            for (at, byte) in edits {
                let i = at.index(bytes.len() + 1);
                bytes.insert(i, byte);
            }
            bytes
        });
    let html = html_story().prop_map(|(html, _)| html.into_bytes());
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..512),
        2 => prop::collection::vec(prop::sample::select(b"\0\x01\xEF\xBB\xBF\xFE\xFF\xC3\xA9\x80\x93\x94<p>\"\n ".to_vec()), 0..256),
        2 => utf16,
        1 => utf16_ascii,
        3 => spliced,
        1 => html,
        2 => "\\PC{0,300}".prop_map(String::into_bytes),
    ]
}

// ---------------------------------------------------------------------------
// The properties.

/// Sanitizer-shaped HTML: tags whose attributes may hold codes, and text
/// that holds them; returns the markup and its tags in order.
fn html_with_codes() -> impl Strategy<Value = (String, Vec<String>)> {
    let piece = prop_oneof![
        pick(&[
            "Y/N",
            "(Y/N)",
            "E/C",
            "h/c",
            "L/N",
            "word",
            "Kylo Ren/Y/N",
            ".",
            "&amp;",
            " "
        ])
        .prop_map(|t| (t.to_string(), false)),
        (
            pick(&["p", "em", "a", "span"]),
            pick(&["Y/N", "x > Y/N", "E/C", "", "&quot;Y/N"])
        )
            .prop_map(|(name, value)| (format!("<{name} title=\"{value}\">"), true)),
        pick(&["</p>", "</em>", "<br>", "<hr>"]).prop_map(|t| (t.to_string(), true)),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| {
        let html = pieces.iter().map(|(p, _)| p.as_str()).collect::<String>();
        let tags = pieces
            .into_iter()
            .filter(|(_, tag)| *tag)
            .map(|(p, _)| p)
            .collect();
        (html, tags)
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// Filling HTML changes its text only: every tag stays as it was, in
    /// order, and no known code is left in the text.
    #[test]
    fn filling_html_leaves_its_markup_alone((html, tags) in html_with_codes(), marked in any::<bool>()) {
        use quire_text::insert::{fill_html, find, HtmlFill};
        let how = if marked { HtmlFill::Marked } else { HtmlFill::Plain };
        let filled = fill_html(&html, &profile(), how);
        let mut rest = filled.as_str();
        for tag in &tags {
            let at = rest.find(tag.as_str());
            prop_assert!(at.is_some(), "{} lost from {}", tag, filled);
            rest = &rest[at.unwrap_or(0) + tag.len()..];
        }
        // The text: the output without the generated tags and the marks.
        let mut text = filled.clone();
        for tag in &tags {
            text = text.replacen(tag.as_str(), " ", 1);
        }
        let marks = regex::Regex::new(r#"<span class="reader-insert" data-code="[^"]+"( data-capital="")?>|</span>"#)
            .expect("a valid pattern");
        let text = marks.replace_all(&text, " ");
        let left = find(&text);
        prop_assert!(left.is_empty(), "{:?} left in {}", left, filled);
    }

    /// (a) Any bytes: analyze, repair_bytes and render never panic.
    #[test]
    fn any_bytes_never_panic(bytes in arbitrary_bytes()) {
        let _ = repair_bytes(&bytes);
        if let Ok(manuscript) = analyze(&bytes) {
            let _ = manuscript.render(&profile());
            let _ = manuscript.render(&FillProfile::new());
        }
    }

    /// (b) Clean text comes out of repair unchanged, with no repairs.
    #[test]
    fn clean_text_is_left_alone(text in clean_text()) {
        let repaired = repair(&text);
        prop_assert_eq!(&repaired.text, &text);
        prop_assert!(repaired.repairs.is_empty(), "{:?}", repaired.repairs);
    }

    /// (c) One layer of Windows-1252, Mac Roman or Latin-1 mojibake, or
    /// two of Windows-1252, is repaired back to the original exactly.
    /// Each text holds one word whose mojibake nothing correct could spell,
    /// as every real chapter does: a text whose only mojibake correct text
    /// could also spell (`Ã— ` alone, which may be `Ã` and a dash) is left
    /// as written by design (`what_correct_text_could_spell_is_repaired_given_evidence`).
    #[test]
    fn garbled_text_is_repaired(words in clean_text(), how in 0..4u8) {
        let text = format!("{words}naïve.");
        let garbled = match how {
            0 => garble(&text, WINDOWS_1252),
            1 => garble(&text, MACINTOSH),
            2 => garble_latin1(&text),
            _ => garble(&garble(&text, WINDOWS_1252), WINDOWS_1252),
        };
        let repaired = repair(&garbled);
        prop_assert_eq!(&repaired.text, &text, "garbled ({}) {:?}", how, garbled);
    }

    /// (d) No word is lost from story-like text.
    #[test]
    fn stories_are_lossless(text in story()) {
        check_lossless(&text)?;
    }

    /// (d) No word is lost from a story sent as HTML.
    #[test]
    fn html_stories_are_lossless((html, story) in html_story()) {
        // The vocabulary can spell real mojibake (`×—×”` is Hebrew `חה`
        // read as Windows-1252), which is repaired in HTML as in text.
        let repaired = quire_text::repair::repair(&story).text;
        let expected: Vec<&str> = quire_text::count::word_tokens(&repaired).collect();
        let manuscript = analyze_str(&html);
        prop_assert_eq!(manuscript.words(), expected, "html {:?}", html);
    }

    /// (d) No word is lost from any bytes that decode, as `analyze` reads
    /// them: what the fuzz target checks, here on structured bytes.
    #[test]
    fn any_bytes_are_lossless(bytes in arbitrary_bytes()) {
        if let (Ok(manuscript), Ok(decoded)) = (analyze(&bytes), quire_text::decode::decode(&bytes)) {
            if let Err(lost) = lossless::check(&manuscript, &repaired_input(&decoded.text).text) {
                return Err(TestCaseError::fail(format!("{lost}; input {:?}", String::from_utf8_lossy(&bytes))));
            }
        }
    }

    /// (d) No word is lost from any string at all.
    #[test]
    fn any_string_is_lossless(text in "\\PC{0,400}|(?s).{0,400}") {
        check_lossless(&text)?;
    }

    /// (d) No word is lost from text made of the pieces the pipeline reads.
    #[test]
    fn token_soup_is_lossless(text in token_soup()) {
        check_lossless(&text)?;
    }

    /// (d) No word is lost from a text made of the vocabulary and breaks.
    #[test]
    fn clean_text_is_lossless(text in clean_text()) {
        check_lossless(&text)?;
    }

    /// (e) Re-paragraphing a run-on story never ends a paragraph inside a
    /// quotation: with balanced straight quotes, every paragraph has an
    /// even number of them.
    #[test]
    fn run_on_quotes_stay_whole(line in run_on_with_quotes()) {
        prop_assert_eq!(quote_count(&line) % 2, 0, "generator balances quotes");
        let manuscript = analyze_str(&line);
        prop_assert!(manuscript.paragraphs.len() > 1, "run-on text is re-paragraphed");
        let pieces = manuscript
            .paragraphs
            .iter()
            .map(String::as_str)
            .chain(manuscript.notes.start.split("\n\n"))
            .chain(manuscript.notes.end.split("\n\n"));
        for piece in pieces {
            prop_assert_eq!(quote_count(piece) % 2, 0, "paragraph {:?} of {:?}", piece, line);
        }
    }
}

// ---------------------------------------------------------------------------
// Failures the properties found, shrunk, as plain tests: each shows by
// name while it is broken and stays fixed once it is.

/// Every way `garbled_text_is_repaired` garbles a text.
fn all_garblings(text: &str) -> [(&'static str, String); 4] {
    [
        ("windows-1252", garble(text, WINDOWS_1252)),
        ("macintosh", garble(text, MACINTOSH)),
        ("iso-8859-1", garble_latin1(text)),
        (
            "windows-1252 twice",
            garble(&garble(text, WINDOWS_1252), WINDOWS_1252),
        ),
    ]
}

fn assert_round_trips(originals: &[&str]) {
    let mut failures = Vec::new();
    for original in originals {
        assert_eq!(repair(original).text, *original, "clean text is left alone");
        for (how, garbled) in all_garblings(original) {
            let back = repair(&garbled).text;
            if back != *original {
                failures.push(format!("{original:?} via {how}: {garbled:?} -> {back:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "not repaired:\n{}",
        failures.join("\n")
    );
}

/// (c) An emoji with a variation selector (U+FE0F: ❤️, ☺️, keycaps) was
/// left garbled: the selector was not a plausible character, so the whole
/// run holding it stayed garbled, glued punctuation included (`«Hi»—❤️`),
/// and for a keycap the rest of the rejected run was "repaired" with the
/// wrong table (`âƒ£` became `âģ`).
#[test]
fn garbled_emoji_with_a_variation_selector_is_repaired() {
    assert_round_trips(&[
        "❤\u{fe0f}",
        "I ❤\u{fe0f} you",
        "«Hi»—❤\u{fe0f}",
        "☺\u{fe0f}",
        "1\u{fe0f}\u{20e3}",
    ]);
}

/// (c) A one-character CJK or Hangul word was left garbled (`æ„›` for
/// `愛`) once CJK and Hangul were believed only as words of two or more
/// characters.
#[test]
fn garbled_one_character_cjk_word_is_repaired() {
    assert_round_trips(&["愛", "(愛)", "I love you (愛).", "네"]);
}

/// (c) A decomposed accent (NFD, as macOS and some phones write `é`) was
/// left garbled: a combining mark was not a plausible character.
#[test]
fn garbled_combining_accent_is_repaired() {
    assert_round_trips(&["cafe\u{301}", "Zoe\u{308}"]);
}

/// (e) A curly quote left unmatched (`“a` never closed, or a stray `”a`
/// as autocorrect leaves them) opens a quotation that the next straight
/// quote, glued to a comma (`,"b`), closes; the real quotation after it
/// then reads as narration, and a break mark inside it (`***`, `o0o`)
/// splits it in two paragraphs: `”a,"b.` and `C." He waited. …`.
#[test]
fn quotation_after_an_unmatched_curly_quote_stays_whole() {
    for head in ["”a,\"b. *** C.\"", "“a,\"b. *** C.\"", "“a,\"b. o0o C.\""] {
        let line = format!("{head} {}", "He waited. ".repeat(120));
        let manuscript = analyze_str(&line);
        for paragraph in &manuscript.paragraphs {
            assert_eq!(quote_count(paragraph) % 2, 0, "{head:?}: {paragraph:?}");
        }
    }
}

/// (f) A stray curly quote (`“door`) and a closing one far after it
/// (`résumé”`) with straight-quoted dialogue between them: the curly pair
/// read as one quotation held the whole story, which was never split.
#[test]
fn stray_curly_quotes_around_straight_dialogue_leave_it_to_paragraph() {
    let dialogue = "Kylo walked in. \"Wait,\" he said. \"Not you.\" Rey left the room. ".repeat(30);
    let line = format!("“door door. {dialogue}door, résumé” door. He waited.");
    let manuscript = analyze_str(&line);
    assert!(
        manuscript.paragraphs.len() > 10,
        "{:?}",
        manuscript.paragraphs
    );
    for paragraph in &manuscript.paragraphs {
        assert_eq!(quote_count(paragraph) % 2, 0, "{paragraph:?}");
    }
}

/// (c) The French `à` garbled is `Ã` and a no-break space (C3 A0); with
/// no other mojibake in the text to go by, it must still be repaired.
#[test]
fn garbled_a_grave_is_repaired() {
    assert_round_trips(&["Je suis à Paris.", "Voilà.", "à) "]);
}

/// (c) Vietnamese garbled once or twice (`Viá»‡t` for `Việt`) with no
/// other mojibake in the text to go by.
#[test]
fn garbled_vietnamese_is_repaired() {
    assert_round_trips(&["Việt Nam", "Tiếng Việt"]);
}

/// (b) Correct text whose characters happen to spell valid UTF-8 in
/// Windows-1252 or Mac Roman, each once "repaired": `Zoë—€5` (ë — €,
/// EB 97 80) to `Zo뗀5`, `Zoë—œuvre` to `Zo뗜uvre`, `café…”` to `caf鐔`,
/// `≈£5` to `ţ5`, `√π` to `ù`.
#[test]
fn clean_text_that_spells_utf8_is_left_alone() {
    for text in [
        "Zoë—€5",
        "Chloé—€5",
        "Zoë—œuvre",
        "café—œuvre",
        "it was ≈£5",
        "≈¥100",
        "√π",
        "√±",
        "café…”",
        "José—”",
        "café——",
    ] {
        let repaired = repair(text);
        assert_eq!(repaired.text, text, "{:?}", repaired.repairs);
    }
}
