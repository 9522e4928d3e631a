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
