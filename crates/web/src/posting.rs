//! Posting a work: the form, a preview of what quire made of the text,
//! and the post itself.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::model::{ArchiveWarning, Category, ChapterDraft, Rating, Warnings, WorkDraft};
use quire_archive::PseudId;

use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
use crate::settings::names;
use crate::visitor::Visitor;
use crate::App;

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
    pub notes_start: String,
    pub notes_end: String,
    pub placeholders: Vec<String>,
    /// What the text suggests: warnings, then content notes.
    pub suggestions: Vec<crate::detected::Suggestion>,
    pub rating: &'static str,
}

/// The work's fields on the posting and editing forms, as the author
/// left them (or as the work stands).
pub struct WorkForm {
    pub form: FormData,
    /// Posting a new work: an empty title may come from the text.
    pub new: bool,
}

impl WorkForm {
    pub fn value(&self, name: &str) -> String {
        self.form.get(name).unwrap_or("").to_string()
    }
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.form.all(name).any(|v| v == value)
    }
    /// A box ticked on a fresh form, as the author left it otherwise.
    pub fn checked_or_default(&self, name: &str, default: bool) -> bool {
        if self.form.0.is_empty() {
            default
        } else {
            self.form.checked(name)
        }
    }
    pub fn ratings(&self) -> [Rating; 5] {
        Rating::ALL
    }
    pub fn warnings(&self) -> [ArchiveWarning; 6] {
        ArchiveWarning::ALL
    }
    pub fn categories(&self) -> [Category; 6] {
        Category::ALL
    }
    pub fn language(&self) -> String {
        self.form.get("language").unwrap_or("en").to_string()
    }
}

#[derive(Template)]
#[template(path = "new_work.html")]
struct NewWorkPage {
    layout: Layout,
    fields: WorkForm,
    /// The author's pseuds, default first: whom to post as.
    pseuds: Vec<(PseudId, String)>,
    error: Option<String>,
    preview: Option<Preview>,
}

impl NewWorkPage {
    fn format(&self) -> String {
        self.fields
            .form
            .get("format")
            .unwrap_or("plain")
            .to_string()
    }
    fn value(&self, name: &str) -> String {
        self.fields.value(name)
    }
    fn posting_as(&self, pseud: &PseudId) -> bool {
        self.fields.value("pseud") == pseud.to_string()
    }
}

fn author(visitor: &Visitor) -> Result<&quire_archive::User, PageError> {
    visitor.active_member("/works/new")
}

pub async fn new_work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
) -> Result<Response, PageError> {
    let user = author(&visitor)?;
    render(&NewWorkPage {
        layout: Layout::new(&visitor, "Post a new work"),
        fields: WorkForm {
            form: FormData::default(),
            new: true,
        },
        pseuds: app.archive.pseuds_of_user(user.id).await?,
        error: None,
        preview: None,
    })
}

/// The chapter from the text box, and the manuscript quire read from it.
pub fn chapter_of(format: TextFormat, text: &str) -> ChapterDraft {
    match format {
        TextFormat::Plain => ChapterDraft::from_manuscript(quire_text::analyze_plain_str(text)),
        TextFormat::Markdown => ChapterDraft::from_markdown(text),
        TextFormat::Html => ChapterDraft::from_html(text),
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
        notes_start: manuscript.notes.start.clone(),
        notes_end: manuscript.notes.end.clone(),
        placeholders: manuscript
            .placeholders
            .iter()
            .map(|p| format!("{} ({}×)", p.code, p.count))
            .collect(),
    }
}

/// The work's tags and preface from the form, without chapters; `text` is
/// the manuscript being posted, whose title and notes fill empty fields.
pub fn metadata_of(
    form: &FormData,
    text: Option<&quire_text::Manuscript>,
) -> Result<WorkDraft, String> {
    let mut title = form.text("title");
    if title.is_empty() {
        title = text.and_then(|m| m.title.clone()).unwrap_or_default();
    }
    if title.is_empty() {
        return Err("Give your work a title.".into());
    }
    // Notes the text pipeline found at the ends of the text become the
    // work's notes, unless the author wrote their own.
    let mut notes_start = form.text("notes_start");
    if let (true, Some(m)) = (notes_start.is_empty(), text) {
        notes_start = m.notes.start.clone();
    }
    let mut notes_end = form.text("notes_end");
    if let (true, Some(m)) = (notes_end.is_empty(), text) {
        notes_end = m.notes.end.clone();
    }
    let rating =
        Rating::from_name(form.get("rating").unwrap_or("Not Rated")).map_err(|e| e.to_string())?;
    let chosen: Vec<&str> = form.all("warnings").collect();
    if chosen.is_empty() {
        return Err("Choose the archive warnings that apply, or \"Creator Chose Not To Use Archive Warnings\" or \"No Archive Warnings Apply\".".into());
    }
    let warnings = Warnings::from_names(chosen).map_err(|e| e.to_string())?;
    let categories = form
        .all("categories")
        .map(Category::from_name)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let fandoms = names(form.get("fandoms").unwrap_or(""));
    if fandoms.is_empty() {
        return Err("Name at least one fandom (or \"Original Work\").".into());
    }
    let complete = form.checked("complete");
    let language = form.text("language");
    let draft = WorkDraft {
        title,
        summary: form.text("summary"),
        notes_start,
        notes_end,
        language: if language.is_empty() {
            "en".into()
        } else {
            language
        },
        rating,
        warnings,
        categories,
        fandoms,
        relationships: names(form.get("relationships").unwrap_or("")),
        characters: names(form.get("characters").unwrap_or("")),
        freeforms: names(form.get("freeforms").unwrap_or("")),
        complete,
        expected_chapters: if complete { Some(1) } else { None },
        restricted: form.checked("restricted"),
        draft: form.checked("draft"),
        chapters: vec![],
    };
    Ok(draft)
}

/// The work the form describes; the first thing the author must change
/// is the error.
pub(crate) fn draft_of(form: &FormData) -> Result<(WorkDraft, Preview), String> {
    let format = TextFormat::from_name(form.get("format").unwrap_or("plain"));
    let text = form.get("body").unwrap_or("");
    if text.trim().is_empty() {
        return Err("The work needs some text: paste or write it in the chapter text box.".into());
    }
    let mut chapter = chapter_of(format, text);
    chapter.title = form.text("chapter_title");
    let preview = preview_of(&chapter);
    let manuscript = &chapter.body;
    let mut draft = metadata_of(form, Some(manuscript))?;
    draft.chapters = vec![chapter];
    draft.validate().map_err(|e| e.to_string())?;
    Ok((draft, preview))
}

pub async fn post_work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = author(&visitor)?;
    let wants_preview = form.get("action") == Some("preview");
    let pseuds = app.archive.pseuds_of_user(user.id).await?;
    // Only one of the author's own; anything else posts as the default.
    let posting_as = form
        .get("pseud")
        .and_then(|p| p.parse::<PseudId>().ok())
        .filter(|p| pseuds.iter().any(|(own, _)| own == p))
        .unwrap_or(user.default_pseud);
    let page = |form: FormData, error: Option<String>, preview: Option<Preview>| NewWorkPage {
        layout: Layout::new(&visitor, "Post a new work"),
        fields: WorkForm { form, new: true },
        pseuds: pseuds.clone(),
        error,
        preview,
    };
    match draft_of(&form) {
        Err(error) => {
            // Show what quire made of the text even when a field is missing.
            let format = TextFormat::from_name(form.get("format").unwrap_or("plain"));
            let text = form.get("body").unwrap_or("").to_string();
            let preview = (!text.trim().is_empty()).then(|| preview_of(&chapter_of(format, &text)));
            let status = axum::http::StatusCode::BAD_REQUEST;
            Ok((status, render(&page(form, Some(error), preview))?).into_response())
        }
        Ok((_, preview)) if wants_preview => render(&page(form, None, Some(preview))),
        Ok((draft, _)) => {
            let refused = |form: FormData, error: String| -> Result<Response, PageError> {
                let status = axum::http::StatusCode::BAD_REQUEST;
                Ok((status, render(&page(form, Some(error), None))?).into_response())
            };
            let co_creators =
                match crate::moderation::pseuds_named(&app, &form.text("co_creators")).await? {
                    Ok(pseuds) => pseuds,
                    Err(error) => return refused(form, error),
                };
            let series = form.text("series");
            let posting = quire_archive::Posting {
                pseud: posting_as,
                draft: &draft,
                series: Some(&series),
                co_creators: &co_creators,
            };
            match app.archive.post_as(user.id, posting).await {
                Ok(id) => Ok(Redirect::to(&format!("/works/{id}?done=posted")).into_response()),
                Err(err) => match PageError::from(err) {
                    PageError::Refused(message) => refused(form, message),
                    other => Err(other),
                },
            }
        }
    }
}
