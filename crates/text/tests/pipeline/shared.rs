//! Reading the material in `../shared/` beside the repository, by path.

use std::path::PathBuf;

pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.join("seeds").is_dir(),
        "{} is missing: clone the repository beside shared/",
        dir.display()
    );
    dir
}

pub fn seed(prefix: &str) -> Vec<u8> {
    let seeds = shared_dir().join("seeds");
    let entry = std::fs::read_dir(&seeds)
        .expect("seeds directory is readable")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed starting with {prefix} in {}", seeds.display()));
    std::fs::read(entry.path()).expect("seed is readable")
}

/// Every word of a manuscript against every word of its repaired input.
pub fn assert_lossless(input: &[u8]) {
    let decoded = quire_text::decode::decode(input).expect("decodes");
    // Control characters are not text: analyze removes them first.
    let repaired = quire_text::repair::repair(&quire_text::without_controls(&decoded.text));
    let manuscript = quire_text::analyze(input).expect("analyzes");
    if let Err(lost) = quire_text::lossless::check(&manuscript, &repaired.text) {
        panic!("{lost}");
    }
}
