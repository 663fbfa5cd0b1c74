//! The website over HTTP: every route's status, what it shows, and who may
//! do what. Each test starts its own site on a free port.

mod accounts;
mod api;
mod authorization;
mod comment_controls;
mod detected;
mod downloads;
mod editing;
mod formatted;
mod hardening;
mod hostile;
mod keeping_away;
mod media;
mod moderation;
mod nodes;
mod notifications;
mod opds;
mod posting;
mod reactions;
mod reading;
mod reading_lists;
mod series;
mod serving;
mod tags;
mod uploads;

use quire_testkit::site as harness;
