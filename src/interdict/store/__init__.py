"""SQLAlchemy tables, Alembic migrations, the visibility filter and the few dialect helpers."""
