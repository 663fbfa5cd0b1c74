//! The `quire` command.

mod import_command;
mod text_commands;

use std::process::ExitCode;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "A self-hosted archive for fan fiction",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a story and report what quire sees: paragraphs, scene breaks,
    /// notes, reader-insert placeholders, repairs and counts.
    Analyze {
        /// A file, or - for standard input.
        path: String,
        /// Print the full analysis as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a story with only its encoding repaired (mojibake such as
    /// `na√Øve` → `naïve`); every other byte stays as it was.
    Repair {
        /// A file, or - for standard input.
        path: String,
    },
    /// Import works from files or folders (.txt, .html): repaired, split into
    /// notes and story, and stored. The same file imported again adds nothing.
    Import {
        /// Files, or folders to import every .txt, .html and .htm file under.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The data directory of the embedded archive.
        #[arg(
            long,
            env = "QUIRE_DATA",
            default_value = "quire-data",
            conflicts_with = "database"
        )]
        data: PathBuf,
        /// A PostgreSQL URL (postgres://…) instead of the embedded archive.
        #[arg(long, env = "QUIRE_DATABASE")]
        database: Option<String>,
        /// The name the works are posted under.
        #[arg(long = "as", value_name = "PSEUD", default_value = "orphan_account")]
        pseud: String,
    },
    /// Print the repaired story: paragraphs separated by a blank line, scene
    /// breaks as `* * *`, reader-insert placeholders filled.
    Render {
        /// A file, or - for standard input.
        path: String,
        /// Fill a placeholder, e.g. --fill Y/N=Alex --fill E/C=green.
        #[arg(long = "fill", value_name = "CODE=VALUE")]
        fills: Vec<String>,
    },
}

/// Exit status for bad arguments and unreadable input.
const USAGE_ERROR: u8 = 2;
/// Exit status of an import in which some files failed (the rest imported).
const SOME_FILES_FAILED: u8 = 1;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            // One line: what was wrong (clap's first paragraph, folded);
            // `--help` says the rest.
            let rendered = err.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect();
            let first = first.join(" ");
            let first = first.trim_start_matches("error: ");
            eprintln!("quire: {first} (see quire --help)");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let result = match cli.command {
        Command::Analyze { path, json } => text_commands::analyze(&path, json),
        Command::Repair { path } => text_commands::repair(&path),
        Command::Render { path, fills } => text_commands::render(&path, &fills),
        Command::Import {
            paths,
            data,
            database,
            pseud,
        } => match import_command::run(&paths, &data, database.as_deref(), &pseud) {
            Ok(import_command::Outcome::AllImported) => Ok(()),
            Ok(import_command::Outcome::SomeFailed) => return ExitCode::from(SOME_FILES_FAILED),
            Err(err) => Err(err),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quire: {err:#}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}
