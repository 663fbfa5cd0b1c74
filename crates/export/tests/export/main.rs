//! quire-export's integration tests, in one binary (one link: see
//! DESIGN.md). epubcheck takes seconds a book, so a handful of books that
//! between them hold everything a work can have are checked, not every
//! case.

mod calibre;
mod epubcheck;
mod formats;
mod pdf;
mod properties;
mod roundtrip;
mod support;
