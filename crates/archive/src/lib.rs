//! quire-archive: the domain model, its storage, and the one façade
//! (`Archive`) that the web server, the CLI and the tests all use.

pub mod model;
