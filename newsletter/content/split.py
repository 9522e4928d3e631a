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
from dataclasses import replace

from ..models import Article, Content, Document, Dropped, Snippet
from .contentfile import count_words
from .kinds import chunk_kind, is_walkthrough, like_numbered_siblings
from .packing import Bounds, Chunk, chunk_section, led_sections, merge_short, run_in
from .pictures import attach_pictures
from .pitch import cta_reason, is_button, split_off_pitch
from .sections import (
    Section,
    drop_closing_bio,
    drop_contents_lists,
    drop_stub_sections,
    drop_unlisted_citations,
    glue_leads,
    markers,
    numbering,
    place_empty_headings,
    read_sections,
)
from .titles import clean_title, joined, part_titles, title_key


def chunk_body(chunk: Chunk) -> str:
    """The Markdown body: units in order; in merged sections each heading opens its
    section's text in bold (``**Heat:** text``), so no heading stands mid-body."""
    if len(chunk.sections) == 1:
        return "\n\n".join(u.markdown for u in chunk.units)
    led = {id(s) for s in led_sections(chunk.sections, chunk.family)}
    parts = []
    for section in chunk.sections:  # merged chunks hold whole sections only
        units = [u.markdown for u in section.units]
        if id(section) in led and units:
            first = section.units[0]
            opening = run_in(first.markdown) if first.kind == "list" and not first.label else ""
            units[0] = f"**{_lead_label(section.title)}** {opening or units[0]}"
        parts.extend(units)
    return "\n\n".join(parts)


def _lead_label(heading: str) -> str:
    label = clean_title(heading)
    return label if label[-1:] in "?!:." else f"{label}:"


def chunk_title(chunk: Chunk, used: set[str]) -> tuple[str, str]:
    """The snippet's title and the rule that chose it; never one already ``used`` (keys of
    :func:`title_key`) when the snippet's content offers another."""
    section = chunk.sections[0]
    if chunk.title:
        return chunk.title, ("title: the heading over the merged sub-sections" if chunk.family
                             else "title: the headings of the merged sections")
    candidates = _heading_titles(section) if chunk.part <= 1 else part_titles(chunk.units)
    candidates += [(f"{clean_title(section.title)}: {title}", rule)
                   for title, rule in part_titles(chunk.units)]
    for title, rule in candidates:
        if title and title_key(title) and title_key(title) not in used:
            return title, f"title: {rule}"
    return clean_title(section.title), "title: the section's heading (nothing else fits)"


# A heading is the author's own title: kept whole a little past MAX_TITLE rather than cut;
# a question more so (cut, "Can you provide examples of individuals" asks nothing).
_HEADING_TITLE, _QUESTION_TITLE = 80, 120


def _heading_titles(section: Section) -> list[tuple[str, str]]:
    # a snippet of its own keeps its heading's number: "3. Rest" is the third of a sequence
    prefix = numbering(section.heading)
    room = _QUESTION_TITLE if section.question else _HEADING_TITLE
    heading = clean_title(section.title, room - len(prefix) - 1)
    heading = f"{prefix} {heading}" if prefix else heading
    parent = clean_title(section.path[-2]) if len(section.path) > 1 else ""
    return [(heading, "the section's heading"),
            (f"{parent}: {heading}" if parent else "", "the heading under its parent")]


def _section_path(chunk: Chunk) -> str:
    """The heading path the snippet came from, headings as written; merged sections end it
    with all their headings (``Treatment > 3. Ice, 4. Rest``)."""
    paths = [s.path for s in chunk.sections]
    shared = len(paths[0])
    for path in paths[1:]:
        shared = next((i for i, (a, b) in enumerate(zip(paths[0], path, strict=False))
                       if a != b), min(shared, len(path)))
    own = [" > ".join(path[shared:]) for path in paths if path[shared:]]
    path = [*paths[0][:shared], joined(own)] if own else list(paths[0][:shared])
    return " > ".join(p for p in path if p) or chunk.sections[0].title


def _lines(chunk: Chunk) -> tuple[int, ...]:
    # a cut section's heading belongs to its first part (later parts name it as their section)
    lines = {line for s in chunk.sections for line in s.heading_lines} if chunk.part <= 1 else set()
    lines.update(line for u in chunk.units for line in u.lines)
    return tuple(sorted(lines))


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
    reading = read_sections(document, is_button=lambda text: is_button(text, products))
    reading.dropped.extend(unlisted)
    drop_contents_lists(reading.sections, reading.dropped)
    drop_closing_bio(reading.sections, reading.dropped)
    sections = place_empty_headings(reading.sections, reading.dropped)
    sections = drop_stub_sections(sections, reading.dropped)
    for section in sections:
        section.units = glue_leads(section.units)
    closing = closing_sections(sections)
    sections = [part for s in sections
                for part in split_off_pitch(s, products, closing=id(s) in closing)]
    ctas = {id(s): s.cta or cta_reason(s, products, closing=id(s) in closing)
            for s in sections}
    pitches = {id(s) for s in sections if ctas[id(s)]}
    chunks = _chunks(sections, bounds, pitches)
    drip = _drip_bounds(sections, bounds, pitches, len(chunks))
    if drip != bounds:
        chunks = _chunks(sections, drip, pitches)
    dropped = sorted([*document.dropped, *reading.dropped], key=lambda d: d.line)
    snippets, dropped = attach_pictures(_snippets(chunks, ctas), dropped)
    title = article_title(document.title)
    return Content(
        article=Article(title=title, slug=slugify(title, 80) or "article",
                        source=document.source),
        references=references,
        snippets=tuple(snippets),
        dropped=tuple(map(_as_read, dropped)),
    )


_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)")


def _as_read(dropped: Dropped) -> Dropped:
    """A dropped line's words as a reader sees them: a Markdown link or picture shows its
    text, not its address (the line number points to the line as written)."""
    text = _LINK.sub(lambda m: m[1], dropped.text)
    return replace(dropped, text=" ".join(text.split())) if text.strip() else dropped


# "1.1 Getting Started": a book's section number, not part of what the article is called
_SECTION_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})+\.?\s+(?=\S)")


def article_title(title: str) -> str:
    """The article's title without a leading section number (``1.1 Getting Started``)."""
    return _SECTION_NUMBER.sub("", title, count=1) or title


_FEWEST_SNIPPETS = 3  # a drip, even from a short article


def _chunks(sections: Sequence[Section], bounds: Bounds, pitches: set[int]) -> list[Chunk]:
    return merge_short([c for s in sections for c in chunk_section(s, bounds)], bounds, pitches)


def _drip_bounds(sections: Sequence[Section], bounds: Bounds, pitches: set[int],
                 chunks: int) -> Bounds:
    """The bounds, or smaller ones for a short article that would otherwise make fewer than
    three snippets (``chunks`` within ``bounds``) although it has the words for three (a
    third of it each, at most)."""
    words = sum(s.words for s in sections if id(s) not in pitches)
    smallest = max(20, bounds.low * 3 // 4)
    if bounds.low < smallest or words < _FEWEST_SNIPPETS * smallest \
            or chunks >= _FEWEST_SNIPPETS:  # or sizes asked for
        return bounds
    high = max(smallest, words // _FEWEST_SNIPPETS)
    return Bounds(min(bounds.low, smallest), high)


def closing_sections(sections: Sequence[Section], share: float = 0.25) -> set[int]:
    """The sections that close the article (its last quarter of words, and at least the
    last section with text): where a call to action usually sits."""
    total = sum(s.words for s in sections) or 1
    closing, seen = set(), 0
    for section in reversed(sections):
        if not section.units or section.question:
            continue
        if closing and seen >= total * share:
            break
        closing.add(id(section))
        seen += section.words
    return closing


def _kinds(chunks: list[Chunk], ctas: Mapping[int, str]) -> list[tuple[str, str]]:
    """Each chunk's kind; the opening part of a procedure (its introduction, or the first
    items of its list cut for size) is ``steps`` like the parts that follow it."""
    kinds = [chunk_kind(chunk, ctas[id(chunk.sections[0])]) for chunk in chunks]
    for index, chunk in enumerate(chunks):  # a walkthrough's parts between its commands
        if chunk.part and kinds[index][0] in ("tip", "fact") and is_walkthrough(
                chunk.sections[0]):
            kinds[index] = ("steps", "steps: part of a walkthrough (commands between "
                                     "explanations)")
    procedures = {id(c.sections[0]) for c, (kind, _) in zip(chunks, kinds, strict=True)
                  if kind == "steps" and c.part > 1}
    for index, chunk in enumerate(chunks):
        opens = chunk.part == 1 and id(chunk.sections[0]) in procedures
        if opens and kinds[index][0] in ("tip", "fact", "list") and _list_goes_on(chunks, index):
            kinds[index] = ("steps", "steps: the first part of a procedure cut for size")
        elif (opens or _heads_procedures(chunks, kinds, index)) and kinds[index][0] in (
                "tip", "fact") and not any(u.kind == "list" for u in chunk.units):
            kinds[index] = ("steps", "steps: introduces the steps that follow")
    return like_numbered_siblings(chunks, kinds)


def _list_goes_on(chunks: Sequence[Chunk], index: int) -> bool:
    """The chunk ends in a list that the section's next part goes on with."""
    chunk, following = chunks[index], chunks[index + 1] if index + 1 < len(chunks) else None
    return (following is not None and following.sections[0] is chunk.sections[0]
            and bool(chunk.units) and chunk.units[-1].kind == "list"
            and bool(following.units) and following.units[0].kind == "list")


def _heads_procedures(chunks: Sequence[Chunk], kinds: Sequence[tuple[str, str]],
                      index: int) -> bool:
    """The chunk is a section's own text (``How to Make the Rolls`` and a tip) over
    sub-sections most of which are procedures (``Mix the Dough``, ``Roll the Dough``)."""
    path = chunks[index].sections[0].path
    if chunks[index].part > 1 or not path:
        return False
    children = [kind for chunk, (kind, _) in zip(chunks, kinds, strict=True)
                if chunk.sections[0].path[:-1] == path]
    return bool(children) and children.count("steps") * 2 > len(children)


def _snippets(chunks: list[Chunk], ctas: Mapping[int, str]) -> list[Snippet]:
    snippets: list[Snippet] = []
    taken: set[str] = set()
    titles: set[str] = set()
    for chunk, (kind, why) in zip(chunks, _kinds(chunks, ctas), strict=True):
        body = chunk_body(chunk)
        title, title_rule = chunk_title(chunk, titles)
        titles.add(title_key(title))
        sid = snippet_id(title, body, taken)
        taken.add(sid)
        snippets.append(Snippet(
            id=sid, kind=kind, section=_section_path(chunk), title=title, body=body,
            sources=markers(body), words=count_words(body), lines=_lines(chunk),
            reason=f"{why}; {chunk.how}; {title_rule}"))
    return snippets

