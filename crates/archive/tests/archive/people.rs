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

#[tokio::test]
async fn a_password_change_ends_every_session() {
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "changer").await;
        let session = archive.start_session(user.id).await.unwrap();
        assert!(archive.session(&session.token).await.unwrap().is_some());
        assert!(matches!(
            archive
                .change_password(user.id, "not the password", "brand new password")
                .await,
            Err(ArchiveError::Rejected {
                field: "current_password",
                ..
            })
        ));
        assert!(
            archive.session(&session.token).await.unwrap().is_some(),
            "a wrong try changes nothing"
        );
        archive
            .change_password(user.id, "long enough", "brand new password")
            .await
            .unwrap();
        assert!(
            archive.session(&session.token).await.unwrap().is_none(),
            "{}",
            test.name
        );
        assert!(archive
            .authenticate("changer", "long enough")
            .await
            .unwrap()
            .is_none());
        assert!(archive
            .authenticate("changer", "brand new password")
            .await
            .unwrap()
            .is_some());
        test.finish().await;
    }
}

/// An operator lets someone locked out back in: a new password without
/// the current one ends every session; a new email address is kept. Weak
/// passwords, bad addresses and unknown accounts are refused, changing
/// nothing.
#[tokio::test]
async fn an_operator_resets_a_password_and_changes_an_email() {
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "locked_out").await;
        let session = archive.start_session(user.id).await.unwrap();
        assert!(matches!(
            archive.reset_password(user.id, "short").await,
            Err(ArchiveError::WeakPassword(_))
        ));
        assert!(archive.session(&session.token).await.unwrap().is_some());
        archive
            .reset_password(user.id, "a new long password")
            .await
            .unwrap();
        assert!(
            archive.session(&session.token).await.unwrap().is_none(),
            "{}: the old sessions end",
            test.name
        );
        assert!(archive
            .authenticate("locked_out", "long enough")
            .await
            .unwrap()
            .is_none());
        let back = archive
            .authenticate("locked_out", "a new long password")
            .await
            .unwrap()
            .expect("signed in with the new password");
        assert!(matches!(
            archive
                .reset_password(back.id + 1_000, "a new long password")
                .await,
            Err(ArchiveError::Missing(_))
        ));

        assert!(matches!(
            archive.set_email(user.id, "no at sign").await,
            Err(ArchiveError::BadEmail(_))
        ));
        archive
            .set_email(user.id, " new@example.org ")
            .await
            .unwrap();
        let signed_in = archive
            .authenticate("locked_out", "a new long password")
            .await
            .unwrap()
            .expect("the account");
        assert_eq!(signed_in.email, "new@example.org");
        assert!(matches!(
            archive.set_email(back.id + 1_000, "x@example.org").await,
            Err(ArchiveError::Missing(_))
        ));
        test.finish().await;
    }
}

#[tokio::test]
async fn deleting_an_account_keeps_orphans_or_deletes_its_works_as_chosen() {
    use quire_archive::{BookmarkNote, Commenter, Kudoser, WorksOnDeletion};
    for test in backends::all().await {
        let archive = &test.archive;
        let reader = backends::member(archive, "stays").await;
        for (login, choice) in [
            ("keeper", WorksOnDeletion::Keep),
            ("orphaner", WorksOnDeletion::Orphan),
            ("deleter", WorksOnDeletion::Delete),
        ] {
            let leaving = backends::member(archive, login).await;
            let own = archive
                .post_work(&[leaving.default_pseud], &draft())
                .await
                .unwrap();
            let theirs = archive
                .post_work(&[reader.default_pseud], &draft())
                .await
                .unwrap();
            archive
                .leave_kudos(theirs, &Kudoser::User(leaving.id))
                .await
                .unwrap();
            archive
                .add_bookmark(theirs, leaving.default_pseud, &BookmarkNote::default())
                .await
                .unwrap();
            let chapter = archive.work(theirs).await.unwrap().unwrap().chapters[0].id;
            archive
                .add_comment(
                    chapter,
                    &Commenter::Pseud(leaving.default_pseud),
                    None,
                    "Lovely",
                )
                .await
                .unwrap();
            let session = archive.start_session(leaving.id).await.unwrap();

            archive.delete_user(leaving.id, choice).await.unwrap();

            assert!(archive.session(&session.token).await.unwrap().is_none());
            assert!(archive
                .authenticate(login, "long enough")
                .await
                .unwrap()
                .is_none());
            assert!(archive.pseuds_of(login).await.unwrap().is_empty());
            let work = archive.work(own).await.unwrap();
            match choice {
                WorksOnDeletion::Keep => {
                    assert_eq!(
                        work.unwrap().creators,
                        vec![login.to_string()],
                        "{}",
                        test.name
                    )
                }
                WorksOnDeletion::Orphan => {
                    assert_eq!(
                        work.unwrap().creators,
                        vec!["orphan_account"],
                        "{}",
                        test.name
                    )
                }
                WorksOnDeletion::Delete => assert!(work.is_none(), "{}", test.name),
            }
            assert_eq!(
                archive.kudos_count(theirs).await.unwrap(),
                0,
                "their kudos went"
            );
            let comments = archive.comments_on_work(theirs).await.unwrap();
            assert_eq!(comments.len(), 1, "comments stay");
            assert_eq!(comments[0].writer, login);
            assert_eq!(comments[0].writer_user, None, "and lead to no account");
            // The name can be registered again by someone new.
            backends::member(archive, login).await;
        }
        assert!(archive.integrity_problems().await.unwrap().is_empty());
        test.finish().await;
    }
}

#[tokio::test]
async fn a_readers_own_lists_bookmarks_subscriptions_and_works() {
    use quire_archive::{BookmarkNote, SubscriptionTarget};
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "lister").await;
        let reader = backends::member(archive, "collector").await;
        let posted = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let mut unfinished = draft();
        unfinished.draft = true;
        unfinished.title = "Unfinished".into();
        let drafted = archive
            .post_work(&[author.default_pseud], &unfinished)
            .await
            .unwrap();
        let open = BookmarkNote {
            note: "open".into(),
            ..BookmarkNote::default()
        };
        let hidden = BookmarkNote {
            note: "hidden".into(),
            private: true,
            ..BookmarkNote::default()
        };
        archive
            .add_bookmark(posted, reader.default_pseud, &open)
            .await
            .unwrap();
        // One bookmark per reader per work: the private one keeps another.
        let elsewhere = backends::member(archive, "elsewhere").await;
        let another = archive
            .post_work(&[elsewhere.default_pseud], &draft())
            .await
            .unwrap();
        archive
            .add_bookmark(another, reader.default_pseud, &hidden)
            .await
            .unwrap();
        archive
            .subscribe(reader.id, SubscriptionTarget::Work(posted))
            .await
            .unwrap();

        let notes = |viewer: Viewer| async move {
            archive
                .bookmarks_of(reader.id, viewer)
                .await
                .unwrap()
                .into_iter()
                .map(|b| b.note.text())
                .collect::<Vec<String>>()
        };
        assert_eq!(notes(Viewer::Guest).await, vec!["open"], "{}", test.name);
        assert_eq!(notes(Viewer::User(author.id)).await, vec!["open"]);
        assert_eq!(notes(Viewer::User(reader.id)).await, vec!["hidden", "open"]);
        // A draft takes no bookmarks: it would show on the reader's page.
        let refused = archive
            .add_bookmark(drafted, reader.default_pseud, &open)
            .await;
        assert!(
            matches!(refused, Err(ArchiveError::Conflict(_))),
            "{}: {refused:?}",
            test.name
        );

        // A work that becomes registered-only leaves guests' view of the
        // reader's bookmarks; one an admin hides leaves everyone's but the
        // reader's own.
        let mut locked = draft();
        locked.restricted = true;
        archive.edit_work(posted, &locked).await.unwrap();
        assert!(notes(Viewer::Guest).await.is_empty(), "{}", test.name);
        assert_eq!(notes(Viewer::User(author.id)).await, vec!["open"]);
        archive.set_work_hidden(posted, true).await.unwrap();
        assert!(notes(Viewer::User(author.id)).await.is_empty());
        assert_eq!(notes(Viewer::User(reader.id)).await, vec!["hidden", "open"]);
        archive.set_work_hidden(posted, false).await.unwrap();
        archive.edit_work(posted, &draft()).await.unwrap();
        assert_eq!(
            archive.work_subscriptions(reader.id).await.unwrap(),
            vec![(posted, "Ashes".to_string())]
        );
        assert_eq!(
            archive.works_of_user(author.id).await.unwrap(),
            vec![
                (drafted, "Unfinished".to_string(), true),
                (posted, "Ashes".to_string(), false)
            ],
            "{}",
            test.name
        );
        assert_eq!(
            archive.user_id_of("COLLECTOR").await.unwrap(),
            Some(reader.id)
        );
        assert_eq!(archive.user_id_of("nobody").await.unwrap(), None);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_readers_history_keeps_the_last_visit_and_can_be_cleared() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "history_author").await;
        let reader = backends::member(archive, "history_reader").await;
        let first = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let second = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        archive.record_reading(reader.id, first).await.unwrap();
        archive.record_reading(reader.id, second).await.unwrap();
        archive.record_reading(reader.id, first).await.unwrap();
        let history = archive.reading_history(reader.id, 10).await.unwrap();
        let seen: Vec<(i64, i64)> = history.iter().map(|h| (h.0, h.3)).collect();
        assert!(
            seen.contains(&(first, 2)) && seen.contains(&(second, 1)),
            "{}: {seen:?}",
            test.name
        );
        assert!(archive
            .reading_history(author.id, 10)
            .await
            .unwrap()
            .is_empty());
        archive.delete_work(second).await.unwrap();
        assert_eq!(
            archive.reading_history(reader.id, 10).await.unwrap().len(),
            1,
            "a deleted work leaves the history"
        );
        archive.clear_reading_history(reader.id).await.unwrap();
        assert!(archive
            .reading_history(reader.id, 10)
            .await
            .unwrap()
            .is_empty());
        test.finish().await;
    }
}

#[tokio::test]
async fn api_tokens_act_for_their_account_until_revoked_and_only_their_hash_is_kept() {
    use quire_archive::tokens::{Scope, TOKEN_PREFIX};
    for test in backends::all().await {
        let archive = &test.archive;
        let user = backends::member(archive, "scripter").await;
        let other = backends::member(archive, "bystander").await;
        let (token, secret) = archive
            .create_api_token(user.id, "  my e-reader  ", Scope::Read)
            .await
            .unwrap();
        assert_eq!(token.name, "my e-reader");
        assert!(secret.starts_with(TOKEN_PREFIX), "{secret}");
        let holder = archive.token_holder(&secret).await.unwrap().unwrap();
        assert_eq!(holder.user.id, user.id, "{}", test.name);
        assert_eq!(holder.token.scope, Scope::Read);
        assert!(holder.token.last_used_at.is_some(), "its use is noted");
        assert!(archive
            .token_holder("quire_not-a-token")
            .await
            .unwrap()
            .is_none());
        // The database holds the hash, never the secret.
        let listed = archive.api_tokens_of(user.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some());
        assert!(matches!(
            archive.create_api_token(user.id, "   ", Scope::Write).await,
            Err(ArchiveError::Rejected { field: "name", .. })
        ));
        // Another account can't revoke it.
        assert!(!archive.revoke_api_token(other.id, token.id).await.unwrap());
        assert!(archive.token_holder(&secret).await.unwrap().is_some());
        assert!(archive.revoke_api_token(user.id, token.id).await.unwrap());
        assert!(archive.token_holder(&secret).await.unwrap().is_none());
        assert!(archive.api_tokens_of(user.id).await.unwrap().is_empty());
        // Deleting the account takes its tokens with it.
        let (_, kept) = archive
            .create_api_token(other.id, "script", Scope::Write)
            .await
            .unwrap();
        archive
            .delete_user(other.id, quire_archive::WorksOnDeletion::Keep)
            .await
            .unwrap();
        assert!(archive.token_holder(&kept).await.unwrap().is_none());
        test.finish().await;
    }
}

/// Every value in `table`'s rows, as text, for looking for a secret.
async fn stored_text(url: &str, table: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows = sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(&mut connection)
        .await
        .unwrap();
    let mut text = String::new();
    for row in &rows {
        for i in 0..row.len() {
            if let Ok(Some(value)) = row.try_get::<Option<String>, _>(i) {
                text.push_str(&value);
                text.push('\n');
            }
        }
    }
    connection.close().await.unwrap();
    text
}

#[tokio::test]
async fn session_and_api_tokens_are_kept_only_as_their_sha256() {
    use sha2::{Digest, Sha256};
    let hex = |secret: &str| {
        Sha256::digest(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for test in backends::all().await {
        let archive = &test.archive;
        let url = test.url.clone().expect("an address");
        let user = backends::member(archive, "keeper").await;
        let session = archive.start_session(user.id).await.unwrap();
        let (_, secret) = archive
            .create_api_token(user.id, "e-reader", quire_archive::tokens::Scope::Write)
            .await
            .unwrap();
        let sessions = stored_text(&url, "sessions").await;
        let tokens = stored_text(&url, "api_tokens").await;
        for (table, stored, secret) in [
            ("sessions", &sessions, &session.token),
            ("api_tokens", &tokens, &secret),
        ] {
            assert!(
                !stored.contains(secret.as_str()),
                "{}: {table} holds the secret",
                test.name
            );
            assert!(
                stored.contains(&hex(secret)),
                "{}: {table} holds its SHA-256",
                test.name
            );
        }
        // And the hash is what finds them again.
        assert!(archive.session(&session.token).await.unwrap().is_some());
        assert!(archive.token_holder(&secret).await.unwrap().is_some());
        test.finish().await;
    }
}

#[tokio::test]
async fn an_accounts_own_pseud_is_found_by_name_as_every_pseud_name_is() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "pen_names").await;
        let other = backends::member(archive, "someone").await;
        let pseud = archive.add_pseud(writer.id, "Night_Owl").await.unwrap();
        for written in ["Night_Owl", "night_owl", "  NIGHT_OWL "] {
            assert_eq!(
                archive.own_pseud_named(writer.id, written).await.unwrap(),
                Some(pseud),
                "{}: {written:?}",
                test.name
            );
        }
        assert_eq!(
            archive
                .own_pseud_named(other.id, "Night_Owl")
                .await
                .unwrap(),
            None,
            "{}: someone else's pseud is not theirs",
            test.name
        );
        test.finish().await;
    }
}
