//! People: an author's public page and a signed-in reader's dashboard.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::{Bookmark, WorkId};

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
    /// The dashboard: the reader's own page, with what only they see.
    own: bool,
    /// (id, title, draft): on the dashboard only.
    works: Vec<(WorkId, String, bool)>,
    subscriptions: Vec<(WorkId, String)>,
    /// (work, title, last read, visits): on the dashboard only.
    history: Vec<(WorkId, String, i64, i64)>,
    cleared: bool,
}

impl PersonPage {
    fn works_url(&self) -> String {
        format!("/users/{}/works", encode(&self.login))
    }
    fn drafts(&self) -> Vec<&(WorkId, String, bool)> {
        self.works.iter().filter(|w| w.2).collect()
    }
    fn posted(&self) -> Vec<&(WorkId, String, bool)> {
        self.works.iter().filter(|w| !w.2).collect()
    }
    fn day(&self, seconds: &i64) -> String {
        quire_archive::corpus::date(seconds.div_euclid(86_400))
    }
}

/// `/users/{login}`: pseuds, a link to the works, public bookmarks.
pub async fn person(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
) -> Result<Response, PageError> {
    let user = app
        .archive
        .user_id_of(&login)
        .await?
        .ok_or(PageError::NotFound)?;
    let pseuds = app.archive.pseuds_of(&login).await?;
    let login = pseuds.first().cloned().unwrap_or(login);
    render(&PersonPage {
        layout: Layout::new(&visitor, login.clone()),
        bookmarks: app.archive.bookmarks_of(user, false).await?,
        login,
        pseuds,
        own: false,
        works: vec![],
        subscriptions: vec![],
        history: vec![],
        cleared: false,
    })
}

/// `/dashboard`: the reader's works and drafts, bookmarks (private ones
/// too) and subscriptions.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    done: Option<String>,
}

pub async fn dashboard(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let user = visitor.user.clone().ok_or(PageError::SignInNeeded {
        return_to: "/dashboard".into(),
    })?;
    render(&PersonPage {
        layout: Layout::new(&visitor, "Your dashboard"),
        pseuds: app.archive.pseuds_of(&user.login).await?,
        bookmarks: app.archive.bookmarks_of(user.id, true).await?,
        works: app.archive.works_of_user(user.id).await?,
        subscriptions: app.archive.work_subscriptions(user.id).await?,
        history: app.archive.reading_history(user.id, HISTORY_SHOWN).await?,
        cleared: query.done.as_deref() == Some("cleared"),
        login: user.login,
        own: true,
    })
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
    let user = visitor.user.as_ref().ok_or(PageError::SignInNeeded {
        return_to: "/dashboard".into(),
    })?;
    app.archive.clear_reading_history(user.id).await?;
    Ok(Redirect::to("/dashboard?done=cleared").into_response())
}
