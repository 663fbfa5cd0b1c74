//! Marked for later and reading history, on each backend.

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn works_are_marked_for_later_and_forgotten_one_by_one() {
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
        assert!(archive.mark_for_later(reader.id, first).await.unwrap());
        assert!(
            !archive.mark_for_later(reader.id, first).await.unwrap(),
            "once"
        );
        archive.mark_for_later(reader.id, second).await.unwrap();
        assert!(archive.is_marked_for_later(reader.id, first).await.unwrap());
        let marked: Vec<_> = archive
            .marked_for_later(reader.id)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(marked.len(), 2, "{}", test.name);
        assert!(marked.contains(&first) && marked.contains(&second));
        assert!(archive
            .marked_for_later(author.id)
            .await
            .unwrap()
            .is_empty());

        // A work an admin hides leaves the list, and comes back with it.
        archive.set_work_hidden(second, true).await.unwrap();
        assert_eq!(archive.marked_for_later(reader.id).await.unwrap().len(), 1);
        archive.set_work_hidden(second, false).await.unwrap();
        archive.unmark_for_later(reader.id, first).await.unwrap();
        assert_eq!(
            archive.marked_for_later(reader.id).await.unwrap(),
            vec![(second, "Ashes".to_string())]
        );

        // History: one work forgotten, the other kept.
        archive.record_reading(reader.id, first).await.unwrap();
        archive.record_reading(reader.id, second).await.unwrap();
        archive.forget_reading(reader.id, first).await.unwrap();
        let history: Vec<_> = archive
            .reading_history(reader.id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.0)
            .collect();
        assert_eq!(history, vec![second], "{}", test.name);

        // A deleted work takes its marks with it.
        archive.delete_work(second).await.unwrap();
        assert!(archive
            .marked_for_later(reader.id)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn a_reader_keeps_one_bookmark_per_work_and_lists_find_them() {
    use quire_archive::bookmarks::BookmarkFilter;
    use quire_archive::{ArchiveError, BookmarkNote, Viewer};
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let other = backends::member(archive, "other").await;
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let note = |text: &str, tags: &[&str], rec: bool| BookmarkNote {
            note: text.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            private: false,
            rec,
        };
        let first = archive
            .add_bookmark(
                work,
                reader.default_pseud,
                &note("Loved it.", &["Comfort"], true),
            )
            .await
            .unwrap();
        // Bookmarking again, even as another pseud, changes the one there is.
        let alt = archive.add_pseud(reader.id, "reader_alt").await.unwrap();
        let again = archive
            .add_bookmark(
                work,
                alt,
                &note("Still love it.", &["Comfort", "Reread"], true),
            )
            .await
            .unwrap();
        assert_eq!(first, again, "{}", test.name);
        let kept = archive.bookmark(first).await.unwrap().unwrap();
        assert_eq!(kept.bookmarker, "reader_alt");
        assert_eq!(kept.tags, vec!["Comfort", "Reread"]);
        assert_eq!(
            archive
                .bookmark_of_work(reader.id, work)
                .await
                .unwrap()
                .map(|b| b.id),
            Some(first)
        );
        archive
            .add_bookmark(work, other.default_pseud, &note("", &[], false))
            .await
            .unwrap();

        // Lists: all, by owner, by the bookmarker's tag or the work's, recs,
        // notes.
        let list = |filter: BookmarkFilter| async move {
            archive
                .list_bookmarks(
                    &BookmarkFilter {
                        per_page: 20,
                        ..filter
                    },
                    Viewer::Guest,
                )
                .await
                .unwrap()
        };
        assert_eq!(
            list(BookmarkFilter::default()).await.total,
            2,
            "{}",
            test.name
        );
        let mine = list(BookmarkFilter {
            owner: Some(reader.id),
            ..BookmarkFilter::default()
        })
        .await;
        assert_eq!(
            mine.bookmarks.iter().map(|b| b.id).collect::<Vec<_>>(),
            vec![first]
        );
        let tagged = list(BookmarkFilter {
            tag: Some("reread".into()),
            ..BookmarkFilter::default()
        })
        .await;
        assert_eq!(tagged.total, 1, "{}: by the bookmarker's tag", test.name);
        let by_work_tag = list(BookmarkFilter {
            tag: Some("Kylo Ren".into()),
            ..BookmarkFilter::default()
        })
        .await;
        assert_eq!(by_work_tag.total, 2, "{}: by the work's tag", test.name);
        assert_eq!(
            list(BookmarkFilter {
                recs_only: true,
                ..BookmarkFilter::default()
            })
            .await
            .total,
            1
        );
        assert_eq!(
            list(BookmarkFilter {
                with_notes: true,
                ..BookmarkFilter::default()
            })
            .await
            .total,
            1
        );

        // Edited and deleted by their owner only.
        assert!(matches!(
            archive
                .edit_bookmark(first, other.id, &note("Mine now.", &[], false))
                .await,
            Err(ArchiveError::NotAllowed(_))
        ));
        let private = BookmarkNote {
            private: true,
            ..note("Just for me.", &[], false)
        };
        archive
            .edit_bookmark(first, reader.id, &private)
            .await
            .unwrap();
        assert_eq!(
            list(BookmarkFilter::default()).await.total,
            1,
            "private now"
        );
        assert_eq!(
            archive
                .list_bookmarks(
                    &BookmarkFilter {
                        per_page: 20,
                        ..BookmarkFilter::default()
                    },
                    Viewer::User(reader.id)
                )
                .await
                .unwrap()
                .total,
            2,
            "its owner still sees it"
        );
        assert!(matches!(
            archive.delete_bookmark(first, other.id).await,
            Err(ArchiveError::NotAllowed(_))
        ));
        archive.delete_bookmark(first, reader.id).await.unwrap();
        assert!(archive.bookmark(first).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn series_and_works_elsewhere_are_bookmarked_too() {
    use quire_archive::bookmarks::{BookmarkFilter, ExternalWork};
    use quire_archive::{ArchiveError, BookmarkNote, Viewer};
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "author").await;
        let reader = backends::member(archive, "reader").await;
        let work = archive
            .post_work(&[author.default_pseud], &draft())
            .await
            .unwrap();
        let series = archive
            .add_to_series(work, "The Ashes Cycle", None)
            .await
            .unwrap();
        let note = BookmarkNote {
            note: "The whole cycle.".into(),
            ..BookmarkNote::default()
        };
        let first = archive
            .add_series_bookmark(series, reader.default_pseud, &note)
            .await
            .unwrap();
        let again = archive
            .add_series_bookmark(series, reader.default_pseud, &BookmarkNote::default())
            .await
            .unwrap();
        assert_eq!(first, again, "{}: one per reader per series", test.name);
        let kept = archive.bookmark(first).await.unwrap().unwrap();
        assert_eq!((kept.series, kept.work), (Some(series), None));
        assert_eq!(kept.work_title, "The Ashes Cycle");
        assert_eq!(
            archive
                .bookmark_of_series(reader.id, series)
                .await
                .unwrap()
                .map(|b| b.id),
            Some(first)
        );

        let elsewhere = ExternalWork {
            url: "https://example.org/fic/42".into(),
            title: "Far Away".into(),
            creator: "someone_else".into(),
            tags: vec!["Other Fandom".into(), "Fluff".into()],
        };
        let external = archive
            .add_external_bookmark(&elsewhere, reader.default_pseud, &BookmarkNote::default())
            .await
            .unwrap();
        let kept = archive.bookmark(external).await.unwrap().unwrap();
        assert_eq!(kept.external, Some(elsewhere.clone()), "{}", test.name);
        assert_eq!(kept.work_title, "Far Away");
        for bad in [
            ExternalWork {
                url: "javascript:alert(1)".into(),
                ..elsewhere.clone()
            },
            ExternalWork {
                url: "example.org/no-scheme".into(),
                ..elsewhere.clone()
            },
            ExternalWork {
                title: " ".into(),
                ..elsewhere.clone()
            },
        ] {
            assert!(matches!(
                archive
                    .add_external_bookmark(&bad, reader.default_pseud, &BookmarkNote::default())
                    .await,
                Err(ArchiveError::Rejected { .. })
            ));
        }
        // The work's own tags find it.
        let fluff = archive
            .list_bookmarks(
                &BookmarkFilter {
                    tag: Some("fluff".into()),
                    per_page: 20,
                    ..BookmarkFilter::default()
                },
                Viewer::Guest,
            )
            .await
            .unwrap();
        assert_eq!(
            fluff.bookmarks.iter().map(|b| b.id).collect::<Vec<_>>(),
            vec![external]
        );
        assert_eq!(
            archive
                .bookmarks_of(reader.id, Viewer::Guest)
                .await
                .unwrap()
                .len(),
            2
        );
        // A series none of whose works may be seen doesn't show its title.
        archive.set_work_hidden(work, true).await.unwrap();
        let seen: Vec<_> = archive
            .bookmarks_of(reader.id, Viewer::Guest)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(seen, vec![external], "{}", test.name);
        assert_eq!(
            archive
                .bookmarks_of(reader.id, Viewer::User(reader.id))
                .await
                .unwrap()
                .len(),
            2,
            "its owner still sees it"
        );
    }
}
