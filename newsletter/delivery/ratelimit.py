"""A thread-safe limit on messages per second and per hour (for IP warm-up)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Blocks ``acquire(n)`` until sending ``n`` more messages stays within both limits.

    A limit of 0 means unlimited. ``clock`` and ``sleep`` are passed in so tests can run
    the limiter on a simulated clock.
    """

    def __init__(self, per_second: float, per_hour: float, *,
                 clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._windows = [(1.0, per_second), (3600.0, per_hour)]
        self._sent: deque[tuple[float, int]] = deque()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def acquire(self, count: int) -> None:
        """Wait until ``count`` messages may go, then account for them."""
        while True:
            with self._lock:
                wait = self._wait_for(count)
                if wait <= 0:
                    self._sent.append((self._clock(), count))
                    return
            self._sleep(wait)

    def _wait_for(self, count: int) -> float:
        now = self._clock()
        while self._sent and self._sent[0][0] <= now - 3600.0:
            self._sent.popleft()
        return max((self._window_wait(now, span, limit, count)
                    for span, limit in self._windows if limit > 0), default=0.0)

    def _window_wait(self, now: float, span: float, limit: float, count: int) -> float:
        # A batch bigger than the limit may go alone once the window is empty.
        in_window = [(t, n) for t, n in self._sent if t > now - span]
        used = sum(n for _, n in in_window)
        if used + count <= limit or not in_window:
            return 0.0
        for t, n in in_window:
            used -= n
            if used + count <= limit or used == 0:
                return t + span - now
        return span
