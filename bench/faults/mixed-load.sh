#!/usr/bin/env bash
# Mixed load against a server on loopback: 80% page reads, 15% filtered
# searches, 5% writes (comments, kudos, new chapters) at 64 connections
# for 60 s. Passes when there were no errors and, with the server stopped,
# every acknowledged write is in the SQLite file exactly once.
#
#   bench/faults/mixed-load.sh
#   CONNECTIONS=16 DURATION=20 WORKS=500 bench/faults/mixed-load.sh
#
# Scratch (archive, journal, server log): target/faults-bench/mixed-load.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-60}"
WORKS="${WORKS:-2000}"
WORD_SCALE="${WORD_SCALE:-1}"
ACCOUNTS="${ACCOUNTS:-8}"
WORK="${WORK:-$ROOT/target/faults-bench/mixed-load}"
DATA="$WORK/data"
LOG="$WORK/server.log"

trap 'stop_server >/dev/null 2>&1 || true' EXIT

build_all
rm -rf "$WORK" && mkdir -p "$WORK"
make_archive "$DATA" "$WORKS" "$WORD_SCALE"
make_accounts "$DATA" "$ACCOUNTS" "$WORK/accounts"

say "starting the server"
start_server "$DATA" "$LOG"
wait_index

say "mixed load: $CONNECTIONS connections for $DURATION s"
echo "machine before: $(uptime)"
load_status=0
$NICE "$LOAD" mixed --base "$SERVER_URL" --connections "$CONNECTIONS" --duration "$DURATION" \
    --accounts "@$WORK/accounts" --journal "$WORK/journal.tsv" || load_status=$?
echo "machine after: $(uptime)"
# utime + stime of the server, in clock ticks.
echo "server CPU time so far: $(awk '{printf "%.1f s", ($14 + $15) / 100}' "/proc/$SERVER_PID/stat")"

say "stopping the server (SIGTERM)"
server_status=0
stop_server || server_status=$?

say "looking for every acknowledged write in $DATA/quire.sqlite"
verify_status=0
"$LOAD" verify --db "$DATA/quire.sqlite" --journal "$WORK/journal.tsv" || verify_status=$?

panic_status=0
if panics_in "$LOG"; then
    echo "the server panicked (see $LOG)"
    panic_status=1
fi
log_summary "$LOG"

say "result"
echo "load: exit $load_status (non-zero = errors during the load)"
echo "server: exit $server_status after SIGTERM"
echo "verify: exit $verify_status (non-zero = lost, duplicated or damaged writes)"
if [ "$load_status" -ne 0 ] || [ "$server_status" -ne 0 ] || [ "$verify_status" -ne 0 ] || [ "$panic_status" -ne 0 ]; then
    echo "MIXED LOAD: FAILED"
    exit 1
fi
echo "MIXED LOAD: PASSED"
