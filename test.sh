#!/usr/bin/env bash
# Install the development dependencies and run the whole test suite (SQLite and PostgreSQL).
# PostgreSQL: 127.0.0.1:5432, database `test` (INTERDICT_TEST_PG to override); with CI=true a
# missing server fails the run. Extra arguments go to pytest.
# Browser tests (tests/browser) need Debian's Chromium and a CJK font (installed here with apt, as root or
# through sudo) and axe-core from the npm registry (installed under .cache/node); without them they skip,
# or fail with CI=true.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

AXE_VERSION=4.10.3
apt_packages=()
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || apt_packages+=(fonts-noto-cjk)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "test.sh: no apt-get; install ${apt_packages[*]} yourself for the browser tests" >&2
  else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="unavailable"; fi
    fi
    if [ "$SUDO" = "unavailable" ]; then
      echo "test.sh: not root and no sudo; install ${apt_packages[*]} for the browser tests" >&2
    else
      echo "test.sh: installing ${apt_packages[*]} with apt (log: .cache/apt.log)"
      mkdir -p .cache
      { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
          --no-install-recommends "${apt_packages[@]}"; } >.cache/apt.log 2>&1 \
        || { echo "test.sh: apt-get failed, see .cache/apt.log" >&2; tail -5 .cache/apt.log >&2; }
    fi
  fi
fi
if ! grep -qs "\"version\": \"$AXE_VERSION\"" .cache/node/node_modules/axe-core/package.json; then
  if command -v npm >/dev/null; then
    npm install --prefix .cache/node "axe-core@$AXE_VERSION" --no-audit --no-fund --silent --save-exact >/dev/null \
      || echo "test.sh: npm could not install axe-core@$AXE_VERSION" >&2
  else
    echo "test.sh: no npm; the browser tests need axe-core@$AXE_VERSION under .cache/node" >&2
  fi
fi

.venv/bin/ruff check src tests bench
.venv/bin/mypy
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" "$@"
