//! Works to export, built the way the archive builds them, and epubcheck.

use std::path::Path;
use std::process::Command;

use quire_archive::model::{ChapterDraft, Formatted, WorkDraft};
use quire_archive::{Chapter, SeriesPart, Work};

pub const BASE: &str = "https://quire.example";

pub fn options() -> quire_export::Options {
    quire_export::Options::new(BASE).unwrap()
}

/// A stored work as `Archive::work` returns it, from a draft.
pub fn work_from_draft(id: i64, draft: &WorkDraft, creators: &[&str]) -> Work {
    Work {
        id,
        title: draft.title.clone(),
        summary: draft.summary.clone(),
        notes_start: draft.notes_start.clone(),
        notes_end: draft.notes_end.clone(),
        language: draft.language.clone(),
        rating: draft.rating,
        warnings: draft.warnings.clone(),
        categories: draft.categories.iter().copied().collect(),
        fandoms: draft.fandoms.clone(),
        relationships: draft.relationships.clone(),
        characters: draft.characters.clone(),
        freeforms: draft.freeforms.clone(),
        creators: creators.iter().map(|c| c.to_string()).collect(),
        complete: draft.complete,
        expected_chapters: draft.expected_chapters,
        word_count: draft.word_count(),
        restricted: draft.restricted,
        draft: draft.draft,
        hidden: false,
        posted_at: 1_700_000_000,
        updated_at: 1_710_000_000,
        version: 1,
        series: Vec::new(),
        chapters: draft
            .chapters
            .iter()
            .enumerate()
            .map(|(i, c)| chapter(i, c))
            .collect(),
    }
}

fn chapter(index: usize, draft: &ChapterDraft) -> Chapter {
    Chapter {
        id: index as i64 + 1,
        position: index as u32 + 1,
        title: draft.title.clone(),
        summary: draft.summary.clone(),
        notes_start: draft.notes_start.clone(),
        notes_end: draft.notes_end.clone(),
        body: draft.body.clone(),
        html: draft.html.clone(),
        word_count: draft.body.word_count,
    }
}

pub use quire_testkit::seed_path;

/// A seed story imported as `quire import` imports it.
pub fn seed_work(prefix: &str, id: i64) -> Work {
    let path = seed_path(prefix);
    let bytes = std::fs::read(&path).unwrap();
    let prepared = quire_archive::import::prepare(&path, &bytes).unwrap();
    work_from_draft(id, &prepared.draft, &["orphan_account"])
}

/// A chapter from plain text, through the text pipeline.
pub fn text_chapter(title: &str, text: &str) -> ChapterDraft {
    ChapterDraft {
        title: title.into(),
        ..ChapterDraft::from_manuscript(quire_text::analyze_str(text))
    }
}

/// A chapter from the author's HTML, sanitized as the archive stores it.
pub fn html_chapter(title: &str, html: &str) -> ChapterDraft {
    ChapterDraft {
        title: title.into(),
        ..ChapterDraft::from_html(html)
    }
}

/// A draft with the generated corpus's first work's tags and the given
/// chapters.
pub fn draft_with(chapters: Vec<ChapterDraft>) -> WorkDraft {
    let mut draft = quire_archive::corpus::generate(1, 3)
        .next()
        .unwrap()
        .draft()
        .unwrap();
    draft.chapters = chapters;
    draft.expected_chapters = Some(draft.chapters.len() as u32);
    draft
}

/// Prose of about `words` words, from the generated corpus, in paragraphs
/// with a scene break now and then.
pub fn prose(words: usize, seed: u64) -> String {
    let mut paragraphs = Vec::new();
    let mut count = 0;
    for work in quire_archive::corpus::generate(400, seed) {
        for chapter in work.chapters {
            for paragraph in chapter.text.split("\n\n") {
                if count >= words {
                    return paragraphs.join("\n\n");
                }
                if paragraphs.len() % 12 == 11 {
                    paragraphs.push("* * *".to_string());
                }
                count += paragraph.split_whitespace().count();
                paragraphs.push(paragraph.to_string());
            }
        }
    }
    paragraphs.join("\n\n")
}

/// A work of `chapters` chapters of about `words` words in all.
pub fn generated_work(id: i64, chapters: usize, words: usize) -> Work {
    let per_chapter = words / chapters.max(1);
    let drafts = (0..chapters)
        .map(|i| {
            let mut chapter = text_chapter(
                &format!("Part {}", i + 1),
                &prose(per_chapter, i as u64 + 1),
            );
            if i % 5 == 0 {
                chapter.summary = Formatted::from_text(&format!("What happens in part {}.", i + 1));
            }
            chapter
        })
        .collect();
    work_from_draft(id, &draft_with(drafts), &["generated"])
}

/// A work with every kind of tag, co-authors, a series, notes everywhere.
pub fn full_work(id: i64) -> Work {
    use quire_archive::model::{ArchiveWarning, Category, Rating, Warnings};
    let mut first = text_chapter(
        "Ashes & <Embers>",
        "She waited.\n\nHe came, \"late\" as ever.\n\n***\n\nThe end of the beginning.",
    );
    first.summary = "Where it starts.\n\nA <i>second</i> line.".into();
    first.notes_start = Formatted::from_text("Beta'd by a friend <3");
    first.notes_end = Formatted::from_text("More soon & thank you.");
    let second = text_chapter(
        "",
        "The middle, with an ampersand & a < sign.\n\nAnd a closing line.",
    );
    let mut draft = draft_with(vec![first, second]);
    draft.title = "The Long Way Home: \"Part One\" & <More>".into();
    // Written as text: the `<b>` is the writer's words, not bold.
    draft.summary = Formatted::from_text(
        "Two people, one ship.\n\nA summary with <b>markup-looking</b> text & ampersands.",
    );
    draft.notes_start = "Written for the <a href=\"https://example.org/fest\">exchange</a>.".into();
    draft.notes_end = Formatted::from_text("Thank you for reading!\nFind me elsewhere.");
    draft.language = "en".into();
    draft.rating = Rating::Mature;
    draft.warnings = Warnings::new([
        ArchiveWarning::GraphicViolence,
        ArchiveWarning::MajorCharacterDeath,
    ])
    .unwrap();
    draft.categories = [Category::FemaleMale, Category::Gen, Category::Multi]
        .into_iter()
        .collect();
    draft.fandoms = vec![
        "Star Wars - All Media Types".into(),
        "Star Wars Sequel Trilogy".into(),
    ];
    draft.relationships = vec!["Kylo Ren/Rey".into(), "Finn & Poe Dameron".into()];
    draft.characters = vec!["Rey (Star Wars)".into(), "Ben Solo".into(), "Zoë".into()];
    draft.freeforms = vec![
        "Slow Burn".into(),
        "Angst with a Happy Ending".into(),
        "Hurt/Comfort".into(),
    ];
    draft.complete = false;
    draft.expected_chapters = None;
    let mut work = work_from_draft(id, &draft, &["Reylo Writer", "Co Author", "Zoë Third"]);
    work.series = vec![SeriesPart {
        series: 9,
        title: "The Long Way".into(),
        part: 2,
    }];
    work.updated_at = 1_720_000_000;
    work
}

/// A work whose HTML uses what authors use, and what must not survive.
pub fn formatted_work(id: i64) -> Work {
    let html = "<p>Plain, <em>italic</em>, <i>also</i>, <strong>bold</strong> and <u>under</u>.</p>\
        <ul><li>one</li><li>two <em>three</em></li></ul><ol><li>first</li></ol><ol start=\"5\" type=\"i\"><li>fifth</li></ol>\
        <table><caption>A table</caption><thead><tr><th scope=\"col\">Name</th><th>Age</th></tr></thead>\
        <tbody><tr><td>Rey</td><td>19</td></tr><tr><td colspan=\"2\" rowspan=\"1\">Both</td></tr></tbody></table>\
        <blockquote cite=\"https://example.org/letter\"><p>A letter, quoted.</p><p>Signed.</p></blockquote>\
        <p align=\"center\">centred</p><hr />\
        <p>Before<script>alert('x')</script> after.<img src=\"https://images.example/mood.png\" alt=\"\"></p>\
        <p>A <a href=\"https://example.org/a page\">link</a> and <center>old</center> <strike>tags</strike>&nbsp;here.</p>\
        <p>I <del>hate</del> <ins>love</ins> it: H<sub>2</sub>O, x<sup>2</sup>, <small>small</small>, <code>code</code>, \
        <kbd>Ctrl</kbd>, <abbr title=\"as far as I know\">AFAIK</abbr>, <q>quoted</q>, <cite>Cited</cite>, \
        <big>big</big>, <tt>tt</tt>, <acronym title=\"x\">ACR</acronym>, <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>.</p>\
        <del><p>A deleted scene.</p></del><em><p>Italic paragraph one.</p><p>Two.</p></em>\
        <dl><dt>Term</dt><dd>Definition</dd></dl><details open><summary>Spoiler</summary><p>Hidden.</p></details>\
        <h3 align=\"right\">A heading</h3><pre>  pre  formatted</pre><div class=\"note\" lang=\"fr\" dir=\"ltr\">Merci</div>";
    let chapter = html_chapter("Formatting", html);
    work_from_draft(id, &draft_with(vec![chapter]), &["formatter"])
}

/// Where epubcheck's jar is (Debian's `epubcheck` package).
const EPUBCHECK_JAR: &str = "/usr/share/java/epubcheck.jar";

/// Runs epubcheck on `bytes` and fails on any fatal error, error or
/// warning. A machine without epubcheck fails too: a skipped check would
/// pass books nobody checked.
pub fn epubcheck(name: &str, bytes: &[u8]) {
    let (passed, report) = run_epubcheck(name, bytes);
    // Shown with --nocapture, to see what epubcheck said of a book that passed.
    eprintln!("epubcheck on {name}:\n{report}");
    assert!(passed, "epubcheck found problems in {name}:\n{report}");
}

/// Whether epubcheck passed the book with no message at all, and what it
/// said.
pub fn run_epubcheck(name: &str, bytes: &[u8]) -> (bool, String) {
    assert!(
        Path::new(EPUBCHECK_JAR).exists(),
        "epubcheck is not installed ({EPUBCHECK_JAR} is missing): apt-get install -y epubcheck \
         (scripts/test installs it)"
    );
    let path =
        std::env::temp_dir().join(format!("quire-export-{}-{name}.epub", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    // The jar, not Debian's /usr/bin/epubcheck wrapper, which fails under
    // bash (DESIGN.md, known traps).
    let output = Command::new("java")
        .args(["-jar", EPUBCHECK_JAR])
        .arg(&path)
        .output()
        .expect("java runs (epubcheck's package depends on it)");
    let _ = std::fs::remove_file(&path);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let passed = output.status.success() && report.contains("No errors or warnings detected");
    (passed, report)
}

/// The EPUB with one file's text replaced, everything else as it was.
pub fn replace_entry(bytes: &[u8], name: &str, text: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut to = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..from.len() {
        let mut file = from.by_index(i).unwrap();
        let options =
            zip::write::SimpleFileOptions::default().compression_method(file.compression());
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        to.start_file(file.name(), options).unwrap();
        if file.name() == name {
            to.write_all(text.as_bytes()).unwrap();
        } else {
            to.write_all(&content).unwrap();
        }
    }
    to.finish().unwrap().into_inner()
}

/// The text of one file inside an EPUB.
pub fn entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the EPUB"));
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text
}

pub fn entry_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    zip.file_names().map(str::to_string).collect()
}

/// The work as part `part` of series 9, titled `title`, and of no other.
pub fn in_series(mut work: Work, title: &str, part: u32) -> Work {
    work.series = vec![SeriesPart {
        series: 9,
        title: title.into(),
        part,
    }];
    work
}
