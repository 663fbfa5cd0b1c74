//! Pictures and recordings uploaded with the posting form and the new
//! chapter form: read from a multipart body straight to disk (never whole
//! into memory), checked by the archive's media rules, placed in the
//! chapter, and kept with the work in the transaction that stores it.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use quire_archive::media::{IncomingFile, Media, MediaKind, MediaUpload, Prepared};
use quire_text::insert::escape_html;
use std::io::Write;

use crate::form::FormData;
use crate::pages::PageError;
use crate::App;

/// How many files one form may carry: the posting and chapter forms have
/// this many upload fields, each with its own description.
pub const UPLOAD_SLOTS: usize = 3;

/// The largest body a form with uploads may have: its text, and every
/// slot holding the largest file the archive takes.
pub fn upload_body_limit(app: &App) -> u64 {
    crate::MAX_BODY_BYTES as u64 + UPLOAD_SLOTS as u64 * app.media_limits.largest_file()
}

/// Whether a request carries a multipart body (a form with uploads).
pub fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// A file as it arrived in upload field `slot` (1-based).
pub struct ReceivedFile {
    pub slot: usize,
    /// The name the writer's computer gave it.
    pub given_name: String,
    pub incoming: IncomingFile,
}

/// A posted form and the files it carried (none for a form sent without
/// uploads, as every form was before).
pub struct PostedForm {
    pub form: FormData,
    pub files: Vec<ReceivedFile>,
}

impl FromRequest<App> for PostedForm {
    type Rejection = PageError;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        if !is_multipart(request.headers()) {
            return Ok(PostedForm {
                form: FormData::from_request(request, app).await?,
                files: Vec::new(),
            });
        }
        read_multipart(request, app).await
    }
}

/// The slot an upload field's name gives (`media_2` → 2).
fn slot_of(name: &str) -> Option<usize> {
    name.strip_prefix("media_")?
        .parse()
        .ok()
        .filter(|n| (1..=UPLOAD_SLOTS).contains(n))
}

async fn read_multipart(request: Request, app: &App) -> Result<PostedForm, PageError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| PageError::BadForm(format!("its parts can't be told apart ({e})")))?;
    let body = request.into_body().into_data_stream();
    let mut parts = multer::Multipart::with_constraints(
        body,
        boundary,
        multer::Constraints::new()
            .size_limit(multer::SizeLimit::new().whole_stream(upload_body_limit(app))),
    );
    let too_large = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            PageError::TooLarge
        }
        other => PageError::BadForm(other.to_string()),
    };
    let largest = app.media_limits.largest_file();
    let mut pairs = Vec::new();
    let mut text_bytes = 0usize;
    let mut files = Vec::new();
    while let Some(mut field) = parts.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or("").to_string();
        let given_name = field.file_name().map(str::to_string);
        match given_name {
            Some(given_name) => {
                let Some(slot) = slot_of(&name) else {
                    return Err(PageError::BadForm(format!(
                        "it carries a file in a field named {name:?}, where none is expected"
                    )));
                };
                let incoming = app.media.incoming()?;
                let unwritten = |e: std::io::Error| {
                    PageError::from(quire_archive::ArchiveError::Io {
                        action: "write",
                        path: incoming.path.clone(),
                        source: e,
                    })
                };
                let mut written = 0u64;
                let mut out = std::io::BufWriter::new(&incoming.file);
                while let Some(chunk) = field.chunk().await.map_err(too_large)? {
                    written += chunk.len() as u64;
                    if written > largest {
                        let refused = quire_archive::media::MediaError::TooLarge {
                            name: quire_archive::media::clean_name(&given_name),
                            noun: "file",
                            limit: quire_archive::media::megabytes(largest),
                        };
                        return Err(PageError::UploadTooLarge(format!(
                            "{refused}. Nothing was posted."
                        )));
                    }
                    out.write_all(&chunk).map_err(unwritten)?;
                }
                out.flush().map_err(unwritten)?;
                drop(out);
                // An empty file field is a slot left unused.
                if written > 0 {
                    files.push(ReceivedFile {
                        slot,
                        given_name,
                        incoming,
                    });
                }
            }
            None => {
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(too_large)? {
                    text_bytes += chunk.len();
                    if text_bytes > crate::MAX_BODY_BYTES {
                        return Err(PageError::TooLarge);
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value)
                    .map_err(|_| PageError::BadForm(format!("the field {name:?} isn't UTF-8")))?;
                pairs.push((name, value));
            }
        }
    }
    Ok(PostedForm {
        form: FormData::from_pairs(pairs),
        files,
    })
}

/// An upload as the chapter names it: by the name it came with.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedUpload {
    pub given_name: String,
    pub row: Media,
}

/// An upload checked and described, ready to place and keep.
pub struct Upload {
    pub placed: PlacedUpload,
    pub prepared: Prepared,
    /// Held until the file is kept: a recording is moved from here.
    _incoming: IncomingFile,
}

/// Checks each received file (by its bytes) and pairs it with the
/// description written beside it; the first problem, in words that name
/// the file, if any.
pub async fn prepare_uploads(
    app: &App,
    form: &FormData,
    files: Vec<ReceivedFile>,
) -> Result<Vec<Upload>, PageError> {
    let mut uploads = Vec::new();
    for file in files {
        let limits = app.media_limits;
        let path = file.incoming.path.clone();
        let given = file.given_name.clone();
        let prepared = tokio::task::spawn_blocking(move || {
            quire_archive::media::prepare(&path, &given, &limits)
        })
        .await
        .map_err(|e| PageError::BadForm(format!("an upload could not be read ({e})")))?;
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(refused) => {
                return Err(PageError::Refused(format!(
                    "{refused}. Nothing was posted."
                )))
            }
        };
        let description = form.text(&format!("media_{}_description", file.slot));
        // A transcript may be as long as a chapter; no longer.
        let chars = description.chars().count();
        let most = quire_archive::model::limits::CHAPTER_CHARS;
        if chars > most {
            return Err(PageError::Refused(format!(
                "The description of file {} is {} characters; the most is {}. Nothing was posted.",
                file.slot,
                crate::pages::thousands(chars as u64),
                crate::pages::thousands(most as u64)
            )));
        }
        let row = prepared.row(quire_archive::media::new_media_id(), description);
        uploads.push(Upload {
            placed: PlacedUpload {
                given_name: file.given_name,
                row,
            },
            prepared,
            _incoming: file.incoming,
        });
    }
    Ok(uploads)
}

/// The chapter's HTML with its uploads in place: an `src` naming an
/// uploaded file (as `<img src="fox.png" alt="…">` in pasted HTML, or
/// `![…](fox.png)` in Markdown) now points at it, and each upload the text
/// doesn't name is added at the end: a picture with its description as alt
/// text, a recording as a player with its transcript.
pub fn place_uploads(html: &str, uploads: &[PlacedUpload]) -> String {
    let mut placed = html.to_string();
    for upload in uploads {
        let media = &upload.row;
        let address = escape_html(&media.address());
        let names = [
            escape_html(&upload.given_name),
            escape_html(&quire_archive::media::clean_name(&upload.given_name)),
        ];
        let (shown, shown_size) = media.shown();
        let shown = escape_html(&shown);
        let mut named = false;
        for name in &names {
            let reference = format!("src=\"{name}\"");
            if placed.contains(&reference) {
                placed = placed.replace(&reference, &format!("src=\"{shown}\""));
                named = true;
            }
        }
        if named {
            continue;
        }
        match media.kind() {
            MediaKind::Image => {
                // Without a description the picture goes in without alt
                // text, and the posting is refused by the rule every
                // picture meets, naming it.
                let alt = if media.description.is_empty() {
                    String::new()
                } else {
                    format!(" alt=\"{}\"", escape_html(&media.description))
                };
                let size = match shown_size {
                    Some((w, h)) => format!(" width=\"{w}\" height=\"{h}\""),
                    None => String::new(),
                };
                let picture = format!("<img src=\"{shown}\"{alt}{size}>");
                if shown == address {
                    placed.push_str(&format!("<p>{picture}</p>"));
                } else {
                    // Shown at a column's width; the whole picture a tap away.
                    placed.push_str(&format!("<p><a href=\"{address}\">{picture}</a></p>"));
                }
            }
            MediaKind::Audio => {
                // The file itself to keep, as podficcers offer on AO3.
                placed.push_str(&format!(
                    "<figure><audio controls=\"controls\" preload=\"metadata\" src=\"{address}\"></audio>\
                     <figcaption>{name} · <a href=\"{address}?download=1\">Download</a></figcaption></figure>",
                    name = escape_html(&media.name)
                ));
                if !media.description.is_empty() {
                    let paragraphs: String = media
                        .description
                        .split("\n\n")
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| format!("<p>{}</p>", escape_html(p)))
                        .collect();
                    placed.push_str(&format!(
                        "<details><summary>Transcript</summary>{paragraphs}</details>"
                    ));
                }
            }
        }
    }
    placed
}

/// Puts every upload's file in place, before the rows that name them are
/// written: a file no row names is swept later, never the other way round.
/// Uploads past `owner`'s allowance are refused first, so none is kept;
/// the transaction that writes the rows checks again.
pub async fn keep_files(
    app: &App,
    owner: quire_archive::UserId,
    uploads: &[Upload],
) -> Result<(), PageError> {
    if uploads.is_empty() {
        return Ok(());
    }
    let used = app.archive.media_bytes_of(owner).await?;
    let adding: u64 = uploads.iter().map(|u| u.placed.row.bytes).sum();
    quire_archive::media::within_allowance(used, adding, app.media_limits.account_bytes)
        .map_err(|refused| PageError::Refused(refused.to_string()))?;
    for upload in uploads {
        app.media.keep(&upload.prepared).await?;
    }
    Ok(())
}

/// The rows to store with the work, counted against `owner`'s allowance.
pub fn media_upload<'a>(
    app: &App,
    owner: quire_archive::UserId,
    rows: &'a [Media],
) -> Option<MediaUpload<'a>> {
    (!rows.is_empty()).then_some(MediaUpload {
        owner,
        account_limit: app.media_limits.account_bytes,
        media: rows,
    })
}

/// Answers 503 to a request not done in time: `--request-timeout` for
/// most, `--upload-timeout` for a form carrying files (a podfic on a slow
/// connection takes minutes to arrive).
pub async fn request_deadline(
    axum::extract::State(app): axum::extract::State<App>,
    request: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let deadline = if is_multipart(request.headers()) {
        app.upload_timeout.max(app.request_timeout)
    } else {
        app.request_timeout
    };
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

impl Upload {
    /// The rows of `uploads`, to store.
    pub fn rows(uploads: &[Upload]) -> Vec<Media> {
        uploads.iter().map(|u| u.placed.row.clone()).collect()
    }

    pub fn placed(uploads: &[Upload]) -> Vec<PlacedUpload> {
        uploads.iter().map(|u| u.placed.clone()).collect()
    }
}
