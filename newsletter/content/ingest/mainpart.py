"""Which elements of a saved page are the article: a maintained main-content extractor decides.

``choose_article(html)`` runs readability-lxml (the Python port of the Arc90 readability
algorithm that browsers' reader views grew from) over the page. Every element of the page
carries its number in the ``data-nl`` attribute; the answer is the set of numbers of the
elements readability chose (the best-scored element and the siblings it keeps with it, with
everything inside them). The HTML reader converts the page itself (headings, lists, tables,
footnotes) and only asks whether a block's element is among the chosen.

readability's last step, its clean-up of the chosen elements, is left out: it also removes
short lists, headings and tables that are article text, and the reader's own named rules do
that part. Its slowest steps run in faster versions with the same outcome (``readable``). The
extractor is imported on first use, so reading text or Markdown never pays for it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

from lxml import etree

EXTRACTOR = "readability-lxml"
NUMBER = "data-nl"
_WORD = re.compile(r"\w+")
_MIN_WORDS = 25  # below this the extractor found no article worth trusting
_NUMBERS = etree.XPath(f"descendant-or-self::*/@{NUMBER}", smart_strings=False)


def choose_article(html: str) -> frozenset[int] | None:
    """The elements the extractor takes for the article of ``html``; None when it finds none."""
    chooser = _chooser()
    if chooser is None:  # pragma: no cover - a dependency of the package
        return None
    try:
        document = chooser(html)
        document.summary(html_partial=True)
    except Exception:  # a third-party failure must not stop the reading
        return None
    return document.choice


class Choosing:
    """readability's choice of the article, as the numbers of the chosen elements (mixed into
    readability's Document in place of its clean-up)."""

    choice: frozenset[int] | None = None

    def sanitize(self, node, candidates, keep_all_images=False):  # type: ignore[no-untyped-def]
        words = len(_WORD.findall(" ".join(node.itertext())))
        chosen = element_numbers(node)
        self.choice = chosen if words >= _MIN_WORDS else None
        return "x" * words * 5  # long enough to keep: readability retries shorter ones


def element_numbers(element: etree._Element) -> frozenset[int]:
    """The numbers of ``element`` and the elements below it."""
    return frozenset(map(int, _NUMBERS(element)))


@functools.cache
def _chooser() -> type | None:
    try:
        from .readable import Readable
    except ImportError:  # pragma: no cover
        return None
    logging.getLogger("readability.readability").setLevel(logging.ERROR)
    return type("Chooser", (Choosing, Readable), {})


# --- the article's neighbours: text the extractor's scores left out ----------------------------

_PROSE_TAGS = frozenset(("p", "blockquote", "pre"))
_HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
_FRAME_TAGS = frozenset(("article", "main", "body", "html"))
_PROSE_WORDS = 8  # a paragraph shorter than this is not enough to call a neighbour prose
_PROSE_SHARE = 0.7  # of a container's words that lie in its paragraphs
_LINKED_SHARE = 0.35  # of an element's words that are link text: more reads as a box of links
_CAPTION_WORDS = 40  # the most a picture's caption and credit say
_PICTURE_TAGS = ("img", "picture", "figure", "video")
_CLIMB = 3  # levels above the chosen element whose neighbours are looked at


def widen_to_neighbours(choice: frozenset[int] | None, numbered: dict[int, etree._Element]
                        ) -> frozenset[int] | None:
    """The chosen elements and the article text beside them that the extractor's scores left
    out: paragraphs and plain lists next to the chosen element or to what holds it (an
    article split by a "read more" box or a picture), the other parts of a page cut in parts
    of one shape (``content`` beside ``content instructions``), and the elements between
    chosen siblings that repeat their shape or are prose (a list of things needed between the
    steps of a how-to).

    A neighbour that a furniture rule names, or a box of links, ends the search on its side.
    """
    if not choice:
        return choice
    from .furniture import furniture_reason, hidden_reason

    def furniture(element: etree._Element) -> bool:
        return bool(hidden_reason(element) or furniture_reason(element))

    tops = [numbered[n] for n in choice if n in numbered
            and (parent := numbered[n].getparent()) is not None
            and int(parent.get(NUMBER, -1)) not in choice]
    added: list[etree._Element] = []
    if len(tops) == 1:
        element, climbed = tops[0], 0
        while climbed < _CLIMB and element.tag not in _FRAME_TAGS and (
                element.getparent() is not None):
            added += _prose_beside(element, furniture)
            climbed += any(_has_text(s) for s in _siblings(element))  # wrappers are free
            element = element.getparent()
    else:
        added += _between_segments(tops, furniture)
    if not added:
        return choice
    return choice | frozenset(n for e in added for n in element_numbers(e))


def _prose_beside(element: etree._Element, furniture: Callable[[etree._Element], bool]
                  ) -> list[etree._Element]:
    """The prose siblings right before and after ``element``, with the headings over them;
    the first sibling that is neither prose, a heading nor empty ends each side."""
    found: list[etree._Element] = []
    for before, side in ((True, element.itersiblings(preceding=True)),
                         (False, element.itersiblings())):
        pending: list[etree._Element] = []  # headings after the text found, not yet over more
        siblings = [s for s in side if isinstance(s.tag, str) and _has_text(s)]
        skipped = False  # past a box between two parts: only parts are taken after it
        for index, sibling in enumerate(siblings):
            words = _words(sibling)
            if _is_picture_box(sibling, words):
                continue  # a picture and its caption between parts of the text
            part = _same_shape(element, sibling)
            if sibling.tag in _HEADING_TAGS and words <= 20 and not skipped:
                (found if before else pending).append(sibling)
                continue
            text = is_prose(sibling, words) or _plain_list(sibling, words)
            if furniture(sibling) or not (part or (text and not skipped)):
                if any(_same_shape(element, s) for s in siblings[index + 1:]):
                    skipped = True  # a box between two parts of the page (a sign-up form)
                    continue
                break
            found += [*pending, sibling]
            pending = []
    return found


def _plain_list(element: etree._Element, words: int) -> bool:
    """A list of the article's own (the ingredients beside the method), not of links."""
    linked = sum(_words(a) for a in element.iter("a"))
    return element.tag in ("ul", "ol") and len(element) >= 2 and linked <= _LINKED_SHARE * words


def _siblings(element: etree._Element) -> list[etree._Element]:
    return [s for s in (*element.itersiblings(preceding=True), *element.itersiblings())
            if isinstance(s.tag, str)]


def _same_shape(element: etree._Element, sibling: etree._Element) -> bool:
    """``sibling`` is another part of what ``element`` is one part of: the same tag, and
    the element's classes among its own (``content`` beside ``content instructions``)."""
    classes = set(element.get("class", "").split())
    return (bool(classes) and sibling.tag == element.tag
            and classes <= set(sibling.get("class", "").split()))


def _between_segments(tops: list[etree._Element], furniture: Callable[[etree._Element], bool]
                      ) -> list[etree._Element]:
    """Unchosen elements between chosen ones, at the level where the chosen ones part: those
    that repeat a chosen segment's tag and class, prose, or headings."""
    segments = _segments(tops)
    if segments is None:
        return []
    parent, chosen = segments
    children = [c for c in parent if isinstance(c.tag, str)]
    positions = [i for i, c in enumerate(children) if c in chosen]
    shapes = {(c.tag, c.get("class", "")) for c in chosen}
    found = []
    for child in children[positions[0] + 1:positions[-1]]:
        if child in chosen or not _has_text(child) or furniture(child):
            continue
        if (child.tag, child.get("class", "")) in shapes or is_prose(child, _words(child)) \
                or child.tag in _HEADING_TAGS:
            found.append(child)
    return found


def _segments(tops: list[etree._Element]) -> tuple[etree._Element, set[etree._Element]] | None:
    """The lowest element holding every chosen one, and its children that hold them."""
    paths = [list(reversed([t, *t.iterancestors()])) for t in tops]
    depth = 0
    while all(len(p) > depth + 1 for p in paths) and len({id(p[depth]) for p in paths}) == 1:
        depth += 1
    if len({id(p[depth]) for p in paths}) == 1:
        return None  # one holds another: nothing between them
    parent = paths[0][depth - 1] if depth else None
    if parent is None or parent.tag in ("html",):
        return None
    return parent, {p[depth] for p in paths}


def _words(element: etree._Element) -> int:
    return sum(len(text.split()) for text in element.itertext())


def _has_text(element: etree._Element) -> bool:
    return any(not text.isspace() for text in element.itertext())


def _is_picture_box(element: etree._Element, words: int) -> bool:
    """A picture with no more text than a caption and its credit (``<div class="img">``
    holding a ``<picture>``, its caption in ``<div>``s)."""
    return words <= _CAPTION_WORDS and next(element.iter(*_PICTURE_TAGS), None) is not None


def is_prose(element: etree._Element, words: int | None = None) -> bool:
    """Paragraph text: a paragraph, or a container whose ``words`` lie mostly in paragraphs,
    with few of them in links (``words``: its words, counted when not given)."""
    words = _words(element) if words is None else words
    if words < _PROSE_WORDS:
        return False
    linked = sum(_words(a) for a in element.iter("a"))
    if linked > _LINKED_SHARE * words:
        return False
    if element.tag in _PROSE_TAGS:
        return True
    paragraphs = [p for p in element.iter(*_PROSE_TAGS)
                  if not any(a.tag in _PROSE_TAGS for a in p.iterancestors() if a is not element)]
    in_paragraphs = sum(_words(p) for p in paragraphs)
    return in_paragraphs >= _PROSE_SHARE * words and any(_words(p) >= _PROSE_WORDS
                                                         for p in paragraphs)
