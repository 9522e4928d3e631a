"""A page too big to hold whole (over ``EXTRACTOR_LIMIT`` characters), read as it is parsed.

Held whole, a 10 MB page takes about 135 MB in lxml's tree alone (memory the process does not
get back for Python's own objects), and the main-content extractor's time grows faster than
the page. Such a page is parsed twice instead, and never held whole:

1. A survey, with no tree (a parser target), of what the HTML reader reads off the whole page
   before it converts anything: the title, the page's address, and the article's container,
   chosen without the extractor: the ``<article>`` with the most words, else the first
   ``<main>``, ``role="main"`` or ``itemprop="articleBody"`` element with words, else the
   element whose own paragraphs hold the most words.
2. The reading: the parser builds the tree as it goes. An element that only holds blocks (the
   body, a wrapper ``<div>``, a section, the article) stays open while the parser is inside
   it; each of its other children (a paragraph, a list, a table, a heading, a box of
   furniture) is read by the HTML reader's own code as soon as it and its tail are complete
   (links resolved, furniture taken out, then the block it is), and is then taken out of the
   tree. Only the holders open at the time are in memory.

Words are counted as the HTML reader counts them on the tree it reads (scripts, styles and
comments taken out, the text either side of them joined). The Document is the one
``read_whole_page`` gives for the same page and the same container
(tests/test_ingest_html_bigpage.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from ...errors import ArticleError
from ...models import Document
from .furniture import TELLING_WORDS, furniture_reason, hidden_reason, name_words
from .html import (
    DISCARD,
    NUMBER,
    Loose,
    Reader,
    page_address,
    parsable,
    read_whole_page,
    remove,
    resolve_links,
    title_of,
)

_CHUNK = 1 << 16  # characters fed to the parser at a time
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
# block elements the HTML reader only walks through: read child by child while open
_HOLDERS = frozenset(("div", "section", "article", "main", "header", "address", "center",
                      "fieldset", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead", "tfoot",
                      "caption", "summary"))
_MAIN_KINDS = ("main", "role", "itemprop")  # in the order the reader looks for them
_FACT_TAGS = frozenset(("title", "h1", "h2", "meta", "base", "link"))


def read_big_page(text: str, source: str, chunk: int = _CHUNK,
                  progress: Progress | None = None) -> Document:
    """Read a saved page that is too big to hold whole, given to the parser ``chunk``
    characters at a time; ArticleError when it is not HTML. ``progress`` is told the share
    of the reading done (0 to 1) after each chunk of each of the two passes."""
    text = parsable(text)
    survey = survey_page(text, source, "body", chunk, _half(progress, 0))
    if not survey.walked:  # no <body>: the reader walks the whole page, held whole
        survey = survey_page(text, source, "html", chunk)
        return read_whole_page(text, source, lambda body, numbered: survey.container)
    stream = _Stream(survey)
    _parse(text, source, stream, chunk, _half(progress, 1))
    return stream.reader.document(survey.container, survey.title, source)


Progress = Callable[[float], None]


def _half(progress: Progress | None, which: int) -> Progress | None:
    """``progress`` for one of the two passes: each is half of the reading."""
    return None if progress is None else lambda share: progress((which + share) / 2)


# lxml.html's element classes, chosen in C: HtmlElementClassLookup asks Python for every
# element (the form controls' own classes, which the reader never uses, are left out)
_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


_SET = etree._Element.set


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """The pieces of ``text``, each with how many characters have been given once it is."""
    return ((min(start + size, len(text)), text[start:start + size])
            for start in range(0, len(text), size))


def survey_page(text: str, source: str, walked: str = "body", chunk: int = _CHUNK,
                progress: Progress | None = None) -> Survey:
    """The survey of a page (``walked``: the element the reader walks, ``body`` or ``html``)."""
    survey = Survey(walked)
    parser = etree.HTMLParser(target=survey)
    try:
        for done, piece in _chunks(text, chunk):
            parser.feed(piece)
            if progress is not None:
                progress(done / len(text))
        parser.close()
    except (etree.ParserError, ValueError) as error:
        raise ArticleError(f"not readable as HTML: {error}", path=source or None) from error
    return survey


def _parse(text: str, source: str, stream: _Stream, chunk: int,
           progress: Progress | None = None) -> None:
    parser = etree.HTMLPullParser(events=("start", "end"))
    parser.set_element_class_lookup(_LOOKUP)
    try:
        on = {"start": stream.start, "end": stream.end}  # one call per event, not two
        for done, piece in _chunks(text, chunk):
            parser.feed(piece)
            for event, element in parser.read_events():
                on[event](element)
            if progress is not None:
                progress(done / len(text))
        parser.close()
    except (etree.ParserError, ValueError) as error:
        raise ArticleError(f"not readable as HTML: {error}", path=source or None) from error
    for event, element in parser.read_events():
        on[event](element)


# --- 1. the survey -------------------------------------------------------------------------


@dataclass
class _Open:
    """An element of the walked part of the page (the body) that the survey is inside."""

    number: int
    tag: str
    words: int = 0  # words of the text inside it so far
    paragraph_words: int = 0  # words of its <p> children
    telling_id: frozenset[str] = frozenset()  # id words a heading child could spell away
    text: list[str] | None = None  # the text inside it, when it is a heading


@dataclass(frozen=True)
class _Candidate:
    """An element that may be the article's container."""

    words: int
    numbers: range  # its number and those of the elements inside it
    frames: frozenset[int]  # its number and those of the walked elements around it


@dataclass
class Survey:
    """Parser target: what the HTML reader needs to know of the whole page, noted as it is
    parsed. ``walked`` names the element the reader walks: ``body``, else ``html``."""

    walked_tag: str
    count: int = 0  # elements started so far: the next one's number
    kinds: list[str] = field(default_factory=list)  # each open element: skip, walk or other
    open: list[_Open] = field(default_factory=list)  # the open walked elements
    pending: list[str] = field(default_factory=list)  # the walked text node being read
    walked: bool = False  # the walked element was found
    # what the title and the address are read from (the whole page, before anything is
    # taken out)
    raw_title: list[str] | None = None
    title_done: bool = False
    metas: list[dict[str, str]] = field(default_factory=list)
    headings: list[list[str]] = field(default_factory=list)  # <h1>/<h2> texts, in page order
    h1s: list[list[str]] = field(default_factory=list)  # the <h1> texts among them
    collecting: list[list[str] | None] = field(default_factory=list)  # per open element
    gathering: list[list[str]] = field(default_factory=list)  # the texts being read
    url: str = ""
    # the article's container
    best_article: tuple[int, int, _Candidate] | None = None  # (words, -number, candidate)
    best_paragraphs: tuple[int, int, _Candidate] | None = None
    first: dict[str, int] = field(default_factory=dict)  # kind -> number of its first element
    firsts: dict[str, _Candidate] = field(default_factory=dict)
    unsettled: set[int] = field(default_factory=set)  # holders whose heading spells their id

    def start(self, tag: str, attributes: Mapping[str, str]) -> None:
        """An element starts: its facts noted, and when walked, its counts opened."""
        number = self.count
        self.count = number + 1
        self.collecting.append(self._note_facts(tag, attributes) if tag in _FACT_TAGS else None)
        kind = self._kind(tag)
        self.kinds.append(kind)
        if kind == "walk":
            self._flush()
            telling: frozenset[str] = frozenset()
            if attributes or tag == "main":  # an element without attributes has no id
                self._note_kinds(tag, attributes, number)
                telling = _telling_id(attributes.get("id", "")) if attributes else telling
            self.open.append(_Open(number, tag, telling_id=telling,
                                   text=[] if tag in _HEADINGS else None))

    def end(self, tag: str) -> None:
        """An element ends: its words added to what holds it, its candidacy weighed."""
        parts = self.collecting.pop()
        if parts is not None:
            self.gathering.pop()  # the innermost text being read is this element's
            self._close_facts(tag, parts)
        if self.kinds.pop() == "walk":
            self._flush()
            self._close(self.open.pop())

    def data(self, text: str) -> None:
        """Text: for the title and headings being read, and for the walked text node."""
        for parts in self.gathering:
            parts.append(text)
        if self.kinds and self.kinds[-1] == "walk":
            self.pending.append(text)

    def close(self) -> None:
        """The end of the page (a parser target's last call)."""

    # the title and the page's address --------------------------------------------------

    def _note_facts(self, tag: str, attributes: Mapping[str, str]) -> list[str] | None:
        """Note a ``<meta>``, the address; the text list to fill when the element's text is
        read (the first ``<title>``, every ``<h1>``/``<h2>``)."""
        parts: list[str] | None = None
        if tag == "title" and not self.title_done and self.raw_title is None:
            parts = self.raw_title = []
        elif tag in ("h1", "h2"):
            parts = []
            self.headings.append(parts)
            if tag == "h1":
                self.h1s.append(parts)
        if parts is not None:
            self.gathering.append(parts)
        if tag == "meta":
            self.metas.append(dict(attributes))
        if tag in ("base", "link", "meta") and not self.url:
            self.url = page_address(tag, attributes)
        return parts

    def _close_facts(self, tag: str, parts: list[str]) -> None:
        if tag == "title" and parts is self.raw_title:
            self.title_done = True

    @property
    def title(self) -> str:
        """The article's title, as ``page_title`` reads it off the whole page."""
        return title_of("".join(self.raw_title or ()), self.metas,
                        ("".join(parts) for parts in self.headings),
                        ["".join(parts) for parts in self.h1s])

    # the walked part: words and candidates ------------------------------------------------

    def _kind(self, tag: str) -> str:
        parent = self.kinds[-1] if self.kinds else ""
        if parent == "skip" or tag in DISCARD:
            return "skip"
        if parent == "walk":
            return "walk"
        at_its_place = len(self.kinds) == (1 if self.walked_tag == "body" else 0)
        if tag == self.walked_tag and at_its_place and not self.walked:
            self.walked = True
            return "walk"
        return "other"

    def _flush(self) -> None:
        """The text node read so far ends (an element of the walked part starts or ends)."""
        if not self.pending:
            return
        if not self.open:
            self.pending = []
            return
        node = "".join(self.pending)
        self.pending = []
        self.open[-1].words += len(node.split())
        for element in self.open:
            if element.text is not None:
                element.text.append(node)

    def _note_kinds(self, tag: str, attributes: Mapping[str, str], number: int) -> None:
        if not self.open:
            return  # the walked element itself is none of them
        for kind, found in (("main", tag == "main"), ("role", attributes.get("role") == "main"),
                            ("itemprop", attributes.get("itemprop") == "articleBody")):
            if found and kind not in self.first:
                self.first[kind] = number

    def _close(self, element: _Open) -> None:
        parent = self.open[-1] if self.open else None
        if parent is not None:
            parent.words += element.words
            if element.tag == "p":
                parent.paragraph_words += element.words
            if element.text is not None and parent.telling_id \
                    and parent.telling_id <= name_words("".join(element.text)):
                self.unsettled.add(parent.number)
        if element.tag == "article" and (self.best_article is None or (
                element.words, -element.number) > self.best_article[:2]):
            self.best_article = (element.words, -element.number, self._candidate(element))
        if self.best_paragraphs is None or (
                element.paragraph_words, -element.number) > self.best_paragraphs[:2]:
            self.best_paragraphs = (element.paragraph_words, -element.number,
                                    self._candidate(element))
        for kind, number in self.first.items():
            if number == element.number:
                self.firsts[kind] = self._candidate(element)

    def _candidate(self, element: _Open) -> _Candidate:
        """``element``, just closed, as a candidate (the open elements are around it)."""
        return _Candidate(element.words, range(element.number, self.count),
                          frozenset(o.number for o in (*self.open, element)))

    @property
    def chosen(self) -> _Candidate | None:
        """The article's container: the HTML reader's choice on a page this size."""
        if self.best_article is not None:
            return self.best_article[2]
        for kind in _MAIN_KINDS:
            if kind in self.firsts and self.firsts[kind].words:
                return self.firsts[kind]
        if self.best_paragraphs is not None and self.best_paragraphs[0]:
            return self.best_paragraphs[2]
        return None

    @property
    def container(self) -> range | None:
        """The numbers of the container's elements (None: no container)."""
        chosen = self.chosen
        return chosen.numbers if chosen is not None else None

    @property
    def frames(self) -> frozenset[int]:
        """The container and what holds it: never furniture."""
        chosen = self.chosen
        return chosen.frames if chosen is not None else frozenset()


# --- 2. the reading ------------------------------------------------------------------------


@dataclass
class _Holder:
    """An element open in the tree whose children are read one by one as they complete."""

    element: etree._Element
    loose: Loose
    depth: int  # its depth in the page (the root is 1)
    started: bool = False  # its own text read
    pending: etree._Element | None = None  # a child complete but for its tail
    walked: bool = False  # ... that was itself a holder, read already


class _Stream:
    """The parser's events, read as the HTML reader would read the whole tree.

    The parser may be further on than the event read (it parses a chunk, then gives its
    events), and it still adds text to the elements it is inside: nothing is taken out of the
    tree before the parser is past it, and never an element's last child while it is open
    (libxml2 would add the next text to a text node it no longer knows the length of).
    Scripts, styles and comments are taken out with the child they are in, or when the
    parser is past them in a holder.
    """

    def __init__(self, survey: Survey) -> None:
        self.reader = Reader()
        self.url = survey.url
        self.frames = survey.frames
        self.unsettled = survey.unsettled
        self.count = 0
        self.depth = 0  # of the element of the last event: events tell where they are
        self.holders: list[_Holder] = []
        self.body_found = False

    def on(self, event: str, element: etree._Element) -> None:
        """One event of the parser."""
        if event == "start":
            self.start(element)
        else:
            self.end(element)

    def start(self, element: etree._Element) -> None:
        """An element starts: numbered; the child before it read; held open if it holds."""
        number = self.count
        self.count, self.depth = number + 1, self.depth + 1
        _SET(element, NUMBER, str(number))  # lxml.html's own set() is Python
        if not self.holders:
            if element.tag == "body" and self.depth == 2 and not self.body_found:
                self.body_found = True
                _take_out_before(element.getparent(), element)  # the head: read already
                self.holders.append(_Holder(element, Loose(element), self.depth))
            return
        top = self.holders[-1]
        if self.depth != top.depth + 1 or element.tag in DISCARD:
            return  # inside a child still being parsed, or a script (taken out later)
        self.settle(top, element)
        if self.holds(element, number):
            self.reader.flush(top.loose)
            self.holders.append(_Holder(element, Loose(element), self.depth))

    def end(self, element: etree._Element) -> None:
        """An element ends: a holder finished, or a child of one complete but for its tail."""
        depth, self.depth = self.depth, self.depth - 1
        if not self.holders:
            return
        top = self.holders[-1]
        if depth == top.depth:  # the holder itself
            self.settle(top, None)
            self.reader.flush(top.loose)
            self.holders.pop()
            if self.holders:
                self.holders[-1].pending, self.holders[-1].walked = element, True
        elif depth == top.depth + 1 and element.tag not in DISCARD:
            top.pending, top.walked = element, False

    def holds(self, element: etree._Element, number: int) -> bool:
        """Whether the reader only walks through ``element``: known from its start tag (the
        parser may be further on: the rules are asked of a bare copy of the tag)."""
        if element.tag not in _HOLDERS or number in self.unsettled \
                or element.get("itemtype", "").endswith("/Question"):
            return False
        tag = etree.Element(element.tag, dict(element.attrib))
        return number in self.frames or not (hidden_reason(tag) or furniture_reason(tag, False))

    def settle(self, holder: _Holder, following: etree._Element | None) -> None:
        """The holder's own text, then its pending child, whose tail is now complete: a child
        ``following`` it starts (None: the holder ends)."""
        _take_out_before(holder.element, following)
        if not holder.started:
            holder.loose.add(holder.element.text)
            holder.started = True
        child, holder.pending = holder.pending, None
        if child is None:
            return
        if holder.walked:
            holder.loose.add(child.tail)
            holder.element.remove(child)
        else:
            self.read_child(holder, child)

    def read_child(self, holder: _Holder, child: etree._Element) -> None:
        """A complete child: links resolved, furniture taken out, then read; then let go."""
        for element in list(child.iter(*DISCARD, etree.Comment, etree.ProcessingInstruction)):
            remove(element)
        tail = child.tail
        resolve_links(child, self.url)
        if child.tag == "img":  # taken out; its tail joins the text before it, as on a tree
            self.reader.take_out_pictures(child)
            holder.loose.add(tail)
            return
        index = holder.element.index(child)
        self.reader.take_out(child, self.frames, False)
        node = holder.element[index]  # the child, or what stands in its place
        self.reader.child(node, holder.loose)
        holder.loose.add(node.tail)
        holder.element.remove(node)


def _telling_id(element_id: str) -> frozenset[str]:
    """An id's words when a rule reads them and a heading could spell them away, else none."""
    words = name_words(element_id)
    return frozenset(words) if len(words) >= 2 and words & TELLING_WORDS else frozenset()


def _take_out_before(parent: etree._Element, following: etree._Element | None) -> None:
    """Take out the scripts, styles and comments among ``parent``'s children before
    ``following`` (all of them when None), the parser being past them."""
    before = []
    for child in parent.iterchildren():  # not a list: the parser may be far ahead
        if child is following:
            break
        if not isinstance(child.tag, str) or child.tag in DISCARD:
            before.append(child)
    for child in before:
        remove(child)
