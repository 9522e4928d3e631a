"""Limits on messages per second and per hour (IP warm-up, provider plans), shared by
every process and host sending for the newsletter.

The window lives in the database (:mod:`newsletter.store.rates`), the one thing all
senders share. A send asks before it claims a batch, so nothing waits claimed; a wait
longer than ``max_wait`` (an hourly limit reached) is not waited out: the run stops
claiming and a later run sends the rest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ..store.rates import RateStore

MAX_WAIT = 60.0  # seconds a run waits for capacity before leaving the rest to a later run
NAP = 1.0  # longest single sleep, so a stopping run notices within a second


def largest_batch(per_second: float, per_hour: float, batch: int) -> int:
    """``batch`` cut to what the limits allow at once (a batch never exceeds a limit)."""
    limits = [int(limit) for limit in (per_second, per_hour) if limit > 0]
    return max(1, min([batch, *limits]))


class RateLimiter:
    """``acquire(n)`` waits until sending ``n`` more stays within both limits, counting
    what every process sharing ``store`` sent. A limit of 0 means unlimited.

    ``sleep`` (and, on SQLite, ``clock``) are passed in so tests can run it on a
    simulated clock. Thread-safe.
    """

    def __init__(self, store: RateStore, per_second: float, per_hour: float, *,
                 sleep: Callable[[float], None], clock: Callable[[], float] = time.time,
                 max_wait: float = MAX_WAIT) -> None:
        self._windows = [(span, limit) for span, limit in ((1.0, per_second),
                                                           (3600.0, per_hour)) if limit > 0]
        self._store, self._sleep, self._clock, self._max_wait = store, sleep, clock, max_wait
        self.free_at: float | None = None  # when capacity frees, after a wait too long

    def acquire(self, count: int, stop: threading.Event | None = None) -> int | None:
        """Wait until ``count`` messages may go and account for them: a ticket for
        :meth:`refund`. None when ``stop`` was set, or when the wait would pass
        ``max_wait`` (``free_at`` then says when capacity frees)."""
        give_up: float | None = None
        while stop is None or not stop.is_set():
            ticket, now, wait = self._store.take_send_rate(
                count, lambda now, sent: self._wait(now, sent, count), clock=self._clock)
            if ticket is not None:
                return ticket
            give_up = now + self._max_wait if give_up is None else give_up
            if now + wait > give_up:
                self.free_at = now + wait
                return None
            self._sleep(min(wait, NAP))
        return None

    def refund(self, ticket: int, count: int) -> None:
        """Give back ``count`` of what ``ticket`` took and did not use."""
        if count:
            self._store.return_send_rate(ticket, count)

    def _wait(self, now: float, sent: Sequence[tuple[float, int]], count: int) -> float:
        return max(window_wait([(t, n) for t, n in sent if t > now - span], now, span,
                               limit, count)
                   for span, limit in self._windows)


class NoLimit:
    """No rate limit configured: nothing is asked of the database."""

    free_at: float | None = None

    def acquire(self, count: int, stop: threading.Event | None = None) -> int | None:
        """Always at once (None only when stopping)."""
        return None if stop is not None and stop.is_set() else 0

    def refund(self, ticket: int, count: int) -> None:
        """Nothing to give back."""


def window_wait(in_window: list[tuple[float, int]], now: float, span: float,
                limit: float, count: int) -> float:
    """Seconds until ``count`` more fit in a window of ``span`` seconds holding ``limit``,
    given what went out in it (time, count), oldest first. A batch bigger than the limit
    may go alone once the window is empty."""
    used = sum(n for _, n in in_window)
    if used + count <= limit or used <= 0:
        return 0.0
    for t, n in in_window:
        used -= n
        if used + count <= limit or used <= 0:
            return t + span - now
    return span
