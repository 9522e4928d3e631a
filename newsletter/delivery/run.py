"""What every send shares: its options, its report, its context, and the worker threads.

Broadcasts (:mod:`.broadcast`) and per-subscriber sends (:mod:`.sequence_send`) both run
claim -> send -> record loops over the same ledger; this module holds what they have in
common, so neither imports the other.
"""

from __future__ import annotations

import ctypes
import logging
import re
import signal
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..collector import long_lived_objects_frozen
from ..config import Config
from ..errors import NewsletterError, SendStopped, StoreError, one_line
from ..models import Issue, Message, Outcome, Recipient
from ..rendering.links import Links
from ..store import STALE_ERROR, Claimed, Counts, Store
from ..store.ledger import POSTED_PREFIX
from .backends import Backend
from .ratelimit import NoLimit, RateLimiter, largest_batch

log = logging.getLogger("newsletter.send")

DEFAULT_EXPIRY = timedelta(hours=48)
# Longer than the SendGrid client timeout times its retries: a claim this old is dead.
DEFAULT_LEASE = timedelta(minutes=15)
# Seconds between tries to record what became of a batch already sent (about 5 minutes in
# all, besides the busy timeout of each try): the outcome is known, so it is worth waiting.
RECORD_RETRIES = (0.5, 1, 2, 4, 8, 15, 30, 60, 60, 60, 60, None)
# Seconds before each new look for skipped subscribers. The first look is quick and quiet:
# what it usually finds is being claimed right now by another thread or run (their claim
# is not committed yet), gone when it looks again.
LOCKED_RETRIES = (0.1, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class SendOptions:
    """How a send runs. ``now`` is passed in (``--now``), never read here."""

    now: datetime
    dry_run: bool = False
    force: bool = False  # send an issue past its expiry
    retry_uncertain: bool = False
    new_versions: frozenset[int] = frozenset()  # issues whose edited file is sent as is
    lease: timedelta = DEFAULT_LEASE
    expiry: timedelta = DEFAULT_EXPIRY


@dataclass(frozen=True)
class SendReport:
    """What one run did for one issue (an object of `send --json`).

    ``recipients`` were handled in this run (sent + failed + uncertain); ``skipped`` had
    the issue already from an earlier run; ``uncertain`` includes claims of dead runs
    found in this one; ``retried`` earlier failures (or, with --retry-uncertain, unknown
    outcomes) handed back to this run; ``reasons`` maps each error message of a failed or
    uncertain recipient to how many had it; ``stopped``: the run stopped here (``error``
    says why) and did not go on to later issues; ``delivery``: what the ledger says of the
    issue now (``sent``, ``sending``, ``partly sent``; "" in sequence mode); ``locked``:
    subscribers another transaction kept locked all through the run (the next run sends
    to them).
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
    stopped: bool = False
    delivery: str = ""
    locked: int = 0

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


@dataclass(frozen=True)
class Earlier:
    """What a run found of earlier runs as it began: claims of dead runs (now uncertain),
    rows handed back to be sent again, recipients who had the issue already."""

    dead: int = 0
    retried: int = 0
    skipped: int = 0


def issue_report(issue: Issue, result: RunResult, ctx: SendContext, options: SendOptions,
                 earlier: Earlier, locked: int = 0) -> SendReport:
    """One issue's report: what this run did, what it found of earlier runs, why it stopped
    early, and what is left (the send's totals are stamped on the way)."""
    tally = result.tallies.get(issue.key, Tally())
    error, state = result.error, ""
    try:  # the ledger read once for the totals, what is left and the state
        counts = ctx.store.delivery_counts(issue.key).get(issue.key)
        ctx.store.finish_send(issue.key, now=ctx.clock(), counts=counts)
        left = counts or Counts()
        if ctx.config.mode != "sequence":
            state = ctx.store.delivery_state(issue.key, counts)
    except StoreError as exc:
        error, left = error or str(exc), Counts()
    if tally.unrecorded:
        error += (f" ({tally.unrecorded} outcomes could not be recorded: those recipients "
                  f"stay claimed until the lease of {_minutes(options)} ends, then show as "
                  "uncertain)")
    reasons = dict(tally.reasons)
    if earlier.dead:
        reasons[STALE_ERROR] = reasons.get(STALE_ERROR, 0) + earlier.dead
    done = tally.outcomes
    return SendReport(issue.number, issue.subject, recipients=sum(done.values()),
                      sent=done["sent"], failed=done["failed"],
                      uncertain=done["uncertain"] + earlier.dead, skipped=earlier.skipped,
                      retried=earlier.retried, reasons=reasons, error=error,
                      stopped=bool(result.error), delivery=state, locked=locked,
                      note=_what_is_left(left, result, options, locked))


def _what_is_left(counts: Counts, result: RunResult, options: SendOptions,
                  locked: int) -> str:
    """Claims this run left alone (another run is sending them, or died), subscribers
    locked all through it, and a rate limit that sends the rest later."""
    notes = []
    if locked:
        notes.append(f"{locked} subscribers stayed locked by another transaction through "
                     "this run: the next run sends to them")
    if counts.claimed:
        notes.append(f"{counts.claimed} recipients are claimed by another run that is still "
                     "sending or has died; if it died they become uncertain after "
                     f"{_minutes(options)}")
    if result.deferred_until is not None:
        when = datetime.fromtimestamp(result.deferred_until, UTC).strftime("%H:%M UTC")
        notes.append(f"the rate limit is reached: a run from {when} on sends the rest")
    return "; ".join(notes)


def _minutes(options: SendOptions) -> str:
    return f"{options.lease.total_seconds() / 60:g} minutes"


def list_id(config: Config) -> str:
    """The List-Id of the newsletter's emails (RFC 2919): ``"Name" <name.sender-domain>``."""
    name = config.brand_name.replace('"', "").replace("\\", "").strip()
    label = re.sub(r"[^a-z0-9]+", "-", name.lower().encode("ascii", "ignore").decode())
    domain = config.sender.email.rpartition("@")[2] or "localhost"
    return f'"{name}" <{label.strip("-")[:60] or "newsletter"}.{domain}>'


def make_limiter(ctx: SendContext) -> tuple[Limiter, int]:
    """The rate limiter of a send (shared with every other sender through the database)
    and its batch size (never above a limit)."""
    delivery = ctx.config.delivery
    size = largest_batch(delivery.rate_per_second, delivery.rate_per_hour,
                         min(delivery.batch_size, ctx.backend.max_batch))
    if not (delivery.rate_per_second or delivery.rate_per_hour):
        return NoLimit(), size
    return RateLimiter(ctx.store, delivery.rate_per_second, delivery.rate_per_hour,
                       sleep=ctx.sleep, clock=lambda: ctx.clock().timestamp()), size


class Leftovers:
    """Who is still unclaimed when a broadcast's claims run dry. PostgreSQL's claims skip
    subscribers another transaction has locked (``SKIP LOCKED``): the run looks again a
    few times, then counts those still left (``left``) for the next run."""

    def __init__(self, store: Store, issue_key: str, sleep: Callable[[float], None]) -> None:
        self.store, self.key, self.sleep = store, issue_key, sleep
        self.left = 0
        self._pauses = list(LOCKED_RETRIES)
        self._done = False
        self._lock = threading.Lock()

    def look_again(self) -> bool:
        """True when somebody is still unclaimed and it is worth claiming once more."""
        with self._lock:
            if self._done:
                return False
            self.left = self.store.count_unclaimed(self.key)
            if not self.left or not self._pauses:
                self._done = True
                return False
            first, pause = len(self._pauses) == len(LOCKED_RETRIES), self._pauses.pop(0)
            log.log(logging.DEBUG if first else logging.WARNING,
                    "%d subscribers were passed over (locked by another transaction); "
                    "looking again in %g s", self.left, pause)
            self.sleep(pause)
            self.store.rescan(self.key)
            return True


@dataclass(frozen=True)
class Batch:
    """Claimed ledger rows of one issue, to go out in one backend call."""

    key: str
    rows: Sequence[Claimed]


@dataclass(frozen=True)
class _Ready:
    """A claimed batch as it will go: the message, its recipients (none kept when the
    backend built the request ahead, ``build``/``post``), the request, the addresses."""

    batch: Batch
    message: Message
    recipients: list[Recipient]
    built: object | None
    emails: list[str]


@dataclass(frozen=True)
class _Claim:
    """What one claim made ahead took, ready to go, under its batch id."""

    batch_id: str
    ready: list[_Ready]


# (batch id, most rows) -> the batches claimed ([] when none this time, None: nobody left).
Claimer = Callable[[str, int], list[Batch] | None]
# A batch -> what to send it as (None: it cannot go now, its claims are handed back).
Preparer = Callable[[Batch], tuple[Message, list[Recipient]] | None]


@dataclass
class Tally:
    """What one run did for one issue: outcomes by status, reasons of the bad ones, and
    how many outcomes the database could not record."""

    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    unrecorded: int = 0


@dataclass(frozen=True)
class RunResult:
    """The tallies of a run by issue key; why it stopped early ("": it ran out of work or
    time); when the rate limit frees again if it left the rest to a later run."""

    tallies: dict[str, Tally]
    error: str = ""
    deferred_until: float | None = None


class BatchRun:
    """Threads that each repeat: wait for the rate limiter, claim a batch, send it, record
    what became of it; until nobody is left or the run must stop.

    The first failure of any thread (the database, the provider refusing our key, a full
    outbox, a bug) or Ctrl-C, SIGTERM, SIGHUP in the main thread stops the claiming; the
    batches in flight are sent and recorded. Each batch is recorded as what it is: the
    outcomes the backend gave; handed back when it never left (it is claimed again by the
    next run); ``uncertain`` only when the request may have been accepted.
    """

    def __init__(self, ctx: SendContext, claim: Claimer, prepare: Preparer, *,
                 limiter: Limiter, batch_size: int, ahead: bool = False) -> None:
        self.ctx, self.claim, self.prepare = ctx, claim, prepare
        self.limiter, self.batch_size = limiter, batch_size
        # Each thread claims its next batch while its current one is posted (only
        # without a rate limit, which must see a batch claimed only when it can go now).
        self.ahead = ahead and isinstance(limiter, NoLimit)
        self.stop = threading.Event()
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self._error = ""
        self._deferred: float | None = None
        self._lock = threading.Lock()

    def run(self, threads: int) -> RunResult:
        """Run ``threads`` loops to the end; what they did, and the first failure.

        Outcomes are written by a recorder thread while the sending thread claims its next
        batch (at most ``threads`` batches wait to be written); the run ends when every
        outcome is written.
        """
        _few_malloc_arenas()
        recorder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsletter-record")
        claimer = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="newsletter-claim")
        self._recorder, self._slots = recorder, threading.BoundedSemaphore(threads)
        self._claimer = claimer
        try:
            with long_lived_objects_frozen():
                interrupted = run_in_threads(self._loop, threads, self.stop)
        finally:
            _shut_down(claimer)
            _shut_down(recorder)
        if interrupted and not self._error:
            self._error = (f"stopped by {interrupted} after {self._sent()} messages were "
                           "sent; the batches in flight were finished and recorded, and "
                           "running the same command again sends the rest")
        return RunResult(dict(self.tallies), self._error, self._deferred)

    def _loop(self) -> None:
        try:
            if self.ahead:
                return self._pipelined()
            while not self.stop.is_set() and self._one_round():
                pass
        except Exception as exc:  # every failure must reach the run, not die in a thread
            if not isinstance(exc, NewsletterError):
                log.error("a sending thread failed", exc_info=exc)
            self._fail_with(str(exc) if isinstance(exc, NewsletterError)
                            else f"the send failed: {one_line(exc)}")

    def _one_round(self) -> bool:
        """Claim only what may be sent now (the rate limiter first), send it, record it."""
        batches = self._claim_round()
        for batch in batches or ():
            ready = self._ready(batch)
            if ready is not None:
                self._post(ready)
        return batches is not None

    def _claim_round(self, batch_id: str = "") -> list[Batch] | None:
        """The rate limiter, then a claim: the batches (None: nobody left, or stopping)."""
        ticket = self.limiter.acquire(self.batch_size, self.stop)
        if ticket is None:
            self._defer()
            return None
        batches = None if self.stop.is_set() else self.claim(batch_id or uuid.uuid4().hex,
                                                               self.batch_size)
        self.limiter.refund(ticket,
                            self.batch_size - sum(len(b.rows) for b in batches or ()))
        return batches

    def _pipelined(self) -> None:
        """Send batch after batch, each claimed and built while the one before it was
        being posted: the claim's round trips and the request's building overlap the
        provider's latency. At most one claim per thread waits ready; it is handed back
        (it never left) when the run stops first, and if the process dies its claims
        are released by the next run, since its request was never noted as leaving."""
        ready = self._claim_ready()
        while ready is not None:
            ahead = None if self.stop.is_set() else self._claimer.submit(self._claim_ready)
            try:
                self._post_all(ready)
            except BaseException:
                self.stop.set()
                self._hand_back_ahead(ahead)
                raise
            if ahead is None or self.stop.is_set():
                return self._hand_back_ahead(ahead)
            ready = ahead.result()

    def _claim_ready(self) -> _Claim | None:
        """A claim, its batches prepared and built (None: nobody left, or stopping)."""
        batch_id = POSTED_PREFIX + uuid.uuid4().hex
        batches = self._claim_round(batch_id)
        ready: list[_Ready] = []
        for i, batch in enumerate(batches or ()):
            try:
                one = self._ready(batch)  # hands ``batch`` back when it cannot go
            except BaseException:
                for left in [*(r.batch for r in ready), *(batches or ())[i + 1:]]:
                    self._hand_back(left)
                raise
            if one is not None:
                ready.append(one)
        return None if batches is None else _Claim(batch_id, ready)

    def _post_all(self, claim: _Claim) -> None:
        """Note that the claim's requests leave now (until then a dead run's claims are
        known never to have left), then post them."""
        if not claim.ready:
            return
        try:
            self.ctx.store.note_posting(claim.batch_id, self.ctx.clock())
        except Exception:
            for one in claim.ready:
                self._hand_back(one.batch)  # never left (and if this fails too, the
            raise  # next run releases them: no posting was noted)
        for i, one in enumerate(claim.ready):
            try:
                self._post(one)
            except BaseException:
                for left in claim.ready[i + 1:]:
                    self._hand_back(left.batch)
                raise

    def _hand_back_ahead(self, ahead: Future[_Claim | None] | None) -> None:
        """Wait for a claim made ahead and hand back what it took (it will not be sent)."""
        if ahead is None:
            return
        try:
            claim = ahead.result()
        except Exception as exc:  # the run is stopping already; its cause is reported
            log.debug("a claim made ahead failed while the send stopped", exc_info=exc)
            return
        for one in claim.ready if claim is not None else ():
            self._hand_back(one.batch)

    def _defer(self) -> bool:
        """The limit is reached for longer than a run waits: leave the rest to a later run."""
        if not self.stop.is_set():
            with self._lock:
                self._deferred = self.limiter.free_at
            self.stop.set()
        return False

    def _ready(self, batch: Batch) -> _Ready | None:
        """The batch prepared, and its request built when the backend builds ahead;
        None when it cannot go now. Either way it is handed back when it will not go."""
        try:
            prepared = self.prepare(batch)
            if prepared is not None:
                build = getattr(self.ctx.backend, "build", None)
                built = build(*prepared) if build is not None else None
        except Exception:
            self._hand_back(batch)  # it never left
            raise
        if prepared is None:
            self._hand_back(batch)
            return None
        message, recipients = prepared
        if built is None:
            return _Ready(batch, message, recipients, None, [r.email for r in recipients])
        return _Ready(batch, message, [], built, built.emails)  # type: ignore[attr-defined]

    def _post(self, ready: _Ready) -> None:
        batch, message = ready.batch, ready.message
        backend = self.ctx.backend
        try:
            outcomes = (backend.send(message, ready.recipients) if ready.built is None
                        else backend.post(ready.built))  # type: ignore[attr-defined]
        except SendStopped as exc:
            if exc.outcomes is None:
                self._hand_back(batch)
            else:
                self._record(batch, list(exc.outcomes), message.version)
            raise
        except Exception as exc:  # the backend broke off mid-request: it may have left
            self._record(batch, [Outcome(email, "uncertain", error=(
                f"the send broke off ({one_line(exc)}): may have been sent"))
                for email in ready.emails], message.version)
            raise
        return self._record_later(batch, outcomes, message.version)

    def _record_later(self, batch: Batch, outcomes: list[Outcome], version: int) -> None:
        """Hand the outcomes to the recorder thread (waiting while it is behind)."""
        self._slots.acquire()
        try:
            future = self._recorder.submit(self._record_quietly, batch, outcomes, version)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())

    def _record_quietly(self, batch: Batch, outcomes: list[Outcome], version: int) -> None:
        try:
            self._record(batch, outcomes, version)
        except StoreError:
            pass  # the run is stopping with it (_retrying) and counts them unrecorded
        except Exception as exc:  # every failure must reach the run
            log.error("recording a batch failed", exc_info=exc)
            self._fail_with(f"the send failed: {one_line(exc)}")

    def _record(self, batch: Batch, outcomes: list[Outcome], version: int) -> None:
        with self._lock:
            tally = self.tallies[batch.key]
            tally.outcomes.update(o.status for o in outcomes)
            tally.reasons.update(o.error for o in outcomes if o.status != "sent" and o.error)
        rows = [(c.delivery_id, o.status, o.message_id, o.error)
                for c, o in zip(batch.rows, outcomes, strict=True)]
        try:
            self._retrying(lambda: self.ctx.store.record_outcomes(rows, now=self.ctx.clock(),
                                                                  version=version))
        except StoreError:
            with self._lock:
                tally.unrecorded += len(rows)
            raise
        self.ctx.on_batch(outcomes)

    def _hand_back(self, batch: Batch) -> None:
        ids = [c.delivery_id for c in batch.rows]
        self._retrying(lambda: self.ctx.store.release_claims(ids))

    def _retrying(self, write: Callable[[], object]) -> None:
        """A write of what became of a batch, tried again while the database is unable
        (nothing more is claimed meanwhile)."""
        for pause in RECORD_RETRIES:
            try:
                write()
                return
            except StoreError as exc:
                self._fail_with(str(exc))
                if pause is None:
                    raise
                self.ctx.sleep(pause)

    def _fail_with(self, message: str) -> None:
        with self._lock:
            first, self._error = not self._error, self._error or message
        if first:
            log.warning("stopping the send: %s", message)
        self.stop.set()

    def _sent(self) -> int:
        with self._lock:
            return sum(t.outcomes["sent"] for t in self.tallies.values())


class Limiter(Protocol):
    """How many messages may go now: :class:`~.ratelimit.RateLimiter` and its kin."""

    free_at: float | None

    def acquire(self, count: int, stop: threading.Event | None = None) -> int | None:
        """Wait until ``count`` more messages may go and account for them (a ticket); None
        when ``stop`` was set or the wait is too long (``free_at``: when it frees)."""
        ...

    def refund(self, ticket: int, count: int) -> None:
        """Give back ``count`` of what ``ticket`` acquired and did not use."""
        ...


class StopSignal(BaseException):
    """SIGTERM or SIGHUP arrived: stop like Ctrl-C (raised in the main thread)."""


def run_in_threads(loop: Callable[[], object], count: int, stop: threading.Event) -> str:
    """Run ``count`` copies of ``loop`` until all return; "" or what interrupted them.

    Ctrl-C (and, under :func:`stop_on_signals`, SIGTERM and SIGHUP) sets ``stop``: no new
    batch is claimed, the batches in flight are sent and recorded, then this returns the
    name of the interruption.
    """
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(loop) for _ in range(count)]
        try:
            wait(futures)
        except (KeyboardInterrupt, StopSignal) as exc:
            stop.set()
            _wait_ignoring_signals(futures)
            return str(exc) or "Ctrl-C"
    return ""


def _shut_down(pool: ThreadPoolExecutor) -> None:
    """Wait for everything ``pool`` was given, whatever signal arrives meanwhile."""
    while True:
        try:
            pool.shutdown(wait=True)
            return
        except (KeyboardInterrupt, StopSignal):
            continue  # already stopping: what was sent still gets recorded


def _wait_ignoring_signals(futures: list[Future[object]]) -> None:
    while True:
        try:
            wait(futures)
            return
        except (KeyboardInterrupt, StopSignal):
            continue  # already stopping: the batches in flight still get recorded


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM (systemd, ``kill``) and SIGHUP stop a send as Ctrl-C does."""
    def stop(signum: int, _frame: object) -> None:
        raise StopSignal(signal.Signals(signum).name)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def _few_malloc_arenas() -> None:
    """At most two malloc arenas for the process (glibc only; elsewhere nothing).

    A send's threads each build and drop megabyte-sized requests; glibc gives every thread
    an arena of its own, each keeping its freed memory (about 10 MB more at the peak of a
    send of 200,000 with 4 threads sending and 4 claiming ahead). They hold the GIL while
    they allocate, so sharing two arenas costs nothing.
    """
    global _arenas_set
    if _arenas_set:
        return
    _arenas_set = True
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):
        pass


_arenas_set = False
