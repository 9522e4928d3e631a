"""Sequence mode over simulated weeks: a clock passed in, cron every 30 minutes, real
SQLite, real time zones across DST changes, a recording backend at the edge."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from delivery_helpers import SECRET, Folder
from sequence_helpers import make_mode_folder

from newsletter.config import load_config
from newsletter.delivery.due import send_due
from newsletter.delivery.run import SendContext, SendOptions
from newsletter.models import Outcome
from newsletter.planning.issuefile import dump_issue, issue_filename, load_queue
from newsletter.rendering.links import Links
from newsletter.store import Store, SubscriberInput, open_store

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata")
CRON = timedelta(minutes=30)


class RecordingBackend:
    """The edge of the system: remembers who got which issue at which (simulated) time."""

    name = "recording"
    max_batch = 100

    def __init__(self, clock: list[datetime]) -> None:
        self.clock = clock
        self.got: list[tuple[str, int, datetime]] = []
        self.lock = threading.Lock()

    def send(self, message, recipients):
        with self.lock:
            self.got += [(r.email, message.rendered.number, self.clock[0]) for r in recipients]
        return [Outcome(r.email, "sent", message_id=f"m-{r.email}") for r in recipients]


class Simulation:
    """A sequence-mode folder whose cron is driven by a clock the test moves."""

    def __init__(self, folder: Folder, extra_days: tuple[int, ...] = (9, 14)) -> None:
        self.folder = folder
        _add_issues(folder, extra_days)
        self.config = load_config(folder.config)
        self.queue = load_queue(self.config.issues_dir)
        self.days = {i.issue.number: i.issue.day for i in self.queue.issues}
        self.clock = [datetime(2026, 1, 1, tzinfo=UTC)]
        self.backend = RecordingBackend(self.clock)
        self.store: Store = open_store(folder.db_url)
        self.ctx = SendContext(config=self.config, store=self.store, backend=self.backend,
                               links=Links(self.config.base_url, SECRET),
                               clock=lambda: self.clock[0], sleep=lambda _: None)

    def subscribe(self, email: str, zone: str | None, confirmed: datetime) -> None:
        self.store.upsert_subscribers([SubscriberInput(email=email, timezone=zone,
                                                       confirmed_at=confirmed)],
                                      source="test", now=confirmed)

    def cron(self, start: datetime, end: datetime) -> None:
        """Run `send --due` every 30 minutes from ``start`` to ``end``."""
        self.clock[0] = start
        while self.clock[0] <= end:
            self.run_once()
            self.clock[0] += CRON

    def run_once(self) -> list:
        reports = send_due(self.queue, self.ctx, SendOptions(now=self.clock[0]))
        assert all(r.ok for r in reports), reports
        return reports

    def received(self, email: str) -> list[tuple[int, datetime]]:
        return [(n, at) for e, n, at in self.backend.got if e == email]


def _add_issues(folder: Folder, days: tuple[int, ...]) -> None:
    """Extend the planned series with copies of its last issue on further days."""
    queue = load_queue(folder.root / "issues")
    last = queue.issues[-1].issue
    for offset, day in enumerate(days, start=1):
        issue = replace(last, number=last.number + offset, day=day,
                        subject=f"{last.subject} ({offset})", id=f"copy-{offset}")
        (folder.root / "issues" / issue_filename(issue)).write_text(dump_issue(issue))


@pytest.fixture
def sim(tmp_path: Path) -> Simulation:
    return Simulation(make_mode_folder(tmp_path, "sequence"))


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def test_each_subscriber_walks_the_series_in_order_on_their_local_day_and_hour_across_dst(
        sim: Simulation) -> None:
    # Sign-ups around Sydney's (Oct 4), Berlin's (Oct 25) and New York's (Nov 1) DST
    # changes; Kolkata has none. Local sign-up times before and after the 09:00 hour.
    people = {}
    for zi, zone in enumerate(ZONES):
        for di, day in enumerate((date(2026, 10, 2), date(2026, 10, 23))):
            for hi, hour in enumerate((7, 15)):
                confirmed = datetime.combine(day, time(hour, 10), ZoneInfo(zone))
                email = f"r{zi}{di}{hi}@example.org"
                people[email] = (zone, confirmed)
                sim.subscribe(email, zone, confirmed)
    sim.cron(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC))

    series = sorted(sim.days, key=lambda n: (sim.days[n], n))
    for email, (zone, confirmed) in people.items():
        got = sim.received(email)
        assert [n for n, _ in got] == series, email  # every issue, in order, once
        start = confirmed.astimezone(ZoneInfo(zone)).date()
        for number, at in got:
            local = _local(at, zone)
            assert local.date() == start + timedelta(days=sim.days[number]), (email, number)
            welcome_late = sim.days[number] == 0 and confirmed.hour >= 9
            if welcome_late:  # day 0 after the hour: right away, the same local day
                assert timedelta(0) <= at - confirmed < CRON
            else:
                assert (local.hour, local.minute // 30) == (9, 0), (email, number, local)
    assert len(sim.backend.got) == len(people) * len(series)


def test_quiet_days_and_the_send_window_hold_in_every_zone(tmp_path: Path) -> None:
    folder = make_mode_folder(tmp_path, "sequence",
                              settings='quiet_days: [sat, sun]\nsend_window: "08:00-18:00"')
    sim = Simulation(folder, extra_days=(4,))
    people = {}
    for zi, zone in enumerate(ZONES):
        for hour in (6, 12, 20):  # before, inside and after the window, on a Friday
            confirmed = datetime(2026, 10, 23, hour, 0, tzinfo=ZoneInfo(zone))
            people[f"q{zi}{hour}@example.org"] = (zone, confirmed)
            sim.subscribe(f"q{zi}{hour}@example.org", zone, confirmed)
    sim.cron(datetime(2026, 10, 22, tzinfo=UTC), datetime(2026, 11, 12, tzinfo=UTC))
    for email, (zone, _) in people.items():
        got = sim.received(email)
        assert [n for n, _ in got] == sorted(sim.days, key=lambda n: (sim.days[n], n))
        locals_ = [_local(at, zone) for _, at in got]
        assert all(moment.weekday() < 5 for moment in locals_), (email, locals_)
        assert all(time(8) <= moment.time() < time(18) for moment in locals_), locals_
        gaps = [b.date() - a.date() for a, b in itertools.pairwise(locals_)]
        need = [timedelta(days=sim.days[b] - sim.days[a])
                for (a, _), (b, _) in itertools.pairwise(got)]
        assert all(g >= n for g, n in zip(gaps, need, strict=True)), (email, gaps)


def test_after_ten_days_of_downtime_one_email_per_run_then_the_cadence(
        sim: Simulation) -> None:
    zones = dict(zip(("a", "b", "c", "d"), ZONES, strict=True))
    for name, zone in zones.items():
        sim.subscribe(f"{name}@example.org", zone, datetime(2026, 10, 1, 6, tzinfo=UTC))
    sim.cron(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 3, tzinfo=UTC))
    before = len(sim.backend.got)
    assert before == len(zones)  # issue 1 each; then cron stops for ten days

    sim.clock[0] = datetime(2026, 10, 13, 12, tzinfo=UTC)
    sim.run_once()
    owed_first = sim.backend.got[before:]
    assert sorted(e for e, _, _ in owed_first) == sorted(f"{n}@example.org" for n in zones)
    sim.clock[0] += timedelta(minutes=5)
    sim.run_once()  # an immediate re-run sends nobody a second email
    assert len(sim.backend.got) == before + len(zones)

    sim.cron(sim.clock[0] + CRON, datetime(2026, 11, 10, tzinfo=UTC))
    series = sorted(sim.days, key=lambda n: (sim.days[n], n))
    for name, zone in zones.items():
        got = sim.received(f"{name}@example.org")
        assert [n for n, _ in got] == series
        resumed = got[1:]  # from the first email after the downtime on, the cadence
        for (n1, at1), (n2, at2) in itertools.pairwise(resumed):
            gap = _local(at2, zone).date() - _local(at1, zone).date()
            assert gap == timedelta(days=sim.days[n2] - sim.days[n1]), (name, n1, n2)
            assert _local(at2, zone).hour == 9


def test_editing_removing_and_adding_issues_midway(sim: Simulation) -> None:
    sim.subscribe("early@example.org", "Europe/Berlin", datetime(2026, 10, 1, 6, tzinfo=UTC))
    sim.cron(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 5, tzinfo=UTC))
    assert [n for n, _ in sim.received("early@example.org")] == [1, 2]
    issues = sim.config.issues_dir
    cancelled = next(issues.glob("003-*.yaml"))
    cancelled.write_text(cancelled.read_text().replace("status: scheduled",
                                                       "status: cancelled"))
    last = sim.queue.issues[-1].issue
    extra = replace(last, number=last.number + 1, day=30, subject="A late addition",
                    id="late-addition")
    (issues / issue_filename(extra)).write_text(dump_issue(extra))
    sim.queue = load_queue(issues)
    sim.subscribe("late@example.org", "Europe/Berlin", datetime(2026, 10, 6, 6, tzinfo=UTC))
    sim.cron(datetime(2026, 10, 5, 0, 30, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
    expected = [1, 2, 4, 5, extra.number]
    assert [n for n, _ in sim.received("early@example.org")] == expected
    assert [n for n, _ in sim.received("late@example.org")] == expected


def test_paused_subscribers_and_a_paused_sequence_get_nothing_and_resume_without_a_burst(
        sim: Simulation) -> None:
    from newsletter.store import sequence as seqdb

    for name in ("on", "off"):
        sim.subscribe(f"{name}@example.org", "Asia/Kolkata", datetime(2026, 10, 1, 1, tzinfo=UTC))
    assert seqdb.set_paused(sim.store.engine, "OFF@example.org", True) == 1
    sim.cron(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC))
    assert sim.received("off@example.org") == []
    seqdb.pause_sequence(sim.store.engine, True)
    count = len(sim.received("on@example.org"))
    sim.cron(datetime(2026, 10, 12, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC))
    assert len(sim.received("on@example.org")) == count
    seqdb.pause_sequence(sim.store.engine, False)
    seqdb.set_paused(sim.store.engine, "off@example.org", False)
    sim.clock[0] = datetime(2026, 10, 20, 12, tzinfo=UTC)
    sim.run_once()
    assert len(sim.received("off@example.org")) == 1  # the oldest owed issue, no burst
    assert len(sim.received("on@example.org")) == count + 1
