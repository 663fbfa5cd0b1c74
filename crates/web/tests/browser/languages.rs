//! A Chinese and a Russian work, posted through the form as their writers
//! would, are found through the search box by a word of their text: a
//! Chinese word inside a sentence written without spaces, and a Russian
//! word typed with е where the text has ё.

use fantoccini::{Client, Locator};

use crate::harness::Site;
use crate::reflow::emulate_phone;
use crate::{click, fill, screenshot, sign_up, visit, wait_for_text, Driver};

/// Posts a work of one chapter through `/works/new`.
async fn post(b: &Client, site: &Site, title: &str, language: &str, body: &str) {
    visit(b, site, "/works/new").await;
    fill(b, "#title", title).await;
    fill(b, "#fandoms", "Original Work").await;
    b.execute(
        "document.querySelector('#rating').value = 'General Audiences'; \
         document.querySelector('input[name=warnings][value=\"No Archive Warnings Apply\"]').checked = true; \
         document.querySelector('#language').value = arguments[0]; \
         return document.querySelector('#language').value;",
        vec![serde_json::json!(language)],
    )
    .await
    .expect("sets the choices");
    fill(b, "#body", body).await;
    click(b, "button[name=action][value=post]").await;
    wait_for_text(b, site, None, title, true).await;
}

/// Searches from the header's box and returns the first result's title,
/// asking up to `tries` times while the index catches up.
async fn first_found(b: &Client, site: &Site, words: &str, tries: usize) -> Option<String> {
    for _ in 0..tries {
        visit(b, site, "/").await;
        fill(b, "#site-search", words).await;
        b.find(Locator::Css("#site-search"))
            .await
            .expect("the search box")
            .send_keys("\u{E007}")
            .await
            .expect("Enter");
        // Read the results page, not the page the search was typed on.
        let mut first = serde_json::Value::Null;
        for _ in 0..50 {
            first = b
                .execute(
                    "if (!new URLSearchParams(location.search).has('q') \
                         || !document.querySelector('#results-heading')) { return 'waiting'; } \
                     const a = document.querySelector('ol.works li.blurb .heading a'); \
                     return a ? a.innerText : null;",
                    vec![],
                )
                .await
                .unwrap_or(serde_json::Value::from("waiting"));
            if first != "waiting" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        if let Some(title) = first.as_str() {
            return Some(title.to_string());
        }
        // The index follows the archive a moment behind.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_and_russian_works_are_found_by_a_word_of_their_text() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = crate::browser(&driver, profile.path()).await;
    emulate_phone(&b, 390).await;
    sign_up(&b, &site, "polyglot").await;
    post(
        &b,
        &site,
        "星之旅",
        "zh",
        "她走进了森林，听见远处的河水。\n\n天亮以前，她找到了那座小屋。",
    )
    .await;
    post(
        &b,
        &site,
        "Звёздная ночь",
        "ru",
        "Она смотрела на звёзды над рекой.\n\nУтром всё было тихо.",
    )
    .await;
    post(
        &b,
        &site,
        "Forest Walk",
        "en",
        "She walked into the forest and heard the river.",
    )
    .await;

    assert_eq!(
        first_found(&b, &site, "森林", 50).await.as_deref(),
        Some("星之旅"),
        "a Chinese word inside a sentence"
    );
    screenshot(&b, "search-chinese-390.png").await;
    assert_eq!(
        first_found(&b, &site, "звезды", 50).await.as_deref(),
        Some("Звёздная ночь"),
        "ё found as е"
    );
    screenshot(&b, "search-russian-390.png").await;
    // And a word the texts don't hold finds none (the index has every
    // work by now: the searches above found the last two).
    let none = first_found(&b, &site, "沙漠", 1).await;
    assert_eq!(none, None, "沙漠 is in no work");
}
