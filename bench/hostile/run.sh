#!/usr/bin/env bash
# Hostile readers against a release `quire serve` on loopback:
#   (1) the worst fill a guest can ask for: a work whose one chapter is
#       AO3's 510,000 characters of `Y/N ` (127,500 placeholders), downloaded
#       as TXT and EPUB with the longest name that still fits (quire refuses a
#       fill that would more than double a work) and with a 40-letter name
#       (refused); time of each request and the server's peak memory
#       (VmHWM) before and after, with the bytes answered;
#   (2) half-sent requests: N connections from other loopback addresses
#       (127.0.1.x, at most the per-address cap each) that send half a
#       request and go silent, while another reader asks for /healthz 50
#       times; the reader's p50/p99/max latency, and how many sockets the
#       server held (its connections, listener and database pool).
#
#   bench/hostile/run.sh                 # N = 1,000, 4,000 and 8,000
#   bench/hostile/run.sh 500 2000        # other counts
#
# The binary is built into target/hostile-bench/build; the report goes to
# stdout and target/hostile-bench/report.md. Every connection goes to
# 127.0.0.1; each round of half-sent connections is closed by the script.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/target/hostile-bench"
build="$out/build"
mkdir -p "$out"
counts=("$@")
((${#counts[@]})) || counts=(1000 4000 8000)
say() { echo "hostile-bench: $*" >&2; }

for tool in curl jq python3; do
  command -v "$tool" >/dev/null || { apt-get update >&2 && apt-get install -y curl jq python3 >&2; break; }
done
say "building quire (release) into $build"
(cd "$repo" && CARGO_TARGET_DIR="$build" nice -n 10 cargo build --release -p quire >&2)
quire="$build/release/quire"

data=$(mktemp -d)
log="$out/serve.log"
cleanup() { [[ -n ${server:-} ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
# Each half-sent connection is a file handle on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "correct horse battery" | "$quire" user add bench --email bench@example.org --password-stdin --data "$data" >&2
token=$("$quire" user token bench --name bench --scope write --data "$data")
QUIRE_LOG=warn "$quire" serve --data "$data" --listen 127.0.0.1:0 >"$out/serve.out" 2>"$log" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^quire is listening on \(http:[^ ]*\).*/\1/p' "$out/serve.out")
[[ -n $base ]] || { cat "$log" >&2; exit 1; }
for _ in $(seq 1 100); do curl -sf "$base/healthz" | grep -q '"index":"ok"' && break; sleep 0.2; done
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server/status"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }

python3 -c 'print("Y/N " * 127500, end="")' >"$out/crowded.txt"
work=$(jq -n --rawfile body "$out/crowded.txt" '{title: "Crowded", rating: "Not Rated",
  warnings: ["Creator Chose Not To Use Archive Warnings"], fandoms: ["Original Work"], $body}' |
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data @- "$base/api/v1/works" | jq -r .id)
[[ $work =~ ^[0-9]+$ ]] || { echo "posting the crowded work failed" >&2; exit 1; }

{
  echo "## hostile readers (bench/hostile)"
  echo
  echo "- $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git -C "$repo" rev-parse --short HEAD), nproc $(nproc), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo
  echo "### (1) the worst fill: a 510,000-character chapter of \`Y/N \`"
  echo
  echo "| request | status | bytes answered | seconds | server RSS after (MiB) | server peak (VmHWM, MiB) before → after |"
  echo "|---|---|---|---|---|---|"
  for case in "txt:Y/N:Sammy" "epub:Y/N:Sammy" "txt:Y/N:Alexandra" "txt:Y/N:$(printf 'A%.0s' $(seq 1 40))" "epub:Y/N:$(printf 'A%.0s' $(seq 1 40))"; do
    format=${case%%:*}
    fill=${case#*:}
    before=$(hwm)
    result=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$base/works/$work/download.$format?fill=$fill")
    read -r status bytes seconds <<<"$result"
    echo "| \`download.$format?fill=$fill\` | $status | $bytes | $seconds | $(( $(rss) / 1024 )) | $(( before / 1024 )) → $(( $(hwm) / 1024 )) |"
  done
  echo
  echo "The longest value that fits is 7 letters here (each placeholder may grow by 4 bytes: the"
  echo "work may at most double, plus 64 KiB); 9 letters and up are refused with 400 before anything is made."
  echo
  echo "### (2) half-sent requests from other addresses, while a reader asks 50 times"
  echo
  echo "| half-sent connections opened | sockets the server held (1 s later) | reader p50 ms | p99 ms | max ms | reader errors | seconds to open them |"
  echo "|---|---|---|---|---|---|---|"
  port=${base##*:}
  for n in "${counts[@]}"; do
    python3 "$repo/bench/hostile/half_open.py" "$port" "$n" "$server"
    sleep 12 # the header deadline (10 s) closes what the script left
  done
} | tee "$out/report.md"
