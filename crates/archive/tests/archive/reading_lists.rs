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
