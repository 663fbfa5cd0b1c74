//! People: an author's public page and a signed-in reader's dashboard.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::creators::CreatorInvitation;
use quire_archive::{Bookmark, SubscriptionTarget, UserId, Viewer, WorkId};

use crate::form::FormData;
use crate::pages::{encode, render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    login: String,
    pseuds: Vec<String>,
    bookmarks: Vec<Bookmark>,
    /// (id, title) of the series the person has works in.
    series: Vec<(i64, String)>,
    /// The dashboard: the reader's own page, with what only they see.
    own: bool,
    /// (id, title, draft): on the dashboard only.
    works: Vec<(WorkId, String, bool)>,
    /// (address, name, what it is): on the dashboard only.
    subscriptions: Vec<(String, String, &'static str)>,
    /// (work, title, last read, visits): on the dashboard only.
    history: Vec<(WorkId, String, i64, i64)>,
    /// The reader asked for no history.
    keeps_no_history: bool,
    /// Marked for later: on the dashboard only.
    later: Vec<(WorkId, String)>,
    /// Invitations to be credited as a co-creator: on the dashboard only.
    invitations: Vec<CreatorInvitation>,
    /// For an admin looking at someone else's page: whether the account is
    /// suspended, beside the button that changes it.
    suspended: Option<bool>,
    message: Option<&'static str>,
    /// Someone else's page: whether the reader muted them, and, signed in,
    /// blocked them (`None` for a guest).
    keeping_away: Option<KeepingAway>,
    /// Series and bookmarks left out because the reader muted this person.
    hidden: usize,
}

struct KeepingAway {
    muted: bool,
    blocked: Option<bool>,
    /// Signed in: whether the reader subscribed to this person's works.
    subscribed: Option<bool>,
}

impl PersonPage {
    fn works_url(&self) -> String {
        format!("/users/{}/works", encode(&self.login))
    }
    fn bookmarks_url(&self) -> String {
        format!("/users/{}/bookmarks", encode(&self.login))
    }
    fn drafts(&self) -> Vec<&(WorkId, String, bool)> {
        self.works.iter().filter(|w| w.2).collect()
    }
    fn posted(&self) -> Vec<&(WorkId, String, bool)> {
        self.works.iter().filter(|w| !w.2).collect()
    }
    fn day(&self, seconds: &i64) -> String {
        quire_archive::dates::day_of(*seconds)
    }
}

/// The account with this login; for a login it had before, the same page
/// (`/users/{login}` and `rest`) under the login it has now.
pub(crate) async fn account_of(app: &App, login: &str, rest: &str) -> Result<UserId, PageError> {
    if let Some(user) = app.archive.user_id_of(login).await? {
        return Ok(user);
    }
    match app.archive.login_now(login).await? {
        Some(now) => Err(PageError::Moved(format!("/users/{}{rest}", encode(&now)))),
        None => Err(PageError::NotFound),
    }
}

/// `/users/{login}`: pseuds, a link to the works, public bookmarks.
pub async fn person(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let user = account_of(&app, &login, "").await?;
    let pseuds = app.archive.pseuds_of(&login).await?;
    let login = pseuds.first().cloned().unwrap_or(login);
    let suspended = if visitor.admin() && visitor.user.as_ref().is_some_and(|u| u.id != user) {
        Some(app.archive.is_suspended(user).await?)
    } else {
        None
    };
    let own = visitor.user.as_ref().is_some_and(|u| u.id == user);
    let keeping_away = if own {
        None
    } else {
        let key = quire_archive::model::tag_key(&login);
        let muted = visitor
            .settings
            .mute_people
            .iter()
            .any(|m| quire_archive::model::tag_key(m) == key);
        let (blocked, subscribed) = match &visitor.user {
            Some(me) => (
                Some(app.archive.has_blocked(me.id, user).await?),
                Some(
                    app.archive
                        .is_subscribed(me.id, SubscriptionTarget::User(user))
                        .await?,
                ),
            ),
            None => (None, None),
        };
        Some(KeepingAway {
            muted,
            blocked,
            subscribed,
        })
    };
    let mut bookmarks = app.archive.bookmarks_of(user, visitor.viewer()).await?;
    let mut series = app.archive.series_of_user(user).await?;
    let mut hidden = 0;
    if keeping_away.as_ref().is_some_and(|k| k.muted) && query.show_muted.is_none() {
        hidden = bookmarks.len() + series.len();
        bookmarks.clear();
        series.clear();
    }
    render(&PersonPage {
        layout: Layout::new(&visitor, login.clone()),
        bookmarks,
        series,
        keeping_away,
        hidden,
        login,
        pseuds,
        own: false,
        works: vec![],
        subscriptions: vec![],
        history: vec![],
        keeps_no_history: false,
        later: vec![],
        invitations: vec![],
        suspended,
        message: message_for(query.done.as_deref()),
    })
}

/// `/dashboard`: the reader's works and drafts, bookmarks (private ones
/// too) and subscriptions.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    done: Option<String>,
    show_muted: Option<String>,
}

pub async fn dashboard(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let user = visitor.member("/dashboard")?.clone();
    render(&PersonPage {
        layout: Layout::new(&visitor, "Your dashboard"),
        pseuds: app.archive.pseuds_of(&user.login).await?,
        bookmarks: app
            .archive
            .bookmarks_of(user.id, Viewer::User(user.id))
            .await?,
        series: app.archive.series_of_user(user.id).await?,
        works: app.archive.works_of_user(user.id).await?,
        subscriptions: subscriptions_shown(&app, user.id).await?,
        history: app.archive.reading_history(user.id, HISTORY_SHOWN).await?,
        keeps_no_history: visitor.settings.keep_no_history,
        later: app.archive.marked_for_later(user.id).await?,
        invitations: app.archive.invitations_for(user.id).await?,
        suspended: None,
        message: message_for(query.done.as_deref()),
        keeping_away: None,
        hidden: 0,
        login: user.login,
        own: true,
    })
}

/// A reader's subscriptions as the dashboard links them.
async fn subscriptions_shown(
    app: &App,
    user: UserId,
) -> Result<Vec<(String, String, &'static str)>, PageError> {
    Ok(app
        .archive
        .subscriptions(user)
        .await?
        .into_iter()
        .filter_map(|s| {
            let (link, what) = match s.target {
                SubscriptionTarget::Work(id) => (format!("/works/{id}"), "work"),
                SubscriptionTarget::Series(id) => (format!("/series/{id}"), "series"),
                SubscriptionTarget::User(_) => (format!("/users/{}", encode(&s.name)), "person"),
                SubscriptionTarget::Pseud(_) => return None,
            };
            Some((link, s.name, what))
        })
        .collect())
}

/// The most recent works the history shows.
const HISTORY_SHOWN: i64 = 50;

/// Forgets the reader's history.
pub async fn clear_history(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/dashboard")?;
    app.archive.clear_reading_history(user.id).await?;
    Ok(Redirect::to("/dashboard?done=cleared").into_response())
}

/// Forgets one work of the reader's history.
pub async fn forget_reading(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(work): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/dashboard")?;
    let work: WorkId = work.parse().map_err(|_| PageError::NotFound)?;
    app.archive.forget_reading(user.id, work).await?;
    Ok(Redirect::to("/dashboard?done=forgotten").into_response())
}

fn message_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "cleared" => "Your history is cleared.",
        "forgotten" => "That work is no longer in your history.",
        "unmarked" => "No longer marked for later.",
        "accepted" => "You're now credited as a co-creator.",
        "declined" => "The invitation is declined.",
        "suspended" => "The account is suspended.",
        "reinstated" => "The account is reinstated.",
        "subscribed" => "You're subscribed: you'll hear in your inbox when they post a new work.",
        "unsubscribed" => "You're no longer subscribed to their works.",
        other => {
            return crate::keeping_away::message_for(other)
                .or_else(|| crate::comment_controls::message_for(other))
        }
    })
}

/// Accepts or declines an invitation to be credited on a work.
pub async fn answer_invitation(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(work): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/dashboard")?;
    let work: WorkId = work.parse().map_err(|_| PageError::NotFound)?;
    let accept = match form.get("answer") {
        Some("accept") => true,
        Some("decline") => false,
        _ => {
            return Err(PageError::Refused(
                "Choose whether to accept or decline the invitation.".into(),
            ))
        }
    };
    app.archive.answer_invitation(work, user.id, accept).await?;
    let done = if accept { "accepted" } else { "declined" };
    Ok(Redirect::to(&format!("/dashboard?done={done}")).into_response())
}
