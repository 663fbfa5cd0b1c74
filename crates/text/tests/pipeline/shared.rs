//! Reading the material in `../shared/` beside the repository, by path.

pub use quire_testkit::seed_bytes as seed;

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
