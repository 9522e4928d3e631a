"""Sending in sequence mode and local-time broadcasts, through the same ledger as broadcasts.

:func:`send_sequence_due` is what ``newsletter send --due`` runs when ``mode: sequence``:
each claim transaction takes the subscribers whose next issue is due (an indexed range
scan, see :mod:`newsletter.store.sequence`), inserts one ledger row per (issue, subscriber)
and advances their progress; workers then send each claimed batch, grouped by issue, and
record the outcomes. Each issue sends the rendering fixed at its first send
(:mod:`.renderings`): an edited issue waits for ``--new-version N``, then goes as its
new version to those who have not had it.

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
from collections import Counter, defaultdict
from dataclasses import replace

from ..errors import NewsletterError
from ..models import Issue, Message, Recipient
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
from ..store import Claimed, Store, StoredRendering
from ..store import sequence as seqdb
from .renderings import fixed_rendering
from .run import (
    Batch,
    BatchRun,
    Claimer,
    Earlier,
    RunResult,
    SendContext,
    SendOptions,
    SendReport,
    issue_report,
    list_id,
    make_limiter,
)


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
    run = _Run(ctx, issues, options)
    run.find_earlier(options)

    def claim(batch_id: str, limit: int) -> list[Batch] | None:
        retried = run.claim_released(batch_id, limit)
        if retried:
            return retried
        result = seqdb.claim_due(engine, plan, batch_id=batch_id, limit=limit,
                                 now=options.now, keys=run.keys, sendable=run.sendable(),
                                 stamp=ctx.clock())
        run.note_skipped(result.skipped)
        if not result.seen:
            return None
        return run.batches([(c.issue, c.claimed) for c in result.claims])

    return reports + run.reports(run.work(claim), options)


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
    run = _Run(ctx, {issue.number: issue}, options)
    if run.rendering(issue.number) is None:
        return SendReport(issue.number, issue.subject, error=run.errors[issue.number])
    run.find_earlier(options)

    def claim(batch_id: str, limit: int) -> list[Batch] | None:
        claimed = run.claim_released(batch_id, limit) or run.batches([
            (issue.number, c) for c in seqdb.claim_local(
                engine, key, batch_id=batch_id, limit=limit, now=ctx.clock(), **eligible)])
        return claimed or None

    [report] = run.reports(run.work(claim), options, always=True)
    return report


def _issues_by_number(queue: Queue, numbers: set[int]) -> dict[int, Issue]:
    return {item.issue.number: item.issue for item in queue.issues
            if item.issue.number in numbers}


def _dry_run(issues: dict[int, Issue], due: Counter[int]) -> list[SendReport]:
    return [SendReport(n, issues[n].subject, recipients=count, note="dry run: nothing sent")
            for n, count in sorted(due.items())]


class _Run:
    """One run over mixed issues: each rendered once, earlier runs' leftovers found, batches
    grouped by issue, sent by :class:`~.run.BatchRun`, one report per issue."""

    def __init__(self, ctx: SendContext, issues: dict[int, Issue], options: SendOptions
                 ) -> None:
        self.ctx, self.issues, self.options = ctx, issues, options
        self.keys = {number: issue.key for number, issue in issues.items()}
        self.rendered: dict[int, StoredRendering] = {}
        self.errors: dict[int, str] = {}
        self.earlier: dict[int, Earlier] = {}
        self.skipped: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.retry_keys = list(issues)

    @property
    def store(self) -> Store:
        return self.ctx.store

    def rendering(self, number: int) -> StoredRendering | None:
        """The issue's fixed rendering, looked up once for this run when first needed; None
        when it cannot go out (reported; its subscribers wait for a run where it can)."""
        with self.lock:
            if number not in self.rendered and number not in self.errors:
                try:
                    self.rendered[number] = fixed_rendering(self.issues[number], self.ctx,
                                                            self.options)
                except NewsletterError as exc:
                    self.errors[number] = str(exc)
            return self.rendered.get(number)

    def sendable(self) -> frozenset[int]:
        """The issues this run may still claim for (not those that failed to render)."""
        with self.lock:
            return frozenset(self.issues) - frozenset(self.errors)

    def find_earlier(self, options: SendOptions) -> None:
        """Find dead claims (-> uncertain) and hand back what this run must send again."""
        older = self.ctx.clock() - options.lease
        for number, key in self.keys.items():
            dead = self.store.mark_stale_claims_uncertain(key, older_than=older)
            retried = self.store.release_failed(key)
            if options.retry_uncertain:
                retried += self.store.release_uncertain(key)
            if dead or retried:
                self.earlier[number] = Earlier(dead=dead, retried=retried)

    def claim_released(self, batch_id: str, limit: int) -> list[Batch]:
        """Released rows (failures, or unknown outcomes the operator retries) go first."""
        while self.retry_keys:
            number = self.retry_keys[0]
            claimed = [] if number in self.errors else seqdb.claim_released(
                self.store.engine, self.keys[number], batch_id=batch_id, limit=limit,
                now=self.ctx.clock())
            if claimed:
                return [Batch(self.keys[number], claimed)]
            with self.lock:
                if self.retry_keys and self.retry_keys[0] == number:
                    self.retry_keys.pop(0)
        return []

    def batches(self, claimed: list[tuple[int, Claimed]]) -> list[Batch]:
        """Claimed rows grouped into one batch per issue."""
        by_issue: dict[int, list[Claimed]] = defaultdict(list)
        for number, row in claimed:
            by_issue[number].append(row)
        return [Batch(self.keys[number], rows) for number, rows in by_issue.items()]

    def note_skipped(self, numbers: list[int]) -> None:
        with self.lock:
            self.skipped.update(numbers)

    def work(self, claim: Claimer) -> RunResult:
        """Run ``delivery.concurrency`` loops until ``claim`` finds nobody."""
        limiter, size = make_limiter(self.ctx)
        return BatchRun(self.ctx, claim, self._prepare, limiter=limiter,
                        batch_size=size).run(self.ctx.config.delivery.concurrency)

    def _prepare(self, batch: Batch) -> tuple[Message, list[Recipient]] | None:
        fixed = self.rendering(self._number(batch.key))
        if fixed is None:  # handed back: a later run sends them
            return None
        message = Message(rendered=fixed.rendered, sender=self.ctx.config.sender,
                          issue_key=batch.key, categories=self.ctx.config.sendgrid.categories,
                          list_id=list_id(self.ctx.config), version=fixed.version)
        return message, [Recipient(email=c.email, name=c.name,
                                   subscriber_id=str(c.subscriber_id),
                                   fields=self.ctx.links.fields(c, batch.key))
                         for c in batch.rows]

    def _number(self, key: str) -> int:
        return next(n for n, k in self.keys.items() if k == key)

    def reports(self, result: RunResult, options: SendOptions, always: bool = False
                ) -> list[SendReport]:
        """One report per issue this run touched (every issue of the run with ``always``);
        a run that stopped before touching any still reports why."""
        touched = {n for n, k in self.keys.items() if k in result.tallies}
        numbers = touched | set(self.earlier) | set(self.errors) | set(self.skipped)
        if always:
            numbers |= set(self.issues)
        reports = [self._report(n, result, options) for n in sorted(numbers)]
        if result.error and not reports:
            reports.append(SendReport(0, "", error=result.error, stopped=True))
        return reports

    def _report(self, number: int, result: RunResult, options: SendOptions) -> SendReport:
        earlier = replace(self.earlier.get(number, Earlier()), skipped=self.skipped[number])
        report = issue_report(self.issues[number], result, self.ctx, options, earlier)
        error = self.errors.get(number) or report.error
        return replace(report, error=error)
