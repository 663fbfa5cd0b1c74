#!/usr/bin/env bash
# Reproduces "search: quire vs PostgreSQL full-text search" in bench/RESULTS.md.
# Run from anywhere; PostgreSQL must answer at --postgres (default
# postgres://postgres:postgres@127.0.0.1:5432/postgres), where the benchmark
# creates and uses its own database, quire_search_bench.
#
#   bench/search/run.sh                          # 1,000,000 works, the defaults
#   bench/search/run.sh --works 20000 --runs 50  # a quick look (under a minute)
#
# 1. builds this project in release (into target/search-bench/build of the
#    main repository, so nothing lands in the source tree),
# 2. runs it from the repository's root: the work directory defaults to
#    target/search-bench/w<works>-s<seed>-x<scale>; a second run with the same
#    arguments reuses the archive, index and table there and only measures,
# 3. writes the markdown report to target/search-bench/report.md as well as
#    standard output; progress and disagreements go to standard error.
#
# A million works takes about an hour to build on 2 cores and about 8 GB of
# disk (SQLite archive, index, PostgreSQL table); it runs under `nice`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$repo/target/search-bench/build"

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cd "$repo"
mkdir -p target/search-bench
nice -n 10 "$CARGO_TARGET_DIR/release/search-bench" "$@" | tee target/search-bench/report.md
