"""A Document read into sections of units: the atoms snippets are packed from.

A section is a heading (or FAQ question) and what follows up to the next heading; each
block under it becomes a unit (a paragraph, a whole list with its lead-in, a callout, a
quote) in Markdown, with citation markers ``[3]`` turned into footnote markers ``[^3]``.
Blocks that are only noise (link-only lines and lists) and headings with no text go to
``dropped`` with their reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..models import Block, Document, Dropped
from .contentfile import count_words
from .ingest.noise import is_dateline
from .markup import plain
from .sentences import sentences

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
    cta: str = ""  # why it pitches, when it was cut out of a section as a call to action
    continued: bool = False  # a later piece of a section cut around a pitch

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
_SPACES = re.compile(r"[ \t]+")
_UNTIDY = re.compile(r"\t|  |\s\n|\n\s")


def cite(text: str) -> str:
    """Turn ``[3]``/``[3] [4]`` into ``[^3][^4]`` attached to the preceding text.

    An email must never show a bare ``[3]``: ``split`` removes markers that have no entry
    in the reference list before this (see ``drop_unlisted_citations``).
    """
    return _tidy(_CITATION.sub(lambda m: f"[^{m.group(1)}]", text))


def _tidy(text: str) -> str:
    text = text.strip()
    if _UNTIDY.search(text) is None:  # no line to strip, no run of spaces or tab to squeeze
        return text
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


def list_markdown(lead: str, items: Sequence[str], ordered: bool, start: int = 1,
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
    text = list_markdown(lead, items, ordered, depths=[_depth(i) for i in raw])
    return Unit("list", text, block.lines, count_words(text), label=lead.rstrip(":").strip(),
                ordered=ordered, steps=steps)


_SITE = re.compile(r"\]\(https?://(?:www\.)?([^/)\s]+)")
_SHARING = re.compile(r"\b(?:share|tweet|facebook|twitter|instagram|linkedin|pinterest|youtube|"
                      r"tiktok|reddit|whatsapp|e-?mail|rss)\b", re.IGNORECASE)


def _names_sites(items: Sequence[str]) -> bool:
    """Links to three or more other sites, named (``[BBEdit](https://...)``): the article's
    own list of tools or places, not a menu (a menu links within its site) or share row."""
    hosts = {m[1].lower() for i in items for m in _SITE.finditer(i)}
    return len(items) >= 3 and len(hosts) >= 3 and not any(_SHARING.search(i) for i in items)


def _is_noise(unit: Unit) -> str:
    """Why a unit would only be noise in an email ("" when it is content)."""
    if unit.kind == "list":
        items = [line for line in unit.markdown.split("\n") if re.match(r"^(-|\d+\.) ", line)]
        texts = [re.sub(r"^(-|\d+\.) ", "", i) for i in items]
        if items and all(_LINK_ONLY.match(t) for t in texts) and not _names_sites(texts):
            return "link-only list"
    elif unit.kind == "paragraph" and _LINK_ONLY.match(unit.markdown):
        return "link-only line"
    if unit.kind in ("paragraph", "quote") and _PLACEHOLDER.match(
            re.sub(r"^> ?", "", unit.markdown, flags=re.M)):
        return "placeholder for a figure"
    if unit.kind == "paragraph" and unit.words <= 20 and _FIGURE_CAPTION.match(
            plain(unit.markdown)):
        return "caption of a figure"
    return ""


# "Figure 2. Centralized version control": the caption of a picture the email does not carry
_FIGURE_CAPTION = re.compile(r"^\s*(?:figure|fig\.)\s*\d+(?:[.-]\d+)*\s*[.:]\s+\S[^\n]{0,120}$",
                             re.IGNORECASE)
# "[figure 3: the two repositories]", "[Image: a sunrise]": where a page had a picture
_PLACEHOLDER = re.compile(r"^\s*\[\s*(?:figures?|fig\.?|images?|img|photos?|pictures?|videos?|"
                          r"diagrams?|charts?|illustrations?|graphics?|screenshots?)\b"
                          r"[^\]\n]*\]\s*$", re.IGNORECASE)


_WORDS = re.compile(r"[^\W_]+")
_FILLER = frozenset(("a", "an", "the", "your", "you", "how", "to", "why", "what"))


def _drop_unit(block: Block, reason: str) -> list[Dropped]:
    """One dropped entry per source line, with that line's text when the block tells it."""
    if block.kind == "list":
        texts = [block.lead, *block.items] if block.lead else list(block.items)
    else:
        texts = [block.text]
    if not block.lines:
        return [Dropped(0, block.text or " ".join(texts), reason)]
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
    if "[" not in block.text and "[" not in block.lead and not any("[" in i for i in block.items):
        return block  # no marker at all (most blocks of a big page)
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


def read_sections(document: Document,
                  is_button: Callable[[str], bool] = lambda text: False) -> _Reading:
    """Group the blocks into sections of units; noise units become dropped lines.

    A link-only line is noise unless ``is_button`` says its link asks the reader to act
    ("[Request an appointment](...)"): then it is kept, for the call to action. Text a scrape
    repeated (the same words as an earlier block) is dropped at its second appearance."""
    reading = _Reading()
    current = Section(path=(), title=document.title, level=0)
    stack: list[tuple[int, str]] = []  # (level, heading) of the open headings
    seen: set[str] = set()
    said: set[tuple[str, ...]] = set()  # runs of eight words of the paragraphs so far
    for block in document.blocks:
        if block.kind == "heading" and is_sentence_heading(block.text):
            block = replace(block, kind="paragraph")  # a lede set as a heading is its text
        if block.kind == "heading" and is_dateline(plain(block.text)):
            reading.dropped.extend(_drop_unit(block, "dateline: a date or time set as a heading"))
            continue
        if block.kind in ("heading", "question"):
            reading.sections.append(current)
            current = _open_section(block, stack, document.title)
        elif block.kind == "reference":
            current.references = True
        else:
            unit = _block_unit(block)
            reason = _unit_noise(unit, is_button, seen)
            if reason:
                reading.dropped.extend(_drop_unit(block, reason))
            elif unit and _said_before(unit, said):
                reading.dropped.extend(_drop_unit(block, "repeated_list: a list the article "
                                                         "gave earlier"))
            elif unit:
                unit = _without_said(_without_credits(unit, reading.dropped), said,
                                     reading.dropped)
                current.units.extend(_quoted_paragraphs(unit))
    reading.sections.append(current)
    return reading


# "... brain damage. [Technology Guide - FastCo Top Image: Jane Doe, Notes Image: Acme]":
# the bracketed sources and picture credits a post ends its last paragraph with
_CREDITS_TAIL = re.compile(r"\s*\[(?:[^\[\]]|\[[^\[\]]*\]\([^)\s]*\)){5,600}\]\s*$")
_CREDIT_WORD = re.compile(r"\b(?:image|photo|picture)s?\s*:", re.IGNORECASE)


def _without_credits(unit: Unit, dropped: list[Dropped]) -> Unit:
    """A paragraph without the bracketed picture credits it ends with; they are dropped."""
    tail = _CREDITS_TAIL.search(unit.markdown) if unit.kind == "paragraph" else None
    if (tail is None or not _CREDIT_WORD.search(tail[0])
            or not unit.markdown[: tail.start()].strip()):
        return unit
    dropped.append(Dropped(unit.lines[-1] if unit.lines else 0, tail[0].strip(),
                           "photo_credit: the pictures' credits that end a paragraph"))
    markdown = unit.markdown[: tail.start()]
    return replace(unit, markdown=markdown, words=count_words(markdown))


_SAID_WORDS, _SAID_SHARE = 10, 0.6  # a sentence of this many words, this much of it said before
_SAID_LIST = 0.8  # of a list's runs of eight words said before: the list again


def _said_before(unit: Unit, said: set[tuple[str, ...]]) -> bool:
    """A list the article gave before, nearly word for word (a recipe card's ingredients
    after the post's own list of them): most of its runs of eight words said earlier. Its
    runs count as said either way."""
    if unit.kind != "list":
        return False
    runs = _runs_of_eight(_said_words(unit.markdown))
    repeated = len(runs) >= _SAID_WORDS and len(runs & said) >= _SAID_LIST * len(runs)
    said.update(runs)
    return repeated


def _said_words(markdown: str) -> list[str]:
    return _WORDS.findall(plain(markdown).lower().replace("’", "").replace("'", ""))


def _runs_of_eight(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 8]) for i in range(len(words) - 7)}


def _without_said(unit: Unit, said: set[tuple[str, ...]], dropped: list[Dropped]) -> Unit:
    """A paragraph without the long sentences an earlier paragraph already said, word for
    word or nearly (most of their runs of eight words: a post that repeats its pitch or its
    definition in each section); each is dropped, with the paragraph's first line as its
    place. The first saying stays; a paragraph that says one sentence over and over (a
    chant, a placeholder) is not a restatement and stays as written."""
    parts = sentences(unit.markdown)
    if unit.kind != "paragraph" or "\n" in unit.markdown.strip() or len(set(parts)) < len(parts):
        return unit
    kept = []
    for sentence in parts:
        words = _said_words(sentence)
        runs = _runs_of_eight(words)
        if len(set(words)) >= _SAID_WORDS and len(runs & said) >= _SAID_SHARE * len(runs):
            dropped.append(Dropped(unit.lines[0] if unit.lines else 0, sentence,
                                   "repeated_sentence: a sentence the article said earlier"))
        else:
            kept.append(sentence)
        said.update(runs)
    if not kept or len(kept) == len(parts):
        return unit  # a whole paragraph repeated is the scrape's duplicate (_unit_noise)
    markdown = " ".join(kept)
    return replace(unit, markdown=markdown, words=count_words(markdown))


_LONG_QUOTE = 120  # words: a quotation longer than this may be cut between its paragraphs


def _quoted_paragraphs(unit: Unit) -> list[Unit]:
    """A long quotation of several paragraphs as one unit a paragraph, so a snippet can end
    between them (each keeps its own lines when the lines match up)."""
    paragraphs = [p for p in re.split(r"\n>\s*\n", unit.markdown) if p.strip("> \n")]
    if unit.kind != "quote" or unit.words <= _LONG_QUOTE or len(paragraphs) < 2:
        return [unit]
    sizes = [sum(bool(line.strip("> ")) for line in p.split("\n")) for p in paragraphs]
    if sum(sizes) != len(unit.lines):
        sizes = [len(unit.lines)] + [0] * (len(paragraphs) - 1)
    units, start = [], 0
    for paragraph, size in zip(paragraphs, sizes, strict=True):
        lines = unit.lines[start:start + size]
        start += size
        units.append(Unit("quote", paragraph, lines, count_words(paragraph)))
    return units


_SENTENCE_HEADING_WORDS = 16


def is_sentence_heading(text: str) -> bool:
    """A heading that is a whole sentence of prose ("The mother of a woman who ... has
    described how ..."): a page's standfirst set in a heading's type, not a title."""
    words = plain(text).split()
    return len(words) >= _SENTENCE_HEADING_WORDS and plain(text).rstrip("”’\"' ").endswith(
        (".", "!"))


def _unit_noise(unit: Unit | None, is_button: Callable[[str], bool], seen: set[str]) -> str:
    if unit is None:
        return "no text"
    reason = _is_noise(unit)
    if reason == "link-only line" and is_button(unit.markdown):
        reason = ""
    key = " ".join(_WORDS.findall(plain(unit.markdown).lower()))
    distinct = len(set(key.split()))
    if not reason and key in seen and (distinct >= 6 or is_button(unit.markdown)):
        return "text a scrape duplicated (the same words appear earlier)"
    seen.add(key)
    return reason


def drop_contents_lists(sections: list[Section], dropped: list[Dropped]) -> None:
    """Drop a table of contents written as a list: three or more items, most of them the
    article's own headings ("We'll cover: 1. Why you feel tired ...")."""
    headings = {_key(s.title) for s in sections if s.path}
    for section in sections:
        kept = []
        for unit in section.units:
            if unit.kind == "list" and _lists_headings(unit, headings):
                dropped.extend(drop_unit_lines(unit, "a table of contents (its items are the "
                                                     "article's headings)"))
            else:
                kept.append(unit)
        section.units = kept


# "Jane Doe is an award-winning journalist and the author of ...": who wrote it, not what
_BIO = re.compile(
    r"^(?:about the author:?\s*)?(?:[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*[/|–—]\s*)?"
    r"(?:dr\.?\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3},?\s+"
    r"(?:is|was|has been)\s+(?:a|an|the)\s+(?:[\w-]+,?\s+){0,6}?"
    r"(?i:journalist|writer|author|editor|reporter|columnist|contributor|correspondent|blogger|"
    r"founder|co-?founder|dietitian|nutritionist|physiotherapist|therapist|chiropractor|"
    r"physician|researcher|professor|consultant)s?\b")
_BIO_WORDS, _BIO_TAIL = 80, 3


def drop_closing_bio(sections: list[Section], dropped: list[Dropped]) -> None:
    """Drop the author's bio that closes an article: one of its last few paragraphs (or a
    quoted or emphasised line) that says who the author is rather than what to do."""
    tail = [(s, u) for s in sections for u in s.units][-_BIO_TAIL:]
    for section, unit in tail:
        text = plain(re.sub(r"^> ?", "", unit.markdown, flags=re.M)).strip("*_ ")
        if unit.kind in ("paragraph", "quote") and unit.words <= _BIO_WORDS and _BIO.match(text):
            section.units.remove(unit)
            dropped.extend(drop_unit_lines(unit, "author_bio: about the author"))


def drop_unit_lines(unit: Unit, reason: str) -> list[Dropped]:
    """Dropped entries for a unit's lines, each with its text when the lines match up."""
    texts = [line for line in unit.markdown.split("\n") if line.strip()]
    if len(texts) != len(unit.lines):
        texts = [plain(unit.markdown)] + [""] * (len(unit.lines) - 1)
    return [Dropped(line, text, reason) for line, text in zip(unit.lines, texts, strict=False)]


def _lists_headings(unit: Unit, headings: set[str]) -> bool:
    items = [_key(re.sub(r"^\s*(?:-|\d+\.) ", "", line)) for line in unit.markdown.split("\n")
             if re.match(r"^\s*(?:-|\d+\.) ", line)]
    named = sum(any(_same_words(i, h) for h in headings) for i in items)
    return len(items) >= 3 and named * 5 >= len(items) * 3


def _same_words(item: str, heading: str) -> bool:
    """An entry naming a heading: mostly the same words (a TOC entry is the heading)."""
    a, b = set(item.split()), set(heading.split())
    return bool(a and b) and len(a & b) * 5 >= len(a | b) * 3


def _key(text: str) -> str:
    return " ".join(w for w in _WORDS.findall(plain(text).lower()) if w not in _FILLER)


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


# A listicle's counter ("1.", "Tip 4:", "Reason 2 -") means nothing in an email on its own;
# a plan's stage ("Week 1: Foundation", "Day 3: Rest", "Step 2: Fit the lights") tells the
# reader where they are, and stays.
_TITLE_NUMBER = re.compile(
    r"^(?:(?:part|tip|rule|reason|way|no\.?)\s+)?(?P<n>\d{1,3})\s*[.):\-–—]\s+(?=\S)",
    re.IGNORECASE)


def strip_numbering(title: str) -> str:
    """``1. Side Steps`` / ``2) Rest`` / ``Tip 3: Stretch`` -> the title without its counter
    (a snippet stands alone in an email, where "1." means nothing); ``Week 1: Foundation``
    keeps its stage."""
    return _TITLE_NUMBER.sub("", title, count=1).strip() or title


def numbering(heading: str) -> str:
    """The counter a heading opens with, as written (``"Tip 3:"``, ``"2)"``), else ""."""
    found = _TITLE_NUMBER.match(heading)
    return found.group(0).strip() if found else ""


def counter(heading: str) -> str:
    """The listicle counter a heading opens with (``"3. Rest"`` -> ``"3"``), else ""."""
    found = _TITLE_NUMBER.match(heading)
    return found["n"] if found else ""


def glue_leads(units: list[Unit]) -> list[Unit]:
    """A paragraph ending in ``:`` (``Do this:``, ``**Toe Raises:**``) stays with what it
    introduces, and names it (``Unit.label``)."""
    glued: list[Unit] = []
    for unit in units:
        previous = glued[-1] if glued else None
        introduces = previous and previous.kind == "paragraph" and (
            previous.markdown.rstrip("*_ ").endswith(":"))
        lead = plain(previous.markdown) if introduces else ""
        if previous and lead.endswith(":") and unit.kind in ("paragraph", "list"):
            text = f"{previous.markdown}\n\n{unit.markdown}"
            glued[-1] = Unit(unit.kind, text, previous.lines + unit.lines,
                             previous.words + unit.words, label=lead.rstrip(":").strip(),
                             ordered=unit.ordered, steps=unit.steps)
        else:
            glued.append(unit)
    return glued


def place_empty_headings(sections: list[Section], dropped: list[Dropped]) -> list[Section]:
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
        named = [p for p in pending if p.path]  # the article's root names no section
        section.parent = named[-1].title if named else ""
        pending = []
        kept.append(section)
    for orphan in pending:
        _drop_heading(orphan, dropped)
    return kept


_STUB_WORDS = 3  # words under a heading that make no email: a page's box ("Related", "Like this")


def drop_stub_sections(sections: list[Section], dropped: list[Dropped]) -> list[Section]:
    """A heading over next to no text (``Related`` / ``Share``, ``Like this`` / ``Like
    Loading...``) is a box of the page, not a section of the article: it is dropped with its
    text, unless it asks a question (a FAQ's short answer) or opens the article."""
    kept = sections[:1]
    for section in sections[1:]:
        if section.path and not section.question and not section.cta and \
                0 < section.words <= _STUB_WORDS:
            reason = "stub_section: a heading over next to no text (a box of the page)"
            text = section.heading or section.title
            dropped.extend(Dropped(line, text, reason) for line in section.heading_lines)
            for unit in section.units:
                dropped.extend(drop_unit_lines(unit, reason))
        else:
            kept.append(section)
    return kept


def _is_descendant(section: Section, ancestor: Section, dropped: list[Dropped]) -> bool:
    inside = section.level > ancestor.level and section.path[:len(ancestor.path)] == ancestor.path
    if not inside:
        _drop_heading(ancestor, dropped)
    return inside


def _drop_heading(section: Section, dropped: list[Dropped]) -> None:
    reason = ("heading of the reference list" if section.references
              else "heading with no text under it")
    text = section.heading or section.title  # as written ("1. Basil"), numbering included
    dropped.extend(Dropped(line, text, reason) for line in section.heading_lines)


