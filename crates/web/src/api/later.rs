//! "Marked for later": the works the token holder means to read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::read::visible;
use super::{ApiError, Caller, Problem};
use crate::App;

/// One work marked for later.
#[derive(Serialize, ToSchema)]
pub(crate) struct MarkedWork {
    id: i64,
    title: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MarkedForLater {
    /// Newest mark first.
    works: Vec<MarkedWork>,
}

/// The works the token holder marked for later.
#[utoipa::path(get, path = "/api/v1/me/later", tag = "me",
    responses((status = 200, description = "The works, newest mark first.", body = MarkedForLater))
)]
pub(crate) async fn marked(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let user = caller.holder()?;
    let works = app
        .archive
        .marked_for_later(user.id)
        .await?
        .into_iter()
        .map(|(id, title)| MarkedWork { id, title })
        .collect();
    Ok(Json(MarkedForLater { works }).into_response())
}

/// Marks a work for later.
#[utoipa::path(put, path = "/api/v1/works/{id}/later", tag = "me",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 204, description = "Marked (or already so)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn mark(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    app.archive.mark_for_later(user.id, work.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Takes a work off the list.
#[utoipa::path(delete, path = "/api/v1/works/{id}/later", tag = "me",
    params(("id" = i64, Path, description = "The work's id.", example = 1)),
    responses(
        (status = 204, description = "Off the list (or never on it)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unmark(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?.clone();
    let work = visible(&app, &caller, &id).await?;
    app.archive.unmark_for_later(user.id, work.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
