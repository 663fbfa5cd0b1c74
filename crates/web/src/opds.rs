//! The OPDS 1.2 catalog for e-reader apps (KOReader, Calibre, Thorium…):
//! Atom feeds from a root navigation feed down to acquisition feeds whose
//! entries link the downloads, and an OpenSearch description so the apps
//! can search. Apps can't keep cookies, so a reader's own feeds take HTTP
//! Basic sign-in; everything follows the site's visibility rules.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::Engine;
use quire_archive::model::TagKind;
use quire_archive::search::{
    Completion, Crossovers, SearchRequest, SearchResults, Sort, WorkSummary,
};
use quire_archive::{User, Viewer, WorkId};

use crate::downloads::digest;
use crate::pages::{Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

const NAVIGATION: &str = "application/atom+xml;profile=opds-catalog;kind=navigation";
const ACQUISITION: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
/// Works on one page of an acquisition feed.
const PER_PAGE: usize = 25;
/// Tags a navigation feed of tags offers.
const TAGS_SHOWN: usize = 50;

/// A link of a feed: `start`, `up`, `next`, `search`…
struct FeedLink {
    rel: &'static str,
    href: String,
    kind: &'static str,
}

/// An entry of a navigation feed: a way down to another feed.
struct NavEntry {
    id: String,
    title: String,
    content: String,
    href: String,
    kind: &'static str,
}

/// An entry of an acquisition feed: a work and its downloads.
struct WorkEntry {
    work: WorkSummary,
    base: String,
    /// Recordings uploaded with it (a podfic), each offered as the file
    /// itself: (address, media type, name).
    recordings: Vec<(String, &'static str, String)>,
}

/// The entries of `works`, each with its uploaded recordings.
async fn work_entries(
    app: &App,
    base: &str,
    works: Vec<WorkSummary>,
) -> Result<Vec<WorkEntry>, PageError> {
    let ids: Vec<quire_archive::WorkId> = works.iter().map(|w| w.id).collect();
    let mut media = app.archive.media_of_works(&ids).await?;
    Ok(works
        .into_iter()
        .map(|work| {
            let recordings = media
                .remove(&work.id)
                .unwrap_or_default()
                .into_iter()
                .filter(|m| m.kind() == quire_archive::media::MediaKind::Audio)
                .map(|m| {
                    (
                        format!("{base}{}?download=1", m.address()),
                        m.format.mime(),
                        m.name,
                    )
                })
                .collect();
            WorkEntry {
                work,
                base: base.to_string(),
                recordings,
            }
        })
        .collect())
}

impl WorkEntry {
    fn url(&self, path: &str) -> String {
        format!("{}/works/{}{path}", self.base, self.work.id)
    }
    fn author_url(&self, author: &str) -> String {
        format!(
            "{}/works?author={}",
            self.base,
            crate::pages::encode(author)
        )
    }
    /// Every tag, ratings and warnings first, as AO3 lists them.
    fn categories(&self) -> Vec<&str> {
        let w = &self.work;
        std::iter::once(w.rating.as_str())
            .chain(w.warnings.iter().map(String::as_str))
            .chain(w.categories.iter().map(String::as_str))
            .chain(w.fandoms.iter().map(String::as_str))
            .chain(w.relationships.iter().map(String::as_str))
            .chain(w.characters.iter().map(String::as_str))
            .chain(w.freeforms.iter().map(String::as_str))
            .collect()
    }
    fn stats(&self) -> String {
        let w = &self.work;
        let expected = w
            .expected_chapters
            .map_or("?".to_string(), |n| n.to_string());
        format!(
            "{} · {} words · chapters {}/{expected} · {}",
            w.rating,
            crate::pages::thousands(w.words),
            w.chapters,
            w.fandoms.join(", ")
        )
    }
}

#[derive(Template)]
#[template(path = "opds.xml")]
struct Feed {
    id: String,
    title: String,
    updated: String,
    base: String,
    self_href: String,
    self_kind: &'static str,
    links: Vec<FeedLink>,
    entries: Vec<NavEntry>,
    works: Vec<WorkEntry>,
    /// OpenSearch paging: (total, first index, per page).
    paging: Option<(usize, usize, usize)>,
}

#[derive(Template)]
#[template(path = "opensearch.xml")]
struct OpenSearch {
    base: String,
}

/// A feed as a web page, for the reader who follows the footer's catalog
/// link in a browser: what the apps see, readable, with a word on what
/// the address is for.
#[derive(Template)]
#[template(path = "opds.html")]
struct CatalogPage<'a> {
    layout: Layout,
    feed: &'a Feed,
}

impl CatalogPage<'_> {
    fn lists_works(&self) -> bool {
        self.feed.self_kind == ACQUISITION
    }
    /// The feed's paging links but the first and last, which a page
    /// doesn't need beside previous and next.
    fn pages(&self) -> Vec<&FeedLink> {
        self.feed
            .links
            .iter()
            .filter(|l| matches!(l.rel, "previous" | "next"))
            .collect()
    }
    fn page_label(&self, rel: &str) -> &'static str {
        if rel == "previous" {
            "← Previous"
        } else {
            "Next →"
        }
    }
}

/// Whether the request comes from a browser, which would show the feed's
/// XML as raw text: it asks for HTML ahead of Atom. Apps ask for Atom or
/// for anything, and get the feed.
fn wants_page(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let weight = |wanted: &str| -> Option<f32> {
        accept.split(',').find_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim();
            if !media.eq_ignore_ascii_case(wanted) {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some(q)
        })
    };
    match (weight("text/html"), weight("application/atom+xml")) {
        (Some(html), Some(atom)) => html > 0.0 && html > atom,
        (Some(html), None) => html > 0.0,
        _ => false,
    }
}

/// When each feed last changed, as this server saw it: its
/// Last-Modified, which KOReader compares (with a HEAD request) before it
/// loads a feed again, and its `updated`. Known from the feed's ETag
/// changing; a restart makes every feed new once.
#[derive(Default)]
pub struct FeedVersions {
    by_feed: std::sync::Mutex<std::collections::HashMap<String, (String, u64)>>,
}

/// The most feeds remembered; past it, all are forgotten and start anew.
const FEED_VERSIONS_KEPT: usize = 10_000;

impl FeedVersions {
    /// The second at which `feed` became what `etag` names. Each change
    /// moves it on by at least a second, so a client holding the previous
    /// Last-Modified never takes a new feed for its old one.
    fn changed_at(&self, feed: &str, etag: &str) -> u64 {
        let mut known = self.by_feed.lock().unwrap_or_else(|e| e.into_inner());
        let before = match known.get(feed) {
            Some((seen, at)) if seen == etag => return *at,
            Some((_, at)) => Some(*at),
            None => None,
        };
        if known.len() >= FEED_VERSIONS_KEPT && before.is_none() {
            known.clear();
        }
        let now = seconds_now();
        let at = before.map_or(now, |before| now.max(before + 1));
        known.insert(feed.to_string(), (etag.to_string(), at));
        at
    }
}

fn seconds_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn xml(body: String, kind: &str) -> Response {
    (
        [
            (header::VARY, HeaderValue::from_static("Accept")),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(kind)
                    .unwrap_or_else(|_| HeaderValue::from_static("application/atom+xml")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
        ],
        body,
    )
        .into_response()
}

/// An Atom date (RFC 3339, UTC) for seconds since 1970.
fn atom_date(seconds: u64) -> String {
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    let day = quire_archive::dates::day_of(seconds);
    let rest = seconds.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Who reads this catalog: the site's signed-in reader, or one signing in
/// with HTTP Basic as e-reader apps do (with the password, or a personal
/// access token in its place). Wrong details answer 401 with the
/// same words whether the account exists or not.
async fn reader(
    app: &App,
    visitor: &Visitor,
    headers: &HeaderMap,
) -> Result<Option<User>, Response> {
    if let Some(user) = &visitor.user {
        return Ok(Some(user.clone()));
    }
    let Some(sent) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(sent.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(credentials) = decoded else {
        return Err(sign_in_needed());
    };
    let Some((login, password)) = credentials.split_once(':') else {
        return Err(sign_in_needed());
    };
    // A personal access token in the password's place, so that an
    // e-reader never holds the account's password: it stands for its own
    // account only, and a wrong one is refused like a wrong password.
    if password.starts_with(quire_archive::tokens::TOKEN_PREFIX) {
        return match app.archive.token_holder(password).await {
            Ok(Some(holder))
                if quire_archive::model::tag_key(&holder.user.login)
                    == quire_archive::model::tag_key(login) =>
            {
                Ok(Some(holder.user))
            }
            Ok(_) => Err(sign_in_needed()),
            Err(err) => Err(PageError::from(err).into_response()),
        };
    }
    // An app sends the same details with every feed it loads: a recent
    // success stands for a minute, so browsing neither spends the sign-in
    // budget nor pays for a password hash per page.
    if let Some(user) = app.basic_sign_ins.recent(&credentials) {
        return Ok(Some(user));
    }
    if !app.sign_in_limits.allow(visitor.address, login) {
        return Err(PageError::TooManyTries.into_response());
    }
    match app.archive.authenticate(login, password).await {
        Ok(Some(user)) => {
            app.basic_sign_ins.remember(credentials.clone(), &user);
            Ok(Some(user))
        }
        Ok(None) => Err(sign_in_needed()),
        Err(err) => Err(PageError::from(err).into_response()),
    }
}

/// HTTP Basic details that signed in lately, for a short while.
#[derive(Default)]
pub struct RecentSignIns {
    by_credentials: std::sync::Mutex<std::collections::HashMap<String, (User, std::time::Instant)>>,
}

/// How long a Basic sign-in stands without checking the password again.
const SIGN_IN_STANDS: std::time::Duration = std::time::Duration::from_secs(60);
/// The most sign-ins remembered at once; past it, the oldest are forgotten.
const SIGN_INS_KEPT: usize = 10_000;

impl RecentSignIns {
    fn recent(&self, credentials: &str) -> Option<User> {
        let known = self
            .by_credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        known
            .get(credentials)
            .filter(|(_, at)| at.elapsed() < SIGN_IN_STANDS)
            .map(|(user, _)| user.clone())
    }

    fn remember(&self, credentials: String, user: &User) {
        let mut known = self
            .by_credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        known.retain(|_, (_, at)| at.elapsed() < SIGN_IN_STANDS);
        if known.len() >= SIGN_INS_KEPT {
            known.clear();
        }
        known.insert(credentials, (user.clone(), std::time::Instant::now()));
    }
}

fn sign_in_needed() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (
                header::WWW_AUTHENTICATE,
                "Basic realm=\"quire\", charset=\"UTF-8\"",
            ),
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        ],
        "Sign in with your quire login and password (or a token from your account page in the password's place) to see your own shelves.",
    )
        .into_response()
}

/// `/opds`: the root navigation feed.
pub async fn root(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    let asked = match Asked::of(&app, &visitor, &headers).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let base = app.downloads.public_url().to_string();
    let nav = |id: &str, title: &str, content: &str, href: &str, kind: &'static str| NavEntry {
        id: format!("urn:quire:opds:{id}"),
        title: title.to_string(),
        content: content.to_string(),
        href: format!("{base}{href}"),
        kind,
    };
    let mut entries = vec![
        nav(
            "recent",
            "Recently updated",
            "Works by the date they were last updated, newest first.",
            "/opds/recent",
            ACQUISITION,
        ),
        nav(
            "kudos",
            "Most kudos",
            "Works readers loved most.",
            "/opds/popular",
            ACQUISITION,
        ),
        nav(
            "fandoms",
            "Fandoms",
            "The fandoms with the most works.",
            "/opds/fandoms",
            NAVIGATION,
        ),
        nav(
            "tags",
            "Popular tags",
            "Relationships, characters and additional tags with the most works.",
            "/opds/tags",
            NAVIGATION,
        ),
    ];
    if let Some(user) = &asked.user {
        entries.push(nav(
            "bookmarks",
            "Your bookmarks",
            &format!("What {} bookmarked.", user.login),
            "/opds/bookmarks",
            ACQUISITION,
        ));
        entries.push(nav(
            "subscriptions",
            "Your subscriptions",
            "Works you follow.",
            "/opds/subscriptions",
            ACQUISITION,
        ));
        entries.push(nav(
            "later",
            "Marked for later",
            "Works you mean to read.",
            "/opds/later",
            ACQUISITION,
        ));
    }
    let feed = Feed {
        id: "urn:quire:opds:root".into(),
        title: "quire".into(),
        updated: String::new(),
        self_href: format!("{base}/opds"),
        self_kind: NAVIGATION,
        links: vec![],
        entries,
        works: vec![],
        paging: None,
        base,
    };
    respond(&asked, feed, NAVIGATION)
}

/// Who asked for a feed, and how.
struct Asked<'a> {
    app: &'a App,
    visitor: &'a Visitor,
    headers: &'a HeaderMap,
    user: Option<User>,
}

impl<'a> Asked<'a> {
    /// The request, with its reader signed in; a refusal when the sign-in
    /// it carries is wrong.
    async fn of(
        app: &'a App,
        visitor: &'a Visitor,
        headers: &'a HeaderMap,
    ) -> Result<Asked<'a>, Response> {
        let user = reader(app, visitor, headers).await?;
        Ok(Asked {
            app,
            visitor,
            headers,
            user,
        })
    }
}

/// The feed as asked for: a web page for a browser, else the XML with its
/// ETag and Last-Modified, or a 304 when the app's copy still stands.
fn respond(asked: &Asked, mut feed: Feed, kind: &'static str) -> Response {
    // The feed's own date is when it last changed, known from the rest of
    // it: fingerprinted without the date, then dated.
    feed.updated = String::new();
    let undated = match feed.render() {
        Ok(body) => body,
        Err(err) => return PageError::from(err).into_response(),
    };
    let etag = format!("\"{}\"", digest(&[&undated]));
    let reader = asked.user.as_ref().map_or("", |u| u.login.as_str());
    let changed = asked
        .app
        .feed_versions
        .changed_at(&format!("{reader}\n{}", feed.self_href), &etag);
    feed.updated = atom_date(changed);
    if wants_page(asked.headers) {
        let page = CatalogPage {
            layout: Layout::new(asked.visitor, feed.title.clone()),
            feed: &feed,
        };
        return match crate::pages::render(&page) {
            Ok(mut response) => {
                response
                    .headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Accept"));
                response
            }
            Err(err) => err.into_response(),
        };
    }
    let last_modified = std::time::UNIX_EPOCH + std::time::Duration::from_secs(changed);
    let last_modified = HeaderValue::from_str(&httpdate::fmt_http_date(last_modified))
        .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
    let fresh = crate::pages::still_fresh(asked.headers, &etag, &last_modified);
    let etag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let mut response = if fresh {
        (
            StatusCode::NOT_MODIFIED,
            [
                (header::VARY, HeaderValue::from_static("Accept")),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-cache"),
                ),
            ],
        )
            .into_response()
    } else {
        match feed.render() {
            // Whatever an archive holds from before the text rule, a feed is
            // XML 1.0 every e-reader parses: no character it forbids anywhere.
            Ok(body) => xml(quire_text::without_controls(&body).into_owned(), kind),
            Err(err) => return PageError::from(err).into_response(),
        }
    };
    response.headers_mut().insert(header::ETAG, etag);
    response
        .headers_mut()
        .insert(header::LAST_MODIFIED, last_modified);
    response
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FeedQuery {
    page: Option<usize>,
    q: Option<String>,
}

/// An acquisition feed of search results, paged.
#[allow(clippy::too_many_arguments)]
async fn works_feed(
    app: &App,
    visitor: &Visitor,
    headers: &HeaderMap,
    id: &str,
    title: String,
    path: &str,
    mut request: SearchRequest,
    query: &FeedQuery,
) -> Response {
    let asked = match Asked::of(app, visitor, headers).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let page = query.page.unwrap_or(1).max(1);
    request.page = page;
    request.per_page = PER_PAGE;
    request.completion = Completion::Any;
    request.crossovers = Crossovers::Include;
    let results = match app.search(request, asked.user.is_some()).await {
        Ok(results) => results,
        Err(err) => return PageError::from(err).into_response(),
    };
    let base = app.downloads.public_url().to_string();
    let works = match work_entries(app, &base, results.works.clone()).await {
        Ok(works) => works,
        Err(err) => return err.into_response(),
    };
    let feed = Feed {
        id: format!("urn:quire:opds:{id}:{page}"),
        title,
        updated: String::new(),
        self_href: page_href(&base, path, page),
        self_kind: ACQUISITION,
        links: paging_links(&base, path, &results),
        entries: vec![],
        works,
        paging: Some((results.total, (page - 1) * PER_PAGE + 1, PER_PAGE)),
        base,
    };
    respond(&asked, feed, ACQUISITION)
}

/// `path` (which may carry a query already) at page `page`.
fn page_href(base: &str, path: &str, page: usize) -> String {
    let joiner = if path.contains('?') { '&' } else { '?' };
    if page <= 1 {
        format!("{base}{path}")
    } else {
        format!("{base}{path}{joiner}page={page}")
    }
}

fn paging_links(base: &str, path: &str, results: &SearchResults) -> Vec<FeedLink> {
    let last = results.total.div_ceil(PER_PAGE).max(1);
    let mut links = vec![FeedLink {
        rel: "first",
        href: page_href(base, path, 1),
        kind: ACQUISITION,
    }];
    if results.page > 1 {
        links.push(FeedLink {
            rel: "previous",
            href: page_href(base, path, (results.page - 1).min(last)),
            kind: ACQUISITION,
        });
    }
    if results.page < last {
        links.push(FeedLink {
            rel: "next",
            href: page_href(base, path, results.page + 1),
            kind: ACQUISITION,
        });
    }
    links.push(FeedLink {
        rel: "last",
        href: page_href(base, path, last),
        kind: ACQUISITION,
    });
    links
}

/// A feed of every work in one order: `/opds/recent`, `/opds/popular`.
async fn sorted(
    app: &App,
    visitor: &Visitor,
    headers: &HeaderMap,
    query: &FeedQuery,
    (id, title, sort): (&str, &str, Sort),
) -> Response {
    let mut request = SearchRequest::new();
    request.sort = sort;
    let path = format!("/opds/{id}");
    works_feed(
        app,
        visitor,
        headers,
        id,
        title.into(),
        &path,
        request,
        query,
    )
    .await
}

pub async fn recent(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Response {
    let feed = ("recent", "Recently updated", Sort::Updated);
    sorted(&app, &visitor, &headers, &query, feed).await
}

pub async fn popular(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Response {
    let feed = ("popular", "Most kudos", Sort::Kudos);
    sorted(&app, &visitor, &headers, &query, feed).await
}

/// `/opds/search?q=`: what the OpenSearch description points apps to.
pub async fn search(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Response {
    let text = query.q.clone().unwrap_or_default();
    let mut request = SearchRequest::new();
    request.text = text.clone();
    let path = format!("/opds/search?q={}", crate::pages::encode(&text));
    works_feed(
        &app,
        &visitor,
        &headers,
        "search",
        format!("Search: {text}"),
        &path,
        request,
        &query,
    )
    .await
}

/// `/opds/tags/{tag}`: the works under a tag (its synonyms and sub-tags
/// too, as the site's tag listings).
pub async fn tag_works(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
    Path(tag): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Response {
    let mut request = SearchRequest::new();
    request.include = vec![tag.clone()];
    request.sort = Sort::Updated;
    let path = format!("/opds/tags/{}", crate::pages::encode(&tag));
    works_feed(
        &app,
        &visitor,
        &headers,
        &format!("tag:{tag}"),
        tag.clone(),
        &path,
        request,
        &query,
    )
    .await
}

/// A navigation feed of the tags with the most works, of some kinds.
async fn tags_feed(
    app: &App,
    visitor: &Visitor,
    headers: &HeaderMap,
    id: &str,
    title: &str,
    kinds: &[TagKind],
) -> Response {
    let asked = match Asked::of(app, visitor, headers).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let mut request = SearchRequest::new();
    request.per_page = 1;
    request.facets = true;
    request.completion = Completion::Any;
    request.crossovers = Crossovers::Include;
    let results = match app.search(request, asked.user.is_some()).await {
        Ok(results) => results,
        Err(err) => return PageError::from(err).into_response(),
    };
    let base = app.downloads.public_url().to_string();
    let mut counts: Vec<(&str, u64)> = kinds
        .iter()
        .flat_map(|kind| results.facets.get(kind.code()).into_iter().flatten())
        .map(|c| (c.tag.as_str(), c.count))
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let entries = counts
        .into_iter()
        .take(TAGS_SHOWN)
        .map(|(tag, count)| NavEntry {
            id: format!("urn:quire:opds:tag:{}", crate::pages::encode(tag)),
            title: tag.to_string(),
            content: format!("{} works", crate::pages::thousands(count)),
            href: format!("{base}/opds/tags/{}", crate::pages::encode(tag)),
            kind: ACQUISITION,
        })
        .collect();
    let feed = Feed {
        id: format!("urn:quire:opds:{id}"),
        title: title.to_string(),
        updated: String::new(),
        self_href: format!("{base}/opds/{id}"),
        self_kind: NAVIGATION,
        links: vec![],
        entries,
        works: vec![],
        paging: None,
        base,
    };
    respond(&asked, feed, NAVIGATION)
}

pub async fn fandoms(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    tags_feed(
        &app,
        &visitor,
        &headers,
        "fandoms",
        "Fandoms",
        &[TagKind::Fandom],
    )
    .await
}

pub async fn tags(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    let kinds = [TagKind::Relationship, TagKind::Character, TagKind::Freeform];
    tags_feed(&app, &visitor, &headers, "tags", "Popular tags", &kinds).await
}

/// A reader's own shelves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shelf {
    Bookmarks,
    Subscriptions,
    Later,
}

/// A reader's own shelf: their bookmarks, subscriptions or works marked
/// for later, newest first.
async fn shelf(app: &App, visitor: &Visitor, headers: &HeaderMap, shelf: Shelf) -> Response {
    let asked = match Asked::of(app, visitor, headers).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let user = match &asked.user {
        Some(user) => user.clone(),
        None => return sign_in_needed(),
    };
    let ids: Result<Vec<WorkId>, _> = match shelf {
        Shelf::Bookmarks => app
            .archive
            .bookmarks_of(user.id, Viewer::User(user.id))
            .await
            .map(|b| b.iter().filter_map(|b| b.work).collect()),
        Shelf::Subscriptions => app
            .archive
            .work_subscriptions(user.id)
            .await
            .map(|s| s.iter().map(|(id, _)| *id).collect()),
        Shelf::Later => app
            .archive
            .marked_for_later(user.id)
            .await
            .map(|s| s.iter().map(|(id, _)| *id).collect()),
    };
    let ids = match ids {
        Ok(ids) => ids,
        Err(err) => return PageError::from(err).into_response(),
    };
    let loaded = match app.archive.works_for_index(&ids).await {
        Ok(loaded) => loaded,
        Err(err) => return PageError::from(err).into_response(),
    };
    let base = app.downloads.public_url().to_string();
    // In the shelf's order; works gone from view are left out.
    let shelved = ids
        .iter()
        .filter_map(|id| loaded.iter().find(|w| w.id == *id))
        .filter(|w| w.listed())
        .map(WorkSummary::of)
        .collect();
    let works = match work_entries(app, &base, shelved).await {
        Ok(works) => works,
        Err(err) => return err.into_response(),
    };
    let (id, title) = match shelf {
        Shelf::Bookmarks => ("bookmarks", "Your bookmarks"),
        Shelf::Subscriptions => ("subscriptions", "Your subscriptions"),
        Shelf::Later => ("later", "Marked for later"),
    };
    let feed = Feed {
        id: format!("urn:quire:opds:{id}:{}", user.id),
        title: title.into(),
        updated: String::new(),
        self_href: format!("{base}/opds/{id}"),
        self_kind: ACQUISITION,
        links: vec![],
        entries: vec![],
        works,
        paging: None,
        base,
    };
    respond(&asked, feed, ACQUISITION)
}

pub async fn bookmarks(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    shelf(&app, &visitor, &headers, Shelf::Bookmarks).await
}

pub async fn subscriptions(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    shelf(&app, &visitor, &headers, Shelf::Subscriptions).await
}

pub async fn later(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    headers: HeaderMap,
) -> Response {
    shelf(&app, &visitor, &headers, Shelf::Later).await
}

/// `/opds/search.xml`: how apps search the archive.
pub async fn opensearch(State(app): State<App>) -> Response {
    let page = OpenSearch {
        base: app.downloads.public_url().to_string(),
    };
    match page.render() {
        Ok(body) => xml(body, "application/opensearchdescription+xml"),
        Err(err) => PageError::from(err).into_response(),
    }
}
