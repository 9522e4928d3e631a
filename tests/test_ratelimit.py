"""The send rate limit, on a simulated clock."""

from __future__ import annotations

from newsletter.delivery.ratelimit import RateLimiter


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
        limiter.acquire(count)
        times.append(clock.now - 1000.0)
    return times


def test_per_second_limit_spaces_batches() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, 0, clock=clock, sleep=clock.sleep)
    assert send_times(limiter, clock, [100, 100, 50, 50]) == [0.0, 1.0, 2.0, 2.0]


def test_per_hour_limit_holds_the_rest_for_the_next_hour() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, 1000, clock=clock, sleep=clock.sleep)
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
