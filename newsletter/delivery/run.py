"""What every send shares: its options, its report, its context, and the worker threads.

Broadcasts (:mod:`.broadcast`) and per-subscriber sends (:mod:`.sequence_send`) both run
claim -> send -> record loops over the same ledger; this module holds what they have in
common, so neither imports the other.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..config import Config
from ..errors import SendInterrupted
from ..models import Outcome
from ..rendering.links import Links
from ..store import Store
from .backends import Backend

DEFAULT_EXPIRY = timedelta(hours=48)
# Longer than the SendGrid client timeout times its retries: a claim this old is dead.
DEFAULT_LEASE = timedelta(minutes=15)
GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections during a send


@dataclass(frozen=True)
class SendOptions:
    """How a send runs. ``now`` is passed in (``--now``), never read here."""

    now: datetime
    dry_run: bool = False
    force: bool = False  # send an issue past its expiry
    retry_uncertain: bool = False
    lease: timedelta = DEFAULT_LEASE
    expiry: timedelta = DEFAULT_EXPIRY


@dataclass(frozen=True)
class SendReport:
    """What one run did for one issue (an object of `send --json`).

    ``recipients`` were handled in this run (sent + failed + uncertain); ``skipped`` had
    the issue already from an earlier run; ``uncertain`` includes claims of dead runs
    found in this one; ``retried`` earlier failures (or, with --retry-uncertain, unknown
    outcomes) handed back to this run; ``reasons`` maps each error message of a failed or
    uncertain recipient to how many had it.
    """

    number: int
    subject: str
    recipients: int = 0
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    skipped: int = 0
    retried: int = 0
    note: str = ""
    error: str = ""
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nobody failed, no outcome is unknown and nothing went wrong."""
        return not (self.failed or self.uncertain or self.error)


@dataclass
class SendContext:
    """Everything a send needs from outside: settings, store, backend, links and clock."""

    config: Config
    store: Store
    backend: Backend
    links: Links
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    on_batch: Callable[[Sequence[Outcome]], None] = field(default=lambda outcomes: None)


def run_in_threads(loop: Callable[[], object], count: int, stop: threading.Event, *,
                   sent: Callable[[], int]) -> list[Future[object]]:
    """Run ``count`` copies of ``loop`` until all return; their futures, all done.

    Ctrl-C sets ``stop``: no new batch is claimed, the batches in flight are sent and
    recorded, and then :class:`SendInterrupted` says so (re-running sends the rest).
    """
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(loop) for _ in range(count)]
        try:
            for future in futures:
                future.exception()  # wait for all before raising any
        except KeyboardInterrupt:
            stop.set()
            wait(futures)
            raise SendInterrupted(f"stopped by Ctrl-C after {sent()} messages were sent; the "
                                  "batches in flight were finished and recorded, and "
                                  "running the same command again sends the rest") from None
    return futures


@contextmanager
def long_lived_objects_frozen() -> Iterator[None]:
    """Keep what exists before the send (modules, settings, the rendered issue) out of
    the garbage collector's full passes while it runs.

    A send makes many short-lived dicts per recipient; every few batches they trigger a
    full collection, which would otherwise walk the whole heap each time (a third of the
    cost of building a request).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
