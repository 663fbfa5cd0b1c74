//! `quire analyze`, `quire repair`, `quire render`: the text pipeline on a
//! file or standard input.

use std::io::{Read, Write};

use anyhow::{anyhow, Context, Result};
use quire_text::{FillProfile, Manuscript, Signals};

/// Reads a file, or standard input for `-`; errors name the file.
fn read_input(path: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path)
            .map_err(|err| anyhow!("cannot read {path}: {}", describe_io(&err)))?;
    }
    Ok(bytes)
}

/// What went wrong reading a path, in words a person acts on.
pub fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory; give a file".into(),
        _ => err.to_string(),
    }
}

fn display_name(path: &str) -> &str {
    if path == "-" {
        "standard input"
    } else {
        path
    }
}

fn load(path: &str) -> Result<Manuscript> {
    let bytes = read_input(path)?;
    quire_text::analyze(&bytes).map_err(|err| anyhow!("{}: {err}", display_name(path)))
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`quire render x | head`) is not an error to report.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

pub fn analyze(path: &str, json: bool) -> Result<()> {
    let manuscript = load(path)?;
    let signals = quire_text::manuscript_signals(&manuscript);
    if json {
        // The manuscript's fields, and beside them what the text suggests
        // (evidence offsets are into the paragraphs joined by a blank line).
        let mut value = serde_json::to_value(&manuscript)?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields.insert("signals".into(), serde_json::to_value(&signals)?);
        }
        let mut text = serde_json::to_string_pretty(&value)?;
        text.push('\n');
        return write_stdout(&text);
    }
    write_stdout(&summary(display_name(path), &manuscript, &signals))
}

fn summary(name: &str, m: &Manuscript, signals: &Signals) -> String {
    let mut lines = vec![name.to_string()];
    lines.push(format!(
        "  title: {}",
        m.title.as_deref().unwrap_or("(none found)")
    ));
    lines.push(format!(
        "  {} words, {} paragraphs, {} scene breaks, about {} min to read, {:.0}% dialogue",
        m.word_count,
        m.paragraphs.len(),
        m.scene_breaks.len(),
        m.counts.reading_minutes,
        m.counts.dialogue_share * 100.0
    ));
    lines.push(format!(
        "  read as {} {}",
        m.encoding.label(),
        match m.format {
            quire_text::SourceFormat::Text => "text",
            quire_text::SourceFormat::Html => "HTML",
        }
    ));
    if m.repairs.is_empty() {
        lines.push("  no encoding repairs needed".into());
    } else {
        lines.push(format!("  {} encoding repairs:", m.repairs.len()));
        for r in m.repairs.iter().take(10) {
            lines.push(format!(
                "    {:?} → {:?} ({}, byte {})",
                r.before,
                r.after,
                r.encoding.label(),
                r.start
            ));
        }
        if m.repairs.len() > 10 {
            lines.push(format!("    … and {} more", m.repairs.len() - 10));
        }
    }
    for (label, note) in [("start notes", &m.notes.start), ("end notes", &m.notes.end)] {
        if !note.is_empty() {
            lines.push(format!("  {label}: {}", ellipsize(note, 100)));
        }
    }
    if m.reader_insert {
        let codes: Vec<String> = m
            .placeholders
            .iter()
            .map(|p| format!("{} ×{}", p.code, p.count))
            .collect();
        lines.push(format!(
            "  reader-insert: {}{}",
            if codes.is_empty() {
                "no placeholders".to_string()
            } else {
                codes.join(", ")
            },
            if m.second_person {
                "; second-person narration"
            } else {
                ""
            }
        ));
    }
    lines.push(suggestions(signals));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// One line: the rating, warnings and content notes the text suggests.
fn suggestions(signals: &Signals) -> String {
    let mut parts = vec![format!("at least {}", signals.rating.label())];
    parts.extend(
        signals
            .warnings
            .iter()
            .map(|w| w.warning.label().to_string()),
    );
    parts.extend(signals.notes.iter().map(|n| {
        format!(
            "{} ({} passage{})",
            n.name.name(),
            n.passages,
            if n.passages == 1 { "" } else { "s" }
        )
    }));
    format!("  suggested from the text: {}", parts.join(", "))
}

fn ellipsize(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

pub fn repair(path: &str) -> Result<()> {
    let bytes = read_input(path)?;
    let repaired =
        quire_text::repair_bytes(&bytes).map_err(|err| anyhow!("{}: {err}", display_name(path)))?;
    write_stdout(&repaired.text)
}

pub fn render(path: &str, fills: &[String]) -> Result<()> {
    let mut profile = FillProfile::new();
    for pair in fills {
        profile
            .set_pair(pair)
            .map_err(|err| anyhow!("--fill {pair}: {err}"))?;
    }
    let manuscript = load(path)?;
    write_stdout(&manuscript.render(&profile))
}
