//! The five AO3 works in `../shared/eval/ao3-works-dev.jsonl`, in AO3's own
//! HTML: paragraphs stay paragraphs one to one, every word is kept, and
//! `&nbsp;` and empty paragraphs go.

use crate::shared::assert_lossless;

struct Work {
    id: String,
    html: String,
}

fn works() -> Vec<Work> {
    let works: Vec<Work> = quire_testkit::ao3_works()
        .into_iter()
        .map(|(id, html)| Work { id, html })
        .collect();
    assert_eq!(works.len(), 5);
    works
}

/// The paragraphs of AO3's HTML, read without quire's parser: the inside of
/// each `<p>`, tags stripped, `<br>` a line break, entities decoded, white
/// space folded, empty ones dropped.
fn expected_paragraphs(html: &str) -> Vec<String> {
    let paragraph = regex::Regex::new(r"(?s)<p(?:\s[^>]*)?>(.*?)</p>").unwrap();
    let br = regex::Regex::new(r"(?i)<br\s*/?>").unwrap();
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    paragraph
        .captures_iter(html)
        .map(|c| {
            let inner = br.replace_all(&c[1], "\n");
            let inner = tag.replace_all(&inner, "");
            let inner = inner
                .replace("&nbsp;", " ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            inner
                .split('\n')
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[test]
fn paragraphs_are_preserved_one_to_one() {
    for work in works() {
        let manuscript = quire_text::analyze(work.html.as_bytes()).unwrap();
        let expected = expected_paragraphs(&work.html);
        assert!(expected.len() >= 5, "work {} has paragraphs", work.id);
        assert_eq!(
            manuscript.paragraphs.len(),
            expected.len(),
            "work {}: paragraph count",
            work.id
        );
        for (i, (got, want)) in manuscript.paragraphs.iter().zip(&expected).enumerate() {
            assert_eq!(got, want, "work {} paragraph {i}", work.id);
        }
        assert!(manuscript.notes.start.is_empty() && manuscript.notes.end.is_empty());
        assert!(
            manuscript.repairs.is_empty(),
            "work {}: nothing to repair",
            work.id
        );
    }
}

#[test]
fn every_word_is_kept() {
    for work in works() {
        assert_lossless(work.html.as_bytes());
        let manuscript = quire_text::analyze(work.html.as_bytes()).unwrap();
        let expected_words: usize = expected_paragraphs(&work.html)
            .iter()
            .map(|p| {
                p.split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphanumeric))
                    .count()
            })
            .sum();
        assert_eq!(manuscript.words().len(), expected_words, "work {}", work.id);
    }
}

#[test]
fn nbsp_and_empty_paragraphs_are_gone() {
    for work in works() {
        let manuscript = quire_text::analyze(work.html.as_bytes()).unwrap();
        for paragraph in &manuscript.paragraphs {
            assert!(
                !paragraph.trim().is_empty(),
                "work {}: an empty paragraph",
                work.id
            );
            assert!(
                !paragraph.contains('\u{a0}'),
                "work {}: a no-break space",
                work.id
            );
            assert!(!paragraph.contains("&nbsp;"), "work {}: &nbsp;", work.id);
            assert_eq!(
                paragraph,
                paragraph.trim(),
                "work {}: padded paragraph",
                work.id
            );
        }
    }
}

#[test]
fn a_rule_is_a_scene_break() {
    let with_rule: Vec<Work> = works()
        .into_iter()
        .filter(|w| w.html.contains("<hr"))
        .collect();
    assert!(!with_rule.is_empty());
    for work in with_rule {
        let manuscript = quire_text::analyze(work.html.as_bytes()).unwrap();
        assert_eq!(
            manuscript.scene_breaks.len(),
            work.html.matches("<hr").count(),
            "work {}",
            work.id
        );
    }
}
