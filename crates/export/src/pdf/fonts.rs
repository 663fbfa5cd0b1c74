//! The fonts a PDF is set in: Debian's font packages where they are
//! installed, typst's own embedded fonts after them.
//!
//! Noto Serif (`fonts-noto-core`) sets Latin, Greek and Cyrillic text,
//! with the rest of Noto's scripts beside it for fallback; Noto Serif CJK
//! (`fonts-noto-cjk`) sets Chinese, Japanese and Korean; DejaVu
//! (`fonts-dejavu-core`) stands in where Noto isn't installed, and
//! Libertinus Serif (embedded, from typst-assets) where nothing is, so a
//! Latin, Greek or Cyrillic work always has a font. A work in a script no
//! installed font covers fails with the package to install, rather than
//! printing empty boxes.
//!
//! The folders are read once a process: only each face's metadata is kept
//! until a face is first set, so a server holds in memory the faces it
//! has used, not the tens of megabytes a CJK collection weighs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

/// Where Debian's packages put the fonts, in the order they are preferred.
pub(crate) const SYSTEM_DIRS: &[&str] = &[
    // fonts-noto-core
    "/usr/share/fonts/truetype/noto",
    // fonts-noto-cjk
    "/usr/share/fonts/opentype/noto",
    // fonts-dejavu-core
    "/usr/share/fonts/truetype/dejavu",
];

/// The body's families, most wanted first; the first one found sets the
/// text. Libertinus Serif is embedded, so one is always there.
const BODY_FAMILIES: &[&str] = &["Noto Serif", "DejaVu Serif", "Libertinus Serif"];

/// Monospaced text (`code`, `pre`); DejaVu Sans Mono is embedded too.
const MONO_FAMILIES: &[&str] = &["Noto Sans Mono", "DejaVu Sans Mono"];

enum Data {
    File(PathBuf),
    Embedded(&'static [u8]),
}

struct Slot {
    data: Data,
    index: u32,
    font: OnceLock<Option<Font>>,
}

impl Slot {
    fn get(&self) -> Option<Font> {
        self.font
            .get_or_init(|| {
                let bytes = match &self.data {
                    Data::File(path) => Bytes::new(std::fs::read(path).ok()?),
                    Data::Embedded(bytes) => Bytes::new(*bytes),
                };
                Font::new(bytes, self.index)
            })
            .clone()
    }
}

pub(crate) struct Fonts {
    book: LazyHash<FontBook>,
    infos: Vec<FontInfo>,
    slots: Vec<Slot>,
}

impl Fonts {
    /// The fonts of Debian's packages on this machine, and the embedded
    /// ones; looked for once.
    pub(crate) fn system() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(|| {
            let dirs: Vec<&Path> = SYSTEM_DIRS.iter().map(Path::new).collect();
            Fonts::search(&dirs)
        })
    }

    /// The fonts in `dirs` (and the folders inside them), then the
    /// embedded ones. A file that isn't a font is passed over.
    pub(crate) fn search(dirs: &[&Path]) -> Fonts {
        let mut fonts = Fonts {
            book: LazyHash::new(FontBook::new()),
            infos: Vec::new(),
            slots: Vec::new(),
        };
        for dir in dirs {
            let mut files = Vec::new();
            font_files(dir, &mut files);
            // A stable order: which face wins a tie must not depend on
            // the order a file system lists a folder in.
            files.sort();
            for path in files {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                fonts.add(&bytes, || Data::File(path.clone()));
            }
        }
        for bytes in typst_assets::fonts() {
            fonts.add(bytes, || Data::Embedded(bytes));
        }
        fonts
    }

    fn add(&mut self, bytes: &[u8], data: impl Fn() -> Data) {
        for index in 0.. {
            let Some(info) = FontInfo::new(bytes, index) else {
                break;
            };
            self.book.push(info.clone());
            self.infos.push(info);
            self.slots.push(Slot {
                data: data(),
                index,
                font: OnceLock::new(),
            });
        }
    }

    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        self.slots.get(index)?.get()
    }

    fn has_family(&self, family: &str) -> bool {
        // The book keys its families in lower case.
        self.book.contains_family(&family.to_lowercase())
    }

    /// The families to set a work's text in: the body family, then the
    /// CJK family for the work's language (a Japanese work wants Japanese
    /// glyph forms), then the other CJK ones.
    pub(crate) fn families(&self, language: &str) -> Vec<&'static str> {
        let mut families: Vec<&'static str> = BODY_FAMILIES
            .iter()
            .copied()
            .find(|f| self.has_family(f))
            .into_iter()
            .collect();
        let language = language.trim().to_ascii_lowercase();
        let preferred = match language.split(['-', '_']).next().unwrap_or("") {
            "ja" => "Noto Serif CJK JP",
            "ko" => "Noto Serif CJK KR",
            "zh" if ["tw", "hk", "mo", "hant"]
                .iter()
                .any(|region| language.split(['-', '_']).skip(1).any(|p| p == *region)) =>
            {
                "Noto Serif CJK TC"
            }
            _ => "Noto Serif CJK SC",
        };
        for family in [
            preferred,
            "Noto Serif CJK SC",
            "Noto Serif CJK JP",
            "Noto Serif CJK TC",
            "Noto Serif CJK KR",
            "Noto Sans CJK SC",
        ] {
            if self.has_family(family) && !families.contains(&family) {
                families.push(family);
            }
        }
        families
    }

    /// The monospaced family, for `code` and `pre`.
    pub(crate) fn mono_family(&self) -> Option<&'static str> {
        MONO_FAMILIES.iter().copied().find(|f| self.has_family(f))
    }

    /// Whether some font has a glyph for `c`.
    fn covers(&self, c: char) -> bool {
        self.infos
            .iter()
            .any(|info| info.coverage.contains(c as u32))
    }

    /// The first letter of `text` in a script the archive's languages are
    /// written in that no font here can set, with the package that has a
    /// font for it.
    pub(crate) fn missing(&self, text: &str) -> Option<(char, &'static str)> {
        let mut checked = std::collections::HashSet::new();
        for c in text.chars() {
            // ASCII is in every font; below U+0370 is Latin, which the
            // embedded fonts cover.
            if (c as u32) < 0x370 || !checked.insert(c) {
                continue;
            }
            if let Some(package) = package_for(c) {
                if !self.covers(c) {
                    return Some((c, package));
                }
            }
        }
        None
    }
}

/// The Debian package with a font for `c`'s script, for the scripts a
/// PDF promises to set (others fall back to whatever font covers them).
fn package_for(c: char) -> Option<&'static str> {
    match c as u32 {
        // Greek, then Cyrillic and its supplement.
        0x0370..=0x052F => Some("fonts-noto-core"),
        // Hangul Jamo, CJK radicals and punctuation, kana, Hangul
        // compatibility, CJK Extension A, unified ideographs, Hangul
        // syllables, compatibility ideographs, halfwidth and fullwidth forms.
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3000..=0x30FF
        | 0x3130..=0x318F
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF => Some("fonts-noto-cjk"),
        _ => None,
    }
}

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => font_files(&path, out),
            Ok(_) => {
                let font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["ttf", "otf", "ttc", "otc"]
                        .iter()
                        .any(|x| e.eq_ignore_ascii_case(x))
                });
                if font {
                    out.push(path);
                }
            }
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packages_fonts_are_found() {
        let fonts = Fonts::system();
        let families = fonts.families("ja");
        assert_eq!(
            families.first(),
            Some(&"Noto Serif"),
            "install fonts-noto-core"
        );
        assert_eq!(
            families.get(1),
            Some(&"Noto Serif CJK JP"),
            "install fonts-noto-cjk"
        );
        assert_eq!(fonts.families("zh-TW")[1], "Noto Serif CJK TC");
        assert_eq!(fonts.families("ko")[1], "Noto Serif CJK KR");
        assert_eq!(fonts.families("en")[1], "Noto Serif CJK SC");
        assert_eq!(fonts.missing("Привет, κόσμε, 世界, かな, 한국어"), None);
    }

    #[test]
    fn without_the_packages_latin_greek_and_cyrillic_still_have_a_font() {
        let fonts = Fonts::search(&[]);
        assert_eq!(fonts.families("en"), vec!["Libertinus Serif"]);
        assert_eq!(fonts.missing("Plain, Привет, κόσμε"), None);
        assert_eq!(fonts.missing("Hello 世界"), Some(('世', "fonts-noto-cjk")));
        assert!(fonts.font(0).is_some());
    }
}
