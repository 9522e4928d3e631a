"""Inline Markdown (or HTML) reduced to the plain text a reader sees."""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]{0,300}>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_MARKER = re.compile(r"\[\^?\d{1,4}\]|\\\[\d{1,4}\\\]")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|`{1,3})(?=\S)(.{1,300}?)(?<=\S)\1")  # bounded: linear
_EDIT = re.compile(r"\[\s*edit\s*\]", re.IGNORECASE)
_METADATA = re.compile(r"^\s*(?:title|source|url source|date|published(?: time)?)\s*[:=]\s*",
                       re.IGNORECASE)
_TRAILING_METADATA = re.compile(r"\s+[|·]\s*(?:source|url|url source|date|published|by)\b.*$",
                                re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """Markdown or HTML title text as plain text: no links, emphasis, tags, markers, URLs."""
    text = _EDIT.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _MARKER.sub(" ", text)
    text = _URL.sub(" ", text)
    for _ in range(3):  # nested emphasis (***x***, **_x_**)
        text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("**", "").replace("__", "").replace("\\", "")
    text = _TRAILING_METADATA.sub("", _METADATA.sub("", text))
    return _SPACES.sub(" ", text).strip(" \t-–—|·:")
