//! quire-web: the site and the JSON API over the `Archive` and its search
//! index. Pages are rendered on the server and work without JavaScript;
//! handlers stay thin and leave every rule to the archive.

mod access;
mod accounts;
mod api;
mod assets;
mod bookmarks;
mod comment_controls;
pub mod compression;
mod covers;
mod detected;
mod downloads;
mod editing;
mod form;
mod fragments;
mod hits;
mod inbox;
mod keeping_away;
mod listing;
pub mod mail;
mod media_files;
mod metrics;
mod moderation;
mod opds;
mod page_cache;
mod pages;
mod people;
mod posting;
mod reading;
mod recovery;
pub mod search_params;
mod series;
mod server;
mod settings;
mod signing;
mod site_settings;
mod tags;
mod uploads;
mod visitor;
mod work_input;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use quire_archive::search::SearchIndex;
use quire_archive::{Archive, ArchiveError};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

pub use server::ConnectionLimits;
pub use site_settings::{PublicUrl, Settings};

/// What every handler reaches: one `Arc`, since every middleware layer
/// clones the state for every request.
#[derive(Clone)]
struct App(Arc<Shared>);

impl std::ops::Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

struct Shared {
    archive: Archive,
    search: SearchIndex,
    /// Salt for guests' addresses (kudos, hits): kept in the archive so it
    /// survives restarts, never shown.
    guest_salt: Arc<Vec<u8>>,
    guest_tokens: Arc<visitor::GuestTokens>,
    sign_in_limits: Arc<SignInLimits>,
    /// Reports per reader (account, or a guest's address): enough for
    /// anyone reporting what they find, too few to flood the admins.
    report_limits: DefaultKeyedRateLimiter<String>,
    /// `None` when the archive sets no limit on comments.
    comment_limits: Option<DefaultKeyedRateLimiter<String>>,
    downloads: Arc<downloads::DownloadCache>,
    hits: Arc<hits::HitBuffer>,
    /// E-reader apps' HTTP Basic sign-ins, remembered briefly.
    basic_sign_ins: Arc<opds::RecentSignIns>,
    feed_versions: Arc<opds::FeedVersions>,
    pages: Arc<page_cache::PageCache>,
    signals: Arc<detected::SignalsCache>,
    filled_chapters: Arc<fragments::FilledChapters>,
    metrics: Arc<metrics::Metrics>,
    trusted_proxies: Vec<IpAddr>,
    /// `None` when the archive sets no limit on API requests.
    api_limits: Option<api::ApiLimits>,
    /// The OpenAPI document, as served.
    api_document: Arc<str>,
    mailer: Arc<mail::Mailer>,
    /// Where uploads are kept, and what one may be.
    media: quire_archive::media::MediaStore,
    media_limits: quire_archive::media::MediaLimits,
    upload_timeout: std::time::Duration,
    request_timeout: std::time::Duration,
}

/// Why the site could not start, or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--public-url: {0}")]
    PublicUrl(#[source] quire_export::ExportError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error("cannot open the search index under {}: {source}", dir.display())]
    Search {
        dir: std::path::PathBuf,
        source: quire_archive::search::SearchError,
    },
    #[error("cannot read the address the site listens on: {0}")]
    Address(std::io::Error),
    #[error("cannot start the site: {0}")]
    Start(ArchiveError),
    #[error("the server stopped, but its last hits could not be written: {0}")]
    LastHits(ArchiveError),
}

/// Serves `archive` on `listener` until `shutdown` completes: the website,
/// the JSON API, /healthz and /metrics. The search index under the data
/// directory follows the archive meanwhile (built first if missing; lists
/// answer 503 until it is). When `shutdown` completes, the requests in
/// flight are answered and then the hits they buffered are written.
pub async fn serve(
    archive: Archive,
    settings: Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let address = listener.local_addr().map_err(ServeError::Address)?;
    let public_url = match settings.public_url.given() {
        Some((url, old_name)) => {
            quire_export::Options::new(&url).map_err(ServeError::PublicUrl)?;
            if old_name {
                tracing::warn!("{}", PublicUrl::OLD_NAME_WARNING);
            }
            url
        }
        None => format!("http://{address}"),
    };
    let search = SearchIndex::open(archive.clone(), &settings.data_dir)
        .await
        .map_err(|source| ServeError::Search {
            dir: settings.data_dir.clone(),
            source,
        })?;
    let follower = tokio::spawn(search.clone().follow(|err| {
        tracing::error!(error = %err, "search index");
    }));
    let mailer = match archive.site_secret("unsubscribe-key").await {
        Ok(key) => Arc::new(mail::Mailer::new(
            &settings.mail,
            &public_url,
            key.as_bytes(),
        )?),
        Err(err) => return Err(ServeError::Start(err)),
    };
    let worker = mail::spawn_worker(archive.clone(), Arc::clone(&mailer));
    let served = match site(archive, search, &settings, public_url, mailer).await {
        Ok(site) => site
            .serve(listener, shutdown)
            .await
            .map(drop)
            .map_err(ServeError::LastHits),
        Err(err) => Err(ServeError::Start(err)),
    };
    // Every commit of the index is whole; stopping between rounds loses
    // nothing, and the next start catches up from the last commit.
    follower.abort();
    // A message being sent when the worker stops is sent again by the
    // next start, after its claim runs out, with the same Message-ID.
    worker.abort();
    served
}

/// The site, ready to serve, and what must be done when it stops.
struct Site {
    /// The whole site as one service, run with each request's peer
    /// address (guests' hits and kudos are known by it).
    service: page_cache::KeptFirst<Router>,
    archive: Archive,
    hits: Arc<hits::HitBuffer>,
    limits: ConnectionLimits,
    trusted_proxies: Vec<IpAddr>,
}

impl Site {
    /// Serves on `listener` until `shutdown` completes and the requests in
    /// flight are answered, then writes the hits still buffered.
    async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<usize, ArchiveError> {
        server::serve(
            listener,
            self.service.clone(),
            self.limits,
            self.trusted_proxies.clone(),
            shutdown,
        )
        .await;
        self.flush().await
    }

    /// Writes the hits still buffered: call after the server has stopped
    /// taking requests, so a clean shutdown loses none.
    async fn flush(&self) -> Result<usize, ArchiveError> {
        self.hits.flush(&self.archive).await
    }
}

/// Password guessing is slowed per address and per account name, so that
/// neither many accounts from one place nor one account from many places
/// can be tried quickly.
struct SignInLimits {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_login: DefaultKeyedRateLimiter<String>,
}

impl SignInLimits {
    fn new() -> SignInLimits {
        // Ten tries at once, then one every six seconds.
        let quota = Quota::per_minute(NonZeroU32::MIN.saturating_add(9));
        SignInLimits {
            by_address: RateLimiter::keyed(quota),
            by_login: RateLimiter::keyed(quota),
        }
    }

    /// May this address try this login now? Both budgets are spent.
    fn allow(&self, address: IpAddr, login: &str) -> bool {
        let address_ok = self.by_address.check_key(&address).is_ok();
        let login_ok = self
            .by_login
            .check_key(&quire_archive::model::tag_key(login))
            .is_ok();
        address_ok && login_ok
    }
}

/// Whom a request is for. Each proxy appends the address it heard from to
/// `X-Forwarded-For`, so the list is read from its end: past every trusted
/// proxy, the first address is the reader's. Anything before it could have
/// been written by the reader and is never believed.
fn forwarded_for(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|line| line.to_str().ok())
        .flat_map(|line| line.split(','))
        .collect();
    let mut reader = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) => {
                reader = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            // A hop that isn't an address ends what can be believed.
            Err(_) => break,
        }
    }
    reader
}

/// The largest request body taken: a long chapter pasted whole fits.
pub(crate) const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Declares the site's pages once: the router is built from this table and
/// [`route_table`] lists it, so whatever walks every page (the tests, the
/// page cache's rules) meets a new page the day it is added.
/// A row marked `kept(Work)` or `kept(Listing)` is a page whose guests'
/// copy the page cache keeps, and says what it shows.
macro_rules! page_table {
    ($($path:literal => $first:ident($handler:expr) $(. $method:ident($more:expr))* $(, kept($kept:ident))?;)*) => {
        fn page_routes() -> Router<App> {
            Router::new()$(.route($path, $first($handler)$(.$method($more))*))*
        }

        /// (method, path) of every page, as [`page_routes`] answers them.
        const PAGE_ROUTES: &[(&str, &str)] = &[
            $((stringify!($first), $path), $((stringify!($method), $path),)*)*
        ];

        /// The pages whose guests' copy is kept, and what each shows.
        pub(crate) const KEPT_PAGES: &[(&str, page_cache::Kept)] = &[
            $($(($path, page_cache::Kept::$kept),)?)*
        ];
    };
}

page_table! {
    "/" => get(listing::home), kept(Listing);
    "/works" => get(listing::works), kept(Listing);
    "/works/new" => get(posting::new_work).post(posting::post_work);
    "/works/{id}" => get(reading::work), kept(Work);
    "/works/{id}/chapters/{position}" => get(reading::chapter), kept(Work);
    "/works/{id}/edit" => get(editing::edit_form).post(editing::save);
    "/works/{id}/delete" => post(editing::delete);
    "/works/{id}/orphan" => post(editing::orphan);
    "/works/{id}/chapters/new" => get(editing::new_chapter_form).post(editing::add_chapter);
    "/works/{id}/chapters/{position}/edit" => get(editing::edit_chapter_form).post(editing::edit_chapter);
    "/works/{id}/chapters/order" => post(editing::reorder_chapters);
    "/works/{id}/chapters/delete" => post(editing::delete_chapter);
    "/works/{id}/kudos" => post(reading::kudos);
    "/works/{id}/comments" => post(reading::comment);
    "/comments/{id}/edit" => post(reading::edit_comment);
    "/comments/{id}/delete" => post(reading::delete_comment);
    "/comments/{id}/freeze" => post(reading::freeze_comment);
    "/comments/{id}/unfreeze" => post(reading::unfreeze_comment);
    "/comments/{id}/approve" => post(comment_controls::approve);
    "/comments/{id}/hide" => post(comment_controls::hide);
    "/comments/{id}/unhide" => post(comment_controls::unhide);
    "/admin/comments/{id}/spam" => post(comment_controls::spam);
    "/works/{id}/comment-settings" => post(comment_controls::settings);
    "/works/{id}/bookmarks" => post(reading::bookmark);
    "/works/{id}/subscription" => post(reading::subscribe);
    "/series/{id}/subscription" => post(inbox::series);
    "/users/{login}/subscription" => post(inbox::person);
    "/inbox" => get(inbox::inbox);
    "/inbox/read" => post(inbox::all_read);
    "/inbox/{id}" => post(inbox::change);
    "/inbox/{id}/reply" => post(inbox::reply);
    "/preferences/email" => post(inbox::email_settings);
    "/unsubscribe/{user}/{kind}/{signature}" => get(inbox::unsubscribe_form).post(inbox::unsubscribe);
    "/password/forgot" => get(recovery::forgot_form).post(recovery::forgot);
    "/password/reset/{token}" => get(recovery::reset_form).post(recovery::reset);
    "/account/email" => post(recovery::change_email);
    "/account/email/{token}" => get(recovery::confirm_email_form).post(recovery::confirm_email);
    "/account/login" => post(recovery::change_login);
    "/works/{id}/later" => post(reading::later);
    "/works/{id}/read-as" => post(reading::read_as);
    "/works/{id}/download.epub" => get(downloads::work_epub);
    "/works/{id}/download.html" => get(downloads::work_html);
    "/works/{id}/download.txt" => get(downloads::work_txt);
    "/works/{id}/download.pdf" => get(downloads::work_pdf);
    "/works/{id}/cover.svg" => get(covers::work_cover);
    "/series/{id}/download.epub" => get(downloads::series_epub);
    "/series/{id}/description" => post(series::describe);
    "/opds" => get(opds::root);
    "/opds/recent" => get(opds::recent);
    "/opds/popular" => get(opds::popular);
    "/opds/fandoms" => get(opds::fandoms);
    "/opds/tags" => get(opds::tags);
    "/opds/tags/{tag}" => get(opds::tag_works);
    "/opds/search" => get(opds::search);
    "/opds/search.xml" => get(opds::opensearch);
    "/opds/bookmarks" => get(opds::bookmarks);
    "/opds/subscriptions" => get(opds::subscriptions);
    "/opds/later" => get(opds::later);
    "/works/{id}/creators" => post(editing::creators);
    "/works/{id}/report" => get(moderation::report_work_form).post(moderation::report_work);
    "/comments/{id}/report" => get(moderation::report_comment_form).post(moderation::report_comment);
    "/admin/reports" => get(moderation::reports);
    "/admin/reports/{id}/resolve" => post(moderation::resolve);
    "/admin/works/{id}/hidden" => post(moderation::set_hidden);
    "/admin/users/{login}/suspended" => post(moderation::set_suspended);
    "/admin/users/{login}/comments/delete" => post(comment_controls::delete_all);
    "/dashboard/invitations/{work}" => post(people::answer_invitation);
    "/series/{id}" => get(series::show), kept(Listing);
    "/tags/{tag}" => get(tags::show).post(tags::wrangle), kept(Listing);
    "/tags/{tag}/works" => get(listing::tag_works), kept(Listing);
    "/tags/{tag}/bookmarks" => get(bookmarks::of_tag);
    "/users/{login}" => get(people::person), kept(Listing);
    "/users/{login}/works" => get(listing::user_works), kept(Listing);
    "/users/{login}/bookmarks" => get(bookmarks::of_person);
    "/bookmarks" => get(bookmarks::all);
    "/bookmarks/{id}/edit" => post(bookmarks::edit);
    "/bookmarks/external/new" => get(bookmarks::external_form).post(bookmarks::external);
    "/series/{id}/bookmarks" => post(bookmarks::series);
    "/bookmarks/{id}/delete" => post(bookmarks::delete);
    "/users/{login}/block" => post(keeping_away::block);
    "/users/{login}/mute" => post(keeping_away::mute);
    "/dashboard" => get(people::dashboard);
    "/dashboard/history/clear" => post(people::clear_history);
    "/dashboard/history/{work}/delete" => post(people::forget_reading);
    "/signup" => get(accounts::signup_form).post(accounts::sign_up);
    "/login" => get(accounts::login_form).post(accounts::log_in);
    "/logout" => post(accounts::log_out);
    "/account" => get(accounts::account);
    "/account/password" => post(accounts::change_password);
    "/account/sessions/end" => post(accounts::sign_out_everywhere);
    "/account/pseuds" => post(accounts::add_pseud);
    "/account/tokens" => post(accounts::create_token);
    "/account/tokens/revoke" => post(accounts::revoke_token);
    "/account/delete" => post(accounts::delete_account);
    "/preferences" => get(settings::preferences_form).post(settings::save_preferences);
    "/preferences/block" => post(keeping_away::block_by_login);
    "/api" => get(api::reference_page);
    "/static/{file}" => get(assets::file);
    "/media/{id}/{name}" => get(media_files::original);
    "/media/{id}/{size}/{name}" => get(media_files::sized);
}

/// Every (method, path) the site answers: its pages, the JSON API (as its
/// OpenAPI document lists it) and the two addresses outside both.
pub fn route_table() -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> = PAGE_ROUTES
        .iter()
        .map(|(method, path)| (method.to_uppercase(), path.to_string()))
        .collect();
    routes.push(("GET".into(), "/metrics".into()));
    routes.push(("GET".into(), "/api/v1/openapi.json".into()));
    let (_, document) = api::routes();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if operation.is_some() {
                routes.push((method.to_string(), path.clone()));
            }
        }
    }
    routes
}

/// Every route of the site and the API, with what they share.
async fn site(
    archive: Archive,
    search: SearchIndex,
    settings: &Settings,
    public_url: String,
    mailer: Arc<mail::Mailer>,
) -> Result<Site, ArchiveError> {
    let guest_salt = archive.site_secret("guest-salt").await?.into_bytes();
    let pages = Arc::new(page_cache::PageCache::new(
        settings.page_cache_bytes(),
        archive.feed_cursor_at_end().await?,
    ));
    let hits = Arc::new(hits::HitBuffer::default());
    let filled_chapters = Arc::new(fragments::FilledChapters::new(
        settings.page_cache_bytes() / 4,
    ));
    let (api_routes, api_document) = api::routes();
    let app = App(Arc::new(Shared {
        archive: archive.clone(),
        search,
        guest_salt: Arc::new(guest_salt),
        guest_tokens: Arc::new(visitor::GuestTokens::new(
            archive.site_secret("guest-form-key").await?.as_bytes(),
        )),
        sign_in_limits: Arc::new(SignInLimits::new()),
        // Ten at once, then one every six minutes.
        report_limits: RateLimiter::keyed(Quota::per_hour(NonZeroU32::MIN.saturating_add(9))),
        comment_limits: NonZeroU32::new(settings.comments_per_minute)
            .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        downloads: Arc::new(downloads::DownloadCache::new(
            settings.data_dir.join("downloads"),
            public_url,
            settings.download_wait,
        )),
        hits: Arc::clone(&hits),
        basic_sign_ins: Arc::new(opds::RecentSignIns::default()),
        feed_versions: Arc::new(opds::FeedVersions::default()),
        pages: Arc::clone(&pages),
        signals: Arc::new(detected::SignalsCache::new(1_000)),
        filled_chapters: Arc::clone(&filled_chapters),
        trusted_proxies: settings.trusted_proxies.clone(),
        api_limits: api::ApiLimits::new(settings.api_requests_per_minute),
        api_document: api::document_json(&api_document),
        mailer,
        media: match &settings.media_bucket {
            Some(bucket) => {
                quire_archive::media::MediaStore::in_bucket(settings.media_dir.clone(), bucket)?
            }
            None => quire_archive::media::MediaStore::new(settings.media_dir.clone()),
        },
        media_limits: settings.uploads.media_limits(),
        upload_timeout: settings.uploads.timeout,
        request_timeout: settings.request_timeout,
        metrics: Arc::new(metrics::Metrics::new(
            Arc::clone(&pages),
            filled_chapters,
            archive.clone(),
            Arc::clone(&hits),
        )),
    }));
    app.media.check().await?;
    app.hits.spawn_flusher(app.archive.clone());
    app.pages.spawn_follower(app.archive.clone());
    app.downloads.spawn_sweeper(app.archive.clone());
    media_files::spawn_sweeper(app.clone());
    let pages = page_routes()
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            page_cache::layer,
        ))
        .layer(axum::middleware::from_fn(compression::pages_layer))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            visitor::identify,
        ))
        .layer(axum::middleware::from_fn(pages::security_headers));
    let router = Router::new()
        .route("/metrics", get(metrics::scrape))
        .route("/api/v1/openapi.json", get(api::document))
        .merge(api_routes.layer(axum::middleware::from_fn_with_state(
            app.clone(),
            api::caller,
        )))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            metrics::observe,
        ))
        // Every body is read whole before a handler sees it: this bounds
        // what one request can make the server hold.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            pages::refuse_declared_large_bodies,
        ))
        .layer(axum::middleware::from_fn(pages::refuse_undecodable_paths))
        .layer(axum::middleware::from_fn(pages::close_after_a_refused_body))
        // A stuck request gives way instead of holding its connection
        // and memory for good; a slow upload counts too.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            uploads::request_deadline,
        ))
        // Everything but pages (feeds, the API, downloads) is compressed
        // per answer; pages are compressed around their form token by
        // `compression::pages_layer`, and never here, where a page too long
        // for that layer would have its token compressed with it.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(compression::PER_ANSWER_LEVEL)
                .compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/epub+zip"))
                        // Recordings are compressed already, and ranges
                        // of them must be the file's own bytes.
                        .and(NotForContentType::const_new("audio/"))
                        .and(NotForContentType::const_new("text/html")),
                ),
        )
        .with_state(app.clone());
    Ok(Site {
        service: page_cache::KeptFirst::new(app, router),
        archive,
        hits,
        limits: settings.connections,
        trusted_proxies: settings.trusted_proxies.clone(),
    })
}

impl App {
    /// The reader's address: the connection's, unless it comes from a
    /// trusted proxy, whose `X-Forwarded-For` then says whom it is for.
    fn reader_address(&self, request: &axum::extract::Request) -> IpAddr {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), |info| {
                info.0.ip()
            });
        forwarded_for(peer, request.headers(), &self.trusted_proxies)
    }

    /// A search off the async threads: tantivy reads block.
    async fn search(
        &self,
        request: quire_archive::search::SearchRequest,
        signed_in: bool,
    ) -> Result<quire_archive::search::SearchResults, quire_archive::search::SearchError> {
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || search.search(&request, signed_in))
            .await
            .unwrap_or_else(|err| {
                Err(quire_archive::search::SearchError::Writer(format!(
                    "the search stopped unexpectedly: {err}"
                )))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn ip(text: &str) -> IpAddr {
        text.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn only_a_trusted_proxy_says_whom_a_request_is_for() {
        let proxy = ip("10.0.0.2");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        // Straight from a reader: the header is theirs to write, and ignored.
        assert_eq!(
            forwarded_for(ip("198.51.100.1"), &headers, &[proxy]),
            ip("198.51.100.1")
        );
        // Through the proxy: the address it heard from, not what the reader
        // wrote before it.
        assert_eq!(forwarded_for(proxy, &headers, &[proxy]), ip("203.0.113.7"));
        // Two proxies in a row are both passed.
        headers.append("x-forwarded-for", HeaderValue::from_static("10.0.0.3"));
        assert_eq!(
            forwarded_for(proxy, &headers, &[proxy, ip("10.0.0.3")]),
            ip("203.0.113.7")
        );
        // No header, or garbage: the proxy's own address.
        headers.clear();
        assert_eq!(forwarded_for(proxy, &headers, &[proxy]), proxy);
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(forwarded_for(proxy, &headers, &[proxy]), proxy);
    }
}
