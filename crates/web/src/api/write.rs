//! What a token with the `write` scope may change: works and chapters,
//! kudos, comments, bookmarks, subscriptions, and its account's mute list
//! and reader-insert profile.
//!
//! A body is turned into the form the site's pages would have sent and
//! checked by the same code, so the rules (the warnings, a fandom, a
//! rating, the text) and their wording are the site's.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quire_archive::model::{ArchiveWarning, Rating};
use quire_archive::{BookmarkNote, Commenter, Kudoser, SubscriptionTarget};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::names::{CategoryName, RatingName, TextFormatName, WarningName};
use super::read::{visible, work_out, Mutes, ReaderInsert, WorkOut};
use super::{ApiError, ApiJson, Caller, Problem};
use crate::work_input::TextFormat;
use crate::work_input::{new_work, ChapterInput, WorkInput};
use crate::App;

/// A work's tags and preface, as the posting form has them.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(example = json!({
    "title": "Lanterns", "rating": "Teen And Up Audiences",
    "warnings": ["No Archive Warnings Apply"], "categories": ["Gen"],
    "fandoms": ["Original Work"], "freeforms": ["Fluff"], "complete": true
}))]
pub(crate) struct WorkFields {
    /// Taken from the text's first line when left out of a new work.
    #[schema(max_length = 255)]
    title: String,
    /// HTML as in AO3's summary box, without media: blank lines make
    /// paragraphs, a single line break a `<br />`. At most 1,250
    /// characters of text; markup up to eight times that.
    #[schema(max_length = 10000)]
    summary: String,
    /// HTML as the summary; at most 5,000 characters of text.
    #[schema(max_length = 40000)]
    notes_start: String,
    /// HTML as the summary; at most 5,000 characters of text.
    #[schema(max_length = 40000)]
    notes_end: String,
    /// A language code; `en` when left out.
    language: String,
    /// `Not Rated` when left out.
    #[schema(value_type = Option<RatingName>)]
    rating: Option<String>,
    /// At least one: the archive warnings that apply, or `Creator Chose Not To Use Archive Warnings`, or `No Archive Warnings Apply`.
    #[schema(value_type = Vec<WarningName>)]
    warnings: Vec<String>,
    #[schema(value_type = Vec<CategoryName>)]
    categories: Vec<String>,
    /// At least one (or `Original Work`). Tag names hold no commas, and
    /// are at most 150 characters; a work has at most 75 tags of these four
    /// kinds together.
    #[schema(max_items = 75)]
    fandoms: Vec<String>,
    #[schema(max_items = 75)]
    relationships: Vec<String>,
    #[schema(max_items = 75)]
    characters: Vec<String>,
    #[schema(max_items = 75)]
    freeforms: Vec<String>,
    complete: bool,
    /// Only signed-in readers see it.
    restricted: bool,
    /// Kept unposted, seen by its creators only.
    draft: bool,
    /// A series of the caller's to add the work to, made if new.
    #[schema(max_length = 240)]
    series: Option<String>,
}

impl WorkFields {
    /// What the writer sent, as the forms' fields are read.
    fn input(&self) -> Result<WorkInput, ApiError> {
        for (name, tags) in [
            ("fandoms", &self.fandoms),
            ("relationships", &self.relationships),
            ("characters", &self.characters),
            ("freeforms", &self.freeforms),
        ] {
            if let Some(tag) = tags.iter().find(|t| t.contains(',')) {
                return Err(ApiError::invalid(format!(
                    "`{tag}` in {name}: a tag's name can't hold a comma."
                )));
            }
        }
        Ok(WorkInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            notes_start: self.notes_start.clone(),
            notes_end: self.notes_end.clone(),
            language: self.language.clone(),
            rating: self.rating.clone(),
            warnings: self.warnings.clone(),
            categories: self.categories.clone(),
            fandoms: self.fandoms.clone(),
            relationships: self.relationships.clone(),
            characters: self.characters.clone(),
            freeforms: self.freeforms.clone(),
            complete: self.complete,
            restricted: self.restricted,
            draft: self.draft,
            series: self.series.as_deref().unwrap_or("").trim().to_string(),
        })
    }
}

/// How a chapter's text is written.
fn checked_format(format: &Option<String>) -> Result<TextFormat, ApiError> {
    let format = format.as_deref().unwrap_or("plain");
    if crate::work_input::TEXT_FORMATS.contains(&format) {
        Ok(TextFormat::from_name(format))
    } else {
        Err(ApiError::invalid(format!(
            "`{format}` is not a format quire reads; use plain (raw text, repaired), markdown or html."
        )))
    }
}

/// A new work and its first chapter.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "title": "Lanterns", "rating": "General Audiences",
    "warnings": ["No Archive Warnings Apply"], "fandoms": ["Original Work"],
    "freeforms": ["Fluff"], "body": "Y/N lit the first lantern. -- (6 months later) The last one went out."
}))]
pub(crate) struct NewWork {
    #[serde(flatten)]
    fields: WorkFields,
    /// The first chapter's text.
    #[serde(default)]
    body: String,
    /// `plain` when left out.
    #[serde(default)]
    #[schema(value_type = Option<TextFormatName>)]
    format: Option<String>,
    #[serde(default)]
    chapter_title: String,
    /// Keep the text as typed: no mojibake repair (the answer's `repairs`
    /// list what a post without it changed).
    #[serde(default)]
    keep_as_typed: bool,
    /// One of the caller's pseuds to post as; the default pseud otherwise.
    #[serde(default)]
    pseud: Option<String>,
}

/// The work, made or changed, as the caller now sees it.
async fn work_answer(
    app: &App,
    caller: &Caller,
    id: i64,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let work = app
        .archive
        .work_for(id, caller.visitor.viewer())
        .await?
        .ok_or_else(ApiError::no_such_work)?;
    let body = work_out(app, &work, &caller.visitor.settings.fill_profile()).await?;
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::CREATED {
        if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/works/{id}")) {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    Ok(response)
}

/// Posts a work (or saves it as a draft) from its text, which quire
/// repairs and lays out as the posting form does.
#[utoipa::path(post, path = "/api/v1/works", tag = "works",
    request_body = NewWork,
    responses(
        (status = 201, description = "Posted; `Location` is its address.", body = WorkOut, headers(("Location" = String))),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Something the work needs is missing or wrong; `detail` says what.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn post_work(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewWork>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let input = new.fields.input()?;
    let chapter = ChapterInput {
        format: checked_format(&new.format)?,
        body: new.body.clone(),
        keep_as_typed: new.keep_as_typed,
        title: new.chapter_title.clone(),
        summary: String::new(),
        notes_start: String::new(),
        notes_end: String::new(),
        uploads: Vec::new(),
    };
    let (draft, _) = new_work(&input, &chapter).map_err(ApiError::invalid)?;
    let posting_as = match &new.pseud {
        None => user.default_pseud,
        Some(name) => match app.archive.own_pseud_named(user.id, name).await? {
            Some(pseud) => pseud,
            None => {
                let pseuds = app.archive.pseuds_of_user(user.id).await?;
                return Err(ApiError::invalid(format!(
                    "`{name}` is not one of your pseuds; yours are {}.",
                    pseuds
                        .iter()
                        .map(|(_, p)| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        },
    };
    let posting = quire_archive::Posting {
        pseud: posting_as,
        draft: &draft,
        series: Some(&input.series),
        co_creators: &[],
        media: None,
    };
    let id = app.archive.post_as(user.id, posting).await?;
    work_answer(&app, &caller, id, StatusCode::CREATED).await
}

/// The caller's own work to change; anyone else's is as if it weren't there.
async fn own_work(app: &App, caller: &Caller, id: &str) -> Result<quire_archive::Work, ApiError> {
    caller.writer()?;
    match crate::access::own_work(app, &caller.visitor, id).await {
        Ok((work, _)) => Ok(work),
        Err(crate::pages::PageError::NotFound) => Err(ApiError::no_such_work()),
        Err(other) => Err(other.into()),
    }
}

/// Replaces a work's tags and preface (its chapters stay as they are).
#[utoipa::path(put, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    request_body = WorkFields,
    responses(
        (status = 200, description = "Saved.", body = WorkOut),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Something the work needs is missing or wrong.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn edit_work(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(fields): ApiJson<WorkFields>,
) -> Result<Response, ApiError> {
    let work = own_work(&app, &caller, &id).await?;
    let user = caller.writer()?.clone();
    let input = fields.input()?;
    let draft = input.draft(None).map_err(ApiError::invalid)?;
    app.archive
        .edit_as(user.id, work.id, &draft, Some(&input.series))
        .await?;
    work_answer(&app, &caller, work.id, StatusCode::OK).await
}

/// Deletes a work, its chapters, comments and kudos. Bookmarks of it stay,
/// with its title.
#[utoipa::path(delete, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete_work(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let work = own_work(&app, &caller, &id).await?;
    crate::media_files::delete_work(&app, work.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A chapter's text and preface.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"title": "Morning", "body": "The *second* chapter.", "format": "markdown"}))]
pub(crate) struct ChapterIn {
    body: String,
    /// `plain` when left out.
    #[serde(default)]
    #[schema(value_type = Option<TextFormatName>)]
    format: Option<String>,
    #[serde(default)]
    #[schema(max_length = 255)]
    title: String,
    /// Keep the text as typed: no mojibake repair (the answer's `repairs`
    /// list what a save without it changed).
    #[serde(default)]
    keep_as_typed: bool,
    /// HTML as the work's summary: at most 1,250 characters of text.
    #[serde(default)]
    #[schema(max_length = 10000)]
    summary: String,
    /// HTML as the work's notes: at most 5,000 characters of text.
    #[serde(default)]
    #[schema(max_length = 40000)]
    notes_start: String,
    #[serde(default)]
    #[schema(max_length = 40000)]
    notes_end: String,
}

impl ChapterIn {
    fn draft(&self) -> Result<quire_archive::model::ChapterDraft, ApiError> {
        ChapterInput {
            format: checked_format(&self.format)?,
            body: self.body.clone(),
            keep_as_typed: self.keep_as_typed,
            title: self.title.clone(),
            summary: self.summary.clone(),
            notes_start: self.notes_start.clone(),
            notes_end: self.notes_end.clone(),
            uploads: Vec::new(),
        }
        .draft()
        .map_err(ApiError::invalid)
    }
}

/// Where a chapter now stands, and what quire repaired in its text.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChapterPlace {
    position: u32,
    /// Its text, at `/api/v1/works/{id}/chapters/{position}`.
    url: String,
    /// Garbled characters quire repaired in the text given.
    repairs: Vec<super::read::RepairOut>,
}

fn chapter_place(
    work: i64,
    position: u32,
    text: &quire_text::Manuscript,
    status: StatusCode,
) -> Response {
    let url = format!("/api/v1/works/{work}/chapters/{position}");
    let mut response = (
        status,
        Json(ChapterPlace {
            position,
            url: url.clone(),
            repairs: super::read::repairs_of(text),
        }),
    )
        .into_response();
    if status == StatusCode::CREATED {
        if let Ok(location) = HeaderValue::from_str(&url) {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    response
}

/// Adds a chapter at the end of a work.
#[utoipa::path(post, path = "/api/v1/works/{id}/chapters", tag = "works",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    request_body = ChapterIn,
    responses(
        (status = 201, description = "Added; `Location` is its address.", body = ChapterPlace, headers(("Location" = String))),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The chapter has no text, or an unknown format.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn add_chapter(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(chapter): ApiJson<ChapterIn>,
) -> Result<Response, ApiError> {
    let work = own_work(&app, &caller, &id).await?;
    let draft = chapter.draft()?;
    let added = app.archive.add_chapter(work.id, &draft).await?;
    let position = crate::access::position_of(&app, work.id, added).await?;
    Ok(chapter_place(
        work.id,
        position,
        &draft.body,
        StatusCode::CREATED,
    ))
}

fn chapter_at(work: &quire_archive::Work, position: &str) -> Result<i64, ApiError> {
    super::read::chapter_of(work, position).map(|chapter| chapter.id)
}

/// Replaces a chapter's text and preface.
#[utoipa::path(put, path = "/api/v1/works/{id}/chapters/{position}", tag = "works",
    params(
        ("id" = i64, Path, description = "The work's id.", example = 1),
        ("position" = u32, Path, description = "The chapter's number, from 1.", example = 1),
    ),
    request_body = ChapterIn,
    responses(
        (status = 200, description = "Saved.", body = ChapterPlace),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's, or no such chapter.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The chapter has no text, or an unknown format.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn edit_chapter(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((id, position)): Path<(String, String)>,
    ApiJson(chapter): ApiJson<ChapterIn>,
) -> Result<Response, ApiError> {
    let work = own_work(&app, &caller, &id).await?;
    let chapter_id = chapter_at(&work, &position)?;
    let draft = chapter.draft()?;
    app.archive
        .edit_chapter(work.id, chapter_id, &draft)
        .await?;
    let position = crate::access::position_of(&app, work.id, chapter_id).await?;
    Ok(chapter_place(
        work.id,
        position,
        &draft.body,
        StatusCode::OK,
    ))
}

/// Deletes a chapter; the ones after it move up. A work keeps at least one.
#[utoipa::path(delete, path = "/api/v1/works/{id}/chapters/{position}", tag = "works",
    params(
        ("id" = i64, Path, description = "The work's id.", example = 1),
        ("position" = u32, Path, description = "The chapter's number, from 1.", example = 1),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's, or no such chapter.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "It is the work's only chapter: delete the work instead.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete_chapter(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((id, position)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let work = own_work(&app, &caller, &id).await?;
    let chapter_id = chapter_at(&work, &position)?;
    app.archive.delete_chapter(work.id, chapter_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The work's kudos now.
#[derive(Serialize, ToSchema)]
pub(crate) struct KudosOut {
    kudos: i64,
    /// False when the caller had already left kudos.
    new: bool,
}

/// Leaves kudos on a work, once per account.
#[utoipa::path(post, path = "/api/v1/works/{id}/kudos", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 201, description = "Kudos left.", body = KudosOut),
        (status = 200, description = "The caller had left kudos already.", body = KudosOut),
        (status = 403, description = "The token may only read, the account is suspended, or a creator of the work has blocked the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The caller's own work, or a draft.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn kudos(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    let new = app
        .archive
        .leave_kudos(work.id, &Kudoser::User(user.id))
        .await?;
    let kudos = app.archive.kudos_count(work.id).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(KudosOut { kudos, new })).into_response())
}

/// A comment to post.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"body": "This made my day.", "chapter": 1}))]
pub(crate) struct CommentIn {
    /// HTML as on AO3, without media: blank lines make paragraphs. At
    /// most 10,000 characters of text.
    #[schema(max_length = 80000)]
    body: String,
    /// The chapter's number; the first when left out.
    #[serde(default)]
    chapter: Option<u32>,
    /// The comment this answers.
    #[serde(default)]
    parent: Option<i64>,
}

/// What was made, and where it can be read.
#[derive(Serialize, ToSchema)]
pub(crate) struct Created {
    pub(crate) id: i64,
    pub(crate) url: String,
}

/// Comments on a chapter of a work, as the caller's default pseud.
#[utoipa::path(post, path = "/api/v1/works/{id}/comments", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    request_body = CommentIn,
    responses(
        (status = 201, description = "Posted.", body = Created),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, the account is suspended, the work takes comments from signed-in readers only, or a creator of the work (or the writer of the comment answered) has blocked the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work, chapter or comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty comment, a draft, a frozen thread, a comment still waiting for approval, or a work whose comments are turned off.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn comment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(comment): ApiJson<CommentIn>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    let position = comment.chapter.unwrap_or(1);
    let chapter = chapter_at(&work, &position.to_string())?;
    if let Some(limits) = &app.comment_limits {
        if limits.check_key(&caller.visitor.rate_key()).is_err() {
            return Err(crate::pages::PageError::TooManyComments.into());
        }
    }
    let id = app
        .archive
        .add_comment(
            chapter,
            &Commenter::Pseud(user.default_pseud),
            comment.parent,
            &comment.body,
        )
        .await?;
    let url = format!("/api/v1/works/{}/chapters/{position}/comments", work.id);
    Ok((StatusCode::CREATED, Json(Created { id, url })).into_response())
}

/// A comment's new text.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"body": "This made my week, in fact."}))]
pub(crate) struct CommentEdit {
    /// HTML, as a new comment.
    #[schema(max_length = 80000)]
    body: String,
}

/// The comment and its work, if the caller may see them.
pub(crate) async fn visible_comment(app: &App, caller: &Caller, id: &str) -> Result<i64, ApiError> {
    match crate::access::comment_work(app, &caller.visitor, id).await {
        Ok((comment, _)) => Ok(comment),
        Err(crate::pages::PageError::NotFound) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-comment",
            format!("There is no comment `{id}` that you can see."),
        )),
        Err(other) => Err(other.into()),
    }
}

/// Edits a comment; only its writer may.
#[utoipa::path(put, path = "/api/v1/comments/{id}", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    request_body = CommentEdit,
    responses(
        (status = 200, description = "Saved.", body = Created),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's comment, a read-only token, a suspended account, or a frozen thread.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty comment.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn edit_comment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<CommentEdit>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let comment = visible_comment(&app, &caller, &id).await?;
    app.archive
        .edit_comment(comment, user.id, &edit.body)
        .await?;
    let url = format!("/api/v1/comments/{comment}");
    Ok(Json(Created { id: comment, url }).into_response())
}

/// Deletes a comment: its writer, the work's creators and admins may.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Not the caller's to delete, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete_comment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let comment = visible_comment(&app, &caller, &id).await?;
    app.archive.delete_comment(comment, user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Freezes a comment's thread, the comment and its replies at every depth:
/// no replies, no edits. The work's creators and admins may.
#[utoipa::path(put, path = "/api/v1/comments/{id}/freeze", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Frozen (or already frozen)."),
        (status = 403, description = "Not a creator of the work nor an admin, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn freeze_comment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_thread_frozen(&app, &caller, &id, true).await
}

/// Unfreezes a comment's thread at every depth: it takes replies and edits
/// again. The work's creators and admins may.
#[utoipa::path(delete, path = "/api/v1/comments/{id}/freeze", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Unfrozen (or it wasn't frozen)."),
        (status = 403, description = "Not a creator of the work nor an admin, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unfreeze_comment(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_thread_frozen(&app, &caller, &id, false).await
}

async fn set_thread_frozen(
    app: &App,
    caller: &Caller,
    id: &str,
    frozen: bool,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let comment = visible_comment(app, caller, id).await?;
    if frozen {
        app.archive.freeze_comment(comment, user.id).await?;
    } else {
        app.archive.unfreeze_comment(comment, user.id).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A bookmark's note and tags.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"note": "Read it twice.", "tags": ["comfort read"], "rec": true}))]
#[serde(default)]
pub(crate) struct BookmarkIn {
    /// HTML as on AO3, without media; at most 5,000 characters of text.
    #[schema(max_length = 40000)]
    note: String,
    /// The bookmarker's own tags, each at most 150 characters.
    #[schema(max_items = 75)]
    tags: Vec<String>,
    /// Seen by the bookmarker only.
    private: bool,
    /// A recommendation.
    rec: bool,
}

impl BookmarkIn {
    pub(crate) fn note(self) -> BookmarkNote {
        BookmarkNote {
            note: self.note,
            tags: self.tags,
            private: self.private,
            rec: self.rec,
        }
    }
}

/// Bookmarks a work. A reader keeps one bookmark per work: bookmarking it
/// again changes that one, and answers its id.
#[utoipa::path(post, path = "/api/v1/works/{id}/bookmarks", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    request_body = BookmarkIn,
    responses(
        (status = 201, description = "Bookmarked; `url` lists the account's bookmarks.", body = Created),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A draft.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn bookmark(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(bookmark): ApiJson<BookmarkIn>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    let id = app
        .archive
        .add_bookmark(work.id, user.default_pseud, &bookmark.note())
        .await?;
    let url = format!("/api/v1/users/{}/bookmarks", user.login);
    Ok((StatusCode::CREATED, Json(Created { id, url })).into_response())
}

/// Subscribes to a work, to hear of its new chapters.
#[utoipa::path(put, path = "/api/v1/works/{id}/subscription", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 204, description = "Subscribed (or already so)."),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn subscribe(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    app.archive
        .subscribe(user.id, SubscriptionTarget::Work(work.id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ends a subscription to a work.
#[utoipa::path(delete, path = "/api/v1/works/{id}/subscription", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 204, description = "Unsubscribed (or never was)."),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unsubscribe(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    app.archive
        .unsubscribe(user.id, SubscriptionTarget::Work(work.id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Replaces the token holder's mute list.
#[utoipa::path(put, path = "/api/v1/me/mutes", tag = "me",
    request_body = Mutes,
    responses(
        (status = 200, description = "Saved.", body = Mutes),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rating, warning or content note that isn't one, or a login nobody has.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn set_mutes(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(mutes): ApiJson<Mutes>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?;
    let mut settings = caller.visitor.settings.clone();
    settings.mute_ratings = mutes
        .ratings
        .iter()
        .map(|name| Rating::from_name(name).map_err(|e| ApiError::invalid(e.to_string())))
        .collect::<Result<_, _>>()?;
    settings.mute_warnings = mutes
        .warnings
        .iter()
        .map(|name| ArchiveWarning::from_name(name).map_err(|e| ApiError::invalid(e.to_string())))
        .collect::<Result<_, _>>()?;
    settings.mute_detected = mutes
        .content_notes
        .iter()
        .map(|name| {
            quire_text::NoteKind::from_name(name)
                .map(|note| note.name().to_string())
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "`{name}` is not a content note quire suggests; the preferences page lists them."
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    let clean = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect()
    };
    let people = clean(&mutes.people);
    crate::keeping_away::check_logins(&app, &people)
        .await
        .map_err(|err| match err {
            crate::pages::PageError::Refused(reason) => ApiError::invalid(reason),
            other => other.into(),
        })?;
    settings
        .set_mutes(clean(&mutes.tags), clean(&mutes.authors), people)
        .map_err(|err| ApiError::invalid(err.to_string()))?;
    app.archive
        .set_preferences(user.id, &settings.to_json())
        .await?;
    Ok(Json(super::read::mutes_of(&settings)).into_response())
}

/// Replaces the token holder's reader-insert profile.
#[utoipa::path(put, path = "/api/v1/me/reader-insert", tag = "me",
    request_body = ReaderInsert,
    responses(
        (status = 200, description = "Saved.", body = ReaderInsert),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A code quire doesn't know, or a value it can't use.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn set_reader_insert(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(profile): ApiJson<ReaderInsert>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?;
    let mut settings = caller.visitor.settings.clone();
    settings.fill.clear();
    for (code, value) in &profile.fill {
        settings
            .set_fill(code, value)
            .map_err(|err| ApiError::invalid(err.to_string()))?;
    }
    app.archive
        .set_preferences(user.id, &settings.to_json())
        .await?;
    Ok(Json(ReaderInsert {
        fill: settings.fill.iter().cloned().collect(),
    })
    .into_response())
}
