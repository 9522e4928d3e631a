"""The subscriber half of the store: add and merge, look up, change status, list, stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..addresses import lookup_key
from ..errors import InputError
from .engine import read_transaction, write_transaction
from .migrations import new_key
from .records import StatusChange, Subscriber, SubscriberInput, UpsertResult
from .schema import (
    SUBSCRIBER_STATUSES,
    SUPPRESSED,
    deliveries,
    erasures,
    subscriber_changes,
    subscribers,
)
from .search import matching

_S = subscribers.c
_MERGED = ("name", "status", "timezone", "confirmed_at", "fields", "consent_at", "consent_ip")


def email_key(email: str) -> str:
    """The identity of an address (what uniqueness is checked on): its normalised form,
    lowercased (see :func:`newsletter.addresses.normalize_address`)."""
    return lookup_key(email)


def merged_status(current: str, incoming: str) -> str:
    """The status after merging ``incoming`` into a subscriber who is ``current``.

    Suppression sticks (only an explicit resubscribe lifts it), suppression in the input
    wins, and an active subscriber never falls back to pending.
    """
    if current in SUPPRESSED:
        return current
    if incoming in SUPPRESSED or current != "active":
        return incoming
    return current


def merge_values(current: Mapping[str, Any], new: SubscriberInput,
                 now: datetime) -> dict[str, Any]:
    """The merged values of a stored subscriber and an input; empty inputs erase nothing.

    A subscriber who becomes active without a confirmation time is confirmed ``now``.
    """
    status = merged_status(current["status"], new.status)
    confirmed = current["confirmed_at"] or new.confirmed_at
    if status == "active" and confirmed is None:
        confirmed = new.consent_at or now
    return {
        "name": new.name or current["name"],
        "status": status,
        "timezone": new.timezone or current["timezone"],
        "confirmed_at": confirmed,
        "fields": {**current["fields"], **new.fields},
        "consent_at": current["consent_at"] or new.consent_at,
        "consent_ip": current["consent_ip"] or new.consent_ip,
    }


def _check_status(status: str) -> None:
    if status not in SUBSCRIBER_STATUSES:
        raise InputError(f"unknown status {status!r}: use one of {', '.join(SUBSCRIBER_STATUSES)}",
                         field="status")


def _record(row: Row[Any]) -> Subscriber:
    m = row._mapping
    return Subscriber(id=m["id"], key=m["key"], email=m["email"], name=m["name"],
                      status=m["status"], timezone=m["timezone"], confirmed_at=m["confirmed_at"],
                      consent_source=m["consent_source"], consent_at=m["consent_at"],
                      consent_ip=m["consent_ip"], created_at=m["created_at"],
                      updated_at=m["updated_at"], fields=dict(m["fields"] or {}))


def _delete(conn: Connection, ref: int | str) -> bool:
    """Delete a subscriber, then their deliveries (the ledger has no foreign key: see
    schema.deliveries); False if unknown. The subscriber goes first: a claim of them
    still in flight holds their row, so the second statement sees its deliveries."""
    ids = list(conn.execute(delete(subscribers).where(_where(ref)).returning(_S.id)).scalars())
    if ids:
        conn.execute(delete(deliveries).where(deliveries.c.subscriber_id.in_(ids)))
    return bool(ids)


def _where(ref: int | str) -> Any:
    """A subscriber by id (int), address (contains @) or opaque key."""
    if isinstance(ref, int):
        return _S.id == ref
    return _S.email_lower == email_key(ref) if "@" in ref else _S.key == ref


class SubscriberStore:
    """Subscriber operations; mixed into :class:`~newsletter.store.Store`."""

    engine: Engine

    def upsert_subscribers(self, rows: Sequence[SubscriberInput], *, source: str,
                           now: datetime) -> UpsertResult:
        """Add new subscribers and merge known ones (matched case-insensitively), in one batch.

        Rows for the same address within ``rows`` are merged in order. Every status that
        changes (including creation) is written to the history with ``source``.
        """
        for status in {r.status for r in rows}:
            _check_status(status)
        for attempt in range(3):
            try:
                with write_transaction(self.engine) as conn:
                    return _upsert(conn, rows, source, now)
            except IntegrityError:  # another process inserted one of them: merge again
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def add_subscriber(self, entry: SubscriberInput, *, source: str, now: datetime,
                       resubscribe: bool = False) -> tuple[Subscriber, str]:
        """Add or merge one subscriber; ``resubscribe`` explicitly reactivates a suppressed one.

        Returns the stored subscriber and ``imported``, ``updated`` or ``unchanged``.
        """
        outcome = self.upsert_subscribers([entry], source=source, now=now).outcomes[0]
        found = self.get_subscriber(entry.email)
        assert found is not None
        if resubscribe and found.status != entry.status:
            found = self.set_status(found.id, entry.status, source=source, now=now)
            outcome = "updated"
        return found, outcome

    def get_subscriber(self, ref: int | str) -> Subscriber | None:
        """The subscriber with this id, address (any case) or opaque key, or None."""
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(subscribers).where(_where(ref))).first()
        return _record(row) if row else None

    def set_status(self, ref: int | str, status: str, *, source: str,
                   now: datetime) -> Subscriber:
        """Set a subscriber's status (explicitly: this may reactivate) and record the change.

        Activating a subscriber with no confirmation time sets it to ``now``.
        """
        _check_status(status)
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(subscribers).where(_where(ref))).first()
            if row is None:
                raise InputError(f"no subscriber {ref!r}", field="email")
            if row.status != status:
                values: dict[str, Any] = {"status": status, "updated_at": now}
                if status == "active" and row.confirmed_at is None:
                    values["confirmed_at"] = now
                conn.execute(update(subscribers).where(_S.id == row.id).values(**values))
                conn.execute(subscriber_changes.insert().values(
                    subscriber_id=row.id, old_status=row.status, new_status=status,
                    source=source, at=now))
            return _record(conn.execute(select(subscribers).where(_S.id == row.id)).one())

    def delete_subscriber(self, ref: int | str) -> bool:
        """Delete a subscriber and their history and deliveries; False if unknown.

        An erasure on request is :meth:`erase_subscriber`, which also keeps the keyed hash.
        """
        with write_transaction(self.engine) as conn:
            return _delete(conn, ref)

    def erase_subscriber(self, ref: int | str, *, erasure_hash: str, now: datetime,
                         key_id: str = "") -> bool:
        """Erase a subscriber (GDPR) with their history and deliveries, keeping only the
        keyed hash of their address (and ``key_id``, the fingerprint of the secret that
        keyed it) so an old list cannot add it again; False if unknown."""
        with write_transaction(self.engine) as conn:
            if not _delete(conn, ref):
                return False
            if not conn.execute(select(erasures.c.hash).where(
                    erasures.c.hash == erasure_hash)).first():
                conn.execute(erasures.insert().values(hash=erasure_hash, erased_at=now,
                                                      key_id=key_id))
            return True

    def erasure_keys(self) -> dict[str, int]:
        """Fingerprint of the secret that keyed them -> how many erasure hashes ("": kept
        before fingerprints were)."""
        query = select(erasures.c.key_id, func.count()).group_by(erasures.c.key_id)
        with read_transaction(self.engine) as conn:
            return {key: count for key, count in conn.execute(query)}

    def has_erasures(self) -> bool:
        """Whether any address was ever erased (imports then check every row)."""
        with read_transaction(self.engine) as conn:
            return conn.execute(select(erasures.c.hash).limit(1)).first() is not None

    def erased_at(self, hashes: Iterable[str]) -> dict[str, datetime]:
        """Erasure hash -> when, for those of ``hashes`` that were erased."""
        wanted = list(set(hashes))
        found: dict[str, datetime] = {}
        with read_transaction(self.engine) as conn:
            for at in range(0, len(wanted), 500):
                found.update((h, when) for h, when in conn.execute(
                    select(erasures.c.hash, erasures.c.erased_at).where(
                        erasures.c.hash.in_(wanted[at:at + 500]))))
        return found

    def forget_erasure(self, *erasure_hashes: str) -> None:
        """Lift an erasure: the person signed up again and confirmed (a new consent); one
        hash per secret it may have been keyed with."""
        with write_transaction(self.engine) as conn:
            conn.execute(delete(erasures).where(erasures.c.hash.in_(erasure_hashes)))

    def status_history(self, ref: int | str) -> list[StatusChange]:
        """A subscriber's status changes, oldest first."""
        c = subscriber_changes.c
        query = (select(c.old_status, c.new_status, c.source, c.at)
                 .join(subscribers, _S.id == c.subscriber_id).where(_where(ref))
                 .order_by(c.at, c.id))
        with read_transaction(self.engine) as conn:
            return [StatusChange(*row) for row in conn.execute(query)]

    def count_by_status(self) -> dict[str, int]:
        """How many subscribers have each status (every status listed, zeros included)."""
        counts = dict.fromkeys(SUBSCRIBER_STATUSES, 0)
        with read_transaction(self.engine) as conn:
            for status, n in conn.execute(select(_S.status, func.count()).group_by(_S.status)):
                counts[status] = n
        return counts

    def list_subscribers(self, *, status: str | None = None, limit: int = 50,
                         after_id: int = 0) -> list[Subscriber]:
        """Up to ``limit`` subscribers (optionally of one status) with id above ``after_id``."""
        query = select(subscribers).where(_S.id > after_id).order_by(_S.id).limit(limit)
        if status is not None:
            _check_status(status)
            query = query.where(_S.status == status)
        with read_transaction(self.engine) as conn:
            return [_record(row) for row in conn.execute(query)]

    def search_subscribers(self, text: str = "", *, status: str | None = None,
                           limit: int = 50, offset: int = 0) -> tuple[int, list[Subscriber]]:
        """Subscribers whose address or name contains ``text`` (any case), optionally of one
        status: how many match, and up to ``limit`` of them from ``offset`` in id order."""
        if status is not None:
            _check_status(status)
        with read_transaction(self.engine) as conn:
            where = [matching(conn, text.strip())] if text.strip() else []
            where += [_S.status == status] if status is not None else []
            page = select(subscribers).where(*where).order_by(_S.id).limit(limit).offset(offset)
            total = conn.execute(select(func.count()).select_from(subscribers).where(*where))
            return int(total.scalar_one()), [_record(row) for row in conn.execute(page)]

    def iter_subscribers(self, *, status: str | None = None,
                         page: int = 1000) -> Iterator[Subscriber]:
        """Every subscriber (optionally of one status) in id order, a page at a time.

        Memory stays at one page whatever the list size, and no transaction stays open
        between pages (a slow consumer holds no lock).
        """
        after = 0
        while batch := self.list_subscribers(status=status, limit=page, after_id=after):
            yield from batch
            after = batch[-1].id


def _upsert(conn: Connection, rows: Sequence[SubscriberInput], source: str,
            now: datetime) -> UpsertResult:
    keys = [email_key(r.email) for r in rows]  # once per row: normalising is the cost
    found = conn.execute(select(subscribers).where(_S.email_lower.in_(set(keys)))).all()
    state: dict[str, dict[str, Any]] = {r.email_lower: dict(r._mapping) for r in found}
    before = {k: v["status"] for k, v in state.items()}
    stored = {k: {name: v[name] for name in _MERGED} for k, v in state.items()}
    for key, row in zip(keys, rows, strict=True):
        _apply(state, key, row, source, now)
    outcomes = _outcomes(keys, state, stored)
    new = [v for k, v in state.items() if k not in before]
    changed = [v for k, v in state.items()
               if k in before and any(v[name] != stored[k][name] for name in _MERGED)]
    ids = _insert_new(conn, new)
    _update_changed(conn, changed, now)
    history = [(ids[v["email_lower"]], None, v["status"]) for v in new] + [
        (v["id"], before[k], v["status"]) for k, v in state.items()
        if k in before and before[k] != v["status"]]
    if history:
        conn.execute(subscriber_changes.insert(), [
            {"subscriber_id": i, "old_status": old, "new_status": st, "source": source,
             "at": now} for i, old, st in history])
    return UpsertResult(tuple(outcomes))


def _apply(state: dict[str, dict[str, Any]], key: str, entry: SubscriberInput, source: str,
           now: datetime) -> None:
    current = state.get(key)
    if current is None:
        state[key] = _new_row(key, entry, source, now)
    else:
        current.update(merge_values(current, entry, now))


def _outcomes(keys: Sequence[str], state: Mapping[str, Mapping[str, Any]],
              stored: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Per row: what the batch did to its subscriber, against what was stored before it.

    The first row of an address tells the net change of all its rows ("imported",
    "updated", "unchanged": two rows of one address that leave it as it was change
    nothing); a later row of the same address is "unchanged" (merged into the first).
    """
    outcomes: list[str] = []
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            outcomes.append("unchanged")
        elif key not in stored:
            outcomes.append("imported")
        else:
            differs = any(state[key][name] != stored[key][name] for name in _MERGED)
            outcomes.append("updated" if differs else "unchanged")
        seen.add(key)
    return outcomes


def _new_row(key: str, entry: SubscriberInput, source: str, now: datetime) -> dict[str, Any]:
    confirmed = entry.confirmed_at
    if entry.status == "active" and confirmed is None:
        confirmed = entry.consent_at or now
    return {"key": new_key(), "email": key, "email_lower": key, "name": entry.name,
            "status": entry.status,
            "consent_source": source, "consent_at": entry.consent_at or now,
            "consent_ip": entry.consent_ip, "timezone": entry.timezone,
            "confirmed_at": confirmed, "created_at": now, "updated_at": now,
            "fields": dict(entry.fields)}


def _insert_new(conn: Connection, new: list[dict[str, Any]]) -> dict[str, int]:
    if not new:
        return {}
    result = conn.execute(subscribers.insert().returning(_S.id, _S.email_lower), new)
    return {email: sub_id for sub_id, email in result}


def _update_changed(conn: Connection, changed: list[dict[str, Any]], now: datetime) -> None:
    if not changed:
        return
    statement = update(subscribers).where(_S.id == bindparam("b_id")).values(
        {name: bindparam(f"b_{name}") for name in _MERGED} | {"updated_at": now})
    conn.execute(statement, [{"b_id": v["id"], **{f"b_{n}": v[n] for n in _MERGED}}
                             for v in changed])
