//! The token holder's inbox and subscriptions: the notices the site's
//! `/inbox` shows, and subscribing to series and people.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quire_archive::notifications::{InboxFilter, NoticeKind, INBOX_PAGE_LIMIT};
use quire_archive::SubscriptionTarget;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{path_id, ApiError, ApiQuery, Caller, Problem};
use crate::App;

/// Which notices to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InboxParams {
    /// One kind only.
    #[param(pattern = "^(comment|reply|invitation|kudos|chapter|work|series-part)$")]
    kind: Option<String>,
    /// Unread notices only.
    unread: Option<bool>,
    /// Notices older than this one (its `id`), for the next page.
    #[param(minimum = 1)]
    before: Option<i64>,
    /// At most this many (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// One notice.
#[derive(Serialize, ToSchema)]
pub(crate) struct NoticeOut {
    id: i64,
    /// `comment`, `reply`, `invitation`, `kudos`, `chapter`, `work` or
    /// `series-part`.
    kind: String,
    /// Who did it, by the name they did it as.
    actor: String,
    /// The work (and chapter, or series) it is about.
    title: String,
    /// The start of a comment's text; empty for other kinds.
    excerpt: String,
    /// Where on the site it is, from the site's root.
    link: String,
    /// Kudos gathered in this notice; 1 for every other kind.
    count: i64,
    unread: bool,
    /// The comment it is about, for a comment or a reply.
    comment: Option<i64>,
    /// Unix seconds of the newest thing it tells of.
    at: i64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Inbox {
    /// Newest first.
    notices: Vec<NoticeOut>,
    /// Unread notices in the whole inbox.
    unread: i64,
}

/// The token holder's notices, newest first.
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "me",
    params(InboxParams),
    responses(
        (status = 200, description = "The notices.", body = Inbox),
        (status = 400, description = "A parameter can't be used; `parameter` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn inbox(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Response, ApiError> {
    let user = caller.holder()?;
    let kind = match params.kind.as_deref() {
        None => None,
        Some(name) => Some(NoticeKind::from_name(name).ok_or_else(|| {
            ApiError::bad_parameter(
                "kind",
                &format!("`{name}` is not a kind of notice; use comment, reply, invitation, kudos, chapter, work or series-part."),
            )
        })?),
    };
    let limit = params.limit.unwrap_or(50);
    if !(1..=INBOX_PAGE_LIMIT).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "limit",
            &format!("Ask for 1 to {INBOX_PAGE_LIMIT} notices at a time."),
        ));
    }
    if params.before.is_some_and(|b| b < 1) {
        return Err(ApiError::bad_parameter(
            "before",
            "Give a notice's id, from 1.",
        ));
    }
    let filter = InboxFilter {
        kind,
        unread_only: params.unread.unwrap_or(false),
        before: params.before,
        limit,
    };
    let notices = app
        .archive
        .inbox(user.id, &filter)
        .await?
        .into_iter()
        .map(|item| NoticeOut {
            id: item.id,
            kind: item.kind.name().to_string(),
            actor: item.notice.actor,
            title: item.notice.title,
            excerpt: item.notice.excerpt,
            link: item.notice.link,
            count: item.count,
            unread: item.unread,
            comment: item.comment,
            at: item.at,
        })
        .collect();
    let unread = app.archive.unread_count(user.id).await?;
    Ok(Json(Inbox { notices, unread }).into_response())
}

async fn set_read(app: &App, caller: &Caller, id: i64, read: bool) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?;
    if app.archive.mark_read(user.id, &[id], read).await? == 0 {
        return Err(crate::pages::PageError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Marks a notice read.
#[utoipa::path(put, path = "/api/v1/me/inbox/{id}/read", tag = "me",
    params(("id" = i64, Path, description = "The notice's id.", example = 1)),
    responses(
        (status = 204, description = "Read."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice in the caller's inbox.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn mark_read(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    set_read(&app, &caller, id, true).await
}

/// Marks a notice unread again.
#[utoipa::path(delete, path = "/api/v1/me/inbox/{id}/read", tag = "me",
    params(("id" = i64, Path, description = "The notice's id.", example = 1)),
    responses(
        (status = 204, description = "Unread."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice in the caller's inbox.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn mark_unread(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    set_read(&app, &caller, id, false).await
}

/// Deletes a notice.
#[utoipa::path(delete, path = "/api/v1/me/inbox/{id}", tag = "me",
    params(("id" = i64, Path, description = "The notice's id.", example = 1)),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice in the caller's inbox.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let user = caller.settings_writer()?;
    if app.archive.delete_notices(user.id, &[id]).await? == 0 {
        return Err(crate::pages::PageError::NotFound.into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One subscription.
#[derive(Serialize, ToSchema)]
pub(crate) struct SubscriptionOut {
    /// `work`, `series` or `user`.
    kind: String,
    /// The work's or series' id; for a person, absent (see `name`).
    id: Option<i64>,
    /// The work's or series' title, or the person's login.
    name: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Subscriptions {
    /// Newest first.
    subscriptions: Vec<SubscriptionOut>,
}

/// What the token holder subscribed to.
#[utoipa::path(get, path = "/api/v1/me/subscriptions", tag = "me",
    responses((status = 200, description = "The subscriptions.", body = Subscriptions))
)]
pub(crate) async fn subscriptions(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let user = caller.holder()?;
    let subscriptions = app
        .archive
        .subscriptions(user.id)
        .await?
        .into_iter()
        .filter_map(|s| {
            let (kind, id) = match s.target {
                SubscriptionTarget::Work(id) => ("work", Some(id)),
                SubscriptionTarget::Series(id) => ("series", Some(id)),
                SubscriptionTarget::User(_) => ("user", None),
                SubscriptionTarget::Pseud(_) => return None,
            };
            Some(SubscriptionOut {
                kind: kind.to_string(),
                id,
                name: s.name,
            })
        })
        .collect();
    Ok(Json(Subscriptions { subscriptions }).into_response())
}

async fn series_target(
    app: &App,
    caller: &Caller,
    id: i64,
) -> Result<SubscriptionTarget, ApiError> {
    match app.archive.series_for(id, caller.visitor.viewer()).await? {
        Some(_) => Ok(SubscriptionTarget::Series(id)),
        None => Err(crate::pages::PageError::NotFound.into()),
    }
}

/// Subscribes to a series, to hear of its new parts.
#[utoipa::path(put, path = "/api/v1/series/{id}/subscription", tag = "reactions",
    params(("id" = i64, Path, description = "The series' id.", example = 1)),
    responses(
        (status = 204, description = "Subscribed (or already so)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn subscribe_series(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let user = caller.settings_writer()?.clone();
    let target = series_target(&app, &caller, id).await?;
    app.archive.subscribe(user.id, target).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ends a subscription to a series.
#[utoipa::path(delete, path = "/api/v1/series/{id}/subscription", tag = "reactions",
    params(("id" = i64, Path, description = "The series' id.", example = 1)),
    responses(
        (status = 204, description = "Unsubscribed (or never was)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unsubscribe_series(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let user = caller.settings_writer()?.clone();
    let target = series_target(&app, &caller, id).await?;
    app.archive.unsubscribe(user.id, target).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn person_target(app: &App, login: &str) -> Result<SubscriptionTarget, ApiError> {
    match app.archive.user_id_of(login).await? {
        Some(user) => Ok(SubscriptionTarget::User(user)),
        None => Err(crate::pages::PageError::NotFound.into()),
    }
}

/// Subscribes to a person, to hear of their new works under any pseud.
#[utoipa::path(put, path = "/api/v1/users/{login}/subscription", tag = "people",
    params(("login" = String, Path, description = "The person's login.", example = "someone")),
    responses(
        (status = 204, description = "Subscribed (or already so)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The login is the caller's own.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn subscribe_person(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?.clone();
    let target = person_target(&app, &login).await?;
    if target == SubscriptionTarget::User(user.id) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "own-account",
            "That is the caller's own account: it always knows when it posts.",
        ));
    }
    app.archive.subscribe(user.id, target).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ends a subscription to a person.
#[utoipa::path(delete, path = "/api/v1/users/{login}/subscription", tag = "people",
    params(("login" = String, Path, description = "The person's login.", example = "someone")),
    responses(
        (status = 204, description = "Unsubscribed (or never was)."),
        (status = 403, description = "The token may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nobody has that login.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn unsubscribe_person(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.settings_writer()?.clone();
    let target = person_target(&app, &login).await?;
    app.archive.unsubscribe(user.id, target).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
