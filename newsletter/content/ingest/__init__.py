"""Ingest: an article file (scraped text, Markdown or saved HTML) -> Document.

``read_article(path)`` picks the reader by suffix (``.txt``, ``.md``/``.markdown``,
``.html``/``.htm``) and sniffs the content when the suffix is anything else.

Encoding: UTF-8 (with or without a BOM) and UTF-16 with a BOM are read; HTML may also
declare its charset in a ``<meta>`` tag. Text and Markdown that are not UTF-8 but decode as
Windows-1252 (what Word and older editors save) are read as cp1252, with a warning for the
caller to show. Anything else is an ArticleError that names the file and the first bad
byte, rather than a silent guess that could garble the text.
Files that are missing, empty, whitespace-only or binary (NUL bytes) are ArticleErrors too.
Double-encoded UTF-8 (mojibake such as ``Itâs``) is repaired where unambiguous, with a warning.

The shape is recognised before the structure is read: a ``.txt`` file that is really Markdown
(a scraper's ``Title:``/``URL Source:`` header, or headings, links and bold text in Markdown
syntax, as Jina Reader and html2text write) goes to the Markdown reader, which then looks for
page furniture; a plain scraped page stays with the text reader.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ...errors import ArticleError
from ...models import Document, Dropped
from .frontmatter import read_front_matter
from .mojibake import repair_mojibake
from .text import read_text_article

__all__ = [
    "ArticleError",
    "decode_article",
    "is_markdown_shaped",
    "read_article",
    "read_html_article",
    "read_markdown_article",
    "read_text_article",
    "sniff_format",
]

_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_HTML_SNIFF = re.compile(
    r"<!doctype html|<html[\s>]|<body[\s>]|<(?:p|div|article|h[1-6])[\s>]", re.IGNORECASE
)
_MARKDOWN_SNIFF = re.compile(
    r"\A---\s*\n|^#{1,6} \S|^\s*[*+-] \S.*\n\s*[*+-] \S|\[[^\]\n]+\]\([^)\s]+\)|^```", re.M
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", re.I)


def read_markdown_article(text: str, source: str = "", *, scraped: bool = False) -> Document:
    """Read Markdown (optionally with front matter) into a Document; ``scraped`` when it is
    a scrape of a whole page (menus and footers are then looked for)."""
    from .markdown import read_markdown_article as read

    return read(text, source, scraped=scraped)


def read_html_article(text: str, source: str = "",
                      progress: Callable[[float], None] | None = None) -> Document:
    """Read a saved HTML page into a Document (the article only, no page furniture);
    ``progress`` is told the share read so far (0 to 1) where the reading takes long."""
    from .html import read_html_article as read

    return read(text, source, progress)


_READERS = {
    "text": read_text_article,
    "markdown": read_markdown_article,
    "html": read_html_article,
}


CP1252_WARNING = "not UTF-8: read as Windows-1252 (cp1252); check quotes and accents"
MOJIBAKE_WARNING = ("double-encoded UTF-8 (mojibake such as 'â€™') repaired; "
                    "check quotes and accents")


def read_article(path: Path, *, warnings: list[str] | None = None,
                 progress: Callable[[float], None] | None = None) -> Document:
    """Read the article at ``path`` into a Document, choosing the reader by suffix or content.

    Problems that did not stop the reading (a Windows-1252 file) are appended to
    ``warnings``. ``progress`` is told the share of the reading done (0 to 1), at least once
    at the end. Raises ArticleError (naming the file) when it is missing, unreadable,
    empty, binary or not valid text.
    """
    path = Path(path)
    data = _read_bytes(path)
    fmt = _SUFFIXES.get(path.suffix.lower())
    html = (fmt or sniff_format(_peek(data))) == "html"
    try:
        text = decode_article(data, path, html=html)
    except ArticleError:
        text = _cp1252(data) if not html else None
        if text is None:
            raise
        if warnings is not None:
            warnings.append(f"{path}: {CP1252_WARNING}")
    original = text
    text, repaired = repair_mojibake(text)
    fmt = fmt or sniff_format(text)
    repaired_text, invisible = text, ()
    if fmt != "html":
        text, invisible = blank_invisible_lines(text)
    text = without_controls(text)
    if repaired and warnings is not None:
        warnings.append(f"{path}: {MOJIBAKE_WARNING}")
    if fmt == "text" and is_markdown_shaped(text):
        document = read_markdown_article(text, str(path), scraped=True)
    elif fmt == "html":
        document = read_html_article(text, str(path), progress)
    else:
        document = _READERS[fmt](text, str(path))
    if progress is not None:
        progress(1.0)
    if repaired:
        document = _with_lines_blanked_by_repair(document, original, repaired_text)
    if invisible:
        document = _with_dropped(document, invisible)
    relative = relative_links(document)
    if relative and warnings is not None:
        warnings.append(f"{path}: {len(relative)} relative link(s) left relative, such as "
                        f"{relative[0]}: the article names no address of its own (canonical "
                        "link, og:url or <base href>) to resolve them against")
    return document


def _with_lines_blanked_by_repair(document: Document, before: str, after: str) -> Document:
    """Lines that held only a mis-encoded space (``Â``) are blank once repaired: recorded as
    dropped, so no line of the file goes unaccounted for."""
    split = re.compile(r"\r\n|\r|\n")
    blanked = [Dropped(number, old.strip(), "mojibake: only a mis-encoded space")
               for number, (old, new) in enumerate(zip(split.split(before), split.split(after),
                                                       strict=False), start=1)
               if old.strip() and not new.strip()]
    return _with_dropped(document, blanked)


def _with_dropped(document: Document, more: Sequence[Dropped]) -> Document:
    """``document`` with ``more`` dropped lines, all in line order."""
    if not more:
        return document
    return replace(document, dropped=tuple(sorted([*document.dropped, *more],
                                                  key=lambda d: d.line)))


# Characters nobody sees besides whitespace: the controls (Unicode category Cc) and the
# format marks (Cf: zero-width spaces and joiners, the soft hyphen, direction marks), as
# ranges (tests/test_unicode_controls.py checks them against unicodedata).
FORMAT_MARKS = ((0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
                (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
                (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
                (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
                (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                (0xE0001, 0xE0001), (0xE0020, 0xE007F))
_MARKS = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in FORMAT_MARKS)
_NOT_SPACE_CONTROLS = r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
_ANY_UNSEEN_MARK = re.compile(f"[{_NOT_SPACE_CONTROLS}{_MARKS}]")
_ONLY_UNSEEN = re.compile(f"[\\s{_NOT_SPACE_CONTROLS}{_MARKS}]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SHOWN_CODES = 8
INVISIBLE_REASON = "invisible: only control or format characters"


def blank_invisible_lines(text: str) -> tuple[str, tuple[Dropped, ...]]:
    """``text`` with each line that is not blank but shows nothing (only control and format
    characters, such as ``\\x07`` or zero-width spaces) made empty, and those lines as
    dropped records (their characters named as ``U+0007``): no reader sees them, and no
    line of the file goes unaccounted for. Lines are numbered as an editor numbers them."""
    if not _ANY_UNSEEN_MARK.search(text):  # most articles: no line needs a closer look
        return text, ()
    lines = _LINE_BREAK.split(text)
    dropped = [Dropped(number, _codes(line), INVISIBLE_REASON)
               for number, line in enumerate(lines, start=1)
               if line and not line.isspace() and _ONLY_UNSEEN.fullmatch(line)]
    if not dropped:
        return text, ()
    breaks = ["", *_LINE_BREAK.findall(text), ""]  # before and after each line
    for record in dropped:
        at = record.line - 1
        # between a CR and an LF an empty line would make them one CRLF: a space stays
        joined = breaks[at].endswith("\r") and breaks[at + 1].startswith("\n")
        lines[at] = " " if joined else ""
    return "".join(b + line for b, line in zip(breaks, lines, strict=False)), tuple(dropped)


def _codes(line: str) -> str:
    """The characters of an invisible line by their code points: ``U+0007 U+200B``."""
    codes = [f"U+{ord(c):04X}" for c in line if not c.isspace()]
    more = " …" if len(codes) > _SHOWN_CODES else ""
    return " ".join(codes[:_SHOWN_CODES]) + more


_MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def relative_links(document: Document) -> list[str]:
    """Link targets in the document that are relative (``/blog/x``, ``../shop/y``)."""
    texts = [t for b in document.blocks for t in (b.text, b.lead, *b.items)]
    targets = [m.group(1) for t in texts for m in _MARKDOWN_LINK.finditer(t)]
    return list(dict.fromkeys(t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:|#", t,
                                                                 re.IGNORECASE)))


# Control characters that are neither whitespace nor a line break (those the readers
# handle): nothing a reader sees, and never wanted in a title, a subject or a header.
_CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)] if not chr(c).isspace())
_ANY_CONTROL = re.compile(f"[{re.escape(_CONTROLS)}]")
_NO_CONTROLS = dict.fromkeys(map(ord, _CONTROLS), None)


def without_controls(text: str) -> str:
    """``text`` without the control characters that are not whitespace or line breaks
    (backspace, escape, DEL, the C1 controls but NEL); lines stay where they were."""
    return text.translate(_NO_CONTROLS) if _ANY_CONTROL.search(text) else text


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ArticleError("no such file", path=path)
    if path.is_dir():
        raise ArticleError("is a directory, not an article file", path=path)
    try:
        return path.read_bytes()
    except OSError as error:
        raise ArticleError(f"cannot read: {error.strerror or error}", path=path) from error


def _cp1252(data: bytes) -> str | None:
    """The text of non-UTF-8 bytes read as Windows-1252, or None when they do not decode."""
    if b"\x00" in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return text if text.strip() else None


def _peek(data: bytes) -> str:
    return data[:4096].decode("utf-8", errors="ignore")


def decode_article(data: bytes, path: Path | str, *, html: bool = False) -> str:
    """The text of an article file; ArticleError when empty, binary or not UTF-8/UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", path)
    elif b"\x00" in data:
        raise ArticleError("binary file (contains NUL bytes), not an article", path=path)
    else:
        text = _decode(data, _declared_charset(data) if html else "utf-8-sig", path)
    if not text.strip() or "\x00" in text:
        reason = "binary file (contains NUL bytes)" if "\x00" in text else "empty file"
        raise ArticleError(f"{reason}: nothing to read", path=path)
    return text


def _declared_charset(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    name = match.group(1).decode("ascii", "ignore").lower() if match else "utf-8"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return "utf-8-sig"
    return "utf-8-sig" if name == "utf-8" else name


def _decode(data: bytes, encoding: str, path: Path | str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise ArticleError(
            f"not valid {encoding.replace('-sig', '').upper()} text (byte 0x{bad} at offset "
            f"{error.start}); save the file as UTF-8",
            path=path,
        ) from error


_MARKS = (
    re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE),  # ATX headings
    re.compile(r"\[[^\]\n]{0,120}\]\([^)\s]{1,500}\)"),  # links and pictures
    re.compile(r"\*\*[^*\n]{1,120}\*\*"),  # bold
    re.compile(r"^```", re.MULTILINE),  # fenced code
)
_SHAPE_SAMPLE = 50_000  # characters looked at: the shape shows early, and it bounds the work


def is_markdown_shaped(text: str) -> bool:
    """Text written in Markdown, whatever the file is called: a scraper's metadata header
    (``Title:`` / ``URL Source:``), or Markdown marks of two kinds or more (headings, links,
    bold, code fences), at least four and at least one every 50 lines."""
    head = text[:_SHAPE_SAMPLE]
    if read_front_matter(head.split("\n", 40)[:40]).reason.startswith("metadata_header"):
        return True
    counts = [len(mark.findall(head)) for mark in _MARKS]
    lines = sum(1 for line in head.split("\n") if line.strip())
    total = sum(counts)
    return sum(c > 0 for c in counts) >= 2 and total >= max(4, lines / 50)


def sniff_format(text: str) -> str:
    """``html``, ``markdown`` or ``text`` from the start of the content."""
    head = text[:4096]
    if _HTML_SNIFF.search(head):
        return "html"
    if _MARKDOWN_SNIFF.search(head):
        return "markdown"
    return "text"
