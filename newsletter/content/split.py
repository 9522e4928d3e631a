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
from dataclasses import dataclass, field, replace

from ..models import Article, Block, Content, Document, Dropped, Snippet
from .contentfile import count_words

# --- units: the atoms a snippet is packed from ----------------------------------------------


@dataclass(frozen=True)
class Unit:
    """An atomic piece of a section, already in Markdown with footnote markers."""

    kind: str  # paragraph | list | callout | quote
    markdown: str
    lines: tuple[int, ...]
    words: int
    label: str = ""  # a title for a part that starts here: a list's lead-in or a callout label
    ordered: bool = False
    steps: bool = False


@dataclass
class Section:
    """A heading (or FAQ question) and the units up to the next heading."""

    path: tuple[str, ...]
    title: str
    level: int
    question: bool = False
    heading_lines: tuple[int, ...] = ()
    units: list[Unit] = field(default_factory=list)
    references: bool = False  # the heading of the reference list
    parent: str = ""  # the heading with no text of its own that this section carries
    heading: str = ""  # the heading as written, numbering included ("1. Side Steps")

    @property
    def words(self) -> int:
        """Words in the units."""
        return sum(u.words for u in self.units)


@dataclass
class Chunk:
    """Units bound for one snippet, with the sections they came from."""

    sections: list[Section]
    units: list[Unit]
    part: int = 0  # 1.. when a long section was cut; 0 when whole
    parts: int = 0
    how: str = ""

    @property
    def words(self) -> int:
        """Words in the units."""
        return sum(u.words for u in self.units)


# --- citations and Markdown -----------------------------------------------------------------

_CITATION = re.compile(r"\s*\[\^?(\d{1,4})\](?!\(|:)")
_MARKER = re.compile(r"\[\^(\d{1,4})\]")
_ITEM_LABEL = re.compile(r"^(?!\*\*)([A-Z0-9][^:.!?\n]{0,60}?):\s+(\S.*)$", re.DOTALL)
_STEP_PREFIX = re.compile(r"^\s*step\s+\d+\s*[.):\-–]?\s*", re.IGNORECASE)
_LINK_ONLY = re.compile(r"^\s*(?:\[[^\]]*\]\([^)]*\)|<?https?://\S+>?)\s*[.,;:]?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"”’')\]]*(?:\[\^\d+\])*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
_SPACES = re.compile(r"[ \t]+")


def cite(text: str) -> str:
    """Turn ``[3]``/``[3] [4]`` into ``[^3][^4]`` attached to the preceding text.

    An email must never show a bare ``[3]``: ``split`` removes markers that have no entry
    in the reference list before this (see ``drop_unlisted_citations``).
    """
    return _tidy(_CITATION.sub(lambda m: f"[^{m.group(1)}]", text))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.strip().split("\n")]
    return "\n".join(lines)


def markers(markdown: str) -> tuple[str, ...]:
    """The reference numbers cited in ``markdown``, in order of first appearance."""
    return tuple(dict.fromkeys(_MARKER.findall(markdown)))


def _labelled(item: str) -> str:
    """``Label: text`` -> ``**Label:** text`` when the label is short."""
    match = _ITEM_LABEL.match(item)
    words = match.group(1).split() if match else []
    capitalised = sum(w[:1].isupper() or not w[:1].isalpha() for w in words)
    # a short label, or a longer one in Title Case ("Fast Relief From Hip Tightness: ...")
    title_case = len(words) <= 12 and capitalised * 3 >= len(words) * 2
    if not match or not words or not (len(words) <= 4 or title_case):
        return item
    return f"**{match.group(1).strip()}:** {match.group(2)}"


def _list_markdown(lead: str, items: Sequence[str], ordered: bool, start: int = 1,
                   depths: Sequence[int] = ()) -> str:
    """A Markdown list; items of depth > 0 nest under the item before them as ``  - ``."""
    lines, number = [], start
    for item, depth in zip(items, depths or [0] * len(items), strict=True):
        if depth == 0:
            lines.append(f"{number}. {item}" if ordered else f"- {item}")
            number += 1
        else:  # indented past the parent's marker ("1. " is three wide, "- " two)
            lines.append(" " * ((3 if ordered else 2) + 2 * (depth - 1)) + f"- {item}")
    body = "\n".join(lines)
    return f"{lead}\n\n{body}" if lead else body


def _depth(item: str) -> int:
    """The nesting level of a list item read from its indent (two spaces a level)."""
    return (len(item) - len(item.lstrip(" "))) // 2


def _sentences(text: str) -> list[str]:
    """Sentences of a paragraph (markers stay with the sentence they follow)."""
    parts = _SENTENCE_END.split(text)
    # split() interleaves the captured closers; glue each back onto its sentence
    sentences = [parts[0]]
    for closer, rest in zip(parts[1::2], parts[2::2], strict=True):
        sentences[-1] += closer
        sentences.append(rest)
    return [s.strip() for s in sentences if s.strip()]


# --- Document -> sections --------------------------------------------------------------------


@dataclass
class _Reading:
    """What reading the blocks produced: sections and lines left out."""

    sections: list[Section] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def _block_unit(block: Block) -> Unit | None:
    if block.kind == "list":
        return _list_unit(block)
    if block.kind == "callout":
        label = block.label.strip().rstrip(":") or "Note"
        text = f"**{label}:** {cite(block.text)}"
        return Unit("callout", text, block.lines, count_words(text), label=label)
    text = cite(block.text)
    if not text:
        return None
    if block.kind == "quote":
        text = "\n".join(f"> {line}" for line in text.split("\n"))
        return Unit("quote", text, block.lines, count_words(text))
    return Unit("paragraph", text, block.lines, count_words(text))


def _list_unit(block: Block) -> Unit | None:
    raw = [i for i in block.items if i.strip()]
    steps = bool(raw) and sum(bool(_STEP_PREFIX.match(i)) for i in raw) * 2 >= len(raw)
    ordered = block.ordered or steps
    items = [_labelled(cite(_STEP_PREFIX.sub("", i.strip()) if steps else i.strip()))
             for i in raw]
    lead = cite(block.lead)
    if not items:
        return Unit("paragraph", lead, block.lines, count_words(lead)) if lead else None
    text = _list_markdown(lead, items, ordered, depths=[_depth(i) for i in raw])
    return Unit("list", text, block.lines, count_words(text), label=lead.rstrip(":").strip(),
                ordered=ordered, steps=steps)


def _is_noise(unit: Unit) -> str:
    """Why a unit would only be noise in an email ("" when it is content)."""
    if unit.kind == "list":
        items = [line for line in unit.markdown.split("\n") if re.match(r"^(-|\d+\.) ", line)]
        if items and all(_LINK_ONLY.match(re.sub(r"^(-|\d+\.) ", "", i)) for i in items):
            return "link-only list"
    elif unit.kind == "paragraph" and _LINK_ONLY.match(unit.markdown):
        return "link-only line"
    return ""


def _drop_unit(block: Block, reason: str) -> list[Dropped]:
    """One dropped entry per source line, with that line's text when the block tells it."""
    if block.kind == "list":
        texts = [block.lead, *block.items] if block.lead else list(block.items)
    else:
        texts = [block.text]
    if len(texts) != len(block.lines):
        texts = [block.text or " ".join(texts)] + [""] * (len(block.lines) - 1)
    return [Dropped(line, text, reason) for line, text in zip(block.lines, texts, strict=True)]


def drop_unlisted_citations(document: Document) -> tuple[Document, list[Dropped]]:
    """Remove citation markers with no entry in the reference list, recording each one.

    A subscriber must never see a marker that leads nowhere; the marker (not its line) goes
    to ``dropped``, with the line it was on.
    """
    dropped: list[Dropped] = []
    blocks = [b if b.kind == "reference" else _uncite_block(b, document.references, dropped)
              for b in document.blocks]
    return replace(document, blocks=tuple(blocks)), dropped


def _uncite_block(block: Block, references: Mapping[str, str], dropped: list[Dropped]) -> Block:
    has_lead = block.kind == "list" and bool(block.lead)
    parts = ([block.lead] if has_lead else []) + list(block.items) if block.kind == "list" \
        else [block.text]
    per_line = len(parts) == len(block.lines)
    cleaned = []
    for index, text in enumerate(parts):
        line = block.lines[index if per_line else 0] if block.lines else 0
        cleaned.append(_uncite(text, references, line, dropped))
    if block.kind == "list":
        lead = cleaned.pop(0) if has_lead else block.lead
        return replace(block, lead=lead, items=tuple(cleaned))
    return replace(block, text=cleaned[0])


def _uncite(text: str, references: Mapping[str, str], line: int,
            dropped: list[Dropped]) -> str:
    def keep_or_drop(match: re.Match[str]) -> str:
        if match.group(1) in references:
            return match.group(0)
        marker = match.group(0).strip()
        dropped.append(Dropped(line, marker, f"citation {marker} has no entry in the "
                                             "reference list"))
        return ""
    return _CITATION.sub(keep_or_drop, text) if text else text


def read_sections(document: Document) -> _Reading:
    """Group the blocks into sections of units; noise units become dropped lines."""
    reading = _Reading()
    current = Section(path=(), title=document.title, level=0)
    stack: list[tuple[int, str]] = []  # (level, heading) of the open headings
    for block in document.blocks:
        if block.kind in ("heading", "question"):
            reading.sections.append(current)
            current = _open_section(block, stack, document.title)
        elif block.kind == "reference":
            current.references = True
        else:
            unit = _block_unit(block)
            reason = _is_noise(unit) if unit else "no text"
            if reason:
                reading.dropped.extend(_drop_unit(block, reason))
            elif unit:
                current.units.append(unit)
    reading.sections.append(current)
    return reading


def _open_section(block: Block, stack: list[tuple[int, str]], title: str) -> Section:
    heading = _tidy(block.text).rstrip(":").strip() or "Untitled"
    text = strip_numbering(heading)
    if block.kind == "question":
        parents = [lv for lv, _ in stack if lv < 100]  # questions nest under the last heading
        level = (parents[-1] if parents else 0) + 100
    else:
        level = max(1, block.level)
    while stack and stack[-1][0] >= level:
        stack.pop()
    stack.append((level, heading))  # the path names headings as the article wrote them
    # the article's own title heading is the root: every section lies under it
    path = tuple(h for lv, h in stack if not (lv == 1 and h.casefold() == title.casefold()))
    return Section(path=path, title=text, level=level, heading=heading,
                   question=block.kind == "question", heading_lines=block.lines)


_TITLE_NUMBER = re.compile(
    r"^(?:(?:step|part|tip|day|week|phase|stage|rule|reason|way)\s+)?\d{1,3}\s*[.):\-–—]\s+(?=\S)",
    re.IGNORECASE)


def strip_numbering(title: str) -> str:
    """``1. Side Steps`` / ``2) Rest`` / ``Step 3: Stretch`` -> the title without its number
    (a snippet stands alone in an email, where "1." means nothing)."""
    return _TITLE_NUMBER.sub("", title, count=1).strip() or title


def _glue_leads(units: list[Unit]) -> list[Unit]:
    """A paragraph ending in ``:`` stays with what it introduces."""
    glued: list[Unit] = []
    for unit in units:
        previous = glued[-1] if glued else None
        if previous and previous.kind == "paragraph" and previous.markdown.endswith(":"):
            kind = unit.kind if unit.kind != "paragraph" else "paragraph"
            text = f"{previous.markdown}\n\n{unit.markdown}"
            glued[-1] = Unit(kind, text, previous.lines + unit.lines, previous.words + unit.words,
                             label=previous.markdown.rstrip(":"), ordered=unit.ordered,
                             steps=unit.steps)
        else:
            glued.append(unit)
    return glued


def _place_empty_headings(sections: list[Section], dropped: list[Dropped]) -> list[Section]:
    """A heading with no text of its own rides with its first subsection, or is dropped."""
    kept: list[Section] = []
    pending: list[Section] = []
    for section in sections:
        pending = [p for p in pending if _is_descendant(section, p, dropped)]
        if not section.units:
            pending.append(section)
            continue
        carried = tuple(line for p in pending for line in p.heading_lines)
        section.heading_lines = carried + section.heading_lines
        section.parent = pending[-1].title if pending else ""
        pending = []
        kept.append(section)
    for orphan in pending:
        _drop_heading(orphan, dropped)
    return kept


def _is_descendant(section: Section, ancestor: Section, dropped: list[Dropped]) -> bool:
    inside = section.level > ancestor.level and section.path[:len(ancestor.path)] == ancestor.path
    if not inside:
        _drop_heading(ancestor, dropped)
    return inside


def _drop_heading(section: Section, dropped: list[Dropped]) -> None:
    reason = ("heading of the reference list" if section.references
              else "heading with no text under it")
    dropped.extend(Dropped(line, section.title, reason) for line in section.heading_lines)


# --- promotional sections --------------------------------------------------------------------

_PITCH = re.compile(
    r"\b(buy (?:now|it|yours|one|today)|shop (?:now|the|our)|order (?:now|yours|today|your|one|"
    r"online|here)|discount|coupon|promo code|use code|free trial|"
    r"try (?:it|our|the) .{0,30}(?:today|now|free)|try our|add to cart|get yours|"
    r"limited[- ]time|\d+\s?% off|free shipping|money[- ]back|guarantee|sign up (?:now|today)|"
    r"pre-?order|in stock|sale ends|(?:visit|check out) (?:our|the) (?:store|shop)|"
    r"(?:first|1st) (?:week|month|lesson|class|session)s? (?:is |are )?free|"
    r"designed to|comes in|at-home (?:\w+ )?(?:tool|device|kit)|comes with|"
    r"(?<![\w$])\$\d+(?:\.\d\d)?)(?!\w)", re.IGNORECASE)
# A heading that introduces an offer: "Try our X Course", "Where X Fits In", "Meet X"
_PITCH_HEADING = re.compile(
    r"^(?:try|meet|introducing|get|shop|buy|order)\b|\bwhere .{2,60}? (?:fits in|comes in)\b|"
    r"\bour .{0,40}\b(?:course|program(?:me)?|kit|app|class|membership|product)$",
    re.IGNORECASE)


def _mentions(text: str, products: Sequence[str]) -> int:
    return sum(len(re.findall(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.IGNORECASE))
               for p in products if p.strip())


def cta_reason(section: Section, products: Sequence[str]) -> str:
    """Why a section is a pitch ("" when it is content).

    Rules, in order: the heading names a product; a product is named in most of it; it reads
    as a pitch (two distinct pitch phrases, counting a heading that introduces an offer, or
    one phrase with a product named). A FAQ answer is only ever a pitch by its heading: an
    answer may mention a product in passing.
    """
    if _mentions(section.title, products):
        return "its heading names a product"
    if section.question:
        return ""
    texts = [u.markdown for u in section.units]
    naming = sum(1 for t in texts if _mentions(t, products))
    if naming >= 2 and naming * 2 > len(texts):
        return "a product is named in most of it"
    pitches = {m.group(0).lower() for t in texts for m in _PITCH.finditer(t)}
    if _PITCH_HEADING.search(section.title):
        pitches.add(f"heading: {section.title}")
    if len(pitches) >= 2 or (pitches and naming):
        return f"it reads as a pitch ({', '.join(sorted(pitches))})"
    return ""


def _reads_as_pitch(unit: Unit, products: Sequence[str]) -> bool:
    pitches = {m.group(0).lower() for m in _PITCH.finditer(unit.markdown)}
    return len(pitches) >= 2 or bool(pitches and _mentions(unit.markdown, products))


def split_off_pitch(section: Section, products: Sequence[str]) -> list[Section]:
    """A section that ends in a pitch (``Want a head start? Our X comes with ... Buy now``)
    gives the pitch its own section, so the content before it stays content."""
    heading_pitches = _mentions(section.title, products) or _PITCH_HEADING.search(section.title)
    if section.question or len(section.units) < 2 or heading_pitches:
        return [section]
    cut = len(section.units)
    while cut > 0 and _reads_as_pitch(section.units[cut - 1], products):
        cut -= 1
    if cut in (0, len(section.units)):
        return [section]
    tail = section.units[cut:]
    opening = _sentences(tail[0].markdown)[0]
    title = opening if count_words(opening) <= 8 else section.title
    pitch = Section(path=section.path, title=title, level=section.level, units=tail,
                    heading=title)
    section.units = section.units[:cut]
    return [section, pitch]


# --- packing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """Snippet size in words, and the size packing aims for."""

    low: int
    high: int

    @property
    def target(self) -> float:
        """The middle of the bounds."""
        return (self.low + self.high) / 2

    def cost(self, words: int) -> float:
        """How far a snippet of ``words`` is from ideal (0 at the target)."""
        span = max(1, self.high - self.low)
        if words > self.high:
            return 1000 + (words - self.high)
        if words < self.low:
            return 50 + 50 * (self.low - words) / max(1, self.low)
        return ((words - self.target) / span) ** 2


def pack(sizes: Sequence[int], bounds: Bounds) -> list[tuple[int, int]]:
    """Cut a sequence of sizes into consecutive groups of least total cost.

    Returns ``(start, end)`` index pairs. Dynamic programming over cut points: aims for the
    middle of the bounds and folds a too-short tail into its neighbour.
    """
    n = len(sizes)
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        words = 0
        for start in range(end - 1, -1, -1):
            words += sizes[start]
            cost = best[start] + bounds.cost(words)
            if cost < best[end]:
                best[end], cut[end] = cost, start
            if words > 3 * bounds.high:
                break
    groups, end = [], n
    while end > 0:
        groups.append((cut[end], end))
        end = cut[end]
    return groups[::-1]


def _split_unit(unit: Unit, bounds: Bounds) -> list[Unit]:
    """Cut a unit longer than the upper bound at item or sentence boundaries."""
    if unit.words <= bounds.high:
        return [unit]
    if unit.kind == "list":
        return _split_list(unit, bounds)
    if unit.kind == "paragraph":
        return _split_paragraph(unit, bounds)
    return [unit]


def _split_list(unit: Unit, bounds: Bounds) -> list[Unit]:
    lead, items = _parse_list(unit.markdown)
    if len(items) < 2:
        return [unit]
    # later parts repeat only the lead-in sentence itself, not the paragraph around it
    short_lead = _sentences(lead)[-1] if lead else ""
    lead_words = count_words(short_lead)
    groups = pack([count_words(i) for i in items],
                  Bounds(max(1, bounds.low - lead_words), max(1, bounds.high - lead_words)))
    parts = []
    for start, end in groups:
        text = _list_markdown(lead if start == 0 else short_lead, items[start:end],
                              unit.ordered, start + 1)
        parts.append(replace(unit, markdown=text, words=count_words(text),
                             label=short_lead.rstrip(":").strip(),
                             lines=_part_lines(unit.lines, bool(lead), len(items), start, end)))
    return parts


def _part_lines(lines: tuple[int, ...], lead: bool, count: int, start: int, end: int
                ) -> tuple[int, ...]:
    """The lead-in's line and the lines of items ``start..end`` (all lines if unknown)."""
    if len(lines) != count + lead:
        return lines
    return lines[:lead] + lines[lead + start:lead + end]


def _parse_list(markdown: str) -> tuple[str, list[str]]:
    """The lead-in and the top-level items; a nested item stays in its parent's text."""
    lead, _, body = markdown.rpartition("\n\n") if not re.match(r"^(-|\d+\.) ", markdown) else (
        "", "", markdown)
    items: list[str] = []
    for line in body.split("\n"):
        if line.startswith(" ") and items:
            items[-1] += "\n" + line
        else:
            items.append(re.sub(r"^(-|\d+\.) ", "", line))
    return lead, items


def _split_paragraph(unit: Unit, bounds: Bounds) -> list[Unit]:
    sentences = _sentences(unit.markdown)
    groups = pack([count_words(s) for s in sentences], bounds)
    return [replace(unit, markdown=" ".join(sentences[a:b]),
                    words=count_words(" ".join(sentences[a:b])),
                    label="" if a else unit.label) for a, b in groups]


def chunk_section(section: Section, bounds: Bounds) -> list[Chunk]:
    """One chunk for a section that fits; parts of least cost for a long one."""
    if section.words <= bounds.high:
        return [Chunk([section], list(section.units), how="whole section")]
    units = [part for unit in section.units for part in _split_unit(unit, bounds)]
    groups = pack([u.words for u in units], bounds)
    return [Chunk([section], units[a:b], part=i + 1, parts=len(groups),
                  how=f"long section ({section.words} words) cut at unit boundaries, "
                      f"part {i + 1} of {len(groups)}")
            for i, (a, b) in enumerate(groups)]


def _mergeable(chunk: Chunk, special: set[int]) -> bool:
    return chunk.part == 0 and not any(id(s) in special for s in chunk.sections)


def _related(first: Section, other: Section) -> bool:
    """Siblings under one parent, or a parent and its child."""
    return (other.path[:-1] == first.path[:-1] or other.path[:-1] == first.path) and (
        other.level >= first.level)


def merge_short(chunks: list[Chunk], bounds: Bounds, special: set[int]) -> list[Chunk]:
    """Merge runs of short whole sections that are siblings, within the upper bound."""
    merged: list[Chunk] = []
    for chunk in chunks:
        last = merged[-1] if merged else None
        if (last and _mergeable(last, special) and _mergeable(chunk, special)
                and _related(last.sections[0], chunk.sections[0])
                and (last.words < bounds.low or chunk.words < bounds.low)
                and last.words + chunk.words <= bounds.high):
            last.sections += chunk.sections
            last.units += chunk.units
            last.how = f"{len(last.sections)} short sibling sections merged"
        else:
            merged.append(chunk)
    return merged


# --- chunks -> snippets ------------------------------------------------------------------------

_EVIDENCE = re.compile(r"\b(research|studies|study|evidence|trial|according to|researchers|"
                       r"scientists|data|survey|percent|\d+(?:\.\d+)?\s?%)\b", re.IGNORECASE)
_STEPWORDS = re.compile(r"\b(steps?|step-by-step|how to|process|routine|instructions|"
                        r"procedure|first,|expect)\b", re.IGNORECASE)


def chunk_kind(chunk: Chunk, cta: str) -> tuple[str, str]:
    """The snippet kind of a chunk and the rule that chose it."""
    section = chunk.sections[0]
    if cta:
        return "cta", f"cta: {cta}"
    if section.question:
        return "faq", "faq: a question with its answer"
    by_kind: dict[str, int] = {}
    for unit in chunk.units:
        by_kind[unit.kind] = by_kind.get(unit.kind, 0) + unit.words
    main = max(by_kind, key=lambda k: by_kind[k])
    if main == "list" or by_kind.get("list", 0) * 2 >= chunk.words:
        return _list_kind(chunk, section)
    if main == "callout":
        return "tip", "tip: mostly a callout"
    if main == "quote":
        return "quote", "quote: mostly a quotation"
    body = " ".join(u.markdown for u in chunk.units)
    if markers(body) or _EVIDENCE.search(body):
        return "fact", "fact: cites sources or research"
    return "tip", "tip: advice paragraphs"


def _list_kind(chunk: Chunk, section: Section) -> tuple[str, str]:
    lists = [u for u in chunk.units if u.kind == "list"]
    if any(u.steps for u in lists):
        return "steps", "steps: items numbered as steps"
    if any(u.ordered and (_STEPWORDS.search(u.label) or _STEPWORDS.search(section.title))
           for u in lists):
        return "steps", "steps: a numbered list introduced as a process"
    return "list", "list: mostly a list"


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
    sections = _place_empty_headings(reading.sections, reading.dropped)
    for section in sections:
        section.units = _glue_leads(section.units)
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
