//! The JSON API under `/api/v1`: what the site offers, for programs.
//!
//! Reads are open to anyone for what a guest may see; a personal access
//! token (`Authorization: Bearer quire_…`) reads as its account and, with
//! the `write` scope, writes as it. Every handler keeps the site's rules
//! by going through the same archive calls and form checks the pages use:
//! the API is another way in, not another set of rules.
//!
//! The OpenAPI document is made from the handlers' own annotations, so it
//! can't list a route the router lacks, or miss one it has.

mod blocks;
mod bookmarks;
mod comment_controls;
mod inbox;
mod later;
mod names;
mod problem;
mod read;
mod reference;
mod write;

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};
use quire_archive::tokens::Scope;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use problem::{problem, ApiError, Problem};
pub(crate) use reference::page as reference_page;

use crate::settings::ReaderSettings;
use crate::visitor::Visitor;
use crate::App;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "quire",
        description = "The JSON API of a quire archive: search and read works, tags, people and series; with a personal access token, post and edit works and chapters, leave kudos, comments and bookmarks, subscribe, and keep a mute list and a reader-insert profile.\n\nMake a token on your account page and send it as `Authorization: Bearer <token>`. Without one, the API answers as it would a guest.\n\nErrors are RFC 9457 problem details (`application/problem+json`): `type` names the problem for programs, `detail` says what to do about it.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    // Named only by a query parameter, which utoipa doesn't collect.
    components(schemas(names::SuggestedKindCode)),
    tags(
        (name = "works", description = "Searching, reading and writing works and chapters."),
        (name = "reactions", description = "Kudos, comments (and a work's comment controls), bookmarks and subscriptions."),
        (name = "tags", description = "Tags and their place in the wrangling."),
        (name = "people", description = "Accounts, pseuds and series."),
        (name = "me", description = "The token's own account: its mute list, blocks, works marked for later and reader-insert profile."),
        (name = "moderation", description = "What only the archive's admins do: spam, and removing one person's comments."),
        (name = "archive", description = "The archive itself."),
    )
)]
struct ApiDoc;

/// The API's routes and the document that describes them, made from the
/// same list.
pub(crate) fn routes() -> (axum::Router<App>, utoipa::openapi::OpenApi) {
    let routes = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(read::health))
        .routes(routes!(read::search_works, write::post_work))
        .routes(routes!(read::work, write::edit_work, write::delete_work))
        .routes(routes!(write::add_chapter))
        .routes(routes!(
            read::chapter,
            write::edit_chapter,
            write::delete_chapter
        ))
        .routes(routes!(read::chapter_comments))
        .routes(routes!(write::kudos))
        .routes(routes!(write::comment))
        .routes(routes!(write::edit_comment, write::delete_comment))
        .routes(routes!(write::freeze_comment, write::unfreeze_comment))
        .routes(routes!(comment_controls::approve))
        .routes(routes!(comment_controls::hide, comment_controls::unhide))
        .routes(routes!(
            comment_controls::mark_spam,
            comment_controls::unmark_spam
        ))
        .routes(routes!(
            comment_controls::comment_settings,
            comment_controls::set_comment_settings
        ))
        .routes(routes!(comment_controls::delete_comments_of))
        .routes(routes!(write::bookmark))
        .routes(routes!(bookmarks::all))
        .routes(routes!(bookmarks::edit, bookmarks::delete))
        .routes(routes!(bookmarks::of_person))
        .routes(routes!(bookmarks::series))
        .routes(routes!(bookmarks::external))
        .routes(routes!(write::subscribe, write::unsubscribe))
        .routes(routes!(inbox::subscribe_series, inbox::unsubscribe_series))
        .routes(routes!(inbox::subscribe_person, inbox::unsubscribe_person))
        .routes(routes!(inbox::subscriptions))
        .routes(routes!(inbox::inbox))
        .routes(routes!(inbox::mark_read, inbox::mark_unread))
        .routes(routes!(inbox::delete))
        .routes(routes!(read::suggest_tags))
        .routes(routes!(read::tag))
        .routes(routes!(read::person))
        .routes(routes!(read::pseud))
        .routes(routes!(read::series))
        .routes(routes!(read::me))
        .routes(routes!(read::mutes, write::set_mutes))
        .routes(routes!(blocks::blocks))
        .routes(routes!(later::marked))
        .routes(routes!(later::mark, later::unmark))
        .routes(routes!(blocks::block, blocks::unblock))
        .routes(routes!(read::reader_insert, write::set_reader_insert));
    // After the routes are in: a modifier given to the derive runs before
    // the router has added any path.
    let (router, mut document) = routes.split_for_parts();
    utoipa::Modify::modify(&CommonAnswers, &mut document);
    (router, document)
}

/// Answers every operation may give besides its own: a token that isn't
/// one, a rate limit reached, a body too large, a server that can't
/// answer now; and the token as a way to sign requests.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal access token from your account page, scoped `read` or `write`.",
                    ))
                    .build(),
            ),
        );
        let problem = |description: &str| -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        link_made_things(openapi);
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (&mut item.get, false, false),
                (&mut item.put, true, true),
                (&mut item.post, true, true),
                (&mut item.delete, false, true),
                (&mut item.patch, true, true),
            ];
            for (operation, has_body, writes) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let answers = &mut operation.responses.responses;
                answers.entry("401".into()).or_insert_with(|| {
                    problem("The token sent is not a token of this archive, or was revoked; or this needs a token and none was sent.")
                });
                answers.entry("429".into()).or_insert_with(|| {
                    problem("Too many requests for this token (or address) in a minute; `Retry-After` says when to try again.")
                });
                answers.entry("503".into()).or_insert_with(|| {
                    problem("The archive can't answer right now (it is starting, or the request took too long); try again shortly.")
                });
                if has_body {
                    answers.entry("413".into()).or_insert_with(|| {
                        problem("The body is larger than the archive takes in one request (8 MB).")
                    });
                    answers.entry("415".into()).or_insert_with(|| {
                        problem(
                            "The body isn't JSON: send it with `Content-Type: application/json`.",
                        )
                    });
                }
                // What the handlers enforce: every write, and everything
                // about the caller's own account, needs a token (401
                // without); every other read takes one, or answers as to a
                // guest. `every_operation_says_whether_it_needs_a_token`
                // calls each without one and compares.
                let token = utoipa::openapi::security::SecurityRequirement::new(
                    "token",
                    Vec::<String>::new(),
                );
                operation.security = Some(if writes || path.starts_with("/api/v1/me") {
                    vec![token]
                } else {
                    vec![
                        utoipa::openapi::security::SecurityRequirement::default(),
                        token,
                    ]
                });
            }
        }
    }
}

/// Links from what a POST makes to the operations that take its id, so
/// that a client (or schemathesis) can follow a new work to its chapters,
/// kudos and comments.
fn link_made_things(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::RefOr;
    let mut targets: Vec<(String, String)> = Vec::new();
    for (path, item) in &openapi.paths.paths {
        for operation in [&item.get, &item.put, &item.post, &item.delete]
            .into_iter()
            .flatten()
        {
            if let Some(id) = &operation.operation_id {
                targets.push((path.clone(), id.clone()));
            }
        }
    }
    // (the making operation's path, the id it makes, what the link passes)
    let makers = [
        ("/api/v1/works", "/api/v1/works/{id}", "$response.body#/id"),
        (
            "/api/v1/works/{id}/chapters",
            "/api/v1/works/{id}/chapters/{position}",
            "$request.path.id",
        ),
    ];
    for (maker, prefix, id) in makers {
        let Some(post) = openapi
            .paths
            .paths
            .get_mut(maker)
            .and_then(|item| item.post.as_mut())
        else {
            continue;
        };
        let Some(RefOr::T(made)) = post.responses.responses.get_mut("201") else {
            continue;
        };
        for (path, operation_id) in targets.iter().filter(|(p, _)| p.starts_with(prefix)) {
            let mut link = LinkBuilder::new()
                .operation_id(operation_id.clone())
                .parameter("id", id);
            if path.contains("{position}") {
                link = link.parameter(
                    "position",
                    if maker == "/api/v1/works" {
                        serde_json::json!(1)
                    } else {
                        serde_json::json!("$response.body#/position")
                    },
                );
            }
            made.links
                .insert(operation_id.clone(), RefOr::T(link.build()));
        }
    }
}

/// Who is calling: a token's holder, or a guest. Handlers get the same
/// `Visitor` the pages do, so the site's checks apply as they are.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub visitor: Visitor,
    pub scope: Option<Scope>,
}

impl Caller {
    /// The token's account, which must be allowed to write; a guest is
    /// asked for a token. A suspended account writes nothing.
    fn writer(&self) -> Result<&quire_archive::User, ApiError> {
        let user = self.settings_writer()?;
        self.visitor.not_suspended()?;
        Ok(user)
    }

    /// The token's account, with a token that may write: enough to change
    /// its own settings, which a suspended account may do on the site too.
    fn settings_writer(&self) -> Result<&quire_archive::User, ApiError> {
        let user = self.holder()?;
        if self.scope != Some(Scope::Write) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read-only-token",
                "This token may only read. Make a token with the `write` scope on your account page to change things.",
            ));
        }
        Ok(user)
    }

    /// The token's account, for what is only about it (its mute list).
    fn holder(&self) -> Result<&quire_archive::User, ApiError> {
        self.visitor
            .user
            .as_ref()
            .ok_or_else(ApiError::token_needed)
    }
}

/// Requests each token (or address, for callers without one) may make in
/// a minute, shared by reads and writes.
pub(crate) struct ApiLimits {
    limiter: RateLimiter<
        String,
        governor::state::keyed::DefaultKeyedStateStore<String>,
        DefaultClock,
        StateInformationMiddleware,
    >,
    per_minute: u32,
}

impl ApiLimits {
    pub(crate) fn new(per_minute: u32) -> Option<ApiLimits> {
        let n = NonZeroU32::new(per_minute)?;
        Some(ApiLimits {
            limiter: RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
            per_minute,
        })
    }

    /// Spends one request of `key`'s budget: the headers to send either
    /// way, and whether the request may go on.
    fn spend(&self, key: String) -> (Vec<(&'static str, String)>, bool) {
        let limit = ("ratelimit-limit", self.per_minute.to_string());
        match self.limiter.check_key(&key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                // Each spent request comes back after a sixtieth of the
                // minute; the budget is whole again once all of them have.
                let spent = self.per_minute.saturating_sub(remaining);
                let reset = (u64::from(spent) * 60).div_ceil(u64::from(self.per_minute));
                (
                    vec![
                        limit,
                        ("ratelimit-remaining", remaining.to_string()),
                        ("ratelimit-reset", reset.to_string()),
                    ],
                    true,
                )
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    .max(1);
                (
                    vec![
                        limit,
                        ("ratelimit-remaining", "0".into()),
                        ("ratelimit-reset", wait.to_string()),
                        ("retry-after", wait.to_string()),
                    ],
                    false,
                )
            }
        }
    }
}

/// Works out who is calling from the bearer token (cookies are never
/// read: a page of another site can't make a browser call the API as its
/// reader), spends their rate limit and sets its headers.
pub(crate) async fn caller(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let address = app.reader_address(&request);
    // Health checks come from the machine's own watchers: no token, no limit.
    if request.uri().path() == "/healthz" {
        request.extensions_mut().insert(Caller {
            visitor: guest_visitor(address),
            scope: None,
        });
        return next.run(request).await;
    }
    let bearer = match bearer_token(request.headers()) {
        Ok(bearer) => bearer,
        Err(err) => return err.into_response(),
    };
    let holder = match bearer {
        Some(secret) => match app.archive.token_holder(&secret).await {
            Ok(Some(holder)) => Some(holder),
            Ok(None) => {
                return ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "bad-token",
                    "That token isn't one this archive knows: it may have been revoked. Make a new one on your account page.",
                )
                .into_response()
            }
            Err(err) => return ApiError::from(err).into_response(),
        },
        None => None,
    };
    let rate_key = match &holder {
        Some(holder) => format!("token:{}", holder.token.id),
        None => format!("address:{address}"),
    };
    let (limit_headers, allowed) = match &app.api_limits {
        Some(limits) => limits.spend(rate_key),
        None => (Vec::new(), true),
    };
    let mut response = if allowed {
        let settings = match &holder {
            Some(holder) => match app.archive.preferences(holder.user.id).await {
                Ok(stored) => stored
                    .map(|json| ReaderSettings::from_json(&json))
                    .unwrap_or_default(),
                Err(err) => return ApiError::from(err).into_response(),
            },
            None => ReaderSettings::default(),
        };
        let scope = holder.as_ref().map(|h| h.token.scope);
        let visitor = Visitor {
            user: holder.map(|h| h.user),
            settings,
            ..guest_visitor(address)
        };
        request.extensions_mut().insert(Caller { visitor, scope });
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "That is more requests in a minute than this archive answers for one token (or address); wait the seconds `Retry-After` gives, then go on.",
        )
        .into_response()
    };
    for (name, value) in limit_headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// An id from an address: a number, or nothing there (404), never
/// axum's plain-text rejection.
pub(crate) fn path_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| crate::pages::PageError::NotFound.into())
}

fn guest_visitor(address: std::net::IpAddr) -> Visitor {
    Visitor {
        user: None,
        // Forms' tokens don't apply: nothing here reads a cookie.
        csrf: String::new(),
        settings: ReaderSettings::default(),
        // The notice is for people at a browser, never for programs.
        adult_ok: true,
        unread: 0,
        address,
        secure: false,
        session_token: None,
    }
}

/// The bearer token sent, if any; another kind of `Authorization` is
/// refused rather than ignored, so a mistake is seen at once.
fn bearer_token(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("");
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad-token",
            "Send a personal access token as `Authorization: Bearer <token>`; make one on your account page.",
        )),
    }
}

/// Query parameters read into a struct, or a problem saying which can't
/// be read (axum's own refusal is plain text).
pub(crate) struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(err) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-parameter",
                format!(
                    "The query couldn't be read: {}. Give each parameter once; the API reference lists them.",
                    err.body_text()
                ),
            )),
        }
    }
}

/// A JSON body, or a problem saying what is wrong with it.
pub(crate) struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not-json",
                "Send the body as JSON, with `Content-Type: application/json`.",
            )),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "That is more than the archive takes in one request (8 MB); post a long work a chapter at a time.",
            )),
            Err(err) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-json",
                format!("The body couldn't be read: {}. The API reference lists each field.", err.body_text()),
            )),
        }
    }
}

/// `GET /api/v1/openapi.json`: the document, as made at start-up.
pub(crate) async fn document(State(app): State<App>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        app.api_document.to_string(),
    )
        .into_response()
}

/// The OpenAPI document, made once.
pub(crate) fn document_json(document: &utoipa::openapi::OpenApi) -> Arc<str> {
    let mut value = serde_json::to_value(document).unwrap_or_default();
    spell_link_fields(&mut value);
    Arc::from(serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into()))
}

/// utoipa 5 writes a link's `operationId` and `operationRef` in snake
/// case, which no OpenAPI reader knows; they are put right here.
fn spell_link_fields(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(|responses| responses.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links"))
        .filter_map(|links| links.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (wrong, right) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(wrong) {
                link.insert(right.to_string(), value);
            }
        }
    }
}
