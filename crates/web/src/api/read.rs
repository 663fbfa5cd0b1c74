//! What the API reads: search, works and their chapters and comments,
//! tags, people, series, and the token's own settings.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quire_archive::model::Formatted;
use quire_archive::search::{FacetCount, WorkSummary};
use quire_archive::{Work, WorkId};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::names::{
    CategoryName, ContentNoteName, RatingName, SuggestedKindCode, TagKindCode, WarningName,
};
use super::{ApiError, ApiQuery, Caller, Problem};
use crate::{search_params, App};

/// `GET /healthz`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// `ok` or `unavailable`.
    status: String,
    /// `ok`, or what the store said went wrong.
    store: String,
    /// `ok`, or `building` while the search index is made.
    index: String,
}

/// Whether the archive is up: its store answers and its index is ready.
#[utoipa::path(get, path = "/healthz", tag = "archive",
    responses(
        (status = 200, description = "The archive is up.", body = Health),
        (status = 503, description = "The store doesn't answer.", body = Health),
    )
)]
pub(crate) async fn health(State(app): State<App>) -> Response {
    let index = if app.search.is_ready() {
        "ok"
    } else {
        "building"
    };
    let (status, store) = match app.archive.health().await {
        Ok(()) => (StatusCode::OK, "ok".to_string()),
        Err(err) => (StatusCode::SERVICE_UNAVAILABLE, err.to_string()),
    };
    let health = Health {
        status: if status == StatusCode::OK {
            "ok"
        } else {
            "unavailable"
        }
        .into(),
        store,
        index: index.into(),
    };
    (status, Json(health)).into_response()
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub(crate) struct SearchPage {
    /// Works matching, on every page.
    total: usize,
    page: usize,
    per_page: usize,
    works: Vec<WorkSummary>,
    /// By kind of tag (`fandom`, `rating`, …), most common first; and
    /// `language`: the works' languages by code, as the `language` filter
    /// takes them.
    facets: BTreeMap<String, Vec<FacetCount>>,
    /// The next page's address, while there is one (also in `Link`).
    next: Option<String>,
}

/// The search's parameters, as AO3's filter form names them.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read as pairs by search_params; this is their documentation.
pub(crate) struct SearchParameters {
    /// Words to find, with AO3's search syntax: `"a phrase"`, `-word`, `title:word`; at most
    /// 64 words and phrases (a search of more is answered 400, naming `q`).
    q: Option<String>,
    /// Tags every work must carry (comma-separated); synonyms and sub-tags count.
    include: Option<String>,
    /// Tags no work may carry (comma-separated).
    exclude: Option<String>,
    /// Fandoms, any of which a work may be in (comma-separated).
    fandoms: Option<String>,
    /// Ratings, any of which a work may have (comma-separated), such as `Teen And Up Audiences`.
    rating: Option<String>,
    /// Ratings no work may have (comma-separated), such as `Explicit`.
    exclude_rating: Option<String>,
    /// Pseud names (comma-separated), any of whom may have written a work.
    author: Option<String>,
    /// Pseud names (comma-separated) whose works are left out.
    exclude_author: Option<String>,
    /// Content notes the text suggests, by machine name (`child-harm`), to leave out.
    exclude_detected: Option<String>,
    /// Archive warnings (comma-separated), any of which a work may carry, such as `Major Character Death`.
    warnings: Option<String>,
    /// Archive warnings (comma-separated) no work may carry, such as `Graphic Depictions Of Violence`.
    exclude_warnings: Option<String>,
    /// Categories (comma-separated), any of which a work may be in: `F/F`, `F/M`, `Gen`, `M/M`, `Multi`, `Other`.
    categories: Option<String>,
    /// Categories (comma-separated) no work may be in.
    exclude_categories: Option<String>,
    /// `true` for complete works only, `false` for works in progress.
    complete: Option<String>,
    /// `include`, `exclude` or `only`.
    crossovers: Option<String>,
    /// `true` for works of one complete chapter only (AO3's "single chapter").
    single_chapter: Option<String>,
    /// A language code such as `en`.
    language: Option<String>,
    /// Work types (comma-separated), any of which a work may be: `Text`, `Art`, `Audio`, `Video` (read from what its chapters hold).
    work_types: Option<String>,
    /// Work types (comma-separated) no work may be.
    exclude_work_types: Option<String>,
    /// The fewest words a work may have.
    words_from: Option<u64>,
    /// The most words a work may have; not less than `words_from`.
    words_to: Option<u64>,
    /// Works updated on or after this day, `YYYY-MM-DD` (UTC).
    updated_from: Option<String>,
    /// Works updated on or before this day, `YYYY-MM-DD` (UTC), the whole day included.
    updated_to: Option<String>,
    /// `best`, `updated`, `posted`, `title`, `author`, `words`, `kudos`, `hits`, `bookmarks` or `comments`.
    sort: Option<String>,
    /// `asc` or `desc`; each sort has its own default (newest, most or A to Z first).
    order: Option<String>,
    /// Which page of results, from 1.
    #[param(minimum = 1, maximum = 5000)]
    page: Option<u32>,
    /// Works on a page; 20 when not given.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// `false` leaves the facet counts out, for speed.
    facets: Option<String>,
}

/// Searches works, with AO3's include and exclude filters, sorts and
/// facet counts. A token's holder also finds registered-only works, and
/// their mute list applies.
#[utoipa::path(get, path = "/api/v1/works", tag = "works",
    params(SearchParameters),
    responses(
        (status = 200, description = "A page of works.", body = SearchPage,
            headers(("ETag" = String), ("Link" = String, description = "`<next page>; rel=\"next\"`, while there is one"))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "A parameter can't be used; `parameter` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn search_works(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut request = search_params::search_request(&params)
        .map_err(|err| ApiError::bad_parameter(&err.parameter, &err.message))?;
    crate::keeping_away::mute_search(&app, &caller.visitor.settings, &mut request).await?;
    let results = app
        .search(request, caller.visitor.signed_in())
        .await
        .map_err(crate::pages::PageError::from)?;
    let next = (results.page * results.per_page < results.total)
        .then(|| next_page(&params, results.page + 1));
    let body = SearchPage {
        total: results.total,
        page: results.page,
        per_page: results.per_page,
        works: results.works,
        facets: results
            .facets
            .into_iter()
            .map(|(kind, counts)| (kind.to_string(), counts))
            .collect(),
        next: next.clone(),
    };
    let mut response = answer_json(&headers, &body);
    if let Some(Ok(link)) =
        next.map(|next| HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")))
    {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// The same search, one page on: every parameter kept but the page.
fn next_page(params: &[(String, String)], page: usize) -> String {
    let mut kept: Vec<(&str, String)> = params
        .iter()
        .filter(|(name, _)| name != "page")
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    kept.push(("page", page.to_string()));
    format!(
        "/api/v1/works?{}",
        serde_urlencoded::to_string(&kept).unwrap_or_default()
    )
}

/// A JSON answer with an ETag made from its bytes, so a client asking
/// again with `If-None-Match` gets a 304 and no body when nothing changed.
pub(crate) fn answer_json(asked: &HeaderMap, body: &impl Serialize) -> Response {
    use std::hash::{Hash, Hasher};
    let bytes = serde_json::to_string(body).unwrap_or_default();
    // Deterministic, not random-keyed: the tag outlives one request.
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    let tag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    if crate::pages::etag_matches(asked, &etag) == Some(true) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
        ],
        bytes,
    )
        .into_response()
}

/// A series a work is part of.
#[derive(Serialize, ToSchema)]
pub(crate) struct SeriesPartOut {
    series: i64,
    title: String,
    part: u32,
}

/// A chapter as its work lists it.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChapterRef {
    position: u32,
    title: String,
    words: usize,
    /// Its text, at `/api/v1/works/{id}/chapters/{position}`.
    url: String,
    /// What quire repaired in the text as it was posted or last edited.
    repairs: Vec<RepairOut>,
}

/// Garbled characters quire repaired in a chapter's text (mojibake: text
/// read in the wrong encoding somewhere on its way), and what it kept.
#[derive(Serialize, ToSchema)]
pub(crate) struct RepairOut {
    /// As the text arrived.
    before: String,
    /// As quire keeps it.
    after: String,
    /// The encoding the text had been misread in: `windows-1252`,
    /// `iso-8859-1` or `macintosh`.
    misread_as: String,
}

/// Every repair recorded with a chapter's text.
pub(crate) fn repairs_of(text: &quire_text::Manuscript) -> Vec<RepairOut> {
    text.repairs
        .iter()
        .map(|r| RepairOut {
            before: r.before.clone(),
            after: r.after.clone(),
            misread_as: r.encoding.label().to_string(),
        })
        .collect()
}

/// Where else the work can be had.
#[derive(Serialize, ToSchema)]
pub(crate) struct WorkLinks {
    html: String,
    epub: String,
    /// A5; add `?paper=letter` for US letter. A long work's PDF may first
    /// answer 202 with `Retry-After` while it is typeset.
    pdf: String,
}

/// One work: its tags, preface, chapters and counts.
#[derive(Serialize, ToSchema)]
pub(crate) struct WorkOut {
    id: WorkId,
    title: String,
    /// HTML, cleaned to AO3's allowlist without media (as are both
    /// notes); reader-insert codes filled as asked.
    summary: String,
    notes_start: String,
    notes_end: String,
    language: String,
    #[schema(value_type = RatingName)]
    rating: String,
    #[schema(value_type = Vec<WarningName>)]
    warnings: Vec<String>,
    #[schema(value_type = Vec<CategoryName>)]
    categories: Vec<String>,
    fandoms: Vec<String>,
    relationships: Vec<String>,
    characters: Vec<String>,
    freeforms: Vec<String>,
    /// Pseud names.
    creators: Vec<String>,
    complete: bool,
    /// `null` is AO3's `?`.
    expected_chapters: Option<u32>,
    words: usize,
    restricted: bool,
    /// Not posted yet: seen by its creators only.
    draft: bool,
    /// `YYYY-MM-DD`.
    posted: String,
    updated: String,
    series: Vec<SeriesPartOut>,
    chapters: Vec<ChapterRef>,
    kudos: i64,
    comments: i64,
    hits: i64,
    links: WorkLinks,
}

/// Reader-insert values to fill a text with.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read as pairs; this is their documentation.
pub(crate) struct FillParameters {
    /// `CODE:value`, as often as there are codes: `fill=Y/N:Sam&fill=E/C:green`.
    /// A token's saved reader-insert profile applies first.
    fill: Option<Vec<String>>,
}

/// The fill profile a request asks for: the caller's saved names, then
/// those in `fill` parameters.
fn fill_profile(
    caller: &Caller,
    params: &[(String, String)],
) -> Result<quire_text::FillProfile, ApiError> {
    let mut profile = caller.visitor.settings.fill_profile();
    for (_, value) in params.iter().filter(|(name, _)| name == "fill") {
        let Some((code, name)) = value.split_once(':') else {
            return Err(ApiError::bad_parameter(
                "fill",
                "give each as CODE:value, such as `Y/N:Sam`",
            ));
        };
        profile
            .set(code.trim(), name.trim())
            .map_err(|err| ApiError::bad_parameter("fill", &err.to_string()))?;
    }
    Ok(profile)
}

pub(crate) async fn work_out(
    app: &App,
    work: &Work,
    profile: &quire_text::FillProfile,
) -> Result<WorkOut, ApiError> {
    let fill = |text: &Formatted| text.filled(profile);
    let day = |seconds: i64| quire_archive::dates::day_of(seconds);
    Ok(WorkOut {
        id: work.id,
        title: work.title.clone(),
        summary: fill(&work.summary),
        notes_start: fill(&work.notes_start),
        notes_end: fill(&work.notes_end),
        language: work.language.clone(),
        rating: work.rating.name().to_string(),
        warnings: work.warnings.iter().map(|w| w.name().to_string()).collect(),
        categories: work
            .categories
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        fandoms: work.fandoms.clone(),
        relationships: work.relationships.clone(),
        characters: work.characters.clone(),
        freeforms: work.freeforms.clone(),
        creators: work.creators.clone(),
        complete: work.complete,
        expected_chapters: work.expected_chapters,
        words: work.word_count,
        restricted: work.restricted,
        draft: work.draft,
        posted: day(work.posted_at),
        updated: day(work.updated_at),
        series: work
            .series
            .iter()
            .map(|s| SeriesPartOut {
                series: s.series,
                title: s.title.clone(),
                part: s.part,
            })
            .collect(),
        chapters: work
            .chapters
            .iter()
            .map(|c| ChapterRef {
                position: c.position,
                title: c.title.clone(),
                words: c.word_count,
                url: format!("/api/v1/works/{}/chapters/{}", work.id, c.position),
                repairs: repairs_of(&c.body),
            })
            .collect(),
        kudos: app.archive.kudos_count(work.id).await?,
        comments: app.archive.comment_count(work.id).await?,
        hits: app.archive.hit_count(work.id).await?,
        links: WorkLinks {
            html: format!("/works/{}", work.id),
            epub: format!("/works/{}/download.epub", work.id),
            pdf: format!("/works/{}/download.pdf", work.id),
        },
    })
}

/// The work, if the caller may see it; a guest asking for a
/// registered-only work is asked for a token, as the site asks them to
/// sign in.
pub(crate) async fn visible(app: &App, caller: &Caller, id: &str) -> Result<Work, ApiError> {
    crate::access::visible_work(app, &caller.visitor, id)
        .await
        .map_err(|err| match err {
            crate::pages::PageError::NotFound => ApiError::no_such_work(),
            other => ApiError::from(other),
        })
}

/// One work, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "The work's id.", example = 1), FillParameters),
    responses(
        (status = 200, description = "The work.", body = WorkOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "A `fill` parameter can't be used.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn work(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let profile = fill_profile(&caller, &params)?;
    let work = visible(&app, &caller, &id).await?;
    crate::settings::check_fill_growth(&profile, &work, &[])
        .map_err(|message| ApiError::bad_parameter("fill", &message))?;
    Ok(answer_json(
        &headers,
        &work_out(&app, &work, &profile).await?,
    ))
}

/// How often a reader-insert code appears.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlaceholderOut {
    /// `Y/N`, `E/C`, `H/C`, …
    code: String,
    count: usize,
}

/// One chapter with its text.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChapterOut {
    work: WorkId,
    position: u32,
    title: String,
    /// HTML, as the work's summary and notes.
    summary: String,
    notes_start: String,
    notes_end: String,
    words: usize,
    /// The chapter's text as sanitized HTML, reader-insert codes filled.
    html: String,
    /// The codes the chapter's text holds, to fill.
    placeholders: Vec<PlaceholderOut>,
    /// What quire repaired in the text as it was posted or last edited.
    repairs: Vec<RepairOut>,
}

pub(crate) fn chapter_of<'w>(
    work: &'w Work,
    position: &str,
) -> Result<&'w quire_archive::Chapter, ApiError> {
    position
        .parse::<u32>()
        .ok()
        .and_then(|position| work.chapters.iter().find(|c| c.position == position))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no-such-chapter",
                format!(
                    "Work {} has chapters 1 to {}.",
                    work.id,
                    work.chapters.len()
                ),
            )
        })
}

/// One chapter's text, filled with the caller's reader-insert names.
#[utoipa::path(get, path = "/api/v1/works/{id}/chapters/{position}", tag = "works",
    params(
        ("id" = i64, Path, description = "The work's id.", example = 1),
        ("position" = u32, Path, description = "The chapter's number, from 1.", example = 1),
        FillParameters,
    ),
    responses(
        (status = 200, description = "The chapter.", body = ChapterOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "A `fill` parameter can't be used.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work or chapter that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn chapter(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path((id, position)): Path<(String, String)>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let profile = fill_profile(&caller, &params)?;
    let work = visible(&app, &caller, &id).await?;
    let chapter = chapter_of(&work, &position)?;
    crate::settings::check_fill_growth(&profile, &work, &[chapter])
        .map_err(|message| ApiError::bad_parameter("fill", &message))?;
    let fill = |text: &Formatted| text.filled(&profile);
    let body = ChapterOut {
        work: work.id,
        position: chapter.position,
        title: chapter.title.clone(),
        summary: fill(&chapter.summary),
        notes_start: fill(&chapter.notes_start),
        notes_end: fill(&chapter.notes_end),
        words: chapter.word_count,
        repairs: repairs_of(&chapter.body),
        html: app
            .filled_chapters
            .filled(&work, chapter, &profile)
            .to_string(),
        placeholders: chapter
            .body
            .placeholders
            .iter()
            .map(|p| PlaceholderOut {
                code: p.code.clone(),
                count: p.count,
            })
            .collect(),
    };
    Ok(answer_json(&headers, &body))
}

/// A comment on a chapter.
#[derive(Serialize, ToSchema)]
pub(crate) struct CommentOut {
    id: i64,
    /// The comment it answers, if it is a reply.
    parent: Option<i64>,
    /// The pseud's name, or the name a guest gave.
    writer: String,
    /// HTML, cleaned to AO3's allowlist without media.
    body: String,
    edited: bool,
    /// Frozen by the work's creators or an admin: no more replies.
    frozen: bool,
    /// Waiting for the work's creators' approval: seen only by its writer,
    /// the creators and admins.
    held: bool,
    /// Hidden by the work's creators or an admin: to anyone else its body
    /// is empty (its replies stay).
    hidden: bool,
    /// Unix seconds.
    posted_at: i64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CommentsOut {
    comments: Vec<CommentOut>,
}

/// The comments on one chapter, oldest first.
#[utoipa::path(get, path = "/api/v1/works/{id}/chapters/{position}/comments", tag = "reactions",
    params(
        ("id" = i64, Path, description = "The work's id.", example = 1),
        ("position" = u32, Path, description = "The chapter's number, from 1.", example = 1),
    ),
    responses(
        (status = 200, description = "The comments.", body = CommentsOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 404, description = "No such work or chapter that the caller may see.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn chapter_comments(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path((id, position)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    use crate::comment_controls::{seen_as, CommentReader, Seen};
    let work = visible(&app, &caller, &id).await?;
    let chapter = chapter_of(&work, &position)?;
    let reader = CommentReader {
        me: caller.visitor.user.as_ref().map(|u| u.id),
        creator: app
            .archive
            .is_creator(work.id, caller.visitor.viewer())
            .await?,
        admin: caller.visitor.admin(),
    };
    let all = app.archive.comments_on_work(work.id).await?;
    // What a reader may not see takes what is beneath it along.
    let mut gone: Vec<i64> = Vec::new();
    let mut comments = Vec::new();
    for c in all.into_iter().filter(|c| c.chapter == chapter.id) {
        let seen = seen_as(&c, &reader);
        if seen == Seen::Gone || c.parent.is_some_and(|p| gone.contains(&p)) {
            gone.push(c.id);
            continue;
        }
        comments.push(CommentOut {
            id: c.id,
            parent: c.parent,
            writer: c.writer,
            body: if seen == Seen::Placeholder {
                String::new()
            } else {
                c.body.html().to_string()
            },
            edited: c.edited,
            frozen: c.frozen,
            held: c.held,
            hidden: c.hidden,
            posted_at: c.posted_at,
        });
    }
    Ok(answer_json(&headers, &CommentsOut { comments }))
}

/// A tag and its place in the wrangling.
#[derive(Serialize, ToSchema)]
pub(crate) struct TagOut {
    #[schema(value_type = TagKindCode)]
    kind: String,
    name: String,
    canonical: bool,
    /// The canonical tag this one is a synonym of.
    synonym_of: Option<String>,
    synonyms: Vec<String>,
    /// Tags this one is filed under (a character's fandom).
    parents: Vec<String>,
    children: Vec<String>,
    /// The search that lists its works, synonyms and sub-tags included.
    works: String,
}

fn tag_kind(kind: &str) -> Result<quire_archive::model::TagKind, ApiError> {
    quire_archive::model::TagKind::from_code(kind).ok_or_else(|| {
        ApiError::bad_parameter(
            "kind",
            &format!("`{kind}` is not a kind of tag; use rating, warning, category, fandom, relationship, character or freeform"),
        )
    })
}

/// A tag: canonical or a synonym, its parents and children, and where its
/// works are.
#[utoipa::path(get, path = "/api/v1/tags/{kind}/{tag}", tag = "tags",
    params(
        ("kind" = TagKindCode, Path, description = "The kind of tag.", example = "fandom"),
        ("tag" = String, Path, description = "The tag's name; case doesn't matter.", example = "Original Work"),
    ),
    responses(
        (status = 200, description = "The tag.", body = TagOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 400, description = "Not a kind of tag.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn tag(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path((kind, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let tag_kind = tag_kind(&kind)?;
    let viewer = caller.visitor.viewer();
    let tag = app.archive.tag_for(tag_kind, &name, viewer).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-tag",
            format!("There is no {kind} tag named `{name}`; tag names are matched without regard to case."),
        )
    })?;
    let works = format!(
        "/api/v1/works?{}",
        serde_urlencoded::to_string([("include", tag.name.as_str())]).unwrap_or_default()
    );
    Ok(answer_json(
        &headers,
        &TagOut {
            kind: tag.kind.code().to_string(),
            name: tag.name,
            canonical: tag.canonical,
            synonym_of: tag.synonym_of,
            synonyms: tag.synonyms,
            parents: tag.parents,
            children: tag.children,
            works,
        },
    ))
}

#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SuggestQuery {
    /// The kind of tag to suggest: `fandom`, `relationship`, `character` or `freeform`.
    #[param(value_type = Option<SuggestedKindCode>)]
    kind: Option<String>,
    /// The start of the tag's name.
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Suggestions {
    kind: String,
    suggestions: Vec<String>,
}

/// Canonical tags whose names start with what was typed, for a posting
/// form's autocomplete.
#[utoipa::path(get, path = "/api/v1/tags/suggest", tag = "tags",
    params(SuggestQuery),
    responses(
        (status = 200, description = "Up to ten canonical tags.", body = Suggestions),
        (status = 400, description = "Not a kind of tag that takes suggestions.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn suggest_tags(
    State(app): State<App>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> Result<Response, ApiError> {
    let kind = query.kind.as_deref().unwrap_or("");
    let Some(tag_kind) = quire_archive::model::TagKind::from_code(kind).filter(|k| !k.is_fixed())
    else {
        return Err(ApiError::bad_parameter(
            "kind",
            &format!("`{kind}` is not a kind of tag that takes suggestions; use fandom, relationship, character or freeform"),
        ));
    };
    let suggestions = app
        .archive
        .tag_suggestions(tag_kind, query.q.as_deref().unwrap_or(""), 10)
        .await?;
    Ok(Json(Suggestions {
        kind: kind.to_string(),
        suggestions,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BookmarkOut {
    id: i64,
    /// `null` once the work is deleted; the bookmark stays.
    work: Option<WorkId>,
    work_title: String,
    /// HTML, cleaned to AO3's allowlist without media.
    note: String,
    tags: Vec<String>,
    /// A recommendation.
    rec: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SeriesRef {
    id: i64,
    title: String,
}

/// An account as others see it.
#[derive(Serialize, ToSchema)]
pub(crate) struct PersonOut {
    login: String,
    /// The names it writes under, the default first.
    pseuds: Vec<String>,
    /// The search that lists its works.
    works: String,
    series: Vec<SeriesRef>,
    /// Its bookmarks the caller may see (private ones are its own).
    bookmarks: Vec<BookmarkOut>,
}

/// An account: its pseuds, series, bookmarks and where its works are.
#[utoipa::path(get, path = "/api/v1/users/{login}", tag = "people",
    params(("login" = String, Path, description = "The account's login.")),
    responses(
        (status = 200, description = "The account.", body = PersonOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn person(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(login): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-user",
            format!("There is no account with the login `{login}`."),
        )
    };
    let user = app
        .archive
        .user_id_of(&login)
        .await?
        .ok_or_else(not_found)?;
    let pseuds = app.archive.pseuds_of(&login).await?;
    let works = format!(
        "/api/v1/works?{}",
        serde_urlencoded::to_string([("author", pseuds.join(","))]).unwrap_or_default()
    );
    let body = PersonOut {
        login: pseuds.first().cloned().unwrap_or(login),
        works,
        pseuds,
        series: app
            .archive
            .series_of_user(user)
            .await?
            .into_iter()
            .map(|(id, title)| SeriesRef { id, title })
            .collect(),
        bookmarks: app
            .archive
            .bookmarks_of(user, caller.visitor.viewer())
            .await?
            .into_iter()
            .map(|b| BookmarkOut {
                id: b.id,
                work: b.work,
                work_title: b.work_title,
                note: b.note.html().to_string(),
                tags: b.tags,
                rec: b.rec,
            })
            .collect(),
    };
    Ok(answer_json(&headers, &body))
}

/// One of an account's pseuds.
#[derive(Serialize, ToSchema)]
pub(crate) struct PseudOut {
    name: String,
    login: String,
    /// The one the account posts as unless it chooses another.
    default: bool,
    /// The search that lists the works it is credited on.
    works: String,
}

/// A pseud of an account, as AO3 addresses them: by login and name.
#[utoipa::path(get, path = "/api/v1/users/{login}/pseuds/{pseud}", tag = "people",
    params(
        ("login" = String, Path, description = "The account's login."),
        ("pseud" = String, Path, description = "The pseud's name; case doesn't matter."),
    ),
    responses(
        (status = 200, description = "The pseud.", body = PseudOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 404, description = "No such account, or it has no such pseud.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn pseud(
    State(app): State<App>,
    headers: HeaderMap,
    Path((login, pseud)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let pseuds = app.archive.pseuds_of(&login).await?;
    let key = quire_archive::model::tag_key(&pseud);
    let at = pseuds
        .iter()
        .position(|name| quire_archive::model::tag_key(name) == key)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no-such-pseud",
                format!("There is no account `{login}` with a pseud `{pseud}`."),
            )
        })?;
    let name = pseuds[at].clone();
    let works = format!(
        "/api/v1/works?{}",
        serde_urlencoded::to_string([("author", name.as_str())]).unwrap_or_default()
    );
    Ok(answer_json(
        &headers,
        &PseudOut {
            // The account's own spelling: its first pseud is its login.
            login: pseuds.first().cloned().unwrap_or(login),
            name,
            default: at == 0,
            works,
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SeriesWork {
    part: u32,
    work: WorkSummary,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SeriesOut {
    id: i64,
    title: String,
    /// HTML, cleaned to AO3's allowlist without media; empty when its
    /// creators wrote none.
    description: String,
    creators: Vec<String>,
    words: u64,
    /// In order, those the caller may see.
    works: Vec<SeriesWork>,
}

/// A series and its works, in order.
#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "people",
    params(("id" = i64, Path, description = "The series' id.")),
    responses(
        (status = 200, description = "The series.", body = SeriesOut, headers(("ETag" = String))),
        (status = 304, description = "The copy named by `If-None-Match` is still current."),
        (status = 404, description = "No such series, or none of its works is open to the caller.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn series(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-series",
            format!("There is no series `{id}` with a work you can see."),
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let series = app
        .archive
        .series_for(id, caller.visitor.viewer())
        .await?
        .ok_or_else(not_found)?;
    let body = SeriesOut {
        id: series.id,
        creators: series.creators(),
        words: series.words(),
        title: series.title.clone(),
        description: series.description.html().to_string(),
        works: series
            .works
            .iter()
            .map(|(part, work)| SeriesWork {
                part: *part,
                work: WorkSummary::of(work),
            })
            .collect(),
    };
    Ok(answer_json(&headers, &body))
}

/// The token's account.
#[derive(Serialize, ToSchema)]
pub(crate) struct MeOut {
    login: String,
    pseuds: Vec<String>,
    /// `read` or `write`.
    scope: String,
}

/// Whom the token acts for, and what it may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses(
        (status = 200, description = "The token's account.", body = MeOut),
    )
)]
pub(crate) async fn me(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let user = caller.holder()?;
    Ok(Json(MeOut {
        login: user.login.clone(),
        pseuds: app.archive.pseuds_of(&user.login).await?,
        scope: caller.scope.map_or("read", |s| s.name()).to_string(),
    })
    .into_response())
}

/// What a reader has muted: works with any of these are left out of their
/// searches and listings.
#[derive(Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({"ratings": ["Explicit"], "warnings": ["Major Character Death"], "tags": ["Angst"], "authors": [], "content_notes": ["child-harm"], "people": []}))]
pub(crate) struct Mutes {
    /// Tags (synonyms and sub-tags count).
    #[serde(default)]
    #[schema(max_items = 200)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<RatingName>)]
    pub ratings: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<WarningName>)]
    pub warnings: Vec<String>,
    /// Pseud names.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub authors: Vec<String>,
    /// Content notes the text suggests.
    #[serde(default)]
    #[schema(value_type = Vec<ContentNoteName>)]
    pub content_notes: Vec<String>,
    /// Logins of people muted completely: their works, comments, bookmarks
    /// and series are hidden from the reader on every page.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub people: Vec<String>,
}

/// The token holder's mute list.
#[utoipa::path(get, path = "/api/v1/me/mutes", tag = "me",
    responses((status = 200, description = "The mute list.", body = Mutes))
)]
pub(crate) async fn mutes(Extension(caller): Extension<Caller>) -> Result<Response, ApiError> {
    caller.holder()?;
    Ok(Json(mutes_of(&caller.visitor.settings)).into_response())
}

pub(crate) fn mutes_of(settings: &crate::settings::ReaderSettings) -> Mutes {
    Mutes {
        tags: settings.mute_tags.clone(),
        ratings: settings
            .mute_ratings
            .iter()
            .map(|r| r.name().to_string())
            .collect(),
        warnings: settings
            .mute_warnings
            .iter()
            .map(|w| w.name().to_string())
            .collect(),
        authors: settings.mute_authors.clone(),
        content_notes: settings.mute_detected.clone(),
        people: settings.mute_people.clone(),
    }
}

/// A reader's names for reader-insert codes.
#[derive(Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({"fill": {"Y/N": "Sam", "E/C": "green"}}))]
pub(crate) struct ReaderInsert {
    /// Code to value: `{"Y/N": "Sam", "E/C": "green"}`.
    pub fill: BTreeMap<String, String>,
}

/// The token holder's reader-insert profile, used wherever they read.
#[utoipa::path(get, path = "/api/v1/me/reader-insert", tag = "me",
    responses((status = 200, description = "The profile.", body = ReaderInsert))
)]
pub(crate) async fn reader_insert(
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    caller.holder()?;
    Ok(Json(ReaderInsert {
        fill: caller.visitor.settings.fill.iter().cloned().collect(),
    })
    .into_response())
}
