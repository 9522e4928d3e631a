"""Signed link tokens: unforgeable, bound to one purpose, revealing nothing in clear."""

from __future__ import annotations

import base64

import pytest

from newsletter.tokens import TokenError, make_token, read_token

SECRET = "a-test-secret-of-enough-length"
KEY = "k7Qp2-opaque_subscriber_key"


@pytest.mark.parametrize("purpose", ["unsubscribe", "view", "confirm"])
def test_a_token_reads_back_for_its_purpose_only(purpose: str) -> None:
    token = make_token(SECRET, purpose, KEY)  # type: ignore[arg-type]
    assert read_token(SECRET, purpose, token) == KEY  # type: ignore[arg-type]
    for other in {"unsubscribe", "view", "confirm"} - {purpose}:
        with pytest.raises(TokenError):
            read_token(SECRET, other, token)  # type: ignore[arg-type]


@pytest.mark.parametrize("purpose", ["unsubscribe", "view", "confirm"])
def test_forged_truncated_and_foreign_tokens_are_refused(purpose: str) -> None:
    token = make_token(SECRET, purpose, KEY)  # type: ignore[arg-type]
    encoded = base64.urlsafe_b64encode(b"someone-else").rstrip(b"=").decode()
    forged = encoded + token[token.index("."):]
    for bad in (token[:-3], forged, make_token("another-secret-entirely", purpose, KEY),  # type: ignore[arg-type]
                "", "....", token + "x"):
        with pytest.raises(TokenError):
            read_token(SECRET, purpose, bad)  # type: ignore[arg-type]


def test_tokens_are_url_safe_and_stable() -> None:
    token = make_token(SECRET, "unsubscribe", KEY)
    assert token == make_token(SECRET, "unsubscribe", KEY)
    assert all(c.isalnum() or c in "-_." for c in token)


@pytest.mark.parametrize("secret", [SECRET, "s" * 100, "ünïcode-secret-long-enough"])
@pytest.mark.parametrize("purpose", ["unsubscribe", "view"])
def test_links_already_sent_keep_working(secret: str, purpose: str) -> None:
    """A link token is HMAC-SHA256 over the purpose and the encoded key, URL-safe base64:
    links mailed by earlier versions read back, and new ones are the same text."""
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    for key in (KEY, "ü-key", "k" * 200):
        encoded = b64(key.encode())
        mac = hmac.new(secret.encode(), f"newsletter.{purpose}:{encoded}".encode(),
                       hashlib.sha256).digest()
        earlier = f"{encoded}.{b64(mac)}"
        assert make_token(secret, purpose, key) == earlier  # type: ignore[arg-type]
        assert read_token(secret, purpose, earlier) == key  # type: ignore[arg-type]


def test_the_erasure_hash_is_a_plain_keyed_hash() -> None:
    import hashlib
    import hmac

    from newsletter.tokens import erasure_hash

    expected = hmac.new(SECRET.encode(), b"newsletter.erased:ann@example.com",
                        hashlib.sha256).hexdigest()
    assert erasure_hash(SECRET, " Ann@Example.com ") == expected


def test_a_missing_secret_says_where_to_keep_one_and_how_to_make_it() -> None:
    from newsletter.errors import ConfigError
    from newsletter.tokens import secret_from_env

    with pytest.raises(ConfigError) as raised:
        secret_from_env({})
    message = str(raised.value)
    assert "NEWSLETTER_SECRET_KEY" in message and ".env" in message
    assert "secrets.token_urlsafe" in message and "\n" not in message
