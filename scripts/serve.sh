#!/usr/bin/env bash
# `make run`: the web server and, beside it, the task worker (evidence capture and other background
# work; the database is the queue). Stopping the server (Ctrl-C) stops the worker too.
set -euo pipefail
BIN="$1"; HOST="$2"
"$BIN/ecredit" db_worker --queue-name '*' --no-reload -v0 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
"$BIN/ecredit" runserver "$HOST"
