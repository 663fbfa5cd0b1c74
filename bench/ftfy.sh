#!/usr/bin/env bash
# Times ftfy (Python) on the exact input the criterion bench times quire on.
#
#   bench/ftfy.sh            # 5 repetitions
#   bench/ftfy.sh 10         # 10 repetitions
#
# The input, target/bench-input/analyze-1mb.txt, is written by
# `cargo bench -p quire-text --bench analyze`; when it is missing this script
# writes it with `-- --list`, which builds the input and times nothing.
# ftfy is installed into a venv under target/bench-venv (pinned below).
set -euo pipefail
cd "$(dirname "$0")/.."

FTFY_VERSION=6.3.1
venv=target/bench-venv
input=target/bench-input/analyze-1mb.txt

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import ftfy, sys; sys.exit(ftfy.__version__ != '$FTFY_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ftfy==$FTFY_VERSION"
fi

if [ ! -f "$input" ]; then
  cargo bench -p quire-text --bench analyze --locked -- --list >/dev/null
fi

exec "$venv/bin/python" bench/ftfy_bench.py "$input" "${1:-5}"
