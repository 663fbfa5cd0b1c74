//! Readers report works and comments; the admins work through the reports,
//! hide works and suspend accounts. Only admins find the admin pages: to
//! anyone else they don't exist.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use quire_archive::moderation::{Report, ReportTarget, REPORT_REASONS};
use quire_archive::{ArchiveError, WorkId};

use crate::access::{comment_work, visible_work};
use crate::form::FormData;
use crate::pages::{encode, render, Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    /// Where the form posts.
    action: String,
    /// What is reported, in words: `the work “Ashes”`.
    subject: String,
    back: String,
    reason: String,
    details: String,
    error: Option<String>,
}

impl ReportPage {
    fn reasons(&self) -> &'static [(&'static str, &'static str)] {
        &REPORT_REASONS
    }
}

/// What a report form is about, and where its page lives.
struct Subject {
    target: ReportTarget,
    work: WorkId,
    words: String,
    back: String,
    action: String,
}

async fn work_subject(app: &App, visitor: &Visitor, id: &str) -> Result<Subject, PageError> {
    let work = visible_work(app, visitor, id).await?;
    Ok(Subject {
        target: ReportTarget::Work(work.id),
        work: work.id,
        words: format!("the work “{}”", work.title),
        back: format!("/works/{}", work.id),
        action: format!("/works/{}/report", work.id),
    })
}

async fn comment_subject(app: &App, visitor: &Visitor, id: &str) -> Result<Subject, PageError> {
    let (comment, work) = comment_work(app, visitor, id).await?;
    Ok(Subject {
        target: ReportTarget::Comment(comment),
        work: work.id,
        words: format!("a comment on “{}”", work.title),
        back: format!("/works/{}#comment_{comment}", work.id),
        action: format!("/comments/{comment}/report"),
    })
}

fn report_page(
    visitor: &Visitor,
    subject: Subject,
    form: &FormData,
    error: Option<String>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    let page = ReportPage {
        layout: Layout::new(visitor, format!("Report {}", subject.words)),
        action: subject.action,
        subject: subject.words,
        back: subject.back,
        reason: form.text("reason"),
        details: form.get("details").unwrap_or("").to_string(),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// Files the report of a form whose token was checked.
async fn file_report(
    app: &App,
    visitor: &Visitor,
    subject: Subject,
    form: FormData,
) -> Result<Response, PageError> {
    let reporter = visitor.user.as_ref().map(|u| u.id);
    if app.report_limits.check_key(&visitor.rate_key()).is_err() {
        return Err(PageError::TooManyTries);
    }
    let filed = app
        .archive
        .report(
            subject.target,
            reporter,
            &form.text("reason"),
            form.get("details").unwrap_or(""),
        )
        .await;
    match filed {
        Ok(_) => {
            Ok(Redirect::to(&format!("/works/{}?done=reported", subject.work)).into_response())
        }
        Err(err @ ArchiveError::Rejected { .. }) => {
            report_page(visitor, subject, &form, Some(capitalized(&err.to_string())))
        }
        Err(other) => Err(other.into()),
    }
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

pub async fn report_work_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let subject = work_subject(&app, &visitor, &id).await?;
    report_page(&visitor, subject, &FormData::default(), None)
}

pub async fn report_work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let subject = work_subject(&app, &visitor, &id).await?;
    file_report(&app, &visitor, subject, form).await
}

pub async fn report_comment_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let subject = comment_subject(&app, &visitor, &id).await?;
    report_page(&visitor, subject, &FormData::default(), None)
}

pub async fn report_comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let subject = comment_subject(&app, &visitor, &id).await?;
    file_report(&app, &visitor, subject, form).await
}

/// A report with what the admin needs to act on it at a glance.
struct QueuedReport {
    report: Report,
    reason: &'static str,
    filed: String,
    /// The accountable logins, each with whether it is suspended now.
    accounts: Vec<(String, bool)>,
}

impl QueuedReport {
    fn link(&self) -> Option<String> {
        let work = self.report.work?;
        Some(match self.report.target {
            ReportTarget::Work(_) => format!("/works/{work}"),
            ReportTarget::Comment(comment) => format!("/works/{work}#comment_{comment}"),
        })
    }
    fn is_comment(&self) -> bool {
        matches!(self.report.target, ReportTarget::Comment(_))
    }
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct ReportsPage {
    layout: Layout,
    reports: Vec<QueuedReport>,
    message: Option<&'static str>,
}

impl ReportsPage {
    fn user_url(&self, login: &str) -> String {
        format!("/users/{}", encode(login))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AdminQuery {
    done: Option<String>,
}

/// The most reports the queue shows at once, oldest first.
const QUEUE_SHOWN: i64 = 200;

/// The signed-in admin, or a page that isn't there for anyone else.
pub(crate) fn admin(visitor: &Visitor) -> Result<&quire_archive::User, PageError> {
    match &visitor.user {
        Some(user) if user.roles.admin => Ok(user),
        _ => Err(PageError::NotFound),
    }
}

pub async fn reports(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(query): Query<AdminQuery>,
) -> Result<Response, PageError> {
    admin(&visitor)?;
    let mut queued = Vec::new();
    for report in app.archive.open_reports(QUEUE_SHOWN).await? {
        let mut accounts = Vec::new();
        for login in &report.accountable {
            let suspended = match app.archive.user_id_of(login).await? {
                Some(id) => app.archive.is_suspended(id).await?,
                None => false,
            };
            accounts.push((login.clone(), suspended));
        }
        queued.push(QueuedReport {
            reason: REPORT_REASONS
                .iter()
                .find(|(name, _)| *name == report.reason)
                .map_or("Something else", |(_, label)| label),
            filed: quire_archive::dates::day_of(report.created_at),
            accounts,
            report,
        });
    }
    let message = match query.done.as_deref() {
        Some("resolved") => Some("The report is resolved."),
        Some("suspended") => Some("The account is suspended."),
        Some("reinstated") => Some("The account is reinstated."),
        _ => None,
    };
    render(&ReportsPage {
        layout: Layout::new(&visitor, "Reports"),
        reports: queued,
        message,
    })
}

pub async fn resolve(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let admin = admin(&visitor)?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let resolution = form.text("resolution");
    let resolution = if resolution.is_empty() {
        "Resolved".to_string()
    } else {
        resolution
    };
    app.archive
        .resolve_report(id, admin.id, &resolution)
        .await?;
    Ok(Redirect::to("/admin/reports?done=resolved").into_response())
}

pub async fn set_hidden(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    admin(&visitor)?;
    let id: WorkId = id.parse().map_err(|_| PageError::NotFound)?;
    let hidden = match form.get("action") {
        Some("hide") => true,
        Some("unhide") => false,
        _ => {
            return Err(PageError::Refused(
                "Choose whether to hide the work or show it again.".into(),
            ))
        }
    };
    app.archive.set_work_hidden(id, hidden).await?;
    let done = if hidden { "hidden" } else { "unhidden" };
    Ok(Redirect::to(&format!("/works/{id}?done={done}")).into_response())
}

pub async fn set_suspended(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let admin = admin(&visitor)?;
    let user = app
        .archive
        .user_id_of(&login)
        .await?
        .ok_or(PageError::NotFound)?;
    let suspended = match form.get("action") {
        Some("suspend") => true,
        Some("reinstate") => false,
        _ => {
            return Err(PageError::Refused(
                "Choose whether to suspend the account or reinstate it.".into(),
            ))
        }
    };
    if suspended && user == admin.id {
        return Err(PageError::Refused(
            "You can't suspend your own account.".into(),
        ));
    }
    app.archive.set_suspended(user, suspended).await?;
    let done = if suspended { "suspended" } else { "reinstated" };
    let back = match form.get("return_to") {
        Some("person") => format!("/users/{}?done={done}", encode(&login)),
        _ => format!("/admin/reports?done={done}"),
    };
    Ok(Redirect::to(&back).into_response())
}
