"""Inbound queries: webhook events in one transaction, confirmation throttling, statistics.

Functions here take a :class:`~newsletter.store.Store` (or anything with an ``engine``).
A webhook batch is one write transaction: new events are inserted once per
``sg_event_id`` and the status changes they cause are applied with their history, so a
batch is stored whole or not at all, and a repeated batch changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, and_, case, func, or_, select, text, update

from .engine import read_transaction, write_transaction
from .records import EventRecord
from .schema import SUPPRESSED as _SUPPRESSED
from .schema import confirmations, deliveries, events, subscriber_changes, subscribers
from .sends import insert_ignoring_duplicates
from .subscribers import email_key

_E, _S = events.c, subscribers.c

# How strong a suppression is: an event never moves a subscriber to a weaker state.
_RANK = {"pending": 0, "active": 0, "unsubscribed": 1, "bounced": 2, "complained": 3}
UNSUBSCRIBE_EVENTS = ("unsubscribe", "group_unsubscribe")
WEB_SOURCES = ("one-click", "web")
# "one-click:issue-3": an unsubscribe through the link of issue 3 (see link_source).
ISSUE_MARK = ":issue-"


class HasEngine(Protocol):
    """A store: anything with an engine."""

    engine: Engine


@dataclass(frozen=True)
class IncomingEvent:
    """One parsed webhook event: the row to store, the address, and the status it implies.

    ``status`` is the subscriber status the event asks for (``bounced``, ``complained``,
    ``unsubscribed``, ``active`` for a resubscribe) or None.
    """

    record: EventRecord
    email: str = ""
    status: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What one batch did: events new to the store, repeats skipped, status changes made."""

    stored: int
    duplicates: int
    status_changes: int


def ingest_events(store: HasEngine, batch: Sequence[IncomingEvent], *, source: str,
                  now: datetime) -> IngestResult:
    """Store new events once per ``sg_event_id`` and apply their status changes, atomically.

    Events name their subscriber by id (from our ``custom_args``); an unknown or missing
    id falls back to the address. History rows get ``source`` plus the event type.
    """
    unique = list({e.record.sg_event_id: e for e in batch}.values())
    if not unique:
        return IngestResult(0, 0, 0)
    with write_transaction(store.engine) as conn:
        known = set(conn.execute(select(_E.sg_event_id).where(
            _E.sg_event_id.in_([e.record.sg_event_id for e in unique]))).scalars())
        fresh = [e for e in unique if e.record.sg_event_id not in known]
        owners = _owners(conn, fresh)
        if fresh:
            conn.execute(insert_ignoring_duplicates(conn, events, ["sg_event_id"]),
                         [_row(e, owners[i]) for i, e in enumerate(fresh)])
        changed = _apply_statuses(conn, fresh, owners, source, now)
    return IngestResult(len(fresh), len(batch) - len(fresh), changed)


def _row(event: IncomingEvent, owner: int | None) -> dict[str, Any]:
    r = event.record
    return {"sg_event_id": r.sg_event_id, "type": r.type, "at": r.at, "payload": dict(r.payload),
            "subscriber_id": owner, "issue_key": r.issue_key}


def _owners(conn: Connection, fresh: Sequence[IncomingEvent]) -> list[int | None]:
    """The subscriber id of each event: its custom_args id if it exists, else by address."""
    claimed = {e.record.subscriber_id for e in fresh if e.record.subscriber_id is not None}
    existing = set(conn.execute(select(_S.id).where(_S.id.in_(claimed))).scalars()) \
        if claimed else set()
    wanted = {email_key(e.email) for e in fresh
              if e.record.subscriber_id not in existing and e.email}
    by_email = {email: sub_id for email, sub_id in conn.execute(
        select(_S.email_lower, _S.id).where(_S.email_lower.in_(wanted)))} if wanted else {}
    return [e.record.subscriber_id if e.record.subscriber_id in existing
            else by_email.get(email_key(e.email)) for e in fresh]


def _apply_statuses(conn: Connection, fresh: Sequence[IncomingEvent],
                    owners: Sequence[int | None], source: str, now: datetime) -> int:
    asks = sorted(((e.record.at, owner, e.status, e.record.type)
                   for e, owner in zip(fresh, owners, strict=True)
                   if owner is not None and e.status), key=lambda a: a[0])
    if not asks:
        return 0
    ids = {owner for _, owner, _, _ in asks}
    current = {sub_id: status for sub_id, status in conn.execute(
        select(_S.id, _S.status).where(_S.id.in_(ids)))}
    before = dict(current)
    history = []
    for at, owner, status, kind in asks:
        if _should_change(current[owner], status):
            history.append({"subscriber_id": owner, "old_status": current[owner],
                            "new_status": status, "source": f"{source}:{kind}", "at": at})
            current[owner] = status
    for sub_id, status in current.items():
        if status != before[sub_id]:
            conn.execute(update(subscribers).where(_S.id == sub_id)
                         .values(status=status, updated_at=now))
    if history:
        conn.execute(subscriber_changes.insert(), history)
    return len(history)


def _should_change(current: str, wanted: str) -> bool:
    """Suppressions only strengthen; a resubscribe lifts only an unsubscribe."""
    if wanted == "active":
        return current == "unsubscribed"
    return _RANK[wanted] > _RANK.get(current, 0)


# --- double opt-in --------------------------------------------------------------------------


def claim_confirmation(store: HasEngine, subscriber_id: int, *, ip: str | None, now: datetime,
                       interval: timedelta) -> int | None:
    """Record a confirmation email about to go out, unless one went out within ``interval``.

    Check and record happen in one write transaction, so two sign-ups at once send one email.
    Returns the id of the recorded claim (what a confirmation link may name), or None.
    """
    c = confirmations.c
    with write_transaction(store.engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(_S.id).where(_S.id == subscriber_id).with_for_update())
        last = conn.execute(select(func.max(c.sent_at))
                            .where(c.subscriber_id == subscriber_id)).scalar()
        if last is not None and now - _aware(last, now) < interval:
            return None
        return int(conn.execute(confirmations.insert().values(
            subscriber_id=subscriber_id, sent_at=now, ip=ip).returning(c.id)).scalar_one())


def latest_change_id(store: HasEngine, subscriber_id: int) -> int:
    """The id of a subscriber's latest status change (0 when there is none)."""
    c = subscriber_changes.c
    with read_transaction(store.engine) as conn:
        return int(conn.execute(select(func.max(c.id)).where(c.subscriber_id == subscriber_id)
                                ).scalar() or 0)


def reconfirm(store: HasEngine, subscriber_id: int, *, since_change: int, claim_id: int,
              consent_source: str, source: str, now: datetime) -> bool:
    """Reactivate an unsubscribed subscriber who asked to come back and confirmed it.

    Only while nothing changed since the confirmation link was made (their latest status
    change is still ``since_change``) and only with a confirmation claim of their own. The
    consent record becomes that request's (its time and IP, ``consent_source``), the
    confirmation time ``now``, and the change goes into the history with ``source``.
    """
    cc = confirmations.c
    with write_transaction(store.engine) as conn:
        row = conn.execute(select(_S.status).where(_S.id == subscriber_id)
                           .with_for_update()).first()
        claim = conn.execute(select(cc.sent_at, cc.ip).where(
            cc.id == claim_id, cc.subscriber_id == subscriber_id)).first()
        latest = conn.execute(select(func.max(subscriber_changes.c.id)).where(
            subscriber_changes.c.subscriber_id == subscriber_id)).scalar() or 0
        if row is None or claim is None or row.status != "unsubscribed" \
                or latest != since_change:
            return False
        conn.execute(update(subscribers).where(_S.id == subscriber_id).values(
            status="active", confirmed_at=now, updated_at=now, consent_at=claim.sent_at,
            consent_ip=claim.ip, consent_source=consent_source))
        conn.execute(subscriber_changes.insert().values(
            subscriber_id=subscriber_id, old_status="unsubscribed", new_status="active",
            source=source, at=now))
    return True


def _aware(value: datetime, like: datetime) -> datetime:
    # func.max() bypasses the column type: SQLite hands back a naive UTC value (or text).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=like.tzinfo) if value.tzinfo is None else value


def confirmations_sent(store: HasEngine, subscriber_id: int) -> int:
    """How many confirmation emails went to a subscriber."""
    c = confirmations.c
    with read_transaction(store.engine) as conn:
        return conn.execute(select(func.count()).where(c.subscriber_id == subscriber_id)
                            ).scalar_one()


def ping(store: HasEngine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with store.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# --- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkClicks:
    """One clicked link of an issue: total clicks and distinct clickers."""

    url: str
    clicks: int
    unique: int


def unique_by_type(store: HasEngine, issue_keys: Iterable[str]) -> dict[str, dict[str, int]]:
    """Issue -> event type -> distinct subscribers (unattributed events count one each).

    ``bounce`` counts hard bounces only (SendGrid's ``type: blocked`` is a temporary block);
    ``dropped`` counts every drop.
    """
    keys = list(issue_keys)
    blocked = and_(_E.type == "bounce", _E.payload["type"].as_string() == "blocked")
    who = func.count(func.distinct(_E.subscriber_id)) + func.sum(
        case((_E.subscriber_id.is_(None), 1), else_=0))
    query = (select(_E.issue_key, _E.type, who).where(_E.issue_key.in_(keys), ~blocked)
             .group_by(_E.issue_key, _E.type))
    tallies: dict[str, dict[str, int]] = defaultdict(dict)
    with read_transaction(store.engine) as conn:
        for key, kind, n in conn.execute(query):
            tallies[key][kind] = int(n or 0)
    return dict(tallies)


def top_links(store: HasEngine, issue_key: str, limit: int = 5) -> list[LinkClicks]:
    """The most clicked links of an issue, most clicks first."""
    url = _E.payload["url"].as_string()
    query = (select(url, func.count(), func.count(func.distinct(_E.subscriber_id)))
             .where(_E.issue_key == issue_key, _E.type == "click", url.is_not(None))
             .group_by(url).order_by(func.count().desc(), url).limit(limit))
    with read_transaction(store.engine) as conn:
        return [LinkClicks(u, n, d) for u, n, d in conn.execute(query)]


def link_source(kind: str, issue_key: str | None) -> str:
    """The history source of an unsubscribe through our link (``one-click:issue-3``)."""
    return f"{kind}{ISSUE_MARK}{issue_key}" if issue_key else kind


def unsubscribers_by_issue(store: HasEngine, issue_keys: Iterable[str]) -> dict[str, set[int]]:
    """Issue -> subscribers who left because of it.

    From SendGrid's unsubscribe events of the issue, and from our own unsubscribe links
    (one-click or the web page): credited to the issue the link names (``?i=``, recorded
    in the source), else to the last issue sent to that subscriber before they left.
    """
    keys = list(issue_keys)
    found: dict[str, set[int]] = defaultdict(set)
    by_event = select(_E.issue_key, _E.subscriber_id).where(
        _E.issue_key.in_(keys), _E.type.in_(UNSUBSCRIBE_EVENTS), _E.subscriber_id.is_not(None))
    c, d = subscriber_changes.c, deliveries.c
    last_issue = (select(d.issue_key).where(d.subscriber_id == c.subscriber_id,
                                            d.status == "sent", d.sent_at <= c.at)
                  .order_by(d.sent_at.desc(), d.id.desc()).limit(1).scalar_subquery())
    by_link = select(last_issue, c.subscriber_id, c.source).where(
        c.new_status == "unsubscribed",
        or_(c.source.in_(WEB_SOURCES),
            *(c.source.startswith(f"{kind}{ISSUE_MARK}") for kind in WEB_SOURCES)))
    with read_transaction(store.engine) as conn:
        for key, sub_id in conn.execute(by_event):
            found[key].add(sub_id)
        for last, sub_id, source in conn.execute(by_link):
            key = source.partition(ISSUE_MARK)[2] or last
            if key in keys:
                found[key].add(sub_id)
    return dict(found)


# --- the studio's results and subscriber pages ------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    """How many of something happened on one UTC day (``day`` is YYYY-MM-DD)."""

    day: str
    kind: str
    count: int


def _by_day(store: HasEngine, query: Any) -> list[DayCount]:
    with read_transaction(store.engine) as conn:
        return [DayCount(str(day)[:10], str(kind), int(n)) for day, kind, n in conn.execute(query)]


def event_timeline(store: HasEngine, issue_key: str,
                   kinds: Sequence[str] = ("open", "click")) -> list[DayCount]:
    """Per UTC day, the issue's events of ``kinds`` (every open and click, not unique)."""
    day = func.date(_E.at)
    query = (select(day, _E.type, func.count()).where(_E.issue_key == issue_key,
                                                       _E.type.in_(list(kinds)))
             .group_by(day, _E.type).order_by(day))
    return _by_day(store, query)


def list_growth(store: HasEngine) -> list[DayCount]:
    """Per UTC day: subscribers who joined (``joined``) and who left (``left``: unsubscribed,
    bounced or complained), from the status history."""
    c = subscriber_changes.c
    day = func.date(c.at)
    kind = case((c.old_status.is_(None), "joined"), else_="left")
    query = (select(day, kind, func.count())
             .where(or_(c.old_status.is_(None),
                        and_(c.new_status.in_(list(_SUPPRESSED)),
                             ~c.old_status.in_(list(_SUPPRESSED)))))
             .group_by(day, kind).order_by(day))
    return _by_day(store, query)


@dataclass(frozen=True)
class Received:
    """One issue as it reached one subscriber: the ledger row and what they did with it."""

    issue_key: str
    status: str
    sent_at: datetime | None
    opened: int
    clicked: int


def received_by(store: HasEngine, subscriber_id: int) -> list[Received]:
    """Every issue the subscriber was sent (or is being sent), with their opens and clicks."""
    d = deliveries.c
    opens = (select(func.count()).where(_E.subscriber_id == subscriber_id,
                                        _E.issue_key == d.issue_key, _E.type == "open")
             .scalar_subquery())
    clicks = (select(func.count()).where(_E.subscriber_id == subscriber_id,
                                         _E.issue_key == d.issue_key, _E.type == "click")
              .scalar_subquery())
    query = (select(d.issue_key, d.status, d.sent_at, opens, clicks)
             .where(d.subscriber_id == subscriber_id).order_by(d.claimed_at, d.id))
    with read_transaction(store.engine) as conn:
        return [Received(*row) for row in conn.execute(query)]
