"""The send rate limit, on a simulated clock."""

from __future__ import annotations

import threading

from newsletter.delivery.ratelimit import RateLimiter, largest_batch


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(limiter: RateLimiter, clock: FakeClock, batches: list[int]) -> list[float]:
    times = []
    for count in batches:
        assert limiter.acquire(count)
        times.append(clock.now - 1000.0)
    return times


def test_per_second_limit_spaces_batches() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, 0, clock=clock, sleep=clock.sleep)
    assert send_times(limiter, clock, [100, 100, 50, 50]) == [0.0, 1.0, 2.0, 2.0]


def test_per_hour_limit_holds_the_rest_for_the_next_hour() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, 1000, clock=clock, sleep=clock.sleep, max_wait=7200)
    times = send_times(limiter, clock, [600, 400, 10])
    assert times[:2] == [0.0, 0.0]
    assert times[2] == 3600.0


def test_unlimited_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, 0, clock=clock, sleep=clock.sleep)
    assert send_times(limiter, clock, [1000] * 50) == [0.0] * 50


def test_a_batch_larger_than_the_limit_goes_alone() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, 0, clock=clock, sleep=clock.sleep)
    assert send_times(limiter, clock, [25, 25]) == [0.0, 1.0]


def test_a_wait_past_the_longest_wait_is_left_to_a_later_run() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, 1000, clock=clock, sleep=clock.sleep, max_wait=60)
    assert limiter.acquire(1000)
    assert not limiter.acquire(10)
    assert limiter.free_at == 1000.0 + 3600.0 and clock.now == 1000.0


def test_a_refund_gives_back_what_a_claim_did_not_use() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, 0, clock=clock, sleep=clock.sleep)
    assert limiter.acquire(100)
    limiter.refund(60)  # the claim found only 40
    assert send_times(limiter, clock, [60, 100]) == [0.0, 1.0]


def test_a_stopping_run_stops_waiting() -> None:
    clock, stop = FakeClock(), threading.Event()
    limiter = RateLimiter(10, 0, clock=clock, sleep=lambda s: stop.set())
    assert limiter.acquire(10)
    assert not limiter.acquire(10, stop)


def test_batches_never_exceed_a_limit() -> None:
    assert largest_batch(100, 0, 1000) == 100
    assert largest_batch(0, 300, 1000) == 300
    assert largest_batch(0, 0, 1000) == 1000
