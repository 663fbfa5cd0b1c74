//! Notifications on each backend: who hears of what happens, in their
//! inbox and in the outbox, exactly once; digests; and the account links
//! sent by email (password reset, a new address, a new username).

use quire_archive::comment_controls::{CommentPolicy, CommentSettings};
use quire_archive::model::WorkDraft;
use quire_archive::notifications::{Delivery, InboxFilter, NoticeKind};
use quire_archive::outbox::{MailContent, OutgoingMail};
use quire_archive::{Archive, Commenter, Kudoser, Posting, SubscriptionTarget, User, WorkId};
use sqlx::Connection;

use crate::backends;
use crate::works::{chapter, draft};

async fn post(archive: &Archive, writer: &User, series: Option<&str>) -> WorkId {
    let draft = draft();
    let posting = Posting {
        pseud: writer.default_pseud,
        draft: &draft,
        series,
        co_creators: &[],
        media: None,
    };
    archive.post_as(writer.id, posting).await.unwrap()
}

async fn notices(archive: &Archive, user: &User) -> Vec<(NoticeKind, String)> {
    let filter = InboxFilter {
        limit: 200,
        ..InboxFilter::default()
    };
    archive
        .inbox(user.id, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|item| (item.kind, item.notice.title))
        .collect()
}

/// Everything due in the outbox, claimed (and so not claimable again
/// until the lease runs out).
async fn claim_all(archive: &Archive) -> Vec<OutgoingMail> {
    archive.claim_mail(1_000, 600).await.unwrap()
}

#[tokio::test]
async fn a_subscriber_hears_once_of_each_new_chapter_and_the_writer_not_at_all() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let reader = backends::member(archive, "reader").await;
        let other = backends::member(archive, "other").await;
        let work = post(archive, &writer, None).await;
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(work))
            .await
            .unwrap();
        archive
            .subscribe(writer.id, SubscriptionTarget::Work(work))
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        claim_all(archive).await;
        archive.add_chapter(work, &chapter("Two.")).await.unwrap();
        archive.add_chapter(work, &chapter("Three.")).await.unwrap();
        assert_eq!(
            archive.deliver_waiting_events(true).await.unwrap(),
            2,
            "{}",
            test.name
        );
        assert_eq!(archive.deliver_waiting_events(true).await.unwrap(), 0);
        let heard = notices(archive, &reader).await;
        assert_eq!(
            heard,
            vec![
                (NoticeKind::Chapter, "Ashes, chapter 4".to_string()),
                (NoticeKind::Chapter, "Ashes, chapter 3".to_string()),
            ],
            "{}",
            test.name
        );
        assert!(notices(archive, &writer).await.is_empty(), "{}", test.name);
        assert!(notices(archive, &other).await.is_empty(), "{}", test.name);
        assert_eq!(archive.unread_count(reader.id).await.unwrap(), 2);
        // One message each, at once (the default), to the reader only.
        let mail = claim_all(archive).await;
        assert_eq!(mail.len(), 2, "{}", test.name);
        assert!(mail.iter().all(|m| m.to == "reader@example.org"));
        assert!(claim_all(archive).await.is_empty(), "claimed messages wait");
    }
}

#[tokio::test]
async fn an_event_is_delivered_by_one_worker_only() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let reader = backends::member(archive, "reader").await;
        let work = post(archive, &writer, None).await;
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(work))
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        archive.add_chapter(work, &chapter("Two.")).await.unwrap();
        let event = archive.waiting_events(10).await.unwrap().remove(0);
        let plan = archive.plan_event(&event).await.unwrap();
        // Two nodes planned it; only the first to deliver writes anything.
        let other = archive.clone();
        let plan_again = plan.clone();
        let (first, second) = tokio::join!(
            archive.deliver_event(&plan, true),
            other.deliver_event(&plan_again, true)
        );
        assert!(first.unwrap() ^ second.unwrap(), "{}", test.name);
        assert_eq!(notices(archive, &reader).await.len(), 1, "{}", test.name);
        let mail: Vec<_> = claim_all(archive)
            .await
            .into_iter()
            .filter(|m| m.to == "reader@example.org")
            .collect();
        assert_eq!(mail.len(), 1, "{}", test.name);
    }
}

/// A writer's work with a reader's comment on it, and a fan looking on.
struct Commented {
    writer: User,
    reader: User,
    fan: User,
    work: WorkId,
    chapter: i64,
    comment: i64,
}

async fn commented(archive: &Archive, comment: &str) -> Commented {
    let writer = backends::member(archive, "writer").await;
    let reader = backends::member(archive, "reader").await;
    let fan = backends::member(archive, "fan").await;
    let work = post(archive, &writer, None).await;
    let chapter = archive.work(work).await.unwrap().unwrap().chapters[0].id;
    let comment = archive
        .add_comment(
            chapter,
            &Commenter::Pseud(reader.default_pseud),
            None,
            comment,
        )
        .await
        .unwrap();
    Commented {
        writer,
        reader,
        fan,
        work,
        chapter,
        comment,
    }
}

#[tokio::test]
async fn comments_replies_and_kudos_reach_the_people_they_concern() {
    for test in backends::all().await {
        let archive = &test.archive;
        let Commented {
            writer,
            reader,
            fan,
            work,
            chapter,
            comment,
        } = commented(archive, "I <b>loved</b> this.").await;
        // The writer answers: the reader hears of a reply.
        archive
            .add_comment(
                chapter,
                &Commenter::Pseud(writer.default_pseud),
                Some(comment),
                "Thank you!",
            )
            .await
            .unwrap();
        archive
            .leave_kudos(work, &Kudoser::User(fan.id))
            .await
            .unwrap();
        archive
            .leave_kudos(work, &Kudoser::Guest("a-guest".into()))
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        let filter = InboxFilter {
            limit: 50,
            ..InboxFilter::default()
        };
        let writers = archive.inbox(writer.id, &filter).await.unwrap();
        let kinds: Vec<NoticeKind> = writers.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [NoticeKind::Kudos, NoticeKind::Comment],
            "{}",
            test.name
        );
        assert_eq!(writers[1].notice.excerpt, "I loved this.");
        assert_eq!(writers[1].notice.actor, "reader");
        assert_eq!(writers[1].comment, Some(comment));
        assert_eq!(
            writers[0].count, 2,
            "kudos gather while unread: {}",
            test.name
        );
        assert_eq!(writers[0].notice.actor, "a guest");
        let readers = archive.inbox(reader.id, &filter).await.unwrap();
        assert_eq!(readers.len(), 1, "{}", test.name);
        assert_eq!(readers[0].kind, NoticeKind::Reply);
        assert_eq!(
            readers[0].notice.link,
            format!("/works/{work}#comment_{}", readers[0].comment.unwrap())
        );
        assert!(notices(archive, &fan).await.is_empty());
        // Read, unread, deleted: only the reader's own.
        assert_eq!(
            archive
                .mark_read(fan.id, &[readers[0].id], true)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            archive
                .mark_read(reader.id, &[readers[0].id], true)
                .await
                .unwrap(),
            1
        );
        assert_eq!(archive.unread_count(reader.id).await.unwrap(), 0);
        let unread_only = InboxFilter {
            unread_only: true,
            ..filter.clone()
        };
        assert!(archive
            .inbox(reader.id, &unread_only)
            .await
            .unwrap()
            .is_empty());
        let comments_only = InboxFilter {
            kind: Some(NoticeKind::Comment),
            ..filter.clone()
        };
        assert_eq!(
            archive
                .inbox(writer.id, &comments_only)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            archive
                .delete_notices(fan.id, &[readers[0].id])
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            archive
                .delete_notices(reader.id, &[readers[0].id])
                .await
                .unwrap(),
            1
        );
        assert!(notices(archive, &reader).await.is_empty());
    }
}

#[tokio::test]
async fn a_held_reply_reaches_the_comment_it_answers_once_approved() {
    for test in backends::all().await {
        let archive = &test.archive;
        let Commented {
            writer,
            reader,
            fan,
            work,
            chapter,
            comment,
        } = commented(archive, "Lovely.").await;
        let moderated = CommentSettings {
            policy: CommentPolicy::Everyone,
            moderated: true,
        };
        archive
            .set_comment_settings(work, writer.id, moderated)
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        // A fan answers the reader; the reply waits for the writer.
        let reply = archive
            .add_comment(
                chapter,
                &Commenter::Pseud(fan.default_pseud),
                Some(comment),
                "Agreed!",
            )
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        assert!(notices(archive, &reader).await.is_empty(), "{}", test.name);
        let writers_before = notices(archive, &writer).await.len();
        // Approved, it reaches the reader, once, and the writer (told
        // when it came) hears nothing new.
        archive.approve_comment(reply, writer.id).await.unwrap();
        archive.approve_comment(reply, writer.id).await.unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        let readers = archive
            .inbox(
                reader.id,
                &InboxFilter {
                    limit: 50,
                    ..InboxFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(readers.len(), 1, "{}", test.name);
        assert_eq!(readers[0].kind, NoticeKind::Reply);
        assert_eq!(readers[0].comment, Some(reply));
        assert_eq!(readers[0].notice.actor, "fan");
        assert_eq!(notices(archive, &writer).await.len(), writers_before);
        assert!(notices(archive, &fan).await.is_empty(), "{}", test.name);
    }
}

#[tokio::test]
async fn blocked_people_and_drafts_reach_no_inbox() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let reader = backends::member(archive, "reader").await;
        let work = post(archive, &writer, None).await;
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(work))
            .await
            .unwrap();
        archive.block(reader.id, writer.id).await.unwrap();
        archive.add_chapter(work, &chapter("Two.")).await.unwrap();
        // Blocks are read when an event is delivered, within a second of it.
        archive.deliver_waiting_events(true).await.unwrap();
        // A draft's chapter is news to nobody.
        let mut unposted: WorkDraft = draft();
        unposted.draft = true;
        let posting = Posting {
            pseud: writer.default_pseud,
            draft: &unposted,
            series: None,
            co_creators: &[],
            media: None,
        };
        let hidden = archive.post_as(writer.id, posting).await.unwrap();
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(hidden))
            .await
            .unwrap();
        archive.unblock(reader.id, writer.id).await.unwrap();
        archive
            .add_chapter(hidden, &chapter("Secret."))
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        assert!(notices(archive, &reader).await.is_empty(), "{}", test.name);
    }
}

#[tokio::test]
async fn people_and_series_subscribers_hear_of_new_works() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let fan = backends::member(archive, "fan").await;
        let follower = backends::member(archive, "follower").await;
        post(archive, &writer, Some("Embers")).await;
        archive.deliver_waiting_events(true).await.unwrap();
        let series = archive.series_of_user(writer.id).await.unwrap()[0].0;
        archive
            .subscribe(fan.id, SubscriptionTarget::User(writer.id))
            .await
            .unwrap();
        archive
            .subscribe(follower.id, SubscriptionTarget::Series(series))
            .await
            .unwrap();
        archive
            .subscribe(fan.id, SubscriptionTarget::Series(series))
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        post(archive, &writer, Some("Embers")).await;
        archive.deliver_waiting_events(true).await.unwrap();
        // The fan follows both and hears once, as of a new work.
        assert_eq!(
            notices(archive, &fan).await,
            vec![(NoticeKind::Work, "Ashes".to_string())],
            "{}",
            test.name
        );
        assert_eq!(
            notices(archive, &follower).await,
            vec![(NoticeKind::SeriesPart, "Ashes (in Embers)".to_string())],
            "{}",
            test.name
        );
        let listed = archive.subscriptions(fan.id).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].name, "Embers");
        assert_eq!(listed[1].name, "writer");
    }
}

#[tokio::test]
async fn digests_gather_a_days_notices_in_one_message_once() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let fans = [
            backends::member(archive, "fan1").await,
            backends::member(archive, "fan2").await,
        ];
        let work = post(archive, &writer, None).await;
        let chapter_id = archive.work(work).await.unwrap().unwrap().chapters[0].id;
        archive
            .set_mail_delivery(writer.id, NoticeKind::Comment, Delivery::Digest)
            .await
            .unwrap();
        for fan in &fans {
            // Kudos come by digest unless chosen otherwise.
            archive
                .leave_kudos(work, &Kudoser::User(fan.id))
                .await
                .unwrap();
            archive
                .add_comment(
                    chapter_id,
                    &Commenter::Pseud(fan.default_pseud),
                    None,
                    "More please.",
                )
                .await
                .unwrap();
        }
        archive.deliver_waiting_events(true).await.unwrap();
        assert!(
            claim_all(archive).await.is_empty(),
            "{}: nothing at once",
            test.name
        );
        assert_eq!(
            archive.queue_digests("20000").await.unwrap(),
            1,
            "{}",
            test.name
        );
        assert_eq!(
            archive.queue_digests("20000").await.unwrap(),
            0,
            "{}",
            test.name
        );
        let mail = claim_all(archive).await;
        assert_eq!(mail.len(), 1, "{}", test.name);
        let MailContent::Notices { digest, notices } = &mail[0].content else {
            panic!("{}: a digest of notices", test.name);
        };
        assert!(digest);
        let kinds: Vec<NoticeKind> = notices.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [NoticeKind::Kudos, NoticeKind::Comment, NoticeKind::Comment],
            "{}",
            test.name
        );
        assert_eq!(notices[0].1.excerpt, "2 kudos");
        // What comes after waits for the next day's digest; a restart that
        // asks for today's again sends nothing more.
        archive
            .add_comment(
                chapter_id,
                &Commenter::Pseud(fans[0].default_pseud),
                None,
                "Again!",
            )
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        assert_eq!(archive.queue_digests("20000").await.unwrap(), 0);
        assert_eq!(archive.queue_digests("20001").await.unwrap(), 1);
        // Off: in the inbox, never in the outbox.
        archive
            .set_mail_delivery(writer.id, NoticeKind::Comment, Delivery::Off)
            .await
            .unwrap();
        archive
            .add_comment(
                chapter_id,
                &Commenter::Pseud(fans[1].default_pseud),
                None,
                "Quietly.",
            )
            .await
            .unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        assert_eq!(archive.queue_digests("20002").await.unwrap(), 0);
        claim_all(archive).await;
        assert!(claim_all(archive).await.is_empty());
        let settings = archive.mail_settings(writer.id).await.unwrap();
        assert!(settings.contains(&(NoticeKind::Comment, Delivery::Off)));
        assert!(settings.contains(&(NoticeKind::Chapter, Delivery::Now)));
    }
}

#[tokio::test]
async fn failed_mail_is_tried_again_later_and_sent_mail_never_again() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let reader = backends::member(archive, "reader").await;
        let work = post(archive, &writer, None).await;
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(work))
            .await
            .unwrap();
        archive.add_chapter(work, &chapter("Two.")).await.unwrap();
        archive.deliver_waiting_events(true).await.unwrap();
        let mail = claim_all(archive).await;
        assert_eq!(mail.len(), 1, "{}", test.name);
        archive
            .mail_failed(mail[0].id, "the server is away", false)
            .await
            .unwrap();
        // Backed off: not due again for a while.
        assert!(claim_all(archive).await.is_empty(), "{}", test.name);
        let counts = archive.outbox_counts().await.unwrap();
        assert_eq!((counts.waiting, counts.sent, counts.failed), (1, 0, 0));
        archive.mail_sent(mail[0].id).await.unwrap();
        let counts = archive.outbox_counts().await.unwrap();
        assert_eq!((counts.waiting, counts.sent, counts.failed), (0, 1, 0));
        assert_eq!(quire_archive::outbox::backoff(1), 30);
        assert_eq!(quire_archive::outbox::backoff(2), 60);
        assert_eq!(quire_archive::outbox::backoff(40), 6 * 3600);
    }
}

fn reset_token(mail: &[OutgoingMail]) -> String {
    mail.iter()
        .find_map(|m| match &m.content {
            MailContent::PasswordReset { token, .. } => Some(token.clone()),
            _ => None,
        })
        .expect("a reset link was queued")
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_session() {
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "forgetful").await;
        let session = archive.start_session(user.id).await.unwrap();
        // Nobody has this address: nothing is sent, and no error says so.
        archive
            .request_password_reset("nobody@example.org")
            .await
            .unwrap();
        assert!(claim_all(archive).await.is_empty(), "{}", test.name);
        archive
            .request_password_reset("FORGETFUL@example.org")
            .await
            .unwrap();
        let mail = claim_all(archive).await;
        assert_eq!(mail.len(), 1, "{}", test.name);
        assert_eq!(mail[0].to, "forgetful@example.org");
        let token = reset_token(&mail);
        assert!(archive.reset_link_works(&token).await.unwrap());
        // Too short a password leaves the link working.
        assert!(archive.reset_password_with(&token, "short").await.is_err());
        let back = archive
            .reset_password_with(&token, "a new long password")
            .await
            .unwrap();
        assert_eq!(back.id, user.id);
        assert!(
            archive.session(&session.token).await.unwrap().is_none(),
            "{}",
            test.name
        );
        assert!(archive
            .authenticate("forgetful", "a new long password")
            .await
            .unwrap()
            .is_some());
        let again = archive
            .reset_password_with(&token, "yet another password")
            .await;
        assert!(again.is_err(), "{}: a link works once", test.name);
        assert!(!archive.reset_link_works(&token).await.unwrap());
        assert!(!archive.reset_link_works(&"0".repeat(64)).await.unwrap());
        // An hour later a link no longer works.
        archive.request_password_reset("forgetful").await.unwrap();
        let late = reset_token(&claim_all(archive).await);
        sqlx::any::install_default_drivers();
        let mut raw = sqlx::AnyConnection::connect(test.url.as_deref().expect("an address"))
            .await
            .unwrap();
        sqlx::query("UPDATE account_tokens SET expires_at = expires_at - 3601")
            .execute(&mut raw)
            .await
            .unwrap();
        assert!(
            !archive.reset_link_works(&late).await.unwrap(),
            "{}",
            test.name
        );
        assert!(archive
            .reset_password_with(&late, "too late a password")
            .await
            .is_err());
        // At most three links open at once.
        for _ in 0..5 {
            archive.request_password_reset("forgetful").await.unwrap();
        }
        assert_eq!(claim_all(archive).await.len(), 3, "{}", test.name);
    }
}

#[tokio::test]
async fn a_new_address_is_confirmed_from_itself_and_the_old_one_is_told() {
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "mover").await;
        assert!(archive
            .request_email_change(user.id, "wrong password", "new@example.org")
            .await
            .is_err());
        archive
            .request_email_change(user.id, "long enough", "new@example.org")
            .await
            .unwrap();
        let mail = claim_all(archive).await;
        assert_eq!(mail.len(), 1, "{}", test.name);
        assert_eq!(mail[0].to, "new@example.org");
        let MailContent::ConfirmEmail { token, .. } = &mail[0].content else {
            panic!("{}: a confirmation link", test.name);
        };
        assert_eq!(
            archive.user_by_id(user.id).await.unwrap().email,
            "mover@example.org"
        );
        let changed = archive.confirm_email_change(token).await.unwrap();
        assert_eq!(changed.email, "new@example.org");
        assert!(archive.confirm_email_change(token).await.is_err(), "once");
        let notice = claim_all(archive).await;
        assert_eq!(notice.len(), 1, "{}", test.name);
        assert_eq!(notice[0].to, "mover@example.org");
        assert!(matches!(
            notice[0].content,
            MailContent::EmailChanged { .. }
        ));
        // Each ask mails an address of the asker's choosing: three open at once.
        for n in 0..3 {
            let address = format!("try{n}@example.org");
            archive
                .request_email_change(user.id, "long enough", &address)
                .await
                .unwrap();
        }
        let fourth = archive
            .request_email_change(user.id, "long enough", "fourth@example.org")
            .await;
        assert!(fourth.is_err(), "{}", test.name);
    }
}

#[tokio::test]
async fn a_new_username_keeps_the_old_one_leading_to_it() {
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "oldname").await;
        let work = post(archive, &user, None).await;
        assert!(archive
            .change_login(user.id, "wrong", "newname")
            .await
            .is_err());
        backends::member(archive, "taken").await;
        assert!(archive
            .change_login(user.id, "long enough", "taken")
            .await
            .is_err());
        archive
            .change_login(user.id, "long enough", "newname")
            .await
            .unwrap();
        assert_eq!(archive.user_id_of("newname").await.unwrap(), Some(user.id));
        assert_eq!(archive.user_id_of("oldname").await.unwrap(), None);
        assert_eq!(
            archive.login_now("OldName").await.unwrap().as_deref(),
            Some("newname"),
            "{}",
            test.name
        );
        // The default pseud follows, so bylines do.
        assert_eq!(archive.pseuds_of("newname").await.unwrap(), ["newname"]);
        assert_eq!(
            archive.work(work).await.unwrap().unwrap().creators,
            ["newname"]
        );
        // Nobody else can take the old name.
        let taken = archive
            .add_user(
                "oldname",
                "x@example.org",
                "long enough",
                Default::default(),
            )
            .await;
        assert!(taken.is_err(), "{}", test.name);
        // Its owner can take it back.
        archive
            .change_login(user.id, "long enough", "oldname")
            .await
            .unwrap();
        assert_eq!(archive.login_now("oldname").await.unwrap(), None);
        assert_eq!(
            archive.login_now("newname").await.unwrap().as_deref(),
            Some("oldname")
        );
    }
}
