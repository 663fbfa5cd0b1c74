//! The `quire` command.

mod archive_commands;
mod export_command;
mod import_command;
mod text_commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Where the archive lives: the embedded default, or PostgreSQL.
#[derive(Args, Clone)]
pub struct Location {
    /// The data directory: the embedded archive itself, or, with
    /// `--database`, this server's own files (its search index and kept
    /// downloads), so that servers sharing one database each keep theirs.
    #[arg(long, global = true, env = "QUIRE_DATA", default_value = "quire-data")]
    data: PathBuf,
    /// A PostgreSQL URL (postgres://…) instead of the embedded archive.
    #[arg(long, global = true, env = "QUIRE_DATABASE")]
    database: Option<String>,
    /// Where uploaded pictures and recordings are kept (default: `media`
    /// under the data directory). Servers sharing one PostgreSQL database
    /// keep them in a bucket (`--media-bucket`) or share this directory
    /// (a network filesystem).
    #[arg(
        long = "media-dir",
        global = true,
        env = "QUIRE_MEDIA_DIR",
        value_name = "DIR"
    )]
    media_dir: Option<PathBuf>,
    /// Keep uploads in an S3-compatible bucket instead (`s3://bucket` or
    /// `s3://bucket/prefix`); uploads still arrive in `--media-dir`.
    /// Credentials and region come from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY and AWS_REGION.
    #[arg(
        long = "media-bucket",
        global = true,
        env = "QUIRE_MEDIA_BUCKET",
        value_name = "URL"
    )]
    media_bucket: Option<String>,
    /// The bucket's service, when it isn't Amazon's (MinIO, Garage, R2…):
    /// its address, such as http://127.0.0.1:9000.
    #[arg(
        long = "media-bucket-endpoint",
        global = true,
        env = "QUIRE_MEDIA_BUCKET_ENDPOINT",
        value_name = "URL"
    )]
    media_bucket_endpoint: Option<String>,
}

impl Location {
    /// The bucket uploads are kept in, if one is named.
    fn media_bucket(&self) -> Option<quire_archive::media::BucketSettings> {
        self.media_bucket
            .as_ref()
            .map(|url| quire_archive::media::BucketSettings {
                url: url.clone(),
                endpoint: self.media_bucket_endpoint.clone(),
                ..Default::default()
            })
    }

    /// The directory uploads are kept in (uploads arriving, with a bucket).
    fn media_dir(&self) -> PathBuf {
        self.media_dir
            .clone()
            .unwrap_or_else(|| self.data.join(quire_archive::backup::MEDIA_DIR))
    }
}

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
    /// The sites chapter text may embed players and other frames from, by
    /// host name (repeat, or separate with commas), in place of AO3's
    /// list (YouTube, Vimeo, SoundCloud, archive.org, podfic.com, Spotify,
    /// bilibili and a few more); `none` allows frames from nowhere. Works
    /// already posted keep theirs, but pages load frames only from these.
    #[arg(
        long = "embed-host",
        global = true,
        env = "QUIRE_EMBED_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    embed_hosts: Vec<String>,
}

// One command is parsed once per run: `serve`'s settings being larger than
// the other variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
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
        #[command(flatten)]
        location: Location,
        /// The name the works are posted under when the file doesn't say.
        #[arg(long = "as", value_name = "PSEUD", default_value = "orphan_account")]
        pseud: String,
    },
    /// Serve the archive over HTTP: the website, the JSON API under
    /// /api/v1 and /healthz. The search index follows the archive as it
    /// changes.
    Serve {
        #[command(flatten)]
        location: Location,
        /// Address and port to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the two sample works, three AO3 downloads and 300 generated
        /// works first (once; loading again adds nothing).
        #[arg(long)]
        demo: bool,
        /// How the log on standard error is written: lines for people, or
        /// one JSON object per line for a log collector. QUIRE_LOG (such as
        /// `warn` or `info,quire::access=off`) chooses what is logged.
        #[arg(long, value_enum, env = "QUIRE_LOG_FORMAT", default_value = "text")]
        log_format: archive_commands::LogFormat,
        #[command(flatten)]
        settings: quire_web::Settings,
    },
    /// Write a deterministic AO3-like corpus (works.jsonl) for tests and
    /// benchmarks; `quire import DIR` reads it.
    Corpus {
        /// How many works.
        #[arg(long)]
        works: usize,
        /// The same seed writes the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The directory to write works.jsonl into.
        #[arg(long)]
        out: PathBuf,
        /// Multiply every work's length by this (0 < F <= 1): the same
        /// works, shorter texts, for big corpora on small machines.
        #[arg(long, default_value_t = 1.0, value_name = "F")]
        word_scale: f64,
    },
    /// Rebuild the search index from the archive. A running server keeps
    /// answering from the old index and switches when the new one is whole.
    Reindex {
        #[command(flatten)]
        location: Location,
    },
    /// Copy the running archive to DEST (an empty or new directory), with
    /// a manifest to check it by. For PostgreSQL, prints the pg_dump
    /// command to use instead.
    Backup {
        dest: PathBuf,
        #[command(flatten)]
        location: Location,
    },
    /// Restore a backup into an empty data directory, then build its search
    /// index.
    Restore {
        src: PathBuf,
        #[command(flatten)]
        location: Location,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: archive_commands::UserCommand,
        #[command(flatten)]
        location: Location,
    },
    /// Tag wrangling: canonical tags, synonyms, parents.
    Tag {
        #[command(subcommand)]
        command: archive_commands::TagCommand,
        #[command(flatten)]
        location: Location,
    },
    /// Write a work as a download: EPUB 3, one offline HTML file, plain
    /// text, or PDF, laid out like AO3's (preface with tags and stats,
    /// chapters, end notes).
    Export {
        /// The work's number (as in /works/NUMBER).
        work: i64,
        #[arg(long, value_enum)]
        format: export_command::FormatArg,
        /// Fill a reader-insert placeholder in this copy, e.g. --fill Y/N=Alex.
        #[arg(long = "fill", value_name = "CODE=VALUE")]
        fills: Vec<String>,
        /// A PDF's page size.
        #[arg(long, value_enum, default_value_t = export_command::PaperArg::A5)]
        paper: export_command::PaperArg,
        /// The file to write, or a folder to write Author_Title.EXT into.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        public_url: quire_web::PublicUrl,
        #[command(flatten)]
        location: Location,
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
    if !cli.embed_hosts.is_empty() {
        let hosts = match cli.embed_hosts.as_slice() {
            [none] if none.trim().eq_ignore_ascii_case("none") => &[][..],
            hosts => hosts,
        };
        if let Err(err) = quire_archive::sanitize::choose_embed_hosts(hosts) {
            eprintln!("quire: --embed-host: {err}");
            return ExitCode::from(USAGE_ERROR);
        }
    }
    let result = match cli.command {
        Command::Analyze { path, json } => text_commands::analyze(&path, json),
        Command::Repair { path } => text_commands::repair(&path),
        Command::Render { path, fills } => text_commands::render(&path, &fills),
        Command::Import {
            paths,
            location,
            pseud,
        } => match import_command::run(&paths, &location, &pseud) {
            Ok(import_command::Outcome::AllImported) => Ok(()),
            Ok(import_command::Outcome::SomeFailed) => return ExitCode::from(SOME_FILES_FAILED),
            Err(err) => Err(err),
        },
        Command::Serve {
            location,
            listen,
            demo,
            log_format,
            settings,
        } => archive_commands::serve(
            &location,
            archive_commands::ServeOptions {
                listen,
                demo,
                log_format,
                settings,
            },
        ),
        Command::Corpus {
            works,
            seed,
            out,
            word_scale,
        } => archive_commands::corpus(works, seed, word_scale, &out),
        Command::Reindex { location } => archive_commands::reindex(&location),
        Command::Backup { dest, location } => archive_commands::backup(&location, &dest),
        Command::Restore { src, location } => archive_commands::restore(&location, &src),
        Command::Export {
            work,
            format,
            fills,
            paper,
            output,
            public_url,
            location,
        } => export_command::run(
            &location,
            &export_command::Request {
                work,
                format: format.into(),
                paper: paper.into(),
                fills: &fills,
                base_url: &public_url_of(&public_url),
                output: &output,
            },
        ),
        Command::User { command, location } => archive_commands::user(&location, command),
        Command::Tag { command, location } => archive_commands::tag(&location, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quire: {err:#}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// The address a download links back to; the old name of the setting
/// still works, with a line saying so.
fn public_url_of(public_url: &quire_web::PublicUrl) -> String {
    match public_url.given() {
        Some((url, old_name)) => {
            if old_name {
                eprintln!("quire: {}", quire_web::PublicUrl::OLD_NAME_WARNING);
            }
            url
        }
        None => "http://127.0.0.1:8080".to_string(),
    }
}
