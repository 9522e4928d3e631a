"""Benchmark: the sequence-mode due set over many subscribers, on SQLite and PostgreSQL.

N subscribers (default 200,000) over 30 time zones, confirmed over the 60 days before
"now", each already sent what a cron job running every 30 minutes would have sent. The
script times, per database:

- ``hints``: computing every subscriber's next due time from scratch (what happens once
  after the series or timing changes, or after the v5 migration);
- ``due``: the due set of one cron run (indexed range scan + exact computation of each
  candidate), read-only, streamed a page at a time, with peak Python memory;
- ``due after 10 days down``: the same after cron stopped for ten days.

Usage::

    .venv/bin/python bench/sequence_due.py                 # SQLite in a temp folder
    .venv/bin/python bench/sequence_due.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/sequence_due.py -n 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import secrets
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from newsletter.planning.sequence import Progress, Step, Timing, next_due
from newsletter.store import open_store
from newsletter.store import sequence as seqdb
from newsletter.store.schema import subscribers

ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "America/Anchorage", "Pacific/Honolulu", "America/Sao_Paulo", "America/Mexico_City",
         "America/Toronto", "America/Bogota", "Europe/London", "Europe/Berlin",
         "Europe/Paris", "Europe/Madrid", "Europe/Helsinki", "Europe/Moscow", "Africa/Cairo",
         "Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Bangkok",
         "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Australia/Perth",
         "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham")
STEPS = tuple(Step(n + 1, 3 * n) for n in range(12))
TIMING = Timing(at=clock_time(9, 0), default_tz="UTC")
NOW = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
CRON = timedelta(minutes=30)


def plan(progress: Progress):
    """The series' next due issue for one subscriber."""
    return next_due(STEPS, progress, TIMING)


def caught_up(confirmed: datetime, zone: str, until: datetime) -> tuple[int, int, datetime | None]:
    """(last issue, its day, when sent) for a subscriber served by cron until ``until``."""
    progress = Progress(confirmed, zone)
    while (due := plan(progress)) is not None and due.at <= until:
        progress = Progress(confirmed, zone, due.number, due.day, due.at)
    return progress.last_issue, progress.last_day, progress.last_at


def fill(store, count: int, seed: int = 7) -> float:
    """Insert ``count`` subscribers with their progress; returns seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    rows = []
    for i in range(count):
        zone = ZONES[i % len(ZONES)]
        confirmed = NOW - timedelta(days=60 * rng.random())
        last, day, at = caught_up(confirmed, zone, NOW - CRON)
        rows.append({"key": secrets.token_hex(16), "email": f"r{i}@example.org",
                     "email_lower": f"r{i}@example.org", "name": "", "status": "active",
                     "consent_source": "bench", "consent_at": confirmed, "timezone": zone,
                     "confirmed_at": confirmed, "created_at": confirmed, "updated_at": confirmed,
                     "fields": {}, "seq_last_issue": last, "seq_last_day": day,
                     "seq_last_at": at})
        if len(rows) == 10_000:
            _insert(store, rows)
            rows = []
    if rows:
        _insert(store, rows)
    store.analyze()
    return time.perf_counter() - started


def _insert(store, rows: list[dict]) -> None:
    with store.engine.begin() as conn:
        conn.execute(subscribers.insert(), rows)


def timed(label: str, action, *, memory: bool = False) -> object:
    """Run ``action`` and print its time; with ``memory``, run it again under tracemalloc
    (which slows Python down, so never while timing) for the peak it allocates."""
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    peak = ""
    if memory:
        tracemalloc.start()
        action()
        peak = f"   peak {tracemalloc.get_traced_memory()[1] / 1e6:6.1f} MB"
        tracemalloc.stop()
    print(f"  {label:<28} {seconds:7.2f} s{peak}   -> {result}")
    return result


def bench(url: str, count: int) -> None:
    """Fill the database at ``url`` and time the due-set computations."""
    store = open_store(url)
    print(f"{store.dialect}: {count} subscribers, {len(ZONES)} zones, 60 signup days")
    print(f"  {'fill (not timed as due)':<28} {fill(store, count):7.2f} s")
    engine = store.engine
    timed("hints from scratch", lambda: seqdb.refresh_hints(engine, plan, NOW))
    store.analyze()  # as after an import: the planner sees the hints
    timed("due now (one cron run)", lambda: sum(1 for _ in seqdb.iter_due(engine, plan, NOW)),
          memory=True)
    timed("due after 10 days down", lambda: sum(
        1 for _ in seqdb.iter_due(engine, plan, NOW + timedelta(days=10))), memory=True)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS (fill included): {peak_rss:.0f} MB")
    with engine.connect() as conn:
        plan_text = conn.execute(text(_explain(store.dialect)), {"now": NOW}).all()
    print("  plan:", " | ".join(str(r[-1]) for r in plan_text)[:300])
    store.close()


def _explain(dialect: str) -> str:
    query = ("SELECT id FROM subscribers WHERE status = 'active' AND seq_paused = false "
             "AND seq_next_due_at <= :now ORDER BY seq_next_due_at, id LIMIT 1000")
    return ("EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN ") + query


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200_000, help="subscribers")
    parser.add_argument("--postgres", help="a PostgreSQL URL: benchmarked in a new schema")
    args = parser.parse_args()
    if args.postgres:
        _postgres(args.postgres, args.n)
        return
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'bench.db'}", args.n)


def _postgres(url: str, count: int) -> None:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        bench(f"{url}?options={quote(f'-csearch_path={schema}')}", count)
    finally:
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
