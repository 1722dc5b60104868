"""Fixtures shared by the unit tests of bot/."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy.engine import make_url

# TEST_POSTGRES_URL: a server where the tests may create and drop databases (default: the local one).
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="module")
def postgres_db():
    """A fresh PostgreSQL database for this module, dropped at the end."""
    psycopg2 = pytest.importorskip("psycopg2")
    admin = make_url(POSTGRES)
    try:
        conn = psycopg2.connect(host=admin.host, port=admin.port or 5432, user=admin.username,
                                password=admin.password, dbname=admin.database or "postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {admin.render_as_string(hide_password=True)}: {exc}")
    conn.autocommit = True
    name = f"care_test_{secrets.token_hex(6)}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name)
    finally:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()
