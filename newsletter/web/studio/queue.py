"""The queue: issues in send order as a list and a calendar of the coming weeks; re-plan.

The rows are those of ``newsletter queue --json`` (:func:`queue_rows`), so the page and the
command always agree; invalid files are listed with their error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ...config import WEEKDAYS
from ...content.banks import BANK_FILES
from ...content.contentfile import load_content
from ...errors import NewsletterError
from ...files import file_version
from ...planning.issuefile import load_queue, planned_zones, queue_rows
from ...planning.plan import plan_folder, plan_summary
from ...planning.schedule import schedule_for
from ..common import web_context
from .pages import notice, studio_page

blueprint = Blueprint("queue", __name__)
CALENDAR_WEEKS = 6


@dataclass
class Day:
    """One day of the calendar and the issues going out on it."""

    date: date
    past: bool
    issues: list[dict[str, Any]] = field(default_factory=list)


@blueprint.get("/")
def home() -> Response:
    """The studio opens on the queue."""
    return redirect(url_for("studio.queue.index"))


@blueprint.get("/queue")
def index() -> ResponseReturnValue:
    """The issues in send order (list and calendar), invalid files, and the re-plan form."""
    ctx = web_context()
    config = ctx.config
    queue = load_queue(config.issues_dir)
    rows = queue_rows(queue, config.tz, ctx.store.counts_by_key(),
                      zones=planned_zones(config.issues_dir))
    sent = {s.issue_key for s in ctx.store.list_sends()}
    issues = [dict(row, sent=row["id"] in sent, version=file_version(Path(row["file"])))
              for row in rows if "error" not in row]
    errors = [row for row in rows if "error" in row]
    today = ctx.clock().astimezone(config.tz).date()
    return studio_page("queue.html.j2", title="Queue", issues=issues, errors=errors,
                       weeks=calendar(issues, today), weekdays=WEEKDAYS,
                       contents=content_files(), zone=_zones_said(issues, config.timezone),
                       cadence=config.cadence, mode=config.mode)


def _zones_said(issues: list[dict[str, Any]], default: str) -> str:
    """The zone the times are in: the one every issue was planned in, else "" (several:
    each row names its own)."""
    zones = {row["timezone"] for row in issues if row["send_at_local"]} or {default}
    return zones.pop() if len(zones) == 1 else ""


def calendar(issues: list[dict[str, Any]], today: date) -> list[list[Day]]:
    """Weeks (Monday first) from this week on, each day with the issues sent on it."""
    monday = today - timedelta(days=today.weekday())
    days = [Day(monday + timedelta(days=n), monday + timedelta(days=n) < today)
            for n in range(7 * CALENDAR_WEEKS)]
    by_date = {d.date: d for d in days}
    for row in issues:
        if row["send_at_local"]:
            when = datetime.fromisoformat(row["send_at_local"])
            if when.date() in by_date:
                by_date[when.date()].issues.append(dict(row, time=when.strftime("%H:%M")))
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def content_files() -> list[str]:
    """The content files of the newsletter folder (what can be planned)."""
    folder = web_context().config.content_dir
    return sorted(p.name for p in folder.glob("*.yaml")
                  if p.name not in BANK_FILES) if folder.is_dir() else []


@blueprint.post("/queue/plan")
def replan() -> ResponseReturnValue:
    """Plan a content file into issue files, with the cadence options of `newsletter plan`."""
    ctx = web_context()
    form = request.form
    name = form.get("content", "")
    if name not in content_files():
        notice(f"No content file {name!r} in content/.", "error")
        return redirect(url_for(".index"), 303)
    try:
        schedule = schedule_for(ctx.config, every=_blank(form.get("every")),
                                on=",".join(form.getlist("on")) or None,
                                at=_blank(form.get("at")), tz=_blank(form.get("tz")),
                                start=_blank(form.get("start")), now=ctx.clock())
        report = plan_folder(load_content(ctx.config.content_dir / name), schedule,
                             ctx.config, now=ctx.clock(),
                             status=form.get("status", "scheduled"),
                             history=ctx.store.recorded_history)
    except NewsletterError as exc:
        notice(f"Not planned: {exc}", "error")
        back = request.form.get("back", "")
        return redirect(back if back.startswith("/studio/") else url_for(".index"), 303)
    kept = [f"{a.path.name} ({a.reason})" for a in report.kept]
    notice(f"Planned {name}: {plan_summary(report, 'issues/')}"
           + (f" Kept: {'; '.join(kept)}." if kept else "")
           + (f" The series follows issue {report.follows.number}, the last one queued "
              "before it." if report.follows else "")
           + "".join(f" Issue {a.issue.number} now ends with what follows it." for a in
                     report.retold if a.action == "updated" and a.issue))
    return redirect(url_for(".index"), 303)


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None
