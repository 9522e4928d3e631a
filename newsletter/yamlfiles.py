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

import re
from typing import Any

import yaml

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
# fraction of the time for the data both emit alike, which :func:`_emits_alike` checks:
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


class _CDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter with the representers of :class:`Dumper`."""


for _type, _represent in Dumper.yaml_representers.items():
    _CDumper.add_representer(_type, _represent)


def _emits_alike(value: Any, width: int) -> bool:
    if isinstance(value, FlowMap | FlowList) and _flow_length(value) > width - _FLOW_MARGIN:
        return False
    if isinstance(value, dict):
        return all(_emits_alike(k, width) and _emits_alike(v, width) for k, v in value.items())
    if isinstance(value, list):
        return all(_emits_alike(v, width) for v in value)
    if isinstance(value, Quoted):
        return value.isdigit() and len(value) <= 6
    if isinstance(value, Literal):
        return _ALIKE_BLOCK.fullmatch(value) is not None
    if isinstance(value, Timestamp):
        return _TIMESTAMP.fullmatch(value) is not None
    if isinstance(value, str):
        return _ALIKE_TEXT.fullmatch(value) is not None and type(value) is str
    return type(value) is int or value is None


def _flow_length(value: FlowMap | FlowList) -> int:
    """The characters of a flow collection on its line, about (quotes and escapes at most
    double a text)."""
    if isinstance(value, list):
        return sum(len(str(v)) + 4 for v in value)
    return sum(len(str(k)) + 2 * len(str(v)) + 6 for k, v in value.items())


def dump_fast(data: Any, *, width: int = 100) -> str:
    """The text :func:`dump` gives, written by libyaml's emitter when that gives the same
    text (see above), else by :func:`dump`."""
    if yaml.__with_libyaml__ and _emits_alike(data, width):
        text = yaml.dump(data, Dumper=_CDumper, sort_keys=False, allow_unicode=True,
                         width=width, default_flow_style=False)
        if not text.endswith("\n...\n"):
            return text
    return dump(data, width=width)
