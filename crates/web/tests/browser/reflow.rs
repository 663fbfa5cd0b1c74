//! Every page fits every phone, whatever its fonts (WCAG 2.1, 1.4.10 Reflow):
//! an archive whose every field people fill in holds a long unbroken word
//! (crack-fic keysmash titles, CamelCase tags, 40-letter logins) is walked
//! signed out, as its writer, as a reader and as an admin, in Chromium
//! emulating a 320 px and a 390 px phone, and once more with a wide
//! sans-serif forced on every element. No page may scroll sideways.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::harness::{self, post_work, Site};
use crate::{browser, fill, screenshot, visit, Driver};

/// The widest common sans-serif: scripts/test installs it
/// (fonts-dejavu-core), and the test refuses to run on a machine without it
/// rather than measure some other font.
const WIDE_FONT: &str = "DejaVu Sans";
const PASSWORD: &str = "correct horse battery";

/// A word with no place to break, as people write them: keysmashes,
/// screams, CamelCase tags. Capitals are the widest letters.
fn unbroken(stem: &str, chars: usize) -> String {
    stem.chars().cycle().take(chars).collect()
}

/// A Chrome DevTools command through chromedriver: headless Chromium's
/// window can't be narrower than 500 px, so a phone is emulated.
#[derive(Debug)]
struct DevTools(&'static str, Value);

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Light or dark, as the reader's system asks (the style sheet follows
/// `prefers-color-scheme`).
pub(crate) async fn emulate_color_scheme(b: &Client, scheme: &str) {
    b.issue_cmd(DevTools(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
    ))
    .await
    .expect("Chromium emulates a color scheme");
}

pub(crate) async fn emulate_phone(b: &Client, width: u32) {
    b.issue_cmd(DevTools(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": 780, "deviceScaleFactor": 1, "mobile": true }),
    ))
    .await
    .expect("Chromium emulates a phone");
}

/// How one walk lays pages out.
#[derive(Clone, Copy, Debug)]
struct Phone {
    width: u32,
    /// Every element set in the wide sans-serif, whatever the style sheet
    /// asks for.
    wide_font: bool,
}

const PHONES: [Phone; 3] = [
    Phone {
        width: 320,
        wide_font: false,
    },
    Phone {
        width: 390,
        wide_font: false,
    },
    Phone {
        width: 320,
        wide_font: true,
    },
];

/// Sets every element in the wide font, and says whether that font is the
/// one the browser drew with (a missing font falls back silently).
async fn force_wide_font(b: &Client) -> bool {
    b.execute(
        "const style = document.createElement('style'); \
         style.textContent = '* { font-family: \"' + arguments[0] + '\" !important; }'; \
         document.head.append(style); \
         const probe = document.createElement('span'); \
         probe.textContent = 'mmmmmmmmmmlllllllllliiiiiWWW'; \
         probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font-size:40px'; \
         document.body.append(probe); \
         probe.style.setProperty('font-family', 'monospace', 'important'); \
         const mono = probe.getBoundingClientRect().width; \
         probe.style.setProperty('font-family', '\"' + arguments[0] + '\", monospace', 'important'); \
         const wide = probe.getBoundingClientRect().width; \
         probe.remove(); \
         return mono !== wide;",
        vec![json!(WIDE_FONT)],
    )
    .await
    .expect("the font is set")
    .as_bool()
    .unwrap_or(false)
}

/// How wide the page is against the screen, and what sticks out (outside
/// any box that scrolls on its own).
async fn overflow(b: &Client) -> Option<Value> {
    let measured = b
        .execute(
            "const e = document.documentElement; \
             const contained = x => { \
               for (let p = x.parentElement; p && p !== document.body; p = p.parentElement) { \
                 if (getComputedStyle(p).overflowX !== 'visible') return true; \
               } \
               return false; \
             }; \
             const wide = [...document.querySelectorAll('body *')] \
               .filter(x => x.getBoundingClientRect().right > e.clientWidth + 0.5 && !contained(x)) \
               .map(x => x.tagName + '.' + x.className + ' ' + (x.textContent || '').trim().slice(0, 24)) \
               .slice(0, 4); \
             return [e.scrollWidth, e.clientWidth, wide];",
            vec![],
        )
        .await
        .expect("measures");
    let (scroll, client) = (measured[0].as_u64(), measured[1].as_u64());
    (scroll.is_none() || scroll > client).then_some(measured)
}

/// Everything people write, each as one long word.
struct Words {
    login: String,
    pseud: String,
    title: String,
    summary: String,
    notes: String,
    chapter: String,
    fandom: String,
    relationship: String,
    character: String,
    freeform: String,
    series: String,
    comment: String,
    bookmark_note: String,
    bookmark_tag: String,
    token: String,
    report: String,
}

impl Words {
    fn new() -> Words {
        Words {
            login: unbroken("W", 40),
            pseud: unbroken("M", 40),
            title: unbroken("A", 60),
            summary: format!("It starts {}.", unbroken("AAAAAH", 120)),
            notes: format!("Thanks to {}!", unbroken("W", 90)),
            // Garbled too, so the chapter's edit page lists long repairs.
            chapter: format!(
                "{}\n\nShe said nothing for a long while.\n\n{}\n\n{}",
                unbroken("NOOOOO", 150),
                unbroken("https://example.org/an-unbroken-link-", 140),
                unbroken("naÃ¯veÃ©tÃ©â€™s", 40)
            ),
            fandom: unbroken("TheVeryLongFandomName", 110),
            relationship: format!("{}/{}", unbroken("Wm", 50), unbroken("Mw", 50)),
            character: unbroken("MaximilianWolfgang", 90),
            freeform: unbroken("NobodyAsksHowTheWhumpeeFeels", 140),
            series: unbroken("Series", 100),
            comment: unbroken("AAAAAAAAAAAAAAAAAAAAAAA", 200),
            bookmark_note: unbroken("RecommendedWithoutReservation", 150),
            bookmark_tag: unbroken("ComfortReadForRainyDays", 100),
            token: unbroken("MyEReaderAtHome", 100),
            report: unbroken("ThisLinksToAShop", 200),
        }
    }
}

/// The archive the walk reads: a writer's two-chapter work in a series,
/// tagged in every kind, with a co-creator invitation to the reader; the
/// reader's comment, reply, bookmark, subscription, name and report; the
/// writer's token and second pseud.
struct World {
    words: Words,
    reader: String,
    admin: String,
    work: i64,
    series: String,
    comment: String,
    /// A password-reset link of the reader's, and an unsubscribe link.
    reset: String,
    unsubscribe: String,
}

fn build_world(site: &Site) -> World {
    let words = Words::new();
    let reader = unbroken("R", 40);
    let admin = unbroken("Z", 40);
    site.member_with_roles(
        &admin,
        quire_archive::Roles {
            admin: true,
            wrangler: true,
        },
    );
    let reader_client = site.member(&reader);
    let writer = site.member(&words.login);
    let added = writer.submit("/account", "/account/pseuds", &[("pseud", &words.pseud)]);
    assert_eq!(added.status, 200, "{}", added.body);
    let made = writer.submit(
        "/account",
        "/account/tokens",
        &[("name", &words.token), ("scope", "read")],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let with_insert = format!("{}\n\nY/N smiled.", words.chapter);
    let work = post_work(
        &writer,
        &[
            ("title", &words.title),
            ("summary", &words.summary),
            ("notes_start", &words.notes),
            ("notes_end", &words.notes),
            ("fandoms", &words.fandom),
            ("relationships", &words.relationship),
            ("characters", &words.character),
            ("freeforms", &words.freeform),
            ("series", &words.series),
            ("co_creators", &reader),
            ("chapter_title", &words.title),
            ("body", &with_insert),
            ("complete", ""),
        ],
    );
    let second = writer.submit(
        &format!("/works/{work}/chapters/new"),
        &format!("/works/{work}/chapters/new"),
        &[
            ("chapter_title", &words.title),
            ("chapter_summary", &words.summary),
            ("chapter_notes_start", &words.notes),
            ("chapter_notes_end", &words.notes),
            ("body", &words.chapter),
            ("format", "plain"),
            ("action", "post"),
        ],
    );
    assert_eq!(second.status, 200, "{}", second.body);

    let path = format!("/works/{work}");
    for (action, form) in [
        (
            format!("{path}/comments"),
            vec![("body", words.comment.as_str()), ("chapter", "1")],
        ),
        (
            format!("{path}/bookmarks"),
            vec![
                ("note", words.bookmark_note.as_str()),
                ("tags", words.bookmark_tag.as_str()),
                ("rec", "1"),
            ],
        ),
        (
            format!("{path}/subscription"),
            vec![("action", "subscribe")],
        ),
        (format!("{path}/read-as"), vec![("fill:Y/N", "Maximiliana")]),
    ] {
        let answer = reader_client.submit(&path, &action, &form);
        assert_eq!(answer.status, 200, "{action}: {}", answer.body);
    }
    let page = reader_client.get(&path);
    let comment = page
        .body
        .split("/comments/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the comment's links")
        .to_string();
    let reply = reader_client.submit(
        &path,
        &format!("{path}/comments"),
        &[
            ("body", &words.comment),
            ("chapter", "1"),
            ("parent", &comment),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reported = reader_client.submit(
        &format!("{path}/report"),
        &format!("{path}/report"),
        &[("reason", "spam"), ("details", &words.report)],
    );
    assert_eq!(reported.status, 200, "{}", reported.body);
    let muted = reader_client.submit(
        "/preferences",
        "/preferences",
        &[
            ("mute_tags", &words.bookmark_tag),
            ("mute_authors", &unbroken("Q", 40)),
        ],
    );
    assert_eq!(muted.status, 200, "{}", muted.body);
    let series = writer
        .get(&path)
        .body
        .split("href=\"/series/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the work's series")
        .to_string();
    let (reset, unsubscribe) = site.store(async {
        let archive = &site.archive;
        archive.request_password_reset(&reader).await.unwrap();
        let token = archive
            .claim_mail(10, 1)
            .await
            .unwrap()
            .into_iter()
            .find_map(|mail| match mail.content {
                quire_archive::outbox::MailContent::PasswordReset { token, .. } => Some(token),
                _ => None,
            })
            .expect("a reset link");
        let user = archive.user_id_of(&reader).await.unwrap().unwrap();
        let key = archive.site_secret("unsubscribe-key").await.unwrap();
        let kind = quire_archive::notifications::NoticeKind::SeriesPart;
        (
            format!("/password/reset/{token}"),
            quire_web::mail::unsubscribe_path(key.as_bytes(), user, Some(kind)),
        )
    });
    World {
        words,
        reader,
        admin,
        work,
        series,
        comment,
        reset,
        unsubscribe,
    }
}

/// Routes that answer with files (uploads among them), feeds or JSON
/// rather than a page.
fn is_page(pattern: &str) -> bool {
    !(pattern.starts_with("/api/v1")
        || pattern.starts_with("/opds")
        || pattern.starts_with("/static/")
        || pattern.starts_with("/media/")
        || pattern.contains("/download.")
        || pattern.ends_with(".svg")
        || pattern == "/healthz"
        || pattern == "/metrics")
}

/// Every page the router serves, at an address in the world; a new page
/// fails here until the walk knows where to find it.
fn pages(world: &World) -> Vec<String> {
    let mut paths = Vec::new();
    for (method, pattern) in harness::router_routes() {
        if method != "GET" || !is_page(&pattern) {
            continue;
        }
        let tag = url::form_urlencoded::byte_serialize(world.words.freeform.as_bytes())
            .collect::<String>();
        let path = match pattern.as_str() {
            "/comments/{id}/report" => format!("/comments/{}/report", world.comment),
            "/series/{id}" => format!("/series/{}", world.series),
            "/password/reset/{token}" => world.reset.clone(),
            "/account/email/{token}" => format!("/account/email/{}", "0".repeat(64)),
            "/unsubscribe/{user}/{kind}/{signature}" => world.unsubscribe.clone(),
            other if other.contains('{') => other
                .replace("{id}", &world.work.to_string())
                .replace("{position}", "2")
                .replace("{tag}", &tag)
                .replace("{login}", &world.words.login),
            other => other.to_string(),
        };
        assert!(
            !path.contains('{'),
            "{pattern}: the phone walk doesn't know this page; give it an address in pages()"
        );
        paths.push(path);
    }
    // Pages no route names alone: a search, the first chapter, a pseud's
    // works, a page that isn't there.
    let title = &world.words.title;
    paths.extend([
        format!("/works?q={title}"),
        format!("/works/{}/chapters/1", world.work),
        format!("/works?author={}", world.words.pseud),
        "/no-such-page".to_string(),
        // The catalog, as a browser is shown it.
        "/opds".to_string(),
        "/opds/recent".to_string(),
        "/opds/fandoms".to_string(),
    ]);
    paths
}

/// Code shown in more lines than it has: a line of an example broken
/// mid-word on a narrow screen. Each rendered line box is counted by its
/// top, from the text's own rectangles.
async fn broken_code(b: &Client) -> Option<Value> {
    let found = b
        .execute(
            "return [...document.querySelectorAll('pre code')].flatMap(code => { \
               const written = code.textContent.replace(/\\n$/, '').split('\\n').length; \
               const range = document.createRange(); range.selectNodeContents(code); \
               const tops = new Set([...range.getClientRects()].filter(r => r.width > 0) \
                 .map(r => Math.round(r.top))); \
               return tops.size > written ? [written + ' lines shown as ' + tops.size] : []; });",
            vec![],
        )
        .await
        .expect("measures");
    found
        .as_array()
        .is_some_and(|list| !list.is_empty())
        .then_some(found)
}

async fn sign_in(b: &Client, site: &Site, login: &str) {
    visit(b, site, "/login").await;
    fill(b, "#login", login).await;
    fill(b, "#password", PASSWORD).await;
    b.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .expect("the sign-in button")
        .click()
        .await
        .expect("signs in");
    for _ in 0..100 {
        if b.find(Locator::Css("header.site form[action='/logout']"))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{login} could not sign in");
}

/// The preview of a new work: a page made by a POST, holding every field
/// back in the form.
async fn preview(b: &Client, site: &Site, words: &Words) {
    visit(b, site, "/works/new").await;
    b.execute(
        "for (const [id, value] of Object.entries(arguments[0])) { \
           document.getElementById(id).value = value; \
         }",
        vec![json!({
            "title": words.title, "summary": words.summary, "notes_start": words.notes,
            "fandoms": words.fandom, "relationships": words.relationship,
            "characters": words.character, "freeforms": words.freeform,
            "series": words.series, "body": words.chapter,
        })],
    )
    .await
    .expect("fills the form");
    b.find(Locator::Css("button[value=preview]"))
        .await
        .expect("the preview button")
        .click()
        .await
        .expect("previews");
    for _ in 0..100 {
        if b.find(Locator::Css(".preview")).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the preview never showed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_whatever_its_fonts() {
    let site = tokio::task::spawn_blocking(Site::start)
        .await
        .expect("the site starts");
    let world = {
        let site = &site;
        tokio::task::block_in_place(|| build_world(site))
    };
    let pages = pages(&world);
    let driver = Driver::start();
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut views = 0;
    for (who, visitor) in [
        ("guest", None),
        ("writer", Some(world.words.login.as_str())),
        ("reader", Some(world.reader.as_str())),
        ("admin", Some(world.admin.as_str())),
    ] {
        let profile = tempfile::tempdir().expect("a browser profile");
        let b = browser(&driver, profile.path()).await;
        if let Some(login) = visitor {
            sign_in(&b, &site, login).await;
        }
        for phone in PHONES {
            emulate_phone(&b, phone.width).await;
            let mut walk: Vec<Option<&str>> = pages.iter().map(|p| Some(p.as_str())).collect();
            if visitor == Some(world.words.login.as_str()) {
                walk.push(None);
            }
            for path in walk {
                match path {
                    Some(path) => visit(&b, &site, path).await,
                    None => preview(&b, &site, &world.words).await,
                }
                if phone.wide_font {
                    assert!(
                        force_wide_font(&b).await,
                        "{WIDE_FONT} isn't installed (Debian: fonts-dejavu-core; scripts/test installs it)"
                    );
                }
                let width = b
                    .execute("return document.documentElement.clientWidth;", vec![])
                    .await
                    .expect("the width");
                assert_eq!(width, json!(phone.width), "the phone is emulated");
                views += 1;
                let broken = broken_code(&b).await.map(|b| format!("code broken: {b}"));
                let overflowed = overflow(&b).await.map(|o| o.to_string());
                if let Some(measured) = overflowed.or(broken) {
                    let place = format!(
                        "{who} {}{}",
                        phone.width,
                        if phone.wide_font { " wide font" } else { "" }
                    );
                    failures
                        .entry(path.unwrap_or("preview of /works/new").to_string())
                        .or_default()
                        .push(format!("{place}: {measured}"));
                }
            }
        }
        if visitor == Some(world.words.login.as_str()) {
            emulate_phone(&b, 320).await;
            for (name, path) in [
                ("phone-320-work.png", format!("/works/{}", world.work)),
                ("phone-320-listing.png", "/works".to_string()),
                ("phone-320-account.png", "/account".to_string()),
                (
                    "phone-320-chapter-edit.png",
                    format!("/works/{}/chapters/2/edit", world.work),
                ),
            ] {
                visit(&b, &site, &path).await;
                screenshot(&b, name).await;
            }
        }
        b.close().await.expect("the browser closes");
    }
    eprintln!("reflow: {views} page views at 320 and 390 px, default and forced fonts");
    let report: Vec<String> = failures
        .iter()
        .map(|(path, places)| format!("{path}\n    {}", places.join("\n    ")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {views} page views scroll sideways:\n{}",
        failures.values().map(Vec::len).sum::<usize>(),
        report.join("\n")
    );
}
