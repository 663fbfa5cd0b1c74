//! Any bytes as a search's query string (`/works?…`, `/api/v1/works?…`)
//! and as the free text of `q`: no panic; a request that parses has only
//! in-range pages, and every clause of the text has words to look for.

#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_archive::search::query::parse_text;
use quire_web::search_params::search_request;

fuzz_target!(|bytes: &[u8]| {
    let params: Vec<(String, String)> = form_urlencoded::parse(bytes).into_owned().collect();
    if let Ok(request) = search_request(&params) {
        assert!(request.page >= 1);
        assert!(request.per_page >= 1);
    }
    let text = String::from_utf8_lossy(bytes);
    for clause in parse_text(&text) {
        assert!(!clause.words.is_empty());
    }
});
