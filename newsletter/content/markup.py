"""Inline Markdown (or HTML) reduced to the plain text a reader sees."""

from __future__ import annotations

import functools
import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]{0,300}>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_MARKER = re.compile(r"\[\^?\d{1,4}\]|\\\[\d{1,4}\\\]")
# An underscore that opens or closes emphasis (_word_), not one inside a snake_case name.
_UNDERSCORE = re.compile(r"(?<!\w)_+(?=\S)|(?<=\S)_+(?!\w)")
_EDIT = re.compile(r"\[\s*edit\s*\]", re.IGNORECASE)
_METADATA = re.compile(r"^\s*(?:title|source|url source|date|published(?: time)?)\s*[:=]\s*",
                       re.IGNORECASE)
_TRAILING_METADATA = re.compile(r"\s+[|·]\s*(?:source|url|url source|date|published|by)\b.*$",
                                re.IGNORECASE)


@functools.lru_cache(maxsize=8192)  # a page repeats its texts: headings, items, furniture
def plain(text: str) -> str:
    """Markdown or HTML title text as plain text: no links, emphasis, tags, markers, URLs."""
    if "[" in text:
        text = _MARKER.sub(" ", _LINK.sub(r"\1", _EDIT.sub(" ", text)))
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    text = text.replace("*", "").replace("`", "").replace("\\", "")  # emphasis, code
    if "_" in text:
        text = _UNDERSCORE.sub("", text)
    if ":" in text or "|" in text or "·" in text:
        text = _TRAILING_METADATA.sub("", _METADATA.sub("", text))
    return " ".join(text.split()).strip(" \t-–—|·:")
