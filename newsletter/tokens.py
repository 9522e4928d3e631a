"""Signed, purpose-bound tokens for unsubscribe, confirmation and view links.

A token names a subscriber (by an opaque key, never the address or a database id in
clear) and a purpose; it is signed with ``NEWSLETTER_SECRET_KEY`` (HMAC-SHA256), so it
cannot be forged, and a token made for one purpose is refused for another.

Unsubscribe and view links never expire (an opt-out must keep working long after the
send) and are made for every recipient of every send, so they are a plain HMAC-SHA256
(about 1 µs each: the key's inner and outer hash states are computed once per secret and
purpose). Confirmation links expire, so they carry a signed timestamp (itsdangerous).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
from collections.abc import Mapping, Sequence
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
        raise ConfigError(
            f"set {SECRET_ENV} to a random string of at least 16 characters (it signs "
            "unsubscribe and confirmation links; keep it in the folder's .env, e.g. "
            f"echo \"{SECRET_ENV}=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            "\" >> .env, and keep the same one: a new key breaks the links already sent)")
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


def read_token_any(secrets: Sequence[str], purpose: Purpose, token: str,
                   max_age: int | None = None) -> str:
    """:func:`read_token` under the first of ``secrets`` (the current one, then those in
    ``NEWSLETTER_PREVIOUS_SECRET_KEYS``) that signed it, so links in emails sent before
    the secret was changed keep working; the first secret's TokenError otherwise."""
    first: TokenError | None = None
    for secret in secrets:
        try:
            return read_token(secret, purpose, token, max_age)
        except TokenError as exc:
            first = first or exc
    raise first or TokenError("this link is not valid")


def _read_timed(secret: str, purpose: str, token: str, max_age: int | None) -> str:
    try:
        return str(_serializer(secret, purpose).loads(token, max_age=max_age))
    except SignatureExpired:
        raise TokenError("this link has expired") from None
    except BadSignature:
        raise TokenError("this link is not valid") from None


PREVIOUS_ENV = "NEWSLETTER_PREVIOUS_SECRET_KEYS"


def previous_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """The secrets used before the current one (``NEWSLETTER_PREVIOUS_SECRET_KEYS``,
    comma-separated): erasure hashes they keyed are still recognised."""
    return tuple(dict.fromkeys(k.strip() for k in env.get(PREVIOUS_ENV, "").split(",")
                               if k.strip()))


def key_id(secret: str) -> str:
    """A short fingerprint of a secret (16 hex digits), kept beside what it keyed so a
    changed secret is noticed; it tells nothing about the secret."""
    return _keyed(secret, "key-id").mac(b"").hex()[:16]


def erasure_hash(secret: str, address: str) -> str:
    """The keyed hash kept of an erased address (hex HMAC-SHA256): enough to recognise it
    in a later import, useless for recovering it without the secret."""
    return _keyed(secret, "erased").mac(address.strip().lower().encode("utf-8")).hex()


def _signature(secret: str, purpose: str, encoded: str) -> str:
    return _b64(_keyed(secret, purpose).mac(encoded.encode("ascii")))


class _Keyed:
    """HMAC-SHA256 (RFC 2104) of ``newsletter.<purpose>:<message>`` under one secret.

    The hash states after the key's inner and outer pads (and, for the inner one, the
    purpose's prefix) are computed once; each MAC copies them, which the ``hmac``
    module's own objects do with more work per call (a link is made per recipient).
    """

    def __init__(self, secret: str, purpose: str) -> None:
        key = secret.encode("utf-8")
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._inner.update(f"newsletter.{purpose}:".encode())
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def mac(self, message: bytes) -> bytes:
        """The HMAC's digest of the purpose's prefix followed by ``message``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


_BLOCK = 64  # SHA-256's block size in bytes
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


@functools.lru_cache(maxsize=16)
def _keyed(secret: str, purpose: str) -> _Keyed:
    return _Keyed(secret, purpose)


def _b64(data: bytes) -> str:
    """URL-safe base64 without padding (as ``base64.urlsafe_b64encode``, stripped)."""
    return binascii.b2a_base64(data, newline=False).translate(_URL_SAFE).rstrip(b"=").decode()


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"newsletter.{purpose}")
