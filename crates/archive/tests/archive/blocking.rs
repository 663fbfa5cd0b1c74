//! Blocking, on each backend: what a blocked person is refused, and what
//! stays open to everyone else.

use quire_archive::{ArchiveError, BookmarkNote, Commenter, Kudoser, Viewer};

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn a_blocked_person_is_refused_everything_a_block_covers() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let pest = backends::member(archive, "pest").await;
        let friend = backends::member(archive, "friend").await;
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(work).await.unwrap().unwrap().chapters[0].id;
        // The author's comment on someone else's work: blocking covers
        // replies to it there too.
        let friends_work = archive
            .post_work(&[friend.default_pseud], &draft())
            .await
            .unwrap();
        let friends_chapter = archive.work(friends_work).await.unwrap().unwrap().chapters[0].id;
        let authors_comment = archive
            .add_comment(
                friends_chapter,
                &Commenter::Pseud(author.default_pseud),
                None,
                "Lovely.",
            )
            .await
            .unwrap();
        // A bookmark the author keeps of the pest's own work.
        let pests_work = archive
            .post_work(&[pest.default_pseud], &draft())
            .await
            .unwrap();
        archive
            .add_bookmark(pests_work, author.default_pseud, &BookmarkNote::default())
            .await
            .unwrap();
        archive
            .add_bookmark(friends_work, author.default_pseud, &BookmarkNote::default())
            .await
            .unwrap();
        assert_eq!(
            archive
                .bookmarks_of(author.id, Viewer::User(pest.id))
                .await
                .unwrap()
                .len(),
            2,
            "{}: before the block the pest sees both bookmarks",
            test.name
        );

        assert!(matches!(
            archive.block(author.id, author.id).await,
            Err(ArchiveError::Rejected { .. })
        ));
        assert!(archive.block(author.id, pest.id).await.unwrap());
        assert!(
            !archive.block(author.id, pest.id).await.unwrap(),
            "already blocked"
        );
        assert!(archive.has_blocked(author.id, pest.id).await.unwrap());
        assert!(
            !archive.has_blocked(pest.id, author.id).await.unwrap(),
            "a block goes one way"
        );
        assert_eq!(
            archive.blocked_people(author.id).await.unwrap(),
            vec!["pest"]
        );

        fn refused<T: std::fmt::Debug>(result: Result<T, ArchiveError>, what: &str) {
            assert!(
                matches!(result, Err(ArchiveError::NotAllowed(_))),
                "{what} should be refused, got {result:?}"
            );
        }
        // Every pseud of the blocked account is blocked.
        let second = archive.add_pseud(pest.id, "pest_alt").await.unwrap();
        for pseud in [pest.default_pseud, second] {
            refused(
                archive
                    .add_comment(chapter, &Commenter::Pseud(pseud), None, "Hi.")
                    .await,
                "a comment on the blocker's work",
            );
        }
        refused(
            archive
                .add_comment(
                    friends_chapter,
                    &Commenter::Pseud(pest.default_pseud),
                    Some(authors_comment),
                    "Hi.",
                )
                .await,
            "a reply to the blocker's comment",
        );
        refused(
            archive.leave_kudos(work, &Kudoser::User(pest.id)).await,
            "kudos",
        );
        refused(
            archive
                .invite_creators(pests_work, &[author.default_pseud], pest.id)
                .await,
            "a co-creator invitation",
        );
        let seen = archive
            .bookmarks_of(author.id, Viewer::User(pest.id))
            .await
            .unwrap();
        assert_eq!(
            seen.iter().map(|b| b.work).collect::<Vec<_>>(),
            vec![Some(friends_work)],
            "{}: the pest no longer sees the author's bookmark of the pest's work",
            test.name
        );
        assert_eq!(
            archive
                .bookmarks_of(author.id, Viewer::Guest)
                .await
                .unwrap()
                .len(),
            2,
            "everyone else still sees both"
        );

        // Everyone else is untouched, and the pest's other doings too.
        archive
            .add_comment(
                chapter,
                &Commenter::Pseud(friend.default_pseud),
                None,
                "Hi.",
            )
            .await
            .unwrap();
        archive
            .add_comment(
                friends_chapter,
                &Commenter::Pseud(pest.default_pseud),
                None,
                "Hi.",
            )
            .await
            .unwrap();
        assert!(archive
            .leave_kudos(work, &Kudoser::User(friend.id))
            .await
            .unwrap());
        // The blocker may still do all of it to the pest.
        archive
            .add_comment(
                archive.work(pests_work).await.unwrap().unwrap().chapters[0].id,
                &Commenter::Pseud(author.default_pseud),
                None,
                "Hi.",
            )
            .await
            .unwrap();

        assert!(archive.unblock(author.id, pest.id).await.unwrap());
        assert!(!archive.unblock(author.id, pest.id).await.unwrap());
        archive
            .add_comment(
                chapter,
                &Commenter::Pseud(pest.default_pseud),
                None,
                "Sorry.",
            )
            .await
            .unwrap();
        assert!(archive
            .leave_kudos(work, &Kudoser::User(pest.id))
            .await
            .unwrap());
        assert!(archive.blocked_people(author.id).await.unwrap().is_empty());

        // An account that goes takes its blocks with it.
        archive.block(author.id, pest.id).await.unwrap();
        archive
            .delete_user(pest.id, quire_archive::WorksOnDeletion::Orphan)
            .await
            .unwrap();
        assert!(archive.blocked_people(author.id).await.unwrap().is_empty());
    }
}
