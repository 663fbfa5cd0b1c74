//! Which work a visitor may read or change, each asked of the archive
//! in one call and answered as the site answers: not found, or sign in.
//! The pages and the API both ask here.

use quire_archive::{Work, WorkId};

use crate::pages::PageError;
use crate::visitor::Visitor;
use crate::App;

pub(crate) async fn visible_work(
    app: &App,
    visitor: &Visitor,
    id: &str,
) -> Result<Work, PageError> {
    let id: WorkId = id.parse().map_err(|_| PageError::NotFound)?;
    match app.archive.read_work(id, visitor.viewer()).await? {
        quire_archive::Reading::Visible(work) => Ok(*work),
        quire_archive::Reading::SignInNeeded => Err(PageError::SignInNeeded {
            return_to: format!("/works/{id}"),
        }),
        quire_archive::Reading::NotFound => Err(PageError::NotFound),
    }
}

/// The work a comment is on, if this visitor may see it.
pub(crate) async fn comment_work(
    app: &App,
    visitor: &Visitor,
    id: &str,
) -> Result<(i64, Work), PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let work = app
        .archive
        .work_of_comment(id)
        .await?
        .ok_or(PageError::NotFound)?;
    let work = visible_work(app, visitor, &work.to_string()).await?;
    Ok((id, work))
}

/// The work, if the visitor is one of its authors.
pub(crate) async fn own_work(
    app: &App,
    visitor: &Visitor,
    id: &str,
) -> Result<(Work, quire_archive::User), PageError> {
    let id: WorkId = id.parse().map_err(|_| PageError::NotFound)?;
    let user = visitor.active_member(format!("/works/{id}/edit"))?.clone();
    let work = app
        .archive
        .own_work(id, user.id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((work, user))
}

/// Where a chapter stands in its work now.
pub(crate) async fn position_of(app: &App, work: WorkId, chapter: i64) -> Result<u32, PageError> {
    app.archive
        .work(work)
        .await?
        .and_then(|w| {
            w.chapters
                .iter()
                .find(|c| c.id == chapter)
                .map(|c| c.position)
        })
        .ok_or(PageError::NotFound)
}
