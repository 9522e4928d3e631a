"""Calls to action: the sections and closing paragraphs that pitch rather than inform."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .contentfile import count_words
from .sections import Section, Unit
from .sentences import sentences

# --- promotional sections --------------------------------------------------------------------

_PITCH = re.compile(
    r"\b(buy (?:now|it|yours|one|today)|shop (?:now|the|our)|order (?:now|yours|today|your|one|"
    r"online|here)|discount|coupon|promo code|use code|free trial|"
    r"try (?:it|our|the) .{0,30}(?:today|now|free)|try our|add to cart|get yours|"
    r"limited[- ]time|\d+\s?% off|free shipping|money[- ]back|guarantee|sign up (?:now|today)|"
    r"pre-?order|in stock|sale ends|(?:visit|check out) (?:our|the) (?:store|shop)|"
    r"(?:first|1st) (?:week|month|lesson|class|session)s? (?:is |are )?free|"
    r"designed to|comes in|at-home (?:\w+ )?(?:tool|device|kit)|comes with|"
    r"(?<![\w$])\$\d+(?:\.\d\d)?)(?!\w)", re.IGNORECASE)
# A heading that introduces an offer: "Try our X Course", "Where X Fits In", "Meet X"
_PITCH_HEADING = re.compile(
    r"^(?:try|meet|introducing|get|shop|buy|order)\b|\bwhere .{2,60}? (?:fits in|comes in)\b|"
    r"\bour .{0,40}\b(?:course|program(?:me)?|kit|app|class|membership|product)$",
    re.IGNORECASE)


def _mentions(text: str, products: Sequence[str]) -> int:
    return sum(len(re.findall(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.IGNORECASE))
               for p in products if p.strip())


def cta_reason(section: Section, products: Sequence[str]) -> str:
    """Why a section is a pitch ("" when it is content).

    Rules, in order: the heading names a product; a product is named in most of it; it reads
    as a pitch (two distinct pitch phrases, counting a heading that introduces an offer, or
    one phrase with a product named). A FAQ answer is only ever a pitch by its heading: an
    answer may mention a product in passing.
    """
    if _mentions(section.title, products):
        return "its heading names a product"
    if section.question:
        return ""
    texts = [u.markdown for u in section.units]
    naming = sum(1 for t in texts if _mentions(t, products))
    if naming >= 2 and naming * 2 > len(texts):
        return "a product is named in most of it"
    pitches = {m.group(0).lower() for t in texts for m in _PITCH.finditer(t)}
    if _PITCH_HEADING.search(section.title):
        pitches.add(f"heading: {section.title}")
    if len(pitches) >= 2 or (pitches and naming):
        return f"it reads as a pitch ({', '.join(sorted(pitches))})"
    return ""


def _reads_as_pitch(unit: Unit, products: Sequence[str]) -> bool:
    pitches = {m.group(0).lower() for m in _PITCH.finditer(unit.markdown)}
    return len(pitches) >= 2 or bool(pitches and _mentions(unit.markdown, products))


def split_off_pitch(section: Section, products: Sequence[str]) -> list[Section]:
    """A section that ends in a pitch (``Want a head start? Our X comes with ... Buy now``)
    gives the pitch its own section, so the content before it stays content."""
    heading_pitches = _mentions(section.title, products) or _PITCH_HEADING.search(section.title)
    if section.question or len(section.units) < 2 or heading_pitches:
        return [section]
    cut = len(section.units)
    while cut > 0 and _reads_as_pitch(section.units[cut - 1], products):
        cut -= 1
    if cut in (0, len(section.units)):
        return [section]
    tail = section.units[cut:]
    opening = sentences(tail[0].markdown)[0]
    title = opening if count_words(opening) <= 8 else section.title
    pitch = Section(path=section.path, title=title, level=section.level, units=tail,
                    heading=title)
    section.units = section.units[:cut]
    return [section, pitch]


