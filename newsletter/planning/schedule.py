"""Cadence -> send times: every N days or on named weekdays, at a local time, DST-correct.

A send time is a wall-clock time in a named IANA zone, so 09:00 stays 09:00 local on both
sides of a daylight-saving change. Two local times need a rule:

- a time that does not exist (inside a spring-forward gap, e.g. 02:30 on the day clocks jump
  from 02:00 to 03:00) moves forward by the length of the gap (03:30);
- a time that exists twice (inside a fall-back overlap) takes the first occurrence.

Sequence mode (issue 5) will need day offsets instead of instants; :func:`send_dates` gives
the local dates both modes share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..config import WEEKDAYS, Config, check_timezone, parse_every, parse_weekdays
from ..errors import ConfigError

_AT = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """When issues go out: every ``every_days`` days, or on ``weekdays`` (which wins).

    ``at`` is the local time of day in the IANA zone ``tz``; the first send is on the first
    matching date on or after ``start``. With ``follow`` (no start was asked for), ``start``
    is only the earliest day: a series planned after other articles' issues goes out after
    them (see :func:`following`).
    """

    every_days: int = 3
    weekdays: tuple[str, ...] = ()
    at: time = time(9, 0)
    tz: str = "UTC"
    start: date
    follow: bool = False

    def __post_init__(self) -> None:
        if self.every_days < 1:
            raise ConfigError("must be at least one day", field="every_days")
        bad = [d for d in self.weekdays if d not in WEEKDAYS]
        if bad:
            raise ConfigError(f"unknown weekday {bad[0]!r}", field="weekdays")
        check_timezone(self.tz, field="tz")


def send_dates(schedule: Schedule, count: int) -> list[date]:
    """The first ``count`` local dates the schedule sends on."""
    if not schedule.weekdays:
        return [schedule.start + timedelta(days=i * schedule.every_days) for i in range(count)]
    wanted = {WEEKDAYS.index(d) for d in schedule.weekdays}
    dates: list[date] = []
    day = schedule.start
    while len(dates) < count:
        if day.weekday() in wanted:
            dates.append(day)
        day += timedelta(days=1)
    return dates


def following(schedule: Schedule, day: date) -> date:
    """The first day a series may start on after an issue sent on ``day``: one interval
    later (every N days), or the next of the named weekdays."""
    if not schedule.weekdays:
        return day + timedelta(days=schedule.every_days)
    return send_dates(replace(schedule, start=day + timedelta(days=1)), 1)[0]


def send_times(schedule: Schedule, count: int) -> list[datetime]:
    """The first ``count`` send times, as aware datetimes in the schedule's zone."""
    zone = ZoneInfo(schedule.tz)
    return [local_instant(d, schedule.at, zone) for d in send_dates(schedule, count)]


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone``: gap times move forward, repeated times take the first."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    # fold=0 picks the first of two repeated times, and for a time inside a gap the offset
    # from before the change; the round trip through UTC then moves it forward by the gap.
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def parse_at(text: str, *, field: str = "--at") -> time:
    """Parse a 24-hour local time ``HH:MM`` (``9:00`` is fine)."""
    match = _AT.match(str(text).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(f"{text!r} is not a time of day: use HH:MM, e.g. 09:00", field=field)
    return time(int(match[1]), int(match[2]))


def parse_start(text: str, *, field: str = "--start") -> date:
    """Parse a start date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ConfigError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-02",
                          field=field) from None


def tomorrow(now: datetime, tz: str) -> date:
    """The local date after ``now``'s date in zone ``tz`` (the default first send day)."""
    return now.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)


def schedule_for(config: Config, *, every: str | None = None, on: str | None = None,
                 at: str | None = None, tz: str | None = None, start: str | None = None,
                 now: datetime) -> Schedule:
    """The schedule asked for (``plan``'s options), with config.cadence and config.timezone
    as defaults.

    ``on`` (named weekdays) and ``every`` exclude each other; the configured weekdays win
    over the configured interval when neither is given. The start defaults to tomorrow, or
    after the issues of the queue that come before the series (``follow``).
    """
    if every and on:
        raise ConfigError("use either every N days or named weekdays, not both", field="--on")
    zone = tz or config.timezone
    check_timezone(zone, field="--tz" if tz else "timezone")
    weekdays = parse_weekdays(on, field="--on") if on else (
        () if every else config.cadence.weekdays)
    every_days = parse_every(every) if every else config.cadence.every_days
    return Schedule(every_days=every_days, weekdays=tuple(weekdays),
                    at=parse_at(at) if at else parse_at(config.cadence.at, field="cadence.at"),
                    tz=zone, start=parse_start(start) if start else tomorrow(now, zone),
                    follow=not start)
