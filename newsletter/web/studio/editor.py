"""The issue editor: subject, preheader, blocks as Markdown (reorder, remove, move to another
issue), the call to action; save with stale-save refusal; live preview at desktop and phone
widths; reschedule, cancel and restore; a test send; sent issues read-only.

The form is turned back into an :class:`Issue` and written by
:func:`newsletter.planning.edits.save_issue`; previews use
:func:`newsletter.rendering.preview.preview_of` (the renderer of sending); "Send test" is
:func:`newsletter.delivery.broadcast.send_test` (``newsletter send N --test``).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from ...content.banks import bank_block, load_banks
from ...delivery.broadcast import send_test
from ...delivery.run import SendContext
from ...errors import InputError, IssueFileError, NewsletterError, StaleFileError
from ...models import CallToAction, Image, Issue, IssueBlock, Source
from ...planning.edits import (
    Versioned,
    cancelled,
    move_block,
    read_versioned,
    rescheduled,
    restored,
    save_issue,
)
from ...planning.issuefile import (
    LoadedIssue,
    find_issue,
    load_queue,
    planned_zones,
    zone_name,
)
from ...planning.plan import PREHEADER_MAX, SUBJECT_MAX
from ...rendering.preview import preview_of
from ...subscribers import email_problem
from ..archive import neutral_html
from ..common import web_context
from .pages import notice, studio_page

blueprint = Blueprint("editor", __name__)
# The email's own look in the preview frame; no scripts; framed only by the studio.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
               "form-action 'none'; base-uri 'none'; frame-ancestors 'self'")


def _loaded(number: int) -> LoadedIssue:
    try:
        return find_issue(load_queue(web_context().config.issues_dir), number)
    except NewsletterError as exc:
        abort(404, str(exc))


def _versioned(number: int) -> Versioned:
    return read_versioned(_loaded(number).path)


def _is_sent(issue: Issue) -> bool:
    return web_context().store.get_send(issue.key) is not None


@blueprint.get("/issues/<int:number>")
def edit(number: int) -> ResponseReturnValue:
    """The editor of one issue (read-only with its stored rendering once sent)."""
    current = _versioned(number)
    return _editor(current, current.issue)


def _editor(current: Versioned, shown: Issue, code: int = 200, error: str = "",
            version: str | None = None) -> tuple[str, int]:
    ctx = web_context()
    number = current.issue.number
    others = [i.issue for i in load_queue(ctx.config.issues_dir).issues
              if i.issue.number != number and not _is_sent(i.issue)]
    zone = _issue_zone(current.loaded.path)
    local = (current.issue.send_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
             if current.issue.send_at else "")
    warnings = _warnings(shown)
    return studio_page("editor.html.j2", code, title=f"Issue {number}", issue=shown,
                       file=current.loaded.path.name, version=version or current.version,
                       sent=_is_sent(current.issue), others=others, send_at_local=local,
                       zone=zone_name(zone), error=error, warnings=warnings,
                       subject_max=SUBJECT_MAX, preheader_max=PREHEADER_MAX,
                       blocks_json=[_sources_json(b) for b in shown.blocks],
                       bank=_bank_or_error())


def _bank_or_error() -> list[tuple[str, str]] | str:
    try:
        return bank_entries()
    except NewsletterError as exc:
        return str(exc)


def _warnings(issue: Issue) -> list[str]:
    found: list[str] = []  # the findings of `newsletter check` (subject, preheader, ...)
    try:
        found += preview_of(issue, web_context().config).warnings
    except NewsletterError as exc:
        found.append(str(exc))
    return found


def _sources_json(block: IssueBlock) -> str:
    return json.dumps([{"n": s.n, "url": s.url, "text": s.text} for s in block.sources])


BLOCK_FIELDS = ("key", "kind", "title", "body", "origin", "sources", "url", "name", "detail",
                "image_src", "image_alt")


def issue_from_form(base: Issue, form: MultiDict[str, str]) -> tuple[Issue, list[str]]:
    """The issue as the form describes it (blocks in the order submitted), and the blocks'
    keys in that order (a block's key is its place when the page was made)."""
    columns = {name: form.getlist(name) for name in BLOCK_FIELDS}
    if len({len(values) for values in columns.values()}) > 1:
        abort(400, "The form's blocks are incomplete: reload the page.")
    rows = [dict(zip(BLOCK_FIELDS, values, strict=True))
            for values in zip(*columns.values(), strict=True)]
    blocks = tuple(_block(row) for row in rows)
    cta = base.cta
    if "cta_body" in form:
        body = _text(form.get("cta_body", ""))
        button = form.get("cta_button", base.cta.button if base.cta else "").strip()
        cta = CallToAction(title=form.get("cta_title", "").strip(), body=body,
                           url=form.get("cta_url", "").strip(), button=button) if body else None
    following = _text(form["next"]) if "next" in form else base.next
    return replace(base, subject=form.get("subject", "").strip(),
                   preheader=form.get("preheader", "").strip(), blocks=blocks, cta=cta,
                   next=following), [row["key"] for row in rows]


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def _block(row: dict[str, str]) -> IssueBlock:
    src = row["image_src"].strip()
    return IssueBlock(kind=row["kind"].strip() or "tip", title=row["title"].strip(),
                      body=_text(row["body"]), origin=row["origin"],
                      sources=_sources(row["sources"]), url=row["url"].strip(),
                      name=row["name"].strip(), detail=row["detail"].strip(),
                      image=Image(src=src, alt=row["image_alt"].strip()) if src else None)


def _sources(text: str) -> tuple[Source, ...]:
    try:
        items = json.loads(text or "[]")
        return tuple(Source(n=str(i["n"]), url=str(i["url"]), text=str(i.get("text", "")))
                     for i in items)
    except (ValueError, TypeError, KeyError):
        abort(400, "A block's sources are damaged: reload the page.")


def _apply(issue: Issue, keys: list[str], op: str) -> tuple[Issue, int | None]:
    """A block operation of the no-JavaScript buttons; returns the block to move, if any."""
    name, _, key = op.partition(":")
    if key not in keys:
        return issue, None
    at = keys.index(key)
    blocks = list(issue.blocks)
    if name == "up" and at > 0:
        blocks[at - 1], blocks[at] = blocks[at], blocks[at - 1]
    elif name == "down" and at < len(blocks) - 1:
        blocks[at + 1], blocks[at] = blocks[at], blocks[at + 1]
    elif name == "remove":
        del blocks[at]
    elif name == "move":
        return issue, at
    return replace(issue, blocks=tuple(blocks)), None


@blueprint.post("/issues/<int:number>")
def save(number: int) -> ResponseReturnValue:
    """Write the edited issue back to its file, unless it changed since the page loaded."""
    current = _versioned(number)
    if _is_sent(current.issue):
        abort(409, "This issue has been sent: it can no longer be changed.")
    version = request.form.get("version", "")
    edited, keys = issue_from_form(current.issue, request.form)
    try:
        edited = _added_from_bank(edited, request.form.get("op", ""))
        edited, moving = _apply(edited, keys, request.form.get("op", "save"))
        if moving is not None:
            return _move(current, edited, moving, keys[moving], version)
        save_issue(current.loaded.path, edited, expected=version,
                   expires=current.loaded.expires)
    except StaleFileError:
        return _editor(current, edited, 409, version=version, error=(
            "Not saved: this issue's file was changed by someone else (or by plan or git) "
            "since you opened it. Your text is kept below; open the issue again to see the "
            "new version, then make your changes there."))
    except InputError as exc:
        return _editor(current, edited, 422, version=version,
                       error=f"Not saved: {exc.field or 'issue'}: {exc.message}")
    notice(f"Saved {current.loaded.path.name}.")
    return redirect(url_for(".edit", number=number), 303)


def bank_entries() -> list[tuple[str, str]]:
    """The bank entries ready to send, as (``from`` value, label) for the "Add" list."""
    banks = load_banks(web_context().config.content_dir)
    return ([(f"testimonials#{t.key}", f"Testimonial: {t.name}") for t in banks.ready_testimonials]
            + [(f"resources#{r.key}", f"Resource: {r.title}") for r in banks.ready_resources])


def _added_from_bank(issue: Issue, op: str) -> Issue:
    """The issue with the chosen bank entry appended (op ``add``)."""
    if op != "add":
        return issue
    wanted = request.form.get("bank", "")
    banks = load_banks(web_context().config.content_dir)
    for entry in (*banks.ready_testimonials, *banks.ready_resources):
        block = bank_block(entry)
        if block.origin == wanted:
            return replace(issue, blocks=(*issue.blocks, block))
    raise InputError(f"no ready bank entry {wanted!r}", field="bank")


def _move(current: Versioned, edited: Issue, index: int, key: str, version: str) -> Response:
    target = request.form.get(f"move_to-{key}", "")
    if not target.isdigit() or int(target) == current.issue.number or \
            _is_sent(_loaded(int(target)).issue):
        abort(400, "Choose another issue that has not been sent.")
    source = Versioned(replace(current.loaded, issue=edited), version)
    move_block(source, index, _loaded(int(target)).path)
    notice(f"Moved the block to issue {target}.")
    return redirect(url_for(".edit", number=current.issue.number), 303)


def _frame(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@blueprint.post("/issues/<int:number>/preview")
def preview(number: int) -> Response:
    """The email as the form stands (unsaved), for the sandboxed preview frame."""
    edited, _ = issue_from_form(_versioned(number).issue, request.form)
    return _rendered(edited)


@blueprint.get("/issues/<int:number>/preview")
def preview_saved(number: int) -> Response:
    """The email as saved, for the sandboxed preview frame."""
    return _rendered(_versioned(number).issue)


def _rendered(issue: Issue) -> Response:
    try:
        return _frame(preview_of(issue, web_context().config).html)
    except NewsletterError as exc:
        return _frame(f"<p>No preview: {_escape(str(exc))}</p>")


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


@blueprint.get("/issues/<int:number>/sent")
def sent_rendering(number: int) -> Response:
    """What subscribers receive (the stored rendering being sent), personal parts
    neutralised."""
    key = _loaded(number).issue.key
    sent = web_context().store.current_rendering(key)
    if sent is None:
        abort(404, "This issue has not been sent.")
    return _frame(neutral_html(sent.rendered, url_for("unsubscribe.how_to_unsubscribe"),
                               url_for("archive.issue", key=key)))


def _issue_zone(path: Path) -> ZoneInfo:
    """The zone the issue's time is shown and set in: the one `plan` planned it in (see
    :func:`planned_zones`), else newsletter.yaml's."""
    config = web_context().config
    zone = planned_zones(config.issues_dir).get(path.name, config.tz)
    return zone if isinstance(zone, ZoneInfo) else config.tz


def _change(number: int, change: Any, done: str) -> ResponseReturnValue:
    current = _versioned(number)
    if _is_sent(current.issue):
        abort(409, "This issue has been sent: it can no longer be changed.")
    try:
        save_issue(current.loaded.path, change(current.issue),
                   expected=request.form.get("version", ""), expires=current.loaded.expires)
    except StaleFileError:
        return _answer(number, "Not changed: the file was changed by someone else since the "
                       "page loaded. Look again and retry.", 409)
    except IssueFileError as exc:
        return _answer(number, f"Not changed: {exc.field or 'issue'}: {exc.message}", 422)
    return _answer(number, done, 200)


def _answer(number: int, text: str, code: int) -> ResponseReturnValue:
    """A notice and back to the page (or plain text for the calendar's script)."""
    if request.headers.get("X-Requested-With") == "studio":
        return Response(text, code, mimetype="text/plain")
    notice(text, "ok" if code == 200 else "error")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/studio/") else url_for(".edit", number=number),
                    303)


@blueprint.post("/issues/<int:number>/reschedule")
def reschedule(number: int) -> ResponseReturnValue:
    """Move the issue to the local time in "Send at" (in the zone the issue was planned in,
    else the newsletter's)."""
    zone = _issue_zone(_versioned(number).loaded.path)
    text = request.form.get("send_at", "").strip()
    try:
        when = datetime.fromisoformat(text).replace(tzinfo=zone)
    except ValueError:
        return _answer(number, f"Not changed: {text!r} is not a date and time.", 422)
    return _change(number, lambda issue: rescheduled(issue, when),
                   f"Issue {number} now goes out {when:%a %d %b %Y %H:%M} ({zone.key}).")


@blueprint.post("/issues/<int:number>/cancel")
def cancel(number: int) -> ResponseReturnValue:
    """Take the issue out of the queue (its file stays, with status cancelled)."""
    return _change(number, cancelled, f"Issue {number} is cancelled: it will not be sent.")


@blueprint.post("/issues/<int:number>/restore")
def restore(number: int) -> ResponseReturnValue:
    """Put a cancelled issue back in the queue."""
    return _change(number, restored, f"Issue {number} is back in the queue.")


@blueprint.post("/issues/<int:number>/test")
def test_send(number: int) -> ResponseReturnValue:
    """One proof of the saved issue to "Test address" (``newsletter send N --test``)."""
    ctx = web_context()
    address = request.form.get("address", "").strip()
    problem = email_problem(address)
    if problem:
        return _answer(number, f"No test sent: {problem}.", 422)
    issue = _versioned(number).issue
    send = SendContext(config=ctx.config, store=ctx.store, backend=ctx.backend,
                       links=ctx.links, clock=ctx.clock, sleep=time.sleep,
                       on_batch=lambda outcomes: None)
    try:
        outcome = send_test(issue, address, send)
    except NewsletterError as exc:
        return _answer(number, f"No test sent: {exc}", 422)
    if not outcome.ok:
        return _answer(number, f"The test to {address} was not sent: {outcome.error}", 502)
    return _answer(number, f"Test of issue {number} sent to {address}.", 200)
