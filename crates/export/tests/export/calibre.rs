//! What calibre reads from quire's books: the metadata a reader's library
//! shows (calibre's `ebook-meta`, the same reader its library and its
//! e-reader drivers use). Apple Books reads the same OPF fields.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::{epubcheck, full_work, options, BASE};

/// `ebook-meta`'s report of a book, field by field ("Publisher" →
/// "quire.example"). A machine without calibre fails: scripts/test
/// installs it.
fn calibre_reads(name: &str, bytes: &[u8]) -> BTreeMap<String, String> {
    let path = std::env::temp_dir().join(format!(
        "quire-export-calibre-{}-{name}.epub",
        std::process::id()
    ));
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("ebook-meta")
        .arg(&path)
        // calibre is a Qt program; there is no display here.
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "calibre's ebook-meta does not run ({err}): apt-get install -y calibre \
                 (scripts/test installs it)"
            )
        });
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "ebook-meta failed on {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(field, value)| (field.trim().to_string(), value.trim().to_string()))
        .collect()
}

#[test]
fn calibre_reads_publisher_identifiers_fanworks_first_and_the_updated_date() {
    let work = full_work(7);
    let book = quire_export::epub(&work, &options()).unwrap();
    epubcheck("calibre-metadata", &book);
    let read = calibre_reads("full", &book);
    let field = |name: &str| {
        read.get(name)
            .unwrap_or_else(|| panic!("calibre reads no {name}: {read:#?}"))
            .as_str()
    };
    assert_eq!(field("Title"), work.title);
    assert_eq!(field("Author(s)"), "Reylo Writer & Co Author & Zoë Third");
    assert_eq!(field("Publisher"), "quire.example");
    // calibre replaces a book's uuid with its own; the address stays.
    assert_eq!(field("Identifiers"), format!("url:{BASE}/works/7"));
    // Apple Books files a book under its first subject, as AO3's do.
    let tags: Vec<&str> = field("Tags").split(", ").collect();
    assert_eq!(
        tags[..3],
        ["Fanworks", "Mature", "Graphic Depictions Of Violence"]
    );
    assert!(tags.contains(&"Hurt/Comfort") && tags.contains(&"Kylo Ren/Rey"));
    // The last update (1,720,000,000 s: 3 July 2024), not the first post.
    assert!(
        field("Published").starts_with("2024-07-03"),
        "{}",
        field("Published")
    );
    assert_eq!(field("Series"), "The Long Way #2");
    assert_eq!(field("Languages"), "eng");
}

#[test]
fn calibre_reads_a_series_book_by_its_address_too() {
    let mut first = full_work(7);
    first.series[0].part = 1;
    first.updated_at = 1_730_000_000;
    let second = full_work(8);
    let book = quire_export::series_epub(9, &[second, first], &options()).unwrap();
    let read = calibre_reads("series", &book);
    assert_eq!(read["Identifiers"], format!("url:{BASE}/series/9"));
    assert_eq!(read["Publisher"], "quire.example");
    assert!(
        read["Tags"].starts_with("Fanworks, Mature"),
        "{}",
        read["Tags"]
    );
    // The newest update among its works (1,730,000,000 s: 27 October 2024).
    assert!(
        read["Published"].starts_with("2024-10-27"),
        "{}",
        read["Published"]
    );
}
