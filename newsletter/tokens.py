"""Signed, purpose-bound tokens for unsubscribe, confirmation and view links.

A token names a subscriber (by an opaque key, never the address or a database id in
clear) and a purpose; it is signed with ``NEWSLETTER_SECRET_KEY`` (HMAC-SHA256 through
itsdangerous), so it cannot be forged, and a token made for one purpose is refused for
another.
"""

from __future__ import annotations

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


def make_token(secret: str, purpose: Purpose, subject: str) -> str:
    """A URL-safe token that binds ``subject`` (an opaque subscriber key) to ``purpose``."""
    return _serializer(secret, purpose).dumps(subject)


def read_token(secret: str, purpose: Purpose, token: str, max_age: int | None = None) -> str:
    """The subject of a valid token for ``purpose``; TokenError otherwise."""
    try:
        return str(_serializer(secret, purpose).loads(token, max_age=max_age))
    except SignatureExpired:
        raise TokenError("this link has expired") from None
    except BadSignature:
        raise TokenError("this link is not valid") from None


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"newsletter.{purpose}")
