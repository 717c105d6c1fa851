"""One typed settings object. Every field is documented in docs/settings.md (a test checks)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

_DEV_SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERDICT_", extra="forbid")

    environment: Literal["development", "production", "test"] = Field(
        "development", description="`production` refuses generated secrets and insecure cookies."
    )
    data_dir: Path = Field(
        Path("./interdict-data"), description="Where the SQLite file, attachments and keys live."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means the SQLite file `interdict.db` in the data directory."
    )
    secret_key: str = Field(
        "",
        description="Signs audit checkpoints and session cookies. Empty in development: generated once "
        "into the data directory. Required in production.",
    )
    node_name: str = Field("local", description="Name of this node in audit rows and checkpoints.")
    session_idle_minutes: int = Field(30, ge=1, description="Sessions end after this much inactivity.")
    session_absolute_hours: int = Field(
        12, ge=1, description="Sessions end this long after sign-in, whatever happens."
    )
    max_sessions_per_user: int = Field(5, ge=1, description="Older sessions are ended beyond this many.")
    token_default_days: int = Field(90, ge=1, description="Default lifetime of API tokens.")
    token_max_days: int = Field(365, ge=1, description="Longest lifetime an API token may be given.")
    mfa_policy: Literal["admins", "all", "agency"] = Field(
        "agency",
        description="Who must use TOTP: `admins` only, `all` users, or `agency` (admins always, others "
        "where their agency requires it).",
    )
    lockout_attempts: int = Field(5, ge=1, description="Failed sign-ins before a username is locked.")
    lockout_minutes: int = Field(10, ge=1, description="How long a locked username stays locked.")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest JSON request body accepted.")
    attachment_max_bytes: int = Field(10_485_760, ge=1024, description="Largest attachment accepted.")
    import_max_bytes: int = Field(
        536_870_912, ge=1024, description="Largest seizure file accepted for import through the API or web."
    )
    audit_checkpoint_every: int = Field(256, ge=1, description="Rows between signed audit checkpoints.")
    config_file: Path | None = Field(
        None, description="Optional TOML file with these settings (lower-case names)."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("INTERDICT_CONFIG_FILE")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_path)))
        return tuple(sources)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.environment == "production":
            if len(self.secret_key) < 32:
                raise ValueError("INTERDICT_SECRET_KEY must be set to at least 32 characters in production")
            if not self.database_url:
                raise ValueError("INTERDICT_DATABASE_URL must be set in production")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interdict.db').resolve()}"

    @property
    def effective_secret_key(self) -> str:
        """The configured secret, or in development one generated once into the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / _DEV_SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def settings_markdown() -> str:
    """The settings reference in docs/settings.md, generated from the fields (a test checks for drift)."""
    lines = [
        "# Settings",
        "",
        "Environment variables (prefix `INTERDICT_`) or, with `INTERDICT_CONFIG_FILE`, a TOML file using the",
        "lower-case names. Environment variables win over the file. Generated by",
        "`python -c 'from interdict.settings import settings_markdown; print(settings_markdown())'`.",
        "",
        "| variable | default | description |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "" if default in (None, "") else str(default)
        lines.append(f"| `INTERDICT_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return "\n".join(lines) + "\n"
