//! `quire export` as a person runs it: an imported work out as a file.

use std::io::Read;

use crate::support::{quire, seed_path, stdout, DataDir, Scratch};

fn epub_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn export_writes_a_filled_epub_and_text_into_a_folder() {
    let data = DataDir::dir("export");
    stdout(&quire(&[
        "import",
        "--data",
        data.path(),
        &seed_path("003_"),
    ]));
    let out = Scratch(Scratch::at("", "export.epub"));
    let printed = stdout(&quire(&[
        "export",
        "1",
        "--format",
        "epub",
        "--fill",
        "Y/N=Alex",
        "-o",
        out.path(),
        "--data",
        data.path(),
        "--public-url",
        "https://quire.example",
    ]));
    assert_eq!(printed.trim(), out.path());
    let bytes = std::fs::read(out.path()).unwrap();
    assert_eq!(&bytes[30..58], b"mimetypeapplication/epub+zip");
    let chapter = epub_entry(&bytes, "EPUB/chapter-001.xhtml");
    assert!(chapter.contains("Alex") && !chapter.contains("Y/N"));
    let preface = epub_entry(&bytes, "EPUB/preface.xhtml");
    assert!(
        preface.contains("https://quire.example/works/1"),
        "{preface}"
    );

    let folder = Scratch::dir("export-folder");
    std::fs::create_dir_all(folder.path()).unwrap();
    let printed = stdout(&quire(&[
        "export",
        "1",
        "--format",
        "txt",
        "-o",
        folder.path(),
        "--data",
        data.path(),
    ]));
    let path = printed.trim();
    assert!(
        path.starts_with(folder.path()) && path.ends_with(".txt"),
        "{path}"
    );
    let name = std::path::Path::new(path)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert!(name.starts_with("orphan_account_"), "{name}");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("Y/N") && text.contains("http://127.0.0.1:8080/works/1"));

    let printed = stdout(&quire(&[
        "export",
        "1",
        "--format",
        "pdf",
        "--paper",
        "letter",
        "-o",
        folder.path(),
        "--data",
        data.path(),
    ]));
    let path = printed.trim();
    assert!(path.ends_with(".pdf"), "{path}");
    let pdf = std::fs::read(path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // US letter, 612 × 792 points, on every page.
    let pdf_text = String::from_utf8_lossy(&pdf);
    let boxes: Vec<&str> = pdf_text
        .match_indices("/MediaBox")
        .map(|(at, _)| pdf_text[at..].split(']').next().unwrap_or(""))
        .collect();
    assert!(!boxes.is_empty(), "no MediaBox");
    for page in boxes {
        assert_eq!(page.replace(' ', ""), "/MediaBox[00612792", "{page}");
    }
}

#[test]
fn export_errors_are_one_line_with_status_2() {
    let data = DataDir::dir("export-errors");
    let out = Scratch(Scratch::at("", "none.html"));
    let missing = quire(&[
        "export",
        "7",
        "--format",
        "html",
        "-o",
        out.path(),
        "--data",
        data.path(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "quire: there is no work 7 in this archive\n"
    );
    let bad_fill = quire(&[
        "export",
        "1",
        "--format",
        "html",
        "--fill",
        "Alex",
        "-o",
        out.path(),
        "--data",
        data.path(),
    ]);
    assert_eq!(bad_fill.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_fill.stderr).contains("Y/N=Alex"));
    let bad_format = quire(&["export", "1", "--format", "mobi", "-o", out.path()]);
    assert_eq!(bad_format.status.code(), Some(2));
}

#[test]
fn the_old_name_of_the_public_url_is_still_read_and_says_so() {
    let data = Scratch::dir("export-old-name");
    stdout(&quire(&[
        "import",
        "--data",
        data.path(),
        &seed_path("003_"),
    ]));
    let out = Scratch(Scratch::at("", "old-name.html"));
    let export = |envs: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["export", "1", "--format", "html", "-o", out.path()])
            .args(["--data", data.path()])
            .env_remove("QUIRE_PUBLIC_URL")
            .env_remove("QUIRE_BASE_URL")
            .envs(envs.iter().copied())
            .output()
            .expect("quire runs")
    };
    let old = export(&[("QUIRE_BASE_URL", "https://old.example")]);
    assert!(old.status.success());
    let said = String::from_utf8_lossy(&old.stderr);
    assert!(said.contains("QUIRE_PUBLIC_URL"), "{said}");
    let html = std::fs::read_to_string(out.path()).unwrap();
    assert!(html.contains("https://old.example/works/1"));

    // The new name wins, and says nothing.
    let both = export(&[
        ("QUIRE_BASE_URL", "https://old.example"),
        ("QUIRE_PUBLIC_URL", "https://new.example"),
    ]);
    assert!(both.status.success() && both.stderr.is_empty());
    let html = std::fs::read_to_string(out.path()).unwrap();
    assert!(html.contains("https://new.example/works/1"));
}
