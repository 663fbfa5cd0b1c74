//! Notes: the front matter (title, summary, notes, disclaimers) and the end
//! notes and credits that travel with a story, told apart from the story.
//! Nothing is deleted: notes keep their labels, word for word.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::layout::Block;
use crate::prose;

/// The author's notes before and after the story, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    pub start: String,
    pub end: String,
}

/// A story's blocks with its notes taken out.
#[derive(Debug, Default)]
pub(crate) struct Separated {
    pub start: Vec<String>,
    pub body: Vec<Block>,
    pub end: Vec<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Title,
    Summary,
    /// Notes, A/N, author's notes, disclaimers, credits.
    Note,
    /// Rating, warnings, fandom, pairing, tags and the like.
    Metadata,
}

fn label_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Labels as writers of the archive's biggest languages write them
        // (English, Chinese, Japanese, Russian, Spanish, Portuguese,
        // French, German), brackets and colons full-width or not.
        Regex::new(
            r"(?xi)^[\s(\[*_（【「『]*
            (?:
              (?P<title>title|标题|標題|题目|題目|タイトル|название|título|titulo|titre|titel)
            | (?P<summary>summary|简介|簡介|文案|摘要|梗概|あらすじ|概要|описание|аннотация|саммари|resumen|resumo|sinopse|résumé|zusammenfassung)
            | (?P<an>a/n|a\.n\.)
            | (?P<note>(?:author'?s?'?\s+|authors?\s+|beginning\s+|end(?:ing)?\s+|chapter\s+)?notes?|disclaimer|credits?
                       |作者的话|作者的話|作者注|作者有话说|备注|備註|注意|注意事項|後書き|あとがき|примечани[ея](?:\s+автора)?|от\s+автора|notas?(?:\s+del?\s+autora?)?|nota\s+da\s+autora?|remarques?|anmerkungen?)
            | (?P<meta>rating|warnings?|archive\s+warnings?|fandoms?|pairings?|relationships?|characters?|
                       (?:additional\s+)?tags|word\s*count|words|categor(?:y|ies)|series|chapter\s+\d+
                       |分级|分級|警告|原作|配对|配對|cp|角色|人物|标签|標籤|タグ|カップリング|キャラクター
                       |рейтинг|предупреждени[ея]|фэндом|фандом|пейринг|персонажи|метки|жанры?|размер)
            )
            [\s)\]*_）】」』]*(?P<colon>[:：︰]|\s+-\s)?",
        )
        .expect("static regex")
    })
}

/// What a paragraph is labelled as, and where its content begins.
fn label_of(paragraph: &str) -> Option<(Label, usize)> {
    let found = label_regex().captures(paragraph)?;
    let end = found.get(0).map_or(0, |m| m.end());
    // `【标题】星之旅`: a label in brackets needs no colon after it.
    let whole = found.get(0).map_or("", |m| m.as_str());
    let bracketed = whole
        .trim_start()
        .starts_with(['(', '[', '（', '【', '「', '『'])
        && whole.contains([')', ']', '）', '】', '」', '』']);
    let has_colon = found.name("colon").is_some() || bracketed;
    let label = if found.name("title").is_some() {
        Label::Title
    } else if found.name("summary").is_some() {
        Label::Summary
    } else if found.name("an").is_some() {
        // "A/N" is a label even without a colon ("A/N I hope you like it").
        return Some((Label::Note, end));
    } else if found.name("note").is_some() {
        Label::Note
    } else {
        Label::Metadata
    };
    has_colon.then_some((label, end))
}

fn is_end_note_label(paragraph: &str) -> bool {
    matches!(label_of(paragraph), Some((Label::Note, _)))
}

fn link_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?xi)
            https?://[^\s<>\x22]+
            | www\.[^\s<>\x22]+
            | \b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:tumblr\.com|blogspot\.com|wordpress\.com|dreamwidth\.org|livejournal\.com|
                 com|net|org|io|me|co\.uk|ko-fi\.com|carrd\.co)\b(?:/[^\s<>\x22]*)?
            | (?:^|\s)@[a-z0-9_.-]{2,}",
        )
        .expect("static regex")
    })
}

/// URLs, web addresses and @handles in a piece of notes.
pub fn credits(notes: &str) -> Vec<String> {
    link_regex()
        .find_iter(notes)
        .map(|m| {
            m.as_str()
                .trim()
                .trim_end_matches(['.', ',', ';', ':', ')', '!', '?'])
                .to_string()
        })
        .collect()
}

/// Is this paragraph nothing but links and handles?
fn only_links(paragraph: &str) -> bool {
    let mut rest = link_regex().replace_all(paragraph, " ").into_owned();
    rest.retain(|c| !matches!(c, ',' | '|' | '•' | '-' | '/' | '&'));
    rest.trim().is_empty() && !paragraph.trim().is_empty()
}

fn sign_off_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:thanks?(?: you)? (?:so much )?for reading|hope you (?:all )?(?:enjoyed|liked)|leave (?:a )?kudos|kudos and comments|comments? (?:and|&) kudos|please (?:comment|reblog|review)|find me on|follow me on|my tumblr|requests? (?:are )?open|reblogs? (?:are )?appreciated)\b",
        )
        .expect("static regex")
    })
}

/// A short closing paragraph addressed to readers rather than part of the
/// story: a link in it, or the phrases authors sign off with.
fn is_sign_off(paragraph: &str) -> bool {
    if paragraph.len() > SIGN_OFF_MAX_BYTES {
        return false;
    }
    // Said by a character, it's story.
    let quotes = prose::quote_spans(paragraph);
    link_regex()
        .find_iter(paragraph)
        .chain(sign_off_regex().find_iter(paragraph))
        .any(|m| !prose::inside(&quotes, m.start()))
}

/// Longer than this, a closing paragraph is story even if it mentions
/// reading or links somewhere.
const SIGN_OFF_MAX_BYTES: usize = 300;

/// How many paragraphs from the end an end-note label is looked for: a
/// label earlier than that is a note inside the story, which stays.
const END_NOTE_WINDOW: usize = 3;

pub(crate) fn separate(blocks: Vec<Block>) -> Separated {
    let mut out = Separated::default();
    // Where the story's last paragraph is: front matter never takes it (a
    // one-line work that opens `Summary:` is a story, not notes).
    let last_paragraph = blocks
        .iter()
        .rposition(|b| matches!(b, Block::Paragraph(_)));
    let mut blocks = blocks.into_iter().enumerate().peekable();

    // Front matter: leading paragraphs whose first line is labelled. Lines
    // under a label continue it; a bare label takes the paragraph after it.
    let mut pending: Option<Label> = None;
    while let Some((at, Block::Paragraph(paragraph))) = blocks.peek() {
        let first_line = paragraph.lines().next().unwrap_or("");
        if pending.is_none() && label_of(first_line).is_none() || Some(*at) == last_paragraph {
            break;
        }
        let mut sections: Vec<(Label, String)> = Vec::new();
        for line in paragraph.lines() {
            match (pending.take(), label_of(line)) {
                (Some(label), _) => sections.push((label, line.trim().to_string())),
                (None, Some((label, content_start))) => {
                    sections.push((label, line[content_start..].trim().to_string()))
                }
                (None, None) => {
                    if let Some((_, content)) = sections.last_mut() {
                        content.push('\n');
                        content.push_str(line.trim());
                    }
                }
            }
        }
        for (label, content) in sections {
            let content = content.trim().to_string();
            if content.is_empty() {
                pending = Some(label);
                continue;
            }
            match label {
                Label::Title if out.title.is_none() => out.title = Some(content),
                Label::Summary if out.summary.is_none() => out.summary = Some(content),
                _ => {}
            }
        }
        if let Some((_, Block::Paragraph(p))) = blocks.next() {
            out.start.push(p);
        }
    }
    // A separator between the front matter and the story is not a scene break.
    if !out.start.is_empty() {
        while matches!(blocks.peek(), Some((_, Block::SceneBreak))) {
            blocks.next();
        }
    }
    let mut body: Vec<Block> = blocks.map(|(_, block)| block).collect();

    // End notes: from a note label near the end, plus trailing link lines.
    let paragraph_positions: Vec<usize> = body
        .iter()
        .enumerate()
        .filter_map(|(i, b)| matches!(b, Block::Paragraph(_)).then_some(i))
        .collect();
    let mut cut = body.len();
    for &i in paragraph_positions.iter().rev().take(END_NOTE_WINDOW) {
        if let Block::Paragraph(p) = &body[i] {
            if i > 0 && is_end_note_label(p) {
                cut = cut.min(i);
            }
        }
    }
    let mut links_from = body.len();
    while links_from > 1 {
        match &body[links_from - 1] {
            Block::Paragraph(p) if only_links(p) || is_sign_off(p) => links_from -= 1,
            _ => break,
        }
    }
    cut = cut.min(links_from);
    let tail: Vec<Block> = body.split_off(cut);
    out.end = tail
        .into_iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p),
            Block::SceneBreak => None,
        })
        .collect();
    while matches!(body.last(), Some(Block::SceneBreak)) {
        body.pop();
    }

    // A run-on story carries its end notes inline: "... Y/N." Notes: ...
    if let Some(Block::Paragraph(last)) = body.last_mut() {
        if let Some(split) = inline_end_note(last) {
            let note = last[split..].trim().to_string();
            last.truncate(split);
            let trimmed = last.trim_end().len();
            last.truncate(trimmed);
            out.end.insert(0, note);
            if last.is_empty() {
                body.pop();
            }
        }
    }
    out.body = body;
    out
}

fn inline_label_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:^|[.!?…\x22”’)\]*]\s+)((?:author'?s?'?\s+notes?|end\s+notes?|notes?|a/n|credits?)\s*:)",
        )
        .expect("static regex")
    })
}

/// Where inline end notes start in a long paragraph: a note label after a
/// sentence, outside quotations, in the last part of the text; or a run of
/// links and handles that closes it.
fn inline_end_note(paragraph: &str) -> Option<usize> {
    if paragraph.len() < 200 {
        return None;
    }
    let quotes = prose::quote_spans(paragraph);
    let tail_from = paragraph.len() - paragraph.len().min(2000).max(paragraph.len() / 3);
    let labelled = inline_label_regex()
        .captures_iter(paragraph)
        .filter_map(|c| c.get(1))
        .filter(|m| m.start() >= tail_from && !prose::inside(&quotes, m.start()))
        .map(|m| m.start())
        .next();
    if labelled.is_some() {
        return labelled;
    }
    // Trailing links: walk back over words that are links.
    let mut start = None;
    let mut rest = paragraph.trim_end();
    while let Some((space, blank)) = rest.char_indices().rfind(|(_, c)| c.is_whitespace()) {
        let word_start = space + blank.len_utf8();
        let word = &rest[word_start..];
        if only_links(word) {
            start = Some(word_start);
            rest = rest[..space].trim_end();
        } else {
            break;
        }
    }
    let start = start?;
    let before = paragraph[..start].trim_end();
    before
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…' | '"' | '”'))
        .then_some(start)
}

/// Does a paragraph hold tags rather than prose (`Pairing: Kylo Ren/Y/N`)?
pub(crate) fn is_tag_line(paragraph: &str) -> bool {
    matches!(label_of(paragraph), Some((Label::Metadata, _)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Block {
        Block::Paragraph(text.into())
    }

    #[test]
    fn front_matter_and_end_notes() {
        let separated = separate(vec![
            p("Title: Ashes"),
            p("Summary:"),
            p("Kylo makes a choice."),
            p("Pairing: Kylo Ren/Y/N"),
            Block::SceneBreak,
            p("The story begins."),
            p("It ends."),
            p("A/N thanks for reading!"),
            p("my-blog.tumblr.com"),
        ]);
        assert_eq!(separated.title.as_deref(), Some("Ashes"));
        assert_eq!(separated.summary.as_deref(), Some("Kylo makes a choice."));
        assert_eq!(separated.start.len(), 4);
        assert_eq!(separated.body, vec![p("The story begins."), p("It ends.")]);
        assert_eq!(
            separated.end,
            vec!["A/N thanks for reading!", "my-blog.tumblr.com"]
        );
    }

    /// Labels in other languages, with full-width colons and brackets.
    #[test]
    fn labels_in_other_languages_and_full_width_colons() {
        for (lines, title, summary) in [
            (
                ["标题：星之旅", "简介：一个关于星星的故事。"],
                "星之旅",
                "一个关于星星的故事。",
            ),
            (
                ["【標題】星之旅", "【文案】星星的故事。"],
                "星之旅",
                "星星的故事。",
            ),
            (
                ["タイトル：星の旅", "あらすじ：星の話。"],
                "星の旅",
                "星の話。",
            ),
            (
                ["Название: Звёзды", "Описание: История о звёздах."],
                "Звёзды",
                "История о звёздах.",
            ),
            (
                ["Título: Las estrellas", "Resumen: Una historia."],
                "Las estrellas",
                "Una historia.",
            ),
        ] {
            let separated = separate(vec![
                p(lines[0]),
                p(lines[1]),
                p("The story itself, long enough to be a story."),
            ]);
            assert_eq!(separated.title.as_deref(), Some(title), "{lines:?}");
            assert_eq!(separated.summary.as_deref(), Some(summary), "{lines:?}");
        }
        for (line, is_tag) in [
            ("分级：G", true),
            ("Рейтинг: PG-13", true),
            ("Пейринг: Гарри/Драко", true),
            ("警告：无", true),
            ("他说：不要走。", false),
            ("Он сказал: останься.", false),
        ] {
            assert_eq!(is_tag_line(line), is_tag, "{line}");
        }
    }

    /// A work that is one labelled paragraph (a run-on story opening
    /// `Résumé:`), or whose labelled paragraphs are all it has, keeps its
    /// last paragraph as the story: front matter never takes the whole work.
    #[test]
    fn front_matter_leaves_the_story() {
        let story = "(résumé: he came back. Kylo walked in. \"Again.\" He waited.";
        let separated = separate(vec![p(story)]);
        assert_eq!(separated.body, vec![p(story)]);
        assert!(separated.start.is_empty() && separated.summary.is_none());

        let separated = separate(vec![p("Title: Ashes"), p("Summary: It burns.")]);
        assert_eq!(separated.title.as_deref(), Some("Ashes"));
        assert_eq!(separated.start, vec!["Title: Ashes"]);
        assert_eq!(separated.body, vec![p("Summary: It burns.")]);
    }

    #[test]
    fn labelled_lines_in_one_block() {
        let separated = separate(vec![
            p("Title: A Day\nSummary: Things happen.\nand more things.\nA/N: my first fic!"),
            p("It was fine."),
            p("The end."),
            p("Thanks for reading! Find me at foo.tumblr.com"),
        ]);
        assert_eq!(separated.title.as_deref(), Some("A Day"));
        assert_eq!(
            separated.summary.as_deref(),
            Some("Things happen.\nand more things.")
        );
        assert_eq!(separated.start.len(), 1);
        assert_eq!(separated.body, vec![p("It was fine."), p("The end.")]);
        assert_eq!(
            separated.end,
            vec!["Thanks for reading! Find me at foo.tumblr.com"]
        );
    }

    #[test]
    fn a_story_ending_is_not_a_sign_off() {
        let separated = separate(vec![
            p("It began."),
            p("\"Thank you for reading to me,\" she said."),
        ]);
        assert!(separated.end.is_empty());
    }

    #[test]
    fn trailing_links_alone_are_end_notes() {
        let separated = separate(vec![
            p("Story."),
            p("Story goes on."),
            p("https://example.org/me @handle"),
        ]);
        assert_eq!(separated.end, vec!["https://example.org/me @handle"]);
        assert_eq!(separated.body.len(), 2);
    }

    #[test]
    fn inline_notes_in_a_run_on_story() {
        let story = format!(
            "{} \"I love you, Y/N.\" Notes: the-imagines-awaken.tumblr.com theaidenellis.tumblr.com",
            "He waited. ".repeat(30)
        );
        let separated = separate(vec![p(&story)]);
        assert_eq!(
            separated.end,
            vec!["Notes: the-imagines-awaken.tumblr.com theaidenellis.tumblr.com"]
        );
        let Block::Paragraph(body) = &separated.body[0] else {
            panic!("body is a paragraph")
        };
        assert!(body.ends_with("\"I love you, Y/N.\""));
        assert_eq!(
            credits(&separated.end[0]),
            vec!["the-imagines-awaken.tumblr.com", "theaidenellis.tumblr.com"]
        );
    }

    #[test]
    fn trailing_links_after_a_wide_space() {
        let story = format!(
            "{}The end.\u{3000}@someone\u{a0}https://example.org",
            "He waited. ".repeat(30)
        );
        let separated = separate(vec![p(&story)]);
        assert_eq!(separated.end, vec!["@someone\u{a0}https://example.org"]);
    }

    #[test]
    fn a_note_inside_a_quotation_or_early_stays() {
        let story = format!(
            "\"Notes: these are mine,\" she said. {}",
            "It went on. ".repeat(40)
        );
        assert!(separate(vec![p(&story)]).end.is_empty());
    }

    #[test]
    fn story_words_are_not_labels() {
        assert!(label_of("Notes were passed in class.").is_none());
        assert!(label_of("Titles mean nothing, he said.").is_none());
        assert!(is_tag_line("Pairing: Kylo Ren/Y/N"));
        assert!(!is_tag_line("Y/N smiled."));
    }
}
