//! Uploaded pictures and recordings, served to whoever may see their work:
//! with an ETag (the file's SHA-256: its bytes never change under one
//! address), ranges (a podfic seeks without fetching what comes before),
//! and headers that keep a browser from taking one for anything else.

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use quire_archive::media::{object_store, Media};
use quire_archive::Viewer;
use tower_service::Service;

use crate::pages::PageError;
use crate::visitor::Visitor;
use crate::App;

#[derive(serde::Deserialize)]
pub struct MediaQuery {
    /// Any value: the file is offered to save, under its own name.
    download: Option<String>,
}

pub async fn original(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((id, _name)): Path<(String, String)>,
    Query(query): Query<MediaQuery>,
    request: Request,
) -> Result<Response, PageError> {
    serve(&app, &visitor, &id, None, query, request).await
}

/// A picture's smaller copy (`/media/{id}/w320/{name}`); a picture
/// narrower than the width asked for is its own copy.
pub async fn sized(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((id, size, _name)): Path<(String, String, String)>,
    Query(query): Query<MediaQuery>,
    request: Request,
) -> Result<Response, PageError> {
    let width: u32 = size
        .strip_prefix('w')
        .and_then(|w| w.parse().ok())
        .ok_or(PageError::NotFound)?;
    serve(&app, &visitor, &id, Some(width), query, request).await
}

async fn serve(
    app: &App,
    visitor: &Visitor,
    id: &str,
    width: Option<u32>,
    query: MediaQuery,
    request: Request,
) -> Result<Response, PageError> {
    let media = app.archive.media(id).await?.ok_or(PageError::NotFound)?;
    if !app
        .archive
        .may_see_work(media.work, visitor.viewer())
        .await?
    {
        return Err(PageError::NotFound);
    }
    let width = width.filter(|w| media.sizes.contains(w));
    let etag = match width {
        Some(w) => format!("\"{}-w{w}\"", media.sha256),
        None => format!("\"{}\"", media.sha256),
    };
    let public = visitor.viewer() == Viewer::Guest
        || app.archive.may_see_work(media.work, Viewer::Guest).await?;
    let mut response = if crate::pages::etag_matches(request.headers(), &etag) == Some(true) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some(bucket) = app.media.bucket() {
        let key = app.media.key(&media.sha256, media.format, width);
        from_bucket(
            bucket.as_ref(),
            &key,
            media.format.mime(),
            request.headers(),
        )
        .await?
    } else {
        let path = app.media.path(&media.sha256, media.format, width);
        let mime: mime::Mime = media
            .format
            .mime()
            .parse()
            .map_err(|_| PageError::NotFound)?;
        let mut files = tower_http::services::ServeFile::new_with_mime(&path, &mime);
        match files.call(request).await {
            Ok(response) if response.status() == StatusCode::NOT_FOUND => {
                tracing::error!(path = %path.display(), "an uploaded file named by a row is missing");
                return Err(PageError::NotFound);
            }
            Ok(response) => response.map(axum::body::Body::new),
            Err(never) => match never {},
        }
    };
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set(header::ETAG, etag);
    set(
        header::CACHE_CONTROL,
        format!(
            "{}, max-age=3600",
            if public { "public" } else { "private" }
        ),
    );
    set(
        header::CONTENT_DISPOSITION,
        disposition(&media, query.download.is_some()),
    );
    // Opened on its own, the file is a document that may run nothing.
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; media-src 'self'; img-src 'self'; sandbox".to_string(),
    );
    Ok(response)
}

/// A file from the bucket: whole, or the one range asked for (a podfic
/// seeking), as a file on disk is served.
async fn from_bucket(
    bucket: &dyn object_store::ObjectStore,
    key: &str,
    mime: &'static str,
    asked: &axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let location = object_store::path::Path::from(key);
    let missing = |err: object_store::Error| {
        tracing::error!(key, error = %err, "an uploaded file named by a row can't be read from the bucket");
        PageError::NotFound
    };
    let size = bucket.head(&location).await.map_err(missing)?.size;
    let range = asked
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| http_range_header::parse_range_header(v).and_then(|r| r.validate(size)));
    let (status, range) = match range {
        None => (StatusCode::OK, None),
        Some(Ok(ranges)) if ranges.len() == 1 => {
            (StatusCode::PARTIAL_CONTENT, ranges.into_iter().next())
        }
        // Several ranges at once: the whole file, which answers them all.
        Some(Ok(_)) => (StatusCode::OK, None),
        Some(Err(_)) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response())
        }
    };
    let options = object_store::GetOptions {
        range: range
            .clone()
            .map(|r| object_store::GetRange::Bounded(*r.start()..*r.end() + 1)),
        ..Default::default()
    };
    let found = bucket.get_opts(&location, options).await.map_err(missing)?;
    let length = range.as_ref().map_or(size, |r| r.end() - r.start() + 1);
    let mut response = Response::new(axum::body::Body::from_stream(found.into_stream()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(range) = range {
        if let Ok(value) =
            HeaderValue::from_str(&format!("bytes {}-{}/{size}", range.start(), range.end()))
        {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// Shown in place, or saved under its own name (RFC 6266: an ASCII
/// fallback and the name itself, percent-encoded).
fn disposition(media: &Media, download: bool) -> String {
    let kind = if download { "attachment" } else { "inline" };
    let ascii: String = media
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(&media.name, percent_encoding::NON_ALPHANUMERIC);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Sweeps the media directory now and then: uploads abandoned mid-way,
/// and files whose rows went some other way than a work's deletion (an
/// account deleted with its works, a refused posting).
pub fn spawn_sweeper(app: App) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            every.tick().await;
            match app.media.sweep(&app.archive).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "swept uploads no work holds"),
                Err(err) => tracing::warn!(error = %err, "sweeping uploads"),
            }
        }
    });
}

/// Deletes a work, and then the files only it held: its readers lose them
/// with the rows, its creators' allowance gets them back.
pub async fn delete_work(app: &App, work: quire_archive::WorkId) -> Result<(), PageError> {
    let media = app.archive.media_of_work(work).await?;
    app.archive.delete_work(work).await?;
    forget_files(app, &media).await;
    Ok(())
}

/// Removes the files of `media` no row names any more. A failure leaves a
/// file no one can reach, for the sweeper; it is not the reader's error.
pub async fn forget_files(app: &App, media: &[Media]) {
    if media.is_empty() {
        return;
    }
    if let Err(err) = app.media.remove_unnamed(&app.archive, media).await {
        tracing::warn!(error = %err, "removing the files of deleted uploads");
    }
}
