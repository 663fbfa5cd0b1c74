//! The client side: one blocking agent per connection, forms as a browser
//! posts them, and what a page says.

use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::Agent;

/// What one request came back with.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub elapsed: Duration,
}

impl Answer {
    /// What a person reads on the page: the error heading and message, or
    /// the form's error line.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        if let Some(h1) = between(&self.body, "<h1>", "</h1>") {
            parts.push(text_of(h1));
        }
        for marker in ["<p class=\"notice\">", "<p class=\"error\" role=\"alert\">"] {
            if let Some(p) = between(&self.body, marker, "</p>") {
                parts.push(text_of(p));
            }
        }
        if parts.is_empty() {
            let short: String = self.body.chars().take(300).collect();
            parts.push(short.replace('\n', " "));
        }
        parts.join(" | ")
    }
}

/// A transport failure: no HTTP answer at all.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: String,
    pub detail: String,
    pub elapsed: Duration,
}

impl Failure {
    /// The server is not there (killed, not started): connect refused.
    pub fn server_gone(&self) -> bool {
        self.kind == "connection-failed"
            || self.detail.contains("Connection refused")
            || self.detail.contains("connection refused")
    }
}

pub type Outcome = Result<Answer, Failure>;

fn failure(err: ureq::Error, started: Instant) -> Failure {
    let kind = match &err {
        ureq::Error::Io(io) => format!("io:{:?}", io.kind()),
        ureq::Error::Timeout(_) => "timeout".to_string(),
        ureq::Error::ConnectionFailed => "connection-failed".to_string(),
        ureq::Error::Protocol(_) => "protocol".to_string(),
        ureq::Error::BodyExceedsLimit(_) => "body-too-long".to_string(),
        other => format!("{other:?}")
            .split(['(', ' ', '{'])
            .next()
            .unwrap_or("other")
            .to_string(),
    };
    Failure {
        kind,
        detail: err.to_string(),
        elapsed: started.elapsed(),
    }
}

/// An agent that reports statuses as they are and follows no redirect,
/// so a post's 303 is seen.
pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .timeout_connect(Some(Duration::from_secs(5)))
        .user_agent("quire-load/0")
        .build()
        .into()
}

fn answer(mut response: ureq::http::Response<ureq::Body>, started: Instant) -> Outcome {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .lossy_utf8(true)
        .read_to_string()
        .map_err(|e| failure(e, started))?;
    Ok(Answer {
        status,
        location,
        body,
        elapsed: started.elapsed(),
    })
}

pub fn get(agent: &Agent, url: &str) -> Outcome {
    let started = Instant::now();
    match agent.get(url).call() {
        Ok(response) => answer(response, started),
        Err(err) => Err(failure(err, started)),
    }
}

pub fn post(agent: &Agent, url: &str, fields: &[(&str, &str)]) -> Outcome {
    let started = Instant::now();
    match agent
        .post(url)
        .send_form(fields.iter().map(|(k, v)| (*k, *v)))
    {
        Ok(response) => answer(response, started),
        Err(err) => Err(failure(err, started)),
    }
}

pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// Tags dropped, entities for the few characters askama escapes undone,
/// whitespace folded.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The form token a page carries.
pub fn csrf_of(html: &str) -> Option<String> {
    between(html, "name=\"csrf\" value=\"", "\"").map(str::to_string)
}

/// A signed-in account: its session cookie and the token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub login: String,
    pub token: String,
    pub csrf: String,
}

/// Signs in once through the pages, as a browser does: the sign-in page
/// (a guest token cookie), the form, the session cookie.
pub fn sign_in(base: &str, login: &str, password: &str) -> Result<Session, String> {
    let agent = agent();
    let page = get(&agent, &format!("{base}/login")).map_err(|f| f.detail)?;
    if page.status != 200 {
        return Err(format!("GET /login answered {}", page.status));
    }
    let guest_csrf = csrf_of(&page.body).ok_or("the sign-in page has no csrf field")?;
    let answer = post(
        &agent,
        &format!("{base}/login"),
        &[
            ("csrf", &guest_csrf),
            ("return_to", "/"),
            ("login", login),
            ("password", password),
        ],
    )
    .map_err(|f| f.detail)?;
    if answer.status != 303 {
        return Err(format!(
            "signing in as {login} answered {}: {}",
            answer.status,
            answer.message()
        ));
    }
    let host = base
        .parse::<Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string))
        .unwrap_or_else(|| "127.0.0.1".into());
    let token = agent
        .cookie_jar_lock()
        .get(&host, "/", "quire_session")
        .map(|c| c.value().to_string())
        .ok_or_else(|| format!("signing in as {login} set no quire_session cookie"))?;
    let home = get(&agent, &format!("{base}/")).map_err(|f| f.detail)?;
    let csrf = csrf_of(&home.body).ok_or("the front page carries no csrf token")?;
    if csrf == guest_csrf {
        return Err(format!(
            "after signing in as {login} the page still carries the guest token"
        ));
    }
    Ok(Session {
        login: login.to_string(),
        token,
        csrf,
    })
}

/// A fresh agent (its own connection) carrying a session's cookie.
pub fn agent_for(base: &str, session: Option<&Session>) -> Agent {
    let agent = agent();
    if let Some(session) = session {
        let uri: Uri = base.parse().expect("a base URL");
        let cookie = ureq::Cookie::parse(format!("quire_session={}; Path=/", session.token), &uri)
            .expect("a cookie");
        agent
            .cookie_jar_lock()
            .insert(cookie, &uri)
            .expect("the cookie fits the jar");
    }
    agent
}

/// Percent-encoding for query values and path segments.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
