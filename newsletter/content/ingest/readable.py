"""readability-lxml's own steps, done with the same outcome in less time.

Four steps of readability-lxml (0.9) do far more work than their outcome needs, and they were
most of the time of reading a saved page:

- ``_parse`` cleans a deep copy of the page with lxml's ``Cleaner``, which walks every element
  and every link in Python to strip event handlers and ``javascript:`` links, attributes that
  readability never reads again; here the page is cleaned in place, and only of what changes
  the tree (XHTML names, ``<image>``, scripts, styles, links, comments, inline styles).
- ``remove_unlikely_candidates`` formats and searches the class and id of every element; here
  only elements that have one are looked at, and each distinct class and id is judged once.
- ``transform_misused_divs_into_paragraphs`` serialises the children of every ``<div>`` to
  search the markup for block tags (the work grows with the depth of the page); here the
  elements holding a block tag are found once, by one pass up from the block tags.
- ``score_paragraphs`` measures each link's text again for every candidate that holds it and
  formats a debug line (with the element's description) for every candidate even when
  debugging is off; here each link is measured once and no line is formatted.

Everything else is readability's own code. tests/test_ingest_html_extractor.py holds the
result to readability's: the same elements chosen on every page.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring
from readability import Document
from readability.readability import REGEXES, build_doc, clean

_XHTML = "{http://www.w3.org/1999/xhtml}"
# readability's divToPElementsRe matches these names at the start of any tag in the markup
_BLOCK_NAMES = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")
_BLOCK_ELEMENTS = etree.XPath(
    "descendant::*[" + " or ".join(f"starts-with(name(), '{name}')" for name in _BLOCK_NAMES) + "]"
)
_INLINE_TAGS = frozenset(("a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong",
                          "sub", "sup", "u"))
_WITH_CLASS_OR_ID = etree.XPath("descendant::*[@class or @id]")
_IN_CODE = etree.XPath("ancestor-or-self::pre | ancestor-or-self::code")
_HOLDS_ARTICLE = etree.XPath(
    "descendant-or-self::main | descendant-or-self::article | descendant-or-self::math"
)


class Readable(Document):  # type: ignore[misc]
    """readability-lxml's Document, with its slowest steps done in less time."""

    def _parse(self, input):  # type: ignore[no-untyped-def]
        doc, self.encoding = build_doc(input)
        for elem in doc.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if REGEXES["displayNoneRe"].search(elem.get("style")):
                elem.drop_tree()
        _clean(doc)
        doc.resolve_base_href(handle_failures=self.handle_failures)
        return doc

    def remove_unlikely_candidates(self) -> None:
        unlikely: dict[str, bool] = {}
        for elem in _WITH_CLASS_OR_ID(self.html):
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if len(s) < 2:
                continue
            if s not in unlikely:
                unlikely[s] = bool(_search("unlikelyCandidatesRe", s)
                                   and not _search("okMaybeItsACandidateRe", s))
            if unlikely[s] and elem.tag not in ("html", "body") and not _IN_CODE(elem) \
                    and not _HOLDS_ARTICLE(elem):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        holders = _block_holders(self.html)
        for elem in self.tags(self.html, "div"):
            if elem not in holders:
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            _wrap_loose_text(elem, holders)

    def class_weight(self, e: HtmlElement) -> int:
        weight = 0
        for feature in (e.get("class", None), e.get("id", None)):
            if feature:
                weight += 25 * (bool(_search("positiveRe", feature))
                                - bool(_search("negativeRe", feature)))
                if self.positive_keywords and self.positive_keywords.search(feature):
                    weight += 25
                if self.negative_keywords and self.negative_keywords.search(feature):
                    weight -= 25
        if self.positive_keywords and self.positive_keywords.match("tag-" + e.tag):
            weight += 25
        if self.negative_keywords and self.negative_keywords.match("tag-" + e.tag):
            weight -= 25
        return weight

    def get_link_density(self, elem: HtmlElement) -> float:
        return sum(map(_text_length, elem.findall(".//a"))) / max(_text_length(elem), 1)

    def score_paragraphs(self) -> dict[HtmlElement, dict]:
        candidates: dict[HtmlElement, dict] = {}
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            self._score_paragraph(elem, candidates)
        # scaled by link density: good content has few links (readability's own comment)
        link_lengths: dict[HtmlElement, int] = {}
        for elem, candidate in candidates.items():  # in the order they were added, as upstream
            candidate["content_score"] *= 1 - _link_density(elem, link_lengths)
        return candidates

    def _score_paragraph(self, elem: HtmlElement, candidates: dict[HtmlElement, dict]) -> None:
        parent_node = elem.getparent()
        if parent_node is None:
            return
        grand_parent_node = parent_node.getparent()
        inner_text = _squeezed(elem.text_content() or "")
        if len(inner_text) < self.min_text_length:
            return
        for node in (parent_node, grand_parent_node):
            if node is not None and node not in candidates:
                candidates[node] = self.score_node(node)
        content_score = 1 + len(inner_text.split(",")) + min(len(inner_text) / 100, 3)
        candidates[parent_node]["content_score"] += content_score
        if grand_parent_node is not None:
            candidates[grand_parent_node]["content_score"] += content_score / 2.0


def _clean(doc: HtmlElement) -> None:
    """What readability's Cleaner changes in the tree, done in place (readability drops the
    page it cleaned and keeps the copy)."""
    for element in doc.iter(f"{_XHTML}*"):
        element.tag = element.tag[len(_XHTML):]
    for element in doc.iter("image"):
        element.tag = "img"
    etree.strip_attributes(doc, "style")
    etree.strip_elements(doc, "script", "style", "link", etree.Comment,
                         etree.ProcessingInstruction, with_tail=False)


def _block_holders(root: HtmlElement) -> set[HtmlElement]:
    """The elements with a block tag somewhere below them: those whose markup readability's
    ``divToPElementsRe`` finds a match in (the tags it renames keep that true)."""
    holders: set[HtmlElement] = set()
    for element in _BLOCK_ELEMENTS(root):
        parent = element.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)
            parent = parent.getparent()
    return holders


def _wrap_loose_text(elem: HtmlElement, holders: set[HtmlElement]) -> None:
    """readability's second pass over a ``<div>``: its text, runs of inline children and tails
    each wrapped in a ``<p>``, ``<br>`` dropped."""
    children = list(elem)
    paragraph = None
    if elem.text and elem.text.strip():
        paragraph = fragment_fromstring("<p/>")
        paragraph.text, elem.text = elem.text, None
        elem.insert(0, paragraph)
    for child in children:
        if child.tag == "br" or child.tag not in _INLINE_TAGS or child in holders:
            paragraph = None
            continue
        if paragraph is None:
            paragraph = fragment_fromstring("<p/>")
            child.addprevious(paragraph)
        paragraph.append(child)
    for pos, child in reversed(list(enumerate(elem))):
        if child.tail and child.tail.strip():
            p = fragment_fromstring("<p/>")
            p.text, child.tail = child.tail, None
            elem.insert(pos + 1, p)
        if child.tag == "br":
            child.drop_tree()


def _link_density(elem: HtmlElement, link_lengths: dict[HtmlElement, int]) -> float:
    """readability's ``get_link_density``, each link's text measured once."""
    link_length = 0
    for link in elem.findall(".//a"):
        if link not in link_lengths:
            link_lengths[link] = _text_length(link)
        link_length += link_lengths[link]
    return float(link_length) / max(_text_length(elem), 1)


# readability's patterns are lower-case words searched ignoring case; searched in the
# lower-cased text without the flag they match the same (bar the Kelvin sign and the long s,
# which case-folding alone maps to k and s) in a sixth of the time
_LOWER_CASE = {name: re.compile(regex.pattern) for name, regex in REGEXES.items()}


def _search(name: str, text: str) -> re.Match[str] | None:
    """``REGEXES[name].search(text)``, quicker."""
    return _LOWER_CASE[name].search(text.lower())


def _squeezed(text: str) -> str:
    """readability's ``clean`` (whitespace runs and line breaks squeezed) without its three
    regular expressions when the only whitespace in the text is ASCII spaces (``isprintable``
    is false for every other space character): then it comes to runs of spaces made one and
    the ends stripped. The extractor reads pages already single-spaced, so nearly every text
    takes this way."""
    if text.isprintable():
        return " ".join(filter(None, text.split(" ")))
    return clean(text)


def _text_length(element: HtmlElement) -> int:
    """readability's ``text_length``, through the quicker ``_squeezed``."""
    return len(_squeezed(element.text_content() or ""))
