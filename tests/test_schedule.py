"""Send times: the local hour holds across DST changes in several zones, weekdays are kept."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from newsletter.errors import ConfigError
from newsletter.planning.schedule import (
    Schedule,
    local_instant,
    parse_at,
    parse_start,
    send_times,
    tomorrow,
)


def _offsets_change(zone: ZoneInfo, first: date, last: date) -> bool:
    noon = time(12)
    return (local_instant(first, noon, zone).utcoffset()
            != local_instant(last, noon, zone).utcoffset())


@pytest.mark.parametrize(("tz", "start"), [
    ("America/New_York", date(2026, 3, 1)),   # spring forward on 8 March
    ("America/New_York", date(2026, 10, 25)),  # fall back on 1 November
    ("Europe/Berlin", date(2026, 3, 20)),      # spring forward on 29 March
    ("Europe/Berlin", date(2026, 10, 20)),     # fall back on 25 October
    ("Australia/Sydney", date(2026, 3, 28)),   # fall back on 5 April (southern autumn)
    ("Australia/Sydney", date(2026, 9, 28)),   # spring forward on 4 October
])
def test_local_hour_holds_across_a_dst_change(tz: str, start: date) -> None:
    schedule = Schedule(every_days=3, at=time(9, 0), tz=tz, start=start)
    times = send_times(schedule, 6)
    zone = ZoneInfo(tz)
    assert _offsets_change(zone, times[0].date(), times[-1].date()), "window must cross DST"
    for when in times:
        local = when.astimezone(zone)
        assert (local.hour, local.minute) == (9, 0)
    gaps = {b.astimezone(UTC) - a.astimezone(UTC) for a, b in pairwise(times)}
    # Exactly one gap is an hour shorter or longer: the one that spans the change.
    assert timedelta(days=3) in gaps
    assert len(gaps) == 2
    assert all(abs(g - timedelta(days=3)) <= timedelta(hours=1) for g in gaps)


def test_a_time_inside_the_spring_forward_gap_moves_forward() -> None:
    zone = ZoneInfo("America/New_York")
    change_day = date(2026, 3, 8)  # clocks jump from 02:00 to 03:00
    when = local_instant(change_day, time(2, 30), zone)
    assert when.date() == change_day
    assert (when.hour, when.minute) == (3, 30)
    assert when.astimezone(UTC).astimezone(zone) == when  # a real instant, round-trips


def test_a_repeated_time_in_the_fall_back_overlap_takes_the_first() -> None:
    zone = ZoneInfo("Europe/Berlin")
    change_day = date(2026, 10, 25)  # 02:00-03:00 happens twice
    when = local_instant(change_day, time(2, 30), zone)
    later = when.replace(fold=1)
    assert when.astimezone(UTC) < later.astimezone(UTC)
    assert (when.hour, when.minute) == (2, 30)


def test_weekday_cadence_sends_only_on_those_days_in_order() -> None:
    schedule = Schedule(weekdays=("mon", "thu"), at=time(7, 15), tz="Europe/Berlin",
                        start=date(2026, 3, 18))  # a Wednesday
    times = send_times(schedule, 8)
    assert {t.strftime("%a") for t in times} == {"Mon", "Thu"}
    assert times == sorted(times)
    assert times[0].date() >= schedule.start
    assert (times[1].date() - times[0].date()).days in (3, 4)
    assert all((t.hour, t.minute) == (7, 15) for t in times)


def test_every_n_days_starts_on_the_start_date() -> None:
    schedule = Schedule(every_days=5, tz="Asia/Kolkata", start=date(2026, 1, 30))
    times = send_times(schedule, 4)
    assert times[0].date() == schedule.start
    assert [(b.date() - a.date()).days for a, b in pairwise(times)] == [5, 5, 5]


@pytest.mark.parametrize("text", ["25:00", "9", "09:60", "nine", "9:00pm", ""])
def test_bad_time_of_day_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="not a time of day"):
        parse_at(text)


@pytest.mark.parametrize("text", ["2026-13-01", "01/03/2026", "tomorrow"])
def test_bad_start_date_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="not a date"):
        parse_start(text)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown time zone"):
        Schedule(tz="Mars/Olympus_Mons", start=date(2026, 1, 1))


def test_tomorrow_is_the_next_local_day() -> None:
    zone = "Pacific/Auckland"
    now = local_instant(date(2026, 6, 1), time(23, 30), ZoneInfo("UTC"))
    local_today = now.astimezone(ZoneInfo(zone)).date()
    assert tomorrow(now, zone) == local_today + timedelta(days=1)
    assert tomorrow(now, zone) != now.date() + timedelta(days=1)  # the zone matters here
