//! The stylesheet and the one small script, built into the binary.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::pages::PageError;

const STYLESHEET: &str = include_str!("../static/quire.css");
const SCRIPT: &str = include_str!("../static/quire.js");

pub async fn file(Path(file): Path<String>) -> Result<Response, PageError> {
    let (body, kind) = match file.as_str() {
        "quire.css" => (STYLESHEET, "text/css; charset=utf-8"),
        "quire.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return Err(PageError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response())
}
