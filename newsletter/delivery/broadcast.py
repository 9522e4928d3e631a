"""Sending: due issues -> render once -> claim, send, record, batch after batch.

The deliveries table is the ledger: one row per (issue, subscriber), unique, claimed in a
short transaction before the backend is called and marked with the outcome right after.
A process killed at any instant leaves at most its in-flight batches ``claimed``; a later
run turns claims older than the lease into ``uncertain`` (reported, re-sent only when the
operator asks), so nobody is mailed twice and nobody is lost. ``failed`` rows (the provider
certainly refused them) are claimed again by the next run.

The lease is measured on the clock that stamps the claims (``SendContext.clock``, the real
time), never on ``--now``: a run told that "now" is days ahead must not take the live
claims of a concurrent run for dead ones.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

from ..config import Config
from ..errors import BackendAuthError, NewsletterError, SendInterrupted
from ..models import Issue, Message, Outcome, Recipient, RenderedIssue
from ..planning.issuefile import LoadedIssue, Queue
from ..rendering.check import gate
from ..rendering.render import render
from ..store import STALE_ERROR, Claimed, Counts, Store
from .ratelimit import RateLimiter
from .run import (
    SendContext,
    SendOptions,
    SendReport,
    long_lived_objects_frozen,
    run_in_threads,
)


def send_broadcast_due(queue: Queue, ctx: SendContext,
                       options: SendOptions) -> list[SendReport]:
    """Send every scheduled issue whose ``send_at`` has come, to everyone at once.

    A bad issue file or an issue that cannot render is reported and the others still go;
    a refused API key stops everything at once.
    """
    reports = [SendReport(0, "", error=str(err)) for err in queue.errors]
    for loaded in queue.issues:
        skip = _not_due(loaded, options)
        if skip is None:
            reports.append(_send_or_report(loaded.issue, ctx, options))
        elif skip:
            reports.append(SendReport(loaded.issue.number, loaded.issue.subject, note=skip))
    return reports


def _not_due(loaded: LoadedIssue, options: SendOptions) -> str | None:
    """None when due; "" when simply not (yet) due; a note when skipped for a reason."""
    issue = loaded.issue
    if issue.status != "scheduled" or issue.send_at is None or issue.send_at > options.now:
        return ""
    expires = loaded.expires or issue.send_at + options.expiry
    if options.now > expires and not options.force:
        return (f"expired at {expires.isoformat()}: not sent late without --force")
    return None


def _send_or_report(issue: Issue, ctx: SendContext, options: SendOptions) -> SendReport:
    try:
        return send_issue(issue, ctx, options)
    except (BackendAuthError, SendInterrupted):
        raise
    except NewsletterError as exc:
        return SendReport(issue.number, issue.subject, error=str(exc))


def send_issue(issue: Issue, ctx: SendContext, options: SendOptions) -> SendReport:
    """Send one issue to every active subscriber who has not got it yet."""
    store, key = ctx.store, issue.key
    rendered = render(issue, ctx.config)
    gate(issue, rendered, ctx.config)
    if options.dry_run:
        return SendReport(issue.number, issue.subject, recipients=store.count_unclaimed(key),
                          note="dry run: nothing sent")
    store.record_send(key, rendered, now=options.now)
    found_dead = store.mark_stale_claims_uncertain(key, older_than=ctx.clock() - options.lease)
    retried = _release_for_retry(store, key, options)
    already = _counts(store, key)
    worker = _run_workers(_message(rendered, ctx.config, key), issue, ctx)
    store.finish_send(key, now=ctx.clock())
    tally = worker.tally
    reasons = dict(worker.reasons)
    if found_dead:
        reasons[STALE_ERROR] = reasons.get(STALE_ERROR, 0) + found_dead
    return SendReport(issue.number, issue.subject,
                      recipients=sum(tally.values()), sent=tally["sent"],
                      failed=tally["failed"], uncertain=tally["uncertain"] + found_dead,
                      skipped=already.sent, retried=retried, reasons=reasons,
                      note=_in_flight_elsewhere(_counts(store, key), options))


def _in_flight_elsewhere(counts: Counts, options: SendOptions) -> str:
    """A note on claims this run left alone: another run is sending them, or died."""
    if not counts.claimed:
        return ""
    minutes = options.lease.total_seconds() / 60
    return (f"{counts.claimed} recipients are claimed by another run that is still sending "
            f"or has died; if it died they become uncertain after {minutes:g} minutes")


def _release_for_retry(store: Store, key: str, options: SendOptions) -> int:
    """Hand back what this run should send again: failures always (the provider refused
    them, so nobody got them), unknown outcomes only when the operator asked."""
    retried = store.release_failed(key)
    if options.retry_uncertain:
        retried += store.release_uncertain(key)
    return retried


def send_test(issue: Issue, address: str, ctx: SendContext) -> Outcome:
    """Send one proof of ``issue`` to ``address``: marked as a test, recorded apart."""
    rendered = render(issue, ctx.config)
    gate(issue, rendered, ctx.config)
    message = _message(rendered, ctx.config, issue.key, test=True)
    fields = {"unsubscribe_url": ctx.links.unsubscribe_url("test"),
              "view_url": ctx.links.view_url(issue.key)}
    outcome = ctx.backend.send(message, [Recipient(email=address, fields=fields)])[0]
    ctx.store.record_test_send(issue.key, address, outcome, now=ctx.clock())
    return outcome


def _counts(store: Store, key: str) -> Counts:
    return store.delivery_counts(key).get(key) or Counts()


def _message(rendered: RenderedIssue, config: Config, key: str, test: bool = False) -> Message:
    return Message(rendered=rendered, sender=config.sender, issue_key=key,
                   categories=config.sendgrid.categories, test=test)


def _run_workers(message: Message, issue: Issue, ctx: SendContext) -> _Worker:
    """Run ``delivery.concurrency`` claim-send-record loops until nobody is left."""
    delivery = ctx.config.delivery
    worker = _Worker(message, issue, ctx, min(delivery.batch_size, ctx.backend.max_batch),
                     RateLimiter(delivery.rate_per_second, delivery.rate_per_hour,
                                 clock=lambda: ctx.clock().timestamp(), sleep=ctx.sleep))
    with long_lived_objects_frozen():
        run_in_threads(worker.run, delivery.concurrency, worker.stop,
                       sent=lambda: worker.tally["sent"])
    if worker.auth_error:
        raise worker.auth_error
    return worker


class _Worker:
    """One claim -> send -> record loop, run by several threads at once."""

    def __init__(self, message: Message, issue: Issue, ctx: SendContext, batch_size: int,
                 limiter: RateLimiter) -> None:
        self.message, self.issue, self.ctx = message, issue, ctx
        self.batch_size, self.limiter = batch_size, limiter
        self.stop = threading.Event()
        self.tally: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.auth_error: BackendAuthError | None = None
        self._lock = threading.Lock()

    def run(self) -> None:
        """Claim, send and record batches until none is left or the send must stop."""
        try:
            while not self.stop.is_set() and self._one_batch():
                pass
        except BackendAuthError as exc:
            self.auth_error = exc
            self.stop.set()

    def _one_batch(self) -> bool:
        store = self.ctx.store
        claimed = store.claim_batch(self.message.issue_key, batch_id=uuid.uuid4().hex,
                                    limit=self.batch_size, now=self.ctx.clock())
        if not claimed:
            return False
        self.limiter.acquire(len(claimed))
        outcomes = self._send(claimed)
        store.record_outcomes([(c.delivery_id, o.status, o.message_id, o.error)
                               for c, o in zip(claimed, outcomes, strict=True)],
                              now=self.ctx.clock())
        with self._lock:
            self.tally.update(o.status for o in outcomes)
            self.reasons.update(o.error for o in outcomes if o.status != "sent" and o.error)
        self.ctx.on_batch(outcomes)
        return True

    def _send(self, claimed: list[Claimed]) -> list[Outcome]:
        recipients = [self._recipient(c) for c in claimed]
        try:
            return self.ctx.backend.send(self.message, recipients)
        except BackendAuthError:
            # Nothing was accepted: hand the claims back so the next run sends them.
            self.ctx.store.release_claims([c.delivery_id for c in claimed])
            raise

    def _recipient(self, claimed: Claimed) -> Recipient:
        fields = self.ctx.links.fields(claimed, self.issue.key)
        return Recipient(email=claimed.email, name=claimed.name, fields=fields,
                         subscriber_id=str(claimed.subscriber_id))
