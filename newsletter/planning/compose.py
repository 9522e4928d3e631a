"""What an issue holds besides its tips, and how the issues read as one series.

- Consecutive parts of one section in one issue become one block: one heading, the lead-in
  once, a numbered list that keeps counting (:func:`merge_parts`).
- At most one testimonial and one resource an issue, each bank entry once in the whole
  queue, in bank order, every Nth issue (:func:`bank_turns`).
- The article's introduction becomes a welcome that says what is coming and how often
  (:func:`welcome_text`), and every issue ends with what comes next (:func:`next_text`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo

from ..content.banks import Banks, Resource, Testimonial, bank_block
from ..models import Content, Issue, IssueBlock, Snippet, Source
from .phrases import capital, phrases_for

_ORDERED = re.compile(r"^(\s*)(\d+)([.)])(\s+)", re.MULTILINE)
_OPENER = re.compile(r"(?:^|(?<=[.!?] ))(?:This|In this) (?:quick |short |complete |ultimate |"
                     r"simple )?(?:guide|article|post|page|piece|blog post|overview)\b",
                     re.IGNORECASE)
WELCOME_WORDS = 45  # what the welcome adds to the introduction: cadence and coming subjects
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- one block per section --------------------------------------------------------------------


def merge_parts(snippets: Sequence[Snippet], content: Content) -> list[IssueBlock]:
    """The issue's blocks: each run of consecutive snippets of one section made one block."""
    blocks: list[IssueBlock] = []
    previous = ""
    for snippet in snippets:
        block = snippet_block(snippet, content)
        if blocks and snippet.section and snippet.section == previous:
            blocks[-1] = join_blocks(blocks[-1], block)
        else:
            blocks.append(block)
        previous = snippet.section
    return blocks


# the article's "3." in front of a heading: in an email of its own it counts nothing
_COUNTER = re.compile(r"^\d{1,3}[.)]\s+(?=\S)")


def snippet_block(snippet: Snippet, content: Content) -> IssueBlock:
    """A snippet copied into an issue, with its sources' URLs and its provenance."""
    sources = tuple(Source.of(n, content.references.get(n, "")) for n in snippet.sources)
    return IssueBlock(kind=snippet.kind, title=_COUNTER.sub("", snippet.title), body=snippet.body,
                      sources=sources, origin=f"{content.article.slug}#{snippet.id}",
                      image=snippet.image)


def join_blocks(first: IssueBlock, second: IssueBlock) -> IssueBlock:
    """Two parts of one section as one block: the first's title, the second's body without
    the lines it repeats (a lead-in), its numbered list continuing the first's."""
    seen = {line.strip() for line in first.body.splitlines() if line.strip()}
    lines = second.body.splitlines()
    while lines and (not lines[0].strip() or lines[0].strip() in seen):
        lines.pop(0)
    rest = _continue_numbering(first.body, "\n".join(lines))
    sources = first.sources + tuple(s for s in second.sources if s not in first.sources)
    ids = "+".join(o.partition("#")[2] for o in (*first.origins, *second.origins))
    slug = first.origin.partition("#")[0]
    return replace(first, body=f"{first.body}\n\n{rest}".strip(), sources=sources,
                   origin=f"{slug}#{ids}" if slug else "", image=first.image or second.image)


def _continue_numbering(before: str, after: str) -> str:
    """``after``, when it opens with a numbered list, numbered on from ``before``'s last."""
    numbers = [int(m.group(2)) for m in _ORDERED.finditer(before) if not m.group(1)]
    if not numbers or not _ORDERED.match(after):
        return after
    counter = iter(range(numbers[-1] + 1, numbers[-1] + 10_000))
    return _ORDERED.sub(lambda m: m.group(0) if m.group(1) else
                        f"{next(counter)}{m.group(3)}{m.group(4)}", after)


# --- the banks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankSettings:
    """How often the banks appear (every Nth issue; 0: never)."""

    testimonials_every: int = 1
    resources_every: int = 1


def bank_turns(count: int, banks: Banks, used: set[str], settings: BankSettings
               ) -> list[tuple[IssueBlock, ...]]:
    """For each of ``count`` issues the bank blocks it carries (a resource, a testimonial):
    ready entries not in ``used`` (the ``from`` of blocks already queued), in bank order,
    each once."""
    testimonials = _fresh(banks.ready_testimonials, used)
    resources = _fresh(banks.ready_resources, used)
    turns: list[tuple[IssueBlock, ...]] = []
    for index in range(count):
        picked = [_take(resources, index, settings.resources_every),
                  _take(testimonials, index, settings.testimonials_every)]
        turns.append(tuple(bank_block(entry) for entry in picked if entry is not None))
    return turns


def _fresh(entries: Sequence[Testimonial | Resource], used: set[str]
           ) -> list[Testimonial | Resource]:
    return [e for e in entries if bank_block(e).origin not in used]


def _take(entries: list[Testimonial | Resource], index: int, every: int
          ) -> Testimonial | Resource | None:
    if every <= 0 or index % every or not entries:
        return None
    return entries.pop(0)


def bank_words(banks: Banks, settings: BankSettings) -> int:
    """Words an issue keeps free for its testimonial and resource."""
    testimonial = max((len(t.quote.split()) for t in banks.ready_testimonials), default=0)
    resource = max((len(f"{r.title} {r.note}".split()) for r in banks.ready_resources),
                   default=0)
    return (testimonial if settings.testimonials_every else 0) + (
        resource if settings.resources_every else 0)


# --- a series that reads as one ----------------------------------------------------------------


def is_intro(snippet: Snippet, content: Content) -> bool:
    """The article's introduction: its first snippet, before any heading of its own."""
    return bool(content.snippets) and snippet.id == content.snippets[0].id and (
        snippet.section.strip().casefold() in ("", content.article.title.strip().casefold()))


def intro_block(snippet: Snippet, content: Content) -> IssueBlock:
    """The introduction as the welcome block (its "coming up" part is added once the
    issues are dated: :func:`welcome_text`)."""
    body = _OPENER.sub(lambda m: "In this series" if m.group(0).lower().startswith("in ")
                       else "This series", snippet.body.strip())
    # the article's headline heads the welcome: the series starts with what it is about
    return replace(snippet_block(snippet, content), kind="welcome",
                   title=content.article.title, body=body)


@dataclass(frozen=True)
class Cadence:
    """How the series is spaced, for the words that tell readers so."""

    mode: str = "broadcast"  # or "sequence": days after each reader joined
    every_days: int = 3
    weekdays: tuple[str, ...] = ()
    tz: tzinfo | None = None
    language: str = "en"  # the words around the article (see :mod:`.phrases`)


def welcome_text(intro: str, newsletter: str, first: bool, coming: Sequence[Issue],
                 cadence: Cadence, after: Issue) -> str:
    """The welcome: a greeting (or a new series' opening), the introduction, how often
    emails come and the next subjects with when they come."""
    words = phrases_for(cadence.language)
    greeting = words.welcome.format(name=newsletter) if newsletter.strip() else \
        words.welcome_unnamed  # never "Welcome to ****"
    opening = greeting if first else words.new_series
    lines = [f"{opening} {intro}".strip(), "", words.coming_up.format(often=_how_often(cadence)),
             ""]
    lines += ["- " + words.label.format(when=_when(issue, after, cadence, dated=True),
                                        subject=issue.subject) for issue in coming]
    return "\n".join(lines) if coming else f"{opening} {intro}".strip()


def next_text(issue: Issue, following: Issue | None, cadence: Cadence) -> str:
    """The line that closes ``issue``: what the next email brings, and when."""
    words = phrases_for(cadence.language)
    if following is None:
        return words.last
    return words.label.format(when=_when(following, issue, cadence), subject=following.subject)


def _how_often(cadence: Cadence) -> str:
    words = phrases_for(cadence.language)
    if cadence.weekdays and cadence.mode != "sequence":
        return words.often(cadence.every_days, tuple(WEEKDAYS.index(d) for d in cadence.weekdays))
    return words.often(cadence.every_days)


def _when(issue: Issue, after: Issue, cadence: Cadence, dated: bool = False) -> str:
    """When ``issue`` comes, seen from ``after``: "Tomorrow", "Next Thursday" or, ``dated``
    (or more than a week on), "Thursday 14 January"; in sequence mode "In 3 days"."""
    words = phrases_for(cadence.language)
    if issue.day is not None and after.day is not None:
        days = issue.day - after.day
        return words.tomorrow if days == 1 else words.in_days.format(n=days) if days > 0 \
            else words.next
    if issue.send_at is None or after.send_at is None:
        return words.next
    local, base = (issue.send_at.astimezone(cadence.tz), after.send_at.astimezone(cadence.tz)
                   ) if cadence.tz else (issue.send_at, after.send_at)
    days = (local.date() - base.date()).days
    weekday = words.weekdays[local.weekday()]
    if not dated and days == 1:
        return words.tomorrow
    if not dated and 1 < days <= 7:
        return capital(words.next_weekday.format(weekday=weekday))
    return capital(words.dated.format(weekday=weekday, day=local.day,
                                      month=words.months[local.month - 1]))
