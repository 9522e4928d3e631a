"""Subscribers: search and filter by status, one subscriber's page (status history, consent,
what they received), CSV import with per-row errors, export, pause/resume (sequence mode).

Import and export are :func:`newsletter.subscribers.import_csv` / ``export_csv`` (what
``newsletter subscribers import|export`` run); pause/resume is ``newsletter pause|resume``.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ...errors import NewsletterError
from ...store import SUBSCRIBER_STATUSES
from ...store import sequence as seqdb
from ...store.events import received_by
from ...subscribers import export_csv, import_csv
from ..common import web_context
from .auth import current_user
from .pages import notice, studio_page

blueprint = Blueprint("subscribers", __name__)
PAGE = 50


@blueprint.get("/subscribers")
def index() -> ResponseReturnValue:
    """Search by address or name, filter by status, a page of 50 at a time."""
    ctx = web_context()
    text = request.args.get("q", "")[:200]
    status = request.args.get("status") or None
    if status not in (None, *SUBSCRIBER_STATUSES):
        abort(400, f"{status!r} is not a status.")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, found = ctx.store.search_subscribers(text, status=status, limit=PAGE,
                                                offset=(page - 1) * PAGE)
    return studio_page("subscribers.html.j2", title="Subscribers", found=found, total=total,
                       q=text, status=status or "", statuses=SUBSCRIBER_STATUSES, page=page,
                       pages=max((total + PAGE - 1) // PAGE, 1),
                       counts=ctx.store.count_by_status(), mode=ctx.config.mode)


@blueprint.get("/subscribers/<int:subscriber_id>")
def show(subscriber_id: int) -> ResponseReturnValue:
    """One subscriber: details, consent, status history, what they received."""
    ctx = web_context()
    found = ctx.store.get_subscriber(subscriber_id)
    if found is None:
        abort(404, "No such subscriber.")
    sends = {s.issue_key: s for s in ctx.store.list_sends()}
    progress = (seqdb.position(ctx.store.engine, found.email)
                if ctx.config.mode == "sequence" else None)
    return studio_page("subscriber.html.j2", title=found.email, who=found,
                       history=ctx.store.status_history(found.id),
                       received=received_by(ctx.store, found.id), subjects=sends,
                       mode=ctx.config.mode, progress=progress)


@blueprint.post("/subscribers/<int:subscriber_id>/pause")
def pause(subscriber_id: int) -> Response:
    """Hold the drip sequence for this subscriber (``newsletter pause EMAIL``)."""
    return _switch(subscriber_id, True)


@blueprint.post("/subscribers/<int:subscriber_id>/resume")
def resume(subscriber_id: int) -> Response:
    """Let the drip sequence go on (``newsletter resume EMAIL``)."""
    return _switch(subscriber_id, False)


def _switch(subscriber_id: int, paused: bool) -> Response:
    ctx = web_context()
    found = ctx.store.get_subscriber(subscriber_id)
    if found is None:
        abort(404, "No such subscriber.")
    if ctx.config.mode != "sequence":
        abort(409, "Pause and resume are for sequence mode.")
    seqdb.set_paused(ctx.store.engine, found.email, paused)
    notice(f"{found.email} is {'paused' if paused else 'resumed'}.")
    return redirect(url_for(".show", subscriber_id=subscriber_id), 303)


@blueprint.post("/subscribers/import")
def import_file() -> ResponseReturnValue:
    """Import a CSV of subscribers; good rows import, every bad row is shown with its line."""
    ctx = web_context()
    upload = request.files.get("csv")
    if upload is None or not upload.filename:
        notice("Choose a CSV file to import.", "error")
        return redirect(url_for(".index"), 303)
    status = request.form.get("status", "active")
    if status not in ("active", "pending"):
        abort(400, "Import as active or pending.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.csv"
        upload.save(path)
        user = current_user()
        try:
            report = import_csv(path, ctx.store, status=status, now=ctx.clock(),
                                source=f"studio:{user.email if user else ''}",
                                default_tz=ctx.config.timezone, secret=ctx.secret,
                                previous=ctx.previous)
        except NewsletterError as exc:
            notice(f"Not imported: {exc}", "error")
            return redirect(url_for(".index"), 303)
    return studio_page("imported.html.j2", title="Import", report=report,
                       filename=upload.filename)


@blueprint.get("/subscribers/export.csv")
def export() -> Response:
    """Every subscriber (or one status) as CSV (``newsletter subscribers export``)."""
    status = request.args.get("status") or None
    if status not in (None, *SUBSCRIBER_STATUSES):
        abort(400, f"{status!r} is not a status.")
    out = io.StringIO()
    export_csv(web_context().store, out, status=status)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
    return response
