"""Unsubscribe: RFC 8058 one-click POST, a confirm page for people, and resubscribe.

``POST /unsubscribe/<token>`` with the form body ``List-Unsubscribe=One-Click`` (what
Gmail and Yahoo send, with no cookies) unsubscribes at once and answers 200. A GET never
changes anything (mail scanners follow links): it shows one button that POSTs, and after
it a button to resubscribe. Every change is recorded with its time and source; an
optional ``?i=<issue>`` on the link names the issue it came from, recorded in the source
(``one-click:issue-3``) so that statistics credit the right issue. Proofs (``send
--test``) carry a link for the key ``test``: it answers that nothing was changed.
"""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import BadRequest

from ..models import ISSUE_KEY_PATTERN
from ..store import Subscriber
from ..store.events import link_source
from ..tokens import TokenError, read_token_any
from .common import log, mask_email, message_page, page, web_context

blueprint = Blueprint("unsubscribe", __name__)
ONE_CLICK_FIELD, ONE_CLICK_VALUE = "List-Unsubscribe", "One-Click"
MAILABLE = ("active", "pending")
TEST_KEY = "test"  # the subscriber key of proofs (deliver.send_test)
ISSUE_PARAM = "i"


@blueprint.get("/unsubscribe")
def how_to_unsubscribe() -> tuple[str, int]:
    """A page explaining how to unsubscribe (the archive's neutral unsubscribe link)."""
    return page("unsubscribe_help.html.j2", title="How to unsubscribe")


@blueprint.get("/unsubscribe/<token>")
def confirm_page(token: str) -> tuple[str, int]:
    """The one-button confirmation; changes nothing."""
    key = _key(token)
    if key == TEST_KEY:
        return _test_link()
    subscriber = _subscriber(key)
    if subscriber is None:
        return _unknown()
    return page("unsubscribe.html.j2", title="Unsubscribe", token=token, issue=_issue(),
                address=mask_email(subscriber.email), status=subscriber.status)


@blueprint.post("/unsubscribe/<token>")
def change(token: str) -> tuple[str, int]:
    """One-click unsubscribe (RFC 8058), or the confirm page's unsubscribe / resubscribe."""
    one_click = request.form.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE
    action = "unsubscribe" if one_click else request.form.get("action", "")
    if action not in ("unsubscribe", "resubscribe"):
        raise BadRequest("Use the button on the unsubscribe page.")
    key = _key(token)
    if key == TEST_KEY:
        return _test_link()
    subscriber = _subscriber(key)
    if subscriber is None:
        # Nobody left to unsubscribe: a mailbox provider's one-click still succeeded.
        return message_page("You are unsubscribed", "This address is not on our list.") \
            if one_click else _unknown()
    if action == "resubscribe":
        return _resubscribe(token, subscriber)
    _unsubscribe(subscriber, link_source("one-click" if one_click else "web", _issue()))
    return page("unsubscribed.html.j2", title="You are unsubscribed", token=token,
                issue=_issue(), address=mask_email(subscriber.email),
                status=_status(subscriber))


def _key(token: str) -> str:
    """The subscriber key a valid unsubscribe token names; 400 when invalid."""
    try:
        return read_token_any(web_context().secrets, "unsubscribe", token)
    except TokenError as exc:
        raise BadRequest(f"{exc}. Use the unsubscribe link at the bottom of one of our "
                         "emails.") from None


def _subscriber(key: str) -> Subscriber | None:
    """The subscriber with this key, or None when they are gone."""
    return web_context().store.get_subscriber(key) if key and "@" not in key else None


def _issue() -> str | None:
    """The issue key the link came from (``?i=tips-3f9a2c7b1d0e``, or ``?i=3`` before
    ids), or None when absent or malformed.

    Not signed (links.py signs only the key): at worst a reader misattributes their own
    unsubscribe, so it is only kept when it looks like an issue key.
    """
    raw = request.args.get(ISSUE_PARAM, "")
    return raw if raw.isascii() and ISSUE_KEY_PATTERN.fullmatch(raw) else None


def _test_link() -> tuple[str, int]:
    return message_page("This link is from a test email",
                        "This unsubscribe link belongs to a test copy of an issue (a proof), "
                        "so nothing was changed. In a real issue it stops the emails at "
                        "once.")


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
    return page("resubscribed.html.j2", title="Welcome back", token=token, issue=_issue(),
                address=mask_email(subscriber.email))


def _status(subscriber: Subscriber) -> str:
    fresh = web_context().store.get_subscriber(subscriber.id)
    return fresh.status if fresh else "unsubscribed"
