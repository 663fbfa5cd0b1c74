//! A generated cover: the title and authors on a plain field, as SVG
//! text in the reader's own serif face, so nothing is fetched and nothing
//! is embedded.

use sha2::{Digest, Sha256};

use crate::xhtml;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 900;
const TITLE_LINE_CHARS: usize = 18;
const TITLE_LINES: usize = 6;
const BYLINE_LINE_CHARS: usize = 32;
const BYLINE_LINES: usize = 3;

/// Background and ink pairs dark enough for white text; a work always
/// gets the same one, so a shelf of quire books isn't all one colour.
const PALETTE: &[(&str, &str)] = &[
    ("#5b2333", "#f7f4f3"),
    ("#1d3557", "#f1faee"),
    ("#2d4739", "#f4f1de"),
    ("#3d315b", "#f8f0fb"),
    ("#7a3b1d", "#fff4e6"),
    ("#264653", "#e9f5f2"),
];

/// The cover as a standalone SVG document.
pub(crate) fn svg(title: &str, byline: &str, seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let (background, ink) = PALETTE[usize::from(digest[0]) % PALETTE.len()];
    let title_lines = wrap(title, TITLE_LINE_CHARS, TITLE_LINES);
    let byline_lines = wrap(byline, BYLINE_LINE_CHARS, BYLINE_LINES);
    let mut out = String::new();
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\">\n\
         <title>{}</title>\n\
         <rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"{background}\"/>\n\
         <rect x=\"30\" y=\"30\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{ink}\" stroke-width=\"2\"/>\n",
        xhtml::text(title),
        WIDTH - 60,
        HEIGHT - 60,
    ));
    let title_size = 52;
    let line_height = 64;
    let top = 300 - (title_lines.len() as u32 * line_height) / 2;
    for (i, line) in title_lines.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-family=\"serif\" font-size=\"{title_size}\" fill=\"{ink}\" text-anchor=\"middle\">{}</text>\n",
            WIDTH / 2,
            top + i as u32 * line_height,
            xhtml::text(line),
        ));
    }
    out.push_str(&format!(
        "<rect x=\"{}\" y=\"560\" width=\"120\" height=\"2\" fill=\"{ink}\"/>\n",
        WIDTH / 2 - 60
    ));
    for (i, line) in byline_lines.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-family=\"serif\" font-size=\"30\" font-style=\"italic\" fill=\"{ink}\" text-anchor=\"middle\">{}</text>\n",
            WIDTH / 2,
            630 + i as u32 * 40,
            xhtml::text(line),
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// Words in lines of at most `width` characters (a longer word is cut),
/// at most `lines` of them, the last ending in `…` when text is left over.
pub(crate) fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut words = text.split_whitespace().peekable();
    let mut left_over = false;
    while let Some(word) = words.next() {
        let word: String = if word.chars().count() > width {
            word.chars()
                .take(width.saturating_sub(1))
                .chain(['…'])
                .collect()
        } else {
            word.to_string()
        };
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            out.push(std::mem::take(&mut line));
            if out.len() == lines {
                left_over = true;
                break;
            }
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
        if words.peek().is_none() {
            out.push(std::mem::take(&mut line));
        }
    }
    if left_over {
        if let Some(last) = out.last_mut() {
            let kept: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", kept.trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_cuts() {
        assert_eq!(
            wrap("The Long Way Home", 10, 3),
            vec!["The Long", "Way Home"]
        );
        assert_eq!(wrap("a b c d e f", 3, 2), vec!["a b", "c…"]);
        assert_eq!(wrap("Supercalifragilistic", 6, 2), vec!["Super…"]);
        assert!(wrap("   ", 5, 2).is_empty());
    }

    #[test]
    fn cover_is_well_formed_svg() {
        let svg = svg("<Ashes> & \"Embers\"", "Rey & Ben", "1");
        roxmltree::Document::parse(&svg).unwrap();
        assert!(svg.contains("&lt;Ashes&gt; &amp;"));
    }
}
