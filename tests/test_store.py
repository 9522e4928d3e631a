"""The store on SQLite and PostgreSQL: schema, migrations, subscribers and their history."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pg import db_url, pg_url  # noqa: F401  (fixtures)
from sqlalchemy import inspect, text

from newsletter.errors import InputError, NewsletterError
from newsletter.store import LATEST_VERSION, Store, SubscriberInput, open_store
from newsletter.store.engine import make_engine, write_transaction
from newsletter.store.migrations import MIGRATIONS
from newsletter.store.search import SQLITE_TABLES

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811
    with open_store(db_url, now=NOW) as opened:
        yield opened


def add(store: Store, *entries: SubscriberInput, source: str = "test") -> tuple[str, ...]:
    return store.upsert_subscribers(list(entries), source=source, now=NOW).outcomes


def test_default_sqlite_file_is_created_with_its_folder_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "letter" / "subscribers" / "newsletter.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_connections_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_a_fresh_database_is_at_the_latest_version(store: Store) -> None:
    assert store.schema_version() == LATEST_VERSION


def test_opening_twice_keeps_the_data(db_url: str) -> None:  # noqa: F811
    with open_store(db_url) as first:
        add(first, SubscriberInput("kept@example.org"))
    with open_store(db_url) as second:
        assert second.get_subscriber("kept@example.org") is not None


def test_unknown_database_url_is_a_config_error() -> None:
    with pytest.raises(NewsletterError, match="unsupported database"):
        open_store("mysql://localhost/x")


def _make_v1_with_rows(url: str) -> None:
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        MIGRATIONS[0](conn)
        conn.execute(text("INSERT INTO schema_version (version, applied_at) "
                          "VALUES (1, '2025-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO subscribers (id, key, email, email_lower, name, status, consent_source,"
            " consent_at, created_at, updated_at, fields) VALUES "
            "(1, 'k1', 'Old@example.org', 'old@example.org', 'Old', 'active', 'csv',"
            " '2025-01-02 00:00:00', '2025-01-02 00:00:00', '2025-01-02 00:00:00',"
            " '{\"plan\": \"pro\"}'),"
            "(2, 'k2', 'gone@example.org', 'gone@example.org', '', 'unsubscribed', 'csv',"
            " NULL, '2025-01-03 00:00:00', '2025-01-03 00:00:00', '{}')"))
        conn.execute(text(
            "INSERT INTO deliveries (issue_key, subscriber_id, status, batch_id, attempts,"
            " claimed_at, updated_at) VALUES ('1', 1, 'sent', 'b', 1, '2025-01-04 00:00:00',"
            " '2025-01-04 00:00:00')"))
    engine.dispose()


def test_a_v1_database_is_upgraded_in_place_keeping_its_data(db_url: str) -> None:  # noqa: F811
    _make_v1_with_rows(db_url)
    with open_store(db_url, now=NOW) as store:
        assert store.schema_version() == LATEST_VERSION
        old = store.get_subscriber("old@example.org")
        assert old is not None and old.name == "Old" and old.fields == {"plan": "pro"}
        assert old.confirmed_at == old.consent_at  # its place in a drip sequence
        assert store.get_subscriber("gone@example.org").confirmed_at is None
        assert [c.new for c in store.status_history("gone@example.org")] == ["unsubscribed"]
        assert store.delivery_counts("1")["1"].sent == 1
        add(store, SubscriberInput("new@example.org", timezone="Asia/Kolkata"))
        assert store.get_subscriber("new@example.org").timezone == "Asia/Kolkata"


def _shape(url: str) -> dict[str, object]:
    engine = make_engine(url)
    found = inspect(engine)
    shape = {}
    for table in found.get_table_names():
        uniques = {tuple(u["column_names"]) for u in found.get_unique_constraints(table)}
        uniques |= {tuple(i["column_names"]) for i in found.get_indexes(table) if i["unique"]}
        shape[table] = ({c["name"] for c in found.get_columns(table)}, uniques,
                        {tuple(i["column_names"]) for i in found.get_indexes(table)
                         if not i["unique"]})
    engine.dispose()
    return shape


def test_migrating_from_v1_gives_the_same_schema_as_a_fresh_database(
        tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    for fresh, old in ((f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"),
                       (pg_url, None)):
        open_store(fresh).close()
        if old:
            _make_v1_with_rows(old)
            open_store(old).close()
            assert _shape(old) == _shape(fresh)
    sqlite_tables = set(_shape(f"sqlite:///{tmp_path / 'a.db'}"))
    assert set(_shape(pg_url)) == {t for t in sqlite_tables  # SQLite's search index: FTS5
                                   if not t.startswith(SQLITE_TABLES)}


def test_a_database_newer_than_the_code_is_refused(db_url: str) -> None:  # noqa: F811
    open_store(db_url).close()
    engine = make_engine(db_url)
    with write_transaction(engine) as conn:
        conn.execute(text("INSERT INTO schema_version VALUES (99, '2030-01-01 00:00:00')"))
    engine.dispose()
    with pytest.raises(NewsletterError, match="newer than this newsletter"):
        open_store(db_url)


def test_several_threads_opening_a_new_database_create_it_once(db_url: str) -> None:  # noqa: F811
    errors: list[Exception] = []

    def opener() -> None:
        try:
            open_store(db_url).close()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(db_url) as store:
        assert store.schema_version() == LATEST_VERSION


def test_addresses_are_unique_in_their_normalised_form(store: Store) -> None:
    assert add(store, SubscriberInput(" Jane.Doe@Example.COM ", name="Jane")) == ("imported",)
    assert add(store, SubscriberInput("jane.doe@example.com\u200b")) == ("unchanged",)
    jane = store.get_subscriber("ＪＡＮＥ.DOE@EXAMPLE.COM")
    assert jane is not None and jane.email == "jane.doe@example.com" and jane.name == "Jane"
    assert store.count_by_status()["active"] == 1


def test_merging_fills_and_updates_but_never_erases(store: Store) -> None:
    add(store, SubscriberInput("a@example.org", name="Ann", fields={"city": "Oslo"}))
    outcome = add(store, SubscriberInput("A@example.org", timezone="Europe/Oslo",
                                         fields={"plan": "pro"}))
    ann = store.get_subscriber("a@example.org")
    assert outcome == ("updated",)
    assert (ann.name, ann.timezone) == ("Ann", "Europe/Oslo")
    assert ann.fields == {"city": "Oslo", "plan": "pro"}


@pytest.mark.parametrize("suppressed", ["unsubscribed", "bounced", "complained"])
def test_suppressed_addresses_are_never_reactivated_by_add_or_import(
        store: Store, suppressed: str) -> None:
    add(store, SubscriberInput("x@example.org"))
    store.set_status("x@example.org", suppressed, source="webhook", now=NOW)
    add(store, SubscriberInput("X@example.org", status="active", name="X"))
    again, _ = store.add_subscriber(SubscriberInput("x@example.org"), source="cli", now=NOW)
    assert again.status == suppressed and again.name == "X"
    back, outcome = store.add_subscriber(SubscriberInput("x@example.org"), source="cli",
                                         now=NOW, resubscribe=True)
    assert (back.status, outcome) == ("active", "updated")


def test_active_never_falls_back_to_pending_but_pending_can_be_activated(store: Store) -> None:
    add(store, SubscriberInput("p@example.org", status="pending"),
        SubscriberInput("a@example.org"))
    assert store.get_subscriber("p@example.org").confirmed_at is None
    add(store, SubscriberInput("p@example.org"), SubscriberInput("a@example.org", status="pending"))
    assert store.get_subscriber("a@example.org").status == "active"
    activated = store.get_subscriber("p@example.org")
    assert activated.status == "active" and activated.confirmed_at == NOW


def test_every_status_change_is_recorded_with_source_and_time(store: Store) -> None:
    add(store, SubscriberInput("h@example.org", status="pending"), source="form")
    later = NOW + timedelta(days=1)
    store.set_status("h@example.org", "active", source="confirm", now=later)
    store.set_status("h@example.org", "active", source="confirm", now=later)  # no change
    store.set_status("h@example.org", "unsubscribed", source="one-click", now=later)
    history = store.status_history("h@example.org")
    assert [(c.old, c.new, c.source) for c in history] == [
        (None, "pending", "form"), ("pending", "active", "confirm"),
        ("active", "unsubscribed", "one-click")]


def test_set_status_of_an_unknown_address_or_to_an_unknown_status_fails(store: Store) -> None:
    with pytest.raises(InputError, match="no subscriber"):
        store.set_status("nobody@example.org", "active", source="cli", now=NOW)
    add(store, SubscriberInput("s@example.org"))
    with pytest.raises(InputError, match="unknown status"):
        store.set_status("s@example.org", "gone", source="cli", now=NOW)


def test_a_subscriber_is_found_by_id_address_or_opaque_key(store: Store) -> None:
    add(store, SubscriberInput("k@example.org"))
    by_email = store.get_subscriber("k@example.org")
    assert store.get_subscriber(by_email.id) == by_email == store.get_subscriber(by_email.key)
    assert "@" not in by_email.key and str(by_email.id) != by_email.key


def test_forget_erases_the_subscriber_and_their_history(store: Store) -> None:
    add(store, SubscriberInput("f@example.org"))
    store.claim_batch("1", batch_id="b", limit=10, now=NOW)
    assert store.delete_subscriber("F@example.org") is True
    assert store.get_subscriber("f@example.org") is None
    assert store.status_history("f@example.org") == []
    assert store.delivery_counts("1") == {}
    assert store.delete_subscriber("f@example.org") is False


def test_listing_filters_by_status_and_counts_every_status(store: Store) -> None:
    add(store, *[SubscriberInput(f"u{i}@example.org") for i in range(5)],
        SubscriberInput("p@example.org", status="pending"))
    assert [s.email for s in store.list_subscribers(status="pending")] == ["p@example.org"]
    assert len(store.list_subscribers(limit=3)) == 3
    assert store.count_by_status() == {"pending": 1, "active": 5, "unsubscribed": 0,
                                       "bounced": 0, "complained": 0}


def test_iterating_streams_every_subscriber_a_page_at_a_time(store: Store) -> None:
    add(store, *[SubscriberInput(f"s{i}@example.org") for i in range(250)])
    stream = store.iter_subscribers(page=100)
    first = next(stream)
    add(store, SubscriberInput("late@example.org"))  # no lock is held between pages
    emails = [first.email, *(s.email for s in stream)]
    assert len(emails) == len(set(emails)) == 251


def _found(store: Store, text: str, **options: object) -> tuple[int, list[str]]:
    total, page = store.search_subscribers(text, **options)  # type: ignore[arg-type]
    return total, [s.email for s in page]


def test_search_finds_any_part_of_an_address_or_name_and_follows_every_change(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    add(store, SubscriberInput("ann.smith@example.org", name="Ann Smith"),
        SubscriberInput("bob@shop.example.com", name="Robert \"Bob\" O'Neil"),
        SubscriberInput("cleo@example.org", name="Cléo Dupont", status="pending"))
    for every in (True, False):  # answered from the index, and by reading the rows
        monkeypatch.setattr("newsletter.store.search.INDEX_AT_MOST", 10**9 if every else -1)
        assert _found(store, "SMITH") == (1, ["ann.smith@example.org"])
        assert _found(store, "h@exa") == (1, ["ann.smith@example.org"])
        assert _found(store, '"Bob" O') == (1, ["bob@shop.example.com"])
        assert _found(store, "example.org") == (2, ["ann.smith@example.org",
                                                    "cleo@example.org"])
        assert _found(store, "example.org", status="pending") == (1, ["cleo@example.org"])
        assert _found(store, "an") == (1, ["ann.smith@example.org"])  # under 3 characters
        assert _found(store, "50%_off") == (0, [])
        assert _found(store, "example", limit=1, offset=1) == (3, ["bob@shop.example.com"])
    monkeypatch.setattr("newsletter.store.search.INDEX_AT_MOST", 10**9)
    add(store, SubscriberInput("ann.smith@example.org", name="Ann Jones"))  # a new name
    assert _found(store, "smith") == (1, ["ann.smith@example.org"])  # still in the address
    assert _found(store, "jones") == (1, ["ann.smith@example.org"])
    assert _found(store, "Ann Smith") == (0, [])
    store.delete_subscriber("bob@shop.example.com")
    assert _found(store, "o'neil") == (0, [])
    assert _found(store, "shop.example") == (0, [])
