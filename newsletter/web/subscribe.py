"""Sign-up with double opt-in: the form, the confirmation email, the confirmation link.

The answer to a sign-up is the same whether or not the address is known (no one learns
who subscribes). A new address becomes ``pending`` with its consent record (time, source,
IP); a confirmation email goes out at most once per interval per address; the signed link
(valid 7 days by default) makes it ``active``. A bounced or complained address is never
mailed again, and an unsubscribed one needs the new link to come back.
"""

from __future__ import annotations

import unicodedata

from flask import Blueprint, request

from ..config import check_timezone
from ..confirm import confirmation_for, send_confirmation
from ..errors import BackendAuthError, ConfigError
from ..store import Subscriber, SubscriberInput
from ..store.events import claim_confirmation
from ..subscribers import email_problem
from ..tokens import TokenError, make_token, read_token
from .common import WebContext, client_ip, log, message_page, page, web_context

blueprint = Blueprint("subscribe", __name__)
SOURCE = "web form"
MAX_NAME = 100
HONEYPOT = "website"  # hidden from people; bots fill it in


@blueprint.get("/subscribe")
def form() -> tuple[str, int]:
    """The sign-up form."""
    return page("subscribe.html.j2", title=f"Subscribe to {web_context().config.name}",
                email="", name="", error="")


@blueprint.post("/subscribe")
def sign_up() -> tuple[str, int]:
    """Record the sign-up and send the confirmation email; the same answer for everyone."""
    email = request.form.get("email", "").strip()[:320]
    name = clean_name(request.form.get("name", ""))
    problem = email_problem(email)
    if problem:
        return page("subscribe.html.j2", 400, title="Subscribe", email=email, name=name,
                    error="Please enter a valid email address.")
    if not request.form.get(HONEYPOT):
        _sign_up(web_context(), email, name, _timezone(request.form.get("tz", "")))
    return page("check_inbox.html.j2", title="Check your inbox")


def _sign_up(ctx: WebContext, email: str, name: str, timezone: str | None) -> None:
    now = ctx.clock()
    subscriber = ctx.store.get_subscriber(email)
    if subscriber is None:
        subscriber, _ = ctx.store.add_subscriber(SubscriberInput(
            email=email, name=name, status="pending", timezone=timezone, consent_at=now,
            consent_ip=client_ip()), source=SOURCE, now=now)
    elif subscriber.status == "unsubscribed":
        # Asking again is a new request: it takes effect only once the new link is used.
        subscriber = ctx.store.set_status(subscriber.id, "pending", source=SOURCE, now=now)
    if subscriber.status == "pending" and claim_confirmation(
            ctx.store, subscriber.id, ip=client_ip(), now=now,
            interval=ctx.settings.confirm_interval):
        _send(ctx, subscriber)


def _send(ctx: WebContext, subscriber: Subscriber) -> None:
    token = make_token(ctx.secret, "confirm", subscriber.key)
    days = max(1, ctx.settings.confirm_max_age.days)
    confirmation = confirmation_for(subscriber.email, subscriber.name, subscriber.id,
                                    subscriber.key, ctx.links, token, valid_days=days)
    try:
        outcome = send_confirmation(confirmation, ctx.config, ctx.backend)
    except (BackendAuthError, ConfigError) as exc:
        log.error("confirmation email for subscriber #%s not sent: %s", subscriber.id, exc)
        return
    if not outcome.ok:
        log.warning("confirmation email for subscriber #%s %s: %s", subscriber.id,
                    outcome.status, outcome.error)


@blueprint.get("/confirm/<token>")
def confirm(token: str) -> tuple[str, int]:
    """Activate the subscriber a valid, unexpired confirmation link names."""
    ctx = web_context()
    try:
        key = read_token(ctx.secret, "confirm", token,
                         max_age=int(ctx.settings.confirm_max_age.total_seconds()))
    except TokenError as exc:
        return page("confirm_failed.html.j2", 400, title="This link does not work",
                    reason=str(exc))
    subscriber = ctx.store.get_subscriber(key) if "@" not in key else None
    if subscriber is None:
        return page("confirm_failed.html.j2", 404, title="This link does not work",
                    reason="this sign-up no longer exists")
    return _confirm(ctx, subscriber)


def _confirm(ctx: WebContext, subscriber: Subscriber) -> tuple[str, int]:
    if subscriber.status == "pending":
        ctx.store.set_status(subscriber.id, "active", source="confirm link", now=ctx.clock())
        log.info("subscriber #%s confirmed", subscriber.id)
        return page("confirmed.html.j2", title="You are subscribed", already=False)
    if subscriber.status == "active":
        return page("confirmed.html.j2", title="You are already subscribed", already=True)
    if subscriber.status == "unsubscribed":
        return message_page("You unsubscribed since",
                            "This address was unsubscribed after the link was sent. To come "
                            "back, sign up again and use the link in the new email.", 409)
    return message_page("We cannot send to this address",
                        "Emails to this address bounced or were reported as spam, so we no "
                        "longer send to it.", 409)


def clean_name(raw: str) -> str:
    """A display name from a form: no control characters, single spaces, short."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in raw)
    return " ".join(kept.split())[:MAX_NAME]


def _timezone(raw: str) -> str | None:
    """The browser's IANA zone (from Intl), or None when absent or unknown."""
    raw = raw.strip()[:64]
    if not raw:
        return None
    try:
        return check_timezone(raw).key
    except ConfigError:
        return None

