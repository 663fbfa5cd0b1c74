//! Accounts, pseuds and orphaning, on each backend.

use quire_archive::{ArchiveError, Roles, Viewer};

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn accounts_sign_in_with_the_right_password_only() {
    for test in backends::all().await {
        let archive = &test.archive;
        let roles = Roles {
            wrangler: true,
            admin: false,
        };
        let user = archive
            .add_user("Kylo_Ren", "kylo@example.org", "a long password", roles)
            .await
            .unwrap();
        assert_eq!(user.roles, roles);
        let signed_in = archive
            .authenticate("kylo_ren", "a long password")
            .await
            .unwrap();
        assert_eq!(
            signed_in.as_ref().map(|u| u.id),
            Some(user.id),
            "{}",
            test.name
        );
        assert_eq!(signed_in.unwrap().default_pseud, user.default_pseud);
        assert!(archive
            .authenticate("kylo_ren", "wrong password")
            .await
            .unwrap()
            .is_none());
        assert!(archive
            .authenticate("nobody", "a long password")
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            archive
                .add_user(
                    "KYLO_REN",
                    "x@example.org",
                    "a long password",
                    Roles::default()
                )
                .await,
            Err(ArchiveError::LoginTaken(_))
        ));
        assert!(matches!(
            archive
                .add_user("rey", "x@example.org", "short", Roles::default())
                .await,
            Err(ArchiveError::WeakPassword(_))
        ));
        let pseud = archive.add_pseud(user.id, "Ben").await.unwrap();
        assert_ne!(pseud, user.default_pseud);
        test.finish().await;
    }
}

#[tokio::test]
async fn orphaning_keeps_the_work_and_drops_the_owner() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let friend = backends::member(archive, "friend").await;
        let id = archive
            .post_work(&[author.default_pseud, friend.default_pseud], &draft())
            .await
            .unwrap();
        assert!(archive
            .is_creator(id, Viewer::User(author.id))
            .await
            .unwrap());
        archive.orphan_work(id, author.id).await.unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(
            work.creators,
            vec!["orphan_account", "friend"],
            "{}",
            test.name
        );
        assert_eq!(work.chapters.len(), 2, "the text stays");
        assert!(!archive
            .is_creator(id, Viewer::User(author.id))
            .await
            .unwrap());
        assert!(archive
            .is_creator(id, Viewer::User(friend.id))
            .await
            .unwrap());
        assert!(matches!(
            archive.orphan_work(id, author.id).await,
            Err(ArchiveError::NotYours(_))
        ));
        test.finish().await;
    }
}
