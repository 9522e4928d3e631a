"""Cut a Document into tip-sized, typed snippets: the content the planner draws from.

Cutting works on sections (a heading and what follows up to the next heading). Each
section becomes a list of atomic units (a paragraph, a whole list with its lead-in, a
callout, a quote); units pack into snippets by size, aiming for the middle of the bounds.
A section that fits stays whole; a long one is cut at unit boundaries (a long list between
items, each part keeping its lead-in; a long paragraph between sentences); short sibling
sections merge. Citation markers ``[3]`` become footnote markers ``[^3]``, so a snippet's
sources are exactly the markers in its body.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from ..models import Article, Content, Document, Snippet
from .contentfile import count_words
from .kinds import chunk_kind
from .packing import Bounds, Chunk, chunk_section, merge_short
from .pitch import cta_reason, split_off_pitch
from .sections import (
    drop_unlisted_citations,
    glue_leads,
    markers,
    place_empty_headings,
    read_sections,
)


def _merged_under_parent(chunk: Chunk) -> bool:
    """Merged sections that all sit under the first one's empty parent heading."""
    first = chunk.sections[0]
    return len(chunk.sections) > 1 and bool(first.parent) and all(
        s.path[:-1] == first.path[:-1] for s in chunk.sections)


def chunk_body(chunk: Chunk) -> str:
    """The Markdown body: units in order; merged sections keep their headings in bold."""
    if len(chunk.sections) == 1:
        return "\n\n".join(u.markdown for u in chunk.units)
    labelled = chunk.sections if _merged_under_parent(chunk) else chunk.sections[1:]
    parts = [] if labelled is chunk.sections else [u.markdown for u in chunk.sections[0].units]
    for section in labelled:  # merged chunks hold whole sections only
        parts.append(f"**{section.heading or section.title}**")
        parts.extend(u.markdown for u in section.units)
    return "\n\n".join(parts)


def chunk_title(chunk: Chunk, used: set[str]) -> str:
    """The section heading; a later part of a cut section is named by its callout's label, or
    as a numbered part (a list's lead-in already opens the part's body: never shown twice)."""
    section = chunk.sections[0]
    if _merged_under_parent(chunk):
        return section.parent
    if chunk.part <= 1:
        return section.title
    first = chunk.units[0] if chunk.units else None
    if first and first.kind == "callout" and first.label and len(first.label) <= 90:
        title = f"{first.label}: {section.title}"
        if title.casefold() not in used:
            return title
    return f"{section.title} (part {chunk.part})"


def slugify(text: str, limit: int = 48) -> str:
    """A lowercase ASCII slug (``"What Is It?"`` -> ``"what-is-it"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def snippet_id(title: str, body: str, taken: set[str]) -> str:
    """Slug of the title + a short hash of the body: stable across re-splits, unique here."""
    digest = hashlib.sha1(body.encode("utf-8")).hexdigest()[:6]
    base = f"{slugify(title) or 'snippet'}-{digest}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _section_path(chunk: Chunk) -> str:
    section = chunk.sections[0]
    path = section.path[:-1] if _merged_under_parent(chunk) else section.path
    return " > ".join(path) or section.title


def _lines(chunk: Chunk) -> tuple[int, ...]:
    # a cut section's heading belongs to its first part (later parts name it as their section)
    lines = {line for s in chunk.sections for line in s.heading_lines} if chunk.part <= 1 else set()
    lines.update(line for u in chunk.units for line in u.lines)
    return tuple(sorted(lines))


# --- entry point --------------------------------------------------------------------------------


def split(document: Document, *, min_words: int = 40, max_words: int = 180,
          products: Sequence[str] = ()) -> Content:
    """Cut ``document`` into snippets of ``min_words``..``max_words`` words (aiming between).

    Sections that pitch one of ``products`` (or read as a pitch) become ``cta`` snippets.
    Every line of the document ends up in a snippet, the references or ``dropped``.
    """
    bounds = Bounds(max(1, min(min_words, max_words)), max(1, max_words, min_words))
    references = dict(document.references)
    document, unlisted = drop_unlisted_citations(document)
    reading = read_sections(document)
    reading.dropped.extend(unlisted)
    sections = place_empty_headings(reading.sections, reading.dropped)
    for section in sections:
        section.units = glue_leads(section.units)
    sections = [part for s in sections for part in split_off_pitch(s, products)]
    ctas = {id(s): cta_reason(s, products) for s in sections}
    special = {id(s) for s in sections if ctas[id(s)] or s.question}
    chunks = merge_short([c for s in sections for c in chunk_section(s, bounds)], bounds, special)
    snippets = _snippets(chunks, ctas)
    return Content(
        article=Article(title=document.title, slug=slugify(document.title, 80) or "article",
                        source=document.source),
        references=references,
        snippets=tuple(snippets),
        dropped=tuple(sorted([*document.dropped, *reading.dropped], key=lambda d: d.line)),
    )


def _snippets(chunks: list[Chunk], ctas: Mapping[int, str]) -> list[Snippet]:
    snippets: list[Snippet] = []
    taken: set[str] = set()
    titles: set[str] = set()
    for chunk in chunks:
        kind, why = chunk_kind(chunk, ctas[id(chunk.sections[0])])
        body = chunk_body(chunk)
        title = chunk_title(chunk, titles)
        titles.add(title.casefold())
        sid = snippet_id(title, body, taken)
        taken.add(sid)
        snippets.append(Snippet(
            id=sid, kind=kind, section=_section_path(chunk), title=title, body=body,
            sources=markers(body), words=count_words(body), lines=_lines(chunk),
            reason=f"{why}; {chunk.how}"))
    return snippets

