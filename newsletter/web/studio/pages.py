"""What the studio's areas share: rendering a studio page, notices, and the queue on disk."""

from __future__ import annotations

from typing import Any

from flask import flash, get_flashed_messages, render_template

from ...errors import NewsletterError


def studio_page(template: str, code: int = 200, **context: Any) -> tuple[str, int]:
    """A page rendered from studio/``template``, with HTTP status ``code``."""
    return render_template(f"studio/{template}", **context), code


def notice(text: str, kind: str = "ok") -> None:
    """A one-line message shown on the next studio page (``ok`` or ``error``)."""
    flash(text, kind)


def notices() -> list[tuple[str, str]]:
    """The messages waiting to be shown, as (kind, text)."""
    return [(kind, text) for kind, text in get_flashed_messages(with_categories=True)]


def error_text(error: NewsletterError) -> str:
    """A library error as one line for a page (never a traceback, never a secret)."""
    return str(error)
