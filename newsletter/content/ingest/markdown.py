"""Markdown (optionally with YAML front matter) -> Document, from markdown-it-py tokens.

Line numbers are source line numbers (``token.map``, shifted past the front matter). Every
non-blank line ends in one block, one reference entry or one dropped record: front matter
keys, images, HTML comments, horizontal rules and link definitions are dropped with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ...models import Block, Document, Dropped
from .lines import (
    callout_parts,
    clean_line,
    final_char,
    is_reference_heading,
    mark_faq_questions,
    reference_entry,
)
from .noise import (
    is_signup_line,
    is_skip_link,
)
from .text import (
    title_from_source,
)

_PARSER: MarkdownIt | None = None
_GITHUB_ALERT = re.compile(r"^\[!(?P<label>\w+)\]\s*(?P<text>.*)$")
_DEFINITION = re.compile(r"^\s{0,3}\[(?P<label>\^?[^\]]+)\]:\s*(?P<text>\S.*)$")
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_MARKER = re.compile(r"\[\^(\d{1,3})\](?!:)")


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _PARSER


@dataclass
class _Reader:
    """The state of one Markdown read: source lines, blocks and dropped lines so far."""

    lines: list[str]
    offset: int  # source lines before the Markdown body (front matter)
    blocks: list[Block] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    covered: set[int] = field(default_factory=set)
    image_end: int = -9  # the last source line of the latest picture-only paragraph

    def span(self, token: Token) -> tuple[int, ...]:
        """The non-blank source line numbers a block token covers."""
        if not token.map:
            return ()
        numbers = range(self.offset + token.map[0] + 1, self.offset + token.map[1] + 1)
        self.covered.update(numbers)
        return tuple(n for n in numbers if n <= len(self.lines) and self.lines[n - 1].strip())

    def drop(self, numbers: Sequence[int], reason: str) -> None:
        """Record source lines as dropped."""
        self.dropped.extend(Dropped(n, clean_line(self.lines[n - 1]), reason) for n in numbers)


def read_markdown_article(text: str, source: str = "") -> Document:
    """Read Markdown into a Document; the front matter's ``title`` wins (never raises)."""
    lines = re.split(r"\r\n|\r|\n", text)
    meta, body_start = _front_matter(lines)
    reader = _Reader(lines, body_start)
    _front_matter_lines(reader, meta, body_start)
    tokens = _parser().parse("\n".join(lines[body_start:]))
    _walk(reader, tokens)
    _uncovered_lines(reader)
    blocks = _with_title(reader, meta.get("title"))
    blocks = mark_faq_questions(blocks)
    title = _title(meta, blocks) or title_from_source(source)
    references = {b.label: b.text for b in blocks if b.kind == "reference"}
    return Document(
        title=title,
        source=source,
        blocks=blocks,
        references=references,
        dropped=tuple(sorted(reader.dropped, key=lambda d: d.line)),
    )


# --- front matter --------------------------------------------------------------------------


def _front_matter(lines: list[str]) -> tuple[dict, int]:
    """The YAML front matter (``{}`` when absent or unreadable) and the body's first line."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:index]))
            except yaml.YAMLError:
                meta = None
            return (meta if isinstance(meta, dict) else {"": None}), index + 1
    return {}, 0


def _front_matter_lines(reader: _Reader, meta: dict, body_start: int) -> None:
    numbers = [n for n in range(1, body_start + 1) if reader.lines[n - 1].strip()]
    reader.covered.update(range(1, body_start + 1))
    reason = "front_matter: metadata, not content"
    if "" in meta:
        reason = "front_matter: metadata that is not valid YAML"
    reader.drop(numbers, reason)


def _title_line(reader: _Reader) -> int:
    for dropped in reader.dropped:
        if dropped.text.startswith("title:"):
            return dropped.line
    return 0


def _with_title(reader: _Reader, title: object) -> tuple[Block, ...]:
    """Blocks with a level-1 title block made from front matter when the body has no h1."""
    has_h1 = any(b.kind == "heading" and b.level == 1 for b in reader.blocks)
    if not isinstance(title, str) or not title.strip() or has_h1:
        return tuple(reader.blocks)
    number = _title_line(reader)
    reader.dropped = [d for d in reader.dropped if d.line != number]
    block = Block("heading", title.strip(), (number,) if number else (), level=1, rule="title")
    return (block, *reader.blocks)


def _title(meta: dict, blocks: Sequence[Block]) -> str:
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    headings = [b for b in blocks if b.kind == "heading"]
    first_h1 = next((b for b in headings if b.level == 1), None)
    chosen = first_h1 or (headings[0] if headings else None)
    return chosen.text if chosen else ""


# --- block tokens --------------------------------------------------------------------------


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the token that closes ``tokens[start]``."""
    level = tokens[start].level
    for index in range(start + 1, len(tokens)):
        if tokens[index].level == level and tokens[index].nesting == -1:
            return index
    return len(tokens) - 1


def _walk(reader: _Reader, tokens: Sequence[Token]) -> None:
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = _closing(tokens, index) if token.nesting == 1 else index
        handler = _HANDLERS.get(token.type.removesuffix("_open"))
        if handler:
            handler(reader, tokens[index : end + 1])
        index = end + 1


def _heading(reader: _Reader, tokens: Sequence[Token]) -> None:
    text = _inline(reader, tokens[1])
    lines = reader.span(tokens[0])
    reader.blocks.append(
        Block(
            "heading", text, lines, level=int(tokens[0].tag[1:]), rule=f"markdown_{tokens[0].tag}"
        )
    )


def _paragraph(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    inline = tokens[1]
    if _only_images(inline):
        reader.drop(lines, "image: picture (alt text is not content)")
        reader.image_end = lines[-1] if lines else -9
        return
    if _image_with_caption(inline):
        reader.drop(lines, "image_caption: picture with its caption (emphasised line under it)")
        return
    if lines and lines[0] - reader.image_end <= 2 and _only_emphasis(inline):
        reader.drop(lines, "image_caption: emphasised line right under a picture")
        return
    text = _inline(reader, inline)
    if _all_reference_entries(reader, lines):
        _reference_lines(reader, lines)
    elif len(lines) == 1 and (is_skip_link(text) or is_signup_line(text)):
        reader.drop(lines, "signup_or_skip_link: page furniture")
    elif parts := callout_parts(text):
        reader.blocks.append(
            Block("callout", parts[1], lines, label=parts[0], rule="callout_label")
        )
    else:
        reader.blocks.append(Block("paragraph", text, lines, rule="markdown_paragraph"))


def _all_reference_entries(reader: _Reader, lines: Sequence[int]) -> bool:
    texts = [reader.lines[n - 1].strip() for n in lines]
    return bool(texts) and all(t.startswith("[") and reference_entry(t) for t in texts)


def _reference_lines(reader: _Reader, lines: Sequence[int]) -> None:
    for number in lines:
        label, text = reference_entry(reader.lines[number - 1].strip()) or ("", "")
        reader.blocks.append(
            Block("reference", text, (number,), label=label, rule="reference_entry")
        )


def _only_images(inline: Token) -> bool:
    children = inline.children or []
    has_image = any(c.type == "image" for c in children)
    rest = [c for c in children if c.type not in ("image", "softbreak", "hardbreak")]
    return has_image and all(c.type == "text" and not c.content.strip() for c in rest)


def _only_emphasis(inline: Token) -> bool:
    """The whole paragraph is one ``*emphasised*`` (or ``**strong**``) span, and short."""
    children = [c for c in inline.children or [] if c.type not in ("softbreak", "hardbreak")]
    if len(children) < 3 or children[0].type not in ("em_open", "strong_open"):
        return False
    words = sum(len(c.content.split()) for c in children if c.type == "text")
    return children[-1].type == children[0].type.replace("open", "close") and words <= 30


def _image_with_caption(inline: Token) -> bool:
    """A picture followed on the next line by its emphasised caption, in one paragraph."""
    children = inline.children or []
    breaks = [i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")]
    if len(breaks) != 1:
        return False
    before, after = children[: breaks[0]], children[breaks[0] + 1 :]
    pictures = all(c.type == "image" or (c.type == "text" and not c.content.strip())
                   for c in before) and any(c.type == "image" for c in before)
    caption = Token("inline", "", 0, children=after)
    return pictures and _only_emphasis(caption)


def _list(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    ordered = tokens[0].type == "ordered_list_open"
    items = _list_items(reader, tokens)
    previous = reader.blocks[-1] if reader.blocks else None
    if previous is not None and is_reference_heading(previous.text) and ordered:
        _reference_items(reader, tokens)
        return
    block = Block(
        "list", lines=lines, items=tuple(t for t, _ in items), ordered=ordered, rule="markdown_list"
    )
    if previous is not None and previous.kind == "paragraph" and final_char(previous.text) == ":":
        reader.blocks.pop()
        block = replace(
            block, lead=previous.text, lines=(*previous.lines, *lines), rule="markdown_list+lead"
        )
    reader.blocks.append(block)


def _list_items(reader: _Reader, tokens: Sequence[Token]) -> list[tuple[str, Token]]:
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
            items[stack[-1]] = (f"{text} {_inline(reader, token)}".strip(), item)
        elif token.type in ("fence", "code_block") and stack:
            text, item = items[stack[-1]]
            items[stack[-1]] = (f"{text} `{token.content.strip()}`".strip(), item)
    return [("  " * depth + text, item)
            for (text, item), depth in zip(items, depths, strict=True) if text]


def _reference_items(reader: _Reader, tokens: Sequence[Token]) -> None:
    number = int(tokens[0].attrGet("start") or 1)
    for text, item in _list_items(reader, tokens):
        label = str(number)
        reader.blocks.append(
            Block("reference", text.strip(), reader.span(item), label=label, rule="reference_entry")
        )
        number += 1


def _blockquote(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    text = " ".join(_inline(reader, t) for t in tokens if t.type == "inline").strip()
    alert = _GITHUB_ALERT.match(text)
    if alert:
        label = alert["label"].capitalize()
        reader.blocks.append(Block("callout", alert["text"], lines, label=label, rule="alert"))
    elif parts := callout_parts(text):
        reader.blocks.append(
            Block("callout", parts[1], lines, label=parts[0], rule="callout_label")
        )
    elif text:
        reader.blocks.append(Block("quote", text, lines, rule="markdown_blockquote"))
    else:
        reader.drop(lines, "empty_quote: quote without text")


def _code(reader: _Reader, tokens: Sequence[Token]) -> None:
    token = tokens[0]
    lines = reader.span(token)
    text = f"```{token.info.strip()}\n{token.content.rstrip()}\n```"
    reader.blocks.append(Block("paragraph", text, lines, rule="code_block"))


def _html_block(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    content = tokens[0].content.strip()
    text = " ".join(_TAG.sub(" ", content).split())
    if content.startswith("<!--"):
        reader.drop(lines, "html_comment: not shown to readers")
    elif text:
        reader.blocks.append(Block("paragraph", text, lines, rule="html_block"))
    else:
        reader.drop(lines, "html_block: markup without text")


def _rule(reader: _Reader, tokens: Sequence[Token]) -> None:
    reader.drop(reader.span(tokens[0]), "horizontal_rule: separator")


def _table(reader: _Reader, tokens: Sequence[Token]) -> None:
    lines = reader.span(tokens[0])
    rows = [clean_line(reader.lines[n - 1]) for n in lines]
    reader.blocks.append(Block("paragraph", "\n".join(rows), lines, rule="table"))


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
        if number in reader.covered or not raw.strip():
            continue
        match = _DEFINITION.match(raw)
        label = match["label"].lstrip("^") if match else ""
        if match and label.isdigit():
            text = match["text"].strip().strip("<>")
            reader.blocks.append(
                Block("reference", text, (number,), label=label, rule="reference_definition")
            )
        else:
            reader.drop([number], "link_definition: target of a link in the text")
    reader.blocks.sort(key=lambda b: b.lines[0] if b.lines else 0)


# --- inline tokens -> inline Markdown ---------------------------------------------------------

_MARKUP = {
    "strong_open": "**",
    "strong_close": "**",
    "em_open": "*",
    "em_close": "*",
    "s_open": "~~",
    "s_close": "~~",
}


def _inline(reader: _Reader, token: Token) -> str:
    """Inline Markdown for an inline token: links resolved, images left out, markers kept."""
    out: list[str] = []
    hrefs: list[str] = []
    for child in token.children or []:
        out.append(_inline_child(child, hrefs))
    return _finish_links(" ".join("".join(out).split()))


def _inline_child(child: Token, hrefs: list[str]) -> str:
    kind = child.type
    if kind == "text":
        return child.content
    if kind in ("softbreak", "hardbreak"):
        return " "
    if kind == "code_inline":
        return f"`{child.content}`"
    if kind == "html_inline":
        return child.content
    if kind == "link_open":
        hrefs.append(str(child.attrGet("href") or ""))
        return "\ue000["
    if kind == "link_close":
        return f"]({hrefs.pop()})" if hrefs else "]"
    return _MARKUP.get(kind, "")


def _finish_links(text: str) -> str:
    """``[3](url)`` for a citation marker becomes ``[3]`` again (the URL is a reference)."""
    text = re.sub(r"\ue000\[\^?(\d{1,3})\]\([^)]*\)", r"[\1]", text).replace("\ue000", "")
    return _FOOTNOTE_MARKER.sub(r"[\1]", text)
