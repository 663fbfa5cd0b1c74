//! quire-web: thin handlers over the `Archive`. Today: the health check and
//! a JSON view of a work; pages and the full API grow here.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use quire_archive::{Archive, Viewer, WorkId};
use serde_json::json;

/// Every route of the site.
pub fn router(archive: Archive) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/works/{id}", get(work))
        .with_state(archive)
}

async fn health(State(archive): State<Archive>) -> Response {
    match archive.health().await {
        Ok(()) => Json(json!({"status": "ok", "store": "ok"})).into_response(),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "store": err.to_string()})),
        )
            .into_response(),
    }
}

/// An RFC 9457 problem: a machine-readable type and a sentence to act on.
fn problem(status: StatusCode, kind: &str, detail: String) -> Response {
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

async fn work(State(archive): State<Archive>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<WorkId>() else {
        return problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("`{id}` is not a work id; work ids are whole numbers"),
        );
    };
    match archive.work_for(id, Viewer::Guest).await {
        Ok(Some(work)) => Json(work).into_response(),
        Ok(None) => problem(
            StatusCode::NOT_FOUND,
            "no-such-work",
            format!("there is no work {id} you can see; it may be a draft, for registered users only, or deleted"),
        ),
        Err(err) => problem(StatusCode::INTERNAL_SERVER_ERROR, "store", err.to_string()),
    }
}
