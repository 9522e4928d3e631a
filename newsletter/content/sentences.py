"""Sentences of a paragraph, without cutting at abbreviations ("Oct. 13", "Dr. Lee", "e.g.").

Used wherever the split cuts text: a long paragraph is cut between sentences, never inside
one, and titles are made from first sentences.
"""

from __future__ import annotations

import re

# A full stop after these ends no sentence (lowercased, without the stop).
_ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "etc", "approx", "no",
    "nos", "vol", "fig", "figs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri",
    "sat", "sun", "inc", "ltd", "co", "corp", "dept", "est", "min", "max", "e.g", "i.e", "cf",
    "al", "ca", "oz", "lb", "lbs", "tbsp", "tsp", "pt", "qt", "gal",
])
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"”’')\]]*(?:\[\^\d+\])*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``; footnote markers and closing quotes stay with the sentence
    they follow."""
    parts = _BOUNDARY.split(text)
    pieces = [parts[0]]
    for closer, rest in zip(parts[1::2], parts[2::2], strict=True):
        pieces[-1] += closer
        if _ends_with_abbreviation(pieces[-1]):
            pieces[-1] += " " + rest
        else:
            pieces.append(rest)
    return [p.strip() for p in pieces if p.strip()]


def _ends_with_abbreviation(piece: str) -> bool:
    if not piece.endswith("."):
        return False
    match = _WORD_BEFORE.search(piece)
    word = match.group(1).lower() if match else ""
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or (
        "." in word and len(word) <= 5)  # U.S., a.m.
