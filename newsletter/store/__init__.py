"""The database: subscribers, the delivery ledger, sends, proofs and events.

SQLAlchemy Core over SQLite (the default, a file under ``subscribers/``) or PostgreSQL
(``postgresql+psycopg://``). :func:`open_store` creates or upgrades the schema and
returns a :class:`Store`, which is safe to share between threads (each operation takes
its own pooled connection) and to open from several processes at once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, text

from .engine import make_engine, normalise_url, write_transaction
from .ledger import STALE_ERROR, LedgerStore
from .migrations import current_version, migrate
from .rates import RateStore
from .records import (
    Claimed,
    Counts,
    DeliveryRecord,
    EventRecord,
    SendRecord,
    StatusChange,
    StoredRendering,
    Subscriber,
    SubscriberInput,
    TestSendRecord,
    UpsertResult,
)
from .schema import LATEST_VERSION, SUBSCRIBER_STATUSES, SUPPRESSED
from .sends import SendStore
from .subscribers import SubscriberStore, email_key, merged_status
from .users import User, UserStore

__all__ = [
    "LATEST_VERSION", "STALE_ERROR", "SUBSCRIBER_STATUSES", "SUPPRESSED", "Claimed", "Counts",
    "DeliveryRecord", "EventRecord", "SendRecord", "StatusChange", "Store", "StoredRendering",
    "Subscriber", "SubscriberInput", "TestSendRecord", "UpsertResult", "User", "email_key",
    "merged_status", "normalise_url", "open_store",
]


class Store(SubscriberStore, LedgerStore, SendStore, UserStore, RateStore):
    """Every database operation of the project, over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._floors: dict[str, int] = {}
        self._swept: set[str] = set()
        self._no_released: set[str] = set()
        self._floor_lock = threading.Lock()
        self._claims = 0

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def schema_version(self) -> int:
        """The database's schema version."""
        with self.engine.connect() as conn:
            return current_version(conn)

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after a bulk import)."""
        with write_transaction(self.engine) as conn:
            conn.exec_driver_sql("ANALYZE")

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str, *, now: datetime | None = None) -> Store:
    """Open the database at ``url``, creating or upgrading its schema in place.

    A SQLite file's folder is created. Several processes may open the same new database
    at once: the schema is created once, under a lock.
    """
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            # One migrator per schema at a time; the others wait, then find it done.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema()))"))
        migrate(conn, now or datetime.now(UTC))
    return Store(engine)
