//! Known XSS payloads (`xss-payloads.txt`) posted through every place the
//! site takes text, then loaded in Chromium on every page that shows them
//! and, without the site's Content-Security-Policy to help, in the XHTML of
//! each work's EPUB. A page fails if a script ran (an alert, `window.pwned`,
//! `data-pwned`), if an event handler, a `javascript:`/`data:`/`vbscript:`
//! address, a frame, an object, a `<base>`, a `<meta http-equiv>` or a
//! script or style from elsewhere survived, or if anything was fetched from
//! the payloads' outside address: a listener of the test's own, so a
//! request is seen whether or not it would have succeeded. (A request the
//! CSP blocks is never made: Chromium still lists it among the page's
//! resources, so the listener, not that list, is what counts.)

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fantoccini::Client;

use crate::harness::{Client as Http, Site};

/// Requests that reached the outside address, and the first lines of them.
#[derive(Default)]
struct Outside {
    requests: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

/// Listens where the payloads' `xss.invalid` points.
fn outside() -> (String, Arc<Outside>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the outside address");
    let address = listener.local_addr().expect("its address").to_string();
    let outside = Arc::new(Outside::default());
    let seen = Arc::clone(&outside);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            seen.requests.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
            let mut head = [0u8; 256];
            let read = stream.read(&mut head).unwrap_or(0);
            let line = String::from_utf8_lossy(&head[..read])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            seen.seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line);
        }
    });
    (address, outside)
}

/// The payloads, `xss.invalid` pointing at `outside` and `media.invalid`
/// at `media` (where the images and players writers embed may load from).
fn payloads(outside: &str, media: &str) -> Vec<String> {
    include_str!("xss-payloads.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            line.replace("xss.invalid", outside)
                .replace("media.invalid", media)
        })
        .collect()
}

/// What a page holds that could run or reach out, as a list of findings.
const INSPECT: &str = r#"
const found = [];
if (window.pwned) found.push('window.pwned is set');
if (document.querySelector('[data-pwned]')) found.push('data-pwned is set');
const here = (value) => {
  try {
    const url = new URL(value, location.href);
    return location.protocol === 'file:' ? url.protocol === 'file:' : url.origin === location.origin;
  } catch (e) { return false; }
};
const addressed = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
  'poster', 'cite', 'dynsrc', 'lowsrc', 'codebase', 'ping'];
for (const el of document.querySelectorAll('*')) {
  const tag = el.localName.toLowerCase();
  for (const attribute of el.attributes) {
    const name = attribute.name.toLowerCase();
    const value = attribute.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
    if (name.startsWith('on')) found.push(`${tag} keeps ${name}`);
    if (name === 'srcdoc' || name === 'style') found.push(`${tag} keeps ${name}`);
    if (addressed.includes(name) && /^(javascript|vbscript|data|livescript):/.test(value))
      found.push(`${tag} ${name}=${attribute.value}`);
  }
  if (['frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal'].includes(tag))
    found.push(`<${tag}> kept`);
  // A frame only from an embed host, on https, sandboxed so it can't
  // reach the page or take over the tab.
  if (tag === 'iframe') {
    let host = '';
    try { host = new URL(el.getAttribute('src') || '').host.replace(/^www\./, ''); } catch (e) {}
    const sandbox = (el.getAttribute('sandbox') || '').split(/\s+/);
    if (!(el.getAttribute('src') || '').startsWith('https://') || !EMBED_HOSTS.includes(host)
        || !el.hasAttribute('sandbox') || sandbox.some((s) => s.startsWith('allow-top-navigation')
        || s === 'allow-modals' || s === 'allow-forms'))
      found.push(`a frame kept: ${el.outerHTML.slice(0, 120)}`);
  }
  // Only images and players may load from elsewhere, and with no credentials.
  if (['audio', 'video'].includes(tag) && el.getAttribute('crossorigin') === 'use-credentials')
    found.push(`${tag} sends credentials elsewhere`);
  if (['audio', 'video'].includes(tag) && el.hasAttribute('autoplay'))
    found.push(`${tag} plays by itself`);
  if (tag === 'meta' && el.hasAttribute('http-equiv')) found.push('<meta http-equiv> kept');
  if (tag === 'script' && !(el.hasAttribute('src') && here(el.getAttribute('src'))))
    found.push('a script kept: ' + el.outerHTML.slice(0, 80));
  if (tag === 'style' && location.protocol !== 'file:') found.push('a <style> kept');
  if (tag === 'link' && !here(el.getAttribute('href') || '')) found.push('a link elsewhere kept');
  if (tag === 'form' && el.hasAttribute('action') && !here(el.getAttribute('action')))
    found.push('a form posting elsewhere: ' + el.getAttribute('action'));
}
return found;
"#;

/// Loads `url` and returns what it found there.
async fn inspect(b: &Client, url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Err(err) = b.goto(url).await {
        found.push(format!("{url} didn't load: {err}"));
    }
    // An alert that opened blocks the page: that is a script that ran.
    if let Ok(text) = b.get_alert_text().await {
        found.push(format!("an alert opened: {text}"));
        let _ = b.dismiss_alert().await;
    }
    let hosts = serde_json::to_string(quire_archive::sanitize::embed_hosts()).unwrap_or_default();
    let script = format!("const EMBED_HOSTS = {hosts};\n{INSPECT}");
    match b.execute(&script, vec![]).await {
        Ok(serde_json::Value::Array(items)) => {
            found.extend(items.iter().map(|i| i.as_str().unwrap_or("?").to_string()))
        }
        Ok(other) => found.push(format!("the inspection said {other}")),
        Err(err) => found.push(format!("the inspection failed: {err}")),
    }
    found.into_iter().map(|f| format!("{url}: {f}")).collect()
}

/// Posts a form from `page` with its token; the answer's status.
fn send(client: &Http, page: &str, action: &str, form: &[(&str, &str)]) -> u16 {
    let token = client.get(page).csrf();
    let mut fields = vec![("csrf", token.as_str())];
    fields.extend_from_slice(form);
    client.post(action, &fields).status
}

/// `payload` as chapter text: posting asks every image for alt text, so
/// each `<img` gets an empty one (decoration) and the rest stays as it is.
fn as_chapter_text(payload: &str) -> String {
    let mut text = String::with_capacity(payload.len() + 16);
    let mut rest = payload;
    while let Some(at) = rest.to_ascii_lowercase().find("<img") {
        text.push_str(&rest[..at + 4]);
        text.push_str(" alt=\"\"");
        rest = &rest[at + 4..];
    }
    text.push_str(rest);
    text
}

/// A work carrying `payload` in every field of the posting form, its first
/// chapter as HTML; tags the archive refuses are left out and said so.
fn post_everywhere(author: &Http, payload: &str, refusals: &mut Vec<String>) -> i64 {
    let body = as_chapter_text(payload);
    let mut fields = vec![
        ("title", payload),
        ("summary", payload),
        ("notes_start", payload),
        ("notes_end", payload),
        ("chapter_title", payload),
        ("chapter_summary", payload),
        ("chapter_notes_start", payload),
        ("chapter_notes_end", payload),
        ("series", payload),
        ("format", "html"),
        ("body", &body),
        ("freeforms", payload),
        ("characters", payload),
        ("complete", "0"),
    ];
    for _ in 0..2 {
        let answer = match crate::harness::try_post_work(author, &fields) {
            Ok(id) => return id,
            Err(answer) => answer,
        };
        assert_eq!(answer.status, 400, "{payload:?} posted: {}", answer.body);
        // The title, the text or a tag was refused as it stands: the
        // payload stays in every field the archive takes it in.
        refusals.push(format!("work fields refused: {payload:?}"));
        let refusable = ["title", "body", "freeforms", "characters", "series"];
        fields.retain(|(name, _)| !refusable.contains(name));
        fields.extend([
            ("title", "Refused as a title"),
            ("body", "A plain chapter."),
        ]);
    }
    panic!("{payload:?}: the work could not be posted even without it in title, text and tags");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_payload_runs_or_reaches_out_on_any_page_or_in_any_epub() {
    // Embedded media may load (it is what they are for): a listener of its
    // own, so those requests are told apart.
    let (media_address, _media) = outside();
    let (outside_address, outside) = outside();
    let payloads = payloads(&outside_address, &media_address);
    assert!(payloads.len() >= 150, "{} payloads", payloads.len());
    // Hundreds of comments from one member and one address, far past the
    // limit a reader meets.
    let site = tokio::task::spawn_blocking(|| Site::start_with(|c| c.comments_per_minute = 0))
        .await
        .expect("the site starts");
    let base = site.base.clone();

    // Posting, through the same forms a person uses.
    let posted = {
        let payloads = payloads.clone();
        let author = site.member("xss_author");
        let reader = site.member("xss_reader");
        let guest = site.client();
        tokio::task::spawn_blocking(move || {
            let mut refusals = Vec::new();
            let mut works = Vec::new();
            let mut series_pages = Vec::new();
            for payload in &payloads {
                let id = post_everywhere(&author, payload, &mut refusals);
                let body = as_chapter_text(payload);
                let path = format!("/works/{id}");
                let chapter = send(
                    &author,
                    &format!("{path}/chapters/new"),
                    &format!("{path}/chapters/new"),
                    &[
                        ("chapter_title", payload),
                        ("chapter_summary", payload),
                        ("format", "markdown"),
                        ("body", &body),
                        ("action", "post"),
                    ],
                );
                if chapter != 303 {
                    refusals.push(format!("markdown chapter refused ({chapter}): {payload:?}"));
                }
                let full = format!("{path}?view_full_work=true");
                // A member's comment, and a guest's under the payload's name.
                // A guest's name longer than names may be is refused (400)
                // with the limit; any other payload is taken. Comments take
                // HTML: a payload that cleans to nothing would be refused as
                // a comment without words, so a few words come before it.
                let body = format!("Loved it. {payload}");
                for (client, name) in [(&reader, ""), (&guest, payload.as_str())] {
                    let comment = send(
                        client,
                        &full,
                        &format!("{path}/comments"),
                        &[("chapter", "1"), ("name", name), ("body", &body)],
                    );
                    let too_long =
                        name.chars().count() > quire_archive::model::limits::GUEST_NAME_CHARS;
                    assert_eq!(
                        comment,
                        if too_long { 400 } else { 303 },
                        "comment with {payload:?}"
                    );
                }
                let bookmark = send(
                    &reader,
                    &full,
                    &format!("{path}/bookmarks"),
                    &[("note", payload), ("tags", payload)],
                );
                assert_eq!(bookmark, 303, "bookmark with {payload:?}");
                let pseud = send(
                    &author,
                    "/account",
                    "/account/pseuds",
                    &[("pseud", payload)],
                );
                if pseud != 303 {
                    refusals.push(format!("pseud refused ({pseud})"));
                }
                // The work's series (the payload as its title, when taken),
                // described with the payload.
                let work: serde_json::Value = serde_json::from_str(
                    &author
                        .api("GET", &format!("/api/v1/works/{id}"), None, None)
                        .body,
                )
                .expect("the work as JSON");
                if let Some(series) = work["series"][0]["series"].as_i64() {
                    let page = format!("/series/{series}");
                    let described = send(
                        &author,
                        &page,
                        &format!("{page}/description"),
                        &[("description", payload)],
                    );
                    assert_eq!(described, 303, "series description {payload:?}");
                    series_pages.push(page);
                }
                works.push(id);
            }
            (works, series_pages, refusals)
        })
        .await
        .expect("the posting finishes")
    };
    let (works, series_pages, refusals) = posted;
    assert!(
        series_pages.len() >= payloads.len() / 2,
        "{} series described",
        series_pages.len()
    );
    // Most payloads are refused as pseuds (letters, digits and _ only);
    // everything else is taken and must be shown harmlessly.
    assert!(
        refusals.iter().filter(|r| !r.starts_with("pseud")).count() < payloads.len() / 2,
        "{refusals:#?}"
    );

    let driver = crate::Driver::start();
    let profile = tempfile::tempdir().expect("a profile folder");
    let b = crate::browser(&driver, profile.path()).await;

    // First, proof that the inspection sees what it looks for: a page of
    // our own that runs a handler, keeps a javascript: link and a frame,
    // and fetches from the outside address.
    let canary = tempfile::tempdir().expect("a folder");
    let bad = canary.path().join("bad.html");
    std::fs::write(
        &bad,
        format!(
            "<!DOCTYPE html><img src=\"http://{outside_address}/canary.png\" \
             onerror=\"window.pwned=1\"><a href=\"javascript:void(0)\">x</a><iframe></iframe>\
             <iframe src=\"https://www.youtube.com/embed/x\" sandbox=\"allow-scripts allow-top-navigation\" loading=\"lazy\" width=\"1\" height=\"1\"></iframe>\
             <audio src=\"/x.mp3\" crossorigin=\"use-credentials\"></audio><video autoplay></video>"
        ),
    )
    .expect("written");
    let caught = inspect(&b, &format!("file://{}", bad.display()))
        .await
        .join("\n");
    for expected in [
        "window.pwned is set",
        "img keeps onerror",
        "a href=javascript:",
        "a frame kept: <iframe></iframe>",
        "a frame kept: <iframe src=\"https://www.youtube.com/embed/x\" sandbox=\"allow-scripts allow-top-navigation\"",
        "audio sends credentials elsewhere",
        "video plays by itself",
    ] {
        assert!(
            caught.contains(expected),
            "the inspection missed {expected:?}:\n{caught}"
        );
    }
    assert!(
        outside.requests.swap(0, Ordering::SeqCst) >= 1,
        "the outside listener saw nothing"
    );

    let mut found = Vec::new();
    let mut pages = vec![
        "/".to_string(),
        "/users/xss_author".to_string(),
        "/users/xss_author/works".to_string(),
        "/users/xss_reader".to_string(),
    ];
    for page in 1..=works.len().div_ceil(20) {
        pages.push(format!("/works?page={page}"));
    }
    for id in &works {
        // Both chapters, the comments and the bookmark's work blurb.
        pages.push(format!("/works/{id}?view_full_work=true"));
    }
    pages.extend(series_pages);
    let tag_links: Vec<String> = {
        found.extend(inspect(&b, &format!("{base}/works?page=1")).await);
        let links = b
            .execute(
                "return [...document.querySelectorAll('a[href^=\"/tags/\"]')].map(a => a.getAttribute('href'));",
                vec![],
            )
            .await
            .expect("the listing's tag links");
        links
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    pages.extend(tag_links);
    for page in &pages {
        found.extend(inspect(&b, &format!("{base}{page}")).await);
    }

    // The reader's own names in the text: a work that uses placeholders,
    // read by a guest who fills them with the payloads, a dozen at a time.
    let codes = [
        "Y/N", "L/N", "E/C", "H/C", "H/L", "S/C", "F/C", "G/N", "M/N", "N/N", "B/F", "S/N",
    ];
    let names_work = {
        let author = site.member("xss_names");
        let body = codes.map(|c| format!("{c} waited.")).join(" ");
        tokio::task::spawn_blocking(move || {
            crate::harness::post_work(&author, &[("title", "Names"), ("body", &body)])
        })
        .await
        .expect("posted")
    };
    let names_page = format!("{base}/works/{names_work}");
    for group in payloads.chunks(codes.len()) {
        b.goto(&names_page).await.expect("the names work");
        let set = b
            .execute(
                "const [values] = arguments; \
                 const inputs = [...document.querySelectorAll('input[name^=\"fill:\"]')]; \
                 inputs.forEach((input, i) => { input.value = values[i % values.length]; }); \
                 inputs[0].form.submit(); return inputs.length;",
                vec![serde_json::json!(group)],
            )
            .await
            .expect("the read-as form is filled");
        assert!(set.as_u64().unwrap_or(0) >= codes.len() as u64, "{set}");
        // The form answers with the work again, read with these names.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        found.extend(inspect(&b, &names_page).await);
    }

    // Each work's EPUB, opened straight from disk: no CSP there.
    let unpacked = tempfile::tempdir().expect("a folder for the EPUBs");
    let guest = site.client();
    for id in &works {
        let epub = guest.fetch(&format!("/works/{id}/download.epub"), &[]);
        assert_eq!(epub.status, 200, "work {id}'s EPUB");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub.bytes)).expect("a zip");
        for index in 0..zip.len() {
            let mut entry = zip.by_index(index).expect("an entry");
            let Some(name) = entry.enclosed_name() else {
                continue;
            };
            let path = unpacked.path().join(id.to_string()).join(name);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).expect("a folder");
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("unpacks");
            std::fs::write(&path, bytes).expect("written");
            if path.extension().is_some_and(|e| e == "xhtml") {
                found.extend(inspect(&b, &format!("file://{}", path.display())).await);
            }
        }
    }
    b.close().await.expect("Chromium closes");

    let outside_requests = outside.requests.load(Ordering::SeqCst);
    let outside_seen = outside
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert!(
        found.is_empty() && outside_requests == 0,
        "{} findings on {} pages, {outside_requests} requests outside ({outside_seen:?}):\n{}",
        found.len(),
        pages.len(),
        found.join("\n")
    );
}
