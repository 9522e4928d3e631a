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
