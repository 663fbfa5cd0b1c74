//! Listings open on their results: at 1280 px the first work is in the
//! first screen beside the filters, and on a 390 px phone it comes within
//! a screen and a half, before the filters, with one link down to them.

use std::time::Duration;

use fantoccini::Client;

use crate::harness::{eventually, post_work, Site};
use crate::reflow::emulate_phone;
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

/// Whether the link to the filters is shown, and leads to them.
async fn filters_link_shown(b: &Client) -> bool {
    b.execute(
        "const link = document.querySelector('.to-filters a'); \
         if (!link || link.getBoundingClientRect().height === 0) { return false; } \
         return document.querySelector(link.getAttribute('href')) !== null;",
        vec![],
    )
    .await
    .expect("measures")
    .as_bool()
    .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_open_on_their_results_on_a_desktop_and_a_phone() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    tokio::task::block_in_place(|| {
        let writer = site.member("lantern_writer");
        for n in 1..=3 {
            post_work(
                &writer,
                &[
                    ("title", &format!("Lantern Tale {n}")),
                    ("summary", "A lantern, a lighthouse, a long night."),
                    ("fandoms", "Lanterns"),
                    ("freeforms", "Fluff, Found Family"),
                    ("body", "The lantern swung. The keeper waited."),
                ],
            );
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
        assert!(
            top < window,
            "{path} at 1280 px: the first work starts {top} px down, below the {window} px window"
        );
        assert!(
            !filters_link_shown(&b).await,
            "{path} at 1280 px: the filters are beside the results, no link is needed"
        );
    }
    emulate_phone(&b, 390).await;
    for (name, path) in listings {
        visit(&b, &site, path).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (top, window) = first_result(&b)
            .await
            .unwrap_or_else(|| panic!("{path} shows no work"));
        screenshot(&b, &format!("listing-{name}-390.png")).await;
        assert!(
            top < window * 1.5,
            "{path} at 390 px: the first work starts {top} px down, more than a screen and a half of {window} px"
        );
        assert!(
            filters_link_shown(&b).await,
            "{path} at 390 px: no link leads down to the filters"
        );
    }
    b.close().await.expect("the browser closes");
}
