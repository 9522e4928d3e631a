"""Markdown -> Document, from markdown-it-py tokens: authored posts (YAML/TOML front matter,
MDX components, Hugo shortcodes) and Markdown written by scrapers and converters (Jina
Reader headers, html2text pages with their menus and footers).

Reading goes in two steps. Tokens become blocks here: headings as plain text, paragraphs and
list items as inline Markdown (links kept, raw HTML such as ``<a>``, ``<sup>1</sup>`` and
``<br>`` turned into Markdown, pictures left out), HTML blocks through
:mod:`.htmlblocks`. Then the passes of :mod:`.sections` read what needs context: the page
header above a scrape's title, tables of contents, sign-up boxes, bold lines used as
headings, reference sections, the author's sign-off.

Line numbers are source line numbers (``token.map`` shifted past the front matter). Every
non-blank line ends in one block, one reference entry or one dropped record with the rule
that dropped it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from ...models import Block, Document, Dropped
from .fragments import blocks_apart, one_block_per_line
from .frontmatter import FrontMatter, read_front_matter
from .htmlblocks import Piece, html_pieces, inline_html
from .lines import (
    LONG_LISTING,
    TITLE_PARTS,
    callout_parts,
    clean_line,
    final_char,
    is_heading_shape,
    is_long_listing,
    mark_faq_questions,
    reference_entry,
    strip_heading_marks,
    strip_site_name,
    word_count,
)
from .noise import is_photo_credit, mentions_photo_credit
from .sections import (
    LINKED_HEADING,
    BlockPass,
    is_link_only,
    link_text,
    reference_value,
    run_passes,
)
from .text import title_from_source

_PARSER: MarkdownIt | None = None
_GITHUB_ALERT = re.compile(r"^\[!(?P<label>\w+)\]\s*(?P<text>.*)$")
_DEFINITION = re.compile(r"^\s{0,3}\[(?P<label>\^?[^\]]+)\]:\s*(?P<text>\S.*)$")
_FOOTNOTE_DEFINITION = re.compile(r"^\s{0,3}\[\^?\d{1,3}\]:")
_FOOTNOTE_MARKER = re.compile(r"\[\^(\d{1,3})\](?!:)")
# template code a static-site generator fills in (Hugo shortcodes, Liquid tags and
# variables, kramdown attribute lists): the reader of the page never saw it
_SHORTCODE = re.compile(r"^\s*(?:\{\{[<%].*[%>]\}\}|\{%.*%\}|\{\{[^{}]*\}\}|\{:[^{}]*\})\s*$")
_INLINE_TEMPLATE = re.compile(r"\{%[^%\n]*%\}|\{\{[^{}\n]*\}\}|\{:[^{}\n]*\}")
# a link whose address the generator fills in ([syrup]({{< ref "syrup.md" >}} "Syrup")):
# its text stays, as a link to nowhere would not
_TEMPLATE_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*(?:\{\{[^{}\n]*\}\}|\{%[^%\n]*%\})\s*"
                            r"(?:\"[^\"\n]*\")?\s*\)")
_SCRIPT_LINK = re.compile(r"^\s*\[[^\]]*\]\(\s*javascript:.*\)\s*$", re.IGNORECASE)
# "(pic sitting with tail tucked)", "[insert image of the bed]": a draft's note for a picture
_PLACEHOLDER = re.compile(r"^\s*[(\[]\s*(?:insert\s+(?:an?\s+)?)?(?:pics?|pictures?|photos?|"
                          r"images?|img|gifs?|videos?|screenshots?)(?:\s*/\s*\w+)?\b[^()\[\]]{0,80}"
                          r"[)\]]\s*$", re.IGNORECASE)
_SPACER = re.compile(r"^\s*(?:&nbsp;|&#160;|&#xa0;|\\)+\s*$", re.IGNORECASE)
_HTML_START = re.compile(r"^\s{0,3}<[A-Za-z]")
_EDIT_LINK = re.compile(r"\[?\[\s*edit(?: source| section)?\s*\]\([^)]*\)\]?|"
                        r"\[\s*edit(?: source| section)?\s*\](?!\()", re.IGNORECASE)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT_RUN = re.compile(r"(?<=[^\s\d⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
        # the table rule as markdown-it registers it (parser_block.py), made lean
        parser.block.ruler.at("table", _lean_table(rules_block.table),
                              {"alt": ["paragraph", "reference"]})
        parser.validateLink = _readable_link
        _PARSER = parser
    return _PARSER


_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|file):", re.IGNORECASE)


def _readable_link(url: str) -> bool:
    """markdown-it refuses every ``data:`` URL but four image types, so a picture inlined as
    SVG (``![alt](data:image/svg+xml;base64,...)``) was left as raw text; it is read as the
    picture it is (and dropped as one). Script URLs stay refused."""
    return not _SCRIPT_URL.match(url)


def _lean_table(table: Callable[[StateBlock, int, int, bool], bool]
                ) -> Callable[[StateBlock, int, int, bool], bool]:
    """markdown-it's table rule, keeping of a top-level table only its open and close tokens
    (with the lines it spans): the reader takes its rows from the source lines, so a table
    of any size costs two tokens, not half a dozen per cell with their inline parse. A table
    inside a list or a quote keeps its cells (their text is the item's or the quote's)."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if silent or state.level != 0:
            return table(state, start, end, silent)
        push, scratch = state.push, Token("table_part", "", 0)

        def lean_push(kind: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
            # the parts between open and close are balanced: the level needs no change
            return push(kind, tag, nesting) if kind in ("table_open", "table_close") \
                else scratch

        state.push = lean_push  # type: ignore[method-assign]
        try:
            return table(state, start, end, silent)
        finally:
            del state.push
    return rule


@dataclass
class _Reader:
    """The state of one Markdown read: source lines, blocks and dropped lines so far."""

    lines: list[str]
    offset: int  # source lines before the Markdown body (front matter)
    blocks: list[Block] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    image_end: int = -9  # the last source line of the latest picture-only paragraph
    caption_end: int = -9  # the last source line of the latest caption under a picture
    dropped_since_block: bool = False  # lines were dropped after the latest block
    dropped_lines: set[int] = field(default_factory=set)
    html_lines: set[int] = field(default_factory=set)  # read as HTML regions, not Markdown
    heading_text: dict[int, tuple[int, int]] = field(default_factory=dict)  # see _heading
    origin: list[int] | None = None  # parsed line -> source line, when blank lines were added

    def source_line(self, parsed: int) -> int:
        """The source line number of line ``parsed`` (0-based) of the parsed body; 0 for a
        blank line the reader added."""
        if self.origin is None:
            return self.offset + parsed + 1
        return self.origin[parsed] if parsed < len(self.origin) else 0

    def span(self, token: Token) -> tuple[int, ...]:
        """The non-blank source line numbers a block token covers."""
        if not token.map:
            return ()
        numbers = [self.source_line(i) for i in range(token.map[0], token.map[1])]
        numbers = [n for n in numbers if n and n not in self.html_lines]  # blanked for Markdown
        self.covered.update(numbers)
        return tuple(n for n in numbers if n <= len(self.lines) and self.lines[n - 1].strip()
                     and n not in self.dropped_lines)

    def drop(self, numbers: Sequence[int], reason: str) -> None:
        """Record source lines as dropped."""
        self.dropped.extend(Dropped(n, self.written(n), reason) for n in numbers)
        self.dropped_lines.update(numbers)
        self.dropped_since_block = self.dropped_since_block or bool(numbers)

    def written(self, number: int) -> str:
        """Line ``number`` as written; on a line of raw HTML, its Markdown links as their
        text (``<sub>Photo by [Ann](https://...)</sub>`` -> ``<sub>Photo by Ann</sub>``)."""
        text = clean_line(self.lines[number - 1])
        return link_text(text) if _TAG.search(text) and not is_link_only(text) else text

    def drop_block(self, block: Block, reason: str) -> None:
        """Record every line of ``block`` as dropped."""
        self.drop(sorted(set(block.lines)), reason)

    def add(self, block: Block) -> None:
        """Append a block."""
        self.blocks.append(block)
        self.dropped_since_block = False


def read_markdown_article(text: str, source: str = "", *, scraped: bool = False) -> Document:
    """Read Markdown into a Document (never raises on any text).

    ``scraped`` says the Markdown came from a scrape of a whole page (a ``.txt`` file the
    caller found Markdown-shaped): page furniture is then looked for more eagerly.
    """
    lines = _mend_wrapped_addresses(re.split(r"\r\n|\r|\n", text))
    front = read_front_matter(lines)
    reader = _Reader(lines, front.body_start)
    reader.covered.update(range(1, front.body_start + 1))
    reader.drop([n for n in range(1, front.body_start + 1) if lines[n - 1].strip()], front.reason)
    spread = _spread_template_tags(lines, front.body_start)
    reader.drop(sorted(spread), "shortcode: template tag that shows no text")
    stray = _stray_front_matter(lines, front.body_start)
    reader.drop(sorted(stray), "front_matter: a second copy's metadata, not content")
    taken = spread | stray
    body = _linked_citations(["" if number in taken else _blank_out(reader, number, raw)
                              for number, raw
                              in enumerate(lines[front.body_start:], front.body_start + 1)])
    tight = one_block_per_line(lines[front.body_start:])  # lines as written, before blanking
    regions = _open_tag_regions(body, front.body_start, tight)
    for start, end in regions:
        body[start - front.body_start - 1 : end - front.body_start] = [""] * (end - start + 1)
        reader.html_lines.update(range(start, end + 1))
    if tight:
        body, reader.origin = blocks_apart(body, front.body_start)
    _walk(reader, _parser().parse("\n".join(body)), regions)
    for _level, mark in reader.heading_text.values():  # the line below was read otherwise
        reader.drop([mark], "empty_heading: a heading with no text")
    _uncovered_lines(reader)
    scraped = scraped or front.reason.startswith("metadata_header")
    blocks = run_passes(reader.blocks, reader.drop_block, scraped=scraped)
    _hidden_markup(reader, blocks)
    title = _headline_of_page_title(_front_title(front), blocks, front, _bylines(reader))
    blocks = mark_faq_questions(_with_title(reader, blocks, title))
    references = {b.label: b.text for b in blocks if b.kind == "reference"}
    if references:
        blocks = tuple(_superscript_citations(b, references) for b in blocks)
    return Document(
        title=title or _first_heading(blocks, _bylines(reader) if scraped else set())
        or title_from_source(source),
        source=source,
        blocks=blocks,
        references=references,
        dropped=tuple(sorted(reader.dropped, key=lambda d: d.line)),
    )


# "([Runner's World][3])": a citation an assistant wrote as a link to a numbered definition
_LINKED_CITATION = re.compile(
    r"\s*\(\s*\[[^\]\n]+\]\[(\d{1,3})\](?:\s*[,;]\s*\[[^\]\n]+\]\[\d{1,3}\])*\s*\)")
_NUMBER_IN_LINK = re.compile(r"\]\[(\d{1,3})\]")


def _linked_citations(body: list[str]) -> list[str]:
    """Citations written as links to numbered link definitions (``... race day.([Runner's
    World][1])`` with ``[1]: https://... "Title"`` at the end) become citation markers
    (``[1]``), so the snippet cites the definition as its source."""
    labels = {m["label"] for raw in body if (m := _DEFINITION.match(raw))}
    if not any(label.isdigit() for label in labels):
        return body

    def marker(match: re.Match[str]) -> str:
        numbers = _NUMBER_IN_LINK.findall(match[0])
        if not all(n in labels for n in numbers):
            return match[0]
        return "".join(f"[{n}]" for n in numbers)

    return [raw if _DEFINITION.match(raw) or "][" not in raw else _LINKED_CITATION.sub(marker, raw)
            for raw in body]


_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>")
# markup a reader never sees on a line whose text is kept: tags that are not made Markdown
# (<span class="emoji">, <sub>), template code ({{< ref "x.md" >}}), character references
_HIDDEN_MARKUP = re.compile(r"</?(?!(?:a|br|sup|strong|b|em|i)\b)[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>|"
                            r"\{\{[^{}\n]*\}\}|\{%[^%\n]*%\}|&#?\w{2,8};", re.IGNORECASE)


def _hidden_markup(reader: _Reader, blocks: Sequence[Block]) -> None:
    """A kept line with markup that shows nothing (an emoji ``<span>``, a Hugo ``{{< ref >}}``
    mid-sentence, ``&#8212;``) is also listed as dropped, as written: what was left out of
    it is on record, the line itself is in its block."""
    kept = {n for b in blocks for n in b.lines if n not in reader.dropped_lines}
    for number in sorted(kept):
        if 0 < number <= len(reader.lines) and _HIDDEN_MARKUP.search(reader.lines[number - 1]):
            reader.dropped.append(Dropped(number, reader.written(number),
                                          "markup: tags or template code that show no text "
                                          "(the line's text is in its block)"))


_TAG_OPENS = re.compile(r"^\s*(\{\{[<%]|\{%)")
_TAG_CLOSES = {"{{<": ">}}", "{{%": "%}}", "{%": "%}"}
_TAG_LINES = 20  # lines one template tag may spread over (a figure with one attribute a line)


def _spread_template_tags(lines: Sequence[str], start: int) -> set[int]:
    """The line numbers of template tags written over several lines (``{{< figure`` /
    ``src="..."`` / ``caption="..."`` / ``>}}``): the tag's attributes are no text."""
    numbers: set[int] = set()
    index = start
    while index < len(lines):
        match = _TAG_OPENS.match(lines[index])
        close = _TAG_CLOSES[match[1]] if match else ""
        if not match or close in lines[index]:
            index += 1
            continue
        end = next((i for i in range(index + 1, min(len(lines), index + _TAG_LINES))
                    if close in lines[i] or not lines[i].strip()), None)
        if end is not None and lines[end].strip():
            numbers.update(range(index + 1, end + 2))
        index = (end or index) + 1
    return numbers


_YAML_KEY = re.compile(r"^[A-Za-z_][\w-]*:(?:\s|$)")
_YAML_LINE = re.compile(rf"{_YAML_KEY.pattern}|^\s*-\s+\S|^\s+\S")  # a key, an item, more


def _stray_front_matter(lines: Sequence[str], start: int) -> set[int]:
    """The line numbers of a front matter block inside the body (``---`` / ``layout: post``
    / ``title: ...`` / ``---``): a second copy of the post pasted after the first."""
    numbers: set[int] = set()
    fences = [i for i in range(start, len(lines)) if lines[i].strip() == "---"]
    for opening, closing in pairwise(fences):
        inside = [line for line in lines[opening + 1 : closing] if line.strip()]
        keys = sum(bool(_YAML_KEY.match(line)) for line in inside)
        if keys >= 3 and all(_YAML_LINE.match(line) for line in inside):
            numbers.update(range(opening + 1, closing + 2))
    return numbers


def _blank_out(reader: _Reader, number: int, raw: str) -> str:
    """A Hugo shortcode, a Liquid tag, a spacer line (``&nbsp;``), a line that is a link
    running the page's script (``[A](javascript:...)``) or a draft's placeholder for a
    picture (``(pic chin tucks)``) is dropped before parsing; template code inside a line
    (``{{ page.cost }}``, ``{: .right}``) is removed."""
    if _SHORTCODE.match(raw):
        reader.drop([number], "shortcode: template tag that shows no text")
        return ""
    if "{" in raw and _INLINE_TEMPLATE.search(raw):
        raw = _INLINE_TEMPLATE.sub("", _TEMPLATE_LINK.sub(r"\1", raw))
        if len(re.findall(r"\w+", raw)) <= 3:  # "**Servings:** {{ page.servings }}"
            reader.drop([number], "shortcode: template tag that shows no text")
            return ""
    if _SCRIPT_LINK.match(raw):
        reader.drop([number], "script_link: a control of the page (a javascript: link)")
        return ""
    if _PLACEHOLDER.match(raw):
        reader.drop([number], "placeholder: where a picture was meant to go")
        return ""
    if raw.strip() and _SPACER.match(raw):
        reader.drop([number], "spacer: a line that only makes space")
        return ""
    return raw


# --- the title -------------------------------------------------------------------------------


def _front_title(front: FrontMatter) -> str:
    """The title the metadata gives; a scraper's page title loses the site's name, and so
    does front matter that copied the page's title (``How to Build a Shelf | Site``: a
    vertical bar, the one separator no writer's own title uses)."""
    if front.reason.startswith("metadata_header"):
        return strip_site_name(front.title, front.url)
    head, bar, site = front.title.rpartition(" | ")
    if bar and word_count(site) <= 4 and word_count(head) >= 2:
        return head.strip()
    return front.title


_CUT_ADDRESS = re.compile(r"\]\(https?://[^)\s]*-$")  # a link's address cut after a hyphen
_ADDRESS_REST = re.compile(r"^\s*([^)\s]+\))")


def _mend_wrapped_addresses(lines: list[str]) -> list[str]:
    """Lines wrapped inside a link's address (html2text breaks ``.../wp-`` /
    ``content/a.jpg)`` at the hyphen) made whole: the address's rest moves up to its line,
    so every line keeps its number."""
    mended = list(lines)
    for index in range(len(mended) - 1):
        rest = _ADDRESS_REST.match(mended[index + 1])
        if rest and _CUT_ADDRESS.search(mended[index]):
            mended[index] += rest[1]
            mended[index + 1] = mended[index + 1][rest.end():]
    return mended


def _headline_of_page_title(title: str, blocks: Sequence[Block], front: FrontMatter,
                            bylines: set[int]) -> str:
    """A scraper's page title that is the page's headline with more after a separator
    (``Headline - Site``, ``Headline | Section | Site``) gives way to that headline; one the
    body words otherwise gives way to the body's h1 that a byline or date follows (the page
    title was written for search engines, the headline for readers)."""
    if not front.reason.startswith("metadata_header"):
        return title
    for block in blocks[:12]:
        head = block.text.strip()
        if (block.kind == "heading" and 2 <= word_count(head) < word_count(title)
                and title.startswith(head) and TITLE_PARTS.match(title[len(head):])):
            return head
    return _part_the_body_heads(title, blocks) or _bylined_h1(blocks, bylines) or title


def _bylined_h1(blocks: Sequence[Block], bylines: set[int]) -> str:
    """The first h1 of four words or more that a byline or a date follows within 4 lines."""
    return next((b.text for b in blocks[:12] if b.kind == "heading" and b.level == 1
                 and b.lines and word_count(b.text) >= 4 and not b.rule.endswith(LINKED_HEADING)
                 and bylines & set(range(b.lines[-1] + 1, b.lines[-1] + 5))), "")


def _part_the_body_heads(title: str, blocks: Sequence[Block]) -> str:
    """The part of a page title (``Site: Headline``, ``Headline - Site: Tagline``) that the
    body has as a heading of its own: the site's name is never the article's heading."""
    parts = [part.strip() for part in _TITLE_PIECES.split(title) if part.strip()]
    if len(parts) < 2:
        return ""
    heads = {block.text.strip().casefold() for block in blocks if block.kind == "heading"}
    found = [part for part in parts if word_count(part) >= 2 and part.casefold() in heads]
    return max(found, key=word_count, default="")


# where a page title joins the site's name to the headline: " | ", " - ", "Site: "
_TITLE_PIECES = re.compile(r"\s+(?:\||—|–|-|·|•|::|»)\s+|(?<=\w):\s+")


def _with_title(reader: _Reader, blocks: Sequence[Block], title: str) -> tuple[Block, ...]:
    """Blocks with a level-1 title block made from the metadata when the body has no h1."""
    has_h1 = any(b.kind == "heading" and b.level == 1 for b in blocks)
    if not title or has_h1:
        return tuple(blocks)
    # The metadata line stays dropped, saying it gave the title: its text is no snippet's (the
    # key, often the site's name), and the block carries the title, not the line.
    reader.dropped = [replace(d, reason=f"{d.reason} (the article's title)")
                      if _TITLE_KEY.match(d.text) else d for d in reader.dropped]
    block = Block("heading", title, (), level=1, rule="title")
    return (block, *blocks)


_TITLE_KEY = re.compile(r"^[-+]*\s*title\s*[:=]", re.IGNORECASE)


def _first_heading(blocks: Sequence[Block], bylines: set[int]) -> str:
    """The first h1 that links to no other page (else the first h1, else the first heading);
    on a scraped page, the headline the byline or the date follows when the h1 has none (a
    widget's heading set as h1)."""
    headings = [b for b in blocks if b.kind == "heading"]
    h1s = [b for b in headings if b.level == 1]
    # a site's name linked to its home page, set as an h1 over the article's own
    first_h1 = next((b for b in h1s if not b.rule.endswith("_linked")), h1s[0] if h1s else None)
    chosen = first_h1 or (headings[0] if headings else None)
    bylined = [b for b in headings[:10] if b.lines and b.level <= 3
               and bylines & set(range(b.lines[-1] + 1, b.lines[-1] + 5))]
    if bylined and chosen not in bylined:
        chosen = bylined[0]
    return chosen.text if chosen else ""


def _bylines(reader: _Reader) -> set[int]:
    """The lines dropped as a byline or a dateline."""
    return {d.line for d in reader.dropped if d.reason.startswith(("byline", "dateline"))}


# --- block tokens --------------------------------------------------------------------------


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the token that closes ``tokens[start]``."""
    level = tokens[start].level
    for index in range(start + 1, len(tokens)):
        if tokens[index].level == level and tokens[index].nesting == -1:
            return index
    return len(tokens) - 1


def _walk(reader: _Reader, tokens: Sequence[Token], regions: list[tuple[int, int]]) -> None:
    """Hand each top-level token to its handler, and the HTML regions Markdown cannot see
    (see ``_open_tag_regions``) to the HTML reader, all in the order of the source."""
    pending = list(regions)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        first = reader.source_line(token.map[0]) if token.map else 0
        while pending and first and pending[0][0] < first:
            _html_region(reader, pending.pop(0))
        end = _closing(tokens, index) if token.nesting == 1 else index
        handler = _HANDLERS.get(token.type.removesuffix("_open"))
        if handler:
            handler(reader, tokens[index : end + 1])
        index = end + 1
    for region in pending:
        _html_region(reader, region)


_OPEN_TAG_START = re.compile(r"^\s{0,3}<([A-Za-z][\w.:-]*)(?=[\s/>]|$)")
_CLOSED_TAG = re.compile(r"^\s{0,3}<[A-Za-z][\w.:-]*(?:[^>\"'{]|\"[^\"]*\"|'[^']*'|\{[^}]*\})*>")


def _open_tag_regions(body: Sequence[str], offset: int,
                      tight: bool = False) -> list[tuple[int, int]]:
    """Lines that start a tag and do not close it (``<a`` / ``  href=...`` / ``>``, a JSX
    ``<PostImage`` with one attribute a line): Markdown would read the attribute lines as
    text, a ``>`` as a quote. Each such tag, and what follows it up to a blank line, is HTML:
    ``(first, last)`` source line numbers. In Markdown with no blank lines (``tight``) the
    region ends where the tag closes, with the closing tags right after it."""
    regions: list[tuple[int, int]] = []
    index = 0
    while index < len(body):
        line = body[index]
        if _OPEN_TAG_START.match(line) and not _CLOSED_TAG.match(line):
            end = index
            while end + 1 < len(body) and body[end + 1].strip() and not (
                    tight and _tag_closed(body, index, end)):
                end += 1
            regions.append((offset + index + 1, offset + end + 1))
            index = end + 1
        else:
            index += 1
    return regions


_CLOSING_TAG = re.compile(r"^\s*</[A-Za-z][\w.:-]*\s*>\s*$")


def _tag_closed(body: Sequence[str], start: int, end: int) -> bool:
    """The tag opened on line ``start`` has closed by line ``end`` (a line ending in ``>``)
    and line ``end + 1`` is no closing tag of it."""
    closed = any(line.rstrip().endswith(">") for line in body[start:end + 1])
    return closed and not _CLOSING_TAG.match(body[end + 1])


def _html_region(reader: _Reader, region: tuple[int, int]) -> None:
    numbers = range(region[0], region[1] + 1)
    reader.covered.update(numbers)
    _html(reader, tuple(n for n in numbers if reader.lines[n - 1].strip()))


def _heading(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    inline = _inline(tokens[1])
    text = plain_heading(inline)
    if not text and lines and (below := _text_of_empty_heading(reader, lines[-1])):
        reader.drop(lines[:-1], "empty_heading: a heading with no text")  # a setext's line
        reader.heading_text[below] = (int(tokens[0].tag[1:]), lines[-1])
        return
    if not text:
        reader.drop(lines, "empty_heading: a heading with no text")
        return
    if is_photo_credit(text):  # a picture's credit a converter set as a heading
        reader.drop(lines, "image_caption: caption or credit right under a picture")
        return
    rule = f"markdown_{tokens[0].tag}" + ("_setext" if tokens[0].markup in ("=", "-") else "")
    if _LINK_AWAY.search(inline):
        rule += LINKED_HEADING  # a headline that links to another page
    reader.add(Block("heading", text, lines, level=int(tokens[0].tag[1:]), rule=rule))


_LINK_AWAY = re.compile(r"\]\((?!#)[^)\s]+")


_BLOCK_START = re.compile(r"^\s*(?:[#>*+<|`-]|!\[|\d+[.)]\s)")


def _text_of_empty_heading(reader: _Reader, number: int) -> int:
    """A converter (html2text) writes ``<h2><span>Text</span></h2>`` as ``## `` with the text
    as a line of its own below it: that line (a short one-line paragraph shaped like a
    heading) is the heading's text. Its line number, or 0."""
    below = number + 1
    while below <= len(reader.lines) and not reader.lines[below - 1].strip():
        below += 1
    if below > len(reader.lines) or below - number > 3:
        return 0
    text = reader.lines[below - 1].strip()
    after = reader.lines[below] if below < len(reader.lines) else ""
    if after.strip() or _BLOCK_START.match(text):
        return 0
    return below if is_heading_shape(plain_heading(link_text(text))) else 0


def plain_heading(text: str) -> str:
    """A heading as plain text: links reduced to their text, emphasis marks and a
    converter's permalink sign (``¶``) removed."""
    text = link_text(text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](\S(?:.*?\S)?)[*_](?![\w*])", r"\1", text)
    return strip_heading_marks(text.replace("**", ""))


# "Step 3", "Day 2:", "Week 1": a line that only numbers the part of a sequence it opens
# "1\. Take the blankets off": a converter escaped the number of a paragraph that opens
# with one, so that it is not read as a list: a listicle's numbered headline
_ESCAPED_NUMBER = re.compile(r"^\s{0,3}\d{1,3}\\[.)]\s+\S")


def _numbered_headline(raw: str, text: str) -> bool:
    return bool(_ESCAPED_NUMBER.match(raw)) and word_count(link_text(text)) <= 15 and (
        final_char(text) not in ".!?:;,")


_STEP_LABEL = re.compile(r"^(?:step|part|phase|stage|day|week|round|level|exercise|method|"
                         r"option|lesson|chapter)\s+\d{1,3}\s*[.:]?$", re.IGNORECASE)


def _paragraph(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    inline = tokens[1]
    if len(lines) == 1 and lines[0] in reader.heading_text:
        level, mark = reader.heading_text.pop(lines[0])
        reader.add(Block("heading", plain_heading(_inline(inline)), (mark, lines[0]),
                         level=level, rule=f"markdown_h{level}_text_below"))
    elif _HTML_START.match(reader.lines[lines[0] - 1] if lines else ""):
        _html(reader, lines)
    elif len(lines) == 1 and _STEP_LABEL.match(plain_heading(_inline(inline))):
        reader.add(Block("heading", plain_heading(_inline(inline)), lines, level=3,
                         rule="step_label_heading"))
    elif len(lines) == 1 and _numbered_headline(reader.lines[lines[0] - 1], _inline(inline)):
        reader.add(Block("heading", plain_heading(_inline(inline)), lines, level=3,
                         rule="numbered_line_heading"))
    elif _only_images(inline):
        reader.drop(lines, "image: picture (alt text is not content)")
        reader.image_end = lines[-1] if lines else -9
    elif _image_with_caption(inline):
        reader.drop(lines, "image_caption: picture with its caption (emphasised line under it)")
    elif _image_with_credit(inline):
        reader.drop(lines, "image_caption: picture with its share button and credit")
    elif lines and lines[0] - reader.image_end <= 2 and _is_caption(inline):
        reader.drop(lines, "image_caption: caption or credit right under a picture")
        reader.caption_end = lines[-1]
    elif lines and lines[0] - reader.caption_end <= 2 and _is_credit(inline):
        reader.drop(lines, "image_caption: credit under a picture's caption")
    else:
        _text_paragraph(reader, inline, lines)


def _text_paragraph(reader: _Reader, inline: Token, lines: tuple[int, ...]) -> None:
    head, rest = _bold_first_line(inline, lines)
    if head is not None:
        reader.add(Block("heading", head, lines[:1], rule="bold_line_heading"))
        lines, inline = lines[1:], rest
    if _is_author_card(inline):
        reader.add(Block("paragraph", _inline(inline), lines, rule="author_card"))
        return
    for part_lines, text in _per_line_paragraphs(reader, inline, lines):
        _add_paragraph(reader, text, part_lines)


def _add_paragraph(reader: _Reader, text: str, lines: tuple[int, ...]) -> None:
    if not re.search(r"[^\W_]", link_text(text)):
        reader.drop(lines, "empty: markup without text")
    elif groups := _reference_groups(reader, lines):
        _reference_lines(reader, groups)
    elif parts := callout_parts(_unemphasised(text)):
        reader.add(Block("callout", parts[1], lines, label=parts[0], rule="callout_label"))
    else:
        reader.add(Block("paragraph", text, lines, rule="markdown_paragraph"))


def _unemphasised(text: str) -> str:
    """``*NOTE: take it easy.*`` -> ``NOTE: take it easy.``: a wholly italic paragraph."""
    match = re.fullmatch(r"\*(?!\*)(.+?)(?<!\*)\*", text.strip())
    return match[1] if match else text


def _bold_first_line(inline: Token, lines: tuple[int, ...]
                     ) -> tuple[str | None, Token]:
    """``**Grocery Breakdown**`` on the first line of a paragraph, the text on the next ones
    (joined by a line break): the bold line is a heading of its own."""
    children = inline.children or []
    breaks = [i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")]
    if not breaks or len(lines) < 2:
        return None, inline
    first = Token("inline", "", 0, children=children[: breaks[0]])
    if not _only_strong(first):
        return None, inline
    text = plain_heading(_inline(first))
    if not is_heading_shape(text) or word_count(text) > 12:
        return None, inline
    rest = Token("inline", "", 0, children=children[breaks[0] + 1 :])
    return text, rest


def _visible_children(inline: Token) -> list[Token]:
    return [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]


def _only_strong(inline: Token) -> bool:
    children = _visible_children(inline)
    return (len(children) >= 3 and children[0].type == "strong_open"
            and children[-1].type == "strong_close"
            and not any(c.type == "strong_open" for c in children[1:-1]))


def _per_line_paragraphs(reader: _Reader, inline: Token, lines: tuple[int, ...]
                         ) -> list[tuple[tuple[int, ...], str]]:
    """A paragraph whose every line is a long, finished sentence or more was written one
    paragraph per line with no blank line between: each line is a paragraph of its own."""
    texts = [reader.lines[n - 1].strip() for n in lines]
    whole = [(lines, _inline(inline))]
    if len(texts) < 3 or sum(len(t) for t in texts) / len(texts) < 100:
        return whole
    if not all(final_char(t) in ".!?" for t in texts[:-1]):
        return whole
    parts: list[list[Token]] = [[]]
    for child in inline.children or []:
        if child.type == "softbreak":
            parts.append([])
        else:
            parts[-1].append(child)
    if len(parts) != len(lines):
        return whole
    return [((n,), _inline(Token("inline", "", 0, children=p))) for n, p in zip(lines, parts,
                                                                                  strict=True)]


def _is_caption(inline: Token) -> bool:
    """Right under a picture: an italic line, a photo credit, or a short unpunctuated
    line (the photographer's or the studio's name). A bold line there is a heading."""
    if _only_strong(inline):
        return False
    return _only_emphasis(inline) or _is_credit(inline)


def _is_credit(inline: Token) -> bool:
    """A photo credit, or a short unpunctuated line (a photographer's or studio's name)."""
    if _only_strong(inline):
        return False
    text = link_text(_inline(inline))
    if mentions_photo_credit(text, limit=40):
        return True
    return word_count(text) <= 5 and final_char(text) not in ".!?:" and "\n" not in text


def _reference_groups(reader: _Reader, lines: Sequence[int]) -> list[list[int]]:
    """The paragraph's lines by reference entry (``[2] ...``, ``[^2]: ...``), a footnote
    definition's wrapped lines with it; [] when the paragraph is not a reference list."""
    groups: list[list[int]] = []
    for number in lines:
        text = reader.lines[number - 1].strip()
        if text.startswith("[") and reference_entry(text):
            groups.append([number])
        elif groups and _FOOTNOTE_DEFINITION.match(reader.lines[groups[-1][0] - 1]):
            groups[-1].append(number)
        else:
            return []
    return groups


def _reference_lines(reader: _Reader, groups: Sequence[Sequence[int]]) -> None:
    for numbers in groups:
        written = " ".join(reader.lines[n - 1].strip() for n in numbers)
        label, text = reference_entry(written) or ("", "")
        reader.add(Block("reference", reference_value(_inline_text(text)), tuple(numbers),
                         label=label, rule="reference_entry"))


def _only_images(inline: Token) -> bool:
    children = inline.children or []
    rest = [c for c in children
            if c.type not in ("image", "softbreak", "hardbreak", "link_open", "link_close")
            and not (c.type == "text" and not c.content.strip())]
    return any(c.type == "image" for c in children) and not rest


def _is_author_card(inline: Token) -> bool:
    """``[![avatar](a.jpg)Dr. Jane Doe](https://site/about)``: a linked picture with a name."""
    children = _visible_children(inline)
    kinds = [c.type for c in children]
    if kinds[:2] != ["link_open", "image"] or kinds[-1:] != ["link_close"]:
        return False
    words = " ".join(c.content for c in children if c.type == "text").split()
    return 1 <= len(words) <= 6 and all(k in ("link_open", "image", "text", "link_close")
                                        for k in kinds)


def _only_emphasis(inline: Token) -> bool:
    """A short paragraph that is entirely emphasised (``*Photo: the finished bed*``)."""
    children = [c for c in inline.children or [] if c.type not in ("softbreak", "hardbreak")]
    if len(children) < 3 or children[0].type not in ("em_open", "strong_open"):
        return False
    words = sum(len(c.content.split()) for c in children if c.type == "text")
    return children[-1].type == children[0].type.replace("open", "close") and words <= 30


def _image_with_credit(inline: Token) -> bool:
    """``![alt](a.jpg)[Share on Pinterest](...)Photography by Jane Doe``: a picture followed
    on its line only by share links and its credit."""
    children = inline.children or []
    if not children or children[0].type != "image":
        return False
    texts, in_link, link = [], False, []
    for child in children[1:]:
        if child.type == "link_open":
            in_link, link = True, []
        elif child.type == "link_close":
            in_link = False
            label = " ".join(link).strip()
            if not re.match(r"(?:share|pin|save|tweet)\b", label, re.IGNORECASE):
                texts.append(label)
        elif child.type == "text":
            (link if in_link else texts).append(child.content)
    text = " ".join(" ".join(texts).split())
    return bool(text) and mentions_photo_credit(text, limit=12)


def _image_with_caption(inline: Token) -> bool:
    """A picture followed by its emphasised caption, on the next line or right after it
    (``![A pond](...)_The pond at dawn_``), in one paragraph."""
    children = inline.children or []
    breaks = [i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")]
    images = [i for i, c in enumerate(children) if c.type == "image"]
    if len(breaks) > 1 or not images:
        return False
    cut = breaks[0] if breaks else images[-1] + 1
    before, after = children[:cut], children[cut + bool(breaks):]
    if not after:
        return False
    pictures = all(c.type == "image" or (c.type == "text" and not c.content.strip())
                   for c in before) and any(c.type == "image" for c in before)
    caption = Token("inline", "", 0, children=after)
    return pictures and _only_emphasis(caption)


# --- HTML inside Markdown ----------------------------------------------------------------------


def _html_block(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    content = tokens[0].content.strip()
    if content.startswith("<!--"):
        reader.drop(lines, "html_comment: not shown to readers")
    else:
        _html(reader, lines)


def _html(reader: _Reader, lines: tuple[int, ...]) -> None:
    """An HTML (or JSX) block: its pieces of visible text become blocks; lines with only
    markup are dropped; pictures are dropped with their alt text on the line."""
    if not lines:
        return
    first = lines[0]
    source = "\n".join(reader.lines[first - 1 : lines[-1]])
    claimed: set[int] = set()
    group_block: dict[int, int] = {}  # list group -> index of its block in reader.blocks
    for piece in html_pieces(source, first):
        own = tuple(n for n in sorted(set(piece.lines)) if n in lines and n not in claimed)
        if not own:
            continue
        claimed.update(own)
        if piece.kind == "image":
            reader.drop(own, "image: picture (alt text is not content)")
            reader.image_end = own[-1]
        elif piece.kind == "paragraph" and any(_CAPTION_TAG.search(reader.lines[n - 1])
                                               for n in own):
            reader.drop(own, "image_caption: a picture's caption (<figcaption>, a caption box)")
        else:
            _html_piece(reader, piece, own, group_block)
    rest = [n for n in lines if n not in claimed]
    reader.drop(rest, "html_markup: markup that shows no text of its own")


# <figcaption>, or an element whose class names it a caption (<div class="image-caption">)
_CAPTION_TAG = re.compile(r"<figcaption\b|<\w+\s[^>]*\bclass(?:Name)?=[\"'][^\"']*caption",
                          re.IGNORECASE)


def _html_piece(reader: _Reader, piece: Piece, lines: tuple[int, ...],
                group_block: dict[int, int]) -> None:
    text = _finish_links(piece.text)
    if piece.kind == "heading":
        reader.add(Block("heading", plain_heading(text), lines, level=piece.level or 2,
                         rule=f"html_h{piece.level or 2}"))
    elif piece.kind == "question":
        kind = "question" if final_char(text) == "?" else "heading"
        reader.add(Block(kind, plain_heading(text), lines, level=3, rule="html_summary"))
    elif piece.kind == "item":
        _html_item(reader, text, lines, piece.group, group_block)
    elif piece.href and (entry := reference_entry(text)):
        reader.add(Block("reference", f"{entry[1]} {piece.href}".strip(), lines,
                         label=entry[0], rule="html_reference_link"))
    else:
        _add_paragraph(reader, f"[{text}]({piece.href})" if piece.href else text, lines)


def _html_item(reader: _Reader, text: str, lines: tuple[int, ...], group: int,
               group_block: dict[int, int]) -> None:
    index = group_block.get(group)
    if index is not None and index == len(reader.blocks) - 1:
        block = reader.blocks[index]
        reader.blocks[index] = replace(block, items=(*block.items, text),
                                       lines=(*block.lines, *lines))
        return
    block = Block("list", lines=lines, items=(text,), rule="html_list")
    reader.add(_with_lead(reader, block))
    group_block[group] = len(reader.blocks) - 1


# --- lists, quotes, code, rules, tables -----------------------------------------------------------


_PICTURE_LINE = re.compile(r"^\s*(?:\[\s*)?!\[[^\]]*\]\([^)]*\)(?:\s*\]\([^)]*\))?\s*$")


def _list(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    pictures = [n for n in lines if _PICTURE_LINE.match(reader.lines[n - 1])]
    if pictures:  # a picture set between items without a blank line, read as item text
        reader.drop(pictures, "image: picture (alt text is not content)")
        lines = tuple(n for n in lines if n not in pictures)
    ordered = tokens[0].type == "ordered_list_open"
    start = int(tokens[0].attrGet("start") or 1) if ordered else 0
    listed = _list_items(tokens)
    if _questions_answered(listed):
        _question_items(reader, listed, pictures)
        return
    items = tuple(t for t, _ in listed)
    if not items:
        reader.drop(lines, "empty_list: list items without text")
        return
    block = Block("list", lines=lines, items=items, ordered=ordered, rule="markdown_list",
                  label=str(start) if ordered and start != 1 else "")
    previous = reader.blocks[-1] if reader.blocks else None
    if previous is not None and _continues(previous, block, start, reader.dropped_since_block):
        reader.blocks[-1] = replace(previous, items=(*previous.items, *items),
                                    lines=(*previous.lines, *lines),
                                    rule=previous.rule + "+continued_after_picture")
        reader.dropped_since_block = False
        return
    reader.add(_with_lead(reader, block))


_BOLD_QUESTION = re.compile(r"^\*\*(?P<question>[^*\n]{3,150}\?)\*\*\s*(?P<answer>\S.*)$",
                            re.DOTALL)


def _questions_answered(listed: Sequence[tuple[str, Token]]) -> bool:
    """Every item of the list is a bold question with its answer on the lines under it
    (a FAQ set as a numbered list)."""
    return len(listed) >= 2 and all(
        not text.startswith(" ") and _BOLD_QUESTION.match(text) and token.map
        and token.map[1] - token.map[0] >= 2 for text, token in listed)


def _question_items(reader: _Reader, listed: Sequence[tuple[str, Token]],
                    pictures: Sequence[int]) -> None:
    """Each item as its bold question line (a heading, then a FAQ question) and its answer."""
    for text, token in listed:
        match = _BOLD_QUESTION.match(text)
        assert match is not None
        lines = tuple(n for n in reader.span(token) if n not in pictures)
        reader.add(Block("paragraph", f"**{match['question']}**", lines[:1],
                         rule="markdown_list_question"))
        reader.add(Block("paragraph", " ".join(match["answer"].split()), lines[1:],
                         rule="markdown_list_answer"))


def _continues(previous: Block, block: Block, start: int, dropped_between: bool) -> bool:
    """A list broken only by pictures (and their captions) goes on: ``1.``..``4.``, picture,
    ``5.``; or bullets, picture, bullets."""
    if previous.kind != "list" or not dropped_between or previous.ordered != block.ordered:
        return False
    if not block.ordered:
        return True
    top_level = sum(1 for item in previous.items if not item.startswith(" "))
    first = int(previous.label) if previous.label.isdigit() else 1
    return start == first + top_level


def _with_lead(reader: _Reader, block: Block) -> Block:
    """A paragraph ending in ``:`` right before a list is the list's lead-in."""
    previous = reader.blocks[-1] if reader.blocks else None
    if previous is None or previous.kind != "paragraph" or final_char(previous.text) != ":":
        return block
    if all(is_link_only(item) for item in block.items):
        return block  # a list of links to other pages is not content; its lead-in is prose
    if reader.dropped_since_block and not _dropped_only_pictures(reader, previous, block):
        return block
    reader.blocks.pop()
    return replace(block, lead=previous.text, lines=(*previous.lines, *block.lines),
                   rule=block.rule + "+lead")


def _dropped_only_pictures(reader: _Reader, previous: Block, block: Block) -> bool:
    low, high = (previous.lines or (0,))[-1], (block.lines or (0,))[0]
    between = [d for d in reader.dropped if low < d.line < high]
    return all(d.reason.startswith(("image", "spacer", "html_markup")) for d in between)


def _list_items(tokens: Sequence[Token]) -> list[tuple[str, Token]]:
    """Each item's text and its token; nested items follow their parent, their text indented
    by two spaces per level (``split`` writes them as a nested list)."""
    items: list[tuple[str, Token]] = []
    depths: list[int] = []
    stack: list[int] = []
    for token in tokens[1:-1]:
        if token.type == "list_item_open":
            depths.append(len(stack))
            stack.append(len(items))
            items.append(("", token))
        elif token.type == "list_item_close" and stack:
            stack.pop()
        elif token.type == "inline" and stack:
            text, item = items[stack[-1]]
            items[stack[-1]] = (f"{text} {_inline(token)}".strip(), item)
        elif token.type in ("fence", "code_block") and stack:
            text, item = items[stack[-1]]
            items[stack[-1]] = (f"{text} `{token.content.strip()}`".strip(), item)
    return [("  " * depth + text, item)
            for (text, item), depth in zip(items, depths, strict=True) if text.strip()]


def _blockquote(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    text = "\n\n".join(_quoted_parts(reader, tokens)).strip()  # its paragraphs stay apart
    alert = _GITHUB_ALERT.match(text)
    if alert:
        label = alert["label"].capitalize()
        reader.add(Block("callout", alert["text"], lines, label=label, rule="alert"))
    elif parts := callout_parts(text):
        reader.add(Block("callout", parts[1], lines, label=parts[0], rule="callout_label"))
    elif text:
        reader.add(Block("quote", text, lines, rule="markdown_blockquote"))
    else:
        reader.drop(lines, "empty_quote: quote without text")


def _quoted_parts(reader: _Reader, tokens: Sequence[Token]) -> list[str]:
    """A quotation's paragraphs as inline Markdown, its code as fenced blocks and its tables
    as their rows (without the quote marks)."""
    parts: list[str] = []
    in_table = False
    for token in tokens:
        if token.type == "table_open":
            in_table = True
            parts.append("\n".join(clean_line(_QUOTE_MARKS.sub("", reader.lines[n - 1]))
                                   for n in reader.span(token)))
        elif token.type == "table_close":
            in_table = False
        elif in_table:
            continue
        elif token.type == "inline" and (text := _inline(token)):
            parts.append(text)
        elif token.type in ("code_block", "fence") and token.content.strip():
            parts.append(f"```\n{token.content.rstrip()}\n```")
    return parts


_QUOTE_MARKS = re.compile(r"^(?:\s*>)+\s?")


def _code(reader: _Reader, tokens: Sequence[Token]) -> None:
    token = tokens[0]
    lines = reader.span(token)
    if is_long_listing(token.content):
        reader.drop(lines, LONG_LISTING)
        return
    text = f"```{token.info.strip()}\n{token.content.rstrip()}\n```"
    reader.add(Block("paragraph", text, lines, rule="code_block"))


def _rule(reader: _Reader, tokens: Sequence[Token]) -> None:
    reader.drop(reader.span(tokens[0]), "horizontal_rule: separator")


def _table(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    rows = [clean_line(reader.lines[n - 1]) for n in lines]
    if _picture_frame(rows):
        reader.drop(list(lines), "image_caption: a table that frames a picture and its caption")
        return
    reader.add(Block("paragraph", "\n".join(rows), lines, rule="table"))


_PICTURE_CELL = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")


def _picture_frame(rows: Sequence[str]) -> bool:
    """A table of one column whose cells are pictures and their short captions: the way
    some posts set a captioned picture (``| ![Loaf](..) |`` / ``|:--:|`` / ``| *Loaf* |``)."""
    cells = [row.strip().strip("|").strip() for row in rows]
    if any("|" in cell for cell in cells):
        return False
    text = [c for c in cells if c and not set(c) <= set(":- ")]
    pictures = [c for c in text if _PICTURE_CELL.match(c)]
    return bool(pictures) and all(c in pictures or word_count(c) <= 12 for c in text)


_HANDLERS = {
    "heading": _heading,
    "paragraph": _paragraph,
    "bullet_list": _list,
    "ordered_list": _list,
    "blockquote": _blockquote,
    "fence": _code,
    "code_block": _code,
    "html_block": _html_block,
    "hr": _rule,
    "table": _table,
}


def _uncovered_lines(reader: _Reader) -> None:
    """Lines no token covers: link and footnote definitions (references when numbered)."""
    for number in range(reader.offset + 1, len(reader.lines) + 1):
        raw = reader.lines[number - 1]
        if number in reader.covered or not raw.strip() or number in reader.dropped_lines:
            continue
        match = _DEFINITION.match(raw)
        label = match["label"].lstrip("^") if match else ""
        if match and label.isdigit():
            text = _titled_target(match["text"].strip())
            reader.add(Block("reference", text, (number,), label=label,
                             rule="reference_definition"))
        else:
            reader.drop([number], "link_definition: target of a link in the text")
    reader.blocks.sort(key=lambda b: b.lines[0] if b.lines else 0)


_TITLED_TARGET = re.compile(r"^<?(?P<url>\S+?)>?\s+[\"'(](?P<title>.+)[\"')]$")


def _titled_target(text: str) -> str:
    """A link definition's target as a reference: its title, then its address
    (``https://x.org/a "A study"`` -> ``A study https://x.org/a``)."""
    match = _TITLED_TARGET.match(text)
    if match:
        return f"{_inline_text(match['title'].strip())} {match['url']}"
    return _inline_text(text.strip("<>"))


def _inline_text(text: str) -> str:
    tokens = _parser().parseInline(text)
    return _inline(tokens[0]) if tokens else text


# --- inline tokens -> inline Markdown ---------------------------------------------------------

_MARKUP = {
    "strong_open": "**",
    "strong_close": "**",
    "em_open": "*",
    "em_close": "*",
    "s_open": "~~",
    "s_close": "~~",
}


@dataclass
class _InlineState:
    hrefs: list[str] = field(default_factory=list)
    sup: list[str] | None = None
    skip: bool = False


def _inline(token: Token) -> str:
    """Inline Markdown for an inline token: links resolved, images left out, inline HTML
    made Markdown, citation markers kept."""
    out: list[str] = []
    state = _InlineState()
    for child in token.children or []:
        piece = _inline_child(child, state)
        if state.skip and child.type != "html_inline":
            continue  # the code of an inline <script> or <style> is not text
        (state.sup if state.sup is not None and child.type == "text" else out).append(piece)
    text = " ".join("".join(out).split()).replace("****", "")  # empty bold left by converters
    return _finish_links(text)


def _inline_child(child: Token, state: _InlineState) -> str:
    kind = child.type
    if kind == "text":
        return child.content
    if kind in ("softbreak", "hardbreak"):
        return " "
    if kind == "code_inline":
        return f"`{child.content}`"
    if kind == "html_inline":
        return _html_inline(child.content, state)
    if kind == "link_open":
        state.hrefs.append(str(child.attrGet("href") or ""))
        return "\ue000["
    if kind == "link_close":
        return f"]({state.hrefs.pop()})" if state.hrefs else "]"
    return _MARKUP.get(kind, "")


def _html_inline(tag: str, state: _InlineState) -> str:
    meaning, value = inline_html(tag)
    if meaning == "open_link":
        state.hrefs.append(value)
        return "\ue000["
    if meaning == "close_link":
        return f"]({state.hrefs.pop()})" if state.hrefs else ""
    if meaning == "sup":
        state.sup = []
        return ""
    if meaning == "/sup" and state.sup is not None:
        inner, state.sup = "".join(state.sup).strip(), None
        numbers = re.findall(r"\d+", inner) if re.fullmatch(r"[\d\s,–-]+", inner) else []
        return "".join(f"[{n}]" for n in numbers) if numbers else inner
    if meaning == "break":
        return " "
    if meaning in ("skip", "/skip"):
        state.skip = meaning == "skip"
        return ""
    return value


def _finish_links(text: str) -> str:
    """``[3](url)``, ``[[3]](#note-3)`` for a citation marker become ``[3]`` (the URL is a
    reference); links with no text are left out; footnote markers ``[^3]`` become ``[3]``."""
    text = re.sub(r"\ue000\[\[?\^?(\d{1,3})\]?\]\([^)]*\)", r"[\1]", text)
    text = _EDIT_LINK.sub("", text.replace("\ue000", ""))
    text = re.sub(r"\[\s*\]\([^)\s]*\)", "", text)
    return " ".join(_FOOTNOTE_MARKER.sub(r"[\1]", text).split())


def _superscript_citations(block: Block, references: dict[str, str]) -> Block:
    """``... the brain¹`` cites reference 1 when the article has a reference list."""
    def marker(match: re.Match[str]) -> str:
        number = match[1].translate(_SUPERSCRIPT)
        return f"[{number}]" if number in references else match[0]

    if block.kind == "reference":
        return block
    text = _SUPERSCRIPT_RUN.sub(marker, block.text) if block.text else block.text
    items = tuple(_SUPERSCRIPT_RUN.sub(marker, i) for i in block.items)
    return replace(block, text=text, items=items) if (text, items) != (block.text,
                                                                          block.items) else block


__all__ = ["BlockPass", "plain_heading", "read_markdown_article"]
