//! The index's fields, and how a stored work becomes a tantivy document.

use std::collections::BTreeSet;

use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use tantivy::TantivyDocument;

use super::graph::TagGraph;
use super::load::IndexedWork;
use super::WorkSummary;
use crate::model::TagKind;

/// The facet a work's language is counted under (`/language/ru`), beside
/// its tags' (`/fandom/…`).
pub const LANGUAGE_FACET: &str = "language";

/// The facet a work's types are counted under (`/type/Art`).
pub const WORK_TYPE_FACET: &str = "type";

/// Bumped whenever the fields or what goes into them change: an index of
/// another version is rebuilt on start.
pub const SCHEMA_VERSION: u32 = 9;

/// The analyzer of every text field: words split at anything that is not a
/// letter or digit ([`WordsAndPairs`]: text in a script written without
/// spaces becomes pairs of characters), lower-cased, accents folded
/// (`naïve` finds `naive`, `звёзды` finds `звезды`), and reduced to their
/// English stem (`lantern` finds `Lanterns`), as AO3's English search does.
pub const ANALYZER: &str = "quire";

/// Words as tantivy's simple tokenizer splits them (runs of letters and
/// digits), but for scripts written without spaces between words
/// (Chinese, Japanese, Thai…), whose runs become their overlapping pairs of
/// characters (`森林里` → `森林`, `林里`), as search engines index such text
/// without a dictionary: a search for any two or more characters of it
/// finds it. A lone such character is a word of its own. `ё` is read as
/// `е`, as Russian readers type it.
#[derive(Clone, Default)]
pub struct WordsAndPairs;

/// The tokens of one text, made at once.
pub struct WordsAndPairsStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for WordsAndPairs {
    type TokenStream<'a> = WordsAndPairsStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsAndPairsStream {
        use quire_text::count::is_unspaced_script;
        let mut tokens = Vec::new();
        let mut push = |from: usize, to: usize, word: String| {
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: tokens.len(),
                text: word,
                position_length: 1,
            });
        };
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if is_unspaced_script(c) {
                let mut run = vec![(start, c)];
                while let Some(&(at, next)) = chars.peek() {
                    if !is_unspaced_script(next) {
                        break;
                    }
                    run.push((at, next));
                    chars.next();
                }
                if let [(at, lone)] = run[..] {
                    push(at, at + lone.len_utf8(), lone.to_string());
                }
                for pair in run.windows(2) {
                    let ((from, first), (at, second)) = (pair[0], pair[1]);
                    push(from, at + second.len_utf8(), format!("{first}{second}"));
                }
            } else if c.is_alphanumeric() {
                let mut end = start + c.len_utf8();
                while let Some(&(at, next)) = chars.peek() {
                    if !next.is_alphanumeric() || is_unspaced_script(next) {
                        break;
                    }
                    end = at + next.len_utf8();
                    chars.next();
                }
                let word = text[start..end].replace('ё', "е").replace('Ё', "Е");
                let word = stem_by_script(&word).unwrap_or(word);
                push(start, end, word);
            }
        }
        WordsAndPairsStream { tokens, next: 0 }
    }
}

/// A word written in Cyrillic, Greek or Arabic letters, lower-cased and
/// reduced to its stem in the language most of an archive's works in that
/// script are in (Russian, Greek, Arabic): `звёздами` and `звезды` are both
/// `звезд`. The same word gets the same stem in a query as in a work, so
/// the stem may be chosen by the word alone. Words in Latin letters go on
/// to the English stemmer; `None` for them.
fn stem_by_script(word: &str) -> Option<String> {
    use frostem::{Algorithm, Stemmer};
    use std::sync::LazyLock;
    static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::Russian));
    static GREEK: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::Greek));
    static ARABIC: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::Arabic));
    let script = |c: char| match c as u32 {
        0x0400..=0x04FF => Some(&*RUSSIAN),
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Some(&*GREEK),
        0x0600..=0x06FF => Some(&*ARABIC),
        _ => None,
    };
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let stemmer = script(letters.next()?)?;
    if !letters.all(|c| script(c).is_some_and(|s| std::ptr::eq(s, stemmer))) {
        return None;
    }
    Some(stemmer.stem(&word.to_lowercase()).into_owned())
}

impl TokenStream for WordsAndPairsStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Latin-script languages whose works are also indexed by their own
/// Snowball stemmer, by the first part of a work's language code (`pt-BR`
/// is `pt`). English has the main fields' stemmer; Cyrillic, Greek and
/// Arabic words are stemmed by their script in every field.
const STEMMED_LANGUAGES: &[(&str, frostem::Algorithm)] = {
    use frostem::Algorithm::*;
    &[
        ("fr", French),
        ("de", German),
        ("es", Spanish),
        ("it", Italian),
        ("pt", Portuguese),
        ("nl", Dutch),
        ("sv", Swedish),
        ("da", Danish),
        ("no", Norwegian),
        ("nb", Norwegian),
        ("nn", Norwegian),
        ("fi", Finnish),
        ("hu", Hungarian),
        ("ro", Romanian),
        ("tr", Turkish),
        ("pl", Polish),
        ("cs", Czech),
        ("ca", Catalan),
        ("id", Indonesian),
        ("lt", Lithuanian),
        ("et", Estonian),
        ("ga", Irish),
        ("eu", Basque),
        ("eo", Esperanto),
        // Snowball's Serbian stemmer is written for Serbo-Croatian in Latin
        // letters, as Croatian and Bosnian write it too.
        ("sr", Serbian),
        ("hr", Serbian),
        ("bs", Serbian),
    ]
};

fn stemmers() -> &'static [(&'static str, frostem::Stemmer)] {
    static BUILT: std::sync::OnceLock<Vec<(&str, frostem::Stemmer)>> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        STEMMED_LANGUAGES
            .iter()
            .map(|&(code, algorithm)| (code, frostem::Stemmer::new(algorithm)))
            .collect()
    })
}

/// Words in Latin letters only: the ones a Latin-script language's stemmer
/// knows what to do with.
fn is_latin_word(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF))
}

/// The words of `texts` as the `stemmed` field holds them for a work in
/// `language`: each word in Latin letters lower-cased, reduced to its stem
/// in that language, accents folded, and marked with the language
/// (`fr:chant` for `chantaient`), so that one field serves every
/// language. Empty for English and for languages without a stemmer.
pub fn stemmed_words_of<'a>(
    language: &str,
    texts: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let primary = language.trim().split(['-', '_']).next().unwrap_or("");
    let Some((code, stemmer)) = stemmers()
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(primary))
    else {
        return Vec::new();
    };
    let mut fold = folder();
    let mut words = Vec::new();
    for text in texts {
        for word in latin_words(text) {
            words.push(stemmed(&word, code, stemmer, &mut fold));
        }
    }
    words
}

/// The terms a word of a query is looked for by in the `stemmed` field:
/// its stem in each language there is a stemmer for. Empty unless `raw`
/// is one word in Latin letters.
pub fn stemmed_query_terms(raw: &str) -> Vec<String> {
    let [word] = &latin_words(raw)[..] else {
        return Vec::new();
    };
    let mut fold = folder();
    stemmers()
        .iter()
        .map(|(code, stemmer)| stemmed(word, code, stemmer, &mut fold))
        .collect()
}

/// The words of `text` in Latin letters, split and lower-cased as the main
/// fields split them.
fn latin_words(text: &str) -> Vec<String> {
    let mut split = TextAnalyzer::builder(WordsAndPairs)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    let mut words = Vec::new();
    let mut stream = split.token_stream(text);
    while let Some(token) = stream.next() {
        if is_latin_word(&token.text) {
            words.push(token.text.clone());
        }
    }
    words
}

/// Folds accents from one word, as the main fields do.
fn folder() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(AsciiFoldingFilter)
        .build()
}

/// `word`'s stem in one language, accents folded, marked with the language.
fn stemmed(word: &str, code: &str, stemmer: &frostem::Stemmer, fold: &mut TextAnalyzer) -> String {
    let stem = stemmer.stem(word);
    let mut folded = fold.token_stream(&stem);
    let text = folded
        .next()
        .map_or(stem.as_ref(), |token| token.text.as_str());
    format!("{code}:{text}")
}

pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordsAndPairs)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The words of a text as the index sees them.
pub fn words_of(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

/// The fields a free-text query can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Summary,
    Notes,
    Tag,
    Author,
    Body,
}

impl TextField {
    pub const ALL: [TextField; 6] = [
        TextField::Title,
        TextField::Summary,
        TextField::Notes,
        TextField::Tag,
        TextField::Author,
        TextField::Body,
    ];

    /// The prefixes a reader can write before a word (`title:`, `author:`, `tag:`).
    pub fn from_prefix(prefix: &str) -> Option<TextField> {
        match prefix.to_ascii_lowercase().as_str() {
            "title" => Some(TextField::Title),
            "author" | "creator" => Some(TextField::Author),
            "tag" | "tags" => Some(TextField::Tag),
            "summary" => Some(TextField::Summary),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub summary: Field,
    pub notes: Field,
    pub tag: Field,
    pub author: Field,
    /// Each creator's pseud name, folded as tag names are, as one term.
    pub author_key: Field,
    /// The content notes quire-text's signals suggest from the body, by
    /// machine name (`violence`): what readers can filter out.
    pub detected: Field,
    pub body: Field,
    /// Title, summary, notes and body stemmed in the work's own language
    /// ([`stemmed_words_of`]), for works in a Latin-script language other
    /// than English.
    pub stemmed: Field,
    pub tag_id: Field,
    pub facet: Field,
    pub restricted: Field,
    pub complete: Field,
    pub single_chapter: Field,
    pub crossover: Field,
    pub language: Field,
    /// Each of the work's types, by name (`Art`).
    pub work_type: Field,
    pub words: Field,
    pub updated: Field,
    pub sort_updated: Field,
    pub sort_posted: Field,
    pub sort_kudos: Field,
    pub sort_hits: Field,
    pub sort_bookmarks: Field,
    pub sort_comments: Field,
    pub sort_words: Field,
    pub title_sort: Field,
    pub author_sort: Field,
    pub summary_json: Field,
}

impl Fields {
    pub fn text(&self, field: TextField) -> Field {
        match field {
            TextField::Title => self.title,
            TextField::Summary => self.summary,
            TextField::Notes => self.notes,
            TextField::Tag => self.tag,
            TextField::Author => self.author,
            TextField::Body => self.body,
        }
    }
}

pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let flag = NumericOptions::default().set_indexed();
    let filter_and_sort = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        id: builder.add_u64_field("id", filter_and_sort.clone()),
        title: builder.add_text_field("title", text.clone()),
        summary: builder.add_text_field("summary", text.clone()),
        notes: builder.add_text_field("notes", text.clone()),
        tag: builder.add_text_field("tag", text.clone()),
        author: builder.add_text_field("author", text.clone()),
        author_key: builder.add_text_field("author_key", STRING),
        detected: builder.add_text_field("detected", STRING),
        body: builder.add_text_field("body", text),
        stemmed: builder.add_text_field(
            "stemmed",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        tag_id: builder.add_u64_field("tag_id", flag.clone()),
        facet: builder.add_facet_field("facet", FacetOptions::default()),
        restricted: builder.add_u64_field("restricted", flag.clone()),
        complete: builder.add_u64_field("complete", flag.clone()),
        single_chapter: builder.add_u64_field("single_chapter", flag.clone()),
        crossover: builder.add_u64_field("crossover", flag),
        language: builder.add_text_field("language", STRING),
        work_type: builder.add_text_field("work_type", STRING),
        words: builder.add_u64_field("words", filter_and_sort.clone()),
        updated: builder.add_u64_field("updated", filter_and_sort),
        sort_updated: builder.add_u64_field("sort_updated", FAST),
        sort_posted: builder.add_u64_field("sort_posted", FAST),
        sort_kudos: builder.add_u64_field("sort_kudos", FAST),
        sort_hits: builder.add_u64_field("sort_hits", FAST),
        sort_bookmarks: builder.add_u64_field("sort_bookmarks", FAST),
        sort_comments: builder.add_u64_field("sort_comments", FAST),
        sort_words: builder.add_u64_field("sort_words", FAST),
        title_sort: builder.add_text_field("title_sort", FAST),
        author_sort: builder.add_text_field("author_sort", FAST),
        summary_json: builder.add_text_field("summary_json", STORED),
    };
    (builder.build(), fields)
}

/// A sort key that orders by `value` and, among equal values, by work id,
/// so every sort is total and the same on every run: the value in the high
/// 32 bits, the id in the low.
pub fn sort_key(value: i64, id: i64) -> u64 {
    let value = u64::try_from(value.clamp(0, i64::from(u32::MAX))).unwrap_or(0);
    let id = u64::try_from(id).unwrap_or(0) & u64::from(u32::MAX);
    (value << 32) | id
}

/// Title order: case folded, then by id.
pub fn title_sort_key(title: &str, id: i64) -> String {
    format!("{}\u{1}{id:020}", title.trim().to_lowercase())
}

/// Author order: the first creator, then the title, then the id.
pub fn author_sort_key(creators: &[String], title: &str, id: i64) -> String {
    let first = creators.first().map(String::as_str).unwrap_or("");
    format!(
        "{}\u{1}{}",
        first.trim().to_lowercase(),
        title_sort_key(title, id)
    )
}

/// Works in more than one fandom tree (fandoms under one meta-tag, such as
/// a film and its book, are one tree).
pub fn is_crossover(work: &IndexedWork, graph: &TagGraph) -> bool {
    let tops: BTreeSet<i64> = work
        .tags
        .iter()
        .filter(|(_, kind, _)| *kind == TagKind::Fandom)
        .flat_map(|(id, _, _)| graph.tops(*id))
        .collect();
    tops.len() > 1
}

/// One complete chapter, as AO3's "single chapter" filter means it.
pub fn is_single_chapter(work: &IndexedWork) -> bool {
    work.chapters == 1 && work.complete
}

pub fn document(
    fields: &Fields,
    work: &IndexedWork,
    graph: &TagGraph,
    summary: &WorkSummary,
) -> serde_json::Result<TantivyDocument> {
    let mut doc = TantivyDocument::new();
    let id = u64::try_from(work.id).unwrap_or(0);
    doc.add_u64(fields.id, id);
    doc.add_text(fields.title, &work.title);
    let summary_text = work.summary.text();
    doc.add_text(fields.summary, &summary_text);
    doc.add_text(fields.notes, &work.notes);
    doc.add_text(fields.body, &work.body);
    let texts = [
        work.title.as_str(),
        summary_text.as_str(),
        work.notes.as_str(),
        work.body.as_str(),
    ];
    let stemmed = stemmed_words_of(&work.language, texts);
    if !stemmed.is_empty() {
        let tokens = stemmed
            .into_iter()
            .enumerate()
            .map(|(position, text)| Token {
                position,
                text,
                ..Token::default()
            })
            .collect();
        doc.add_pre_tokenized_text(
            fields.stemmed,
            tantivy::tokenizer::PreTokenizedString {
                text: String::new(),
                tokens,
            },
        );
    }
    for creator in &work.creators {
        doc.add_text(fields.author, creator);
        doc.add_text(fields.author_key, crate::model::tag_key(creator));
    }
    for note in quire_text::signals(&work.body).notes {
        if note.confidence >= quire_text::signals::REPORT_CONFIDENCE {
            doc.add_text(fields.detected, note.name.name());
        }
    }
    let mut facets = BTreeSet::new();
    for (tag, kind, name) in &work.tags {
        doc.add_text(fields.tag, name);
        doc.add_u64(fields.tag_id, u64::try_from(*tag).unwrap_or(0));
        for filter in graph.filters_finding(*tag) {
            let name = graph
                .node(filter)
                .map_or(name.as_str(), |n| n.name.as_str());
            facets.insert((kind.code(), name.to_string()));
        }
    }
    for (kind, name) in facets {
        doc.add_facet(fields.facet, Facet::from_path([kind, name.as_str()]));
    }
    doc.add_u64(fields.restricted, u64::from(work.restricted));
    doc.add_u64(fields.complete, u64::from(work.complete));
    doc.add_u64(fields.single_chapter, u64::from(is_single_chapter(work)));
    doc.add_u64(fields.crossover, u64::from(is_crossover(work, graph)));
    let language = work.language.trim().to_lowercase();
    if !language.is_empty() {
        doc.add_facet(
            fields.facet,
            Facet::from_path([LANGUAGE_FACET, language.as_str()]),
        );
    }
    doc.add_text(fields.language, language);
    for work_type in &work.types {
        doc.add_text(fields.work_type, work_type.name());
        doc.add_facet(
            fields.facet,
            Facet::from_path([WORK_TYPE_FACET, work_type.name()]),
        );
    }
    doc.add_u64(fields.words, work.words);
    doc.add_u64(fields.updated, u64::try_from(work.updated).unwrap_or(0));
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    doc.add_u64(fields.sort_updated, sort_key(work.updated, work.id));
    doc.add_u64(fields.sort_posted, sort_key(work.posted, work.id));
    doc.add_u64(fields.sort_kudos, sort_key(count(work.kudos), work.id));
    doc.add_u64(fields.sort_hits, sort_key(count(work.hits), work.id));
    doc.add_u64(
        fields.sort_bookmarks,
        sort_key(count(work.bookmarks), work.id),
    );
    doc.add_u64(
        fields.sort_comments,
        sort_key(count(work.comments), work.id),
    );
    doc.add_u64(fields.sort_words, sort_key(count(work.words), work.id));
    doc.add_text(fields.title_sort, title_sort_key(&work.title, work.id));
    doc.add_text(
        fields.author_sort,
        author_sort_key(&work.creators, &work.title, work.id),
    );
    doc.add_text(fields.summary_json, serde_json::to_string(summary)?);
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_by_value_then_id() {
        assert!(sort_key(5, 1) > sort_key(4, 999));
        assert!(sort_key(5, 2) > sort_key(5, 1));
        assert_eq!(sort_key(-3, 7), sort_key(0, 7));
        assert!(title_sort_key("apple", 9) < title_sort_key("Banana", 1));
        assert!(title_sort_key("Same", 1) < title_sort_key("same", 2));
    }

    #[test]
    fn words_fold_case_and_accents() {
        assert_eq!(words_of("Naïve, SPIDER-man!"), ["naiv", "spider", "man"]);
        assert_eq!(words_of("Lanterns"), words_of("lantern"));
    }

    #[test]
    fn text_without_spaces_is_searched_by_pairs_and_yo_is_ye() {
        assert_eq!(words_of("我在森林里。"), ["我在", "在森", "森林", "林里"]);
        assert_eq!(words_of("森"), ["森"]);
        assert_eq!(words_of("森林"), ["森林"]);
        assert_eq!(
            words_of("Tokyo東京タワー, 2024"),
            ["tokyo", "東京", "京タ", "タワ", "ワー", "2024"]
        );
        assert_eq!(words_of("Звёзды"), words_of("звезды"));
        assert_eq!(words_of("ЁЛКА"), words_of("елка"));
    }

    #[test]
    fn cyrillic_greek_and_arabic_words_are_stemmed_in_their_language() {
        // Forms of one word find each other, as English `lanterns` and
        // `lantern` do.
        assert_eq!(words_of("звёздами"), words_of("звезды"));
        assert_eq!(words_of("Звезда"), words_of("звёзд"));
        assert_eq!(words_of("θάλασσες"), words_of("θάλασσα"));
        assert_eq!(words_of("الكتاب"), words_of("كتاب"));
        // Different words stay apart; Latin words keep the English stemmer;
        // a word mixing scripts is left whole.
        assert_ne!(words_of("звезды"), words_of("звонить"));
        assert_eq!(words_of("lanterns"), ["lantern"]);
        assert_eq!(words_of("Zвезды"), ["zвезды"]);
    }
}
