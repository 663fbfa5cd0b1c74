# Shared by bench/faults/*.sh: build quire and the load client, make a
# small archive, start and stop a server on loopback. Source it; it sets
#   ROOT, QUIRE, LOAD, and uses WORK (each script's own scratch directory).
# Everything is niced: the machine has two cores and others compile on it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="$ROOT/target/faults-bench/build"
LOAD_DIR="$ROOT/target/faults-bench/load"
QUIRE="$BUILD_DIR/release/quire"
LOAD="$LOAD_DIR/release/quire-load"
NICE="nice -n ${NICE_LEVEL:-10}"
SERVER_PID=""
SERVER_URL=""

say() { printf '\n== %s\n' "$*"; }

# QUIRE_REV=HEAD (or any commit) builds that revision, exported to
# target/faults-bench/src, instead of the work tree as it stands: for when
# the work tree is in the middle of a change.
build_all() {
    local src="$ROOT"
    if [ -n "${QUIRE_REV:-}" ]; then
        src="$ROOT/target/faults-bench/src"
        rm -rf "$src" && mkdir -p "$src"
        git -C "$ROOT" archive "$QUIRE_REV" | tar -x -C "$src"
        echo "quire at $(git -C "$ROOT" rev-parse --short "$QUIRE_REV") (QUIRE_REV=$QUIRE_REV)"
    else
        echo "quire from the work tree at $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- crates || echo ' + uncommitted changes under crates/')"
    fi
    say "building quire (release) into target/faults-bench/build and bench/load"
    ( cd "$src" && CARGO_TARGET_DIR="$BUILD_DIR" $NICE cargo build --release -p quire --quiet )
    ( cd "$ROOT/bench/load" && CARGO_TARGET_DIR="$LOAD_DIR" $NICE cargo build --release --quiet )
    command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)"; exit 2; }
}

# make_archive DATA WORKS [WORD_SCALE]
make_archive() {
    local data="$1" works="$2" scale="${3:-1}"
    say "generating $works works (word scale $scale) and importing them into $data"
    rm -rf "$WORK/corpus"
    $NICE "$QUIRE" corpus --works "$works" --word-scale "$scale" --out "$WORK/corpus" >/dev/null
    $NICE "$QUIRE" import "$WORK/corpus" --data "$data" | tail -n 2
}

# make_accounts DATA N FILE: N accounts loadN, written as name:password lines.
make_accounts() {
    local data="$1" n="$2" file="$3"
    : >"$file"
    for i in $(seq 1 "$n"); do
        local name="load$i" password="load-password-$i-$RANDOM$RANDOM"
        printf '%s' "$password" |
            "$QUIRE" user add "$name" --email "$name@example.invalid" --password-stdin --data "$data" >/dev/null
        printf '%s:%s\n' "$name" "$password" >>"$file"
    done
    echo "created $n accounts"
}

# start_server DATA LOG [ADDRESS]: serves on loopback, port 0 unless given;
# waits for /healthz. Sets SERVER_PID and SERVER_URL.
start_server() {
    local data="$1" log="$2" address="${3:-127.0.0.1:0}"
    : >"$log.out"
    # The load scripts post many comments from few accounts on loopback.
    $NICE "$QUIRE" serve --data "$data" --listen "$address" --comments-per-minute 0 >"$log.out" 2>>"$log" &
    SERVER_PID=$!
    local url=""
    for _ in $(seq 1 600); do
        url=$(sed -n 's/^quire is listening on \(http:[^ ]*\).*/\1/p' "$log.out" | head -n 1)
        [ -n "$url" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited at start:"; tail -n 20 "$log"; return 1; }
        sleep 0.1
    done
    [ -n "$url" ] || { echo "the server did not say where it listens"; return 1; }
    for _ in $(seq 1 600); do
        if curl -fsS "$url/healthz" >/dev/null 2>&1; then
            SERVER_URL="$url"
            echo "server $SERVER_PID listening on $url: $(curl -sS "$url/healthz")"
            return 0
        fi
        sleep 0.1
    done
    echo "no /healthz from $url"
    return 1
}

# wait_index: until /healthz says the index is ok (bounded).
wait_index() {
    for _ in $(seq 1 1200); do
        curl -fsS "$SERVER_URL/healthz" 2>/dev/null | grep -q '"index":"ok"' && return 0
        sleep 0.1
    done
    echo "the index was not ready in 120 s"
    return 1
}

# stop_server: SIGTERM, wait up to 30 s; prints and returns the exit status.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local status=0
    for _ in $(seq 1 300); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "the server did not stop within 30 s of SIGTERM; killing it"
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        status=137
    fi
    wait "$SERVER_PID" 2>/dev/null || status=$?
    echo "server $SERVER_PID stopped (exit status $status)"
    SERVER_PID=""
    return "$status"
}

# kill9_server: no warning, no cleanup.
kill9_server() {
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    echo "server $SERVER_PID killed with SIGKILL"
    SERVER_PID=""
}

# panics_in LOG: prints Rust panic lines; returns 0 when there were some.
panics_in() {
    grep -nE "thread '.*' panicked at|RUST_BACKTRACE=" "$1"
}

# log_summary LOG: access-log lines counted by status, then the other
# lines grouped (timestamps dropped), most frequent first.
log_summary() {
    local log="$1"
    echo "server log $log: $(wc -l <"$log") lines"
    grep 'quire::access' "$log" | grep -o 'status=[0-9]*' | sort | uniq -c | sed 's/^/  access: /' || true
    grep -v 'quire::access' "$log" | sed -E 's/^[0-9]{4}-[0-9-]+T[0-9:.]+Z +//' | cut -c1-160 |
        sort | uniq -c | sort -rn | head -n 12 || true
}
