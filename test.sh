#!/usr/bin/env bash
# Runs every test against real services: DynamoDB Local and a throwaway PostgreSQL cluster that the
# test fixtures start themselves, and Debian's Chromium for the browser tests. Installs what the tests
# need from the machine's registries first.
set -euo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" -eq 0 ] && [ -z "${CHROMIUM_PATH:-}" ]; then
    echo "test.sh: $chromium is missing; installing Debian's chromium (about a minute)..."
    DEBIAN_FRONTEND=noninteractive apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium
  else
    echo "test.sh: no Chromium at $chromium. Install Debian's chromium as root (apt-get install chromium) or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi

# The scale-out tests start a throwaway redis-server (Debian's package; the system service is never used).
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: redis-server is missing; installing Debian's redis-server..."
    DEBIAN_FRONTEND=noninteractive apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y redis-server
  else
    echo "test.sh: no redis-server on PATH. Install Debian's redis-server as root (apt-get install redis-server)." >&2
    exit 1
  fi
fi

# CI's own summary parser is checked first: a parser that misreads a crash would hide every failure below.
.ci/summarize-test

exec dotnet test --solution Cruddur.slnx "$@"
