"""Engines: SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes) and PostgreSQL.

Writers on SQLite take the write lock when their transaction begins (``BEGIN IMMEDIATE``):
a deferred transaction that reads and then writes can fail at once with "database is
locked" when another writer got there first, whatever the busy timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ..errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "newsletter_immediate"


def normalise_url(url: str) -> str:
    """Point plain ``postgres://`` and ``postgresql://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite file or memory, or PostgreSQL), configured for the store."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"not a database URL: {url!r}", field="database_url") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "")
    if parsed.get_backend_name() == "postgresql":
        # No server-side prepared statements: a generic plan ignores the claim floor and
        # hashes the whole ledger; a custom plan per call walks the index and stops early.
        return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=16,
                             connect_args={"prepare_threshold": None})
    raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// "
                      "or postgresql+psycopg://", field="database_url")


def _sqlite_engine(url: str, database: str) -> Engine:
    memory = database in ("", ":memory:")
    if not memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {"poolclass": StaticPool} if memory else {"pool_size": 8,
                                                                       "max_overflow": 16}
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": BUSY_TIMEOUT_MS / 1000}, **extra)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver so "begin" below decides how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One short write transaction (SQLite: BEGIN IMMEDIATE), committed on success."""
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction (SQLite: a deferred BEGIN that takes no write lock)."""
    with engine.connect() as conn, conn.begin():
        yield conn
