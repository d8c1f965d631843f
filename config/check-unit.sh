#!/usr/bin/env bash
# Checks config/newshound.service with systemd-analyze: an exposure of at
# most 1.5 and nothing from `verify` but the binary not being installed.
# Skips (exit 0) where systemd-analyze is missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not found: unit not checked"
  exit 0
fi
exposure=$(systemd-analyze security --offline=yes newshound.service 2>&1 \
  | sed -n 's/.*Overall exposure level for newshound.service: \([0-9.]*\).*/\1/p')
echo "newshound.service exposure: ${exposure:-unknown} (at most 1.5)"
awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 1.5) }'
problems=$(systemd-analyze verify newshound.service 2>&1 \
  | grep -v 'Command /usr/local/bin/newshound is not executable' || true)
if [ -n "$problems" ]; then
  echo "systemd-analyze verify:"
  echo "$problems"
  exit 1
fi
echo "newshound.service verifies (the binary aside)"
