"""Sending: due issues -> the rendering fixed at the first send -> claim, send, record,
batch after batch.

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

from ..config import Config
from ..errors import NewsletterError, StoreError
from ..models import Issue, Message, Outcome, Recipient, RenderedIssue
from ..planning.issuefile import LoadedIssue, Queue
from ..rendering.check import gate
from ..rendering.render import render
from ..store import Claimed, Counts, Store
from .renderings import fixed_rendering
from .run import (
    Batch,
    BatchRun,
    Earlier,
    Leftovers,
    RunResult,
    SendContext,
    SendOptions,
    SendReport,
    issue_report,
    list_id,
    make_limiter,
)


def send_broadcast_due(queue: Queue, ctx: SendContext,
                       options: SendOptions) -> list[SendReport]:
    """Send every scheduled issue whose ``send_at`` has come, to everyone at once.

    A bad issue file or an issue that cannot render is reported and the others still go;
    a send that must stop (a refused API key, the database failing, Ctrl-C) stops there.
    """
    reports = [SendReport(0, "", error=str(err)) for err in queue.errors]
    for loaded in queue.issues:
        skip = _not_due(loaded, options)
        if skip is None:
            reports.append(_send_or_report(loaded.issue, ctx, options))
        elif skip:
            reports += expired_report(loaded.issue, skip, ctx.store)
        if reports and reports[-1].stopped:
            break
    return reports


def _not_due(loaded: LoadedIssue, options: SendOptions) -> str | None:
    """None when due; "" when simply not (yet) due; when expired, the expiry time."""
    issue = loaded.issue
    if issue.status != "scheduled" or issue.send_at is None or issue.send_at > options.now:
        return ""
    expires = loaded.expires or issue.send_at + options.expiry
    if options.now > expires and not options.force:
        return expires.isoformat()
    return None


def expired_report(issue: Issue, expired_at: str, store: Store) -> list[SendReport]:
    """Nothing when an expired issue was sent in full; else a note on what was left."""
    state = store.delivery_state(issue.key)
    if state == "sent":
        return []
    done = f"{state}, " if state else ""
    return [SendReport(issue.number, issue.subject, delivery=state, note=(
        f"{done}expired at {expired_at}: not sent late without --force"))]


def _send_or_report(issue: Issue, ctx: SendContext, options: SendOptions) -> SendReport:
    try:
        return send_issue(issue, ctx, options)
    except StoreError as exc:  # before anything of this issue was claimed
        return SendReport(issue.number, issue.subject, error=str(exc), stopped=True)
    except NewsletterError as exc:
        return SendReport(issue.number, issue.subject, error=str(exc))


def send_issue(issue: Issue, ctx: SendContext, options: SendOptions) -> SendReport:
    """Send one issue to every active subscriber who has not got it yet."""
    store, key = ctx.store, issue.key
    fixed = fixed_rendering(issue, ctx, options)
    if options.dry_run:
        return SendReport(issue.number, issue.subject, recipients=store.count_unclaimed(key),
                          note="dry run: nothing sent")
    # Claims of dead runs: uncertain, or released when their request never left.
    found_dead, never_left = store.sweep_stale_claims(key,
                                                      older_than=ctx.clock() - options.lease)
    retried = never_left + _release_for_retry(store, key, options)
    skipped = _counts(store, key).sent
    message = _message(fixed.rendered, ctx.config, key, version=fixed.version)
    leftovers = Leftovers(store, key, ctx.sleep)
    result = _run_batches(issue, message, ctx, leftovers)
    return issue_report(issue, result, ctx, options,
                        Earlier(dead=found_dead, retried=retried, skipped=skipped),
                        locked=leftovers.left)


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


def _message(rendered: RenderedIssue, config: Config, key: str, *, test: bool = False,
             version: int = 1) -> Message:
    return Message(rendered=rendered, sender=config.sender, issue_key=key,
                   categories=config.sendgrid.categories, test=test,
                   list_id=list_id(config), version=version)


def _run_batches(issue: Issue, message: Message, ctx: SendContext,
                 leftovers: Leftovers) -> RunResult:
    """``delivery.concurrency`` claim-send-record loops until nobody is left."""
    store, key = ctx.store, issue.key

    def claim(batch_id: str, limit: int) -> list[Batch] | None:
        rows = store.claim_batch(key, batch_id=batch_id, limit=limit, now=ctx.clock())
        if rows:
            return [Batch(key, rows)]
        return [] if leftovers.look_again() else None

    def prepare(batch: Batch) -> tuple[Message, list[Recipient]]:
        return message, [_recipient(c, key, ctx) for c in batch.rows]

    limiter, size = make_limiter(ctx)
    return BatchRun(ctx, claim, prepare, limiter=limiter, batch_size=size,
                    ahead=True).run(ctx.config.delivery.concurrency)


def _recipient(claimed: Claimed, key: str, ctx: SendContext) -> Recipient:
    return Recipient(email=claimed.email, name=claimed.name,
                     fields=ctx.links.fields(claimed, key),
                     subscriber_id=str(claimed.subscriber_id))
