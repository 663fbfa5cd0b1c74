//! Canonical tags, synonyms and sub-tags in filters, on each backend.

use quire_archive::model::TagKind;
use quire_archive::Viewer;

use crate::backends;
use crate::works::draft;

#[tokio::test]
async fn filters_follow_synonyms_and_sub_tags() {
    for test in backends::all().await {
        let archive = &test.archive;
        let pseud = archive.ensure_unowned_pseud("a").await.unwrap();
        let post = |relationship: &'static str| {
            let mut work = draft();
            work.relationships = vec![relationship.into()];
            async move { archive.post_work(&[pseud], &work).await.unwrap() }
        };
        let canonical = post("Kylo Ren/Rey").await;
        let synonym = post("Reylo").await;
        let sub = post("Kylo Ren/Rey (Alternate Universe)").await;
        let unrelated = post("Finn/Poe Dameron").await;
        let rel = TagKind::Relationship;

        archive.make_canonical(rel, "Kylo Ren/Rey").await.unwrap();
        let refused = archive
            .merge_as_synonym(rel, "Reylo", "Finn/Poe Dameron")
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("not canonical"), "{refused}");
        archive
            .merge_as_synonym(rel, "reylo", "kylo ren/rey")
            .await
            .unwrap();
        archive
            .make_canonical(rel, "Kylo Ren/Rey (Alternate Universe)")
            .await
            .unwrap();
        archive
            .add_parent(
                rel,
                "Kylo Ren/Rey (Alternate Universe)",
                rel,
                "Kylo Ren/Rey",
            )
            .await
            .unwrap();
        archive
            .add_parent(
                rel,
                "Kylo Ren/Rey",
                TagKind::Fandom,
                "Star Wars - All Media Types",
            )
            .await
            .unwrap();

        let found = archive
            .works_tagged(rel, "Kylo Ren/Rey", Viewer::Guest)
            .await
            .unwrap();
        assert_eq!(found, vec![sub, synonym, canonical], "{}", test.name);
        let by_synonym = archive
            .works_tagged(rel, "Reylo", Viewer::Guest)
            .await
            .unwrap();
        assert_eq!(by_synonym, found, "a synonym filters as its canonical");
        let only_sub = archive
            .works_tagged(rel, "Kylo Ren/Rey (Alternate Universe)", Viewer::Guest)
            .await
            .unwrap();
        assert_eq!(
            only_sub,
            vec![sub],
            "a sub-tag does not find its meta-tag's works"
        );
        assert!(!found.contains(&unrelated));

        let info = archive.tag(rel, "kylo ren/rey").await.unwrap().unwrap();
        assert!(info.canonical);
        assert_eq!(info.synonyms, vec!["Reylo"]);
        assert_eq!(info.children, vec!["Kylo Ren/Rey (Alternate Universe)"]);
        assert_eq!(info.parents, vec!["Star Wars - All Media Types"]);
        let reylo = archive.tag(rel, "Reylo").await.unwrap().unwrap();
        assert_eq!(reylo.synonym_of.as_deref(), Some("Kylo Ren/Rey"));
        assert!(!reylo.canonical);

        let looped = archive
            .add_parent(
                rel,
                "Kylo Ren/Rey",
                rel,
                "Kylo Ren/Rey (Alternate Universe)",
            )
            .await
            .unwrap_err();
        assert!(looped.to_string().contains("its own meta-tag"), "{looped}");
        assert!(
            archive.make_canonical(rel, "Reylo").await.is_err(),
            "a synonym can't be canonical"
        );
        assert!(archive
            .merge_as_synonym(TagKind::Rating, "Mature", "Explicit")
            .await
            .is_err());
        assert!(archive.tag(rel, "No Such Ship").await.unwrap().is_none());
        test.finish().await;
    }
}

#[tokio::test]
async fn autocomplete_offers_canonical_tags_by_prefix() {
    use quire_archive::model::TagKind;
    for test in backends::all().await {
        let archive = &test.archive;
        let author = backends::member(archive, "suggester").await;
        let mut work = crate::works::draft();
        work.fandoms = vec![
            "Star Wars - All Media Types".into(),
            "Star Trek".into(),
            "Stardew Valley".into(),
            "100%_Orange".into(),
        ];
        archive
            .post_work(&[author.default_pseud], &work)
            .await
            .unwrap();
        for name in [
            "Star Wars - All Media Types",
            "Stardew Valley",
            "100%_Orange",
        ] {
            archive.make_canonical(TagKind::Fandom, name).await.unwrap();
        }
        let found = archive
            .tag_suggestions(TagKind::Fandom, "  STAR   w", 10)
            .await
            .unwrap();
        assert_eq!(
            found,
            vec!["Star Wars - All Media Types"],
            "{}: folded spaces and case; Star Trek isn't canonical",
            test.name
        );
        let found = archive
            .tag_suggestions(TagKind::Fandom, "star", 10)
            .await
            .unwrap();
        assert_eq!(
            found,
            vec!["Star Wars - All Media Types", "Stardew Valley"],
            "{}",
            test.name
        );
        assert_eq!(
            archive
                .tag_suggestions(TagKind::Fandom, "star", 1)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            archive
                .tag_suggestions(TagKind::Fandom, "100%_", 10)
                .await
                .unwrap(),
            vec!["100%_Orange"]
        );
        assert!(
            archive
                .tag_suggestions(TagKind::Fandom, "1_0", 10)
                .await
                .unwrap()
                .is_empty(),
            "wildcards are literal"
        );
        assert!(archive
            .tag_suggestions(TagKind::Character, "star", 10)
            .await
            .unwrap()
            .is_empty());
        assert!(archive
            .tag_suggestions(TagKind::Fandom, "   ", 10)
            .await
            .unwrap()
            .is_empty());
        test.finish().await;
    }
}
