"""HTML (and JSX) inside Markdown: ``<div>``/``<span>`` cards, ``<details><summary>`` FAQs,
``<a>`` blocks, ``<h2>`` inside a call-to-action box, MDX components such as
``<ProductCard title=... description=... />``.

``html_pieces`` turns one such block into pieces of visible text, each with the source lines
it came from, and says which lines hold only markup (to be dropped with a reason, never
lost). Block elements end a piece; inside one, ``<a>``, ``<strong>``, ``<em>``, ``<sup>`` and
``<code>`` become inline Markdown. A component (a tag whose name starts with a capital) shows
the text of its text attributes (``title``, ``name``, ``description`` ...); one with only
``src``/``alt`` is a picture. The parser is the standard library's: linear, and it never
raises on broken markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .lines import final_char

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "iframe", "video", "audio", "button",
})
_SKIP_TAGS = frozenset(["script", "style", "template", "noscript", "svg"])
_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_TEXT_ATTRIBUTES = ("title", "heading", "label", "name", "productname", "text", "caption",
                    "description", "summary", "subtitle", "content")
_CITATION = re.compile(r"^\s*\[?(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]?\s*$")
_ICON = re.compile(r"(?:\s+[^\w\s?!.)\]]{1,2})+$")
_LABEL_MARK = "\ue001"
_SPACE_BEFORE_CLOSE = re.compile(r"(?<=\S)\s+(\*\*)(?=\s|$)")  # "text **" closes as "text**"
_SPACED_BOLD = re.compile(r"\*\*\s+\*\*")  # two bold runs with a space between: one run
_ENDS = frozenset(".!?:;,…([")
_BULLET = re.compile(r"^[•·▪◦‣●○■□–—-]\s+")


@dataclass
class Piece:
    """Visible text of a block element: ``kind`` is heading, question, item, paragraph or
    image; ``href`` is set when the whole piece is one link."""

    kind: str = "paragraph"
    text: str = ""
    lines: list[int] = field(default_factory=list)
    level: int = 0
    href: str = ""
    group: int = 0  # pieces of one list share a group


class _Converter(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.pieces: list[Piece] = []
        self.current = Piece()
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self.skip = 0
        self.sup: list[str] | None = None
        self.groups = 0
        self.list_group = 0
        self.components: set[str] = set()
        self.last_data_line = 0  # where the latest text of the current piece was
        self.tag_since_data = False

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def _tag_lines(self, raw: str, wanted: list[str] | None = None) -> list[int]:
        """Lines of a (multi-line) tag; with ``wanted``, only those holding one of its texts."""
        start = self._line()
        return [start + offset for offset, chunk in enumerate(raw.split("\n"))
                if chunk.strip() and (wanted is None or any(w in chunk for w in wanted))]

    # --- pieces -------------------------------------------------------------------------

    def flush(self, kind: str = "paragraph", level: int = 0) -> None:
        """End the current piece; the next one is of ``kind``."""
        text = re.sub(r"\[\s+|\s+\](?=\()", lambda m: m[0].strip(), self._text())
        # "<strong>Lid off<br/></strong>", "<strong>per</strong> <strong>cell</strong>"
        text = _SPACED_BOLD.sub(" ", _SPACE_BEFORE_CLOSE.sub(r"\1", text))
        text = re.sub(rf"\s*{_LABEL_MARK}\s*", ": ", text)
        piece = self.current
        if piece.href and text.startswith("[") and text.endswith(f"]({piece.href})"):
            text = text[1 : -len(piece.href) - 3]  # the whole piece is one link: keep it apart
        else:
            piece.href = ""
        text = _BULLET.sub("", _ICON.sub("", text)).strip()
        if text and re.search(r"\w", text):
            piece.text = text
            self.pieces.append(piece)
        group = self.list_group if kind == "item" else 0
        self.current, self.parts = Piece(kind, level=level, group=group), []
        self.tag_since_data = False

    def _open_block(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.groups += 1
            self.list_group = self.groups
        if tag == "li":
            self.flush("item")
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush("heading", int(tag[1]))
        elif tag in ("summary", "dt"):
            self.flush("question")
        else:
            self.flush()

    def _add_piece(self, piece: Piece) -> None:
        self.flush()
        if re.search(r"\w", piece.text) or piece.kind == "image":
            self.pieces.append(piece)

    # --- parser events --------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        self.tag_since_data = True
        if tag in _SKIP_TAGS:
            self.skip += 1
        if self.skip:
            return
        if raw[1:2].isupper():
            self.components.add(tag)
            self._component(dict(attrs), raw)
        elif tag in _BLOCK_TAGS:
            self._open_block(tag)
        if tag == "a" and self.sup is not None:
            return  # a note link inside <sup>: the number alone is the citation
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if self._on_a_new_line():
                self.flush()  # a link on a line of its own is a block of its own
            if not "".join(self.parts).strip():
                self.current.href = href
            self.hrefs.append(href)
            self.parts.append("[")
        elif tag == "br":
            self.parts.append(" ")
        elif tag == "sup":
            self.sup = []
        elif tag == "img":
            self._picture(dict(attrs), raw)
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if self.skip:
            return
        if raw[1:2].isupper():
            self._component(dict(attrs), raw)
        elif tag == "img":
            self._picture(dict(attrs), raw)
        elif tag == "br":
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        self.tag_since_data = True
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "a" and self.sup is not None:
            return
        if tag == "a" and self.hrefs:
            self.parts.append(f"]({self.hrefs.pop()})")
        elif tag == "sup" and self.sup is not None:
            inner, self.sup = "".join(self.sup), None
            match = _CITATION.match(inner)
            numbers = re.findall(r"\d+", match[1]) if match else []
            self.parts.append("".join(f"[{n}]" for n in numbers) if numbers else inner)
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        if tag in _BLOCK_TAGS or tag in self.components:
            self.flush()
        if tag in ("ul", "ol"):
            self.list_group = 0

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not data.strip():
            if data and self.sup is None:
                self.parts.append(" ")
            return
        if self.sup is None and self._on_a_new_line() and final_char(self._text()) not in _ENDS:
            self.parts.append(_LABEL_MARK)  # ``<span>Best for</span> <span>Sleep</span>``
        start = self._line()
        for offset, chunk in enumerate(data.split("\n")):
            if chunk.strip() and start + offset not in self.current.lines:
                self.current.lines.append(start + offset)
        self.last_data_line = start + data.rstrip().count("\n")
        self.tag_since_data = False
        (self.sup if self.sup is not None else self.parts).append(data)

    def _text(self) -> str:
        return " ".join("".join(self.parts).split())

    def _on_a_new_line(self) -> bool:
        """Text is already in the piece, and markup on a later line separates what comes."""
        seen = _WORD_CHAR.search(self._text())  # an opening "**" is no text yet
        return bool(seen) and self.tag_since_data and self._line() > self.last_data_line

    # --- components and pictures -------------------------------------------------------------

    def _component(self, attrs: dict[str, str | None], raw: str) -> None:
        """``<ProductCard title="..." productName="..." href="..." description="..." />``."""
        values = {k.lower(): (v or "").strip() for k, v in attrs.items()}
        texts = [values[k] for k in _TEXT_ATTRIBUTES if values.get(k)]
        if not texts:
            if values.get("alt") or values.get("src"):
                self._picture(attrs, raw)
            else:
                self.flush()
            return
        href = values.get("href") or values.get("url") or values.get("link") or ""
        name = next((values[k] for k in ("productname", "name") if values.get(k)), "")
        shown = [f"[{t}]({href})" if t == name and href else t for t in dict.fromkeys(texts)]
        self._add_piece(Piece("item", " — ".join(shown), self._tag_lines(raw, texts), group=-1))

    def _picture(self, attrs: dict[str, str | None], raw: str) -> None:
        alt, src = (attrs.get("alt") or "").strip(), (attrs.get("src") or "").strip()
        self._add_piece(Piece("image", alt, self._tag_lines(raw), href=src))


def html_pieces(source: str, first_line: int) -> list[Piece]:
    """The pieces of visible text in ``source`` (an HTML block whose first line is
    ``first_line`` of the file), in order. Lines of ``source`` that no piece names hold
    only markup."""
    converter = _Converter(first_line)
    try:
        converter.feed(source)
        converter.close()
    except (AssertionError, ValueError):  # HTMLParser's rare complaints about broken markup
        pass
    converter.flush()
    return converter.pieces


_TAG = re.compile(r"<(/?)([A-Za-z][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_WORD_CHAR = re.compile(r"\w")
_HREF = re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def inline_html(tag: str) -> tuple[str, str]:
    """What an inline tag inside Markdown text means: ``("open_link", href)``,
    ``("close_link", "")``, ``("text", "**")`` for emphasis, ``("sup", "")`` / ``("/sup", "")``,
    ``("break", "")``, ``("skip", "")`` / ``("/skip", "")`` around a script or style whose
    content is not text, or ``("", "")`` for markup that shows nothing."""
    match = _TAG.fullmatch(tag.strip())
    if not match:
        return "", ""
    closing, name = match[1] == "/", match[2].lower()
    if name == "a":
        if closing:
            return "close_link", ""
        href = _HREF.search(match[3] or "")
        return "open_link", next((g for g in href.groups() if g is not None), "") if href else ""
    if name in _INLINE:
        return "text", _INLINE[name]
    if name == "sup":
        return ("/sup" if closing else "sup"), ""
    if name == "br":
        return "break", ""
    if name in _SKIP_TAGS:
        return ("/skip" if closing else "skip"), ""
    return "", ""
