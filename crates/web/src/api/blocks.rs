//! The token holder's blocks: who they keep from commenting on their works,
//! replying to their comments, leaving them kudos and inviting them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, Caller, Problem};
use crate::App;

/// The people an account has blocked.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"logins": ["someone"]}))]
pub(crate) struct Blocks {
    /// Logins, in alphabetical order.
    #[schema(max_items = 2000)]
    logins: Vec<String>,
}

/// The people the token holder has blocked.
#[utoipa::path(get, path = "/api/v1/me/blocks", tag = "me",
    responses((status = 200, description = "The logins blocked.", body = Blocks))
)]
pub(crate) async fn blocks(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let user = caller.holder()?;
    let logins = app.archive.blocked_people(user.id).await?;
    Ok(Json(Blocks { logins }).into_response())
}

/// Blocks a person. They aren't told; what they try that the block covers
/// is refused.
#[utoipa::path(put, path = "/api/v1/me/blocks/{login}", tag = "me",
    params(("login" = String, Path, description = "The person's login.", example = "someone")),
    responses(
        (status = 204, description = "Blocked (or already so)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The login is the caller's own, or the caller blocks as many people as an account may.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn block(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?;
    let other = account(&app, &login).await?;
    app.archive.block(user.id, other).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Lifts a block.
#[utoipa::path(delete, path = "/api/v1/me/blocks/{login}", tag = "me",
    params(("login" = String, Path, description = "The person's login.", example = "someone")),
    responses(
        (status = 204, description = "Unblocked (or never was)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unblock(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?;
    let other = account(&app, &login).await?;
    app.archive.unblock(user.id, other).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn account(app: &App, login: &str) -> Result<quire_archive::UserId, ApiError> {
    app.archive
        .user_id_of(login)
        .await?
        .ok_or_else(|| crate::pages::PageError::NotFound.into())
}
