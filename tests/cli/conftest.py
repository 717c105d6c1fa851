"""The CLI tests' runner: ``run(*args, token=..., input=...)`` invokes `interdict` on a fresh SQLite
database, as the user of ``token`` where one is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdict.cli.main import app
from tests.conftest import TEST_SECRET


@pytest.fixture
def run(sqlite_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"INTERDICT_DATABASE_URL": sqlite_url, "INTERDICT_DATA_DIR": str(tmp_path), "INTERDICT_SECRET_KEY": TEST_SECRET}
    runner = CliRunner()

    def invoke(*args: str, token: str | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
        extra = {"INTERDICT_TOKEN": token} if token else {}
        return runner.invoke(app, list(args), env={**env, **extra}, input=input)

    return invoke


def token_for(run, username: str, agency: str) -> str:  # type: ignore[no-untyped-def]
    """A new analyst of ``agency`` with an API token; the token."""
    made = run("users", "create", username, "--agency", agency, "--role", "analyst", "--token")
    assert made.exit_code == 0, made.output
    return next(line.split(": ", 1)[1] for line in made.output.splitlines() if line.startswith("token: "))
