//! Editing works and their chapters: only their authors edit, orphan and
//! delete a work, and add, edit, reorder and delete its chapters.

use crate::harness::{eventually, post_work, seed, Site};

#[test]
fn authors_edit_orphan_and_delete_their_works_and_nobody_else_can() {
    let site = Site::start();
    let author = site.member("editing_author");
    let other = site.member("editing_other");
    let guest = site.client();
    let id = post_work(
        &author,
        &[
            ("title", "First title"),
            ("warnings", "Creator Chose Not To Use Archive Warnings"),
            ("body", &seed("000")),
        ],
    );
    let edit = format!("/works/{id}/edit");
    let form = author.get(&edit);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"First title\""));
    assert!(
        form.body
            .contains("The text suggests: <strong>Graphic Depictions Of Violence</strong>"),
        "the editing page shows what the text suggests"
    );
    assert!(author.get(&format!("/works/{id}")).body.contains(&edit));
    assert_eq!(other.get(&edit).status, 404);
    assert!(!other.get(&format!("/works/{id}")).body.contains(&edit));
    assert_eq!(guest.get(&edit).status, 303);

    let saved = author.submit(
        &edit,
        &edit,
        &[
            ("title", "Second title"),
            ("rating", "Mature"),
            ("warnings", "Graphic Depictions Of Violence"),
            ("fandoms", "Original Work, Ash Valley"),
            ("complete", "1"),
        ],
    );
    assert!(
        saved.body.contains("Your changes were saved"),
        "{}",
        saved.body
    );
    assert!(saved.body.contains("Second title") && saved.body.contains("Ash Valley"));
    // Violence is tagged now: the reader's note no longer lists it.
    if let Some(at) = saved.body.find("not tagged by the author: ") {
        let rest = &saved.body[at + "not tagged by the author: ".len()..];
        let listed: Vec<&str> = rest[..rest.find("</summary>").unwrap()]
            .split(", ")
            .collect();
        assert!(!listed.contains(&"violence"), "{listed:?}");
        assert!(listed.contains(&"harm to children"), "{listed:?}");
    } else {
        panic!("harm to children is still untagged, so the note stays");
    }
    eventually("the list shows the new title", || {
        guest
            .get("/tags/Ash%20Valley/works")
            .body
            .contains("Second title")
    });
    let missing = author.submit(
        &edit,
        &edit,
        &[
            ("title", "No fandom"),
            ("warnings", "No Archive Warnings Apply"),
        ],
    );
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("Name at least one fandom"));
    let token = other.get("/preferences").csrf();
    let refused = other.post(
        &edit,
        &[
            ("csrf", &token),
            ("title", "Mine now"),
            ("fandoms", "X"),
            ("warnings", "No Archive Warnings Apply"),
        ],
    );
    assert_eq!(refused.status, 404);
    for action in ["orphan", "delete"] {
        let refused = other.post(
            &format!("/works/{id}/{action}"),
            &[("csrf", &token), ("confirm", "1")],
        );
        assert_eq!(refused.status, 404, "{action} by another member");
    }

    let unconfirmed = author.submit(&edit, &format!("/works/{id}/orphan"), &[]);
    assert_eq!(unconfirmed.status, 400);
    let orphaned = author.submit(&edit, &format!("/works/{id}/orphan"), &[("confirm", "1")]);
    assert!(
        orphaned.body.contains("orphan_account"),
        "{}",
        orphaned.body
    );
    assert_eq!(
        author.get(&edit).status,
        404,
        "an orphaned work is no longer theirs"
    );

    let doomed = post_work(&author, &[("title", "Short lived"), ("body", "Gone soon.")]);
    let gone = author.submit(
        &format!("/works/{doomed}/edit"),
        &format!("/works/{doomed}/delete"),
        &[("confirm", "1")],
    );
    assert_eq!(gone.status, 200);
    assert_eq!(author.get(&format!("/works/{doomed}")).status, 404);
}

#[test]
fn authors_add_reorder_and_delete_chapters() {
    let site = Site::start();
    let author = site.member("chapter_keeper");
    let other = site.member("chapter_other");
    let id = post_work(
        &author,
        &[("title", "Growing"), ("body", "The first chapter's words.")],
    );
    let new = format!("/works/{id}/chapters/new");
    assert_eq!(author.get(&new).status, 200);
    assert_eq!(other.get(&new).status, 404);
    assert_eq!(site.client().get(&new).status, 303);

    let preview = author.submit(
        &new,
        &new,
        &[
            ("chapter_title", "Second"),
            ("body", "na√Øve words about Y/N"),
            ("action", "preview"),
        ],
    );
    assert!(
        preview.body.contains("Repaired 1 garbled"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("naïve words"));
    let added = author.submit(
        &new,
        &new,
        &[
            ("chapter_title", "Second"),
            ("format", "markdown"),
            ("body", "The *second* chapter."),
            ("action", "post"),
        ],
    );
    assert!(
        added.body.contains("Your chapter was posted"),
        "{}",
        added.body
    );
    assert!(added.body.contains("Chapter 2: Second") && added.body.contains("<em>second</em>"));
    let empty = author.submit(&new, &new, &[("body", "  "), ("action", "post")]);
    assert_eq!(empty.status, 400);

    // Editing a chapter: its form holds the text as kept, as HTML.
    let edit_second = format!("/works/{id}/chapters/2/edit");
    assert_eq!(other.get(&edit_second).status, 404);
    assert_eq!(
        author.get(&format!("/works/{id}/chapters/9/edit")).status,
        404
    );
    let form = author.get(&edit_second);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Edit chapter 2 of"));
    assert!(
        form.body
            .contains("The &#60;em&#62;second&#60;/em&#62; chapter."),
        "{}",
        form.body
    );
    assert!(form.body.contains("value=\"html\" checked"));
    assert!(author
        .get(&format!("/works/{id}/edit"))
        .body
        .contains(&format!("href=\"{edit_second}\"")));
    let saved = author.submit(
        &edit_second,
        &edit_second,
        &[
            ("chapter_title", "Second, revised"),
            ("chapter_notes_end", "Thank you for reading."),
            ("format", "html"),
            ("body", "<p>The <strong>revised</strong> chapter.</p>"),
            ("action", "post"),
        ],
    );
    assert!(
        saved
            .body
            .contains("Your changes to the chapter were saved"),
        "{}",
        saved.body
    );
    assert!(saved.body.contains("Chapter 2: Second, revised"));
    assert!(
        saved.body.contains("<strong>revised</strong>") && !saved.body.contains("<em>second</em>")
    );
    assert!(saved.body.contains("Thank you for reading."));
    let token = other.get("/preferences").csrf();
    let forged = other.post(
        &edit_second,
        &[("csrf", &token), ("body", "Mine now."), ("action", "post")],
    );
    assert_eq!(forged.status, 404);
    let blank = author.submit(
        &edit_second,
        &edit_second,
        &[("body", " "), ("action", "post")],
    );
    assert_eq!(blank.status, 400);

    let stored = site.store(async { site.archive.work(id).await.unwrap().unwrap() });
    let (first, second) = (stored.chapters[0].id, stored.chapters[1].id);
    let edit = format!("/works/{id}/edit");
    let token = other.get("/preferences").csrf();
    let refused = other.post(
        &format!("/works/{id}/chapters/order"),
        &[
            ("csrf", &token),
            (&format!("order:{first}"), "2"),
            (&format!("order:{second}"), "1"),
        ],
    );
    assert_eq!(refused.status, 404);
    let reordered = author.submit(
        &edit,
        &format!("/works/{id}/chapters/order"),
        &[
            (&format!("order:{first}"), "2"),
            (&format!("order:{second}"), "1"),
        ],
    );
    assert!(reordered.body.contains("in their new order"));
    let body = &reordered.body;
    assert!(
        body.find("The <strong>revised</strong> chapter.").unwrap()
            < body.find("The first chapter").unwrap()
    );
    let bad = author.submit(
        &edit,
        &format!("/works/{id}/chapters/order"),
        &[(&format!("order:{first}"), "x")],
    );
    assert_eq!(bad.status, 400);

    let deleted = author.submit(
        &edit,
        &format!("/works/{id}/chapters/delete"),
        &[("chapter", &second.to_string()), ("confirm", "1")],
    );
    assert_eq!(deleted.status, 200);
    let stored = site.store(async { site.archive.work(id).await.unwrap().unwrap() });
    assert_eq!(stored.chapters.len(), 1);
    assert!(stored.chapters[0].html.contains("first chapter"));
    let last = author.submit(
        &edit,
        &format!("/works/{id}/chapters/delete"),
        &[("chapter", &first.to_string()), ("confirm", "1")],
    );
    assert_eq!(last.status, 400, "the last chapter stays");
}

/// A writer sees what quire repaired, before posting and when editing, and
/// can keep the text exactly as typed, in every format.
#[test]
fn writers_see_what_was_repaired_and_can_keep_their_text_as_typed() {
    let site = Site::start();
    let author = site.member("as_typed_writer");
    let garbled = "A naÃ¯ve plan over cafÃ© au lait.";
    let id = post_work(&author, &[("title", "Kept"), ("body", garbled)]);
    let chapter = format!("/works/{id}/chapters/1");
    assert!(author
        .get(&chapter)
        .body
        .contains("A naïve plan over café au lait."));

    // The edit page lists the repairs made when the chapter was saved.
    let edit = format!("/works/{id}/chapters/1/edit");
    let form = author.get(&edit);
    assert!(
        form.body
            .contains("What quire repaired when this chapter was saved"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("<del>Ã¯</del> → <ins>ï</ins>"),
        "{}",
        form.body
    );

    // Previewed as typed: nothing is listed as repaired, the box stays ticked.
    let preview = author.submit(
        &edit,
        &edit,
        &[
            ("format", "plain"),
            ("body", garbled),
            ("keep_as_typed", "1"),
            ("action", "preview"),
        ],
    );
    assert!(!preview.body.contains("Repaired 1"), "{}", preview.body);
    assert!(preview.body.contains(
        "name=\"keep_as_typed\" value=\"1\" aria-describedby=\"keep-as-typed-hint\" checked"
    ));
    let saved = author.submit(
        &edit,
        &edit,
        &[
            ("format", "plain"),
            ("body", garbled),
            ("keep_as_typed", "1"),
            ("action", "post"),
        ],
    );
    assert!(saved.status < 400, "{}", saved.body);
    assert!(author.get(&chapter).body.contains(garbled));
    assert!(!author
        .get(&edit)
        .body
        .contains("What quire repaired when this chapter was saved"));

    // HTML and Markdown are repaired as plain text is, on the page too, and
    // kept as typed when asked.
    for format in ["html", "markdown"] {
        for keep in [false, true] {
            let mut fields = vec![
                ("format", format),
                ("body", "<p>Zoë’s cafÃ©</p>"),
                ("action", "post"),
            ];
            if keep {
                fields.push(("keep_as_typed", "1"));
            }
            let saved = author.submit(&edit, &edit, &fields);
            assert!(saved.status < 400, "{}", saved.body);
            let page = author.get(&chapter).body;
            let want = if keep {
                "Zoë’s cafÃ©"
            } else {
                "Zoë’s café"
            };
            assert!(page.contains(want), "{format}, kept {keep}: {page}");
        }
    }
}
