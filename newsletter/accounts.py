"""Studio accounts: slow password hashes (scrypt), checked in constant time.

The hash is self-describing (``scrypt$n$r$p$salt$hash``, base64), so the cost can grow
later without breaking stored accounts. No dependency: :func:`hashlib.scrypt` is in the
standard library (OpenSSL).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from .errors import InputError

# ~50 ms and 16 MiB per check on this machine: slow for a guesser, fine for a person.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 12
_DKLEN = 32


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` (refused when shorter than MIN_PASSWORD)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters",
                         field="password")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (a :func:`hash_password` result)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, _unb64(digest))


def dummy_verify(password: str) -> None:
    """Spend the time of one check, so an unknown address answers as slowly as a known one."""
    verify_password(password, _DUMMY)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=64 * 1024 * 1024, dklen=_DKLEN)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


_DUMMY = "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                   _b64(b"\0" * 16), _b64(b"\0" * _DKLEN)])
