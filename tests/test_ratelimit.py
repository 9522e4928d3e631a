"""The send rate limit, kept in a real database, on a simulated clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.delivery.ratelimit import RateLimiter, largest_batch
from newsletter.store import Store, open_store


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'rate.db'}") as opened:
        yield opened


def limiter(store: Store, clock: FakeClock, per_second: float, per_hour: float,
            max_wait: float = 7200) -> RateLimiter:
    return RateLimiter(store, per_second, per_hour, sleep=clock.sleep, clock=clock,
                       max_wait=max_wait)


def send_times(limiter: RateLimiter, clock: FakeClock, batches: list[int]) -> list[float]:
    times = []
    for count in batches:
        assert limiter.acquire(count) is not None
        times.append(clock.now - 1000.0)
    return times


def test_per_second_limit_spaces_batches(store: Store) -> None:
    clock = FakeClock()
    assert send_times(limiter(store, clock, 100, 0), clock, [100, 100, 50, 50]) == [
        0.0, 1.0, 2.0, 2.0]


def test_per_hour_limit_holds_the_rest_for_the_next_hour(store: Store) -> None:
    clock = FakeClock()
    times = send_times(limiter(store, clock, 0, 1000), clock, [600, 400, 10])
    assert times == [0.0, 0.0, 3600.0]


def test_two_senders_on_one_database_share_the_limit(store: Store, tmp_path: Path) -> None:
    clock = FakeClock()
    with open_store(f"sqlite:///{tmp_path / 'rate.db'}") as other_process:
        first, second = limiter(store, clock, 100, 0), limiter(other_process, clock, 100, 0)
        assert send_times(first, clock, [60]) == [0.0]
        assert send_times(second, clock, [60]) == [1.0]  # the first one's 60 count


def test_a_wait_past_the_longest_wait_is_left_to_a_later_run(store: Store) -> None:
    clock = FakeClock()
    hourly = limiter(store, clock, 0, 1000, max_wait=60)
    assert hourly.acquire(1000) is not None
    assert hourly.acquire(10) is None
    assert hourly.free_at == 1000.0 + 3600.0 and clock.now == 1000.0


def test_a_refund_gives_back_what_a_claim_did_not_use(store: Store) -> None:
    clock = FakeClock()
    limited = limiter(store, clock, 100, 0)
    ticket = limited.acquire(100)
    assert ticket is not None
    limited.refund(ticket, 60)  # the claim found only 40
    assert send_times(limited, clock, [60, 100]) == [0.0, 1.0]


def test_a_stopping_run_stops_waiting(store: Store) -> None:
    clock, stop = FakeClock(), threading.Event()
    limited = RateLimiter(store, 10, 0, sleep=lambda s: stop.set(), clock=clock)
    assert limited.acquire(10) is not None
    assert limited.acquire(10, stop) is None


def test_batches_never_exceed_a_limit() -> None:
    assert largest_batch(100, 0, 1000) == 100
    assert largest_batch(0, 300, 1000) == 300
    assert largest_batch(0, 0, 1000) == 1000
