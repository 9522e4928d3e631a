"""`newsletter serve`: the web app for everything that comes back in.

One-click unsubscribe (RFC 8058), the signed SendGrid event webhook, double opt-in
sign-up, the archive of sent issues and a health check, one module each. The app is a
plain WSGI app: ``newsletter serve`` runs it under waitress; any WSGI server works::

    gunicorn 'newsletter.web.wsgi:app'    # reads newsletter.yaml and the environment
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from flask import Flask

from ..config import Config
from ..delivery.backends import Backend, get_backend
from ..delivery.signups import SignupContext, SignupWorker
from ..store import Store, open_store
from ..tokens import previous_secrets, secret_from_env
from .common import WebContext, WebSettings, install_pages, log
from .studio import install_studio
from .webhook import KEY_ENV, NOT_CONFIGURED, load_public_key

__all__ = ["WebSettings", "app_from_config", "create_app"]


def create_app(config: Config, store: Store, *, secret: str, webhook_public_key: str | None,
               backend: Backend, clock: Callable[[], datetime],
               settings: WebSettings | None = None,
               wake: Callable[[], None] | None = None,
               previous: tuple[str, ...] = ()) -> Flask:
    """The Flask app over one store, signing secret, webhook key, backend and clock
    (``previous``: the secrets used before, whose erasure hashes still count).

    ``webhook_public_key`` is SendGrid's base64 DER key; without it the webhook answers
    403 (JSON) to everything (nothing unsigned is ever accepted) and a warning says so.
    ``wake`` is called after each queued sign-up (to start sending its confirmation).
    """
    from . import archive, health, home, subscribe, unsubscribe, webhook

    settings = settings or WebSettings()
    if not webhook_public_key:
        log.warning(NOT_CONFIGURED)
    ctx = WebContext(config=config, store=store, secret=secret, backend=backend, clock=clock,
                     settings=settings,
                     webhook_key=load_public_key(webhook_public_key) if webhook_public_key
                     else None, wake=wake or (lambda: None), previous=previous)
    app = install_pages(ctx)
    for module in (health, home, unsubscribe, webhook, subscribe, archive):
        app.register_blueprint(module.blueprint)
    install_studio(app, ctx)
    return app


def app_from_config(config: Config, env: Mapping[str, str],
                    settings: WebSettings | None = None) -> Flask:
    """The app of a newsletter folder: its database and backend, secrets from ``env``,
    and a background thread sending the confirmation emails of queued sign-ups.

    Refuses (ConfigError) without ``NEWSLETTER_SECRET_KEY``, or with a malformed
    ``SENDGRID_WEBHOOK_PUBLIC_KEY``.
    """
    secret = secret_from_env(env)
    key = env.get(KEY_ENV, "").strip() or None
    if key:
        load_public_key(key)  # fail before the database is opened
    settings = settings or WebSettings()
    store, backend = open_store(config.database_url), get_backend(config)
    clock = lambda: datetime.now(UTC)  # noqa: E731
    worker = SignupWorker(SignupContext(config=config, store=store, backend=backend,
                                        secret=secret, clock=clock,
                                        policy=settings.signups)).start()
    return create_app(config, store, secret=secret, webhook_public_key=key, backend=backend,
                      clock=clock, settings=settings, wake=worker.wake,
                      previous=previous_secrets(env))
