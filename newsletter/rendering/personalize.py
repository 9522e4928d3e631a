"""Per-recipient fields: placeholders written once at render time, substituted per recipient.

An issue is rendered once with a placeholder per field and part (``%%name:html%%`` in the
HTML part, ``%%name:text%%`` in the text part); each recipient's values are substituted
afterwards, HTML-escaped in the HTML part and raw in the text part. The SendGrid backend
hands the same pairs to SendGrid as ``substitutions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Literal

from ..models import PERSONAL_FIELDS, Recipient, RenderedIssue

Part = Literal["html", "text"]
DEFAULT_NAME = "there"


def placeholder(field: str, part: Part) -> str:
    """The tag that stands for ``field`` in the given part of a rendered issue."""
    return f"%%{field}:{part}%%"


def html_value(value: str) -> str:
    """``value`` as it goes into the HTML part (escaped, quotes included)."""
    return escape(value, quote=True)


def recipient_values(recipient: Recipient) -> dict[str, str]:
    """Every personal field of ``recipient``, with the name and email filled in."""
    values = dict.fromkeys(PERSONAL_FIELDS, "")
    values.update(recipient.fields)
    values["email"] = recipient.email
    # Templates greet by name; "Hi there," reads better than "Hi ,".
    values["name"] = recipient.name or values.get("name", "") or DEFAULT_NAME
    return values


def substitutions(values: Mapping[str, str]) -> dict[str, str]:
    """Tag -> value for both parts: escaped for HTML, raw for text."""
    subs: dict[str, str] = {}
    for field, value in values.items():
        subs[placeholder(field, "html")] = html_value(value)
        subs[placeholder(field, "text")] = value
    return subs


def personalize(rendered: RenderedIssue, recipient: Recipient) -> tuple[str, str]:
    """The (html, text) of ``rendered`` for one recipient, every placeholder substituted."""
    subs = substitutions(recipient_values(recipient))
    return _replace(rendered.html, subs), _replace(rendered.text, subs)


def _replace(text: str, subs: Mapping[str, str]) -> str:
    for tag, value in subs.items():
        if tag in text:
            text = text.replace(tag, value)
    return text
