"""Per-issue statistics from the delivery ledger and the stored SendGrid events.

``sent`` comes from the ledger; the rest from events, counted once per subscriber
(opens and clicks are "unique"): delivered, opened, clicked (with the top links),
bounced (hard bounces), complained (spam reports), unsubscribed (SendGrid unsubscribe
events of the issue, and our own unsubscribe links: credited to the issue the link names
with ``?i=N``, else to the last issue the subscriber was sent), dropped and deferred.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import NewsletterError
from .store import SendRecord, Store
from .store.events import LinkClicks, top_links, unique_by_type, unsubscribers_by_issue


@dataclass(frozen=True)
class IssueStats:
    """What happened to one issue (``key``: its ledger identity, ``issue``: its number)."""

    issue: int
    subject: str
    sent: int
    delivered: int
    opened: int
    clicked: int
    bounced: int
    complained: int
    unsubscribed: int
    dropped: int
    deferred: int
    top_links: tuple[LinkClicks, ...] = ()
    key: str = ""
    versions: dict[int, int] = field(default_factory=dict)  # version -> subscribers sent it

    def rate(self, count: int) -> float:
        """``count`` as a share of the messages sent (0 when none were)."""
        return count / self.sent if self.sent else 0.0


def issue_stats(store: Store, number: int | None = None, *, top: int = 5,
                key: str | None = None) -> list[IssueStats]:
    """Statistics of every sent issue, in issue order: or of those numbered ``number`` (a
    new series may reuse the number of an old one), or of the one with ``key``."""
    sent = sorted((s for s in store.list_sends() if s.number is not None),
                  key=lambda s: (s.number or 0, s.started_at))
    if number is not None or key is not None:
        sent = [s for s in sent if s.number == number or s.issue_key == key]
        if not sent:
            raise NewsletterError(f"issue {number or key} has not been sent: no statistics "
                                  "yet")
    keys = [s.issue_key for s in sent]
    ledger = store.delivery_counts()
    events = unique_by_type(store, keys)
    leavers = unsubscribers_by_issue(store, keys)
    return [_one(store, s, ledger, events.get(s.issue_key, {}),
                 len(leavers.get(s.issue_key, ())), top) for s in sent]


def _one(store: Store, send: SendRecord, ledger: dict[str, Any], events: dict[str, int],
         unsubscribed: int, top: int) -> IssueStats:
    key = send.issue_key
    counts = ledger.get(key)
    return IssueStats(
        issue=send.number or 0, key=key, subject=send.subject,
        sent=counts.sent if counts else 0,
        delivered=events.get("delivered", 0), opened=events.get("open", 0),
        clicked=events.get("click", 0), bounced=events.get("bounce", 0),
        complained=events.get("spamreport", 0), unsubscribed=unsubscribed,
        dropped=events.get("dropped", 0), deferred=events.get("deferred", 0),
        top_links=tuple(top_links(store, key, top)) if top else (),
        versions=store.sent_by_version(key))


def stats_json(stats: list[IssueStats]) -> list[dict[str, Any]]:
    """The `newsletter stats --json` objects: one per issue, top links as objects."""
    return [asdict(s) | {"top_links": [asdict(link) for link in s.top_links]} for s in stats]
