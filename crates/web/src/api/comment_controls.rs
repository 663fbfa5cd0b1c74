//! A work's comment controls through the API: who may comment and whether
//! comments wait (the work's creators), approving and hiding comments (the
//! creators and admins), spam and removing one person's comments (admins).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quire_archive::comment_controls::{CommentPolicy, CommentSettings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::read::visible;
use super::write::visible_comment;
use super::{ApiError, ApiJson, Caller, Problem};
use crate::App;

/// Who may comment on a work, and whether comments wait for approval.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"policy": "registered", "moderated": true}))]
pub(crate) struct CommentSettingsBody {
    /// `everyone`, `registered` (signed-in readers) or `none`.
    #[schema(value_type = String, pattern = "^(everyone|registered|none)$")]
    policy: String,
    /// New comments wait for the creators' approval (theirs never do).
    moderated: bool,
}

fn body_of(settings: CommentSettings) -> CommentSettingsBody {
    CommentSettingsBody {
        policy: settings.policy.name().to_string(),
        moderated: settings.moderated,
    }
}

/// A work's comment settings.
#[utoipa::path(get, path = "/api/v1/works/{id}/comment-settings", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 200, description = "The settings.", body = CommentSettingsBody),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn comment_settings(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let work = visible(&app, &caller, &id).await?;
    let settings = app.archive.comment_settings(work.id).await?;
    Ok(Json(body_of(settings)).into_response())
}

/// Sets who may comment on a work and whether comments wait for approval;
/// its creators may.
#[utoipa::path(put, path = "/api/v1/works/{id}/comment-settings", tag = "reactions",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    request_body = CommentSettingsBody,
    responses(
        (status = 200, description = "Saved.", body = CommentSettingsBody),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work of the caller's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A policy that isn't one.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn set_comment_settings(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentSettingsBody>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    let policy = CommentPolicy::from_name(&body.policy).ok_or_else(|| {
        ApiError::invalid(format!(
            "`{}` is not a comment policy; use everyone, registered or none.",
            body.policy
        ))
    })?;
    let settings = CommentSettings {
        policy,
        moderated: body.moderated,
    };
    app.archive
        .set_comment_settings(work.id, user.id, settings)
        .await
        .map_err(|err| match err {
            quire_archive::ArchiveError::NotYours(_) => ApiError::no_such_work(),
            other => other.into(),
        })?;
    Ok(Json(body_of(settings)).into_response())
}

/// Approves a comment that waited for approval; the work's creators and
/// admins may.
#[utoipa::path(put, path = "/api/v1/comments/{id}/approval", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Approved (or it never waited)."),
        (status = 403, description = "Not a creator of the work nor an admin, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn approve(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let comment = visible_comment(&app, &caller, &id).await?;
    app.archive.approve_comment(comment, user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Hides a comment from readers (its replies stay); the work's creators
/// and admins may.
#[utoipa::path(put, path = "/api/v1/comments/{id}/hidden", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Hidden (or already so)."),
        (status = 403, description = "Not a creator of the work nor an admin, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn hide(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_hidden(&app, &caller, &id, true).await
}

/// Shows a hidden comment again; the work's creators and admins may.
#[utoipa::path(delete, path = "/api/v1/comments/{id}/hidden", tag = "reactions",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Shown (or it wasn't hidden)."),
        (status = 403, description = "Not a creator of the work nor an admin, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unhide(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_hidden(&app, &caller, &id, false).await
}

async fn set_hidden(
    app: &App,
    caller: &Caller,
    id: &str,
    hidden: bool,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let comment = visible_comment(app, caller, id).await?;
    app.archive
        .set_comment_hidden(comment, user.id, hidden)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The caller, if an admin; anyone else is told there is nothing here.
fn admin(caller: &Caller) -> Result<quire_archive::User, ApiError> {
    let user = caller.writer()?.clone();
    if !user.roles.admin {
        return Err(crate::pages::PageError::NotFound.into());
    }
    Ok(user)
}

/// Marks a comment as spam: only admins see it after. Admins only.
#[utoipa::path(put, path = "/api/v1/comments/{id}/spam", tag = "moderation",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Marked (or already so)."),
        (status = 403, description = "A read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment, or the caller isn't an admin.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn mark_spam(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_spam(&app, &caller, &id, true).await
}

/// Takes the spam mark off a comment. Admins only.
#[utoipa::path(delete, path = "/api/v1/comments/{id}/spam", tag = "moderation",
    params(("id" = i64, Path, description = "The comment's id.", example = 1)),
    responses(
        (status = 204, description = "Unmarked (or it wasn't marked)."),
        (status = 403, description = "A read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment, or the caller isn't an admin.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unmark_spam(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_spam(&app, &caller, &id, false).await
}

async fn set_spam(app: &App, caller: &Caller, id: &str, spam: bool) -> Result<Response, ApiError> {
    let user = admin(caller)?;
    let comment = visible_comment(app, caller, id).await?;
    app.archive.mark_spam(comment, user.id, spam).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How many comments went.
#[derive(Serialize, ToSchema)]
pub(crate) struct Removed {
    removed: u64,
}

/// Removes every comment one account wrote, on every work. Admins only.
#[utoipa::path(delete, path = "/api/v1/users/{login}/comments", tag = "moderation",
    params(("login" = String, Path, description = "The account's login.", example = "someone")),
    responses(
        (status = 200, description = "Removed.", body = Removed),
        (status = 403, description = "A read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login, or the caller isn't an admin.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete_comments_of(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let user = admin(&caller)?;
    let Some(writer) = app.archive.user_id_of(&login).await? else {
        return Err(crate::pages::PageError::NotFound.into());
    };
    let removed = app.archive.delete_comments_of(writer, user.id).await?;
    Ok(Json(Removed { removed }).into_response())
}
