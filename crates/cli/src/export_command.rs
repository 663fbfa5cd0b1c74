//! `quire export`: one work as an EPUB, HTML, text or PDF file.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use quire_export::{Format, Paper};

use crate::archive_commands::{open_archive, runtime};
use crate::Location;

/// The formats as the command line names them.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Epub,
    Html,
    Txt,
    Pdf,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Epub => Format::Epub,
            FormatArg::Html => Format::Html,
            FormatArg::Txt => Format::Txt,
            FormatArg::Pdf => Format::Pdf,
        }
    }
}

/// A PDF's page size as the command line names it.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PaperArg {
    A5,
    Letter,
}

impl From<PaperArg> for Paper {
    fn from(paper: PaperArg) -> Paper {
        match paper {
            PaperArg::A5 => Paper::A5,
            PaperArg::Letter => Paper::Letter,
        }
    }
}

pub struct Request<'a> {
    pub work: i64,
    pub format: Format,
    pub paper: Paper,
    pub fills: &'a [String],
    pub base_url: &'a str,
    pub output: &'a Path,
}

/// Writes the work's download to `output` (a file, or a folder to put it
/// in under AO3's `Author_Title.ext` name) and prints where it went.
pub fn run(location: &Location, request: &Request<'_>) -> Result<()> {
    let mut fill = quire_text::FillProfile::new();
    for pair in request.fills {
        fill.set_pair(pair)
            .map_err(|err| anyhow!("--fill {pair}: {err}"))?;
    }
    let options = quire_export::Options::new(request.base_url)
        .context("--base-url")?
        .with_fill(fill)
        .with_paper(request.paper);
    let work = runtime()?.block_on(async {
        let archive = open_archive(location).await?;
        let work = archive.work(request.work).await;
        archive.close().await;
        work.context("cannot read the work from the archive")
    })?;
    let work = work.ok_or_else(|| anyhow!("there is no work {} in this archive", request.work))?;
    let bytes = quire_export::export(&work, request.format, &options)?;
    let path: PathBuf = if request.output.is_dir() {
        request
            .output
            .join(quire_export::file_name(&work, request.format.extension()))
    } else {
        request.output.to_path_buf()
    };
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}
