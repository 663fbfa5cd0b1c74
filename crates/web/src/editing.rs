//! A work's authors change its tags and preface, orphan it or delete it.
//! Anyone else is told the page doesn't exist.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::{Chapter, Work, WorkId};

use crate::access::{own_work, position_of};
use crate::detected::Suggestion;
use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
use crate::posting::WorkForm;
use crate::uploads::{PostedForm, Upload};
use crate::visitor::Visitor;
use crate::work_input::{preview_of, Preview};
use crate::work_input::{ChapterInput, WorkInput};
use crate::App;

#[derive(Template)]
#[template(path = "edit_work.html")]
struct EditWorkPage {
    layout: Layout,
    id: WorkId,
    title: String,
    fields: WorkForm,
    error: Option<String>,
    suggestions: Vec<Suggestion>,
    rating: &'static str,
    /// (chapter id, position, title), in order.
    chapters: Vec<(i64, u32, String)>,
    creators: Vec<String>,
    /// Pseuds invited who haven't answered yet.
    pending: Vec<String>,
    comment_settings: quire_archive::comment_controls::CommentSettings,
}

impl EditWorkPage {
    fn policies(&self) -> [quire_archive::comment_controls::CommentPolicy; 3] {
        quire_archive::comment_controls::CommentPolicy::ALL
    }
}

/// The form as the work stands.
fn form_of(work: &Work) -> FormData {
    let mut pairs = vec![
        ("title".to_string(), work.title.clone()),
        ("summary".to_string(), work.summary.html().to_string()),
        (
            "notes_start".to_string(),
            work.notes_start.html().to_string(),
        ),
        ("notes_end".to_string(), work.notes_end.html().to_string()),
        ("language".to_string(), work.language.clone()),
        (
            "series".to_string(),
            work.series
                .first()
                .map(|s| s.title.clone())
                .unwrap_or_default(),
        ),
        ("rating".to_string(), work.rating.name().to_string()),
        ("fandoms".to_string(), work.fandoms.join(", ")),
        ("relationships".to_string(), work.relationships.join(", ")),
        ("characters".to_string(), work.characters.join(", ")),
        ("freeforms".to_string(), work.freeforms.join(", ")),
    ];
    pairs.extend(
        work.warnings
            .iter()
            .map(|w| ("warnings".to_string(), w.name().to_string())),
    );
    pairs.extend(
        work.categories
            .iter()
            .map(|c| ("categories".to_string(), c.name().to_string())),
    );
    for (flag, on) in [
        ("complete", work.complete),
        ("restricted", work.restricted),
        ("draft", work.draft),
    ] {
        if on {
            pairs.push((flag.to_string(), "1".to_string()));
        }
    }
    FormData(pairs)
}

async fn page(
    app: &App,
    work: &Work,
    visitor: &Visitor,
    form: FormData,
    error: Option<String>,
) -> Result<Response, PageError> {
    let signals = app.signals.read_work(work).await;
    let page = EditWorkPage {
        layout: Layout::new(visitor, format!("Edit {}", work.title)),
        id: work.id,
        title: work.title.clone(),
        fields: WorkForm { form, new: false },
        error: error.clone(),
        suggestions: crate::detected::for_writer(&signals),
        rating: crate::detected::suggested_rating(&signals),
        chapters: work
            .chapters
            .iter()
            .map(|c| (c.id, c.position, c.title.clone()))
            .collect(),
        creators: work.creators.clone(),
        pending: app.archive.pending_creators(work.id).await?,
        comment_settings: app.archive.comment_settings(work.id).await?,
    };
    let status = if error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn edit_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (work, _) = own_work(&app, &visitor, &id).await?;
    page(&app, &work, &visitor, form_of(&work), None).await
}

pub async fn save(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, user) = own_work(&app, &visitor, &id).await?;
    let input = WorkInput::from_form(&form);
    let draft = match input.draft(None) {
        Ok(draft) => draft,
        Err(error) => return page(&app, &work, &visitor, form, Some(error)).await,
    };
    match app
        .archive
        .edit_as(user.id, work.id, &draft, Some(&input.series))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/works/{}?done=edited", work.id)).into_response()),
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => page(&app, &work, &visitor, form, Some(message)).await,
            other => Err(other),
        },
    }
}

pub async fn delete(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, user) = own_work(&app, &visitor, &id).await?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(
            "Tick the box to confirm the deletion.".into(),
        ));
    }
    crate::media_files::delete_work(&app, work.id).await?;
    app.downloads.forget_work(work.id);
    Ok(Redirect::to(&format!(
        "/users/{}/works",
        crate::pages::encode(&user.login)
    ))
    .into_response())
}

pub async fn orphan(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, user) = own_work(&app, &visitor, &id).await?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(
            "Tick the box to confirm orphaning.".into(),
        ));
    }
    app.archive.orphan_work(work.id, user.id).await?;
    Ok(Redirect::to(&format!("/works/{}", work.id)).into_response())
}

/// Co-creators: invite more, or take oneself off a shared work.
pub async fn creators(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, user) = own_work(&app, &visitor, &id).await?;
    match form.get("action") {
        Some("invite") => {
            let pseuds =
                match crate::work_input::co_creators(&app, &form.text("co_creators")).await? {
                    Ok(pseuds) if pseuds.is_empty() => {
                        let error = "Name the pseuds to invite, commas between.".to_string();
                        return page(&app, &work, &visitor, form_of(&work), Some(error)).await;
                    }
                    Ok(pseuds) => pseuds,
                    Err(error) => {
                        return page(&app, &work, &visitor, form_of(&work), Some(error)).await
                    }
                };
            app.archive
                .invite_creators(work.id, &pseuds, user.id)
                .await?;
            Ok(Redirect::to(&format!("/works/{}?done=invited", work.id)).into_response())
        }
        Some("leave") => {
            app.archive.remove_creator(work.id, user.id).await?;
            // A draft is no longer theirs to see.
            let to = if work.draft {
                "/dashboard".to_string()
            } else {
                format!("/works/{}?done=left", work.id)
            };
            Ok(Redirect::to(&to).into_response())
        }
        _ => Err(PageError::Refused(
            "Choose what to do: invite co-creators, or remove yourself.".into(),
        )),
    }
}

#[derive(Template)]
#[template(path = "chapter_form.html")]
struct ChapterPage {
    layout: Layout,
    heading: String,
    /// Where the form posts.
    action: String,
    submit: &'static str,
    form: FormData,
    error: Option<String>,
    preview: Option<Preview>,
    /// What quire repaired when the chapter being edited was last saved.
    repaired: Vec<(String, String)>,
}

impl ChapterPage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).unwrap_or("").to_string()
    }
    fn format(&self) -> String {
        self.form.get("format").unwrap_or("plain").to_string()
    }
    fn keeps_as_typed(&self) -> bool {
        self.form.get("keep_as_typed").is_some()
    }
}

/// What a chapter form is for: a new chapter at the end, or one to edit.
struct ChapterTarget {
    heading: String,
    action: String,
    submit: &'static str,
    /// The chapter being edited (id, position).
    editing: Option<(i64, u32)>,
}

impl ChapterTarget {
    fn new_chapter(work: &Work) -> ChapterTarget {
        ChapterTarget {
            heading: format!("Add a chapter to “{}”", work.title),
            action: format!("/works/{}/chapters/new", work.id),
            submit: "Post chapter",
            editing: None,
        }
    }

    fn existing<'w>(
        work: &'w Work,
        position: &str,
    ) -> Result<(ChapterTarget, &'w Chapter), PageError> {
        let position: u32 = position.parse().map_err(|_| PageError::NotFound)?;
        let chapter = work
            .chapters
            .iter()
            .find(|c| c.position == position)
            .ok_or(PageError::NotFound)?;
        let target = ChapterTarget {
            heading: format!("Edit chapter {position} of “{}”", work.title),
            action: format!("/works/{}/chapters/{position}/edit", work.id),
            submit: "Save chapter",
            editing: Some((chapter.id, position)),
        };
        Ok((target, chapter))
    }

    fn page(&self, visitor: &Visitor, form: FormData, error: Option<String>) -> ChapterPage {
        ChapterPage {
            layout: Layout::new(visitor, self.heading.clone()),
            heading: self.heading.clone(),
            action: self.action.clone(),
            submit: self.submit,
            form,
            error,
            preview: None,
            repaired: Vec::new(),
        }
    }
}

pub async fn new_chapter_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (work, _) = own_work(&app, &visitor, &id).await?;
    render(&ChapterTarget::new_chapter(&work).page(&visitor, FormData::default(), None))
}

pub async fn add_chapter(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    posted: PostedForm,
) -> Result<Response, PageError> {
    visitor.check_csrf(posted.form.get("csrf"))?;
    let (work, _) = own_work(&app, &visitor, &id).await?;
    save_chapter(
        &app,
        &visitor,
        &work,
        ChapterTarget::new_chapter(&work),
        posted,
    )
    .await
}

/// The chapter's form as it stands: its text as the HTML it is kept as.
pub async fn edit_chapter_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((id, position)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (work, _) = own_work(&app, &visitor, &id).await?;
    let (target, chapter) = ChapterTarget::existing(&work, &position)?;
    let form = FormData(vec![
        ("chapter_title".into(), chapter.title.clone()),
        ("chapter_summary".into(), chapter.summary.html().to_string()),
        (
            "chapter_notes_start".into(),
            chapter.notes_start.html().to_string(),
        ),
        (
            "chapter_notes_end".into(),
            chapter.notes_end.html().to_string(),
        ),
        ("format".into(), "html".into()),
        ("body".into(), chapter.html.clone()),
    ]);
    let mut page = target.page(&visitor, form, None);
    page.repaired = chapter
        .body
        .repairs
        .iter()
        .map(|r| (r.before.clone(), r.after.clone()))
        .collect();
    render(&page)
}

pub async fn edit_chapter(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((id, position)): Path<(String, String)>,
    posted: PostedForm,
) -> Result<Response, PageError> {
    visitor.check_csrf(posted.form.get("csrf"))?;
    let (work, _) = own_work(&app, &visitor, &id).await?;
    let (target, _) = ChapterTarget::existing(&work, &position)?;
    save_chapter(&app, &visitor, &work, target, posted).await
}

/// Previews, adds or saves the chapter a form describes; a refusal comes
/// back as the form with the reason.
async fn save_chapter(
    app: &App,
    visitor: &Visitor,
    work: &Work,
    target: ChapterTarget,
    PostedForm { form, files }: PostedForm,
) -> Result<Response, PageError> {
    let refused = |form: FormData, error: String| -> Result<Response, PageError> {
        let status = axum::http::StatusCode::BAD_REQUEST;
        Ok((status, render(&target.page(visitor, form, Some(error)))?).into_response())
    };
    let uploads = match crate::uploads::prepare_uploads(app, &form, files).await {
        Ok(uploads) => uploads,
        Err(PageError::Refused(error)) => return refused(form, error),
        Err(other) => return Err(other),
    };
    let mut input = ChapterInput::from_form(&form);
    input.uploads = Upload::placed(&uploads);
    let chapter = match input.draft() {
        Ok(chapter) => chapter,
        Err(error) => return refused(form, error),
    };
    if form.get("action") == Some("preview") {
        let mut page = target.page(visitor, form, None);
        page.preview = Some(preview_of(&chapter));
        return render(&page);
    }
    let user = visitor.active_member(format!("/works/{}", work.id))?.id;
    if let Err(error) = crate::uploads::keep_files(app, user, &uploads).await {
        return match error {
            PageError::Refused(message) => refused(form, message),
            other => Err(other),
        };
    }
    let rows = Upload::rows(&uploads);
    let media = crate::uploads::media_upload(app, user, &rows);
    let saved = match target.editing {
        Some((id, position)) => app
            .archive
            .edit_chapter_with_media(work.id, id, &chapter, media)
            .await
            .map(|()| (position, "chapter-edited")),
        None => match app
            .archive
            .add_chapter_with_media(work.id, &chapter, media)
            .await
        {
            // Its place is read back: another chapter may have been added
            // to the work since this page loaded it.
            Ok(added) => Ok((position_of(app, work.id, added).await?, "chapter")),
            Err(err) => Err(err),
        },
    };
    match saved {
        Ok((position, done)) => Ok(Redirect::to(&format!(
            "/works/{}/chapters/{position}?done={done}",
            work.id
        ))
        .into_response()),
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => refused(form, message),
            other => Err(other),
        },
    }
}

/// New chapter numbers from the form (`order:<chapter id>` = number): the
/// chapters sorted by them, ties kept in their old order.
fn new_order(work: &Work, form: &FormData) -> Result<Vec<i64>, PageError> {
    let mut numbered = Vec::with_capacity(work.chapters.len());
    for chapter in &work.chapters {
        let number: u32 = form
            .get(&format!("order:{}", chapter.id))
            .map(str::trim)
            .unwrap_or("")
            .parse()
            .map_err(|_| {
                PageError::Refused(format!(
                    "Give chapter {} a whole number for its new place.",
                    chapter.position
                ))
            })?;
        numbered.push((number, chapter.position, chapter.id));
    }
    numbered.sort();
    Ok(numbered.into_iter().map(|(_, _, id)| id).collect())
}

pub async fn reorder_chapters(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, _) = own_work(&app, &visitor, &id).await?;
    let order = new_order(&work, &form)?;
    app.archive.reorder_chapters(work.id, &order).await?;
    Ok(Redirect::to(&format!(
        "/works/{}?view_full_work=true&done=reordered",
        work.id
    ))
    .into_response())
}

pub async fn delete_chapter(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, _) = own_work(&app, &visitor, &id).await?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(
            "Tick the box to confirm the deletion.".into(),
        ));
    }
    let chapter = form
        .get("chapter")
        .and_then(|c| c.parse::<i64>().ok())
        .filter(|c| work.chapters.iter().any(|ch| ch.id == *c))
        .ok_or(PageError::NotFound)?;
    app.archive.delete_chapter(work.id, chapter).await?;
    Ok(Redirect::to(&format!("/works/{}/edit", work.id)).into_response())
}
