"""The archive: every sent issue, as it was sent, with the per-reader parts neutralised.

The stored rendering (``sends`` table) is shown, so later edits of the issue file never
change what the archive says was sent. The greeting reads "there", the unsubscribe link
leads to a page explaining how to unsubscribe, and nobody's address appears.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import NotFound

from ..models import Recipient, RenderedIssue
from ..rendering.personalize import personalize
from ..store import SendRecord
from ..tokens import TokenError, read_token
from .common import log, page, web_context

blueprint = Blueprint("archive", __name__)
NEUTRAL_NAME = "there"
# The email's own look (inline styles, a <style> block, remote images); never scripts.
_ISSUE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
              "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")


@blueprint.get("/archive")
def index() -> tuple[str, int]:
    """Sent issues, newest first."""
    sends = [s for s in web_context().store.list_sends() if s.number is not None]
    return page("archive.html.j2", title="Archive", sends=sends[::-1])


@blueprint.get("/archive/<key>")
def issue(key: str) -> Response:
    """One sent issue as it was sent, the same public page for every reader.

    The view link's ``?t=`` token would only personalise the page; a damaged, forged or
    other issue's token is ignored, so the reader still sees the public issue.
    """
    ctx = web_context()
    token = request.args.get("t")
    if token is not None and not view_token_valid(ctx.secret, token, key):
        log.info("archive: ignored an invalid view token for issue %s", key)
    sent = ctx.store.get_send(key)
    if sent is None or sent.number is None:
        raise NotFound("No such issue has been sent.")
    response = Response(neutral_html(sent, url_for("unsubscribe.how_to_unsubscribe"),
                                     url_for("archive.issue", key=key)),
                        mimetype="text/html")
    response.headers["Content-Security-Policy"] = _ISSUE_CSP
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def neutral_html(sent: SendRecord, unsubscribe_url: str, view_url: str) -> str:
    """The stored HTML of a send with every per-reader placeholder replaced by a neutral one."""
    rendered = RenderedIssue(number=0, subject=sent.subject, preheader=sent.preheader,
                             html=sent.html, text="")
    reader = Recipient(email="", name=NEUTRAL_NAME,
                       fields={"unsubscribe_url": unsubscribe_url, "view_url": view_url})
    return personalize(rendered, reader)[0]


def view_token_valid(secret: str, token: str, issue_key: str) -> bool:
    """Whether ``token`` is a genuine view token for the issue with ``issue_key``."""
    try:
        subject = read_token(secret, "view", token)
    except TokenError:
        return False
    return subject.partition(":")[2] == issue_key
