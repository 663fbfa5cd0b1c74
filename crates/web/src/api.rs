//! The JSON API: search, one work, and the health check.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quire_archive::search::SearchError;
use quire_archive::{Viewer, WorkId};
use serde_json::json;

use crate::{search_params, App};

pub(crate) async fn health(State(app): State<App>) -> Response {
    let index = if app.search.is_ready() {
        "ok"
    } else {
        "building"
    };
    match app.archive.health().await {
        Ok(()) => Json(json!({"status": "ok", "store": "ok", "index": index})).into_response(),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "store": err.to_string(), "index": index})),
        )
            .into_response(),
    }
}

/// `GET /api/v1/works?q=…&include=…`: a page of works with facet counts.
pub(crate) async fn search_works(
    State(app): State<App>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let request = match search_params::search_request(&params) {
        Ok(request) => request,
        Err(err) => return bad_parameter(&err.parameter, &err.message),
    };
    match app.search(request, false).await {
        Ok(results) => Json(results).into_response(),
        Err(SearchError::BadParameter { parameter, message }) => bad_parameter(parameter, &message),
        Err(SearchError::NotReady) => {
            let mut response = problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "index-building",
                SearchError::NotReady.to_string(),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            response
        }
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "search", err.to_string()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct SuggestQuery {
    kind: Option<String>,
    q: Option<String>,
}

/// `GET /api/v1/tags/suggest?kind=fandom&q=sta`: canonical tags starting
/// with what was typed, for the posting form's autocomplete.
pub(crate) async fn suggest_tags(
    State(app): State<App>,
    Query(query): Query<SuggestQuery>,
) -> Response {
    let kind = query.kind.as_deref().unwrap_or("");
    let Some(tag_kind) = quire_archive::model::TagKind::from_code(kind).filter(|k| !k.is_fixed())
    else {
        return bad_parameter(
            "kind",
            &format!("`{kind}` is not a kind of tag that takes suggestions; use fandom, relationship, character or freeform"),
        );
    };
    match app
        .archive
        .tag_suggestions(tag_kind, query.q.as_deref().unwrap_or(""), 10)
        .await
    {
        Ok(suggestions) => Json(json!({"kind": kind, "suggestions": suggestions})).into_response(),
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "store", err.to_string()),
    }
}

fn bad_parameter(parameter: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(json!({
            "type": "https://quire.invalid/problems/bad-parameter",
            "title": "Bad Request",
            "status": 400,
            "detail": format!("`{parameter}`: {message}"),
            "parameter": parameter,
        })),
    )
        .into_response()
}

/// An RFC 9457 problem: a machine-readable type and a sentence to act on.
pub(crate) fn problem(status: StatusCode, kind: &str, detail: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        Json(json!({
            "type": format!("https://quire.invalid/problems/{kind}"),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": detail,
        })),
    )
        .into_response()
}

pub(crate) async fn work(State(app): State<App>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<WorkId>() else {
        return problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("`{id}` is not a work id; work ids are whole numbers"),
        );
    };
    match app.archive.work_for(id, Viewer::Guest).await {
        Ok(Some(work)) => Json(work).into_response(),
        Ok(None) => problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("there is no work {id} you can see; it may be a draft, for registered users only, or deleted"),
        ),
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "store", err.to_string()),
    }
}
