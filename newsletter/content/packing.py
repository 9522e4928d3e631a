"""Units packed into snippet-sized chunks: long sections cut at unit boundaries (long lists
between items, long paragraphs between sentences), short sibling sections merged."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .contentfile import count_words
from .sections import Section, Unit, counter, list_markdown, numbering
from .sentences import sentences
from .titles import MAX_TITLE, clean_title, heading_words, merged_title


@dataclass
class Chunk:
    """Units bound for one snippet, with the sections they came from."""

    sections: list[Section]
    units: list[Unit]
    part: int = 0  # 1.. when a long section was cut; 0 when whole
    parts: int = 0
    how: str = ""
    title: str = ""  # set when short sections were merged: one title naming them all
    family: bool = False  # a heading's whole family of short sub-sections, under its name

    @property
    def words(self) -> int:
        """Words in the units."""
        return sum(u.words for u in self.units)


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


_REPEATED_LEAD_WORDS = 8


def _split_list(unit: Unit, bounds: Bounds) -> list[Unit]:
    lead, items = _parse_list(unit.markdown)
    if len(items) < 2:
        return [unit]
    # later parts repeat only the lead-in sentence itself, not the paragraph around it, and
    # only a short one ("You will need:"): a long one read again in every part is repetition
    short_lead = sentences(lead)[-1] if lead else ""
    repeated = short_lead if count_words(short_lead) <= _REPEATED_LEAD_WORDS else ""
    lead_words = count_words(repeated)
    groups = pack([count_words(i) for i in items],
                  Bounds(max(1, bounds.low - lead_words), max(1, bounds.high - lead_words)))
    parts = []
    for start, end in groups:
        text = list_markdown(lead if start == 0 else repeated, items[start:end],
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
    parts = sentences(unit.markdown)
    groups = pack([count_words(s) for s in parts], bounds)
    return [replace(unit, markdown=" ".join(parts[a:b]), words=count_words(" ".join(parts[a:b])),
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


def _mergeable(chunk: Chunk, pitches: set[int]) -> bool:
    return chunk.part == 0 and not chunk.family and not any(
        id(s) in pitches or s.question for s in chunk.sections)


def _related(first: Section, other: Section) -> bool:
    """Siblings under one parent, or a parent and its child."""
    return (other.path[:-1] == first.path[:-1] or other.path[:-1] == first.path) and (
        other.level >= first.level)


def can_lead(section: Section, opening: bool = False) -> bool:
    """A merged section's heading can open its text in bold (``**Heading:** text``): its
    section starts with a paragraph (not a table or code, whose markup must open its line),
    an introduced list, or a list short enough to run in (see :func:`run_in`), and the
    heading is short unless it opens the whole body."""
    first = section.units[0] if section.units else None
    opens = first is not None and (
        (first.kind == "paragraph" and not _BLOCK_MARKUP.match(first.markdown)) or (
            first.kind == "list" and (bool(first.label) or bool(run_in(first.markdown)))))
    # a text that opens with a bold label of its own would get two labels in a row
    return opens and not first.markdown.startswith("**") and (
        opening or heading_words(section.title) < 5)


_RUN_IN_ITEMS, _RUN_IN_WORDS = 8, 4  # "Rest · Ice · Compression", not sentences
# markup that must open its line, so no heading can run into it: a code fence, or a
# table's header row and its rule
_BLOCK_MARKUP = re.compile(r"(?:```|~~~)|[^\n]*\|[^\n]*\n\s*\|?\s*:?-{3,}")


def run_in(markdown: str) -> str:
    """A short list of short items (no lead-in, no nesting) as one line, items set off by
    middle dots (``Rest · Ice · Compression``); "" when the list is not that short."""
    lines = markdown.split("\n")
    items = [re.sub(r"^(?:-|\d+\.) ", "", line) for line in lines]
    short = all(re.match(r"^(?:-|\d+\.) ", line) for line in lines) and all(
        len(item.split()) <= _RUN_IN_WORDS for item in items)
    return " · ".join(items) if short and 2 <= len(items) <= _RUN_IN_ITEMS else ""


def named_sections(sections: Sequence[Section]) -> Sequence[Section]:
    """The merged sections the title names: all but a first one that is the others'
    parent (the title starts with it)."""
    first, rest = sections[0], sections[1:]
    return rest if all(s.path[:-1] == first.path for s in rest) else sections


def led_sections(sections: Sequence[Section], family: bool = False) -> Sequence[Section]:
    """The merged sections whose heading opens their text in bold: the named ones, but a
    first one whose text cannot be led (it opens the body; the title names it first); of a
    family, every sub-section (the title names their parent)."""
    named = named_sections(sections)
    if family:
        return named
    if named is sections and not can_lead(sections[0], opening=True):
        return sections[1:]
    if named is not sections and len(named) == 1 and not (
            can_lead(named[0]) or named[0].question):
        return ()  # a parent's lone child: the title names it
    return named


def merge_title(sections: Sequence[Section]) -> str:
    """The title of merged sections ("" when they cannot be merged under one title): a
    parent with text of its own leads (``Parent: A and B``), as does an empty parent heading
    carried by the first; siblings are listed (``A, B and C``)."""
    named = named_sections(sections)
    # a parent's one child need not lead: "Parent: Child" names it and its text follows
    lone_child = named is not sections and len(named) == 1
    if not all(can_lead(s) for s in named[1:]) or (
            named is not sections and not lone_child and not can_lead(named[0])):
        return ""
    first = sections[0]
    parent = _numbered(first) if named is not sections else first.parent
    title = merged_title([s.title for s in named], parent=parent,
                         numbers=[counter(s.heading) for s in named])
    if lone_child and not can_lead(named[0]) and not title.startswith(f"{parent}: "):
        return ""  # the title must name both: the child's heading leads nothing in the body
    return title


def _numbered(section: Section) -> str:
    prefix = numbering(section.heading)
    return f"{prefix} {section.title}" if prefix else section.title


def questions_title(sections: Sequence[Section]) -> str:
    """The title of short questions answered together: the questions themselves
    (``Can I use the discard? Why does it smell?``); "" when they do not fit in a title."""
    questions = named_sections(sections)
    if questions is not sections and sections[0].question:
        return ""  # a question's answer with sub-headings is no FAQ's introduction
    if not all(s.question and s.units and not s.units[0].markdown.startswith("**")
               for s in questions):
        return ""
    title = " ".join(clean_title(s.title) for s in questions)
    # two questions side by side may run past one title's length: each is a title itself
    room = MAX_TITLE if len(questions) > 2 else _TWO_QUESTIONS
    return title if len(title) <= room and title.count("?") == len(questions) else ""


_TWO_QUESTIONS = 2 * MAX_TITLE - 10


def answers_questions(chunk: Chunk) -> bool:
    """The chunk answers questions: a FAQ's question, or short ones with their introduction."""
    return len(chunk.sections) > 1 and all(s.question for s in named_sections(chunk.sections))


def merge_short(chunks: list[Chunk], bounds: Bounds, pitches: set[int]) -> list[Chunk]:
    """Merge runs of short whole sections that are siblings (or a parent and its children)
    within the upper bound, when one title can name them all (see :func:`merge_title`);
    short questions of one FAQ are answered together when the questions fit in a title."""
    merged: list[Chunk] = []
    for chunk in merge_families(chunks, bounds, pitches):
        last = merged[-1] if merged else None
        title = ""
        if (last and _related(last.sections[0], chunk.sections[0])
                and (last.words < bounds.low or chunk.words < bounds.low)
                and last.words + chunk.words <= bounds.high):
            sections = [*last.sections, *chunk.sections]
            if _mergeable(last, pitches) and _mergeable(chunk, pitches):
                title = merge_title(sections)
            elif last.part == chunk.part == 0 and not any(id(s) in pitches for s in sections):
                title = questions_title(sections)
        if last and title:
            last.sections += chunk.sections
            last.units += chunk.units
            last.title = title
            last.how = f"{len(last.sections)} short sibling sections merged"
        else:
            merged.append(chunk)
    return _whole_runs_by_parent(merged)


def merge_families(chunks: list[Chunk], bounds: Bounds, pitches: set[int]) -> list[Chunk]:
    """A heading's sub-sections, all short and together within the upper bound (``Progression
    Guidelines`` over ``Acute Phase`` / ``Subacute Phase`` / ``Recovery Phase (Minimal
    symptoms)``), are one snippet under the heading's name when no title can name them all,
    each sub-heading leading its text in bold; the heading's own text, if any, opens it."""
    result: list[Chunk] = []
    index = 0
    while index < len(chunks):
        end = _family_end(chunks, index, pitches)
        family = chunks[index:end]
        words = sum(c.words for c in family)
        if len(family) >= 3 and words <= bounds.high and any(
                c.words < bounds.low for c in family) and _can_lead_family(family):
            result.append(_family_chunk(family))
            index = end
        else:
            result.append(chunks[index])
            index += 1
    return result


def _family_end(chunks: Sequence[Chunk], start: int, pitches: set[int]) -> int:
    """The index after the chunks of the family that ``chunks[start]`` opens: the section
    with its descendants, or the first child of a heading with no text and its siblings."""
    first = chunks[start].sections[0]
    if not _mergeable(chunks[start], pitches) or not first.path:
        return start + 1
    family = first.path if not first.parent else first.path[:-1]
    end = start + 1
    while end < len(chunks) and _mergeable(chunks[end], pitches) and len(
            path := chunks[end].sections[0].path) > len(family) and path[:len(family)] == family:
        end += 1
    return end


def _can_lead_family(family: Sequence[Chunk]) -> bool:
    """Every sub-section's heading can open its text in bold (the parent's own text opens
    the body), and no title names them all (``Parent: A, B and C`` is merged as siblings)."""
    sections = [s for c in family for s in c.sections]
    children = sections if sections[0].parent else sections[1:]
    return all(can_lead(s) for s in children) and not merge_title(sections)


def _family_chunk(family: Sequence[Chunk]) -> Chunk:
    first = family[0].sections[0]
    name = first.parent or first.title
    sections = [s for c in family for s in c.sections]
    return Chunk(sections, [u for c in family for u in c.units], title=clean_title(name),
                 how=f"{name!r} and its {len(sections) - (not first.parent)} short "
                     "sub-sections merged", family=True)


def numbered_run(sections: Sequence[Section]) -> bool:
    """Two or more sections whose headings all carry a counter (``1.``, ``2)``)."""
    return len(sections) > 1 and all(counter(s.heading) for s in sections)


def _whole_runs_by_parent(chunks: list[Chunk]) -> list[Chunk]:
    """A numbered run titled ``Parent: 1–5`` that holds all its parent's sections is
    titled by the parent alone."""
    for chunk in chunks:
        named = named_sections(chunk.sections)
        parent = (chunk.sections[0].title if named is not chunk.sections
                  else chunk.sections[0].parent)
        if not (chunk.title and parent and numbered_run(named)):
            continue
        family = named[0].path[:-1]
        shared = sum(any(s.path[:-1] == family or s.path == family for s in c.sections)
                     for c in chunks)
        if shared == 1 and chunk.title.startswith(f"{clean_title(parent)}: "):
            chunk.title = clean_title(parent)
    return chunks
