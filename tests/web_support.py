"""Helpers for the web tests: a newsletter folder, a live waitress server, signed webhooks."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from waitress.server import create_server

from newsletter.config import Config, load_config
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.delivery.signups import SignupContext, SignupWorker
from newsletter.store import Store, open_store
from newsletter.web import WebSettings, create_app

SECRET = "test-secret-0123456789-abcdef"
CONFIG = """\
name: The Test Letter
from: {{email: letters@example.com, name: The Test Letter}}
postal_address: "12 Harbour Road\\nPortsmouth PO1 1AA"
base_url: http://127.0.0.1:1
cta_url: https://shop.example.com/starter
delivery: {{batch_size: {batch}}}
"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


def make_config(folder: Path, batch: int = 1000, env: dict[str, str] | None = None,
                extra: str = "") -> Config:
    """A newsletter folder with a postal address, in ``folder`` (``extra``: more settings)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newsletter.yaml").write_text(CONFIG.format(batch=batch) + extra, "utf-8")
    return load_config(folder / "newsletter.yaml", env=env or {})


def key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A P-256 key pair: the private key and the public key as SendGrid shows it."""
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(der).decode()


def sign(private: ec.EllipticCurvePrivateKey, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers SendGrid sends with a signed batch."""
    signature = private.sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": str(timestamp),
            "Content-Type": "application/json"}


@dataclass
class Reply:
    """An HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Live:
    """A running app: its address, store, outbox, clock and webhook signing key."""

    url: str
    config: Config
    store: Store
    clock: Clock
    private_key: ec.EllipticCurvePrivateKey
    server: Any = field(repr=False)
    app: Any = field(default=None, repr=False)  # the Flask app (its URL map, its config)
    backend: Any = field(default=None, repr=False)

    def drain(self) -> Any:
        """Send the confirmation emails of queued sign-ups, as `serve`'s worker does."""
        from newsletter.delivery.signups import process_signups

        return process_signups(SignupContext(config=self.config, store=self.store,
                                             backend=self.backend, secret=SECRET,
                                             clock=self.clock))

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """One request over a fresh connection (no cookies, no redirects followed)."""
        parts = urlsplit(self.url + path if path.startswith("/") else path)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(method, target, body=body, headers=headers or {})
            answer = conn.getresponse()
            return Reply(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                         answer.read())
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        """GET ``path`` (or a full URL on this server)."""
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> Reply:
        """POST a form-encoded body."""
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_events(self, events: list[Any], *, timestamp: int | None = None,
                    key: ec.EllipticCurvePrivateKey | None = None) -> Reply:
        """POST a signed webhook batch."""
        body = json.dumps(events).encode()
        stamp = int(self.clock().timestamp()) if timestamp is None else timestamp
        return self.request("POST", "/webhooks/sendgrid", body,
                            sign(key or self.private_key, body, stamp))

    def outbox(self) -> list[EmailMessage]:
        """Every message in the outbox, oldest first."""
        paths = sorted(self.config.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [read_eml(p) for p in paths]


def read_eml(path: Path) -> EmailMessage:
    """An .eml file parsed with the email package."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def text_part(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    """The HTML body of a message."""
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@contextmanager
def live_app(folder: Path, *, settings: WebSettings | None = None, batch: int = 1000,
             max_body: int | None = None, env: dict[str, str] | None = None,
             backend: Any = None, worker: bool = False, extra: str = "",
             previous: tuple[str, ...] = ()) -> Iterator[Live]:
    """The app under waitress on 127.0.0.1 (a free port) in a thread, like `serve`.

    ``backend``: where emails go (default: the folder's outbox). ``worker``: send queued
    confirmations in the background as `serve` does (otherwise call ``Live.drain``).
    ``extra``: settings added to the folder's newsletter.yaml; ``previous``: the secrets
    before SECRET (NEWSLETTER_PREVIOUS_SECRET_KEYS).
    """
    holder: dict[str, Any] = {}
    settings = settings or WebSettings()
    server = create_server(lambda environ, start: holder["app"](environ, start),
                           host="127.0.0.1", port=0, threads=4,
                           max_request_body_size=max_body or max(settings.webhook_max_bytes,
                                                                 settings.form_max_bytes))
    url = f"http://127.0.0.1:{server.effective_port}"
    config = replace(make_config(folder, batch, env, extra), base_url=url)
    store = open_store(config.database_url)
    clock = Clock()
    private, public = key_pair()
    backend = backend or OutboxBackend(config.outbox)
    sender = SignupWorker(SignupContext(config=config, store=store, backend=backend,
                                        secret=SECRET, clock=clock), poll=0.2).start() \
        if worker else None
    holder["app"] = create_app(config, store, secret=SECRET, webhook_public_key=public,
                               backend=backend, clock=clock, settings=settings,
                               wake=sender.wake if sender else None, previous=previous)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Live(url, config, store, clock, private, server, holder["app"], backend)
    finally:
        stop_server(server, thread)
        if sender:
            sender.stop()
        store.close()


def stop_server(server: Any, thread: threading.Thread) -> None:
    """Stop a waitress server from its own loop thread (closing it from outside races)."""
    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.task_dispatcher.shutdown()  # workers done first: none pulls the trigger later
    try:
        server.trigger.pull_trigger(close_all)
    except OSError:  # the loop has closed its trigger already: close from here
        close_all()
    thread.join(timeout=5)


def send_issue_now(live: Live, number: int, subject: str = "",
                   on_batch: Any = None, backend: Any = None) -> Any:
    """Send issue ``number`` (one short tip) to every active subscriber, to the outbox."""
    import time

    from newsletter.delivery.broadcast import send_issue
    from newsletter.delivery.run import SendContext, SendOptions
    from newsletter.models import Issue, IssueBlock
    from newsletter.rendering.links import Links

    issue = Issue(number=number, subject=subject or f"Tip number {number}",
                  preheader="A short tip", status="scheduled", send_at=live.clock(),
                  blocks=(IssueBlock(kind="tip", title=f"Tip {number}",
                                     body="Stand up and stretch every hour."),))
    ctx = SendContext(config=live.config, store=live.store,
                      backend=backend or OutboxBackend(live.config.outbox),
                      links=Links(live.url, SECRET), clock=live.clock, sleep=time.sleep,
                      on_batch=on_batch or (lambda outcomes: None))
    return send_issue(issue, ctx, SendOptions(now=live.clock()))
