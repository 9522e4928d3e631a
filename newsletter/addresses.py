"""Email addresses and display names, normalised once at every way in (form, CSV, CLI).

One mailbox is one subscriber: an address is read in NFKC form (full-width letters become
ASCII), invisible characters (zero-width spaces and joiners, byte-order marks, soft
hyphens, direction marks) are removed, the domain is IDNA-encoded (the ASCII form DNS and
SendGrid use) and the whole address is lowercased. The common case is settled by one
regular expression in one pass; whatever it is unsure of goes to ``email-validator``
(syntax only, never the network), which also gives the reason a bad address is bad.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InputError

MAX_NAME = 200  # characters kept of a display name
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?")
# Kept in names although they are format characters: needed to spell words in Persian,
# Hindi and others, and to join emoji.
_JOINERS = frozenset("\u200c\u200d")


def normalize_address(text: str) -> str:
    """The one stored form of an address; an :class:`InputError` saying why it is unusable.

    >>> normalize_address(" Ｚｗ@Example.COM\\u200b ")
    'zw@example.com'
    """
    address = _visible(text).strip().lower()
    if _FAST.fullmatch(address) and len(address) <= 254 and address.index("@") <= 64:
        return address
    return _validated(address, text)


def lookup_key(text: str) -> str:
    """What a subscriber is found by: the normalised address, or (for text that is not a
    valid address, which then matches nothing new) the trimmed, lowercased text."""
    try:
        return normalize_address(text)
    except InputError:
        return text.strip().lower()


def address_problem(text: str) -> str | None:
    """Why ``text`` is not a usable address, or None when it is."""
    try:
        normalize_address(text)
    except InputError as exc:
        return exc.message
    return None


def _visible(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _validated(address: str, given: str) -> str:
    shown = given.strip()
    if not address:
        raise InputError("blank email", field="email")
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in address):
        raise InputError(f"invalid address {shown!r}: contains a control character",
                         field="email")
    if " " in address:
        raise InputError(f"invalid address {shown!r}: contains a space", field="email")
    local, _, _ = address.rpartition("@")
    if len(address) > 254 or len(local) > 64:
        raise InputError(f"invalid address {shown!r}: too long", field="email")
    from email_validator import EmailNotValidError, validate_email  # only when unsure

    try:
        found = validate_email(address, check_deliverability=False, allow_smtputf8=False,
                               allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError as exc:
        raise InputError(f"invalid address {shown!r}: {_reason(exc)}", field="email") from None
    return str(found.ascii_email).lower()


def _reason(exc: Exception) -> str:
    text = str(exc).rstrip(".")
    return text[:1].lower() + text[1:]


def clean_name(raw: str, limit: int = MAX_NAME) -> str:
    """A display name fit for a header: no line breaks, control or invisible characters,
    single spaces, at most ``limit`` characters."""
    raw = str(raw)
    kept = raw if raw.isprintable() else "".join(" " if _dropped(c) else c for c in raw)
    return " ".join(kept.split())[:limit]


def _dropped(c: str) -> bool:
    category = unicodedata.category(c)
    return category in ("Cc", "Cs", "Zl", "Zp") or (
        category == "Cf" and c not in _JOINERS)
