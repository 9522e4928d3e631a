"""The drip sequence in the database: who is due, claims of (subscriber, issue), progress.

Each subscriber row carries its progress (``seq_last_issue``, ``seq_last_day``,
``seq_last_at``) and an index hint: ``seq_next_due_at`` (UTC) and ``seq_next_issue``. The
hint is never later than the truth, so "who may be due now" is one range scan of the
index (status, seq_next_due_at); every candidate's real due time is then computed in
Python (:func:`newsletter.planning.sequence.next_due`) and the hint corrected. A new, reactivated
or resumed subscriber has the 1970 default (computed on first sight); when the series or
the timing changes (:func:`sync_fingerprint`) every hint is reset the same way.

A claim inserts ``claimed`` rows into the same deliveries ledger as broadcasts (keyed by
the issue's id, unique per subscriber: the exactly-once guard) and advances the
subscriber's progress in the same transaction, moving their hint past ``now``: one email
per subscriber per run, whatever they are owed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    bindparam,
    delete,
    false,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql

from ..planning.sequence import Due, Progress
from .engine import read_transaction, write_transaction
from .records import Claimed
from .schema import deliveries, sequence_state, subscribers

_S, _D = subscribers.c, deliveries.c
UNSCHEDULED = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = datetime(9000, 1, 1, tzinfo=UTC)  # finished the series, or paused
TICK = timedelta(microseconds=1)  # a hint just past `now`: not picked again this run

Planner = Callable[[Progress], Due | None]


@dataclass(frozen=True)
class DueClaim:
    """A claimed delivery of one issue to one subscriber."""

    issue: int
    claimed: Claimed


@dataclass(frozen=True)
class ClaimResult:
    """What one claim transaction did: claims made, candidates looked at, and the numbers
    of issues skipped because the subscriber already had them."""

    claims: list[DueClaim]
    seen: int
    skipped: list[int]


@dataclass(frozen=True)
class SequencePosition:
    """Where one subscriber is in the series (``subscribers show``)."""

    status: str
    paused: bool
    confirmed_at: datetime | None
    timezone: str | None
    last_issue: int
    last_day: int
    last_at: datetime | None
    next_issue: int | None
    next_due_at: datetime | None


@dataclass(frozen=True)
class IssueWaiting:
    """Per issue: how many active subscribers wait for it, how many of them are due, and
    when the earliest of them is due."""

    waiting: int
    due: int
    next_at: datetime | None


def _candidates(conn: Connection, now: datetime, limit: int, *, lock: bool) -> list[Any]:
    query = (select(_S.id, _S.email, _S.name, _S.timezone, _S.fields, _S.key,
                    func.coalesce(_S.confirmed_at, _S.created_at), _S.seq_last_issue,
                    _S.seq_last_day, _S.seq_last_at)
             .where(_S.status == "active", _S.seq_paused == false(), _S.seq_next_due_at <= now)
             .order_by(_S.seq_next_due_at, _S.id).limit(limit))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=subscribers)
    return list(conn.execute(query).all())


def _progress(row: Any) -> Progress:
    return Progress(confirmed_at=row[6], timezone=row[3], last_issue=row[7], last_day=row[8],
                    last_at=row[9])


def _hint(due: Due | None, now: datetime) -> dict[str, Any]:
    if due is None:
        return {"b_next_at": NEVER, "b_next_issue": None}
    return {"b_next_at": max(due.at, now + TICK), "b_next_issue": due.number}


_SET_HINT = sql_update(subscribers).where(_S.id == bindparam("b_id")).values(
    seq_next_due_at=bindparam("b_next_at"), seq_next_issue=bindparam("b_next_issue"))
_ADVANCE = sql_update(subscribers).where(_S.id == bindparam("b_id")).values(
    seq_last_issue=bindparam("b_last_issue"), seq_last_day=bindparam("b_last_day"),
    seq_last_at=bindparam("b_last_at"), seq_next_due_at=bindparam("b_next_at"),
    seq_next_issue=bindparam("b_next_issue"))


def claim_due(engine: Engine, plan: Planner, *, batch_id: str, limit: int, now: datetime,
              keys: Mapping[int, str], sendable: frozenset[int] | None = None,
              stamp: datetime | None = None) -> ClaimResult:
    """Claim, in one transaction, up to ``limit`` subscribers whose next issue is due.

    ``plan`` computes a subscriber's next due issue from their progress; ``keys`` maps each
    issue number to its ledger key; ``sendable`` (None: all) are the issues this run can
    send: a subscriber due for another one waits for a later run. ``seen == 0`` means
    nobody may be due any more. ``stamp`` (default ``now``) is the claim time the lease is
    measured from: the real clock.
    """
    with write_transaction(engine) as conn:
        rows = _candidates(conn, now, limit, lock=True)
        hints, pairs, later = [], [], []
        for row in rows:
            due = plan(_progress(row))
            if due is None or due.at > now:
                hints.append({"b_id": row[0], **_hint(due, now)})
            elif sendable is not None and due.number not in sendable:
                later.append({"b_id": row[0], "b_next_at": now + TICK,
                              "b_next_issue": due.number})
            else:
                pairs.append((row, due))
        if hints or later:
            conn.execute(_SET_HINT, hints + later)
        claims, skipped = _claim_pairs(conn, pairs, plan, _Batch(batch_id, keys), now,
                                       stamp or now)
    return ClaimResult(claims, len(rows), skipped)


@dataclass(frozen=True)
class _Batch:
    """One claim transaction's batch id, and the ledger key of each issue number."""

    batch_id: str
    keys: Mapping[int, str]

    def numbers(self) -> dict[str, int]:
        return {key: number for number, key in self.keys.items()}


def _claim_pairs(conn: Connection, pairs: list[tuple[Any, Due]], plan: Planner,
                 batch: _Batch, now: datetime, stamp: datetime
                 ) -> tuple[list[DueClaim], list[int]]:
    if not pairs:
        return [], []
    keyed = [(row, due, (row[0], batch.keys[due.number])) for row, due in pairs]
    had = _existing(conn, [pair for _, _, pair in keyed])
    fresh = [(row, pair[1]) for row, _, pair in keyed if pair not in had]
    if fresh:
        conn.execute(_insert(conn), [
            {"issue_key": key, "subscriber_id": row[0], "status": "claimed",
             "batch_id": batch.batch_id, "attempts": 1, "claimed_at": stamp,
             "updated_at": stamp} for row, key in fresh])
    conn.execute(_ADVANCE, [_advance(row, due, plan, now, pair in had)
                            for row, due, pair in keyed])
    claimed = _claimed_in(conn, batch.batch_id, batch.numbers())
    return claimed, [due.number for _, due, pair in keyed if pair in had]


def _advance(row: Any, due: Due, plan: Planner, now: datetime, had: bool) -> dict[str, Any]:
    # A subscriber who already had the issue (sent by hand, or in broadcast mode) moves on
    # without a new "last sent" time: their next issue is not pushed back.
    last_at = row[9] if had else now
    progress = Progress(row[6], row[3], due.number, due.day, last_at)
    return {"b_id": row[0], "b_last_issue": due.number, "b_last_day": due.day,
            "b_last_at": last_at, **_hint(plan(progress), now)}


def _existing(conn: Connection, pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    ids = sorted({sid for sid, _ in pairs})
    keys = sorted({key for _, key in pairs})
    query = select(_D.subscriber_id, _D.issue_key).where(_D.subscriber_id.in_(ids),
                                                         _D.issue_key.in_(keys))
    return {(sid, key) for sid, key in conn.execute(query)}


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(deliveries).on_conflict_do_nothing(
            index_elements=["issue_key", "subscriber_id"])
    return insert(deliveries)  # SQLite: BEGIN IMMEDIATE already serialises claimers


def _claimed_in(conn: Connection, batch_id: str, numbers: Mapping[str, int] | None = None
                ) -> list[DueClaim]:
    """The rows claimed by ``batch_id``, each with its issue number (``numbers``: ledger key
    -> number; 0 when not given)."""
    query = (select(_D.issue_key, _D.id, _S.id, _S.email, _S.name, _S.timezone, _S.fields,
                    _S.key)
             .join(subscribers, _S.id == _D.subscriber_id)
             .where(_D.batch_id == batch_id, _D.status == "claimed").order_by(_S.id))
    numbers = numbers or {}
    return [DueClaim(numbers.get(key, 0),
                     Claimed(did, sid, email, name, tz, dict(fields or {}), skey))
            for key, did, sid, email, name, tz, fields, skey in conn.execute(query)]


def claim_released(engine: Engine, issue_key: str, *, batch_id: str, limit: int,
                   now: datetime) -> list[Claimed]:
    """Claim the issue's released (``retry``) rows of active subscribers, oldest first."""
    with write_transaction(engine) as conn:
        query = (select(_D.id).join(subscribers, _S.id == _D.subscriber_id)
                 .where(_D.issue_key == issue_key, _D.status == "retry", _S.status == "active")
                 .order_by(_D.id).limit(limit))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=deliveries)
        ids = [i for (i,) in conn.execute(query)]
        if not ids:
            return []
        conn.execute(sql_update(deliveries).where(_D.id.in_(ids), _D.status == "retry")
                     .values(status="claimed", batch_id=batch_id, attempts=_D.attempts + 1,
                             claimed_at=now, updated_at=now, sent_at=None))
        return [c.claimed for c in _claimed_in(conn, batch_id)]


def iter_due(engine: Engine, plan: Planner, now: datetime, *, page: int = 5000
             ) -> Iterator[tuple[int, Due]]:
    """Every (subscriber id, due issue) pair due at ``now``, read-only, a page at a time.

    Only the index's candidates are read (``seq_next_due_at <= now``); memory stays at one
    page.
    """
    after: tuple[datetime, int] | None = None
    while True:
        with read_transaction(engine) as conn:
            query = (select(_S.seq_next_due_at, _S.id, _S.timezone,
                            func.coalesce(_S.confirmed_at, _S.created_at), _S.seq_last_issue,
                            _S.seq_last_day, _S.seq_last_at)
                     .where(_S.status == "active", _S.seq_paused == false(),
                            _S.seq_next_due_at <= now)
                     .order_by(_S.seq_next_due_at, _S.id).limit(page))
            if after is not None:
                query = query.where(_after(after))
            rows = conn.execute(query).all()
        for row in rows:
            due = plan(Progress(row[3], row[2], row[4], row[5], row[6]))
            if due is not None and due.at <= now:
                yield row[1], due
        if len(rows) < page:
            return
        after = (rows[-1][0], rows[-1][1])


def _after(after: tuple[datetime, int]) -> Any:
    # A row-value comparison: both databases walk the index from there (an OR would not).
    return tuple_(_S.seq_next_due_at, _S.id) > tuple_(*after)


def refresh_hints(engine: Engine, plan: Planner, now: datetime, *, page: int = 2000) -> int:
    """Compute the hints nobody has computed yet (new, resumed, or reset subscribers).

    Returns how many were computed. Due times already known are left alone.
    """
    done, after = 0, 0
    while True:
        with write_transaction(engine) as conn:
            # Walk the (status, id) index once; rows already computed are passed over.
            rows = conn.execute(
                select(_S.id, _S.email, _S.name, _S.timezone, _S.fields, _S.key,
                       func.coalesce(_S.confirmed_at, _S.created_at), _S.seq_last_issue,
                       _S.seq_last_day, _S.seq_last_at, _S.seq_next_issue,
                       _S.seq_next_due_at, _S.seq_paused)
                .where(_S.status == "active", _S.id > after)
                .order_by(_S.id).limit(page)).all()
            todo = [r for r in rows if r[10] is None and not r[12] and r[11] <= now]
            if todo:
                conn.execute(_SET_HINT, [{"b_id": r[0], **_exact(plan(_progress(r)))}
                                         for r in todo])
        done += len(todo)
        if len(rows) < page:
            return done
        after = rows[-1][0]


def _exact(due: Due | None) -> dict[str, Any]:
    if due is None:
        return {"b_next_at": NEVER, "b_next_issue": None}
    return {"b_next_at": due.at, "b_next_issue": due.number}


def sync_fingerprint(engine: Engine, fingerprint: str) -> bool:
    """Record the series/timing fingerprint; when it changed, reset every due-time hint.

    Returns True when the hints were reset (they are recomputed as subscribers come up).
    """
    with write_transaction(engine) as conn:
        old = _get(conn, "fingerprint")
        if old == fingerprint:
            return False
        conn.execute(sql_update(subscribers).where(_S.seq_paused == false())
                     .values(seq_next_due_at=UNSCHEDULED, seq_next_issue=None))
        _put(conn, "fingerprint", fingerprint)
    return True


def set_paused(engine: Engine, email: str | None, paused: bool) -> int:
    """Pause or resume one subscriber (by address), or every subscriber (``None``).

    A paused subscriber is never due; on resume their next issue is computed afresh (the
    oldest they are owed, then the cadence from that send: no burst). Returns the count.
    """
    where = [] if email is None else [_S.email_lower == email.strip().lower()]
    values: dict[str, Any] = {"seq_paused": paused, "seq_next_issue": None,
                              "seq_next_due_at": NEVER if paused else UNSCHEDULED}
    with write_transaction(engine) as conn:
        return conn.execute(sql_update(subscribers).where(*where, _S.seq_paused == (not paused))
                            .values(values)).rowcount


def sequence_paused(engine: Engine) -> bool:
    """True when the whole sequence is paused (`newsletter pause --all`)."""
    with read_transaction(engine) as conn:
        return _get(conn, "paused") == "yes"


def pause_sequence(engine: Engine, paused: bool) -> None:
    """Pause or resume the whole sequence."""
    with write_transaction(engine) as conn:
        _put(conn, "paused", "yes" if paused else "no")


def position(engine: Engine, email: str) -> SequencePosition | None:
    """Where the subscriber with this address is in the series, or None if unknown."""
    with read_transaction(engine) as conn:
        row = conn.execute(select(_S.status, _S.seq_paused, _S.confirmed_at, _S.timezone,
                                  _S.seq_last_issue, _S.seq_last_day, _S.seq_last_at,
                                  _S.seq_next_issue, _S.seq_next_due_at)
                           .where(_S.email_lower == email.strip().lower())).first()
    if row is None:
        return None
    return SequencePosition(*row[:8], next_due_at=row[8] if row[7] is not None else None)


def waiting_by_issue(engine: Engine, now: datetime) -> dict[int, IssueWaiting]:
    """Per next issue: active, unpaused subscribers waiting for it, due now, earliest due."""
    due_now = func.sum(func.cast(_S.seq_next_due_at <= now, Integer()))
    query = (select(_S.seq_next_issue, func.count(), due_now, func.min(_S.seq_next_due_at))
             .where(_S.status == "active", _S.seq_paused == false(),
                    _S.seq_next_issue.is_not(None))
             .group_by(_S.seq_next_issue))
    with read_transaction(engine) as conn:
        return {n: IssueWaiting(count, int(due or 0), at) for n, count, due, at in
                conn.execute(query)}


def _get(conn: Connection, key: str) -> str | None:
    return conn.execute(select(sequence_state.c.value)
                        .where(sequence_state.c.key == key)).scalar()


def _put(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(sequence_state).where(sequence_state.c.key == key))
    conn.execute(sequence_state.insert().values(key=key, value=value))


# --- local-time broadcasts: one issue, only subscribers whose local hour has come ----------


def _eligible(zones: list[str], include_default: bool, known: frozenset[str]) -> Any:
    reached = _S.timezone.in_(zones) if zones else false()
    if not include_default:
        return reached
    return reached | _S.timezone.is_(None) | _S.timezone.not_in(sorted(known))


def claim_local(engine: Engine, issue_key: str, *, zones: list[str], include_default: bool,
                known: frozenset[str], batch_id: str, limit: int, now: datetime
                ) -> list[Claimed]:
    """Claim up to ``limit`` active subscribers in ``zones`` (and, with ``include_default``,
    those with no valid zone) who have no delivery of the issue yet."""
    has_row = select(_D.id).where(_D.issue_key == issue_key, _D.subscriber_id == _S.id).exists()
    with write_transaction(engine) as conn:
        query = (select(_S.id).where(_S.status == "active", ~has_row,
                                     _eligible(zones, include_default, known))
                 .order_by(_S.id).limit(limit))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=subscribers)
        ids = [i for (i,) in conn.execute(query)]
        if ids:
            conn.execute(_insert(conn), [
                {"issue_key": issue_key, "subscriber_id": sid, "status": "claimed",
                 "batch_id": batch_id, "attempts": 1, "claimed_at": now, "updated_at": now}
                for sid in ids])
        return [c.claimed for c in _claimed_in(conn, batch_id)] if ids else []


def count_local(engine: Engine, issue_key: str, *, zones: list[str], include_default: bool,
                known: frozenset[str]) -> int:
    """How many active subscribers :func:`claim_local` would still take."""
    has_row = select(_D.id).where(_D.issue_key == issue_key, _D.subscriber_id == _S.id).exists()
    query = select(func.count()).where(_S.status == "active", ~has_row,
                                       _eligible(zones, include_default, known))
    with read_transaction(engine) as conn:
        return conn.execute(query).scalar_one()


def may_have_work(engine: Engine, now: datetime, issue_keys: list[str], *,
                  stale_before: datetime, retry_uncertain: bool) -> bool:
    """Cheap check before a run renders anything: is anyone possibly due, is a claim
    stale, or is a row waiting to be sent again?"""
    again = ["failed", "retry", *(["uncertain"] if retry_uncertain else [])]
    due = (select(_S.id).where(_S.status == "active", _S.seq_paused == false(),
                               _S.seq_next_due_at <= now).limit(1))
    rows = select(_D.id).where(_D.issue_key.in_(issue_keys), _D.status.in_(again)).limit(1)
    stale = select(_D.id).where(_D.issue_key.in_(issue_keys), _D.status == "claimed",
                                _D.claimed_at < stale_before).limit(1)
    with read_transaction(engine) as conn:
        return any(conn.execute(q).first() is not None for q in (due, rows, stale))
