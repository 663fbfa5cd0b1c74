//! `quire import`: files and folders into the archive, one bad file never
//! stopping the rest.

use std::path::PathBuf;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use quire_archive::{import, Imported};

use crate::archive_commands::open_archive;
use crate::text_commands::describe_io;
use crate::Location;

pub enum Outcome {
    AllImported,
    SomeFailed,
}

/// Corpus lines stored per transaction: large enough that a million
/// works import in minutes, small enough that a retry after a failure is
/// cheap.
const CORPUS_BATCH: usize = 500;

/// More files than this get a progress bar.
const PROGRESS_FROM: usize = 5;

pub fn run(paths: &[PathBuf], location: &Location, pseud: &str) -> Result<Outcome> {
    crate::archive_commands::runtime()?.block_on(import_all(paths, location, pseud))
}

async fn import_all(paths: &[PathBuf], location: &Location, pseud: &str) -> Result<Outcome> {
    let archive = open_archive(location).await?;
    let pseud_id = archive.ensure_unowned_pseud(pseud).await?;

    let mut failed = 0usize;
    let mut files = Vec::new();
    for path in paths {
        match import::files_under(path) {
            Ok(found) => files.extend(found),
            Err(err) => {
                eprintln!("quire: {}: {}", path.display(), describe_io(&err));
                failed += 1;
            }
        }
    }

    let progress = if files.len() >= PROGRESS_FROM {
        let bar = ProgressBar::new(files.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };

    let mut tally = Tally {
        failed,
        ..Tally::default()
    };
    for file in &files {
        progress.set_message(file.display().to_string());
        // A corpus file holds a work per line; anything else is one work.
        let is_corpus = file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        if is_corpus {
            import_corpus(&archive, pseud_id, file, &mut tally, &progress).await;
        } else {
            let result = import_one(&archive, pseud_id, file).await;
            tally.record(&file.display().to_string(), result, &progress);
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    archive.close().await;

    let Tally {
        posted,
        already,
        failed,
    } = tally;
    println!(
        "imported {posted} {}, {already} already there, {failed} failed",
        if posted == 1 { "work" } else { "works" }
    );
    Ok(if failed == 0 {
        Outcome::AllImported
    } else {
        Outcome::SomeFailed
    })
}

/// One file as one work. Its size is checked before it is read, so a huge
/// file costs nothing but the refusal.
async fn import_one(
    archive: &quire_archive::Archive,
    pseud: quire_archive::PseudId,
    file: &std::path::Path,
) -> Result<Imported, String> {
    let size = std::fs::metadata(file)
        .map_err(|err| describe_io(&err))?
        .len();
    import::check_size(size).map_err(|err| err.to_string())?;
    let bytes = std::fs::read(file).map_err(|err| describe_io(&err))?;
    archive
        .import_file(pseud, file, &bytes)
        .await
        .map_err(|e| e.to_string())
}

/// What an import did, counted as it goes.
#[derive(Default)]
struct Tally {
    posted: usize,
    already: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, place: &str, result: Result<Imported, String>, progress: &ProgressBar) {
        match result {
            Ok(Imported::Posted(_)) => self.posted += 1,
            Ok(Imported::AlreadyThere(_)) => self.already += 1,
            Err(reason) => {
                progress.suspend(|| eprintln!("quire: {place}: {reason}"));
                self.failed += 1;
            }
        }
    }
}

/// A corpus, a batch of lines at a time: memory holds one batch, whatever
/// the file's size.
async fn import_corpus(
    archive: &quire_archive::Archive,
    pseud: quire_archive::PseudId,
    file: &std::path::Path,
    tally: &mut Tally,
    progress: &ProgressBar,
) {
    let place = file.display().to_string();
    let opened = match std::fs::File::open(file) {
        Ok(opened) => opened,
        Err(err) => return tally.record(&place, Err(describe_io(&err)), progress),
    };
    let mut lines = import::CorpusLines::new(std::io::BufReader::new(opened));
    loop {
        let chunk: Vec<_> = lines.by_ref().take(CORPUS_BATCH).collect();
        if chunk.is_empty() {
            break;
        }
        for (line, result) in import_corpus_chunk(archive, pseud, &chunk).await {
            tally.record(&format!("{place}:{line}"), result, progress);
        }
    }
}

type LineResult = (usize, Result<Imported, String>);

/// One batch of corpus lines in one transaction; if the database refuses
/// the batch, line by line, so one bad line costs only itself.
async fn import_corpus_chunk(
    archive: &quire_archive::Archive,
    pseud: quire_archive::PseudId,
    chunk: &[(usize, Result<import::Prepared, import::ImportError>)],
) -> Vec<LineResult> {
    let mut results: Vec<LineResult> = Vec::with_capacity(chunk.len());
    let mut ready = Vec::new();
    let mut ready_lines = Vec::new();
    for (line, prepared) in chunk {
        match prepared {
            Ok(prepared) => {
                ready.push(prepared);
                ready_lines.push(*line);
            }
            Err(err) => results.push((*line, Err(err.to_string()))),
        }
    }
    match archive.import_batch(pseud, &ready).await {
        Ok(stored) => results.extend(
            ready_lines
                .into_iter()
                .zip(stored.into_iter().map(|r| r.map_err(|e| e.to_string()))),
        ),
        Err(_) => {
            for (line, prepared) in ready_lines.into_iter().zip(&ready) {
                let result = archive
                    .import_prepared(pseud, prepared)
                    .await
                    .map_err(|e| e.to_string());
                results.push((line, result));
            }
        }
    }
    results.sort_by_key(|(line, _)| *line);
    results
}
