"""A whole saved HTML page -> Document: the article only, inline markup as inline Markdown.

The article is the first of: the ``<article>`` with the most text, ``<main>``, an element
with ``role="main"`` or ``itemprop="articleBody"``, else the element whose own paragraphs hold
the most text. Inside it, page furniture is removed and recorded in ``dropped`` (line =
lxml ``sourceline``): ``<nav>``, ``<aside>``, forms, ``<footer>``, in-page tables of
contents, images, and elements whose class or id names a widget (comments, share buttons,
related posts, sign-up boxes, cookie banners, bylines). Scripts and styles are discarded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from ...errors import ArticleError
from ...models import Block, Document, Dropped
from .lines import (
    callout_parts,
    clean_line,
    final_char,
    is_reference_heading,
    mark_faq_questions,
    reference_entry,
    reference_target,
)
from .noise import (
    is_signup_line,
    is_skip_link,
)
from .text import (
    title_from_source,
)

_DISCARD = ("script", "style", "noscript", "template", "svg", "canvas", "object", "link", "meta")
_FURNITURE = frozenset(
    ("nav", "aside", "form", "footer", "button", "input", "select", "textarea", "iframe", "dialog")
)
_NOISE_WORDS = frozenset(
    [
        "nav",
        "navbar",
        "menu",
        "sidebar",
        "share",
        "sharing",
        "social",
        "related",
        "comment",
        "comments",
        "respond",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "optin",
        "opt",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "promo",
        "advert",
        "advertisement",
        "ads",
        "ad",
        "sponsor",
        "sponsored",
        "breadcrumb",
        "breadcrumbs",
        "popup",
        "modal",
        "meta",
        "byline",
        "author",
        "widget",
        "banner",
        "toc",
        "disqus",
    ]
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "blockquote",
        "pre",
        "table",
        "details",
        "figure",
        "hr",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "form",
        "address",
        "center",
        "fieldset",
        "li",
        "dt",
        "dd",
    ]
)
_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def read_html_article(text: str, source: str = "") -> Document:
    """Read a saved HTML page into a Document; ArticleError when it has no HTML content."""
    root = _parse(text, source)
    resolve_links(root, page_url(root))
    for element in list(root.iter(*_DISCARD, etree.Comment, etree.ProcessingInstruction)):
        _remove(element)
    page_title = _page_title(root)
    container = _article_container(root)
    reader = _Reader()
    reader.furniture_outside(root, container)
    reader.strip_furniture(container)
    reader.walk(container)
    blocks = mark_faq_questions(_with_title(reader.blocks, page_title))
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return Document(
        title=title or page_title or title_from_source(source),
        source=source,
        blocks=blocks,
        references={b.label: b.text for b in blocks if b.kind == "reference"},
        dropped=tuple(sorted(reader.dropped, key=lambda d: d.line)),
    )


def page_url(root: lxml.html.HtmlElement) -> str:
    """Where the page lives: ``<base href>``, ``<link rel="canonical">`` or ``og:url``."""
    for element in root.iter("base", "link", "meta"):
        if element.tag == "base":
            url = element.get("href", "")
        elif element.tag == "link":
            rels = element.get("rel", "").lower().split()
            url = element.get("href", "") if "canonical" in rels else ""
        else:
            url = element.get("content", "") if element.get("property") == "og:url" else ""
        if urlsplit(url.strip()).scheme in ("http", "https"):
            return url.strip()
    return ""


def resolve_links(root: lxml.html.HtmlElement, base: str) -> None:
    """Make relative ``href``s absolute against ``base`` (left as they are without one).

    In-page anchors (``#fn1``) stay as they are: they mark footnotes and tables of contents.
    """
    if not base:
        return
    for link in root.iter("a"):
        href = link.get("href", "").strip()
        if href and not href.startswith("#") and not urlsplit(href).scheme:
            link.set("href", urljoin(base, href))


def _parse(text: str, source: str) -> lxml.html.HtmlElement:
    try:
        # lxml refuses control characters anywhere in text it is given
        return lxml.html.document_fromstring(_NOT_XML.sub("", _XML_DECLARATION.sub("", text)))
    except (etree.ParserError, ValueError) as error:
        raise ArticleError(f"not readable as HTML: {error}", path=source or None) from error


def _remove(element: etree._Element) -> None:
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


def _page_title(root: lxml.html.HtmlElement) -> str:
    for meta in root.iter("meta"):
        if meta.get("property") == "og:title" and meta.get("content", "").strip():
            return clean_line(meta.get("content", ""))
    title = root.find(".//title")
    text = clean_line(title.text_content()) if title is not None else ""
    return re.split(r"\s+[|–—-]\s+[^|–—-]+$", text)[0] if text else ""


def _text_length(element: etree._Element) -> int:
    return len(" ".join(element.text_content().split()))


def _article_container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element that holds the article."""
    articles = root.findall(".//article")
    if articles:
        return max(articles, key=_text_length)
    for path in (".//main", ".//*[@role='main']", ".//*[@itemprop='articleBody']"):
        found = root.find(path)
        if found is not None and _text_length(found) > 0:
            return found
    body = root.find(".//body")
    candidates = list((body if body is not None else root).iter())
    return max(candidates, key=_paragraph_text, default=root)


def _paragraph_text(element: etree._Element) -> int:
    if not isinstance(element.tag, str):
        return 0
    return sum(_text_length(child) for child in element if child.tag == "p")


def _class_words(element: etree._Element) -> set[str]:
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return {word.lower() for word in _CLASS_WORD.findall(names)}


def _furniture_reason(element: etree._Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _FURNITURE:
        return f"page_furniture: <{tag}>"
    noise = _class_words(element) & _NOISE_WORDS
    if noise:
        return f"page_furniture: {sorted(noise)[0]} widget"
    if element.get("aria-hidden") == "true" or element.get("hidden") is not None:
        return "hidden: not shown on the page"
    if tag in ("ul", "ol") and _is_table_of_contents(element) and not is_footnote_list(element):
        return "table_of_contents: in-page links"
    if tag in ("figure", "img", "picture"):
        return "image: picture or caption"
    return ""


_FOOTNOTE_WORDS = frozenset(["footnotes", "footnote", "endnotes", "endnote", "fn"])
_FOOTNOTE_ID = re.compile(r"^(?:fn|footnote|endnote|note|cite[-_]note)[-_:]?\w*?(\d+)$", re.I)


def is_footnote_list(element: etree._Element) -> bool:
    """``<ol class="footnotes">``, a list inside ``<section class="footnotes">``, or a list
    whose items are footnote targets (``<li id="fn1">``)."""
    owners = [element, *list(element.iterancestors())[:2]]
    if any(_class_words(owner) & _FOOTNOTE_WORDS for owner in owners):
        return True
    items = element.findall("li")
    return bool(items) and all(_FOOTNOTE_ID.match(li.get("id", "")) for li in items)


def _footnote_number(item: etree._Element) -> str:
    match = _FOOTNOTE_ID.match(item.get("id", ""))
    return match.group(1) if match else ""


def _is_table_of_contents(element: etree._Element) -> bool:
    items = element.findall("li")
    links = [a for a in element.iter("a") if a.get("href", "").startswith("#")]
    return len(items) >= 2 and len(links) >= len(items)


def _lines(element: etree._Element) -> tuple[int, ...]:
    numbers = [e.sourceline for e in element.iter() if isinstance(e.sourceline, int)]
    return tuple(range(min(numbers), max(numbers) + 1)) if numbers else ()


@dataclass
class _Reader:
    """Blocks and dropped records of one HTML read."""

    blocks: list[Block] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    def drop(self, element: etree._Element, reason: str, text: str = "") -> None:
        """Record an element left out of the article."""
        text = text or clean_line(" ".join(element.itertext()))
        if text:
            self.dropped.append(Dropped(element.sourceline or 0, text[:200], reason))

    def furniture_outside(self, root: etree._Element, container: etree._Element) -> None:
        """Record the page furniture around the article (menus, footers, sign-up boxes)."""
        inside = set(container.iter()) | set(container.iterancestors())
        for element in root.iter("nav", "header", "footer", "aside", "form"):
            if element not in inside and not any(
                a.tag in ("nav", "header", "footer", "aside", "form")
                for a in element.iterancestors()
            ):
                self.drop(element, f"page_furniture: <{element.tag}> outside the article")

    def strip_furniture(self, container: etree._Element) -> None:
        """Remove and record furniture inside the article."""
        for element in list(container.iterdescendants()):
            if not isinstance(element.tag, str) or container not in element.iterancestors():
                continue
            reason = _furniture_reason(element)
            if reason:
                alt = element.get("alt", "") if element.tag == "img" else ""
                self.drop(element, reason, clean_line(alt))
                _remove(element)

    def walk(self, element: etree._Element) -> None:
        """Blocks for the children of ``element``; loose inline text becomes paragraphs."""
        pieces: list[str] = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag in _BLOCK_TAGS or _has_block(child):
                self.loose(pieces, element)
                pieces = []
                self.block(child)
            else:
                pieces.append(inline_markdown(child))
            pieces.append(child.tail or "")
        self.loose(pieces, element)

    def loose(self, pieces: Sequence[str], element: etree._Element) -> None:
        """Inline text between blocks, as a paragraph."""
        text = _squash("".join(pieces))
        if text:
            self.paragraph(text, (element.sourceline or 0,), "loose_text")

    def block(self, element: etree._Element) -> None:
        """One block-level element."""
        tag = element.tag
        if element.get("itemtype", "").endswith("/Question"):
            self.schema_question(element)
        elif tag in _HEADINGS:
            self.heading(element)
        elif tag == "p":
            self.paragraph(inline_markdown(element), _lines(element), "html_p")
        elif tag in ("ul", "ol"):
            self.list(element)
        elif tag == "blockquote":
            self.quote(element)
        elif tag == "pre":
            code = element.text_content().strip("\n")
            self.blocks.append(Block("paragraph", f"```\n{code}\n```", _lines(element), rule="pre"))
        elif tag == "dl":
            self.definitions(element)
        elif tag == "details":
            self.details(element)
        elif tag == "table":
            self.table(element)
        elif tag != "hr":
            self.walk(element)

    def heading(self, element: etree._Element) -> None:
        """``<h1>``..``<h6>``."""
        text = _squash(inline_markdown(element))
        if text:
            level = int(element.tag[1])
            self.blocks.append(
                Block("heading", text, _lines(element), level=level, rule=f"html_{element.tag}")
            )

    def paragraph(self, text: str, lines: tuple[int, ...], rule: str) -> None:
        """A paragraph, callout, reference entry or dropped sign-up/skip line."""
        text = _squash(text)
        if not text:
            return
        previous = self.blocks[-1] if self.blocks else None
        entry = reference_entry(text) if text.startswith("[") else None
        if (
            entry
            and previous is not None
            and (previous.kind == "reference" or is_reference_heading(previous.text))
        ):
            self.blocks.append(
                Block("reference", entry[1], lines, label=entry[0], rule="reference_entry")
            )
            return
        if len(text.split()) <= 25 and (is_skip_link(text) or is_signup_line(text)):
            self.dropped.append(Dropped(lines[0] if lines else 0, text, "signup_or_skip_link"))
        elif parts := callout_parts(text):
            self.blocks.append(
                Block("callout", parts[1], lines, label=parts[0], rule="callout_label")
            )
        else:
            self.blocks.append(Block("paragraph", text, lines, rule=rule))

    def list(self, element: etree._Element) -> None:
        """``<ul>``/``<ol>``; after a reference heading, reference entries."""
        items = [_squash(inline_markdown(li)) for li in _list_items(element)]
        items = [item for item in items if item]
        if not items:
            return
        previous = self.blocks[-1] if self.blocks else None
        if is_footnote_list(element) or (
            previous is not None and is_reference_heading(previous.text)
        ):
            self.references(element)
            return
        block = Block(
            "list",
            lines=_lines(element),
            items=tuple(items),
            ordered=element.tag == "ol",
            rule=f"html_{element.tag}",
        )
        if (
            previous is not None
            and previous.kind == "paragraph"
            and final_char(previous.text) == ":"
        ):
            self.blocks.pop()
            block = replace(
                block,
                lead=previous.text,
                lines=(*previous.lines, *block.lines),
                rule=f"html_{element.tag}+lead",
            )
        self.blocks.append(block)

    def references(self, element: etree._Element) -> None:
        """The items of a reference list: numbered in order, URL when the item is a link."""
        start = int(element.get("start", "1")) if element.get("start", "").isdigit() else 1
        for offset, item in enumerate(_list_items(element)):
            for back in [a for a in item.iter("a") if a.get("href", "").startswith("#")]:
                _remove(back)  # the footnote's way back up to its marker (``↩``)
            text = _reference_text(item)
            entry = reference_entry(text)
            label, text = entry if entry else (_footnote_number(item) or str(start + offset),
                                               reference_target(text))
            if text:
                self.blocks.append(
                    Block("reference", text, _lines(item), label=label, rule="reference_entry")
                )

    def quote(self, element: etree._Element) -> None:
        """``<blockquote>``: a quote, or a callout when it opens with a callout label."""
        text = _squash(" ".join(_texts(element)))
        parts = callout_parts(text)
        if parts:
            self.blocks.append(
                Block("callout", parts[1], _lines(element), label=parts[0], rule="callout_label")
            )
        elif text:
            self.blocks.append(Block("quote", text, _lines(element), rule="html_blockquote"))

    def definitions(self, element: etree._Element) -> None:
        """``<dl>``: questions and answers when the terms are questions, else paragraphs."""
        terms = element.findall("dt")
        faq = any(final_char(_squash(inline_markdown(t))) == "?" for t in terms)
        term = ""
        for child in element:
            text = _squash(inline_markdown(child)) if isinstance(child.tag, str) else ""
            if child.tag == "dt" and faq:
                self.blocks.append(Block("question", text, _lines(child), rule="html_dl_faq"))
            elif child.tag == "dt":
                term = text
            elif child.tag == "dd" and text:
                body = text if faq or not term else f"**{term}**: {text}"
                self.blocks.append(Block("paragraph", body, _lines(child), rule="html_dd"))

    def details(self, element: etree._Element) -> None:
        """``<details>``: the summary is a question (or heading), the rest its answer."""
        summary = element.find("summary")
        if summary is not None:
            text = _squash(inline_markdown(summary))
            kind = "question" if final_char(text) == "?" else "heading"
            self.blocks.append(Block(kind, text, _lines(summary), level=3, rule="html_details"))
            summary.drop_tree()
        self.walk(element)

    def schema_question(self, element: etree._Element) -> None:
        """A schema.org FAQ ``Question``: its name, then its accepted answer."""
        name = element.find(".//*[@itemprop='name']")
        answer = element.find(".//*[@itemprop='acceptedAnswer']")
        if name is not None:
            text = _squash(inline_markdown(name))
            self.blocks.append(Block("question", text, _lines(name), rule="faq_schema"))
        self.walk(answer if answer is not None else element)

    def table(self, element: etree._Element) -> None:
        """A table, as a Markdown pipe table (the first row is its header)."""
        if text := pipe_table(
            [_squash(inline_markdown(c)) for c in row if c.tag in ("td", "th")]
            for row in element.iter("tr")
        ):
            self.blocks.append(Block("paragraph", text, _lines(element), rule="html_table"))


def pipe_table(rows: Iterable[Sequence[str]]) -> str:
    """Rows of cells as a Markdown pipe table; "" when no row has text."""
    kept = [[cell.replace("|", "\\|") for cell in row] for row in rows if any(row)]
    if not kept:
        return ""
    width = max(len(row) for row in kept)
    lines = ["| " + " | ".join([*row, *[""] * (width - len(row))]) + " |" for row in kept]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _list_items(element: etree._Element) -> list[etree._Element]:
    """The ``<li>`` of a list, nested lists' items flattened after their parent."""
    items: list[etree._Element] = []
    for li in element.findall("li"):
        nested = [c for c in li if c.tag in ("ul", "ol")]
        for child in nested:
            li.remove(child)
        items.append(li)
        for child in nested:
            items.extend(_list_items(child))
    return items


def _reference_text(item: etree._Element) -> str:
    links = item.findall(".//a")
    text = _squash(item.text_content())
    if len(links) == 1 and links[0].get("href", "").startswith("http"):
        link_text = _squash(links[0].text_content())
        if link_text == text or link_text.startswith("http"):
            return links[0].get("href", "")
    return _squash(inline_markdown(item))


def _texts(element: etree._Element) -> Iterable[str]:
    paragraphs = [c for c in element if c.tag in ("p", "div")]
    if not paragraphs:
        yield inline_markdown(element)
        return
    for child in paragraphs:
        yield inline_markdown(child)


def _has_block(element: etree._Element) -> bool:
    return any(isinstance(e.tag, str) and e.tag in _BLOCK_TAGS for e in element.iterdescendants())


def _with_title(blocks: Sequence[Block], page_title: str) -> tuple[Block, ...]:
    if any(b.kind == "heading" and b.level == 1 for b in blocks) or not page_title:
        return tuple(blocks)
    return (Block("heading", page_title, level=1, rule="html_title"), *blocks)


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


def inline_markdown(element: etree._Element) -> str:
    """The element's content as inline Markdown: links, bold, italic and code kept."""
    inner = (element.text or "") + "".join(
        inline_markdown(child) + (child.tail or "")
        for child in element
        if isinstance(child.tag, str)
    )
    tag = element.tag
    if tag in _WRAP:
        return _wrap(inner, _WRAP[tag])
    if tag == "a":
        return _link(inner, element.get("href", ""))
    if tag == "br":
        return " "
    if tag == "img":
        return ""
    if tag == "sup" and inner.strip().strip("[]").isdigit():
        return f" [{inner.strip().strip('[]')}]"
    return inner


def _wrap(inner: str, mark: str) -> str:
    core = _squash(inner)
    if not core:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{mark}{core}{mark}{trail}"


def _link(inner: str, href: str) -> str:
    text = _squash(inner)
    href = href.strip()
    if not text:
        return ""
    if not href or href.startswith(("#", "javascript:")) or re.fullmatch(r"\[\d+\]", text):
        return inner
    return f"[{text}]({href.replace(' ', '%20')})"
