"""A content file read fast and in bounded memory: libyaml's events, an item at a time.

The careful reader of :mod:`contentfile` composes the whole file into PyYAML's node tree,
line numbers and all, so that a problem is named by line and field; for the content file
of a big page (15 MB, 100,000 snippets and dropped lines) that took half a minute and
more than 600 MB. This reader takes libyaml's parser events instead and builds each
snippet and dropped line as it comes, with PyYAML's own resolver and constructors for the
values and the careful reader's checks on them. It gives up (``None``) at anything it does
not handle (anchors, aliases, tags) and at the first check that fails: the careful reader
then reads the file again, and names the problem as it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from ..models import Article, Content, Dropped, Image, Snippet, count_words
from . import contentfile

SNIPPET_FIELDS = frozenset(contentfile.SNIPPET_FIELDS)
DROPPED_FIELDS = frozenset(contentfile.DROPPED_FIELDS)
TOP_FIELDS = frozenset(contentfile.TOP_FIELDS)
ARTICLE_FIELDS = frozenset(("title", "slug", "source"))
IMAGE_FIELDS = frozenset(("src", "alt"))
_STR = "tag:yaml.org,2002:str"
_CONSTRUCTED = frozenset(f"tag:yaml.org,2002:{name}"
                         for name in ("null", "bool", "int", "float", "timestamp"))
_ABSENT = object()


class _GiveUp(Exception):
    """The file holds something this reader leaves to the careful one."""


def read_content_text(text: str) -> Content | None:
    """The content of a content file's ``text``, or ``None`` when libyaml is missing, the
    text is not a valid content file, or it uses YAML this reader does not handle."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    loader = yaml.CSafeLoader(text)
    try:
        return _Events(loader).content()
    except (_GiveUp, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


class _Events:
    """The document's values built from libyaml's events, as PyYAML would construct them."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.next = loader.get_event
        self.at = loader.check_event

    def expect(self, kind: type) -> None:
        if not isinstance(self.next(), kind):
            raise _GiveUp

    def content(self) -> Content:
        """The one document: a mapping of the four top-level keys."""
        self.expect(StreamStartEvent)
        self.expect(DocumentStartEvent)
        self.expect(MappingStartEvent)
        top: dict[str, Any] = {}
        while not self.at(MappingEndEvent):
            key = self.key()
            if key not in TOP_FIELDS or key in top:
                raise _GiveUp
            if key == "snippets":
                top[key] = tuple(self.items(_snippet))
            elif key == "dropped":
                top[key] = tuple(self.items(_dropped))
            else:
                top[key] = self.value()
        self.next()
        self.expect(DocumentEndEvent)
        self.expect(StreamEndEvent)
        if "article" not in top:
            raise _GiveUp
        content = Content(article=_article(top["article"]),
                          references=_references(top.get("references", _ABSENT)),
                          snippets=top.get("snippets", ()), dropped=top.get("dropped", ()))
        _check_snippets(content)
        return content

    def items(self, build: Callable[[Any], Any]) -> Iterator[Any]:
        """A top-level list built an item at a time (``null`` is an empty list)."""
        if not self.at(SequenceStartEvent):
            if self.value() is not None:
                raise _GiveUp
            return
        self.next()
        while not self.at(SequenceEndEvent):
            yield build(self.value())
        self.next()

    def key(self) -> str:
        event = self.next()
        if not isinstance(event, ScalarEvent):
            raise _GiveUp
        return str(self.scalar(event))

    def value(self) -> Any:
        event = self.next()
        if isinstance(event, ScalarEvent):
            return self.scalar(event)
        if isinstance(event, AliasEvent) or event.anchor is not None or event.tag is not None:
            raise _GiveUp
        if isinstance(event, MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not self.at(MappingEndEvent):
                key = self.key()
                if key in mapping:
                    raise _GiveUp
                mapping[key] = self.value()
            self.next()
            return mapping
        if isinstance(event, SequenceStartEvent):
            sequence = []
            while not self.at(SequenceEndEvent):
                sequence.append(self.value())
            self.next()
            return sequence
        raise _GiveUp

    def scalar(self, event: ScalarEvent) -> Any:
        """The scalar's value as PyYAML's SafeLoader constructs it."""
        if event.anchor is not None or event.tag is not None:
            raise _GiveUp
        if not event.implicit[0]:  # quoted or a block: a string
            return event.value
        tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
        if tag not in _CONSTRUCTED:
            raise _GiveUp
        return self.loader.yaml_constructors[tag](self.loader, ScalarNode(tag, event.value))


# --- the careful reader's checks, on values ------------------------------------------------


def _fields(value: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or not allowed.issuperset(value):
        raise _GiveUp
    return value


def _text(fields: dict[str, Any], name: str, *, required: bool = True) -> str:
    return _text_value(fields.get(name, _ABSENT), required=required)


def _text_value(value: Any, *, required: bool = True) -> str:
    if value is _ABSENT:
        if required:
            raise _GiveUp
        return ""
    if value is None and not required:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _GiveUp
    if required and not str(value).strip():
        raise _GiveUp
    return str(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _GiveUp
    return value


def _sequence(value: Any) -> list[Any]:
    if value is _ABSENT or value is None:
        return []
    if not isinstance(value, list):
        raise _GiveUp
    return value


def _article(value: Any) -> Article:
    fields = _fields(value, ARTICLE_FIELDS)
    return Article(title=_text(fields, "title"), slug=_text(fields, "slug"),
                   source=_text(fields, "source", required=False))


def _references(value: Any) -> dict[str, str]:
    if value is _ABSENT or value is None:
        return {}
    if not isinstance(value, dict):
        raise _GiveUp
    return {key: _text_value(text) for key, text in value.items()}


def _snippet(value: Any) -> Snippet:
    fields = _fields(value, SNIPPET_FIELDS)
    body = _text(fields, "body")
    sources = tuple(_text_value(s) for s in _sequence(fields.get("sources", _ABSENT)))
    words = fields.get("words", _ABSENT)
    return Snippet(
        id=_text(fields, "id"),
        kind=_text(fields, "kind"),
        section=_text(fields, "section", required=False),
        title=_text(fields, "title"),
        body=body.rstrip("\n"),
        sources=sources,
        words=count_words(body) if words is _ABSENT else _integer(words),
        image=_image(fields.get("image")),
    )


def _image(value: Any) -> Image | None:
    if value is None:
        return None
    fields = _fields(value, IMAGE_FIELDS)
    return Image(src=_text(fields, "src").strip(), alt=_text(fields, "alt", required=False))


def _dropped(value: Any) -> Dropped:
    fields = _fields(value, DROPPED_FIELDS)
    if "line" not in fields:
        raise _GiveUp
    return Dropped(line=_integer(fields["line"]), text=_text(fields, "text", required=False),
                   reason=_text(fields, "reason", required=False))


def _check_snippets(content: Content) -> None:
    """Snippet ids are unique and every source a snippet cites is in the reference list."""
    ids = {snippet.id for snippet in content.snippets}
    if len(ids) != len(content.snippets):
        raise _GiveUp
    if any(s not in content.references for snippet in content.snippets for s in snippet.sources):
        raise _GiveUp
