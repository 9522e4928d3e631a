"""The shared rate limit's window: what every process sent in the last hour, one row per
batch, read and extended in one locked transaction.

The database is the one thing every process and host of a newsletter shares, so the
limit holds across all of them: on PostgreSQL a transaction-scoped advisory lock
serialises the takers and the server's clock stamps the rows (hosts' clocks may differ);
on SQLite ``BEGIN IMMEDIATE`` serialises the processes of the host.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from .engine import write_transaction
from .schema import send_rate

WINDOW = 3600.0  # seconds of history kept: the longest limit's span
# (now, what went out in the window as (time, count), oldest first) -> seconds to wait.
Decide = Callable[[float, Sequence[tuple[float, int]]], float]


class RateStore:
    """The shared send-rate window; mixed into :class:`~newsletter.store.Store`."""

    engine: Engine

    def take_send_rate(self, count: int, decide: Decide, *,
                       clock: Callable[[], float] = time.time) -> tuple[int | None, float, float]:
        """Record ``count`` messages going out now if ``decide`` lets them (it returns 0).

        Returns (a ticket for :meth:`return_send_rate`, or None when not taken; now; the
        wait ``decide`` asked for). ``clock`` is used on SQLite only.
        """
        with write_transaction(self.engine) as conn:
            now = _locked_now(conn, clock)
            conn.execute(delete(send_rate).where(send_rate.c.at <= now - WINDOW))
            rows = conn.execute(select(send_rate.c.at, send_rate.c.count)
                                .where(send_rate.c.at > now - WINDOW)
                                .order_by(send_rate.c.at)).all()
            wait = decide(now, [(float(at), n) for at, n in rows])
            if wait > 0:
                return None, now, wait
            ticket = conn.execute(insert(send_rate).values(at=now, count=count)
                                  .returning(send_rate.c.id)).scalar_one()
        return ticket, now, 0.0

    def return_send_rate(self, ticket: int, count: int) -> None:
        """Give back ``count`` of what ``ticket`` took (a claim found fewer recipients)."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(send_rate).where(send_rate.c.id == ticket)
                         .values(count=send_rate.c.count - count))


def _locked_now(conn: Connection, clock: Callable[[], float]) -> float:
    """Take the window's lock; the time its rows are stamped with."""
    if conn.dialect.name != "postgresql":
        return clock()  # BEGIN IMMEDIATE already holds the only writer's lock
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || "
                      "'.send_rate'))"))
    return float(conn.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())
