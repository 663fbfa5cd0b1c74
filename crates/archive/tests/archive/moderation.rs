//! Reports, hidden works, suspended accounts and co-creator invitations,
//! on each backend.

use quire_archive::moderation::ReportTarget;
use quire_archive::search::{SearchIndex, SearchRequest};
use quire_archive::{ArchiveError, Commenter, Roles, Viewer};

use crate::backends;
use crate::works::draft;

async fn admin(archive: &quire_archive::Archive) -> quire_archive::User {
    archive
        .add_user(
            "admin",
            "admin@example.org",
            "long enough",
            Roles {
                wrangler: false,
                admin: true,
            },
        )
        .await
        .expect("an admin account")
}

#[tokio::test]
async fn reports_wait_in_the_queue_until_an_admin_resolves_them() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let admin = admin(archive).await;
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(work).await.unwrap().unwrap().chapters[0].id;
        let comment = archive
            .add_comment(
                chapter,
                &Commenter::Pseud(reader.default_pseud),
                None,
                "You are awful.",
            )
            .await
            .unwrap();

        let on_work = archive
            .report(
                ReportTarget::Work(work),
                None,
                "warnings",
                "  Major character death happens but the summary hides it.  ",
            )
            .await
            .unwrap();
        let on_comment = archive
            .report(
                ReportTarget::Comment(comment),
                Some(author.id),
                "harassment",
                "This reader follows me around.",
            )
            .await
            .unwrap();

        // What a report must have.
        for (reason, details) in [("rudeness", "why"), ("other", "   ")] {
            assert!(
                matches!(
                    archive
                        .report(ReportTarget::Work(work), None, reason, details)
                        .await,
                    Err(ArchiveError::Rejected { .. })
                ),
                "{}: {reason:?} {details:?}",
                test.name
            );
        }
        let long = "x".repeat(quire_archive::moderation::MAX_REPORT_DETAILS + 1);
        assert!(archive
            .report(ReportTarget::Work(work), None, "other", &long)
            .await
            .is_err());
        assert!(matches!(
            archive
                .report(ReportTarget::Comment(comment + 100), None, "spam", "Ads.")
                .await,
            Err(ArchiveError::Missing(_))
        ));

        let queue = archive.open_reports(50).await.unwrap();
        assert_eq!(
            queue.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![on_work, on_comment],
            "{}",
            test.name
        );
        assert_eq!(queue[0].target, ReportTarget::Work(work));
        assert_eq!(queue[0].work, Some(work));
        assert_eq!(queue[0].work_title.as_deref(), Some("Ashes"));
        assert_eq!(queue[0].accountable, vec!["author".to_string()]);
        assert_eq!(queue[0].reporter, None);
        assert_eq!(
            queue[0].details,
            "Major character death happens but the summary hides it."
        );
        assert_eq!(queue[1].target, ReportTarget::Comment(comment));
        assert_eq!(queue[1].work, Some(work), "a comment report names its work");
        assert_eq!(
            queue[1].comment_body.as_ref().map(|b| b.text()).as_deref(),
            Some("You are awful.")
        );
        assert_eq!(queue[1].accountable, vec!["reader".to_string()]);
        assert_eq!(queue[1].reporter.as_deref(), Some("author"));

        archive
            .resolve_report(on_work, admin.id, "Asked the author to add the warning.")
            .await
            .unwrap();
        assert!(
            archive
                .resolve_report(on_work, admin.id, "again")
                .await
                .is_err(),
            "a resolved report can't be resolved twice"
        );
        let queue = archive.open_reports(50).await.unwrap();
        assert_eq!(
            queue.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![on_comment]
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_hidden_work_is_seen_by_its_creators_and_admins_only() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let admin = admin(archive).await;
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let dir = backends::scratch_dir("quire-moderation-index");
        let index = SearchIndex::open(archive.clone(), &dir).await.unwrap();
        index.catch_up().await.unwrap();
        let listed = || index.search(&SearchRequest::new(), true).unwrap().total;
        assert_eq!(listed(), 1);

        let before = archive.work(work).await.unwrap().unwrap();
        archive.set_work_hidden(work, true).await.unwrap();
        let hidden = archive.work(work).await.unwrap().unwrap();
        assert!(hidden.hidden);
        assert!(hidden.version > before.version, "caches see the change");
        assert_eq!(
            hidden.updated_at, before.updated_at,
            "the author changed nothing"
        );
        for (viewer, sees) in [
            (Viewer::Guest, false),
            (Viewer::User(reader.id), false),
            (Viewer::User(author.id), true),
            (Viewer::User(admin.id), true),
        ] {
            assert_eq!(
                archive.work_for(work, viewer).await.unwrap().is_some(),
                sees,
                "{}: {viewer:?}",
                test.name
            );
        }
        index.catch_up().await.unwrap();
        assert_eq!(listed(), 0, "{}: out of listings and search", test.name);

        archive.set_work_hidden(work, false).await.unwrap();
        assert!(archive
            .work_for(work, Viewer::Guest)
            .await
            .unwrap()
            .is_some());
        index.catch_up().await.unwrap();
        assert_eq!(listed(), 1);
        assert!(matches!(
            archive.set_work_hidden(work + 100, true).await,
            Err(ArchiveError::NoSuchWork(_))
        ));
        drop(index);
        let _ = std::fs::remove_dir_all(dir);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_suspension_shows_on_the_account_and_its_sessions_until_lifted() {
    for test in backends::all().await {
        let archive = &test.archive;
        let reader = backends::member(archive, "reader").await;
        assert!(!reader.suspended);
        let token = archive.start_session(reader.id).await.unwrap().token;
        archive.set_suspended(reader.id, true).await.unwrap();
        assert!(archive.is_suspended(reader.id).await.unwrap());
        let signed_in = archive
            .authenticate("reader", "long enough")
            .await
            .unwrap()
            .unwrap();
        assert!(
            signed_in.suspended,
            "{}: may still sign in, suspended",
            test.name
        );
        let session = archive.session(&token).await.unwrap().unwrap();
        assert!(session.user.suspended);
        archive.set_suspended(reader.id, false).await.unwrap();
        assert!(!archive.is_suspended(reader.id).await.unwrap());
        assert!(
            !archive
                .session(&token)
                .await
                .unwrap()
                .unwrap()
                .user
                .suspended
        );
        assert!(archive.set_suspended(reader.id + 100, true).await.is_err());
        test.finish().await;
    }
}

#[tokio::test]
async fn co_creators_are_credited_once_they_accept() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let friend = backends::member(archive, "friend").await;
        let stranger = backends::member(archive, "stranger").await;
        let pen_name = archive.add_pseud(author.id, "Pen_Name").await.unwrap();
        // Two accounts writing as "Echo".
        let echo_friend = archive.add_pseud(friend.id, "Echo").await.unwrap();
        archive.add_pseud(stranger.id, "Echo").await.unwrap();
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let creators = || async { archive.work(work).await.unwrap().unwrap().creators };

        // Finding pseuds as a posting form names them.
        assert_eq!(
            archive.find_pseud(" FRIEND ").await.unwrap(),
            friend.default_pseud
        );
        assert_eq!(
            archive.find_pseud("Echo (friend)").await.unwrap(),
            echo_friend
        );
        let Err(err @ ArchiveError::AmbiguousPseud { .. }) = archive.find_pseud("Echo").await
        else {
            panic!("{}: an ambiguous pseud is refused", test.name);
        };
        let ambiguous = err.to_string();
        assert!(ambiguous.contains("Echo (friend)") && ambiguous.contains("Echo (stranger)"));
        assert!(matches!(
            archive.find_pseud("nobody").await,
            Err(ArchiveError::NoPseudNamed(written)) if written == "nobody"
        ));
        // A whole field: commas between, each pseud once, any name refused
        // refuses the field.
        assert_eq!(
            archive
                .find_pseuds("friend, Echo (friend),, FRIEND")
                .await
                .unwrap(),
            vec![friend.default_pseud, echo_friend]
        );
        assert!(matches!(
            archive.find_pseuds("friend, Echo").await,
            Err(ArchiveError::AmbiguousPseud { .. })
        ));
        assert!(archive.find_pseuds(" , ").await.unwrap().is_empty());
        let crowd = vec!["friend"; quire_archive::model::limits::CO_CREATORS + 1].join(",");
        assert!(matches!(
            archive.find_pseuds(&crowd).await,
            Err(ArchiveError::Invalid(_))
        ));

        // Only a creator invites; one's own pseud is credited at once.
        assert!(matches!(
            archive
                .invite_creators(work, &[stranger.default_pseud], friend.id)
                .await,
            Err(ArchiveError::NotYours(_))
        ));
        archive
            .invite_creators(
                work,
                &[friend.default_pseud, echo_friend, pen_name],
                author.id,
            )
            .await
            .unwrap();
        assert_eq!(
            creators().await,
            vec!["author", "Pen_Name"],
            "{}",
            test.name
        );
        assert_eq!(
            archive.pending_creators(work).await.unwrap(),
            vec!["friend", "Echo"]
        );
        assert!(!archive
            .is_creator(work, Viewer::User(friend.id))
            .await
            .unwrap());
        let invitations = archive.invitations_for(friend.id).await.unwrap();
        assert_eq!(invitations.len(), 2);
        assert_eq!(invitations[0].work, work);
        assert_eq!(invitations[0].title, "Ashes");
        assert_eq!(invitations[0].invited_by.as_deref(), Some("author"));
        assert!(archive
            .answer_invitation(work, stranger.id, true)
            .await
            .is_err());

        // Accepting credits every invited pseud of the account.
        archive
            .answer_invitation(work, friend.id, true)
            .await
            .unwrap();
        assert_eq!(
            creators().await,
            vec!["author", "Pen_Name", "friend", "Echo"]
        );
        assert!(archive
            .is_creator(work, Viewer::User(friend.id))
            .await
            .unwrap());
        assert!(archive.invitations_for(friend.id).await.unwrap().is_empty());
        assert!(archive.pending_creators(work).await.unwrap().is_empty());

        // A declined invitation credits nothing.
        archive
            .invite_creators(work, &[stranger.default_pseud], friend.id)
            .await
            .unwrap();
        archive
            .answer_invitation(work, stranger.id, false)
            .await
            .unwrap();
        assert_eq!(creators().await.len(), 4);
        assert!(archive
            .invitations_for(stranger.id)
            .await
            .unwrap()
            .is_empty());

        // Leaving: every pseud of the account goes; the last can't leave.
        archive.remove_creator(work, friend.id).await.unwrap();
        assert_eq!(creators().await, vec!["author", "Pen_Name"]);
        assert!(matches!(
            archive.remove_creator(work, friend.id).await,
            Err(ArchiveError::NotYours(_))
        ));
        assert!(matches!(
            archive.remove_creator(work, author.id).await,
            Err(ArchiveError::Conflict(_))
        ));
        test.finish().await;
    }
}
