//! Creating an account, signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use quire_archive::sessions::SESSION_SECONDS;
use quire_archive::tokens::{ApiToken, Scope};
use quire_archive::{Roles, User, WorksOnDeletion};

use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
use crate::visitor::{Visitor, GUEST_CSRF_COOKIE, SESSION_COOKIE};
use crate::App;

/// Only a path on this site: a sign-in link can't send anyone elsewhere.
fn local_path(return_to: Option<&str>) -> String {
    match return_to {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A cookie to remove: it must name the path it was set with.
fn expired(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::from(name);
    cookie.set_path("/");
    cookie
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    layout: Layout,
    error: Option<String>,
    login: String,
    email: String,
}

pub async fn signup_form(Extension(visitor): Extension<Visitor>) -> Result<Response, PageError> {
    render(&SignupPage {
        layout: Layout::new(&visitor, "Create an account"),
        error: None,
        login: String::new(),
        email: String::new(),
    })
}

/// Signs a user in: a new session, whose cookie replaces any other.
pub(crate) async fn start_session(
    app: &App,
    visitor: &Visitor,
    jar: CookieJar,
    user: &User,
) -> Result<CookieJar, PageError> {
    let session = app.archive.start_session(user.id).await?;
    // A reader's guest settings come along into a new account.
    if app.archive.preferences(user.id).await?.is_none() && visitor.settings != Default::default() {
        app.archive
            .set_preferences(user.id, &visitor.settings.to_json())
            .await?;
    }
    Ok(jar
        .add(visitor.cookie(SESSION_COOKIE, session.token, SESSION_SECONDS))
        .remove(expired(GUEST_CSRF_COOKIE)))
}

pub async fn sign_up(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let login = form.text("login");
    let email = form.text("email");
    let password = form.get("password").unwrap_or("");
    let again = form.get("password_confirmation").unwrap_or("");
    let failed = |error: String| {
        render(&SignupPage {
            layout: Layout::new(&visitor, "Create an account"),
            error: Some(error),
            login: login.clone(),
            email: email.clone(),
        })
        .map(|page| (axum::http::StatusCode::BAD_REQUEST, page).into_response())
    };
    if password != again {
        return failed("The two passwords are different; type the same one twice.".into());
    }
    if !app.sign_in_limits.allow(visitor.address, &login) {
        return Err(PageError::TooManyTries);
    }
    let user = match app
        .archive
        .add_user(&login, &email, password, Roles::default())
        .await
    {
        Ok(user) => user,
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => return failed(message),
            other => return Err(other),
        },
    };
    let jar = start_session(&app, &visitor, jar, &user).await?;
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    message: Option<&'static str>,
    error: Option<String>,
    login: String,
    return_to: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
    signed_out: Option<String>,
}

pub async fn login_form(
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    render(&LoginPage {
        layout: Layout::new(&visitor, "Sign in"),
        message: (query.signed_out.as_deref() == Some("everywhere"))
            .then_some("You're signed out on every browser and device."),
        error: None,
        login: String::new(),
        return_to: local_path(query.return_to.as_deref()),
    })
}

pub async fn log_in(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let login = form.text("login");
    let return_to = local_path(form.get("return_to"));
    if !app.sign_in_limits.allow(visitor.address, &login) {
        return Err(PageError::TooManyTries);
    }
    let password = form.get("password").unwrap_or("");
    let Some(user) = app.archive.authenticate(&login, password).await? else {
        // The same words whether the account exists or not.
        let page = render(&LoginPage {
            layout: Layout::new(&visitor, "Sign in"),
            message: None,
            error: Some(
                "That login and password don't match an account. Check both and try again.".into(),
            ),
            login,
            return_to,
        })?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
    };
    let jar = start_session(&app, &visitor, jar, &user).await?;
    Ok((jar, Redirect::to(&return_to)).into_response())
}

pub async fn log_out(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    if let Some(token) = &visitor.session_token {
        app.archive.end_session(token).await?;
    }
    Ok((jar.remove(expired(SESSION_COOKIE)), Redirect::to("/")).into_response())
}

/// Ends every session of the account, this browser's too: for a reader
/// who signed in somewhere they no longer trust.
pub async fn sign_out_everywhere(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?;
    app.archive.end_all_sessions(user.id).await?;
    Ok((
        jar.remove(expired(SESSION_COOKIE)),
        Redirect::to("/login?signed_out=everywhere"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    pseuds: Vec<(quire_archive::PseudId, String)>,
    message: Option<String>,
    error: Option<String>,
    tokens: Vec<ApiToken>,
    /// A token just made: shown this once, never stored.
    new_token: Option<String>,
}

impl AccountPage {
    fn day(&self, unix: &i64) -> String {
        quire_archive::dates::day_of(*unix)
    }

    fn last_used(&self, token: &ApiToken) -> String {
        token
            .last_used_at
            .map_or_else(|| "never".to_string(), |at| self.day(&at))
    }
}

async fn account_page(
    app: &App,
    visitor: &Visitor,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    account_page_with_token(app, visitor, message, error, None).await
}

async fn account_page_with_token(
    app: &App,
    visitor: &Visitor,
    message: Option<String>,
    error: Option<String>,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let user = visitor.member("/account")?;
    let status = if error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    let page = AccountPage {
        layout: Layout::new(visitor, "Your account"),
        email: user.email.clone(),
        pseuds: app.archive.pseuds_of_user(user.id).await?,
        message,
        error,
        tokens: app.archive.api_tokens_of(user.id).await?,
        new_token,
    };
    let mut response = (status, render(&page)?).into_response();
    // A page showing a secret is kept by no cache and no back button.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// Makes a personal access token for the JSON API; the page shows it once.
pub async fn create_token(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?;
    let scope = Scope::from_name(form.get("scope").unwrap_or("read")).unwrap_or(Scope::Read);
    match app
        .archive
        .create_api_token(user.id, &form.text("name"), scope)
        .await
    {
        Ok((token, secret)) => {
            let message = format!(
                "Your token \"{}\" is made. Copy it now: this is the only time it is shown.",
                token.name
            );
            account_page_with_token(&app, &visitor, Some(message), None, Some(secret)).await
        }
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => account_page(&app, &visitor, None, Some(message)).await,
            other => Err(other),
        },
    }
}

/// Revokes one of the account's tokens: whatever used it is refused from
/// then on.
pub async fn revoke_token(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?;
    let id = form
        .get("token")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(PageError::NotFound)?;
    if !app.archive.revoke_api_token(user.id, id).await? {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/account?done=token-revoked").into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountQuery {
    done: Option<String>,
}

pub async fn account(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<AccountQuery>,
) -> Result<Response, PageError> {
    let message = match query.done.as_deref() {
        Some("password") => Some("Your password is changed. Every other browser is signed out."),
        Some("pseud") => Some("Your new pseud is ready; choose it when you post."),
        Some("token-revoked") => {
            Some("The token is revoked: anything using it is refused from now on.")
        }
        Some("password-reset") => Some("Your new password is set and you're signed in. Every other browser is signed out."),
        Some("email-sent") => Some("We've sent a link to your new address. Your account's address changes when you follow it."),
        Some("email-changed") => Some("Your account's email address is changed, and the old address has been told."),
        Some("login-changed") => Some("Your username is changed. Links to the old one still lead to you."),
        _ => None,
    };
    account_page(&app, &visitor, message.map(str::to_string), None).await
}

/// Another name to write under, as on AO3.
pub async fn add_pseud(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/account")?;
    match app.archive.add_pseud(user.id, &form.text("pseud")).await {
        Ok(_) => Ok(Redirect::to("/account?done=pseud").into_response()),
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => account_page(&app, &visitor, None, Some(message)).await,
            other => Err(other),
        },
    }
}

pub async fn change_password(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?.clone();
    let new = form.get("new_password").unwrap_or("");
    if new != form.get("new_password_confirmation").unwrap_or("") {
        return account_page(
            &app,
            &visitor,
            None,
            Some("The two new passwords are different; type the same one twice.".into()),
        )
        .await;
    }
    if !app.sign_in_limits.allow(visitor.address, &user.login) {
        return Err(PageError::TooManyTries);
    }
    match app
        .archive
        .change_password(user.id, form.get("current_password").unwrap_or(""), new)
        .await
    {
        Ok(()) => {}
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => {
                return account_page(&app, &visitor, None, Some(message)).await
            }
            other => return Err(other),
        },
    }
    // Every session ended with the old password; this browser gets a new one.
    let jar = start_session(&app, &visitor, jar, &user).await?;
    Ok((jar, Redirect::to("/account?done=password")).into_response())
}

pub async fn delete_account(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?.clone();
    let works = match form.get("works") {
        Some("keep") => WorksOnDeletion::Keep,
        Some("orphan") => WorksOnDeletion::Orphan,
        Some("delete") => WorksOnDeletion::Delete,
        _ => {
            return account_page(
                &app,
                &visitor,
                None,
                Some("Choose what happens to your works.".into()),
            )
            .await
        }
    };
    if !app.sign_in_limits.allow(visitor.address, &user.login) {
        return Err(PageError::TooManyTries);
    }
    let password = form.get("password").unwrap_or("");
    if app
        .archive
        .authenticate(&user.login, password)
        .await?
        .is_none()
    {
        return account_page(
            &app,
            &visitor,
            None,
            Some("The password is not right; the account is still here.".into()),
        )
        .await;
    }
    let uploads = app.archive.media_of_user(user.id).await?;
    app.archive.delete_user(user.id, works).await?;
    crate::media_files::forget_files(&app, &uploads).await;
    Ok((jar.remove(expired(SESSION_COOKIE)), Redirect::to("/")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/works/3")), "/works/3");
        assert_eq!(local_path(Some("//evil.example/x")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
