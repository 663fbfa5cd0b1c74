//! Download file names as AO3 gives them (`Author_Title.epub`), in safe
//! ASCII only: every file system, e-reader and mail client takes them.

use quire_archive::Work;
use unicode_normalization::UnicodeNormalization;

/// Longest part a name gets from the author and from the title: whole
/// names stay short enough for any file system once the two are joined.
const AUTHOR_CHARS: usize = 40;
const TITLE_CHARS: usize = 80;

/// `Author_Title.ext`: accents folded (Zoë → Zoe), anything else that is
/// not an ASCII letter or digit turned into `_`. A work whose title or
/// author has no such characters at all (a title in Japanese) is named by
/// its number instead.
pub fn file_name(work: &Work, ext: &str) -> String {
    let author = work.creators.first().map_or("Anonymous", String::as_str);
    let title = ascii_part(&work.title, TITLE_CHARS);
    let title = if title.is_empty() {
        format!("Work_{}", work.id)
    } else {
        title
    };
    join(&ascii_part(author, AUTHOR_CHARS), &title, ext)
}

/// `Author_Series_Title.ext` for a series download, from its first author.
pub fn series_file_name(series_title: &str, creators: &[String], ext: &str) -> String {
    let author = creators.first().map_or("Anonymous", String::as_str);
    let title = ascii_part(series_title, TITLE_CHARS);
    let title = if title.is_empty() {
        "Series".to_string()
    } else {
        title
    };
    join(&ascii_part(author, AUTHOR_CHARS), &title, ext)
}

fn join(author: &str, title: &str, ext: &str) -> String {
    let ext: String = ext
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let stem = if author.is_empty() {
        title.to_string()
    } else {
        format!("{author}_{title}")
    };
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// `text` as ASCII letters and digits joined by single `_`, at most
/// `max` characters, cut at a `_` where it can be.
fn ascii_part(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.nfkd() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !is_mark(c) && !out.is_empty() && !out.ends_with('_') && c != '\'' && c != '’' {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_string();
    if out.len() > max {
        let cut = out[..max]
            .rfind('_')
            .filter(|&i| i > max / 2)
            .unwrap_or(max);
        out.truncate(cut);
    }
    out.trim_end_matches('_').to_string()
}

/// Combining marks left over when NFKD takes accents off their letters.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_parts() {
        assert_eq!(
            ascii_part("Zoë's  Café — “Part 2”!", 80),
            "Zoes_Cafe_Part_2"
        );
        assert_eq!(ascii_part("  ??? ", 80), "");
        assert_eq!(ascii_part("ﬁnal Ｆｕｌｌ", 80), "final_Full");
        assert_eq!(ascii_part("宇宙", 80), "");
        let long = ascii_part(&"word ".repeat(40), 80);
        assert!(long.len() <= 80 && long.ends_with("word"), "{long}");
        assert_eq!(ascii_part(&"x".repeat(100), 80).len(), 80);
    }

    #[test]
    fn joined_names() {
        assert_eq!(join("Kylo", "Ashes", "EPUB"), "Kylo_Ashes.epub");
        assert_eq!(join("", "Ashes", ".txt"), "Ashes.txt");
        assert_eq!(
            series_file_name("The Long Way", &["Bö".into()], "epub"),
            "Bo_The_Long_Way.epub"
        );
        assert_eq!(series_file_name("!!", &[], "epub"), "Anonymous_Series.epub");
    }
}
