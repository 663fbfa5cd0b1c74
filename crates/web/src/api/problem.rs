//! RFC 9457 problem details: every refusal the API gives, with a type a
//! program can match and a sentence a person can act on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quire_archive::ArchiveError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::pages::PageError;

/// Where problem types live; the type is an identifier, not a page.
const PROBLEM_BASE: &str = "https://quire.invalid/problems/";

/// A problem, as RFC 9457 has it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Problem {
    /// What went wrong, for programs: `https://quire.invalid/problems/<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status's name.
    pub title: String,
    pub status: u16,
    /// What went wrong and what to do about it, for people.
    pub detail: String,
    /// The query parameter or field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// A refusal on its way to becoming a problem answer.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub detail: String,
    pub parameter: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            parameter: None,
        }
    }

    pub fn bad_parameter(parameter: &str, message: &str) -> ApiError {
        ApiError {
            parameter: Some(parameter.to_string()),
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-parameter",
                format!("`{parameter}`: {message}"),
            )
        }
    }

    pub fn token_needed() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token-needed",
            "This needs a personal access token: make one on your account page and send it as `Authorization: Bearer <token>`.",
        )
    }

    /// A refusal of what was sent, with the site's own words for it.
    pub fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", detail)
    }

    pub fn no_such_work() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-work",
            "There is no such work that you can see: it may be a draft, hidden, deleted, or not yours to change.",
        )
    }
}

/// An RFC 9457 problem answer.
pub(crate) fn problem(status: StatusCode, kind: &'static str, detail: String) -> Response {
    ApiError::new(status, kind, detail).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("{PROBLEM_BASE}{}", self.kind),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            parameter: self.parameter,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<PageError> for ApiError {
    /// The site's refusals, said for a program's caller: the same rules,
    /// the same reasons.
    fn from(err: PageError) -> ApiError {
        let detail = err.to_string();
        match err {
            // The API names people by their login now; an old one is gone.
            PageError::NotFound | PageError::Moved(_) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "There is nothing here that you can see: it may have been deleted, or it may not be open to you.",
            ),
            PageError::SignInNeeded { .. } => ApiError {
                detail: "Only signed-in readers may see this: send a personal access token as `Authorization: Bearer <token>`.".into(),
                ..ApiError::token_needed()
            },
            PageError::ExpiredForm => ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail),
            PageError::Suspended => ApiError::new(StatusCode::FORBIDDEN, "suspended", detail),
            PageError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail),
            PageError::TooLarge | PageError::UploadTooLarge(_) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", detail)
            }
            PageError::BadForm(_) => ApiError::new(StatusCode::BAD_REQUEST, "bad-request", detail),
            PageError::TooManyTries | PageError::TooManyComments => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail)
            }
            PageError::Refused(_) => ApiError::invalid(detail),
            PageError::OutOfSpace => {
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "out-of-space", detail)
            }
            PageError::Search(quire_archive::search::SearchError::NotReady) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "index-building", detail)
            }
            PageError::Search(quire_archive::search::SearchError::BadParameter {
                parameter,
                message,
            }) => ApiError::bad_parameter(parameter, &message),
            PageError::Store(_) | PageError::Search(_) | PageError::Template(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server-error", detail)
            }
        }
    }
}

impl From<ArchiveError> for ApiError {
    /// As the site answers, naming the field at fault when the archive does.
    fn from(err: ArchiveError) -> ApiError {
        let parameter = match &err {
            ArchiveError::Rejected { field, .. } => Some(field.to_string()),
            ArchiveError::NoSuchComment(_) => {
                return ApiError::new(StatusCode::NOT_FOUND, "no-such-comment", err.to_string());
            }
            _ => None,
        };
        ApiError {
            parameter,
            ..ApiError::from(PageError::from(err))
        }
    }
}
