//! The site in real headless Chromium, driven over WebDriver as a reader
//! would use it: sign up, post a raw seed, read it with their own name,
//! react, filter and mute, on a desktop and on a 360 px phone.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs
//! them); without them the test fails and says so.

mod formatting;
mod keeping_away;
mod languages;
mod listings;
mod media;
mod recovery;
mod reflow;
mod xss;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use harness::{seed, Site};
use quire_testkit::site as harness;
use serde_json::json;

/// chromedriver on a free port, stopped with the test.
struct Driver(Child, u16);

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (Debian: apt-get install chromium chromium-driver; scripts/test installs it)");
        let driver = Driver(child, port);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not start listening on {port}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    browser_with(driver, profile, &[]).await
}

/// [`browser`], started with more of Chromium's switches.
async fn browser_with(driver: &Driver, profile: &std::path::Path, switches: &[String]) -> Client {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend_from_slice(switches);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()),
            "args": args,
        }),
    );
    ClientBuilder::rustls()
        .expect("a TLS setup")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("Chromium starts under chromedriver")
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

async fn fill(b: &Client, selector: &str, text: &str) {
    let field = b.find(Locator::Css(selector)).await.expect(selector);
    field.clear().await.expect("clears");
    field.send_keys(text).await.expect("types");
}

async fn click(b: &Client, selector: &str) {
    b.find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
}

async fn text_of(b: &Client, selector: &str) -> String {
    b.find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn visit(b: &Client, site: &Site, path: &str) {
    b.goto(&format!("{}{path}", site.base)).await.expect(path);
}

/// Waits for the page to hold `needle` (forms redirect; the index lags).
async fn wait_for_text(b: &Client, site: &Site, path: Option<&str>, needle: &str, present: bool) {
    for _ in 0..100 {
        if let Some(path) = path {
            visit(b, site, path).await;
        }
        // Mid-navigation there may be no body yet: look again.
        if let Ok(body) = b.find(Locator::Css("body")).await {
            if body
                .text()
                .await
                .is_ok_and(|text| text.contains(needle) == present)
            {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let body = text_of(b, "body").await;
    panic!("{needle:?} present={present} never held:\n{body}");
}

async fn sign_up(b: &Client, site: &Site, login: &str) {
    visit(b, site, "/signup").await;
    fill(b, "#login", login).await;
    fill(b, "#email", &format!("{login}@example.org")).await;
    fill(b, "#password", "correct horse battery").await;
    fill(b, "#password_confirmation", "correct horse battery").await;
    click(b, "form[action='/signup'] button[type=submit]").await;
    wait_for_text(b, site, None, "Sign out", true).await;
}

/// Opens the posting form and fills in the work's tags and title.
async fn start_a_work(
    b: &Client,
    site: &Site,
    rating: &str,
    warning: &str,
    fandom: &str,
    title: &str,
) {
    visit(b, site, "/works/new").await;
    b.find(Locator::Css("#rating"))
        .await
        .unwrap()
        .select_by_value(rating)
        .await
        .expect("rating");
    click(b, &format!("input[name=warnings][value='{warning}']")).await;
    fill(b, "#fandoms", fandom).await;
    fill(b, "#title", title).await;
}

async fn screenshot(b: &Client, name: &str) {
    let png = b.screenshot().await.expect("a screenshot");
    std::fs::write(screenshots().join(name), png).expect("the screenshot is saved");
}

/// The whole width fits: nothing scrolls sideways.
async fn fits_width(b: &Client) {
    let widths = b
        .execute(
            "const e = document.documentElement; \
             const wide = [...document.querySelectorAll('body *')] \
               .filter(x => x.getBoundingClientRect().right > e.clientWidth + 0.5) \
               .map(x => x.tagName + '.' + x.className).slice(0, 5); \
             return [e.scrollWidth, e.clientWidth, wide];",
            vec![],
        )
        .await
        .expect("measures");
    let (scroll, client) = (widths[0].as_u64(), widths[1].as_u64());
    assert!(
        scroll.is_some() && scroll <= client,
        "the page scrolls sideways: {widths}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_posts_reads_reacts_filters_and_mutes() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let driver = Driver::start();
    let profile = tempfile::tempdir().expect("a browser profile");
    let b = browser(&driver, profile.path()).await;

    // A writer signs up and pastes seed 003 as it arrived.
    sign_up(&b, &site, "browser_writer").await;
    start_a_work(
        &b,
        &site,
        "Teen And Up Audiences",
        "Creator Chose Not To Use Archive Warnings",
        "Seedling Stories",
        "The Seed Three",
    )
    .await;
    // Typing 5 KB key by key is slow; the field takes it whole, as a paste.
    let body = b.find(Locator::Css("#body")).await.unwrap();
    b.execute(
        "arguments[0].value = arguments[1];",
        vec![serde_json::to_value(&body).unwrap(), json!(seed("003"))],
    )
    .await
    .expect("pastes");
    click(&b, "button[value=preview]").await;
    wait_for_text(&b, &site, None, "what quire made of your text", true).await;
    let preview_paragraphs = b
        .find_all(Locator::Css(".preview-text p"))
        .await
        .unwrap()
        .len();
    assert!(
        preview_paragraphs > 10,
        "the run-on line became {preview_paragraphs} paragraphs"
    );
    assert!(text_of(&b, ".repairs")
        .await
        .contains("Notes found at the end"));
    click(&b, "button[value=post]").await;
    wait_for_text(&b, &site, None, "Your work was posted", true).await;
    let work_url = b.current_url().await.unwrap();
    let work_path = work_url.path().to_string();
    let paragraphs = b
        .find_all(Locator::Css("section.chapter .userstuff p"))
        .await
        .unwrap()
        .len();
    assert!(paragraphs > 10, "{paragraphs} paragraphs on the work page");
    assert!(text_of(&b, "section.chapter").await.contains("Y/N"));
    let end_notes = text_of(&b, "article.work").await;
    assert!(
        end_notes.contains("End Notes:"),
        "the trailing notes sit apart"
    );

    // A reader signs up and reads it with their own name.
    click(&b, "header.site form[action='/logout'] button").await;
    wait_for_text(&b, &site, None, "Create an account", true).await;
    sign_up(&b, &site, "browser_reader").await;
    visit(&b, &site, &work_path).await;
    // "Read as…" waits, closed, until the reader asks; each code is named
    // in plain words.
    let closed = b
        .execute(
            "return !document.querySelector('section.read-as details').open;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(closed, json!(true), "Read as… is closed until asked");
    click(&b, "section.read-as summary").await;
    assert!(text_of(&b, "section.read-as form")
        .await
        .contains("Your name (Y/N)"));
    fill(&b, "input[name='fill:Y/N']", "Robin").await;
    // The script previews the name in the text before anything is saved.
    let previewed = text_of(&b, "section.chapter").await;
    assert!(
        previewed.contains("Robin") && !previewed.contains("Y/N"),
        "the name shows as it is typed"
    );
    click(&b, "form[action$='/read-as'] button").await;
    wait_for_text(&b, &site, None, "The work now reads with your names", true).await;
    // The story: preface, chapter text and notes; the "Read as…" panel
    // names the codes and stays out of it.
    let mut story = String::new();
    for part in b
        .find_all(Locator::Css(
            "header.preface, section.chapter, section.afterword",
        ))
        .await
        .unwrap()
    {
        story.push_str(&part.text().await.unwrap());
    }
    if let Some(at) = story.find("Y/N") {
        let from = story.floor_char_boundary(at.saturating_sub(80));
        let to = story.ceil_char_boundary((at + 80).min(story.len()));
        panic!("a Y/N is left in the story: …{}…", &story[from..to]);
    }
    assert!(story.contains("Robin"));
    assert!(text_of(&b, "section.read-as summary")
        .await
        .contains("Reading as Robin"));

    // Kudos, without leaving the page (the script), then a comment and a reply.
    click(&b, ".kudos-form button").await;
    wait_for_text(&b, &site, None, "browser_reader left kudos", true).await;
    assert_eq!(
        b.current_url().await.unwrap().path(),
        work_path,
        "kudos without a page load"
    );
    fill(&b, ".new-comment textarea", "This stayed with me all day.").await;
    click(&b, ".new-comment button").await;
    wait_for_text(&b, &site, None, "Your comment was posted", true).await;
    click(&b, ".comment-actions details summary").await;
    fill(&b, ".comment-actions details textarea", "And the ending!").await;
    click(&b, ".comment-actions details button").await;
    wait_for_text(&b, &site, None, "And the ending!", true).await;
    assert_eq!(
        b.find_all(Locator::Css("li.comment.depth-1"))
            .await
            .unwrap()
            .len(),
        1,
        "the reply is threaded"
    );

    // A bookmark.
    click(&b, "details.bookmark summary").await;
    fill(&b, "#bookmark-note", "Comfort read.").await;
    click(&b, "details.bookmark button").await;
    wait_for_text(&b, &site, None, "Bookmarked", true).await;

    // Screenshots of the work page: desktop and phone, light and dark.
    visit(&b, &site, &work_path).await;
    screenshot(&b, "work-desktop-light.png").await;
    b.set_window_size(360, 780).await.expect("a phone's width");
    visit(&b, &site, &work_path).await;
    fits_width(&b).await;
    screenshot(&b, "work-mobile-light.png").await;
    visit(&b, &site, "/preferences").await;
    click(&b, "input[name=theme][value=dark]").await;
    click(&b, "form[action='/preferences'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "Your preferences are saved", true).await;
    visit(&b, &site, &work_path).await;
    let background = b
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        background,
        json!("rgb(23, 22, 26)"),
        "the dark theme applies"
    );
    screenshot(&b, "work-mobile-dark.png").await;
    // The listing at 360 px too.
    visit(&b, &site, "/works").await;
    fits_width(&b).await;
    // The API reference, and a token made on the account page, at 360 px.
    visit(&b, &site, "/api").await;
    fits_width(&b).await;
    visit(&b, &site, "/account").await;
    fill(&b, "#token-name", "My e-reader").await;
    click(&b, "form[action='/account/tokens'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "only time it is shown", true).await;
    let token = b
        .execute("return document.querySelector('#new-token').value;", vec![])
        .await
        .expect("reads the token");
    assert!(
        token
            .as_str()
            .is_some_and(|t| t.starts_with("quire_") && t.len() == 70),
        "{token}"
    );
    fits_width(&b).await;
    screenshot(&b, "account-token-mobile-dark.png").await;
    b.set_window_size(1280, 900).await.unwrap();
    visit(&b, &site, &work_path).await;
    screenshot(&b, "work-desktop-dark.png").await;

    // Filters: exclude its rating in the sidebar and it is gone.
    wait_for_text(&b, &site, Some("/works"), "The Seed Three", true).await;
    click(
        &b,
        "input[name=exclude_rating][value='Teen And Up Audiences']",
    )
    .await;
    click(&b, "aside.filters button[type=submit]").await;
    wait_for_text(&b, &site, None, "The Seed Three", false).await;
    assert!(b
        .current_url()
        .await
        .unwrap()
        .query()
        .unwrap_or("")
        .contains("exclude_rating=Teen"));

    // Muting its rating hides it everywhere, and says so.
    visit(&b, &site, "/preferences").await;
    click(&b, "input[name=mute_rating][value='Teen And Up Audiences']").await;
    click(&b, "form[action='/preferences'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "Your preferences are saved", true).await;
    visit(&b, &site, "/works").await;
    assert!(!text_of(&b, "section.results")
        .await
        .contains("The Seed Three"));
    assert!(text_of(&b, ".muted-note")
        .await
        .contains("1 work hidden by your filters"));
    click(&b, ".muted-note a").await;
    wait_for_text(&b, &site, None, "The Seed Three", true).await;

    // Then its fandom instead of its rating.
    visit(&b, &site, "/preferences").await;
    click(&b, "input[name=mute_rating][value='Teen And Up Audiences']").await;
    fill(&b, "#mute_tags", "Seedling Stories").await;
    click(&b, "form[action='/preferences'] button[type=submit]").await;
    wait_for_text(&b, &site, None, "Your preferences are saved", true).await;
    visit(&b, &site, "/works").await;
    assert!(!text_of(&b, "section.results")
        .await
        .contains("The Seed Three"));
    assert!(text_of(&b, ".muted-note")
        .await
        .contains("1 work hidden by your filters"));

    // Writing a new work, the fandom field offers the canonical name.
    // The archive lives on the site's runtime; step out of this one to wait on it.
    tokio::task::block_in_place(|| {
        site.store(async {
            site.archive
                .make_canonical(quire_archive::model::TagKind::Fandom, "Seedling Stories")
                .await
                .expect("a canonical fandom");
        })
    });
    visit(&b, &site, "/works/new").await;
    fill(&b, "#fandoms", "Other Thing, seedl").await;
    let mut offered = Vec::new();
    for _ in 0..50 {
        offered = b
            .execute(
                "return [...document.querySelectorAll('#suggest-fandom option')].map(o => o.value);",
                vec![],
            )
            .await
            .expect("reads the suggestions")
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !offered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(offered, vec![json!("Other Thing, Seedling Stories")]);

    b.close().await.expect("the browser closes");
}
