#!/usr/bin/env bash
# How long after a write a search finds it: a running `quire serve` follows
# the store's change feed, and the issue asks for under a second. Posts a
# work from another process (`quire import`), then polls the search API for
# its unique title word and reports the delay, N times.
#
#   bench/search-visibility.sh [N]        (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --quiet
quire=target/release/quire
data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
"$quire" corpus --works 2000 --seed 7 --word-scale 0.05 --out "$data/corpus" >/dev/null
"$quire" import --data "$data/db" "$data/corpus" >/dev/null
"$quire" serve --data "$data/db" --listen 127.0.0.1:0 >"$data/serve.log" 2>&1 &
server=$!
until grep -q "listening on" "$data/serve.log"; do sleep 0.1; done
base=$(sed -n 's/^quire is listening on //p' "$data/serve.log")
until curl -sf "$base/api/v1/works?per_page=1" | grep -q '"total":2000'; do sleep 0.2; done
delays=()
for i in $(seq 1 "$runs"); do
  word="zqx${i}marker"
  printf 'Title: %s\n\nA short story written for the measurement, number %s.\n' "$word" "$i" >"$data/w$i.txt"
  start=$(date +%s%N)
  "$quire" import --data "$data/db" "$data/w$i.txt" >/dev/null
  written=$(date +%s%N)
  until curl -sf "$base/api/v1/works?q=$word&facets=false" | grep -q '"total":1'; do sleep 0.01; done
  found=$(date +%s%N)
  delays+=($(( (found - written) / 1000000 )))
done
sorted=$(printf '%s\n' "${delays[@]}" | sort -n)
echo "write -> searchable, ms, $runs runs: min $(echo "$sorted" | head -1), median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p"), max $(echo "$sorted" | tail -1)"
