"""Local-time broadcasts: 09:00 arrives zone by zone, and so does the issue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sequence_helpers import make_mode_folder
from test_sequence import ZONES, Simulation

from newsletter.delivery.due import send_due
from newsletter.delivery.run import SendOptions


def test_a_broadcast_goes_out_as_its_local_hour_arrives_in_each_zone_once(tmp_path: Path
                                                                          ) -> None:
    folder = make_mode_folder(tmp_path, "broadcast", settings="send_local_time: true")
    sim = Simulation(folder, extra_days=())
    for i, zone in enumerate((*ZONES, None, "Not/AZone")):
        sim.subscribe(f"z{i}@example.org", zone, datetime(2026, 11, 1, tzinfo=UTC))
    sim.cron(datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    send_at = sim.queue.issues[0].issue.send_at
    wall = send_at.astimezone(ZoneInfo(sim.config.timezone))
    for i, zone in enumerate((*ZONES, None, "Not/AZone")):
        got = [(n, at) for n, at in sim.received(f"z{i}@example.org") if n == 1]
        assert len(got) == 1, zone
        local = got[0][1].astimezone(ZoneInfo(zone if zone in ZONES else sim.config.timezone))
        assert local.date() == wall.date() and local.hour == wall.hour, (zone, local)
    times = sorted(at for _, n, at in sim.backend.got if n == 1)
    assert times[-1] - times[0] > timedelta(hours=12)  # one issue, spread over the zones


def test_expiry_counts_from_the_last_zone(tmp_path: Path) -> None:
    folder = make_mode_folder(tmp_path, "broadcast", settings="send_local_time: true")
    sim = Simulation(folder, extra_days=())
    sim.subscribe("late@example.org", "Pacific/Honolulu", datetime(2026, 11, 1, tzinfo=UTC))
    first = sim.queue.issues[0].issue
    assert first.send_at.date() == date(2026, 12, 1)
    # 50 h after send_at in the newsletter's zone, but within 48 h of the last zone's time.
    sim.clock[0] = first.send_at + timedelta(hours=50)
    report = next(r for r in send_due(sim.queue, sim.ctx, SendOptions(now=sim.clock[0]))
                  if r.number == first.number)
    assert report.sent == 1
    sim.clock[0] = first.send_at + timedelta(days=4)
    expired = next(r for r in send_due(sim.queue, sim.ctx, SendOptions(now=sim.clock[0]))
                   if r.number == first.number)
    assert "expired" in expired.note and expired.sent == 0
