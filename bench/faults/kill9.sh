#!/usr/bin/env bash
# kill -9 the server during a stream of posts (works of several chapters)
# and comments; restart it on the same data directory and check that every
# acknowledged write exists exactly once and whole (all its chapters, its
# tags, its text), that nothing is half-written, and that the search API
# finds each acknowledged work within SEARCH_WAIT seconds with no reindex
# command run. Repeated ROUNDS times on the same archive.
#
#   bench/faults/kill9.sh
#   ROUNDS=5 THREADS=6 bench/faults/kill9.sh
#
# Scratch: target/faults-bench/kill9.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-4}"
CHAPTERS="${CHAPTERS:-3}"
WORKS="${WORKS:-500}"
SEARCH_WAIT="${SEARCH_WAIT:-30}"
# The kill comes KILL_MIN..KILL_MAX seconds into the stream.
KILL_MIN="${KILL_MIN:-3}"
KILL_MAX="${KILL_MAX:-7}"
WORK="${WORK:-$ROOT/target/faults-bench/kill9}"
DATA="$WORK/data"
LOG="$WORK/server.log"
JOURNAL="$WORK/journal.tsv"
STREAM_PID=""

cleanup() {
    [ -n "$STREAM_PID" ] && kill "$STREAM_PID" 2>/dev/null || true
    stop_server >/dev/null 2>&1 || true
}
trap cleanup EXIT

build_all
rm -rf "$WORK" && mkdir -p "$WORK"
make_archive "$DATA" "$WORKS" 0.3
make_accounts "$DATA" "$THREADS" "$WORK/accounts"
: >"$JOURNAL"

failures=0
stream_failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

for round in $(seq 1 "$ROUNDS"); do
    say "round $round of $ROUNDS: start the server"
    start_server "$DATA" "$LOG"
    if [ "$round" -gt 1 ]; then
        say "round $round: after the restart, before any new write"
        "$LOAD" check-stream --base "$SERVER_URL" --journal "$JOURNAL" --search-wait "$SEARCH_WAIT" ||
            fail "check after restart $((round - 1))"
    else
        wait_index
    fi
    say "round $round: stream works and comments from $THREADS threads, then kill -9"
    $NICE "$LOAD" stream --base "$SERVER_URL" --accounts "@$WORK/accounts" --journal "$JOURNAL" \
        --threads "$THREADS" --chapters "$CHAPTERS" --round "$round" --duration 120 \
        >"$WORK/stream-$round.txt" 2>&1 &
    STREAM_PID=$!
    for _ in $(seq 1 300); do
        grep -q '^streaming:' "$WORK/stream-$round.txt" && break
        sleep 0.1
    done
    delay=$((KILL_MIN + RANDOM % (KILL_MAX - KILL_MIN + 1)))
    sleep "$delay"
    echo "kill -9 after ${delay} s of streaming ($(grep -c . "$JOURNAL") journal lines so far)"
    kill9_server
    stream_status=0
    wait "$STREAM_PID" || stream_status=$?
    STREAM_PID=""
    cat "$WORK/stream-$round.txt"
    if [ "$stream_status" -ne 0 ]; then
        echo "FAILED: stream round $round had errors not caused by the kill (above)"
        stream_failures=$((stream_failures + 1))
    fi
done

say "final restart"
start_server "$DATA" "$LOG"
"$LOAD" check-stream --base "$SERVER_URL" --journal "$JOURNAL" --search-wait "$SEARCH_WAIT" ||
    fail "check after the last restart"
stop_server || fail "the server did not stop cleanly on SIGTERM"

say "the store itself: every acknowledged write once, nothing half-written"
"$LOAD" verify --db "$DATA/quire.sqlite" --journal "$JOURNAL" || fail "verify"

if panics_in "$LOG"; then fail "the server panicked (see $LOG)"; fi
log_summary "$LOG"

say "result"
echo "acknowledged: $(grep -c '^work' "$JOURNAL" || true) works, $(grep -c '^chapter' "$JOURNAL" || true) added chapters, $(grep -c '^comment' "$JOURNAL" || true) comments over $ROUNDS kills"
if [ "$failures" -gt 0 ]; then
    echo "after the kills (writes kept whole and once, index caught up): FAILED ($failures)"
else
    echo "after the kills (writes kept whole and once, index caught up): PASSED"
fi
if [ "$stream_failures" -gt 0 ]; then
    echo "while streaming (before each kill): errors in $stream_failures of $ROUNDS rounds"
else
    echo "while streaming (before each kill): no error"
fi
if [ "$failures" -gt 0 ] || [ "$stream_failures" -gt 0 ]; then
    echo "KILL -9: FAILED"
    exit 1
fi
echo "KILL -9: PASSED"
