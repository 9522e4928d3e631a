"""Frozen records the store reads and writes (plain data, no database handles)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ..models import RenderedIssue


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscribers table."""

    id: int
    key: str  # opaque: what tokens and custom_args name, never the id or the address
    email: str
    name: str
    status: str
    timezone: str | None
    confirmed_at: datetime | None
    consent_source: str
    consent_at: datetime | None
    consent_ip: str | None
    created_at: datetime
    updated_at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriberInput:
    """A subscriber to add or merge (from a CSV row, the CLI or a sign-up form).

    ``email`` must already be validated; the store keeps its normalised form (see
    :func:`newsletter.addresses.normalize_address`). Empty values never erase what the
    store already has.
    """

    email: str
    name: str = ""
    status: str = "active"
    timezone: str | None = None
    confirmed_at: datetime | None = None
    consent_at: datetime | None = None
    consent_ip: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UpsertResult:
    """What a batch upsert did: counts, and one word per input row, in order.

    Each outcome is ``imported`` (a new subscriber), ``updated`` or ``unchanged``.
    """

    outcomes: tuple[str, ...]

    @property
    def imported(self) -> int:
        """New subscribers."""
        return self.outcomes.count("imported")

    @property
    def updated(self) -> int:
        """Existing subscribers whose record changed."""
        return self.outcomes.count("updated")

    @property
    def unchanged(self) -> int:
        """Rows that matched an existing subscriber and changed nothing."""
        return self.outcomes.count("unchanged")


@dataclass(frozen=True)
class StatusChange:
    """One entry of a subscriber's status history (``old`` is None at creation)."""

    old: str | None
    new: str
    source: str
    at: datetime


class Claimed(NamedTuple):
    """A delivery row this process now owns: send to this subscriber, then record it.

    A named tuple: a send makes one per recipient, and a tuple is made in a fraction of
    the time a frozen dataclass takes."""

    delivery_id: int
    subscriber_id: int
    email: str
    name: str
    timezone: str | None
    fields: Mapping[str, Any]
    key: str = ""  # the subscriber's opaque key (for unsubscribe tokens and custom_args)


@dataclass(frozen=True)
class Counts:
    """Delivery rows of one issue by status (``retry``: released, claimable again)."""

    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    claimed: int = 0
    retry: int = 0

    @property
    def total(self) -> int:
        """Every row in the ledger for the issue."""
        return self.sent + self.failed + self.uncertain + self.claimed + self.retry


@dataclass(frozen=True)
class DeliveryRecord:
    """One ledger row with its subscriber's address (for reports of uncertain sends)."""

    delivery_id: int
    subscriber_id: int
    email: str
    name: str
    status: str
    batch_id: str
    message_id: str | None
    attempts: int
    last_error: str | None
    claimed_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class SendRecord:
    """An issue's send: the rendering kept as first sent, its times and totals."""

    issue_key: str
    number: int | None
    subject: str
    preheader: str
    html: str
    text: str
    started_at: datetime
    finished_at: datetime | None
    sent: int
    failed: int
    uncertain: int
    digest: str = ""
    version: int = 1


@dataclass(frozen=True)
class StoredRendering:
    """One version of an issue's rendering as recorded when it began to be sent, with the
    SHA-256 of the issue's content it was made from ("" when not known yet)."""

    issue_key: str
    version: int
    digest: str
    rendered: RenderedIssue
    since: datetime


@dataclass(frozen=True)
class TestSendRecord:
    """One proof sent to one address, kept apart from real deliveries."""

    issue_key: str
    email: str
    status: str
    message_id: str | None
    error: str | None
    at: datetime


@dataclass(frozen=True)
class EventRecord:
    """A provider event (SendGrid webhook), stored once per ``sg_event_id``."""

    sg_event_id: str
    type: str
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    subscriber_id: int | None = None
    issue_key: str | None = None
