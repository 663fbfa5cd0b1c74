//! Guests' pages kept ready-made in memory, so that a reader without an
//! account costs the archive no query and no template on a popular page.
//!
//! A page is kept under its address and the reader's settings (mutes,
//! reader-insert fill, theme), the only things besides the archive that
//! change a guest's HTML. The one per-reader string in it, the form token,
//! is cut out when the page is kept and put back for each reader.
//!
//! Pages stop being served when what they show changes, learnt from the
//! archive's change feed: a work's pages when the work or its comments
//! change, every listing when any work changes, everything when tags are
//! wrangled or an account goes. Kudos, hits and bookmark counts are left to
//! lag; no page is served older than [`MAX_AGE`], which bounds that lag.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quire_archive::{Archive, ArchiveError, Change, WorkId};

use crate::compression::{Coding, Compressed, Effort, Frames};
use crate::metrics::RouteMetrics;
use crate::visitor::Visitor;
use crate::App;

/// The oldest a kept page may be: how far counts may lag behind.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// How often the change feed is read for changes made elsewhere (another
/// process importing, another server on the same PostgreSQL).
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// A page longer than this is served but not kept.
const LONGEST_KEPT: usize = 4 * 1024 * 1024;
/// Changes read from the feed per query.
const CHANGES_PER_READ: i64 = 500;

/// What a kept page depends on besides its own age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// A work's own pages: the work, its chapters and comments.
    Work(WorkId),
    /// Pages that list works (home, search, tags, people, series).
    Listing,
}

/// What a kept page shows, as the site's page table marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kept {
    /// A work's own page, at `/works/{id}…`.
    Work,
    Listing,
}

/// What the page at `path`, answered by `route`, shows, if its guests'
/// copy is kept.
fn shows(route: &str, path: &str) -> Option<Shows> {
    let (_, kept) = crate::KEPT_PAGES.iter().find(|(kept, _)| *kept == route)?;
    match kept {
        Kept::Work => work_in_path(path).map(Shows::Work),
        Kept::Listing => Some(Shows::Listing),
    }
}

/// The work a `/works/{id}…` address is about.
fn work_in_path(path: &str) -> Option<WorkId> {
    path.strip_prefix("/works/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// One kept page.
struct Page {
    /// The body cut where the form token went, as it is, in gzip and in
    /// brotli (see `crate::compression`).
    forms: [Compressed; 3],
    content_type: HeaderValue,
    /// The cache's clock when the page began to be drawn.
    drawn_at: u64,
    /// When its drawing began: its age counts from the moment what it shows
    /// was read.
    began: Instant,
    last_modified: HeaderValue,
    shows: Shows,
    /// A work page counts a hit on every view, kept or not.
    counts_view_of: Option<WorkId>,
    /// Names this copy in ETags.
    number: u64,
    /// Where a view of it is counted on `/metrics`.
    metrics: RouteMetrics,
}

impl Page {
    /// The bytes it holds, every form counted.
    fn len(&self) -> usize {
        self.forms.iter().map(Compressed::held_bytes).sum()
    }

    fn form(&self, coding: Coding) -> &Compressed {
        self.forms
            .iter()
            .find(|form| form.coding() == coding)
            .unwrap_or(&self.forms[0])
    }
}

/// The page's pieces in every coding quire sends: compressed once, hard,
/// as it will be sent many times.
async fn forms_of(pieces: Vec<Bytes>) -> [Compressed; 3] {
    let identity = Compressed::new(&pieces, Coding::Identity, Effort::Once);
    let pieces = Arc::new(pieces);
    // Each on a core of its own while the reader who asked waits.
    let compress = |coding| {
        let pieces = Arc::clone(&pieces);
        tokio::task::spawn_blocking(move || Compressed::new(&pieces, coding, Effort::Once))
    };
    let (gzip, brotli) = tokio::join!(compress(Coding::Gzip), compress(Coding::Brotli));
    // Compressing panicked: the page is kept and sent as it is.
    let fallback = || identity.clone();
    [
        identity.clone(),
        gzip.unwrap_or_else(|_| fallback()),
        brotli.unwrap_or_else(|_| fallback()),
    ]
}

#[derive(Clone)]
struct PageWeight;

impl quick_cache::Weighter<String, Arc<Page>> for PageWeight {
    fn weight(&self, key: &String, page: &Arc<Page>) -> u64 {
        (key.len() + page.len() + 256) as u64
    }
}

/// Kept pages and what is known of the archive's changes.
pub struct PageCache {
    pages: quick_cache::sync::Cache<String, Arc<Page>, PageWeight>,
    /// Ticks once per invalidation; a page drawn before a tick that
    /// touches it is not served.
    clock: AtomicU64,
    everything_changed_at: AtomicU64,
    listings_changed_at: AtomicU64,
    /// The clock's tick and the time of each work's last change. A change
    /// older than [`MAX_AGE`] is forgotten: every page drawn before it has
    /// expired by then.
    works_changed_at: Mutex<HashMap<WorkId, (u64, Instant)>>,
    /// Listings come from the search index, which follows the feed on its
    /// own: a listing is kept only once the index has the last change that
    /// touched listings, or a listing drawn from a lagging index would stay.
    listings_need_seq: AtomicI64,
    /// Where the cache stands in the change feed.
    followed: tokio::sync::Mutex<quire_archive::feed::FeedCursor>,
    /// Keys the form token's part of an ETag.
    etag_keys: RandomState,
    /// Differs per process, so a restarted server never matches an old ETag.
    process: u64,
    numbers: AtomicU64,
    served_kept: AtomicU64,
    drawn: AtomicU64,
}

/// Counters for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub bytes: u64,
    pub pages: u64,
}

impl PageCache {
    /// A cache holding at most about `bytes` of pages, following the feed
    /// from `after` (where the archive's feed stands when the server starts).
    pub fn new(bytes: u64, after: quire_archive::feed::FeedCursor) -> PageCache {
        PageCache {
            pages: quick_cache::sync::Cache::with_weighter(
                (bytes / 32_768).max(16) as usize,
                bytes.max(1),
                PageWeight,
            ),
            clock: AtomicU64::new(1),
            everything_changed_at: AtomicU64::new(0),
            listings_changed_at: AtomicU64::new(0),
            works_changed_at: Mutex::new(HashMap::new()),
            listings_need_seq: AtomicI64::new(0),
            followed: tokio::sync::Mutex::new(after),
            etag_keys: RandomState::new(),
            process: RandomState::new().hash_one(std::process::id()),
            numbers: AtomicU64::new(1),
            served_kept: AtomicU64::new(0),
            drawn: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.served_kept.load(Ordering::Relaxed),
            misses: self.drawn.load(Ordering::Relaxed),
            bytes: self.pages.weight(),
            pages: self.pages.len() as u64,
        }
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn work_changed(&self, work: WorkId) {
        let at = self.tick();
        self.works_changed_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(work, (at, Instant::now()));
        self.listings_changed_at.store(at, Ordering::SeqCst);
    }

    /// Forgets changes no kept page can predate, so the map holds only the
    /// works changed within the last [`MAX_AGE`].
    fn forget_old_changes(&self) {
        self.works_changed_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, when)| when.elapsed() < MAX_AGE);
    }

    fn everything_changed(&self) {
        let at = self.tick();
        self.everything_changed_at.store(at, Ordering::SeqCst);
    }

    /// What one entry of the change feed makes stale.
    fn apply(&self, change: &Change) {
        match (change.entity.as_str(), change.kind.as_str()) {
            // Counts may lag (MAX_AGE); a reader's own kudos is handled
            // where the request is (see `layer`).
            ("work", "counts") => return,
            ("work", _) => self.work_changed(change.entity_id),
            // A comment's page changes come as its work's "comments" change.
            ("comment", _) | ("report", _) | ("bookmark", _) => return,
            // New accounts and passwords show on no guest page.
            ("user", "created" | "password") => return,
            // Tags, accounts going or being suspended, anything new: a
            // rare event, and everything may show it.
            _ => self.everything_changed(),
        }
        self.listings_need_seq
            .fetch_max(change.seq, Ordering::SeqCst);
    }

    /// Reads the change feed up to now and forgets what it makes stale;
    /// returns the newest change read. A change committed late (on
    /// PostgreSQL, after one numbered above it) is applied when it comes,
    /// so a page drawn before it doesn't outlive it.
    pub async fn catch_up(&self, archive: &Archive) -> Result<i64, ArchiveError> {
        let mut followed = self.followed.lock().await;
        loop {
            let changes = archive.read_feed(&mut followed, CHANGES_PER_READ).await?;
            for change in &changes {
                self.apply(change);
            }
            if (changes.len() as i64) < CHANGES_PER_READ {
                return Ok(followed.newest());
            }
        }
    }

    /// Follows the feed every [`FOLLOW_EVERY`] for as long as the server runs.
    pub fn spawn_follower(self: &Arc<Self>, archive: Archive) {
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FOLLOW_EVERY);
            loop {
                tick.tick().await;
                if let Err(err) = cache.catch_up(&archive).await {
                    tracing::warn!(error = %err, "page cache couldn't read the change feed; will retry");
                }
                cache.forget_old_changes();
            }
        });
    }

    fn fresh(&self, page: &Page) -> bool {
        if page.began.elapsed() >= MAX_AGE
            || self.everything_changed_at.load(Ordering::SeqCst) > page.drawn_at
        {
            return false;
        }
        match page.shows {
            Shows::Listing => self.listings_changed_at.load(Ordering::SeqCst) <= page.drawn_at,
            Shows::Work(work) => self
                .works_changed_at
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&work)
                .is_none_or(|&(at, _)| at <= page.drawn_at),
        }
    }

    fn etag(&self, page: &Page, token: &str, coding: Coding) -> String {
        format!(
            "\"{:x}-{:x}-{:x}{}\"",
            self.process & 0xffff_ffff,
            page.number,
            self.etag_keys.hash_one(token) & 0xffff_ffff,
            coding.etag_suffix()
        )
    }
}

/// The cookies a guest's page depends on.
struct GuestCookies<'a> {
    /// A session cookie was sent: the reader may be signed in.
    session: bool,
    /// The guest's form token, when it is one `identify` takes as it is.
    csrf: Option<&'a str>,
    /// The settings cookie's text, which stands for the settings it holds.
    settings: &'a str,
    /// Past the adult-content notice this session.
    adult: bool,
}

/// Reads the cookies a kept page depends on; `None` when one of them is
/// sent twice, as which copy counts is then unclear.
fn guest_cookies(headers: &HeaderMap) -> Option<GuestCookies<'_>> {
    let mut found = GuestCookies {
        session: false,
        csrf: None,
        settings: "",
        adult: false,
    };
    let (mut csrf_seen, mut settings_seen) = (false, false);
    for line in headers.get_all(header::COOKIE) {
        let Ok(line) = line.to_str() else {
            return None;
        };
        for pair in line.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match name.trim() {
                crate::visitor::SESSION_COOKIE => found.session = true,
                crate::visitor::ADULT_COOKIE => found.adult = true,
                crate::visitor::GUEST_CSRF_COOKIE if !csrf_seen => {
                    csrf_seen = true;
                    found.csrf = Some(value)
                        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
                }
                crate::visitor::SETTINGS_COOKIE if !settings_seen => {
                    settings_seen = true;
                    found.settings = value;
                }
                crate::visitor::GUEST_CSRF_COOKIE | crate::visitor::SETTINGS_COOKIE => return None,
                _ => {}
            }
        }
    }
    Some(found)
}

/// The cache's key: the address and the settings that change the HTML.
/// A guest's settings all come from their settings cookie, so its text
/// stands for them (two spellings of the same settings are two entries);
/// whether they went past the adult-content notice is the one other thing.
fn key_for(uri: &axum::http::Uri, cookies: &GuestCookies) -> String {
    let address = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut key = String::with_capacity(address.len() + 3 + cookies.settings.len());
    key.push_str(address);
    key.push('\n');
    key.push(if cookies.adult { 'a' } else { '-' });
    key.push('\n');
    key.push_str(cookies.settings);
    key
}

/// Marks a response as a view of a work that counts as a hit, so a kept
/// copy of it counts one too.
#[derive(Debug, Clone, Copy)]
pub struct ViewOf(pub WorkId);

/// Serves guests' pages from the cache and keeps new ones; after a write
/// anywhere on the site, catches up with the change feed before answering,
/// so the writer's next page shows what they did.
pub async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    let cache = Arc::clone(&app.pages);
    let visitor = request.extensions().get::<Visitor>().cloned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let Some(visitor) = visitor else {
        return next.run(request).await;
    };
    if !request.method().is_safe() {
        let path = request.uri().path().to_string();
        let response = next.run(request).await;
        if response.status().is_success() || response.status().is_redirection() {
            // A reader's own kudos or comment shows on their next page even
            // though counts are otherwise left to lag.
            match cache.catch_up(&app.archive).await {
                Ok(last) => {
                    if let Some(work) = work_in_path(&path) {
                        cache.work_changed(work);
                        // Nor is a listing kept that the search index drew
                        // before it had this write's counts.
                        cache.listings_need_seq.fetch_max(last, Ordering::SeqCst);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "page cache couldn't read the change feed after a write");
                    cache.everything_changed();
                }
            }
        }
        return response;
    }
    let shows = route
        .as_deref()
        .and_then(|route| shows(route, request.uri().path()));
    let (Some(shows), false, true) = (shows, visitor.signed_in(), request.method() == Method::GET)
    else {
        return next.run(request).await;
    };
    let Some(cookies) = guest_cookies(request.headers()) else {
        return next.run(request).await;
    };
    let key = key_for(request.uri(), &cookies);
    let route = route.unwrap_or_default();
    let index_caught_up =
        app.search.searchable_seq() >= cache.listings_need_seq.load(Ordering::SeqCst);
    // Readers asking for the same page at once wait for one drawing of
    // it rather than each drawing their own (a popular search costs the
    // same CPU whether one reader or sixty ask).
    let placeholder = loop {
        match cache.pages.get_value_or_guard_async(&key).await {
            Ok(page) if cache.fresh(&page) => {
                cache.served_kept.fetch_add(1, Ordering::Relaxed);
                if let Some(work) = page.counts_view_of {
                    crate::hits::count_view(&app, work, &visitor);
                }
                return serve_kept(&cache, &page, &visitor.csrf, request.headers());
            }
            Ok(stale) => {
                cache
                    .pages
                    .remove_if(&key, |kept| Arc::ptr_eq(kept, &stale));
            }
            Err(placeholder) => break placeholder,
        }
    };
    cache.drawn.fetch_add(1, Ordering::Relaxed);
    let drawn_at = cache.clock.load(Ordering::SeqCst);
    let began = Instant::now();
    let asked = request.headers().clone();
    let response = next.run(request).await;
    if shows == Shows::Listing && !index_caught_up {
        // Dropping the placeholder lets the next reader waiting draw.
        return response;
    }
    let metrics = app.metrics.for_route(&route);
    let drawn = (drawn_at, began);
    let (response, page) = keep(&cache, shows, drawn, response, &visitor, metrics, &asked).await;
    if let Some(page) = page {
        // A page kept meanwhile by another way in is as good.
        let _ = placeholder.insert(page);
    }
    response
}

/// A freshly drawn page to keep, if it is a whole HTML page like any other
/// guest would get, and the answer with it.
async fn keep(
    cache: &PageCache,
    shows: Shows,
    (drawn_at, began): (u64, Instant),
    response: Response,
    visitor: &Visitor,
    metrics: RouteMetrics,
    asked: &HeaderMap,
) -> (Response, Option<Arc<Page>>) {
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && content_type
            .as_ref()
            .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    // Only a body whose whole length is known and modest is kept; any
    // other is passed on as it is.
    let modest = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|bytes| bytes <= LONGEST_KEPT as u64);
    let (Some(content_type), true) = (content_type, keepable && modest) else {
        return (response, None);
    };
    let counts_view_of = response.extensions().get::<ViewOf>().map(|v| v.0);
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, LONGEST_KEPT).await {
        Ok(bytes) => bytes,
        // Its length was checked above; a body that fails to read now
        // can't be answered with anyway.
        Err(err) => {
            tracing::warn!(error = %err, "a drawn page couldn't be read back");
            let answer = (
                StatusCode::INTERNAL_SERVER_ERROR,
                "This page couldn't be sent. Please reload it.",
            );
            return (answer.into_response(), None);
        }
    };
    if std::str::from_utf8(&bytes).is_err() {
        return (Response::from_parts(parts, Body::from(bytes)), None);
    }
    let forms = forms_of(crate::compression::cut_at(&bytes, &visitor.csrf)).await;
    let page = Arc::new(Page {
        forms,
        content_type,
        drawn_at,
        began,
        last_modified: HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now()))
            .unwrap_or_else(|_| HeaderValue::from_static("")),
        shows,
        counts_view_of,
        number: cache.numbers.fetch_add(1, Ordering::Relaxed),
        metrics,
    });
    let mut response = serve_kept(cache, &page, &visitor.csrf, asked);
    response
        .headers_mut()
        .insert("x-cache", HeaderValue::from_static("miss"));
    (response, Some(page))
}

fn validators(page: &Page, etag: &str, headers: &mut HeaderMap) {
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    if !page.last_modified.is_empty() {
        headers.insert(header::LAST_MODIFIED, page.last_modified.clone());
    }
    // Browsers may keep a copy but must ask before showing it again.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Encoding"),
    );
}

/// A kept page for one reader, in the coding they asked for.
fn serve_kept(cache: &PageCache, page: &Arc<Page>, token: &str, asked: &HeaderMap) -> Response {
    let Some(coding) = crate::compression::negotiate(asked) else {
        return crate::compression::not_acceptable();
    };
    let form = page.form(coding);
    let etag = cache.etag(page, token, form.coding());
    let mut response = if crate::pages::still_fresh(asked, &etag, &page.last_modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Response::new(Body::new(Frames::new(form.frames(token.as_bytes()))));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, page.content_type.clone());
        if let Some(name) = form.coding().header_value() {
            headers.insert(header::CONTENT_ENCODING, name);
        }
        response
    };
    validators(page, &etag, response.headers_mut());
    response
        .headers_mut()
        .insert("x-cache", HeaderValue::from_static("hit"));
    response
}

/// The site behind a first look in the page cache: a returning guest's
/// request for a kept page is answered before routing, sessions or any
/// other layer run, which is most of what a kept page would cost. Anything
/// else, and anything unsure, goes on to the site unchanged.
#[derive(Clone)]
pub struct KeptFirst<S> {
    app: App,
    site: S,
}

impl<S> KeptFirst<S> {
    pub(crate) fn new(app: App, site: S) -> KeptFirst<S> {
        KeptFirst { app, site }
    }
}

impl<S> tower_service::Service<Request> for KeptFirst<S>
where
    S: tower_service::Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<Response, std::convert::Infallible>>,
        S::Future,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.site.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match answer_from_cache(&self.app, &request) {
            Some(response) => futures_util::future::Either::Left(std::future::ready(Ok(response))),
            None => futures_util::future::Either::Right(self.site.call(request)),
        }
    }
}

/// A kept page for a guest, if there is a fresh one. A guest on a first
/// visit (no form token yet) is given one here, as `identify` would.
/// What the layers it skips would add is added here: the security headers,
/// the hit, the count on `/metrics` and the access log line.
fn answer_from_cache(app: &App, request: &Request) -> Option<Response> {
    let started = Instant::now();
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let cookies = guest_cookies(request.headers())?;
    let mut new_token = None;
    let token = match cookies {
        GuestCookies { session: true, .. } => return None,
        GuestCookies {
            csrf: Some(token), ..
        } if app.guest_tokens.verify(token) => token,
        // A new guest, or one whose token this server didn't issue.
        _ => new_token.insert(app.guest_tokens.issue()).as_str(),
    };
    let cache = &app.pages;
    let page = cache.pages.get(&key_for(request.uri(), &cookies))?;
    // A stale page is left for the way through the site to replace.
    if !cache.fresh(&page) {
        return None;
    }
    cache.served_kept.fetch_add(1, Ordering::Relaxed);
    if let Some(work) = page.counts_view_of {
        crate::hits::count_guest_view(app, work, app.reader_address(request));
    }
    let mut response = serve_kept(cache, &page, token, request.headers());
    if let Some(token) = new_token.clone() {
        let secure = crate::visitor::over_tls(request.headers());
        if let Some(cookie) = crate::visitor::new_guest_cookie(token, secure) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    crate::pages::add_security_headers(response.headers_mut());
    let status = response.status().as_u16();
    let took = started.elapsed();
    if status == 200 && method == Method::GET {
        page.metrics.record_ok(took);
    } else {
        app.metrics
            .record(page.metrics.route(), method.as_str(), status, took);
    }
    crate::metrics::log_access(
        method.as_str(),
        request.uri().path(),
        page.metrics.route(),
        status,
        took,
        "hit",
    );
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(shows: Shows, drawn_at: u64) -> Page {
        let pieces = [Bytes::from_static(b"<p>a "), Bytes::from_static(b" b</p>")];
        Page {
            forms: [Coding::Identity, Coding::Gzip, Coding::Brotli]
                .map(|coding| Compressed::new(&pieces, coding, Effort::PerAnswer)),
            content_type: HeaderValue::from_static("text/html"),
            drawn_at,
            began: Instant::now(),
            last_modified: HeaderValue::from_static("Sat, 28 Nov 2026 10:00:00 GMT"),
            shows,
            counts_view_of: None,
            number: 7,
            metrics: RouteMetrics::detached("/works"),
        }
    }

    fn change(seq: i64, entity: &str, id: i64, kind: &str) -> Change {
        Change {
            seq,
            entity: entity.into(),
            entity_id: id,
            kind: kind.into(),
        }
    }

    #[tokio::test]
    async fn the_token_goes_back_where_it_was_in_every_form() {
        let cache = PageCache::new(1 << 20, quire_archive::feed::FeedCursor::at(0));
        let page = Arc::new(page(Shows::Listing, 1));
        for (asked, encoding) in [
            ("identity", None),
            ("gzip", Some("gzip")),
            ("br", Some("br")),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(asked));
            let response = serve_kept(&cache, &page, "TOKEN", &headers);
            let sent = response.headers().get(header::CONTENT_ENCODING);
            assert_eq!(sent.and_then(|v| v.to_str().ok()), encoding);
            let etag = response.headers().get(header::ETAG).cloned();
            let body = response.into_body();
            let length = axum::body::HttpBody::size_hint(&body).exact();
            let bytes = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
            assert_eq!(length, Some(bytes.len() as u64));
            let text = match encoding {
                None => bytes.to_vec(),
                Some("gzip") => {
                    let mut out = Vec::new();
                    let _ = std::io::Read::read_to_end(
                        &mut flate2::read::GzDecoder::new(&bytes[..]),
                        &mut out,
                    );
                    out
                }
                _ => {
                    let mut out = Vec::new();
                    let _ = std::io::Read::read_to_end(
                        &mut brotli::Decompressor::new(&bytes[..], 4096),
                        &mut out,
                    );
                    out
                }
            };
            assert_eq!(text, b"<p>a TOKEN b</p>", "{asked}");
            // The same form asked again with its ETag: not modified.
            if let Some(etag) = etag {
                headers.insert(header::IF_NONE_MATCH, etag);
                let again = serve_kept(&cache, &page, "TOKEN", &headers);
                assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{asked}");
            }
        }
        let mut refused = HeaderMap::new();
        refused.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("*;q=0"));
        let response = serve_kept(&cache, &page, "TOKEN", &refused);
        assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    }

    #[test]
    fn the_memory_budget_counts_every_form() {
        use quick_cache::Weighter;
        let page = Arc::new(page(Shows::Listing, 1));
        let [plain, gzip, brotli] =
            [Coding::Identity, Coding::Gzip, Coding::Brotli].map(|c| page.form(c).held_bytes());
        assert!(plain > 0 && gzip > 0 && brotli > 0);
        let weight = PageWeight.weight(&"/works\n".to_string(), &page);
        assert!(weight as usize >= plain + gzip + brotli, "{weight}");
    }

    #[test]
    fn guests_cookies_are_read_as_identify_would_or_not_at_all() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!(
                "x=1; quire_csrf={token}; quire_settings=fill%3DAnn"
            ))
            .unwrap_or_else(|_| HeaderValue::from_static("")),
        );
        let found = guest_cookies(&headers);
        assert!(found.as_ref().is_some_and(|c| !c.session
            && c.csrf == Some(token.as_str())
            && c.settings == "fill%3DAnn"));
        // A token identify would replace is no token here.
        headers.insert(header::COOKIE, HeaderValue::from_static("quire_csrf=short"));
        assert!(guest_cookies(&headers).is_some_and(|c| c.csrf.is_none()));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("quire_session=s; quire_settings=a"),
        );
        assert!(guest_cookies(&headers).is_some_and(|c| c.session));
        // Sent twice: which one counts is unclear, so nothing is kept.
        headers.append(header::COOKIE, HeaderValue::from_static("quire_settings=b"));
        assert!(guest_cookies(&headers).is_none());
    }

    #[test]
    fn a_work_change_makes_its_pages_and_listings_stale_but_not_other_works() {
        let cache = PageCache::new(1 << 20, quire_archive::feed::FeedCursor::at(0));
        let drawn = cache.clock.load(Ordering::SeqCst);
        let (five, six, list) = (
            page(Shows::Work(5), drawn),
            page(Shows::Work(6), drawn),
            page(Shows::Listing, drawn),
        );
        assert!(cache.fresh(&five) && cache.fresh(&six) && cache.fresh(&list));
        cache.apply(&change(1, "work", 5, "edited"));
        assert!(!cache.fresh(&five));
        assert!(cache.fresh(&six));
        assert!(!cache.fresh(&list));
        // Drawn after the change: fresh again.
        let again = page(Shows::Work(5), cache.clock.load(Ordering::SeqCst));
        assert!(cache.fresh(&again));
    }

    #[test]
    fn counts_lag_but_tags_and_unknown_changes_drop_everything() {
        let cache = PageCache::new(1 << 20, quire_archive::feed::FeedCursor::at(0));
        let drawn = cache.clock.load(Ordering::SeqCst);
        let five = page(Shows::Work(5), drawn);
        cache.apply(&change(1, "work", 5, "counts"));
        cache.apply(&change(2, "user", 1, "created"));
        assert!(cache.fresh(&five));
        cache.apply(&change(3, "tag", 9, "merged"));
        assert!(!cache.fresh(&five));
        let six = page(Shows::Work(6), cache.clock.load(Ordering::SeqCst));
        cache.apply(&change(4, "something-new", 1, "made"));
        assert!(!cache.fresh(&six));
    }

    #[test]
    fn a_page_older_than_the_max_age_is_stale() {
        let cache = PageCache::new(1 << 20, quire_archive::feed::FeedCursor::at(0));
        let mut old = page(Shows::Listing, cache.clock.load(Ordering::SeqCst));
        if let Some(earlier) = Instant::now().checked_sub(MAX_AGE) {
            old.began = earlier;
            assert!(!cache.fresh(&old));
        }
    }

    #[test]
    fn changes_are_forgotten_once_every_page_before_them_has_expired() {
        let cache = PageCache::new(1 << 20, quire_archive::feed::FeedCursor::at(0));
        let Some(long_ago) = Instant::now().checked_sub(MAX_AGE) else {
            return;
        };
        let mut before = page(Shows::Work(5), cache.clock.load(Ordering::SeqCst));
        before.began = long_ago;
        cache.apply(&change(1, "work", 5, "edited"));
        cache.apply(&change(2, "work", 6, "edited"));
        if let Some(entry) = cache
            .works_changed_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&5)
        {
            entry.1 = long_ago;
        }
        cache.forget_old_changes();
        let left: Vec<WorkId> = cache
            .works_changed_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect();
        assert_eq!(left, vec![6]);
        // The page drawn before the forgotten change is still never served.
        assert!(!cache.fresh(&before));
    }

    #[test]
    fn etags_and_dates_decide_not_modified() {
        let kept = page(Shows::Listing, 1);
        let mut asked = HeaderMap::new();
        asked.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", \"b\""),
        );
        assert!(crate::pages::still_fresh(
            &asked,
            "\"b\"",
            &kept.last_modified
        ));
        assert!(!crate::pages::still_fresh(
            &asked,
            "\"c\"",
            &kept.last_modified
        ));
        // An ETag that doesn't match wins over a date that would.
        asked.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_static("Sun, 29 Nov 2026 10:00:00 GMT"),
        );
        assert!(!crate::pages::still_fresh(
            &asked,
            "\"c\"",
            &kept.last_modified
        ));
        asked.remove(header::IF_NONE_MATCH);
        assert!(crate::pages::still_fresh(
            &asked,
            "\"c\"",
            &kept.last_modified
        ));
        asked.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_static("Fri, 27 Nov 2026 10:00:00 GMT"),
        );
        assert!(!crate::pages::still_fresh(
            &asked,
            "\"c\"",
            &kept.last_modified
        ));
    }

    #[test]
    fn only_reading_routes_are_kept() {
        assert_eq!(shows("/works/{id}", "/works/12"), Some(Shows::Work(12)));
        assert_eq!(
            shows("/works/{id}/chapters/{position}", "/works/12/chapters/3"),
            Some(Shows::Work(12))
        );
        assert_eq!(shows("/works", "/works"), Some(Shows::Listing));
        assert_eq!(shows("/works/{id}", "/works/x"), None);
        assert_eq!(shows("/works/{id}/edit", "/works/12/edit"), None);
        assert_eq!(shows("/dashboard", "/dashboard"), None);
    }

    /// A page marked kept in the table is one guests read with GET, and a
    /// work's page has the work's number where `work_in_path` looks.
    #[test]
    fn kept_pages_are_pages_guests_get() {
        for (route, kept) in crate::KEPT_PAGES {
            assert!(
                crate::PAGE_ROUTES.contains(&("get", route)),
                "{route} is kept but no page answers GET there"
            );
            if *kept == Kept::Work {
                assert!(route.starts_with("/works/{id}"), "{route}");
            }
        }
    }
}
