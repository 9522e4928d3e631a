"""A whole saved HTML page -> Document: the article only, inline markup as inline Markdown.

Reading a page takes four steps:

1. Furniture out: hidden elements, ``<nav>``/``<aside>``/``<footer>``/forms, elements whose
   class or id names a widget (share buttons, related posts, galleries, bylines ...), in-page
   tables of contents, pictures and their captions are recorded in ``dropped`` with the rule
   that fired (``line`` is lxml's ``sourceline``) and taken out of the page. An element that
   holds most of the page's text is never furniture, whatever its class says.
2. The article chosen: a maintained main-content extractor (``mainpart``) reads what is left
   and says which text is the article. A page too big for it (over ``EXTRACTOR_LIMIT``) is
   read as it is parsed, never held whole (``bigpage``), its article the densest container.
3. Our own conversion of every block of the page: headings, paragraphs, nested lists with
   their lead-ins, tables, code, quotes and callouts, ``<details>`` and question headings as
   FAQ, footnote and reference lists. Short lines that are page furniture on their own
   (bylines, read times, photo credits, share counts) are dropped by named text rules.
4. The verdict: a block the extractor left out is dropped as "not the article"; a heading
   stays when the text under it stays. Every visible text block of the page thus ends up in
   the Document's blocks or in ``dropped``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from ...errors import ArticleError
from ...models import Block, Document, Dropped
from .furniture import (
    footnote_number,
    furniture_reason,
    hidden_reason,
    is_footnote_list,
)
from .lines import (
    LONG_LISTING,
    callout_parts,
    clean_line,
    final_char,
    is_heading_shape,
    is_long_listing,
    is_reference_heading,
    list_marker,
    mark_faq_questions,
    reference_entry,
    strip_heading_marks,
    word_count,
)
from .mainpart import (
    EXTRACTOR,
    NUMBER,
    choose_article,
    element_numbers,
    is_prose,
    widen_to_neighbours,
)
from .noise import (
    is_author_contact,
    is_author_tagline,
    is_boilerplate,
    is_breadcrumb,
    is_byline,
    is_contents_heading,
    is_cookie_notice,
    is_copyright,
    is_counter,
    is_dateline,
    is_disclosure,
    is_image_label,
    is_image_viewer,
    is_jump_link,
    is_link_call,
    is_number_only,
    is_photo_credit,
    is_read_more_link,
    is_signup_line,
    is_skip_link,
    is_store_button,
    is_teaser_heading,
)
from .text import title_from_source

DISCARD = ("script", "style", "noscript", "template", "svg", "canvas", "object", "link", "meta",
            "iframe", "head")
_BLOCK_TAGS = frozenset(
    (
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "pre", "table",
        "details", "figure", "hr", "div", "section", "article", "main", "header", "footer", "aside",
        "nav", "form", "address", "center", "fieldset", "li", "dt", "dd", "tr", "td", "th", "tbody",
        "thead", "tfoot", "caption", "figcaption", "summary"
    )
)
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_PICTURES = frozenset(("img", "picture", "figure", "figcaption", "video", "audio"))
_PLACEHOLDER = "nl-dropped"  # stands where furniture was taken out, so order is kept
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MOSTLY = 0.5  # an element with this share of the article's text is the article's frame
EXTRACTOR_LIMIT = 2_000_000  # characters: a bigger page is read as it is parsed (bigpage)
_MOST_OF_ARTICLE = 0.6  # chosen text that makes this much of an <article> makes it the article
_POPUP = "page_furniture: popup widget"
NOT_ARTICLE = f"not_article: outside the main content ({EXTRACTOR})"
_SHORT_LINE = 25  # words: text rules only judge lines this short
_LONG_QUOTE = 150  # words: a longer quote of several paragraphs is quoted paragraph by paragraph

_BY_NAME = re.compile(r"^(.+?)\s+by\s+((?:[A-Z][\w.'’-]*\s*){1,4})\.?$")


def _is_dated_byline(text: str) -> bool:
    """A date, then the author: ``Tuesday 15 October 2019 by Jane Doe``."""
    match = _BY_NAME.match(text.strip())
    return bool(match) and is_dateline(match.group(1))


_TEXT_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("skip_link: accessibility link", is_skip_link),
    ("number_only: a score, price or count on its own", is_number_only),
    ("store_button: a shop button's label", is_store_button),
    ("author_contact: the author's contact line", is_author_contact),
    ("author_bio: who the writer is", is_author_tagline),
    ("disclosure: the site's affiliate disclosure", is_disclosure),
    ("cookie_notice: cookie banner", is_cookie_notice),
    ("byline: author, date or read-time line", is_byline),
    ("byline: a date and the author's name", _is_dated_byline),
    ("dateline: a date on a line of its own", is_dateline),
    ("counter: a count of comments, shares or ratings", is_counter),
    ("jump_link: a link to another part of the page", is_jump_link),
    ("copyright: copyright notice", is_copyright),
    ("breadcrumb: breadcrumb trail", is_breadcrumb),
    ("photo_credit: picture credit or caption", is_photo_credit),
    ("image_label: image label or caption", is_image_label),
    ("signup: newsletter sign-up box", is_signup_line),
    ("boilerplate: page furniture (share, comments, copyright)", is_boilerplate),
    ("image_viewer: a picture viewer's control", is_image_viewer),
    ("link_call: a call to follow a link or open an embed", is_link_call),
)


Choice = Collection[int] | None  # the numbers of the article's elements (None: not known)
Chooser = Callable[[etree._Element, dict[int, etree._Element]], Choice]


def read_html_article(text: str, source: str = "",
                      progress: Callable[[float], None] | None = None) -> Document:
    """Read a saved HTML page into a Document; ArticleError when it has no HTML content.

    A page too big for the extractor is read as it is parsed (``bigpage``), never held whole;
    ``progress`` is then told the share of it read so far (0 to 1).
    """
    if len(text) > EXTRACTOR_LIMIT:  # the extractor's time and memory grow faster than the page
        from .bigpage import read_big_page

        return read_big_page(text, source, progress=progress)
    return read_whole_page(text, source, _extractor_choice)


def read_whole_page(text: str, source: str, choose: Chooser) -> Document:
    """Read a page parsed whole, the article chosen by ``choose`` (from the page's body and
    its elements by number)."""
    root = parse_page(text, source)
    numbered = _number_elements(root)
    resolve_links(root, page_url(root))
    title = page_title(root)
    for element in list(root.iter(*DISCARD, etree.Comment, etree.ProcessingInstruction)):
        remove(element)
    body = root.find("body")
    body = body if body is not None else root
    choice = choose(body, numbered)
    reader = Reader(chosen=choice.core if isinstance(choice, Widened) else frozenset())
    reader.take_out_furniture(body, _frames(choice, numbered))
    reader.walk(body)
    return reader.document(choice, title, source)


class Widened(frozenset[int]):
    """The article's elements by number, widened from the extractor's own choice (``core``):
    the ``<article>`` around it, the prose beside it."""

    core: frozenset[int] = frozenset()

    @classmethod
    def of(cls, choice: Collection[int], core: Collection[int]) -> Widened:
        """``choice``, remembering the ``core`` it was widened from."""
        widened = cls(choice)
        widened.core = frozenset(core)
        return widened


def _extractor_choice(body: etree._Element, numbered: dict[int, etree._Element]) -> Choice:
    # whitespace is all one to the extractor, and long runs of it slow its expressions
    choice = choose_article(_single_spaced(lxml.html.tostring(body, encoding="unicode")))
    widened = widen_to_neighbours(_widen_to_article(choice, numbered), numbered)
    return Widened.of(widened, choice) if widened and choice else widened


def page_url(root: lxml.html.HtmlElement) -> str:
    """Where the page lives: ``<base href>``, ``<link rel="canonical">`` or ``og:url``."""
    elements = root.iter("base", "link", "meta")
    return next((url for e in elements if (url := page_address(e.tag, e.attrib))), "")


def page_address(tag: str, attributes: Mapping[str, str]) -> str:
    """The page's address when this ``<base>``, ``<link>`` or ``<meta>`` gives it, else ""."""
    if tag == "base":
        url = attributes.get("href", "")
    elif tag == "link":
        rels = attributes.get("rel", "").lower().split()
        url = attributes.get("href", "") if "canonical" in rels else ""
    else:
        url = attributes.get("content", "") if attributes.get("property") == "og:url" else ""
    return url.strip() if urlsplit(url.strip()).scheme in ("http", "https") else ""


def resolve_links(root: lxml.html.HtmlElement, base: str) -> None:
    """Make relative ``href``s absolute against ``base`` (left as they are without one).

    In-page anchors (``#fn1``) stay as they are: they mark footnotes and tables of contents.
    """
    if not base:
        return
    joined: dict[str, str] = {}  # a page repeats its addresses (menus, footers): join each once
    for link in root.iter("a", "img"):
        attribute = "href" if link.tag == "a" else "src"
        href = link.get(attribute, "").strip()
        if href and not href.startswith("#"):
            if href not in joined:
                joined[href] = href if urlsplit(href).scheme else urljoin(base, href)
            if joined[href] != href:
                link.set(attribute, joined[href])


def parse_page(text: str, source: str) -> lxml.html.HtmlElement:
    """The page as lxml's tree; ArticleError when it has no HTML content."""
    try:
        return lxml.html.document_fromstring(parsable(text))
    except (etree.ParserError, ValueError) as error:
        raise ArticleError(f"not readable as HTML: {error}", path=source or None) from error


def parsable(text: str) -> str:
    """The page without what lxml refuses: an XML declaration, control characters anywhere."""
    return _NOT_XML.sub("", _XML_DECLARATION.sub("", text))


def _single_spaced(text: str) -> str:
    """Every run of whitespace as one space (``re.sub(r"\\s+", " ", text)``, in a fraction of
    the time)."""
    inner = " ".join(text.split())
    lead = " " if text[:1].isspace() else ""
    return f"{lead}{inner} " if inner and text[-1].isspace() else lead + inner


def remove(element: etree._Element) -> None:
    """Take an element (or comment) out of the tree, its tail text staying where it was."""
    parent = element.getparent()
    if parent is None:
        return
    if isinstance(element, lxml.html.HtmlElement):
        element.drop_tree()
    else:
        tail = element.tail or ""
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(element)


# --- the article's title ---------------------------------------------------------------------

_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—·»:]{1,2}|-{1,2})\s+")


def page_title(root: lxml.html.HtmlElement) -> str:
    """The article's own title, without the site's name (``title_of`` the page's parts)."""
    found = root.find(".//title")
    headings = (h.text_content() for h in root.iter("h1", "h2"))
    return title_of(found.text_content() if found is not None else "",
                    [meta.attrib for meta in root.iter("meta")], headings,
                    [h.text_content() for h in root.iter("h1")])


def title_of(raw_title: str, metas: Iterable[Mapping[str, str]], headings: Iterable[str],
             h1s: Sequence[str] = ()) -> str:
    """The article's own title from the text of the page's ``<title>``, the attributes of its
    ``<meta>`` elements and the text of its ``<h1>``/``<h2>`` headings, in page order.

    A heading of the page that the ``<title>`` (or ``og:title``) starts with wins (the
    ``<title>`` often adds `` | Site``); else ``og:title``, else the ``<title>`` with its
    site part cut off.
    """
    meta_titles = _meta_titles(metas)
    raw = clean_line(raw_title)
    titles = [t for t in (raw, *meta_titles["title"]) if t]
    for heading in _title_headings(headings):
        if any(_starts_title(t, heading) for t in titles):
            return heading
    sites = meta_titles["site"]
    named = next((_without_site(c, sites) for c in (*meta_titles["title"], raw) if c), "")
    headline = _edited_headline(h1s, named)
    return headline or named


def _edited_headline(h1s: Sequence[str], title: str) -> str:
    """The page's one ``<h1>`` of three words or more that shares a word with the title
    the metadata gives: the headline as the page shows it (edited after the metadata was
    written), not the site's name."""
    texts = [strip_heading_marks(clean_line(h)) for h in h1s]
    if len(texts) != 1 or len(texts[0].split()) < 3:
        return ""
    shared = _significant(texts[0]) & _significant(title)
    return texts[0] if shared else ""


def _significant(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) >= 4}


def _meta_titles(metas: Iterable[Mapping[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"title": [], "site": []}
    for meta in metas:
        key = meta.get("property") or meta.get("name") or ""
        content = clean_line(meta.get("content", ""))
        if content and key in ("og:title", "twitter:title"):
            found["title"].append(content)
        elif content and key in ("og:site_name", "application-name"):
            found["site"].append(content)
    return found


def _title_headings(headings: Iterable[str]) -> list[str]:
    texts = (strip_heading_marks(clean_line(text)) for text in headings)
    return list(islice((t for t in texts if len(t.split()) >= 2), 20))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower().replace("’", "").replace("'", ""))


def _starts_title(title: str, heading: str) -> bool:
    """``title`` is ``heading``, or ``heading`` and a site part after a separator."""
    words, head = _words(title), _words(heading)
    if words == head:
        return True
    parts = _TITLE_SEPARATOR.split(title)
    return len(parts) > 1 and any(_words(" ".join(parts[:n])) == head for n in range(1, len(parts)))


def _without_site(title: str, sites: Sequence[str]) -> str:
    """``Title | Site`` -> ``Title`` (and ``Site: Title`` -> ``Title``)."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    named = {w for site in sites for w in [" ".join(_words(site.split("|")[0]))] if w}
    if " ".join(_words(parts[-1])) in named or (not named and len(parts[-1].split()) <= 4):
        return _join_parts(title, parts[:-1])
    if " ".join(_words(parts[0])) in named:
        return _join_parts(title, parts[1:])
    return title


def _join_parts(title: str, parts: Sequence[str]) -> str:
    start = title.index(parts[0])
    end = title.rindex(parts[-1]) + len(parts[-1])
    return title[start:end].strip()


def _with_title(blocks: Sequence[Block], title: str) -> tuple[Block, ...]:
    if any(b.kind == "heading" and b.level == 1 for b in blocks) or not title:
        return tuple(blocks)
    return (Block("heading", title, level=1, rule="html_title"), *blocks)


# --- reading the page ----------------------------------------------------------------------



def _terms_and_definitions(element: etree._Element) -> Iterator[etree._Element]:
    """A ``<dl>``'s terms and definitions in order, read through whatever groups them."""
    return _through_wrappers(element, frozenset(("dt", "dd")))


def _through_wrappers(element: etree._Element, tags: frozenset[str]
                      ) -> Iterator[etree._Element]:
    """The element's children with one of ``tags``, read through whatever wraps them
    (HTML allows a ``<div>`` around a ``<dl>``'s items; pages wrap list items too)."""
    for child in element:
        if child.tag in tags:
            yield child
        elif isinstance(child.tag, str):
            yield from _through_wrappers(child, tags)


def _lines(element: etree._Element) -> tuple[int, ...]:
    numbers = [e.sourceline for e in element.iter() if isinstance(e.sourceline, int)]
    return tuple(range(min(numbers), max(numbers) + 1)) if numbers else ()


def _plain(element: etree._Element) -> str:
    return _squash(inline_markdown(element, plain=True))


@dataclass
class Loose:
    """The inline text of an element walked, between its blocks: as Markdown and as the text a
    reader sees, piece by piece."""

    element: etree._Element
    pieces: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)

    def add(self, markdown: str | None, plain: str | None = None) -> None:
        """One more piece (``plain`` defaults to ``markdown``: plain text as it stands)."""
        self.pieces.append(markdown or "")
        self.plain.append((markdown if plain is None else plain) or "")


@dataclass
class _Entry:
    """A block of the page and the verdict on it ("" while it is kept)."""

    block: Block
    plain: str  # its visible text
    origin: int = -1  # the number of the element it came from, for the extractor's verdict
    reason: str = ""
    recorded: bool = False  # already in ``dropped`` (furniture taken out before the walk)


@dataclass
class Reader:
    """The blocks and dropped records of one HTML read."""

    entries: list[_Entry] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    last: Block | None = None  # the last block kept so far
    # the elements the extractor itself chose; set only when the page is held whole, so
    # that an element's later siblings are there to be seen (never in ``bigpage``)
    chosen: frozenset[int] = frozenset()

    # step 1 -------------------------------------------------------------------------------

    def take_out_furniture(self, element: etree._Element, frames: Collection[int],
                           in_heading: bool = False) -> None:
        """Record and remove hidden text, furniture, pictures and captions below ``element``
        (never a frame of the article, by number), in one pass down the page: what is taken
        out is not looked into."""
        for child in list(element):  # a copy: children are replaced as they are taken out
            if isinstance(child.tag, str):
                self.take_out(child, frames, in_heading)

    def take_out(self, element: etree._Element, frames: Collection[int], in_heading: bool
                 ) -> None:
        """``element`` and what is below it, taken out when it is furniture."""
        if element.tag in _PICTURES:
            self.take_out_pictures(element)
            return
        reason = hidden_reason(element) or furniture_reason(element, in_heading)
        if reason and int(element.get(NUMBER, -1)) not in frames \
                and not self.text_over_picture(element, reason):
            self.drop(element, reason)
            _replace_with_placeholder(element, reason)
        else:
            self.take_out_furniture(element, frames, in_heading or element.tag in _HEADINGS)

    def text_over_picture(self, element: etree._Element, reason: str) -> bool:
        """A box named as a pop-up (``overlay``, ``lightbox``) that the extractor chose as
        article text and that holds prose: the story's text set over a picture."""
        return reason == _POPUP and int(element.get(NUMBER, -1)) in self.chosen \
            and is_prose(element)

    def take_out_pictures(self, element: etree._Element) -> None:
        """Pictures keep their address and alt text in ``dropped``; captions are dropped."""
        images = [element] if element.tag == "img" else list(element.iter("img"))
        for image in images:
            src, alt = image.get("src", "").strip(), clean_line(image.get("alt", ""))
            if src or alt:
                text = f"{src} {alt}".strip() if src else alt
                self.dropped.append(Dropped(image.sourceline or 0, text,
                                            "image: picture (address and alt text)"))
        if element.tag != "img":
            captions = [e for e in element.iter("figcaption")] or [element]
            for caption in captions:
                self.drop(caption, "caption: picture caption or credit")
            if element not in captions:  # text in the frame beside its caption
                caption_text = {t for c in captions for t in c.itertext()}
                rest = clean_line(" ".join(t for t in element.itertext() if t not in caption_text))
                if rest:
                    self.drop(element, "caption: text in a picture's frame", rest)
            _replace_with_placeholder(element, "image: picture or caption")
        else:
            remove(element)

    def drop(self, element: etree._Element, reason: str, text: str = "") -> None:
        """Record an element left out of the article."""
        text = text or clean_line(" ".join(element.itertext()))
        if text:
            self.dropped.append(Dropped(element.sourceline or 0, text, reason))

    # step 3 -------------------------------------------------------------------------------

    def emit(self, block: Block, plain: str, origin: etree._Element, reason: str = "") -> None:
        """One block of the page, with its visible text and the element it came from."""
        self.entries.append(_Entry(block, plain, int(origin.get(NUMBER, -1)), reason))
        if not reason:
            self.last = block

    def walk(self, element: etree._Element) -> None:
        """Blocks for the children of ``element``; loose inline text becomes paragraphs."""
        loose = Loose(element)
        loose.add(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self.child(child, loose)
                loose.add(child.tail)
        self.flush(loose)

    def child(self, child: etree._Element, loose: Loose) -> None:
        """One child of an element walked: a block (after the loose text before it), or inline
        markup that joins the loose text."""
        if child.tag == _PLACEHOLDER or child.tag in _BLOCK_TAGS or _has_block(child):
            self.flush(loose)
            self.block(child)
        else:
            loose.add(inline_markdown(child), inline_markdown(child, plain=True))

    def flush(self, loose: Loose) -> None:
        """The loose text so far, as a paragraph."""
        text = _squash("".join(loose.pieces))
        if text:
            self.paragraph(text, _squash("".join(loose.plain)), loose.element, "loose_text")
        loose.pieces, loose.plain = [], []

    def block(self, element: etree._Element) -> None:
        """One block-level element."""
        tag = element.tag
        if tag == _PLACEHOLDER:
            entry = _Entry(Block("paragraph"), "", -1, element.get("reason", "furniture"), True)
            self.entries.append(entry)
        elif element.get("itemtype", "").endswith("/Question"):
            self.schema_question(element)
        elif tag in _HEADINGS:
            self.heading(element)
        elif tag == "p" and (lines := _marked_lines(element)):
            lead = [] if list_marker(lines[0]) else lines[:1]
            items = [m.text if (m := list_marker(line)) else line for line in lines[len(lead):]]
            ordered = all((m := list_marker(line)) and m.ordered for line in lines[len(lead):])
            self.emit(Block("list", lines=_lines(element), items=tuple(items), ordered=ordered,
                            lead="".join(lead), rule="html_p_marked_lines"),
                      _plain(element), element)
        elif tag == "p":
            self.paragraph(inline_markdown(element), _plain(element), element, "html_p")
        elif tag in ("ul", "ol"):
            self.list(element)
        elif tag == "blockquote" and _is_social_embed(element):
            self.drop(element, "social_embed: a post embedded from a social network")
        elif tag == "blockquote":
            self.quote(element)
        elif tag == "pre":
            code = element.text_content().strip("\n")
            if is_long_listing(code):
                self.drop(element, LONG_LISTING)
            elif code.strip():
                self.emit(Block("paragraph", f"```\n{code}\n```", _lines(element), rule="pre"),
                          _plain(element), element)
        elif tag == "dl":
            self.definitions(element)
        elif tag == "details":
            self.details(element)
        elif tag == "table" and not _is_layout_table(element):
            self.table(element)
        elif tag != "hr":
            self.walk(element)

    def heading(self, element: etree._Element, kind: str = "heading", rule: str = "") -> None:
        """``<h1>``..``<h6>`` (their permalinks and ``[edit]`` links left out)."""
        text = strip_heading_marks(_plain(element))
        if text:
            level = int(element.tag[1]) if element.tag in _HEADINGS else 3
            linked = "_linked" if _links_away(element) else ""
            block = Block(kind, text, _lines(element), level=level,
                          rule=rule or f"html_{element.tag}{linked}")
            box = _emptied_box(element) if self.chosen else ""
            self.emit(block, text, element, _heading_noise(text) or box)

    def paragraph(self, text: str, plain: str, origin: etree._Element, rule: str) -> None:
        """A paragraph, callout, reference entry, or a line of furniture on its own."""
        text = _squash(text)
        if not text:
            return
        lines = (origin.sourceline or 0,) if rule == "loose_text" else _lines(origin)
        previous = self._previous()
        entry = reference_entry(text) if text.startswith("[") else None
        if entry and previous is not None and (
            previous.kind == "reference" or is_reference_heading(previous.text)
        ):
            self.emit(Block("reference", entry[1], lines, label=entry[0],
                            rule="reference_entry"), plain, origin)
        elif reason := _text_noise(plain) or _see_also_reason(text) or _button_row(text):
            self.emit(Block("paragraph", text, lines, rule=rule), plain, origin, reason)
        elif parts := callout_parts(text):
            self.emit(Block("callout", parts[1], lines, label=parts[0], rule="callout_label"),
                      plain, origin)
        else:
            self.emit(Block("paragraph", text, lines, rule=rule), plain, origin)

    def _previous(self) -> Block | None:
        return self.last

    def list(self, element: etree._Element) -> None:
        """``<ul>``/``<ol>`` with nested items indented; after a reference heading, or as a
        footnote list, reference entries."""
        previous = self._previous()
        if is_footnote_list(element) or (
            previous is not None and previous.kind == "heading"
            and is_reference_heading(previous.text) and _cites(element)
        ):
            self.references(element)
            return
        self.stray(element, frozenset(("li",)))
        items = [("  " * depth) + text for depth, li in _list_items(element)
                 if (text := _squash(inline_markdown(li, nested=False)))]
        if items:
            block = Block("list", lines=_lines(element), items=tuple(items),
                          ordered=element.tag == "ol", rule=f"html_{element.tag}")
            self.emit(block, _plain(element), element, _figures_reason(items))

    def references(self, element: etree._Element) -> None:
        """The items of a reference list: numbered in order, URL when the item is a link."""
        self.stray(element, frozenset(("li",)))
        start = int(element.get("start", "1")) if element.get("start", "").isdigit() else 1
        for offset, (_, item) in enumerate(_list_items(element)):
            for back in [a for a in item.iter("a") if a.get("href", "").startswith("#")]:
                remove(back)  # the footnote's way back up to its marker (``↩``)
            text = _reference_text(item)
            entry = reference_entry(text)
            label, text = entry if entry else (footnote_number(item) or str(start + offset),
                                               text)
            if text:
                self.emit(Block("reference", text, _lines(item), label=label,
                                rule="reference_entry"), _plain(item), item)

    def quote(self, element: etree._Element) -> None:
        """``<blockquote>``: a quote, or a callout when it opens with a callout label; a long
        quote of several paragraphs is quoted paragraph by paragraph (so a snippet can hold
        part of it), its code and lists read as they are."""
        text = _squash(" ".join(_texts(element)))
        parts = callout_parts(text)
        paragraphs = [c for c in element if c.tag in ("p", "div")]
        if not parts and len(paragraphs) >= 2 and len(text.split()) > _LONG_QUOTE:
            self.quote_paragraphs(element)
        elif parts:
            self.emit(Block("callout", parts[1], _lines(element), label=parts[0],
                            rule="callout_label"), _plain(element), element)
        elif text:
            self.emit(Block("quote", text, _lines(element), rule="html_blockquote"),
                      _plain(element), element)

    def quote_paragraphs(self, element: etree._Element) -> None:
        """The children of a long ``<blockquote>``: paragraphs as quotes, the rest as blocks."""
        loose = Loose(element)
        loose.add(element.text)
        for child in element:
            if isinstance(child.tag, str) and child.tag in ("p", "div") and not _has_block(child):
                self.flush(loose)
                if text := _squash(inline_markdown(child)):
                    self.emit(Block("quote", text, _lines(child), rule="html_blockquote_part"),
                              _plain(child), child)
            elif isinstance(child.tag, str):
                self.child(child, loose)
            loose.add(child.tail)
        self.flush(loose)

    def definitions(self, element: etree._Element) -> None:
        """``<dl>``: questions and answers when the terms are questions, else paragraphs
        (a term with no definition after it stands as a paragraph of its own)."""
        self.stray(element, frozenset(("dt", "dd")))
        items = list(_terms_and_definitions(element))
        terms = [c for c in items if c.tag == "dt"]
        faq = any(final_char(_squash(inline_markdown(t))) == "?" for t in terms)
        pending: etree._Element | None = None  # a term not yet given its definition
        for child in items:
            text = _squash(inline_markdown(child)) if isinstance(child.tag, str) else ""
            if child.tag == "dt" and faq:
                self.emit(Block("question", text, _lines(child), rule="html_dl_faq"),
                          _plain(child), child)
            elif child.tag == "dt":
                self._lone_term(pending)
                pending = child
            elif child.tag == "dd" and text:
                term = _squash(inline_markdown(pending)) if pending is not None else ""
                body = text if faq or not term else f"**{term}**: {text}"
                self.emit(Block("paragraph", body, _lines(child), rule="html_dd"),
                          f"{term} {_plain(child)}", child)
                pending = None
        self._lone_term(pending)

    def _lone_term(self, term: etree._Element | None) -> None:
        text = _squash(inline_markdown(term)) if term is not None else ""
        if term is not None and text:
            self.emit(Block("paragraph", text, _lines(term), rule="html_dt"), _plain(term), term)

    def details(self, element: etree._Element) -> None:
        """``<details>``: the summary is a question (or heading), the rest its answer."""
        summary = element.find("summary")
        if summary is not None:
            text = _squash(inline_markdown(summary))
            kind = "question" if final_char(text) == "?" else "heading"
            self.heading(summary, kind, "html_details")
            summary.drop_tree()
        self.walk(element)

    def schema_question(self, element: etree._Element) -> None:
        """A schema.org FAQ ``Question``: its name, then its accepted answer."""
        name = element.find(".//*[@itemprop='name']")
        answer = element.find(".//*[@itemprop='acceptedAnswer']")
        if name is not None:
            self.heading(name, "question", "faq_schema")
        self.walk(answer if answer is not None else element)

    def table(self, element: etree._Element) -> None:
        """A table of data, as a Markdown pipe table (the first row is its header)."""
        self.stray(element, frozenset(("td", "th")))
        rows = [[_squash(inline_markdown(c)) for c in row if c.tag in ("td", "th")]
                for row in element.iter("tr")]
        if text := pipe_table(rows):
            self.emit(Block("paragraph", text, _lines(element), rule="html_table"),
                      _plain(element), element)

    def stray(self, element: etree._Element, covered: frozenset[str]) -> None:
        """Text of a list, table or definition list outside its items or cells (a caption,
        text typed straight into ``<ul>``), as a paragraph of its own."""
        pieces: list[str] = []

        def visit(node: etree._Element, inside: bool) -> None:
            if not inside and node.text:
                pieces.append(node.text)
            for child in node:
                if isinstance(child.tag, str):
                    visit(child, inside or child.tag in covered)
                if not inside and child.tail:
                    pieces.append(child.tail)

        visit(element, False)
        if text := _squash(" ".join(pieces)):
            self.emit(Block("paragraph", text, (element.sourceline or 0,), rule="loose_text"),
                      text, element)

    # step 4 -------------------------------------------------------------------------------

    def choose(self, choice: Choice, title: str) -> tuple[Block, ...]:
        """The blocks that are the article; the others go to ``dropped`` with their reason."""
        entries = self.entries
        if choice is not None:
            for entry in entries:
                if not entry.reason and entry.block.kind != "heading" \
                        and entry.origin not in choice:
                    entry.reason = NOT_ARTICLE
            _keep_cited_references(entries)
        _drop_teaser_boxes(entries)
        _drop_boxes_after_article(entries)
        _keep_headings_over_kept_text(entries, title)
        for entry in entries:
            if entry.reason and not entry.recorded:
                self.dropped.extend(_dropped(entry))
        kept = [e.block for e in entries if not e.reason]
        return _join_leads(pseudo_headings(bold_sentence_leads(kept)))

    def document(self, choice: Choice, title: str, source: str) -> Document:
        """The Document read: the article's blocks, its references and what was dropped."""
        blocks = mark_faq_questions(_with_title(self.choose(choice, title), title))
        return Document(
            title=title or next((b.text for b in blocks if b.kind == "heading"), "")
            or title_from_source(source),
            source=source,
            blocks=blocks,
            references={b.label: b.text for b in blocks if b.kind == "reference"},
            dropped=tuple(sorted(self.dropped, key=lambda d: d.line)),
        )


def _number_elements(root: etree._Element) -> dict[int, etree._Element]:
    """Give every element its number (``data-nl``), in the order the parser starts them."""
    numbered = dict(enumerate(root.iter(etree.Element)))
    for number, element in numbered.items():
        element.attrib[NUMBER] = str(number)
    return numbered


def _widen_to_article(choice: Choice, numbered: dict[int, etree._Element]) -> Choice:
    """When the chosen elements lie in one ``<article>`` (or ``articleBody``) and make most
    of it, the whole of it is the article: a review's verdict box or a recipe card beside
    the body text belong to it (the furniture and noise rules still apply inside)."""
    if choice is None:
        return None
    tops = _outermost(choice, numbered)
    frames = {_semantic_article(top) for top in tops}
    if len(frames) != 1 or None in frames:
        return choice
    frame = frames.pop()
    assert frame is not None
    chosen_words = sum(_word_count(top) for top in tops)
    if chosen_words < _MOST_OF_ARTICLE * _word_count(frame):
        return choice
    return frozenset(choice) | element_numbers(frame)


def _outermost(choice: Collection[int], numbered: dict[int, etree._Element]
               ) -> list[etree._Element]:
    """The chosen elements whose parent is not chosen."""
    chosen = [numbered[n] for n in choice if n in numbered]
    return [e for e in chosen if (parent := e.getparent()) is None
            or int(parent.get(NUMBER, -1)) not in choice]


def _semantic_article(element: etree._Element) -> etree._Element | None:
    for candidate in (element, *element.iterancestors()):
        if candidate.tag == "article" or candidate.get("itemprop") == "articleBody":
            return candidate
    return None


def _word_count(element: etree._Element) -> int:
    return sum(len(t.split()) for t in element.itertext())


def _frames(choice: Choice, numbered: dict[int, etree._Element]) -> set[int]:
    """The chosen outermost elements and what holds them, by number: never furniture,
    whatever their class says (``<div id="share-wrapper">`` around the whole article). Of a
    widened choice, so are the wrappers between the ``<article>`` and the extractor's own
    choice (``<div class="ad-companion">`` around the story's text)."""
    if choice is None:
        return set()
    tops = _outermost(choice, numbered)
    if isinstance(choice, Widened):
        tops += _outermost(choice.core, numbered)
    return {int(e.get(NUMBER, -1)) for top in tops for e in (top, *top.iterancestors())}


def _replace_with_placeholder(element: etree._Element, reason: str) -> None:
    placeholder = etree.Element(_PLACEHOLDER, reason=reason)
    placeholder.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, placeholder)


@functools.lru_cache(maxsize=4096)  # a big page repeats its short lines thousands of times
def _text_noise(plain: str) -> str:
    """The text rule that finds a short line to be furniture on its own ("" for text); an
    affiliate disclosure may run to a few sentences."""
    if len(plain.split()) > _SHORT_LINE:
        return "disclosure: the site's affiliate disclosure" if is_disclosure(plain) else ""
    return next((reason for reason, test in _TEXT_RULES if test(plain)), "")


_SEE_ALSO = re.compile(r"(?:see|view|watch|browse|explore|look at|more)\b.{0,80}",
                       re.IGNORECASE)
_SEE_ALSO_REASON = "related: a paragraph that is one link to see another page"


def _button_row(text: str) -> str:
    """A row of links each of which is a button on its own (``[Print Recipe](..) [Pin
    Recipe](..)``, ``[Share](..) [Email](..)``)."""
    labels = [markdown_plain(m.group(1)).strip() for m in _MARKDOWN_LINK.finditer(text)]
    rest = _MARKDOWN_LINK.sub(" ", text)
    if len(labels) < 2 or re.search(r"\w", rest) or not all(map(is_boilerplate, labels)):
        return ""
    return "share_row: a row of the page's buttons"


def _see_also_reason(text: str) -> str:
    """A paragraph that is one link, of a dozen words at most, asking to see another page
    (``[See the Cartoons of the Week.](...)``, ``[More photos from the coast](...)``), or
    one link after a ``Read more:`` label."""
    if is_read_more_link(text):
        return "related: a link to another story after 'Read more:'"
    link = _MARKDOWN_LINK.fullmatch(text.strip().strip("*_"))
    label = markdown_plain(link.group(1)) if link else ""
    see_also = bool(label) and word_count(label) <= 12 and bool(_SEE_ALSO.fullmatch(label))
    return _SEE_ALSO_REASON if see_also else ""


def _emptied_box(heading: etree._Element) -> str:
    """Why a heading labels a box whose content was all taken out as furniture (``Story
    Tools`` over share buttons): after it in its own container stands nothing but what was
    taken out ("" when text follows it there, or nothing at all)."""
    after = list(heading.itersiblings())
    if not after or not any(e.tag == _PLACEHOLDER or e.find(f".//{_PLACEHOLDER}") is not None
                            for e in after):
        return ""
    texts = [heading.tail or "", *(t for e in after for t in (*e.itertext(), e.tail or ""))]
    return "" if any(t.strip() for t in texts) else "box_label: heads a box of page furniture"


def _heading_noise(text: str) -> str:
    """Why a heading heads page furniture rather than a section ("" for a section)."""
    if is_teaser_heading(text):
        return "related: heading of a box of links to other pages"
    if is_contents_heading(text):
        return "table_of_contents: its heading"
    return _text_noise(text) if is_boilerplate(text) else ""


def _keep_headings_over_kept_text(entries: list[_Entry], title: str) -> None:
    """A heading stays when the first block under it stays (extractors drop link-heavy or
    low-scored headings that head the article's own sections); the title always stays.
    Furniture taken out between a heading and its text (a byline, a picture) is skipped."""
    verdict = "no text under it"
    for entry in reversed(entries):
        if entry.recorded:
            continue
        if entry.block.kind not in ("heading", "question"):
            verdict = entry.reason
        elif not entry.reason and _words(entry.block.text) != _words(title):
            entry.reason = f"{verdict} (a heading over it)" if verdict else ""


def _drop_teaser_boxes(entries: list[_Entry]) -> None:
    """A ``More ... news:`` / ``Most Read`` / ``Related`` heading or lead and the links under
    it are a box of teasers for other pages; a lead-in whose list was dropped goes with it."""
    for index, entry in enumerate(entries[:-1]):
        following = entries[index + 1]
        if (entry.block.kind == "heading" and entry.reason.startswith("related:")) or (
                not entry.reason and entry.block.kind == "paragraph"
                and is_teaser_heading(entry.plain)):
            entry.reason = "related: heading of a box of links to other pages"
            _drop_links_under(entries, index, entry.plain)
        elif (not entry.reason and entry.block.kind == "paragraph" and following.reason
              and following.block.kind == "list" and final_char(entry.block.text) == ":"):
            entry.reason = f"lead-in of a dropped list ({following.reason})"


def _drop_boxes_after_article(entries: list[_Entry]) -> None:
    """After the article's last paragraph of prose, a heading over nothing but lists of
    links (and a widget's word or two, ``Loading...``) is a box of other stories."""
    kept = [e for e in entries if not e.reason]
    last = max((i for i, e in enumerate(kept) if _prose_paragraph(e)), default=None)
    if last is None:
        return
    boxes = _headed_groups(kept[last + 1:])
    for group in boxes:
        rest = group[1:]
        if is_reference_heading(group[0].plain):
            continue  # the article's own reading list
        if any(e.block.kind == "list" for e in rest) and all(_box_content(e) for e in rest):
            for entry in group:
                entry.reason = "related: a box of links to other stories after the article"
        elif group[0].block.rule.endswith("_linked") and all(_blurb(e) for e in rest):
            for entry in group:
                entry.reason = "related_teaser: another story's headline and its blurb"


def _links_away(heading: etree._Element) -> bool:
    """The heading is a link to another page (``<a href><h5>..</h5></a>``, or its whole
    text one link): another story's headline."""
    if any(a.tag == "a" and not a.get("href", "#").startswith("#")
           for a in heading.iterancestors()):
        return True
    links = list(heading.iter("a"))
    return (len(links) == 1 and not links[0].get("href", "#").startswith("#")
            and _plain(links[0]).strip() == _plain(heading).strip())


def _blurb(entry: _Entry) -> bool:
    return entry.block.kind == "paragraph" and word_count(entry.plain) <= 30


def _headed_groups(entries: list[_Entry]) -> list[list[_Entry]]:
    """The entries from each heading up to the next (what precedes the first is left)."""
    groups: list[list[_Entry]] = []
    for entry in entries:
        if entry.block.kind == "heading":
            groups.append([entry])
        elif groups:
            groups[-1].append(entry)
    return groups


def _box_content(entry: _Entry) -> bool:
    """Links, headlines that link with their blurbs, or a widget's word or two."""
    if entry.block.kind == "list":
        items = [i for i in entry.block.items if i.strip()]
        return _link_share(entry.block) >= 0.5 or (bool(items) and all(
            _OPENS_WITH_LINK.match(i.lstrip("*_ ")) for i in items))
    return entry.block.kind == "paragraph" and word_count(entry.plain) <= 3


_OPENS_WITH_LINK = re.compile(r"\[[^\]]{3,200}\]\([^)\s]{1,2000}\)")


def _prose_paragraph(entry: _Entry) -> bool:
    return (entry.block.kind == "paragraph" and word_count(entry.plain) >= 20
            and _link_share(entry.block) < 0.5)


def _drop_links_under(entries: list[_Entry], index: int, heading: str) -> None:
    """The lists and lines of links after ``entries[index]``, up to the next heading."""
    for entry in entries[index + 1:]:
        if entry.recorded:
            continue
        if entry.block.kind in ("heading", "question") or _link_share(entry.block) < 0.5:
            return
        entry.reason = entry.reason or f"related: links under {heading!r}"


def _link_share(block: Block) -> float:
    """How much of a block's visible text is link text."""
    text = " ".join((block.text, *block.items))
    linked = sum(len(m.group(1)) for m in _MARKDOWN_LINK.finditer(text))
    return linked / max(1, len(markdown_plain(text)))


def _keep_cited_references(entries: list[_Entry]) -> None:
    """Reference entries stay when the kept text cites them."""
    kept = " ".join(e.block.text + " ".join(e.block.items) for e in entries if not e.reason)
    cited = set(re.findall(r"\[\^?(\d{1,4})\]", kept))
    for entry in entries:
        if entry.block.kind == "reference" and entry.reason == NOT_ARTICLE \
                and entry.block.label in cited:
            entry.reason = ""


def _dropped(entry: _Entry) -> list[Dropped]:
    block = entry.block
    text = " ".join(filter(None, (block.lead, block.text, *map(str.strip, block.items))))
    line = block.lines[0] if block.lines else 0
    return [Dropped(line, text or entry.plain, entry.reason)] if text or entry.plain else []


_NUMBERED = re.compile(
    r"^(?:\d{1,2}[.):]\s|(?:step|tip|example|exercise|week|day|part|phase|stage|rule|method|"
    r"option|way|reason|lesson|chapter|no\.?|#)\s*\d{1,3}\b)",
    re.IGNORECASE,
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NUMBERED_LABEL = re.compile(
    r"(?:step|tip|example|exercise|week|day|part|phase|stage|rule|method|option|way|lesson)"
    r"\s*\d{1,3}:?", re.IGNORECASE)
_PSEUDO_RULES = {
    "bold": "pseudo_heading: a bold-only paragraph over longer text",
    "numbered": "pseudo_heading: a short numbered line over longer text",
    "short": "pseudo_heading: a short line without final punctuation between paragraphs",
}


@functools.lru_cache(maxsize=4096)
def markdown_plain(text: str) -> str:
    """Inline Markdown as the text a reader sees (links, bold, italic and code marks out)."""
    return _squash(re.sub(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`", "",
                          _MARKDOWN_LINK.sub(r"\1", text)))


def pseudo_headings(blocks: Sequence[Block]) -> list[Block]:
    """Paragraphs that head a section in all but their tag (``<p><b>Tip</b></p>``,
    ``<p>3. Check the door</p>``, a short line between paragraphs) become headings."""
    real = [b for b in blocks if b.kind == "heading" and b.level > 1]
    result: list[Block] = []
    above = 1  # the level of the last real heading
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            above = block.level
        shape = _pseudo_shape(blocks, index)
        if shape:
            text = markdown_plain(block.text)
            level = _pseudo_level(text, real, above)
            block = Block("heading", text, block.lines, level=level, rule=_PSEUDO_RULES[shape])
        result.append(block)
    return result


_BOLD_SENTENCE = re.compile(r"^\*\*(?P<lead>[^*\n]{3,140}?[.!?])\*\*\s+(?P<rest>\S.*)$", re.DOTALL)
_SERIES = 2  # paragraphs opening with a bold sentence that make a series of parts


def bold_sentence_leads(blocks: Sequence[Block]) -> list[Block]:
    """Paragraphs that open with a whole sentence in bold (``**Be authentic.** Don't try
    ...``), two or more of them: each bold sentence heads its part, as a heading before the
    rest of its paragraph. A bold label (``**Tip:**``) or a lone bold paragraph stays."""
    leads = [_bold_sentence(b) for b in blocks]
    if sum(1 for lead in leads if lead) < _SERIES:
        return list(blocks)
    result: list[Block] = []
    above = 1
    for block, lead in zip(blocks, leads, strict=True):
        if block.kind == "heading":
            above = block.level
        if lead is None:
            result.append(block)
            continue
        heading = Block("heading", markdown_plain(lead[0]), block.lines, level=min(above + 1, 6),
                        rule="pseudo_heading: a bold sentence opening a paragraph of a series")
        result += [heading, replace(block, text=lead[1])]
    return result


def _bold_sentence(block: Block) -> tuple[str, str] | None:
    """The bold sentence a paragraph opens with (2 to 16 words) and the rest (a dozen words
    or more), or None."""
    match = _BOLD_SENTENCE.match(block.text.strip()) if block.kind == "paragraph" \
        and block.rule in ("html_p", "loose_text") else None
    if match is None or not 2 <= word_count(match["lead"]) <= 16 \
            or word_count(match["rest"]) < 12:
        return None
    return match["lead"], match["rest"]


def _pseudo_shape(blocks: Sequence[Block], index: int) -> str:
    """``bold``, ``numbered`` or ``short`` when the paragraph at ``index`` is a heading."""
    block = blocks[index]
    if block.kind != "paragraph" or block.rule not in ("html_p", "loose_text"):
        return ""
    text = markdown_plain(block.text)
    words = len(text.split())
    bold = bool(re.fullmatch(r"\*\*[^*]+\*\*", block.text.strip()))
    # a bold heading may trail off into the text under it ("Planes, trains ...")
    shape_of = _TRAILING_DOTS.sub("", text) if bold else text
    if not 2 <= words <= 16 or not is_heading_shape(shape_of) or _MARKDOWN_LINK.fullmatch(
            block.text):
        return ""
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'“‘"):
        return ""
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    before = blocks[index - 1] if index else None
    if after is None or after.kind not in ("paragraph", "list", "quote", "callout"):
        return ""
    if _NUMBERED_LABEL.fullmatch(text) and not _pseudo_candidate(after):
        return "numbered"  # "Step 2" over its step, however short the step is
    least = max(8, words) if bold else max(12, 1.5 * words)  # bold alone says "heading"
    if _block_words(after) < least or _pseudo_candidate(after):
        return ""
    if before is not None and before.kind == "paragraph" and _LEAD_IN_END.search(before.text):
        return ""  # a lead-in's colon, not a smiley's ':)"' at the end of a quote
    if bold:
        return "bold"
    if _NUMBERED.match(text):
        return "numbered"
    prose = before is not None and before.kind in ("paragraph", "list", "quote")
    return "short" if prose and words <= 10 else ""


_LEAD_IN_END = re.compile(r":[*_]*\s*$")
_TRAILING_DOTS = re.compile(r"\s*(?:\.\.\.|…)$")


def _pseudo_candidate(block: Block) -> bool:
    text = markdown_plain(block.text)
    return block.kind == "paragraph" and len(text.split()) <= 16 and is_heading_shape(text)


def _block_words(block: Block) -> int:
    return len(" ".join((block.lead, block.text, *block.items)).split())


def _pseudo_level(text: str, real: Sequence[Block], above: int) -> int:
    """The level of the real headings of the same shape (numbered or not), else one below
    the heading above."""
    numbered = bool(_NUMBERED.match(text))
    levels = [b.level for b in real if bool(_NUMBERED.match(b.text)) == numbered]
    if levels:
        return max(set(levels), key=levels.count)
    return min(above + 1, 6)


def _join_leads(blocks: list[Block]) -> tuple[Block, ...]:
    """A paragraph ending in ``:`` right before a list is that list's lead-in."""
    result: list[Block] = []
    for block in blocks:
        previous = result[-1] if result else None
        if block.kind == "list" and not block.lead and previous is not None \
                and previous.kind == "paragraph" and final_char(previous.text) == ":":
            result[-1] = replace(block, lead=previous.text,
                                 lines=(*previous.lines, *block.lines), rule=f"{block.rule}+lead")
        else:
            result.append(block)
    return tuple(result)


def pipe_table(rows: Iterable[Sequence[str]]) -> str:
    """Rows of cells as a Markdown pipe table; "" when no row has text."""
    kept = [[cell.replace("|", "\\|") for cell in row] for row in rows if any(row)]
    if not kept:
        return ""
    width = max(len(row) for row in kept)
    lines = ["| " + " | ".join([*row, *[""] * (width - len(row))]) + " |" for row in kept]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


# the class names of the networks' own embed codes (a tweet, an Instagram or TikTok post)
_EMBED_CLASSES = frozenset(("twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed",
                            "reddit-embed-bq", "bluesky-embed", "threads-embed"))


def _is_social_embed(element: etree._Element) -> bool:
    return bool(_EMBED_CLASSES.intersection((element.get("class") or "").split()))


def _is_layout_table(table: etree._Element) -> bool:
    """A table used to lay out the page (cells holding paragraphs, lists or tables), or a
    one-column one, rather than a table of data."""
    cells = [c for row in table.iter("tr") for c in row if c.tag in ("td", "th")]
    if not cells or all(len([c for c in row if c.tag in ("td", "th")]) <= 1
                        for row in table.iter("tr")):
        return True
    return any(isinstance(e.tag, str) and e.tag in _LAYOUT_TAGS
               for cell in cells for e in cell.iterdescendants())


_LAYOUT_TAGS = frozenset(("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote",
                          _PLACEHOLDER))


def _list_items(element: etree._Element, depth: int = 0) -> list[tuple[int, etree._Element]]:
    """The ``<li>`` of a list with their depth, nested lists' items after their parent."""
    items: list[tuple[int, etree._Element]] = []
    for li in _through_wrappers(element, frozenset(("li",))):
        items.append((depth, li))
        for child in li:
            if child.tag in ("ul", "ol"):
                items.extend(_list_items(child, depth + 1))
    return items


_FIGURE = re.compile(r"^[\w ]{2,20}:\s*\S.{0,30}$")  # "Category: Dessert", "Prep Time: 35 m"


def _figures_reason(items: Sequence[str]) -> str:
    """A list of a recipe card's or a widget's figures (``Prep Time: 35 minutes``,
    ``Yield: 12 servings``, ``Cuisine: American``): three short ``Label: value`` items or
    more, half of them counts the text rules know ("" for a list of the article's)."""
    plain = [markdown_plain(i.strip()) for i in items]
    if len(plain) < 3 or not all(_FIGURE.match(p) and word_count(p) <= 6 for p in plain):
        return ""
    counts = sum(1 for p in plain if is_counter(p.replace(":", "", 1)))
    return "counter: a recipe card's or a widget's figures" if counts * 2 >= len(plain) else ""


_CITATION_MARK = re.compile(r"\b(?:1[6-9]|20)\d\d\b|\bdoi\b|\bet al\b|https?://", re.I)


def _cites(element: etree._Element) -> bool:
    """A list under a ``References`` or ``Notes`` heading is a reference list when half its
    items or more read as citations: a year, a DOI, ``et al``, an address, or mostly link
    text. A recipe's notes (``Make Ahead: The layers can be baked ...``) are a list."""
    items = [li for _, li in _list_items(element)]
    citing = sum(1 for li in items if _CITATION_MARK.search(" ".join(li.itertext()))
                 or _link_share(Block("paragraph", inline_markdown(li))) >= 0.5)
    return citing * 2 >= len(items)


def _reference_text(item: etree._Element) -> str:
    """A reference entry as a reader sees it, followed by the address of its first link
    (``Pond study, example.org https://example.org/ponds``); a bare URL stays one."""
    urls = [a.get("href", "") for a in item.iter("a") if a.get("href", "").startswith("http")]
    text = _squash(item.text_content())
    return text if not urls or urls[0] in text else f"{text} {urls[0]}".strip()


def _texts(element: etree._Element) -> Iterable[str]:
    """The element's paragraphs, or its whole text when text stands outside them."""
    paragraphs = [c for c in element if c.tag in ("p", "div")]
    texts = [inline_markdown(child) for child in paragraphs]
    whole = inline_markdown(element)
    if not paragraphs or len(_squash(" ".join(texts))) < len(_squash(whole)):
        yield whole
        return
    yield from texts


def _marked_lines(element: etree._Element) -> list[str]:
    """The lines of a paragraph broken by ``<br>`` when they are a list typed as lines: three
    or more, each after the first (which may lead the list) opening with a bullet or a number
    (``+ Added ...``, ``- Removed ...``, ``1. ...``); else none."""
    if sum(1 for child in element if child.tag == "br") < 2:
        return []
    lines, current = [], [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "br":
            lines.append(_squash("".join(current)))
            current = [child.tail or ""]
        else:
            current += [inline_markdown(child), child.tail or ""]
    lines = [line for line in (*lines, _squash("".join(current))) if line]
    marked = [line for line in lines[1:] if list_marker(line)]
    if len(lines) < 3 or len(marked) < len(lines) - 1:
        return []
    return lines if list_marker(lines[0]) or final_char(lines[0]) == ":" else []


def _has_block(element: etree._Element) -> bool:
    return any(isinstance(e.tag, str) and e.tag in _BLOCK_TAGS for e in element.iterdescendants())


# --- inline markup -> inline Markdown -------------------------------------------------------

_WRAP = {
    "strong": "**",
    "b": "**",
    "em": "*",
    "i": "*",
    "code": "`",
    "kbd": "`",
    "samp": "`",
    "s": "~~",
    "del": "~~",
}


def _squash(text: str) -> str:
    return " ".join(text.split())


def inline_markdown(element: etree._Element, nested: bool = True, plain: bool = False) -> str:
    """The element's content as inline Markdown: links, bold, italic and code kept.

    ``nested=False`` leaves out the lists inside (a list item's sub-list is read apart);
    ``plain=True`` gives the visible text alone, without Markdown.
    """
    inner = element.text or ""
    if len(element):  # most elements inline are leaves: no join to make
        inner += "".join(
            ("" if not nested and child.tag in ("ul", "ol")
             else inline_markdown(child, plain=plain)) + (child.tail or "")
            for child in element
            if isinstance(child.tag, str)
        )
    tag = element.tag
    if plain:
        return "" if tag == _PLACEHOLDER else f" {inner} " if tag in _SPACED else inner
    if tag in _WRAP:
        return _wrap(inner, _WRAP[tag])
    if tag == "a":
        return _link(inner, element.get("href", ""))
    if tag in _SPACED:
        return f" {inner} "
    if tag in ("img", _PLACEHOLDER):
        return ""
    if tag == "sup" and inner.strip().strip("[]").isdigit():
        return f" [{inner.strip().strip('[]')}]"
    return inner


_SPACED = frozenset(("br", "td", "th", "li", "p", "div", "dt", "dd", "tr", "h1", "h2", "h3", "h4",
                     "h5", "h6", "pre", "blockquote", "section", "ul", "ol", "table"))


def _wrap(inner: str, mark: str) -> str:
    core = _squash(inner)
    if not core:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{mark}{core}{mark}{trail}"


_NO_WORDS = re.compile(r"^[^\w]*$")


def _link(inner: str, href: str) -> str:
    text = _squash(inner)
    href = href.strip()
    if not text:
        return ""
    if href.startswith("#") and _NO_WORDS.match(text):
        return ""  # a permalink (``¶``, ``#``, ``§``) next to a heading
    if not href or href.startswith(("#", "javascript:")) or re.fullmatch(r"\[\d+\]", text):
        return inner
    return f"[{text}]({_link_target(href)})"


def _link_target(href: str) -> str:
    """A link's address as a Markdown link target: spaces and parentheses escaped, so an
    address such as ``/fulltext/S0960-9822(17)30784-4`` does not end the link early."""
    return href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
