"""Delivery backends: one small interface, one module per way out.

A backend takes one :class:`~newsletter.models.Message` and a batch of recipients and
returns one :class:`~newsletter.models.Outcome` per recipient, in order. It raises
:class:`~newsletter.errors.SendStopped` (:class:`~newsletter.errors.BackendAuthError`
when the provider refuses our credentials) when no further request can succeed: the
whole send stops, and the exception says what became of the batch in hand. Every other
problem is reported in the outcomes; an exception of any other kind is taken to mean the
request may have left (its recipients become ``uncertain``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ...errors import ConfigError
from ...models import Message, Outcome, Recipient

if TYPE_CHECKING:
    from ...config import Config


class Backend(Protocol):
    """A way for messages to leave."""

    name: str
    max_batch: int  # most recipients one send() call takes

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[Outcome]:
        """Deliver ``message`` to each recipient; one outcome per recipient, in order."""
        ...


def get_backend(config: Config) -> Backend:
    """The backend named by ``delivery.backend`` in the configuration."""
    name = config.delivery.backend
    if name == "outbox":
        from .outbox import OutboxBackend

        return OutboxBackend.from_config(config)
    if name == "sendgrid":
        from .sendgrid import SendGridBackend

        return SendGridBackend.from_config(config)
    raise ConfigError(f"unknown backend {name!r}", field="delivery.backend")
