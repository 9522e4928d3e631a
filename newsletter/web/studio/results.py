"""Results: per issue sent, delivered, opened, clicked, bounced, complained, unsubscribed
(``newsletter stats``); per issue a chart of opens and clicks over time and its links;
the list's growth. Charts are server-rendered SVG, always with the same figures as a table.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from ...errors import NewsletterError
from ...stats import issue_stats
from ...store.events import DayCount, event_timeline, list_growth
from ..common import web_context
from .charts import line_chart
from .pages import studio_page

blueprint = Blueprint("results", __name__)
TOP_LINKS = 100


Series = dict[str, dict[str, int]]


def _table(counts: list[DayCount], kinds: tuple[str, ...]) -> tuple[list[str], Series]:
    by_kind: dict[str, dict[str, int]] = {k: defaultdict(int) for k in kinds}
    for c in counts:
        by_kind.setdefault(c.kind, defaultdict(int))[c.day] += c.count
    days = sorted({c.day for c in counts})
    return days, {k: dict(v) for k, v in by_kind.items()}


@blueprint.get("/results")
def index() -> ResponseReturnValue:
    """Every sent issue's figures, and the list's growth per day."""
    store = web_context().store
    days, growth = _table(list_growth(store), ("joined", "left"))
    return studio_page("results.html.j2", title="Results", stats=issue_stats(store, top=0),
                       days=days, growth=growth, chart=line_chart(days, growth) if days else None,
                       counts=store.count_by_status())


@blueprint.get("/results/<key>")
def issue(key: str) -> ResponseReturnValue:
    """One issue's figures, opens and clicks per day, and its links with their clicks."""
    store = web_context().store
    try:
        [stats] = issue_stats(store, key=key, top=TOP_LINKS)
    except NewsletterError as exc:
        abort(404, str(exc))
    days, series = _table(event_timeline(store, key), ("open", "click"))
    named = {"opens": series.get("open", {}), "clicks": series.get("click", {})}
    return studio_page("result.html.j2", title=f"Results of issue {stats.issue}", s=stats,
                       days=days, series=named, chart=line_chart(days, named) if days else None)
