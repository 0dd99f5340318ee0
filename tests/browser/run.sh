#!/usr/bin/env bash
# Browser check of a rendered pivot report in headless Debian Chromium.
# Usage: tests/browser/run.sh REPORT_HTML SCREENSHOT_PNG EXPECTED_CLAIMS
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 REPORT_HTML SCREENSHOT_PNG EXPECTED_CLAIMS" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report="$(realpath "$1")"
shot="$(realpath -m "$2")"
claims="$3"

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

mkdir -p "$(dirname "$shot")"
exec node "$here/check_report.mjs" "$report" "$shot" "$claims"
