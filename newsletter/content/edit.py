"""Edits of a split article by a person: retitle or retype a snippet, merge two, split one,
and put a dropped line back into a snippet.

Pure functions over :class:`~newsletter.models.Content`: the studio calls them, then
writes the content file. Word counts and sources are recomputed from the new bodies the
way ``split`` computes them, so the file stays what ``plan`` expects.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..models import Content, Snippet, count_words
from .split import markers, snippet_id

KINDS: tuple[str, ...] = ("tip", "fact", "steps", "faq", "list", "cta", "quote")


def _index(content: Content, snippet: str) -> int:
    for i, found in enumerate(content.snippets):
        if found.id == snippet:
            return i
    raise InputError(f"no snippet {snippet!r} in {content.article.slug}", field="snippet")


def _with_body(snippet: Snippet, body: str) -> Snippet:
    body = body.strip()
    return replace(snippet, body=body, words=count_words(body), sources=markers(body))


def _replaced(content: Content, index: int, *new: Snippet) -> Content:
    snippets = list(content.snippets)
    snippets[index:index + 1] = new
    return replace(content, snippets=tuple(snippets))


def change_snippet(content: Content, snippet: str, *, kind: str, title: str) -> Content:
    """The content with snippet ``snippet`` given another kind and title."""
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not a snippet kind (one of {', '.join(KINDS)})",
                         field="kind")
    if not title.strip():
        raise InputError("a snippet needs a title", field="title")
    index = _index(content, snippet)
    found = content.snippets[index]
    return _replaced(content, index, replace(found, kind=kind, title=title.strip()))


def merge_snippets(content: Content, first: str, second: str) -> Content:
    """Snippet ``second`` appended to ``first`` (which keeps its place, id, kind and title)."""
    if first == second:
        raise InputError("choose two different snippets to merge", field="snippet")
    a, b = _index(content, first), _index(content, second)
    merged = _with_body(content.snippets[a],
                        f"{content.snippets[a].body}\n\n{content.snippets[b].body}")
    snippets = [merged if i == a else s for i, s in enumerate(content.snippets) if i != b]
    return replace(content, snippets=tuple(snippets))


def paragraphs(body: str) -> list[str]:
    """A Markdown body's blank-line separated parts (where a snippet can be split)."""
    return [part.strip() for part in body.split("\n\n") if part.strip()]


def split_snippet(content: Content, snippet: str, at: int) -> Content:
    """Snippet ``snippet`` cut before its paragraph ``at`` (1 = after the first paragraph).

    The second part gets the title "<title> (continued)" and an id of its own.
    """
    index = _index(content, snippet)
    found = content.snippets[index]
    parts = paragraphs(found.body)
    if not 0 < at < len(parts):
        raise InputError(f"snippet {snippet!r} has {len(parts)} paragraphs: it can be split "
                         f"after paragraph 1 to {len(parts) - 1}" if len(parts) > 1 else
                         f"snippet {snippet!r} has one paragraph: nothing to split",
                         field="at")
    head = _with_body(found, "\n\n".join(parts[:at]))
    tail_body = "\n\n".join(parts[at:])
    title = f"{found.title} (continued)"
    taken = {s.id for s in content.snippets}
    tail = _with_body(replace(found, id=snippet_id(title, tail_body, taken), title=title),
                      tail_body)
    return _replaced(content, index, head, tail)


def restore_dropped(content: Content, dropped: int, snippet: str) -> Content:
    """Dropped line number ``dropped`` (its index in ``content.dropped``) put back as the last
    paragraph of snippet ``snippet``."""
    if not 0 <= dropped < len(content.dropped):
        raise InputError(f"no dropped line #{dropped} in {content.article.slug}",
                         field="dropped")
    line = content.dropped[dropped]
    index = _index(content, snippet)
    found = content.snippets[index]
    restored = _replaced(content, index, _with_body(found, f"{found.body}\n\n{line.text}"))
    rest = tuple(d for i, d in enumerate(content.dropped) if i != dropped)
    return replace(restored, dropped=rest)
