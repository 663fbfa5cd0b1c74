#!/usr/bin/env bash
# Posting a chapter to a work with 0, 1,000 and 10,000 subscribers: how long
# the post takes to return, how long until the last email is handed to a
# local SMTP server (aiosmtpd), and messages per second beside Python's
# smtplib on the same kind of server. Needs Debian's python3-aiosmtpd
# (scripts/test installs it).
#   bench/notify/run.sh [COUNTS]      # default 0,1000,10000
set -euo pipefail
cd "$(dirname "$0")/../.."
counts="${1:-0,1000,10000}"
cargo build --release -q -p quire
work="target/bench-notify"
mkdir -p "$work"
/usr/bin/python3 bench/notify/notify_bench.py "$PWD/target/release/quire" "$PWD/$work" "$counts"
