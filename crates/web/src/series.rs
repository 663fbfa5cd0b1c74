//! `/series/{id}`: a series' works in order, as blurbs.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::search::WorkSummary;

use crate::form::FormData;
use crate::listing::{author_url, Blurb};
use crate::pages::{render, thousands, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

#[derive(Template)]
#[template(path = "series.html")]
struct SeriesPage {
    layout: Layout,
    id: i64,
    title: String,
    /// Cleaned HTML.
    description: String,
    /// The series' creators may write its description here.
    can_describe: bool,
    creators: Vec<String>,
    words: String,
    /// (part, blurb), in order.
    parts: Vec<(u32, Blurb)>,
    signed_in: bool,
    /// Parts left out because the reader muted their creator.
    hidden: usize,
    /// The reader's own bookmark of the series, which the form changes.
    my_bookmark: Option<quire_archive::Bookmark>,
    /// Signed in: whether the reader hears of new parts.
    subscribed: bool,
    message: Option<&'static str>,
}

impl SeriesPage {
    fn author_url(&self, author: &str) -> String {
        author_url(author)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SeriesQuery {
    done: Option<String>,
    show_muted: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<SeriesQuery>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let series = app
        .archive
        .series_for(id, visitor.viewer())
        .await?
        .ok_or(PageError::NotFound)?;
    let muted = if query.show_muted.is_some() {
        crate::keeping_away::MutedPeople::default()
    } else {
        crate::keeping_away::MutedPeople::of(&app, &visitor.settings).await?
    };
    let hidden = series
        .works
        .iter()
        .filter(|(_, work)| muted.wrote(&work.creators))
        .count();
    let (can_describe, my_bookmark, subscribed) = match &visitor.user {
        Some(user) => (
            app.archive.is_series_creator(series.id, user.id).await?,
            app.archive.bookmark_of_series(user.id, series.id).await?,
            app.archive
                .is_subscribed(
                    user.id,
                    quire_archive::SubscriptionTarget::Series(series.id),
                )
                .await?,
        ),
        None => (false, None, false),
    };
    render(&SeriesPage {
        layout: Layout::new(&visitor, series.title.clone()),
        id: series.id,
        description: series.description.html().to_string(),
        can_describe,
        creators: series.creators(),
        words: thousands(series.words()),
        parts: series
            .works
            .iter()
            .filter(|(_, work)| !muted.wrote(&work.creators))
            .map(|(part, work)| {
                (
                    *part,
                    Blurb {
                        work: WorkSummary::of(work),
                    },
                )
            })
            .collect(),
        title: series.title,
        signed_in: visitor.signed_in(),
        hidden,
        my_bookmark,
        subscribed,
        message: match query.done.as_deref() {
            Some("bookmark") => Some(
                "Bookmarked. You'll find it among your bookmarks; bookmarking again changes it.",
            ),
            Some("subscribed") => {
                Some("You're subscribed; you'll hear in your inbox of new parts of this series.")
            }
            Some("unsubscribed") => Some("You're no longer subscribed to this series."),
            _ => None,
        },
    })
}

/// A series' creator writes its description.
pub async fn describe(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let user = visitor.active_member(format!("/series/{id}"))?;
    app.archive
        .describe_series(id, user.id, &form.text("description"))
        .await?;
    Ok(Redirect::to(&format!("/series/{id}")).into_response())
}
