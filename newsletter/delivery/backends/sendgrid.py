"""Delivery through SendGrid's v3 mail-send API, with the official ``sendgrid`` client.

One :meth:`SendGridBackend.send` call is one request of up to 1000 personalizations, one
per recipient, each with its own substitutions (HTML-escaped and raw values under separate
tags), ``custom_args`` (issue and subscriber) and one-click unsubscribe headers (RFC 8058).
The body is JSON text built here (the library's helper classes reverse the
personalizations): each personalization is written as it is checked, which costs half of
building dicts and encoding them (a send is CPU-bound on this).

What SendGrid would refuse is caught before sending and reported per recipient. Answers:

- 202: every recipient ``sent`` with the ``X-Message-Id``;
- 429: wait until ``X-RateLimit-Reset`` (bounded), or back off exponentially, and retry;
- 500/503, 502/504 with SendGrid's own error body, and unreachable hosts: retry with
  backoff and jitter, a bounded number of times, then ``failed`` (SendGrid did not take
  it: safe to send again later);
- 502/504 with any other body (a proxy or load balancer answered): ``uncertain``, never
  retried blindly, because SendGrid may have accepted the request before the gateway
  gave up;
- no answer after the request was sent (timeout, connection dropped): ``uncertain``, never
  retried blindly, because SendGrid may have accepted it;
- 400/413 and other refusals: ``failed`` with SendGrid's message and field;
- 401/403: :class:`BackendAuthError`, which stops the whole send;
- a request that cannot even be built (an unusable host, a key that cannot go in a
  header; checked before sending starts, so only a last guard): :class:`SendStopped`,
  nothing sent.

The API key never appears in a log line, an error message or a repr.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import re
import time
import urllib.error
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sendgrid
from python_http_client.exceptions import HTTPError

from ...config import Config
from ...errors import BackendAuthError, ConfigError, SendStopped, one_line
from ...models import Message, Outcome, OutcomeStatus, Recipient
from ...rendering.personalize import html_value, placeholder, recipient_values
from ...validators import api_host_problem, api_key_problem

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://api.sendgrid.com"
MAX_BATCH = 1000
MAX_FIELD_BYTES = 10_000
MAX_CATEGORIES = 10
MAX_CATEGORY_CHARS = 255
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Answered by a proxy as often as by SendGrid: retried only when SendGrid's own error
# format says SendGrid itself refused; otherwise the request may have been accepted.
GATEWAY_STATUSES = frozenset({502, 504})
AUTH_STATUSES = frozenset({401, 403})
TEST_PREFIX = "[TEST] "
ONE_CLICK = "List-Unsubscribe=One-Click"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# What SendGrid takes for an address; deliberately loose (SendGrid decides the rest).
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_IN_HEADER = re.compile(r"[\r\n<>]")
_NAME_SEPARATORS = str.maketrans(";,\r\n", "    ")
# A string as a JSON string literal, non-ASCII escaped (the C encoder itself, as
# json.dumps uses it for a str).
_json_str = json.encoder.encode_basestring_ascii
# What html.escape(quote=True) changes: a value without these is its own escaped form.
_HTML_SPECIAL = re.compile("[&<>\"']")


@dataclass(frozen=True)
class _Result:
    """The fate of one request: the same for every recipient it carried."""

    status: OutcomeStatus
    message_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class Built:
    """One batch's request, ready to post: its recipients' addresses (the recipients
    themselves are not kept: a batch may wait built while another is posted), the body
    (None when nobody in it can go), how many it carries, the recipients refused by
    index, and why the whole request would be refused ("" when it would not)."""

    emails: list[str]
    body: _Body | None
    count: int
    rejected: dict[int, Outcome]
    problem: str = ""


@dataclass(frozen=True)
class _Retry:
    """A refusal worth another try: why, and how long to wait first."""

    reason: str
    wait: float


class SendGridBackend:
    """Send batches of up to 1000 recipients per request to SendGrid's mail-send API."""

    name = "sendgrid"
    max_batch = MAX_BATCH

    def __init__(
        self,
        api_key: str,
        *,
        host: str = DEFAULT_HOST,
        timeout: float = 30.0,
        categories: Iterable[str] = (),
        asm_group_id: int = 0,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        if not api_key:
            raise ConfigError(_MISSING_KEY, field="SENDGRID_API_KEY")
        for field, problem in (("SENDGRID_API_KEY", api_key_problem(api_key)),
                               ("sendgrid.host", api_host_problem(host))):
            if problem:
                raise ConfigError(problem, field=field)
        self.categories = _checked_categories(categories)
        self.host = host.rstrip("/")
        self.timeout = timeout
        self.asm_group_id = asm_group_id
        self.max_retries = max_retries
        self.max_wait, self.backoff, self.max_backoff = max_wait, backoff, max_backoff
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        _hide_keys_in_library_logs()
        self._client = sendgrid.SendGridAPIClient(api_key, host=self.host)
        self._client.client.timeout = timeout
        # With a Content-Type other than plain "application/json" the library posts the
        # body text as given instead of encoding it again.
        self._client.client.request_headers["Content-Type"] = JSON_CONTENT_TYPE

    @classmethod
    def from_config(cls, config: Config) -> SendGridBackend:
        """The backend for ``config.sendgrid``; the key comes from SENDGRID_API_KEY only."""
        settings = config.sendgrid
        if not settings.api_key:
            raise ConfigError(_MISSING_KEY, field="SENDGRID_API_KEY")
        if settings.timeout <= 0:
            raise ConfigError(f"expected a number of seconds above 0, got {settings.timeout}",
                              field="sendgrid.timeout")
        return cls(settings.api_key, host=settings.host, timeout=settings.timeout,
                   categories=settings.categories, asm_group_id=settings.asm_group_id)

    def __repr__(self) -> str:
        return f"SendGridBackend(host={self.host!r}, timeout={self.timeout})"

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[Outcome]:
        """Deliver ``message`` to each recipient in one request; one outcome each, in order."""
        return self.post(self.build(message, recipients))

    def build(self, message: Message, recipients: Sequence[Recipient]) -> Built:
        """The request of one batch, built before it is posted (a send builds the next
        batch's while the one before it is on its way). Raises :class:`SendStopped` when
        it cannot be built: nothing has left."""
        problem = self._message_problem(message, recipients) if recipients else ""
        emails = [r.email for r in recipients]
        if problem or not recipients:
            return Built(emails, None, 0, {}, problem)
        try:
            personalizations, rejected = _personalizations(message, recipients)
            body = self.request_body(message, personalizations)
        except Exception as exc:  # a bug while building the body: nothing has left
            raise SendStopped(f"the request to SendGrid could not be built "
                              f"({one_line(exc)}); nothing was sent") from exc
        return Built(emails, body if personalizations else None, len(personalizations),
                     rejected)

    def post(self, built: Built) -> list[Outcome]:
        """Post a built request (retrying what is safe to retry); one outcome per
        recipient, in order."""
        if built.problem:
            return [Outcome(email, "failed", error=built.problem) for email in built.emails]
        result = _Result("failed")
        if built.body is not None:
            result = self._deliver(built.body, built.count)
        rejected = built.rejected
        return [rejected.get(i) or Outcome(email, result.status, result.message_id,
                                           result.error)
                for i, email in enumerate(built.emails)]

    # --- the request body ---------------------------------------------------------------

    def request_body(self, message: Message, personalizations: list[str]) -> _Body:
        """The mail-send JSON body for personalizations already written as JSON (ASCII)."""
        envelope = json.dumps(self._envelope(message))
        return _Body("".join(('{"personalizations":[', ",".join(personalizations), "],",
                              envelope[1:])).encode())

    def _envelope(self, message: Message) -> dict[str, Any]:
        """Everything in the body but the personalizations (the same for every batch)."""
        sender = message.sender
        body: dict[str, Any] = {
            "from": _address(sender.email, sender.name),
            "subject": _subject(message),
            "content": _content(message),
        }
        if sender.reply_to:
            body["reply_to"] = {"email": sender.reply_to}
        categories = self._categories(message)
        if categories:
            body["categories"] = categories
        if self.asm_group_id:
            body["asm"] = {"group_id": self.asm_group_id}
        if message.list_id:
            body["headers"] = {"List-Id": message.list_id}
        return body

    def _categories(self, message: Message) -> list[str]:
        return list(dict.fromkeys((*self.categories, *message.categories)))

    def _message_problem(self, message: Message, recipients: Sequence[Recipient]) -> str:
        """Why SendGrid would refuse the whole request, or ``""``."""
        if len(recipients) > MAX_BATCH:
            return (f"a batch of {len(recipients)} recipients: SendGrid takes at most "
                    f"{MAX_BATCH} per request")
        if not _is_email(message.sender.email):
            return f"the sender address {message.sender.email!r} is not a valid address"
        if message.sender.reply_to and not _is_email(message.sender.reply_to):
            return f"the reply-to address {message.sender.reply_to!r} is not a valid address"
        if not message.rendered.subject.strip():
            return "the message has no subject"
        if not _content(message):
            return "the message has neither HTML nor text content"
        return _categories_problem(self._categories(message))

    # --- sending with retries -------------------------------------------------------------

    def _deliver(self, body: _Body, count: int) -> _Result:
        """Post ``body``, retrying what is safe to retry; the one result for every recipient."""
        attempt = 0
        while True:
            answer = self._attempt(body, attempt)
            if isinstance(answer, _Result):
                return answer
            if attempt >= self.max_retries:
                log.warning("SendGrid did not accept a batch of %d after %d attempts (%s)",
                            count, attempt + 1, answer.reason)
                return _Result("failed", error=(
                    f"SendGrid did not accept the batch after {attempt + 1} attempts (last: "
                    f"{answer.reason}); nothing was sent, safe to send again later"))
            attempt += 1
            log.warning("SendGrid: %s; retrying in %.1f s (retry %d of %d)", answer.reason,
                        answer.wait, attempt, self.max_retries)
            self._sleep(answer.wait)

    def _attempt(self, body: _Body, attempt: int) -> _Result | _Retry:
        try:
            response = self._client.client.mail.send.post(request_body=body)
        except HTTPError as exc:
            return self._refusal(exc, attempt)
        except urllib.error.URLError as exc:
            # Raised before the request was fully sent: SendGrid cannot have accepted it.
            return _Retry(f"SendGrid unreachable ({_reason(exc)})", self._backoff(attempt))
        except (ValueError, UnicodeError) as exc:
            # Raised while the request was being built (http.client.InvalidURL is one): it
            # never left, and no request with this host and key can.
            raise SendStopped(f"no request to SendGrid could be made: {_unsent(exc)}; "
                              "nothing was sent") from None
        except (OSError, http.client.HTTPException) as exc:
            # Raised after the request was sent: it may have been accepted.
            log.warning("SendGrid gave no answer after the request was sent (%s)",
                        _no_answer(exc, self.timeout))
            return _Result("uncertain", error=(
                f"no answer from SendGrid after the request was sent "
                f"({_no_answer(exc, self.timeout)}): it may have been accepted, so it is "
                "not sent again automatically"))
        return _Result("sent", message_id=_header(response.headers, "X-Message-Id"))

    def _refusal(self, exc: HTTPError, attempt: int) -> _Result | _Retry:
        status = int(exc.status_code)
        if status in AUTH_STATUSES:
            said = _sendgrid_errors(exc)
            raise BackendAuthError(
                f"SendGrid refused the API key (HTTP {status}): check SENDGRID_API_KEY"
                + (f" (SendGrid said: {said})" if said else "")) from None
        if status == 429:
            return _Retry("HTTP 429 (rate limited)", self._rate_limit_wait(exc, attempt))
        if status in GATEWAY_STATUSES and not _sendgrid_errors_in(exc):
            # A proxy's answer: SendGrid may have taken the request before the proxy gave up.
            return _Result("uncertain", error=(
                f"HTTP {status} from a gateway, not from SendGrid: the batch may have been "
                "accepted, so it is not sent again automatically"))
        if status in RETRY_STATUSES:
            return _Retry(f"HTTP {status}", self._backoff(attempt))
        said = _sendgrid_errors(exc) or "no reason given"
        return _Result("failed", error=f"SendGrid rejected the batch (HTTP {status}): {said}")

    def _rate_limit_wait(self, exc: HTTPError, attempt: int) -> float:
        """Seconds until ``X-RateLimit-Reset`` (capped), or a backoff when it is absent."""
        try:
            reset = float(_header(exc.headers, "X-RateLimit-Reset"))
        except ValueError:
            return self._backoff(attempt)
        wait = reset - self._clock()
        return min(wait, self.max_wait) if wait > 0 else self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        delay = min(self.max_backoff, self.backoff * 2**attempt)
        return delay / 2 + self._jitter() * delay / 2


class _Body:
    """A request body: its bytes, handed to the HTTP library as they are.

    The library calls ``encode`` on a body it does not encode itself, then formats the
    whole payload into a DEBUG message on every request, whether or not DEBUG is on:
    rendering a megabyte of recipients' addresses costs more than writing it, and such a
    line is better without them anyway, so the bytes show as their size.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = _SizedBytes(data)

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The body's bytes (UTF-8 JSON, as :class:`_SizedBytes`)."""
        return self.data

    def __str__(self) -> str:
        return self.data.decode()


class _SizedBytes(bytes):
    """Bytes shown as ``<N bytes>`` by ``str``, ``repr`` and ``format``."""

    def __str__(self) -> str:
        return f"<{len(self)} bytes>"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_MISSING_KEY = ("the sendgrid backend needs an API key: set the SENDGRID_API_KEY environment "
                "variable (it is never read from newsletter.yaml)")


# --- personalizations -----------------------------------------------------------------------


def _personalizations(message: Message, recipients: Sequence[Recipient]
                      ) -> tuple[list[str], dict[int, Outcome]]:
    """One personalization (JSON text) per acceptable recipient, and failed outcomes (by
    index) for the recipients SendGrid would refuse."""
    builder = _PersonalizationBuilder(message)
    personalizations: list[str] = []
    rejected: dict[int, Outcome] = {}
    for i, recipient in enumerate(recipients):
        entry = builder.build(recipient)
        if isinstance(entry, _Refused):
            rejected[i] = Outcome(recipient.email, "failed", error=entry.reason)
        else:
            personalizations.append(entry)
    return personalizations, rejected


@dataclass(frozen=True)
class _Refused:
    """Why SendGrid would refuse one recipient (the others still go)."""

    reason: str


class _PersonalizationBuilder:
    """Writes the personalizations of one request as JSON text; what is the same for
    every recipient (which tags the message uses, the issue's custom args) is worked out
    once."""

    def __init__(self, message: Message) -> None:
        self._tags = _UsedTags(message)
        self._defaults = message.rendered.defaults
        self._args_head = '{"issue":' + _json_str(str(message.issue_key)) + ',"subscriber":'
        self._args_tail = (',"test":"true"' if message.test else "") + "}"
        self._seen: set[str] = set()

    def build(self, recipient: Recipient) -> str | _Refused:
        """The personalization of one recipient, or why SendGrid would refuse it."""
        problem = _recipient_problem(recipient.email, self._seen)
        if problem:
            return _Refused(problem)
        subs = self._tags.substitutions(recipient_values(recipient, self._defaults))
        args = self._args_head + _json_str(str(recipient.subscriber_id)) + self._args_tail
        problem = _size_problem("substitutions", subs) or _size_problem("custom_args", args)
        if problem:
            return _Refused(problem)
        head = f'{{"to":[{_address_json(recipient.email, recipient.name)}]'
        if subs != "{}":
            head += f',"substitutions":{subs}'
        url = recipient.fields.get("unsubscribe_url", "")
        if not url:
            return f'{head},"custom_args":{args}}}'
        if _NOT_IN_HEADER.search(url):
            return _Refused("the unsubscribe URL contains characters not allowed in a header")
        return f'{head},"custom_args":{args},"headers":{_unsubscribe_headers(url)}}}'


def _recipient_problem(email: str, seen: set[str]) -> str:
    if not _is_email(email):
        return f"{email!r} is not a valid email address"
    key = email.lower()
    if key in seen:
        return "the address appears more than once in this batch (SendGrid refuses that)"
    seen.add(key)
    return ""


def _size_problem(name: str, value: str) -> str:
    """Too many bytes in a JSON object of strings? Its ASCII-escaped text is never shorter
    than the UTF-8 bytes of its keys and values, which is what SendGrid counts."""
    if len(value) > MAX_FIELD_BYTES:
        return (f"its {name} take {len(value)} bytes; SendGrid allows {MAX_FIELD_BYTES} per "
                "recipient (shorten the personal fields)")
    return ""


def _unsubscribe_headers(url: str) -> str:
    """RFC 8058 one-click headers for ``url`` (checked to fit in a header), as a JSON
    object."""
    return f'{{"List-Unsubscribe":{_json_str(f"<{url}>")},"List-Unsubscribe-Post":"{ONE_CLICK}"}}'


class _UsedTags:
    """Substitutions limited to the tags that occur in the message (fewer bytes per
    person): each field's HTML-escaped and raw tags, looked up once per field."""

    def __init__(self, message: Message) -> None:
        rendered = message.rendered
        self._haystack = "\n".join((rendered.subject, rendered.html, rendered.text))
        self._tags: dict[str, tuple[str, str]] = {}

    def substitutions(self, values: Mapping[str, str]) -> str:
        """A JSON object of tag -> value for the used tags: escaped for HTML, raw for text."""
        members: list[str] = []
        tags = self._tags
        for field, value in values.items():
            html_tag, text_tag = tags.get(field) or self._look_up(field)
            if not (html_tag or text_tag):
                continue
            raw = _json_str(value)
            if html_tag:
                members.append(html_tag + (_json_str(html_value(value))
                                           if _HTML_SPECIAL.search(value) else raw))
            if text_tag:
                members.append(text_tag + raw)
        return "{" + ",".join(members) + "}"

    def _look_up(self, field: str) -> tuple[str, str]:
        """The field's tags as JSON keys (``"tag":``), "" for a tag the message lacks."""
        html_tag, text_tag = (_json_str(tag) + ":" if tag in self._haystack else ""
                              for tag in (placeholder(field, "html"), placeholder(field, "text")))
        self._tags[field] = (html_tag, text_tag)
        return self._tags[field]


# --- small pieces -----------------------------------------------------------------------------


def _address(email: str, name: str = "") -> dict[str, str]:
    """An email object; SendGrid refuses ``;`` and ``,`` in names, so they are dropped."""
    clean = " ".join(name.translate(_NAME_SEPARATORS).split())
    return {"email": email, "name": clean} if clean else {"email": email}


def _address_json(email: str, name: str) -> str:
    """:func:`_address` as JSON text."""
    clean = " ".join(name.translate(_NAME_SEPARATORS).split()) if name else ""
    if clean:
        return f'{{"email":{_json_str(email)},"name":{_json_str(clean)}}}'
    return f'{{"email":{_json_str(email)}}}'


def _subject(message: Message) -> str:
    subject = message.rendered.subject
    return TEST_PREFIX + subject if message.test else subject


def _content(message: Message) -> list[dict[str, str]]:
    """text/plain first, then text/html (SendGrid's required order); empty parts left out."""
    parts = (("text/plain", message.rendered.text), ("text/html", message.rendered.html))
    return [{"type": kind, "value": value} for kind, value in parts if value.strip()]


def _is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value or ""))


def _checked_categories(categories: Iterable[str]) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(str(c) for c in categories))
    problem = _categories_problem(list(unique))
    if problem:
        raise ConfigError(problem, field="sendgrid.categories")
    return unique


def _categories_problem(categories: list[str]) -> str:
    if len(categories) > MAX_CATEGORIES:
        return f"{len(categories)} categories: SendGrid allows at most {MAX_CATEGORIES}"
    long = [c for c in categories if len(c) > MAX_CATEGORY_CHARS]
    if long:
        return (f"the category {long[0][:40]!r}... is longer than {MAX_CATEGORY_CHARS} "
                "characters")
    return ""


def _header(headers: Any, name: str) -> str:
    value = headers.get(name) if headers is not None else None
    return str(value).strip() if value is not None else ""


def _sendgrid_errors(exc: HTTPError) -> str:
    """SendGrid's messages with their fields, or a short note for a non-JSON body."""
    raw = exc.body or b""
    try:
        errors = json.loads(raw)["errors"]
        return "; ".join(str(e.get("message", "")) + (f" (field {e['field']})"
                                                      if e.get("field") else "")
                         for e in errors)
    except (ValueError, KeyError, TypeError, AttributeError):
        text = re.sub(r"<[^>]+>|\s+", " ", raw.decode("utf-8", "replace")).strip()
        return text[:200]


def _sendgrid_errors_in(exc: HTTPError) -> bool:
    """Whether the answer's body is SendGrid's own error format (``{"errors": [...]}``)."""
    try:
        errors = json.loads(exc.body or b"")["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(errors, list) and bool(errors)


def _unsent(exc: BaseException) -> str:
    """Why a request could not be built, without the API key (an invalid header's error
    quotes the header's value)."""
    if isinstance(exc, http.client.InvalidURL) or "URL" in str(exc):
        return f"the SendGrid host is not a usable URL ({exc})"
    return "the API key cannot go in an HTTP header (check SENDGRID_API_KEY)"


def _reason(exc: urllib.error.URLError) -> str:
    reason = exc.reason
    return getattr(reason, "strerror", None) or str(reason)


def _no_answer(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g} s"
    return f"connection closed: {exc}" if str(exc) else f"connection closed ({type(exc).__name__})"


# --- keeping the key out of logs ----------------------------------------------------------


class _RedactBearer(logging.Filter):
    """Masks ``Bearer <key>`` in records of the HTTP library (it logs headers at DEBUG)."""

    pattern = re.compile(r"(Bearer\s+)[^\s'\",}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer" in message:
            record.msg, record.args = self.pattern.sub(r"\1***", message), ()
        return True


def _hide_keys_in_library_logs() -> None:
    for name in ("python_http_client", "python_http_client.client"):
        library = logging.getLogger(name)
        if not any(isinstance(f, _RedactBearer) for f in library.filters):
            library.addFilter(_RedactBearer())
