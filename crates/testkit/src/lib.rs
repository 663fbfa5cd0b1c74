//! What quire's tests share, for every crate's tests alike: the seed
//! stories and the fan-written evaluation texts in `../shared/` beside the
//! repository. They are read by path and never copied in (see
//! `../shared/eval/README`), so a checkout without them fails here, saying
//! what to do. And, with the `postgres` feature, `postgres`: a database
//! of a test's own on the PostgreSQL server a run tests on.

use std::path::PathBuf;

#[cfg(feature = "site")]
pub mod bucket;

/// `milliseconds` of a 440 Hz tone as 8 kHz, 16-bit mono WAV: a podfic
/// for the upload tests, which browsers play.
pub fn tone_wav(milliseconds: u32) -> Vec<u8> {
    let rate = 8_000u32;
    let samples = rate * milliseconds / 1_000;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples * 2).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples * 2).to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let sample = ((t * 440.0 * std::f64::consts::TAU).sin() * 8_000.0) as i16;
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "site")]
pub mod site;
#[cfg(feature = "smtp")]
pub mod smtp;

/// `../shared/` beside the repository.
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.join("seeds").is_dir(),
        "{} is missing: clone the repository beside shared/",
        dir.display()
    );
    dir
}

/// The seed stories (`../shared/seeds/*.txt`), in name order.
pub fn seed_paths() -> Vec<PathBuf> {
    let seeds = shared_dir().join("seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap_or_else(|e| panic!("{}: {e}", seeds.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
}

/// The folder of the seed stories.
pub fn seeds_dir() -> PathBuf {
    shared_dir().join("seeds")
}

/// The seed whose file name starts with `prefix` (`"000_"`, `"003_"`).
pub fn seed_path(prefix: &str) -> PathBuf {
    seed_paths()
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| {
            panic!(
                "no seed starting with {prefix} in {}",
                seeds_dir().display()
            )
        })
}

/// A seed's bytes, as they arrive.
pub fn seed_bytes(prefix: &str) -> Vec<u8> {
    let path = seed_path(prefix);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of `../shared/eval/NAME` (a `.jsonl` file), parsed.
pub fn eval_lines(name: &str) -> Vec<serde_json::Value> {
    let path = shared_dir().join("eval").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; ../shared/eval is beside the repository",
                path.display()
            )
        })
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// The five AO3 works of `ao3-works-dev.jsonl`: id and HTML body.
pub fn ao3_works() -> Vec<(String, String)> {
    eval_lines("ao3-works-dev.jsonl")
        .into_iter()
        .map(|work| {
            let text = |key: &str| {
                work[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("ao3-works-dev.jsonl: a line without {key}"))
                    .to_string()
            };
            (text("work_id"), text("text"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_and_the_ao3_works_are_found() {
        assert!(seed_paths().len() >= 2);
        assert!(seed_path("003_").ends_with(seed_path("003_").file_name().unwrap()));
        assert!(!seed_bytes("000_").is_empty());
        assert_eq!(ao3_works().len(), 5);
    }
}
