//! Accepting connections: HTTP/1.1 with a deadline for a request's headers
//! and a cap on the connections one address may hold open, so that
//! half-sent requests can't use up the server's file handles while readers
//! wait (slowloris). Graceful: on shutdown no new connection is taken and
//! the requests in flight are answered.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_service::Service;

/// How long a connection may take to send a request's headers, and how
/// many connections one address may keep open.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ConnectionLimits {
    /// Seconds a connection may take to send a request's headers (and
    /// may sit idle between requests) before it is closed.
    #[arg(
        long = "header-timeout",
        env = "QUIRE_HEADER_TIMEOUT",
        default_value = crate::site_settings::DEFAULT_HEADER_TIMEOUT_SECONDS,
        value_parser = crate::site_settings::seconds,
        value_name = "SECONDS"
    )]
    pub header_timeout: Duration,
    /// Connections one address may hold open at once (a browser opens
    /// six); 0 sets no cap. Trusted proxies are never capped.
    #[arg(
        long = "connections-per-address",
        env = "QUIRE_CONNECTIONS_PER_ADDRESS",
        default_value_t = crate::site_settings::DEFAULT_CONNECTIONS_PER_ADDRESS,
        value_name = "COUNT"
    )]
    pub per_address: usize,
}

/// Open connections by address; a slot is given back when its connection
/// ends.
#[derive(Default)]
struct OpenConnections(Mutex<HashMap<IpAddr, usize>>);

struct Slot {
    open: Arc<OpenConnections>,
    address: IpAddr,
}

impl OpenConnections {
    fn take(self: &Arc<Self>, address: IpAddr, cap: usize) -> Option<Slot> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(address).or_default();
        if cap > 0 && *count >= cap {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: Arc::clone(self),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .open
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// Serves `service` on `listener` until `shutdown` completes, then waits
/// for the connections still answering to finish.
pub async fn serve<S>(
    listener: TcpListener,
    service: S,
    limits: ConnectionLimits,
    trusted_proxies: Vec<IpAddr>,
    shutdown: impl Future<Output = ()> + Send,
) where
    S: Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let open = Arc::new(OpenConnections::default());
    let (stopping, stop) = tokio::sync::watch::channel(false);
    // Every connection holds a sender; when the last is gone, all are done.
    let (alive, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file handles, or the peer gave up before we
                    // took it: wait a moment rather than spin.
                    tracing::warn!(error = %err, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let address = peer.ip().to_canonical();
        let cap = if trusted_proxies.contains(&address) {
            0
        } else {
            limits.per_address
        };
        let Some(slot) = open.take(address, cap) else {
            tracing::debug!(%address, "too many connections from one address; closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = WithPeer {
            service: service.clone(),
            peer,
        };
        let mut stop = stop.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let builder = {
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_timeout);
                builder
            };
            let connection =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { stop.wait_for(|stopping| *stopping).await.map(drop) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.as_mut().await;
                }
            }
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(alive);
    let _ = all_done.recv().await;
}

/// The service with the reader's address in each request, where
/// `ConnectInfo<SocketAddr>` finds it.
#[derive(Clone)]
struct WithPeer<S> {
    service: S,
    peer: SocketAddr,
}

impl<S> Service<hyper::Request<hyper::body::Incoming>> for WithPeer<S>
where
    S: Service<axum::extract::Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, request: hyper::Request<hyper::body::Incoming>) -> Self::Future {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        self.service.call(request)
    }
}
