//! Downloads: a work as EPUB, HTML, TXT or PDF (A5, or US letter with
//! `?paper=letter`), and a series as one EPUB, made by quire-export. A
//! download as written is kept on disk until the work changes, in a folder
//! of the work's own (a miss looks through that folder alone); one filled
//! with a reader's names is made for that request and never kept, so no
//! stream of made-up names can fill the disk.
//!
//! A download to be kept that takes longer to make than the site's
//! `download_wait` (a PDF of a very long work: seconds of typesetting) is
//! finished in the background: the reader gets a 202 page that asks again
//! in a moment, and requests that come meanwhile get the same page rather
//! than start a second making.
//!
//! A download is keyed by what makes its bytes: the work and its version,
//! the format (and a PDF's paper), the reader's fill and the archive's
//! address. The key is
//! also its ETag, so a reader's app asking again gets a 304.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askama::Template;

use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use quire_archive::{Viewer, Work};
use quire_export::{ExportError, Format, Options, Paper};
use quire_text::FillProfile;

use crate::access::visible_work;
use crate::pages::{Layout, PageError};
use crate::visitor::Visitor;
use crate::App;

/// How often the sweeper reads the change feed.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Where made downloads are kept, and the address their links point to.
pub struct DownloadCache {
    dir: PathBuf,
    public_url: String,
    /// How long a request waits for a kept download to be made.
    wait: Duration,
    /// The kept files being made now.
    making: Mutex<HashSet<PathBuf>>,
}

impl DownloadCache {
    pub fn new(dir: PathBuf, public_url: String, wait: Duration) -> DownloadCache {
        // Copies kept loose in the folder by earlier releases, filled ones
        // among them, are dropped once; they are made again when asked.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|kind| kind.is_file()) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        DownloadCache {
            dir,
            public_url,
            wait,
            making: Mutex::new(HashSet::new()),
        }
    }

    /// Marks `file` as being made until the mark is dropped; `None` if
    /// another request is making it.
    fn start_making(self: &Arc<Self>, file: &FsPath) -> Option<Making> {
        let first = self
            .making
            .lock()
            .map(|mut making| making.insert(file.to_path_buf()))
            // A poisoned set marks nothing: making twice beats never.
            .unwrap_or(true);
        first.then(|| Making {
            cache: Arc::clone(self),
            file: file.to_path_buf(),
        })
    }

    /// Drops every kept copy of a work that changed or went.
    pub fn forget_work(&self, work: quire_archive::WorkId) {
        let _ = std::fs::remove_dir_all(self.dir.join(format!("work-{work}")));
    }

    /// Follows the change feed and drops the kept copies of every work
    /// that changes or goes, on any node and through any route, so that
    /// copies of old versions don't wait on disk for a download that never
    /// comes.
    pub fn spawn_sweeper(self: &std::sync::Arc<Self>, archive: quire_archive::Archive) {
        let cache = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let mut feed = loop {
                match archive.feed_cursor_at_end().await {
                    Ok(feed) => break feed,
                    Err(_) => tokio::time::sleep(SWEEP_EVERY).await,
                }
            };
            loop {
                tokio::time::sleep(SWEEP_EVERY).await;
                let Ok(changes) = archive.read_feed(&mut feed, 1_000).await else {
                    continue;
                };
                for change in changes {
                    // Counts and comments show on pages, not in downloads.
                    if change.entity == "work"
                        && !matches!(change.kind.as_str(), "counts" | "comments")
                    {
                        cache.forget_work(change.entity_id);
                    }
                }
            }
        });
    }

    /// The archive's address, without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DownloadQuery {
    /// `Y/N:Alex,E/C:green`: a fill for this download only.
    fill: Option<String>,
    /// A PDF's page size: `a5` (the default) or `letter`.
    paper: Option<String>,
}

/// The paper a PDF is asked on.
fn paper_for(query: &DownloadQuery) -> Result<Paper, PageError> {
    match query.paper.as_deref().map(str::trim) {
        None | Some("") => Ok(Paper::default()),
        Some(name) => Paper::from_name(name).ok_or_else(|| {
            PageError::Refused(format!(
                "There is no `{name}` paper; ask for ?paper=a5 (the default) or ?paper=letter"
            ))
        }),
    }
}

/// The fill a download reads with: the URL's, else the reader's own.
fn fill_for(visitor: &Visitor, query: &DownloadQuery) -> Result<FillProfile, PageError> {
    let Some(written) = query.fill.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(visitor.settings.fill_profile());
    };
    let mut profile = FillProfile::new();
    for pair in written.split(',').filter(|p| !p.trim().is_empty()) {
        let (code, value) = pair.split_once(':').ok_or_else(|| {
            PageError::Refused(format!(
                "The fill `{pair}` is not CODE:VALUE; write it like ?fill=Y/N:Alex,E/C:green"
            ))
        })?;
        profile
            .set(code, value)
            .map_err(|err| PageError::Refused(format!("The fill: {err}.")))?;
    }
    Ok(profile)
}

/// A fill as the same text however it was given: codes in order.
fn fill_key(profile: &FillProfile) -> String {
    quire_text::insert::CODES
        .iter()
        .filter_map(|code| {
            profile
                .value_for(code)
                .map(|value| format!("{code}={value}"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A short fingerprint of some strings, for cache keys and ETags.
pub(crate) fn digest(parts: &[&str]) -> String {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// A work as an EPUB, HTML, text or PDF download: one handler a format, for
/// the router's table.
macro_rules! work_download {
    ($name:ident, $format:expr) => {
        pub async fn $name(
            state: State<App>,
            visitor: Extension<Visitor>,
            id: Path<String>,
            query: Query<DownloadQuery>,
            headers: HeaderMap,
        ) -> Result<Response, PageError> {
            work(state, visitor, id, query, headers, $format).await
        }
    };
}

work_download!(work_epub, Format::Epub);
work_download!(work_html, Format::Html);
work_download!(work_txt, Format::Txt);
work_download!(work_pdf, Format::Pdf);

async fn work(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
    format: Format,
) -> Result<Response, PageError> {
    let work = visible_work(&app, &visitor, &id).await?;
    let fill = fill_for(&visitor, &query)?;
    let paper = paper_for(&query)?;
    let chapters: Vec<&quire_archive::Chapter> = work.chapters.iter().collect();
    crate::settings::check_fill_growth(&fill, &work, &chapters).map_err(PageError::Refused)?;
    let cache = &app.downloads;
    // Paper makes a PDF's bytes; the other formats have none, and keep
    // the keys they always had.
    let variant = match format {
        Format::Pdf => format!("pdf-{}", paper.name()),
        _ => format.extension().to_string(),
    };
    let key = format!(
        "{}-{}-{}",
        work.id,
        work.version,
        digest(&[&variant, &fill_key(&fill), &cache.public_url])
    );
    let name = quire_export::file_name(&work, format.extension());
    // Copies of other versions go; other formats of this one stay.
    let kept = fill.is_empty().then(|| Kept {
        file: cache
            .dir
            .join(format!("work-{}", work.id))
            .join(format!("{key}.{}", format.extension())),
        current: format!("{}-{}-", work.id, work.version),
    });
    let options = Options::new(&cache.public_url)
        .map_err(export_error)?
        .with_fill(fill)
        .with_paper(paper);
    let restricted = work.restricted;
    let pending = Pending {
        layout: Layout::new(&visitor, "Your download is being made"),
        format: format.extension().to_ascii_uppercase(),
        work_title: work.title.clone(),
        work_id: work.id,
        retry: match format {
            Format::Pdf if paper != Paper::default() => {
                format!("/works/{}/download.pdf?paper={}", work.id, paper.name())
            }
            _ => format!("/works/{}/download.{}", work.id, format.extension()),
        },
    };
    let download = Download {
        key: &key,
        kept,
        format,
        name: &name,
        restricted,
        pending: Some(pending),
    };
    let pictures = match format {
        Format::Epub | Format::Html => pictures_of(&app, &work).await?,
        Format::Txt | Format::Pdf => Vec::new(),
    };
    let (store, runtime) = (app.media.clone(), tokio::runtime::Handle::current());
    serve(cache, &headers, download, move || {
        // Read only when the book is made (not for a copy already kept),
        // off the async threads, from the disk or the bucket.
        let pictures = runtime.block_on(read_pictures(&store, &pictures));
        let options = options.with_pictures(pictures);
        quire_export::export(&work, format, &options)
    })
    .await
}

/// A picture uploaded with a work that its chapters show: its address,
/// and the file a download carries (the copy 800 px wide when there is
/// one: a book is read on a phone or an e-reader).
struct PictureFile {
    addresses: Vec<String>,
    sha256: String,
    width: Option<u32>,
    format: quire_archive::media::MediaFormat,
}

async fn pictures_of(app: &App, work: &quire_archive::Work) -> Result<Vec<PictureFile>, PageError> {
    const BOOK_WIDTH: u32 = quire_archive::media::COLUMN_WIDTH;
    let media = app.archive.media_of_work(work.id).await?;
    Ok(media
        .into_iter()
        .filter(|m| m.kind() == quire_archive::media::MediaKind::Image)
        .filter(|m| {
            let addresses = m.addresses();
            work.chapters
                .iter()
                .any(|c| addresses.iter().any(|a| c.html.contains(a.as_str())))
        })
        .map(|m| PictureFile {
            width: m.sizes.contains(&BOOK_WIDTH).then_some(BOOK_WIDTH),
            sha256: m.sha256.clone(),
            addresses: m.addresses(),
            format: m.format,
        })
        .collect())
}

/// The pictures' bytes. One that can't be read leaves its alt text in
/// the book.
async fn read_pictures(
    store: &quire_archive::media::MediaStore,
    pictures: &[PictureFile],
) -> Vec<quire_export::Picture> {
    let mut read = Vec::new();
    for picture in pictures {
        match store
            .read(&picture.sha256, picture.format, picture.width)
            .await
        {
            Ok(bytes) => read.push(quire_export::Picture {
                addresses: picture.addresses.clone(),
                media_type: picture.format.mime(),
                extension: picture.format.extension(),
                bytes,
            }),
            Err(err) => {
                tracing::error!(sha256 = %picture.sha256, error = %err, "an uploaded picture can't be read for a download");
            }
        }
    }
    read
}

/// What a reader sees while a long download is made in the background.
#[derive(Template)]
#[template(path = "download_pending.html")]
struct Pending {
    layout: Layout,
    format: String,
    work_title: String,
    work_id: i64,
    retry: String,
}

/// How often the pending page asks again, in seconds.
const ASK_AGAIN_SECONDS: u32 = 5;

impl Pending {
    fn response(&self) -> Response {
        let html = match self.render() {
            Ok(html) => html,
            Err(err) => return PageError::from(err).into_response(),
        };
        (
            StatusCode::ACCEPTED,
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::RETRY_AFTER, HeaderValue::from(ASK_AGAIN_SECONDS)),
                // Browsers load the page again after this many seconds,
                // which then starts the download once it is made.
                (
                    header::HeaderName::from_static("refresh"),
                    HeaderValue::from(ASK_AGAIN_SECONDS),
                ),
            ],
            axum::response::Html(html),
        )
            .into_response()
    }
}

pub async fn series_epub(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let viewer = visitor.viewer();
    let listing = app
        .archive
        .series_for(id, viewer)
        .await?
        .ok_or(PageError::NotFound)?;
    let mut works: Vec<Work> = Vec::with_capacity(listing.works.len());
    for (_, indexed) in &listing.works {
        if let Some(work) = app.archive.work_for(indexed.id, viewer).await? {
            works.push(work);
        }
    }
    if works.is_empty() {
        return Err(PageError::NotFound);
    }
    let fill = fill_for(&visitor, &query)?;
    for work in &works {
        let chapters: Vec<&quire_archive::Chapter> = work.chapters.iter().collect();
        crate::settings::check_fill_growth(&fill, work, &chapters).map_err(PageError::Refused)?;
    }
    let cache = &app.downloads;
    let versions: Vec<String> = works
        .iter()
        .map(|w| format!("{}:{}", w.id, w.version))
        .collect();
    let key = format!(
        "{id}-{}",
        digest(&[
            &versions.join(","),
            &fill_key(&fill),
            &cache.public_url,
            // Registered-only parts are in a member's copy, not a guest's.
            if viewer == Viewer::Guest {
                "guest"
            } else {
                "member"
            },
        ])
    );
    let name = quire_export::series_file_name(&listing.title, &listing.creators(), "epub");
    let kept = fill.is_empty().then(|| Kept {
        file: cache
            .dir
            .join(format!("series-{id}"))
            .join(format!("{key}.epub")),
        current: format!("{key}."),
    });
    let options = Options::new(&cache.public_url)
        .map_err(export_error)?
        .with_fill(fill);
    let download = Download {
        key: &key,
        kept,
        format: Format::Epub,
        name: &name,
        restricted: works.iter().any(|w| w.restricted),
        // A series' book is its works' EPUBs, made in well under the
        // wait: nothing to finish in the background.
        pending: None,
    };
    serve(cache, &headers, download, move || {
        quire_export::series_epub(id, &works, &options)
    })
    .await
}

fn export_error(err: ExportError) -> PageError {
    PageError::Refused(format!("The download couldn't be made: {err}."))
}

/// A kept file being made; dropped when the making ends, however it
/// ends (a panic in the exporter included), so no file stays marked.
struct Making {
    cache: Arc<DownloadCache>,
    file: PathBuf,
}

impl Drop for Making {
    fn drop(&mut self) {
        if let Ok(mut making) = self.cache.making.lock() {
            making.remove(&self.file);
        }
    }
}

/// One download to answer with.
struct Download<'a> {
    key: &'a str,
    kept: Option<Kept>,
    format: Format,
    name: &'a str,
    restricted: bool,
    /// The page to answer with if a kept download isn't made within the
    /// wait; `None` waits however long it takes.
    pending: Option<Pending>,
}

/// Answers from the kept file, or makes it (off the async threads), keeps
/// it if it is to be kept, and answers; a matching `If-None-Match` gets a
/// 304. A kept download still being made after the cache's wait is left
/// to finish in the background, and the reader is asked to come back.
async fn serve(
    cache: &Arc<DownloadCache>,
    headers: &HeaderMap,
    download: Download<'_>,
    make: impl FnOnce() -> Result<Vec<u8>, ExportError> + Send + 'static,
) -> Result<Response, PageError> {
    let Download {
        key,
        kept,
        format,
        name,
        restricted,
        pending,
    } = download;
    let etag = format!("\"{key}\"");
    let cache_control = if restricted {
        "private, no-cache"
    } else {
        "public, no-cache"
    };
    if crate::pages::etag_matches(headers, &etag) == Some(true) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache_control.to_string()),
            ],
        )
            .into_response());
    }
    let on_disk = match &kept {
        Some(kept) => tokio::fs::read(&kept.file).await.ok(),
        None => None,
    };
    let bytes = match (on_disk, kept) {
        (Some(bytes), _) => bytes,
        (None, None) => tokio::task::spawn_blocking(move || make_and_keep(None, make))
            .await
            .map_err(|err| {
                PageError::Refused(format!("The download couldn't be made: {err}."))
            })??,
        (None, Some(kept)) => {
            let making = cache.start_making(&kept.file);
            if let (None, Some(pending)) = (&making, &pending) {
                // Another request is making it: this one is told to come
                // back, rather than make it twice.
                return Ok(pending.response());
            }
            let mut job = tokio::task::spawn_blocking(move || {
                let made = make_and_keep(Some(&kept), make);
                drop(making);
                made
            });
            let joined = match &pending {
                Some(_) => match tokio::time::timeout(cache.wait, &mut job).await {
                    Ok(joined) => joined,
                    // The job goes on and keeps the file; the next
                    // request finds it on disk.
                    Err(_) => {
                        return Ok(pending.map_or_else(
                            || StatusCode::ACCEPTED.into_response(),
                            |pending| pending.response(),
                        ))
                    }
                },
                None => job.await,
            };
            joined.map_err(|err| {
                PageError::Refused(format!("The download couldn't be made: {err}."))
            })??
        }
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\"")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Where a download is kept, in its work's (or series') own folder; the
/// folder's other files whose names don't start with `current` are older
/// copies that it replaces.
struct Kept {
    file: PathBuf,
    current: String,
}

/// Removes the files in `dir` whose names don't start with `current`. A
/// copy that can't be removed is left for the next time.
fn remove_stale(dir: &FsPath, current: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(current) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

static NEXT_TEMPORARY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Makes a download and, if it is to be kept, keeps it: written to a
/// temporary name and renamed, so a half-written file is never served;
/// the work's older copies go. A disk that can't keep it still serves it.
fn make_and_keep(
    kept: Option<&Kept>,
    make: impl FnOnce() -> Result<Vec<u8>, ExportError>,
) -> Result<Vec<u8>, PageError> {
    let bytes = make().map_err(export_error)?;
    let Some(Kept { file, current }) = kept else {
        return Ok(bytes);
    };
    let Some(dir) = file.parent() else {
        return Ok(bytes);
    };
    if std::fs::create_dir_all(dir).is_err() {
        return Ok(bytes);
    }
    remove_stale(dir, current);
    // A name of its own: two readers may ask for the same download at once.
    let temporary = file.with_extension(format!(
        "part-{}-{}",
        std::process::id(),
        NEXT_TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    if std::fs::write(&temporary, &bytes).is_ok() && std::fs::rename(&temporary, file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    Ok(bytes)
}
