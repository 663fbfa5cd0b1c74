//! What a writer sends about a work or a chapter, whichever way it comes.
//! The posting and editing forms and the JSON API each turn what they
//! receive into these, and only these turn into the archive's drafts, so
//! both ways in read a work by the same rules and refuse with the same
//! words.

use quire_archive::model::{Category, ChapterDraft, Formatted, Rating, Warnings, WorkDraft};
use quire_archive::ArchiveError;
use quire_text::Mojibake;

use crate::form::FormData;
use crate::pages::PageError;
use crate::search_params::names;

/// A work's preface and tags as its writer gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkInput {
    pub title: String,
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
    pub language: String,
    /// `Not Rated` when none is given.
    pub rating: Option<String>,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub fandoms: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    pub complete: bool,
    pub restricted: bool,
    pub draft: bool,
    /// A series of the writer's to add the work to; empty for none.
    pub series: String,
}

impl WorkInput {
    /// The posting or editing form's fields: tags comma-separated, boxes
    /// ticked or absent.
    pub fn from_form(form: &FormData) -> WorkInput {
        WorkInput {
            title: form.text("title"),
            summary: form.text("summary"),
            notes_start: form.text("notes_start"),
            notes_end: form.text("notes_end"),
            language: form.text("language"),
            rating: form.get("rating").map(str::to_string),
            warnings: form.all("warnings").map(str::to_string).collect(),
            categories: form.all("categories").map(str::to_string).collect(),
            fandoms: names(form.get("fandoms").unwrap_or("")),
            relationships: names(form.get("relationships").unwrap_or("")),
            characters: names(form.get("characters").unwrap_or("")),
            freeforms: names(form.get("freeforms").unwrap_or("")),
            complete: form.checked("complete"),
            restricted: form.checked("restricted"),
            draft: form.checked("draft"),
            series: form.text("series"),
        }
    }

    /// The work these fields describe, or the first thing to put right.
    /// With the text, a missing title and notes come from what the text
    /// pipeline found in it; the draft has no chapters yet.
    pub fn draft(&self, text: Option<&quire_text::Manuscript>) -> Result<WorkDraft, String> {
        let mut title = self.title.trim().to_string();
        if title.is_empty() {
            title = text.and_then(|m| m.title.clone()).unwrap_or_default();
        }
        if title.is_empty() {
            return Err("Give your work a title.".into());
        }
        // Notes the text pipeline found at the ends of the text become the
        // work's notes, unless the author wrote their own.
        // The fields take HTML; the pipeline's notes are plain text.
        let mut notes_start = Formatted::from_html(&self.notes_start);
        if let (true, Some(m)) = (notes_start.is_empty(), text) {
            notes_start = Formatted::from_text(&m.notes.start);
        }
        let mut notes_end = Formatted::from_html(&self.notes_end);
        if let (true, Some(m)) = (notes_end.is_empty(), text) {
            notes_end = Formatted::from_text(&m.notes.end);
        }
        let rating = Rating::from_name(self.rating.as_deref().unwrap_or("Not Rated"))
            .map_err(|e| e.to_string())?;
        if self.warnings.is_empty() {
            return Err("Choose the archive warnings that apply, or \"Creator Chose Not To Use Archive Warnings\" or \"No Archive Warnings Apply\".".into());
        }
        let warnings = Warnings::from_names(self.warnings.iter().map(String::as_str))
            .map_err(|e| e.to_string())?;
        let categories = self
            .categories
            .iter()
            .map(|c| Category::from_name(c))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let tags = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        let fandoms = tags(&self.fandoms);
        if fandoms.is_empty() {
            return Err("Name at least one fandom (or \"Original Work\").".into());
        }
        let language = self.language.trim();
        Ok(WorkDraft {
            title,
            summary: Formatted::from_html(&self.summary),
            notes_start,
            notes_end,
            language: if language.is_empty() {
                "en".into()
            } else {
                language.to_string()
            },
            rating,
            warnings,
            categories,
            fandoms,
            relationships: tags(&self.relationships),
            characters: tags(&self.characters),
            freeforms: tags(&self.freeforms),
            complete: self.complete,
            expected_chapters: if self.complete { Some(1) } else { None },
            restricted: self.restricted,
            draft: self.draft,
            chapters: vec![],
        })
    }
}

/// A chapter as its writer gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterInput {
    pub format: TextFormat,
    pub body: String,
    /// The writer asked for the text as typed, its mojibake unrepaired.
    pub keep_as_typed: bool,
    pub title: String,
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
    /// Files uploaded with it, placed in its HTML as it is read.
    pub uploads: Vec<crate::uploads::PlacedUpload>,
}

impl ChapterInput {
    /// The chapter fields of the posting form and the chapter form.
    pub fn from_form(form: &FormData) -> ChapterInput {
        ChapterInput {
            format: TextFormat::from_name(form.get("format").unwrap_or("plain")),
            body: form.get("body").unwrap_or("").to_string(),
            keep_as_typed: form.get("keep_as_typed").is_some(),
            title: form.text("chapter_title"),
            summary: form.text("chapter_summary"),
            notes_start: form.text("chapter_notes_start"),
            notes_end: form.text("chapter_notes_end"),
            uploads: Vec::new(),
        }
    }

    /// Nothing to read: no text and no uploads.
    fn is_empty(&self) -> bool {
        self.body.trim().is_empty() && self.uploads.is_empty()
    }

    /// The chapter, read by the text pipeline, or what to put right.
    pub fn draft(&self) -> Result<ChapterDraft, String> {
        if self.is_empty() {
            return Err("The chapter needs some text.".to_string());
        }
        let chapter = self.read();
        described(&chapter)?;
        Ok(chapter)
    }

    pub fn mojibake(&self) -> Mojibake {
        if self.keep_as_typed {
            Mojibake::Keep
        } else {
            Mojibake::Repair
        }
    }

    fn read(&self) -> ChapterDraft {
        let mut chapter = chapter_of(self.format, &self.body, self.mojibake());
        if !self.uploads.is_empty() {
            chapter.html = quire_archive::sanitize::sanitize(&crate::uploads::place_uploads(
                &chapter.html,
                &self.uploads,
            ));
        }
        chapter.title = self.title.trim().to_string();
        chapter.summary = Formatted::from_html(&self.summary);
        chapter.notes_start = Formatted::from_html(&self.notes_start);
        chapter.notes_end = Formatted::from_html(&self.notes_end);
        chapter
    }
}

/// Every image in the chapter says what it shows, or says it is only
/// decoration: readers who listen to a page hear the words, not the art.
fn described(chapter: &ChapterDraft) -> Result<(), String> {
    match quire_archive::sanitize::images_without_alt(&chapter.html).first() {
        None => Ok(()),
        Some(src) => Err(format!(
            "Say what the image {} shows, for readers who can't see it: write it in the image's alt text \
             (<img src=\"…\" alt=\"what it shows\">, or ![what it shows](…) in Markdown). \
             If the image is only decoration, give it an empty one: alt=\"\".",
            if src.is_empty() { "with no address".to_string() } else { format!("at {src}") }
        )),
    }
}

/// A new work of one chapter, checked as the archive will check it, with
/// the preview the posting page shows; or the first thing to put right.
pub fn new_work(work: &WorkInput, chapter: &ChapterInput) -> Result<(WorkDraft, Preview), String> {
    if chapter.is_empty() {
        return Err("The work needs some text: paste or write it in the chapter text box.".into());
    }
    let chapter = chapter.read();
    described(&chapter)?;
    let mut preview = preview_of(&chapter);
    let mut draft = work.draft(Some(&chapter.body))?;
    // The work's preface, as it will be stored, stands for the chapter's.
    preview.summary = draft.summary.html().to_string();
    preview.notes_start = draft.notes_start.html().to_string();
    preview.notes_end = draft.notes_end.html().to_string();
    draft.chapters = vec![chapter];
    draft.validate().map_err(|e| e.to_string())?;
    Ok((draft, preview))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> FormData {
        FormData(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_form_and_the_same_fields_given_directly_make_one_draft() {
        let form = pairs(&[
            ("title", "  Lanterns "),
            ("rating", "Teen And Up Audiences"),
            ("warnings", "No Archive Warnings Apply"),
            ("categories", "Gen"),
            ("fandoms", "Original Work, , Folklore "),
            ("freeforms", "Fluff"),
            ("complete", "1"),
            ("series", " Lights "),
        ]);
        let from_form = WorkInput::from_form(&form);
        let given = WorkInput {
            title: "Lanterns".into(),
            rating: Some("Teen And Up Audiences".into()),
            warnings: vec!["No Archive Warnings Apply".into()],
            categories: vec!["Gen".into()],
            fandoms: vec![" Original Work".into(), "".into(), "Folklore".into()],
            freeforms: vec!["Fluff".into()],
            complete: true,
            series: "Lights".into(),
            ..WorkInput::default()
        };
        let draft = from_form.draft(None).unwrap();
        assert_eq!(draft, given.draft(None).unwrap());
        assert_eq!(draft.fandoms, vec!["Original Work", "Folklore"]);
        assert_eq!(
            (draft.language.as_str(), draft.expected_chapters),
            ("en", Some(1))
        );
        assert_eq!(from_form.series, "Lights");
    }

    #[test]
    fn the_first_thing_to_put_right_is_named() {
        let mut input = WorkInput {
            title: "T".into(),
            fandoms: vec!["F".into()],
            ..WorkInput::default()
        };
        assert!(input.draft(None).unwrap_err().contains("archive warnings"));
        input.warnings = vec!["No Archive Warnings Apply".into()];
        input.fandoms.clear();
        assert!(input.draft(None).unwrap_err().contains("fandom"));
        let empty = ChapterInput::from_form(&pairs(&[("body", "  ")]));
        assert_eq!(empty.draft().unwrap_err(), "The chapter needs some text.");
        assert!(matches!(new_work(&input, &empty), Err(e) if e.contains("needs some text")));
    }
}

/// How the author wrote the chapter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Raw text as fans paste it: quire finds the paragraphs, repairs the
    /// encoding and sets the notes apart.
    Plain,
    Markdown,
    /// Through the same allowlist as every author's HTML.
    Html,
}

/// The formats the posting forms and the API take, by name.
pub const TEXT_FORMATS: [&str; 3] = ["plain", "markdown", "html"];

impl TextFormat {
    pub fn from_name(name: &str) -> TextFormat {
        match name {
            "markdown" => TextFormat::Markdown,
            "html" => TextFormat::Html,
            _ => TextFormat::Plain,
        }
    }
}

/// What the preview says quire did to the text.
pub struct Preview {
    pub html: String,
    pub words: usize,
    pub repairs: Vec<(String, String)>,
    pub paragraphs: usize,
    pub scene_breaks: usize,
    /// Notes the text pipeline found at the ends of the text.
    pub found_notes_start: bool,
    pub found_notes_end: bool,
    /// The summary and notes as posting stores them (cleaned HTML).
    pub summary: String,
    pub notes_start: String,
    pub notes_end: String,
    pub placeholders: Vec<String>,
    /// What the text suggests: warnings, then content notes.
    pub suggestions: Vec<crate::detected::Suggestion>,
    pub rating: &'static str,
}

/// The chapter from the text box, and the manuscript quire read from it.
pub fn chapter_of(format: TextFormat, text: &str, mojibake: Mojibake) -> ChapterDraft {
    match format {
        TextFormat::Plain => {
            ChapterDraft::from_manuscript(quire_text::analyze_plain_str_with(text, mojibake))
        }
        TextFormat::Markdown => ChapterDraft::from_markdown_with(text, mojibake),
        TextFormat::Html => ChapterDraft::from_html_with(text, mojibake),
    }
}

pub fn preview_of(chapter: &ChapterDraft) -> Preview {
    let manuscript = &chapter.body;
    let paragraphs: Vec<&str> = manuscript.paragraphs.iter().map(String::as_str).collect();
    let signals = crate::detected::read(&paragraphs);
    Preview {
        suggestions: crate::detected::for_writer(&signals),
        rating: crate::detected::suggested_rating(&signals),
        html: chapter.html.clone(),
        words: manuscript.word_count,
        repairs: manuscript
            .repairs
            .iter()
            .map(|r| (r.before.clone(), r.after.clone()))
            .collect(),
        paragraphs: manuscript.paragraphs.len(),
        scene_breaks: manuscript.scene_breaks.len(),
        found_notes_start: !manuscript.notes.start.is_empty(),
        found_notes_end: !manuscript.notes.end.is_empty(),
        summary: chapter.summary.html().to_string(),
        notes_start: chapter.notes_start.html().to_string(),
        notes_end: chapter.notes_end.html().to_string(),
        placeholders: manuscript
            .placeholders
            .iter()
            .map(|p| format!("{} ({}×)", p.code, p.count))
            .collect(),
    }
}

/// The pseuds a co-creator field names; `Err` carries what to tell the
/// author (a misspelt or ambiguous name).
pub(crate) async fn co_creators(
    app: &crate::App,
    written: &str,
) -> Result<Result<Vec<quire_archive::PseudId>, String>, PageError> {
    match app.archive.find_pseuds(written).await {
        Ok(pseuds) => Ok(Ok(pseuds)),
        Err(
            err @ (ArchiveError::NoPseudNamed(_)
            | ArchiveError::AmbiguousPseud { .. }
            | ArchiveError::Invalid(_)),
        ) => Ok(Err(format!("Co-creators: {err}."))),
        Err(other) => Err(other.into()),
    }
}
