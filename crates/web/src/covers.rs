//! `/works/{id}/cover.svg`: the generated cover a work's EPUB carries, on
//! its own, for the OPDS catalog's entries. It changes only with the work,
//! so its ETag is the work's version.

use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::access::visible_work;
use crate::downloads::digest;
use crate::pages::PageError;
use crate::visitor::Visitor;
use crate::App;

pub async fn work_cover(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let work = visible_work(&app, &visitor, &id).await?;
    let public_url = app.downloads.public_url();
    // The cover's colour comes from the work's address, so the address is
    // in the tag too.
    let etag = format!(
        "\"cover-{}-{}-{}\"",
        work.id,
        work.version,
        digest(&[public_url])
    );
    let cache_control = if work.restricted {
        "private, no-cache"
    } else {
        "public, no-cache"
    };
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| PageError::NotFound)?;
    if crate::pages::etag_matches(&headers, &etag) == Some(true) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag_value),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(cache_control),
                ),
            ],
        )
            .into_response());
    }
    let options = quire_export::Options::new(public_url)
        .map_err(|err| PageError::Refused(err.to_string()))?;
    let svg = quire_export::cover_svg(&work, &options);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            ),
            (header::ETAG, etag_value),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
        ],
        svg,
    )
        .into_response())
}
