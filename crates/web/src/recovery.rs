//! A way back into an account (a forgotten password, reset by a link in
//! an email), and changing the account's email address or username.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;

use crate::accounts::start_session;
use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    layout: Layout,
    sends_mail: bool,
    sent: bool,
}

/// `GET /password/forgot`.
pub async fn forgot_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
) -> Result<Response, PageError> {
    render(&ForgotPage {
        layout: Layout::new(&visitor, "Forgot your password?"),
        sends_mail: app.mailer.sends_mail(),
        sent: false,
    })
}

/// `POST /password/forgot`: sends a reset link if an account has that
/// login or address, and says the same either way.
pub async fn forgot(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let given = form.text("login");
    if !app.mailer.sends_mail() {
        return forgot_form(State(app), Extension(visitor)).await;
    }
    // No login or address is longer; a longer one is answered as any
    // unknown one, and never kept as a rate limiter's key.
    if given.chars().count() > 254 {
        return forgot_sent(&visitor);
    }
    // The sign-in budget: asking for links can't flood anyone's inbox,
    // nor find accounts faster than signing in could.
    if !app.sign_in_limits.allow(visitor.address, &given) {
        return Err(PageError::TooManyTries);
    }
    app.archive.request_password_reset(&given).await?;
    app.mailer.wake();
    forgot_sent(&visitor)
}

/// The same answer whether or not an account has what was given.
fn forgot_sent(visitor: &Visitor) -> Result<Response, PageError> {
    render(&ForgotPage {
        layout: Layout::new(visitor, "Forgot your password?"),
        sends_mail: true,
        sent: true,
    })
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    works: bool,
    error: Option<String>,
}

/// A reset link's secret is 64 hex characters; anything else never
/// worked, and isn't looked up.
fn plausible(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /password/reset/{token}`: the form for a new password, or why
/// the link no longer works.
pub async fn reset_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let works = plausible(&token) && app.archive.reset_link_works(&token).await?;
    let page = render(&ResetPage {
        layout: Layout::new(&visitor, "Set a new password"),
        token,
        works,
        error: None,
    })?;
    Ok(if works {
        page
    } else {
        (StatusCode::GONE, page).into_response()
    })
}

/// `POST /password/reset/{token}`: sets the new password, ends every
/// session of the account, and signs this browser in.
pub async fn reset(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let password = form.get("password").unwrap_or("");
    let again = form.get("password_confirmation").unwrap_or("");
    let failed = |error: String, works: bool| {
        render(&ResetPage {
            layout: Layout::new(&visitor, "Set a new password"),
            token: token.clone(),
            works,
            error: Some(error),
        })
        .map(|page| (StatusCode::BAD_REQUEST, page).into_response())
    };
    if !plausible(&token) {
        return failed(
            "This link has expired or has already been used. You can ask for a new one.".into(),
            false,
        );
    }
    if password != again {
        return failed(
            "The two passwords are different; type the same one twice.".into(),
            true,
        );
    }
    let user = match app.archive.reset_password_with(&token, password).await {
        Ok(user) => user,
        Err(err) => {
            let works = app.archive.reset_link_works(&token).await?;
            return match PageError::from(err) {
                PageError::Refused(message) => failed(message, works),
                other => Err(other),
            };
        }
    };
    let jar = start_session(&app, &visitor, jar, &user).await?;
    Ok((jar, Redirect::to("/account?done=password-reset")).into_response())
}

/// `POST /account/email`: asks to change the account's address; a link
/// goes to the new one.
pub async fn change_email(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/account")?;
    if !app.mailer.sends_mail() {
        return Err(PageError::Refused(
            "This archive doesn't send email, so it can't confirm a new address. The archive's volunteers can change it for you.".into(),
        ));
    }
    if !app.sign_in_limits.allow(visitor.address, &user.login) {
        return Err(PageError::TooManyTries);
    }
    app.archive
        .request_email_change(
            user.id,
            form.get("password").unwrap_or(""),
            &form.text("email"),
        )
        .await?;
    app.mailer.wake();
    Ok(Redirect::to("/account?done=email-sent").into_response())
}

#[derive(Template)]
#[template(path = "confirm_email.html")]
struct ConfirmEmailPage {
    layout: Layout,
    token: String,
    error: Option<String>,
}

/// `GET /account/email/{token}`: a button that confirms, so a mail
/// program opening links to scan them confirms nothing.
pub async fn confirm_email_form(
    Extension(visitor): Extension<Visitor>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    render(&ConfirmEmailPage {
        layout: Layout::new(&visitor, "Confirm your new email address"),
        token,
        error: None,
    })
}

/// `POST /account/email/{token}`: the account takes the new address.
pub async fn confirm_email(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let result = if plausible(&token) {
        app.archive.confirm_email_change(&token).await
    } else {
        Err(quire_archive::ArchiveError::Conflict(
            "This link has expired or has already been used. You can ask for a new one.".into(),
        ))
    };
    match result {
        Ok(_) => {
            app.mailer.wake();
            Ok(Redirect::to("/account?done=email-changed").into_response())
        }
        Err(err) => match PageError::from(err) {
            PageError::Refused(message) => render(&ConfirmEmailPage {
                layout: Layout::new(&visitor, "Confirm your new email address"),
                token,
                error: Some(message),
            })
            .map(|page| (StatusCode::GONE, page).into_response()),
            other => Err(other),
        },
    }
}

/// `POST /account/login`: a new username; the old one keeps leading here.
pub async fn change_login(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/account")?;
    if !app.sign_in_limits.allow(visitor.address, &user.login) {
        return Err(PageError::TooManyTries);
    }
    app.archive
        .change_login(
            user.id,
            form.get("password").unwrap_or(""),
            &form.text("login"),
        )
        .await?;
    Ok(Redirect::to("/account?done=login-changed").into_response())
}
