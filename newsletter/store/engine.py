"""Engines: SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes) and PostgreSQL.

Writers on SQLite take the write lock when their transaction begins (``BEGIN IMMEDIATE``):
a deferred transaction that reads and then writes can fail at once with "database is
locked" when another writer got there first, whatever the busy timeout.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
)
from sqlalchemy.pool import StaticPool

from ..errors import ConfigError, StoreError, one_line

BUSY_TIMEOUT_MS = 30_000
DISK_LOW = 1024 * 1024  # bytes free under which a write's failure is put down to a full disk
_IMMEDIATE = "newsletter_immediate"
IDLE_PING = 5.0  # seconds a pooled PostgreSQL connection may sit idle before it is pinged


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
        return _sqlite_engine(url, parsed.database or "", _busy_timeout(parsed.query))
    if parsed.get_backend_name() == "postgresql":
        # No server-side prepared statements: a generic plan ignores the claim floor and
        # hashes the whole ledger; a custom plan per call walks the index and stops early.
        engine = create_engine(url, pool_size=8, max_overflow=16,
                               connect_args={"prepare_threshold": None})
        _ping_when_idle(engine)
        return engine
    raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// "
                      "or postgresql+psycopg://", field="database_url")


def _ping_when_idle(engine: Engine) -> None:
    """Check that a pooled connection still answers before using it, when it has been
    idle for ``IDLE_PING`` seconds or more (the server may have restarted or dropped it
    meanwhile): a dead one is replaced by a fresh one.

    Not at every checkout (``pool_pre_ping``): a send checks a connection out several
    times a batch, and each ping was a round trip to the server, up to a third of a
    short transaction's time on a loaded machine.
    """
    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool connects afresh (up to three times)
            raise DisconnectionError(one_line(exc)) from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _busy_timeout(query: Any) -> float:
    """Seconds a SQLite writer waits for the lock: ``?timeout=SECONDS`` in the URL, or 30."""
    raw = query.get("timeout", BUSY_TIMEOUT_MS / 1000)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ConfigError(f"timeout={raw!r}: expected seconds from 0 to 3600",
                          field="database_url")
    return seconds


def _sqlite_engine(url: str, database: str, busy_timeout: float) -> Engine:
    memory = database in ("", ":memory:")
    if not memory and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"the database's folder {str(folder)!r} cannot be made "
                             f"({exc.strerror or exc}): check database_url") from None
    extra: dict[str, Any] = {"poolclass": StaticPool} if memory else {"pool_size": 8,
                                                                       "max_overflow": 16}
    engine = create_engine(url, connect_args={"check_same_thread": False,
                                              "timeout": busy_timeout}, **extra)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so "begin" below decides how to BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One short write transaction (SQLite: BEGIN IMMEDIATE), committed on success.

    A failure of the database raises :class:`StoreError` (one line, the URL without its
    password), the transaction rolled back.
    """
    with store_errors(engine), engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


@contextmanager
def one_statement(engine: Engine) -> Iterator[Connection]:
    """A write of one statement: on PostgreSQL without BEGIN and COMMIT (the statement is
    its own transaction: one round trip instead of three); elsewhere a
    :func:`write_transaction`. Failures raise :class:`StoreError` as there."""
    if engine.dialect.name != "postgresql":
        with write_transaction(engine) as conn:
            yield conn
        return
    with store_errors(engine), engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction (SQLite: a deferred BEGIN that takes no write lock)."""
    with store_errors(engine), engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def store_errors(engine: Engine) -> Iterator[None]:
    """Turn the database's failures (locked, read-only, full, unreachable, not a database,
    no permission) into :class:`StoreError`; a unique key's refusal (``IntegrityError``) is
    left to the code that expects it."""
    try:
        yield
    except IntegrityError:
        raise
    except (DatabaseError, InterfaceError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        hint = _HINTS.get(one_line(exc).lower(), "") or _disk_hint(engine)
        raise StoreError(f"the database failed ({where}): {one_line(exc)}{hint}") from exc


def _disk_hint(engine: Engine) -> str:
    """For a SQLite file: ": the disk holding it is full" when it (nearly) is."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return ""
    path = Path(database.removeprefix("file:").split("?")[0]).expanduser()
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return ""
    return f": the disk holding it is full ({free // 1024} KB free)" if free < DISK_LOW else ""


_HINTS = {
    "database is locked": ": another process held it longer than the busy timeout "
                          f"(?timeout=SECONDS in the URL, default {BUSY_TIMEOUT_MS // 1000})",
}
