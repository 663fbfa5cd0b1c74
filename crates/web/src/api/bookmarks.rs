//! Bookmarks through the API: everyone's and one person's, with the
//! site's filters; the caller's own changed and deleted.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::read::answer_json;
use super::write::BookmarkIn;
use super::write::Created;
use super::{ApiError, ApiJson, ApiQuery, Caller, Problem};
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
        let longest = quire_archive::model::limits::TAG_NAME_CHARS;
        if self
            .tag
            .as_deref()
            .is_some_and(|t| t.chars().count() > longest)
        {
            return Err(ApiError::bad_parameter(
                "tag",
                &format!("a tag is at most {longest} characters."),
            ));
        }
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
    /// The work here it keeps; `null` for a series or a work elsewhere, or
    /// once the work is deleted.
    work: Option<i64>,
    /// The series it keeps.
    series: Option<i64>,
    /// The work elsewhere it keeps.
    external: Option<ExternalOut>,
    /// The title of the work or series it keeps.
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

/// A work on another site.
#[derive(Serialize, serde::Deserialize, ToSchema)]
pub(crate) struct ExternalOut {
    /// An http or https address.
    #[schema(max_length = 2000)]
    url: String,
    #[schema(max_length = 255)]
    title: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    creator: String,
    /// Its fandoms, characters and tags.
    #[serde(default)]
    #[schema(max_items = 75)]
    tags: Vec<String>,
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
            series: b.series,
            external: b.external.map(|e| ExternalOut {
                url: e.url,
                title: e.title,
                creator: e.creator,
                tags: e.tags,
            }),
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
    ApiQuery(params): ApiQuery<BookmarkParams>,
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
    ApiQuery(params): ApiQuery<BookmarkParams>,
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
    let id = super::path_id(&id)?;
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
    let id = super::path_id(&id)?;
    app.archive.delete_bookmark(id, user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Bookmarks a series the caller can see (one per reader per series:
/// again changes it, and answers its id).
#[utoipa::path(post, path = "/api/v1/series/{id}/bookmarks", tag = "reactions",
    params(("id" = i64, Path, description = "The series' id.", example = 1)),
    request_body = BookmarkIn,
    responses(
        (status = 201, description = "Bookmarked; `url` lists the account's bookmarks.", body = Created),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series that the caller may see.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A note or tags over their limits.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn series(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(bookmark): ApiJson<BookmarkIn>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let id = super::path_id(&id)?;
    if app
        .archive
        .series_for(id, caller.visitor.viewer())
        .await?
        .is_none()
    {
        return Err(crate::pages::PageError::NotFound.into());
    }
    let id = app
        .archive
        .add_series_bookmark(id, user.default_pseud, &bookmark.note())
        .await?;
    created(id, &user.login)
}

/// A work elsewhere and the caller's bookmark of it.
#[derive(serde::Deserialize, ToSchema)]
#[schema(example = json!({"work": {"url": "https://example.org/fic/42", "title": "Far Away", "creator": "someone", "tags": ["Fluff"]}, "bookmark": {"note": "Loved it.", "rec": true}}))]
pub(crate) struct ExternalIn {
    work: ExternalOut,
    #[serde(default)]
    bookmark: BookmarkIn,
}

/// Bookmarks a work on another site (one per reader per address: again
/// changes it, and answers its id).
#[utoipa::path(post, path = "/api/v1/bookmarks/external", tag = "reactions",
    request_body = ExternalIn,
    responses(
        (status = 201, description = "Bookmarked; `url` lists the account's bookmarks.", body = Created),
        (status = 400, description = "The body isn't the JSON described.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may only read, or the account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An address that isn't http(s), no title, or a field over its limit.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn external(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<ExternalIn>,
) -> Result<Response, ApiError> {
    let user = caller.writer()?.clone();
    let work = quire_archive::bookmarks::ExternalWork {
        url: body.work.url,
        title: body.work.title,
        creator: body.work.creator,
        tags: body.work.tags,
    };
    let id = app
        .archive
        .add_external_bookmark(&work, user.default_pseud, &body.bookmark.note())
        .await?;
    created(id, &user.login)
}

fn created(id: i64, login: &str) -> Result<Response, ApiError> {
    let url = format!("/api/v1/users/{login}/bookmarks");
    Ok((StatusCode::CREATED, axum::Json(Created { id, url })).into_response())
}
