#!/usr/bin/env bash
# schemathesis (PyPI) against `pivot serve`'s /openapi.json: starts the server on a free
# loopback port over STORE, generates requests for every operation (examples, coverage and
# fuzzing phases, positive and negative data) within a time budget, and fails on any 5xx, an
# undocumented status or content type, or a response that breaks its schema.
# Usage: tests/api/run_schemathesis.sh PIVOT_BINARY STORE [VENV]
# Env:   SCHEMATHESIS_MAX_TIME (seconds, default 240), SCHEMATHESIS_MAX_EXAMPLES (default 10)
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 PIVOT_BINARY STORE [VENV]" >&2
  exit 2
fi
pivot="$(realpath "$1")"
store="$2"
venv="${3:-${CARGO_TARGET_DIR:-$PWD/target}/schemathesis-venv}"
version="4.32.5"

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
  echo "installing schemathesis $version into $venv (pip)…" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version" >&2
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
"$pivot" --store "$store" serve --addr "127.0.0.1:$port" 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$log" >&2; echo "pivot serve exited" >&2; exit 1; fi
  sleep 0.5
done

# One worker: CPython 3.11's AST constructor keeps its recursion depth per interpreter, not per
# thread, so two workers parsing in hypothesis's lambda_sources at once can fail with
# "AST constructor recursion depth mismatch" (python/cpython#106905), a crash of the tool that
# says nothing about the server (it failed CI once, stop 19).
# Its example database and reports go to a scratch folder, not the checkout.
cd "$(mktemp -d)"
status=0
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}" \
  --max-time "${SCHEMATHESIS_MAX_TIME:-240}" \
  --request-timeout 120 \
  --workers 1 \
  --seed 1 \
  --suppress-health-check all \
  --continue-on-failure \
  --no-color || status=$?
# Access log lines: METHOD URI STATUS BYTES TIME.
fivexx="$(awk 'NF == 5 && $3 ~ /^5[0-9][0-9]$/' "$log")"
echo "server: $(awk 'NF == 5' "$log" | wc -l) requests, $(printf '%s' "$fivexx" | grep -c . || true) answered 5xx" >&2
if [ -n "$fivexx" ]; then
  echo "FAIL the server answered 5xx:" >&2
  printf '%s\n' "$fivexx" | head -20 >&2
  status=1
fi
exit "$status"
