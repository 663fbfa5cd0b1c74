//! A work's comment controls on the site: who sees which comment (held,
//! hidden, spam), and the forms that set a work's controls, approve, hide
//! and mark comments, and remove all of one person's.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::comment_controls::{CommentPolicy, CommentSettings};
use quire_archive::{CommentView, UserId};

use crate::access::{comment_work, own_work};
use crate::form::FormData;
use crate::moderation::admin;
use crate::pages::{encode, PageError};
use crate::reading::back_to;
use crate::visitor::Visitor;
use crate::App;

/// Who is reading a work's comments, as far as the controls care.
#[derive(Debug, Clone, Copy)]
pub struct CommentReader {
    pub me: Option<UserId>,
    /// One of the work's creators.
    pub creator: bool,
    pub admin: bool,
}

impl CommentReader {
    pub fn moderates(&self) -> bool {
        self.creator || self.admin
    }
}

/// How a comment shows to one reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Whole,
    /// "Hidden by the work's creator" in its place; its replies stay.
    Placeholder,
    /// Not there at all, nor anything beneath it.
    Gone,
}

/// Spam is for the admins' eyes; a held comment for its writer and the
/// work's creators; a hidden one is a placeholder to everyone else.
pub fn seen_as(comment: &CommentView, reader: &CommentReader) -> Seen {
    let mine = reader.me.is_some() && comment.writer_user == reader.me;
    let spam_hidden = comment.spam && !reader.admin;
    let held_back = comment.held && !(reader.moderates() || mine);
    if spam_hidden || held_back {
        Seen::Gone
    } else if comment.hidden && !reader.moderates() {
        Seen::Placeholder
    } else {
        Seen::Whole
    }
}

/// `POST /works/{id}/comment-settings`: the work's creators choose who
/// may comment and whether comments wait for approval.
pub async fn settings(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (work, user) = own_work(&app, &visitor, &id).await?;
    let policy = form
        .get("comment_policy")
        .and_then(CommentPolicy::from_name)
        .ok_or_else(|| {
            PageError::Refused(
                "Choose who may comment: everyone, signed-in readers or no one.".into(),
            )
        })?;
    let settings = CommentSettings {
        policy,
        moderated: form.checked("moderated_comments"),
    };
    app.archive
        .set_comment_settings(work.id, user.id, settings)
        .await?;
    Ok(Redirect::to(&format!("/works/{}?done=comment-settings", work.id)).into_response())
}

/// `POST /comments/{id}/approve`.
pub async fn approve(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (comment, work) = comment_work(&app, &visitor, &id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    app.archive.approve_comment(comment, user.id).await?;
    Ok(back_to(&form, work.id, "comment-approved").into_response())
}

/// `POST /comments/{id}/hide` and `/unhide`.
pub async fn hide(
    state: State<App>,
    visitor: Extension<Visitor>,
    id: Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    set_hidden(state, visitor, id, form, true).await
}

pub async fn unhide(
    state: State<App>,
    visitor: Extension<Visitor>,
    id: Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    set_hidden(state, visitor, id, form, false).await
}

async fn set_hidden(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
    hidden: bool,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (comment, work) = comment_work(&app, &visitor, &id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    app.archive
        .set_comment_hidden(comment, user.id, hidden)
        .await?;
    let done = if hidden {
        "comment-hidden"
    } else {
        "comment-shown"
    };
    Ok(back_to(&form, work.id, done).into_response())
}

/// `POST /admin/comments/{id}/spam`: an admin marks a comment as spam
/// (`action=unspam` takes the mark off).
pub async fn spam(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let admin = admin(&visitor)?;
    let (comment, work) = comment_work(&app, &visitor, &id).await?;
    let spam = form.get("action") != Some("unspam");
    app.archive.mark_spam(comment, admin.id, spam).await?;
    let done = if spam {
        "comment-spam"
    } else {
        "comment-not-spam"
    };
    Ok(back_to(&form, work.id, done).into_response())
}

/// `POST /admin/users/{login}/comments/delete`: an admin removes every
/// comment one account wrote.
pub async fn delete_all(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let admin = admin(&visitor)?;
    if !form.checked("confirm") {
        return Err(PageError::Refused(
            "Tick the box to confirm that every comment this person wrote should go.".into(),
        ));
    }
    let user = app
        .archive
        .user_id_of(&login)
        .await?
        .ok_or(PageError::NotFound)?;
    app.archive.delete_comments_of(user, admin.id).await?;
    Ok(Redirect::to(&format!("/users/{}?done=comments-removed", encode(&login))).into_response())
}

/// What a moderation form's `done` says.
pub fn message_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "comment-held" => "Your comment is waiting for the work's creators to approve it; until then only you and they can see it.",
        "comment-approved" => "The comment is approved and on the page.",
        "comment-hidden" => "The comment is hidden: readers see that a comment was hidden, and its replies.",
        "comment-shown" => "The comment shows again.",
        "comment-spam" => "The comment is marked as spam: only admins see it.",
        "comment-not-spam" => "The spam mark is taken off.",
        "comment-settings" => "The work's comment settings are saved.",
        "comments-removed" => "Every comment this person wrote is removed.",
        _ => return None,
    })
}
