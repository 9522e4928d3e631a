"""Which text of a saved page is the article: a maintained main-content extractor decides.

``main_text(html)`` runs readability-lxml (the Python port of the Arc90 readability algorithm
that browsers' reader views grew from) over the page and returns what it chose as a
``MainText``. The HTML reader converts the page itself (headings, lists, tables, footnotes);
it only asks ``MainText.keeps(text)`` whether a block of the page is article text. The
extractor is imported on first use, so reading text or Markdown never pays for it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

EXTRACTOR = "readability-lxml"
_TOKEN = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['’]")
_MIN_WORDS = 25  # below this the extractor found no article worth trusting
_SHARE_KEPT = 0.5  # a block is article text when half its word trigrams are in the extract


def tokens(text: str) -> list[str]:
    """Lower-cased words of ``text`` (apostrophes removed: ``don't`` is ``dont``)."""
    return _TOKEN.findall(_APOSTROPHES.sub("", text.lower()))


def _trigrams(words: list[str]) -> set[tuple[str, str, str]]:
    return set(zip(words, words[1:], words[2:], strict=False))


@dataclass(frozen=True)
class MainText:
    """The words the extractor kept, for asking whether a block of the page is among them."""

    grams: frozenset[tuple[str, str, str]]
    phrase: str  # the kept words joined by single spaces, with a space at each end

    @classmethod
    def of_text(cls, text: str) -> MainText:
        """The MainText of already extracted plain text."""
        words = tokens(text)
        return cls(frozenset(_trigrams(words)), f" {' '.join(words)} ")

    def keeps(self, text: str) -> bool:
        """True when most of ``text`` is in the extract (a short text: all of it, in order)."""
        words = tokens(text)
        if len(words) < 3:
            return bool(words) and f" {' '.join(words)} " in self.phrase
        grams = _trigrams(words)
        return sum(g in self.grams for g in grams) >= _SHARE_KEPT * len(grams)


def main_text(html: str) -> MainText | None:
    """What the extractor takes for the article of ``html``; None when it finds none."""
    try:
        from lxml import html as lxml_html
        from readability import Document as Readable
    except ImportError:  # pragma: no cover - a dependency of the package
        return None
    logging.getLogger("readability.readability").setLevel(logging.ERROR)
    try:
        summary = Readable(html).summary(html_partial=True)
        text = " ".join(lxml_html.fromstring(summary).itertext())
    except Exception:  # a third-party failure must not stop the reading
        return None
    if len(tokens(text)) < _MIN_WORDS:
        return None
    return MainText.of_text(text)
