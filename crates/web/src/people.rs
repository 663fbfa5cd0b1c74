//! People: an author's public page and a signed-in reader's dashboard.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;
use quire_archive::{Bookmark, WorkId};

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
    })
}

/// `/dashboard`: the reader's works and drafts, bookmarks (private ones
/// too) and subscriptions.
pub async fn dashboard(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
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
        login: user.login,
        own: true,
    })
}
