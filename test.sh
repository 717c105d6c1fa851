#!/usr/bin/env bash
# Install the development dependencies and run the whole test suite (SQLite and PostgreSQL).
# PostgreSQL: 127.0.0.1:5432, database `test` (INTERDICT_TEST_PG to override); with CI=true a
# missing server fails the run. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check src tests bench
.venv/bin/mypy
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" "$@"
