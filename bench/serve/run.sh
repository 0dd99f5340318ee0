#!/usr/bin/env bash
# Load benchmark of `pivot serve`: a release server over the bundled data, driven by wrk from a
# second process — 60 s at 32 connections over a mix of measure, country, claims and SQL
# requests (mix.lua), then 30 s of measure requests only (measure.lua) for the measure latency
# target — while the server's resident memory is sampled every second. Writes RESULTS.md.
#
# Usage: bash bench/serve/run.sh            (DURATION=60 CONNECTIONS=32 THREADS=2 to change)
# Needs: wrk (Debian: apt-get install wrk), curl. Builds pivot in release unless PIVOT_BIN is set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${DURATION:-60}"
measure_duration="${MEASURE_DURATION:-30}"
conns="${CONNECTIONS:-32}"
threads="${THREADS:-2}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)…" >&2
  sudo_cmd=""; if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update >&2 && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y wrk >&2
fi
if [ -z "${PIVOT_BIN:-}" ]; then
  (cd "$root" && cargo build --release -p pivot-cli >&2)
  PIVOT_BIN="${CARGO_TARGET_DIR:-$root/target}/release/pivot"
fi
work="$(mktemp -d)"
store="$work/store"
"$PIVOT_BIN" --store "$store" data list >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$PIVOT_BIN" --store "$store" serve --addr "127.0.0.1:$port" 2>"$work/access.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do curl -fsS "$base/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done

# Resident memory of the server, once a second, for the whole run.
( while kill -0 "$server" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || true
    sleep 1
  done ) >"$work/rss.txt" &
sampler=$!

# Warm-up: every request of the mix once (fills the measure cache as a first user would).
wrk -t1 -c1 -d5s -s "$here/mix.lua" "$base" >/dev/null
rss_warm="$(awk '/VmRSS/ {print $2}' "/proc/$server/status")"

echo "== mixed load: ${duration}s, $conns connections, $threads threads" >&2
wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 10s --latency -s "$here/mix.lua" "$base" | tee "$work/mix.txt" >&2
echo "== measures only: ${measure_duration}s, $conns connections" >&2
wrk -t"$threads" -c"$conns" -d"${measure_duration}s" --timeout 10s --latency -s "$here/measure.lua" "$base" | tee "$work/measure.txt" >&2
rss_end="$(awk '/VmRSS/ {print $2}' "/proc/$server/status")"
kill -TERM "$server"; wait "$server" || true
kill "$sampler" 2>/dev/null || true

field() { # field FILE REGEX -> first match's value
  grep -E "$2" "$1" | head -1 | awk '{print $2}'
}
errors() { # non-2xx plus socket errors
  local f="$1" non sock
  non="$(grep -E 'Non-2xx' "$f" | awk '{print $NF}')"; non="${non:-0}"
  sock="$(grep -E 'Socket errors' "$f" | sed -E 's/.*connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+).*/\1 \2 \3 \4/' | awk '{print $1+$2+$3+$4}')"; sock="${sock:-0}"
  echo "$non non-2xx, $sock socket errors/timeouts"
}
peak="$(sort -n "$work/rss.txt" | tail -1)"
first="$(head -1 "$work/rss.txt")"
mix_rps="$(grep Requests/sec "$work/mix.txt" | awk '{print $2}')"
mea_rps="$(grep Requests/sec "$work/measure.txt" | awk '{print $2}')"
cpu="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
mixline="$(grep -E '^MIX' "$work/mix.txt" || true)"

cat >"$here/RESULTS.md" <<EOF
# pivot serve under load

Command: \`bash bench/serve/run.sh\` (binary \`${PIVOT_BIN#$root/}\`, built with \`cargo build --release -p pivot-cli\`; wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), ${threads} threads, ${conns} connections, from a second process on the same machine).
Machine: ${cpu}; load average at the end ${load} (the machine is shared: figures are a floor).
Date: $(date -u +%Y-%m-%d).

| run | duration | requests/s | p50 | p99 | errors |
|---|---|---|---|---|---|
| mix (measure, country, claims, SQL) | ${duration} s | ${mix_rps} | $(field "$work/mix.txt" '^ +50%') | $(field "$work/mix.txt" '^ +99%') | $(errors "$work/mix.txt") |
| measures only (partner-share) | ${measure_duration} s | ${mea_rps} | $(field "$work/measure.txt" '^ +50%') | $(field "$work/measure.txt" '^ +99%') | $(errors "$work/measure.txt") |

Server resident memory (VmRSS, sampled each second): $((first / 1024)) MiB at start, $((rss_warm / 1024)) MiB after warm-up, peak $((peak / 1024)) MiB, $((rss_end / 1024)) MiB at the end.

${mixline}. The warm-up sends each request of the mix once first, so measure results come from
the engine's measure and claims caches (as for any repeated request); SQL runs every time (at most one query per core at once; a query waits for its turn before its time limit starts).

## wrk output

Mixed run:

\`\`\`
$(cat "$work/mix.txt")
\`\`\`

Measures only:

\`\`\`
$(cat "$work/measure.txt")
\`\`\`
EOF
echo "wrote $here/RESULTS.md" >&2
