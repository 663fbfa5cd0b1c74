//! Editing, deleting, chapters and visibility, on each backend.

use quire_archive::model::WorkDraft;
use quire_archive::{
    ArchiveError, BookmarkNote, Commenter, CountedTable, Hit, Kudoser, SubscriptionTarget, Viewer,
};

use crate::backends;
use crate::works::{chapter, draft};

#[tokio::test]
async fn editing_a_work_replaces_its_metadata_and_tags() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let id = archive.post_work(&[pseud], &draft()).await.unwrap();
        let mut edited = draft();
        edited.title = "Embers".into();
        edited.characters = vec!["Rey".into()];
        edited.complete = true;
        edited.expected_chapters = Some(2);
        edited.chapters.clear();
        archive.edit_work(id, &edited).await.unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(work.title, "Embers", "{}", test.name);
        assert_eq!(work.characters, vec!["Rey"]);
        assert!(work.complete);
        assert_eq!(work.chapters.len(), 2, "chapters are untouched by an edit");
        assert_eq!(work.version, 2);
        let kinds: Vec<String> = archive
            .changes_since(0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, vec!["posted", "edited"]);

        let mut no_fandom = edited.clone();
        no_fandom.fandoms.clear();
        assert!(archive.edit_work(id, &no_fandom).await.is_err());
        assert!(archive.edit_work(id + 99, &edited).await.is_err());
        test.finish().await;
    }
}

#[tokio::test]
async fn chapters_are_added_reordered_and_deleted() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let id = archive.post_work(&[pseud], &draft()).await.unwrap();
        let third = archive
            .add_chapter(id, &chapter("A third chapter, four words."))
            .await
            .unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        let ids: Vec<i64> = work.chapters.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), 3, "{}", test.name);
        assert_eq!(ids[2], third);
        assert_eq!(work.word_count, draft().word_count() + 5);

        // Editing keeps the chapter's place and recounts the words.
        let before = work.version;
        let mut edited = chapter("Now only three words.");
        edited.title = "Renamed".into();
        edited.notes_end = "Thanks for reading.".into();
        archive.edit_chapter(id, third, &edited).await.unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(work.chapters[2].id, third, "{}", test.name);
        assert_eq!(work.chapters[2].title, "Renamed");
        assert_eq!(work.chapters[2].notes_end.text(), "Thanks for reading.");
        assert_eq!(
            work.chapters[2].body.paragraphs,
            vec!["Now only three words."]
        );
        assert_eq!(work.word_count, draft().word_count() + 4);
        assert!(work.version > before);
        assert!(matches!(
            archive.edit_chapter(id + 1, third, &edited).await,
            Err(quire_archive::ArchiveError::NoSuchChapter { .. })
        ));
        assert!(archive
            .edit_chapter(id, third, &chapter("   "))
            .await
            .is_err());

        archive
            .reorder_chapters(id, &[ids[2], ids[0], ids[1]])
            .await
            .unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(
            work.chapters.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![ids[2], ids[0], ids[1]]
        );
        assert_eq!(
            work.chapters.iter().map(|c| c.position).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(
            archive
                .reorder_chapters(id, &[ids[0], ids[1]])
                .await
                .is_err(),
            "every chapter once"
        );

        archive.delete_chapter(id, ids[0]).await.unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(
            work.chapters.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![ids[2], ids[1]]
        );
        assert_eq!(
            work.chapters.iter().map(|c| c.position).collect::<Vec<_>>(),
            vec![1, 2]
        );
        archive.delete_chapter(id, ids[1]).await.unwrap();
        let last = archive.delete_chapter(id, ids[2]).await.unwrap_err();
        assert!(last.to_string().contains("at least one chapter"), "{last}");
        test.finish().await;
    }
}

#[tokio::test]
async fn deleting_a_work_takes_its_reactions_but_not_bookmarks() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let id = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(id).await.unwrap().unwrap().chapters[0].id;

        assert!(archive
            .leave_kudos(id, &Kudoser::User(reader.id))
            .await
            .unwrap());
        assert!(
            !archive
                .leave_kudos(id, &Kudoser::User(reader.id))
                .await
                .unwrap(),
            "once per reader"
        );
        assert!(archive
            .leave_kudos(id, &Kudoser::Guest("salted-hash-1".into()))
            .await
            .unwrap());
        assert!(!archive
            .leave_kudos(id, &Kudoser::Guest("salted-hash-1".into()))
            .await
            .unwrap());
        assert!(
            archive
                .leave_kudos(id, &Kudoser::User(author.id))
                .await
                .is_err(),
            "not on your own work"
        );
        assert_eq!(archive.kudos_count(id).await.unwrap(), 2);

        let comment = archive
            .add_comment(
                chapter,
                &Commenter::Pseud(reader.default_pseud),
                None,
                "Oh no.",
            )
            .await
            .unwrap();
        archive
            .add_comment(
                chapter,
                &Commenter::Named("a guest".into()),
                Some(comment),
                "Right?",
            )
            .await
            .unwrap();
        assert_eq!(archive.comment_count(id).await.unwrap(), 2);
        let note = BookmarkNote {
            note: "Devastating.".into(),
            tags: vec!["angst".into(), " ".into(), "read later".into()],
            private: false,
            rec: true,
        };
        let bookmark = archive
            .add_bookmark(id, reader.default_pseud, &note)
            .await
            .unwrap();
        assert!(archive.record_hit(id, "visitor", 20_000).await.unwrap());
        assert!(
            !archive.record_hit(id, "visitor", 20_000).await.unwrap(),
            "once a day"
        );
        assert!(archive.record_hit(id, "visitor", 20_001).await.unwrap());

        archive.delete_work(id).await.unwrap();
        assert!(archive.work(id).await.unwrap().is_none(), "{}", test.name);
        for table in [
            CountedTable::Chapters,
            CountedTable::Kudos,
            CountedTable::Comments,
            CountedTable::WorkTags,
        ] {
            assert_eq!(
                archive.count_rows(table).await.unwrap(),
                0,
                "{}: {table:?}",
                test.name
            );
        }
        assert_eq!(archive.hit_count(id).await.unwrap(), 0);
        let kept = archive
            .bookmark(bookmark)
            .await
            .unwrap()
            .expect("the bookmark stays");
        assert_eq!(kept.work, None);
        assert_eq!(kept.work_title, "Ashes");
        assert_eq!(kept.note.text(), "Devastating.");
        assert_eq!(kept.tags, vec!["angst", "read later"]);
        assert!(kept.rec && !kept.private);
        assert!(
            archive.delete_work(id).await.is_err(),
            "a deleted work is gone"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn drafts_and_registered_only_works_are_hidden() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let mut hidden = draft();
        hidden.draft = true;
        let draft_id = archive
            .post_work(&[author.default_pseud], &hidden)
            .await
            .unwrap();
        let mut members = draft();
        members.restricted = true;
        let restricted_id = archive
            .post_work(&[author.default_pseud], &members)
            .await
            .unwrap();
        let public_id = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();

        let sees =
            |viewer, id| async move { archive.work_for(id, viewer).await.unwrap().is_some() };
        assert!(
            sees(Viewer::User(author.id), draft_id).await,
            "{}",
            test.name
        );
        assert!(!sees(Viewer::User(reader.id), draft_id).await);
        assert!(!sees(Viewer::Guest, draft_id).await);
        assert!(sees(Viewer::User(reader.id), restricted_id).await);
        assert!(!sees(Viewer::Guest, restricted_id).await);
        assert!(sees(Viewer::Guest, public_id).await);

        let fandom = quire_archive::model::TagKind::Fandom;
        let guest_finds = archive
            .works_tagged(fandom, "Star Wars - All Media Types", Viewer::Guest)
            .await
            .unwrap();
        assert_eq!(guest_finds, vec![public_id]);
        let member_finds = archive
            .works_tagged(
                fandom,
                "star wars - all media types",
                Viewer::User(reader.id),
            )
            .await
            .unwrap();
        assert_eq!(member_finds, vec![public_id, restricted_id]);
        test.finish().await;
    }
}

#[tokio::test]
async fn comments_are_edited_deleted_and_frozen_by_the_right_people() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let other = backends::member(archive, "other").await;
        let id = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(id).await.unwrap().unwrap().chapters[0].id;
        let by_reader = |body: &'static str, parent| async move {
            archive
                .add_comment(
                    chapter,
                    &Commenter::Pseud(reader.default_pseud),
                    parent,
                    body,
                )
                .await
                .unwrap()
        };
        let first = by_reader("Wow.", None).await;
        let second = by_reader("Wow again.", None).await;

        let taken = archive.edit_comment(first, other.id, "mine now").await;
        assert!(
            matches!(taken, Err(ArchiveError::NotAllowed(_))),
            "{}: {taken:?}",
            test.name
        );
        archive
            .edit_comment(first, reader.id, "Wow!")
            .await
            .unwrap();
        let edited = archive.comment(first).await.unwrap().unwrap();
        assert_eq!(edited.body.text(), "Wow!");
        assert!(edited.edited);

        assert!(
            archive.freeze_comment(first, reader.id).await.is_err(),
            "only the author freezes"
        );
        archive.freeze_comment(first, author.id).await.unwrap();
        assert!(archive.comment(first).await.unwrap().unwrap().frozen);
        assert!(archive
            .edit_comment(first, reader.id, "again")
            .await
            .is_err());
        let reply = archive
            .add_comment(
                chapter,
                &Commenter::Named("guest".into()),
                Some(first),
                "Me too",
            )
            .await;
        assert!(reply.is_err(), "a frozen thread takes no replies");

        let third = by_reader("Wow a third time.", None).await;
        assert!(matches!(
            archive.delete_comment(second, other.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.delete_comment(second, author.id).await.unwrap();
        archive.delete_comment(first, reader.id).await.unwrap();
        // An admin takes down what no one else would.
        let admin = archive
            .add_user(
                "moderator",
                "moderator@example.org",
                "correct horse battery",
                quire_archive::Roles {
                    wrangler: false,
                    admin: true,
                },
            )
            .await
            .unwrap();
        // Two deletes of one comment at once: it is gone, and each says
        // so (done, or no such comment), neither a database error.
        let (a, b) = tokio::join!(
            archive.delete_comment(third, admin.id),
            archive.delete_comment(third, reader.id)
        );
        let gone = |r: &Result<(), ArchiveError>| {
            matches!(r, Ok(()) | Err(ArchiveError::NoSuchComment(_)))
        };
        assert!(
            gone(&a) && gone(&b) && (a.is_ok() || b.is_ok()),
            "{a:?} {b:?}"
        );
        assert!(matches!(
            archive.delete_comment(third, admin.id).await,
            Err(ArchiveError::NoSuchComment(_))
        ));
        assert_eq!(archive.comment_count(id).await.unwrap(), 0);

        // A draft takes no comments until it is posted.
        let mut unposted = draft();
        unposted.draft = true;
        let drafted = archive
            .post_work(&[author.default_pseud], &unposted)
            .await
            .unwrap();
        let draft_chapter = archive.work(drafted).await.unwrap().unwrap().chapters[0].id;
        let early = archive
            .add_comment(
                draft_chapter,
                &Commenter::Pseud(author.default_pseud),
                None,
                "Note to self.",
            )
            .await;
        assert!(
            matches!(early, Err(ArchiveError::Conflict(_))),
            "{}: {early:?}",
            test.name
        );
        let kudos = archive
            .leave_kudos(drafted, &Kudoser::User(reader.id))
            .await;
        assert!(matches!(kudos, Err(ArchiveError::Conflict(_))), "{kudos:?}");
        // Someone invited to credit it reads it to decide, and only until
        // they answer.
        assert!(archive
            .work_for(drafted, Viewer::User(other.id))
            .await
            .unwrap()
            .is_none());
        archive
            .invite_creators(drafted, &[other.default_pseud], author.id)
            .await
            .unwrap();
        assert!(archive
            .is_invited(drafted, Viewer::User(other.id))
            .await
            .unwrap());
        assert!(archive
            .work_for(drafted, Viewer::User(other.id))
            .await
            .unwrap()
            .is_some());
        archive
            .answer_invitation(drafted, other.id, false)
            .await
            .unwrap();
        assert!(archive
            .work_for(drafted, Viewer::User(other.id))
            .await
            .unwrap()
            .is_none());
        test.finish().await;
    }
}

/// A frozen thread is frozen at every depth: a reply three levels down
/// and an edit two levels down are refused, a sibling thread is not, and
/// unfreezing opens the whole thread again. Creators and admins freeze.
#[tokio::test]
async fn a_thread_freezes_and_unfreezes_at_every_depth() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let id = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let chapter = archive.work(id).await.unwrap().unwrap().chapters[0].id;
        let reply = |parent: Option<i64>, body: &'static str| async move {
            archive
                .add_comment(
                    chapter,
                    &Commenter::Pseud(reader.default_pseud),
                    parent,
                    body,
                )
                .await
        };
        let root = reply(None, "First.").await.unwrap();
        let one = reply(Some(root), "One down.").await.unwrap();
        let two = reply(Some(one), "Two down.").await.unwrap();
        let three = reply(Some(two), "Three down.").await.unwrap();
        let sibling = reply(None, "Another thread.").await.unwrap();

        assert!(matches!(
            archive.freeze_comment(root, reader.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.freeze_comment(root, author.id).await.unwrap();
        for comment in [root, one, two, three] {
            assert!(
                archive.comment(comment).await.unwrap().unwrap().frozen,
                "{}: comment {comment} of the thread is frozen",
                test.name
            );
        }
        assert!(!archive.comment(sibling).await.unwrap().unwrap().frozen);
        let deep = reply(Some(three), "Four down.").await;
        assert!(
            matches!(deep, Err(ArchiveError::Conflict(_))),
            "{}: {deep:?}",
            test.name
        );
        assert!(matches!(
            archive.edit_comment(two, reader.id, "changed").await,
            Err(ArchiveError::Conflict(_))
        ));
        reply(Some(sibling), "Still open.").await.unwrap();

        // An admin unfreezes what the author froze.
        let admin = archive
            .add_user(
                "thread_admin",
                "thread_admin@example.org",
                "correct horse battery",
                quire_archive::Roles {
                    wrangler: false,
                    admin: true,
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            archive.unfreeze_comment(root, reader.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.unfreeze_comment(root, admin.id).await.unwrap();
        reply(Some(three), "Four down.").await.unwrap();
        archive
            .edit_comment(two, reader.id, "Two down, edited.")
            .await
            .unwrap();
        assert!(matches!(
            archive.freeze_comment(9_999_999, author.id).await,
            Err(ArchiveError::NoSuchComment(_))
        ));
        test.finish().await;
    }
}

#[tokio::test]
async fn subscriptions_and_series() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let first = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let second = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();

        let target = SubscriptionTarget::Work(first);
        assert!(archive.subscribe(reader.id, target).await.unwrap());
        assert!(!archive.subscribe(reader.id, target).await.unwrap());
        archive
            .subscribe(reader.id, SubscriptionTarget::Pseud(author.default_pseud))
            .await
            .unwrap();
        assert_eq!(
            archive.subscribers(target).await.unwrap(),
            vec![reader.id],
            "{}",
            test.name
        );
        archive.unsubscribe(reader.id, target).await.unwrap();
        assert!(archive.subscribers(target).await.unwrap().is_empty());

        let series = archive
            .add_to_series(first, "The Fall", None)
            .await
            .unwrap();
        assert_eq!(
            archive
                .add_to_series(second, "the fall", None)
                .await
                .unwrap(),
            series
        );
        let work = archive.work(second).await.unwrap().unwrap();
        assert_eq!(work.series.len(), 1);
        assert_eq!(
            (work.series[0].title.as_str(), work.series[0].part),
            ("The Fall", 2)
        );
        archive
            .add_to_series(second, "The Fall", Some(5))
            .await
            .unwrap();
        assert_eq!(
            archive.work(second).await.unwrap().unwrap().series[0].part,
            5
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_series_takes_works_only_from_its_creators() {
    for test in backends::all().await {
        let archive = &test.archive;
        let owner = backends::member(archive, "series_owner").await;
        let stranger = backends::member(archive, "series_stranger").await;
        assert!(
            archive
                .may_add_to_series("Brand New", stranger.id)
                .await
                .unwrap(),
            "a new series is anyone's"
        );
        let first = archive
            .post_work(&[owner.default_pseud], &crate::works::draft())
            .await
            .unwrap();
        archive
            .add_to_series(first, "The Saga", None)
            .await
            .unwrap();
        assert!(
            archive
                .may_add_to_series("the saga", owner.id)
                .await
                .unwrap(),
            "{}",
            test.name
        );
        assert!(
            !archive
                .may_add_to_series("The Saga", stranger.id)
                .await
                .unwrap(),
            "{}",
            test.name
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_series_shows_each_reader_the_works_they_may_see_in_order() {
    for test in backends::all().await {
        let archive = &test.archive;
        let owner = backends::member(archive, "series_owner").await;
        let reader = backends::member(archive, "series_reader").await;
        let post = |title: &'static str, restricted: bool, draft: bool| {
            let work = WorkDraft {
                title: title.into(),
                restricted,
                draft,
                ..crate::works::draft()
            };
            async move {
                archive
                    .post_work(&[owner.default_pseud], &work)
                    .await
                    .unwrap()
            }
        };
        let opening = post("Opening", false, false).await;
        let members = post("Members", true, false).await;
        let unfinished = post("Unfinished", false, true).await;
        let closing = post("Closing", false, false).await;
        let series = archive
            .add_to_series(closing, "Saga", Some(4))
            .await
            .unwrap();
        for (work, part) in [(opening, 1), (members, 2), (unfinished, 3)] {
            archive
                .add_to_series(work, "Saga", Some(part))
                .await
                .unwrap();
        }
        let titles = |listing: &quire_archive::series::SeriesListing| {
            listing
                .works
                .iter()
                .map(|(part, w)| (*part, w.title.clone()))
                .collect::<Vec<_>>()
        };
        let guest = archive
            .series_for(series, Viewer::Guest)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(guest.title, "Saga");
        assert_eq!(
            titles(&guest),
            vec![(1, "Opening".to_string()), (4, "Closing".to_string())],
            "{}",
            test.name
        );
        assert_eq!(guest.creators(), vec!["series_owner".to_string()]);
        let signed_in = archive
            .series_for(series, Viewer::User(reader.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(titles(&signed_in).len(), 3, "registered-only for members");
        assert_eq!(
            signed_in.words(),
            signed_in.works.iter().map(|(_, w)| w.words).sum::<u64>()
        );

        archive.set_work_hidden(opening, true).await.unwrap();
        archive.set_work_hidden(closing, true).await.unwrap();
        assert!(
            archive
                .series_for(series, Viewer::Guest)
                .await
                .unwrap()
                .is_none(),
            "nothing left to show a guest"
        );
        assert!(archive
            .series_for(series + 100, Viewer::Guest)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            archive.series_of_user(owner.id).await.unwrap(),
            vec![(series, "Saga".to_string())],
            "the registered-only work still names the series"
        );
        assert!(archive.series_of_user(reader.id).await.unwrap().is_empty());
        test.finish().await;
    }
}

#[tokio::test]
async fn hits_are_written_in_batches_once_per_visitor_and_day() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let first = archive.post_work(&[pseud], &draft()).await.unwrap();
        let second = archive.post_work(&[pseud], &draft()).await.unwrap();
        let gone = archive.post_work(&[pseud], &draft()).await.unwrap();
        archive.delete_work(gone).await.unwrap();
        let hit = |work, visitor: &str, day| Hit {
            work,
            visitor_key: visitor.into(),
            day,
        };
        let batch = [
            hit(first, "a", 1),
            hit(first, "a", 1),
            hit(first, "b", 1),
            hit(first, "a", 2),
            hit(second, "a", 1),
            hit(gone, "a", 1),
        ];
        assert_eq!(
            archive.record_hits(&batch).await.unwrap(),
            4,
            "{}",
            test.name
        );
        assert_eq!(archive.hit_count(first).await.unwrap(), 3);
        assert_eq!(archive.hit_count(second).await.unwrap(), 1);
        assert_eq!(
            archive.record_hits(&batch).await.unwrap(),
            0,
            "the same visits again count nothing"
        );
        assert_eq!(archive.record_hits(&[]).await.unwrap(), 0);
        test.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chapters_added_while_other_writes_run_all_land() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let id = archive.post_work(&[pseud], &draft()).await.unwrap();
        let first_chapter = archive.work(id).await.unwrap().unwrap().chapters[0].id;
        // Chapters read the last position before they write; comments and
        // kudos commit in between. On SQLite a transaction that read first
        // used to fail with "database is locked" when another write
        // committed meanwhile.
        let mut tasks = Vec::new();
        for n in 0..16 {
            let writer = archive.clone();
            tasks.push(tokio::spawn(async move {
                writer
                    .add_chapter(id, &chapter(&format!("Chapter number {n}.")))
                    .await
                    .map(|_| ())
            }));
            let commenter = archive.clone();
            tasks.push(tokio::spawn(async move {
                commenter
                    .add_comment(
                        first_chapter,
                        &Commenter::Named(format!("guest {n}")),
                        None,
                        "Still reading.",
                    )
                    .await
                    .map(|_| ())
            }));
        }
        for task in tasks {
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: {e}", test.name));
        }
        let work = archive.work(id).await.unwrap().unwrap();
        let positions: Vec<u32> = work.chapters.iter().map(|c| c.position).collect();
        let expected: Vec<u32> = (1..=(draft().chapters.len() as u32 + 16)).collect();
        assert_eq!(positions, expected, "{}", test.name);
        test.finish().await;
    }
}

/// What a comment must be is the archive's rule, whoever sends it (a form
/// or the API): a reply answers a comment on the same chapter, a guest
/// gives a name, and the text is kept trimmed.
#[tokio::test]
async fn comments_answer_their_own_chapter_and_guests_give_a_name() {
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let (mut works, mut chapters) = (Vec::new(), Vec::new());
        for _ in 0..2 {
            let id = archive
                .post_work(&[author.default_pseud], &draft())
                .await
                .unwrap();
            works.push(id);
            chapters.push(archive.work(id).await.unwrap().unwrap().chapters[0].id);
        }
        let by = Commenter::Pseud(reader.default_pseud);
        let first = archive
            .add_comment(chapters[0], &by, None, "  Oh no.\n")
            .await
            .unwrap();
        assert_eq!(
            archive.comment(first).await.unwrap().unwrap().body.text(),
            "Oh no.",
            "{}",
            test.name
        );
        let elsewhere = archive
            .add_comment(chapters[1], &by, Some(first), "Replying elsewhere.")
            .await;
        assert!(
            matches!(elsewhere, Err(ArchiveError::NoSuchComment(id)) if id == first),
            "{}: {elsewhere:?}",
            test.name
        );
        let nameless = archive
            .add_comment(chapters[0], &Commenter::Named("  ".into()), None, "Hi.")
            .await;
        assert!(
            matches!(nameless, Err(ArchiveError::Rejected { field: "name", .. })),
            "{}: {nameless:?}",
            test.name
        );
        assert_eq!(archive.comment_count(works[0]).await.ok(), Some(1));
        assert_eq!(archive.comment_count(works[1]).await.ok(), Some(0));
        test.finish().await;
    }
}
