//! The archive on every backend: SQLite always, PostgreSQL when
//! `QUIRE_TEST_POSTGRES` holds a URL (then a failure to connect fails).

mod authoring;
mod backends;
mod backup;
mod blocking;
mod comment_controls;
mod differential;
mod editing;
mod feed;
mod import;
mod media;
mod moderation;
mod notifications;
mod parsers;
mod people;
mod reading_lists;
mod search;
mod upgrade;
mod works;
mod wrangling;
