"""What every page shares: settings, the app's context, templates, errors and headers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from flask import Blueprint, Flask, Response, current_app, render_template, send_from_directory
from werkzeug.exceptions import HTTPException, NotFound

from ..config import Config
from ..delivery.backends import Backend
from ..delivery.signups import SignupPolicy
from ..rendering.links import Links
from ..rendering.render import lines_br
from ..store import Store

log = logging.getLogger("newsletter.web")
WEB_TEMPLATES = "web"
PAGE_TEMPLATES = Path(__file__).parents[1] / "templates"  # holds web/: the pages' defaults
_EXTENSION = "newsletter"
# Pages load only their own stylesheet and script; forms post only here; no framing.
_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class WebSettings:
    """Limits and windows of the web app (all have safe defaults)."""

    webhook_max_age: timedelta = timedelta(minutes=10)  # older signed timestamps: 403
    webhook_max_bytes: int = 5 * 1024 * 1024  # larger webhook bodies: 413
    form_max_bytes: int = 64 * 1024  # larger form posts: 413
    signups: SignupPolicy = field(default_factory=SignupPolicy)  # confirmation emails
    signup_limit: int = 20  # sign-ups per client network (IPv4, IPv6 /64) in the window
    signup_window: timedelta = timedelta(minutes=1)
    studio_idle: timedelta = timedelta(hours=2)  # a studio session unused this long ends
    studio_max: timedelta = timedelta(hours=12)  # and any session this long after sign-in
    signin_window: timedelta = timedelta(minutes=15)  # failed sign-ins counted over this
    signin_per_email: int = 5  # failures per address in the window before refusing
    signin_per_ip: int = 20  # failures per client address in the window before refusing


@dataclass(frozen=True)
class WebContext:
    """Everything the views need, fixed when the app is made."""

    config: Config
    store: Store
    secret: str
    backend: Backend
    clock: Callable[[], datetime]
    settings: WebSettings
    webhook_key: EllipticCurvePublicKey | None = None
    wake: Callable[[], None] = field(default=lambda: None)  # a sign-up was queued
    previous: tuple[str, ...] = ()  # the secrets before ``secret`` (erasures they keyed)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret a link may be signed with: the current one first."""
        return (self.secret, *self.previous)

    @property
    def links(self) -> Links:
        """Signed per-subscriber links under the public base URL."""
        return Links(self.config.base_url, self.secret)


def web_context() -> WebContext:
    """The context of the app serving the current request."""
    ctx: WebContext = current_app.extensions[_EXTENSION]
    return ctx


class _App(Flask):
    # Templates are named *.html.j2: escape every one of them, not only *.html.
    def select_jinja_autoescape(self, filename: str) -> bool:
        return True


pages = Blueprint("pages", __name__)


@pages.get("/assets/<name>")
def asset(name: str) -> Response:
    """A stylesheet or script of the pages (the folder's own copy first)."""
    if len(name) > 100:  # longer than any file name a file system takes
        raise NotFound()
    for folder in _template_roots(web_context().config):
        if (folder / WEB_TEMPLATES / "static" / name).is_file():
            response = send_from_directory(folder / WEB_TEMPLATES / "static", name)
            response.cache_control.max_age = 3600
            return response
    raise NotFound()


def _template_roots(config: Config) -> list[Path]:
    return [config.templates_dir, PAGE_TEMPLATES]


def install_pages(ctx: WebContext) -> Flask:
    """A Flask app holding ``ctx``, with templates, error pages and security headers."""
    app = _App("newsletter.web")
    app.extensions[_EXTENSION] = ctx
    app.config["MAX_CONTENT_LENGTH"] = ctx.settings.form_max_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = ctx.settings.form_max_bytes
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(root)) for root in _template_roots(ctx.config)])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["lines_br"] = lines_br
    app.context_processor(lambda: {"newsletter": ctx.config.name,
                                   "postal_address": ctx.config.postal_address})
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    app.after_request(_headers)
    app.register_blueprint(pages)
    return app


def page(template: str, code: int = 200, **context: Any) -> tuple[str, int]:
    """A page rendered from templates/web/``template``, with HTTP status ``code``."""
    return render_template(f"{WEB_TEMPLATES}/{template}", **context), code


def message_page(title: str, text: str, code: int = 200, **context: Any) -> tuple[str, int]:
    """A page with one heading and one paragraph (errors, simple answers)."""
    return page("message.html.j2", code, title=title, text=text, **context)


def _http_error(error: HTTPException) -> tuple[str, int]:
    titles = {400: "This link or form is not valid", 404: "Page not found",
              405: "Not allowed here", 413: "Too much data"}
    code = error.code or 500
    return message_page(titles.get(code, error.name), error.description or "", code)


def _crash(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error while serving a request")
    return message_page("Something went wrong", "Please try again in a few minutes.", 500)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("X-Frame-Options", "DENY")  # studio previews: SAMEORIGIN
    # Links carry signed tokens: never leak them to other sites through Referer.
    headers["Referrer-Policy"] = "no-referrer"
    headers.setdefault("Cache-Control", "no-store")
    return response


def mask_email(address: str) -> str:
    """``j•••@example.com``: enough for a reader to recognise their address, no more."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def client_ip() -> str | None:
    """The client's address (ProxyFix, when configured, has put the real one here)."""
    from flask import request

    return request.remote_addr
