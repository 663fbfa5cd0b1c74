//! Notifications: what happens on the archive (a chapter posted, a
//! comment, kudos, an invitation) reaching the people it concerns, in
//! their inbox and, as each of them chose, by email.
//!
//! What happens is written as an event in the transaction that made it
//! happen, so it can't be lost or told of when it didn't happen. A worker
//! later works out who hears of it ([`Archive::plan_event`]) and delivers
//! it ([`Archive::deliver_event`]): inbox items and outbox mail for every
//! recipient, and the event marked delivered, in one transaction that only
//! one worker can make. Posting a chapter to a work with ten thousand
//! subscribers writes one row.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::formatted::Formatted;
use crate::outbox::{queue_mail_in, MailContent};
use crate::people::UserId;
use crate::{now, Archive, Result, WorkId};

/// The kinds of notice a reader gets, each with its own email choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// A comment on one of your works.
    Comment,
    /// A reply to one of your comments.
    Reply,
    /// An invitation to be a co-creator of a work.
    Invitation,
    /// Kudos on one of your works, counted together while unread.
    Kudos,
    /// A new chapter of a work you subscribed to.
    Chapter,
    /// A new work by someone you subscribed to.
    Work,
    /// A new part of a series you subscribed to.
    SeriesPart,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 7] = [
        NoticeKind::Comment,
        NoticeKind::Reply,
        NoticeKind::Invitation,
        NoticeKind::Kudos,
        NoticeKind::Chapter,
        NoticeKind::Work,
        NoticeKind::SeriesPart,
    ];

    /// The name in addresses, settings and the API.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Comment => "comment",
            NoticeKind::Reply => "reply",
            NoticeKind::Invitation => "invitation",
            NoticeKind::Kudos => "kudos",
            NoticeKind::Chapter => "chapter",
            NoticeKind::Work => "work",
            NoticeKind::SeriesPart => "series-part",
        }
    }

    pub fn from_name(name: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// What a reader sees it called, in a list of settings or filters.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Comment => "Comments on your works",
            NoticeKind::Reply => "Replies to your comments",
            NoticeKind::Invitation => "Co-creator invitations",
            NoticeKind::Kudos => "Kudos on your works",
            NoticeKind::Chapter => "New chapters of works you subscribed to",
            NoticeKind::Work => "New works by creators you subscribed to",
            NoticeKind::SeriesPart => "New parts of series you subscribed to",
        }
    }

    /// How the kind reaches someone by email until they choose: at once,
    /// except kudos, which AO3 also sends once a day.
    pub fn default_delivery(self) -> Delivery {
        match self {
            NoticeKind::Kudos => Delivery::Digest,
            _ => Delivery::Now,
        }
    }
}

/// How one kind of notice reaches a reader by email. Every notice is in
/// the inbox whatever is chosen here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    Off,
    Now,
    Digest,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Off, Delivery::Now, Delivery::Digest];

    pub fn name(self) -> &'static str {
        match self {
            Delivery::Off => "off",
            Delivery::Now => "now",
            Delivery::Digest => "digest",
        }
    }

    pub fn from_name(name: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Off => "No email",
            Delivery::Now => "Email at once",
            Delivery::Digest => "Daily digest",
        }
    }
}

/// What a notice is about, as the inbox and an email show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Who did it, by the name they did it as ("a guest" for kudos
    /// without an account).
    pub actor: String,
    /// The work (and chapter, or series) it is about.
    pub title: String,
    /// The start of a comment's text; empty for other kinds.
    pub excerpt: String,
    /// Where on the site it is, from the site's root (`/works/3#comment_9`).
    pub link: String,
}

/// Something that happened, waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    kind: String,
    /// The account that did it, if one did.
    pub actor: Option<UserId>,
    work: Option<WorkId>,
    chapter: Option<i64>,
    comment: Option<i64>,
    series: Option<i64>,
    user: Option<UserId>,
}

/// What an event becomes: for each kind of notice it makes, the notice
/// and who gets it. Blocks are already applied; a reader's mutes are the
/// site's to apply before delivering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub event: i64,
    /// The accounts behind it (who commented; a work's creators), told of
    /// nothing they did themselves.
    pub actors: Vec<UserId>,
    /// Their logins, for the site to check against readers' mute lists.
    pub actor_logins: Vec<String>,
    pub groups: Vec<NoticeGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeGroup {
    pub kind: NoticeKind,
    pub notice: Notice,
    /// For [`NoticeKind::Kudos`] and comments, the work, so kudos on one
    /// work gather in one unread notice.
    pub work: Option<WorkId>,
    pub comment: Option<i64>,
    pub recipients: Vec<UserId>,
}

/// One notice in a reader's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub id: i64,
    pub kind: NoticeKind,
    pub notice: Notice,
    pub work: Option<WorkId>,
    pub comment: Option<i64>,
    /// Kudos gathered in this notice; 1 for every other kind.
    pub count: i64,
    pub unread: bool,
    /// Unix seconds of the newest thing it tells of.
    pub at: i64,
}

/// Which of a reader's notices to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub kind: Option<NoticeKind>,
    pub unread_only: bool,
    /// Notices older than this one (by id), for the next page.
    pub before: Option<i64>,
    pub limit: i64,
}

/// The references an event is recorded with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EventRefs {
    pub actor: Option<UserId>,
    pub work: Option<WorkId>,
    pub chapter: Option<i64>,
    pub comment: Option<i64>,
    pub series: Option<i64>,
    pub user: Option<UserId>,
}

/// Records an event in the transaction that makes it happen.
pub(crate) async fn record_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: &str,
    refs: EventRefs,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (kind, actor_id, work_id, chapter_id, comment_id, series_id, user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kind)
    .bind(refs.actor)
    .bind(refs.work)
    .bind(refs.chapter)
    .bind(refs.comment)
    .bind(refs.series)
    .bind(refs.user)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How much of a comment a notice quotes.
const EXCERPT_CHARS: usize = 300;

fn excerpt_of(html: String) -> String {
    let text = Formatted::from_stored(html).text();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{}…", cut.trim_end())
}

fn event_of_row(row: &sqlx::any::AnyRow) -> Result<Event> {
    Ok(Event {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        actor: row.try_get("actor_id")?,
        work: row.try_get("work_id")?,
        chapter: row.try_get("chapter_id")?,
        comment: row.try_get("comment_id")?,
        series: row.try_get("series_id")?,
        user: row.try_get("user_id")?,
    })
}

/// What [`item_of_row`] reads.
const ITEM_COLUMNS: &str =
    "id, kind, work_id, comment_id, actor, title, excerpt, link, count, unread, created_at";

fn item_of_row(row: &sqlx::any::AnyRow) -> Result<InboxItem> {
    let kind: String = row.try_get("kind")?;
    Ok(InboxItem {
        id: row.try_get("id")?,
        kind: NoticeKind::from_name(&kind).unwrap_or(NoticeKind::Comment),
        notice: Notice {
            actor: row.try_get("actor")?,
            title: row.try_get("title")?,
            excerpt: row.try_get("excerpt")?,
            link: row.try_get("link")?,
        },
        work: row.try_get("work_id")?,
        comment: row.try_get("comment_id")?,
        count: row.try_get("count")?,
        unread: row.try_get::<i64, _>("unread")? != 0,
        at: row.try_get("created_at")?,
    })
}

/// The most notices one page of the inbox (or the API) lists.
pub const INBOX_PAGE_LIMIT: i64 = 200;

impl Archive {
    /// Events not delivered yet, oldest first.
    pub async fn waiting_events(&self, limit: i64) -> Result<Vec<Event>> {
        sqlx::query(
            "SELECT id, kind, actor_id, work_id, chapter_id, comment_id, series_id, user_id \
             FROM events WHERE delivered_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(event_of_row)
        .collect()
    }

    /// Who hears of an event, and what they are told. An event about a
    /// draft, or something deleted since, is told to nobody.
    pub async fn plan_event(&self, event: &Event) -> Result<PlannedEvent> {
        let public_work = match event.work {
            Some(work) => self.public_work_title(work).await?,
            None => None,
        };
        // What a work's creators post comes from all of them.
        let actors = match (event.kind.as_str(), event.work) {
            ("work" | "chapter" | "series-part", Some(work)) => {
                self.creator_accounts(work, &[]).await?
            }
            _ => event.actor.into_iter().collect(),
        };
        let mut actor_logins = Vec::with_capacity(actors.len());
        for &actor in &actors {
            if let Some(row) = sqlx::query("SELECT login FROM users WHERE id = $1")
                .bind(actor)
                .fetch_optional(&self.pool)
                .await?
            {
                actor_logins.push(row.try_get("login")?);
            }
        }
        let mut plan = PlannedEvent {
            event: event.id,
            actors,
            actor_logins,
            groups: Vec::new(),
        };
        match event.kind.as_str() {
            "work" => {
                if let (Some(work), Some(title)) = (event.work, &public_work) {
                    self.plan_new_work(&mut plan, work, title).await?;
                }
            }
            "chapter" => {
                if let (Some(work), Some(title), Some(chapter)) =
                    (event.work, &public_work, event.chapter)
                {
                    self.plan_new_chapter(&mut plan, work, title, chapter)
                        .await?;
                }
            }
            "series-part" => {
                if let (Some(work), Some(title), Some(series)) =
                    (event.work, &public_work, event.series)
                {
                    let recipients = self
                        .subscribers_of(&[("series", series)], &plan.actors)
                        .await?;
                    let notice = self.series_part_notice(work, title, series).await?;
                    plan.groups.push(NoticeGroup {
                        kind: NoticeKind::SeriesPart,
                        notice,
                        work: Some(work),
                        comment: None,
                        recipients,
                    });
                }
            }
            "comment" => {
                if let Some(comment) = event.comment {
                    self.plan_comment(&mut plan, comment, false).await?;
                }
            }
            "comment-approved" => {
                if let Some(comment) = event.comment {
                    self.plan_comment(&mut plan, comment, true).await?;
                }
            }
            "kudos" => {
                if let (Some(work), Some(title)) = (event.work, &public_work) {
                    let recipients = self.creator_accounts(work, &plan.actors).await?;
                    let actor = match event.actor {
                        Some(actor) => self.default_pseud_name(actor).await?,
                        None => "a guest".to_string(),
                    };
                    plan.groups.push(NoticeGroup {
                        kind: NoticeKind::Kudos,
                        notice: Notice {
                            actor,
                            title: title.clone(),
                            excerpt: String::new(),
                            link: format!("/works/{work}"),
                        },
                        work: Some(work),
                        comment: None,
                        recipients,
                    });
                }
            }
            "invitation" => {
                // An invitation is for a draft too: the invited writer is
                // asked before it is posted.
                if let (Some(work), Some(invited)) = (event.work, event.user) {
                    let title = sqlx::query("SELECT title FROM works WHERE id = $1")
                        .bind(work)
                        .fetch_optional(&self.pool)
                        .await?
                        .map(|row| row.try_get::<String, _>("title"))
                        .transpose()?;
                    let blocked = self
                        .kept_from(&[invited], &plan.actors)
                        .await?
                        .contains(&invited);
                    if let (Some(title), false) = (title, blocked) {
                        let actor = match event.actor {
                            Some(actor) => self.default_pseud_name(actor).await?,
                            None => String::new(),
                        };
                        plan.groups.push(NoticeGroup {
                            kind: NoticeKind::Invitation,
                            notice: Notice {
                                actor,
                                title,
                                excerpt: String::new(),
                                link: "/dashboard#invitations-heading".into(),
                            },
                            work: Some(work),
                            comment: None,
                            recipients: vec![invited],
                        });
                    }
                }
            }
            _ => {}
        }
        // One notice per person per event: the first group that names
        // them (a new work's creator before its series).
        let mut told = std::collections::HashSet::new();
        for group in &mut plan.groups {
            group.recipients.retain(|user| told.insert(*user));
        }
        Ok(plan)
    }

    async fn public_work_title(&self, work: WorkId) -> Result<Option<String>> {
        Ok(
            sqlx::query("SELECT title FROM works WHERE id = $1 AND draft = 0 AND hidden = 0")
                .bind(work)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get::<String, _>("title"))
                .transpose()?,
        )
    }

    async fn default_pseud_name(&self, user: UserId) -> Result<String> {
        Ok(
            sqlx::query("SELECT name FROM pseuds WHERE user_id = $1 AND is_default = 1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get::<String, _>("name"))
                .transpose()?
                .unwrap_or_default(),
        )
    }

    async fn creator_names(&self, work: WorkId) -> Result<String> {
        let names: Vec<String> = sqlx::query(
            "SELECT p.name FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 ORDER BY wc.position",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("name"))
        .collect::<std::result::Result<_, _>>()?;
        Ok(names.join(", "))
    }

    /// The accounts among a work's creators, but none of `actors`, nor one
    /// who has blocked any of them.
    async fn creator_accounts(&self, work: WorkId, actors: &[UserId]) -> Result<Vec<UserId>> {
        let creators: Vec<UserId> = sqlx::query(
            "SELECT DISTINCT p.user_id FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1 AND p.user_id IS NOT NULL ORDER BY p.user_id",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get("user_id"))
        .collect::<std::result::Result<_, _>>()?;
        self.without_kept(creators, actors).await
    }

    /// Subscribers of any of these targets, but none of `actors`, nor one
    /// who has blocked any of them.
    async fn subscribers_of(
        &self,
        targets: &[(&str, i64)],
        actors: &[UserId],
    ) -> Result<Vec<UserId>> {
        let mut found = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &(kind, id) in targets {
            let rows = sqlx::query(
                "SELECT user_id FROM subscriptions WHERE target_kind = $1 AND target_id = $2 ORDER BY user_id",
            )
            .bind(kind)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let user: UserId = row.try_get("user_id")?;
                if seen.insert(user) {
                    found.push(user);
                }
            }
        }
        self.without_kept(found, actors).await
    }

    /// `people` less the actors themselves and those who blocked one.
    async fn without_kept(
        &self,
        mut people: Vec<UserId>,
        actors: &[UserId],
    ) -> Result<Vec<UserId>> {
        let kept = self.kept_from(&people, actors).await?;
        people.retain(|user| !actors.contains(user) && !kept.contains(user));
        Ok(people)
    }

    /// Who among `people` has blocked one of `actors`.
    async fn kept_from(
        &self,
        people: &[UserId],
        actors: &[UserId],
    ) -> Result<std::collections::HashSet<UserId>> {
        let mut blockers = std::collections::HashSet::new();
        if people.is_empty() {
            return Ok(blockers);
        }
        for &actor in actors {
            let rows = sqlx::query("SELECT user_id FROM blocks WHERE blocked_id = $1")
                .bind(actor)
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                blockers.insert(row.try_get::<UserId, _>("user_id")?);
            }
        }
        Ok(blockers)
    }

    async fn plan_new_work(
        &self,
        plan: &mut PlannedEvent,
        work: WorkId,
        title: &str,
    ) -> Result<()> {
        let creators = sqlx::query(
            "SELECT p.id, p.user_id FROM work_creators wc JOIN pseuds p ON p.id = wc.pseud_id \
             WHERE wc.work_id = $1",
        )
        .bind(work)
        .fetch_all(&self.pool)
        .await?;
        let mut targets = Vec::new();
        for row in &creators {
            targets.push(("pseud", row.try_get::<i64, _>("id")?));
            if let Some(user) = row.try_get::<Option<i64>, _>("user_id")? {
                targets.push(("user", user));
            }
        }
        let recipients = self.subscribers_of(&targets, &plan.actors).await?;
        plan.groups.push(NoticeGroup {
            kind: NoticeKind::Work,
            notice: Notice {
                actor: self.creator_names(work).await?,
                title: title.to_string(),
                excerpt: String::new(),
                link: format!("/works/{work}"),
            },
            work: Some(work),
            comment: None,
            recipients,
        });
        let series: Vec<i64> =
            sqlx::query("SELECT series_id FROM series_works WHERE work_id = $1 ORDER BY series_id")
                .bind(work)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| row.try_get("series_id"))
                .collect::<std::result::Result<_, _>>()?;
        for series in series {
            let recipients = self
                .subscribers_of(&[("series", series)], &plan.actors)
                .await?;
            let notice = self.series_part_notice(work, title, series).await?;
            plan.groups.push(NoticeGroup {
                kind: NoticeKind::SeriesPart,
                notice,
                work: Some(work),
                comment: None,
                recipients,
            });
        }
        Ok(())
    }

    async fn series_part_notice(&self, work: WorkId, title: &str, series: i64) -> Result<Notice> {
        let series_title: String = sqlx::query("SELECT title FROM series WHERE id = $1")
            .bind(series)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get::<String, _>("title"))
            .transpose()?
            .unwrap_or_default();
        Ok(Notice {
            actor: self.creator_names(work).await?,
            title: format!("{title} (in {series_title})"),
            excerpt: String::new(),
            link: format!("/works/{work}"),
        })
    }

    async fn plan_new_chapter(
        &self,
        plan: &mut PlannedEvent,
        work: WorkId,
        title: &str,
        chapter: i64,
    ) -> Result<()> {
        let Some(row) =
            sqlx::query("SELECT position, title FROM chapters WHERE id = $1 AND work_id = $2")
                .bind(chapter)
                .bind(work)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(());
        };
        let position: i64 = row.try_get("position")?;
        let chapter_title: Option<String> = row.try_get("title")?;
        let named = match chapter_title.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format!("{title}, chapter {position}: {name}"),
            _ => format!("{title}, chapter {position}"),
        };
        let recipients = self.subscribers_of(&[("work", work)], &plan.actors).await?;
        plan.groups.push(NoticeGroup {
            kind: NoticeKind::Chapter,
            notice: Notice {
                actor: self.creator_names(work).await?,
                title: named,
                excerpt: String::new(),
                link: format!("/works/{work}/chapters/{position}"),
            },
            work: Some(work),
            comment: None,
            recipients,
        });
        Ok(())
    }

    /// Who hears of a comment: the creators of the work, and the writer of
    /// the comment it answers. Once `approved` (it waited for the
    /// creators, who were told when it came), only the writer answered.
    async fn plan_comment(
        &self,
        plan: &mut PlannedEvent,
        comment: i64,
        approved: bool,
    ) -> Result<()> {
        let Some(row) = sqlx::query(
            "SELECT c.body, c.held, c.spam, c.hidden, c.guest_name, c.parent_id, p.name AS pseud, \
             ch.work_id, w.title FROM comments c JOIN chapters ch ON ch.id = c.chapter_id \
             JOIN works w ON w.id = ch.work_id LEFT JOIN pseuds p ON p.id = c.pseud_id \
             WHERE c.id = $1",
        )
        .bind(comment)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(());
        };
        if row.try_get::<i64, _>("spam")? != 0 || row.try_get::<i64, _>("hidden")? != 0 {
            return Ok(());
        }
        let held = row.try_get::<i64, _>("held")? != 0;
        let work: WorkId = row.try_get("work_id")?;
        let title: String = row.try_get("title")?;
        let actor = match row.try_get::<Option<String>, _>("pseud")? {
            Some(name) => name,
            None => row
                .try_get::<Option<String>, _>("guest_name")?
                .unwrap_or_default(),
        };
        let notice = Notice {
            actor,
            title,
            excerpt: excerpt_of(row.try_get("body")?),
            link: format!("/works/{work}#comment_{comment}"),
        };
        // A comment waiting for approval goes to the creators, who approve
        // it, and to nobody else until then.
        let mut creators = self.creator_accounts(work, &plan.actors).await?;
        if let (Some(parent), false) = (row.try_get::<Option<i64>, _>("parent_id")?, held) {
            let writer = self.comment_context(parent).await?.writer;
            if let Some(writer) = writer.filter(|w| !plan.actors.contains(w)) {
                if !self
                    .kept_from(&[writer], &plan.actors)
                    .await?
                    .contains(&writer)
                {
                    // A creator replied to is told once, of the reply.
                    creators.retain(|user| *user != writer);
                    plan.groups.push(NoticeGroup {
                        kind: NoticeKind::Reply,
                        notice: notice.clone(),
                        work: Some(work),
                        comment: Some(comment),
                        recipients: vec![writer],
                    });
                }
            }
        }
        if !approved {
            plan.groups.push(NoticeGroup {
                kind: NoticeKind::Comment,
                notice,
                work: Some(work),
                comment: Some(comment),
                recipients: creators,
            });
        }
        Ok(())
    }

    /// Delivers a planned event: its notices into inboxes, email (when
    /// `mail`: the archive sends email) into the outbox for those who want
    /// it at once or in a digest, and the event marked delivered, in one
    /// transaction. `false` when another worker (on another node)
    /// delivered it first: nothing is written twice.
    pub async fn deliver_event(&self, plan: &PlannedEvent, mail: bool) -> Result<bool> {
        let at = now();
        let mut tx = self.write().await?;
        let claimed = sqlx::query(
            "UPDATE events SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL",
        )
        .bind(at)
        .bind(plan.event)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        for group in &plan.groups {
            for &user in &group.recipients {
                let delivery = if mail {
                    mail_delivery_in(&mut tx, user, group.kind).await?
                } else {
                    Delivery::Off
                };
                let digest = i64::from(delivery == Delivery::Digest);
                let gathered = if group.kind == NoticeKind::Kudos {
                    sqlx::query(
                        "UPDATE inbox_items SET count = count + 1, actor = $1, created_at = $2, \
                         digest_pending = $3 WHERE user_id = $4 AND kind = 'kudos' AND work_id = $5 AND unread = 1",
                    )
                    .bind(&group.notice.actor)
                    .bind(at)
                    .bind(digest)
                    .bind(user)
                    .bind(group.work)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        > 0
                } else {
                    false
                };
                if !gathered {
                    sqlx::query(
                        "INSERT INTO inbox_items (user_id, event_id, kind, work_id, comment_id, actor, actor_id, \
                         title, excerpt, link, digest_pending, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(user)
                    .bind(plan.event)
                    .bind(group.kind.name())
                    .bind(group.work)
                    .bind(group.comment)
                    .bind(&group.notice.actor)
                    .bind(plan.actors.first().copied())
                    .bind(&group.notice.title)
                    .bind(&group.notice.excerpt)
                    .bind(&group.notice.link)
                    .bind(digest)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                if delivery == Delivery::Now {
                    let content = MailContent::Notices {
                        digest: false,
                        notices: vec![(group.kind, group.notice.clone())],
                    };
                    let key = format!("event-{}-{user}", plan.event);
                    queue_mail_in(&mut tx, &key, user, None, &content).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Delivers an event to everyone it concerns, blocks applied, mutes
    /// not: for the archive's own tests and tools; the site applies its
    /// readers' mute lists between planning and delivering.
    pub async fn deliver_waiting_events(&self, mail: bool) -> Result<usize> {
        let mut delivered = 0;
        for event in self.waiting_events(500).await? {
            let plan = self.plan_event(&event).await?;
            if self.deliver_event(&plan, mail).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    /// A reader's notices, newest first.
    pub async fn inbox(&self, user: UserId, filter: &InboxFilter) -> Result<Vec<InboxItem>> {
        let limit = filter.limit.clamp(1, INBOX_PAGE_LIMIT);
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE user_id = $1 AND ($2 = '' OR kind = $2) \
             AND ($3 = 0 OR unread = 1) AND id < $4 ORDER BY id DESC LIMIT $5"
        ))
        .bind(user)
        .bind(filter.kind.map_or("", NoticeKind::name))
        .bind(i64::from(filter.unread_only))
        .bind(filter.before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_of_row).collect()
    }

    /// One of a reader's notices; `None` for anyone else's.
    pub async fn notice(&self, user: UserId, id: i64) -> Result<Option<InboxItem>> {
        sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(item_of_row)
        .transpose()
    }

    /// How many of a reader's notices are unread.
    pub async fn unread_count(&self, user: UserId) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS unread FROM inbox_items WHERE user_id = $1 AND unread = 1",
        )
        .bind(user)
        .fetch_one(&self.pool)
        .await?
        .try_get("unread")?)
    }

    /// Marks a reader's notices read (or unread again); others' are left
    /// as they are. Returns how many changed.
    pub async fn mark_read(&self, user: UserId, items: &[i64], read: bool) -> Result<u64> {
        let mut changed = 0;
        let mut tx = self.write().await?;
        for &item in items {
            changed +=
                sqlx::query("UPDATE inbox_items SET unread = $1 WHERE id = $2 AND user_id = $3")
                    .bind(i64::from(!read))
                    .bind(item)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Marks every one of a reader's notices read.
    pub async fn mark_all_read(&self, user: UserId) -> Result<()> {
        sqlx::query("UPDATE inbox_items SET unread = 0 WHERE user_id = $1 AND unread = 1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes a reader's notices; others' are left. Returns how many went.
    pub async fn delete_notices(&self, user: UserId, items: &[i64]) -> Result<u64> {
        let mut deleted = 0;
        let mut tx = self.write().await?;
        for &item in items {
            deleted += sqlx::query("DELETE FROM inbox_items WHERE id = $1 AND user_id = $2")
                .bind(item)
                .bind(user)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// How each kind of notice reaches a reader by email.
    pub async fn mail_settings(&self, user: UserId) -> Result<Vec<(NoticeKind, Delivery)>> {
        let rows = sqlx::query("SELECT kind, delivery FROM mail_settings WHERE user_id = $1")
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        let mut chosen = Vec::new();
        for row in rows {
            let kind = NoticeKind::from_name(&row.try_get::<String, _>("kind")?);
            let delivery = Delivery::from_name(&row.try_get::<String, _>("delivery")?);
            if let (Some(kind), Some(delivery)) = (kind, delivery) {
                chosen.push((kind, delivery));
            }
        }
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|kind| {
                let delivery = chosen
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(kind.default_delivery(), |(_, d)| *d);
                (kind, delivery)
            })
            .collect())
    }

    pub async fn set_mail_delivery(
        &self,
        user: UserId,
        kind: NoticeKind,
        delivery: Delivery,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO mail_settings (user_id, kind, delivery) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery",
        )
        .bind(user)
        .bind(kind.name())
        .bind(delivery.name())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Queues one digest email per reader with notices waiting for it,
    /// gathering them all; `day` names the digest, so queueing a day's
    /// digest twice (two nodes, a restart) sends one.
    /// Returns how many were queued.
    pub async fn queue_digests(&self, day: &str) -> Result<usize> {
        let users: Vec<UserId> = sqlx::query(
            "SELECT DISTINCT user_id FROM inbox_items WHERE digest_pending = 1 ORDER BY user_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get("user_id"))
        .collect::<std::result::Result<_, _>>()?;
        let mut queued = 0;
        for user in users {
            let mut tx = self.write().await?;
            let rows = sqlx::query(&format!(
                "SELECT {ITEM_COLUMNS} FROM inbox_items WHERE user_id = $1 AND digest_pending = 1 ORDER BY id"
            ))
            .bind(user)
            .fetch_all(&mut *tx)
            .await?;
            let items: Vec<InboxItem> = rows.iter().map(item_of_row).collect::<Result<_>>()?;
            if items.is_empty() {
                continue;
            }
            let notices = items
                .into_iter()
                .map(|item| {
                    let mut notice = item.notice;
                    if item.count > 1 {
                        notice.excerpt = format!("{} kudos", item.count);
                    }
                    (item.kind, notice)
                })
                .collect();
            let content = MailContent::Notices {
                digest: true,
                notices,
            };
            let key = format!("digest-{user}-{day}");
            // A digest of this name already went (a restart, another
            // node): what came since waits for the next.
            if !queue_mail_in(&mut tx, &key, user, None, &content).await? {
                continue;
            }
            queued += 1;
            sqlx::query("UPDATE inbox_items SET digest_pending = 0 WHERE user_id = $1 AND digest_pending = 1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(queued)
    }
}

/// How a reader takes one kind of notice by email, read in the delivering
/// transaction.
async fn mail_delivery_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: UserId,
    kind: NoticeKind,
) -> Result<Delivery> {
    let chosen = sqlx::query("SELECT delivery FROM mail_settings WHERE user_id = $1 AND kind = $2")
        .bind(user)
        .bind(kind.name())
        .fetch_optional(&mut **tx)
        .await?
        .map(|row| row.try_get::<String, _>("delivery"))
        .transpose()?;
    Ok(chosen
        .as_deref()
        .and_then(Delivery::from_name)
        .unwrap_or(kind.default_delivery()))
}
