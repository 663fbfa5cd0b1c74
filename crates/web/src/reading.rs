//! A work as a reader reads it, and what they leave on it: kudos,
//! comments, bookmarks, subscriptions, and their own name in it.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;
use quire_archive::comment_controls::{CommentPolicy, CommentSettings};
use quire_archive::{
    formatted::Formatted, guest_key, Chapter, CommentView, Commenter, KudosGivers, Kudoser,
    SubscriptionTarget, Work, WorkId,
};

use crate::access::{comment_work, visible_work};
use crate::comment_controls::{seen_as, CommentReader, Seen};
use crate::form::FormData;
use crate::keeping_away::MutedPeople;
use crate::listing::author_url;
use crate::pages::{encode, render, thousands, Layout, PageError};
use crate::settings;
use crate::visitor::Visitor;
use crate::App;

/// A comment in its thread: replies sit below their parent, one step in.
struct CommentRow {
    comment: CommentView,
    depth: usize,
    can_edit: bool,
    can_delete: bool,
    /// The work's creators freeze and unfreeze threads.
    can_freeze: bool,
    /// A registered writer other than the reader: block and mute forms.
    can_keep_away: bool,
    /// Hidden from this reader: "hidden by the work's creator" instead.
    placeholder: bool,
    /// The work's creators and admins approve and hide.
    can_moderate: bool,
    /// Admins mark spam.
    can_mark_spam: bool,
    posted: String,
}

struct ChapterView {
    position: u32,
    title: String,
    /// Summaries and notes: HTML cleaned when stored, filled for this
    /// reader.
    summary: String,
    notes_start: String,
    notes_end: String,
    /// Sanitized when stored; placeholders filled for this reader.
    html: Arc<str>,
    comments: Vec<CommentRow>,
    comment_count: usize,
    /// Comments left out because the reader muted their writer (replies
    /// to them included).
    hidden_comments: usize,
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    layout: Layout,
    work: Work,
    /// The chapters on this page: one, or all of them.
    chapters: Vec<ChapterView>,
    full_view: bool,
    /// The chapter shown, when one is.
    current: Option<u32>,
    summary: String,
    notes_start: String,
    notes_end: String,
    /// What the text suggests that the author's warnings don't say.
    detected: Vec<crate::detected::Suggestion>,
    /// Reader-insert codes the work uses, with this reader's value.
    placeholders: Vec<(String, String)>,
    filled: Vec<(String, String)>,
    kudos: KudosGivers,
    is_creator: bool,
    /// Admins see the hide/show form.
    admin: bool,
    signed_in: bool,
    subscribed: bool,
    marked_later: bool,
    /// The reader's own bookmark of the work, which the form changes.
    my_bookmark: Option<quire_archive::Bookmark>,
    message: Option<&'static str>,
    return_to: String,
    /// Where "show" leads when comments were hidden.
    show_muted_url: String,
    comment_settings: CommentSettings,
    /// The work's settings take this reader's comments and replies.
    may_comment: bool,
}

impl WorkPage {
    fn language_name(&self) -> String {
        crate::pages::language_name(&self.work.language)
    }

    /// The work's types when it is more than text ("Art", "Text, Audio"),
    /// as its blurb names them; nothing for plain prose.
    fn fanwork_types(&self) -> Option<String> {
        use quire_archive::model::WorkType;
        let mut media = quire_archive::sanitize::MediaFound::default();
        for chapter in &self.work.chapters {
            media.add(&chapter.html);
        }
        let types = WorkType::of(self.work.word_count as u64, &media);
        (types != [WorkType::Text]).then(|| {
            types
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// A fill's label: what the code asks for, in plain words, with the
    /// code as the work writes it.
    fn fill_label(&self, code: &str) -> String {
        match quire_text::insert::meaning(code) {
            Some(meaning) => {
                let mut chars = meaning.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string());
                format!("{}{} ({code})", first.unwrap_or_default(), chars.as_str())
            }
            None => code.to_string(),
        }
    }

    fn tag_url(&self, tag: &str) -> String {
        format!("/tags/{}/works", encode(tag))
    }
    fn author_url(&self, author: &str) -> String {
        author_url(author)
    }
    fn words(&self) -> String {
        thousands(self.work.word_count as u64)
    }
    fn chapter_count(&self) -> String {
        let expected = self
            .work
            .expected_chapters
            .map_or("?".to_string(), |n| n.to_string());
        format!("{}/{}", self.work.chapters.len(), expected)
    }
    fn is_current(&self, position: &u32) -> bool {
        self.current == Some(*position)
    }
    fn multi_chapter(&self) -> bool {
        self.work.chapters.len() > 1
    }
    fn previous(&self) -> Option<u32> {
        self.current.filter(|&n| n > 1).map(|n| n - 1)
    }
    fn next(&self) -> Option<u32> {
        self.current
            .filter(|&n| (n as usize) < self.work.chapters.len())
            .map(|n| n + 1)
    }
    fn kudos_line(&self) -> String {
        let mut parts = self.kudos.names.clone();
        if self.kudos.guests > 0 {
            parts.push(format!(
                "{} {}",
                self.kudos.guests,
                if self.kudos.guests == 1 {
                    "guest"
                } else {
                    "guests"
                }
            ));
        }
        match parts.len() {
            0 => String::new(),
            1 => parts.remove(0),
            _ => {
                let last = parts.pop().unwrap_or_default();
                format!("{} and {last}", parts.join(", "))
            }
        }
    }
    fn ratings_text(&self) -> &'static str {
        self.work.rating.name()
    }
    fn warning_names(&self) -> Vec<&'static str> {
        self.work.warnings.iter().map(|w| w.name()).collect()
    }
    fn category_names(&self) -> Vec<&'static str> {
        self.work.categories.iter().map(|c| c.name()).collect()
    }
    fn date(&self, seconds: &i64) -> String {
        day(*seconds)
    }
}

fn day(seconds: i64) -> String {
    quire_archive::dates::day_of(seconds)
}

/// Comments in thread order: each followed by its replies; a muted
/// person's comments are left out with their replies, and counted.
fn threads(
    comments: &[CommentView],
    chapter: i64,
    reader: &CommentReader,
    muted: &MutedPeople,
) -> (Vec<CommentRow>, usize) {
    let mut children: BTreeMap<Option<i64>, Vec<&CommentView>> = BTreeMap::new();
    for comment in comments.iter().filter(|c| c.chapter == chapter) {
        children.entry(comment.parent).or_default().push(comment);
    }
    let mut rows = Vec::new();
    let mut hidden = 0;
    // (comment, depth, under a muted comment)
    let mut stack: Vec<(&CommentView, usize, bool)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|c| (*c, 0, false)).collect())
        .unwrap_or_default();
    while let Some((comment, depth, under_muted)) = stack.pop() {
        let seen = seen_as(comment, reader);
        if seen == Seen::Gone {
            continue;
        }
        let hide = under_muted || muted.includes(comment.writer_user);
        if hide {
            hidden += 1;
        } else {
            let mine = reader.me.is_some() && comment.writer_user == reader.me;
            rows.push(CommentRow {
                can_edit: mine && !comment.frozen,
                can_delete: mine || reader.creator,
                can_freeze: reader.creator,
                can_keep_away: comment.writer_login.is_some() && !mine,
                placeholder: seen == Seen::Placeholder,
                can_moderate: reader.moderates(),
                can_mark_spam: reader.admin,
                posted: day(comment.posted_at),
                comment: comment.clone(),
                depth: depth.min(5),
            });
        }
        if let Some(replies) = children.get(&Some(comment.id)) {
            stack.extend(replies.iter().rev().map(|c| (*c, depth + 1, hide)));
        }
    }
    (rows, hidden)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct WorkQuery {
    view_full_work: Option<String>,
    /// "true": the reader chose to go on past the adult-content notice.
    view_adult: Option<String>,
    done: Option<String>,
    show_muted: Option<String>,
}

fn message_for(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "kudos" => "Thank you for leaving kudos!",
        "kudos-again" => "You have already left kudos here. :)",
        "comment" => "Your comment was posted.",
        "comment-edited" => "Your comment was changed.",
        "comment-deleted" => "The comment was deleted.",
        "comment-frozen" => {
            "The thread is frozen: it takes no replies or edits until you unfreeze it."
        }
        "comment-unfrozen" => "The thread takes replies and edits again.",
        "bookmark" => {
            "Bookmarked. You'll find it among your bookmarks; bookmarking again changes it."
        }
        "subscribed" => "You're subscribed; you'll hear of new chapters.",
        "unsubscribed" => "You're no longer subscribed.",
        "marked" => "Marked for later: it waits on your dashboard.",
        "unmarked" => "No longer marked for later.",
        "filled" => "The work now reads with your names.",
        "posted" => "Your work was posted.",
        "edited" => "Your changes were saved.",
        "chapter" => "Your chapter was posted.",
        "chapter-edited" => "Your changes to the chapter were saved.",
        "reordered" => "The chapters are in their new order.",
        "invited" => "Your co-creators are invited; each is credited once they accept.",
        "left" => "You're no longer credited on this work.",
        "reported" => "Thank you. Your report is with the archive's admins.",
        "hidden" => "The work is hidden: only its creators and the admins can see it.",
        "unhidden" => "The work is visible again.",
        other => {
            return crate::keeping_away::message_for(other)
                .or_else(|| crate::comment_controls::message_for(other))
        }
    })
}

pub async fn work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    Query(query): Query<WorkQuery>,
) -> Result<Response, PageError> {
    let work = visible_work(&app, &visitor, &id).await?;
    let full = work.chapters.len() == 1 || query.view_full_work.as_deref() == Some("true");
    let current = if full { None } else { Some(1) };
    past_adult_notice(&app, &visitor, work, current, &query).await
}

pub async fn chapter(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path((id, position)): Path<(String, String)>,
    Query(query): Query<WorkQuery>,
) -> Result<Response, PageError> {
    let work = visible_work(&app, &visitor, &id).await?;
    let position: u32 = position.parse().map_err(|_| PageError::NotFound)?;
    if position == 0 || position as usize > work.chapters.len() {
        return Err(PageError::NotFound);
    }
    past_adult_notice(&app, &visitor, work, Some(position), &query).await
}

#[derive(Template)]
#[template(path = "adult_notice.html")]
struct AdultNotice {
    layout: Layout,
    work: Work,
    continue_url: String,
}

impl AdultNotice {
    fn warning_names(&self) -> Vec<&'static str> {
        self.work.warnings.iter().map(|w| w.name()).collect()
    }
}

/// AO3's notice before a Mature, Explicit or Not Rated work: asked once
/// per browser session, never of its creators or of readers whose
/// preferences skip it (downloads, feeds and the API never ask).
async fn past_adult_notice(
    app: &App,
    visitor: &Visitor,
    work: Work,
    current: Option<u32>,
    query: &WorkQuery,
) -> Result<Response, PageError> {
    let chose_to_go_on = query.view_adult.as_deref() == Some("true");
    let asks = work.rating.needs_adult_notice()
        && !visitor.adult_ok
        && !visitor.settings.skip_adult_notice
        && !app.archive.is_creator(work.id, visitor.viewer()).await?;
    if asks && !chose_to_go_on {
        let continue_url = match current {
            None if work.chapters.len() > 1 => {
                format!("/works/{}?view_full_work=true&view_adult=true", work.id)
            }
            Some(n) if work.chapters.len() > 1 => {
                format!("/works/{}/chapters/{n}?view_adult=true", work.id)
            }
            _ => format!("/works/{}?view_adult=true", work.id),
        };
        return render(&AdultNotice {
            layout: Layout::new(visitor, work.title.clone()),
            work,
            continue_url,
        });
    }
    let mut page = show(app, visitor, work, current, query).await?;
    if asks {
        let cookie = visitor.session_cookie(crate::visitor::ADULT_COOKIE, "1".into());
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie.to_string()) {
            page.headers_mut()
                .append(axum::http::header::SET_COOKIE, value);
        }
    }
    Ok(page)
}

async fn show(
    app: &App,
    visitor: &Visitor,
    work: Work,
    current: Option<u32>,
    query: &WorkQuery,
) -> Result<Response, PageError> {
    let viewer = visitor.viewer();
    let is_creator = app.archive.is_creator(work.id, viewer).await?;
    if !is_creator {
        crate::hits::count_view(app, work.id, visitor);
        // Authors reading their own work are not reading history, nor is
        // anything read by someone who asked for none.
        if let Some(user) = visitor
            .user
            .as_ref()
            .filter(|_| !visitor.settings.keep_no_history)
        {
            app.archive.record_reading(user.id, work.id).await?;
        }
    }
    let signals = app.signals.read_work(&work).await;
    let detected = crate::detected::untagged(&signals, &work.warnings);
    let comments = app.archive.comments_on_work(work.id).await?;
    let kudos = app.archive.kudos_givers(work.id).await?;
    let subscribed = match &visitor.user {
        Some(user) => app
            .archive
            .subscribers(SubscriptionTarget::Work(work.id))
            .await?
            .contains(&user.id),
        None => false,
    };
    let me = visitor.user.as_ref().map(|u| u.id);
    let (marked_later, my_bookmark) = match me {
        Some(me) => (
            app.archive.is_marked_for_later(me, work.id).await?,
            app.archive.bookmark_of_work(me, work.id).await?,
        ),
        None => (false, None),
    };
    let reader = CommentReader {
        me,
        creator: is_creator,
        admin: visitor.admin(),
    };
    let comment_settings = app.archive.comment_settings(work.id).await?;
    let may_comment = match comment_settings.policy {
        CommentPolicy::Everyone => true,
        CommentPolicy::Registered => visitor.signed_in(),
        CommentPolicy::NoOne => is_creator,
    };
    let muted = if query.show_muted.is_some() {
        MutedPeople::default()
    } else {
        MutedPeople::of(app, &visitor.settings).await?
    };
    let shown: Vec<&Chapter> = work
        .chapters
        .iter()
        .filter(|c| current.is_none_or(|n| c.position == n))
        .collect();
    // A saved name that would multiply this work reads it as written.
    let profile = Some(visitor.settings.fill_profile())
        .filter(|saved| crate::settings::check_fill_growth(saved, &work, &shown).is_ok())
        .unwrap_or_default();
    let fill = |text: &Formatted| text.filled(&profile);
    let chapters = shown
        .iter()
        .map(|chapter| {
            let (rows, hidden_comments) = threads(&comments, chapter.id, &reader, &muted);
            ChapterView {
                position: chapter.position,
                title: chapter.title.clone(),
                summary: fill(&chapter.summary),
                notes_start: fill(&chapter.notes_start),
                notes_end: fill(&chapter.notes_end),
                html: app.filled_chapters.filled(&work, chapter, &profile),
                comment_count: rows.len(),
                comments: rows,
                hidden_comments,
            }
        })
        .collect();
    let mut codes: Vec<String> = Vec::new();
    for chapter in &work.chapters {
        for placeholder in &chapter.body.placeholders {
            if !codes.contains(&placeholder.code) {
                codes.push(placeholder.code.clone());
            }
        }
    }
    let placeholders: Vec<(String, String)> = codes
        .iter()
        .map(|code| {
            (
                code.clone(),
                profile.value_for(code).unwrap_or_default().to_string(),
            )
        })
        .collect();
    let filled = placeholders
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .cloned()
        .collect();
    let return_to = match current {
        Some(n) if work.chapters.len() > 1 => format!("/works/{}/chapters/{n}", work.id),
        _ => format!("/works/{}", work.id),
    };
    let work_id = work.id;
    let mut page = render(&WorkPage {
        layout: Layout::new(visitor, work.title.clone()),
        summary: fill(&work.summary),
        notes_start: fill(&work.notes_start),
        notes_end: fill(&work.notes_end),
        full_view: current.is_none(),
        current,
        chapters,
        placeholders,
        filled,
        detected,
        kudos,
        is_creator,
        admin: visitor.admin(),
        signed_in: visitor.signed_in(),
        subscribed,
        marked_later,
        my_bookmark,
        message: message_for(query.done.as_deref()),
        comment_settings,
        may_comment,
        show_muted_url: if current.is_none() && work.chapters.len() > 1 {
            format!("/works/{}?view_full_work=true&show_muted=1", work.id)
        } else {
            format!("{return_to}?show_muted=1")
        },
        return_to,
        work,
    })?;
    if !is_creator {
        page.extensions_mut()
            .insert(crate::page_cache::ViewOf(work_id));
    }
    Ok(page)
}

/// Where to go back to after a form on a work page: only a page of the
/// same work, so a form can't send a reader elsewhere.
pub(crate) fn back_to(form: &FormData, work: WorkId, done: &str) -> Redirect {
    let own = format!("/works/{work}");
    let target = form
        .get("return_to")
        .filter(|t| *t == own || t.starts_with(&format!("{own}/chapters/")))
        .unwrap_or(&own);
    Redirect::to(&format!("{target}?done={done}"))
}

pub async fn kudos(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    visitor.not_suspended()?;
    let who = match &visitor.user {
        Some(user) => Kudoser::User(user.id),
        None => Kudoser::Guest(guest_key(&app.guest_salt, &visitor.address.to_string())),
    };
    let left = app.archive.leave_kudos(work.id, &who).await?;
    let done = if left { "kudos" } else { "kudos-again" };
    Ok(back_to(&form, work.id, done).into_response())
}

pub async fn comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    visitor.not_suspended()?;
    let position: u32 = form
        .get("chapter")
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let chapter = work
        .chapters
        .iter()
        .find(|c| c.position == position)
        .ok_or(PageError::NotFound)?;
    let parent = form.get("parent").and_then(|p| p.parse::<i64>().ok());
    let by = match &visitor.user {
        Some(user) => Commenter::Pseud(user.default_pseud),
        None => Commenter::Named(form.text("name")),
    };
    check_comment_rate(&app, &visitor)?;
    let id = app
        .archive
        .add_comment(chapter.id, &by, parent, &form.text("body"))
        .await?;
    let held = app.archive.comment(id).await?.is_some_and(|c| c.held);
    let done = if held { "comment-held" } else { "comment" };
    Ok(back_to(&form, work.id, done).into_response())
}

/// Spends one of the reader's comments for this minute, or refuses.
pub(crate) fn check_comment_rate(app: &App, visitor: &Visitor) -> Result<(), PageError> {
    if let Some(limits) = &app.comment_limits {
        if limits.check_key(&visitor.rate_key()).is_err() {
            return Err(PageError::TooManyComments);
        }
    }
    Ok(())
}

pub async fn edit_comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (comment, work) = comment_work(&app, &visitor, &id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    app.archive
        .edit_comment(comment, user.id, &form.text("body"))
        .await?;
    Ok(back_to(&form, work.id, "comment-edited").into_response())
}

pub async fn delete_comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (comment, work) = comment_work(&app, &visitor, &id).await?;
    let user = visitor.member(format!("/works/{}", work.id))?;
    app.archive.delete_comment(comment, user.id).await?;
    Ok(back_to(&form, work.id, "comment-deleted").into_response())
}

pub async fn freeze_comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    set_thread_frozen(&app, &visitor, &id, &form, true).await
}

pub async fn unfreeze_comment(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    set_thread_frozen(&app, &visitor, &id, &form, false).await
}

async fn set_thread_frozen(
    app: &App,
    visitor: &Visitor,
    id: &str,
    form: &FormData,
    frozen: bool,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let (comment, work) = comment_work(app, visitor, id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    let done = if frozen {
        app.archive.freeze_comment(comment, user.id).await?;
        "comment-frozen"
    } else {
        app.archive.unfreeze_comment(comment, user.id).await?;
        "comment-unfrozen"
    };
    Ok(back_to(form, work.id, done).into_response())
}

pub async fn bookmark(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    app.archive
        .add_bookmark(
            work.id,
            user.default_pseud,
            &crate::bookmarks::note_of(&form),
        )
        .await?;
    Ok(back_to(&form, work.id, "bookmark").into_response())
}

pub async fn subscribe(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    let user = visitor.active_member(format!("/works/{}", work.id))?;
    let target = SubscriptionTarget::Work(work.id);
    let done = if form.get("action") == Some("unsubscribe") {
        app.archive.unsubscribe(user.id, target).await?;
        "unsubscribed"
    } else {
        app.archive.subscribe(user.id, target).await?;
        "subscribed"
    };
    Ok(back_to(&form, work.id, done).into_response())
}

/// "Mark for later" (`action=unmark` takes the mark off), from the work
/// or from the dashboard's list.
pub async fn later(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    let user = visitor.member(format!("/works/{}", work.id))?;
    let done = if form.get("action") == Some("unmark") {
        app.archive.unmark_for_later(user.id, work.id).await?;
        "unmarked"
    } else {
        app.archive.mark_for_later(user.id, work.id).await?;
        "marked"
    };
    if form.get("return_to") == Some("/dashboard") {
        return Ok(Redirect::to(&format!("/dashboard?done={done}")).into_response());
    }
    Ok(back_to(&form, work.id, done).into_response())
}

/// "Read as…": the reader's values for the work's placeholders, kept for
/// every reader-insert work they read.
pub async fn read_as(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let work = visible_work(&app, &visitor, &id).await?;
    let mut settings = visitor.settings.clone();
    for (name, value) in &form.0 {
        let Some(code) = name.strip_prefix("fill:") else {
            continue;
        };
        settings
            .set_fill(code, value)
            .map_err(|err| PageError::Refused(err.to_string()))?;
    }
    let jar = settings::store(&app, &visitor, jar, &settings).await?;
    Ok((jar, back_to(&form, work.id, "filled")).into_response())
}
