"""How the files people edit are written as YAML: one dumper for issue, content and bank files.

Every file a marketer reviews in git (``issues/*.yaml``, ``content/<article>.yaml``,
``content/testimonials.yaml``, ``content/resources.yaml``) is written block-style, keys in
the order given, unicode kept, with these marks for the values that read better another
way:

- :class:`Literal` — a multi-line text as a ``|`` block (see :func:`text_block`);
- :class:`FlowMap` / :class:`FlowList` — a small mapping or list on one line
  (``{n: '1', url: ...}``, ``["1", "3"]``);
- :class:`Quoted` — a string double-quoted (reference numbers stay strings);
- :class:`Timestamp` — an ISO time as a plain YAML timestamp (no quotes).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

STR = "tag:yaml.org,2002:str"


class Literal(str):
    """A string written as a YAML literal block (``|``)."""


class Quoted(str):
    """A string written double-quoted."""


class Timestamp(str):
    """An ISO time written as a plain YAML timestamp (no quotes)."""


class FlowMap(dict):  # type: ignore[type-arg]
    """A mapping written in flow style (``{src: ..., alt: ...}``)."""


class FlowList(list):  # type: ignore[type-arg]
    """A list written in flow style (``["1", "3"]``)."""


class Dumper(yaml.SafeDumper):
    """Block-style dumper that knows the marks above."""


# PyYAML falls back to a quoted style by itself when a literal block cannot hold the text.
Dumper.add_representer(Literal, lambda d, v: d.represent_scalar(STR, str(v), style="|"))
Dumper.add_representer(Quoted, lambda d, v: d.represent_scalar(STR, str(v), style='"'))
Dumper.add_representer(Timestamp, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:timestamp", str(v)))
Dumper.add_representer(FlowMap, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=True))
Dumper.add_representer(FlowList, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=True))


def text_block(text: str) -> Literal:
    """Text as a literal block can hold it: no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return Literal("\n".join(lines) + "\n")


def dump(data: Any, *, width: int = 100) -> str:
    """``data`` as the YAML text of a file people edit (lines folded at ``width``)."""
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=False)


# --- the same text, faster ---------------------------------------------------------------
#
# PyYAML's emitter is pure Python (about 40 µs a scalar); libyaml's writes the same text in a
# fraction of the time for the data both emit alike, which :func:`_node_events` checks:
# no character either escapes or breaks differently (controls, tabs, CR, NEL, the line and
# paragraph separators, the byte order mark, surrogates, characters past U+FFFF, which
# libyaml escapes), line breaks only inside literal blocks, quoted strings only as short
# numbers, flow lists and mappings that fit on their line (the two fold long quoted and flow
# text differently), timestamps in ISO form. A document libyaml ends with a ``...`` marker is
# dumped again by PyYAML.

_ALIKE = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_ALIKE_TEXT = re.compile(f"[{_ALIKE}]*")
_ALIKE_BLOCK = re.compile(f"[\n{_ALIKE}]*")
_FLOW_MARGIN = 40  # a flow list or mapping this much shorter than ``width`` is never folded
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d)?")


_CDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter

_RESOLVER = yaml.resolver.Resolver()
_TAG = "tag:yaml.org,2002:"


def _scalar(tag: str, value: str, style: str | None = None) -> ScalarEvent:
    """The event PyYAML's serializer makes of a scalar node (its implicit flags resolved);
    a short one (a key, a number, a kind) made once."""
    return _short_scalar(tag, value, style) if len(value) <= 40 else \
        _scalar_event(tag, value, style)


def _scalar_event(tag: str, value: str, style: str | None) -> ScalarEvent:
    plain = _RESOLVER.resolve(ScalarNode, value, (True, False))
    return ScalarEvent(None, tag, (plain == tag, tag == STR), value, style=style)


_short_scalar = functools.lru_cache(maxsize=4096)(_scalar_event)


def _node_events(value: Any, width: int, events: list[Event], seen: set[int]) -> bool:
    """Add the events PyYAML's representer and serializer make of ``value`` to ``events``;
    False when ``value`` is not what both emitters write alike (see above), or holds one
    collection twice (PyYAML writes an anchor)."""
    kind = type(value)
    if kind is str:
        if _ALIKE_TEXT.fullmatch(value) is None:
            return False
        events.append(_scalar(STR, value))
    elif kind is Literal:
        if _ALIKE_BLOCK.fullmatch(value) is None:
            return False
        events.append(_scalar(STR, str(value), "|"))
    elif kind is Quoted:
        if not (value.isdigit() and len(value) <= 6):
            return False
        events.append(_scalar(STR, str(value), '"'))
    elif kind is Timestamp:
        if _TIMESTAMP.fullmatch(value) is None:
            return False
        events.append(_scalar(_TAG + "timestamp", str(value)))
    elif kind is int:
        events.append(_scalar(_TAG + "int", str(value)))
    elif value is None:
        events.append(_scalar(_TAG + "null", "null"))
    elif kind is dict or kind is FlowMap or kind is list or kind is FlowList:
        return _collection_events(value, width, events, seen)
    else:
        return False
    return True


def _collection_events(value: dict[Any, Any] | list[Any], width: int, events: list[Event],
                       seen: set[int]) -> bool:
    flow = isinstance(value, FlowMap | FlowList)
    if (flow and _flow_length(value) > width - _FLOW_MARGIN) or id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, dict):
        events.append(MappingStartEvent(None, _TAG + "map", True, flow_style=flow))
        for key, item in value.items():
            if not (_node_events(key, width, events, seen)
                    and _node_events(item, width, events, seen)):
                return False
        events.append(MappingEndEvent())
    else:
        events.append(SequenceStartEvent(None, _TAG + "seq", True, flow_style=flow))
        if not all(_node_events(item, width, events, seen) for item in value):
            return False
        events.append(SequenceEndEvent())
    return True


def _flow_length(value: FlowMap | FlowList) -> int:
    """The characters of a flow collection on its line, about (quotes and escapes at most
    double a text)."""
    if isinstance(value, list):
        return sum(len(str(v)) + 4 for v in value)
    return sum(len(str(k)) + 2 * len(str(v)) + 6 for k, v in value.items())


def dump_fast(data: Any, *, width: int = 100) -> str:
    """The text :func:`dump` gives, written by libyaml's emitter when that gives the same
    text (see above), else by :func:`dump`. The events are made here, as PyYAML's
    representer and serializer would make them (which cost most of a dump)."""
    events: list[Event] = [StreamStartEvent(), DocumentStartEvent()]
    if yaml.__with_libyaml__ and _node_events(data, width, events, set()):
        events += [DocumentEndEvent(), StreamEndEvent()]
        text = yaml.emit(events, Dumper=_CDumper, width=width, allow_unicode=True)
        if not text.endswith("\n...\n"):
            return text
    return dump(data, width=width)
