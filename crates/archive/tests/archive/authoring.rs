//! Posting and editing as one call each: the rules checked inside, and a
//! refused step leaving nothing behind, on each backend.

use quire_archive::{ArchiveError, CountedTable, Posting};

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn a_posting_stores_the_work_its_series_and_invitations_together() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "writer").await;
        let friend = backends::member(archive, "friend").await;
        let draft = draft();
        let posting = Posting {
            pseud: writer.default_pseud,
            draft: &draft,
            series: Some("  Ember Cycle "),
            co_creators: &[friend.default_pseud],
            media: None,
        };
        let id = archive.post_as(writer.id, posting).await.unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(work.series.len(), 1, "{}", test.name);
        assert_eq!(work.series[0].title, "Ember Cycle");
        let invited = archive.invitations_for(friend.id).await.unwrap();
        assert_eq!(invited.len(), 1, "{}: the friend is invited", test.name);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_refused_posting_leaves_nothing() {
    for test in backends::all().await {
        let archive = &test.archive;
        let owner = backends::member(archive, "series_owner").await;
        let other = backends::member(archive, "other_writer").await;
        let draft = draft();
        let first = Posting {
            pseud: owner.default_pseud,
            draft: &draft,
            series: Some("Taken Series"),
            co_creators: &[],
            media: None,
        };
        archive.post_as(owner.id, first).await.unwrap();
        let works = archive.count_rows(CountedTable::Works).await.unwrap();

        // Someone else's series: refused by name, and no work is posted.
        let into_theirs = Posting {
            pseud: other.default_pseud,
            series: Some("taken series"),
            ..first
        };
        let err = archive.post_as(other.id, into_theirs).await.unwrap_err();
        assert!(
            matches!(&err, ArchiveError::SeriesNotYours(t) if t == "taken series"),
            "{}: {err}",
            test.name
        );
        // Someone else's pseud: refused.
        let as_them = Posting {
            pseud: owner.default_pseud,
            series: None,
            ..first
        };
        assert!(matches!(
            archive.post_as(other.id, as_them).await,
            Err(ArchiveError::NotYourPseud(_))
        ));
        // An invitation to a pseud that isn't there: the work goes too.
        let to_nobody = Posting {
            pseud: other.default_pseud,
            series: Some("A New One"),
            co_creators: &[9_999_999],
            media: None,
            ..first
        };
        assert!(matches!(
            archive.post_as(other.id, to_nobody).await,
            Err(ArchiveError::UnknownPseud(9_999_999))
        ));
        assert_eq!(
            archive.count_rows(CountedTable::Works).await.unwrap(),
            works,
            "{}: nothing half-posted",
            test.name
        );
        assert!(
            archive
                .may_add_to_series("A New One", owner.id)
                .await
                .unwrap(),
            "{}: the series of the refused posting was not made",
            test.name
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn an_edit_joins_a_series_with_its_change_or_not_at_all() {
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "editor").await;
        let stranger = backends::member(archive, "stranger").await;
        let theirs = draft();
        archive
            .post_as(
                stranger.id,
                Posting {
                    pseud: stranger.default_pseud,
                    draft: &theirs,
                    series: Some("Stranger Things Happen"),
                    co_creators: &[],
                    media: None,
                },
            )
            .await
            .unwrap();
        let mine = draft();
        let id = archive
            .post_work(&[writer.default_pseud], &mine)
            .await
            .unwrap();

        // A change with someone else's series: neither happens.
        let mut retitled = mine.clone();
        retitled.title = "Cinders".into();
        let err = archive
            .edit_as(writer.id, id, &retitled, Some("Stranger Things Happen"))
            .await
            .unwrap_err();
        assert!(matches!(err, ArchiveError::SeriesNotYours(_)), "{err}");
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!((work.title.as_str(), work.series.len()), ("Ashes", 0));

        // A change the rules refuse, with a series of one's own: neither.
        let mut untitled = mine.clone();
        untitled.title = "  ".into();
        assert!(archive
            .edit_as(writer.id, id, &untitled, Some("My Own"))
            .await
            .is_err());
        assert!(archive.work(id).await.unwrap().unwrap().series.is_empty());

        // Someone else's work is not theirs to change.
        assert!(matches!(
            archive.edit_as(stranger.id, id, &retitled, None).await,
            Err(ArchiveError::NotYours(w)) if w == id
        ));

        // Both, together; and naming the series again adds nothing.
        archive
            .edit_as(writer.id, id, &retitled, Some("My Own"))
            .await
            .unwrap();
        archive
            .edit_as(writer.id, id, &retitled, Some("my own"))
            .await
            .unwrap();
        let work = archive.work(id).await.unwrap().unwrap();
        assert_eq!(work.title, "Cinders", "{}", test.name);
        assert_eq!(work.series.len(), 1);
        assert_eq!(work.series[0].part, 1);
        test.finish().await;
    }
}

#[tokio::test]
async fn a_link_to_a_work_meets_the_work_a_sign_in_or_nothing() {
    use quire_archive::{Reading, Viewer};
    for test in backends::all().await {
        let archive = &test.archive;
        let writer = backends::member(archive, "link_writer").await;
        let reader = backends::member(archive, "link_reader").await;
        let mut ids = Vec::new();
        for (restricted, unposted) in [(false, false), (true, false), (true, true)] {
            let mut work = draft();
            work.restricted = restricted;
            work.draft = unposted;
            ids.push(
                archive
                    .post_work(&[writer.default_pseud], &work)
                    .await
                    .unwrap(),
            );
        }
        let (public, members, unposted) = (ids[0], ids[1], ids[2]);
        let met = |id, viewer| async move {
            match archive.read_work(id, viewer).await.unwrap() {
                Reading::Visible(_) => "work",
                Reading::SignInNeeded => "sign in",
                Reading::NotFound => "nothing",
            }
        };
        let reader = Viewer::User(reader.id);
        assert_eq!(met(public, Viewer::Guest).await, "work", "{}", test.name);
        assert_eq!(met(members, Viewer::Guest).await, "sign in");
        assert_eq!(met(members, reader).await, "work");
        assert_eq!(
            met(unposted, Viewer::Guest).await,
            "nothing",
            "a draft stays unknown"
        );
        assert_eq!(met(unposted, reader).await, "nothing");
        assert_eq!(met(unposted, Viewer::User(writer.id)).await, "work");
        assert_eq!(met(999_999, Viewer::Guest).await, "nothing");
        // To change a work, it must be one's own, whatever one may read.
        assert!(archive
            .own_work(unposted, writer.id)
            .await
            .unwrap()
            .is_some());
        let Viewer::User(reader_id) = reader else {
            unreachable!()
        };
        assert!(archive.own_work(public, reader_id).await.unwrap().is_none());
        test.finish().await;
    }
}
