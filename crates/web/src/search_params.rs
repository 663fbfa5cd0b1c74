//! A search as URL parameters, the way AO3's filter form writes it: every
//! filtered listing is a URL someone can share. Shared by the JSON API and
//! the works listing pages.

use quire_archive::model::{ArchiveWarning, Category, ModelError, Rating, WorkType};
use quire_archive::search::query::{MAX_PAGE, MAX_PER_PAGE};
use quire_archive::search::{Completion, Crossovers, Direction, SearchRequest, Sort};

/// A parameter that can't be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{parameter}`: {message}")]
pub struct BadParameter {
    pub parameter: String,
    pub message: String,
}

fn bad(parameter: &str, message: impl Into<String>) -> BadParameter {
    BadParameter {
        parameter: parameter.to_string(),
        message: message.into(),
    }
}

/// The parameters `/api/v1/works` takes, for error messages.
pub const PARAMETERS: &[&str] = &[
    "q",
    "include",
    "exclude",
    "fandoms",
    "rating",
    "exclude_rating",
    "author",
    "exclude_author",
    "exclude_detected",
    "warnings",
    "exclude_warnings",
    "categories",
    "exclude_categories",
    "complete",
    "crossovers",
    "single_chapter",
    "language",
    "work_types",
    "exclude_work_types",
    "words_from",
    "words_to",
    "updated_from",
    "updated_to",
    "sort",
    "order",
    "page",
    "per_page",
    "facets",
];

/// Comma-separated names, blanks dropped (AO3 tag names hold no commas).
pub fn names(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

fn each<T>(
    parameter: &str,
    value: &str,
    parse: fn(&str) -> Result<T, ModelError>,
) -> Result<Vec<T>, BadParameter> {
    names(value)
        .iter()
        .map(|name| parse(name).map_err(|e| bad(parameter, e.to_string())))
        .collect()
}

fn number<T: std::str::FromStr>(parameter: &str, value: &str) -> Result<T, BadParameter> {
    value
        .trim()
        .parse()
        .map_err(|_| bad(parameter, format!("`{value}` is not a whole number")))
}

fn yes_no(parameter: &str, value: &str) -> Result<Option<bool>, BadParameter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" | "t" => Ok(Some(true)),
        "false" | "0" | "no" | "f" => Ok(Some(false)),
        other => Err(bad(parameter, format!("`{other}` is not true or false"))),
    }
}

/// `YYYY-MM-DD` as Unix seconds at the start (or, for `end`, the last
/// second) of that day, UTC.
fn day(parameter: &str, value: &str, end: bool) -> Result<i64, BadParameter> {
    let start = quire_archive::date_to_unix(value).ok_or_else(|| {
        bad(
            parameter,
            format!("`{value}` is not a date like 2024-02-29"),
        )
    })?;
    Ok(start + if end { 86_399 } else { 0 })
}

/// Reads the parameters into a search; the first one that can't be used
/// is named in the error.
pub fn search_request(params: &[(String, String)]) -> Result<SearchRequest, BadParameter> {
    let mut request = SearchRequest::new();
    request.facets = true;
    for (key, value) in params {
        let key = key.as_str();
        match key {
            "q" => request.text = value.clone(),
            "include" => request.include.extend(names(value)),
            "exclude" => request.exclude.extend(names(value)),
            "fandoms" => request.fandoms.extend(names(value)),
            "rating" => request.ratings.extend(each(key, value, Rating::from_name)?),
            "exclude_rating" => {
                request
                    .ratings_exclude
                    .extend(each(key, value, Rating::from_name)?)
            }
            "author" => request.authors.extend(names(value)),
            "exclude_author" => request.authors_exclude.extend(names(value)),
            "exclude_detected" => {
                for name in names(value) {
                    let known = quire_text::NoteKind::from_name(&name).ok_or_else(|| {
                        bad(
                            key,
                            format!(
                                "`{name}` is not a content note; use one of {}",
                                quire_text::NoteKind::ALL.map(|n| n.name()).join(", ")
                            ),
                        )
                    })?;
                    request.detected_exclude.push(known.name().to_string());
                }
            }
            "warnings" => {
                request
                    .warnings_include
                    .extend(each(key, value, ArchiveWarning::from_name)?)
            }
            "exclude_warnings" => {
                request
                    .warnings_exclude
                    .extend(each(key, value, ArchiveWarning::from_name)?)
            }
            "categories" => {
                request
                    .categories_include
                    .extend(each(key, value, Category::from_name)?)
            }
            "exclude_categories" => {
                request
                    .categories_exclude
                    .extend(each(key, value, Category::from_name)?)
            }
            "complete" => {
                request.completion = match yes_no(key, value)? {
                    None => Completion::Any,
                    Some(true) => Completion::CompleteOnly,
                    Some(false) => Completion::InProgressOnly,
                }
            }
            "crossovers" => {
                request.crossovers = match value.trim().to_ascii_lowercase().as_str() {
                    "" | "include" => Crossovers::Include,
                    "exclude" => Crossovers::Exclude,
                    "only" => Crossovers::Only,
                    other => {
                        return Err(bad(
                            key,
                            format!("`{other}` is not one of include, exclude, only"),
                        ))
                    }
                }
            }
            "single_chapter" => request.single_chapter = yes_no(key, value)?.unwrap_or(false),
            "language" => {
                request.language = Some(value.trim().to_string()).filter(|l| !l.is_empty())
            }
            "work_types" => request.types.extend(each(key, value, WorkType::from_name)?),
            "exclude_work_types" => {
                request
                    .types_exclude
                    .extend(each(key, value, WorkType::from_name)?)
            }
            "words_from" => request.words_from = Some(number(key, value)?),
            "words_to" => request.words_to = Some(number(key, value)?),
            "updated_from" => request.updated_from = Some(day(key, value, false)?),
            "updated_to" => request.updated_to = Some(day(key, value, true)?),
            "sort" => {
                request.sort = Sort::from_name(value).ok_or_else(|| {
                    bad(
                        key,
                        format!(
                            "`{value}` is not a sort; use one of {}",
                            Sort::ALL.map(Sort::name).join(", ")
                        ),
                    )
                })?
            }
            "order" => {
                request.direction = match value.trim().to_ascii_lowercase().as_str() {
                    "" => None,
                    "asc" => Some(Direction::Ascending),
                    "desc" => Some(Direction::Descending),
                    other => return Err(bad(key, format!("`{other}` is not asc or desc"))),
                }
            }
            "page" => {
                request.page = number(key, value)?;
                if request.page == 0 || request.page > MAX_PAGE {
                    return Err(bad(key, format!("give a page from 1 to {MAX_PAGE}")));
                }
            }
            "per_page" => {
                request.per_page = number(key, value)?;
                if request.per_page == 0 || request.per_page > MAX_PER_PAGE {
                    return Err(bad(key, format!("give a number from 1 to {MAX_PER_PAGE}")));
                }
            }
            "facets" => request.facets = yes_no(key, value)?.unwrap_or(true),
            other => {
                return Err(bad(
                    other,
                    format!("not a search parameter; use {}", PARAMETERS.join(", ")),
                ))
            }
        }
    }
    if let (Some(from), Some(to)) = (request.words_from, request.words_to) {
        if from > to {
            return Err(bad(
                "words_from",
                format!("{from} is more than words_to ({to})"),
            ));
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_filter_form_becomes_a_search() {
        let request = search_request(&params(&[
            ("q", "\"slow burn\" -angst"),
            ("include", "Kylo Ren/Rey, Fluff,"),
            (
                "exclude_warnings",
                "Major Character Death,Graphic Depictions Of Violence",
            ),
            ("rating", "general audiences,Teen And Up Audiences"),
            ("complete", "true"),
            ("words_from", "10000"),
            ("updated_to", "2024-02-29"),
            ("sort", "kudos"),
            ("page", "2"),
            ("per_page", "50"),
        ]))
        .unwrap();
        assert_eq!(request.include, ["Kylo Ren/Rey", "Fluff"]);
        assert_eq!(request.warnings_exclude.len(), 2);
        assert_eq!(request.ratings.len(), 2);
        assert_eq!(request.completion, Completion::CompleteOnly);
        assert_eq!(request.words_from, Some(10_000));
        assert_eq!(request.updated_to, Some(1_709_164_800 + 86_399));
        assert_eq!(request.sort, Sort::Kudos);
        assert_eq!((request.page, request.per_page), (2, 50));
    }

    #[test]
    fn a_bad_parameter_is_named() {
        for (key, value) in [
            ("per_page", "500"),
            ("page", "0"),
            ("page", "two"),
            ("rating", "PG-13"),
            ("sort", "popularity"),
            ("complete", "maybe"),
            ("updated_from", "last week"),
            ("words_to", "-5"),
            ("colour", "blue"),
        ] {
            let err = search_request(&params(&[(key, value)])).unwrap_err();
            assert_eq!(err.parameter, key, "{err}");
        }
        let err = search_request(&params(&[("words_from", "9"), ("words_to", "3")])).unwrap_err();
        assert_eq!(err.parameter, "words_from");
    }
}
