//! Commands that work on the archive: `serve`, `reindex`, `corpus`, `user`, `tag`.

use std::io::Read;

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use quire_archive::model::TagKind;
use quire_archive::search::SearchIndex;
use quire_archive::{Archive, Roles};

use crate::Location;

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Opens the archive a command names, creating the embedded one if needed.
pub async fn open_archive(location: &Location) -> Result<Archive> {
    match &location.database {
        Some(url) => Archive::open(url)
            .await
            .context("cannot open the database given by --database"),
        None => {
            std::fs::create_dir_all(&location.data).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    location.data.display()
                )
            })?;
            Archive::open_data_dir(&location.data)
                .await
                .with_context(|| format!("cannot open the archive in {}", location.data.display()))
        }
    }
}

/// What `serve --demo` loads: the two raw samples every fan archive meets
/// (one run-on line, mojibake, reader-insert placeholders, trailing notes),
/// and works of our own writing in AO3's download layouts, the same files
/// the import tests read.
const DEMO_WORKS: &[(&str, &[u8])] = &[
    ("seed-000.txt", include_bytes!("../demo/seed-000.txt")),
    ("seed-003.txt", include_bytes!("../demo/seed-003.txt")),
    (
        "ao3-current.html",
        include_bytes!("../../archive/tests/data/ao3-current.html"),
    ),
    (
        "ao3-2020.html",
        include_bytes!("../../archive/tests/data/ao3-2020.html"),
    ),
    (
        "ao3-oneshot.html",
        include_bytes!("../../archive/tests/data/ao3-oneshot.html"),
    ),
];

async fn load_demo(archive: &Archive) -> Result<Vec<quire_archive::WorkId>> {
    let pseud = archive.ensure_unowned_pseud("demo").await?;
    let mut ids = Vec::new();
    for (name, bytes) in DEMO_WORKS {
        let imported = archive
            .import_file(pseud, std::path::Path::new(name), bytes)
            .await
            .with_context(|| format!("cannot load the demo work {name}"))?;
        ids.push(match imported {
            quire_archive::Imported::Posted(id) | quire_archive::Imported::AlreadyThere(id) => id,
        });
    }
    // A small generated archive around them, so lists, filters and facets
    // have something to show. The same seed makes the same works, so a
    // second start adds nothing.
    let lines: Vec<u8> = quire_archive::corpus::generate(DEMO_CORPUS_WORKS, 1)
        .map(|work| serde_json::to_string(&work).map(|line| line + "\n"))
        .collect::<Result<String, _>>()
        .context("cannot write the demo corpus")?
        .into_bytes();
    let prepared: Vec<_> = quire_archive::import::prepare_lines(&lines)
        .into_iter()
        .filter_map(|(_, prepared)| prepared.ok())
        .collect();
    let batch: Vec<&quire_archive::import::Prepared> = prepared.iter().collect();
    for stored in archive
        .import_batch(pseud, &batch)
        .await
        .context("cannot load the demo corpus")?
    {
        stored.context("cannot load a demo corpus work")?;
    }
    Ok(ids)
}

const DEMO_CORPUS_WORKS: usize = 300;

/// How `quire serve` writes its log.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub struct ServeOptions {
    pub listen: String,
    pub demo: bool,
    pub log_format: LogFormat,
    pub settings: quire_web::Settings,
}

/// Logs go to standard error, filtered by QUIRE_LOG (default `info`: a line
/// per request, and every warning and error).
fn start_log(format: LogFormat) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QUIRE_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_new("info"))
        .context("QUIRE_LOG is not a log filter (try `info` or `warn`)")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|err| anyhow::anyhow!("cannot start the log: {err}"))
}

pub fn serve(location: &Location, options: ServeOptions) -> Result<()> {
    let ServeOptions {
        listen,
        demo,
        log_format,
        mut settings,
    } = options;
    settings.data_dir = location.data.clone();
    settings.media_dir = location.media_dir();
    settings.media_bucket = location.media_bucket();
    start_log(log_format)?;
    runtime()?.block_on(async {
        let archive = open_archive(location).await?;
        let demo_works = if demo {
            let works = load_demo(&archive).await?;
            // The address is printed once the demo can be searched: a
            // newcomer who opens it at once finds its works listed.
            open_search(&archive, location)
                .await?
                .catch_up()
                .await
                .context("cannot index the demo's works")?;
            works
        } else {
            Vec::new()
        };
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}; is another server using it? Try --listen 127.0.0.1:0"))?;
        let address = listener.local_addr()?;
        let shutdown = shutdown_signal()?;
        // Scripts and tests read the address from this line.
        println!("quire is listening on http://{address}");
        for id in demo_works {
            println!("  demo work: http://{address}/works/{id}");
        }
        let served = quire_web::serve(archive.clone(), settings, listener, shutdown).await;
        archive.close().await;
        Ok(served?)
    })
}

/// The search index beside the archive's data (each node keeps its own).
async fn open_search(archive: &Archive, location: &Location) -> Result<SearchIndex> {
    std::fs::create_dir_all(&location.data).with_context(|| {
        format!(
            "cannot create the data directory {}",
            location.data.display()
        )
    })?;
    SearchIndex::open(archive.clone(), &location.data)
        .await
        .with_context(|| {
            format!(
                "cannot open the search index under {}",
                location.data.display()
            )
        })
}

pub fn reindex(location: &Location) -> Result<()> {
    runtime()?.block_on(async {
        let archive = open_archive(location).await?;
        let search = open_search(&archive, location).await?;
        let started = std::time::Instant::now();
        let progress = search
            .rebuild()
            .await
            .context("cannot rebuild the search index")?;
        println!(
            "indexed {} works in {:.1} s (up to change {})",
            progress.works,
            started.elapsed().as_secs_f64(),
            progress.seq
        );
        archive.close().await;
        Ok(())
    })
}

pub fn backup(location: &Location, dest: &std::path::Path) -> Result<()> {
    if let Some(url) = &location.database {
        anyhow::bail!(
            "quire backup copies the embedded SQLite archive; a PostgreSQL archive is backed up \
             with PostgreSQL's own tool:\n  pg_dump --format=custom --file {}/quire.pgdump '{url}'\n\
             and restored with pg_restore --dbname '<empty database URL>' {}/quire.pgdump\n\
             (copy the uploads in {} beside it: cp -a {} {}/media)",
            dest.display(),
            dest.display(),
            location.media_dir().display(),
            location.media_dir().display(),
            dest.display()
        );
    }
    runtime()?.block_on(async {
        let archive = open_archive(location).await?;
        let manifest = archive
            .backup_to(
                dest,
                &quire_archive::media::MediaStore::new(location.media_dir()),
            )
            .await
            .with_context(|| format!("cannot back up into {}", dest.display()))?;
        archive.close().await;
        if let Some(bucket) = location.media_bucket() {
            println!(
                "uploads stay in the bucket {}: back it up with its service's own means \
                 (versioning, replication)",
                bucket.url
            );
        }
        println!(
            "backed up {} works ({} bytes, sha256 {}) to {}",
            manifest.rows.get("works").copied().unwrap_or(0),
            manifest.bytes,
            manifest.sha256,
            dest.display()
        );
        Ok(())
    })
}

pub fn restore(location: &Location, src: &std::path::Path) -> Result<()> {
    if location.database.is_some() {
        anyhow::bail!(
            "quire restore fills an embedded data directory (--data); restore a PostgreSQL \
             archive with pg_restore from the pg_dump file"
        );
    }
    runtime()?.block_on(async {
        let (archive, manifest) = Archive::restore_data_dir(src, &location.data)
            .await
            .with_context(|| format!("cannot restore {}", src.display()))?;
        let search = open_search(&archive, location).await?;
        let progress = search
            .rebuild()
            .await
            .context("restored, but the search index could not be built; run quire reindex")?;
        archive.close().await;
        println!(
            "restored {} works from {} into {}; search index built ({} works)",
            manifest.rows.get("works").copied().unwrap_or(0),
            src.display(),
            location.data.display(),
            progress.works
        );
        Ok(())
    })
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is
/// called, before the server says it is listening, so a stop sent right
/// after that line is a clean stop rather than the default kill.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("cannot listen for Ctrl-C")?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Writes `works.jsonl`, a work per line, as it is generated.
pub fn corpus(works: usize, seed: u64, word_scale: f64, out: &std::path::Path) -> Result<()> {
    if !(word_scale > 0.0 && word_scale <= 1.0) {
        bail!("--word-scale {word_scale} is out of range: give a number above 0 and at most 1");
    }
    use std::io::Write;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = out.join("works.jsonl");
    let file =
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    for work in quire_archive::corpus::generate_scaled(works, seed, word_scale) {
        serde_json::to_writer(&mut writer, &work)?;
        writer.write_all(b"\n")?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {works} works to {}", path.display());
    Ok(())
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        email: String,
        /// Read the password from standard input (it never goes on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        wrangler: bool,
    },
    /// Make a personal access token for the JSON API and print it (only
    /// its hash is kept). Accounts make their own on the account page.
    Token {
        /// The account's login.
        login: String,
        /// What will use it, to know which to revoke later.
        #[arg(long)]
        name: String,
        /// `read`, or `write` to post and react too.
        #[arg(long, default_value = "read")]
        scope: String,
    },
    /// Set an account's password, read from standard input, for someone
    /// locked out; every session of the account ends.
    Password {
        /// The account's login.
        login: String,
        /// Read the password from standard input (it never goes on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Change an account's email address.
    Email {
        /// The account's login.
        login: String,
        /// The new address.
        email: String,
    },
}

/// The account `login` names, or an error that says how to make one.
async fn account(archive: &quire_archive::Archive, login: &str) -> Result<quire_archive::UserId> {
    archive
        .user_id_of(login)
        .await?
        .ok_or_else(|| anyhow!("there is no account `{login}`; make it with `quire user add`"))
}

/// A password from standard input, without its line ending.
fn password_from_stdin() -> Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    Ok(password.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn user(location: &Location, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            email,
            password_stdin: _,
            admin,
            wrangler,
        } => {
            let password = password_from_stdin()?;
            runtime()?.block_on(async {
                let archive = open_archive(location).await?;
                let user = archive
                    .add_user(&name, &email, &password, Roles { wrangler, admin })
                    .await?;
                println!("created user {} (id {})", user.login, user.id);
                archive.close().await;
                Ok(())
            })
        }
        UserCommand::Token { login, name, scope } => {
            let scope = quire_archive::tokens::Scope::from_name(&scope)
                .ok_or_else(|| anyhow!("`{scope}` is not a scope; use read or write"))?;
            runtime()?.block_on(async {
                let archive = open_archive(location).await?;
                let user = account(&archive, &login).await?;
                let (_, secret) = archive.create_api_token(user, &name, scope).await?;
                // Alone on standard output, for `TOKEN=$(quire user token …)`.
                println!("{secret}");
                archive.close().await;
                Ok(())
            })
        }
        UserCommand::Password {
            login,
            password_stdin: _,
        } => {
            let password = password_from_stdin()?;
            runtime()?.block_on(async {
                let archive = open_archive(location).await?;
                let user = account(&archive, &login).await?;
                archive.reset_password(user, &password).await?;
                println!("set a new password for {login}; every session of the account has ended");
                archive.close().await;
                Ok(())
            })
        }
        UserCommand::Email { login, email } => runtime()?.block_on(async {
            let archive = open_archive(location).await?;
            let user = account(&archive, &login).await?;
            archive.set_email(user, &email).await?;
            println!("{login}'s email address is now {}", email.trim());
            archive.close().await;
            Ok(())
        }),
    }
}

fn kind(code: &str) -> Result<TagKind> {
    TagKind::from_code(code).ok_or_else(|| {
        anyhow!(
            "`{code}` is not a tag kind; use one of: {}",
            TagKind::ALL.map(|k| k.code()).join(", ")
        )
    })
}

#[derive(Subcommand)]
pub enum TagCommand {
    /// Show a tag: canonical or not, its synonyms, parents and sub-tags.
    Show { kind: String, name: String },
    /// Make a tag canonical.
    Canonical { kind: String, name: String },
    /// Merge a tag into a canonical tag as its synonym.
    Synonym {
        kind: String,
        name: String,
        #[arg(long = "of", value_name = "CANONICAL")]
        canonical: String,
    },
    /// Give a tag a parent: a meta-tag of its kind, or (with --fandom) its fandom.
    Parent {
        kind: String,
        name: String,
        #[arg(long = "to", value_name = "PARENT")]
        parent: String,
        /// The parent is a fandom.
        #[arg(long)]
        fandom: bool,
    },
}

pub fn tag(location: &Location, command: TagCommand) -> Result<()> {
    runtime()?.block_on(async {
        let archive = open_archive(location).await?;
        match command {
            TagCommand::Show { kind: k, name } => {
                let Some(info) = archive.tag(kind(&k)?, &name).await? else {
                    bail!("there is no {k} tag named `{name}`");
                };
                println!("{} ({})", info.name, info.kind.label());
                if let Some(canonical) = &info.synonym_of {
                    println!("  synonym of: {canonical}");
                } else {
                    println!("  canonical: {}", if info.canonical { "yes" } else { "no" });
                }
                for (label, names) in [
                    ("synonyms", &info.synonyms),
                    ("parents", &info.parents),
                    ("sub-tags", &info.children),
                ] {
                    if !names.is_empty() {
                        println!("  {label}: {}", names.join(", "));
                    }
                }
            }
            TagCommand::Canonical { kind: k, name } => {
                archive.make_canonical(kind(&k)?, &name).await?;
                println!("`{name}` is canonical");
            }
            TagCommand::Synonym {
                kind: k,
                name,
                canonical,
            } => {
                archive
                    .merge_as_synonym(kind(&k)?, &name, &canonical)
                    .await?;
                println!("`{name}` is now a synonym of `{canonical}`");
            }
            TagCommand::Parent {
                kind: k,
                name,
                parent,
                fandom,
            } => {
                let child_kind = kind(&k)?;
                let parent_kind = if fandom { TagKind::Fandom } else { child_kind };
                archive
                    .add_parent(child_kind, &name, parent_kind, &parent)
                    .await?;
                println!("`{parent}` is now a parent of `{name}`");
            }
        }
        archive.close().await;
        Ok(())
    })
}
