"""Metadata above an article's body: YAML (``---``) or TOML (``+++``) front matter, front
matter a tool wrote badly (``---title: "x"`` on the first line, a missing closing fence), and
the header lines a scraper writes (``Title:``, ``URL Source:``, ``Published Time:`` ...
``Markdown Content:``).

``read_front_matter(lines)`` says where the body starts, what the metadata holds and the
reason every metadata line is dropped with. It never raises: metadata that does not parse is
still metadata (dropped, with a reason saying so), never article text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

_MAX_FRONT_MATTER_LINES = 400


@dataclass(frozen=True)
class FrontMatter:
    """What sits above the body: its values, the first body line (0-based) and why it is
    left out of the content."""

    meta: dict[str, object] = field(default_factory=dict)
    body_start: int = 0
    reason: str = ""

    @property
    def title(self) -> str:
        """The ``title`` value, when it is a non-empty string."""
        title = self.meta.get("title")
        return title.strip() if isinstance(title, str) else ""

    @property
    def url(self) -> str:
        """The page's own address, when the metadata names one."""
        for key in ("url source", "url", "canonical", "canonicalurl", "permalink", "source"):
            value = self.meta.get(key)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value.strip()
        return ""


def read_front_matter(lines: Sequence[str]) -> FrontMatter:
    """The front matter or metadata header at the top of ``lines`` (empty when none)."""
    if not lines:
        return FrontMatter()
    first = lines[0].lstrip("\ufeff").strip()
    if first.startswith("---"):
        return _fenced(lines, "---", ("---", "..."), _yaml)
    if first.startswith("+++"):
        return _fenced(lines, "+++", ("+++",), _toml)
    if _MDX_STATEMENT.match(first):
        return _mdx_module(lines)
    return _header_lines(lines) if not _FRONT_KEY.match(first) else _unfenced(lines)


def _fenced(lines: Sequence[str], fence: str, closers: tuple[str, ...], parse) -> FrontMatter:
    """Front matter between fences; ``---title: x`` (a key glued to the fence) counts too."""
    glued = lines[0].lstrip("\ufeff").strip()[len(fence):].strip()
    if glued and not _KEY_LINE.match(glued):
        return FrontMatter()  # "----" or "--- some text": a rule or prose, not metadata
    limit = min(len(lines), _MAX_FRONT_MATTER_LINES)
    for index in range(1, limit):
        if lines[index].strip() in closers:
            source = "\n".join([glued, *lines[1:index]])
            meta = parse(source)
            kind = "YAML" if fence == "---" else "TOML"
            if meta is None and not _metadata_like(lines[1:index]):
                return FrontMatter()  # prose between two rules, not broken metadata
            if meta is None:
                reason = f"front_matter: metadata that is not valid {kind}"
                return FrontMatter({}, index + 1, reason)
            reason = ("front_matter: metadata, not content" if not glued else
                      f"front_matter: metadata (malformed {kind} fence, read anyway)")
            return FrontMatter(meta, index + 1, reason)
    return FrontMatter()


_METADATA_LINE = re.compile(r"^\s*(?:[\w\"'-][\w \"'-]{0,40}\s*[:=]|-\s|\[|[\]}\)]|#)")


def _metadata_like(lines: Sequence[str]) -> bool:
    """Most lines are ``key: value``, list entries or table headers, as metadata is."""
    texts = [line for line in lines if line.strip()]
    return sum(bool(_METADATA_LINE.match(t)) for t in texts) * 2 >= len(texts)


def _lower_keys(value: object) -> dict[str, object] | None:
    if not isinstance(value, dict):
        return None
    return {str(k).strip().lower(): v for k, v in value.items()}


def _yaml(source: str) -> dict[str, object] | None:
    try:
        return _lower_keys(yaml.safe_load(source) if source.strip() else {})
    except yaml.YAMLError:
        return None
    except (ValueError, RecursionError):  # pathological YAML: still metadata, just unread
        return None


def _toml(source: str) -> dict[str, object] | None:
    try:
        return _lower_keys(tomllib.loads(source))
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None


# --- front matter whose fences were lost ------------------------------------------------------

_FRONT_KEY = re.compile(r"^(?P<key>[a-z_][\w-]{0,30}):(?:\s|$)")
_CONTINUED = re.compile(r"^\s+\S|^-\s")  # a nested value or a list entry under a key
_FRONT_KEYS = frozenset(["title", "date", "layout", "description", "author", "authors", "tags",
                         "categories", "draft", "slug", "permalink", "image", "summary",
                         "excerpt", "published", "pubdate", "updated", "lastmod", "keywords"])


def _unfenced(lines: Sequence[str]) -> FrontMatter:
    """Front matter a site generator keeps with no fences (``layout: ...`` / ``title: ...``
    / ``date: ...`` as the file's first lines, a blank line after them): lower-case YAML keys
    a post's metadata uses, two of them at least, and valid YAML. Else no front matter, and
    the scraper's header lines are looked for instead."""
    end = next((i for i, raw in enumerate(lines[:_MAX_FRONT_MATTER_LINES]) if not raw.strip()),
               len(lines))
    head = [raw.lstrip("\ufeff") for raw in lines[:end]]
    keys = [m["key"] for raw in head if (m := _FRONT_KEY.match(raw))]
    if len(keys) < 2 or len(_FRONT_KEYS.intersection(keys)) < 2 or end >= len(lines) or any(
            not _FRONT_KEY.match(raw) and not _CONTINUED.match(raw) for raw in head):
        return _header_lines(lines)
    meta = _yaml("\n".join(head))
    if not meta:
        return _header_lines(lines)
    return FrontMatter(meta, end, "front_matter: metadata, not content (written without fences)")


# --- an MDX file's module statements -----------------------------------------------------------

_MDX_STATEMENT = re.compile(r"^(?:import\s+(?:\S.*\bfrom\s+)?[\"'][^\"']+[\"'];?|"
                            r"export\s+(?:const|let|var)\s+\w+\s*=.*)$")
_OBJECT_VALUE = re.compile(r"^\s*[\"']?(?P<key>\w+)[\"']?\s*:\s*(?P<q>[\"'`])(?P<value>.*)(?P=q)"
                           r",?\s*$")
_OBJECT_END = re.compile(r"^[}\]]\)?;?\s*$")


def _mdx_module(lines: Sequence[str]) -> FrontMatter:
    """MDX keeps a post's metadata in code above its body: ``import X from "..."`` lines and
    ``export const metadata = { title: "...", ... }`` (an object over several lines, up to
    its closing ``}``). They are metadata; the object's quoted string values are read."""
    meta: dict[str, object] = {}
    index, limit = 0, min(len(lines), _MAX_FRONT_MATTER_LINES)
    while index < limit:
        text = lines[index].lstrip("\ufeff").strip()
        if not text:
            index += 1
            continue
        if not _MDX_STATEMENT.match(text):
            break
        index += 1
        if text.endswith(("{", "[", "(")):  # the object goes on to its closing line
            while index < limit and not _OBJECT_END.match(lines[index].strip()):
                if match := _OBJECT_VALUE.match(lines[index]):
                    meta.setdefault(match["key"].lower(), match["value"])
                index += 1
            index += 1
    if not index:
        return FrontMatter()
    reason = "front_matter: metadata, not content (MDX code)"
    return FrontMatter(meta, min(index, len(lines)), reason)


# --- header lines written by scrapers ----------------------------------------------------------

_KEY_LINE = re.compile(r"^[A-Za-z_][\w -]{0,30}\s*[:=]")
_HEADER_KEYS = (
    "title|url source|url|source|published time|published|date|author|authors|byline|"
    "category|categories|tags|description|language|lang|last modified|modified|updated|"
    "site|site name|word count|reading time|canonical"
)
_HEADER_LINE = re.compile(rf"^(?P<key>{_HEADER_KEYS})\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_CONTENT_MARK = re.compile(r"^(?:markdown content|content|text|body)\s*:\s*$", re.IGNORECASE)


def _header_lines(lines: Sequence[str]) -> FrontMatter:
    """``Title: ...`` / ``URL Source: ...`` lines at the top (blank lines between allowed),
    ended by ``Markdown Content:`` or by the first other line. Two keys at least, one of them
    the title or the address, or it is ordinary text that happens to start with a label."""
    meta: dict[str, object] = {}
    end = 0
    for index, raw in enumerate(lines[:40]):
        text = raw.strip()
        if not text:
            continue
        if _CONTENT_MARK.match(text) and meta:
            end = index + 1
            break
        match = _HEADER_LINE.match(text)
        if not match or match["key"].lower() in meta:
            break
        meta[match["key"].lower()] = match["value"].strip()
        end = index + 1
    if len(meta) < 2 or not ({"title", "url source", "url"} & meta.keys()):
        return FrontMatter()
    return FrontMatter(meta, end, "metadata_header: page metadata written by the scraper")
