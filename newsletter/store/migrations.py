"""Schema migrations: a small ordered list of functions and a ``schema_version`` table.

A fresh database is created from the latest schema and stamped with the latest version;
an older one runs each missing migration in order, in one transaction, under a lock, so
several processes opening the same database at once upgrade it exactly once. A migration
never changes once released: it creates what *that* version looked like (frozen here),
so replaying v1..vN always ends at the latest schema (a test checks this).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    literal,
    select,
    update,
)

from ..errors import NewsletterError
from . import schema as s
from .search import install_search

Migration = Callable[[Connection], None]


def _v1_tables() -> list[Table]:
    """Subscribers, the delivery ledger and the kept renderings, as first released."""
    md = MetaData()
    subscribers = Table(
        "subscribers", md,
        Column("id", s._id(), primary_key=True),
        Column("key", String(32), nullable=False, unique=True),
        Column("email", String(320), nullable=False),
        Column("email_lower", String(320), nullable=False, unique=True),
        Column("name", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("consent_source", Text, nullable=False),
        Column("consent_at", s.UTCDateTime),
        Column("consent_ip", String(64)),
        Column("created_at", s.UTCDateTime, nullable=False),
        Column("updated_at", s.UTCDateTime, nullable=False),
        Column("fields", JSON, nullable=False),
        s.CheckConstraint(s._in("status", s.SUBSCRIBER_STATUSES), name="ck_subscribers_status"),
    )
    Index("ix_subscribers_status_id", subscribers.c.status, subscribers.c.id)
    deliveries = Table(
        "deliveries", md,
        Column("id", s._id(), primary_key=True),
        Column("issue_key", String(64), nullable=False),
        Column("subscriber_id", s._id(), s.ForeignKey("subscribers.id", ondelete="CASCADE"),
               nullable=False),
        Column("status", String(16), nullable=False),
        Column("batch_id", String(64), nullable=False),
        Column("message_id", String(255)),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("claimed_at", s.UTCDateTime, nullable=False),
        Column("sent_at", s.UTCDateTime),
        Column("updated_at", s.UTCDateTime, nullable=False),
        UniqueConstraint("issue_key", "subscriber_id", name="uq_deliveries_issue_subscriber"),
        s.CheckConstraint(s._in("status", s.DELIVERY_STATUSES), name="ck_deliveries_status"),
    )
    Index("ix_deliveries_issue_status", deliveries.c.issue_key, deliveries.c.status,
          deliveries.c.claimed_at)
    Index("ix_deliveries_batch", deliveries.c.batch_id)
    Index("ix_deliveries_subscriber", deliveries.c.subscriber_id)
    sends = Table(
        "sends", md,
        Column("issue_key", String(64), primary_key=True),
        Column("subject", Text, nullable=False),
        Column("preheader", Text, nullable=False),
        Column("html", Text, nullable=False),
        Column("text", Text, nullable=False),
        Column("started_at", s.UTCDateTime, nullable=False),
        Column("finished_at", s.UTCDateTime),
        Column("sent", Integer, nullable=False),
        Column("failed", Integer, nullable=False),
        Column("uncertain", Integer, nullable=False),
    )
    return [s.schema_version.to_metadata(md), subscribers, deliveries, sends]


def v1_initial(conn: Connection) -> None:
    """v1: subscribers, deliveries (the idempotency key), sends."""
    for table in _v1_tables():
        table.create(conn)


def v2_history_and_events(conn: Connection) -> None:
    """v2: status history, proofs kept apart, webhook events; history starts at creation."""
    # These three tables are unchanged since v2; freeze a copy here when one changes.
    for table in (s.subscriber_changes, s.test_sends, s.events):
        table.create(conn)
    sub = s.subscribers.c
    conn.execute(s.subscriber_changes.insert().from_select(
        ["subscriber_id", "new_status", "source", "at"],
        select(sub.id, sub.status, literal("migration"), sub.created_at)))


def v3_sequence_fields(conn: Connection) -> None:
    """v3: per-subscriber time zone and confirmation time (drip sequences)."""
    _add_column(conn, "subscribers", Column("timezone", String(64)))
    _add_column(conn, "subscribers", Column("confirmed_at", s.UTCDateTime))
    conn.exec_driver_sql("CREATE INDEX ix_subscribers_status_confirmed "
                         "ON subscribers (status, confirmed_at)")
    # Existing active subscribers start their sequence at their consent time.
    conn.execute(update(s.subscribers).where(s.subscribers.c.status == "active")
                 .values(confirmed_at=func.coalesce(s.subscribers.c.consent_at,
                                                    s.subscribers.c.created_at)))


def v4_confirmations(conn: Connection) -> None:
    """v4: double opt-in confirmation emails sent (throttles re-sends, audits requests)."""
    # Unchanged since v4; freeze a copy here when it changes.
    s.confirmations.create(conn)


def v5_sequence_progress(conn: Connection) -> None:
    """v5: drip progress per subscriber (last issue, next due time, paused) and its index."""
    false_ = "false" if conn.dialect.name == "postgresql" else "0"
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    for name, kind in (("seq_paused", f"BOOLEAN NOT NULL DEFAULT {false_}"),
                       ("seq_last_issue", "INTEGER NOT NULL DEFAULT 0"),
                       ("seq_last_day", "INTEGER NOT NULL DEFAULT 0"),
                       ("seq_last_at", stamp),
                       ("seq_next_issue", "INTEGER"),
                       ("seq_next_due_at", f"{stamp} NOT NULL DEFAULT '{s.SEQ_UNSCHEDULED}'")):
        conn.exec_driver_sql(f'ALTER TABLE subscribers ADD COLUMN "{name}" {kind}')
    conn.exec_driver_sql("CREATE INDEX ix_subscribers_sequence_due "
                         "ON subscribers (status, seq_next_due_at, id)")
    # Unchanged since v5; freeze a copy here when it changes.
    s.sequence_state.create(conn)


def v6_studio_users(conn: Connection) -> None:
    """v6: studio accounts and failed sign-ins (rate limits)."""
    # Unchanged since v6; freeze a copy here when one changes.
    for table in (s.users, s.signin_failures):
        table.create(conn)


def v7_send_numbers(conn: Connection) -> None:
    """v7: a send knows its issue's number (ledger keys become issue ids, no longer numbers);
    sends from before ids were keyed by the number itself."""
    _add_column(conn, "sends", Column("number", Integer))
    legacy = [key for (key,) in conn.execute(select(s.sends.c.issue_key)) if key.isdigit()]
    for key in legacy:
        conn.execute(update(s.sends).where(s.sends.c.issue_key == key).values(number=int(key)))


def v8_erasures(conn: Connection) -> None:
    """v8: keyed hashes of erased addresses (an old list cannot bring them back)."""
    Table("erasures", MetaData(),
          Column("hash", String(64), primary_key=True),
          Column("erased_at", s.UTCDateTime, nullable=False)).create(conn)


def v9_send_rate(conn: Connection) -> None:
    """v9: the messages sent in the last hour, the rate limit every sending process shares."""
    # Unchanged since v9; freeze a copy here when it changes.
    s.send_rate.create(conn)


def v10_send_versions(conn: Connection) -> None:
    """v10: the first send fixes an issue's rendering: its content digest and current
    version on the send, later versions apart, each delivery's version."""
    for table, column, kind in (("sends", "digest", "VARCHAR(64) NOT NULL DEFAULT ''"),
                                ("sends", "version", "INTEGER NOT NULL DEFAULT 1"),
                                ("deliveries", "version", "INTEGER NOT NULL DEFAULT 1")):
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}')
    # Unchanged since v10; freeze a copy here when it changes.
    s.send_versions.create(conn)


def v11_signup_queue(conn: Connection) -> None:
    """v11: sign-ups queued for their confirmation email, and the per-IP sign-up limit."""
    # Unchanged since v11; freeze a copy here when it changes.
    s.signups.create(conn)


def v12_subscriber_search(conn: Connection) -> None:
    """v12: the trigram index that subscriber search reads (see :mod:`.search`)."""
    install_search(conn)


def v13_ledger_without_foreign_key(conn: Connection) -> None:
    """v13: the ledger's subscriber_id no longer references subscribers on PostgreSQL,
    where checking it was a trigger call per claimed row (deleting a subscriber deletes
    their deliveries itself). SQLite keeps the old key of databases made before: dropping
    it means copying the table, and its check costs SQLite little."""
    if conn.dialect.name != "postgresql":
        return
    for key in inspect(conn).get_foreign_keys("deliveries"):
        if key["referred_table"] == "subscribers" and key.get("name"):
            conn.exec_driver_sql(f'ALTER TABLE deliveries DROP CONSTRAINT "{key["name"]}"')


def v14_postings(conn: Connection) -> None:
    """v14: the batches whose request has been started, so that the claims a dead run
    made ahead and never posted are released rather than called uncertain."""
    # Unchanged since v14; freeze a copy here when it changes.
    s.postings.create(conn)


def v15_erasure_keys(conn: Connection) -> None:
    """v15: which secret keyed each erasure hash, so a rotated NEWSLETTER_SECRET_KEY is
    noticed ("" for the hashes kept before: their key is not known)."""
    conn.exec_driver_sql("ALTER TABLE erasures ADD COLUMN \"key_id\" VARCHAR(16) NOT NULL "
                         "DEFAULT ''")


MIGRATIONS: tuple[Migration, ...] = (v1_initial, v2_history_and_events, v3_sequence_fields,
                                     v4_confirmations, v5_sequence_progress, v6_studio_users,
                                     v7_send_numbers, v8_erasures, v9_send_rate,
                                     v10_send_versions, v11_signup_queue, v12_subscriber_search,
                                     v13_ledger_without_foreign_key, v14_postings,
                                     v15_erasure_keys)
assert len(MIGRATIONS) == s.LATEST_VERSION


def _add_column(conn: Connection, table: str, column: Column[object]) -> None:
    kind = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "{column.name}" {kind}')


def current_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 when it is empty)."""
    names = set(inspect(conn).get_table_names())
    if "schema_version" not in names:
        if "subscribers" in names:
            raise NewsletterError("the database has a subscribers table but no schema_version: "
                                  "it was not made by newsletter; use another database_url")
        return 0
    return conn.execute(select(func.max(s.schema_version.c.version))).scalar() or 0


def migrate(conn: Connection, now: datetime) -> int:
    """Bring the database to the latest schema inside the caller's locked transaction.

    Returns the version the database had before.
    """
    before = current_version(conn)
    if before > s.LATEST_VERSION:
        raise NewsletterError(f"the database is at schema version {before}, newer than this "
                              f"newsletter ({s.LATEST_VERSION}): upgrade newsletter")
    if before == 0:
        s.metadata.create_all(conn)
        install_search(conn)
        _stamp(conn, range(1, s.LATEST_VERSION + 1), now)
        return 0
    for version in range(before + 1, s.LATEST_VERSION + 1):
        MIGRATIONS[version - 1](conn)
        _stamp(conn, [version], now)
    return before


def _stamp(conn: Connection, versions: range | list[int], now: datetime) -> None:
    conn.execute(s.schema_version.insert(), [{"version": v, "applied_at": now} for v in versions])


def new_key() -> str:
    """A fresh opaque subscriber key (what tokens and custom_args name)."""
    return secrets.token_hex(16)
