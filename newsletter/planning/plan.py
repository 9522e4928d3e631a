"""Content -> issues: snippets packed into emails on a schedule, with subject and preheader.

Packing keeps article order and fills each issue up to ``max_words`` of snippet text (the
call to action is not counted). A section's consecutive snippets travel together whenever
they fit in one issue (even if that leaves the issue before it short); a snippet longer
than the budget goes alone; an issue under ``min_words`` then merges with its neighbour
when the two fit the budget. ``cta`` snippets are not content: they become every
issue's call to action (rotating when the article has several).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..config import Config
from ..content.contentfile import count_words
from ..errors import ConfigError, InputError
from ..files import digest, write_atomic
from ..models import CallToAction, Content, Issue, IssueBlock, Snippet, Source
from .issuefile import (
    LoadedIssue,
    Queue,
    dump_issue,
    file_number,
    issue_filename,
    load_queue,
    read_state,
    write_state,
)
from .schedule import Schedule, send_dates, send_times

# Issue keys -> (deliveries, proofs) the database has recorded, for the keys with any.
History = Callable[[list[str]], Mapping[str, tuple[int, int]]]
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
         first_number: int = 1, taken_subjects: Iterable[str] = ()) -> list[Issue]:
    """Pack ``content``'s snippets into issues numbered from ``first_number`` on ``schedule``.

    Subjects differ from each other and from ``taken_subjects`` (the rest of the queue)
    where possible. Raises :class:`InputError` when the content has no snippets other than
    calls to action.
    """
    snippets = [s for s in content.snippets if s.kind != "cta"]
    if not snippets:
        raise InputError(f"no snippets to plan in {content.article.slug!r} (only calls to "
                         "action, or none at all)")
    ctas = [s for s in content.snippets if s.kind == "cta"]
    # Each issue carries a call to action: its words count against the budget.
    cta_words = max((words_of(c) for c in ctas), default=0)
    groups = pack(snippets, min_words=max(min_words - cta_words, 0),
                  max_words=max(max_words - cta_words, min_words // 2, 1))
    times = send_times(schedule, len(groups))
    subjects = {subject.casefold() for subject in taken_subjects}
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
        elif size <= self.max_words:  # kept whole, even if the issue before stays short
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
        return _merge_short(self.issues, self.min_words, self.max_words)


def _merge_short(issues: list[list[Snippet]], min_words: int, max_words: int
                 ) -> list[list[Snippet]]:
    """Merge each issue under ``min_words`` into a neighbour when both fit the budget."""
    merged: list[list[Snippet]] = []
    for issue in issues:
        if merged and min(_total(merged[-1]), _total(issue)) < min_words and (
                _total(merged[-1]) + _total(issue) <= max_words):
            merged[-1] = merged[-1] + issue
        else:
            merged.append(issue)
    return merged


def _total(snippets: Iterable[Snippet]) -> int:
    return sum(words_of(s) for s in snippets)


def words_of(snippet: Snippet) -> int:
    """The snippet's word count (counted from its body when the file did not say)."""
    return snippet.words or count_words(snippet.body)


def _block(snippet: Snippet, content: Content) -> IssueBlock:
    sources = tuple(Source(n, content.references.get(n, "")) for n in snippet.sources)
    return IssueBlock(kind=snippet.kind, title=snippet.title, body=snippet.body,
                      sources=sources, origin=f"{content.article.slug}#{snippet.id}",
                      image=snippet.image)


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


# --- planning into the issues folder --------------------------------------------------------


@dataclass(frozen=True)
class FileAction:
    """What re-planning did (or would do) with one issue file.

    ``action`` is ``new``, ``updated``, ``unchanged``, ``kept`` (with ``reason``) or
    ``removed`` (an unedited, unsent file of this article that the new plan no longer needs).
    """

    path: Path
    action: str
    issue: Issue | None = None
    reason: str = ""


@dataclass(frozen=True)
class PlanReport:
    """The outcome of :func:`plan_into`, one entry per file touched or kept."""

    actions: tuple[FileAction, ...]
    dry_run: bool

    @property
    def written(self) -> tuple[FileAction, ...]:
        """The files written (or that would be)."""
        return tuple(a for a in self.actions if a.action in ("new", "updated", "unchanged"))

    @property
    def kept(self) -> tuple[FileAction, ...]:
        """The files left alone, each with its reason."""
        return tuple(a for a in self.actions if a.action == "kept")


def plan_into(content: Content, schedule: Schedule, issues_dir: Path, *, now: datetime,
              min_words: int = 150, max_words: int = 450, cta_url: str = "",
              status: str = "scheduled", dry_run: bool = False,
              days: bool = False, new_id: Callable[[str], str] | None = None,
              history: History | None = None) -> PlanReport:
    """Plan ``content`` into ``issues_dir``, never overwriting a file a person edited.

    This article's files (found by the ``from`` of their blocks) that have deliveries or
    proofs recorded (``history(keys)``: ledger key -> (deliveries, proofs), asked only when
    the article has files), that were edited since
    `plan` wrote them (their SHA-256 differs from ``.plan-state.yaml``), or whose send time
    is at or before ``now``, are kept, and their snippets are not planned again; invalid
    files are never touched. The rest of the article is packed again, numbered from its
    first issue (or after the last issue of the folder), skipping numbers in use and the
    days of kept issues, and written; its old files that the new plan does not reuse are
    removed.

    Every file written carries an ``id``: the one of the file it replaces at the same path,
    or a fresh one from ``new_id(slug)`` (default :func:`new_issue_id`), so a new series
    never inherits an old one's ledger.
    """
    queue = load_queue(issues_dir)
    _refuse_invalid_files(queue)
    _refuse_past_start(schedule, now)
    state = read_state(issues_dir)
    slug = content.article.slug
    mine = [item for item in queue.issues if _from_article(item.issue, slug)]
    recorded = history([i.issue.key for i in mine]) if history and mine else {}
    kept = [(item, reason) for item in mine
            if (reason := _keep_reason(item, state, now, recorded))]
    kept_items = [item for item, _ in kept]
    replaceable = [item for item in mine if item not in kept_items]
    issues = _fresh_issues(content, schedule, kept_items, min_words=min_words,
                           max_words=max_words, cta_url=cta_url, status=status,
                           taken_subjects=[i.issue.subject for i in queue.issues
                                           if i not in replaceable])
    reserved = {i.issue.number for i in queue.issues if i not in replaceable} | {
        n for e in queue.errors if (n := file_number(Path(e.path or ""))) is not None}
    base = min((i.issue.number for i in mine), default=max(reserved, default=0) + 1)
    issues = _renumber(issues, _free_numbers(base, reserved, len(issues)))
    if days:  # sequence mode: `day:` offsets from the first send date instead of send_at
        issues = [replace(i, send_at=None, day=_day_of(i, schedule)) for i in issues]
    issues = _with_ids(issues, queue, replaceable, issues_dir,
                       lambda: (new_id or new_issue_id)(slug))
    actions = [FileAction(item.path, "kept", item.issue, reason) for item, reason in kept]
    actions += [FileAction(Path(e.path or ""), "kept", None, f"invalid: {e.message}")
                for e in queue.errors]
    actions += _write(issues, replaceable, issues_dir, state, dry_run)
    return PlanReport(tuple(actions), dry_run)


def plan_folder(content: Content, schedule: Schedule, config: Config, *, now: datetime,
                status: str = "scheduled", min_words: int | None = None,
                max_words: int | None = None, dry_run: bool = False,
                history: History | None = None) -> PlanReport:
    """:func:`plan_into` the newsletter folder of ``config``, with its budget, CTA and mode.

    What ``newsletter plan`` and the studio's "Plan" both run; ``history`` is the
    database's record of deliveries and proofs (see :func:`plan_into`).
    """
    low = min_words or config.cadence.min_words
    high = max_words or config.cadence.max_words
    if low > high:
        raise ConfigError(f"--min-words {low} is more than --max-words {high}",
                          field="--min-words")
    return plan_into(content, schedule, config.issues_dir, now=now, min_words=low,
                     max_words=high, cta_url=config.cta_url, status=status, dry_run=dry_run,
                     days=config.mode == "sequence", history=history)


def new_issue_id(slug: str) -> str:
    """A fresh issue id: the article's slug (cut short) and 48 random bits."""
    return f"{slug[:20].strip('-') or 'issue'}-{secrets.token_hex(6)}"


def _with_ids(issues: list[Issue], queue: Queue, replaceable: list[LoadedIssue],
              issues_dir: Path, fresh: Callable[[], str]) -> list[Issue]:
    """Each issue with the id of the replaced file at its path, or a fresh, unused one."""
    reused = {item.path: item.issue.id for item in replaceable if item.issue.id}
    taken = {item.issue.key for item in queue.issues if item not in replaceable}
    result = []
    for issue in issues:
        issue_id = reused.get(issues_dir / issue_filename(issue), "")
        while not issue_id or issue_id in taken:
            issue_id = fresh()
        taken.add(issue_id)
        result.append(replace(issue, id=issue_id))
    return result


def _refuse_invalid_files(queue: Queue) -> None:
    """An invalid file may hold this article's snippets: planning around it would queue
    them twice, so the marketer fixes (or removes) it first."""
    if queue.errors:
        first = queue.errors[0]
        more = f" (and {len(queue.errors) - 1} more)" if len(queue.errors) > 1 else ""
        raise InputError(f"fix or remove the invalid issue files first{more}: {first}")


def _refuse_past_start(schedule: Schedule, now: datetime) -> None:
    first = send_times(schedule, 1)[0]
    if first <= now:
        today = now.astimezone(ZoneInfo(schedule.tz)).date()
        raise InputError(f"the first issue would go out at {first.isoformat()}, which has "
                         f"passed (today is {today} in {schedule.tz}): pick a later --start",
                         field="--start")


def _from_article(issue: Issue, slug: str) -> bool:
    return any(block.origin.startswith(f"{slug}#") for block in issue.blocks)


def _keep_reason(item: LoadedIssue, state: dict[str, str], now: datetime,
                 history: Mapping[str, tuple[int, int]]) -> str:
    if item.issue.key in history:
        deliveries, proofs = history[item.issue.key]
        recorded = [f"{deliveries} deliveries" if deliveries else "",
                    f"{proofs} proofs" if proofs else ""]
        return f"has {' and '.join(filter(None, recorded))} recorded"
    recorded = state.get(item.path.name)
    if recorded is None:
        return "not written by `newsletter plan` (no record of it): treated as edited"
    if recorded != digest(item.path.read_text("utf-8")):
        return "edited since it was planned"
    if item.issue.send_at is not None and item.issue.send_at <= now:
        return "its send time has passed"
    return ""


def _fresh_issues(content: Content, schedule: Schedule, kept: list[LoadedIssue], **options: Any
                  ) -> list[Issue]:
    """Plan the snippets no kept issue holds, on the days no kept issue takes."""
    covered = {block.origin for item in kept for block in item.issue.blocks}
    slug = content.article.slug
    left = tuple(s for s in content.snippets if s.kind == "cta" or f"{slug}#{s.id}" not in covered)
    if kept and not any(s.kind != "cta" for s in left):
        return []  # every snippet is in a kept issue (an article with none is an error)
    issues = plan(replace(content, snippets=left), schedule, **options)
    busy = {i.issue.send_at.astimezone(ZoneInfo(schedule.tz)).date()
            for i in kept if i.issue.send_at is not None} | {
        send_dates(schedule, 1)[0] + timedelta(days=i.issue.day)
        for i in kept if i.issue.day is not None}
    times = [t for t in send_times(schedule, len(issues) + len(busy)) if t.date() not in busy]
    return [replace(issue, send_at=when) for issue, when in zip(issues, times, strict=False)]


def _day_of(issue: Issue, schedule: Schedule) -> int:
    assert issue.send_at is not None
    local = issue.send_at.astimezone(ZoneInfo(schedule.tz)).date()
    return (local - send_dates(schedule, 1)[0]).days


def _free_numbers(base: int, reserved: set[int], count: int) -> list[int]:
    numbers: list[int] = []
    candidate = base
    while len(numbers) < count:
        if candidate not in reserved:
            numbers.append(candidate)
        candidate += 1
    return numbers


def _renumber(issues: list[Issue], numbers: list[int]) -> list[Issue]:
    return [replace(issue, number=n) for issue, n in zip(issues, numbers, strict=True)]


def _write(issues: list[Issue], replaceable: list[LoadedIssue], issues_dir: Path,
           state: dict[str, str], dry_run: bool) -> list[FileAction]:
    """Write the planned files and remove this article's unedited files no longer needed."""
    actions: list[FileAction] = []
    new_state = {name: sha for name, sha in state.items() if (issues_dir / name).is_file()}
    if not dry_run:
        issues_dir.mkdir(parents=True, exist_ok=True)
    targets = {issues_dir / issue_filename(issue): issue for issue in issues}
    for item in replaceable:
        if item.path not in targets:
            actions.append(FileAction(item.path, "removed", item.issue))
            new_state.pop(item.path.name, None)
            if not dry_run:
                item.path.unlink(missing_ok=True)
    for path, issue in targets.items():
        text = dump_issue(issue)
        old = path.read_text("utf-8") if path.is_file() else None
        action = "new" if old is None else "unchanged" if old == text else "updated"
        actions.append(FileAction(path, action, issue))
        new_state[path.name] = digest(text)
        if not dry_run and action != "unchanged":
            write_atomic(path, text)
    if not dry_run and (issues or new_state != state):
        write_state(issues_dir, new_state)
    return actions
