//! The `quire` command as a person runs it: each command's tests in the
//! file named for it, what they share in support.rs.

mod backup;
mod export;
mod import;
mod promises;
mod serve;
mod support;
mod text;
mod users_and_tags;
