"""The SendGrid Event Webhook: signed batches of events, stored once, acted on at once.

SendGrid signs ``timestamp + raw body`` with ECDSA P-256 / SHA-256 and sends the base64
DER signature in ``X-Twilio-Email-Event-Webhook-Signature``; the public key is base64 DER
SubjectPublicKeyInfo (``SENDGRID_WEBHOOK_PUBLIC_KEY``). A missing, wrong or stale
signature is 403; a body over the limit is 413 before it is read; a body that is not a
JSON array of at most ``MAX_DEPTH`` levels is 400. A batch is one transaction; a malformed
event (also one whose text fields hold a NUL or an unpaired surrogate, which no database
column stores) is logged and skipped, never failing the others.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, RequestEntityTooLarge

from ..errors import ConfigError
from ..store import EventRecord
from ..store.events import IncomingEvent, ingest_events
from .common import WebContext, log, web_context

blueprint = Blueprint("webhook", __name__)
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
KEY_ENV = "SENDGRID_WEBHOOK_PUBLIC_KEY"
SOURCE = "sendgrid"
NOT_CONFIGURED = f"{KEY_ENV} is not set: the SendGrid webhook refuses every request (403)"
MAX_ID, MAX_TYPE, MAX_ISSUE = 255, 32, 64
MAX_DEPTH = 32  # SendGrid's events are three levels deep (a list of objects of lists)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
# Reasons SendGrid gives for dropping a message to an address that cannot receive mail.
_DEAD_ADDRESS = ("bounced address", "invalid")
_DROPPED_STATUS = {"spam reporting address": "complained", "unsubscribed address": "unsubscribed"}
_STATUS_OF = {"spamreport": "complained", "unsubscribe": "unsubscribed",
              "group_unsubscribe": "unsubscribed", "group_resubscribe": "active"}


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """SendGrid's verification key from its base64 DER form; ConfigError when unusable."""
    try:
        key = load_der_public_key(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error, TypeError):
        raise ConfigError(f"{KEY_ENV} is not a base64 DER public key (copy it from SendGrid's "
                          "Mail Settings > Signed Event Webhook)") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ConfigError(f"{KEY_ENV} is not an ECDSA P-256 key")
    return key


@blueprint.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[Response, int]:
    """Webhook errors as JSON (SendGrid and the people debugging it read these, not a page)."""
    code = error.code or 500
    return jsonify(error=error.description or error.name, status=code), code


@blueprint.post("/webhooks/sendgrid")
def receive() -> Response:
    """Verify, parse and store one batch; answer fast with what was done."""
    ctx = web_context()
    body = _read_body(ctx.settings.webhook_max_bytes)
    _verify(ctx, body)
    raw = _parse(body)
    parsed = []
    for index, item in enumerate(raw):
        try:
            parsed.append(parse_event(item))
        except ValueError as exc:
            log.warning("webhook: skipped event %d of %d: %s", index + 1, len(raw), exc)
    result = ingest_events(ctx.store, parsed, source=SOURCE, now=ctx.clock())
    return jsonify(received=len(raw), stored=result.stored, duplicates=result.duplicates,
                   skipped=len(raw) - len(parsed), status_changes=result.status_changes)


def _read_body(limit: int) -> bytes:
    request.max_content_length = limit  # the app's smaller limit is for forms
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The body is over {limit} bytes.")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge(f"The body is over {limit} bytes.")
    return body


def _verify(ctx: WebContext, body: bytes) -> None:
    """403 unless the body carries a fresh, valid SendGrid signature."""
    if ctx.webhook_key is None:
        raise Forbidden(f"The webhook is not configured ({KEY_ENV} is not set).")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    stamp = request.headers.get(TIMESTAMP_HEADER, "")
    if not signature or not stamp:
        raise Forbidden("The request is not signed.")
    if not _fresh(stamp, ctx.clock(), ctx.settings.webhook_max_age.total_seconds()):
        raise Forbidden("The signature's timestamp is missing, malformed or too old.")
    try:
        ctx.webhook_key.verify(base64.b64decode(signature, validate=True),
                               stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        raise Forbidden("The signature does not match.") from None


def _fresh(stamp: str, now: datetime, window: float) -> bool:
    if not stamp.isdigit() or len(stamp) > 12:
        return False
    return abs(now.timestamp() - int(stamp)) <= window


def _parse(body: bytes) -> list[Any]:
    if json_depth(body) > MAX_DEPTH:
        raise BadRequest(f"The body is nested more than {MAX_DEPTH} levels deep.")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # also numbers over Python's 4,300 digits
        raise BadRequest("The body is not JSON.") from None
    if not isinstance(data, list):
        raise BadRequest("The body is not a JSON array of events.")
    return data


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, in linear time and without
    recursion (brackets inside strings do not count; the text need not be valid)."""
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")  # escapes never end a string
    outside = b"".join(plain.split(b'"')[::2]).translate(None, _BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, outside)), default=0)


def parse_event(raw: Any) -> IncomingEvent:
    """One SendGrid event as a row to store and the status it implies; ValueError if bad."""
    if not isinstance(raw, Mapping):
        raise ValueError("not a JSON object")
    event_id = _text(raw, "sg_event_id", MAX_ID)
    kind = _text(raw, "event", MAX_TYPE)
    email = raw.get("email") if _storable(raw.get("email")) else ""
    record = EventRecord(sg_event_id=event_id, type=kind, at=_time(raw.get("timestamp")),
                         payload=dict(raw), subscriber_id=_subscriber_id(raw.get("subscriber")),
                         issue_key=_issue(raw.get("issue")))
    return IncomingEvent(record=record, email=email, status=status_for(raw))


def status_for(event: Mapping[str, Any]) -> str | None:
    """The subscriber status an event calls for, or None (statistics only)."""
    kind = event.get("event")
    if kind == "bounce":
        return None if event.get("type") == "blocked" else "bounced"
    if kind == "dropped":
        reason = str(event.get("reason", "")).strip().lower()
        if reason.startswith(_DEAD_ADDRESS) and "header" not in reason:
            return "bounced"
        return _DROPPED_STATUS.get(reason)
    return _STATUS_OF.get(str(kind))


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str:
    value = raw.get(name)
    if not _storable(value) or not value.strip() or len(value) > limit:
        raise ValueError(f"{name} missing or not a short string")
    return value


def _storable(value: Any) -> bool:
    """A string a text column can hold: no NUL (PostgreSQL refuses it), no unpaired
    surrogate (no UTF-8 form)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _time(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("timestamp missing or not a number")
    try:
        if not math.isfinite(value):
            raise ValueError("timestamp missing or not a number")
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("timestamp out of range") from None


def _subscriber_id(value: Any) -> int | None:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


def _issue(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if _storable(value) and 0 < len(value) <= MAX_ISSUE else None
