//! Posting a work: the form, a preview of what quire made of the text,
//! and the post itself.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::model::{ArchiveWarning, Category, ChapterDraft, Rating};
use quire_archive::PseudId;

use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
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
    match crate::work_input::new_work(
        &crate::work_input::WorkInput::from_form(&form),
        &crate::work_input::ChapterInput::from_form(&form),
    ) {
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
