"""Sign-up with double opt-in: the form, the queued confirmation email, the confirm button.

The form only queues the sign-up (one short transaction, the same for every address), so
its answer is the same, in the same time, whether or not the address is known, and a slow
provider never slows it; the confirmation email leaves from the queue (see
:mod:`newsletter.delivery.signups`). Each network may sign up a limited number of times a
minute, counted in the database, so the limit holds across server processes.

The link in the email opens a page with a button: GET (and HEAD) change nothing, because
mail scanners follow links; the button's POST confirms. A new address becomes ``active``;
an unsubscribed one only through a link asked for after unsubscribing, while nothing
changed since (anyone can type an address into the form); a bounced or complained one
never.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, request

from ..addresses import clean_name, normalize_address
from ..errors import InputError
from ..store import Subscriber
from ..store.events import reconfirm
from ..store.signups import SignupRequest, enqueue_signup
from ..tokens import TokenError, erasure_hash, read_token_any
from ..validators import browser_zone
from .common import client_ip, log, message_page, page, web_context

blueprint = Blueprint("subscribe", __name__)
SOURCE = "web form"
CONFIRM_SOURCE = "confirm link"
MAX_NAME = 100
HONEYPOT = "website"  # hidden from people; bots fill it in


@blueprint.get("/subscribe")
def form() -> tuple[str, int]:
    """The sign-up form."""
    return page("subscribe.html.j2", title=f"Subscribe to {web_context().config.name}",
                email="", name="", error="")


@blueprint.post("/subscribe")
def sign_up() -> tuple[str, int]:
    """Queue the sign-up; the same answer for everyone, or a page saying to wait."""
    ctx = web_context()
    given = request.form.get("email", "").strip()[:320]
    name = clean_name(request.form.get("name", ""), MAX_NAME)
    try:
        email = normalize_address(given)
    except InputError:
        return page("subscribe.html.j2", 400, title="Subscribe", email=given, name=name,
                    error="Please enter a valid email address.")
    signup = SignupRequest(email=email, name=name, ip=client_ip(),
                           timezone=_timezone(request.form.get("tz", "")),
                           honeypot=bool(request.form.get(HONEYPOT)))
    if not enqueue_signup(ctx.store, signup, now=ctx.clock(), limit=ctx.settings.signup_limit,
                          window=ctx.settings.signup_window):
        log.warning("sign-up limit reached for a client network")
        return message_page("Too many sign-ups", "Too many sign-ups came from your network "
                            "in the last minute. Please wait a minute and try again.", 429)
    ctx.wake()
    return page("check_inbox.html.j2", title="Check your inbox")


@blueprint.get("/confirm/<token>")
def confirm_page(token: str) -> tuple[str, int]:
    """The confirmation page with its button; showing it changes nothing."""
    subscriber, _ = _subscriber(token)
    if subscriber.status == "active":
        return page("confirmed.html.j2", title="You are already subscribed", already=True)
    return page("confirm.html.j2", title=f"Confirm your subscription to "
                f"{web_context().config.name}", token=token)


@blueprint.post("/confirm/<token>")
def confirm(token: str) -> tuple[str, int]:
    """Activate the subscriber a valid, unexpired confirmation link names."""
    return _confirm(*_subscriber(token))


def _subscriber(token: str) -> tuple[Subscriber, str]:
    """The subscriber a confirmation token names and the rest of it; else the answer is
    the page saying why the link does not work."""
    ctx = web_context()
    try:
        subject = read_token_any(ctx.secrets, "confirm", token,
                             max_age=int(ctx.settings.signups.valid.total_seconds()))
    except TokenError as exc:
        abort(make_response(page("confirm_failed.html.j2", 400, title="This link does not work",
                                 reason=str(exc))))
    key, _, request_ref = subject.partition(":")
    subscriber = ctx.store.get_subscriber(key) if key and "@" not in key else None
    if subscriber is None:
        abort(make_response(page("confirm_failed.html.j2", 404, title="This link does not work",
                                 reason="this sign-up no longer exists")))
    return subscriber, request_ref


def _confirm(subscriber: Subscriber, request_ref: str) -> tuple[str, int]:
    ctx = web_context()
    if subscriber.status == "pending":
        ctx.store.set_status(subscriber.id, "active", source=CONFIRM_SOURCE, now=ctx.clock())
        # A confirmed sign-up is a new consent: an earlier erasure no longer holds.
        ctx.store.forget_erasure(*(erasure_hash(key, subscriber.email)
                                   for key in (ctx.secret, *ctx.previous)))
        log.info("subscriber #%s confirmed", subscriber.id)
        return page("confirmed.html.j2", title="You are subscribed", already=False)
    if subscriber.status == "active":
        return page("confirmed.html.j2", title="You are already subscribed", already=True)
    if subscriber.status == "unsubscribed":
        if _come_back(subscriber, request_ref):
            log.info("subscriber #%s resubscribed (confirmed sign-up)", subscriber.id)
            return page("confirmed.html.j2", title="You are subscribed", already=False)
        return message_page("You unsubscribed since",
                            "This address was unsubscribed after the link was sent. To come "
                            "back, sign up again and use the link in the new email.", 409)
    return message_page("We cannot send to this address",
                        "Emails to this address bounced or were reported as spam, so we no "
                        "longer send to it.", 409)


def _come_back(subscriber: Subscriber, request_ref: str) -> bool:
    """Reactivate through a link asked for after unsubscribing (see confirm_subject)."""
    ctx = web_context()
    change, _, claim = request_ref.partition(":")
    if not (change.isdigit() and claim.isdigit()):
        return False  # a link from before they unsubscribed
    return reconfirm(ctx.store, subscriber.id, since_change=int(change), claim_id=int(claim),
                     consent_source=SOURCE, source=CONFIRM_SOURCE, now=ctx.clock())


def _timezone(raw: str) -> str | None:
    """The browser's IANA zone (from Intl), or None when absent or unknown."""
    raw = raw.strip()[:64]
    return browser_zone(raw) if raw else None
