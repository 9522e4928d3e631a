"""The one error hierarchy of the project.

Every error a user can cause is a :class:`NewsletterError`; the CLI prints it as one line
and exits 1. Any other exception escaping a command is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Outcome


class NewsletterError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""

    exit_code = 1


class InputError(NewsletterError):
    """Bad input: a file, a line in it or a field, and what is wrong.

    ``str(error)`` reads ``path:line: field: message`` with the parts that are known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ArticleError(InputError):
    """An article that cannot be read (missing, empty, binary, unknown format)."""


class ConfigError(InputError):
    """newsletter.yaml or an environment variable is wrong or missing."""


class IssueFileError(InputError):
    """An issue file in issues/ is malformed."""


class StaleFileError(InputError):
    """A save refused: the file changed on disk since the person opened it."""


class DeliveryError(NewsletterError):
    """A send could not go ahead or could not finish."""


class SendStopped(DeliveryError):
    """The whole send must stop: every further request would fail the same way (refused
    credentials, an unusable API key or host, a full disk).

    ``outcomes`` says what became of the batch in hand: None when none of it was accepted
    (its claims are handed back), else one outcome per recipient.
    """

    def __init__(self, message: str, outcomes: Sequence[Outcome] | None = None) -> None:
        super().__init__(message)
        self.outcomes = outcomes


class BackendAuthError(SendStopped):
    """The delivery provider refused our credentials: stop the whole send."""


class StoreError(NewsletterError):
    """The database failed: locked past the busy timeout, read-only, full, unreachable."""


def one_line(exc: BaseException) -> str:
    """An exception as one line for the operator: the database's or the system's own
    message for those failures, the class name for anything else."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    if orig is not None:
        return " ".join(str(orig).split()) or type(orig).__name__
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
