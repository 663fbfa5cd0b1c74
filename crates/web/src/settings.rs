//! A reader's settings: the mute list, their reader-insert fill and the
//! theme. Kept with the account when signed in, in a cookie for guests.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::CookieJar;
use quire_archive::model::{ArchiveWarning, Rating};
use quire_archive::search::SearchRequest;
use quire_text::FillProfile;
use serde::{Deserialize, Serialize};

use crate::form::FormData;
use crate::pages::{render, Layout, PageError};
pub use crate::search_params::names;
use crate::visitor::{Visitor, SETTINGS_COOKIE};
use crate::App;

/// A year: settings outlive sessions.
const SETTINGS_COOKIE_SECONDS: i64 = 365 * 24 * 60 * 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// The device's preference (`prefers-color-scheme`).
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn from_name(name: &str) -> Option<Theme> {
        [Theme::Auto, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextSize {
    Small,
    #[default]
    Normal,
    Large,
}

impl TextSize {
    pub fn name(self) -> &'static str {
        match self {
            TextSize::Small => "small",
            TextSize::Normal => "normal",
            TextSize::Large => "large",
        }
    }

    fn from_name(name: &str) -> Option<TextSize> {
        [TextSize::Small, TextSize::Normal, TextSize::Large]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReaderSettings {
    /// Works with any of these tags (wrangling applies) are hidden.
    pub mute_tags: Vec<String>,
    pub mute_ratings: Vec<Rating>,
    pub mute_warnings: Vec<ArchiveWarning>,
    /// Pseud names.
    pub mute_authors: Vec<String>,
    /// Logins of people muted completely: their works, comments,
    /// bookmarks and series are hidden from this reader everywhere.
    pub mute_people: Vec<String>,
    /// Mature, Explicit and Not Rated works open without asking first.
    pub skip_adult_notice: bool,
    /// Keep no reading history (signed-in readers).
    pub keep_no_history: bool,
    /// Content notes the text suggests (`child-harm`), by machine name.
    pub mute_detected: Vec<String>,
    /// Reader-insert values, as `(code, value)`: `("Y/N", "Alex")`.
    pub fill: Vec<(String, String)>,
    pub theme: Theme,
    pub text_size: TextSize,
}

impl ReaderSettings {
    /// Settings stored by an earlier version, or damaged, read as far as
    /// they go: a reader never loses the page over their settings.
    pub fn from_json(json: &str) -> ReaderSettings {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The cookie holds the same as the JSON, URL-encoded so that it keeps
    /// to the characters a cookie may carry.
    pub fn from_cookie(value: &str) -> ReaderSettings {
        serde_urlencoded::from_str::<Vec<(String, String)>>(value)
            .map(|pairs| {
                pairs
                    .iter()
                    .find(|(k, _)| k == "s")
                    .map(|(_, json)| ReaderSettings::from_json(json))
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    pub fn to_cookie(&self) -> String {
        serde_urlencoded::to_string([("s", self.to_json())]).unwrap_or_default()
    }

    pub fn mutes_anything(&self) -> bool {
        !(self.mute_tags.is_empty()
            && self.mute_ratings.is_empty()
            && self.mute_warnings.is_empty()
            && self.mute_authors.is_empty()
            && self.mute_people.is_empty()
            && self.mute_detected.is_empty())
    }

    /// Adds the mute list to a search as exclusions.
    pub fn mute(&self, request: &mut SearchRequest) {
        request.exclude.extend(self.mute_tags.iter().cloned());
        request
            .ratings_exclude
            .extend(self.mute_ratings.iter().copied());
        request
            .warnings_exclude
            .extend(self.mute_warnings.iter().copied());
        request
            .authors_exclude
            .extend(self.mute_authors.iter().cloned());
        request
            .detected_exclude
            .extend(self.mute_detected.iter().cloned());
    }

    /// Sets (or, with an empty value, clears) one reader-insert code's
    /// value, refusing one the text pipeline couldn't fill with, so that
    /// what is stored always fills.
    pub fn set_fill(&mut self, code: &str, value: &str) -> Result<(), quire_text::FillError> {
        self.fill.retain(|(c, _)| c != code);
        let value = value.trim();
        if value.is_empty() {
            return Ok(());
        }
        FillProfile::new().set(code, value)?;
        self.fill.push((code.to_string(), value.to_string()));
        Ok(())
    }

    /// Sets the muted tags, authors and people, if every list is within
    /// its limit (see [`ReaderSettings::check_mutes`]).
    pub fn set_mutes(
        &mut self,
        tags: Vec<String>,
        authors: Vec<String>,
        people: Vec<String>,
    ) -> Result<(), quire_archive::model::ModelError> {
        let mut changed = self.clone();
        changed.mute_tags = tags;
        changed.mute_authors = authors;
        changed.mute_people = people;
        changed.check_mutes()?;
        *self = changed;
        Ok(())
    }

    /// Each mute list within its limit and each name a tag's length of
    /// plain text: the lists are read on every search the reader makes.
    pub fn check_mutes(&self) -> Result<(), quire_archive::model::ModelError> {
        use quire_archive::model::{check_count, check_text, limits};
        check_count("muted tags", self.mute_tags.len(), limits::MUTED_TAGS)?;
        check_count(
            "muted authors",
            self.mute_authors.len(),
            limits::MUTED_AUTHORS,
        )?;
        check_count(
            "muted people",
            self.mute_people.len(),
            limits::MUTED_AUTHORS,
        )?;
        for name in self
            .mute_tags
            .iter()
            .chain(&self.mute_authors)
            .chain(&self.mute_people)
        {
            check_text("muted name", name, limits::TAG_NAME_CHARS)?;
        }
        Ok(())
    }

    /// The fill as the text pipeline takes it; values it can't use are
    /// left out (they were checked when saved).
    pub fn fill_profile(&self) -> FillProfile {
        let mut profile = FillProfile::new();
        for (code, value) in &self.fill {
            let _ = profile.set(code, value);
        }
        profile
    }
}

/// Filling may add as much again as a text holds, and this much more: a
/// name in a drabble full of Y/N fits, a fill that multiplies a work
/// doesn't.
const FILL_GROWTH_ALLOWANCE: usize = 64 * 1024;

/// Refuses a fill that would make these parts of a work much larger than
/// they are stored (each value is short, but a work can hold a placeholder
/// every few bytes). The error says what to do instead.
pub fn check_fill_growth(
    profile: &FillProfile,
    work: &quire_archive::Work,
    chapters: &[&quire_archive::Chapter],
) -> Result<(), String> {
    if profile.is_empty() {
        return Ok(());
    }
    let mut stored =
        work.summary.html().len() + work.notes_start.html().len() + work.notes_end.html().len();
    let mut growth = profile.growth(&quire_text::insert::count([
        work.summary.html(),
        work.notes_start.html(),
        work.notes_end.html(),
    ]));
    for chapter in chapters {
        stored += chapter.html.len()
            + chapter.summary.html().len()
            + chapter.notes_start.html().len()
            + chapter.notes_end.html().len();
        growth = growth
            .saturating_add(profile.growth(&chapter.body.placeholders))
            .saturating_add(profile.growth(&quire_text::insert::count([
                chapter.summary.html(),
                chapter.notes_start.html(),
                chapter.notes_end.html(),
            ])));
    }
    if growth > stored.saturating_add(FILL_GROWTH_ALLOWANCE) {
        return Err(format!(
            "Filled with these names this work would grow from {} KB to {} KB: it has a \
             placeholder every few words. Choose shorter names, or read it as written.",
            stored / 1000,
            stored.saturating_add(growth) / 1000
        ));
    }
    Ok(())
}

/// Saves settings where this visitor keeps them.
pub async fn store(
    app: &App,
    visitor: &Visitor,
    jar: CookieJar,
    settings: &ReaderSettings,
) -> Result<CookieJar, PageError> {
    match &visitor.user {
        Some(user) => {
            app.archive
                .set_preferences(user.id, &settings.to_json())
                .await?;
            Ok(jar)
        }
        None => Ok(jar.add(visitor.cookie(
            SETTINGS_COOKIE,
            settings.to_cookie(),
            SETTINGS_COOKIE_SECONDS,
        ))),
    }
}

#[derive(askama::Template)]
#[template(path = "preferences.html")]
struct PreferencesPage {
    layout: Layout,
    settings: ReaderSettings,
    saved: bool,
    /// Logins the signed-in reader blocked.
    blocked: Vec<String>,
    message: Option<&'static str>,
    /// How each kind of notice reaches a signed-in reader by email, when
    /// the archive sends email.
    mail: Vec<MailChoice>,
}

/// One kind of notice and how it comes by email.
struct MailChoice {
    name: &'static str,
    label: &'static str,
    chosen: &'static str,
    options: [(&'static str, &'static str); 3],
}

impl PreferencesPage {
    fn rating_muted(&self, rating: &Rating) -> bool {
        self.settings.mute_ratings.contains(rating)
    }

    fn warning_muted(&self, warning: &ArchiveWarning) -> bool {
        self.settings.mute_warnings.contains(warning)
    }

    fn ratings(&self) -> [Rating; 5] {
        Rating::ALL
    }

    fn notes(&self) -> Vec<(&'static str, &'static str)> {
        crate::detected::all_notes()
    }

    fn note_muted(&self, name: &str) -> bool {
        self.settings.mute_detected.iter().any(|n| n == name)
    }

    fn warnings(&self) -> [ArchiveWarning; 6] {
        ArchiveWarning::ALL
    }
}

pub async fn preferences_form(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    query: axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let saved = query.0.iter().any(|(k, _)| k == "saved");
    let message = query
        .0
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, done)| match done.as_str() {
            "email" => Some("Your email choices are saved."),
            done => crate::keeping_away::message_for(done),
        });
    let blocked = match &visitor.user {
        Some(user) => app.archive.blocked_people(user.id).await?,
        None => vec![],
    };
    let mail = match &visitor.user {
        Some(user) if app.mailer.sends_mail() => app
            .archive
            .mail_settings(user.id)
            .await?
            .into_iter()
            .map(|(kind, delivery)| MailChoice {
                name: kind.name(),
                label: kind.label(),
                chosen: delivery.name(),
                options: quire_archive::notifications::Delivery::ALL.map(|d| (d.name(), d.label())),
            })
            .collect(),
        _ => vec![],
    };
    render(&PreferencesPage {
        settings: visitor.settings.clone(),
        layout: Layout::new(&visitor, "Reading preferences"),
        saved,
        blocked,
        message,
        mail,
    })
}

pub async fn save_preferences(
    State(app): State<App>,
    Extension(visitor): Extension<Visitor>,
    jar: CookieJar,
    form: FormData,
) -> Result<Response, PageError> {
    visitor.check_csrf(form.get("csrf"))?;
    let mut settings = visitor.settings.clone();
    let people = names(form.get("mute_people").unwrap_or(""));
    crate::keeping_away::check_logins(&app, &people).await?;
    settings
        .set_mutes(
            names(form.get("mute_tags").unwrap_or("")),
            names(form.get("mute_authors").unwrap_or("")),
            people,
        )
        .map_err(|err| PageError::Refused(format!("Your mute list: {err}.")))?;
    settings.skip_adult_notice = form.checked("skip_adult_notice");
    settings.keep_no_history = form.checked("keep_no_history");
    if let (Some(user), true) = (&visitor.user, settings.keep_no_history) {
        // Asking for no history forgets the one there is.
        app.archive.clear_reading_history(user.id).await?;
    }
    settings.mute_ratings = form
        .all("mute_rating")
        .filter_map(|name| Rating::from_name(name).ok())
        .collect();
    settings.mute_warnings = form
        .all("mute_warning")
        .filter_map(|name| ArchiveWarning::from_name(name).ok())
        .collect();
    settings.mute_detected = form
        .all("mute_detected")
        .filter_map(quire_text::NoteKind::from_name)
        .map(|note| note.name().to_string())
        .collect();
    if let Some(theme) = form.get("theme").and_then(Theme::from_name) {
        settings.theme = theme;
    }
    if let Some(size) = form.get("text_size").and_then(TextSize::from_name) {
        settings.text_size = size;
    }
    if form.get("clear_fill").is_some() {
        settings.fill.clear();
    }
    let jar = store(&app, &visitor, jar, &settings).await?;
    Ok((jar, Redirect::to("/preferences?saved=1")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_the_cookie() {
        let settings = ReaderSettings {
            mute_tags: vec!["Spider-Man: Homecoming (2017)".into(), "a; b, \"c\"".into()],
            mute_ratings: vec![Rating::Explicit],
            mute_warnings: vec![ArchiveWarning::MajorCharacterDeath],
            mute_authors: vec!["Pell (pellucid)".into()],
            mute_people: vec!["pellucid".into()],
            skip_adult_notice: true,
            keep_no_history: true,
            mute_detected: vec!["child-harm".into()],
            fill: vec![("Y/N".into(), "Zoë".into())],
            theme: Theme::Dark,
            text_size: TextSize::Large,
        };
        let cookie = settings.to_cookie();
        assert!(
            cookie
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',' | '"' | '\\')),
            "{cookie}"
        );
        assert_eq!(ReaderSettings::from_cookie(&cookie), settings);
    }

    #[test]
    fn damaged_settings_read_as_defaults() {
        assert_eq!(
            ReaderSettings::from_cookie("s=%7Bnot json"),
            ReaderSettings::default()
        );
        assert_eq!(ReaderSettings::from_json("[]"), ReaderSettings::default());
    }
}
