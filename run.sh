#!/usr/bin/env bash
# Start Interdict on its embedded default: a virtualenv, the package, the SQLite database with the
# demo world, served on http://127.0.0.1:8000. Generated logins are printed the first time.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/interdict serve --demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
