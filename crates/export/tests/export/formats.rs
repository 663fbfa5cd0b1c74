//! What each format holds, without epubcheck: structure, links, text,
//! names, and the errors a caller can act on.

use std::io::Read;

use quire_export::{ExportError, Format};

use crate::support::*;

#[test]
fn epub_container_starts_with_a_stored_mimetype() {
    let bytes = quire_export::epub(&full_work(1), &options()).unwrap();
    // A reader identifies an EPUB by these bytes at a fixed offset.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    let first = zip.by_index(0).unwrap();
    assert_eq!(first.name(), "mimetype");
    assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    assert!(first.extra_data().is_none_or(|e| e.is_empty()));
    drop(first);
    let mut container = String::new();
    zip.by_name("META-INF/container.xml")
        .unwrap()
        .read_to_string(&mut container)
        .unwrap();
    assert!(container.contains("full-path=\"EPUB/content.opf\""));
}

#[test]
fn the_same_work_makes_the_same_bytes_and_identifier() {
    let work = full_work(1);
    let a = quire_export::epub(&work, &options()).unwrap();
    assert_eq!(a, quire_export::epub(&work, &options()).unwrap());
    let other = quire_export::epub(&full_work(2), &options()).unwrap();
    let id = |bytes: &[u8]| {
        let opf = entry(bytes, "EPUB/content.opf");
        let start = opf.find("urn:uuid:").unwrap();
        opf[start..start + 45].to_string()
    };
    assert_ne!(id(&a), id(&other));
    assert_eq!(id(&a), id(&a));
    assert!(
        entry(&a, "EPUB/toc.ncx").contains(&id(&a)),
        "NCX and OPF share the identifier"
    );
}

#[test]
fn every_xml_file_in_the_epub_is_well_formed() {
    for work in [full_work(1), formatted_work(2), seed_work("000_", 3)] {
        let bytes = quire_export::epub(&work, &options()).unwrap();
        for name in entry_names(&bytes) {
            if name.ends_with(".xhtml")
                || name.ends_with(".opf")
                || name.ends_with(".ncx")
                || name.ends_with(".svg")
                || name.ends_with(".xml")
            {
                let text = entry(&bytes, &name);
                roxmltree::Document::parse_with_options(
                    &text,
                    roxmltree::ParsingOptions {
                        allow_dtd: true,
                        ..Default::default()
                    },
                )
                .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            }
        }
    }
}

#[test]
fn an_exported_epub_imports_back() {
    let work = generated_work(1, 3, 3_000);
    let bytes = quire_export::epub(&work, &options()).unwrap();
    let prepared =
        quire_archive::import::prepare(std::path::Path::new("book.epub"), &bytes).unwrap();
    assert_eq!(prepared.draft.title, work.title);
    let words: usize = prepared
        .draft
        .chapters
        .iter()
        .map(|c| c.body.word_count)
        .sum();
    assert!(
        words >= work.word_count && words < work.word_count + 600,
        "the text came back ({words} words for {})",
        work.word_count
    );
}

#[test]
fn html_is_one_offline_file() {
    let work = formatted_work(1);
    let html = String::from_utf8(quire_export::html(&work, &options())).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>"), "the stylesheet is inside");
    for outside in ["<link", "src=", "<script", "@import", "url("] {
        assert!(
            !html.contains(outside),
            "{outside} would reach outside: {html}"
        );
    }
    assert!(html.contains("<em>italic</em>") && html.contains("<caption>A table</caption>"));
    roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the HTML is also well-formed XML");

    let full = String::from_utf8(quire_export::html(&full_work(2), &options())).unwrap();
    assert!(full.contains(
        "<title>The Long Way Home: &quot;Part One&quot; &amp; &lt;More&gt; - Reylo Writer, Co Author and Zoë Third - Star Wars - All Media Types, Star Wars Sequel Trilogy</title>"
    ) || full.contains(
        "<title>The Long Way Home: \"Part One\" &amp; &lt;More&gt; - Reylo Writer, Co Author and Zoë Third - Star Wars - All Media Types, Star Wars Sequel Trilogy</title>"
    ), "{full}");
    assert!(
        full.contains("<a href=\"#chapter-2\">Chapter 2</a>"),
        "chapter index"
    );
    assert!(full.contains("id=\"chapter-2\"") && full.contains("id=\"endnotes\""));
    assert!(full.contains("href=\"#endnotes\""));
}

#[test]
fn txt_is_wrapped_text_with_the_preface() {
    let work = full_work(1);
    let text = String::from_utf8(quire_export::txt(&work, &options())).unwrap();
    assert!(
        text.starts_with(
            "The Long Way Home: \"Part One\" & <More>\nby Reylo Writer, Co Author and Zoë Third\n"
        ),
        "{text}"
    );
    for expected in [
        "Rating: Mature\n",
        "Archive Warnings: Graphic Depictions Of Violence, Major Character Death\n",
        "Relationships: Kylo Ren/Rey, Finn & Poe Dameron\n",
        "Series: Part 2 of The Long Way\n",
        "Summary:\n\nTwo people, one ship.\n",
        "Chapter 1: Ashes & <Embers>\n",
        "Chapter Summary:\n\nWhere it starts.\n",
        "* * *\n",
        "End Notes:\n\nThank you for reading!\nFind me elsewhere.\n",
        "https://quire.example/works/1\n",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
    assert!(
        !text.contains("&amp;") && !text.contains("<p>"),
        "plain text, not markup"
    );

    let long = generated_work(2, 2, 5_000);
    let text = String::from_utf8(quire_export::txt(&long, &options())).unwrap();
    for line in text.lines() {
        assert!(
            line.chars().count() <= 78 || !line.trim().contains(' '),
            "a line over 78 columns: {line:?}"
        );
    }
}

#[test]
fn fill_reaches_every_format_and_says_so() {
    let work = seed_work("003_", 1);
    let mut fill = quire_text::FillProfile::new();
    fill.set_pair("Y/N=Alex").unwrap();
    let options = options().with_fill(fill);
    let html = String::from_utf8(quire_export::html(&work, &options)).unwrap();
    let text = String::from_utf8(quire_export::txt(&work, &options)).unwrap();
    for out in [&html, &text] {
        assert!(out.contains("Alex") && out.contains("filled for one reader"));
        assert!(out.contains("E/C"), "codes without a value stay");
    }
    let plain = String::from_utf8(quire_export::txt(&work, &super::support::options())).unwrap();
    assert!(plain.contains("Y/N") && !plain.contains("filled for one reader"));
}

#[test]
fn file_names_are_ascii_author_title() {
    let work = full_work(1);
    assert_eq!(
        quire_export::file_name(&work, "epub"),
        "Reylo_Writer_The_Long_Way_Home_Part_One_More.epub"
    );
    let mut work = seed_work("003_", 42);
    work.title = "宇宙の旅".into();
    work.creators = vec!["Zoë".into()];
    assert_eq!(quire_export::file_name(&work, "txt"), "Zoe_Work_42.txt");
    work.creators.clear();
    work.title = "Ça va?".into();
    assert_eq!(
        quire_export::file_name(&work, "html"),
        "Anonymous_Ca_va.html"
    );
    for format in Format::ALL {
        let name = quire_export::file_name(&full_work(1), format.extension());
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'),
            "{name}"
        );
    }
}

#[test]
fn series_errors_say_what_is_wrong() {
    assert!(matches!(
        quire_export::series_epub(9, &[], &options()),
        Err(ExportError::EmptySeries)
    ));
    let err = quire_export::series_epub(9, &[formatted_work(3)], &options()).unwrap_err();
    assert!(matches!(
        err,
        ExportError::NotInSeries { work: 3, series: 9 }
    ));
    assert!(err.to_string().contains("work 3 is not part of series 9"));
}

#[test]
fn a_series_book_counts_its_works_in_words_that_agree() {
    let only = in_series(formatted_work(3), "Alone", 1);
    let second = in_series(formatted_work(4), "Alone", 2);
    let one = quire_export::series_epub(9, std::slice::from_ref(&only), &options()).unwrap();
    let opf = entry(&one, "EPUB/content.opf");
    assert!(opf.contains("A series of one work:"), "{opf}");
    let two = quire_export::series_epub(9, &[only, second], &options()).unwrap();
    let opf = entry(&two, "EPUB/content.opf");
    assert!(opf.contains("A series of 2 works:"), "{opf}");
}

#[test]
fn export_dispatches_by_format() {
    let work = formatted_work(1);
    for format in Format::ALL {
        let bytes = quire_export::export(&work, format, &options()).unwrap();
        assert!(!bytes.is_empty(), "{format:?}");
    }
    assert_eq!(Format::Epub.media_type(), "application/epub+zip");
}

#[test]
fn the_cover_on_its_own_is_the_cover_in_the_book() {
    let work = full_work(7);
    let book = quire_export::epub(&work, &options()).unwrap();
    let alone = quire_export::cover_svg(&work, &options());
    assert_eq!(alone, entry(&book, "EPUB/cover.svg"));
    roxmltree::Document::parse(&alone).expect("well-formed SVG");
    assert!(alone.contains("Reylo Writer"));
}
