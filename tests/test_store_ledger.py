"""The delivery ledger on SQLite and PostgreSQL: claims, outcomes, leases, releases, races."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pg import db_url  # noqa: F401  (fixture)

from newsletter.models import Outcome, RenderedIssue
from newsletter.store import EventRecord, Store, SubscriberInput, open_store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811
    with open_store(db_url) as opened:
        yield opened


def populate(store: Store, active: int, **others: int) -> None:
    rows = [SubscriberInput(f"user{i:05d}@example.org") for i in range(active)]
    for status, n in others.items():
        rows += [SubscriberInput(f"{status}{i}@example.org", status=status) for i in range(n)]
    store.upsert_subscribers(rows, source="test", now=NOW)


def claim_all(store: Store, key: str, limit: int = 7) -> list[int]:
    claimed: list[int] = []
    while batch := store.claim_batch(key, batch_id=os.urandom(8).hex(), limit=limit, now=NOW):
        claimed += [c.subscriber_id for c in batch]
    return claimed


def test_claims_only_active_subscribers_each_once_per_issue(store: Store) -> None:
    populate(store, 20, pending=2, unsubscribed=2, bounced=1, complained=1)
    first = store.claim_batch("1", batch_id="b1", limit=8, now=NOW)
    assert len(first) == 8 and all(c.email.startswith("user") for c in first)
    assert all(c.key and "@" not in c.key for c in first)
    rest = claim_all(store, "1")
    assert sorted([c.subscriber_id for c in first] + rest) == sorted(
        s.id for s in store.iter_subscribers(status="active"))
    assert store.claim_batch("1", batch_id="b9", limit=8, now=NOW) == []
    assert len(claim_all(store, "2")) == 20  # another issue has its own ledger


def test_outcomes_are_recorded_and_counted(store: Store) -> None:
    populate(store, 5)
    batch = store.claim_batch("1", batch_id="b1", limit=5, now=NOW)
    statuses = ["sent", "sent", "failed", "uncertain", "sent"]
    store.record_outcomes([(c.delivery_id, st, f"m{i}" if st == "sent" else "",
                            "" if st == "sent" else "400 bad")
                           for i, (c, st) in enumerate(zip(batch, statuses, strict=True))],
                          now=NOW)
    counts = store.delivery_counts("1")["1"]
    assert (counts.sent, counts.failed, counts.uncertain, counts.claimed) == (3, 1, 1, 0)
    assert [r.last_error for r in store.uncertain_recipients("1")] == ["400 bad"]
    assert store.count_unclaimed("1") == 0


def test_an_unknown_outcome_status_is_refused(store: Store) -> None:
    populate(store, 1)
    (claimed,) = store.claim_batch("1", batch_id="b", limit=1, now=NOW)
    with pytest.raises(ValueError, match="unknown delivery outcome"):
        store.record_outcomes([(claimed.delivery_id, "delivered", "", "")], now=NOW)


def test_a_sent_row_is_never_overwritten(store: Store) -> None:
    populate(store, 1)
    (c,) = store.claim_batch("1", batch_id="b", limit=1, now=NOW)
    store.record_outcomes([(c.delivery_id, "sent", "m1", "")], now=NOW)
    store.record_outcomes([(c.delivery_id, "failed", "", "late error")], now=NOW)
    assert store.delivery_counts("1")["1"].sent == 1


def test_stale_claims_become_uncertain_and_are_not_claimed_again(store: Store) -> None:
    populate(store, 6)
    old = store.claim_batch("1", batch_id="dead", limit=3, now=NOW - timedelta(hours=1))
    store.claim_batch("1", batch_id="alive", limit=2, now=NOW)
    assert store.mark_stale_claims_uncertain("1", older_than=NOW - timedelta(minutes=15)) == 3
    assert {r.email for r in store.uncertain_recipients("1")} == {c.email for c in old}
    assert len(claim_all(store, "1")) == 1  # only the never-claimed sixth
    assert store.delivery_counts("1")["1"].claimed == 3  # the live batch and the sixth


def test_a_dead_runs_claims_whose_request_never_left_are_released_not_uncertain(
        store: Store) -> None:
    populate(store, 8)
    an_hour_ago = NOW - timedelta(hours=1)
    posted = store.claim_batch("1", batch_id="pposted", limit=2, now=an_hour_ago)
    store.note_posting("pposted", an_hour_ago)
    ahead = store.claim_batch("1", batch_id="pahead", limit=2, now=an_hour_ago)
    older = store.claim_batch("1", batch_id="0ld", limit=2, now=an_hour_ago)  # no notes
    store.claim_batch("1", batch_id="plive", limit=2, now=NOW)
    assert store.sweep_stale_claims("1", older_than=NOW - timedelta(minutes=15)) == (4, 2)
    assert {r.email for r in store.uncertain_recipients("1")} == {
        c.email for c in posted + older}
    assert store.count_unclaimed("1") == 2  # the batch claimed ahead: nobody got it
    again = claim_all(store, "1")
    assert sorted(again) == sorted(c.subscriber_id for c in ahead)
    assert store.delivery_counts("1")["1"].claimed == 4  # the live batch and the reclaimed
    # the sweep dropped the note of the old posting; a later sweep changes nothing more
    assert store.sweep_stale_claims("1", older_than=NOW - timedelta(minutes=15)) == (0, 0)


def test_a_late_real_outcome_replaces_uncertain(store: Store) -> None:
    populate(store, 1)
    (c,) = store.claim_batch("1", batch_id="slow", limit=1, now=NOW - timedelta(hours=1))
    store.mark_stale_claims_uncertain(None, older_than=NOW)
    store.record_outcomes([(c.delivery_id, "sent", "m1", "")], now=NOW)
    assert store.delivery_counts("1")["1"].sent == 1


def test_released_uncertain_and_failed_rows_are_claimable_again(store: Store) -> None:
    populate(store, 40)
    batch = store.claim_batch("1", batch_id="b1", limit=40, now=NOW)
    store.record_outcomes([(c.delivery_id, st, "", "e") for c, st in zip(
        batch, ["uncertain"] * 3 + ["failed"] * 2 + ["sent"] * 35, strict=True)], now=NOW)
    assert claim_all(store, "1") == []
    assert store.release_uncertain("1") == 3 and store.count_unclaimed("1") == 3
    assert store.release_failed("1") == 2
    again = store.claim_batch("1", batch_id="b2", limit=10, now=NOW)
    assert {c.subscriber_id for c in again} == {c.subscriber_id for c in batch[:5]}
    assert {r.attempts for r in store.deliveries_with_status("1", "claimed")} == {2}


def test_handed_back_claims_are_sent_by_the_next_run(store: Store) -> None:
    populate(store, 30)
    claim_all(store, "1", limit=10)
    refused = store.claim_batch("1", batch_id="x", limit=10, now=NOW)
    assert refused == []
    first = store.deliveries_with_status("1", "claimed")[:10]
    assert store.release_claims([r.delivery_id for r in first]) == 10
    assert sorted(claim_all(store, "1")) == sorted(r.subscriber_id for r in first)


def test_a_subscriber_who_leaves_mid_send_is_skipped_from_the_next_batch(store: Store) -> None:
    populate(store, 10)
    store.claim_batch("1", batch_id="b1", limit=3, now=NOW)
    store.set_status("user00009@example.org", "unsubscribed", source="one-click", now=NOW)
    store.set_status("user00008@example.org", "pending", source="test", now=NOW)
    rest = claim_all(store, "1")
    assert len(rest) == 5 and store.get_subscriber("user00009@example.org").id not in rest


def test_a_released_row_below_the_claim_floor_is_found_again(store: Store) -> None:
    populate(store, 30)
    batch = store.claim_batch("1", batch_id="b1", limit=10, now=NOW)
    store.record_outcomes([(c.delivery_id, "failed", "", "e") for c in batch], now=NOW)
    store.claim_batch("1", batch_id="b2", limit=10, now=NOW)
    store.release_failed("1")
    assert len(claim_all(store, "1")) == 20


def test_the_rendering_is_kept_as_first_sent(store: Store) -> None:
    first = RenderedIssue(1, "Tip one", "pre", "<p>first</p>", "first")
    store.record_send("1", first, now=NOW)
    store.record_send("1", RenderedIssue(1, "Tip one!", "pre", "<p>edited</p>", "edited"),
                      now=NOW + timedelta(hours=1))
    kept = store.get_send("1")
    assert (kept.html, kept.subject, kept.started_at) == ("<p>first</p>", "Tip one", NOW)
    assert store.get_send("2") is None and [s.issue_key for s in store.list_sends()] == ["1"]


def test_finishing_a_send_stores_its_totals(store: Store) -> None:
    populate(store, 3)
    store.record_send("1", RenderedIssue(1, "s", "", "<p>h</p>", "t"), now=NOW)
    batch = store.claim_batch("1", batch_id="b", limit=3, now=NOW)
    store.record_outcomes([(c.delivery_id, "sent", "m", "") for c in batch], now=NOW)
    done = store.finish_send("1", now=NOW + timedelta(minutes=1))
    assert (done.sent, done.failed, done.finished_at) == (3, 0, NOW + timedelta(minutes=1))


def test_proofs_are_kept_apart_from_deliveries(store: Store) -> None:
    populate(store, 1)
    store.record_test_send("1", "me@example.org", Outcome("me@example.org", "sent", "m"),
                           now=NOW)
    assert [t.email for t in store.test_sends_for("1")] == ["me@example.org"]
    assert store.delivery_counts() == {} and store.count_unclaimed("1") == 1


def test_events_are_stored_once_per_provider_event_id(store: Store) -> None:
    populate(store, 1)
    sub = store.get_subscriber("user00000@example.org")
    events = [EventRecord(f"ev{i}", "delivered", NOW, {"n": i}, sub.id, "1") for i in range(3)]
    assert store.record_events(events) == 3
    assert store.record_events([*events, EventRecord("ev9", "open", NOW)]) == 1
    assert store.event_count("1") == {"delivered": 3}


# --- concurrency: the ledger's unique key against real races ---------------------------


def test_four_threads_with_their_own_connections_claim_each_pair_once(store: Store,
                                                                      db_url: str) -> None:  # noqa: F811
    populate(store, 2000)
    stores = [open_store(db_url) for _ in range(2)]  # two engines, two threads each
    claimed: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        start.wait()
        claimed[n] = claim_all(stores[n % 2], "1", limit=25)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [sid for part in claimed for sid in part]
    assert len(every) == len(set(every)) == 2000
    assert store.delivery_counts("1")["1"].claimed == 2000
    for s in stores:
        s.close()


CLAIMER = """
import json, os, sys, time
from datetime import UTC, datetime
from pathlib import Path
from newsletter.store import open_store
url, lines = sys.argv[1], Path(sys.argv[2])
store = open_store(url)

def wait_for(count, prefix):  # a start line or a meeting point of all three processes
    (lines / f"{prefix}-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while len(list(lines.glob(prefix + "-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.005)

wait_for(3, "ready")
mine = []
while batch := store.claim_batch("1", batch_id=os.urandom(8).hex(), limit=20,
                                 now=datetime.now(UTC)):
    if not mine:  # hold the first batch until the others have theirs: all run at once
        wait_for(3, "first")
    mine += [c.subscriber_id for c in batch]
    time.sleep(0.005)  # the backend call
print(json.dumps(mine))
"""


def test_three_processes_claim_each_pair_once_and_share_the_work(
        store: Store, db_url: str, tmp_path: Path) -> None:  # noqa: F811
    populate(store, 1500)
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, db_url, str(tmp_path)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    every = [sid for part in results for sid in part]
    assert Counter(every).most_common(1)[0][1] == 1
    assert len(every) == 1500
    # Each claimed its first batch while the others held theirs: claims never block out
    # a concurrent process, and none took another's rows.
    assert all(len(part) >= 20 for part in results)


@pytest.mark.parametrize("how", ["delete", "erase"])
def test_a_deleted_subscriber_takes_their_deliveries_with_them(store: Store, how: str) -> None:
    populate(store, 3)
    claimed = store.claim_batch("1", batch_id="b1", limit=3, now=NOW)
    store.record_outcomes([(c.delivery_id, "sent", "m", "") for c in claimed], now=NOW)
    gone = claimed[0].email
    if how == "delete":
        assert store.delete_subscriber(gone)
    else:
        assert store.erase_subscriber(gone, erasure_hash="h" * 64, now=NOW)
    assert store.delivery_counts("1")["1"].sent == 2
    assert [d.email for d in store.deliveries_with_status("1", "sent")] == [
        c.email for c in claimed[1:]]
