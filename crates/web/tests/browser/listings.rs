//! Listings open on their results: at 1280 px the first work is in the
//! first screen beside the filters, and on a 390 px phone it comes within
//! a screen and a half, with the filters behind one button.
//! Every blurb's squares hold their word whole, on one line. The e-reader
//! catalog, followed in a browser, is a page to read.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::harness::{eventually, post_work, Site};
use crate::reflow::{emulate_color_scheme, emulate_phone};
use crate::{browser, screenshot, visit, Driver};

/// Where the first work's blurb starts, from the top of the page, and how
/// tall the window is; `None` when the page shows no work.
async fn first_result(b: &Client) -> Option<(f64, f64)> {
    let measured = b
        .execute(
            "const first = document.querySelector('ol.works li.blurb'); \
             if (!first) { return null; } \
             return [first.getBoundingClientRect().top + window.scrollY, window.innerHeight];",
            vec![],
        )
        .await
        .expect("measures");
    let pair = measured.as_array()?;
    Some((pair[0].as_f64()?, pair[1].as_f64()?))
}

/// The blurb squares whose word doesn't fit inside them on one line.
async fn clipped_squares(b: &Client) -> Vec<String> {
    let found = b
        .execute(
            "return [...document.querySelectorAll('.blurb .sym')].flatMap(square => { \
               const word = square.querySelector('[aria-hidden]'); \
               const s = square.getBoundingClientRect(); \
               const w = word.getBoundingClientRect(); \
               const outside = w.left < s.left - 0.5 || w.right > s.right + 0.5 \
                 || w.top < s.top - 0.5 || w.bottom > s.bottom + 0.5; \
               const lines = word.getClientRects().length; \
               return outside || lines > 1 \
                 ? [word.textContent + ' in ' + lines + ' lines, ' + w.width + 'x' + w.height \
                    + ' in ' + s.width + 'x' + s.height] : []; });",
            vec![],
        )
        .await
        .expect("measures");
    found
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the "Sort and filter" button is on screen.
async fn filters_button_shown(b: &Client) -> bool {
    b.execute(
        "const button = document.querySelector('.to-filters a'); \
         return !!button && button.getBoundingClientRect().height > 0;",
        vec![],
    )
    .await
    .expect("measures")
    .as_bool()
    .unwrap_or(false)
}

/// Where the filter form starts in the window, its height, and how far
/// its widest part reaches past the window's right edge; `None` while it
/// is hidden.
async fn filters_on_screen(b: &Client) -> Option<(f64, f64, f64)> {
    let measured = b
        .execute(
            "const form = document.querySelector('aside.filters form'); \
             const box = form.getBoundingClientRect(); \
             const right = Math.max(...[...form.querySelectorAll('*')] \
               .map(e => e.getBoundingClientRect().right)); \
             return box.height > 0 \
               ? [box.top, box.height, right - document.documentElement.clientWidth] : null;",
            vec![],
        )
        .await
        .expect("measures");
    let found = measured.as_array()?;
    Some((found[0].as_f64()?, found[1].as_f64()?, found[2].as_f64()?))
}

/// `/opds`, followed from the footer: a page a person can read, with the
/// catalog's works as links, not the feed's XML as text.
async fn catalog_is_readable(b: &Client, site: &Site, width: u32) {
    for path in ["/opds", "/opds/recent"] {
        visit(b, site, path).await;
        let shown = b
            .execute(
                "const h1 = document.querySelector('main h1'); \
                 const links = document.querySelectorAll('main ul.catalog a, main ol.catalog-works h2 a'); \
                 return [document.contentType, h1 ? h1.getBoundingClientRect().height : 0, links.length];",
                vec![],
            )
            .await
            .expect("measures");
        assert_eq!(shown[0], "text/html", "{path} is shown as a page");
        assert!(
            shown[1].as_f64().unwrap_or(0.0) > 0.0,
            "{path}: no heading shown"
        );
        assert!(
            shown[2].as_u64().unwrap_or(0) >= 3,
            "{path}: the catalog's links are missing: {shown:?}"
        );
    }
    screenshot(b, &format!("catalog-recent-{width}.png")).await;
    emulate_color_scheme(b, "dark").await;
    screenshot(b, &format!("catalog-recent-{width}-dark.png")).await;
    emulate_color_scheme(b, "light").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_open_on_their_results_on_a_desktop_and_a_phone() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    tokio::task::block_in_place(|| {
        let writer = site.member("lantern_writer");
        // The widest words the squares hold: several categories, and Other.
        let categories: [&[&str]; 3] = [&["F/F", "M/M"], &["Other"], &["Gen"]];
        for (n, categories) in (1..=3).zip(categories) {
            let title = format!("Lantern Tale {n}");
            let mut fields = vec![
                ("title", title.as_str()),
                ("summary", "A lantern, a lighthouse, a long night."),
                ("fandoms", "Lanterns"),
                ("freeforms", "Fluff, Found Family"),
                ("body", "The lantern swung. The keeper waited."),
            ];
            fields.extend(categories.iter().map(|c| ("categories", *c)));
            post_work(&writer, &fields);
        }
        let guest = site.client();
        eventually("the works are listed", || {
            guest
                .get("/works?q=Lantern")
                .body
                .contains("Lantern Tale 3")
        });
    });
    let listings = [
        ("works", "/works"),
        ("search", "/works?q=lantern"),
        ("tag", "/tags/Lanterns/works"),
        ("author", "/users/lantern_writer/works"),
    ];
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser(&driver, profile.path()).await;
    for (name, path) in listings {
        visit(&b, &site, path).await;
        let (top, window) = first_result(&b)
            .await
            .unwrap_or_else(|| panic!("{path} shows no work"));
        screenshot(&b, &format!("listing-{name}-1280.png")).await;
        emulate_color_scheme(&b, "dark").await;
        screenshot(&b, &format!("listing-{name}-1280-dark.png")).await;
        emulate_color_scheme(&b, "light").await;
        let clipped = clipped_squares(&b).await;
        assert!(clipped.is_empty(), "{path}: clipped squares {clipped:?}");
        assert!(
            top < window,
            "{path} at 1280 px: the first work starts {top} px down, below the {window} px window"
        );
        assert!(
            !filters_button_shown(&b).await,
            "{path} at 1280 px: the filters are beside the results, no button is needed"
        );
        assert!(
            filters_on_screen(&b).await.is_some(),
            "{path} at 1280 px: the filters are shown"
        );
    }
    catalog_is_readable(&b, &site, 1280).await;
    emulate_phone(&b, 390).await;
    catalog_is_readable(&b, &site, 390).await;
    for (name, path) in listings {
        visit(&b, &site, path).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (top, window) = first_result(&b)
            .await
            .unwrap_or_else(|| panic!("{path} shows no work"));
        screenshot(&b, &format!("listing-{name}-390.png")).await;
        emulate_color_scheme(&b, "dark").await;
        screenshot(&b, &format!("listing-{name}-390-dark.png")).await;
        emulate_color_scheme(&b, "light").await;
        let clipped = clipped_squares(&b).await;
        assert!(
            clipped.is_empty(),
            "{path} at 390 px: clipped squares {clipped:?}"
        );
        assert!(
            top < window * 1.5,
            "{path} at 390 px: the first work starts {top} px down, more than a screen and a half of {window} px"
        );
        // The filters wait behind one button; pressing it (a link, no
        // script needed) shows them in the window, and "Hide filters"
        // puts them away again.
        assert!(
            filters_on_screen(&b).await.is_none(),
            "{path} at 390 px: the filters are open before they are asked for"
        );
        assert!(
            filters_button_shown(&b).await,
            "{path} at 390 px: no button leads to the filters"
        );
        b.find(Locator::Css(".to-filters a"))
            .await
            .expect("the button")
            .click()
            .await
            .expect("the button is pressed");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (form_top, form_height, past_edge) = filters_on_screen(&b)
            .await
            .unwrap_or_else(|| panic!("{path} at 390 px: the button shows no filters"));
        assert!(
            (0.0..window).contains(&form_top) && form_height > 100.0,
            "{path} at 390 px: the filters start {form_top} px into a {window} px window"
        );
        assert!(
            past_edge <= 0.5,
            "{path} at 390 px: the filters reach {past_edge} px past the screen's edge"
        );
        if name == "works" {
            screenshot(&b, "listing-works-390-filters.png").await;
        }
        b.find(Locator::Css(".close-filters a"))
            .await
            .expect("the hide link")
            .click()
            .await
            .expect("the hide link is followed");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            filters_on_screen(&b).await.is_none(),
            "{path} at 390 px: Hide filters leaves them open"
        );
    }
    b.close().await.expect("the browser closes");
}
