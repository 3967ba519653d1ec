#!/usr/bin/env bash
# Install whatever is missing for this project, idempotently:
#   - a virtual environment in .venv with the package and its dev tools,
#   - a Chromium the engine can drive (Debian's, via apt-get, when none is found),
#   - redis-server when --with-redis is given (the distributed-worker tests need one).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

with_redis=0
for arg in "$@"; do
  case "$arg" in
    --with-redis) with_redis=1 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ ! -f /tmp/.bank-sync-apt-updated ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && touch /tmp/.bank-sync-apt-updated
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. Python environment
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing the package and its dev dependencies"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

# 2. A browser
find_browser() {
  if [ -n "${ENGINE_CHROMIUM:-}" ]; then [ -x "$ENGINE_CHROMIUM" ]; return; fi
  for name in chromium chromium-browser google-chrome google-chrome-stable chrome; do
    command -v "$name" >/dev/null 2>&1 && return 0
  done
  return 1
}
if ! find_browser; then
  if ! apt_install chromium; then
    echo "No Chromium found and it cannot be installed here (needs root and apt-get)." >&2
    echo "Install Chromium or Chrome yourself and point the engine at it:" >&2
    echo "    export ENGINE_CHROMIUM=/path/to/chrome" >&2
    exit 1
  fi
fi

# 3. Redis, for the distributed-worker tests
if [ "$with_redis" = 1 ] && ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server || { echo "redis-server is missing and cannot be installed here" >&2; exit 1; }
fi
