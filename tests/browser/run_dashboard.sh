#!/usr/bin/env bash
# Browser check of the dashboard: starts `pivot serve` on a free loopback port over STORE,
# drives it in headless Debian Chromium (check_dashboard.mjs), then stops it with SIGTERM and
# checks it shut down cleanly.
# Usage: tests/browser/run_dashboard.sh PIVOT_BINARY STORE SCREENSHOT_PNG
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 PIVOT_BINARY STORE SCREENSHOT_PNG" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pivot="$(realpath "$1")"
store="$2"
shot="$(realpath -m "$3")"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian chromium (apt-get)…" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y chromium >&2
fi
if [ ! -d "$here/node_modules" ]; then
  echo "installing playwright-core (npm ci)…" >&2
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
"$pivot" --store "$store" serve --addr "127.0.0.1:$port" 2>"$log" &
server=$!
stop() { kill -TERM "$server" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$log" >&2; echo "pivot serve exited" >&2; exit 1; fi
  sleep 0.5
done
mkdir -p "$(dirname "$shot")"
status=0
node "$here/check_dashboard.mjs" "http://127.0.0.1:$port/" "$shot" || status=$?
kill -TERM "$server"
trap - EXIT
server_status=0
wait "$server" || server_status=$?
echo "server access log: $(grep -c ' /' "$log" || true) requests; last lines:" >&2
tail -n 3 "$log" >&2
if [ "$server_status" -ne 0 ]; then
  echo "FAIL pivot serve exited with $server_status after SIGTERM" >&2
  cat "$log" >&2
  exit 1
fi
grep -q "pivot: stopped" "$log" || { echo "FAIL no graceful shutdown in the log" >&2; exit 1; }
exit "$status"
