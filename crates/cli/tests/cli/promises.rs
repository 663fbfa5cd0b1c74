//! The documents that make promises name the tests that keep them: a
//! test renamed or deleted must not leave a promise pointing at nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `fn NAME` in the Rust sources under `dir`.
fn functions_under(dir: &Path, found: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "corpus" && name != "artifacts" {
                functions_under(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for piece in text.split("fn ").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
}

/// The names in backticks that read as a test's: lower case words joined
/// by at least three underscores, perhaps cut short with `…`.
fn named_tests(text: &str) -> Vec<(String, bool)> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|quoted| {
            let (name, cut) = match quoted.strip_suffix('…') {
                Some(name) => (name, true),
                None => (quoted, false),
            };
            let looks_like_a_test = name.matches('_').count() >= 3
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            looks_like_a_test.then(|| (name.to_string(), cut))
        })
        .collect()
}

#[test]
fn every_test_a_promise_names_exists() {
    let root = repository();
    let mut functions = BTreeSet::new();
    for dir in ["crates", "fuzz", "bench"] {
        functions_under(&root.join(dir), &mut functions);
    }
    assert!(
        functions.len() > 1000,
        "found {} functions",
        functions.len()
    );
    let mut missing = Vec::new();
    let mut named = 0;
    for doc in [
        "README.md",
        "SECURITY.md",
        "bench/RESULTS.md",
        "crates/text/README.md",
    ] {
        let text = std::fs::read_to_string(root.join(doc)).expect("the document reads");
        for (name, cut) in named_tests(&text) {
            named += 1;
            let exists = if cut {
                functions.iter().any(|f| f.starts_with(&name))
            } else {
                functions.contains(&name)
            };
            if !exists {
                missing.push(format!("{doc}: `{name}`"));
            }
        }
    }
    assert!(named > 100, "the documents name {named} tests");
    assert!(missing.is_empty(), "named but not found: {missing:#?}");
}

#[test]
fn a_test_name_is_told_from_other_words() {
    let names =
        named_tests("`a_kept_page_carries…`, `--fill`, `quire serve`, `x_y`, `one_two_three_four`");
    assert_eq!(
        names,
        vec![
            ("a_kept_page_carries".to_string(), true),
            ("one_two_three_four".to_string(), false)
        ]
    );
}
