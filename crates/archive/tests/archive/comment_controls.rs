//! A work's comment controls, on each backend: who may comment, comments
//! held for approval, hidden, marked as spam, and one person's removed.

use quire_archive::comment_controls::{CommentPolicy, CommentSettings};
use quire_archive::{ArchiveError, Commenter};

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn comments_follow_the_works_controls() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let admin = archive
            .add_user(
                "controls_admin",
                "controls_admin@example.org",
                "correct horse battery",
                quire_archive::Roles {
                    wrangler: false,
                    admin: true,
                },
            )
            .await
            .unwrap();
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(work).await.unwrap().unwrap().chapters[0].id;
        let guest = Commenter::Named("A guest".into());
        let signed_in = Commenter::Pseud(reader.default_pseud);
        assert_eq!(
            archive.comment_settings(work).await.unwrap(),
            CommentSettings::default()
        );

        // Only its creators set them.
        let registered = CommentSettings {
            policy: CommentPolicy::Registered,
            moderated: false,
        };
        assert!(matches!(
            archive
                .set_comment_settings(work, reader.id, registered)
                .await,
            Err(ArchiveError::NotYours(_))
        ));
        archive
            .set_comment_settings(work, author.id, registered)
            .await
            .unwrap();
        assert!(matches!(
            archive.add_comment(chapter, &guest, None, "Hi.").await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive
            .add_comment(chapter, &signed_in, None, "Hi.")
            .await
            .unwrap();

        let off = CommentSettings {
            policy: CommentPolicy::NoOne,
            moderated: false,
        };
        archive
            .set_comment_settings(work, author.id, off)
            .await
            .unwrap();
        assert!(matches!(
            archive.add_comment(chapter, &signed_in, None, "Hi.").await,
            Err(ArchiveError::Conflict(_))
        ));

        // Moderated: a reader's comment waits, uncounted, unanswerable;
        // the author's own doesn't.
        let moderated = CommentSettings {
            policy: CommentPolicy::Everyone,
            moderated: true,
        };
        archive
            .set_comment_settings(work, author.id, moderated)
            .await
            .unwrap();
        let waiting = archive
            .add_comment(chapter, &guest, None, "Please approve me.")
            .await
            .unwrap();
        assert!(archive.comment(waiting).await.unwrap().unwrap().held);
        assert_eq!(
            archive.comment_count(work).await.unwrap(),
            1,
            "{}",
            test.name
        );
        assert!(matches!(
            archive
                .add_comment(chapter, &signed_in, Some(waiting), "A reply.")
                .await,
            Err(ArchiveError::Conflict(_))
        ));
        let own = archive
            .add_comment(
                chapter,
                &Commenter::Pseud(author.default_pseud),
                None,
                "Mine.",
            )
            .await
            .unwrap();
        assert!(!archive.comment(own).await.unwrap().unwrap().held);
        assert!(matches!(
            archive.approve_comment(waiting, reader.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.approve_comment(waiting, author.id).await.unwrap();
        assert!(!archive.comment(waiting).await.unwrap().unwrap().held);
        assert_eq!(archive.comment_count(work).await.unwrap(), 3);

        // Hidden by the author (or an admin); spam by an admin only.
        archive
            .set_comment_hidden(waiting, author.id, true)
            .await
            .unwrap();
        let listed = archive.comments_on_work(work).await.unwrap();
        assert!(listed.iter().any(|c| c.id == waiting && c.hidden));
        archive
            .set_comment_hidden(waiting, admin.id, false)
            .await
            .unwrap();
        assert!(matches!(
            archive.mark_spam(waiting, author.id, true).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.mark_spam(waiting, admin.id, true).await.unwrap();
        assert_eq!(
            archive.comment_count(work).await.unwrap(),
            2,
            "spam stops counting"
        );

        // An admin removes everything one person wrote.
        let open = CommentSettings::default();
        archive
            .set_comment_settings(work, author.id, open)
            .await
            .unwrap();
        archive
            .add_comment(chapter, &signed_in, None, "More.")
            .await
            .unwrap();
        assert!(matches!(
            archive.delete_comments_of(reader.id, author.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        assert_eq!(
            archive
                .delete_comments_of(reader.id, admin.id)
                .await
                .unwrap(),
            2
        );
        let left: Vec<String> = archive
            .comments_on_work(work)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.writer)
            .collect();
        assert!(!left.contains(&"reader".to_string()), "{left:?}");
        assert_eq!(archive.comment_count(work).await.unwrap(), 1);
    }
}
