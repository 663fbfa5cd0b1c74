//! `quire analyze`, `repair` and `render` as a person runs them, and the
//! one-line errors of a missing file, a binary file, a directory or bad
//! arguments.

use crate::support::{
    assert_one_line_error, json, quire, quire_with_stdin, seed_path, stdout, TempFile,
};

#[test]
fn analyze_json_has_the_documented_shape() {
    let value = json(&quire(&["analyze", &seed_path("003_"), "--json"]));
    assert!(value["title"].is_null());
    let paragraphs = value["paragraphs"].as_array().unwrap();
    assert!(paragraphs.len() >= 10);
    let breaks = value["scene_breaks"].as_array().unwrap();
    assert_eq!(breaks.len(), 1);
    let skip = breaks[0].as_u64().unwrap() as usize;
    assert!(paragraphs[skip]
        .as_str()
        .unwrap()
        .starts_with("(6 months later)"));
    assert_eq!(value["notes"]["start"], "");
    assert!(value["notes"]["end"]
        .as_str()
        .unwrap()
        .contains("theaidenellis.tumblr.com"));
    assert_eq!(value["placeholders"][0]["code"], "Y/N");
    assert_eq!(value["placeholders"][0]["count"], 7);
    assert_eq!(value["reader_insert"], true);
    assert_eq!(value["repairs"].as_array().unwrap().len(), 0);
    assert!(value["word_count"].as_u64().unwrap() > 800);
    assert_eq!(
        value["counts"]["ao3_words"], 945,
        "Y/N, E/C, H/C are two words each on AO3"
    );
    assert_eq!(value["encoding"], "utf-8");
    assert_eq!(value["format"], "text");
}

#[test]
fn analyze_json_reports_repairs_with_byte_spans() {
    let path = seed_path("000_");
    let raw = std::fs::read(&path).unwrap();
    let value = json(&quire(&["analyze", &path, "--json"]));
    let repair = &value["repairs"][0];
    assert_eq!(repair["before"], "√Ø");
    assert_eq!(repair["after"], "ï");
    assert_eq!(repair["encoding"], "macintosh");
    let (start, end) = (
        repair["start"].as_u64().unwrap() as usize,
        repair["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&raw[start..end], "√Ø".as_bytes());
}

#[test]
fn analyze_json_suggests_warnings_with_evidence() {
    let value = json(&quire(&["analyze", &seed_path("000_"), "--json"]));
    let signals = &value["signals"];
    assert_eq!(signals["rating"], "Mature");
    assert_eq!(
        signals["warnings"][0]["warning"],
        "Graphic Depictions Of Violence"
    );
    let notes = signals["notes"].as_array().unwrap();
    let violence = notes
        .iter()
        .find(|n| n["name"] == "violence")
        .expect("a violence note");
    let confidence = violence["confidence"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&confidence), "{confidence}");
    assert_eq!(
        confidence,
        (confidence * 100.0).round() / 100.0,
        "hundredths"
    );
    assert!(violence["passages"].as_u64().unwrap() >= 3);
    // Evidence offsets are into the paragraphs joined by a blank line.
    let joined = value["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n\n");
    let evidence = violence["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty());
    for e in evidence {
        let (start, end) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(joined[start..end], *e["text"].as_str().unwrap());
    }
    assert!(evidence
        .iter()
        .any(|e| e["text"].as_str().unwrap().contains("killed children")));
    assert!(notes.iter().any(|n| n["name"] == "child-harm"));
}

#[test]
fn analyze_without_json_is_a_short_summary() {
    let text = stdout(&quire(&["analyze", &seed_path("003_")]));
    assert!(text.lines().count() < 15, "{text}");
    assert!(text.contains("words"));
    assert!(text.contains("Y/N ×7"));
    assert!(
        text.contains("suggested from the text: at least Teen And Up Audiences"),
        "{text}"
    );
    assert!(text.contains("abuse-emotional ("), "{text}");
}

#[test]
fn repair_changes_only_the_mojibake() {
    let path = seed_path("000_");
    let raw = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    let repaired = stdout(&quire(&["repair", &path]));
    assert_eq!(repaired, raw.replace("√Ø", "ï"));
}

#[test]
fn repair_reads_standard_input() {
    let output = quire_with_stdin(&["repair", "-"], "caf√© ‚Äúok‚Äù\r\n".as_bytes());
    assert_eq!(stdout(&output), "café “ok”\r\n");
}

#[test]
fn render_fills_placeholders() {
    let text = stdout(&quire(&[
        "render",
        &seed_path("003_"),
        "--fill",
        "Y/N=Alex",
        "--fill",
        "E/C=green",
        "--fill",
        "H/C=brown",
    ]));
    for code in ["Y/N", "E/C", "H/C"] {
        assert!(!text.contains(code), "{code} remains");
    }
    assert!(text.contains("\"I love you, Alex.\""));
    assert!(text.contains("\n\n* * *\n\n(6 months later) Kylo dreams of you."));
    assert!(text.ends_with("Notes: the-imagines-awaken.tumblr.com theaidenellis.tumblr.com\n"));
}

#[test]
fn a_missing_file_is_named() {
    let output = quire(&["analyze", "/no/such/story.txt"]);
    assert_one_line_error(&output, "/no/such/story.txt: no such file");
}

#[test]
fn a_binary_file_is_refused_by_name() {
    let file = TempFile::new("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    for command in ["analyze", "repair", "render"] {
        let output = quire(&[command, file.path()]);
        assert_one_line_error(&output, file.path());
        assert!(String::from_utf8_lossy(&output.stderr).contains("binary"));
    }
}

#[test]
fn a_directory_is_not_a_story() {
    let output = quire(&["analyze", env!("CARGO_MANIFEST_DIR")]);
    assert_one_line_error(&output, "directory");
}

#[test]
fn bad_arguments_are_one_line() {
    assert_one_line_error(&quire(&["analyze"]), "PATH");
    assert_one_line_error(&quire(&["analyze", "x", "--jsn"]), "--jsn");
    assert_one_line_error(&quire(&["frobnicate"]), "frobnicate");
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Alex"]),
        "Y/N=Alex",
    );
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Q/Q=x"]),
        "Q/Q",
    );
    // The command line takes the same short names as every other way in.
    let long = format!("Y/N={}", "A".repeat(quire_text::insert::MAX_FILL_CHARS + 1));
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", &long]),
        "at most 40",
    );
    assert_one_line_error(
        &quire(&["render", &seed_path("003_"), "--fill", "Y/N=A\u{1b}[31m"]),
        "control character",
    );
}

#[test]
fn help_still_works() {
    let output = quire(&["--help"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("analyze"));
}
