"""The archive: every sent issue, as it was sent, with the per-reader parts neutralised.

The stored rendering (``sends`` table) is shown, so later edits of the issue file never
change what the archive says was sent. The greeting reads "there", the unsubscribe link
leads to a page explaining how to unsubscribe, and nobody's address appears.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import BadRequest, NotFound

from ..models import Recipient, RenderedIssue
from ..rendering.personalize import personalize
from ..tokens import TokenError, read_token_any
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
    """One sent issue as it was sent: the version its reader got when the view link's
    ``?t=`` token names one (an issue edited mid-send has several), else the latest.

    A damaged, forged or other issue's token is a 400 like every malformed token, whose
    page points to the public issue (nothing is looked up or recorded for it).
    """
    ctx = web_context()
    current = ctx.store.current_rendering(key)
    if current is None:
        raise NotFound("No such issue has been sent.")
    version = _readers_version(key, request.args.get("t"))
    shown = (ctx.store.rendering_version(key, version) if version else None) or current
    response = Response(neutral_html(shown.rendered, url_for("unsubscribe.how_to_unsubscribe"),
                                     url_for("archive.issue", key=key)),
                        mimetype="text/html")
    response.headers["Content-Security-Policy"] = _ISSUE_CSP
    response.headers["Cache-Control"] = f"{'private' if version else 'public'}, max-age=300"
    return response


def _readers_version(issue_key: str, token: str | None) -> int | None:
    """The version of the issue the token's reader was sent, or None (no token, or nothing
    recorded for its reader); 400 when the token is not a genuine one for this issue."""
    if token is None:
        return None
    ctx = web_context()
    reader = token_reader(ctx.secrets, token, issue_key)
    if reader is None:
        log.info("archive: refused an invalid view token for issue %s", issue_key)
        raise BadRequest("This view link is damaged, or belongs to another issue. The "
                         "issue as it was sent is at "
                         f"{url_for('archive.issue', key=issue_key, _external=True)}")
    return ctx.store.version_sent_to(issue_key, reader)


def neutral_html(sent: RenderedIssue, unsubscribe_url: str, view_url: str) -> str:
    """The stored HTML of a send with every per-reader placeholder replaced by a neutral one."""
    rendered = RenderedIssue(number=0, subject=sent.subject, preheader=sent.preheader,
                             html=sent.html, text="")
    reader = Recipient(email="", name=NEUTRAL_NAME,
                       fields={"unsubscribe_url": unsubscribe_url, "view_url": view_url})
    return personalize(rendered, reader)[0]


def token_reader(secrets: Sequence[str], token: str, issue_key: str) -> str | None:
    """The subscriber key a genuine view token for the issue names (signed with one of
    ``secrets``), else None."""
    try:
        subject = read_token_any(secrets, "view", token)
    except TokenError:
        return None
    reader, _, key = subject.partition(":")
    return reader if key == issue_key else None
