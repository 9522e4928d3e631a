"""The latest schema: every table of the database, as SQLAlchemy Core objects.

A fresh database is created from these definitions; an older one is brought here by the
ordered migrations in :mod:`newsletter.store.migrations` (a test checks both give the same
schema). Times are stored in UTC and read back timezone-aware on every database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

SUBSCRIBER_STATUSES = ("pending", "active", "unsubscribed", "bounced", "complained")
SUPPRESSED = ("unsubscribed", "bounced", "complained")  # never mailed, never auto-reactivated
DELIVERY_STATUSES = ("claimed", "sent", "failed", "uncertain", "retry")
# "retry": released by the operator (or handed back unsent); claimable again, keeps attempts.

LATEST_VERSION = 15
SEQ_UNSCHEDULED = "1970-01-01 00:00:00.000000"  # seq_next_due_at not computed yet


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (UTC).

    SQLite keeps no offset, so values are normalised to UTC on the way in; a naive value
    is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id() -> BigInteger:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return BigInteger().with_variant(Integer(), "sqlite")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

subscribers = Table(
    "subscribers", metadata,
    Column("id", _id(), primary_key=True),
    Column("key", String(32), nullable=False, unique=True),  # opaque id for tokens/custom_args
    Column("email", String(320), nullable=False),  # normalised (older rows: as given)
    Column("email_lower", String(320), nullable=False, unique=True),  # case-insensitive key
    Column("name", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("consent_source", Text, nullable=False, default=""),
    Column("consent_at", UTCDateTime),
    Column("consent_ip", String(64)),
    Column("timezone", String(64)),  # IANA name; NULL: the newsletter's zone
    Column("confirmed_at", UTCDateTime),  # start of the drip sequence
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("fields", JSON, nullable=False, default=dict),
    # Drip progress (v5): last issue sent, and when the next is due (an index hint kept
    # up to date by newsletter.store.sequence; the 1970 default means "not computed yet").
    Column("seq_paused", Boolean, nullable=False, server_default=false()),
    Column("seq_last_issue", Integer, nullable=False, server_default="0"),
    Column("seq_last_day", Integer, nullable=False, server_default="0"),
    Column("seq_last_at", UTCDateTime),
    Column("seq_next_issue", Integer),
    Column("seq_next_due_at", UTCDateTime, nullable=False, server_default=SEQ_UNSCHEDULED),
    CheckConstraint(_in("status", SUBSCRIBER_STATUSES), name="ck_subscribers_status"),
)
Index("ix_subscribers_status_id", subscribers.c.status, subscribers.c.id)
Index("ix_subscribers_status_confirmed", subscribers.c.status, subscribers.c.confirmed_at)
Index("ix_subscribers_sequence_due", subscribers.c.status, subscribers.c.seq_next_due_at,
      subscribers.c.id)

sequence_state = Table(  # v5: settings of the drip sequence kept in the database
    "sequence_state", metadata,
    Column("key", String(64), primary_key=True),  # "fingerprint", "paused"
    Column("value", Text, nullable=False),
)

subscriber_changes = Table(
    "subscriber_changes", metadata,
    Column("id", _id(), primary_key=True),
    Column("subscriber_id", _id(), ForeignKey("subscribers.id", ondelete="CASCADE"),
           nullable=False),
    Column("old_status", String(16)),  # NULL when the subscriber was created
    Column("new_status", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_subscriber_changes_subscriber", subscriber_changes.c.subscriber_id,
      subscriber_changes.c.at)

deliveries = Table(
    "deliveries", metadata,
    Column("id", _id(), primary_key=True),
    Column("issue_key", String(64), nullable=False),
    # No foreign key since v13: a claim inserts only subscribers its own statement has just
    # read (and, on PostgreSQL, locked), and deleting a subscriber deletes their deliveries
    # in the same transaction (SubscriberStore). The key's check cost PostgreSQL a trigger
    # call per claimed row, a quarter of the claim.
    Column("subscriber_id", _id(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("batch_id", String(64), nullable=False),
    Column("message_id", String(255)),
    Column("attempts", Integer, nullable=False, default=1),
    Column("last_error", Text),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    # v10: which rendering of the issue (sends, send_versions) this subscriber was sent
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("issue_key", "subscriber_id", name="uq_deliveries_issue_subscriber"),
    CheckConstraint(_in("status", DELIVERY_STATUSES), name="ck_deliveries_status"),
)
Index("ix_deliveries_issue_status", deliveries.c.issue_key, deliveries.c.status,
      deliveries.c.claimed_at)
Index("ix_deliveries_batch", deliveries.c.batch_id)
Index("ix_deliveries_subscriber", deliveries.c.subscriber_id)

sends = Table(
    "sends", metadata,
    Column("issue_key", String(64), primary_key=True),  # the issue's id (its number before ids)
    Column("number", Integer),  # v7: the issue's number when its sending began
    Column("subject", Text, nullable=False),
    Column("preheader", Text, nullable=False, default=""),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("sent", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("uncertain", Integer, nullable=False, default=0),
    # v10: the SHA-256 of the issue's content as first sent ("" before v10: taken from the
    # file at the next run), and the version now being sent (2 on: send_versions)
    Column("digest", String(64), nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
)

send_versions = Table(  # v10: renderings recorded after the first (`send --new-version N`)
    "send_versions", metadata,
    Column("issue_key", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),  # 2, 3, ...; version 1 is the sends row
    Column("digest", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("preheader", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

test_sends = Table(
    "test_sends", metadata,
    Column("id", _id(), primary_key=True),
    Column("issue_key", String(64), nullable=False),
    Column("email", String(320), nullable=False),
    Column("status", String(16), nullable=False),
    Column("message_id", String(255)),
    Column("error", Text),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_test_sends_issue", test_sends.c.issue_key, test_sends.c.at)

events = Table(
    "events", metadata,
    Column("id", _id(), primary_key=True),
    Column("sg_event_id", String(255), nullable=False, unique=True),
    Column("type", String(32), nullable=False),
    Column("subscriber_id", _id(), ForeignKey("subscribers.id", ondelete="SET NULL")),
    Column("issue_key", String(64)),
    Column("payload", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_events_issue_type", events.c.issue_key, events.c.type)
Index("ix_events_subscriber", events.c.subscriber_id)

confirmations = Table(
    "confirmations", metadata,
    Column("id", _id(), primary_key=True),
    Column("subscriber_id", _id(), ForeignKey("subscribers.id", ondelete="CASCADE"),
           nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),  # when a confirmation email went out
    Column("ip", String(64)),  # who asked for it (the sign-up form's client)
)
Index("ix_confirmations_subscriber", confirmations.c.subscriber_id, confirmations.c.sent_at)

users = Table(  # v6: studio accounts (passwords as slow scrypt hashes, never in clear)
    "users", metadata,
    Column("id", _id(), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # lowercased
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_sign_in_at", UTCDateTime),
)

signin_failures = Table(  # v6: failed studio sign-ins, for the per-address and per-IP limits
    "signin_failures", metadata,
    Column("id", _id(), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_signin_failures_email", signin_failures.c.email, signin_failures.c.at)
Index("ix_signin_failures_ip", signin_failures.c.ip, signin_failures.c.at)

erasures = Table(  # v8: addresses erased on request, as keyed hashes (never the address)
    "erasures", metadata,
    Column("hash", String(64), primary_key=True),  # HMAC-SHA256 (tokens.erasure_hash), hex
    Column("erased_at", UTCDateTime, nullable=False),
    # v15: which secret keyed the hash (tokens.key_id); "" for those erased before v15
    Column("key_id", String(16), nullable=False, server_default=""),
)

send_rate = Table(  # v9: messages sent lately, by every process: the shared rate limit
    "send_rate", metadata,
    Column("id", _id(), primary_key=True),
    Column("at", Float, nullable=False),  # unix seconds (PostgreSQL: the server's clock)
    Column("count", Integer, nullable=False),
)
Index("ix_send_rate_at", send_rate.c.at)

postings = Table(  # v14: batches whose request has been started (claims made ahead)
    # A batch claimed with POSTED_PREFIX in its id is noted here just before its request
    # leaves: when its run dies, a claim whose batch is not here never left (released,
    # not uncertain). Rows older than the lease are dropped by the stale-claim sweep.
    "postings", metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

signups = Table(  # v11: sign-ups waiting for their confirmation email (store.signups)
    "signups", metadata,
    Column("id", _id(), primary_key=True),
    Column("email", String(320), nullable=False),  # normalised; "" for a bot's post
    Column("name", Text, nullable=False),
    Column("timezone", String(64)),
    Column("ip", String(64)),
    Column("rate_key", String(64), nullable=False),  # the IP, or an IPv6 /64 network
    Column("at", UTCDateTime, nullable=False),  # when the form was posted (the consent)
    Column("status", String(16), nullable=False),  # queued, sending, done, failed
    Column("attempts", Integer, nullable=False),
    Column("next_try_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("confirmation_id", BigInteger),  # confirmations.id once the email is decided on
    Column("subject", Text),  # what the confirmation token names, once decided
    CheckConstraint(_in("status", ("queued", "sending", "done", "failed")),
                    name="ck_signups_status"),
)
Index("ix_signups_rate", signups.c.rate_key, signups.c.at)
Index("ix_signups_due", signups.c.status, signups.c.next_try_at)
