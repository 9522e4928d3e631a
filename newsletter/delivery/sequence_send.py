"""Sending in sequence mode and local-time broadcasts, through the same ledger as broadcasts.

:func:`send_sequence_due` is what ``newsletter send --due`` runs when ``mode: sequence``:
each claim transaction takes the subscribers whose next issue is due (an indexed range
scan, see :mod:`newsletter.store.sequence`), inserts one ledger row per (issue, subscriber)
and advances their progress; workers then send each claimed batch, grouped by issue, and
record the outcomes. Every issue is rendered when the run starts (so editing an issue
reaches only those who have not received it yet); the archive keeps the first rendering
sent of each issue.

:func:`send_local_due` is ``send --due`` for broadcasts with ``send_local_time: true``:
an issue opens when its wall time arrives in the first zone on Earth and is complete when
it arrives in the last; in between, each run claims only the subscribers whose own zone
has reached it. Its expiry (default 48 h) counts from the last zone.

Both keep the broadcast guarantees: a claim is committed before the backend is called,
stale claims become ``uncertain`` (never re-sent without ``--retry-uncertain``), failed
rows are retried by the next run, a refused API key stops everything and hands the
batch back.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import BackendAuthError, NewsletterError
from ..models import Issue, Message, Outcome, Recipient, RenderedIssue
from ..planning.issuefile import LoadedIssue, Queue
from ..planning.sequence import (
    Due,
    Progress,
    broadcast_span,
    fingerprint,
    known_zones,
    next_due,
    series,
    timing_from_config,
    zones_reached,
)
from ..rendering.check import gate
from ..rendering.render import render
from ..store import STALE_ERROR, Claimed, Store
from ..store import sequence as seqdb
from .ratelimit import RateLimiter
from .run import SendContext, SendOptions, SendReport, run_in_threads

Claimer = Callable[[str], list[tuple[int, Claimed]]]


def send_sequence_due(queue: Queue, ctx: SendContext, options: SendOptions
                      ) -> list[SendReport]:
    """Send every subscriber the next issue of the series they are due for: at most one
    email per subscriber per run. One report per issue that had anything to do."""
    reports = [SendReport(0, "", error=str(err)) for err in queue.errors]
    steps = series(queue)
    engine = ctx.store.engine
    if not steps:
        return reports
    if seqdb.sequence_paused(engine):
        return [*reports, SendReport(0, "", note="the sequence is paused: nothing sent "
                                                 "(`newsletter resume --all`)")]
    timing = timing_from_config(ctx.config)
    seqdb.sync_fingerprint(engine, fingerprint(steps, timing))

    def plan(progress: Progress) -> Due | None:
        return next_due(steps, progress, timing)

    issues = _issues_by_number(queue, {s.number for s in steps})
    if not seqdb.may_have_work(engine, options.now, [i.key for i in issues.values()],
                               stale_before=ctx.clock() - options.lease,
                               retry_uncertain=options.retry_uncertain):
        return reports
    if options.dry_run:
        return reports + _dry_run(issues, Counter(d.number for _, d in
                                                  seqdb.iter_due(engine, plan, options.now)))
    run = _Run(ctx, issues)
    run.prepare(options)

    def claim(batch_id: str) -> list[tuple[int, Claimed]]:
        retried = run.claim_released(batch_id)
        if retried:
            return retried
        result = seqdb.claim_due(engine, plan, batch_id=batch_id, limit=run.batch_size,
                                 now=options.now, keys=run.keys, sendable=run.sendable(),
                                 stamp=ctx.clock())
        run.note_skipped(result.skipped)
        if not result.seen:
            return []
        return [(c.issue, c.claimed) for c in result.claims] or [(0, _NOBODY)]

    run.work(claim)
    return reports + run.reports(issues)


def send_local_due(queue: Queue, ctx: SendContext, options: SendOptions) -> list[SendReport]:
    """``send --due`` for broadcasts sent at each subscriber's local hour."""
    reports = [SendReport(0, "", error=str(err)) for err in queue.errors]
    timing = timing_from_config(ctx.config, local=True)
    for loaded in queue.issues:
        issue = loaded.issue
        if issue.status != "scheduled" or issue.send_at is None:
            continue
        opens, closes = broadcast_span(issue.send_at, ctx.config.timezone, timing)
        if opens > options.now:
            continue
        expires = loaded.expires or closes + options.expiry
        if options.now > expires and not options.force:
            reports.append(SendReport(issue.number, issue.subject, note=(
                f"expired at {expires.isoformat()} (its last zone's time + expiry): "
                "not sent late without --force")))
            continue
        reports.append(_send_local(loaded, ctx, options))
    return reports


def _send_local(loaded: LoadedIssue, ctx: SendContext, options: SendOptions) -> SendReport:
    issue, key, engine = loaded.issue, loaded.issue.key, ctx.store.engine
    timing = timing_from_config(ctx.config, local=True)
    known = known_zones()
    zones, default = zones_reached(issue.send_at, ctx.config.timezone, timing,  # type: ignore[arg-type]
                                   options.now, known)
    eligible = {"zones": zones, "include_default": default, "known": known}
    if options.dry_run:
        return SendReport(issue.number, issue.subject, note="dry run: nothing sent",
                          recipients=seqdb.count_local(engine, key, **eligible))
    run = _Run(ctx, {issue.number: issue})
    if run.rendering(issue.number) is None:
        return SendReport(issue.number, issue.subject, error=run.errors[issue.number])
    run.prepare(options)

    def claim(batch_id: str) -> list[tuple[int, Claimed]]:
        claimed = run.claim_released(batch_id) or [
            (issue.number, c) for c in seqdb.claim_local(
                engine, key, batch_id=batch_id, limit=run.batch_size, now=ctx.clock(),
                **eligible)]
        return claimed

    run.work(claim)
    [report] = run.reports({issue.number: issue}, always=True)
    return report


_NOBODY = Claimed(0, 0, "", "", None, {})  # a batch that claimed nobody but saw candidates


def _issues_by_number(queue: Queue, numbers: set[int]) -> dict[int, Issue]:
    return {item.issue.number: item.issue for item in queue.issues
            if item.issue.number in numbers}


def _dry_run(issues: dict[int, Issue], due: Counter[int]) -> list[SendReport]:
    return [SendReport(n, issues[n].subject, recipients=count, note="dry run: nothing sent")
            for n, count in sorted(due.items())]


@dataclass
class _Tally:
    """What one run did for one issue."""

    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    dead: int = 0
    retried: int = 0
    skipped: int = 0
    started: bool = False


class _Run:
    """Claim -> send -> record loops over mixed issues, run by several threads."""

    def __init__(self, ctx: SendContext, issues: dict[int, Issue]) -> None:
        self.ctx, self.issues = ctx, issues
        self.keys = {number: issue.key for number, issue in issues.items()}
        self.rendered: dict[int, RenderedIssue] = {}
        self.errors: dict[int, str] = {}
        delivery = ctx.config.delivery
        self.batch_size = min(delivery.batch_size, ctx.backend.max_batch)
        self.limiter = RateLimiter(delivery.rate_per_second, delivery.rate_per_hour,
                                   clock=lambda: ctx.clock().timestamp(), sleep=ctx.sleep)
        self.tallies: dict[int, _Tally] = defaultdict(_Tally)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.auth_error: BackendAuthError | None = None
        self.retry_keys = list(issues)

    @property
    def store(self) -> Store:
        return self.ctx.store

    def rendering(self, number: int) -> RenderedIssue | None:
        """The issue rendered once for this run, when first needed; None when it cannot go
        out (reported; its subscribers wait for a run where it can)."""
        with self.lock:
            if number not in self.rendered and number not in self.errors:
                try:
                    rendered = render(self.issues[number], self.ctx.config)
                    gate(self.issues[number], rendered, self.ctx.config)
                    self.rendered[number] = rendered
                except NewsletterError as exc:
                    self.errors[number] = str(exc)
            return self.rendered.get(number)

    def sendable(self) -> frozenset[int]:
        """The issues this run may still claim for (not those that failed to render)."""
        with self.lock:
            return frozenset(self.issues) - frozenset(self.errors)

    def prepare(self, options: SendOptions) -> None:
        """Find dead claims (-> uncertain) and hand back what this run must send again."""
        older = self.ctx.clock() - options.lease
        for number in self.issues:
            key, tally = self.keys[number], self.tallies[number]
            tally.dead = self.store.mark_stale_claims_uncertain(key, older_than=older)
            tally.retried = self.store.release_failed(key)
            if options.retry_uncertain:
                tally.retried += self.store.release_uncertain(key)
            if not (tally.dead or tally.retried):
                del self.tallies[number]

    def claim_released(self, batch_id: str) -> list[tuple[int, Claimed]]:
        """Released rows (failures, or unknown outcomes the operator retries) go first."""
        while self.retry_keys:
            number = self.retry_keys[0]
            claimed = seqdb.claim_released(self.store.engine, self.keys[number], batch_id=batch_id,
                                           limit=self.batch_size, now=self.ctx.clock())
            if claimed:
                return [(number, c) for c in claimed]
            with self.lock:
                if self.retry_keys and self.retry_keys[0] == number:
                    self.retry_keys.pop(0)
        return []

    def note_skipped(self, numbers: list[int]) -> None:
        with self.lock:
            for number in numbers:
                self.tallies[number].skipped += 1

    def work(self, claim: Claimer) -> None:
        """Run ``delivery.concurrency`` loops until ``claim`` finds nobody."""
        workers = self.ctx.config.delivery.concurrency
        futures = run_in_threads(lambda: self._loop(claim), workers, self.stop,
                                 sent=self._sent_so_far)
        for future in futures:
            if future.exception() and not isinstance(future.exception(), BackendAuthError):
                raise future.exception()  # type: ignore[misc]
        for number, tally in self.tallies.items():
            if tally.started:
                self.store.finish_send(self.keys[number], now=self.ctx.clock())
        if self.auth_error:
            raise self.auth_error

    def _sent_so_far(self) -> int:
        return sum(tally.outcomes["sent"] for tally in self.tallies.values())

    def _loop(self, claim: Claimer) -> None:
        try:
            while not self.stop.is_set():
                claimed = claim(uuid.uuid4().hex)
                if not claimed:
                    return
                by_issue: dict[int, list[Claimed]] = defaultdict(list)
                for number, c in claimed:
                    if number:
                        by_issue[number].append(c)
                for number, batch in by_issue.items():
                    self._send(number, batch)
        except BackendAuthError as exc:
            self.auth_error = exc
            self.stop.set()

    def _send(self, number: int, batch: list[Claimed]) -> None:
        key, rendered = self.keys[number], self.rendering(number)
        if rendered is None:  # hand the claims back: a later run sends them
            self.store.release_claims([c.delivery_id for c in batch])
            return
        self._start(number, rendered)
        self.limiter.acquire(len(batch))
        message = Message(rendered=rendered, sender=self.ctx.config.sender, issue_key=key,
                          categories=self.ctx.config.sendgrid.categories)
        recipients = [Recipient(email=c.email, name=c.name, subscriber_id=str(c.subscriber_id),
                                fields=self.ctx.links.fields(c, key)) for c in batch]
        try:
            outcomes = self.ctx.backend.send(message, recipients)
        except BackendAuthError:
            self.store.release_claims([c.delivery_id for c in batch])
            raise
        self.store.record_outcomes([(c.delivery_id, o.status, o.message_id, o.error)
                                    for c, o in zip(batch, outcomes, strict=True)],
                                   now=self.ctx.clock())
        self._count(number, outcomes)

    def _start(self, number: int, rendered: RenderedIssue) -> None:
        with self.lock:
            first = not self.tallies[number].started
            self.tallies[number].started = True
        if first:  # the archive keeps the first rendering ever sent of the issue
            self.store.record_send(self.keys[number], rendered, now=self.ctx.clock())

    def _count(self, number: int, outcomes: list[Outcome]) -> None:
        with self.lock:
            tally = self.tallies[number]
            tally.outcomes.update(o.status for o in outcomes)
            tally.reasons.update(o.error for o in outcomes if o.status != "sent" and o.error)
        self.ctx.on_batch(outcomes)

    def reports(self, issues: dict[int, Issue], always: bool = False) -> list[SendReport]:
        """One report per issue this run touched (every issue of ``issues`` with ``always``)."""
        numbers = sorted(set(self.tallies) | set(self.errors) | (set(issues) if always else set()))
        return [self._report(n, issues[n]) for n in numbers if n in issues]

    def _report(self, number: int, issue: Issue) -> SendReport:
        tally = self.tallies.get(number, _Tally())
        done = tally.outcomes
        reasons = dict(tally.reasons)
        if tally.dead:
            reasons[STALE_ERROR] = reasons.get(STALE_ERROR, 0) + tally.dead
        return SendReport(number, issue.subject, recipients=sum(done.values()),
                          sent=done["sent"], failed=done["failed"],
                          uncertain=done["uncertain"] + tally.dead, skipped=tally.skipped,
                          retried=tally.retried, reasons=reasons,
                          error=self.errors.get(number, ""))
