"""A local server that answers ``POST /v3/mail/send`` the way SendGrid does.

It checks the Bearer key, applies SendGrid's documented limits (never stricter), answers
202 with an ``X-Message-Id`` or SendGrid's error format, and records every accepted
recipient so tests can count deliveries and duplicates. Faults can be scripted per request
(``429``, ``500``, ``502``, ``503``, ``504``, ``400``, ``401``, ``403``, ``slow``, ``drop``;
``502:gateway`` and ``504:gateway`` answer with a proxy's HTML page instead of SendGrid's
error, and ``504:accepted`` accepts the request first, as when a load balancer gives up
waiting for SendGrid; ``hold`` keeps the request waiting until :meth:`release`, so a test
can act while it is in flight) or drawn at random with a seed; a fixed latency per request
imitates network time.

In tests::

    with SendGridTestServer(api_key="SG.test") as server:
        server.inject("429", "503")          # the next two requests fail, then normal
        ...post to server.url + "/v3/mail/send"...
        assert server.stats()["duplicates"] == 0

By hand (staging, benchmarks)::

    python -m newsletter.testing.sendgrid_server --port 3030 --api-key KEY \\
        --fail-rate 0.3 --seed 1

Admin endpoints (no auth; a local test server only): ``GET /__admin__/stats``,
``POST /__admin__/reset``, ``GET /__admin__/recipients`` (address -> times accepted),
``GET /__admin__/acceptances`` (``[time, recipients]`` of each accepted request) and
``POST /__admin__/faults`` (JSON: ``script``, ``fail_rate``, ``seed``, ``random_faults``,
``latency``) and ``POST /__admin__/release`` (answers the held requests).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import secrets
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

MAIL_SEND_PATH = "/v3/mail/send"
MAX_BODY_BYTES = 30 * 1024 * 1024
MAX_PERSONALIZATIONS = 1000
MAX_RECIPIENTS = 1000
MAX_FIELD_BYTES = 10_000
MAX_CATEGORIES = 10
MAX_CATEGORY_CHARS = 255
MAX_SEND_AT_AHEAD = 72 * 3600
HELP_URL = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"
RESERVED_HEADERS = frozenset({
    "to", "from", "subject", "reply-to", "cc", "bcc", "content-type",
    "content-transfer-encoding", "dkim", "dkim-signature",
})
FAULT_KINDS = ("429", "500", "502", "503", "504", "400", "401", "403", "slow", "drop",
               "hold")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

UNAUTHORIZED = {"errors": [{
    "message": "The provided authorization grant is invalid, expired, or revoked",
    "field": None, "help": None}]}
FORBIDDEN = {"errors": [{"message": "access forbidden", "field": None, "help": None}]}
TOO_MANY = {"errors": [{"field": None, "message": "too many requests"}]}
SERVER_ERROR = {"errors": [{"message": "internal server error", "field": None, "help": None}]}
UNAVAILABLE = {"errors": [{"message": "service unavailable", "field": None, "help": None}]}
SCRIPTED_BAD_REQUEST = {"errors": [{
    "message": "The from email does not contain a valid address.", "field": "from.email",
    "help": f"{HELP_URL}#message.from"}]}
GATEWAY_PAGES = {
    status: (f"<html><head><title>{status} {title}</title></head><body><center><h1>{status} "
             f"{title}</h1></center><hr><center>nginx</center></body></html>").encode()
    for status, title in ((502, "Bad Gateway"), (504, "Gateway Time-out"))}
TOO_LARGE_HTML = (b"<html><head><title>413 Request Entity Too Large</title></head><body>"
                  b"<center><h1>413 Request Entity Too Large</h1></center></body></html>")


# --- faults ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One scripted answer: ``kind`` is a status code (as text), ``slow`` or ``drop``.

    ``reset_after``: for 429, seconds from now until ``X-RateLimit-Reset``.
    ``rate_headers``: for 429, False leaves out the ``X-RateLimit-*`` headers.
    ``seconds``: for ``slow``, how long to wait before answering (default: the server's
    ``slow_seconds``).
    ``gateway``: for 502/504, the HTML page of a proxy instead of SendGrid's JSON error;
    ``accepted``: the request is accepted (recipients recorded) before that page is sent.
    """

    kind: str
    reset_after: int = 1
    seconds: float | None = None
    rate_headers: bool = True
    gateway: bool = False
    accepted: bool = False

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}: use one of {', '.join(FAULT_KINDS)}")

    @classmethod
    def parse(cls, text: str | Fault) -> Fault:
        """``"429"``, ``"429:5"`` (reset in 5 s), ``"429:none"`` (no rate-limit headers),
        ``"slow"``, ``"slow:2.5"`` (seconds), ``"drop"``..."""
        if isinstance(text, Fault):
            return text
        kind, _, arg = str(text).strip().partition(":")
        if not arg:
            return cls(kind)
        if kind == "429" and arg == "none":
            return cls(kind, rate_headers=False)
        if kind in ("502", "504") and arg in ("gateway", "accepted"):
            return cls(kind, gateway=True, accepted=arg == "accepted")
        if kind == "429":
            return cls(kind, reset_after=int(arg))
        return cls(kind, seconds=float(arg))


def parse_faults(texts: Iterable[str | Fault]) -> list[Fault]:
    """Faults from strings like ``429,503`` split already, or :class:`Fault` objects."""
    return [Fault.parse(t) for t in texts if str(t).strip()]


# --- what was accepted ------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedRecipient:
    """One address of an accepted request, with what SendGrid would attach to its email."""

    email: str
    name: str
    custom_args: Mapping[str, Any]
    substitutions: Mapping[str, Any]
    headers: Mapping[str, Any]
    message_id: str


@dataclass
class _Ledger:
    """Everything the server saw, guarded by one lock."""

    record_details: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[AcceptedRecipient] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    accepted_at: list[tuple[float, int]] = field(default_factory=list)
    requests: int = 0
    accepted_requests: int = 0

    def accept(self, body: dict[str, Any], message_id: str, at: float) -> None:
        people = list(_addressees(body, message_id, self.record_details))
        with self.lock:
            self.accepted_requests += 1
            self.accepted_at.append((at, len(people)))
            self.counts.update(p.email.lower() for p in people)
            if self.record_details:
                self.bodies.append(body)
                self.recipients.extend(people)

    def counted_request(self) -> None:
        with self.lock:
            self.requests += 1

    def answered(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            total = sum(self.counts.values())
            return {
                "requests": self.requests,
                "accepted_requests": self.accepted_requests,
                "recipients": total,
                "unique_recipients": len(self.counts),
                "duplicates": total - len(self.counts),
                "answers": dict(self.answers),
            }

    def clear(self) -> None:
        with self.lock:
            self.bodies.clear()
            self.recipients.clear()
            self.counts.clear()
            self.answers.clear()
            self.accepted_at.clear()
            self.requests = self.accepted_requests = 0


def _addressees(body: dict[str, Any], message_id: str, details: bool
                ) -> Iterable[AcceptedRecipient]:
    top_args = body.get("custom_args") or {}
    top_args = top_args if isinstance(top_args, dict) else {"custom_args": top_args}
    top_headers = body.get("headers") or {}
    for p in body["personalizations"]:
        args = {**top_args, **(p.get("custom_args") or {})} if details else {}
        headers = {**top_headers, **(p.get("headers") or {})} if details else {}
        subs = (p.get("substitutions") or {}) if details else {}
        for kind in ("to", "cc", "bcc"):
            for person in p.get(kind) or ():
                yield AcceptedRecipient(person["email"], person.get("name", ""), args, subs,
                                        headers, message_id)


# --- validation: what SendGrid rejects --------------------------------------------------------


def _error(message: str, field: str | None, anchor: str = "") -> dict[str, Any]:
    return {"message": message, "field": field,
            "help": f"{HELP_URL}#{anchor}" if anchor else None}


def validate_mail(body: Any, now: float) -> list[dict[str, Any]]:
    """SendGrid's errors for a mail-send body (empty when SendGrid would accept it)."""
    if not isinstance(body, dict):
        return [_error("Bad Request", None)]
    return [
        *_check_from(body.get("from"), "from"),
        *_check_personalizations(body.get("personalizations"), now),
        *_check_subject(body),
        *_check_content(body),
        *_check_reply_to(body.get("reply_to")),
        *_check_categories(body.get("categories")),
        *_check_headers(body.get("headers"), "headers"),
        *_check_args(body.get("custom_args"), "custom_args"),
        *_check_asm(body.get("asm")),
        *_check_send_at(body.get("send_at"), "send_at", now),
    ]


def _check_from(sender: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(sender, dict) or "email" not in sender:
        return [_error("The from object must be provided for every email send. It is an object "
                       "that requires the email parameter, but may also contain a name "
                       "parameter.", f"{where}.email", "message.from")]
    if not _is_email(sender["email"]):
        return [_error("The from email does not contain a valid address.", f"{where}.email",
                       "message.from")]
    return []


def _check_reply_to(reply_to: Any) -> list[dict[str, Any]]:
    if reply_to is None:
        return []
    if not isinstance(reply_to, dict) or not _is_email(reply_to.get("email")):
        return [_error("The reply_to email does not contain a valid address.",
                       "reply_to.email", "message.reply_to")]
    return []


def _is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(EMAIL_RE.match(value))


def _check_personalizations(ps: Any, now: float) -> list[dict[str, Any]]:
    if not isinstance(ps, list) or not ps:
        return [_error("The personalizations field is required and must have at least one "
                       "personalization.", "personalizations", "-Personalizations-Errors")]
    if len(ps) > MAX_PERSONALIZATIONS:
        return [_error(f"The personalization block is limited to {MAX_PERSONALIZATIONS} "
                       f"personalizations per API request. You have provided {len(ps)} "
                       "personalizations. Please consolidate your personalization blocks or "
                       "make another API request.", "personalizations",
                       "-Personalizations-Errors")]
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, p in enumerate(ps):
        errors += _check_personalization(p, f"personalizations.{i}", seen, now)
    if _recipient_count(ps) > MAX_RECIPIENTS:
        errors.insert(0, _error(f"There is a limit of {MAX_RECIPIENTS} total recipients (to + cc "
                                "+ bcc) per request.", "personalizations",
                                "-Personalizations-Errors"))
    return errors


def _recipient_count(ps: list[Any]) -> int:
    return sum(len(p.get(k) or ()) for p in ps if isinstance(p, dict)
               for k in ("to", "cc", "bcc") if isinstance(p.get(k) or (), list))


def _check_personalization(p: Any, where: str, seen: set[str], now: float
                           ) -> list[dict[str, Any]]:
    if not isinstance(p, dict):
        return [_error("The personalization must be an object.", where)]
    if not isinstance(p.get("to"), list) or not p["to"]:
        return [_error("The to array is required for all personalization objects, and must "
                       "have at least one email object with a valid email address.",
                       f"{where}.to", "message.personalizations.to")]
    errors: list[dict[str, Any]] = []
    for kind in ("to", "cc", "bcc"):
        errors += _check_people(p.get(kind), f"{where}.{kind}", seen)
    errors += _check_substitutions(p.get("substitutions"), f"{where}.substitutions")
    errors += _check_args(p.get("custom_args"), f"{where}.custom_args")
    errors += _check_headers(p.get("headers"), f"{where}.headers")
    errors += _check_send_at(p.get("send_at"), f"{where}.send_at", now)
    if "from" in p:
        errors += _check_from(p["from"], f"{where}.from")
    return errors


def _check_people(people: Any, where: str, seen: set[str]) -> list[dict[str, Any]]:
    if people is None:
        return []
    if not isinstance(people, list):
        return [_error(f"The {where.rsplit('.', 1)[-1]} field must be an array.", where)]
    errors: list[dict[str, Any]] = []
    for j, person in enumerate(people):
        errors += _check_person(person, f"{where}.{j}", seen)
    return errors


def _check_person(person: Any, where: str, seen: set[str]) -> list[dict[str, Any]]:
    email = person.get("email") if isinstance(person, dict) else None
    if not _is_email(email):
        return [_error("Does not contain a valid address.", f"{where}.email",
                       "message.personalizations")]
    errors: list[dict[str, Any]] = []
    name = person.get("name")
    if name is not None and (not isinstance(name, str) or ";" in name or "," in name):
        errors.append(_error("The name may not contain ; or , characters unless it is "
                             "quoted.", f"{where}.name", "message.personalizations"))
    key = email.lower()
    if key in seen:
        errors.append(_error("Each email address in the personalization block should be unique "
                             "between to, cc, and bcc. We found the first duplicate instance of "
                             f"[{email}] in the {where.rsplit('.', 1)[0]} field.",
                             f"{where}.email", "message.recipient_errors"))
    seen.add(key)
    return errors


def _string_map_bytes(value: Any) -> int | None:
    """Total UTF-8 bytes of keys and values, or None when not an object of strings."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return None
    return sum(len(str(k).encode()) + len(v.encode()) for k, v in value.items())


def _check_substitutions(subs: Any, where: str) -> list[dict[str, Any]]:
    if subs is None:
        return []
    size = _string_map_bytes(subs)
    if size is None:
        return [_error("Substitutions must be an object of string values.", where,
                       "message.personalizations.substitutions")]
    if size > MAX_FIELD_BYTES:
        return [_error(f"The total size of substitutions may not exceed {MAX_FIELD_BYTES} "
                       f"bytes per personalization object; this one has {size}.", where,
                       "message.personalizations.substitutions")]
    return []


def _check_args(args: Any, where: str) -> list[dict[str, Any]]:
    if args is None:
        return []
    # The published schema types the top-level custom_args as a string; accept that too.
    size = len(args.encode()) if isinstance(args, str) and where == "custom_args" else \
        _string_map_bytes(args)
    if size is None:
        return [_error("Invalid type. custom_args values must be strings.", where,
                       "message.custom_args")]
    if size > MAX_FIELD_BYTES:
        return [_error(f"The custom_args field may not exceed {MAX_FIELD_BYTES} bytes; this one "
                       f"has {size}.", where, "message.custom_args")]
    return []


def _check_headers(headers: Any, where: str) -> list[dict[str, Any]]:
    if headers is None:
        return []
    if _string_map_bytes(headers) is None:
        return [_error("The headers parameter must be an object of string values.", where,
                       "message.headers")]
    reserved = sorted(k for k in headers if str(k).lower() in RESERVED_HEADERS)
    if reserved:
        return [_error(f"The following headers are reserved and cannot be overridden: "
                       f"{', '.join(reserved)}.", where, "message.headers")]
    return []


def _check_subject(body: dict[str, Any]) -> list[dict[str, Any]]:
    if body.get("template_id"):
        return []
    ps = body.get("personalizations")
    every_has_one = isinstance(ps, list) and ps and all(
        isinstance(p, dict) and isinstance(p.get("subject"), str) and p["subject"] for p in ps)
    subject = body.get("subject")
    if (isinstance(subject, str) and subject) or every_has_one:
        return []
    return [_error("The subject is required. You can get around this requirement if you use a "
                   "template with a subject defined or if every personalization has a subject "
                   "defined.", "subject", "message.subject")]


def _check_content(body: dict[str, Any]) -> list[dict[str, Any]]:
    content = body.get("content")
    if content is None and body.get("template_id"):
        return []
    if not isinstance(content, list) or not content:
        return [_error("Unless a valid template_id is provided, the content parameter is "
                       "required. There must be at least one defined content block.",
                       "content", "message.content")]
    errors: list[dict[str, Any]] = []
    for i, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("value"), str) or \
                not part["value"]:
            errors.append(_error("The content value must be a string at least one character "
                                 "in length.", f"content.{i}.value", "message.content.value"))
        elif not isinstance(part.get("type"), str) or not part["type"]:
            errors.append(_error("The content type must be a string at least one character "
                                 "in length.", f"content.{i}.type", "message.content.type"))
    return errors + _check_content_order(content)


def _check_content_order(content: list[Any]) -> list[dict[str, Any]]:
    types = [p.get("type") for p in content if isinstance(p, dict)]
    expected = [t for t in ("text/plain", "text/html") if t in types]
    if types[:len(expected)] == expected and all(types.count(t) == 1 for t in expected):
        return []
    return [_error("If present, text/plain and text/html may only be provided once, and "
                   "text/plain must come first, followed by text/html, followed by any other "
                   "content.", "content", "message.content")]


def _check_categories(categories: Any) -> list[dict[str, Any]]:
    if categories is None:
        return []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        return [_error("The categories parameter must be an array of strings.", "categories",
                       "message.categories")]
    errors: list[dict[str, Any]] = []
    if len(categories) > MAX_CATEGORIES:
        errors.append(_error(f"You may not have more than {MAX_CATEGORIES} categories per "
                             "request.", "categories", "message.categories"))
    errors += [_error(f"A category cannot have more than {MAX_CATEGORY_CHARS} characters.",
                      f"categories.{i}", "message.categories")
               for i, c in enumerate(categories) if len(c) > MAX_CATEGORY_CHARS]
    if len(set(categories)) != len(categories):
        errors.append(_error("The categories must be unique.", "categories",
                             "message.categories"))
    return errors


def _check_asm(asm: Any) -> list[dict[str, Any]]:
    if asm is None:
        return []
    group = asm.get("group_id") if isinstance(asm, dict) else None
    if isinstance(group, bool) or not isinstance(group, int):
        return [_error("The asm.group_id parameter must be an integer.", "asm.group_id",
                       "message.asm.group_id")]
    shown = asm.get("groups_to_display")
    if shown is not None and (not isinstance(shown, list) or len(shown) > 25):
        return [_error("The asm.groups_to_display parameter may not have more than 25 groups.",
                       "asm.groups_to_display", "message.asm.groups_to_display")]
    return []


def _check_send_at(send_at: Any, where: str, now: float) -> list[dict[str, Any]]:
    if send_at is None:
        return []
    if isinstance(send_at, bool) or not isinstance(send_at, int):
        return [_error("The send_at parameter must be an integer (unix seconds).", where,
                       "message.send_at")]
    if send_at > now + MAX_SEND_AT_AHEAD:
        return [_error("The send_at parameter may not be more than 72 hours in the future.",
                       where, "message.send_at")]
    return []


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def _json_answer(status: int, payload: Any, headers: Mapping[str, str] | None = None
                 ) -> _Answer:
    return _Answer(status, json.dumps(payload).encode(), dict(headers or {}))


def new_message_id() -> str:
    """A 22-character base64url-like id, like SendGrid's ``X-Message-Id``."""
    return secrets.token_urlsafe(16)


# --- the server ---------------------------------------------------------------------------


class SendGridTestServer:
    """A SendGrid-compatible mail-send server on 127.0.0.1 (``port=0``: any free port).

    Use as a context manager (``with SendGridTestServer(...) as server: server.url``), or
    call :meth:`start` and :meth:`stop`. Every method is thread-safe.
    """

    def __init__(
        self,
        api_key: str = "SG.test-key",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        fail_rate: float = 0.0,
        seed: int | None = None,
        random_faults: Iterable[str | Fault] = ("429", "503"),
        latency: float = 0.0,
        slow_seconds: float = 5.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        record_details: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = api_key
        self._address = (host, port)
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self._ledger = _Ledger(record_details)
        self._script: deque[Fault] = deque()
        self._stopping = threading.Event()
        self._held = threading.Condition()
        self._holding = 0
        self._releases = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.configure_faults(fail_rate=fail_rate, seed=seed, random_faults=random_faults)

    def __repr__(self) -> str:
        return f"SendGridTestServer(url={self.url if self._httpd else None!r})"

    # lifecycle

    def start(self) -> SendGridTestServer:
        """Bind and serve in a background thread; returns self."""
        self._stopping.clear()
        self._httpd = _HTTPServer(self._address, _Handler)
        self._httpd.app = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.05}, name="sendgrid-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (slow answers in progress are cut short)."""
        self._stopping.set()
        self.release()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SendGridTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the host to give the SendGrid client."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # faults

    def inject(self, *faults: str | Fault) -> None:
        """Queue scripted answers for the next requests, in order (before any random fault)."""
        parsed = parse_faults(faults)
        with self._ledger.lock:
            self._script.extend(parsed)

    def configure_faults(self, *, fail_rate: float | None = None, seed: int | None = None,
                         random_faults: Iterable[str | Fault] | None = None) -> None:
        """Set the share of requests answered by a random fault, its seed and its choices."""
        with self._ledger.lock:
            if fail_rate is not None:
                self.fail_rate = float(fail_rate)
            if random_faults is not None:
                self.random_faults = parse_faults(random_faults)
            if seed is not None or not hasattr(self, "_random"):
                self._random = random.Random(seed)

    def _next_fault(self) -> Fault | None:
        with self._ledger.lock:
            if self._script:
                return self._script.popleft()
            if self.fail_rate and self.random_faults and self._random.random() < self.fail_rate:
                return self._random.choice(self.random_faults)
            return None

    # records

    def reset(self) -> None:
        """Forget every request, recipient and scripted fault."""
        self._ledger.clear()
        with self._ledger.lock:
            self._script.clear()

    def stats(self) -> dict[str, Any]:
        """Counts: requests, accepted_requests, recipients, unique_recipients, duplicates,
        answers (by status, plus ``drop``), held (requests waiting for :meth:`release`)."""
        return {**self._ledger.stats(), "held": self.held()}

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """Every accepted request body, as parsed JSON, in order of acceptance."""
        with self._ledger.lock:
            return list(self._ledger.bodies)

    @property
    def recipients(self) -> list[AcceptedRecipient]:
        """Every accepted recipient (to, cc and bcc), in order of acceptance."""
        with self._ledger.lock:
            return list(self._ledger.recipients)

    def deliveries(self) -> Counter[str]:
        """Accepted address (lower case) -> how many times it was accepted."""
        with self._ledger.lock:
            return Counter(self._ledger.counts)

    def acceptances(self) -> list[tuple[float, int]]:
        """(time accepted, recipients) of every accepted request, in order."""
        with self._ledger.lock:
            return list(self._ledger.accepted_at)

    def busiest(self, seconds: float) -> int:
        """The most recipients accepted within any window of ``seconds``."""
        return busiest_window(self.acceptances(), seconds)

    def duplicates(self) -> dict[str, int]:
        """Addresses accepted more than once, with their counts."""
        return {email: n for email, n in self.deliveries().items() if n > 1}

    # the mail-send endpoint

    def handle_mail_send(self, authorization: str, raw: bytes, too_large: bool
                         ) -> tuple[_Answer | None, Fault | None]:
        """The answer to one request (None: drop the connection) and the fault applied."""
        self._ledger.counted_request()
        if self.latency:
            self._stopping.wait(self.latency)
        if too_large:
            return _Answer(413, TOO_LARGE_HTML, content_type="text/html"), None
        if not secrets.compare_digest(authorization.encode(), f"Bearer {self._api_key}".encode()):
            return _json_answer(401, UNAUTHORIZED), None
        fault = self._next_fault()
        if fault is not None and fault.kind == "hold":
            self._hold()
        if fault is not None and fault.accepted:
            self._validate_and_accept(raw)
        if fault is not None and fault.kind not in ("slow", "drop"):
            return self._fault_answer(fault), fault
        answer = self._validate_and_accept(raw)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds if fault.seconds is not None
                                else self.slow_seconds)
        return (None if fault is not None and fault.kind == "drop" else answer), fault

    def _hold(self) -> None:
        with self._held:
            self._holding += 1
            generation = self._releases
            self._held.wait_for(lambda: self._releases != generation
                                or self._stopping.is_set())
            self._holding -= 1

    def release(self) -> None:
        """Let every request held by a ``hold`` fault go on (it is then answered normally)."""
        with self._held:
            self._releases += 1
            self._held.notify_all()

    def held(self) -> int:
        """How many requests wait held right now."""
        with self._held:
            return self._holding

    def _validate_and_accept(self, raw: bytes) -> _Answer:
        try:
            body = json.loads(raw)
        except ValueError:
            return _json_answer(400, {"errors": [_error("Bad Request", None)]})
        errors = validate_mail(body, self.clock())
        if errors:
            return _json_answer(400, {"errors": errors})
        message_id = new_message_id()
        self._ledger.accept(body, message_id, self.clock())
        return _Answer(202, b"", {"X-Message-Id": message_id}, content_type="")

    def _fault_answer(self, fault: Fault) -> _Answer:
        status = int(fault.kind)
        if fault.gateway:
            page = GATEWAY_PAGES[status]
            return _Answer(status, page, content_type="text/html")
        if status == 429 and not fault.rate_headers:
            return _json_answer(429, TOO_MANY)
        if status == 429:
            return _json_answer(429, TOO_MANY, {
                "X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(self.clock()) + fault.reset_after)})
        bodies = {400: SCRIPTED_BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN,
                  503: UNAVAILABLE}
        return _json_answer(status, bodies.get(status, SERVER_ERROR))

    def record_answer(self, what: str) -> None:
        """Count one answer given (a status code as text, or ``drop``)."""
        self._ledger.answered(what)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: SendGridTestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client gave up (timeouts, dropped connections): expected here
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_POST(self) -> None:
        app = self.server.app
        if self.path.startswith("/__admin__/"):
            return self._admin_post(app)
        raw, too_large = self._read_body(app.max_body_bytes)
        if self.path.rstrip("/") != MAIL_SEND_PATH:
            return self._send(_json_answer(404, {"errors": [_error("not found", None)]}))
        answer, _ = app.handle_mail_send(self.headers.get("Authorization", ""), raw, too_large)
        if answer is None:
            app.record_answer("drop")
            self.close_connection = True
            return None
        app.record_answer(str(answer.status))
        return self._send(answer)

    def do_GET(self) -> None:
        app = self.server.app
        path = self.path.rstrip("/")
        if path == "/__admin__/stats":
            return self._send(_json_answer(200, app.stats()))
        if path == "/__admin__/recipients":
            return self._send(_json_answer(200, dict(app.deliveries())))
        if path == "/__admin__/acceptances":
            return self._send(_json_answer(200, {"acceptances": app.acceptances()}))
        if path == "/__admin__/reset":
            app.reset()
            return self._send(_json_answer(200, {"reset": True}))
        return self._send(_json_answer(404, {"errors": [_error("not found", None)]}))

    def _admin_post(self, app: SendGridTestServer) -> None:
        raw, _ = self._read_body(1024 * 1024)
        path = self.path.rstrip("/")
        if path == "/__admin__/reset":
            app.reset()
            return self._send(_json_answer(200, {"reset": True}))
        if path == "/__admin__/faults":
            return self._send(_configure_from_json(app, raw))
        if path == "/__admin__/release":
            app.release()
            return self._send(_json_answer(200, {"released": True}))
        return self._send(_json_answer(404, {"errors": [_error("not found", None)]}))

    def _read_body(self, limit: int) -> tuple[bytes, bool]:
        """The request body, or (b"", True) after draining one larger than ``limit``."""
        length = int(self.headers.get("Content-Length") or 0)
        if length <= limit:
            return self.rfile.read(length), False
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)
        return b"", True

    def _send(self, answer: _Answer) -> None:
        try:
            self.send_response(answer.status)
            if answer.content_type:
                self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (ConnectionError, TimeoutError):
            pass  # the client stopped waiting (a slow answer past its timeout)


def _configure_from_json(app: SendGridTestServer, raw: bytes) -> _Answer:
    try:
        settings = json.loads(raw or b"{}")
        app.inject(*settings.get("script", ()))
        app.configure_faults(fail_rate=settings.get("fail_rate"), seed=settings.get("seed"),
                             random_faults=settings.get("random_faults"))
        if "latency" in settings:
            app.latency = float(settings["latency"])
    except (ValueError, TypeError, AttributeError) as exc:
        return _json_answer(400, {"errors": [_error(str(exc), None)]})
    return _json_answer(200, {"fail_rate": app.fail_rate, "latency": app.latency})


# --- command line -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m newsletter.testing.sendgrid_server",
        description="A local SendGrid-compatible mail-send server for tests and staging.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3030, help="0 picks a free port")
    parser.add_argument("--api-key", default=os.environ.get("SENDGRID_API_KEY", ""),
                        help="the Bearer key to accept (default: $SENDGRID_API_KEY)")
    parser.add_argument("--fail-rate", type=float, default=0.0,
                        help="share of requests answered with a random fault (0..1)")
    parser.add_argument("--seed", type=int, default=None, help="seed for random faults")
    parser.add_argument("--faults", default="429,503",
                        help="the random faults to draw from, comma-separated")
    parser.add_argument("--script", default="",
                        help="answers for the first requests, comma-separated "
                             "(e.g. 429:2,503,slow,drop)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds added to every mail-send request")
    parser.add_argument("--slow-seconds", type=float, default=5.0,
                        help="how long a 'slow' fault waits before answering")
    parser.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES)
    parser.add_argument("--no-details", action="store_true",
                        help="keep only per-address counts (for very large runs)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted; print its URL on the first line of output."""
    args = _parser().parse_args(argv)
    if not args.api_key:
        _parser().error("give --api-key or set SENDGRID_API_KEY")
    try:
        server = SendGridTestServer(
            args.api_key, host=args.host, port=args.port, fail_rate=args.fail_rate,
            seed=args.seed, random_faults=args.faults.split(","), latency=args.latency,
            slow_seconds=args.slow_seconds, max_body_bytes=args.max_body_bytes,
            record_details=not args.no_details)
        server.inject(*args.script.split(","))
    except ValueError as exc:
        _parser().error(str(exc))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.start()
    print(f"SendGrid test server listening on {server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())


def busiest_window(acceptances: Iterable[Sequence[float]], seconds: float) -> int:
    """The most recipients accepted within any ``seconds``, from (time, count) pairs."""
    accepted = sorted((at, count) for at, count in acceptances)
    most, start, inside = 0, 0, 0
    for at, count in accepted:
        inside += count
        while accepted[start][0] <= at - seconds:
            inside -= accepted[start][1]
            start += 1
        most = max(most, int(inside))
    return most
