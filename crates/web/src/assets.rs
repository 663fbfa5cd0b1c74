//! The stylesheet and the one small script, built into the binary and
//! compressed once, the first time each is asked for.

use std::sync::LazyLock;

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::compression::{Coding, Compressed, Effort, Frames};
use crate::pages::PageError;

const STYLESHEET: &str = include_str!("../static/quire.css");
const SCRIPT: &str = include_str!("../static/quire.js");

/// A built-in file in every coding, with an ETag naming its content.
struct Asset {
    forms: [Compressed; 3],
    content_type: &'static str,
    /// Differs when the file does: a new build's file is fetched anew.
    digest: String,
}

impl Asset {
    fn new(text: &'static str, content_type: &'static str) -> Asset {
        let pieces = [Bytes::from_static(text.as_bytes())];
        Asset {
            forms: [Coding::Identity, Coding::Gzip, Coding::Brotli]
                .map(|coding| Compressed::new(&pieces, coding, Effort::Once)),
            content_type,
            digest: format!("{:08x}", crc32fast::hash(text.as_bytes())),
        }
    }

    fn answer(&self, asked: &HeaderMap) -> Response {
        let Some(coding) = crate::compression::negotiate(asked) else {
            return crate::compression::not_acceptable();
        };
        let Some(form) = self.forms.iter().find(|form| form.coding() == coding) else {
            return crate::compression::not_acceptable();
        };
        let etag = format!("\"{}{}\"", self.digest, coding.etag_suffix());
        let fresh = crate::pages::still_fresh(asked, &etag, &HeaderValue::from_static(""));
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Response::new(Body::new(Frames::new(form.frames(b""))));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            if let Some(name) = coding.header_value() {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, name);
            }
            response
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        response
    }
}

static STYLESHEET_ASSET: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(STYLESHEET, "text/css; charset=utf-8"));
static SCRIPT_ASSET: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(SCRIPT, "text/javascript; charset=utf-8"));

pub async fn file(Path(file): Path<String>, asked: HeaderMap) -> Result<Response, PageError> {
    let asset = match file.as_str() {
        "quire.css" => &STYLESHEET_ASSET,
        "quire.js" => &SCRIPT_ASSET,
        _ => return Err(PageError::NotFound),
    };
    Ok(asset.answer(&asked))
}
