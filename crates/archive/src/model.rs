//! The archive's plain types. The rules AO3 readers rely on live in the
//! types: a work has exactly one rating, and "No Archive Warnings Apply"
//! cannot stand beside a warning.

use std::collections::BTreeSet;
use std::fmt;

use quire_text::Mojibake;
use serde::{Deserialize, Serialize};

pub use crate::formatted::Formatted;

/// Limits AO3 sets, which authors moving their works here will expect.
pub mod limits {
    /// A field that takes formatting holds its limit in characters of
    /// text, and its HTML up to this many times that: a link's address is
    /// not text, but no field can be made to hold megabytes of tags.
    pub const fn with_markup(text_chars: usize) -> usize {
        text_chars * 8
    }

    pub const TITLE_CHARS: usize = 255;
    pub const SUMMARY_CHARS: usize = 1_250;
    pub const NOTES_CHARS: usize = 5_000;
    pub const CHAPTER_CHARS: usize = 510_000;
    pub const TAG_NAME_CHARS: usize = 150;
    /// Fandoms, relationships, characters and additional tags together.
    pub const USER_TAGS: usize = 75;
    /// AO3's limit for a comment.
    pub const COMMENT_CHARS: usize = 10_000;
    /// The name a guest leaves beside a comment.
    pub const GUEST_NAME_CHARS: usize = 100;
    pub const BOOKMARK_NOTE_CHARS: usize = 5_000;
    /// A bookmark's own tags, as many as a work may carry.
    pub const BOOKMARK_TAGS: usize = 75;
    pub const SERIES_TITLE_CHARS: usize = 240;
    /// AO3's limit for a series' description.
    pub const SERIES_DESCRIPTION_CHARS: usize = 1_250;
    /// Pseuds one account may keep.
    pub const PSEUDS: usize = 50;
    /// Pseuds one co-creator field may name: each is looked up, so one
    /// form can't make the archive look up thousands.
    pub const CO_CREATORS: usize = 50;
    /// Tags and authors one reader may mute: a mute list is read on every
    /// search that reader makes, so it is kept to what a person tends.
    pub const MUTED_TAGS: usize = 200;
    pub const MUTED_AUTHORS: usize = 200;
    /// People one account may block (as many as AO3 allows).
    pub const BLOCKED_PEOPLE: usize = 2_000;
    /// A report's details.
    pub const REPORT_CHARS: usize = 5_000;
    pub const TOKEN_NAME_CHARS: usize = 100;
    /// A bookmarked work elsewhere: its address.
    pub const URL_CHARS: usize = 2_000;
    /// A language code (`en`, `pt-BR`, `zh-Hant-TW`): 35 is the longest
    /// tag RFC 5646 asks every reader of them to take.
    pub const LANGUAGE_CHARS: usize = 35;
}

/// The rule for every short field a person fills in: no control
/// characters (forms remove them as they arrive; anything else that sends
/// one is refused) and no more than `max` characters.
pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
    if quire_text::has_controls(text) {
        return Err(ModelError::ControlCharacter { field });
    }
    check_length(field, text, max)
}

/// The rule for a field that takes formatting: at most `max` characters
/// of text, and markup within [`limits::with_markup`] around them.
pub fn check_formatted(
    field: &'static str,
    text: &Formatted,
    max: usize,
) -> Result<(), ModelError> {
    check_length(field, &text.text(), max)?;
    let html = text.html().chars().count();
    let markup_max = limits::with_markup(max);
    if html > markup_max {
        return Err(ModelError::TooMuchMarkup {
            field,
            chars: html,
            max: markup_max,
        });
    }
    Ok(())
}

/// The rule for a list a person fills in: at most `max` entries.
pub fn check_count(field: &'static str, count: usize, max: usize) -> Result<(), ModelError> {
    if count > max {
        return Err(ModelError::TooMany { field, count, max });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error(
        "choose at least one archive warning, or \"Creator Chose Not To Use Archive Warnings\""
    )]
    NoWarning,
    #[error("\"{0}\" stands alone: remove it, or remove the other warnings")]
    ExclusiveWarningMixed(&'static str),
    #[error("\"{name}\" is not {what}; choose one of: {choices}")]
    Unknown {
        name: String,
        what: &'static str,
        choices: String,
    },
    #[error("a work needs a title")]
    NoTitle,
    #[error("the {field} is {chars} characters long; the most is {max}")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("the {field}'s HTML is {chars} characters long with its markup; the most is {max}: use fewer tags, links or attributes")]
    TooMuchMarkup {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("a work needs at least one fandom (use \"Original Work\" for original fiction)")]
    NoFandom,
    #[error("a work has {0} tags; the most is {max} (fandoms, relationships, characters and additional tags together)", max = limits::USER_TAGS)]
    TooManyTags(usize),
    #[error("a tag name can't be empty")]
    EmptyTag,
    #[error("the {field} holds a control character; remove it (retyping the text does)")]
    ControlCharacter { field: &'static str },
    #[error("there are {count} {field}; the most is {max}")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("a work needs at least one chapter with some text, an image or a player")]
    NoChapter,
}

/// Exactly one per work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    NotRated,
    GeneralAudiences,
    TeenAndUpAudiences,
    Mature,
    Explicit,
}

impl Rating {
    pub const ALL: [Rating; 5] = [
        Rating::NotRated,
        Rating::GeneralAudiences,
        Rating::TeenAndUpAudiences,
        Rating::Mature,
        Rating::Explicit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rating::NotRated => "Not Rated",
            Rating::GeneralAudiences => "General Audiences",
            Rating::TeenAndUpAudiences => "Teen And Up Audiences",
            Rating::Mature => "Mature",
            Rating::Explicit => "Explicit",
        }
    }

    pub fn from_name(name: &str) -> Result<Rating, ModelError> {
        find_by_name(&Rating::ALL, name, Rating::name, "a rating")
    }

    /// Not Rated, Mature and Explicit show an adult-content notice first.
    pub fn needs_adult_notice(self) -> bool {
        matches!(self, Rating::NotRated | Rating::Mature | Rating::Explicit)
    }
}

/// One archive warning, as a tag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveWarning {
    ChoseNotToUse,
    NoneApply,
    GraphicViolence,
    MajorCharacterDeath,
    RapeNonCon,
    UnderageSex,
}

impl ArchiveWarning {
    pub const ALL: [ArchiveWarning; 6] = [
        ArchiveWarning::ChoseNotToUse,
        ArchiveWarning::NoneApply,
        ArchiveWarning::GraphicViolence,
        ArchiveWarning::MajorCharacterDeath,
        ArchiveWarning::RapeNonCon,
        ArchiveWarning::UnderageSex,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ArchiveWarning::ChoseNotToUse => "Creator Chose Not To Use Archive Warnings",
            ArchiveWarning::NoneApply => "No Archive Warnings Apply",
            ArchiveWarning::GraphicViolence => "Graphic Depictions Of Violence",
            ArchiveWarning::MajorCharacterDeath => "Major Character Death",
            ArchiveWarning::RapeNonCon => "Rape/Non-Con",
            ArchiveWarning::UnderageSex => "Underage Sex",
        }
    }

    pub fn from_name(name: &str) -> Result<ArchiveWarning, ModelError> {
        // AO3 renamed "Underage" to "Underage Sex" in 2024; old downloads say the former.
        if name.trim().eq_ignore_ascii_case("Underage") {
            return Ok(ArchiveWarning::UnderageSex);
        }
        find_by_name(
            &ArchiveWarning::ALL,
            name,
            ArchiveWarning::name,
            "an archive warning",
        )
    }

    /// The two that must be a work's only warning.
    pub fn stands_alone(self) -> bool {
        matches!(
            self,
            ArchiveWarning::ChoseNotToUse | ArchiveWarning::NoneApply
        )
    }
}

/// A work's archive warnings: one or more of the four, or exactly one of
/// the two that stand alone. Built only through [`Warnings::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ArchiveWarning>", into = "Vec<ArchiveWarning>")]
pub struct Warnings(BTreeSet<ArchiveWarning>);

impl Warnings {
    pub fn new(warnings: impl IntoIterator<Item = ArchiveWarning>) -> Result<Warnings, ModelError> {
        let set: BTreeSet<ArchiveWarning> = warnings.into_iter().collect();
        if set.is_empty() {
            return Err(ModelError::NoWarning);
        }
        if set.len() > 1 {
            if let Some(alone) = set.iter().find(|w| w.stands_alone()) {
                return Err(ModelError::ExclusiveWarningMixed(alone.name()));
            }
        }
        Ok(Warnings(set))
    }

    pub fn from_names<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Warnings, ModelError> {
        let warnings = names
            .into_iter()
            .map(ArchiveWarning::from_name)
            .collect::<Result<Vec<_>, _>>()?;
        Warnings::new(warnings)
    }

    /// What a work imported without warnings carries until someone sets them.
    pub fn chose_not_to_use() -> Warnings {
        Warnings(BTreeSet::from([ArchiveWarning::ChoseNotToUse]))
    }

    pub fn iter(&self) -> impl Iterator<Item = ArchiveWarning> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, warning: ArchiveWarning) -> bool {
        self.0.contains(&warning)
    }
}

impl TryFrom<Vec<ArchiveWarning>> for Warnings {
    type Error = ModelError;
    fn try_from(warnings: Vec<ArchiveWarning>) -> Result<Warnings, ModelError> {
        Warnings::new(warnings)
    }
}

impl From<Warnings> for Vec<ArchiveWarning> {
    fn from(warnings: Warnings) -> Vec<ArchiveWarning> {
        warnings.0.into_iter().collect()
    }
}

/// Any number per work, optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    #[serde(rename = "F/F")]
    FemaleFemale,
    #[serde(rename = "F/M")]
    FemaleMale,
    Gen,
    #[serde(rename = "M/M")]
    MaleMale,
    Multi,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::FemaleFemale,
        Category::FemaleMale,
        Category::Gen,
        Category::MaleMale,
        Category::Multi,
        Category::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::FemaleFemale => "F/F",
            Category::FemaleMale => "F/M",
            Category::Gen => "Gen",
            Category::MaleMale => "M/M",
            Category::Multi => "Multi",
            Category::Other => "Other",
        }
    }

    pub fn from_name(name: &str) -> Result<Category, ModelError> {
        find_by_name(&Category::ALL, name, Category::name, "a category")
    }
}

/// What a work is, as readers filter by it: prose, art, audio (podfic)
/// or video (vids). Read from what its chapters hold, so a podfic with its
/// text is Audio and Text, and nobody has to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkType {
    Text,
    Art,
    Audio,
    Video,
}

/// Fewer words than this beside art or a player are its caption, not a
/// text of their own (AO3's drabble is a hundred words).
pub const TEXT_WORDS_BESIDE_MEDIA: u64 = 100;

impl WorkType {
    pub const ALL: [WorkType; 4] = [
        WorkType::Text,
        WorkType::Art,
        WorkType::Audio,
        WorkType::Video,
    ];

    pub fn name(self) -> &'static str {
        match self {
            WorkType::Text => "Text",
            WorkType::Art => "Art",
            WorkType::Audio => "Audio",
            WorkType::Video => "Video",
        }
    }

    pub fn from_name(name: &str) -> Result<WorkType, ModelError> {
        find_by_name(&WorkType::ALL, name, WorkType::name, "a work type")
    }

    /// The types of a work of `words` words whose chapters hold `media`.
    pub fn of(words: u64, media: &crate::sanitize::MediaFound) -> Vec<WorkType> {
        let mut types = Vec::new();
        let any_media = media.images > 0 || media.audio || media.video;
        if !any_media || words >= TEXT_WORDS_BESIDE_MEDIA {
            types.push(WorkType::Text);
        }
        if media.images > 0 {
            types.push(WorkType::Art);
        }
        if media.audio {
            types.push(WorkType::Audio);
        }
        if media.video {
            types.push(WorkType::Video);
        }
        types
    }
}

/// What kind of tag a tag is; names are unique per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TagKind {
    Rating,
    ArchiveWarning,
    Category,
    Fandom,
    Relationship,
    Character,
    Freeform,
}

impl TagKind {
    pub const ALL: [TagKind; 7] = [
        TagKind::Rating,
        TagKind::ArchiveWarning,
        TagKind::Category,
        TagKind::Fandom,
        TagKind::Relationship,
        TagKind::Character,
        TagKind::Freeform,
    ];

    /// How the kind is stored and written in URLs.
    pub fn code(self) -> &'static str {
        match self {
            TagKind::Rating => "rating",
            TagKind::ArchiveWarning => "warning",
            TagKind::Category => "category",
            TagKind::Fandom => "fandom",
            TagKind::Relationship => "relationship",
            TagKind::Character => "character",
            TagKind::Freeform => "freeform",
        }
    }

    pub fn from_code(code: &str) -> Option<TagKind> {
        TagKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The label AO3 shows over tags of this kind.
    pub fn label(self) -> &'static str {
        match self {
            TagKind::Rating => "Rating",
            TagKind::ArchiveWarning => "Archive Warnings",
            TagKind::Category => "Categories",
            TagKind::Fandom => "Fandoms",
            TagKind::Relationship => "Relationships",
            TagKind::Character => "Characters",
            TagKind::Freeform => "Additional Tags",
        }
    }

    /// Ratings, warnings and categories are a fixed set; the rest are
    /// created by authors and wrangled.
    pub fn is_fixed(self) -> bool {
        matches!(
            self,
            TagKind::Rating | TagKind::ArchiveWarning | TagKind::Category
        )
    }
}

impl fmt::Display for TagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn find_by_name<T: Copy>(
    all: &[T],
    name: &str,
    name_of: fn(T) -> &'static str,
    what: &'static str,
) -> Result<T, ModelError> {
    let wanted = name.trim();
    all.iter()
        .copied()
        .find(|&item| name_of(item).eq_ignore_ascii_case(wanted))
        .ok_or_else(|| ModelError::Unknown {
            name: wanted.to_string(),
            what,
            choices: all
                .iter()
                .map(|&i| name_of(i))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Folds a tag name for the case-insensitive uniqueness AO3 has: `Kylo Ren`
/// and `kylo ren` are one tag. White space is folded too.
pub fn tag_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A work as its author posts or edits it, before it has an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkDraft {
    pub title: String,
    pub summary: Formatted,
    pub notes_start: Formatted,
    pub notes_end: Formatted,
    /// A language code such as `en`.
    pub language: String,
    pub rating: Rating,
    pub warnings: Warnings,
    pub categories: BTreeSet<Category>,
    pub fandoms: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    pub complete: bool,
    /// `None` is AO3's `?`: the author doesn't know yet.
    pub expected_chapters: Option<u32>,
    /// Visible to signed-in readers only.
    pub restricted: bool,
    pub draft: bool,
    pub chapters: Vec<ChapterDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChapterDraft {
    pub title: String,
    pub summary: Formatted,
    pub notes_start: Formatted,
    pub notes_end: Formatted,
    /// The text as quire reads it: what search, counts, warnings and
    /// reader-insert work from.
    pub body: quire_text::Manuscript,
    /// The author's formatting (italics, lists, tables…), sanitized to
    /// AO3's allowlist: what pages and downloads show.
    pub html: String,
}

impl ChapterDraft {
    /// A chapter from a manuscript that arrived as plain text; its HTML is
    /// made from its paragraphs.
    pub fn from_manuscript(body: quire_text::Manuscript) -> ChapterDraft {
        ChapterDraft {
            title: String::new(),
            summary: Formatted::default(),
            notes_start: Formatted::default(),
            notes_end: Formatted::default(),
            html: crate::sanitize::html_of(&body),
            body,
        }
    }

    /// A chapter from the author's HTML, as typed into a posting form: read
    /// into a manuscript, and kept, sanitized and with its line breaks made
    /// paragraphs as AO3 makes them, for its formatting.
    pub fn from_html(html: &str) -> ChapterDraft {
        ChapterDraft::from_html_with(html, Mojibake::Repair)
    }

    /// [`ChapterDraft::from_html`], repairing mojibake or not. The repair
    /// reads the HTML as typed, so what readers see is repaired too.
    pub fn from_html_with(html: &str, mojibake: Mojibake) -> ChapterDraft {
        let repaired = quire_text::repaired(html, mojibake);
        let clean = crate::sanitize::clean_chapter(&repaired.text);
        ChapterDraft::from_clean_html(&repaired, clean)
    }

    /// A chapter written in Markdown: made HTML, then sanitized as HTML is,
    /// so whatever raw HTML the Markdown holds is cleaned the same way (its
    /// line breaks are Markdown's to read, not made paragraphs again).
    pub fn from_markdown(markdown: &str) -> ChapterDraft {
        ChapterDraft::from_markdown_with(markdown, Mojibake::Repair)
    }

    /// [`ChapterDraft::from_markdown`], repairing mojibake or not.
    pub fn from_markdown_with(markdown: &str, mojibake: Mojibake) -> ChapterDraft {
        let repaired = quire_text::repaired(markdown, mojibake);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&repaired.text));
        let clean = crate::sanitize::sanitize(&html);
        ChapterDraft::from_clean_html(
            &quire_text::Repaired {
                text: html,
                repairs: repaired.repairs,
            },
            clean,
        )
    }

    /// `repaired.text` is the HTML as read, already repaired (or kept).
    fn from_clean_html(repaired: &quire_text::Repaired, clean: String) -> ChapterDraft {
        let mut body = quire_text::analyze_str_with(&repaired.text, Mojibake::Keep);
        body.repairs = repaired.repairs.clone();
        ChapterDraft {
            html: clean,
            ..ChapterDraft::from_manuscript(body)
        }
    }

    /// Words, or an image, a player or a frame to see: fanart and podfic
    /// may have no words at all.
    pub fn has_content(&self) -> bool {
        !self.body.paragraphs.is_empty() || crate::sanitize::holds_media(&self.html)
    }

    fn text_chars(&self) -> usize {
        self.body.paragraphs.iter().map(|p| p.chars().count()).sum()
    }
}

fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
    let chars = text.chars().count();
    if chars > max {
        Err(ModelError::TooLong { field, chars, max })
    } else {
        Ok(())
    }
}

impl WorkDraft {
    /// The tags an author chose, by kind, in the order given.
    pub fn user_tags(&self) -> impl Iterator<Item = (TagKind, &str)> {
        [
            (TagKind::Fandom, &self.fandoms),
            (TagKind::Relationship, &self.relationships),
            (TagKind::Character, &self.characters),
            (TagKind::Freeform, &self.freeforms),
        ]
        .into_iter()
        .flat_map(|(kind, names)| names.iter().map(move |n| (kind, n.as_str())))
    }

    /// Every rule a work must keep before it is stored, with an error that
    /// says what to change.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.title.trim().is_empty() {
            return Err(ModelError::NoTitle);
        }
        check_text("title", &self.title, limits::TITLE_CHARS)?;
        check_formatted("summary", &self.summary, limits::SUMMARY_CHARS)?;
        check_formatted("beginning notes", &self.notes_start, limits::NOTES_CHARS)?;
        check_formatted("end notes", &self.notes_end, limits::NOTES_CHARS)?;
        check_text("language", &self.language, limits::LANGUAGE_CHARS)?;
        if self.fandoms.iter().all(|f| f.trim().is_empty()) {
            return Err(ModelError::NoFandom);
        }
        let mut count = 0;
        for (_, name) in self.user_tags() {
            if name.trim().is_empty() {
                return Err(ModelError::EmptyTag);
            }
            check_text("tag name", name.trim(), limits::TAG_NAME_CHARS)?;
            count += 1;
        }
        if count > limits::USER_TAGS {
            return Err(ModelError::TooManyTags(count));
        }
        if self.chapters.is_empty() || self.chapters.iter().all(|c| !c.has_content()) {
            return Err(ModelError::NoChapter);
        }
        for chapter in &self.chapters {
            check_text("chapter title", &chapter.title, limits::TITLE_CHARS)?;
            check_formatted("chapter summary", &chapter.summary, limits::SUMMARY_CHARS)?;
            check_formatted(
                "chapter's beginning notes",
                &chapter.notes_start,
                limits::NOTES_CHARS,
            )?;
            check_formatted(
                "chapter's end notes",
                &chapter.notes_end,
                limits::NOTES_CHARS,
            )?;
            let chars = chapter.text_chars();
            if chars > limits::CHAPTER_CHARS {
                return Err(ModelError::TooLong {
                    field: "chapter text",
                    chars,
                    max: limits::CHAPTER_CHARS,
                });
            }
        }
        Ok(())
    }

    /// Words of every chapter, as quire counts them.
    pub fn word_count(&self) -> usize {
        self.chapters.iter().map(|c| c.body.word_count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn draft() -> WorkDraft {
        WorkDraft {
            title: "Ashes".into(),
            summary: Formatted::default(),
            notes_start: Formatted::default(),
            notes_end: Formatted::default(),
            language: "en".into(),
            rating: Rating::TeenAndUpAudiences,
            warnings: Warnings::chose_not_to_use(),
            categories: BTreeSet::from([Category::Gen]),
            fandoms: vec!["Star Wars".into()],
            relationships: vec![],
            characters: vec!["Rey".into()],
            freeforms: vec![],
            complete: true,
            expected_chapters: Some(1),
            restricted: false,
            draft: false,
            chapters: vec![ChapterDraft::from_manuscript(quire_text::analyze_str(
                "She waited.\n\nHe came.",
            ))],
        }
    }

    #[test]
    fn warnings_that_stand_alone() {
        use ArchiveWarning::*;
        assert!(Warnings::new([GraphicViolence, MajorCharacterDeath]).is_ok());
        assert!(Warnings::new([NoneApply]).is_ok());
        let mixed = Warnings::new([NoneApply, GraphicViolence]).unwrap_err();
        assert_eq!(
            mixed.to_string(),
            "\"No Archive Warnings Apply\" stands alone: remove it, or remove the other warnings"
        );
        assert!(matches!(
            Warnings::new([ChoseNotToUse, NoneApply]),
            Err(ModelError::ExclusiveWarningMixed(_))
        ));
        assert_eq!(Warnings::new([]), Err(ModelError::NoWarning));
    }

    #[test]
    fn warnings_by_name_including_the_old_one() {
        let warnings = Warnings::from_names(["underage", "Rape/Non-Con"]).unwrap();
        assert!(warnings.contains(ArchiveWarning::UnderageSex));
        assert!(warnings.contains(ArchiveWarning::RapeNonCon));
        let err = Warnings::from_names(["Fluff"]).unwrap_err().to_string();
        assert!(err.contains("Graphic Depictions Of Violence"), "{err}");
    }

    #[test]
    fn serialized_warnings_keep_the_rule() {
        let json = serde_json::to_string(&Warnings::chose_not_to_use()).unwrap();
        assert_eq!(json, "[\"chose-not-to-use\"]");
        let mixed: Result<Warnings, _> =
            serde_json::from_str("[\"none-apply\",\"graphic-violence\"]");
        assert!(mixed.is_err());
    }

    #[test]
    fn names_round_trip() {
        for rating in Rating::ALL {
            assert_eq!(Rating::from_name(&rating.name().to_uppercase()), Ok(rating));
        }
        for category in Category::ALL {
            assert_eq!(Category::from_name(category.name()), Ok(category));
        }
        for kind in TagKind::ALL {
            assert_eq!(TagKind::from_code(kind.code()), Some(kind));
        }
        assert!(
            Rating::Explicit.needs_adult_notice() && !Rating::GeneralAudiences.needs_adult_notice()
        );
    }

    #[test]
    fn tag_keys_fold_case_and_space() {
        assert_eq!(tag_key("  Kylo   REN "), "kylo ren");
    }

    #[test]
    fn a_valid_draft() {
        assert_eq!(draft().validate(), Ok(()));
        assert_eq!(draft().word_count(), 4);
    }

    #[test]
    fn a_language_is_a_code_not_a_page() {
        let mut d = draft();
        d.language = "zh-Hant-TW".into();
        assert_eq!(d.validate(), Ok(()));
        d.language = "x".repeat(limits::LANGUAGE_CHARS + 1);
        assert_eq!(
            d.validate(),
            Err(ModelError::TooLong {
                field: "language",
                chars: limits::LANGUAGE_CHARS + 1,
                max: limits::LANGUAGE_CHARS
            })
        );
        d.language = "en\u{7}".into();
        assert_eq!(
            d.validate(),
            Err(ModelError::ControlCharacter { field: "language" })
        );
    }

    #[test]
    fn drafts_that_break_a_rule() {
        let mut d = draft();
        d.title = "  ".into();
        assert_eq!(d.validate(), Err(ModelError::NoTitle));

        let mut d = draft();
        d.fandoms.clear();
        assert_eq!(d.validate(), Err(ModelError::NoFandom));

        let mut d = draft();
        d.summary = Formatted::from_text(&"x".repeat(limits::SUMMARY_CHARS + 1));
        assert!(matches!(
            d.validate(),
            Err(ModelError::TooLong {
                field: "summary",
                ..
            })
        ));
        // Its words are counted, not its tags; but tags are bounded too.
        let mut d = draft();
        d.summary = Formatted::from_html(&"<b>x</b>".repeat(limits::SUMMARY_CHARS - 50));
        assert_eq!(d.validate(), Ok(()));
        d.summary = Formatted::from_html(&"<b>x</b><i></i><i></i>".repeat(limits::SUMMARY_CHARS));
        assert!(matches!(
            d.validate(),
            Err(ModelError::TooMuchMarkup {
                field: "summary",
                ..
            })
        ));

        let mut d = draft();
        d.freeforms = (0..limits::USER_TAGS).map(|i| format!("tag {i}")).collect();
        assert_eq!(
            d.validate(),
            Err(ModelError::TooManyTags(limits::USER_TAGS + 2))
        );

        let mut d = draft();
        d.chapters.clear();
        assert_eq!(d.validate(), Err(ModelError::NoChapter));

        // Fanart and podfic may have no words; a chapter of only empty
        // markup has nothing to show.
        for (html, shows) in [
            (
                "<img src=\"https://art.example/a.png\" alt=\"A fox\">",
                true,
            ),
            ("<audio src=\"https://podfic.example/a.mp3\"></audio>", true),
            (
                "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
                true,
            ),
            ("<p><em> </em></p>", false),
            ("&lt;img src=x&gt;", true),
        ] {
            let mut d = draft();
            d.chapters = vec![ChapterDraft::from_html(html)];
            assert_eq!(d.validate().is_ok(), shows, "{html}");
        }

        let mut d = draft();
        d.characters.push(" ".into());
        assert_eq!(d.validate(), Err(ModelError::EmptyTag));
    }

    #[test]
    fn a_work_is_of_each_type_it_holds_and_a_caption_is_not_text() {
        use crate::sanitize::MediaFound;
        let art = MediaFound {
            images: 1,
            ..MediaFound::default()
        };
        let podfic = MediaFound {
            audio: true,
            ..MediaFound::default()
        };
        assert_eq!(
            WorkType::of(0, &MediaFound::default()),
            vec![WorkType::Text]
        );
        assert_eq!(WorkType::of(99, &art), vec![WorkType::Art]);
        assert_eq!(
            WorkType::of(TEXT_WORDS_BESIDE_MEDIA, &art),
            vec![WorkType::Text, WorkType::Art]
        );
        assert_eq!(
            WorkType::of(5_000, &podfic),
            vec![WorkType::Text, WorkType::Audio]
        );
        assert_eq!(WorkType::from_name("video"), Ok(WorkType::Video));
        assert!(WorkType::from_name("comics").is_err());
    }
}

#[cfg(test)]
mod hostile_tests {
    use super::ChapterDraft;

    #[test]
    fn deeply_nested_html_is_read_without_overflowing() {
        // Deep enough to overflow any recursive reader's stack.
        let depth = 20_000;
        let html = format!(
            "{}<p>At the bottom.</p>{}",
            "<div><blockquote>".repeat(depth),
            "</blockquote></div>".repeat(depth)
        );
        let chapter = ChapterDraft::from_html(&html);
        // Past what is parsed into a tree at all, it is kept as the text it
        // is: the reader sees the markup, and no element survives.
        assert!(chapter.html.contains("At the bottom."));
        assert!(!chapter.html.contains("<div") && !chapter.html.contains("<blockquote"));
        assert_eq!(chapter.body.paragraphs.len(), 1);
        assert!(chapter.body.paragraphs[0].starts_with("<div><blockquote><div>"));
        // Deep, but not past that: read as HTML, without recursing.
        let depth = quire_text::nesting::MAX_PARSED_NESTING / 2;
        let html = format!(
            "{}<p>At the bottom.</p>{}",
            "<div><blockquote>".repeat(depth),
            "</blockquote></div>".repeat(depth)
        );
        let chapter = ChapterDraft::from_html(&html);
        assert_eq!(chapter.body.paragraphs, vec!["At the bottom.".to_string()]);
    }

    #[test]
    fn invalid_utf8_and_markdown_bombs_are_read_as_text() {
        let bytes = [b"<p>caf\xe9 \xff\xfe ok</p>".as_slice()].concat();
        let chapter = ChapterDraft::from_html(&String::from_utf8_lossy(&bytes));
        assert!(chapter.html.contains("ok"));
        // Deep Markdown nesting: block quotes and lists a thousand deep.
        let markdown = format!(
            "{}deep\n\n{}also deep",
            "> ".repeat(1_000),
            "- ".repeat(1_000)
        );
        let chapter = ChapterDraft::from_markdown(&markdown);
        assert!(chapter.html.contains("deep"));
    }
}
