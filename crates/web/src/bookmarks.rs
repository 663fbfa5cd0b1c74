//! Bookmark pages: everyone's (`/bookmarks`), one person's
//! (`/users/{login}/bookmarks`) and a tag's (`/tags/{tag}/bookmarks`), each
//! with its filters; and the forms that change or delete one's own.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::bookmarks::{BookmarkFilter, BookmarkPage, ExternalWork};
use quire_archive::{Bookmark, BookmarkNote};

use crate::form::FormData;
use crate::keeping_away::{back_to_local, MutedPeople};
use crate::pages::{encode, render, Layout, PageError};
use crate::settings;
use crate::visitor::Visitor;
use crate::App;

/// Bookmarks on one page of a list.
pub(crate) const BOOKMARKS_PER_PAGE: i64 = 20;

/// A list's filters as its GET form sends them.
#[derive(Debug, Default, serde::Deserialize)]
pub struct BookmarkQuery {
    tag: Option<String>,
    recs: Option<String>,
    notes: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
    show_muted: Option<String>,
    done: Option<String>,
}

impl BookmarkQuery {
    /// The filter it asks for; a page's own (a person, a tag) is added by
    /// the page.
    pub(crate) fn filter(&self) -> Result<BookmarkFilter, PageError> {
        if let Some(tag) = &self.tag {
            check_tag(tag)?;
        }
        Ok(BookmarkFilter {
            owner: None,
            tag: self
                .tag
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            recs_only: self.recs.is_some(),
            with_notes: self.notes.is_some(),
            oldest_first: self.sort.as_deref() == Some("oldest"),
            page: self.page.unwrap_or(1).max(1),
            per_page: BOOKMARKS_PER_PAGE,
        })
    }
}

/// A tag to filter by is a tag's length at most, like any tag.
fn check_tag(tag: &str) -> Result<(), PageError> {
    if tag.chars().count() > quire_archive::model::limits::TAG_NAME_CHARS {
        return Err(PageError::Refused(format!(
            "A tag is at most {} characters; shorten the one to filter by.",
            quire_archive::model::limits::TAG_NAME_CHARS
        )));
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "bookmarks.html")]
struct BookmarksPage {
    layout: Layout,
    heading: String,
    /// The page's own address, for the filter form and paging.
    path: String,
    /// A tag page fixes the tag; the form doesn't offer it.
    fixed_tag: bool,
    filter: BookmarkFilter,
    bookmarks: Vec<Bookmark>,
    total: i64,
    /// Bookmarks on this page left out because the reader muted their
    /// bookmarker.
    hidden: usize,
    me: Option<quire_archive::UserId>,
    message: Option<&'static str>,
    return_to: String,
}

impl BookmarksPage {
    fn tag_url(&self, tag: &str) -> String {
        format!("/tags/{}/bookmarks", encode(tag))
    }
    fn person_url(&self, login: &str) -> String {
        format!("/users/{}", encode(login))
    }
    fn pages(&self) -> i64 {
        (self.total + BOOKMARKS_PER_PAGE - 1) / BOOKMARKS_PER_PAGE
    }
    fn page_url(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let (Some(tag), false) = (&self.filter.tag, self.fixed_tag) {
            pairs.push(("tag", tag.clone()));
        }
        if self.filter.recs_only {
            pairs.push(("recs", "1".into()));
        }
        if self.filter.with_notes {
            pairs.push(("notes", "1".into()));
        }
        if self.filter.oldest_first {
            pairs.push(("sort", "oldest".into()));
        }
        pairs.push(("page", page.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.path)
    }
    fn show_muted_url(&self) -> String {
        format!("{}?show_muted=1", self.path)
    }
    fn mine(&self, bookmark: &Bookmark) -> bool {
        self.me.is_some() && bookmark.bookmarker_user == self.me
    }
    fn day(&self, seconds: &i64) -> String {
        quire_archive::dates::day_of(*seconds)
    }
}

async fn list(
    app: &App,
    visitor: &Visitor,
    heading: String,
    path: String,
    fixed_tag: bool,
    filter: BookmarkFilter,
    query: &BookmarkQuery,
) -> Result<Response, PageError> {
    let BookmarkPage {
        mut bookmarks,
        total,
    } = app
        .archive
        .list_bookmarks(&filter, visitor.viewer())
        .await?;
    let mut hidden = 0;
    if query.show_muted.is_none() && !visitor.settings.mute_people.is_empty() {
        let muted = MutedPeople::of(app, &visitor.settings).await?;
        let before = bookmarks.len();
        bookmarks.retain(|b| !muted.includes(b.bookmarker_user));
        hidden = before - bookmarks.len();
    }
    render(&BookmarksPage {
        layout: Layout::new(visitor, heading.clone()),
        heading,
        return_to: path.clone(),
        path,
        fixed_tag,
        filter,
        bookmarks,
        total,
        hidden,
        me: visitor.user.as_ref().map(|u| u.id),
        message: query.done.as_deref().and_then(message_for),
    })
}

/// `/bookmarks`: everyone's bookmarks that the reader may see.
pub async fn all(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<BookmarkQuery>,
) -> Result<Response, PageError> {
    let filter = query.filter()?;
    list(
        &app,
        &visitor,
        "Bookmarks".into(),
        "/bookmarks".into(),
        false,
        filter,
        &query,
    )
    .await
}

/// `/users/{login}/bookmarks`: one person's.
pub async fn of_person(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    Query(query): Query<BookmarkQuery>,
) -> Result<Response, PageError> {
    let user = crate::people::account_of(&app, &login, "/bookmarks").await?;
    let filter = BookmarkFilter {
        owner: Some(user),
        ..query.filter()?
    };
    list(
        &app,
        &visitor,
        format!("Bookmarks by {login}"),
        format!("/users/{}/bookmarks", encode(&login)),
        false,
        filter,
        &query,
    )
    .await
}

/// `/tags/{tag}/bookmarks`: bookmarks tagged so by their bookmarker, or of
/// works carrying the tag.
pub async fn of_tag(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(tag): Path<String>,
    Query(query): Query<BookmarkQuery>,
) -> Result<Response, PageError> {
    check_tag(&tag)?;
    let filter = BookmarkFilter {
        tag: Some(tag.clone()),
        ..query.filter()?
    };
    list(
        &app,
        &visitor,
        format!("Bookmarks in {tag}"),
        format!("/tags/{}/bookmarks", encode(&tag)),
        true,
        filter,
        &query,
    )
    .await
}

/// The note a bookmark form sends.
pub(crate) fn note_of(form: &FormData) -> BookmarkNote {
    BookmarkNote {
        note: form.text("note"),
        tags: settings::names(&form.text("tags")),
        private: form.checked("private"),
        rec: form.checked("rec"),
    }
}

fn bookmark_id(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

/// `POST /bookmarks/{id}/edit`: its owner changes it.
pub async fn edit(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/bookmarks")?;
    let id = bookmark_id(&id)?;
    app.archive
        .edit_bookmark(id, user.id, &note_of(&form))
        .await?;
    Ok(back_to_local(&form, "/bookmarks".into(), "bookmark-edited").into_response())
}

/// `POST /bookmarks/{id}/delete`: its owner (or an admin) deletes it.
pub async fn delete(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/bookmarks")?;
    let id = bookmark_id(&id)?;
    app.archive.delete_bookmark(id, user.id).await?;
    Ok(back_to_local(&form, "/bookmarks".into(), "bookmark-deleted").into_response())
}

/// `POST /series/{id}/bookmarks`: bookmark a series the reader can see.
pub async fn series(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    app.archive
        .series_for(id, visitor.viewer())
        .await?
        .ok_or(PageError::NotFound)?;
    let user = visitor.active_member(format!("/series/{id}"))?;
    app.archive
        .add_series_bookmark(id, user.default_pseud, &note_of(&form))
        .await?;
    Ok(Redirect::to(&format!("/series/{id}?done=bookmark")).into_response())
}

#[derive(Template)]
#[template(path = "external_bookmark.html")]
struct ExternalBookmarkPage {
    layout: Layout,
}

/// `/bookmarks/external/new`: bookmark a work on another site.
pub async fn external_form(Extension(visitor): Extension<Visitor>) -> Result<Response, PageError> {
    visitor.member("/bookmarks/external/new")?;
    render(&ExternalBookmarkPage {
        layout: Layout::new(&visitor, "Bookmark a work elsewhere"),
    })
}

pub async fn external(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/bookmarks/external/new")?;
    let work = ExternalWork {
        url: form.text("url"),
        title: form.text("title"),
        creator: form.text("creator"),
        tags: settings::names(&form.text("work_tags")),
    };
    app.archive
        .add_external_bookmark(&work, user.default_pseud, &note_of(&form))
        .await?;
    Ok(Redirect::to(&format!(
        "/users/{}/bookmarks?done=bookmark-external",
        encode(&user.login)
    ))
    .into_response())
}

fn message_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "bookmark-external" => "Bookmarked. Bookmarking the same address again changes it.",
        "bookmark-edited" => "Your bookmark is changed.",
        "bookmark-deleted" => "The bookmark is deleted.",
        _ => return None,
    })
}
