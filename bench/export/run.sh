#!/usr/bin/env bash
# Reproduces "EPUB export: quire vs calibre" in bench/RESULTS.md: quire's
# EPUB build beside calibre's `ebook-convert work.html work.epub` on the same
# work at 5,000 and 200,000 words, epubcheck on both books, the ratio.
#
#   bench/export/run.sh                              # the defaults
#   bench/export/run.sh --words 5000 --runs 3        # a quick look
#
# Needs Debian's calibre and epubcheck (installed here if missing). Builds
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
"$CARGO_TARGET_DIR/release/export-bench" --out target/export-bench "$@" | tee target/export-bench/report.md
