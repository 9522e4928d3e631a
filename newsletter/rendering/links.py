"""Per-recipient links: signed unsubscribe and view URLs under ``base_url``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..tokens import make_token


class Addressee(Protocol):
    """What links need of a subscriber: an opaque key, an address and a name."""

    key: str
    email: str
    name: str


@dataclass(frozen=True)
class Links:
    """Builds the personal fields of each recipient from ``base_url`` and the secret."""

    base_url: str
    secret: str

    def unsubscribe_url(self, subscriber_key: str) -> str:
        """The one-click unsubscribe URL (RFC 8058 POST target, and a GET confirm page)."""
        token = make_token(self.secret, "unsubscribe", subscriber_key)
        return f"{self.base_url}/unsubscribe/{token}"

    def view_url(self, issue_key: str, subscriber_key: str = "") -> str:
        """The view-in-browser URL of an issue (by its ledger key) as it was sent."""
        if not subscriber_key:
            return f"{self.base_url}/archive/{issue_key}"
        token = make_token(self.secret, "view", f"{subscriber_key}:{issue_key}")
        return f"{self.base_url}/archive/{issue_key}?t={token}"

    def fields(self, subscriber: Addressee, issue_key: str) -> dict[str, str]:
        """The personal fields of one subscriber for the issue with ``issue_key``."""
        given = getattr(subscriber, "fields", None) or {}
        return {
            "name": subscriber.name,
            "first_name": str(given.get("first_name", "")),
            "email": subscriber.email,
            # ?i= tells `newsletter stats` which issue's link was used (not signed: at worst
            # a reader misattributes their own unsubscribe).
            "unsubscribe_url": f"{self.unsubscribe_url(subscriber.key)}?i={issue_key}",
            "view_url": self.view_url(issue_key, subscriber.key),
        }
