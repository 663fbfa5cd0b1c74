//! Bookmarks through the API: everyone's and one person's, with the
//! site's filters; the caller's own changed and deleted.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::read::answer_json;
use super::write::BookmarkIn;
use super::{ApiError, ApiJson, Caller, Problem};
use crate::bookmarks::BOOKMARKS_PER_PAGE;
use crate::App;
use quire_archive::bookmarks::BookmarkFilter;

/// Which bookmarks to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BookmarkParams {
    /// Bookmarks tagged so by their bookmarker, or of works carrying the
    /// tag (or a synonym of it).
    #[param(max_length = 150)]
    tag: Option<String>,
    /// Recommendations only.
    recs: Option<bool>,
    /// Bookmarks with a note only.
    notes: Option<bool>,
    /// `newest` (the default) or `oldest`.
    #[param(pattern = "^(newest|oldest)$")]
    sort: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<i64>,
}

impl BookmarkParams {
    fn filter(&self) -> Result<BookmarkFilter, ApiError> {
        let oldest_first = match self.sort.as_deref() {
            None | Some("newest") => false,
            Some("oldest") => true,
            Some(other) => {
                return Err(ApiError::bad_parameter(
                    "sort",
                    &format!("`{other}` is not a sort; use newest or oldest."),
                ))
            }
        };
        let page = self.page.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            return Err(ApiError::bad_parameter(
                "page",
                "pages run from 1 to 100000.",
            ));
        }
        Ok(BookmarkFilter {
            owner: None,
            tag: self
                .tag
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            recs_only: self.recs.unwrap_or(false),
            with_notes: self.notes.unwrap_or(false),
            oldest_first,
            page,
            per_page: BOOKMARKS_PER_PAGE,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BookmarkOut {
    id: i64,
    /// `null` once the work is deleted.
    work: Option<i64>,
    work_title: String,
    /// The pseud it was made as.
    bookmarker: String,
    /// HTML, cleaned when it was kept.
    note: String,
    tags: Vec<String>,
    private: bool,
    rec: bool,
    /// Unix seconds.
    created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BookmarkList {
    total: i64,
    page: i64,
    per_page: i64,
    bookmarks: Vec<BookmarkOut>,
}

async fn listed(
    app: &App,
    caller: &Caller,
    headers: &HeaderMap,
    filter: BookmarkFilter,
) -> Result<Response, ApiError> {
    let page = app
        .archive
        .list_bookmarks(&filter, caller.visitor.viewer())
        .await?;
    let bookmarks = page
        .bookmarks
        .into_iter()
        .map(|b| BookmarkOut {
            id: b.id,
            work: b.work,
            work_title: b.work_title,
            bookmarker: b.bookmarker,
            note: b.note.html().to_string(),
            tags: b.tags,
            private: b.private,
            rec: b.rec,
            created_at: b.created_at,
        })
        .collect();
    Ok(answer_json(
        headers,
        &BookmarkList {
            total: page.total,
            page: filter.page,
            per_page: filter.per_page,
            bookmarks,
        },
    ))
}

/// Bookmarks the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/bookmarks", tag = "reactions",
    params(BookmarkParams),
    responses(
        (status = 200, description = "One page of bookmarks.", body = BookmarkList, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "A parameter can't be used; `parameter` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn all(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<BookmarkParams>,
) -> Result<Response, ApiError> {
    let filter = params.filter()?;
    listed(&app, &caller, &headers, filter).await
}

/// One person's bookmarks that the caller may see (all of them, to the
/// person themself).
#[utoipa::path(get, path = "/api/v1/users/{login}/bookmarks", tag = "people",
    params(("login" = String, Path, description = "The account's login.", example = "someone"), BookmarkParams),
    responses(
        (status = 200, description = "One page of bookmarks.", body = BookmarkList, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "A parameter can't be used; `parameter` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn of_person(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(login): Path<String>,
    Query(params): Query<BookmarkParams>,
) -> Result<Response, ApiError> {
    let filter = params.filter()?;
    let Some(owner) = app.archive.user_id_of(&login).await? else {
        return Err(crate::pages::PageError::NotFound.into());
    };
    let filter = BookmarkFilter {
        owner: Some(owner),
        ..filter
    };
    listed(&app, &caller, &headers, filter).await
}

/// Changes one of the caller's bookmarks.
#[utoipa::path(put, path = "/api/v1/bookmarks/{id}", tag = "reactions",
    params(("id" = i64, Path, description = "The bookmark's id.", example = 1)),
    request_body = BookmarkIn,
    responses(
        (status = 204, description = "Changed."),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's bookmark, a read-only token, or a suspended account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such bookmark.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A note or tags over their limits.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn edit(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(bookmark): ApiJson<BookmarkIn>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let id = bookmark_id(&id)?;
    app.archive
        .edit_bookmark(id, user.id, &bookmark.note())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes one of the caller's bookmarks (an admin may delete any).
#[utoipa::path(delete, path = "/api/v1/bookmarks/{id}", tag = "reactions",
    params(("id" = i64, Path, description = "The bookmark's id.", example = 1)),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Not the caller's bookmark, or a read-only token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such bookmark.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?.clone();
    let id = bookmark_id(&id)?;
    app.archive.delete_bookmark(id, user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn bookmark_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| crate::pages::PageError::NotFound.into())
}
