//! The real site on a free port over a fresh data directory, started by
//! `quire_web::serve` as `quire serve` starts it, and a browser-like client
//! (cookies kept, redirects shown) to walk it: for the site's tests and the
//! browser's.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use quire_archive::Archive;

pub struct Site {
    pub base: String,
    pub archive: Archive,
    runtime: tokio::runtime::Handle,
    _dir: tempfile::TempDir,
    /// The PostgreSQL database of its own the site runs on, dropped with it.
    #[cfg(feature = "postgres")]
    database: Option<crate::postgres::TestDatabase>,
}

/// Set to `postgres`, every site a test starts runs on a PostgreSQL
/// database of its own on the server `QUIRE_TEST_POSTGRES` names, instead
/// of SQLite: `scripts/test` runs the site's tests both ways.
pub const BACKEND_VARIABLE: &str = "QUIRE_TEST_SITE_BACKEND";

#[cfg(feature = "postgres")]
impl Drop for Site {
    fn drop(&mut self) {
        if let Some(database) = self.database.take() {
            database.remove_blocking();
        }
    }
}

impl Site {
    /// Starts the site as `quire serve` does, through the same
    /// `quire_web::serve`, on 127.0.0.1:0.
    pub fn start() -> Site {
        Site::start_with(|_| {})
    }

    /// Starts the site with some of its settings changed, on the backend
    /// [`BACKEND_VARIABLE`] names (SQLite unless it says `postgres`).
    pub fn start_with(configure: impl FnOnce(&mut quire_web::Settings) + Send + 'static) -> Site {
        match std::env::var(BACKEND_VARIABLE).as_deref() {
            Ok("postgres") => Site::start_on_postgres(configure),
            Ok("sqlite") | Ok("") | Err(_) => Site::start_on(None, configure),
            Ok(other) => panic!("{BACKEND_VARIABLE}={other}: say sqlite or postgres"),
        }
    }

    #[cfg(feature = "postgres")]
    fn start_on_postgres(
        configure: impl FnOnce(&mut quire_web::Settings) + Send + 'static,
    ) -> Site {
        let database = crate::postgres::TestDatabase::create_blocking("quire_site");
        let mut site = Site::start_on(Some(database.url.clone()), configure);
        site.database = Some(database);
        site
    }

    #[cfg(not(feature = "postgres"))]
    fn start_on_postgres(_: impl FnOnce(&mut quire_web::Settings) + Send + 'static) -> Site {
        panic!("{BACKEND_VARIABLE}=postgres needs quire-testkit's postgres feature")
    }

    /// Starts a node of the archive at `database` (a `postgres://` URL;
    /// `None` for SQLite in the node's own data directory), with its own
    /// data directory for its index and downloads.
    pub fn start_on(
        database: Option<String>,
        configure: impl FnOnce(&mut quire_web::Settings) + Send + 'static,
    ) -> Site {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        let data = dir.path().to_path_buf();
        let (ready, started) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            let handle = runtime.handle().clone();
            runtime.block_on(async move {
                let archive = match &database {
                    Some(url) => Archive::open(url).await,
                    None => Archive::open_data_dir(&data).await,
                }
                .expect("archive opens");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a free port");
                let address = listener.local_addr().expect("an address");
                let mut settings = quire_web::Settings::new(data.clone());
                configure(&mut settings);
                ready
                    .send((format!("http://{address}"), archive.clone(), handle))
                    .expect("the test waits");
                quire_web::serve(archive, settings, listener, std::future::pending())
                    .await
                    .expect("the site serves");
            });
        });
        let (base, archive, runtime) = started
            .recv_timeout(Duration::from_secs(60))
            .expect("the site starts within a minute");
        let site = Site {
            base,
            archive,
            runtime,
            _dir: dir,
            #[cfg(feature = "postgres")]
            database: None,
        };
        // A new archive's index is built first; lists answer 503 until then.
        let client = site.client();
        eventually("the search index is built", || {
            client.get("/healthz").body.contains("\"index\":\"ok\"")
        });
        site
    }

    /// The address the site listens on (`127.0.0.1:port`).
    pub fn address(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// The site's data directory.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_path_buf()
    }

    /// Runs an archive call from the test's thread.
    pub fn store<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(work)
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .new_agent(),
            forwarded_for: None,
        }
    }

    /// An account with roles, made in the store and signed in on a new
    /// client.
    pub fn member_with_roles(&self, login: &str, roles: quire_archive::Roles) -> Client {
        self.store(async {
            self.archive
                .add_user(
                    login,
                    &format!("{login}@example.org"),
                    "correct horse battery",
                    roles,
                )
                .await
                .expect("an account with roles")
        });
        let client = self.client();
        let signed_in = client.submit(
            "/login",
            "/login",
            &[("login", login), ("password", "correct horse battery")],
        );
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        client
    }

    /// An account, signed in on a new client.
    pub fn member(&self, login: &str) -> Client {
        let client = self.client();
        let page = client.get("/signup");
        let response = client.post(
            "/signup",
            &[
                ("csrf", &page.csrf()),
                ("login", login),
                ("email", &format!("{login}@example.org")),
                ("password", "correct horse battery"),
                ("password_confirmation", "correct horse battery"),
            ],
        );
        assert_eq!(response.status, 303, "{}", response.body);
        client
    }
}

pub struct Page {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Page {
    /// The form token the page's forms carry.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no form token on the page:\n{}", self.body))
            + marker.len();
        self.body[start..start + 64].to_string()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Download {
    pub status: u16,
    pub content_type: Option<String>,
    pub disposition: Option<String>,
    pub etag: Option<String>,
    pub encoding: Option<String>,
    pub bytes: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Download {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as sent before its content coding (gzip or brotli).
    pub fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.encoding.as_deref() {
            None => out.clone_from(&self.bytes),
            Some("gzip") => {
                std::io::Read::read_to_end(
                    &mut flate2::read::GzDecoder::new(&self.bytes[..]),
                    &mut out,
                )
                .expect("gzip that decodes");
            }
            Some("br") => {
                std::io::Read::read_to_end(
                    &mut brotli::Decompressor::new(&self.bytes[..], 4096),
                    &mut out,
                )
                .expect("brotli that decodes");
            }
            Some(other) => panic!("a coding quire doesn't send: {other}"),
        }
        out
    }
}

#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    /// Sent with every request: the `X-Forwarded-For` of a client that
    /// stands for another address behind a trusted proxy.
    forwarded_for: Option<String>,
}

impl Client {
    /// The cookies the client holds, as a `Cookie` header carries them:
    /// for a request made by hand on a raw connection.
    pub fn cookie_header(&self) -> String {
        let jar = self.agent.cookie_jar_lock();
        jar.iter()
            .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The same browser, seen as coming from `address` through a proxy the
    /// site trusts.
    pub fn behind_proxy_as(mut self, address: &str) -> Client {
        self.forwarded_for = Some(address.to_string());
        self
    }

    fn request<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.forwarded_for {
            Some(address) => request.header("x-forwarded-for", address),
            None => request,
        }
    }

    fn page(mut response: ureq::http::Response<ureq::Body>) -> Page {
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect::<Vec<_>>();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Page {
            status: response.status().as_u16(),
            body: response
                .body_mut()
                .with_config()
                .limit(50 * 1024 * 1024)
                .read_to_string()
                .unwrap_or_default(),
            location,
            headers,
        }
    }

    pub fn get(&self, path: &str) -> Page {
        Self::page(
            self.request(self.agent.get(format!("{}{path}", self.base)))
                .call()
                .expect("the site answers"),
        )
    }

    /// A file as bytes, with an ETag to revalidate against when given.
    pub fn download(&self, path: &str, if_none_match: Option<&str>) -> Download {
        match if_none_match {
            Some(etag) => self.fetch(path, &[("if-none-match", etag)]),
            None => self.fetch(path, &[]),
        }
    }

    /// Any answer as bytes, asked for with extra headers.
    pub fn fetch(&self, path: &str, headers: &[(&str, &str)]) -> Download {
        let mut request = self.request(self.agent.get(format!("{}{path}", self.base)));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = request.call().expect("the site answers");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect::<Vec<_>>();
        let (content_type, disposition, etag, encoding) = (
            header("content-type"),
            header("content-disposition"),
            header("etag"),
            header("content-encoding"),
        );
        Download {
            status: response.status().as_u16(),
            content_type,
            disposition,
            etag,
            encoding,
            bytes: response
                .body_mut()
                .with_config()
                .limit(50 * 1024 * 1024)
                .read_to_vec()
                .unwrap_or_default(),
            headers,
        }
    }

    /// The headers a GET would answer with, as KOReader asks before it
    /// loads a feed again.
    pub fn head(&self, path: &str) -> Page {
        Self::page(
            self.request(self.agent.head(format!("{}{path}", self.base)))
                .call()
                .expect("the site answers"),
        )
    }

    /// The headers a GET with extra headers would answer with.
    pub fn head_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.request(self.agent.head(format!("{}{path}", self.base)));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::page(request.call().expect("the site answers"))
    }

    /// A page asked for with extra headers (an app's `Authorization`).
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.request(self.agent.get(format!("{}{path}", self.base)));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::page(request.call().expect("the site answers"))
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, &[])
    }

    /// A form posted with extra headers (a proxy's `X-Forwarded-Proto`).
    pub fn post_with(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut request = self.request(self.agent.post(format!("{}{path}", self.base)));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::page(
            request
                .send_form(form.iter().copied())
                .expect("the site answers"),
        )
    }

    /// A form with files, as a browser sends one (`multipart/form-data`):
    /// each file as (field, file name, bytes).
    pub fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----quire-test-boundary-7f3a9c";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     content-type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.post_bytes(
            path,
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )
    }

    /// A body sent as it is, bytes and all, as a hostile client might.
    pub fn post_bytes(&self, path: &str, content_type: &str, body: &[u8]) -> Page {
        let request = self
            .request(self.agent.post(format!("{}{path}", self.base)))
            .header("content-type", content_type);
        Self::page(request.send(body).expect("the site answers"))
    }

    /// A JSON API call: any method, a bearer token if given, a JSON body
    /// if given.
    pub fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Page {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(address) = &self.forwarded_for {
            request = request.header("x-forwarded-for", address.as_str());
        }
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                json.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let request = request.body(body).expect("a request");
        Self::page(self.agent.run(request).expect("the site answers"))
    }

    /// Posts a form from `page_path` with its token, and follows the one
    /// redirect a successful form answers with.
    pub fn submit(&self, page_path: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let token = self.get(page_path).csrf();
        let mut fields = vec![("csrf", token.as_str())];
        fields.extend_from_slice(form);
        let answer = self.post(action, &fields);
        match (&answer.status, &answer.location) {
            (303, Some(location)) => self.get(location),
            _ => answer,
        }
    }
}

/// Every (method, path) the router answers, from the table it is built
/// from, so that a test walking them all meets a new route the day it is
/// added.
pub fn router_routes() -> Vec<(String, String)> {
    quire_web::route_table()
}

/// Waits until `check` holds: the search index follows the store within a
/// fraction of a second, but not instantly.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: not within 30 s");
}

/// A seed as it arrives: read from beside the repository.
pub fn seed(name: &str) -> String {
    String::from_utf8(crate::seed_bytes(name)).expect("seeds are UTF-8")
}

/// Posts a work through the form; returns its id.
pub fn post_work(client: &Client, fields: &[(&str, &str)]) -> i64 {
    try_post_work(client, fields)
        .unwrap_or_else(|answer| panic!("posting failed:\n{}", answer.body))
}

/// Posts a work; the site's answer when it isn't taken.
pub fn try_post_work(client: &Client, fields: &[(&str, &str)]) -> Result<i64, Page> {
    let defaults: Vec<(&str, &str)> = vec![
        ("rating", "General Audiences"),
        ("warnings", "No Archive Warnings Apply"),
        ("fandoms", "Original Work"),
        ("format", "plain"),
        ("complete", "1"),
        ("action", "post"),
    ];
    // A field the test gives replaces the default of that name.
    let mut form: Vec<(&str, &str)> = defaults
        .into_iter()
        .filter(|(name, _)| !fields.iter().any(|(given, _)| given == name))
        .collect();
    form.extend_from_slice(fields);
    let token = client.get("/works/new").csrf();
    let mut sent = vec![("csrf", token.as_str())];
    sent.extend(form);
    let answer = client.post("/works/new", &sent);
    if answer.status != 303 {
        return Err(answer);
    }
    let location = answer.location.expect("a posted work's address");
    Ok(location
        .trim_start_matches("/works/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("unexpected redirect {location}")))
}

/// An account with a token of the given scope, made in the store.
pub fn account_with_token(site: &Site, login: &str, scope: quire_archive::tokens::Scope) -> String {
    site.store(async {
        let user = site
            .archive
            .add_user(
                login,
                &format!("{login}@example.org"),
                "correct horse battery",
                quire_archive::Roles::default(),
            )
            .await
            .expect("an account");
        site.archive
            .create_api_token(user.id, "tests", scope)
            .await
            .expect("a token")
            .1
    })
}
