//! Short formatted text: summaries, notes, comments and bookmark notes.
//! On AO3 these take the same HTML as chapter text, without media, and
//! their line breaks become paragraphs as a chapter's do. A [`Formatted`]
//! holds only HTML that went through that cleaning, so whatever shows it
//! (pages, feeds, downloads, the API) may write it out as it is.

use serde::{Deserialize, Deserializer, Serialize};
use sqlx::Row;

use crate::sanitize::{clean_typed, Allowlist};
use crate::Result;

/// Cleaned HTML of a field that takes formatting but no media.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Formatted(String);

impl Formatted {
    /// HTML as a writer typed it: sanitized to AO3's allowlist without
    /// media, its blank lines made paragraphs and single breaks `<br />`.
    pub fn from_html(typed: &str) -> Formatted {
        let typed = typed.trim();
        if typed.is_empty() {
            return Formatted::default();
        }
        Formatted(clean_typed(typed, Allowlist::Formatting).trim().to_string())
    }

    /// Text that is only text (a note found in a plain-text upload, a
    /// field stored before fields took HTML): every `<` and `&` is the
    /// writer's own, and its line breaks make paragraphs as in HTML.
    pub fn from_text(text: &str) -> Formatted {
        Formatted::from_html(&quire_text::insert::escape_html(text))
    }

    /// What the store holds, which was cleaned when it was written.
    pub(crate) fn from_stored(html: String) -> Formatted {
        Formatted(html)
    }

    /// The HTML, safe to write into a page as it is.
    pub fn html(&self) -> &str {
        &self.0
    }

    /// The words without their markup, a blank line between paragraphs
    /// and `\n` for a line break: for search, plain-text downloads and
    /// anything else that can't show formatting.
    pub fn text(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        quire_text::html_paragraphs(&self.0).join("\n\n")
    }

    /// The HTML with a reader's names in its placeholders, never inside
    /// a tag or an attribute.
    pub fn filled(&self, profile: &quire_text::FillProfile) -> String {
        quire_text::insert::fill_html(&self.0, profile, quire_text::insert::HtmlFill::Plain)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// HTML as typed, cleaned ([`Formatted::from_html`]).
impl From<&str> for Formatted {
    fn from(typed: &str) -> Formatted {
        Formatted::from_html(typed)
    }
}

/// Whatever arrives from outside (the API's JSON, a backup) is cleaned
/// on the way in, so no `Formatted` ever holds what cleaning would remove.
impl<'de> Deserialize<'de> for Formatted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Formatted, D::Error> {
        let typed = String::deserialize(deserializer)?;
        Ok(Formatted::from_html(&typed))
    }
}

/// For what quire itself wrote (the search index's stored blurbs): read
/// as it is, since it was cleaned before it was written.
pub(crate) fn stored<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Formatted, D::Error> {
    Ok(Formatted(String::deserialize(deserializer)?))
}

/// The fields earlier releases kept as plain text, by table. (A series'
/// description came with HTML, so it is not among them.)
const STORED_AS_TEXT: &[(&str, &[&str])] = &[
    ("works", &["summary", "notes_start", "notes_end"]),
    ("chapters", &["summary", "notes_start", "notes_end"]),
    ("comments", &["body"]),
    ("bookmarks", &["note"]),
];

/// Rows rewritten per transaction.
const UPGRADE_BATCH: i64 = 500;

/// Rewrites what earlier releases kept as plain text as the HTML this
/// release keeps ([`Formatted::from_text`]: every `<` stays a `<`, line
/// breaks become paragraphs), a batch per transaction. The batch and the
/// note of how far it got commit together, so a crash halfway resumes
/// where it stopped and no row is converted twice. Returns the rows
/// changed.
pub(crate) async fn upgrade_stored_fields(pool: &sqlx::AnyPool) -> Result<u64> {
    let mut changed = 0;
    for (table, columns) in STORED_AS_TEXT {
        let select = format!(
            "SELECT id, {} FROM {table} WHERE id > $1 ORDER BY id LIMIT $2",
            columns.join(", ")
        );
        let assignments: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 1))
            .collect();
        let update = format!(
            "UPDATE {table} SET {} WHERE id = ${}",
            assignments.join(", "),
            columns.len() + 1
        );
        loop {
            let mut tx = pool.begin().await?;
            // Writing the progress row first holds it: a second node
            // opening the same database waits here, then reads how far
            // this one got.
            let Some(progress) = sqlx::query(
                "UPDATE formatting_upgrades SET done_through = done_through WHERE name = $1 \
                 RETURNING done_through",
            )
            .bind(*table)
            .fetch_optional(&mut *tx)
            .await?
            else {
                break;
            };
            let after: i64 = progress.try_get("done_through")?;
            let rows = sqlx::query(&select)
                .bind(after)
                .bind(UPGRADE_BATCH)
                .fetch_all(&mut *tx)
                .await?;
            let Some(last) = rows.last() else {
                sqlx::query("DELETE FROM formatting_upgrades WHERE name = $1")
                    .bind(*table)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                break;
            };
            let last: i64 = last.try_get("id")?;
            for row in &rows {
                let mut old = Vec::with_capacity(columns.len());
                for column in columns.iter() {
                    old.push(row.try_get::<String, _>(*column)?);
                }
                let new: Vec<String> = old
                    .iter()
                    .map(|text| Formatted::from_text(text).0)
                    .collect();
                if new == old {
                    continue;
                }
                let mut query = sqlx::query(&update);
                for html in new {
                    query = query.bind(html);
                }
                changed += query
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            sqlx::query("UPDATE formatting_upgrades SET done_through = $1 WHERE name = $2")
                .bind(last)
                .bind(*table)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule a formatted field follows, with what AO3 makes of it.
    #[test]
    fn what_a_writer_types_is_what_ao3_would_keep() {
        let cases = [
            ("A <i>short</i> summary.", "<p>A <i>short</i> summary.</p>"),
            (
                "First.\n\nSecond <em>here</em>.\nAfter a break.",
                "<p>First.</p>\n<p>Second <em>here</em>.<br />After a break.</p>",
            ),
            ("<p>Already <b>made</b>.</p>", "<p>Already <b>made</b>.</p>"),
            (
                "See <a href=\"https://example.org/x\">this</a>.",
                "<p>See <a href=\"https://example.org/x\" rel=\"nofollow\">this</a>.</p>",
            ),
            (
                "<ol start=\"5\"><li>five</li></ol>",
                "<ol start=\"5\"><li>five</li></ol>",
            ),
            ("   \n\n  ", ""),
        ];
        for (typed, kept) in cases {
            assert_eq!(Formatted::from_html(typed).html(), kept, "from {typed:?}");
        }
    }

    #[test]
    fn no_media_and_nothing_that_runs() {
        let cleaned = Formatted::from_html(
            "Look <img src=\"https://example.org/a.png\" alt=\"a\"> here\
             <script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\
             <iframe src=\"https://example.org\"></iframe><audio src=\"a.mp3\"></audio>",
        );
        for gone in [
            "img",
            "script",
            "alert",
            "javascript",
            "onclick",
            "iframe",
            "audio",
        ] {
            assert!(!cleaned.html().contains(gone), "{gone}: {}", cleaned.html());
        }
        assert_eq!(cleaned.text(), "Look herex");
    }

    #[test]
    fn text_is_only_text() {
        let note = Formatted::from_text("I <3 this & you.\nA line.\n\n<b>not bold</b>");
        assert_eq!(
            note.html(),
            "<p>I &lt;3 this &amp; you.<br />A line.</p>\n<p>&lt;b&gt;not bold&lt;/b&gt;</p>"
        );
        assert_eq!(note.text(), "I <3 this & you.\nA line.\n\n<b>not bold</b>");
    }

    #[test]
    fn json_is_cleaned_on_the_way_in() {
        let read: Formatted =
            serde_json::from_str("\"<p onclick=\\\"x()\\\">Hi</p>\\n\\nthere\"").unwrap();
        assert_eq!(read.html(), "<p>Hi</p>\n<p>there</p>");
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            "\"<p>Hi</p>\\n<p>there</p>\""
        );
    }

    proptest::proptest! {
        /// Cleaning what was cleaned changes nothing, and no word is lost
        /// on the way from plain text.
        #[test]
        fn cleaning_is_idempotent_and_text_survives(
            typed in "([a-z<>&/ \n]|<i>|</i>|<p>|</p>|<br>|\n\n){0,40}",
            words in proptest::collection::vec("[a-zA-Z0-9<>&;]{1,8}", 0..12),
        ) {
            let once = Formatted::from_html(&typed);
            proptest::prop_assert_eq!(Formatted::from_html(once.html()), once.clone());
            let text = words.join(" ");
            let kept = Formatted::from_text(&text);
            proptest::prop_assert_eq!(kept.text(), text.trim());
            proptest::prop_assert_eq!(Formatted::from_html(kept.html()), kept);
        }
    }
}
