"""``/``: the newsletter's public page, with the sign-up form and its latest issues."""

from __future__ import annotations

from flask import Blueprint

from ..config import WEEKDAYS, Config
from ..planning.phrases import ENGLISH
from .common import page, web_context

blueprint = Blueprint("home", __name__)
LATEST = 3  # issues listed on the page; the archive has them all


@blueprint.get("/")
def home() -> tuple[str, int]:
    """What a visitor finds at the server's address: what it is, the form, the archive."""
    config = web_context().config
    sends = [s for s in web_context().store.list_sends() if s.number is not None]
    return page("home.html.j2", title=config.name, latest=sends[::-1][:LATEST],
                often=how_often(config), email="", name="", error="")


def how_often(config: Config) -> str:
    """How often the emails come, from the cadence in newsletter.yaml: "every 3 days",
    "every Monday and Thursday"; in sequence mode counted from the day one signs up."""
    cadence = config.cadence
    if config.mode == "sequence":
        return f"{ENGLISH.often(cadence.every_days)}, from the day you sign up"
    days = tuple(WEEKDAYS.index(d) for d in cadence.weekdays)
    return ENGLISH.often(cadence.every_days, days)
