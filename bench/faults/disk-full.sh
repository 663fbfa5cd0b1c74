#!/usr/bin/env bash
# The data directory on a small tmpfs that fills up under a running
# server: writes must fail with a clear error to the writer and in the
# log, reads must keep answering, nothing stored may be damaged, and once
# space is freed writes must work again without a restart.
#
#   bench/faults/disk-full.sh            (needs root: it mounts a tmpfs)
#   SIZE=64m WORKS=400 bench/faults/disk-full.sh
#
# Falls back to a loop-mounted ext4 image when tmpfs can't be mounted.
# Scratch: target/faults-bench/disk-full (the log lives outside the
# small filesystem, so logging never fails for lack of space).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SIZE="${SIZE:-48m}"
WORKS="${WORKS:-300}"
WORK="${WORK:-$ROOT/target/faults-bench/disk-full}"
MNT="$WORK/mnt"
DATA="$MNT/data"
LOG="$WORK/server.log"
MOUNTED=""

cleanup() {
    stop_server >/dev/null 2>&1 || true
    if [ -n "$MOUNTED" ]; then
        umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
        echo "unmounted $MNT"
    fi
}
trap cleanup EXIT

build_all
if mountpoint -q "$MNT" 2>/dev/null; then umount "$MNT"; fi
rm -rf "$WORK" && mkdir -p "$MNT"

say "mounting a $SIZE filesystem at $MNT"
if mount -t tmpfs -o "size=$SIZE" tmpfs "$MNT" 2>"$WORK/mount.err"; then
    MOUNTED=tmpfs
else
    echo "tmpfs mount refused ($(cat "$WORK/mount.err")); trying a loop-mounted ext4 image"
    truncate -s "$SIZE" "$WORK/disk.img"
    mkfs.ext4 -q -F "$WORK/disk.img"
    mount -o loop "$WORK/disk.img" "$MNT"
    MOUNTED=ext4
fi
df -h "$MNT" | tail -n 1

make_archive "$DATA" "$WORKS" 0.2
make_accounts "$DATA" 1 "$WORK/accounts"
echo "data directory: $(du -sh "$DATA" | cut -f1); filesystem: $(df -h --output=used,avail "$MNT" | tail -n 1)"

# What is stored before the test, to compare after.
fingerprint() {
    sqlite3 "$DATA/quire.sqlite" "
        SELECT 'works', COUNT(*), SUM(word_count), group_concat(id || ':' || title || ':' || version, ',') FROM (SELECT * FROM works WHERE id <= $1 ORDER BY id);
        SELECT 'chapters', COUNT(*), SUM(length(manuscript)), SUM(length(html)) FROM chapters WHERE work_id <= $1;
        SELECT 'tags', COUNT(*) FROM work_tags WHERE work_id <= $1;
        SELECT 'users', COUNT(*) FROM users;" | sha256sum | cut -c1-16
}
last_corpus_work=$(sqlite3 "$DATA/quire.sqlite" 'SELECT MAX(id) FROM works')
before_print=$(fingerprint "$last_corpus_work")

say "starting the server (stderr to $LOG)"
start_server "$DATA" "$LOG"
wait_index

say "fill the disk, write until writes fail, read, free the space, write again"
check_status=0
"$LOAD" disk-full --base "$SERVER_URL" --accounts "@$WORK/accounts" --journal "$WORK/journal.tsv" \
    --filler "$MNT/filler" --leave-kb "${LEAVE_KB:-256}" --log "$LOG" || check_status=$?
df -h "$MNT" | tail -n 1

say "while the server still runs: the store as another process sees it"
if sqlite3 -cmd ".timeout 3000" "$DATA/quire.sqlite" "BEGIN IMMEDIATE; ROLLBACK;" 2>"$WORK/lock.err"; then
    echo "another connection can take the write lock: no transaction is left open"
else
    echo "another connection cannot take the write lock within 3 s: $(cat "$WORK/lock.err")"
    echo "(a connection of the server holds a write transaction open)"
fi
running_status=0
"$LOAD" verify --db "$DATA/quire.sqlite" --journal "$WORK/journal.tsv" >"$WORK/verify-running.txt" || running_status=$?
sed -n '/^write /,$p' "$WORK/verify-running.txt"

say "stopping the server (SIGTERM)"
server_status=0
stop_server || server_status=$?

say "the store after the test"
integrity=$(sqlite3 "$DATA/quire.sqlite" 'PRAGMA integrity_check')
echo "PRAGMA integrity_check: $integrity"
after_print=$(fingerprint "$last_corpus_work")
store_status=0
if [ "$integrity" != "ok" ]; then store_status=1; fi
if [ "$before_print" = "$after_print" ]; then
    echo "the $last_corpus_work works stored before the test are unchanged (fingerprint $after_print)"
else
    echo "the works stored before the test CHANGED: fingerprint $before_print before, $after_print after"
    store_status=1
fi
verify_status=0
"$LOAD" verify --db "$DATA/quire.sqlite" --journal "$WORK/journal.tsv" || verify_status=$?

panic_status=0
if panics_in "$LOG"; then echo "the server panicked"; panic_status=1; fi

say "result"
echo "disk-full checks: exit $check_status; server after SIGTERM: exit $server_status; store: $store_status; verify: $verify_status"
if [ "$check_status" -ne 0 ] || [ "$server_status" -ne 0 ] || [ "$store_status" -ne 0 ] ||
    [ "$verify_status" -ne 0 ] || [ "$panic_status" -ne 0 ]; then
    echo "DISK FULL: FAILED"
    exit 1
fi
echo "DISK FULL: PASSED"
