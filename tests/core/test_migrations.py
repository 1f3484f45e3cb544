"""The migrations build exactly the schema the table classes declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ipcity.bootstrap import import_all_tables
from ipcity.core.db import Base


def test_models_and_migrations_agree(db):
    import_all_tables()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"a table changed without a migration: {diff}"
