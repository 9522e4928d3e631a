"""Drip sequences and local send times: when is a subscriber's next email due?

Pure functions over frozen dataclasses; the database and the clock stay outside.

Sequence mode (``mode: sequence``): the series is the queue's ``scheduled`` issues that have
a ``day:`` offset, in (day, number) order. A subscriber confirmed at instant C, in zone Z
(their ``timezone`` when it is a valid IANA name and ``send_local_time`` or sequence mode
asks for local time, else the newsletter's zone), gets issue k at the first *allowed*
moment on or after the latest of:

- ``day_k`` days after C's local date, at ``cadence.at`` in Z (DST-correct, see
  :func:`~newsletter.planning.schedule.local_instant`);
- C itself (a day-0 issue of someone who confirms after the hour goes right away);
- after downtime or a pause: the local date of the previous email *actually sent* plus
  the gap between the two issues' days, at ``cadence.at`` (the cadence restored from the
  real send, never a burst).

An *allowed* moment is on a day that is not in ``quiet_days`` and inside ``send_window``
(when set): a moment before the window opens waits for it; one after it closes, or on a
quiet day, moves to the next allowed day at ``cadence.at`` (or the window's start when the
hour lies outside the window). Because spacing counts from the actual send, a quiet-day
shift also pushes the following issues (the gaps subscribers see stay the cadence's).

Progress is positional: the next issue is the first of the series after the last one the
subscriber was sent (by day, then number). An issue removed or cancelled is skipped; one
added at the end extends everyone's series; one inserted before a subscriber's position is
not sent to them (they are past it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..config import WEEKDAYS, Config
from ..errors import ConfigError
from .issuefile import Queue
from .schedule import local_instant, parse_at

# The zones furthest ahead of and behind UTC: a local-time broadcast opens when its wall
# time arrives in the first and is complete when it arrives in the last.
EARLIEST_ZONE = "Etc/GMT-14"
LATEST_ZONE = "Etc/GMT+12"


@dataclass(frozen=True)
class Step:
    """One issue of the series: its number and its day offset after confirmation."""

    number: int
    day: int


@dataclass(frozen=True)
class Timing:
    """When emails may go out: the local hour, the zones, quiet days and the send window."""

    at: time
    default_tz: str
    local: bool = True  # each subscriber's own zone (else the newsletter's for everyone)
    quiet_days: frozenset[int] = frozenset()  # weekday indexes, Monday = 0
    window: tuple[time, time] | None = None

    def __post_init__(self) -> None:
        if len(self.quiet_days) >= 7:
            raise ConfigError("every day of the week is quiet: nothing could ever be sent",
                              field="quiet_days")


@dataclass(frozen=True)
class Progress:
    """Where one subscriber is: confirmation, zone, last issue sent and when."""

    confirmed_at: datetime
    timezone: str | None = None
    last_issue: int = 0  # 0: nothing sent yet
    last_day: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True)
class Due:
    """The subscriber's next email: which issue, and from when (UTC)."""

    number: int
    day: int
    at: datetime


def series(queue: Queue) -> tuple[Step, ...]:
    """The sequence: scheduled issues with a ``day:`` offset, in (day, number) order."""
    steps = [Step(item.issue.number, item.issue.day) for item in queue.issues
             if item.issue.status == "scheduled" and item.issue.day is not None]
    return tuple(sorted(steps, key=lambda s: (s.day, s.number)))


def timing_from_config(config: Config, *, local: bool | None = None) -> Timing:
    """The timing settings of ``config`` (``local`` defaults to sequence mode or
    ``send_local_time``)."""
    use_local = (config.mode == "sequence" or config.send_local_time) if local is None else local
    return Timing(at=parse_at(config.cadence.at, field="cadence.at"),
                  default_tz=config.timezone, local=use_local,
                  quiet_days=frozenset(WEEKDAYS.index(d) for d in config.quiet_days),
                  window=config.send_window)


def zone_of(timezone: str | None, timing: Timing) -> ZoneInfo:
    """The zone a subscriber's emails are timed in (an unknown name: the newsletter's)."""
    if timing.local and timezone:
        zone = _zone(timezone)
        if zone is not None:
            return zone
    return _zone(timing.default_tz) or ZoneInfo("UTC")


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def next_step(steps: tuple[Step, ...], progress: Progress) -> Step | None:
    """The first issue of the series after the last one the subscriber was sent."""
    if not progress.last_issue:
        return steps[0] if steps else None
    position = (progress.last_day, progress.last_issue)
    return next((s for s in steps if (s.day, s.number) > position), None)


def next_due(steps: tuple[Step, ...], progress: Progress, timing: Timing) -> Due | None:
    """When the subscriber's next email is due, or None when they have had the whole series."""
    step = next_step(steps, progress)
    if step is None:
        return None
    zone = zone_of(progress.timezone, timing)
    start = progress.confirmed_at.astimezone(zone).date()
    candidates = [local_instant(start + timedelta(days=step.day), timing.at, zone),
                  progress.confirmed_at]
    if progress.last_issue and progress.last_at is not None:
        sent_on = progress.last_at.astimezone(zone).date()
        gap = max(step.day - progress.last_day, 0)
        candidates.append(local_instant(sent_on + timedelta(days=gap), timing.at, zone))
    return Due(step.number, step.day, allowed_moment(max(candidates), zone, timing))


def allowed_moment(moment: datetime, zone: ZoneInfo, timing: Timing) -> datetime:
    """The first moment at or after ``moment`` on a non-quiet day inside the window (UTC)."""
    local = moment.astimezone(zone)
    for _ in range(16):
        day = local.date()
        if day.weekday() in timing.quiet_days:
            local = _later_day(day, zone, timing)
            continue
        if timing.window is not None:
            start, end = timing.window
            if local.timetz().replace(tzinfo=None) < start:
                local = local_instant(day, start, zone)
            elif local.timetz().replace(tzinfo=None) >= end:
                local = _later_day(day, zone, timing)
                continue
        return local.astimezone(UTC)
    raise AssertionError("no allowed moment within two weeks")  # Timing forbids 7 quiet days


def _later_day(day: date, zone: ZoneInfo, timing: Timing) -> datetime:
    at = timing.at
    if timing.window is not None and not timing.window[0] <= at < timing.window[1]:
        at = timing.window[0]
    return local_instant(day + timedelta(days=1), at, zone)


def fingerprint(steps: tuple[Step, ...], timing: Timing) -> str:
    """A digest of everything due times depend on besides the subscriber (series, timing).

    When it changes (an issue added, removed, moved; the hour or the quiet days changed)
    every stored due time is recomputed.
    """
    text = repr((steps, timing.at, timing.default_tz, timing.local,
                 sorted(timing.quiet_days), timing.window))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- local-time broadcasts -------------------------------------------------------------------


def local_send_at(send_at: datetime, newsletter_tz: str, timezone: str | None,
                  timing: Timing) -> datetime:
    """When a broadcast whose wall time is ``send_at`` in the newsletter's zone reaches a
    subscriber in ``timezone``: the same local date and time there, then allowed (UTC)."""
    wall = send_at.astimezone(ZoneInfo(newsletter_tz))
    zone = zone_of(timezone, timing)
    at = wall.timetz().replace(tzinfo=None)
    return allowed_moment(local_instant(wall.date(), at, zone), zone, timing)


def broadcast_span(send_at: datetime, newsletter_tz: str, timing: Timing
                   ) -> tuple[datetime, datetime]:
    """When a local-time broadcast opens (the first zone) and completes (the last zone)."""
    first = Timing(timing.at, EARLIEST_ZONE, False, timing.quiet_days, timing.window)
    last = Timing(timing.at, LATEST_ZONE, False, timing.quiet_days, timing.window)
    return (local_send_at(send_at, newsletter_tz, None, first),
            local_send_at(send_at, newsletter_tz, None, last))


def zones_reached(send_at: datetime, newsletter_tz: str, timing: Timing, now: datetime,
                  zones: Iterable[str] | None = None) -> tuple[list[str], bool]:
    """The zone names in which the broadcast's local time has come by ``now``, and
    whether it has come in the newsletter's own zone (for subscribers with no valid zone)."""
    names = sorted(zones if zones is not None else known_zones())
    reached = [z for z in names if local_send_at(send_at, newsletter_tz, z, timing) <= now]
    default = local_send_at(send_at, newsletter_tz, None, timing) <= now
    return reached, default


@cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows."""
    return frozenset(available_timezones())
