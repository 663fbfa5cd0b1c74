//! stdin → plsfix::fix_text (encoding fixes only) → stdout.
use std::io::{Read, Write};

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin");
    let config = plsfix::TextFixerConfig {
        unescape_html: Some(false),
        remove_terminal_escapes: false,
        fix_latin_ligatures: false,
        fix_character_width: false,
        uncurl_quotes: false,
        fix_line_breaks: false,
        remove_control_chars: false,
        normalization: None,
        ..Default::default()
    };
    let fixed = plsfix::fix_text(&text, Some(&config));
    std::io::stdout()
        .write_all(fixed.as_bytes())
        .expect("stdout");
}
