//! A reader keeping people away: blocking (the account's, which the
//! archive enforces on what the blocked person does) and muting a person
//! completely (a reading setting: their works, comments, bookmarks and
//! series are hidden from this reader everywhere, counted where hidden).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;
use quire_archive::search::SearchRequest;
use quire_archive::UserId;

use crate::form::FormData;
use crate::pages::{encode, PageError};
use crate::settings::{self, ReaderSettings};
use crate::visitor::Visitor;
use crate::App;

/// The people a reader muted, as the archive knows them today: their
/// accounts (for comments and bookmarks) and every pseud they write as
/// (for searches), so that a pseud added after the mute is muted too.
#[derive(Debug, Default)]
pub struct MutedPeople {
    users: Vec<UserId>,
    pseuds: Vec<String>,
}

impl MutedPeople {
    pub async fn of(app: &App, settings: &ReaderSettings) -> Result<MutedPeople, PageError> {
        let mut muted = MutedPeople::default();
        for (user, pseuds) in app.archive.accounts_named(&settings.mute_people).await? {
            muted.users.push(user);
            muted.pseuds.extend(pseuds);
        }
        Ok(muted)
    }

    pub fn includes(&self, user: Option<UserId>) -> bool {
        user.is_some_and(|user| self.users.contains(&user))
    }

    /// Whether one of these pseuds is a muted person's.
    pub fn wrote(&self, authors: &[String]) -> bool {
        let muted = |name: &String| {
            let key = quire_archive::model::tag_key(name);
            self.pseuds
                .iter()
                .any(|p| quire_archive::model::tag_key(p) == key)
        };
        authors.iter().any(muted)
    }

    /// Adds the muted people's pseuds to a search's excluded authors.
    pub fn mute(&self, request: &mut SearchRequest) {
        request.authors_exclude.extend(self.pseuds.iter().cloned());
    }
}

/// The reader's whole mute list applied to a search: their tags, ratings
/// and authors, and every pseud of the people they muted.
pub async fn mute_search(
    app: &App,
    settings: &ReaderSettings,
    request: &mut SearchRequest,
) -> Result<(), PageError> {
    settings.mute(request);
    if !settings.mute_people.is_empty() {
        MutedPeople::of(app, settings).await?.mute(request);
    }
    Ok(())
}

/// Refuses a mute list naming a login nobody has: a typo would otherwise
/// mute nobody, silently.
pub async fn check_logins(app: &App, logins: &[String]) -> Result<(), PageError> {
    let found = app.archive.accounts_named(logins).await?;
    if found.len() >= logins.len() {
        return Ok(());
    }
    let mut unknown = Vec::new();
    for login in logins {
        if app.archive.user_id_of(login).await?.is_none() {
            unknown.push(login.as_str());
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    Err(PageError::Refused(format!(
        "Nobody here has the login {}; check the spelling of the people to mute.",
        unknown.join(", ")
    )))
}

/// Where a form sends the reader back to: the page of this site it names
/// (its own query left off), or `fallback`, with what was done.
pub(crate) fn back_to_local(form: &FormData, fallback: String, done: &str) -> Redirect {
    let target = form
        .get("return_to")
        .filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
        .map(|path| path.split(['?', '#']).next().unwrap_or(path).to_string())
        .unwrap_or(fallback);
    Redirect::to(&format!("{target}?done={done}"))
}

/// Where a block or mute form sends the reader back to: a page of this
/// site, or the person's own page.
fn back(form: &FormData, login: &str, done: &str) -> Redirect {
    back_to_local(form, format!("/users/{}", encode(login)), done)
}

/// The account behind a login, or a page saying there is none.
async fn account(app: &App, login: &str) -> Result<UserId, PageError> {
    app.archive
        .user_id_of(login)
        .await?
        .ok_or(PageError::NotFound)
}

/// `POST /users/{login}/block`: block (or, with `action=unblock`, unblock)
/// a person.
pub async fn block(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member(format!("/users/{}", encode(&login)))?;
    let other = account(&app, &login).await?;
    let done = if form.get("action") == Some("unblock") {
        app.archive.unblock(user.id, other).await?;
        "unblocked"
    } else {
        app.archive.block(user.id, other).await?;
        "blocked"
    };
    Ok(back(&form, &login, done).into_response())
}

/// `POST /preferences/block`: block a person named by login.
pub async fn block_by_login(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/preferences")?;
    let login = form.text("login");
    let login = login.trim();
    let other = app.archive.user_id_of(login).await?.ok_or_else(|| {
        PageError::Refused(format!(
            "Nobody here has the login {login}; check the spelling."
        ))
    })?;
    app.archive.block(user.id, other).await?;
    Ok(Redirect::to("/preferences?done=blocked").into_response())
}

/// `POST /users/{login}/mute`: mute (or, with `action=unmute`, unmute) a
/// person completely. Guests may too: it is a reading setting.
pub async fn mute(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    Path(login): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    account(&app, &login).await?;
    let mut settings = visitor.settings.clone();
    let key = quire_archive::model::tag_key(&login);
    settings
        .mute_people
        .retain(|muted| quire_archive::model::tag_key(muted) != key);
    let done = if form.get("action") == Some("unmute") {
        "unmuted"
    } else {
        settings.mute_people.push(login.clone());
        "muted"
    };
    settings
        .check_mutes()
        .map_err(|err| PageError::Refused(format!("Your mute list: {err}.")))?;
    let jar = settings::store(&app, &visitor, jar, &settings).await?;
    Ok((jar, back(&form, &login, done)).into_response())
}

/// What a block or mute form's `done` says.
pub fn message_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "blocked" => "Blocked. They can't comment on your works, reply to your comments, leave you kudos or invite you, and they aren't told.",
        "unblocked" => "Unblocked.",
        "muted" => "Muted. Their works, comments, bookmarks and series are hidden from you.",
        "unmuted" => "Unmuted. You'll see their works and comments again.",
        _ => return None,
    })
}
