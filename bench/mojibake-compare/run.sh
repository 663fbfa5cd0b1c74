#!/usr/bin/env bash
# Reproduces every number of "mojibake repair: quire vs plsfix vs ftfy" in
# bench/RESULTS.md. Run from anywhere; the repository sits beside shared/.
#
#   bench/mojibake-compare/run.sh
#
# 1. builds this project in release (into target/mojibake-compare/build of the
#    main repository, so nothing lands in the source tree),
# 2. runs it: builds the labelled corpus from ../shared, scores quire and
#    plsfix, times them (also on target/bench-input/analyze-1mb.txt when the
#    criterion bench has written it),
# 3. scores ftfy on the same corpus (venv target/bench-venv, as bench/ftfy.sh),
# 3a. `languages`: builds the multilingual corpus from the hunspell
#    dictionaries in /usr/share/hunspell (27 languages; words and sentences
#    clean, sentences garbled eight ways), scores and times quire and plsfix
#    on it, then ftfy
#    (score_ftfy.py --languages),
# 3b. downloads ftfy's source distribution from PyPI into
#    target/ftfy-sdist (kept out of the repository) and scores quire and
#    plsfix on its tests/test_cases.json (`ftfy-cases`),
# 4. prints plsfix's dependency weight and the stripped size of a minimal
#    program around each repair,
# 5. with COMPILE_TIMES=1 only: builds everything again from scratch with
#    --timings (a few minutes) and sums the per-crate compile seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$repo/target/mojibake-compare/build"
FTFY_VERSION=6.3.1
venv="$repo/target/bench-venv"

cd "$here"
cargo build --release --quiet
echo "## quire vs plsfix"
"$CARGO_TARGET_DIR/release/mojibake-compare"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import ftfy, sys; sys.exit(ftfy.__version__ != '$FTFY_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ftfy==$FTFY_VERSION"
fi
echo
echo "## quire vs plsfix vs ftfy"
"$venv/bin/python" score_ftfy.py "$repo/target/mojibake-compare"

echo
echo "## languages (hunspell dictionaries): quire vs plsfix"
"$CARGO_TARGET_DIR/release/mojibake-compare" languages
echo
echo "## languages (hunspell dictionaries): quire vs plsfix vs ftfy"
"$venv/bin/python" score_ftfy.py --languages "$repo/target/mojibake-compare"

echo
echo "## ftfy's own test cases: quire vs plsfix"
sdist="$repo/target/ftfy-sdist"
cases="$sdist/ftfy-$FTFY_VERSION/tests/test_cases.json"
if [ ! -f "$cases" ]; then
  mkdir -p "$sdist"
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    --dest "$sdist" "ftfy==$FTFY_VERSION"
  tar -xzf "$sdist/ftfy-$FTFY_VERSION.tar.gz" -C "$sdist"
fi
"$CARGO_TARGET_DIR/release/mojibake-compare" ftfy-cases "$cases"

echo
echo "## dependency weight (normal and build dependencies, host target)"
tree() { cargo tree --quiet -e normal,build --prefix none -p "$1" | awk '{print $1 " " $2}' | sort -u; }
tree quire-text >"$CARGO_TARGET_DIR/tree-quire-text.txt"
tree plsfix >"$CARGO_TARGET_DIR/tree-plsfix.txt"
echo "quire-text and its dependencies: $(wc -l <"$CARGO_TARGET_DIR/tree-quire-text.txt") crates"
echo "plsfix and its dependencies: $(wc -l <"$CARGO_TARGET_DIR/tree-plsfix.txt") crates"
added="$(comm -13 "$CARGO_TARGET_DIR/tree-quire-text.txt" "$CARGO_TARGET_DIR/tree-plsfix.txt")"
echo "crates plsfix would add to quire-text's tree: $(printf '%s\n' "$added" | grep -c .)"
printf '%s\n' "$added" | awk '{printf "%s %s, ", $1, $2} END {print ""}'

echo
echo "## stripped release binaries: stdin -> repair -> stdout"
for bin in size-baseline size-quire size-plsfix; do
  printf '%-14s %9d bytes\n' "$bin" "$(stat -c %s "$CARGO_TARGET_DIR/release/$bin")"
done

if [ "${COMPILE_TIMES:-0}" = 1 ]; then
  echo
  echo "## release compile time, clean build (sum of per-crate seconds from cargo --timings)"
  scratch="$(mktemp -d)"
  CARGO_TARGET_DIR="$scratch" cargo build --release --quiet --timings
  python3 - "$scratch" "$CARGO_TARGET_DIR" <<'PY'
import glob, json, sys
scratch, build = sys.argv[1], sys.argv[2]
html = open(sorted(glob.glob(scratch + "/cargo-timings/cargo-timing-2*.html"))[0]).read()
start = html.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
units = json.loads(html[start : html.index("];", start) + 1])
crates = lambda name: {tuple(l.split()) for l in open(f"{build}/tree-{name}.txt")}
quire, plsfix = crates("quire-text"), crates("plsfix")
total = lambda keep: sum(u["duration"] for u in units if (u["name"], "v" + u["version"]) in keep)
print(f"all {len(units)} units: {sum(u['duration'] for u in units):.0f} s")
print(f"quire-text and its dependencies: {total(quire):.0f} s")
print(f"crates only plsfix brings: {total(plsfix - quire):.0f} s")
PY
  rm -rf "$scratch"
fi
