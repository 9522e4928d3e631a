"""Sign-up with double opt-in: the form, the confirmation email, the confirmation link.

The answer to a sign-up is the same whether or not the address is known (no one learns
who subscribes). A new address becomes ``pending`` with its consent record (time, source,
IP); a confirmation email goes out at most once per interval per address; the signed link
(valid 7 days by default) makes it ``active``. A bounced or complained address is never
mailed again. An unsubscribed one stays unsubscribed (anyone can type an address into the
form) until the new link is used: then it is active again with the new consent record.
"""

from __future__ import annotations

from flask import Blueprint, request

from ..addresses import clean_name, normalize_address
from ..config import check_timezone
from ..delivery.confirm import confirmation_for, send_confirmation
from ..errors import BackendAuthError, ConfigError, InputError
from ..store import Subscriber, SubscriberInput
from ..store.events import claim_confirmation, latest_change_id, reconfirm
from ..tokens import TokenError, erasure_hash, make_token, read_token
from .common import WebContext, client_ip, log, message_page, page, web_context

blueprint = Blueprint("subscribe", __name__)
SOURCE = "web form"
CONFIRM_SOURCE = "confirm link"
ASKABLE = ("pending", "unsubscribed")  # who a sign-up may send a confirmation to
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
    given = request.form.get("email", "").strip()[:320]
    name = clean_name(request.form.get("name", ""), MAX_NAME)
    try:
        email = normalize_address(given)
    except InputError:
        return page("subscribe.html.j2", 400, title="Subscribe", email=given, name=name,
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
    if subscriber.status not in ASKABLE:
        return  # bounced or complained: never mailed again
    claim = claim_confirmation(ctx.store, subscriber.id, ip=client_ip(), now=now,
                               interval=ctx.settings.confirm_interval)
    if claim is not None:
        _send(ctx, subscriber, _confirm_subject(ctx, subscriber, claim))


def _confirm_subject(ctx: WebContext, subscriber: Subscriber, claim: int) -> str:
    """What the confirmation link names: the key, plus for an unsubscribed reader the
    request (the status change it answers and the claim holding its time and IP).

    Until the link is used an unsubscribed reader stays unsubscribed (anyone can type an
    address into the form); the link then works only if nothing changed meanwhile.
    """
    if subscriber.status != "unsubscribed":
        return subscriber.key
    return f"{subscriber.key}:{latest_change_id(ctx.store, subscriber.id)}:{claim}"


def _send(ctx: WebContext, subscriber: Subscriber, subject: str) -> None:
    token = make_token(ctx.secret, "confirm", subject)
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
    key, _, request_ref = key.partition(":")
    subscriber = ctx.store.get_subscriber(key) if key and "@" not in key else None
    if subscriber is None:
        return page("confirm_failed.html.j2", 404, title="This link does not work",
                    reason="this sign-up no longer exists")
    return _confirm(ctx, subscriber, request_ref)


def _confirm(ctx: WebContext, subscriber: Subscriber, request_ref: str) -> tuple[str, int]:
    if subscriber.status == "pending":
        ctx.store.set_status(subscriber.id, "active", source=CONFIRM_SOURCE, now=ctx.clock())
        # A confirmed sign-up is a new consent: an earlier erasure no longer holds.
        ctx.store.forget_erasure(erasure_hash(ctx.secret, subscriber.email))
        log.info("subscriber #%s confirmed", subscriber.id)
        return page("confirmed.html.j2", title="You are subscribed", already=False)
    if subscriber.status == "active":
        return page("confirmed.html.j2", title="You are already subscribed", already=True)
    if subscriber.status == "unsubscribed":
        if _come_back(ctx, subscriber, request_ref):
            log.info("subscriber #%s resubscribed (confirmed sign-up)", subscriber.id)
            return page("confirmed.html.j2", title="You are subscribed", already=False)
        return message_page("You unsubscribed since",
                            "This address was unsubscribed after the link was sent. To come "
                            "back, sign up again and use the link in the new email.", 409)
    return message_page("We cannot send to this address",
                        "Emails to this address bounced or were reported as spam, so we no "
                        "longer send to it.", 409)


def _come_back(ctx: WebContext, subscriber: Subscriber, request_ref: str) -> bool:
    """Reactivate through a link asked for after unsubscribing (see _confirm_subject)."""
    change, _, claim = request_ref.partition(":")
    if not (change.isdigit() and claim.isdigit()):
        return False  # a link from before they unsubscribed
    return reconfirm(ctx.store, subscriber.id, since_change=int(change), claim_id=int(claim),
                     consent_source=SOURCE, source=CONFIRM_SOURCE, now=ctx.clock())


def _timezone(raw: str) -> str | None:
    """The browser's IANA zone (from Intl), or None when absent or unknown."""
    raw = raw.strip()[:64]
    if not raw:
        return None
    try:
        return check_timezone(raw).key
    except ConfigError:
        return None

