"""Limits on messages per second and per hour (IP warm-up, provider plans).

:class:`RateLimiter` keeps the window in memory, for one process. A send asks it before it
claims a batch, so nothing waits claimed; a wait longer than ``max_wait`` (an hourly limit
reached) is not waited out: the run stops claiming and a later run sends the rest.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

MAX_WAIT = 60.0  # seconds a run waits for capacity before leaving the rest to a later run
NAP = 1.0  # longest single sleep, so a stopping run notices within a second


def largest_batch(per_second: float, per_hour: float, batch: int) -> int:
    """``batch`` cut to what the limits allow at once (a batch never exceeds a limit)."""
    limits = [int(limit) for limit in (per_second, per_hour) if limit > 0]
    return max(1, min([batch, *limits]))


class RateLimiter:
    """``acquire(n)`` waits until sending ``n`` more stays within both limits.

    A limit of 0 means unlimited. ``clock`` and ``sleep`` are passed in so tests can run
    the limiter on a simulated clock. Thread-safe.
    """

    def __init__(self, per_second: float, per_hour: float, *,
                 clock: Callable[[], float], sleep: Callable[[float], None],
                 max_wait: float = MAX_WAIT) -> None:
        self._windows = [(1.0, per_second), (3600.0, per_hour)]
        self._sent: deque[list[float]] = deque()  # [time, count], oldest first
        self._clock, self._sleep, self._max_wait = clock, sleep, max_wait
        self._lock = threading.Lock()
        self.free_at: float | None = None  # when capacity frees, after a wait too long

    def acquire(self, count: int, stop: threading.Event | None = None) -> bool:
        """Wait until ``count`` messages may go, account for them, return True. False when
        ``stop`` was set, or when the wait would pass ``max_wait`` (``free_at`` says when
        capacity frees)."""
        give_up = self._clock() + self._max_wait
        while stop is None or not stop.is_set():
            with self._lock:
                now = self._clock()
                wait = self._wait_for(now, count)
                if wait <= 0:
                    self._sent.append([now, count])
                    return True
            if now + wait > give_up:
                self.free_at = now + wait
                return False
            self._sleep(min(wait, NAP))
        return False

    def refund(self, count: int) -> None:
        """Give back ``count`` acquired but not used (a claim found fewer recipients)."""
        with self._lock:
            for entry in reversed(self._sent):
                taken = min(count, int(entry[1]))
                entry[1] -= taken
                count -= taken
                if not count:
                    return

    def _wait_for(self, now: float, count: int) -> float:
        while self._sent and self._sent[0][0] <= now - 3600.0:
            self._sent.popleft()
        return max((window_wait([(t, n) for t, n in self._sent if t > now - span], now,
                                 span, limit, count)
                    for span, limit in self._windows if limit > 0), default=0.0)


def window_wait(in_window: list[tuple[float, float]], now: float, span: float,
                limit: float, count: int) -> float:
    """Seconds until ``count`` more fit in a window of ``span`` seconds holding ``limit``,
    given what went out in it (time, count), oldest first. A batch bigger than the limit
    may go alone once the window is empty."""
    used = sum(n for _, n in in_window)
    if used + count <= limit or not used:
        return 0.0
    for t, n in in_window:
        used -= n
        if used + count <= limit or used <= 0:
            return t + span - now
    return span
