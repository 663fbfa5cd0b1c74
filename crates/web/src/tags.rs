//! A tag's own page: what kind it is, its place in the wrangling, and (for
//! wranglers) the forms that change it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::model::TagKind;
use quire_archive::TagInfo;

use crate::form::FormData;
use crate::pages::{encode, render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    layout: Layout,
    tag: TagInfo,
    kind_label: &'static str,
    wrangler: bool,
    message: Option<&'static str>,
}

impl TagPage {
    fn action(&self) -> String {
        format!("/tags/{}", encode(&self.tag.name))
    }
    fn works_url(&self) -> String {
        format!("/tags/{}/works", encode(&self.tag.name))
    }
    fn tag_url(&self, name: &str) -> String {
        format!("/tags/{}", encode(name))
    }
    fn parent_kinds(&self) -> Vec<(&'static str, &'static str)> {
        let mut kinds = vec![(self.tag.kind.code(), "a meta-tag of the same kind")];
        if matches!(
            self.tag.kind,
            TagKind::Character | TagKind::Relationship | TagKind::Freeform
        ) {
            kinds.push((TagKind::Fandom.code(), "a fandom"));
        }
        kinds
    }
}

/// The tag of any kind with this name; fixed kinds and fandoms first, as
/// a name is most often one of those.
async fn find(app: &App, visitor: &Visitor, name: &str) -> Result<TagInfo, PageError> {
    for kind in TagKind::ALL {
        if let Some(tag) = app.archive.tag_for(kind, name, visitor.viewer()).await? {
            return Ok(tag);
        }
    }
    Err(PageError::NotFound)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TagQuery {
    done: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(name): Path<String>,
    Query(query): Query<TagQuery>,
) -> Result<Response, PageError> {
    let tag = find(&app, &visitor, &name).await?;
    let wrangler = visitor.wrangler();
    let message = match query.done.as_deref() {
        Some("wrangled") => Some("The tag is changed. Filters follow within a moment."),
        _ => None,
    };
    render(&TagPage {
        layout: Layout::new(&visitor, tag.name.clone()),
        kind_label: tag.kind.label(),
        tag,
        wrangler,
        message,
    })
}

/// Wrangling: only wranglers and admins; to anyone else the form isn't
/// there.
pub async fn wrangle(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(name): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    if !visitor.wrangler() {
        return Err(PageError::NotFound);
    }
    visitor.not_suspended()?;
    let tag = find(&app, &visitor, &name).await?;
    match form.get("action") {
        Some("canonical") => app.archive.make_canonical(tag.kind, &tag.name).await?,
        Some("synonym") => {
            app.archive
                .merge_as_synonym(tag.kind, &tag.name, &form.text("canonical"))
                .await?
        }
        Some("parent") => {
            let parent_kind = form
                .get("parent_kind")
                .and_then(TagKind::from_code)
                .unwrap_or(tag.kind);
            app.archive
                .add_parent(tag.kind, &tag.name, parent_kind, &form.text("parent"))
                .await?
        }
        _ => {
            return Err(PageError::Refused(
                "Choose what to do: make canonical, merge as a synonym, or add a parent.".into(),
            ))
        }
    }
    Ok(Redirect::to(&format!("/tags/{}?done=wrangled", encode(&tag.name))).into_response())
}
