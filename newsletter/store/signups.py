"""The sign-up queue: form posts waiting for their confirmation email, and the per-IP limit.

A sign-up is one row, written by the form in one short transaction that is the same for
every address (so the answer takes the same time whether or not the address is known). A
worker (``newsletter serve`` in the background, or ``newsletter send --due``) claims due
rows, sends their confirmation, retries failures later and purges what is done. The rows
of the last window per network are the per-IP limit, shared by every server process.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, text, update

from .engine import read_transaction, write_transaction
from .events import HasEngine
from .schema import signups

_Q = signups.c
SIGNUP_STATUSES = ("queued", "sending", "done", "failed")


@dataclass(frozen=True)
class SignupRequest:
    """What the form received: a valid, normalised address and the rest as given.

    ``honeypot``: a bot filled in the hidden field; the row is written (the same work, and
    it counts towards the limit) but nobody's data is kept and nothing is sent.
    """

    email: str
    name: str = ""
    timezone: str | None = None
    ip: str | None = None
    honeypot: bool = False


@dataclass(frozen=True)
class QueuedSignup:
    """A claimed sign-up, for the worker: who asked, when, and how far it got."""

    id: int
    email: str
    name: str
    timezone: str | None
    ip: str | None
    at: datetime
    attempts: int  # sending attempts so far, this one included
    confirmation_id: int | None  # the confirmations row, once the email was decided on
    subject: str | None  # what the confirmation token names, once decided


def rate_key(ip: str | None) -> str:
    """What the per-IP limit counts by: the IPv4 address, or the /64 network of an IPv6
    one (one household or server holds a whole /64)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def enqueue_signup(store: HasEngine, request: SignupRequest, *, now: datetime, limit: int,
                   window: timedelta) -> bool:
    """Queue a sign-up unless its network made ``limit`` of them within ``window``.

    False when refused. One write transaction, the same statements for every address.
    """
    key = rate_key(request.ip)
    with write_transaction(store.engine) as conn:
        if conn.dialect.name == "postgresql":  # one counter per network at a time
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
        recent = conn.execute(select(func.count()).where(
            _Q.rate_key == key, _Q.at > now - window)).scalar_one()
        if recent >= limit:
            return False
        kept = not request.honeypot
        conn.execute(signups.insert().values(
            email=request.email if kept else "", name=request.name if kept else "",
            timezone=request.timezone if kept else None, ip=request.ip if kept else None,
            rate_key=key, at=now, status="queued" if kept else "done", attempts=0,
            next_try_at=now, updated_at=now))
    return True


def claim_signups(store: HasEngine, *, now: datetime, lease: timedelta, limit: int = 50
                  ) -> list[QueuedSignup]:
    """Take up to ``limit`` due sign-ups for this worker (also those a dead worker left
    ``sending`` longer than ``lease``); several workers never take the same row."""
    due = or_(and_(_Q.status == "queued", _Q.next_try_at <= now),
              and_(_Q.status == "sending", _Q.updated_at < now - lease))
    query = select(signups).where(due).order_by(_Q.id).limit(limit)
    with write_transaction(store.engine) as conn:
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        if rows:
            conn.execute(update(signups).where(_Q.id.in_([r.id for r in rows]))
                         .values(status="sending", updated_at=now, attempts=_Q.attempts + 1))
    return [QueuedSignup(id=r.id, email=r.email, name=r.name, timezone=r.timezone, ip=r.ip,
                         at=r.at, attempts=r.attempts + 1, confirmation_id=r.confirmation_id,
                         subject=r.subject) for r in rows]


def prepare_signup(store: HasEngine, signup_id: int, *, confirmation_id: int, subject: str
                   ) -> None:
    """Record what the confirmation email names (so a retry sends the same request)."""
    with write_transaction(store.engine) as conn:
        conn.execute(update(signups).where(_Q.id == signup_id)
                     .values(confirmation_id=confirmation_id, subject=subject))


def finish_signup(store: HasEngine, signup_id: int, *, now: datetime, status: str,
                  error: str | None = None, retry_at: datetime | None = None) -> None:
    """Mark a claimed sign-up ``done``, ``failed``, or ``queued`` again until ``retry_at``."""
    assert status in SIGNUP_STATUSES
    with write_transaction(store.engine) as conn:
        conn.execute(update(signups).where(_Q.id == signup_id).values(
            status=status, last_error=error, updated_at=now,
            next_try_at=retry_at or now))


def purge_signups(store: HasEngine, *, now: datetime, done_after: timedelta,
                  failed_after: timedelta) -> int:
    """Forget finished sign-ups (their address and IP): done ones after ``done_after``,
    failed ones after ``failed_after``. Returns how many rows went."""
    old = or_(and_(_Q.status == "done", _Q.updated_at < now - done_after),
              and_(_Q.status == "failed", _Q.updated_at < now - failed_after))
    with write_transaction(store.engine) as conn:
        return int(conn.execute(delete(signups).where(old)).rowcount or 0)


def signup_counts(store: HasEngine) -> dict[str, int]:
    """How many queued sign-ups have each status (zeros included)."""
    counts = dict.fromkeys(SIGNUP_STATUSES, 0)
    with read_transaction(store.engine) as conn:
        for status, n in conn.execute(select(_Q.status, func.count()).group_by(_Q.status)):
            counts[status] = n
    return counts
