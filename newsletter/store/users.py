"""The studio's half of the store: accounts and failed sign-ins (for rate limits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InputError
from .engine import read_transaction, write_transaction
from .schema import signin_failures, users

_U = users.c
_F = signin_failures.c


@dataclass(frozen=True)
class User:
    """A studio account (the hash stays in the store's records, never on a page)."""

    id: int
    email: str
    password_hash: str
    created_at: datetime
    last_sign_in_at: datetime | None


def user_key(email: str) -> str:
    """The identity of an account's address: trimmed and lowercased."""
    return email.strip().lower()


class UserStore:
    """Studio accounts over the store's engine."""

    engine: Engine

    def add_user(self, email: str, password_hash: str, *, now: datetime) -> User:
        """A new account; :class:`InputError` when the address has one already."""
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(users.insert().values(email=user_key(email),
                                                   password_hash=password_hash, created_at=now))
        except IntegrityError:
            raise InputError(f"{user_key(email)} already has an account", field="email") from None
        found = self.get_user(email)
        assert found is not None
        return found

    def get_user(self, ref: str | int) -> User | None:
        """The account of an address (or id), or None."""
        where = _U.id == ref if isinstance(ref, int) else _U.email == user_key(ref)
        with read_transaction(self.engine) as conn:
            row = conn.execute(select(users).where(where)).first()
        return User(*row) if row else None

    def list_users(self) -> list[User]:
        """Every account, by address."""
        with read_transaction(self.engine) as conn:
            return [User(*row) for row in conn.execute(select(users).order_by(_U.email))]

    def remove_user(self, email: str) -> bool:
        """Delete an account (its sessions stop working at their next request)."""
        with write_transaction(self.engine) as conn:
            return bool(conn.execute(delete(users).where(_U.email == user_key(email))).rowcount)

    def record_sign_in(self, user_id: int, *, now: datetime) -> None:
        """Remember when the account last signed in."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(users).where(_U.id == user_id).values(last_sign_in_at=now))

    def record_failed_sign_in(self, email: str, ip: str, *, now: datetime) -> None:
        """Count one failed sign-in against the address and the client address."""
        with write_transaction(self.engine) as conn:
            conn.execute(signin_failures.insert().values(email=user_key(email)[:320],
                                                         ip=ip[:64], at=now))

    def failed_sign_ins(self, email: str, ip: str, *, since: datetime) -> tuple[int, int]:
        """Failures since ``since``: (for this address, from this client address)."""
        key = user_key(email)[:320]
        recent = _F.at >= since
        query = select(func.count().filter(_F.email == key),
                       func.count().filter(_F.ip == ip)).where(
            recent, or_(_F.email == key, _F.ip == ip))
        with read_transaction(self.engine) as conn:
            by_email, by_ip = conn.execute(query).one()
        return int(by_email), int(by_ip)

    def forget_failed_sign_ins(self, email: str, *, before: datetime) -> None:
        """Clear an address's failures after it signs in (and any older than ``before``)."""
        with write_transaction(self.engine) as conn:
            conn.execute(delete(signin_failures).where(
                or_(_F.email == user_key(email), _F.at < before)))
