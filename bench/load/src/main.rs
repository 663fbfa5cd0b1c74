//! quire-load: a mixed load and fault checks against a running
//! `quire serve`, over loopback only.
//!
//!   quire-load mixed     --base URL --accounts a:pw,b:pw --journal FILE
//!                        [--connections 64] [--duration 60] [--works-per-account 2]
//!   quire-load verify    --db DATA/quire.sqlite --journal FILE
//!   quire-load stream    --base URL --accounts … --journal FILE [--threads 4]
//!                        [--duration 60] [--chapters 3] [--round N]
//!   quire-load check-stream --base URL --journal FILE [--search-wait 30]
//!   quire-load disk-full --base URL --accounts … --journal FILE --filler PATH
//!                        [--leave-kb 64] [--attempts 60] [--log SERVER_LOG]
//!
//! `--accounts @FILE` reads name:password lines. Every acknowledged write
//! (a 303 to the page a browser lands on) is journalled; `verify` counts
//! each journalled marker in the SQLite file.

mod diskfull;
mod http;
mod mixed;
mod site;
mod stream;
mod util;
mod verify;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        util::die("give a command: mixed, verify, stream, check-stream or disk-full");
    };
    let rest = &args[1..];
    match command.as_str() {
        "mixed" => mixed::run(rest),
        "verify" => verify::run(rest),
        "stream" => stream::run(rest),
        "check-stream" => stream::check(rest),
        "disk-full" => diskfull::run(rest),
        "-h" | "--help" | "help" => {
            println!(
                "{}",
                include_str!("main.rs")
                    .lines()
                    .take_while(|l| l.starts_with("//!"))
                    .map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        other => util::die(&format!("`{other}` is not a command")),
    }
}
