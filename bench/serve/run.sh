#!/usr/bin/env bash
# Serving pages: quire vs nginx serving the same bytes as a static file.
#
# Reproduces the "serving pages" measurement: on a generated archive of
# 100,000 works (`quire corpus` + `quire import` + `quire reindex`), wrk
# (Debian's) at 2 threads, 64 connections, 30 s per case, against
#   (a) a work page            /works/ID, without Accept-Encoding
#   (b) a tag listing          /tags/FANDOM/works?rating=…&exclude_warnings=…&sort=kudos
#   (c) a text search page     /works?q=WORD
#   (d) the bytes of (a) as a static file served by nginx (Debian's), same
#       machine, same run, without Accept-Encoding
#   (e) nginx serving the brotli bytes quire sent for (f), precompressed
#       (brotli_static, gzip_static), asked as browsers ask
#   (f) (a) asked as browsers ask: Accept-Encoding: gzip, deflate, br, zstd
#   (g) (f) on a first visit: no cookie, so quire gives each request a new
#       form token (and a Set-Cookie), as for a shared link or a crawler
#   (h) (g) without Accept-Encoding
#   (i), (j) (b) and (c) asked as browsers ask
# Order of the runs: (d) and (e) first (quire idle), then the others; every
# page is fetched and checked once before any run.
# It reports requests/s, p50/p99 latency, errors, CPU time per request
# (utime+stime of the server process(es) over the measured run / requests),
# quire's RSS (VmRSS, VmHWM) after the runs, and the ratio (a)/(d) against
# the target (a) >= 0.8 x (d).
#
# Every request but (g) and (h) is a returning guest's: it sends
# `Cookie: quire_csrf=<64 hex>` (a token the server issued on a first visit,
# as a browser keeps it; without one quire hands each request a fresh form
# token, as (g) and (h) measure). The targets: each quire case at least
# 0.8 x nginx asked the same way: (a) and (h) against (d), (f) and (g)
# against (e).
#
# Run it from anywhere (as root on Debian: wrk, nginx and jq are installed
# with apt-get when missing; nginx runs only as this script's child, on a
# generated config in a temp dir, and is stopped on exit):
#
#   bench/serve/run.sh                                 # 100,000 works, 30 s a case
#   bench/serve/run.sh --works 2000 --duration 5       # a quick look
#
# Environment: QUIRE_LOG (default `info,quire::access=off`: no line per
# request, like nginx's `access_log off`; `info` logs every request).
# Options: --works N (100000), --duration S (30), --warmup S (3),
#          --word-scale F (1 = the corpus's full text lengths), --seed N (1),
#          --fresh: fetch each quire page once right before its warm-up, so
#          its run starts with a newly kept page. quire keeps a guest's page
#          at most 60 s; without --fresh, (b) and (c) were kept before the
#          first run and expire before or during their own runs, so their
#          runs include what happens when a kept page runs out under load.
# The binary is built into target/serve-bench/build (the main target dir is
# left alone). The archive is kept in target/serve-bench/wN and reused by
# the next run with the same N (only the measurement runs again); delete
# that directory to build it anew. Preparation (build, corpus, import,
# index) runs under `nice`; the measurement does not.
# The report (markdown) goes to stdout and target/serve-bench/report.md;
# progress goes to stderr; wrk's raw output stays in target/serve-bench/wrk/.
set -euo pipefail

works=100000
duration=30
warmup=3
scale=1
seed=1
threads=2
connections=64
fresh=0
while (($#)); do
  case "$1" in
    --works) works="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --word-scale) scale="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/target/serve-bench"
work="$out/w$works"
build="$out/build"
report="$out/report.md"
rawdir="$out/wrk"
# A returning guest's form-token cookie: set below from the server's first
# answer (quire signs guests' tokens, so no value can be made up).
cookie=""
mkdir -p "$out" "$rawdir"

say() { echo "serve-bench: $*" >&2; }
die() { echo "serve-bench: ERROR: $*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null && [[ -x $(command -v nginx) ]] || missing+=(nginx)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
[[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]] || missing+=(libnginx-mod-http-brotli-static)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get update >&2
  apt-get install -y "${missing[@]}" >&2
fi
nginx_bin=$(command -v nginx)

# --- build -----------------------------------------------------------------
say "building quire (release) into $build"
(cd "$repo" && CARGO_TARGET_DIR="$build" nice -n 10 cargo build --release -p quire >&2)
quire="$build/release/quire"

# --- the archive -----------------------------------------------------------
data="$work/data"
ready="$work/ready"
if [[ -f $ready ]]; then
  have=$(cat "$ready")
  want="works=$works seed=$seed scale=$scale"
  [[ $have == "$want"* ]] || die "$work was built with '$have', not '$want': delete it or change --works"
  say "reusing the archive in $work ($have)"
else
  mkdir -p "$work"
  if [[ ! -f $work/corpus.done ]]; then
    say "generating $works works (--word-scale $scale, --seed $seed)"
    t0=$(date +%s)
    nice -n 10 "$quire" corpus --works "$works" --seed "$seed" --word-scale "$scale" --out "$work/corpus" >&2
    echo "corpus_s=$(($(date +%s) - t0))" >"$work/corpus.done"
  fi
  # The same line imported again adds nothing: an interrupted import resumes.
  say "importing into $data"
  t0=$(date +%s)
  nice -n 10 "$quire" import "$work/corpus" --data "$data" >&2
  t1=$(date +%s)
  say "building the search index"
  nice -n 10 "$quire" reindex --data "$data" >&2
  t2=$(date +%s)
  echo "works=$works seed=$seed scale=$scale import_s=$((t1 - t0)) index_s=$((t2 - t1)) $(cat "$work/corpus.done")" >"$ready"
fi
archive_note=$(cat "$ready")
archive_size=$(du -sh "$data" | cut -f1)

# --- servers ---------------------------------------------------------------
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx's workers (user nobody) read the page from here
quire_pid=""
nginx_pid=""
cleanup() {
  local status=$?
  if [[ -n $quire_pid ]] && kill -0 "$quire_pid" 2>/dev/null; then
    # A clean stop writes the buffered hits; one still busy after 60 s is killed.
    kill -TERM "$quire_pid" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$quire_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$quire_pid" 2>/dev/null && echo "serve-bench: quire did not stop within 60 s of SIGTERM; killing it" >&2 &&
      kill -KILL "$quire_pid" 2>/dev/null
    wait "$quire_pid" 2>/dev/null || true
  fi
  if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# nginx runs with access_log off; quire's per-request access log
# (quire::access) is switched off the same way unless QUIRE_LOG says otherwise.
quire_log="${QUIRE_LOG:-info,quire::access=off}"
say "starting quire serve (QUIRE_LOG=$quire_log)"
QUIRE_LOG="$quire_log" "$quire" serve --data "$data" --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
quire_pid=$!
for _ in $(seq 1 600); do
  grep -q '^quire is listening on ' "$tmp/serve.log" && break
  kill -0 "$quire_pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "quire serve exited"; }
  sleep 0.1
done
base=$(sed -n 's/^quire is listening on //p' "$tmp/serve.log")
[[ -n $base ]] || die "quire serve did not say where it listens"
say "quire at $base (pid $quire_pid); waiting for /healthz (index ok)"
deadline=$(($(date +%s) + 3600))
until curl -sf "$base/healthz" | jq -e '.status == "ok" and .index == "ok"' >/dev/null 2>&1; do
  kill -0 "$quire_pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "quire serve exited"; }
  (($(date +%s) < deadline)) || die "the search index was not ready within an hour"
  sleep 1
done
total=$(curl -sf "$base/api/v1/works?per_page=1&facets=false" | jq -r .total)
[[ $total == "$works" ]] || die "the index holds $total works, not $works"

uri() { jq -rn --arg s "$1" '$s|@uri'; }

# (a) a single-chapter work of about the corpus's median length (2,500 words
# at full scale), the first by title: the whole work is on its page. Rated
# for all, so that a first visit is the work itself and not the notice
# Mature, Explicit and Not Rated works show first.
lo=$(awk -v s="$scale" 'BEGIN { n = int(2000 * s); print (n < 20 ? 20 : n) }')
hi=$(awk -v s="$scale" 'BEGIN { n = int(3000 * s); print (n < 40 ? 40 : n) }')
pick=$(curl -sf "$base/api/v1/works?single_chapter=true&words_from=$lo&words_to=$hi&exclude_rating=Mature&exclude_rating=Explicit&exclude_rating=Not%20Rated&sort=title&per_page=1&facets=false")
[[ $(jq '.works | length' <<<"$pick") == 1 ]] || die "no single-chapter work of $lo-$hi words"
work_id=$(jq -r '.works[0].id' <<<"$pick")
work_title=$(jq -r '.works[0].title' <<<"$pick")
work_words=$(jq -r '.works[0].words' <<<"$pick")
# (b) the most common fandom, Teen And Up, without Major Character Death, by kudos.
fandom=$(curl -sf "$base/api/v1/works?per_page=1" | jq -r '.facets.fandom[0].tag')
[[ -n $fandom && $fandom != null ]] || die "no fandom facet"
rating="Teen And Up Audiences"
exclude="Major Character Death"
listing_query="rating=$(uri "$rating")&exclude_warnings=$(uri "$exclude")&sort=kudos"
listing_total=$(curl -sf "$base/api/v1/works?include=$(uri "$fandom")&$listing_query&per_page=1&facets=false" | jq -r .total)
# (c) a word of the corpus's vocabulary, best match first.
word=lantern
search_total=$(curl -sf "$base/api/v1/works?q=$word&per_page=1&facets=false" | jq -r .total)
((search_total > 0)) || die "no work holds '$word'"

# A first visit's answer carries the guest's form token; every request after
# sends it back, as a browser does.
csrf=$(curl -sS -D - -o /dev/null "$base/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: quire_csrf=\([0-9a-f]\{64\}\);.*/\1/p' | head -n 1)
[[ -n $csrf ]] || die "the front page set no quire_csrf cookie"
cookie="Cookie: quire_csrf=$csrf"

path_a="/works/$work_id"
path_b="/tags/$(uri "$fandom")/works?$listing_query"
path_c="/works?q=$word"

# Fetches a page as the bench's guest; prints "status bytes seconds content-type".
fetch() { curl -sS -o "$2" -H "$cookie" -w '%{http_code} %{size_download} %{time_total} %{content_type}\n' "${@:3}" "$1"; }
ms_of() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

# A guest's first view of a work is a hit, written within 5 s; the page shows
# the count. View once, let it be written, then save the page wrk will see.
read -r _ _ first_a _ < <(fetch "$base$path_a" /dev/null)
sleep 6
mkdir -p "$tmp/www"
read -r status_a bytes_a _ type_a < <(fetch "$base$path_a" "$tmp/www/work.html")
[[ $status_a == 200 ]] || die "$path_a answered $status_a"
[[ $type_a == text/html* ]] || die "$path_a is $type_a, not HTML"
title_html=$(jq -rn --arg s "$work_title" '$s|@html')
grep -qF "$title_html" "$tmp/www/work.html" || die "$path_a does not hold the title '$work_title'"
sha_a=$(sha256sum <"$tmp/www/work.html" | cut -c1-64)
fetch "$base$path_a" "$tmp/again.html" >/dev/null
[[ $(sha256sum <"$tmp/again.html" | cut -c1-64) == "$sha_a" ]] ||
  die "two views of $path_a differ: the static copy would not be the same page"
# The same page as browsers ask for it: quire's brotli and gzip bytes, which
# nginx is given as the precompressed files it serves.
browser_ae="Accept-Encoding: gzip, deflate, br, zstd"
read -r status_f bytes_f _ _ < <(fetch "$base$path_a" "$tmp/www/work.html.br" -H "$browser_ae")
[[ $status_f == 200 ]] || die "$path_a as browsers ask answered $status_f"
fetch "$base$path_a" "$tmp/www/work.html.gz" -H "Accept-Encoding: gzip" >/dev/null
[[ $(gzip -dc <"$tmp/www/work.html.gz" | sha256sum | cut -c1-64) == "$sha_a" ]] ||
  die "quire's gzip form of $path_a doesn't decode to its page"
chmod 644 "$tmp/www/work.html" "$tmp/www/work.html.br" "$tmp/www/work.html.gz"
for c in b c; do
  p="path_$c"
  read -r status size secs type < <(fetch "$base${!p}" "$tmp/$c.html")
  [[ $status == 200 && $type == text/html* ]] || die "${!p} answered $status $type"
  declare "bytes_$c=$size" "first_$c=$secs"
done

# nginx on a free port, its config, pid, logs and temp files in $tmp.
nginx_port=""
for p in $(seq 18080 18180); do
  if ! ss -ltnH "sport = :$p" | grep -q .; then nginx_port=$p; break; fi
done
[[ -n $nginx_port ]] || die "no free port for nginx"
mkdir -p "$tmp/nginx"
brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
[[ -f $brotli_module ]] || die "nginx's brotli_static module is missing: apt-get install libnginx-mod-http-brotli-static"
cat >"$tmp/nginx/nginx.conf" <<EOF
load_module $brotli_module;
daemon off;
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {}
http {
  access_log off;
  sendfile on;
  # nginx closes a keep-alive connection after 1,000 requests by default;
  # quire never does, so nginx isn't made to reconnect either.
  keepalive_requests 10000000;
  types { text/html html; }
  default_type text/html;
  charset utf-8;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  # The page's .br and .gz files, made by quire, sent to clients that ask.
  brotli_static on;
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
  }
}
EOF
"$nginx_bin" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port/work.html"
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$nginx_url" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/error.log" >&2; die "nginx exited"; }
  sleep 0.1
done
read -r status_d bytes_d _ type_d < <(fetch "$nginx_url" "$tmp/d.html")
[[ $status_d == 200 ]] || die "nginx answered $status_d"
[[ $type_d == "text/html; charset=utf-8" ]] || die "nginx sent Content-Type '$type_d'"
[[ $(sha256sum <"$tmp/d.html" | cut -c1-64) == "$sha_a" && $bytes_d == "$bytes_a" ]] ||
  die "nginx's bytes differ from quire's work page"
read -r status_e bytes_e _ _ < <(fetch "$nginx_url" "$tmp/e.br" -H "$browser_ae")
[[ $status_e == 200 ]] || die "nginx answered $status_e as browsers ask"
cmp -s "$tmp/e.br" "$tmp/www/work.html.br" || die "nginx did not send quire's brotli bytes as browsers ask (brotli_static)"
# curl decodes brotli itself: the bytes decode to the page.
[[ $(curl -sS --compressed "$nginx_url" | sha256sum | cut -c1-64) == "$sha_a" ]] ||
  die "quire's brotli form of $path_a doesn't decode to its page"
curl -sS -D - -o /dev/null -H "$browser_ae" "$nginx_url" | tr -d '\r' | grep -qi '^content-encoding: br$' ||
  die "nginx sent no Content-Encoding: br"
say "nginx at 127.0.0.1:$nginx_port (pid $nginx_pid), serving the $bytes_a bytes of $path_a (sha256 ${sha_a:0:16}…), $bytes_e as brotli"

# --- measuring -------------------------------------------------------------
tck=$(getconf CLK_TCK)
# utime+stime (clock ticks) of the given processes, summed.
ticks() {
  local sum=0 pid stat f
  for pid in "$@"; do
    stat=$(<"/proc/$pid/stat")
    stat=${stat##*) } # fields from 3 on (the name may hold spaces)
    read -r -a f <<<"$stat"
    sum=$((sum + f[11] + f[12])) # fields 14 and 15
  done
  echo "$sum"
}
# wrk's latency (e.g. 812.00us, 1.23ms, 1.02s) in milliseconds.
ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) { print "?" } else { printf "%.2f", n * f }
  }'
}
# Each case's request headers: the returning guest's cookie, and how it asks.
declare -A asks
asks=([a]="cookie" [b]="cookie" [c]="cookie" [d]="cookie" [e]="cookie browser" [f]="cookie browser"
  [g]="browser" [h]="" [i]="cookie browser" [j]="cookie browser")
headers_of() {
  local h=() w
  for w in ${asks[$1]}; do
    case $w in
      cookie) h+=(-H "$cookie") ;;
      browser) h+=(-H "$browser_ae") ;;
    esac
  done
  ((${#h[@]} == 0)) || printf '%s\0' "${h[@]}"
}
flagged=()
declare -A rps p50 p99 errs cpu load urls bytes qthreads warm
urls=([a]="$path_a" [b]="$path_b" [c]="$path_c" [d]="$nginx_url" [e]="$nginx_url"
  [f]="$path_a" [g]="$path_a" [h]="$path_a" [i]="$path_b" [j]="$path_c")
read -r _ bytes_g _ _ < <(curl -sS -o /dev/null -H "$browser_ae" -w '%{http_code} %{size_download} %{time_total} %{content_type}\n' "$base$path_a")
read -r _ bytes_i _ _ < <(fetch "$base$path_b" /dev/null -H "$browser_ae")
read -r _ bytes_j _ _ < <(fetch "$base$path_c" /dev/null -H "$browser_ae")
bytes=([a]="$bytes_a" [b]="$bytes_b" [c]="$bytes_c" [d]="$bytes_d" [e]="$bytes_e"
  [f]="$bytes_f" [g]="$bytes_g" [h]="$bytes_a" [i]="$bytes_i" [j]="$bytes_j")

measure() { # case url pids...
  local c=$1 url=$2
  shift 2
  local hs=()
  mapfile -d '' -t hs < <(headers_of "$c")
  if ((fresh)) && [[ $c != d && $c != e ]]; then
    curl -sS -o /dev/null -H "$cookie" "$url"
  fi
  say "($c) warm-up ${warmup}s: $url"
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "${hs[@]}" "$url" >"$rawdir/$c-warmup.txt" 2>&1 || true
  local wreq wsock
  wreq=$(awk '/ requests in / { print $1 }' "$rawdir/$c-warmup.txt")
  wsock=$(sed -n 's/^ *Socket errors: //p' "$rawdir/$c-warmup.txt")
  warm[$c]="${wreq:-?} requests${wsock:+ (socket errors: $wsock)}"
  load[$c]=$(cut -d' ' -f1-3 /proc/loadavg)
  local before after raw="$rawdir/$c.txt"
  before=$(ticks "$@")
  say "($c) ${duration}s: $url"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${hs[@]}" "$url" >"$raw" 2>&1 || { cat "$raw" >&2; die "wrk failed on $url"; }
  after=$(ticks "$@")
  local requests non2xx sock
  qthreads[$c]=$(awk '/^Threads:/ { print $2 }' "/proc/$quire_pid/status")
  requests=$(awk '/ requests in / { print $1 }' "$raw")
  rps[$c]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$raw")
  if ((requests > 0)); then
    p50[$c]="$(ms "$(awk '$1 == "50%" { print $2 }' "$raw")") ms"
    p99[$c]="$(ms "$(awk '$1 == "99%" { print $2 }' "$raw")") ms"
    cpu[$c]=$(awk -v t=$((after - before)) -v hz="$tck" -v n="$requests" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
  else
    p50[$c]="–" p99[$c]="–" errs[$c]="no answer in ${duration} s"
    cpu[$c]="$(awk -v t=$((after - before)) -v hz="$tck" 'BEGIN { printf "%.1f", t / hz }') s CPU, no request"
    flagged+=("($c) $url: NO REQUEST COMPLETED in ${duration} s")
    say "!!! ($c) NO REQUEST COMPLETED"
  fi
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$raw")
  sock=$(sed -n 's/^ *Socket errors: //p' "$raw")
  [[ -n ${errs[$c]:-} ]] || errs[$c]=0
  if [[ -n $non2xx || -n $sock ]]; then
    errs[$c]="${non2xx:+non-2xx/3xx $non2xx}${non2xx:+${sock:+; }}${sock:+socket: $sock}"
    flagged+=("($c) $url: ${errs[$c]}")
    say "!!! ($c) HAD ERRORS: ${errs[$c]}"
  fi
}

# nginx first, while quire is idle: a quire page that falls behind (work
# still running after wrk has gone) would otherwise take CPU from nginx's run.
# quire's own CPU during nginx's run is reported to show it was idle.
mapfile -t nginx_workers < <(pgrep -P "$nginx_pid")
((${#nginx_workers[@]})) || die "nginx has no worker processes"
quire_before_d=$(ticks "$quire_pid")
measure d "$nginx_url" "${nginx_workers[@]}"
measure e "$nginx_url" "${nginx_workers[@]}"
quire_during_d=$(awk -v t=$(($(ticks "$quire_pid") - quire_before_d)) -v hz="$tck" 'BEGIN { printf "%.2f", t / hz }')
for c in a f g h; do measure $c "$base${urls[$c]}" "$quire_pid"; done
measure b "$base$path_b" "$quire_pid"
measure i "$base$path_b" "$quire_pid"
measure c "$base$path_c" "$quire_pid"
measure j "$base$path_c" "$quire_pid"

# The page after the runs: the same bytes nginx served?
same_after="not fetched (no answer within 120 s)"
if fetch "$base$path_a" "$tmp/after.html" --max-time 120 >/dev/null 2>&1; then
  if [[ $(sha256sum <"$tmp/after.html" | cut -c1-64) == "$sha_a" ]]; then
    same_after="still the same"
  else
    same_after="DIFFERENT (hits or counts changed)"
  fi
fi

status_q=$(<"/proc/$quire_pid/status")
rss=$(awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' <<<"$status_q")
hwm=$(awk '/^VmHWM:/ { printf "%.1f MiB", $2 / 1024 }' <<<"$status_q")
threads_q=$(awk '/^Threads:/ { print $2 }' <<<"$status_q")
nginx_rss=0
for pid in "${nginx_workers[@]}"; do
  nginx_rss=$((nginx_rss + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
done
ratio_of() { awk -v a="${rps[$1]}" -v d="${rps[$2]}" 'BEGIN { printf "%.2f", a / d }'; }
meets_of() { awk -v r="$(ratio_of "$1" "$2")" 'BEGIN { print (r >= 0.8) ? "met" : "NOT met" }'; }

# --- report ----------------------------------------------------------------
commit=$(git -C "$repo" rev-parse --short HEAD)
dirty_files=$(git -C "$repo" status --porcelain -- crates Cargo.toml Cargo.lock | awk '{ print $2 }' | paste -sd' ')
if [[ -n $dirty_files ]]; then
  dirty="dirty"
elif [[ -n $(git -C "$repo" status --porcelain) ]]; then
  dirty="dirty outside the code (crates/ and the Cargo files are as committed)"
else
  dirty="clean"
fi
# Tells two runs' code apart when the tree is dirty: tracked changes and
# untracked files under crates/ and the workspace manifests.
code_sha=$(cd "$repo" && { git diff HEAD -- crates Cargo.toml Cargo.lock
  git ls-files -o --exclude-standard -z -- crates | sort -z | xargs -0 -r cat; } | sha256sum | cut -c1-12)
{
  echo "# serving pages: quire vs nginx"
  echo
  echo "- Machine: nproc $(nproc); $(lscpu | sed -n 's/^Model name: *//p' | head -1);" \
    "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM. Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "- Commit \`$commit\`, work tree $dirty${dirty_files:+ (the binary was built with these changed: $dirty_files; sha256 of the changes \`$code_sha\`)}." \
    "$(rustc --version | cut -d' ' -f1-2); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')."
  echo "- Archive: $works generated works (\`quire corpus --works $works --seed $seed --word-scale $scale\`)," \
    "SQLite, $archive_size on disk ($archive_note)."
  echo "- Load average (1, 5, 15 min) at the start of each measured run: $(for c in d e a f g h b i c j; do printf '(%s) %s; ' "$c" "${load[$c]}"; done)"
  echo "- Each case: a ${warmup} s warm-up, then"
  echo
  echo "  \`\`\`sh"
  echo "  wrk -t$threads -c$connections -d${duration}s --latency -H '$cookie' URL"
  echo "  \`\`\`"
  echo
  echo "  (plus \`-H '$browser_ae'\` where the case says \"as browsers ask\", and no cookie on a first visit)."
  echo "  wrk, quire and nginx share the same $(nproc) cores."
  echo "  quire ran with \`QUIRE_LOG=$quire_log\`; nginx with \`access_log off\`."
  echo
  echo "| case | URL | bytes | req/s | p50 | p99 | errors | CPU µs/req |"
  echo "|---|---|---:|---:|---:|---:|---|---:|"
  for c in a f g h d e b i c j; do
    case $c in
      a) name="(a) work page ($work_words words, one chapter), returning, no compression" ;;
      f) name="(f) work page, returning, as browsers ask (brotli)" ;;
      g) name="(g) work page, first visit, as browsers ask (brotli)" ;;
      h) name="(h) work page, first visit, no compression" ;;
      b) name="(b) tag listing, filtered ($listing_total works match), no compression" ;;
      i) name="(i) tag listing, as browsers ask" ;;
      c) name="(c) text search \`$word\` ($search_total works match), no compression" ;;
      j) name="(j) text search, as browsers ask" ;;
      d) name="(d) nginx, static copy of (a), no compression" ;;
      e) name="(e) nginx, (f)'s brotli bytes precompressed, as browsers ask" ;;
    esac
    echo "| $name | \`${urls[$c]}\` | ${bytes[$c]} | ${rps[$c]} | ${p50[$c]} | ${p99[$c]} | ${errs[$c]} | ${cpu[$c]} |"
  done
  echo
  echo "- Against nginx asked the same way (target ≥ 0.8 each):" \
    "(a)/(d) = ${rps[a]} / ${rps[d]} = **$(ratio_of a d)** ($(meets_of a d));" \
    "(h)/(d) = ${rps[h]} / ${rps[d]} = **$(ratio_of h d)** ($(meets_of h d));" \
    "(f)/(e) = ${rps[f]} / ${rps[e]} = **$(ratio_of f e)** ($(meets_of f e));" \
    "(g)/(e) = ${rps[g]} / ${rps[e]} = **$(ratio_of g e)** ($(meets_of g e))."
  echo "- quire after the runs: VmRSS $rss, VmHWM $hwm, $threads_q threads" \
    "(threads at the end of each run: (a) ${qthreads[a]}, (b) ${qthreads[b]}, (c) ${qthreads[c]}; quire used ${quire_during_d} s CPU during (d) and (e), which ran first)." \
    "nginx workers (${#nginx_workers[@]}): VmRSS $(awk -v k="$nginx_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') together."
  echo "- First view of each quire page, one curl right after the server started (before any warm-up):" \
    "(a) $(ms_of "$first_a") ms, (b) $(ms_of "$first_b") ms, (c) $(ms_of "$first_c") ms."
  echo "- Warm-ups (${warmup} s, not counted): $(for c in a f g h b i c j d e; do printf '(%s) %s; ' "$c" "${warm[$c]}"; done)"
  echo "- CPU µs/req: utime+stime of the server over the measured run (quire: its process; nginx: its workers)," \
    "in ${tck} Hz ticks, divided by the requests wrk completed."
  echo "- Bytes are the body. (a)'s body: sha256 \`$sha_a\`; nginx served exactly those bytes;" \
    "quire's page after the runs: $same_after."
  if ((${#flagged[@]})); then
    echo
    echo "**WARNING: runs with errors — their figures are not valid:**"
    for f in "${flagged[@]}"; do echo "- **$f**"; done
  fi
  echo
  echo "Reproduce: \`bench/serve/run.sh$( ((works != 100000)) && echo " --works $works")$( ((duration != 30)) && echo " --duration $duration")$( ((warmup != 3)) && echo " --warmup $warmup")$( ((fresh)) && echo " --fresh")$([[ $scale != 1 ]] && echo " --word-scale $scale")\`" \
    "(wrk's output: \`target/serve-bench/wrk/\`)."
} | tee "$report"
if ((${#flagged[@]})); then
  say "!!! ${#flagged[@]} run(s) had errors; see the report"
fi
