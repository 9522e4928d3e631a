"""Sends (the rendering kept as sent, times, totals), proofs, and provider events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Outcome, RenderedIssue
from .engine import read_transaction, write_transaction
from .records import Counts, EventRecord, SendRecord, StoredRendering, TestSendRecord
from .schema import deliveries, events, send_versions, sends, subscribers, test_sends


def insert_ignoring_duplicates(conn: Connection, table: Table, key: list[str]) -> Any:
    """An INSERT that skips rows whose ``key`` already exists (both dialects)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=key)
    return insert(table)


class SendStore:
    """Send records, test sends and events; mixed into :class:`~newsletter.store.Store`."""

    engine: Engine

    def record_send(self, issue_key: str, rendered: RenderedIssue, *, now: datetime,
                    digest: str = "") -> StoredRendering:
        """Keep the issue's rendering as first sent (version 1, made from content with
        ``digest``); the rendering kept, which is another's if another run was first."""
        row = {"issue_key": issue_key, "number": rendered.number, "subject": rendered.subject,
               "preheader": rendered.preheader, "html": rendered.html, "text": rendered.text,
               "started_at": now, "sent": 0, "failed": 0, "uncertain": 0, "digest": digest,
               "version": 1}
        with write_transaction(self.engine) as conn:
            conn.execute(insert_ignoring_duplicates(conn, sends, ["issue_key"]), [row])
        found = self.current_rendering(issue_key)
        assert found is not None
        return found

    def current_rendering(self, issue_key: str) -> StoredRendering | None:
        """The version of the issue's rendering being sent now; None before its first send."""
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(sends.c.version).where(sends.c.issue_key == issue_key)
                               ).first()
            return _rendering(conn, issue_key, row[0]) if row else None

    def rendering_version(self, issue_key: str, version: int) -> StoredRendering | None:
        """Version ``version`` of the issue's rendering, or None."""
        with read_transaction(self.engine) as conn:
            return _rendering(conn, issue_key, version)

    def adopt_digest(self, issue_key: str, digest: str) -> None:
        """Give a send from before digests the digest of its file as it is now."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(sends).where(sends.c.issue_key == issue_key, sends.c.digest == "")
                         .values(digest=digest))

    def add_send_version(self, issue_key: str, rendered: RenderedIssue, *, digest: str,
                         now: datetime) -> StoredRendering:
        """Record ``rendered`` (of content ``digest``) as the issue's next version, now sent
        to whoever has not had the issue; another run's equal version is used instead."""
        with write_transaction(self.engine) as conn:
            query = select(sends.c.version).where(sends.c.issue_key == issue_key)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            version = conn.execute(query).scalar_one()
            current = _rendering(conn, issue_key, version)
            if current is not None and current.digest == digest:
                return current
            conn.execute(send_versions.insert().values(
                issue_key=issue_key, version=version + 1, digest=digest,
                subject=rendered.subject, preheader=rendered.preheader, html=rendered.html,
                text=rendered.text, created_at=now))
            conn.execute(update(sends).where(sends.c.issue_key == issue_key)
                         .values(version=version + 1))
            found = _rendering(conn, issue_key, version + 1)
        assert found is not None
        return found

    def version_sent_to(self, issue_key: str, subscriber_key: str) -> int | None:
        """Which version of the issue the subscriber with this key was sent, or None."""
        d, sub = deliveries.c, subscribers.c
        query = (select(d.version).join(subscribers, sub.id == d.subscriber_id)
                 .where(d.issue_key == issue_key, sub.key == subscriber_key,
                        d.status == "sent"))
        with read_transaction(self.engine) as conn:
            return conn.execute(query).scalar()

    def sent_by_version(self, issue_key: str) -> dict[int, int]:
        """Version -> how many subscribers were sent it."""
        d = deliveries.c
        query = (select(d.version, func.count()).where(d.issue_key == issue_key,
                                                       d.status == "sent")
                 .group_by(d.version))
        with read_transaction(self.engine) as conn:
            return {version: n for version, n in conn.execute(query)}

    def finish_send(self, issue_key: str, *, now: datetime,
                    counts: Counts | None = None) -> SendRecord | None:
        """Stamp the send finished with its totals from the ledger (None if never started);
        ``counts``: the issue's ledger counts when the caller has just read them."""
        if counts is None:
            counts = self.delivery_counts(issue_key).get(issue_key)  # type: ignore[attr-defined]
        totals = {"sent": counts.sent, "failed": counts.failed,
                  "uncertain": counts.uncertain} if counts else {}
        with write_transaction(self.engine) as conn:
            conn.execute(update(sends).where(sends.c.issue_key == issue_key)
                         .values(finished_at=now, **totals))
        return self.get_send(issue_key)

    def get_send(self, issue_key: str) -> SendRecord | None:
        """The issue's send record, or None if it was never sent."""
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(sends).where(sends.c.issue_key == issue_key)).first()
        return SendRecord(**row._mapping) if row else None

    def list_sends(self) -> list[SendRecord]:
        """Every send record, oldest first (the archive)."""
        with read_transaction(self.engine) as conn:
            rows = conn.execute(select(sends).order_by(sends.c.started_at)).all()
        return [SendRecord(**row._mapping) for row in rows]

    def record_test_send(self, issue_key: str, email: str, outcome: Outcome, *,
                         now: datetime) -> None:
        """Record one proof, apart from real deliveries (it never counts as a delivery)."""
        with write_transaction(self.engine) as conn:
            conn.execute(test_sends.insert().values(
                issue_key=issue_key, email=email, status=outcome.status,
                message_id=outcome.message_id or None, error=outcome.error or None, at=now))

    def recorded_history(self, issue_keys: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Issue key -> (deliveries, proofs) recorded, for the keys that have any."""
        keys = sorted(set(issue_keys))
        found: dict[str, list[int]] = {}
        with read_transaction(self.engine) as conn:
            for slot, table in enumerate((deliveries, test_sends)):
                query = (select(table.c.issue_key, func.count())
                         .where(table.c.issue_key.in_(keys)).group_by(table.c.issue_key))
                for key, count in conn.execute(query):
                    found.setdefault(key, [0, 0])[slot] = count
        return {key: (d, p) for key, (d, p) in found.items()}

    def test_sends_for(self, issue_key: str) -> list[TestSendRecord]:
        """Proofs of an issue, oldest first."""
        c = test_sends.c
        query = (select(c.issue_key, c.email, c.status, c.message_id, c.error, c.at)
                 .where(c.issue_key == issue_key).order_by(c.at, c.id))
        with read_transaction(self.engine) as conn:
            return [TestSendRecord(*row) for row in conn.execute(query)]

    def record_events(self, batch: Sequence[EventRecord]) -> int:
        """Store provider events once per ``sg_event_id``; returns how many were new."""
        if not batch:
            return 0
        ids = [e.sg_event_id for e in batch]
        rows = [{"sg_event_id": e.sg_event_id, "type": e.type, "at": e.at,
                 "payload": dict(e.payload), "subscriber_id": e.subscriber_id,
                 "issue_key": e.issue_key} for e in {e.sg_event_id: e for e in batch}.values()]
        with write_transaction(self.engine) as conn:
            known = set(conn.execute(select(events.c.sg_event_id)
                                     .where(events.c.sg_event_id.in_(ids))).scalars())
            conn.execute(insert_ignoring_duplicates(conn, events, ["sg_event_id"]), rows)
        return len({*ids} - known)

    def event_count(self, issue_key: str | None = None) -> dict[str, int]:
        """Stored events by type (optionally for one issue)."""
        query = select(events.c.type, func.count()).group_by(events.c.type)
        if issue_key is not None:
            query = query.where(events.c.issue_key == issue_key)
        with read_transaction(self.engine) as conn:
            return {t: n for t, n in conn.execute(query)}


def _rendering(conn: Connection, issue_key: str, version: int) -> StoredRendering | None:
    """Version 1 is the send's own row; later versions are in send_versions."""
    s, v = sends.c, send_versions.c
    if version == 1:
        query = (select(s.digest, s.subject, s.preheader, s.html, s.text, s.started_at,
                        s.number).where(s.issue_key == issue_key))
    else:
        query = (select(v.digest, v.subject, v.preheader, v.html, v.text, v.created_at,
                        s.number).select_from(send_versions)
                 .join(sends, s.issue_key == v.issue_key)
                 .where(v.issue_key == issue_key, v.version == version))
    row = conn.execute(query).first()
    if row is None:
        return None
    digest, subject, preheader, html, text, since, number = row
    return StoredRendering(issue_key, version, digest,
                           RenderedIssue(number or 0, subject, preheader, html, text), since)


__all__ = ["SendStore", "deliveries"]
