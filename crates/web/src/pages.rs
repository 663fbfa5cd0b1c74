//! What every page shares: the layout, errors as pages, the security
//! headers.

use askama::Template;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use quire_archive::search::SearchError;
use quire_archive::{ArchiveError, ErrorKind};

use crate::visitor::Visitor;

/// The frame around every page: who is signed in, the form token for the
/// header's sign-out button, the theme.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub login: Option<String>,
    /// Admins get a link to the reports queue.
    pub admin: bool,
    pub csrf: String,
    pub theme: &'static str,
    pub text_size: &'static str,
    /// Unread notices in the signed-in reader's inbox.
    pub unread: i64,
}

impl Layout {
    pub fn new(visitor: &Visitor, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            login: visitor.user.as_ref().map(|u| u.login.clone()),
            admin: visitor.admin(),
            csrf: visitor.csrf.clone(),
            theme: visitor.settings.theme.name(),
            text_size: visitor.settings.text_size.name(),
            unread: visitor.unread,
        }
    }
}

/// Why a page can't be shown, as a page that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Also what a reader gets for something they may not know exists.
    #[error("We couldn't find that page. It may have been deleted, or it may not be open to you.")]
    NotFound,
    #[error(
        "This form has expired, or came from another site. Go back, reload the page and try again."
    )]
    ExpiredForm,
    #[error("Please sign in first.")]
    SignInNeeded { return_to: String },
    /// A page that is at another address now (a person's, after a change
    /// of username).
    #[error("This page has moved to {0}.")]
    Moved(String),
    #[error("Your account is suspended, so for now it can't post, edit, comment, bookmark or give kudos. You can still read. If you think this is a mistake, write to the archive's admins.")]
    Suspended,
    #[error("That is more than the archive takes in one form (8 MB). A work that long can be posted a chapter at a time.")]
    TooLarge,
    /// An upload past the archive's limits, in words that name it.
    #[error("{0}")]
    UploadTooLarge(String),
    #[error("That form couldn't be read: {0}")]
    BadForm(String),
    #[error("Too many tries. Please wait a minute and try again.")]
    TooManyTries,
    #[error("That is a lot of comments in a short time, so this one wasn't posted. Please wait a minute and send it again; what you wrote is still in the box if you go back.")]
    TooManyComments,
    #[error("{0}")]
    Refused(String),
    /// Something that is there, but not this visitor's to change.
    #[error("{0}")]
    Forbidden(String),
    #[error("The archive has run out of disk space, so what you sent wasn't saved. Nothing already on the archive is harmed, and reading still works. Please keep a copy of what you wrote and try again later; the archive's volunteers can see this in the server's log.")]
    OutOfSpace,
    #[error("Something went wrong on our side ({0}). Please try again; if it keeps happening, tell the archive's volunteers.")]
    Store(ArchiveError),
    #[error("Search isn't available right now: {0}")]
    Search(#[from] SearchError),
    #[error("The page couldn't be drawn ({0}). Please tell the archive's volunteers.")]
    Template(#[from] askama::Error),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::ExpiredForm | PageError::Suspended | PageError::Forbidden(_) => {
                StatusCode::FORBIDDEN
            }
            PageError::SignInNeeded { .. } => StatusCode::SEE_OTHER,
            PageError::Moved(_) => StatusCode::MOVED_PERMANENTLY,
            PageError::BadForm(_) | PageError::Refused(_) => StatusCode::BAD_REQUEST,
            PageError::TooManyTries | PageError::TooManyComments => StatusCode::TOO_MANY_REQUESTS,
            PageError::TooLarge | PageError::UploadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::OutOfSpace => StatusCode::INSUFFICIENT_STORAGE,
            PageError::Search(SearchError::NotReady) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Search(SearchError::BadParameter { .. }) => StatusCode::BAD_REQUEST,
            PageError::Store(_) | PageError::Search(_) | PageError::Template(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn heading(&self) -> &'static str {
        match self {
            PageError::NotFound => "Not found",
            PageError::ExpiredForm => "This form has expired",
            PageError::SignInNeeded { .. } => "Please sign in",
            PageError::Moved(_) => "Moved",
            PageError::TooManyTries => "Too many tries",
            PageError::TooManyComments => "Slow down a little",
            PageError::TooLarge | PageError::UploadTooLarge(_) => "Too much at once",
            PageError::OutOfSpace => "Not saved: the archive's disk is full",
            PageError::Suspended => "Your account is suspended",
            PageError::BadForm(_) | PageError::Refused(_) => "That didn't work",
            PageError::Forbidden(_) => "That isn't open to you",
            PageError::Search(SearchError::NotReady) => "Search is starting up",
            _ => "Something went wrong",
        }
    }
}

impl From<ArchiveError> for PageError {
    /// What the person asking can put right is told to them as it is; the
    /// rest is the archive's trouble.
    fn from(err: ArchiveError) -> PageError {
        match err.kind() {
            ErrorKind::Invalid | ErrorKind::Conflict => PageError::Refused(err.to_string()),
            ErrorKind::Forbidden => PageError::Forbidden(err.to_string()),
            ErrorKind::NotFound => PageError::NotFound,
            ErrorKind::OutOfSpace => {
                tracing::error!(error = %err, "out of disk space: a write was refused and rolled back; free space in the data directory");
                PageError::OutOfSpace
            }
            ErrorKind::Broken => PageError::Store(err),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let PageError::SignInNeeded { return_to } = &self {
            let target = format!(
                "/login?return_to={}",
                serde_urlencoded::to_string([("", return_to)])
                    .unwrap_or_default()
                    .trim_start_matches('=')
            );
            return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
        }
        if let PageError::Moved(target) = &self {
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, target.clone())],
            )
                .into_response();
        }
        let status = self.status();
        if status.is_server_error() && !matches!(self, PageError::OutOfSpace) {
            tracing::error!(status = status.as_u16(), error = %self, "a page failed");
        }
        // The layout without a visitor: error pages carry no forms.
        let page = ErrorPage {
            layout: Layout {
                title: self.heading().to_string(),
                login: None,
                admin: false,
                csrf: String::new(),
                theme: "auto",
                text_size: "normal",
                unread: 0,
            },
            message: self.to_string(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, self.to_string()).into_response(),
        }
    }
}

/// A template as a page.
pub fn render(page: &impl Template) -> Result<Response, PageError> {
    Ok(Html(page.render()?).into_response())
}

pub async fn not_found(Extension(_visitor): Extension<Visitor>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::api::problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "The API has nothing at this address; /api lists what it has.".into(),
        );
    }
    PageError::NotFound.into_response()
}

/// The body's length as the request declares it.
fn declared_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// A body whose Content-Length is over the limit is refused before any of
/// it is read; one that only turns out too long while being read is
/// refused by the body limit (also a 413, through [`PageError::TooLarge`]).
/// A form with uploads may be as large as its files allow.
pub async fn refuse_declared_large_bodies(
    axum::extract::State(app): axum::extract::State<crate::App>,
    request: Request,
    next: Next,
) -> Response {
    let declared = declared_length(request.headers());
    let limit = if crate::uploads::is_multipart(request.headers()) {
        crate::uploads::upload_body_limit(&app)
    } else {
        crate::MAX_BODY_BYTES as u64
    };
    if declared.is_some_and(|bytes| bytes > limit) {
        if request.uri().path().starts_with("/api/") {
            return crate::api::problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                PageError::TooLarge.to_string(),
            );
        }
        return PageError::TooLarge.into_response();
    }
    next.run(request).await
}

/// Whether the copy a client holds is still this one: `None` when it sent
/// no `If-None-Match`; otherwise the weak comparison RFC 9110 §13.1.2 asks
/// for.
pub(crate) fn etag_matches(asked: &axum::http::HeaderMap, etag: &str) -> Option<bool> {
    let tags = asked
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())?;
    let etag = etag.trim_start_matches("W/");
    Some(
        tags.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*"),
    )
}

/// Does the client's copy still stand? An ETag decides when one is sent
/// (RFC 9110 §13.2.2); the date only otherwise.
pub(crate) fn still_fresh(
    asked: &axum::http::HeaderMap,
    etag: &str,
    last_modified: &HeaderValue,
) -> bool {
    if let Some(matches) = etag_matches(asked, etag) {
        return matches;
    }
    let since = asked
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let modified = last_modified
        .to_str()
        .ok()
        .and_then(|v| httpdate::parse_http_date(v).ok());
    matches!((since, modified), (Some(since), Some(modified)) if modified <= since)
}

/// No page has an address that isn't UTF-8 once decoded, so such an
/// address is answered as any unknown one is, instead of with the router's
/// plain-text "Invalid URL".
pub async fn refuse_undecodable_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .is_err()
    {
        if path.starts_with("/api/") {
            return crate::api::problem(
                StatusCode::NOT_FOUND,
                "not-found",
                "There is nothing at this address: it isn't UTF-8 once decoded.".into(),
            );
        }
        return PageError::NotFound.into_response();
    }
    next.run(request).await
}

/// A request refused before its body was read (no token, a form without
/// its token) leaves the body unread, and the server closes the
/// connection rather than read on. Said in the answer: a client then sends
/// its next request on a new connection, instead of on this one as it
/// closes (which fails that request, and a POST is not tried again).
pub async fn close_after_a_refused_body(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let carries_body = declared_length(headers).is_some_and(|length| length > 0)
        || headers.contains_key(header::TRANSFER_ENCODING);
    let mut response = next.run(request).await;
    if carries_body && response.status().is_client_error() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Headers that keep the pages from being turned against their readers:
/// no inline or foreign script runs, no other site frames them.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut());
    response
}

/// What a page may load. Scripts and styles only from here. Images,
/// audio and video from any https site, as writers embed them on AO3:
/// the reader's browser fetches them itself, so their host learns the
/// reader's address but not the page (no referrer leaves it). Frames
/// only from the embed hosts.
static CONTENT_SECURITY_POLICY: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    let hosts = quire_archive::sanitize::embed_hosts();
    let frames = if hosts.is_empty() {
        "'none'".to_string()
    } else {
        hosts
            .iter()
            .map(|host| format!("https://{host} https://www.{host}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
         media-src 'self' https:; frame-src {frames}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    // Host names are checked as such when chosen, so this is always a
    // header value; were it not, nothing would load from elsewhere.
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ))
});

/// What every answer carries, whichever way it was made.
pub fn add_security_headers(headers: &mut axum::http::HeaderMap) {
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            axum::http::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "same-origin");
    set("x-frame-options", "DENY");
    // An answer that brings its own (an uploaded file's, stricter than a
    // page's) keeps it.
    headers
        .entry(axum::http::header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| CONTENT_SECURITY_POLICY.clone());
}

pub use quire_text::count::thousands;

/// A language as readers see it: by its own name, as AO3 shows it
/// ("Deutsch", "日本語"), else its English name, else as the work gave it.
pub fn language_name(code: &str) -> String {
    let code = code.trim();
    let language = match code.len() {
        2 => isolang::Language::from_639_1(&code.to_ascii_lowercase()),
        3 => isolang::Language::from_639_3(&code.to_ascii_lowercase()),
        _ => None,
    };
    match language {
        Some(language) => language
            .to_autonym()
            .unwrap_or_else(|| language.to_name())
            .to_string(),
        None => code.to_string(),
    }
}

/// One language a reader or writer can pick.
pub struct LanguageChoice {
    pub code: String,
    /// In the language itself, as AO3's menus show them.
    pub name: String,
    pub selected: bool,
}

/// Every ISO 639-1 language by its own name, in that order.
static LANGUAGES: std::sync::LazyLock<Vec<(&'static str, String)>> =
    std::sync::LazyLock::new(|| {
        let mut all: Vec<(&'static str, String)> = isolang::languages()
            .filter_map(|l| l.to_639_1().map(|code| (code, language_name(code))))
            .collect();
        all.sort_by_key(|(_, name)| name.to_lowercase());
        all
    });

/// The languages to choose from, `current` selected; a code the list
/// doesn't hold (an AO3 `pt-BR`) comes first, so a form never loses it.
pub fn language_choices(current: &str) -> Vec<LanguageChoice> {
    let current = current.trim();
    let mut choices: Vec<LanguageChoice> = Vec::with_capacity(LANGUAGES.len() + 1);
    if !current.is_empty()
        && !LANGUAGES
            .iter()
            .any(|(code, _)| code.eq_ignore_ascii_case(current))
    {
        choices.push(LanguageChoice {
            code: current.to_string(),
            name: language_name(current),
            selected: true,
        });
    }
    choices.extend(LANGUAGES.iter().map(|(code, name)| LanguageChoice {
        code: code.to_string(),
        name: name.clone(),
        selected: code.eq_ignore_ascii_case(current),
    }));
    choices
}

/// A path segment or query value, percent-encoded.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind of archive error reaches the reader as its own status;
    /// none falls through to "something went wrong".
    #[test]
    fn archive_errors_answer_by_their_kind() {
        let answers = [
            (
                ArchiveError::Rejected {
                    field: "comment",
                    reason: "a comment needs some text".into(),
                },
                StatusCode::BAD_REQUEST,
            ),
            (
                ArchiveError::Conflict("frozen".into()),
                StatusCode::BAD_REQUEST,
            ),
            (
                ArchiveError::Missing("no comment 9".into()),
                StatusCode::NOT_FOUND,
            ),
            (ArchiveError::NotYours(1), StatusCode::NOT_FOUND),
            (
                ArchiveError::NotAllowed("not yours to edit".into()),
                StatusCode::FORBIDDEN,
            ),
            (
                ArchiveError::Io {
                    action: "read",
                    path: "/data/x".into(),
                    source: std::io::Error::from_raw_os_error(2),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                ArchiveError::Io {
                    action: "write",
                    path: "/data/x".into(),
                    source: std::io::Error::from_raw_os_error(28),
                },
                StatusCode::INSUFFICIENT_STORAGE,
            ),
        ];
        for (err, status) in answers {
            let said = err.to_string();
            assert_eq!(PageError::from(err).status(), status, "{said}");
        }
    }

    #[test]
    fn languages_are_shown_by_their_own_names() {
        assert_eq!(language_name("en"), "English");
        assert_eq!(language_name("DE"), "Deutsch");
        assert_eq!(language_name("jpn"), "日本語");
        // What the table doesn't know stays as the work gave it.
        assert_eq!(language_name("tlh-Klingon"), "tlh-Klingon");
        assert_eq!(language_name("qq"), "qq");
    }

    #[test]
    fn every_language_is_offered_by_its_name_and_the_current_one_kept() {
        let choices = language_choices("de");
        assert!(choices.len() > 150, "{} languages", choices.len());
        let picked: Vec<&LanguageChoice> = choices.iter().filter(|c| c.selected).collect();
        assert_eq!(picked.len(), 1);
        assert_eq!(
            (picked[0].code.as_str(), picked[0].name.as_str()),
            ("de", "Deutsch")
        );
        assert!(choices.iter().any(|c| c.code == "ja" && c.name == "日本語"));
        // A code the list lacks is offered first, chosen, not dropped.
        let regional = language_choices("pt-BR");
        assert_eq!(regional[0].code, "pt-BR");
        assert!(regional[0].selected);
        assert_eq!(regional.iter().filter(|c| c.selected).count(), 1);
        assert!(language_choices("").iter().all(|c| !c.selected));
    }

    #[test]
    fn counts_read_like_ao3() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn names_go_into_urls_whole() {
        assert_eq!(
            encode("Spider-Man: Homecoming"),
            "Spider-Man%3A%20Homecoming"
        );
        assert_eq!(encode("a/b & c"), "a%2Fb%20%26%20c");
    }
}
