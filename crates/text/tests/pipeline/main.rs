//! The text pipeline end to end: the seeds, the AO3 works and properties.
//! One test binary for the crate, so the suite links once.

mod dictionaries;
mod eval_works;
mod hunspell;
mod properties;
mod seeds;
mod shared;
mod signals;
