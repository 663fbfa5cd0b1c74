//! The JSON API: search, one work, and the health check.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
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
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let request = match search_params::search_request(&params) {
        Ok(request) => request,
        Err(err) => return bad_parameter(&err.parameter, &err.message),
    };
    match app.search(request, false).await {
        Ok(results) => {
            let next = (results.page * results.per_page < results.total)
                .then(|| next_page(&params, results.page + 1));
            let mut body = json!(results);
            body["next"] = json!(next);
            let mut response = answer_json(&headers, &body);
            if let Some(Ok(link)) =
                next.map(|next| HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")))
            {
                response.headers_mut().insert(header::LINK, link);
            }
            response
        }
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

/// The same search, one page on: every parameter kept but the page.
fn next_page(params: &[(String, String)], page: usize) -> String {
    let mut kept: Vec<(&str, String)> = params
        .iter()
        .filter(|(name, _)| name != "page")
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    kept.push(("page", page.to_string()));
    format!(
        "/api/v1/works?{}",
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    )
}

/// A JSON answer with an ETag made from its bytes, so a client asking
/// again with `If-None-Match` gets a 304 and no body when nothing changed.
fn answer_json(asked: &HeaderMap, body: &serde_json::Value) -> Response {
    use std::hash::{Hash, Hasher};
    let bytes = body.to_string();
    // Deterministic, not random-keyed: the tag outlives one request.
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    let tag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    if crate::pages::etag_matches(asked, &etag) == Some(true) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/tags/{kind}/{name}`: a tag and its place in the
/// wrangling, with the search that lists its works (synonyms and sub-tags
/// included, as AO3's filters have them).
pub(crate) async fn tag(
    State(app): State<App>,
    headers: HeaderMap,
    Path((kind, name)): Path<(String, String)>,
) -> Response {
    let Some(tag_kind) = quire_archive::model::TagKind::from_code(&kind) else {
        return bad_parameter(
            "kind",
            &format!("`{kind}` is not a kind of tag; use rating, warning, category, fandom, relationship, character or freeform"),
        );
    };
    match app.archive.tag(tag_kind, &name).await {
        Ok(Some(tag)) => {
            let works = format!(
                "/api/v1/works?{}",
                serde_urlencoded::to_string([("include", tag.name.as_str())]).unwrap_or_default()
            );
            answer_json(
                &headers,
                &json!({
                    "kind": tag.kind.code(),
                    "name": tag.name,
                    "canonical": tag.canonical,
                    "synonym_of": tag.synonym_of,
                    "synonyms": tag.synonyms,
                    "parents": tag.parents,
                    "children": tag.children,
                    "works": works,
                }),
            )
        }
        Ok(None) => problem(
            StatusCode::NOT_FOUND,
            "no-such-tag",
            format!("there is no {kind} tag named `{name}`; tag names are matched without regard to case"),
        ),
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "store", err.to_string()),
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

pub(crate) async fn work(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<WorkId>() else {
        return problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("`{id}` is not a work id; work ids are whole numbers"),
        );
    };
    match app.archive.work_for(id, Viewer::Guest).await {
        Ok(Some(work)) => answer_json(&headers, &json!(work)),
        Ok(None) => problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("there is no work {id} you can see; it may be a draft, for registered users only, or deleted"),
        ),
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "store", err.to_string()),
    }
}
