//! A reader's inbox (comments and replies, invitations, kudos, news of
//! what they subscribed to), their subscriptions to series and people,
//! what the archive emails them, and unsubscribing from an email's link.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::notifications::{Delivery, InboxFilter, InboxItem, NoticeKind};
use quire_archive::{Commenter, SubscriptionTarget, UserId};

use crate::form::FormData;
use crate::keeping_away::back_to_local;
use crate::mail::summary;
use crate::pages::{encode, render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

/// Notices one page of the inbox shows.
const INBOX_PAGE: i64 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct InboxQuery {
    kind: Option<String>,
    unread: Option<String>,
    /// A notice's id; anything else is the first page.
    before: Option<String>,
    done: Option<String>,
}

/// A notice as the inbox lists it.
struct InboxRow {
    item: InboxItem,
    summary: String,
    when: String,
    /// Comments and replies can be answered from the inbox.
    answerable: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    message: Option<&'static str>,
    rows: Vec<InboxRow>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    unread_only: bool,
    unread: i64,
    /// The query for the next (older) page, when there is one.
    older: Option<String>,
    sends_mail: bool,
}

fn message_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "read" => "Marked as read.",
        "unread" => "Marked as unread.",
        "deleted" => "Deleted.",
        "all-read" => "Everything is marked as read.",
        "replied" => "Your reply is posted.",
        _ => return None,
    })
}

/// `GET /inbox`: a reader's notices, newest first, filtered by kind and
/// by unread.
pub async fn inbox(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let user = visitor.member("/inbox")?;
    let kind = query.kind.as_deref().and_then(NoticeKind::from_name);
    let unread_only = query.unread.is_some();
    let filter = InboxFilter {
        kind,
        unread_only,
        before: query.before.as_deref().and_then(|b| b.parse().ok()),
        limit: INBOX_PAGE + 1,
    };
    let mut items = app.archive.inbox(user.id, &filter).await?;
    let more = items.len() as i64 > INBOX_PAGE;
    items.truncate(INBOX_PAGE as usize);
    let older = match (more, items.last()) {
        (true, Some(last)) => {
            let mut query = format!("before={}", last.id);
            if let Some(kind) = kind {
                query.push_str(&format!("&kind={}", kind.name()));
            }
            if unread_only {
                query.push_str("&unread=1");
            }
            Some(query)
        }
        _ => None,
    };
    let rows = items
        .into_iter()
        .map(|item| InboxRow {
            summary: if item.kind == NoticeKind::Kudos && item.count > 1 {
                format!(
                    "{} and {} more left kudos on {}",
                    item.notice.actor,
                    item.count - 1,
                    item.notice.title
                )
            } else {
                summary(item.kind, &item.notice.actor, &item.notice.title)
            },
            when: quire_archive::dates::day_of(item.at),
            answerable: matches!(item.kind, NoticeKind::Comment | NoticeKind::Reply)
                && item.comment.is_some(),
            item,
        })
        .collect();
    render(&InboxPage {
        layout: Layout::new(&visitor, "Inbox"),
        message: query.done.as_deref().and_then(message_for),
        rows,
        kinds: NoticeKind::ALL
            .into_iter()
            .map(|kind| (kind.name(), kind.label()))
            .collect(),
        kind: kind.map_or("", NoticeKind::name).to_string(),
        unread_only,
        unread: app.archive.unread_count(user.id).await?,
        older,
        sends_mail: app.mailer.sends_mail(),
    })
}

/// `POST /inbox/{id}`: marks one notice read or unread, or deletes it.
pub async fn change(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/inbox")?;
    let done = match form.get("action") {
        Some("unread") => {
            app.archive.mark_read(user.id, &[id], false).await?;
            "unread"
        }
        Some("delete") => {
            app.archive.delete_notices(user.id, &[id]).await?;
            "deleted"
        }
        _ => {
            app.archive.mark_read(user.id, &[id], true).await?;
            "read"
        }
    };
    Ok(back_to_local(&form, "/inbox".into(), done).into_response())
}

/// `POST /inbox/read`: marks every notice read.
pub async fn all_read(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/inbox")?;
    app.archive.mark_all_read(user.id).await?;
    Ok(Redirect::to("/inbox?done=all-read").into_response())
}

/// `POST /inbox/{id}/reply`: answers the comment a notice is about, from
/// the inbox, and marks the notice read.
pub async fn reply(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.active_member("/inbox")?;
    let item = app
        .archive
        .notice(user.id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let comment = item.comment.ok_or(PageError::NotFound)?;
    let answered = app.archive.comment(comment).await?.ok_or_else(|| {
        PageError::Refused("That comment has been deleted, so it can't be answered.".into())
    })?;
    crate::reading::check_comment_rate(&app, &visitor)?;
    app.archive
        .add_comment(
            answered.chapter,
            &Commenter::Pseud(user.default_pseud),
            Some(comment),
            &form.text("body"),
        )
        .await?;
    app.archive.mark_read(user.id, &[id], true).await?;
    app.mailer.wake();
    Ok(Redirect::to("/inbox?done=replied").into_response())
}

/// `POST /preferences/email`: how each kind of notice reaches the reader
/// by email.
pub async fn email_settings(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member("/preferences")?;
    for kind in NoticeKind::ALL {
        if let Some(delivery) = form
            .get(&format!("mail_{}", kind.name()))
            .and_then(Delivery::from_name)
        {
            app.archive
                .set_mail_delivery(user.id, kind, delivery)
                .await?;
        }
    }
    Ok(Redirect::to("/preferences?done=email#email").into_response())
}

/// `POST /series/{id}/subscription`: subscribe to (or, with
/// `action=unsubscribe`, leave) a series' new parts.
pub async fn series(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    visitor.check_csrf(form.get("csrf"))?;
    // What a reader can't see isn't there, signed in or not.
    if app
        .archive
        .series_for(id, visitor.viewer())
        .await?
        .is_none()
    {
        return Err(PageError::NotFound);
    }
    let user = visitor.member(format!("/series/{id}"))?;
    let done = toggle(&app, user.id, SubscriptionTarget::Series(id), &form).await?;
    Ok(back_to_local(&form, format!("/series/{id}"), done).into_response())
}

/// `POST /users/{login}/subscription`: subscribe to (or leave) a person's
/// new works, under any of their pseuds.
pub async fn person(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let user = visitor.member(format!("/users/{}", encode(&login)))?;
    let other = app
        .archive
        .user_id_of(&login)
        .await?
        .ok_or(PageError::NotFound)?;
    if other == user.id {
        return Err(PageError::Refused(
            "That is you: you'll always know when you post.".into(),
        ));
    }
    let done = toggle(&app, user.id, SubscriptionTarget::User(other), &form).await?;
    Ok(back_to_local(&form, format!("/users/{}", encode(&login)), done).into_response())
}

async fn toggle(
    app: &App,
    user: UserId,
    target: SubscriptionTarget,
    form: &FormData,
) -> Result<&'static str, PageError> {
    Ok(if form.get("action") == Some("unsubscribe") {
        app.archive.unsubscribe(user, target).await?;
        "unsubscribed"
    } else {
        app.archive.subscribe(user, target).await?;
        "subscribed"
    })
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    what: String,
    action: String,
    done: bool,
}

/// The link checked, and what it unsubscribes from.
fn unsubscribing(
    app: &App,
    user: UserId,
    kind: &str,
    signature: &str,
) -> Result<Option<NoticeKind>, PageError> {
    let parsed = match kind {
        "all" => None,
        name => Some(NoticeKind::from_name(name).ok_or(PageError::NotFound)?),
    };
    if !app.mailer.verify(user, kind, signature) {
        return Err(PageError::Refused(
            "This unsubscribe link isn't one the archive sent, or it was cut short. Copy the whole link from the email, or choose what the archive emails you in your preferences.".into(),
        ));
    }
    Ok(parsed)
}

fn unsubscribe_page(
    visitor: &Visitor,
    kind: Option<NoticeKind>,
    path: String,
    done: bool,
) -> Result<Response, PageError> {
    let what = match kind {
        Some(kind) => format!("emails about {}", kind.label().to_lowercase()),
        None => "every email about notices (your inbox still gets them)".into(),
    };
    render(&UnsubscribePage {
        layout: Layout::new(visitor, "Unsubscribe"),
        what,
        action: path,
        done,
    })
}

/// `GET /unsubscribe/{user}/{kind}/{signature}`: asks to confirm, so a
/// mail program that opens links to scan them unsubscribes nobody.
pub async fn unsubscribe_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((user, kind, signature)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let user: UserId = user.parse().map_err(|_| PageError::NotFound)?;
    let parsed = unsubscribing(&app, user, &kind, &signature)?;
    let path = format!("/unsubscribe/{user}/{kind}/{signature}");
    unsubscribe_page(&visitor, parsed, path, false)
}

/// `POST /unsubscribe/{user}/{kind}/{signature}`: turns that email off.
/// The signed link is the permission, so no sign-in and no form token:
/// RFC 8058's one-click unsubscribe posts here from the mail program.
pub async fn unsubscribe(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((user, kind, signature)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let user: UserId = user.parse().map_err(|_| PageError::NotFound)?;
    let parsed = unsubscribing(&app, user, &kind, &signature)?;
    let kinds = match parsed {
        Some(kind) => vec![kind],
        None => NoticeKind::ALL.to_vec(),
    };
    // An account deleted since gets no email anyway.
    app.archive
        .user_by_id(user)
        .await
        .map_err(|_| PageError::NotFound)?;
    for kind in kinds {
        app.archive
            .set_mail_delivery(user, kind, Delivery::Off)
            .await?;
    }
    let path = format!("/unsubscribe/{user}/{kind}/{signature}");
    unsubscribe_page(&visitor, parsed, path, true)
}
