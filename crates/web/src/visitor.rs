//! Who is asking: a signed-in account or a guest, the token their forms
//! must carry, and their reading settings. Worked out once per request.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use quire_archive::sessions::{random_token, SESSION_SECONDS};
use quire_archive::{User, Viewer};

use crate::pages::PageError;
use crate::settings::ReaderSettings;
use crate::signing::Signer;
use crate::App;

pub const SESSION_COOKIE: &str = "quire_session";
/// A guest's form token: a cookie the page's forms repeat, which another
/// site can neither read nor set.
pub const GUEST_CSRF_COOKIE: &str = "quire_csrf";
pub const SETTINGS_COOKIE: &str = "quire_settings";
/// Set, for the browser's session, once a reader chose to go on past the
/// adult-content notice.
pub const ADULT_COOKIE: &str = "quire_adult";

/// Guests' form tokens are the server's own: a random half and the first
/// half of its HMAC-SHA256 under a key the archive keeps (shared by every
/// node of one archive), so a value the server didn't issue, planted in a
/// reader's cookies by a sibling subdomain or over plain HTTP, is refused
/// and replaced.
pub struct GuestTokens {
    signer: Signer,
}

impl GuestTokens {
    pub fn new(secret: &[u8]) -> GuestTokens {
        GuestTokens {
            signer: Signer::new(secret),
        }
    }

    /// A new token: 64 hex characters, as a session's.
    pub fn issue(&self) -> String {
        let nonce = random_token()[..32].to_string();
        let signature = self.signer.sign(&nonce);
        format!("{nonce}{signature}")
    }

    /// Did this server issue `token`? Compared in constant time.
    pub fn verify(&self, token: &str) -> bool {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let (nonce, signature) = token.split_at(32);
        self.signer.verify(nonce, signature)
    }
}

#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<User>,
    /// What every state-changing form must send back as `csrf`.
    pub csrf: String,
    pub settings: ReaderSettings,
    /// Went past the adult-content notice in this browser session.
    pub adult_ok: bool,
    /// Unread notices in a signed-in reader's inbox.
    pub unread: i64,
    pub address: IpAddr,
    /// Behind a TLS proxy: cookies get `Secure`.
    pub secure: bool,
    /// The session cookie's token, to end it on sign-out.
    pub session_token: Option<String>,
}

impl Visitor {
    pub fn viewer(&self) -> Viewer {
        match &self.user {
            Some(user) => Viewer::User(user.id),
            None => Viewer::Guest,
        }
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// The signed-in account, or a trip to the sign-in page and back to
    /// `return_to`.
    pub fn member(&self, return_to: impl Into<String>) -> Result<&User, PageError> {
        self.user.as_ref().ok_or_else(|| PageError::SignInNeeded {
            return_to: return_to.into(),
        })
    }

    /// The signed-in account, if it may write: a suspended account reads
    /// and signs in, but posts, edits and reacts to nothing.
    pub fn active_member(&self, return_to: impl Into<String>) -> Result<&User, PageError> {
        let user = self.member(return_to)?;
        self.not_suspended()?;
        Ok(user)
    }

    /// Refuses a suspended account; guests and other members pass (for
    /// what guests may do too, like kudos and comments).
    pub fn not_suspended(&self) -> Result<(), PageError> {
        match &self.user {
            Some(user) if user.suspended => Err(PageError::Suspended),
            _ => Ok(()),
        }
    }

    /// May this visitor wrangle tags? Wranglers and admins may.
    pub fn wrangler(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.roles.wrangler || u.roles.admin)
    }

    /// Is this visitor one of the archive's admins?
    /// Whom a per-reader limit counts against: the account when signed
    /// in, otherwise the address.
    pub fn rate_key(&self) -> String {
        match &self.user {
            Some(user) => format!("user:{}", user.id),
            None => format!("guest:{}", self.address),
        }
    }

    pub fn admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.roles.admin)
    }

    /// Refuses a form that doesn't carry this visitor's token: a page of
    /// another site cannot post in their name.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), PageError> {
        let sent = sent.unwrap_or("");
        let same = sent.len() == self.csrf.len()
            && sent
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if same && !sent.is_empty() {
            Ok(())
        } else {
            Err(PageError::ExpiredForm)
        }
    }

    /// A cookie as every cookie of ours is set: HttpOnly, SameSite=Lax,
    /// Secure over TLS.
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age_seconds: i64,
    ) -> Cookie<'static> {
        our_cookie(name, value, max_age_seconds, self.secure)
    }

    /// A cookie that lasts as long as the browser's session.
    pub fn session_cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        session_lasting_cookie(name, value, self.secure)
    }
}

/// A cookie as every cookie of ours is set: HttpOnly, SameSite=Lax,
/// Secure over TLS.
fn our_cookie(
    name: &'static str,
    value: String,
    max_age_seconds: i64,
    secure: bool,
) -> Cookie<'static> {
    let mut cookie = session_lasting_cookie(name, value, secure);
    cookie.set_max_age(time_seconds(max_age_seconds));
    cookie
}

/// The same, without an age: the browser forgets it when its session ends.
fn session_lasting_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(secure);
    cookie
}

/// Did the reader come over TLS (as the proxy in front says)?
pub(crate) fn over_tls(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The `Set-Cookie` that gives a new guest their form token.
pub(crate) fn new_guest_cookie(token: String, secure: bool) -> Option<HeaderValue> {
    let cookie = our_cookie(GUEST_CSRF_COOKIE, token, SESSION_SECONDS, secure);
    HeaderValue::from_str(&cookie.to_string()).ok()
}

fn time_seconds(seconds: i64) -> time::Duration {
    time::Duration::seconds(seconds)
}

/// Looks the visitor up and hands it to the handlers; gives a new guest
/// their form token.
pub async fn identify(
    State(app): State<App>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let address = app.reader_address(&request);
    let secure = over_tls(request.headers());
    let session_token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
    let session = match &session_token {
        Some(token) => match app.archive.session(token).await {
            Ok(session) => session,
            Err(err) => return PageError::from(err).into_response(),
        },
        None => None,
    };
    let mut new_guest_token = None;
    let (user, csrf, settings, unread) = match session {
        Some(session) => {
            let settings = match app.archive.preferences(session.user.id).await {
                Ok(stored) => stored
                    .map(|json| ReaderSettings::from_json(&json))
                    .unwrap_or_default(),
                Err(err) => return PageError::from(err).into_response(),
            };
            let unread = match app.archive.unread_count(session.user.id).await {
                Ok(unread) => unread,
                Err(err) => return PageError::from(err).into_response(),
            };
            (Some(session.user), session.csrf, settings, unread)
        }
        None => {
            let csrf = match jar.get(GUEST_CSRF_COOKIE) {
                Some(cookie) if app.guest_tokens.verify(cookie.value()) => {
                    cookie.value().to_string()
                }
                _ => {
                    let token = app.guest_tokens.issue();
                    new_guest_token = Some(token.clone());
                    token
                }
            };
            let settings = jar
                .get(SETTINGS_COOKIE)
                .map(|c| ReaderSettings::from_cookie(c.value()))
                .unwrap_or_default();
            (None, csrf, settings, 0)
        }
    };
    let visitor = Visitor {
        session_token: user.as_ref().and(session_token),
        adult_ok: jar.get(ADULT_COOKIE).is_some(),
        user,
        csrf,
        settings,
        unread,
        address,
        secure,
    };
    let guest_cookie = new_guest_token.and_then(|token| new_guest_cookie(token, secure));
    request.extensions_mut().insert(visitor);
    let mut response = next.run(request).await;
    if let Some(cookie) = guest_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_this_server_issued_are_taken() {
        let tokens = GuestTokens::new(b"the archive's key");
        let issued = tokens.issue();
        assert_eq!(issued.len(), 64);
        assert!(tokens.verify(&issued));
        assert_ne!(issued, tokens.issue(), "each is new");
        // Any 64 hex characters a visitor chose, another archive's token,
        // one changed character, or not hex at all.
        assert!(!tokens.verify(&"ab".repeat(32)));
        assert!(!GuestTokens::new(b"another key").verify(&issued));
        let mut changed = issued.clone().into_bytes();
        changed[40] = if changed[40] == b'0' { b'1' } else { b'0' };
        assert!(!tokens.verify(&String::from_utf8(changed).unwrap()));
        assert!(!tokens.verify(&"zz".repeat(32)));
        assert!(!tokens.verify(&issued[..63]));
    }
}
