//! Reads stdin and writes it back: the floor the other two size programs are
//! measured against.
use std::io::{Read, Write};

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin");
    std::io::stdout()
        .write_all(text.as_bytes())
        .expect("stdout");
}
