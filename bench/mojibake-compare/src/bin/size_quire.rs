//! stdin → quire_text::repair::repair → stdout.
use std::io::{Read, Write};

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin");
    let fixed = quire_text::repair::repair(&text).text;
    std::io::stdout()
        .write_all(fixed.as_bytes())
        .expect("stdout");
}
