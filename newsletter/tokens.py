"""Signed, purpose-bound tokens for unsubscribe, confirmation and view links.

A token names a subscriber (by an opaque key, never the address or a database id in
clear) and a purpose; it is signed with ``NEWSLETTER_SECRET_KEY`` (HMAC-SHA256), so it
cannot be forged, and a token made for one purpose is refused for another.

Unsubscribe and view links never expire (an opt-out must keep working long after the
send) and are made for every recipient of every send, so they are a plain HMAC (about
2 µs each). Confirmation links expire, so they carry a signed timestamp (itsdangerous).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import ConfigError, NewsletterError

Purpose = Literal["unsubscribe", "confirm", "view"]
SECRET_ENV = "NEWSLETTER_SECRET_KEY"


class TokenError(NewsletterError):
    """A token that is forged, truncated, expired or made for another purpose."""


def secret_from_env(env: Mapping[str, str]) -> str:
    """The signing secret, or a ConfigError saying which variable to set."""
    secret = env.get(SECRET_ENV, "")
    if len(secret) < 16:
        raise ConfigError(f"set {SECRET_ENV} to a random string of at least 16 characters "
                          "(it signs unsubscribe and confirmation links)")
    return secret


TIMED: tuple[str, ...] = ("confirm",)
MAX_TOKEN = 1024  # characters; ours are under 200


def make_token(secret: str, purpose: Purpose, subject: str) -> str:
    """A URL-safe token that binds ``subject`` (an opaque subscriber key) to ``purpose``."""
    if purpose in TIMED:
        return _serializer(secret, purpose).dumps(subject)
    encoded = _b64(subject.encode("utf-8"))
    return f"{encoded}.{_signature(secret, purpose, encoded)}"


def read_token(secret: str, purpose: Purpose, token: str, max_age: int | None = None) -> str:
    """The subject of a valid token for ``purpose``; TokenError otherwise (also for any
    token that is too long or not ASCII: such text is never one of ours)."""
    if len(token) > MAX_TOKEN or not token.isascii():
        raise TokenError("this link is not valid")
    if purpose in TIMED:
        return _read_timed(secret, purpose, token, max_age)
    encoded, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature,
                                                _signature(secret, purpose, encoded)):
        raise TokenError("this link is not valid")
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise TokenError("this link is not valid") from None


def _read_timed(secret: str, purpose: str, token: str, max_age: int | None) -> str:
    try:
        return str(_serializer(secret, purpose).loads(token, max_age=max_age))
    except SignatureExpired:
        raise TokenError("this link has expired") from None
    except BadSignature:
        raise TokenError("this link is not valid") from None


def erasure_hash(secret: str, address: str) -> str:
    """The keyed hash kept of an erased address (hex HMAC-SHA256): enough to recognise it
    in a later import, useless for recovering it without the secret."""
    mac = _keyed(secret).copy()
    mac.update(f"newsletter.erased:{address.strip().lower()}".encode())
    return mac.hexdigest()


def _signature(secret: str, purpose: str, encoded: str) -> str:
    mac = _keyed(secret).copy()  # the key schedule is computed once per secret
    mac.update(f"newsletter.{purpose}:{encoded}".encode())
    return _b64(mac.digest())


@functools.lru_cache(maxsize=8)
def _keyed(secret: str) -> hmac.HMAC:
    return hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"newsletter.{purpose}")
