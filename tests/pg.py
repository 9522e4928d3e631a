"""PostgreSQL for tests: a fresh, isolated schema per test on the local server, or a skip.

The server is ``NEWSLETTER_TEST_POSTGRES_URL`` or 127.0.0.1:5432, database ``test``, trust
auth, user ``postgres`` or ``root``. Each test gets its own uniquely named schema (the URL
sets ``search_path``), dropped afterwards, so tests and engineers never see each other's
rows. When no server answers the test is skipped, unless ``NEWSLETTER_REQUIRE_POSTGRES``
or ``CI`` is set: then it fails.

Use in a test module::

    from pg import db_url, pg_url  # noqa: F401  (fixtures)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest

CANDIDATES = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _required() -> bool:
    return bool(os.environ.get("NEWSLETTER_REQUIRE_POSTGRES") or os.environ.get("CI"))


@cache
def server_url() -> str | None:
    """The first PostgreSQL URL that answers, or None."""
    import psycopg

    env = os.environ.get("NEWSLETTER_TEST_POSTGRES_URL")
    for url in (env,) if env else CANDIDATES:
        try:
            psycopg.connect(_libpq(url), connect_timeout=3).close()
            return url
        except psycopg.Error:
            continue
    return None


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(sql)


def fresh_postgres_url() -> Iterator[str]:
    """Yield the URL of a new empty schema on the test server; drop it afterwards."""
    url = server_url()
    if url is None:
        message = "no PostgreSQL server answers on 127.0.0.1:5432 (database test)"
        if _required():
            pytest.fail(message + "; NEWSLETTER_REQUIRE_POSTGRES or CI is set")
        pytest.skip(message)
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    _admin(url, f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}?options={quote(f'-csearch_path={schema}')}"
    finally:
        _admin(url, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema's URL (skips when no server, fails in CI)."""
    yield from fresh_postgres_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test twice: a new SQLite file, and a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'subscribers' / 'newsletter.db'}"
    else:
        yield from fresh_postgres_url()
