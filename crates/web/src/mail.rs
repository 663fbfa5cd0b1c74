//! Email: the worker that delivers the archive's events to inboxes (each
//! reader's mute list applied) and hands the outbox to the operator's SMTP
//! server, and the messages it writes — a plain-text and an HTML part,
//! with a link that unsubscribes without signing in.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quire_archive::notifications::{NoticeKind, PlannedEvent};
use quire_archive::outbox::{MailContent, OutgoingMail};
use quire_archive::{Archive, ArchiveError, UserId};

use crate::settings::ReaderSettings;
use crate::signing::Signer;

/// How the archive sends email, as `quire serve` takes it.
#[derive(Debug, Clone, clap::Args)]
pub struct MailSettings {
    /// The SMTP server email goes through: smtp://HOST:PORT (no TLS, for a
    /// server on this machine), smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS) or smtps://USER:PASSWORD@HOST:465. Without one the
    /// archive sends no email: notices reach readers' inboxes only.
    #[arg(long = "smtp-url", env = "QUIRE_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// The address email comes from (default: noreply@ the host of
    /// --public-url).
    #[arg(long = "mail-from", env = "QUIRE_MAIL_FROM", value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Seconds between digest emails: a day, unless a test needs less.
    #[arg(long = "digest-seconds", env = "QUIRE_DIGEST_SECONDS", default_value_t = DIGEST_SECONDS, hide = true)]
    pub digest_seconds: i64,
}

/// Digests go once a day, at midnight UTC.
pub const DIGEST_SECONDS: i64 = 86_400;

/// Why email can't be set up as given.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("--smtp-url: {0}. It looks like smtp://HOST:PORT, or smtps://USER:PASSWORD@HOST:465.")]
    SmtpUrl(String),
    #[error("--mail-from: {0}. It looks like noreply@example.org, or \"Our archive <noreply@example.org>\".")]
    From(String),
}

/// The messages in flight at once: enough to keep an SMTP server busy,
/// few enough not to be taken for a flood.
const SEND_BATCH: i64 = 50;
/// Messages handed to the SMTP server at once, each on its own connection.
const SENDING_AT_ONCE: usize = 8;
/// Seconds a worker holds a message while it sends it.
const SEND_LEASE: i64 = 120;

pub(crate) struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    public_url: String,
    host: String,
    unsubscribe: Signer,
    digest_seconds: i64,
    wake: tokio::sync::Notify,
}

/// What an unsubscribe link's signature signs: one person, one kind.
fn unsubscribing(user: UserId, kind: &str) -> String {
    format!("unsubscribe:{user}:{kind}")
}

fn signed_path(signer: &Signer, user: UserId, kind: Option<NoticeKind>) -> String {
    let kind = kind.map_or("all", NoticeKind::name);
    let signature = signer.sign(&unsubscribing(user, kind));
    format!("/unsubscribe/{user}/{kind}/{signature}")
}

/// The unsubscribe address for one person and kind of email (`None`: all),
/// signed with the archive's `unsubscribe-key` secret.
pub fn unsubscribe_path(secret: &[u8], user: UserId, kind: Option<NoticeKind>) -> String {
    signed_path(&Signer::new(secret), user, kind)
}

impl Mailer {
    pub fn new(
        settings: &MailSettings,
        public_url: &str,
        unsubscribe_key: &[u8],
    ) -> Result<Mailer, MailError> {
        let host = url::Url::parse(public_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".to_string());
        // Already chosen (by this or an earlier start) is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = match &settings.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            None => None,
        };
        let from = match &settings.from {
            Some(from) => from
                .parse::<Mailbox>()
                .map_err(|e| MailError::From(e.to_string()))?,
            None => {
                // A host with no dot (localhost) makes no deliverable
                // address, but a local test server takes it.
                format!("quire <noreply@{host}>")
                    .parse::<Mailbox>()
                    .map_err(|e| MailError::From(e.to_string()))?
            }
        };
        Ok(Mailer {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_string(),
            host,
            unsubscribe: Signer::new(unsubscribe_key),
            digest_seconds: settings.digest_seconds.max(1),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Whether this archive sends email at all.
    pub fn sends_mail(&self) -> bool {
        self.transport.is_some()
    }

    /// Something was written that the worker should deliver now rather
    /// than at its next look.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The address that stops one kind of email (or all, for a digest)
    /// without signing in.
    pub fn unsubscribe_path(&self, user: UserId, kind: Option<NoticeKind>) -> String {
        signed_path(&self.unsubscribe, user, kind)
    }

    /// Did this archive sign this unsubscribe link? Compared in constant
    /// time.
    pub fn verify(&self, user: UserId, kind: &str, signature: &str) -> bool {
        self.unsubscribe
            .verify(&unsubscribing(user, kind), signature)
    }

    /// A message as the SMTP server gets it.
    fn compose(&self, mail: &OutgoingMail) -> Result<Message, String> {
        let to: Mailbox = mail.to.parse().map_err(|e| format!("the address: {e}"))?;
        let login = mail.login.clone().unwrap_or_default();
        let unsubscribe = match (&mail.content, mail.user) {
            (MailContent::Notices { digest, notices }, Some(user)) => {
                let kind = match (digest, notices.as_slice()) {
                    (false, [(kind, _)]) => Some(*kind),
                    _ => None,
                };
                Some(format!(
                    "{}{}",
                    self.public_url,
                    self.unsubscribe_path(user, kind)
                ))
            }
            _ => None,
        };
        let view = MailView::of(&mail.content, &login, &self.public_url, unsubscribe.clone());
        let text = MailText { mail: &view }
            .render()
            .map_err(|e| e.to_string())?;
        let html = MailHtml { mail: &view }
            .render()
            .map_err(|e| e.to_string())?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(view.subject.clone())
            .message_id(Some(format!("<{}@{}>", mail.key, self.host)))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| e.to_string())?;
        if let Some(link) = unsubscribe {
            let headers = message.headers_mut();
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ));
            // RFC 8058: mail programs may unsubscribe with one POST.
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ));
        }
        Ok(message)
    }
}

/// One line of a message: what happened, a quote, and where to see it.
pub(crate) struct MailLine {
    pub summary: String,
    pub excerpt: String,
    pub url: String,
}

/// A message's words, for its plain-text and HTML parts alike.
pub(crate) struct MailView {
    pub subject: String,
    pub greeting: String,
    pub intro: String,
    pub lines: Vec<MailLine>,
    /// A button's words and address (a reset or confirmation link).
    pub action: Option<(String, String)>,
    pub outro: String,
    pub settings_url: String,
    pub unsubscribe_url: Option<String>,
}

/// What a notice says, in a sentence.
pub(crate) fn summary(kind: NoticeKind, actor: &str, title: &str) -> String {
    match kind {
        NoticeKind::Comment => format!("{actor} commented on {title}"),
        NoticeKind::Reply => format!("{actor} replied to your comment on {title}"),
        NoticeKind::Invitation => format!("{actor} invited you to be a co-creator of {title}"),
        NoticeKind::Kudos => format!("{actor} left kudos on {title}"),
        NoticeKind::Chapter => format!("New chapter: {title}"),
        NoticeKind::Work => format!("New work by {actor}: {title}"),
        NoticeKind::SeriesPart => format!("New in a series: {title}"),
    }
}

impl MailView {
    fn of(content: &MailContent, login: &str, site: &str, unsubscribe: Option<String>) -> MailView {
        let mut view = MailView {
            subject: String::new(),
            greeting: format!("Hello {login},"),
            intro: String::new(),
            lines: Vec::new(),
            action: None,
            outro: String::new(),
            settings_url: format!("{site}/preferences#email"),
            unsubscribe_url: unsubscribe,
        };
        match content {
            MailContent::Notices { digest, notices } => {
                view.lines = notices
                    .iter()
                    .map(|(kind, notice)| MailLine {
                        summary: summary(*kind, &notice.actor, &notice.title),
                        excerpt: notice.excerpt.clone(),
                        url: format!("{site}{}", notice.link),
                    })
                    .collect();
                match (digest, notices.as_slice()) {
                    (false, [(kind, notice)]) => {
                        view.subject = summary(*kind, &notice.actor, &notice.title);
                    }
                    _ => {
                        view.subject = format!(
                            "Your day on the archive: {} notice{}",
                            notices.len(),
                            if notices.len() == 1 { "" } else { "s" }
                        );
                        view.intro = "Here is what happened since your last digest.".into();
                    }
                }
                view.outro = format!("Everything is also in your inbox: {site}/inbox");
            }
            MailContent::PasswordReset { token, .. } => {
                view.subject = "A link to set a new password".into();
                view.intro = "Someone (we hope you) asked for a new password for this account. The link works once, for an hour.".into();
                view.action = Some((
                    "Set a new password".into(),
                    format!("{site}/password/reset/{token}"),
                ));
                view.outro =
                    "If you didn't ask, you can ignore this email: your password stays as it is."
                        .into();
            }
            MailContent::ConfirmEmail {
                token, new_email, ..
            } => {
                view.subject = "Please confirm your new email address".into();
                view.intro = format!(
                    "You asked to use {new_email} for your account. The change is made when you follow this link, within a day."
                );
                view.action = Some((
                    "Confirm this address".into(),
                    format!("{site}/account/email/{token}"),
                ));
                view.outro = "If you didn't ask, ignore this email and nothing changes.".into();
            }
            MailContent::EmailChanged { new_email, .. } => {
                view.subject = "Your account's email address changed".into();
                view.intro = format!(
                    "Your account's email address is now {new_email}; this address gets no more email from the archive."
                );
                view.outro = format!(
                    "If you didn't make this change, set a new password at {site}/password/forgot and write to the archive's volunteers."
                );
            }
        }
        view
    }
}

#[derive(Template)]
#[template(path = "mail.txt")]
struct MailText<'a> {
    mail: &'a MailView,
}

#[derive(Template)]
#[template(path = "mail_part.html")]
struct MailHtml<'a> {
    mail: &'a MailView,
}

/// Keeps the people who muted an event's actors from hearing of it.
async fn without_muters(archive: &Archive, plan: &mut PlannedEvent) -> Result<(), ArchiveError> {
    if plan.actor_logins.is_empty() {
        return Ok(());
    }
    let actors: Vec<String> = plan
        .actor_logins
        .iter()
        .map(|login| quire_archive::model::tag_key(login))
        .collect();
    for group in &mut plan.groups {
        let mut kept = Vec::with_capacity(group.recipients.len());
        for &user in &group.recipients {
            let settings = archive
                .preferences(user)
                .await?
                .map(|json| ReaderSettings::from_json(&json))
                .unwrap_or_default();
            let muted = settings
                .mute_people
                .iter()
                .any(|login| actors.contains(&quire_archive::model::tag_key(login)));
            if !muted {
                kept.push(user);
            }
        }
        group.recipients = kept;
    }
    Ok(())
}

/// Delivers every waiting event; how many were.
pub(crate) async fn deliver_events(archive: &Archive, mail: bool) -> Result<usize, ArchiveError> {
    let mut delivered = 0;
    loop {
        let events = archive.waiting_events(100).await?;
        if events.is_empty() {
            return Ok(delivered);
        }
        for event in events {
            let mut plan = archive.plan_event(&event).await?;
            without_muters(archive, &mut plan).await?;
            if archive.deliver_event(&plan, mail).await? {
                delivered += 1;
            }
        }
    }
}

/// What a round of sending came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sending {
    /// Everything due was handed over (or set aside, or put off).
    Done,
    /// The SMTP server couldn't be reached: nothing more is tried until
    /// the worker's own backoff has passed.
    ServerAway,
}

/// Hands every due message to the SMTP server, a few at once: each
/// message waits on the server's answers, so one connection at a time
/// leaves the server idle most of the while.
async fn send_due(archive: &Archive, mailer: &Mailer) -> Result<Sending, ArchiveError> {
    let Some(transport) = &mailer.transport else {
        return Ok(Sending::Done);
    };
    loop {
        let batch = archive.claim_mail(SEND_BATCH, SEND_LEASE).await?;
        if batch.is_empty() {
            return Ok(Sending::Done);
        }
        let mut away = false;
        for chunk in batch.chunks(SENDING_AT_ONCE) {
            let mut sending = tokio::task::JoinSet::new();
            for mail in chunk {
                if away {
                    archive.release_mail(mail.id).await?;
                    continue;
                }
                match mailer.compose(mail) {
                    Ok(message) => {
                        let transport = transport.clone();
                        let id = mail.id;
                        sending.spawn(async move { (id, transport.send(message).await) });
                    }
                    Err(problem) => {
                        tracing::warn!(message = mail.id, %problem, "email could not be written; set aside");
                        archive.mail_failed(mail.id, &problem, true).await?;
                    }
                }
            }
            // A send that panicked stays claimed; its lease runs out and
            // it is tried again.
            while let Some(joined) = sending.join_next().await {
                let Ok((id, result)) = joined else { continue };
                match result {
                    Ok(_) => archive.mail_sent(id).await?,
                    // The server refused this message, for good (5xx) or
                    // for now (4xx): it alone is set aside or put off.
                    Err(err) if err.is_permanent() || err.is_transient() => {
                        tracing::warn!(message = id, error = %err, "the SMTP server refused an email");
                        archive
                            .mail_failed(id, &err.to_string(), err.is_permanent())
                            .await?;
                    }
                    // The server is away: no message is to blame, so none
                    // is charged an attempt; all wait for it to be back.
                    Err(err) => {
                        if !away {
                            tracing::warn!(error = %err, "the SMTP server can't be reached; email waits");
                        }
                        away = true;
                        archive.release_mail(id).await?;
                    }
                }
            }
        }
        if away {
            return Ok(Sending::ServerAway);
        }
    }
}

/// Runs until the site stops: delivers events as they come (woken by this
/// node's writes, and looking every second for other nodes'), sends the
/// outbox, and queues digests once per digest period.
pub(crate) fn spawn_worker(archive: Archive, mailer: Arc<Mailer>) -> tokio::task::JoinHandle<()> {
    if !mailer.sends_mail() {
        tracing::info!("no --smtp-url: notices go to readers' inboxes, and no email is sent");
    }
    tokio::spawn(async move {
        let mut digested: Option<i64> = None;
        // While the SMTP server is away, tries come 1, 2, 4 … 60 s apart.
        let mut away_for = 0u32;
        let mut next_send = tokio::time::Instant::now();
        loop {
            if let Err(err) = deliver_events(&archive, mailer.sends_mail()).await {
                tracing::error!(error = %err, "delivering notices");
            }
            if mailer.sends_mail() {
                let period = quire_archive::now_seconds() / mailer.digest_seconds;
                if digested != Some(period) {
                    // Named by the period just ended: one digest each,
                    // however many nodes or restarts ask.
                    match archive.queue_digests(&(period - 1).to_string()).await {
                        Ok(_) => digested = Some(period),
                        Err(err) => tracing::error!(error = %err, "queueing digests"),
                    }
                }
                if tokio::time::Instant::now() >= next_send {
                    match send_due(&archive, &mailer).await {
                        Ok(Sending::Done) => away_for = 0,
                        Ok(Sending::ServerAway) => {
                            let wait = (1u64 << away_for.min(6)).min(60);
                            away_for += 1;
                            next_send = tokio::time::Instant::now() + Duration::from_secs(wait);
                        }
                        Err(err) => tracing::error!(error = %err, "sending email"),
                    }
                }
            }
            tokio::select! {
                _ = mailer.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_settings() -> MailSettings {
        MailSettings {
            smtp_url: None,
            from: None,
            digest_seconds: DIGEST_SECONDS,
        }
    }

    fn mailer() -> Mailer {
        Mailer::new(&test_settings(), "https://archive.example/", b"key").unwrap()
    }

    #[test]
    fn unsubscribe_links_are_signed_for_one_person_and_kind() {
        let mailer = mailer();
        let path = mailer.unsubscribe_path(7, Some(NoticeKind::Chapter));
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts[..4], ["", "unsubscribe", "7", "chapter"]);
        assert!(mailer.verify(7, "chapter", parts[4]));
        assert!(!mailer.verify(8, "chapter", parts[4]), "another person");
        assert!(!mailer.verify(7, "all", parts[4]), "another kind");
        assert!(!mailer.verify(7, "chapter", &parts[4][..31]));
        assert!(!mailer.verify(7, "chapter", &"0".repeat(32)));
        assert!(!mailer.verify(7, "chapter", "zz"));
        let other = Mailer::new(&test_settings(), "https://archive.example/", b"other").unwrap();
        assert!(!other.verify(7, "chapter", parts[4]), "another archive");
    }

    #[test]
    fn the_sender_defaults_to_the_public_host() {
        assert_eq!(mailer().from.email.to_string(), "noreply@archive.example");
        let bad = MailSettings {
            from: Some("not an address".into()),
            ..test_settings()
        };
        assert!(matches!(
            Mailer::new(&bad, "https://archive.example", b"k"),
            Err(MailError::From(_))
        ));
        let bad = MailSettings {
            smtp_url: Some("ftp://nope".into()),
            ..test_settings()
        };
        assert!(matches!(
            Mailer::new(&bad, "https://archive.example", b"k"),
            Err(MailError::SmtpUrl(_))
        ));
    }
}
