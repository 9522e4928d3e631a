"""The one error hierarchy of the project.

Every error a user can cause is a :class:`NewsletterError`; the CLI prints it as one line
and exits 1. Any other exception escaping a command is a bug.
"""

from __future__ import annotations

from pathlib import Path


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


class BackendAuthError(DeliveryError):
    """The delivery provider refused our credentials: stop the whole send."""


class SendInterrupted(DeliveryError):
    """Ctrl-C stopped a send: the batches in flight were finished and recorded."""
