#!/usr/bin/env bash
# Reproduces "EPUB export: quire vs calibre" and "PDF export: quire vs
# calibre" in bench/RESULTS.md: quire's EPUB and PDF builds beside calibre's
# `ebook-convert work.html work.epub` and `ebook-convert work.html work.pdf`
# on the same work at 5,000 and 200,000 words, epubcheck on both books, the
# PDFs' pages and blank pages, the ratios.
#
#   bench/export/run.sh                              # the defaults
#   bench/export/run.sh --words 5000 --runs 3        # a quick look
#
# Needs Debian's calibre, epubcheck, poppler-utils and the fonts quire's PDFs
# are set in (installed here if missing). Builds
# this project in release into target/export-bench/build (override with
# CARGO_TARGET_DIR) and writes the HTML input and both books under
# target/export-bench/, the report to target/export-bench/report.md too.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/export-bench/build}"

missing=()
command -v ebook-convert >/dev/null || missing+=(calibre)
[ -f /usr/share/java/epubcheck.jar ] || missing+=(epubcheck)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
for package in fonts-noto-core fonts-noto-cjk; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cd "$repo"
mkdir -p target/export-bench
# calibre is a Qt program: no display here, and it must not look for one.
export QT_QPA_PLATFORM=offscreen
# Its PDF output renders in Qt WebEngine (Chromium), which refuses to run as
# root with its sandbox on; CI and these machines run as root.
if [ "$(id -u)" -eq 0 ]; then
  export QTWEBENGINE_CHROMIUM_FLAGS="${QTWEBENGINE_CHROMIUM_FLAGS:-} --no-sandbox"
fi
"$CARGO_TARGET_DIR/release/export-bench" --out target/export-bench "$@" | tee target/export-bench/report.md
