"""Content -> issues: snippets packed into emails on a schedule, with subject and preheader.

Packing keeps article order and fills each issue up to ``max_words`` of snippet text (the
call to action is not counted). A section's consecutive snippets travel together when they
fit in one issue; a snippet longer than the budget goes alone; a short last issue merges
into the one before when the two fit. ``cta`` snippets are not content: they become every
issue's call to action (rotating when the article has several).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby

from .contentfile import count_words
from .errors import InputError
from .models import CallToAction, Content, Issue, IssueBlock, Snippet, Source
from .schedule import Schedule, send_times

SUBJECT_MAX = 59  # characters: "under 60"
PREHEADER_MAX = 99  # characters: "under 100"
ELLIPSIS = "…"

# Words a cut subject should not end on ("Why your back hurts and" reads broken).
_DANGLING = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into",
                       "of", "on", "or", "so", "than", "that", "the", "to", "with"})
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKER = re.compile(r"\s*\[\^?\d+\](?:\s*\[\^?\d+\])*")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•→]\s+|\d+[.)]\s+|Step \d+\)\s*)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(]?[A-Z0-9])")
_TRAILING_MESS = " \t:;,.-–—/|(["


def plan(content: Content, schedule: Schedule, *, min_words: int = 150,
         max_words: int = 450, cta_url: str = "", status: str = "scheduled",
         first_number: int = 1) -> list[Issue]:
    """Pack ``content``'s snippets into issues numbered from ``first_number`` on ``schedule``.

    Raises :class:`InputError` when the content has no snippets other than calls to action.
    """
    snippets = [s for s in content.snippets if s.kind != "cta"]
    if not snippets:
        raise InputError("no snippets to plan (only calls to action or none at all)",
                         path=content.article.source or None)
    groups = pack(snippets, min_words=min_words, max_words=max_words)
    ctas = [s for s in content.snippets if s.kind == "cta"]
    times = send_times(schedule, len(groups))
    subjects: set[str] = set()
    issues = []
    for index, (group, when) in enumerate(zip(groups, times, strict=True)):
        subject = unique_subject(group, subjects, fallback=content.article.title)
        subjects.add(subject.casefold())
        cta = ctas[index % len(ctas)] if ctas else None
        issues.append(Issue(
            number=first_number + index, subject=subject, preheader=preheader(group),
            status=status, send_at=when, blocks=tuple(_block(s, content) for s in group),
            cta=CallToAction(cta.title, cta.body, cta_url) if cta else None))
    return issues


def pack(snippets: Sequence[Snippet], *, min_words: int, max_words: int
         ) -> list[list[Snippet]]:
    """Group snippets (in order) into issues within the word budget; never an empty one."""
    packer = _Packer(min_words, max_words)
    for _, section in groupby(snippets, key=lambda s: s.section):
        packer.add_section(list(section))
    return packer.finish()


class _Packer:
    """Greedy packing state: the issues closed so far and the one being filled."""

    def __init__(self, min_words: int, max_words: int) -> None:
        self.min_words, self.max_words = min_words, max_words
        self.issues: list[list[Snippet]] = []
        self.current: list[Snippet] = []

    @property
    def words(self) -> int:
        return sum(words_of(s) for s in self.current)

    def add_section(self, section: list[Snippet]) -> None:
        size = sum(words_of(s) for s in section)
        if self.words + size <= self.max_words:
            self.current.extend(section)
        elif size <= self.max_words and (not self.current or self.words >= self.min_words):
            self.close()
            self.current = list(section)
        else:  # the section cannot travel whole: fill snippet by snippet
            for snippet in section:
                self.add_one(snippet)

    def add_one(self, snippet: Snippet) -> None:
        if self.current and self.words + words_of(snippet) > self.max_words:
            self.close()
        self.current.append(snippet)
        if words_of(snippet) > self.max_words:
            self.close()  # too long for any issue: it goes alone

    def close(self) -> None:
        if self.current:
            self.issues.append(self.current)
        self.current = []

    def finish(self) -> list[list[Snippet]]:
        self.close()
        issues = self.issues
        if len(issues) > 1 and _total(issues[-1]) < self.min_words and (
                _total(issues[-2]) + _total(issues[-1]) <= self.max_words):
            issues = [*issues[:-2], issues[-2] + issues[-1]]
        return issues


def _total(snippets: Iterable[Snippet]) -> int:
    return sum(words_of(s) for s in snippets)


def words_of(snippet: Snippet) -> int:
    """The snippet's word count (counted from its body when the file did not say)."""
    return snippet.words or count_words(snippet.body)


def _block(snippet: Snippet, content: Content) -> IssueBlock:
    sources = tuple(Source(n, content.references.get(n, "")) for n in snippet.sources)
    return IssueBlock(kind=snippet.kind, title=snippet.title, body=snippet.body,
                      sources=sources, origin=f"{content.article.slug}#{snippet.id}")


# --- subject and preheader ------------------------------------------------------------------


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text: no marks, links as their text, no citations."""
    lines = [_LINE_MARK.sub("", line) for line in markdown.splitlines()]
    text = " ".join(line.strip() for line in lines if line.strip())
    text = _MARKER.sub("", _LINK.sub(r"\1", text))
    text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def tidy_title(title: str) -> str:
    """A title as a subject: plain text, no trailing colon, dash or full stop."""
    text = plain_text(title).rstrip(_TRAILING_MESS)
    return text[:1].upper() + text[1:]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    words = text[: limit - len(ELLIPSIS) + 1].split(" ")
    kept = words[:-1] if len(words) > 1 else [words[0][: limit - len(ELLIPSIS)]]
    while len(kept) > 1 and kept[-1].casefold().strip(_TRAILING_MESS) in _DANGLING:
        kept.pop()
    return " ".join(kept).rstrip(_TRAILING_MESS) + ELLIPSIS


def subject_for(snippets: Sequence[Snippet], fallback: str = "") -> str:
    """A subject under 60 characters from the lead snippet's title (or its first sentence)."""
    lead = snippets[0]
    first_sentence = next(iter(_sentences(lead.body)), "")
    text = tidy_title(lead.title) or tidy_title(first_sentence) or tidy_title(fallback)
    return shorten(text or "New issue", SUBJECT_MAX)


def unique_subject(snippets: Sequence[Snippet], taken: set[str], fallback: str = "") -> str:
    """The issue's subject, made different from ``taken`` (casefolded) where possible.

    Tries the other snippets' titles first, then numbers the repeat: "Title (part 2)".
    """
    first = subject_for(snippets, fallback)
    candidates = [first] + [subject_for([s]) for s in snippets[1:] if s.title.strip()]
    for candidate in candidates:
        if candidate.casefold() not in taken:
            return candidate
    for n in range(2, 1000):
        suffix = f" (part {n})"
        candidate = shorten(first.rstrip(ELLIPSIS), SUBJECT_MAX - len(suffix)) + suffix
        if candidate.casefold() not in taken:
            return candidate
    return first


def _sentences(markdown: str) -> list[str]:
    prose = [line for line in markdown.splitlines() if line.strip()
             and not _LINE_MARK.match(line)]
    return [s for s in _SENTENCE_END.split(plain_text("\n".join(prose))) if s]


def preheader(snippets: Sequence[Snippet]) -> str:
    """A preheader under 100 characters: the lead snippet's first sentences.

    When the lead snippet has no prose (a bare list), the other snippets' titles, then the
    list itself.
    """
    text = ""
    for sentence in _sentences(snippets[0].body):
        if text and len(text) + 1 + len(sentence) > PREHEADER_MAX:
            break
        text = f"{text} {sentence}".strip()
    if not text:
        others = [tidy_title(s.title) for s in snippets[1:] if s.title.strip()]
        text = ("Also: " + " · ".join(others)) if others else plain_text(snippets[0].body)
    return shorten(text, PREHEADER_MAX)
