"""Sign-in, sessions, CSRF and the guard every studio request passes.

- Sessions are Flask's signed cookie (HMAC, key derived from NEWSLETTER_SECRET_KEY for
  this use only), HttpOnly, SameSite=Strict, Secure when ``base_url`` is https, limited
  to ``/studio``; they expire after ``studio_idle`` without a request and ``studio_max``
  after sign-in whatever happens. The session names the account and a fingerprint of its
  password hash: removing the account (or a new password) ends its sessions.
- Every POST carries the session's CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``), compared in constant time; the sign-in form too.
- Failed sign-ins are counted in the database per address and per client address; over
  the limit, sign-in is refused (429) without even checking the password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from ...accounts import dummy_verify, verify_password
from ...store import User
from ..common import WebContext, client_ip, web_context
from .pages import notices, studio_page

blueprint = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = frozenset({"studio.auth.sign_in", "studio.auth.sign_in_form",
                              "studio.static"})
COOKIE = "newsletter_studio"
UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # an article or a subscriber CSV


def configure_sessions(app: Flask, ctx: WebContext) -> None:
    """Flask's signed session cookie, set up for the studio only."""
    app.secret_key = hmac.new(ctx.secret.encode(), b"newsletter studio session",
                              hashlib.sha256).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE, SESSION_COOKIE_PATH="/studio",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=ctx.config.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=ctx.settings.studio_idle)


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def current_user() -> User | None:
    """The signed-in account of this request, or None."""
    user: User | None = getattr(request, "_studio_user", None)
    return user


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _session_user(ctx: WebContext) -> User | None:
    uid, started = session.get("uid"), session.get("started")
    if not isinstance(uid, int) or not isinstance(started, (int, float)):
        return None
    if ctx.clock().timestamp() - started > ctx.settings.studio_max.total_seconds():
        return None
    user = ctx.store.get_user(uid)
    if user is None or session.get("fp") != _fingerprint(user):
        return None
    return user


def guard() -> ResponseReturnValue | None:
    """Before every studio request: a session for all but sign-in, a CSRF token on POSTs."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        user = _session_user(web_context())
        if user is None:
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("studio.auth.sign_in_form", next=request.full_path))
            abort(403, "Sign in to the studio first.")
        request._studio_user = user  # type: ignore[attr-defined]
        session.permanent = True
        # Signed in: issue bodies and uploaded articles are larger than a sign-up form.
        request.max_content_length = UPLOAD_MAX_BYTES
        request.max_form_memory_size = UPLOAD_MAX_BYTES
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or "csrf" not in session or not hmac.compare_digest(
                str(sent), str(session["csrf"])):
            abort(403, "This form has expired or did not come from the studio: reload the "
                       "page and try again.")
    return None


def _safe_next(target: str | None) -> str:
    """Only a path inside the studio (never another site) is followed after sign-in."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/studio/"):
        return url_for("studio.queue.index")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@blueprint.get("/sign-in")
def sign_in_form() -> ResponseReturnValue:
    """The sign-in page (Email, Password, Sign in)."""
    if _session_user(web_context()) is not None:
        return redirect(_safe_next(request.args.get("next")))
    return studio_page("sign_in.html.j2", title="Sign in", next=request.args.get("next", ""))


@blueprint.post("/sign-in")
def sign_in() -> ResponseReturnValue:
    """Check the address and password, within the rate limits; start a fresh session."""
    ctx = web_context()
    email = request.form.get("email", "").strip()[:320]
    password = request.form.get("password", "")
    ip = client_ip() or "unknown"
    now = ctx.clock()
    limited = _over_limit(ctx, email, ip, now)
    if limited:
        return _sign_in_again(email, limited, 429)
    user = ctx.store.get_user(email) if email else None
    if user is None:
        dummy_verify(password)  # as slow as a real check: no telling which addresses exist
    if user is None or not verify_password(password, user.password_hash):
        ctx.store.record_failed_sign_in(email, ip, now=now)
        return _sign_in_again(email, "The email or password is not right.", 401)
    ctx.store.forget_failed_sign_ins(email, before=now - ctx.settings.signin_window)
    ctx.store.record_sign_in(user.id, now=now)
    session.clear()  # a new session: nothing from before sign-in carries over
    session.update(uid=user.id, fp=_fingerprint(user), started=now.timestamp(),
                   csrf=secrets.token_urlsafe(32))
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")), 303)


def _over_limit(ctx: WebContext, email: str, ip: str, now: datetime) -> str:
    settings = ctx.settings
    by_email, by_ip = ctx.store.failed_sign_ins(email, ip, since=now - settings.signin_window)
    if by_email >= settings.signin_per_email or by_ip >= settings.signin_per_ip:
        minutes = int(settings.signin_window / timedelta(minutes=1))
        return (f"Too many failed sign-ins: wait {minutes} minutes and try again, or ask "
                "for your password to be reset.")
    return ""


def _sign_in_again(email: str, error: str, code: int) -> tuple[str, int]:
    return studio_page("sign_in.html.j2", code, title="Sign in", email=email, error=error,
                       next=request.form.get("next", ""))


@blueprint.post("/sign-out")
def sign_out() -> Response:
    """End the session."""
    session.clear()
    return redirect(url_for("studio.auth.sign_in_form"), 303)


def studio_context() -> dict[str, Any]:
    """What every studio template may use."""
    return {"csrf_token": csrf_token, "current_user": current_user(), "notices": notices}
