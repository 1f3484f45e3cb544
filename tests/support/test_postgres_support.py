"""Tests for the throwaway PostgreSQL helper in tests/support/postgres.py."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.postgres import TempPostgres, find_pg_bin

PG_BIN = find_pg_bin()
needs_pg = pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL (initdb/pg_ctl) not installed")


@needs_pg
def test_start_query_template_stop() -> None:
    pg = TempPostgres(PG_BIN)
    url = pg.start()
    tmp_dir = pg.tmp_dir
    try:
        assert tmp_dir is not None and tmp_dir.is_dir()
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres"

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version()")).scalar_one().startswith("PostgreSQL ")
            assert conn.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
            assert conn.execute(sa.text("SHOW fsync")).scalar_one() == "off"
        engine.dispose()

        # Build a template with a table and a row, then clone it.
        tpl_url = pg.create_database("ipcity_template")
        tpl_engine = sa.create_engine(tpl_url)
        with tpl_engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE city (id int PRIMARY KEY, name text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO city VALUES (1, '知识产权强市')"))
        tpl_engine.dispose()  # a template must have no open connections

        clone_url = pg.create_database("ipcity_clone", template="ipcity_template")
        assert clone_url.endswith(f":{pg.port}/ipcity_clone")
        clone_engine = sa.create_engine(clone_url)
        with clone_engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM city WHERE id = 1")).scalar_one() == "知识产权强市"
        clone_engine.dispose()
    finally:
        pg.stop()

    assert not tmp_dir.exists()
    assert pg.tmp_dir is None and pg.url is None
    pg.stop()  # idempotent


@needs_pg
def test_context_manager() -> None:
    with TempPostgres(PG_BIN) as pg:
        tmp_dir = pg.tmp_dir
        engine = sa.create_engine(pg.url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
        engine.dispose()
    assert tmp_dir is not None and not tmp_dir.exists()


def test_find_pg_bin_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for tool in ("initdb", "pg_ctl"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
    monkeypatch.setenv("IPCITY_PG_BIN", str(tmp_path))
    assert find_pg_bin() == tmp_path

    monkeypatch.setenv("IPCITY_PG_BIN", str(tmp_path / "missing"))
    with pytest.raises(RuntimeError, match="IPCITY_PG_BIN"):
        find_pg_bin()


def test_tool_errors_surface_stderr() -> None:
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("root without runuser")
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("root without a postgres user")
    # Fake tools in a world-readable dir, so the postgres user can run them under runuser.
    bin_dir = Path(tempfile.mkdtemp(prefix="ipcity-fakepg-"))
    try:
        os.chmod(bin_dir, 0o755)
        for tool in ("initdb", "pg_ctl"):
            script = bin_dir / tool
            script.write_text("#!/bin/sh\necho 'boom from fake tool' >&2\nexit 3\n")
            script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IROTH)
        pg = TempPostgres(bin_dir)
        with pytest.raises(RuntimeError, match="boom from fake tool"):
            pg.start()
        assert pg.tmp_dir is None and pg.url is None
    finally:
        shutil.rmtree(bin_dir)
