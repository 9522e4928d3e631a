"""The marketer's studio under ``/studio/``: queue, issue editor, articles, subscribers, results.

Server-rendered pages over the same library functions as the CLI (issue files, plan,
split, render, send --test, subscriber import/export, stats); a little JavaScript
(static/studio.js) only improves them. One module per area, one blueprint each, all
nested in the ``studio`` blueprint, whose guard (:mod:`.auth`) refuses every page and
action without a signed-in session (sign-in redirect for GET, 403 for anything else) and
every POST without the session's CSRF token.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from flask import Blueprint, Flask, Response

from ..common import WebContext
from . import articles, auth, editor, queue, results, subscribers

HERE = Path(__file__).parent
# Studio pages: own scripts and styles only; previews framed from here, nowhere else.
STUDIO_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
              "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; frame-src 'self'; "
              "connect-src 'self'")

studio = Blueprint("studio", __name__, url_prefix="/studio", static_folder="static",
                   static_url_path="/static")


@studio.after_request
def _studio_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", STUDIO_CSP)
    return response


for _area in (auth, queue, editor, articles, subscribers, results):
    studio.register_blueprint(_area.blueprint)
studio.before_request(auth.guard)
studio.context_processor(auth.studio_context)


def install_studio(app: Flask, ctx: WebContext) -> None:
    """Add the studio to the app: its templates, session cookie settings and blueprints."""
    app.jinja_env.loader = jinja2.ChoiceLoader([
        app.jinja_env.loader, jinja2.FileSystemLoader(str(HERE / "templates"))])
    auth.configure_sessions(app, ctx)
    app.register_blueprint(studio)
