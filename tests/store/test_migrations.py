"""One Alembic history builds both stores, and it matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from interdict.store.migrate import current_revision, head_revision
from interdict.store.models import Base


def test_models_equal_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_database_is_at_head(db_url: str) -> None:
    engine = create_engine(db_url)
    assert current_revision(engine) == head_revision(db_url)
    engine.dispose()
