"""The content file ``content/<article-slug>.yaml``: an article's snippets as YAML.

The layout is the contract of DESIGN.md (outside tools read it)::

    article: {title, slug, source}
    references: {"1": url-or-text}
    snippets: [{id, kind, section, title, body, sources, words, image?}]
    dropped: [{line, text, reason}]

``image`` (optional) is ``{src, alt}``: a picture of the article kept with the snippet.

Writing is block-style, human-readable YAML with bodies as literal blocks; loading
validates every field and reports the file, the line and the field of a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..models import Article, Content, Dropped, Image, Snippet, count_words
from ..yamlfiles import FlowList, Quoted, dump_fast, text_block
from .banks import BANK_FILES

SNIPPET_FIELDS = ("id", "kind", "section", "title", "body", "sources", "words", "image")
REQUIRED_SNIPPET_FIELDS = ("id", "kind", "title", "body")
DROPPED_FIELDS = ("line", "text", "reason")
TOP_FIELDS = ("article", "references", "snippets", "dropped")


# --- writing -------------------------------------------------------------------------------


def _snippet_data(snippet: Snippet) -> dict[str, Any]:
    return {
        "id": snippet.id,
        "kind": snippet.kind,
        "section": snippet.section,
        "title": snippet.title,
        "body": text_block(snippet.body),
        "sources": FlowList(Quoted(s) for s in snippet.sources),
        "words": snippet.words,
    } | ({"image": {"src": snippet.image.src, "alt": snippet.image.alt}} if snippet.image else {})


def content_data(content: Content) -> dict[str, Any]:
    """The content as plain data in the order and shape of the content file."""
    article = content.article
    return {
        "article": {"title": article.title, "slug": article.slug, "source": article.source},
        "references": {Quoted(k): v for k, v in content.references.items()},
        "snippets": [_snippet_data(s) for s in content.snippets],
        "dropped": [{"line": d.line, "text": d.text, "reason": d.reason}
                    for d in content.dropped],
    }


def dump_content(content: Content) -> str:
    """The content file's text: readable block-style YAML, unicode kept, bodies as ``|``."""
    return "".join(content_chunks(content))


def content_chunks(content: Content) -> Iterator[str]:
    """The content file's text in pieces, the same as one dump of :func:`content_data`:
    each snippet and each dropped line is dumped alone (memory stays that of one item),
    and a dropped line's text and reason are dumped once however often they repeat (a big
    page repeats its furniture thousands of times)."""
    article = content.article
    yield _dump({"article": {"title": article.title, "slug": article.slug,
                             "source": article.source},
                 "references": {Quoted(k): v for k, v in content.references.items()}})
    yield from _items("snippets", map(_snippet_data, content.snippets))
    seen: dict[tuple[str, str], str] = {}
    yield from _items("dropped", (_dropped_item(d, seen) for d in content.dropped))


def _items(key: str, items: Iterable[dict[str, Any] | str]) -> Iterator[str]:
    """``key:`` and its list, an item at a time (a str is an item already dumped)."""
    first = True
    for item in items:
        if first:
            yield f"{key}:\n"
            first = False
        yield item if isinstance(item, str) else _dump([item])
    if first:
        yield _dump({key: []})


def _dropped_item(dropped: Dropped, seen: dict[tuple[str, str], str]) -> str:
    """One dropped line as its list item; what follows ``- line: N`` is the same text for
    every line with that text and reason (a block mapping's entries are independent)."""
    key = (dropped.text, dropped.reason)
    if key not in seen:
        item = _dump([{"line": 0, "text": dropped.text, "reason": dropped.reason}])
        seen[key] = item.removeprefix(_FIRST) if item.startswith(_FIRST) else ""
    if not seen[key]:  # never seen so far; dumped whole rather than guessed
        return _dump([{"line": dropped.line, "text": dropped.text, "reason": dropped.reason}])
    return f"- line: {dropped.line}\n{seen[key]}"


_FIRST = "- line: 0\n"


def _dump(data: Any) -> str:
    return dump_fast(data)


def write_content(content: Content, folder: Path,
                  progress: Callable[[int], None] | None = None) -> Path:
    """Write ``folder/<article.slug>.yaml`` (creating the folder) and return its path;
    ``progress`` is told how many of the snippets and dropped lines are written so far (every
    thousand, and at the end)."""
    path = folder / f"{content.article.slug}.yaml"
    if path.name in BANK_FILES:
        raise InputError(f"an article named {content.article.slug!r} would replace the bank "
                         "of that name: write it to another folder (-o)", path=path)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for count, chunk in enumerate(content_chunks(content)):
            out.write(chunk)
            if progress is not None and count % 1000 == 0:
                progress(max(count - 1, 0))  # the first chunk is the article's header
        if progress is not None:
            progress(len(content.snippets) + len(content.dropped))
    tmp.replace(path)  # a reader never sees a half-written file
    return path


# --- reading -------------------------------------------------------------------------------


class _Reader:
    """Typed access to a composed YAML node tree, with errors naming path, line and field."""

    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.path, self.loader = path, loader

    def fail(self, node: yaml.Node | None, field: str, message: str) -> InputError:
        line = node.start_mark.line + 1 if node is not None else None
        return InputError(message, path=self.path, line=line, field=field or None)

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...] | None = None
                ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "expected a mapping")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(self.value(key_node))
            name = f"{field}.{key}" if field else key
            if allowed is not None and key not in allowed:
                raise self.fail(key_node, name, f"unknown key (expected {', '.join(allowed)})")
            if key in result:
                raise self.fail(key_node, name, "duplicate key")
            result[key] = value_node
        return result

    def sequence(self, node: yaml.Node | None, field: str) -> list[yaml.Node]:
        if node is None or self.value(node) is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, "expected a list")
        return list(node.value)

    def value(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def text(self, node: yaml.Node | None, field: str, *, required: bool = True,
             parent: yaml.Node | None = None) -> str:
        if node is None:
            if required:
                raise self.fail(parent, field, "missing")
            return ""
        value = self.value(node)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(node, field, "expected text")
        if required and not str(value).strip():
            raise self.fail(node, field, "must not be empty")
        return str(value)

    def integer(self, node: yaml.Node, field: str) -> int:
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(node, field, f"expected a whole number of zero or more, got {value!r}")
        return value


def load_content(path: Path) -> Content:
    """Read and validate a content file; :class:`InputError` names path, line and field.

    A valid file is read from libyaml's events an item at a time (:mod:`.contentstream`);
    anything else is composed whole, which names the problem's line."""
    from .contentstream import read_content_text  # it reads the field names here

    text = _read(path)
    content = read_content_text(text)
    return content if content is not None else _load_composed(path, text)


def _load_composed(path: Path, text: str) -> Content:
    """The careful reader: the whole file composed into PyYAML's nodes, every problem named
    by its line and field."""
    loader, root = _compose(path, text)
    try:
        reader = _Reader(path, loader)
        if root is None:
            raise InputError("empty content file", path=path)
        top = reader.mapping(root, "", TOP_FIELDS)
        if "article" not in top:
            raise reader.fail(root, "article", "missing")
        content = Content(
            article=_article(reader, top["article"]),
            references=_references(reader, top.get("references")),
            snippets=_snippets(reader, top.get("snippets")),
            dropped=tuple(_each(reader, top.get("dropped"), "dropped", _dropped)),
        )
        _check_sources(reader, top.get("snippets"), content)
    finally:
        loader.dispose()
    return content


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("no such content file", path=path) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "cannot be read"
        raise InputError(reason, path=path) from None


def _compose(path: Path, text: str) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    loader = yaml.SafeLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        loader.dispose()
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(f"not valid YAML ({problem})", path=path,
                         line=mark.line + 1 if mark else None) from None


def _article(reader: _Reader, node: yaml.Node) -> Article:
    fields = reader.mapping(node, "article", ("title", "slug", "source"))
    return Article(
        title=reader.text(fields.get("title"), "article.title", parent=node),
        slug=reader.text(fields.get("slug"), "article.slug", parent=node),
        source=reader.text(fields.get("source"), "article.source", required=False),
    )


def _references(reader: _Reader, node: yaml.Node | None) -> dict[str, str]:
    if node is None or reader.value(node) is None:
        return {}
    fields = reader.mapping(node, "references")
    return {key: reader.text(value, f"references.{key}") for key, value in fields.items()}


def _each(reader: _Reader, node: yaml.Node | None, field: str,
          build: Callable[[_Reader, yaml.Node, str], Any]) -> list[Any]:
    return [build(reader, item, f"{field}[{i}]")
            for i, item in enumerate(reader.sequence(node, field))]


def _snippets(reader: _Reader, node: yaml.Node | None) -> tuple[Snippet, ...]:
    snippets = _each(reader, node, "snippets", _snippet)
    seen: set[str] = set()
    for index, (snippet, item) in enumerate(zip(snippets, reader.sequence(node, "snippets"),
                                                strict=True)):
        if snippet.id in seen:
            raise reader.fail(reader.mapping(item, "")["id"], f"snippets[{index}].id",
                              f"duplicate id {snippet.id!r}")
        seen.add(snippet.id)
    return tuple(snippets)


def _snippet(reader: _Reader, node: yaml.Node, field: str) -> Snippet:
    fields = reader.mapping(node, field, SNIPPET_FIELDS)
    for name in REQUIRED_SNIPPET_FIELDS:
        if name not in fields:
            raise reader.fail(node, f"{field}.{name}", "missing")
    body = reader.text(fields["body"], f"{field}.body")
    sources = tuple(reader.text(s, f"{field}.sources")
                    for s in reader.sequence(fields.get("sources"), f"{field}.sources"))
    words = fields.get("words")
    return Snippet(
        id=reader.text(fields["id"], f"{field}.id"),
        kind=reader.text(fields["kind"], f"{field}.kind"),
        section=reader.text(fields.get("section"), f"{field}.section", required=False),
        title=reader.text(fields["title"], f"{field}.title"),
        body=body.rstrip("\n"),
        sources=sources,
        words=reader.integer(words, f"{field}.words") if words is not None else count_words(body),
        image=_image(reader, fields.get("image"), f"{field}.image"),
    )


def _image(reader: _Reader, node: yaml.Node | None, field: str) -> Image | None:
    if node is None or reader.value(node) is None:
        return None
    fields = reader.mapping(node, field, ("src", "alt"))
    return Image(src=reader.text(fields.get("src"), f"{field}.src", parent=node).strip(),
                 alt=reader.text(fields.get("alt"), f"{field}.alt", required=False))


def _dropped(reader: _Reader, node: yaml.Node, field: str) -> Dropped:
    fields = reader.mapping(node, field, DROPPED_FIELDS)
    if "line" not in fields:
        raise reader.fail(node, f"{field}.line", "missing")
    return Dropped(
        line=reader.integer(fields["line"], f"{field}.line"),
        text=reader.text(fields.get("text"), f"{field}.text", required=False),
        reason=reader.text(fields.get("reason"), f"{field}.reason", required=False),
    )


def _check_sources(reader: _Reader, node: yaml.Node | None, content: Content) -> None:
    """Every source a snippet cites must be in the reference list."""
    items = reader.sequence(node, "snippets") if node is not None else []
    for index, (snippet, item) in enumerate(zip(content.snippets, items, strict=True)):
        unknown = [s for s in snippet.sources if s not in content.references]
        if unknown:
            raise reader.fail(reader.mapping(item, "")["sources"], f"snippets[{index}].sources",
                              f"reference {unknown[0]!r} is not in references")
