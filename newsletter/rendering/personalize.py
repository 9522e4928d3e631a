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


def recipient_values(recipient: Recipient, defaults: Mapping[str, str] | None = None
                     ) -> dict[str, str]:
    """Every personal field of ``recipient``, with the name and email filled in.

    ``first_name`` is the reader's ``first_name`` field, else the first word of their
    name, else ``defaults["first_name"]`` (the rendered issue's greeting fallback).
    """
    fields = recipient.fields
    values = _BLANK.copy()
    values.update(fields)
    values["email"] = recipient.email
    # Templates greet by name; "Hi there," reads better than "Hi ,".
    values["name"] = recipient.name or values["name"] or DEFAULT_NAME
    values["first_name"] = (first_name(recipient.name or fields.get("name", ""),
                                       fields.get("first_name", ""))
                            or (defaults or {}).get("first_name") or DEFAULT_NAME)
    return values


_BLANK = dict.fromkeys(PERSONAL_FIELDS, "")
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"})


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "dds", "esq", "mba",
                       "msc", "bsc", "ma", "ba", "rn", "cpa"})


def first_name(name: str, given: str = "") -> str:
    """How to greet someone: ``given`` (a first-name field), else the first word of
    ``name`` that is not a title ("Dr. Ann Lee" -> "Ann"), a name written "Last, First"
    greeted by the part after the comma ("Wei, Li" -> "Li"); "" when there is none."""
    given = given.strip()
    if given:
        return given
    for word in given_names(name).split():
        word = word.strip(",;<>\"'()")
        if word and "@" not in word and word.lower().rstrip(".") not in _HONORIFICS:
            return word
    return ""


def given_names(name: str) -> str:
    """The part of ``name`` that holds the given names: after the one comma of "Lovelace,
    Ada" (not of "Ann Lee, PhD", whose comma sets off a suffix), else all of it."""
    family, comma, rest = name.partition(",")
    words = rest.replace(".", " ").split()
    if not comma or not family.strip() or not words or "," in rest:
        return name
    if all(word.lower() in _SUFFIXES for word in words):
        return family
    return rest


def substitutions(values: Mapping[str, str]) -> dict[str, str]:
    """Tag -> value for both parts: escaped for HTML, raw for text."""
    subs: dict[str, str] = {}
    for field, value in values.items():
        subs[placeholder(field, "html")] = html_value(value)
        subs[placeholder(field, "text")] = value
    return subs


def personalize(rendered: RenderedIssue, recipient: Recipient) -> tuple[str, str]:
    """The (html, text) of ``rendered`` for one recipient, every placeholder substituted."""
    subs = substitutions(recipient_values(recipient, rendered.defaults))
    return _replace(rendered.html, subs), _replace(rendered.text, subs)


def _replace(text: str, subs: Mapping[str, str]) -> str:
    for tag, value in subs.items():
        if tag in text:
            text = text.replace(tag, value)
    return text
