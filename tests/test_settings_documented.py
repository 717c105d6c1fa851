"""Every setting is documented in docs/settings.md, and production refuses weak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from interdict.settings import Settings

DOC = Path(__file__).parent.parent / "docs" / "settings.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_is_documented(name: str) -> None:
    assert f"`INTERDICT_{name.upper()}`" in DOC.read_text(encoding="utf-8")


def test_production_refuses_missing_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", database_url="postgresql+psycopg://x/y", secret_key="")


def test_toml_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "interdict.toml"
    cfg.write_text('node_name = "bangkok-1"\nsession_idle_minutes = 15\n')
    monkeypatch.setenv("INTERDICT_CONFIG_FILE", str(cfg))
    s = Settings()
    assert (s.node_name, s.session_idle_minutes) == ("bangkok-1", 15)


def test_settings_reference_is_current() -> None:
    from interdict.settings import settings_markdown

    assert DOC.read_text(encoding="utf-8") == settings_markdown()
