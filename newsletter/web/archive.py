"""The archive: every sent issue, as it was sent, with the per-reader parts neutralised.

The stored rendering (``sends`` table) is shown, so later edits of the issue file never
change what the archive says was sent. The greeting reads "there", the unsubscribe link
leads to a page explaining how to unsubscribe, and nobody's address appears.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import BadRequest, NotFound

from ..models import Recipient, RenderedIssue
from ..personalize import personalize
from ..store import SendRecord
from ..tokens import TokenError, read_token
from .common import page, web_context

blueprint = Blueprint("archive", __name__)
NEUTRAL_NAME = "there"
# The email's own look (inline styles, a <style> block, remote images); never scripts.
_ISSUE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
              "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")


@blueprint.get("/archive")
def index() -> tuple[str, int]:
    """Sent issues, newest first."""
    sends = [s for s in web_context().store.list_sends() if s.issue_key.isdigit()]
    sends.sort(key=lambda s: int(s.issue_key), reverse=True)
    return page("archive.html.j2", title="Archive", sends=sends)


@blueprint.get("/archive/<int:number>")
def issue(number: int) -> Response:
    """One sent issue as it was sent (``?t=`` from an email's view link is checked)."""
    ctx = web_context()
    token = request.args.get("t")
    if token is not None:
        _check_view_token(ctx.secret, token, number)
    sent = ctx.store.get_send(str(number))
    if sent is None:
        raise NotFound("No issue with this number has been sent.")
    response = Response(neutral_html(sent, url_for("unsubscribe.how_to_unsubscribe"),
                                     url_for("archive.issue", number=number)),
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


def _check_view_token(secret: str, token: str, number: int) -> None:
    try:
        subject = read_token(secret, "view", token)
    except TokenError as exc:
        raise BadRequest(f"{exc}.") from None
    if subject.rpartition(":")[2] != str(number):
        raise BadRequest("This link belongs to another issue.")
