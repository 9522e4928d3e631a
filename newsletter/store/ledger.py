"""The delivery ledger: one row per (issue, subscriber), the only guard against double sends.

A send is a loop of short transactions: :meth:`LedgerStore.claim_batch` inserts ``claimed``
rows for active subscribers who have none yet (the unique key makes a second claim
impossible), the caller sends, :meth:`LedgerStore.record_outcomes` writes ``sent`` or
``failed``. A claim older than the lease belongs to a dead process and becomes
``uncertain``; the operator may release it (``retry``), which makes it claimable again.

On PostgreSQL candidates are locked ``FOR UPDATE SKIP LOCKED`` so concurrent claimers take
different subscribers (they share the work); on SQLite ``BEGIN IMMEDIATE`` serialises them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from .engine import one_statement, read_transaction, write_transaction
from .records import Claimed, Counts, DeliveryRecord
from .schema import UTCDateTime, deliveries, postings, subscribers

_D, _S = deliveries.c, subscribers.c
OUTCOME_STATUSES = ("sent", "failed", "uncertain")
STALE_ERROR = "claimed by a process that never reported back (lease expired): may have been sent"
_CLAIM_ROUNDS = 5
# Batch ids of runs that note each request before it leaves (:meth:`note_posting`); the
# batch ids of older runs are hex, which never starts with it.
POSTED_PREFIX = "p"
FIRST_ANALYZE = 50  # statistics refreshed at the claims that are powers of two from 64


class LedgerStore:
    """Delivery-ledger operations; mixed into :class:`~newsletter.store.Store`."""

    engine: Engine
    _floors: dict[str, int]
    _swept: set[str]
    _no_released: set[str]
    _floor_lock: threading.Lock
    _claims: int

    def claim_batch(self, issue_key: str, *, batch_id: str, limit: int,
                    now: datetime) -> list[Claimed]:
        """Claim up to ``limit`` active subscribers who have no delivery of the issue yet.

        Short transactions (usually one statement); the rows are committed as ``claimed``
        with ``batch_id`` and ``now`` before this returns. An empty list means nobody is
        left to send to.
        """
        self._maybe_analyze()
        taken: list[Claimed] = []
        for _ in range(_CLAIM_ROUNDS):
            want = limit - len(taken)
            seen, claimed = self._claim_some(issue_key, batch_id, want, now)
            taken += claimed
            # Fewer candidates than asked: nobody else is there. As many as asked but some
            # taken by another claimer meanwhile (PostgreSQL): look again for the rest, so
            # a batch is only short when the list is.
            if len(taken) >= limit or seen < want:
                break
        return sorted(taken, key=_by_subscriber)

    def _claim_some(self, key: str, batch_id: str, limit: int,
                    now: datetime) -> tuple[int, list[Claimed]]:
        """Claim above the floor (ids below it were all claimed), then once below it;
        return how many candidates were seen and the rows this call claimed.

        On PostgreSQL with no released rows to look for, the claim above the floor is one
        statement (it locks, inserts and returns at once) run as its own transaction: one
        round trip. Otherwise, and for the look below the floor, a transaction."""
        with self._floor_lock:
            floor = self._floors.get(key, 0)
            swept = key in self._swept
            released = key not in self._no_released
        single = self.engine.dialect.name == "postgresql" and not released
        with (one_statement if single else write_transaction)(self.engine) as conn:
            seen, claimed, exhausted = _claim_from(conn, key, batch_id, limit, now, floor,
                                                   released)
        self._note_claimed(key, seen, exhausted and not floor)
        if len(seen) < limit and floor and not swept and self._take_the_look(key):
            # Ids below the floor may have been released or activated since: look once.
            # (It reads every subscriber below the floor: one thread of the process looks,
            # the others go on without it.)
            with write_transaction(self.engine) as conn:
                gap, more, exhausted = _claim_from(conn, key, batch_id, limit - len(seen),
                                                   now, 0, True)
            with self._floor_lock:
                if gap:
                    self._swept.discard(key)  # found some: look again next time
                if exhausted:
                    self._no_released.add(key)
            seen, claimed = seen + gap, claimed + more
        return len(seen), claimed

    def _take_the_look(self, key: str) -> bool:
        """True for the one caller that looks below the floor (until it is forgotten)."""
        with self._floor_lock:
            if key in self._swept:
                return False
            self._swept.add(key)
            return True

    def _note_claimed(self, key: str, seen: list[int], no_released: bool) -> None:
        """Raise the floor to the highest id seen; remember when no released row is left
        (this process releases rows only through :meth:`_release`, which forgets it)."""
        with self._floor_lock:
            if seen:
                self._floors[key] = max(self._floors.get(key, 0), seen[-1])
            if no_released:
                self._no_released.add(key)

    def _maybe_analyze(self) -> None:
        # The ledger grows fast during a send; fresh statistics keep PostgreSQL on the
        # index-ordered plan instead of hashing every row of the issue. Each time this
        # process's claims have doubled: the statistics stay within a factor of two of
        # what it added, and a long send no longer pays an ANALYZE every 50 batches.
        with self._floor_lock:
            self._claims += 1
            due = self._claims >= FIRST_ANALYZE and self._claims & (self._claims - 1) == 0
        if due and self.engine.dialect.name == "postgresql":
            with write_transaction(self.engine) as conn:
                conn.exec_driver_sql("ANALYZE deliveries")

    def _forget_floor(self, issue_key: str | None) -> None:
        with self._floor_lock:
            if issue_key is None:
                self._floors.clear()
                self._swept.clear()
                self._no_released.clear()
            else:
                self._floors.pop(issue_key, None)
                self._swept.discard(issue_key)
                self._no_released.discard(issue_key)

    def record_outcomes(self, outcomes: Sequence[tuple[int, str, str, str]],
                        now: datetime, version: int = 1) -> None:
        """Record ``(delivery_id, status, message_id, error)`` for claimed rows, in one commit,
        sent as ``version`` of the issue's rendering.

        ``status`` is ``sent``, ``failed`` or ``uncertain``. A row already ``sent`` is never
        changed; a row marked ``uncertain`` by a stale-claim sweep takes the real outcome.
        """
        if not outcomes:
            return
        for _, status, _, _ in outcomes:
            if status not in OUTCOME_STATUSES:
                raise ValueError(f"unknown delivery outcome {status!r}")
        # One UPDATE per distinct outcome (a batch usually shares one): far fewer statements
        # and bound parameters than one per row.
        groups: dict[tuple[str, str, str], list[int]] = {}
        for delivery_id, status, message_id, error in outcomes:
            groups.setdefault((status, message_id or "", error or ""), []).append(delivery_id)
        with (one_statement if len(groups) == 1 else write_transaction)(self.engine) as conn:
            for (status, message_id, error), ids in groups.items():
                conn.execute(update(deliveries)
                             .where(_ids_in(conn, _D.id, ids),
                                    or_(_D.status == "claimed", _D.status == "uncertain"))
                             .values(status=status, message_id=message_id or None,
                                     last_error=error or None,
                                     sent_at=now if status == "sent" else None,
                                     updated_at=now, version=version))

    def note_posting(self, batch_id: str, now: datetime) -> None:
        """Note that the request of ``batch_id`` (claimed with :data:`POSTED_PREFIX`) is
        about to leave: from now on, if its run dies, its claims are uncertain."""
        with one_statement(self.engine) as conn:
            conn.execute(insert(postings).values(batch_id=batch_id, at=now))

    def mark_stale_claims_uncertain(self, issue_key: str | None, *, older_than: datetime,
                                    now: datetime | None = None) -> int:
        """Turn claims made before ``older_than`` (dead processes) into ``uncertain``;
        how many. Claims of batches whose request never left are released instead."""
        return self.sweep_stale_claims(issue_key, older_than=older_than, now=now)[0]

    def sweep_stale_claims(self, issue_key: str | None, *, older_than: datetime,
                           now: datetime | None = None) -> tuple[int, int]:
        """Claims made before ``older_than`` belong to dead processes: those of a batch
        claimed ahead whose request was never noted as leaving are released (claimable
        again: nobody got them), the others become ``uncertain``. Returns (uncertain,
        released); postings older than ``older_than`` are dropped meanwhile."""
        where = [_D.status == "claimed", _D.claimed_at < older_than]
        if issue_key is not None:
            where.append(_D.issue_key == issue_key)
        posted = select(postings.c.batch_id).where(postings.c.batch_id == _D.batch_id)
        values: dict[str, Any] = {"status": "uncertain",
                                  "last_error": func.coalesce(_D.last_error, STALE_ERROR)}
        if now is not None:
            values["updated_at"] = now
        with write_transaction(self.engine) as conn:
            released = conn.execute(update(deliveries).where(
                *where, _D.batch_id.startswith(POSTED_PREFIX, autoescape=True),
                ~posted.exists()).values(status="retry")).rowcount
            uncertain = conn.execute(update(deliveries).where(*where).values(values)).rowcount
            conn.execute(postings.delete().where(postings.c.at < older_than))
        if released:
            self._forget_floor(issue_key)
        return uncertain, released

    def release_uncertain(self, issue_key: str) -> int:
        """Make the issue's ``uncertain`` rows claimable again (the operator chose to retry)."""
        return self._release(and_(_D.issue_key == issue_key, _D.status == "uncertain"), issue_key)

    def release_failed(self, issue_key: str) -> int:
        """Make the issue's ``failed`` rows claimable again (after the cause was fixed)."""
        return self._release(and_(_D.issue_key == issue_key, _D.status == "failed"), issue_key)

    def release_claims(self, delivery_ids: Iterable[int]) -> int:
        """Hand back claims that were certainly not sent (e.g. the provider refused our key)."""
        ids = list(delivery_ids)
        return self._release(and_(_D.id.in_(ids), _D.status == "claimed"), None) if ids else 0

    def _release(self, where: Any, issue_key: str | None) -> int:
        with write_transaction(self.engine) as conn:
            count = conn.execute(update(deliveries).where(where).values(status="retry")).rowcount
        self._forget_floor(issue_key)
        return count

    def delivery_counts(self, issue_key: str | None = None) -> dict[str, Counts]:
        """Ledger rows by status, per issue (only issues with rows appear)."""
        query = select(_D.issue_key, _D.status, func.count()).group_by(_D.issue_key, _D.status)
        if issue_key is not None:
            query = query.where(_D.issue_key == issue_key)
        tallies: dict[str, dict[str, int]] = {}
        with read_transaction(self.engine) as conn:
            for key, status, n in conn.execute(query):
                tallies.setdefault(key, {})[status] = n
        return {key: Counts(**t) for key, t in tallies.items()}

    def counts_by_key(self) -> dict[str, dict[str, int]]:
        """Issue key -> ledger rows by status (what `queue` shows beside each issue)."""
        return {key: asdict(c) for key, c in self.delivery_counts().items()}

    def count_unclaimed(self, issue_key: str, *, joined_by: datetime | None = None) -> int:
        """Active subscribers the issue would still go to (no row yet, or released); with
        ``joined_by``, only those who had joined by then."""
        query = select(func.count()).select_from(_candidates_from(issue_key)).where(
            _S.status == "active", _unclaimed())
        if joined_by is not None:
            query = query.where(_S.created_at <= joined_by)
        with read_transaction(self.engine) as conn:
            return conn.execute(query).scalar_one()

    def rescan(self, issue_key: str) -> None:
        """Make the next claims look at every subscriber again (some were skipped)."""
        self._forget_floor(issue_key)

    def delivery_state(self, issue_key: str, counts: Counts | None = None) -> str:
        """What the ledger says of the issue: "" (nothing yet), "sending" (claims in
        flight), "sent" (everyone active when its sending began has it, nothing failed or
        unknown) or "partly sent". ``counts``: the issue's ledger counts when the caller
        has just read them."""
        if counts is None:
            counts = self.delivery_counts(issue_key).get(issue_key)
        if counts is None:
            return ""
        if counts.claimed:
            return "sending"
        started = self.get_send(issue_key)  # type: ignore[attr-defined]
        waiting = self.count_unclaimed(issue_key,
                                       joined_by=started.started_at if started else None)
        return "partly sent" if waiting or counts.failed or counts.uncertain else "sent"

    def deliveries_with_status(self, issue_key: str, status: str) -> list[DeliveryRecord]:
        """The issue's ledger rows with ``status``, with addresses, in subscriber order."""
        query = (select(_D.id, _D.subscriber_id, _S.email, _S.name, _D.status, _D.batch_id,
                        _D.message_id, _D.attempts, _D.last_error, _D.claimed_at, _D.sent_at)
                 .join(subscribers, _S.id == _D.subscriber_id)
                 .where(_D.issue_key == issue_key, _D.status == status).order_by(_S.id))
        with read_transaction(self.engine) as conn:
            return [DeliveryRecord(*row) for row in conn.execute(query)]

    def uncertain_recipients(self, issue_key: str) -> list[DeliveryRecord]:
        """Who may or may not have received the issue (reported; re-sent only on request)."""
        return self.deliveries_with_status(issue_key, "uncertain")


def _candidates_from(issue_key: str) -> Any:
    return subscribers.outerjoin(deliveries, and_(_D.issue_key == issue_key,
                                                  _D.subscriber_id == _S.id))


def _unclaimed() -> Any:
    return or_(_D.id.is_(None), _D.status == "retry")


def _claim_from(conn: Connection, key: str, batch_id: str, limit: int, now: datetime,
                floor: int, look_released: bool) -> tuple[list[int], list[Claimed], bool]:
    """Claim candidates with id above ``floor``: every candidate subscriber id seen
    (ascending), the rows claimed (on PostgreSQL a concurrent claimer may win some), and
    whether the released rows above the floor ran out (``look_released`` False: not
    looked for, known to be none).

    Released (``retry``) rows are taken first, then subscribers with no row at all. The
    subscriber's columns are read by the same query that checks the status (and locks
    the row on PostgreSQL), so nobody who left before the claim is sent to.
    """
    released = (_lock(conn, _released_query(key, floor, limit), deliveries)
                if look_released else [])
    claimed = _reclaim(conn, batch_id, now, released) if released else []
    fresh_seen: list[int] = []
    if len(released) < limit and conn.dialect.name == "postgresql":
        fresh_seen, more = _claim_fresh_at_once(conn, key, batch_id, now, floor,
                                                limit - len(released))
        claimed += more
    elif len(released) < limit:
        fresh = _lock(conn, _fresh_query(key, floor, limit - len(released)), subscribers)
        claimed += _insert_claims(conn, key, batch_id, now, fresh) if fresh else []
        fresh_seen = [row[0] for row in fresh]
    seen = sorted([row[1] for row in released] + fresh_seen)
    return seen, claimed, look_released and len(released) < limit


def _claim_fresh_at_once(conn: Connection, key: str, batch_id: str, now: datetime,
                         floor: int, limit: int) -> tuple[list[int], list[Claimed]]:
    """PostgreSQL: lock the candidates, insert their claims and read them back in one
    statement (one round trip; the rows never travel to us and back as parameters).

    Returns every candidate id seen and the rows claimed: a candidate whose claim
    another claimer committed after this statement's snapshot is seen, not claimed
    (``ON CONFLICT DO NOTHING``)."""
    candidates = (_fresh_query(key, floor, limit)
                  .with_for_update(skip_locked=True, of=subscribers).cte("candidates"))
    claims = (postgresql.insert(deliveries)
              .from_select(_CLAIM_COLUMNS, select(*_claim_values(key, batch_id, now),
                                                  candidates.c.id))
              .on_conflict_do_nothing(index_elements=["issue_key", "subscriber_id"])
              .returning(_D.id, _D.subscriber_id).cte("claims"))
    query = (select(claims.c.id, *candidates.c)
             .select_from(candidates.outerjoin(claims,
                                               claims.c.subscriber_id == candidates.c.id))
             .order_by(candidates.c.id))
    rows = conn.execute(query).all()
    return ([row[1] for row in rows],
            [Claimed(did, sid, email, name, zone, _fields(fields), skey)
             for did, sid, email, name, zone, fields, skey in rows if did is not None])


# The candidate's columns as the claim needs them; ``fields`` read as text (parsed only
# when not empty, see _claimed; the driver would parse every row's JSON).
_CANDIDATE = (_S.id, _S.email, _S.name, _S.timezone, cast(_S.fields, Text).label("fields"),
              _S.key)


def _released_query(key: str, floor: int, limit: int) -> Any:
    return (select(_D.id, *_CANDIDATE).join(subscribers, _S.id == _D.subscriber_id)
            .where(_D.issue_key == key, _D.status == "retry", _S.status == "active",
                   _S.id > floor).order_by(_D.subscriber_id).limit(limit))


def _fresh_query(key: str, floor: int, limit: int) -> Any:
    # NOT EXISTS lets PostgreSQL walk the primary key and stop at ``limit``; the floor on
    # the ledger's side too, or a merge anti-join reads every row below it (each claim
    # then costs more than the one before).
    has_row = select(_D.id).where(_D.issue_key == key, _D.subscriber_id == _S.id,
                                  _D.subscriber_id > floor).exists()
    return (select(*_CANDIDATE).where(_S.status == "active", _S.id > floor, ~has_row)
            .order_by(_S.id).limit(limit))


def _ids_in(conn: Connection, column: Any, ids: list[int]) -> Any:
    """``column IN ids``: on PostgreSQL one array parameter (``= ANY``), not one
    parameter per id (compiling and binding a thousand of those costs more than the
    statement)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=postgresql.ARRAY(BigInteger)))
    return column.in_(ids)


def _lock(conn: Connection, query: Any, table: Any) -> list[Any]:
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=table)
    return list(conn.execute(query).all())


def _reclaim(conn: Connection, batch_id: str, now: datetime, released: list[Any]
             ) -> list[Claimed]:
    """Claim released rows again (one more attempt); the ones still ``retry`` are ours."""
    by_delivery = {row[0]: row[1:] for row in released}
    taken = conn.execute(update(deliveries)
                         .where(_ids_in(conn, _D.id, list(by_delivery)), _D.status == "retry")
                         .values(status="claimed", batch_id=batch_id,
                                 attempts=_D.attempts + 1, claimed_at=now, updated_at=now,
                                 sent_at=None)
                         .returning(_D.id))
    return [_claimed(did, by_delivery[did]) for (did,) in taken]


def _insert_claims(conn: Connection, key: str, batch_id: str, now: datetime,
                   candidates: list[Any]) -> list[Claimed]:
    """SQLite: one INSERT ... SELECT ... RETURNING for the batch; the claimed rows, built
    from the candidates' columns."""
    by_subscriber = {row[0]: row for row in candidates}
    rows = (select(*_claim_values(key, batch_id, now), _S.id)
            .where(_ids_in(conn, _S.id, list(by_subscriber))))
    statement = insert(deliveries).from_select(_CLAIM_COLUMNS, rows)  # BEGIN IMMEDIATE
    inserted = conn.execute(statement.returning(_D.id, _D.subscriber_id))
    return [_claimed(did, by_subscriber[sid]) for did, sid in inserted]


_CLAIM_COLUMNS = ["issue_key", "status", "batch_id", "attempts", "claimed_at", "updated_at",
                  "subscriber_id"]


def _claim_values(key: str, batch_id: str, now: datetime) -> tuple[Any, ...]:
    """The constant columns of a batch's claims (bound once, not once per row), in the
    order of ``_CLAIM_COLUMNS``."""
    return (literal(key, String), literal("claimed", String), literal(batch_id, String),
            literal(1, Integer), literal(now, UTCDateTime), literal(now, UTCDateTime))


def _claimed(delivery_id: int, candidate: Any) -> Claimed:
    subscriber_id, email, name, timezone, fields, key = candidate
    return Claimed(delivery_id, subscriber_id, email, name, timezone, _fields(fields), key)


def _fields(fields: Any) -> dict[str, Any]:
    """A subscriber's custom fields as read (JSON text: parsed only when not empty)."""
    if isinstance(fields, str):
        return json.loads(fields) if fields not in ("{}", "") else {}
    return dict(fields or {})


def _by_subscriber(claimed: Claimed) -> int:
    return claimed.subscriber_id
