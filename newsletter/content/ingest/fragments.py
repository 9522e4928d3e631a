"""Lines a scrape broke out of their sentence, and the shape of a page dump.

Scrapers put every element of a page on a line of its own: a link's text, a drop cap, the
full stop after a link. ``fragment_groups`` finds the lines that continue the line before
them, so the reader can put each sentence back together:

- a line that opens with a lowercase letter or with punctuation no sentence opens with
  (``, I was ...``, ``. In practice``) continues an unfinished line before it;
- a lone capital before a lowercase line is a drop cap (``A`` / ``fter an Oxford study``);
- a short line between an unfinished line and a continuing one is a link's text
  (``According to market research firm`` / ``Newzoo`` / ``, there are ...``).

``one_element_per_line`` tells a page dump (every paragraph, heading and menu entry on a line
of its own, no blank lines) from hard-wrapped prose, where lines end mid-sentence;
``one_paragraph_per_line`` tells the same of one run of lines with no blank line between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from .lines import is_heading_shape, list_marker
from .noise import is_counter, is_photo_credit

_TERMINAL = ".!?…"
_CLOSERS = "\"'”’)]»*_"
_OPENING_PUNCTUATION = ",.;:)]}’”!?%"
# a line's pictures and links, whose addresses end it anywhere: prose is what is left
_LINKS_AND_PICTURES = re.compile(r"!?\[[^\]\n]{0,300}\]\([^)\s]{0,2000}\)")
_WORD = re.compile(r"\w+")
_MAX_GAP = 3  # blank lines a broken sentence may have between its pieces
_ISLAND_WORDS = 8
# a capitalised conjunction opens a sentence (a headline's standfirst), never a link's text
_SENTENCE_OPENER = re.compile(r"(?:But|And|Yet|So|Or|Nor|However)\b")
_BYLINE_LABEL = re.compile(r"^(?:(?:written|posted|words|recipe)\s+)?by:?$", re.IGNORECASE)


def continues(text: str) -> bool:
    """A line that cannot open a sentence: it starts in lowercase or with ``, . ; : )``."""
    first = text.lstrip()[:1]
    return bool(first) and (first.islower() or first in _OPENING_PUNCTUATION)


def unfinished(text: str) -> bool:
    """A line that does not end a sentence (nor introduce something with ``:``)."""
    end = text.rstrip().rstrip(_CLOSERS)[-1:]
    return bool(end) and end not in _TERMINAL and end != ":"


def _drop_cap(text: str, following: str) -> bool:
    return len(text.strip()) == 1 and text.strip().isupper() and following[:1].islower()


def _island(texts: Sequence[str], gaps: Sequence[int], index: int) -> bool:
    """Line ``index`` is a link's text inside a sentence broken around it."""
    if index == 0 or index + 1 >= len(texts) or list_marker(texts[index + 1]):
        return False
    here, before = texts[index], texts[index - 1]
    if _drop_cap(here, texts[index + 1]):
        return False  # a drop cap opens its paragraph
    close = gaps[index] == 0 or len(before.split()) >= 8  # not a heading above a paragraph
    return (close and len(here.split()) <= _ISLAND_WORDS and unfinished(before)
            and not _SENTENCE_OPENER.match(here)
            and not here.isupper()  # "SUBSCRIBE NOW": a button, not a link in a sentence
            and unfinished(here) and continues(texts[index + 1]))


def joins_previous(texts: Sequence[str], gaps: Sequence[int], index: int) -> bool:
    """Line ``index`` belongs to the sentence of the line before it."""
    if index == 0 or gaps[index] > _MAX_GAP or list_marker(texts[index]):
        return False
    if _menu_run(texts, index) or any(map(_stands_alone, texts[index - 1 : index + 1])):
        return False  # a picture's credit stands alone, though a scrape set it mid-sentence
    before, here = texts[index - 1], texts[index]
    if _drop_cap(before, here):
        return True
    apart = gaps[index] > 0 and is_heading_shape(before) and not _cannot_open(before, here)
    if _heading_between_sentences(texts, index):
        return False
    if continues(here) and not apart and (
            unfinished(before) or here.lstrip()[:1] in _OPENING_PUNCTUATION):
        return True
    return _island(texts, gaps, index)


def _stands_alone(text: str) -> bool:
    """Furniture no sentence is broken around: a picture's credit, a count (``130
    Comments``), a byline's label (``by:``)."""
    text = text.strip()
    return is_photo_credit(text) or is_counter(text) or bool(_BYLINE_LABEL.match(text))


def _heading_between_sentences(texts: Sequence[str], index: int) -> bool:
    """The line before ``index`` is a short heading (``Wrap-up``) between a finished
    sentence and one that opens with a capital: no piece of either."""
    before, here = texts[index - 1], texts[index]
    finished = index < 2 or not unfinished(texts[index - 2])
    return (finished and len(before.split()) <= 6 and is_heading_shape(before)
            and here.lstrip()[:1].isupper())


def _cannot_open(before: str, here: str) -> bool:
    """``here`` cannot open the paragraph under a heading ``before``: it opens with a comma or
    a full stop, or with a word all in lowercase after a line of five words or more (a link's
    text the scrape set apart: ``Many upgrades fail to pass muster`` / ``when it comes ...``).
    Short lines keep their paragraph (``Ingredients`` / ``salt and pepper``), and lines with
    links keep theirs (``By [Name](...) March 18`` / ``by [Name](...) - Apr 16``)."""
    first = here.lstrip()[:1]
    if first in _OPENING_PUNCTUATION:
        return True
    word = here.split(maxsplit=1)[0] if here.strip() else ""
    plain_text = "](" not in before and "](" not in here  # a byline's links, not a link's text
    return (plain_text and len(before.split()) >= 5 and before.lstrip()[:1].isupper()
            and word.isalpha() and word.islower())


def _menu_run(texts: Sequence[str], index: int) -> bool:
    """Line ``index`` is one of three lines in a row that are each one word of letters: a
    menu's entries (``mom`` / ``style`` / ``food``), not the pieces of a sentence (code's
    tokens, ``(`` / ``=``, break such runs)."""
    single = [t.strip().isalpha() for t in texts[max(0, index - 2):index + 3]]
    here = min(index, 2)
    return any(all(single[start:start + 3]) and start <= here < start + 3
               for start in range(len(single) - 2))


def fragment_groups(texts: Sequence[str], gaps: Sequence[int]) -> list[list[int]]:
    """The lines grouped into sentences: each group is consecutive indices into ``texts``;
    ``gaps[i]`` is the number of blank lines before line ``i``."""
    groups: list[list[int]] = []
    for index in range(len(texts)):
        if groups and joins_previous(texts, gaps, index):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def joined(texts: Sequence[str]) -> str:
    """The pieces of one broken sentence put back together."""
    result, previous = texts[0].strip(), texts[0]
    for piece in texts[1:]:
        piece = piece.strip()
        glue = "" if (piece[:1] in _OPENING_PUNCTUATION or _drop_cap(previous, piece)) else " "
        result, previous = result + glue + piece, piece
    return result


def one_element_per_line(texts: Sequence[str], gaps: Sequence[int]) -> bool:
    """A page dump: (almost) no blank lines, and lines that end where their element ends
    (a sentence, a short heading or menu entry), not mid-sentence as wrapped prose does."""
    if len(texts) < 12:
        return False
    gapless = sum(gap == 0 for gap in gaps[1:]) / (len(texts) - 1)
    whole = sum(not unfinished(t) or len(t.split()) <= 8 for t in texts) / len(texts)
    return gapless >= 0.8 and whole >= 0.6



def one_paragraph_per_line(texts: Sequence[str]) -> bool:
    """Lines with no blank line between them written one paragraph a line (a scrape that put
    each ``<p>`` on a line): most are long, and the long ones end their sentence, where
    hard-wrapped prose ends its lines mid-sentence."""
    long = [t for t in texts if len(t.split()) >= 15]
    if len(texts) < 4 or len(long) * 2 < len(texts):
        return False
    return sum(not unfinished(t) for t in long) >= 0.85 * len(long)


_FENCE = ("```", "~~~")
_TABLE_ROW = "|"


def one_block_per_line(body: Sequence[str]) -> bool:
    """Markdown written with no blank lines (a converter that ends each block with one line
    break): at least 12 lines, a blank line after fewer than one in twenty, and its long
    lines that are no list items end their sentence (wrapped prose ends them anywhere)."""
    texts = [line for line in body if line.strip()]
    breaks = sum(1 for before, here in pairwise(body) if before.strip() and not here.strip())
    long = [prose for t in texts if len(t.split()) >= 15 and not list_marker(t.strip())
            and len(_WORD.findall(prose := _LINKS_AND_PICTURES.sub(" ", t))) >= 15]
    return (len(texts) >= 12 and breaks < 0.05 * len(texts) and len(long) >= 3
            and sum(not unfinished(t) for t in long) >= 0.85 * len(long))


def blocks_apart(body: Sequence[str], offset: int) -> tuple[list[str], list[int]]:
    """``body`` with a blank line between each two blocks, so Markdown reads each line as
    the block it is (a bold heading, a picture, a paragraph); a list's items, a table's rows
    and a code fence's lines stay together. Returns the lines and, for each, its source line
    number (``offset`` + its index + 1; 0 for an added blank)."""
    lines: list[str] = []
    origin: list[int] = []
    fenced = table = False
    for index, line in enumerate(body):
        table = _table_goes_on(lines[-1] if lines else "", line, table)
        if (lines and lines[-1].strip() and line.strip() and not fenced and not table
                and _apart(lines[-1], line)):
            lines.append("")
            origin.append(0)
        if line.lstrip().startswith(_FENCE):
            fenced = not fenced
        lines.append(line)
        origin.append(offset + index + 1)
    return lines, origin


_DELIMITER_ROW = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$|^\|\s*:?-+:?\s*\|$")


def _table_goes_on(before: str, here: str, table: bool) -> bool:
    """``here`` is a row of a table: its rule under a header row (``---|---``), or a row
    with a cell mark after the rule (converters leave the outer pipes off: ``21g | Fat``)."""
    if "|" not in here:
        return False
    return table or ("|" in before and bool(_DELIMITER_ROW.match(here.strip())))


def _apart(before: str, here: str) -> bool:
    """Two adjacent lines are two blocks, not one list, table or setext heading."""
    top, next_line = before.strip(), here.strip()
    if top.startswith(_TABLE_ROW) and next_line.startswith(_TABLE_ROW):
        return False
    if list_marker(next_line) and (list_marker(top) or before[:1].isspace()):
        return False
    if here[:2].isspace() and (list_marker(top) or before[:1].isspace()):
        return False  # an item's indented continuation
    return not (set(next_line) <= set("=-") and len(next_line) >= 2)  # a setext underline
