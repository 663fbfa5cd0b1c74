//! Posting a work: the form, a preview of what quire made of the text,
//! and the post itself.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::model::{ArchiveWarning, Category, Rating};
use quire_archive::PseudId;

use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
use crate::uploads::{PostedForm, Upload};
use crate::visitor::Visitor;
use crate::work_input::{chapter_of, preview_of, Preview};
use crate::App;

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
    pub fn languages(&self) -> Vec<crate::pages::LanguageChoice> {
        crate::pages::language_choices(self.form.get("language").unwrap_or("en"))
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
    fn keeps_as_typed(&self) -> bool {
        self.fields.form.get("keep_as_typed").is_some()
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

pub async fn post_work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    PostedForm { form, files }: PostedForm,
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
    let uploads = match crate::uploads::prepare_uploads(&app, &form, files).await {
        Ok(uploads) => uploads,
        Err(PageError::Refused(error)) => {
            let status = axum::http::StatusCode::BAD_REQUEST;
            return Ok((status, render(&page(form, Some(error), None))?).into_response());
        }
        Err(other) => return Err(other),
    };
    let mut chapter = crate::work_input::ChapterInput::from_form(&form);
    chapter.uploads = Upload::placed(&uploads);
    match crate::work_input::new_work(&crate::work_input::WorkInput::from_form(&form), &chapter) {
        Err(error) => {
            // Show what quire made of the text even when a field is missing.
            let chapter = crate::work_input::ChapterInput::from_form(&form);
            let preview = (!chapter.body.trim().is_empty()).then(|| {
                preview_of(&chapter_of(
                    chapter.format,
                    &chapter.body,
                    chapter.mojibake(),
                ))
            });
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
                match crate::work_input::co_creators(&app, &form.text("co_creators")).await? {
                    Ok(pseuds) => pseuds,
                    Err(error) => return refused(form, error),
                };
            let series = form.text("series");
            if let Err(error) = crate::uploads::keep_files(&app, user.id, &uploads).await {
                return match error {
                    PageError::Refused(message) => refused(form, message),
                    other => Err(other),
                };
            }
            let rows = Upload::rows(&uploads);
            let posting = quire_archive::Posting {
                pseud: posting_as,
                draft: &draft,
                series: Some(&series),
                co_creators: &co_creators,
                media: crate::uploads::media_upload(&app, user.id, &rows),
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
