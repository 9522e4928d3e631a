"""``/``: the newsletter's public page, with the sign-up form and its latest issues."""

from __future__ import annotations

from flask import Blueprint

from .common import page, web_context

blueprint = Blueprint("home", __name__)
LATEST = 3  # issues listed on the page; the archive has them all


@blueprint.get("/")
def home() -> tuple[str, int]:
    """What a visitor finds at the server's address: what it is, the form, the archive."""
    sends = [s for s in web_context().store.list_sends() if s.number is not None]
    return page("home.html.j2", title=web_context().config.name, latest=sends[::-1][:LATEST],
                email="", name="", error="")
