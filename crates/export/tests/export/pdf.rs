//! The PDF download, read back as a reader's tools read it: poppler's
//! `pdftotext` (pages end in a form feed) and `pdfinfo` (the page size).

use std::process::Command;

use proptest::prelude::*;
use quire_export::{Options, Paper};

use super::support::{
    draft_with, formatted_work, full_work, html_chapter, options, seed_work, text_chapter,
    work_from_draft,
};

/// Runs a poppler tool on the PDF; a machine without poppler-utils fails:
/// a skipped check would pass PDFs nobody read.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let path =
        std::env::temp_dir().join(format!("quire-export-{}-{:x}.pdf", std::process::id(), {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            pdf.hash(&mut hasher);
            std::thread::current().id().hash(&mut hasher);
            hasher.finish()
        }));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|err| {
            panic!("{tool} did not run ({err}): apt-get install poppler-utils (scripts/test installs it)")
        });
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The PDF's text, a page at a time, in the order it was drawn (`-raw`:
/// without it, pdftotext drops a hyphen that ends a line, taking it for
/// one typesetting added).
fn pages(pdf: &[u8]) -> Vec<String> {
    let text = poppler("pdftotext", pdf, &["-enc", "UTF-8", "-raw"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// A page's lines, without the page number at its foot.
fn lines(page: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = page
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.last().is_some_and(|l| l.parse::<u32>().is_ok()) {
        lines.pop();
    }
    lines
}

fn without_space(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn laid_out_like_the_epub() {
    let work = full_work(1);
    let pdf = quire_export::pdf(&work, &options()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages(&pdf);
    let preface = pages[0].as_str();
    for expected in [
        "Posted originally on the archive at https://quire.example/works/1",
        "Rating: Mature",
        "Archive Warnings:",
        "Relationships: Kylo Ren/Rey, Finn & Poe Dameron",
        "Characters: Rey (Star Wars), Ben Solo, Zoë",
        "Series: Part 2 of The Long Way",
        "Published: 2023-11-14",
        "by Reylo Writer, Co Author, Zoë Third",
        "Two people, one ship.",
        "Written for the exchange.",
        "(See the end of the work for more notes.)",
    ] {
        assert!(
            without_space(preface).contains(&without_space(expected)),
            "{expected:?} on the first page:\n{preface}"
        );
    }
    // Each chapter from the top of a page of its own, its notes with it;
    // the end notes too.
    let starting = |heading: &str| {
        pages
            .iter()
            .position(|p| lines(p).first() == Some(&heading))
            .unwrap_or_else(|| panic!("no page starts with {heading:?}: {pages:#?}"))
    };
    let first = starting("Chapter 1: Ashes & <Embers>");
    let second = starting("Chapter 2");
    let end = starting("End Notes");
    assert!(0 < first && first < second && second < end, "{pages:#?}");
    for expected in [
        "Chapter Summary",
        "Where it starts.",
        "Beta'd by a friend <3",
        "He came, \"late\" as ever.",
        "Chapter End Notes",
        "More soon & thank you.",
    ] {
        assert!(pages[first].contains(expected), "{expected:?}: {pages:#?}");
    }
    assert!(pages[second].contains("The middle, with an ampersand & a < sign."));
    assert!(pages[end].contains("Thank you for reading!"));
    assert!(pages[end].contains("drop by the archive and comment"));
    // No page is blank (calibre's PDFs have a blank second page).
    for (n, page) in pages.iter().enumerate() {
        assert!(
            !lines(page).is_empty(),
            "page {} is blank: {pages:#?}",
            n + 1
        );
    }
}

#[test]
fn a5_by_default_and_letter_when_asked() {
    let work = formatted_work(1);
    let size = |options: &Options| {
        let info = poppler("pdfinfo", &quire_export::pdf(&work, options).unwrap(), &[]);
        info.lines()
            .find_map(|l| l.strip_prefix("Page size:"))
            .unwrap_or_else(|| panic!("no page size in {info}"))
            .trim()
            .to_string()
    };
    // 148 × 210 mm and 8.5 × 11 in, in points.
    assert!(
        size(&options()).starts_with("419.528 x 595.276 pts"),
        "{}",
        size(&options())
    );
    assert!(
        size(&options().with_paper(Paper::Letter)).starts_with("612 x 792 pts"),
        "{}",
        size(&options().with_paper(Paper::Letter))
    );
}

#[test]
fn every_script_the_archive_is_written_in_is_set() {
    let text = "Русский текст. Ελληνικό κείμενο. 日本語の文章。中文文本。한국어 문장.";
    let mut work = work_from_draft(
        1,
        &draft_with(vec![text_chapter("Языки · 言語", text)]),
        &["Автор"],
    );
    work.language = "ja".into();
    let pdf = quire_export::pdf(&work, &options()).unwrap();
    let all = without_space(&pages(&pdf).join(""));
    for expected in [text, "Языки · 言語", "by Автор", "Language: 日本語"] {
        assert!(
            all.contains(&without_space(expected)),
            "{expected:?}: {all}"
        );
    }
    let fonts = poppler("pdffonts", &pdf, &[]);
    assert!(fonts.contains("NotoSerif-Regular"), "{fonts}");
    assert!(fonts.contains("NotoSerifCJK"), "{fonts}");
}

#[test]
fn formatting_comes_through_as_text() {
    let pdf = quire_export::pdf(&formatted_work(1), &options()).unwrap();
    let all = pages(&pdf).join("\n");
    for expected in [
        "Plain, italic, also, bold and under.",
        "one",
        "two three",
        "A table",
        "Name",
        "Rey",
        "19",
        "A letter, quoted.",
        "centred",
        "* * *",
        "Before after.",
        "link and old tags here.",
        "H2O, x2",
        "漢(kan)",
        "Term",
        "Definition",
        "Spoiler",
        "A heading",
        "pre formatted",
        "Merci",
    ] {
        assert!(
            without_space(&all).contains(&without_space(expected)),
            "{expected:?}:\n{all}"
        );
    }
    assert!(!all.contains("alert"));
    // The spaces between formatted words stay.
    for spaced in ["bold and under", "A link and", "hate love it"] {
        assert!(all.contains(spaced), "{spaced:?}:\n{all}");
    }
}

#[test]
fn a_seed_story_and_a_fill() {
    let work = seed_work("003_", 1);
    let mut fill = quire_text::FillProfile::new();
    fill.set_pair("Y/N=Alex").unwrap();
    let filled = pages(&quire_export::pdf(&work, &options().with_fill(fill)).unwrap()).join("");
    assert!(filled.contains("Alex") && filled.contains("filled for one reader"));
    let plain = pages(&quire_export::pdf(&work, &options()).unwrap()).join("");
    assert!(plain.contains("Y/N") && !plain.contains("filled for one reader"));
}

#[test]
fn the_same_work_makes_the_same_bytes() {
    let work = full_work(1);
    assert_eq!(
        quire_export::pdf(&work, &options()).unwrap(),
        quire_export::pdf(&work, &options()).unwrap()
    );
}

/// Pieces of text a writer might type, typst's markup characters among
/// them; none longer than four letters, so that no line ends in a hyphen
/// typst added.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "the",
        "cat",
        "Жук",
        "мир",
        "γάτα",
        "猫",
        "世界",
        "かな",
        "한국",
        "#set",
        "#",
        "$5",
        "$x$",
        "*a*",
        "_b_",
        "a_b",
        "@me",
        "<3",
        "<lab>",
        ">",
        "\\",
        "C:\\d",
        "//",
        "/*",
        "*/",
        "=",
        "==",
        "-",
        "--",
        "---",
        "-1",
        "-?",
        "+",
        "1.",
        "2)",
        "...",
        "'",
        "\"",
        "`raw`",
        "~",
        "[",
        "]",
        "{",
        "}",
        ":",
        "/ a:",
        "http://x.y",
        "&",
        "&amp;",
        ";",
        "#(",
        ".x",
        "(y)",
        "%",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Whatever the writer typed comes out of the PDF as they typed it.
    #[test]
    fn any_text_in_a_chapter_survives_into_the_pdf(
        words in prop::collection::vec(piece(), 1..60)
    ) {
        let text = words.join(" ");
        let html = format!(
            "<p>{}</p>",
            text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
        );
        let work = work_from_draft(1, &draft_with(vec![html_chapter("Text", &html)]), &["a"]);
        let pdf = quire_export::pdf(&work, &options()).unwrap();
        let pages = pages(&pdf);
        let chapter = without_space(&pages[1..].join(""));
        prop_assert!(
            chapter.contains(&without_space(&text)),
            "{:?} not in {:?}",
            text,
            chapter
        );
    }
}
