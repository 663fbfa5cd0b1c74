//! `/metrics` in Prometheus' text format, and one log line per request.
//!
//! Requests are counted by route (the pattern, never the address, so the
//! number of series stays small) and status; the cache, the database pool,
//! the hit buffer and the search index's lag are read when scraped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::fragments::FilledChapters;
use crate::page_cache::PageCache;
use crate::App;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    index_lag: Gauge,
}

impl Metrics {
    pub fn new(
        pages: Arc<PageCache>,
        filled_chapters: Arc<FilledChapters>,
        archive: quire_archive::Archive,
        hits: Arc<crate::hits::HitBuffer>,
    ) -> Metrics {
        let mut registry = Registry::with_prefix("quire");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route pattern, method and status",
            requests.clone(),
        );
        // 0.25 ms to about 4 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response's head, by route pattern",
            latency.clone(),
        );
        let index_lag = Gauge::default();
        registry.register(
            "search_index_lag_changes",
            "Changes stored but not yet searchable (-1 while the index is busy rebuilding)",
            index_lag.clone(),
        );
        registry.register_collector(Box::new(ReadWhenScraped {
            pages,
            filled_chapters,
            archive,
            hits,
        }));
        Metrics {
            registry,
            requests,
            latency,
            index_lag,
        }
    }
}

/// What is read off the running site at each scrape.
struct ReadWhenScraped {
    pages: Arc<PageCache>,
    filled_chapters: Arc<FilledChapters>,
    archive: quire_archive::Archive,
    hits: Arc<crate::hits::HitBuffer>,
}

impl std::fmt::Debug for ReadWhenScraped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadWhenScraped").finish_non_exhaustive()
    }
}

impl Collector for ReadWhenScraped {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.pages.stats();
        let (texts_reused, texts_drawn) = self.filled_chapters.counts();
        let counters = [
            (
                "chapter_text_cache_hits",
                "Chapters' filled-in texts taken ready-made, for any reader",
                texts_reused,
            ),
            (
                "chapter_text_cache_misses",
                "Chapters' filled-in texts drawn afresh (and kept)",
                texts_drawn,
            ),
            (
                "page_cache_hits",
                "Guest pages served ready-made",
                stats.hits,
            ),
            (
                "page_cache_misses",
                "Guest pages drawn afresh (and kept)",
                stats.misses,
            ),
        ];
        for (name, help, value) in counters {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(
                name,
                help,
                None,
                counter.metric_type(),
            )?)?;
        }
        let (open, idle) = self.archive.pool_connections();
        let gauges = [
            (
                "page_cache_bytes",
                "Memory the kept pages take",
                stats.bytes as i64,
            ),
            ("page_cache_pages", "Pages kept", stats.pages as i64),
            (
                "db_pool_connections",
                "Database connections open",
                i64::from(open),
            ),
            (
                "db_pool_idle_connections",
                "Database connections open and idle",
                idle as i64,
            ),
            (
                "hits_buffered",
                "Views not yet written to the store (one per reader, work and day)",
                self.hits.len() as i64,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// A route's series looked up once, for a page answered many times over
/// (a kept page): counting then costs no lookup by label.
#[derive(Clone)]
pub struct RouteMetrics {
    route: Arc<str>,
    answered: Counter,
    latency: Histogram,
}

impl RouteMetrics {
    /// Counts a GET of this route answered with 200.
    pub fn record_ok(&self, took: Duration) {
        self.answered.inc();
        self.latency.observe(took.as_secs_f64());
    }

    pub fn route(&self) -> &str {
        &self.route
    }

    /// Series that no registry shows, for tests of what keeps them.
    #[cfg(test)]
    pub fn detached(route: &str) -> RouteMetrics {
        RouteMetrics {
            route: route.into(),
            answered: Counter::default(),
            latency: Histogram::new(exponential_buckets(0.000_25, 2.0, 15)),
        }
    }
}

impl Metrics {
    /// The series a GET of `route` answered with 200 counts in.
    pub fn for_route(&self, route: &str) -> RouteMetrics {
        RouteMetrics {
            route: route.into(),
            answered: self
                .requests
                .get_or_create(&RequestLabels {
                    route: route.to_string(),
                    method: "GET".to_string(),
                    status: 200,
                })
                .clone(),
            latency: self
                .latency
                .get_or_create(&RouteLabels {
                    route: route.to_string(),
                })
                .clone(),
        }
    }

    /// Counts and times one request.
    pub fn record(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(took.as_secs_f64());
    }
}

/// The line every request leaves in the log (target `quire::access`).
pub fn log_access(method: &str, path: &str, route: &str, status: u16, took: Duration, cache: &str) {
    tracing::info!(
        target: "quire::access",
        method,
        path,
        route,
        status,
        micros = took.as_micros() as u64,
        cache,
    );
}

/// Counts and times every request, and logs it.
pub async fn observe(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let took = started.elapsed();
    app.metrics.record(&route, &method, status, took);
    let cache = response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    log_access(&method, &path, &route, status, took, cache);
    response
}

/// Is this request from the machine itself, not relayed by a proxy? Only
/// such requests see `/metrics`: the figures say how the archive is built
/// and loaded, which is for its operators.
fn from_this_machine(request: &Request) -> bool {
    let local = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|info| info.0.ip().is_loopback());
    local && !relayed(request.headers())
}

fn relayed(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name))
}

/// `GET /metrics`: answered only to the machine itself (see
/// [`from_this_machine`]); anyone else gets the usual 404.
pub async fn scrape(State(app): State<App>, request: Request) -> Response {
    if !from_this_machine(&request) {
        return crate::pages::PageError::NotFound.into_response();
    }
    let lag = match tokio::time::timeout(Duration::from_millis(200), app.search.indexed_seq()).await
    {
        Ok(indexed) => match app.archive.last_change_seq().await {
            Ok(last) => (last - indexed).max(0),
            Err(err) => {
                tracing::warn!(error = %err, "metrics: the store didn't answer");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
        Err(_) => -1,
    };
    app.metrics.index_lag.set(lag);
    let mut text = String::new();
    if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &app.metrics.registry) {
        tracing::error!(error = %err, "metrics couldn't be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
