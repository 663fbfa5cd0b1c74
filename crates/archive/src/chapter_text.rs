//! How a chapter's text is kept: a format of the archive's own, versioned,
//! in `chapters.manuscript`.
//!
//! The text pipeline's `Manuscript` is free to change shape; what is on disk
//! is not. So the stored form is written here field by field, every field has
//! a default (a field added later reads as its default from older rows), and
//! each row says which version of the format wrote it. Version 1 keeps the
//! layout the first releases wrote (the whole `Manuscript` as JSON), so those
//! rows read as they are; `upgrade_stored_chapters` marks them version 1 when
//! an archive is opened.

use quire_text::{
    Counts, Manuscript, MojibakeEncoding, Notes, PlaceholderCount, Repair, SourceEncoding,
    SourceFormat,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{ArchiveError, Result, WorkId};

/// The version this release writes.
pub(crate) const VERSION: u32 = 1;

/// Rows rewritten per transaction when an archive is upgraded.
const UPGRADE_BATCH: i64 = 500;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct StoredText {
    /// 0 for rows written before the format had a version: the same
    /// layout as version 1.
    #[serde(default)]
    v: u32,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    paragraphs: Vec<String>,
    #[serde(default)]
    scene_breaks: Vec<usize>,
    #[serde(default)]
    notes: StoredNotes,
    #[serde(default)]
    credits: Vec<String>,
    #[serde(default)]
    placeholders: Vec<StoredPlaceholder>,
    #[serde(default)]
    reader_insert: bool,
    #[serde(default)]
    second_person: bool,
    #[serde(default)]
    repairs: Vec<StoredRepair>,
    #[serde(default)]
    word_count: usize,
    #[serde(default)]
    counts: StoredCounts,
    #[serde(default)]
    format: StoredFormat,
    #[serde(default)]
    encoding: StoredEncoding,
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct StoredNotes {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct StoredPlaceholder {
    code: String,
    #[serde(default)]
    count: usize,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct StoredRepair {
    start: usize,
    end: usize,
    before: String,
    after: String,
    encoding: StoredMojibake,
    #[serde(default = "one")]
    layers: u8,
}

fn one() -> u8 {
    1
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
struct StoredCounts {
    #[serde(default)]
    words: usize,
    #[serde(default)]
    ao3_words: usize,
    #[serde(default)]
    paragraphs: usize,
    #[serde(default)]
    dialogue_share: f64,
    #[serde(default)]
    reading_minutes: usize,
}

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum StoredFormat {
    #[default]
    Text,
    Html,
}

// The two enums below spell on disk what the pipeline's own enums spell
// today. They are copies on purpose: renaming a variant's serde name in
// quire-text must not change what a stored chapter means.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, PartialEq)]
enum StoredEncoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
enum StoredMojibake {
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

impl From<&Manuscript> for StoredText {
    fn from(m: &Manuscript) -> StoredText {
        StoredText {
            v: VERSION,
            title: m.title.clone(),
            summary: m.summary.clone(),
            paragraphs: m.paragraphs.clone(),
            scene_breaks: m.scene_breaks.clone(),
            notes: StoredNotes {
                start: m.notes.start.clone(),
                end: m.notes.end.clone(),
            },
            credits: m.credits.clone(),
            placeholders: m
                .placeholders
                .iter()
                .map(|p| StoredPlaceholder {
                    code: p.code.clone(),
                    count: p.count,
                })
                .collect(),
            reader_insert: m.reader_insert,
            second_person: m.second_person,
            repairs: m
                .repairs
                .iter()
                .map(|r| StoredRepair {
                    start: r.start,
                    end: r.end,
                    before: r.before.clone(),
                    after: r.after.clone(),
                    encoding: match r.encoding {
                        MojibakeEncoding::Windows1252 => StoredMojibake::Windows1252,
                        MojibakeEncoding::Latin1 => StoredMojibake::Latin1,
                        MojibakeEncoding::MacRoman => StoredMojibake::MacRoman,
                        MojibakeEncoding::Windows1251 => StoredMojibake::Windows1251,
                        MojibakeEncoding::Windows1250 => StoredMojibake::Windows1250,
                        MojibakeEncoding::Iso8859_2 => StoredMojibake::Iso8859_2,
                        MojibakeEncoding::Windows1257 => StoredMojibake::Windows1257,
                        MojibakeEncoding::Cp437 => StoredMojibake::Cp437,
                    },
                    layers: r.layers,
                })
                .collect(),
            word_count: m.word_count,
            counts: StoredCounts {
                words: m.counts.words,
                ao3_words: m.counts.ao3_words,
                paragraphs: m.counts.paragraphs,
                dialogue_share: m.counts.dialogue_share,
                reading_minutes: m.counts.reading_minutes,
            },
            format: match m.format {
                SourceFormat::Text => StoredFormat::Text,
                SourceFormat::Html => StoredFormat::Html,
            },
            encoding: match m.encoding {
                SourceEncoding::Utf8 => StoredEncoding::Utf8,
                SourceEncoding::Utf16Le => StoredEncoding::Utf16Le,
                SourceEncoding::Utf16Be => StoredEncoding::Utf16Be,
                SourceEncoding::Windows1252 => StoredEncoding::Windows1252,
            },
        }
    }
}

impl From<StoredText> for Manuscript {
    fn from(s: StoredText) -> Manuscript {
        Manuscript {
            title: s.title,
            summary: s.summary,
            paragraphs: s.paragraphs,
            scene_breaks: s.scene_breaks,
            notes: Notes {
                start: s.notes.start,
                end: s.notes.end,
            },
            credits: s.credits,
            placeholders: s
                .placeholders
                .into_iter()
                .map(|p| PlaceholderCount {
                    code: p.code,
                    count: p.count,
                })
                .collect(),
            reader_insert: s.reader_insert,
            second_person: s.second_person,
            repairs: s
                .repairs
                .into_iter()
                .map(|r| Repair {
                    start: r.start,
                    end: r.end,
                    before: r.before,
                    after: r.after,
                    encoding: match r.encoding {
                        StoredMojibake::Windows1252 => MojibakeEncoding::Windows1252,
                        StoredMojibake::Latin1 => MojibakeEncoding::Latin1,
                        StoredMojibake::MacRoman => MojibakeEncoding::MacRoman,
                        StoredMojibake::Windows1251 => MojibakeEncoding::Windows1251,
                        StoredMojibake::Windows1250 => MojibakeEncoding::Windows1250,
                        StoredMojibake::Iso8859_2 => MojibakeEncoding::Iso8859_2,
                        StoredMojibake::Windows1257 => MojibakeEncoding::Windows1257,
                        StoredMojibake::Cp437 => MojibakeEncoding::Cp437,
                    },
                    layers: r.layers,
                })
                .collect(),
            word_count: s.word_count,
            counts: Counts {
                words: s.counts.words,
                ao3_words: s.counts.ao3_words,
                paragraphs: s.counts.paragraphs,
                dialogue_share: s.counts.dialogue_share,
                reading_minutes: s.counts.reading_minutes,
            },
            format: match s.format {
                StoredFormat::Text => SourceFormat::Text,
                StoredFormat::Html => SourceFormat::Html,
            },
            encoding: match s.encoding {
                StoredEncoding::Utf8 => SourceEncoding::Utf8,
                StoredEncoding::Utf16Le => SourceEncoding::Utf16Le,
                StoredEncoding::Utf16Be => SourceEncoding::Utf16Be,
                StoredEncoding::Windows1252 => SourceEncoding::Windows1252,
            },
        }
    }
}

/// A chapter's text as it is stored.
pub(crate) fn store(body: &Manuscript, work: WorkId) -> Result<String> {
    serde_json::to_string(&StoredText::from(body)).map_err(|e| ArchiveError::Damaged {
        work,
        what: format!("a chapter's text can't be written: {e}"),
    })
}

/// A stored chapter read whole, or only in part: either way its version
/// is checked.
trait Versioned: serde::de::DeserializeOwned {
    fn version(&self) -> u32;
}

impl Versioned for StoredText {
    fn version(&self) -> u32 {
        self.v
    }
}

/// The paragraphs of a stored chapter alone: the rest is skipped over
/// without being built.
#[derive(Deserialize)]
struct StoredParagraphs {
    #[serde(default)]
    v: u32,
    #[serde(default)]
    paragraphs: Vec<String>,
}

impl Versioned for StoredParagraphs {
    fn version(&self) -> u32 {
        self.v
    }
}

fn parse<T: Versioned>(stored: &str, work: WorkId) -> Result<T> {
    let text: T = serde_json::from_str(stored).map_err(|e| ArchiveError::Damaged {
        work,
        what: format!("a chapter's text does not read back: {e}"),
    })?;
    if text.version() > VERSION {
        return Err(ArchiveError::Damaged {
            work,
            what: format!(
                "a chapter was stored by a newer quire (text format {}, this one reads up to {VERSION}); \
                 run that release or a later one",
                text.version()
            ),
        });
    }
    Ok(text)
}

/// A stored chapter's text, as the pipeline's manuscript.
pub(crate) fn load(stored: &str, work: WorkId) -> Result<Manuscript> {
    parse::<StoredText>(stored, work).map(Manuscript::from)
}

/// Only the paragraphs of a stored chapter, for indexing.
pub(crate) fn load_paragraphs(stored: &str, work: WorkId) -> Result<Vec<String>> {
    parse::<StoredParagraphs>(stored, work).map(|text| text.paragraphs)
}

/// Rewrites chapters stored in an older version of the format in this
/// one, a batch per transaction. A row changed meanwhile (by another node
/// already on this release) is left as it is: it was written in this
/// format. Reading never depends on it having run.
pub(crate) async fn upgrade_stored_chapters(pool: &sqlx::AnyPool) -> Result<u64> {
    let current = format!("{{\"v\":{VERSION},%");
    let mut upgraded = 0;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, work_id, manuscript FROM chapters \
             WHERE id > $1 AND manuscript NOT LIKE $2 ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(&current)
        .bind(UPGRADE_BATCH)
        .fetch_all(pool)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(upgraded);
        };
        after = last.try_get("id")?;
        let mut tx = pool.begin().await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let work: WorkId = row.try_get("work_id")?;
            let old: String = row.try_get("manuscript")?;
            let text = parse::<StoredText>(&old, work)?;
            if text.v == VERSION {
                continue;
            }
            let new = store(&Manuscript::from(text), work)?;
            upgraded += sqlx::query(
                "UPDATE chapters SET manuscript = $1 WHERE id = $2 AND manuscript = $3",
            )
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chapter as the first releases stored it: `Manuscript`'s own
    /// serde layout, no version. Written out by hand so that a change to
    /// the text crate's types can't change what this test reads.
    const UNVERSIONED: &str = r#"{"title":null,"summary":null,"paragraphs":["Y/N looked at the naïve sky.","Six months later."],"scene_breaks":[1],"notes":{"start":"","end":"Notes: thanks to @beta"},"credits":["@beta"],"placeholders":[{"code":"Y/N","count":1}],"reader_insert":true,"second_person":false,"repairs":[{"start":20,"end":25,"before":"na√Øve","after":"naïve","encoding":"macintosh","layers":1}],"word_count":9,"counts":{"words":9,"ao3_words":9,"paragraphs":2,"dialogue_share":0.0,"reading_minutes":1},"format":"text","encoding":"utf-8"}"#;

    #[test]
    fn a_chapter_stored_before_versions_reads_whole() {
        let read = load(UNVERSIONED, 1).unwrap();
        assert_eq!(read.paragraphs.len(), 2);
        assert_eq!(read.scene_breaks, vec![1]);
        assert_eq!(read.notes.end, "Notes: thanks to @beta");
        assert_eq!(read.placeholders[0].code, "Y/N");
        assert_eq!(read.repairs[0].encoding, MojibakeEncoding::MacRoman);
        assert_eq!((read.word_count, read.counts.reading_minutes), (9, 1));
        assert_eq!(read.encoding, SourceEncoding::Utf8);
        // Rewritten, it says its version and reads back the same.
        let rewritten = store(&read, 1).unwrap();
        assert!(rewritten.starts_with("{\"v\":1,"), "{rewritten}");
        assert_eq!(load(&rewritten, 1).unwrap(), read);
    }

    #[test]
    fn fields_missing_from_a_row_read_as_their_defaults() {
        let read = load(r#"{"v":1,"paragraphs":["Only this."]}"#, 1).unwrap();
        assert_eq!(read.paragraphs, vec!["Only this."]);
        assert_eq!(read.format, SourceFormat::Text);
        assert!(read.placeholders.is_empty() && read.repairs.is_empty());
    }

    #[test]
    fn a_newer_format_is_refused_with_what_to_do() {
        let future = r#"{"v":99,"paragraphs":["From the future."]}"#;
        for err in [
            load(future, 7).unwrap_err(),
            load_paragraphs(future, 7).unwrap_err(),
        ] {
            let said = err.to_string();
            assert!(
                said.contains("newer quire") && said.contains("99"),
                "{said}"
            );
        }
    }

    #[test]
    fn the_paragraphs_alone_are_the_whole_chapters_paragraphs() {
        for stored in [
            UNVERSIONED.to_string(),
            store(&quire_text::analyze_str("One.\n\nY/N smiled."), 1).unwrap(),
        ] {
            assert_eq!(
                load_paragraphs(&stored, 1).unwrap(),
                load(&stored, 1).unwrap().paragraphs
            );
        }
        assert!(load_paragraphs("{\"v\":1,\"paragraphs\":[1]}", 1).is_err());
    }

    #[test]
    fn every_manuscript_survives_the_round_trip() {
        for text in [
            "Plain words.\n\nY/N smiled. -- (6 months later) She left.",
            "<p>One <em>two</em></p><hr><p>na\u{221a}\u{d8}ve three</p>",
        ] {
            let manuscript = quire_text::analyze_str(text);
            assert_eq!(
                load(&store(&manuscript, 1).unwrap(), 1).unwrap(),
                manuscript
            );
        }
    }
}
