"""PostgreSQL connections are pinged after sitting idle, not at every checkout."""

from __future__ import annotations

import pytest
from pg import pg_url  # noqa: F401  (fixture)
from sqlalchemy import text

from newsletter.store import engine as engines


def _backend_pid(engine: object) -> int:
    with engines.read_transaction(engine) as conn:  # type: ignore[arg-type]
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_dropped_while_idle_is_replaced(pg_url: str,  # noqa: F811
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engines.make_engine(pg_url)
    monkeypatch.setattr(engines, "IDLE_PING", 0.0)  # every pooled connection counts as idle
    first = _backend_pid(engine)
    other = engines.make_engine(pg_url)
    with engines.read_transaction(other) as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    other.dispose()
    assert _backend_pid(engine) != first  # the dead one was found by the ping, not used
    engine.dispose()


def test_a_busy_connection_is_not_pinged(pg_url: str,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engines.make_engine(pg_url)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or True)
    for _ in range(3):
        _backend_pid(engine)
    assert pings == []  # used again within IDLE_PING seconds
    monkeypatch.setattr(engines, "IDLE_PING", 0.0)
    _backend_pid(engine)
    assert len(pings) == 1
    engine.dispose()
