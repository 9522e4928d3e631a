"""Confirmation emails from the sign-up queue, sent after the form has answered.

The form only queues (:func:`newsletter.store.signups.enqueue_signup`); here each queued
sign-up becomes a ``pending`` subscriber with its consent record (the form's time and IP)
and gets its confirmation email: at most one per address per interval, never to a bounced
or complained address, and for an unsubscribed reader a link that brings them back only if
nothing changed since. A failed email is tried again later, then given up and logged.
``newsletter serve`` runs :func:`process_signups` in the background; so does ``send --due``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Config
from ..errors import BackendAuthError, ConfigError
from ..rendering.links import Links
from ..store import Store, Subscriber, SubscriberInput
from ..store.events import claim_confirmation, latest_change_id
from ..store.signups import (
    QueuedSignup,
    claim_signups,
    finish_signup,
    prepare_signup,
    purge_signups,
)
from ..tokens import make_token
from .backends import Backend
from .confirm import Confirmation, confirmation_for, send_confirmation

log = logging.getLogger("newsletter.signups")
SOURCE = "web form"
ASKABLE = ("pending", "unsubscribed")  # who a sign-up may send a confirmation to


@dataclass(frozen=True)
class SignupPolicy:
    """How confirmations are sent: throttle, link lifetime, retries, lease, retention."""

    interval: timedelta = timedelta(minutes=10)  # one confirmation email per address
    valid: timedelta = timedelta(days=7)  # how long a confirmation link works
    retries: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5),
                                      timedelta(minutes=30), timedelta(hours=2))
    lease: timedelta = timedelta(minutes=5)  # a claim this old belongs to a dead worker
    keep_done: timedelta = timedelta(hours=1)  # then a sign-up's row (address, IP) goes
    keep_failed: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class SignupContext:
    """What sending confirmations needs."""

    config: Config
    store: Store
    backend: Backend
    secret: str
    clock: Callable[[], datetime]
    policy: SignupPolicy = SignupPolicy()


@dataclass(frozen=True)
class SignupReport:
    """What one pass over the queue did."""

    sent: int = 0
    skipped: int = 0  # no email due (throttled, bounced, complained, already active)
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: SignupReport) -> SignupReport:
        return SignupReport(self.sent + other.sent, self.skipped + other.skipped,
                            self.retrying + other.retrying, self.failed + other.failed)


def process_signups(ctx: SignupContext) -> SignupReport:
    """Send every due confirmation email in the queue; then purge old finished rows.

    A provider that refuses our credentials stops the pass (the rest wait for the next).
    """
    report = SignupReport()
    while claimed := claim_signups(ctx.store, now=ctx.clock(), lease=ctx.policy.lease):
        for index, signup in enumerate(claimed):
            try:
                report += _handle(ctx, signup)
            except (BackendAuthError, ConfigError) as exc:
                log.error("confirmation emails not sent: %s", exc)
                for left in claimed[index:]:
                    _retry_or_fail(ctx, left, str(exc))
                return report + SignupReport(retrying=len(claimed) - index)
    purge_signups(ctx.store, now=ctx.clock(), done_after=ctx.policy.keep_done,
                  failed_after=ctx.policy.keep_failed)
    return report


def _handle(ctx: SignupContext, signup: QueuedSignup) -> SignupReport:
    subject = signup.subject
    if subject is None:
        subject = _decide(ctx, signup)
        if subject is None:
            finish_signup(ctx.store, signup.id, now=ctx.clock(), status="done")
            return SignupReport(skipped=1)
    subscriber = ctx.store.get_subscriber(subject.partition(":")[0])
    if subscriber is None:  # erased meanwhile
        finish_signup(ctx.store, signup.id, now=ctx.clock(), status="done")
        return SignupReport(skipped=1)
    outcome = send_confirmation(_confirmation(ctx, subscriber, subject), ctx.config,
                                ctx.backend)
    if outcome.ok:
        finish_signup(ctx.store, signup.id, now=ctx.clock(), status="done")
        return SignupReport(sent=1)
    log.warning("confirmation email for subscriber #%s %s: %s", subscriber.id,
                outcome.status, outcome.error)
    return _retry_or_fail(ctx, signup, outcome.error or outcome.status)


def _decide(ctx: SignupContext, signup: QueuedSignup) -> str | None:
    """The subscriber for a new sign-up (created ``pending`` with its consent record) and
    what their confirmation link names; None when no email is due."""
    subscriber = ctx.store.get_subscriber(signup.email)
    if subscriber is None:
        subscriber, _ = ctx.store.add_subscriber(SubscriberInput(
            email=signup.email, name=signup.name, status="pending", timezone=signup.timezone,
            consent_at=signup.at, consent_ip=signup.ip), source=SOURCE, now=signup.at)
    if subscriber.status not in ASKABLE:
        return None  # active already, or bounced or complained: never mailed again
    claim = claim_confirmation(ctx.store, subscriber.id, ip=signup.ip, now=signup.at,
                               interval=ctx.policy.interval)
    if claim is None:
        return None
    subject = confirm_subject(ctx.store, subscriber, claim)
    prepare_signup(ctx.store, signup.id, confirmation_id=claim, subject=subject)
    return subject


def confirm_subject(store: Store, subscriber: Subscriber, claim: int) -> str:
    """What the confirmation link names: the key, plus for an unsubscribed reader the
    request (the status change it answers and the claim holding its time and IP).

    Until the link is used an unsubscribed reader stays unsubscribed (anyone can type an
    address into the form); the link then works only if nothing changed meanwhile.
    """
    if subscriber.status != "unsubscribed":
        return subscriber.key
    return f"{subscriber.key}:{latest_change_id(store, subscriber.id)}:{claim}"


def _confirmation(ctx: SignupContext, subscriber: Subscriber, subject: str) -> Confirmation:
    token = make_token(ctx.secret, "confirm", subject)
    return confirmation_for(subscriber.email, subscriber.name, subscriber.id, subscriber.key,
                            Links(ctx.config.base_url, ctx.secret), token,
                            valid_days=max(1, ctx.policy.valid.days))


def _retry_or_fail(ctx: SignupContext, signup: QueuedSignup, error: str) -> SignupReport:
    now = ctx.clock()
    if signup.attempts > len(ctx.policy.retries):
        log.error("confirmation email for sign-up #%s given up after %d attempts: %s",
                  signup.id, signup.attempts, error)
        finish_signup(ctx.store, signup.id, now=now, status="failed", error=error)
        return SignupReport(failed=1)
    finish_signup(ctx.store, signup.id, now=now, status="queued", error=error,
                  retry_at=now + ctx.policy.retries[signup.attempts - 1])
    return SignupReport(retrying=1)


class SignupWorker:
    """A background thread that drains the queue when woken, and every ``poll`` seconds
    (retries come due; other server processes may have queued sign-ups)."""

    def __init__(self, ctx: SignupContext, poll: float = 5.0) -> None:
        self.ctx, self.poll = ctx, poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signups", daemon=True)

    def start(self) -> SignupWorker:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Ask for a pass now (a sign-up was just queued)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the current pass and end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                process_signups(self.ctx)
            except Exception:  # the worker must outlive a database hiccup
                log.exception("sign-up queue: pass failed; trying again shortly")
            self._wake.wait(self.poll)
            self._wake.clear()
