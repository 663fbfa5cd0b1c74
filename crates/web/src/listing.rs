//! Lists of works: the front page, `/works` with AO3's filter sidebar, a
//! tag's works and an author's works. Every filtered list is a GET URL.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use quire_archive::model::{ArchiveWarning, Category, Rating, TagKind, WorkType};
use quire_archive::search::{
    Completion, Crossovers, SearchRequest, SearchResults, Sort, WorkSummary,
};

use crate::pages::{encode, render, thousands, Layout, PageError};
use crate::search_params;
use crate::visitor::Visitor;
use crate::App;

/// A work as a list shows it, with AO3's four symbols.
pub struct Blurb {
    pub work: WorkSummary,
}

impl Blurb {
    /// Types are named when the work is more than text: a plain text work
    /// is what readers expect of a blurb.
    pub fn shows_types(&self) -> bool {
        self.work.types.iter().any(|t| t != WorkType::Text.name())
    }

    pub fn language_name(&self) -> String {
        crate::pages::language_name(&self.work.language)
    }

    pub fn rating_class(&self) -> &'static str {
        match self.work.rating.as_str() {
            "General Audiences" => "rating-g",
            "Teen And Up Audiences" => "rating-t",
            "Mature" => "rating-m",
            "Explicit" => "rating-e",
            _ => "rating-nr",
        }
    }

    pub fn rating_letter(&self) -> &'static str {
        match self.rating_class() {
            "rating-g" => "G",
            "rating-t" => "T",
            "rating-m" => "M",
            "rating-e" => "E",
            _ => "NR",
        }
    }

    /// Warned (any of the four), none apply, or the author chose not to say.
    pub fn warning_class(&self) -> &'static str {
        let named = |w: ArchiveWarning| self.work.warnings.iter().any(|n| n == w.name());
        if named(ArchiveWarning::ChoseNotToUse) {
            "warn-choose"
        } else if self.work.warnings.is_empty() || named(ArchiveWarning::NoneApply) {
            "warn-none"
        } else {
            "warn-yes"
        }
    }

    pub fn warning_letter(&self) -> &'static str {
        match self.warning_class() {
            "warn-yes" => "!",
            "warn-none" => "–",
            _ => "?",
        }
    }

    pub fn warning_text(&self) -> String {
        if self.work.warnings.is_empty() {
            "No Archive Warnings Apply".to_string()
        } else {
            self.work.warnings.join(", ")
        }
    }

    pub fn category_text(&self) -> String {
        if self.work.categories.is_empty() {
            "No category".to_string()
        } else {
            self.work.categories.join(", ")
        }
    }

    pub fn category_letter(&self) -> &'static str {
        match self.work.categories.as_slice() {
            [] => "–",
            [one] => match one.as_str() {
                "F/F" => "F/F",
                "F/M" => "F/M",
                "M/M" => "M/M",
                "Gen" => "Gen",
                "Multi" => "Multi",
                _ => "Other",
            },
            _ => "Multi",
        }
    }

    pub fn chapters(&self) -> String {
        let expected = self
            .work
            .expected_chapters
            .map_or("?".to_string(), |n| n.to_string());
        format!("{}/{}", self.work.chapters, expected)
    }

    pub fn words(&self) -> String {
        thousands(self.work.words)
    }

    pub fn count(&self, n: &u64) -> String {
        thousands(*n)
    }

    pub fn author_url(&self, author: &str) -> String {
        author_url(author)
    }

    pub fn url_of(&self, tag: &str) -> String {
        format!("/tags/{}/works", encode(tag))
    }
}

/// An author's works: a pseud name is not always an account's login
/// (imported works credit names that have none), so this is a filter.
pub fn author_url(author: &str) -> String {
    format!("/works?author={}", encode(author))
}

/// The filter sidebar's state, read back from the URL to draw the form as
/// the reader left it.
struct Filters {
    params: Vec<(String, String)>,
}

impl Filters {
    fn has(&self, name: &str, value: &str) -> bool {
        self.params.iter().any(|(k, v)| k == name && v == value)
    }

    fn value(&self, name: &str) -> String {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The URL of this list with one parameter changed (page links, "show").
    fn with(&self, path: &str, name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .params
            .iter()
            .filter(|(k, _)| k != name)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push((name, value));
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

struct Facet {
    label: &'static str,
    counts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "works.html")]
struct WorksPage {
    layout: Layout,
    heading: String,
    path: String,
    /// The tag's own page, on a tag's list.
    about: Option<String>,
    filters: Filters,
    results: SearchResults,
    blurbs: Vec<Blurb>,
    hidden: usize,
    showing_muted: bool,
    facets: Vec<Facet>,
    /// The languages the works found are in, with how many each, whatever
    /// language the reader chose.
    languages: Vec<LanguageCount>,
    pages: usize,
}

/// One language of the language filter.
struct LanguageCount {
    code: String,
    name: String,
    count: String,
    selected: bool,
}

impl WorksPage {
    fn ratings(&self) -> [Rating; 5] {
        Rating::ALL
    }
    fn warnings(&self) -> [ArchiveWarning; 6] {
        ArchiveWarning::ALL
    }
    fn categories(&self) -> [Category; 6] {
        Category::ALL
    }
    /// Each work type with how many of the works found are of it.
    fn work_types(&self) -> Vec<(&'static str, String)> {
        let counts = self
            .results
            .facets
            .get(quire_archive::search::schema::WORK_TYPE_FACET);
        WorkType::ALL
            .iter()
            .map(|work_type| {
                let count = counts
                    .and_then(|c| c.iter().find(|c| c.tag == work_type.name()))
                    .map_or(0, |c| c.count);
                (work_type.name(), thousands(count))
            })
            .collect()
    }
    fn notes(&self) -> Vec<(&'static str, &'static str)> {
        crate::detected::all_notes()
    }
    fn sorts(&self) -> [Sort; 10] {
        Sort::ALL
    }
    fn sort_label(&self, sort: &Sort) -> &'static str {
        match sort {
            Sort::BestMatch => "Best match",
            Sort::Updated => "Date updated",
            Sort::Posted => "Date posted",
            Sort::Kudos => "Kudos",
            Sort::Hits => "Hits",
            Sort::Bookmarks => "Bookmarks",
            Sort::Comments => "Comments",
            Sort::Words => "Word count",
            Sort::Title => "Title",
            Sort::Author => "Author",
        }
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.filters.has(name, value)
    }
    fn value(&self, name: &str) -> String {
        self.filters.value(name)
    }
    fn page_url(&self, page: usize) -> String {
        self.filters.with(&self.path, "page", &page.to_string())
    }
    fn show_muted_url(&self) -> String {
        self.filters.with(&self.path, "show_muted", "1")
    }
    fn total(&self) -> String {
        thousands(self.results.total as u64)
    }
    fn first_shown(&self) -> usize {
        (self.results.page - 1) * self.results.per_page + 1
    }
    fn last_shown(&self) -> usize {
        self.first_shown() + self.blurbs.len() - 1
    }
}

/// Parameters the listing page reads itself; the rest are the search's.
const PAGE_ONLY: &[&str] = &["show_muted", "commit"];

/// Runs a listing: the reader's filters, the page's own (a tag, an
/// author), and their mute list, counting what the mute list hid.
async fn listing(
    app: &App,
    visitor: &Visitor,
    heading: String,
    path: String,
    params: Vec<(String, String)>,
    fixed: Vec<(String, String)>,
) -> Result<Response, PageError> {
    // An empty field in the GET form means "no filter".
    let params: Vec<(String, String)> = params
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let showing_muted = params.iter().any(|(k, _)| k == "show_muted");
    let search_pairs: Vec<(String, String)> = params
        .iter()
        .chain(fixed.iter())
        .filter(|(k, _)| !PAGE_ONLY.contains(&k.as_str()))
        .cloned()
        .collect();
    let mut request = search_params::search_request(&search_pairs)
        .map_err(|err| PageError::Refused(err.to_string()))?;
    if !params.iter().any(|(k, _)| k == "sort") && request.text.trim().is_empty() {
        request.sort = Sort::Updated;
    }
    let mut hidden = 0;
    let signed_in = visitor.signed_in();
    let chosen_language = request.language.clone().unwrap_or_default();
    // With a language chosen, its own results count only it: the counts of
    // the others come from the same search in any language.
    let mut any_language = request.clone();
    any_language.language = None;
    any_language.per_page = 1;
    any_language.page = 1;
    any_language.facets = true;
    let languages_of = |counts: &[quire_archive::search::FacetCount]| {
        let mut languages: Vec<LanguageCount> = counts
            .iter()
            .map(|c| LanguageCount {
                name: crate::pages::language_name(&c.tag),
                selected: c.tag.eq_ignore_ascii_case(chosen_language.trim()),
                code: c.tag.clone(),
                count: thousands(c.count),
            })
            .collect();
        let chosen = chosen_language.trim();
        if !chosen.is_empty() && !languages.iter().any(|l| l.selected) {
            languages.push(LanguageCount {
                code: chosen.to_string(),
                name: crate::pages::language_name(chosen),
                count: "0".into(),
                selected: true,
            });
        }
        languages.sort_by(|a, b| a.name.cmp(&b.name));
        languages
    };
    let results = if visitor.settings.mutes_anything() && !showing_muted {
        let mut muted = request.clone();
        crate::keeping_away::mute_search(app, &visitor.settings, &mut muted).await?;
        let results = app.search(muted, signed_in).await?;
        let mut everything = request;
        everything.facets = false;
        everything.per_page = 1;
        everything.page = 1;
        let unmuted = app.search(everything, signed_in).await?;
        hidden = unmuted.total.saturating_sub(results.total);
        results
    } else {
        app.search(request, signed_in).await?
    };
    let languages = if chosen_language.trim().is_empty() {
        results
            .facets
            .get(quire_archive::search::schema::LANGUAGE_FACET)
            .map(|c| languages_of(c))
    } else {
        if visitor.settings.mutes_anything() && !showing_muted {
            crate::keeping_away::mute_search(app, &visitor.settings, &mut any_language).await?;
        }
        let all = app.search(any_language, signed_in).await?;
        all.facets
            .get(quire_archive::search::schema::LANGUAGE_FACET)
            .map(|c| languages_of(c))
    }
    .unwrap_or_default();
    let facets = TagKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let counts = results.facets.get(kind.code())?;
            (!counts.is_empty()).then(|| Facet {
                label: kind.label(),
                counts: counts
                    .iter()
                    .map(|c| (c.tag.clone(), thousands(c.count)))
                    .collect(),
            })
        })
        .collect();
    let pages = results
        .total
        .div_ceil(results.per_page.max(1))
        .clamp(1, 5_000);
    let blurbs = results
        .works
        .iter()
        .cloned()
        .map(|work| Blurb { work })
        .collect();
    render(&WorksPage {
        layout: Layout::new(visitor, heading.clone()),
        heading,
        about: path
            .strip_suffix("/works")
            .filter(|p| p.starts_with("/tags/"))
            .map(str::to_string),
        path,
        filters: Filters { params },
        blurbs,
        results,
        hidden,
        showing_muted,
        facets,
        languages,
        pages,
    })
}

pub async fn works(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    listing(
        &app,
        &visitor,
        "Works".into(),
        "/works".into(),
        params,
        vec![],
    )
    .await
}

pub async fn tag_works(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(tag): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let heading = format!("Works in {tag}");
    let path = format!("/tags/{}/works", encode(&tag));
    listing(
        &app,
        &visitor,
        heading,
        path,
        params,
        vec![("include".into(), tag)],
    )
    .await
}

pub async fn user_works(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    Path(login): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    crate::people::account_of(&app, &login, "/works").await?;
    let pseuds = app.archive.pseuds_of(&login).await?;
    if pseuds.is_empty() {
        return Err(PageError::NotFound);
    }
    let heading = format!("Works by {login}");
    let path = format!("/users/{}/works", encode(&login));
    let fixed = pseuds
        .into_iter()
        .map(|p| ("author".to_string(), p))
        .collect();
    listing(&app, &visitor, heading, path, params, fixed).await
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    recent: Vec<Blurb>,
    fandoms: Vec<(String, String)>,
    total: String,
}

impl HomePage {
    fn fandom_url(&self, fandom: &str) -> String {
        format!("/tags/{}/works", encode(fandom))
    }
}

pub async fn home(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
) -> Result<Response, PageError> {
    let mut request = SearchRequest::new();
    request.sort = Sort::Updated;
    request.per_page = 5;
    request.facets = true;
    request.completion = Completion::Any;
    request.crossovers = Crossovers::Include;
    crate::keeping_away::mute_search(&app, &visitor.settings, &mut request).await?;
    let (recent, fandoms, total) = match app.search(request, visitor.signed_in()).await {
        Ok(results) => (
            results
                .works
                .iter()
                .cloned()
                .map(|work| Blurb { work })
                .collect(),
            results
                .facets
                .get(TagKind::Fandom.code())
                .map(|counts| {
                    counts
                        .iter()
                        .map(|c| (c.tag.clone(), thousands(c.count)))
                        .collect()
                })
                .unwrap_or_default(),
            thousands(results.total as u64),
        ),
        // The front page stays up while the index is first built.
        Err(quire_archive::search::SearchError::NotReady) => (vec![], vec![], "…".into()),
        Err(err) => return Err(err.into()),
    };
    render(&HomePage {
        layout: Layout::new(&visitor, "Home"),
        recent,
        fandoms,
        total,
    })
}
