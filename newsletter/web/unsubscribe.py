"""Unsubscribe: RFC 8058 one-click POST, a confirm page for people, and resubscribe.

``POST /unsubscribe/<token>`` with the form body ``List-Unsubscribe=One-Click`` (what
Gmail and Yahoo send, with no cookies) unsubscribes at once and answers 200. A GET never
changes anything (mail scanners follow links): it shows one button that POSTs, and after
it a button to resubscribe. Every change is recorded with its time and source.
"""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import BadRequest

from ..store import Subscriber
from ..tokens import TokenError, read_token
from .common import log, mask_email, message_page, page, web_context

blueprint = Blueprint("unsubscribe", __name__)
ONE_CLICK_FIELD, ONE_CLICK_VALUE = "List-Unsubscribe", "One-Click"
MAILABLE = ("active", "pending")


@blueprint.get("/unsubscribe")
def how_to_unsubscribe() -> tuple[str, int]:
    """A page explaining how to unsubscribe (the archive's neutral unsubscribe link)."""
    return page("unsubscribe_help.html.j2", title="How to unsubscribe")


@blueprint.get("/unsubscribe/<token>")
def confirm_page(token: str) -> tuple[str, int]:
    """The one-button confirmation; changes nothing."""
    subscriber = _subscriber(token)
    if subscriber is None:
        return _unknown()
    return page("unsubscribe.html.j2", title="Unsubscribe", token=token,
                address=mask_email(subscriber.email), status=subscriber.status)


@blueprint.post("/unsubscribe/<token>")
def change(token: str) -> tuple[str, int]:
    """One-click unsubscribe (RFC 8058), or the confirm page's unsubscribe / resubscribe."""
    one_click = request.form.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE
    action = "unsubscribe" if one_click else request.form.get("action", "")
    if action not in ("unsubscribe", "resubscribe"):
        raise BadRequest("Use the button on the unsubscribe page.")
    subscriber = _subscriber(token)
    if subscriber is None:
        # Nobody left to unsubscribe: a mailbox provider's one-click still succeeded.
        return message_page("You are unsubscribed", "This address is not on our list.") \
            if one_click else _unknown()
    if action == "resubscribe":
        return _resubscribe(token, subscriber)
    _unsubscribe(subscriber, "one-click" if one_click else "web")
    return page("unsubscribed.html.j2", title="You are unsubscribed", token=token,
                address=mask_email(subscriber.email), status=_status(subscriber))


def _subscriber(token: str) -> Subscriber | None:
    """The subscriber a valid unsubscribe token names (None if gone); 400 when invalid."""
    ctx = web_context()
    try:
        key = read_token(ctx.secret, "unsubscribe", token)
    except TokenError as exc:
        raise BadRequest(f"{exc}. Use the unsubscribe link at the bottom of one of our "
                         "emails.") from None
    return ctx.store.get_subscriber(key) if key and "@" not in key else None


def _unknown() -> tuple[str, int]:
    return message_page("No subscription found",
                        "This link does not belong to a subscription on our list. If you "
                        "still receive our emails, use the link at the bottom of the latest "
                        "one.", 404)


def _unsubscribe(subscriber: Subscriber, source: str) -> None:
    if subscriber.status not in MAILABLE:
        return  # already never mailed (unsubscribed, bounced or complained)
    ctx = web_context()
    ctx.store.set_status(subscriber.id, "unsubscribed", source=source, now=ctx.clock())
    log.info("subscriber #%s unsubscribed (%s)", subscriber.id, source)


def _resubscribe(token: str, subscriber: Subscriber) -> tuple[str, int]:
    ctx = web_context()
    if subscriber.status == "unsubscribed":
        # The token reached them in their own mailbox: as much proof as a confirmation link.
        ctx.store.set_status(subscriber.id, "active", source="web", now=ctx.clock())
        log.info("subscriber #%s resubscribed (web)", subscriber.id)
    elif subscriber.status not in MAILABLE:
        return message_page("We cannot send to this address",
                            "Emails to this address bounced or were reported as spam, so we "
                            "no longer send to it.", 409)
    return page("resubscribed.html.j2", title="Welcome back", token=token,
                address=mask_email(subscriber.email))


def _status(subscriber: Subscriber) -> str:
    fresh = web_context().store.get_subscriber(subscriber.id)
    return fresh.status if fresh else "unsubscribed"
