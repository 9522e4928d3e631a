"""Content -> issues: snippets packed into emails on a schedule, composed as one series.

Packing keeps article order and fills each issue up to ``max_words`` (less what the call
to action, the testimonial and the resource take). A section's consecutive snippets travel
together whenever they fit in one issue (even if that leaves the issue before it short),
and then read as one block; a snippet longer than the budget goes alone; an issue under
``min_words`` then merges with its neighbour when the two fit the budget. ``cta`` snippets
are not content: short calls to action are made from them (:mod:`.cta`). Each issue gets a
subject and a preheader a person would write (:mod:`.subjects`), at most one testimonial
and one resource from the banks, the introduction becomes issue 1's welcome, and every
issue ends with what comes next (:mod:`.compose`).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..config import Config
from ..content.banks import Banks, load_banks
from ..content.contentfile import count_words
from ..errors import ConfigError, InputError, StaleFileError
from ..files import digest, remove_if_unchanged, save_if_unchanged
from ..models import CallToAction, Content, Issue, IssueBlock, Snippet
from . import compose
from .compose import BankSettings, Cadence
from .cta import CtaSettings, cta_blocks, place
from .issuefile import (
    LoadedIssue,
    Queue,
    dump_issue,
    file_number,
    issue_filename,
    load_queue,
    read_state,
    read_zones,
    write_state,
)
from .phrases import Phrases, phrases_for
from .schedule import Schedule, following, send_dates, send_times
from .subjects import PREHEADER_MAX, SUBJECT_MAX, abbreviations, write_preheader, write_subject

__all__ = ["PREHEADER_MAX", "SUBJECT_MAX", "Extras", "pack", "plan", "plan_folder",
           "plan_into", "plan_summary"]

# Issue keys -> (deliveries, proofs) the database has recorded, for the keys with any.
History = Callable[[list[str]], Mapping[str, tuple[int, int]]]


@dataclass(frozen=True)
class Extras:
    """What issues carry besides the article: calls to action, the banks, the series."""

    products: tuple[str, ...] = ()
    cta: CtaSettings = field(default_factory=CtaSettings)
    banks: Banks = field(default_factory=Banks)
    bank_settings: BankSettings = field(default_factory=BankSettings)
    used: frozenset[str] = frozenset()  # the `from` of bank blocks already in the queue
    newsletter: str = ""  # its name, for the welcome
    mode: str = "broadcast"
    welcome: bool = True  # the article's introduction opens the first issue as a welcome
    language: str = "en"  # the words plan writes around the article (see phrases.py)


def plan(content: Content, schedule: Schedule, *, min_words: int = 150,
         max_words: int = 450, cta_url: str = "", status: str = "scheduled",
         first_number: int = 1, taken_subjects: Iterable[str] = (),
         extras: Extras | None = None, series: bool = True) -> list[Issue]:
    """Pack ``content``'s snippets into issues numbered from ``first_number`` on ``schedule``.

    Subjects differ from each other and from ``taken_subjects`` (the rest of the queue).
    With ``series``, the welcome says what is coming and each issue what comes next (among
    these issues only: :func:`plan_into` does it over the whole queue). Raises
    :class:`InputError` when the content has no snippets other than calls to action.
    """
    extras = replace(extras or Extras(), cta=replace((extras or Extras()).cta,
                                                     url=cta_url or (extras or Extras()).cta.url))
    snippets = [s for s in content.snippets if s.kind != "cta"]
    if not snippets:
        raise InputError(f"no snippets to plan in {content.article.slug!r} (only calls to "
                         "action, or none at all)")
    if extras.welcome and compose.is_intro(snippets[0], content):  # the welcome says more
        snippets[0] = replace(snippets[0], words=words_of(snippets[0]) + compose.WELCOME_WORDS)
    ctas = cta_blocks([s for s in content.snippets if s.kind == "cta"], extras.products,
                      extras.cta)
    reserved = _reserved_words(ctas, extras)
    groups = pack(snippets, min_words=max(min_words - reserved, 0),
                  max_words=max(max_words - reserved, min_words // 2, 1))
    times = send_times(schedule, len(groups))
    placed = place(ctas, len(groups), extras.cta.every)
    turns = compose.bank_turns(len(groups), extras.banks, set(extras.used),
                               extras.bank_settings)
    taken = {subject.casefold() for subject in taken_subjects}
    short = abbreviations(s.body for s in content.snippets)
    issues = []
    for index, (group, when) in enumerate(zip(groups, times, strict=True)):
        blocks = (*_content_blocks(group, content, extras.welcome), *turns[index])
        subject, preheader = _headlines(blocks, taken, short, content.article.title,
                                        phrases_for(extras.language))
        taken.add(subject.casefold())
        issues.append(Issue(number=first_number + index, subject=subject, preheader=preheader,
                            status=status, send_at=when, blocks=blocks, cta=placed[index]))
    return as_series(issues, (), _cadence(schedule, extras), extras.newsletter) if series \
        else issues


def _reserved_words(ctas: Sequence[CallToAction], extras: Extras) -> int:
    """Words each issue keeps for its call to action and bank blocks."""
    cta = max((count_words(f"{c.title} {c.body}") for c in ctas), default=0)
    return (cta if extras.cta.every else 0) + compose.bank_words(extras.banks,
                                                                 extras.bank_settings)


def _content_blocks(group: Sequence[Snippet], content: Content, welcome: bool
                    ) -> list[IssueBlock]:
    """The group's snippets as blocks; the article's introduction as the welcome."""
    if welcome and compose.is_intro(group[0], content):
        return [compose.intro_block(group[0], content),
                *compose.merge_parts(group[1:], content)]
    return compose.merge_parts(group, content)


def _headlines(blocks: Sequence[IssueBlock], taken: set[str], short: Mapping[str, str],
               fallback: str, words: Phrases) -> tuple[str, str]:
    """The subject (from the tips' titles) and the preheader (what else is inside)."""
    tips = [b for b in blocks if b.kind not in ("welcome", "testimonial", "resource")]
    subject = write_subject([b.title for b in tips], taken, short=short, fallback=fallback)
    lead = tips[0] if tips else blocks[0]
    inside = [_named(b, words) for b in blocks if b is not lead and b.kind != "welcome"]
    return subject, write_preheader(subject, lead.body, inside, words)


def _named(block: IssueBlock, words: Phrases) -> str:
    """A block as the preheader names it."""
    if block.kind == "testimonial":
        return words.word_from.format(name=block.name) if block.name else words.story
    return block.title


def _cadence(schedule: Schedule, extras: Extras) -> Cadence:
    return Cadence(mode=extras.mode, every_days=schedule.every_days,
                   weekdays=tuple(schedule.weekdays), tz=ZoneInfo(schedule.tz),
                   language=extras.language)


def as_series(fresh: Sequence[Issue], others: Sequence[Issue], cadence: Cadence,
              newsletter: str) -> list[Issue]:
    """``fresh`` issues as part of the queue (with ``others``): each ends with what comes
    next, and a welcome block says what is coming."""
    everything = sorted([*fresh, *(o for o in others if o.status != "cancelled")],
                        key=_send_key)
    result = []
    for issue in fresh:
        at = everything.index(issue)
        after = everything[at + 1:]
        blocks = tuple(replace(b, body=compose.welcome_text(
            b.body, newsletter, at == 0, after[:3], cadence, issue)) if b.kind == "welcome"
            else b for b in issue.blocks)
        result.append(replace(issue, blocks=blocks,
                              next=compose.next_text(issue, after[0] if after else None,
                                                     cadence)))
    return result


def _send_key(issue: Issue) -> tuple[int, float, int]:
    if issue.send_at is not None:
        return (0, issue.send_at.timestamp(), issue.number)
    return (1, float(issue.day if issue.day is not None else 0), issue.number)


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
    follows: Issue | None = None  # the queue's last issue before the series, which it
    # was moved after (None: it starts where the schedule said)
    retold: tuple[FileAction, ...] = ()  # the issue before the series, its closing line
    # rewritten to tell what now follows ("updated"), or kept as it was ("kept": why)
    held: tuple[datetime, ...] = ()  # send times the series already had, kept (re-planned
    # without a start asked for); later issues follow them on the cadence

    @property
    def written(self) -> tuple[FileAction, ...]:
        """The files written (or that would be)."""
        return tuple(a for a in self.actions if a.action in ("new", "updated", "unchanged"))

    @property
    def kept(self) -> tuple[FileAction, ...]:
        """The files left alone, each with its reason."""
        return tuple(a for a in self.actions if a.action == "kept")


def plan_summary(report: PlanReport, issues_dir: str) -> str:
    """What plan did to the files, truthfully: written (new, rewritten), then unchanged
    (already as planned: not written), removed and kept; "nothing changed" when it wrote
    and removed nothing."""
    counts = Counter(a.action for a in report.actions)
    would = report.dry_run
    written = counts["new"] + counts["updated"]
    how = ", ".join(f"{counts[a]} {w}" for a, w in (("new", "new"), ("updated", "rewritten"))
                    if counts[a])
    rest = ", ".join(f"{counts[a]} {w}" for a, w in (
        ("unchanged", "unchanged"), ("removed", "to remove" if would else "removed"),
        ("kept", "kept")) if counts[a])
    if not written and not counts["removed"]:
        return (f"nothing {'would change' if would else 'changed'} in {issues_dir}: "
                f"{rest or 'no issue files'}." + held_note(report))
    files = "issue file" if written == 1 else "issue files"
    head = (f"{'would write' if would else 'wrote'} {written} {files} in {issues_dir}"
            + (f" ({how})" if written else ""))
    return head + (f"; {rest}" if rest else "") + "." + held_note(report)


def held_note(report: PlanReport) -> str:
    """The sentence saying which send times re-planning kept ("" when it kept none)."""
    if not report.held:
        return ""
    count = len(report.held)
    first = min(report.held)
    return (f" Kept the send {'time' if count == 1 else 'times'} this series already had "
            f"({count} {'issue' if count == 1 else 'issues'} from "
            f"{first:%a %Y-%m-%d %H:%M %Z}); a --start date reschedules it.")


def plan_into(content: Content, schedule: Schedule, issues_dir: Path, *, now: datetime,
              min_words: int = 150, max_words: int = 450, cta_url: str = "",
              status: str = "scheduled", dry_run: bool = False,
              days: bool = False, new_id: Callable[[str], str] | None = None,
              history: History | None = None, extras: Extras | None = None) -> PlanReport:
    """Plan ``content`` into ``issues_dir``, never overwriting a file a person edited.

    This article's files (found by the ``from`` of their blocks) that have deliveries or
    proofs recorded (``history(keys)``: ledger key -> (deliveries, proofs), asked only when
    the article has files), that were edited since
    `plan` wrote them (their SHA-256 differs from ``.plan-state.yaml``), or whose send time
    is at or before ``now``, are kept, and their snippets are not planned again; invalid
    files are never touched. The rest of the article is packed again, numbered from its
    first issue (or after the last issue of the folder), skipping numbers in use and the
    days of kept issues, and written; its old files that the new plan does not reuse are
    removed. The series goes out after the other articles' issues numbered before it:
    without a start asked for it is moved after them (``PlanReport.follows``), a start
    among them is an :class:`InputError`.

    Every file written carries an ``id``: the one of the file it replaces at the same path,
    or a fresh one from ``new_id(slug)`` (default :func:`new_issue_id`), so a new series
    never inherits an old one's ledger.

    ``extras`` (calls to action, banks, the newsletter's name): a bank entry already in an
    issue that stays is not used again; what comes next is told across the whole queue.
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
    staying = [i.issue for i in queue.issues if i not in replaceable]
    reserved = {i.issue.number for i in queue.issues if i not in replaceable} | {
        n for e in queue.errors if (n := file_number(Path(e.path or ""))) is not None}
    base = min((i.issue.number for i in mine), default=max(reserved, default=0) + 1)
    anchor = send_dates(schedule, 1)[0]  # sequence mode: `day:` counts from here
    schedule, follows = _after_earlier(schedule, _earlier(queue, mine, base), days, anchor)
    extras = extras or Extras(mode="sequence" if days else "broadcast")
    used = {o for issue in staying for block in issue.blocks for o in block.origins}
    slots = _slots(schedule, replaceable, days, moved=follows is not None)
    issues = _fresh_issues(content, schedule, kept_items, anchor, slots, min_words=min_words,
                           max_words=max_words, cta_url=cta_url, status=status,
                           taken_subjects=[i.subject for i in staying], series=False,
                           extras=replace(extras, used=extras.used | used))
    issues = _renumber(issues, _free_numbers(base, reserved, len(issues)))
    if days:  # sequence mode: `day:` offsets from the first send date instead of send_at
        issues = [replace(i, send_at=None, day=_day_of(i, anchor, schedule.tz))
                  for i in issues]
    issues = _with_ids(issues, queue, replaceable, issues_dir,
                       lambda: (new_id or new_issue_id)(slug))
    issues = as_series(issues, staying, _cadence(schedule, extras), extras.newsletter)
    retold = _retell_before(issues, [i for i in queue.issues if i not in mine],
                            Retelling(state, now, history, extras, dry_run))
    actions = [FileAction(item.path, "kept", item.issue, reason) for item, reason in kept]
    actions += [FileAction(Path(e.path or ""), "kept", None, f"invalid: {e.message}")
                for e in queue.errors]
    actions += _write(issues, replaceable, issues_dir, state, dry_run,
                      zone="" if days else schedule.tz)
    held = tuple(i.send_at for i in issues if i.send_at is not None and i.send_at in slots)
    return PlanReport(tuple(actions), dry_run, follows, retold, held)


@dataclass(frozen=True)
class Retelling:
    """What rewriting another series' closing line needs: the digests `plan` recorded,
    the time, the database's record, the words' settings, and whether to write."""

    state: dict[str, str]  # updated in place with the digest of a file rewritten
    now: datetime
    history: History | None
    extras: Extras
    dry_run: bool


def _retell_before(fresh: Sequence[Issue], others: Sequence[LoadedIssue],
                   how: Retelling) -> tuple[FileAction, ...]:
    """The other series' issue that goes out just before ``fresh`` ends with what comes
    next, not "the last email of this series": its ``next`` is rewritten when `plan`
    wrote it and it is still to be sent (an edited file is kept, and said so; one sent,
    or due already, is left alone)."""
    live = [i for i in others if i.issue.status != "cancelled"]
    if not fresh or not live:
        return ()
    first = min(fresh, key=_send_key)
    before = [i for i in live if _send_key(i.issue) < _send_key(first)]
    if not before:
        return ()
    item = max(before, key=lambda i: _send_key(i.issue))
    zone = read_zones(item.path.parent).get(item.path.name)
    cadence = Cadence(mode=how.extras.mode, tz=ZoneInfo(zone) if zone else None,
                      language=how.extras.language)
    told = compose.next_text(item.issue, first, cadence)
    if item.issue.next.strip() == told:
        return ()
    recorded = how.history([item.issue.key]) if how.history else {}
    reason = _keep_reason(item, how.state, how.now, recorded)
    if item.issue.key in recorded or reason == PASSED:
        return ()  # its readers have it already
    if reason:
        return (FileAction(item.path, "kept", item.issue, reason),)
    return (_rewrite(item, replace(item.issue, next=told), how),)


def _rewrite(item: LoadedIssue, issue: Issue, how: Retelling) -> FileAction:
    """Write ``issue`` over the unedited file ``item`` was read from (kept if edited
    meanwhile), recording its new digest."""
    text = dump_issue(issue)
    if not how.dry_run:
        try:
            save_if_unchanged(item.path, text, how.state[item.path.name])
        except StaleFileError:
            return FileAction(item.path, "kept", item.issue, CHANGED_WHILE_PLANNING)
        how.state[item.path.name] = digest(text)
    return FileAction(item.path, "updated", issue)


def _earlier(queue: Queue, mine: Sequence[LoadedIssue], base: int) -> list[Issue]:
    """The other articles' live issues numbered before this series (which starts at
    ``base``): its issues must go out after them, so numbers and send order agree."""
    return [i.issue for i in queue.issues if i not in mine and i.issue.number < base
            and i.issue.status != "cancelled"]


def _after_earlier(schedule: Schedule, earlier: Sequence[Issue], days: bool, anchor: date
                   ) -> tuple[Schedule, Issue | None]:
    """The schedule moved after the last of ``earlier``, and that issue (None: not moved).

    Two series never interleave. Without a start asked for (``schedule.follow``), and
    always in sequence mode (where ``day:`` counts from ``anchor``), the series starts one
    interval after the last earlier issue; a start asked for that would put it among them
    is an :class:`InputError` saying what to do.
    """
    if days:
        dayed = [i for i in earlier if i.day is not None]
        if not dayed:
            return schedule, None
        last = max(dayed, key=lambda i: (i.day or 0, i.number))
        start = following(schedule, anchor + timedelta(days=last.day or 0))
        return replace(schedule, start=max(start, schedule.start)), last
    timed = [i for i in earlier if i.send_at is not None]
    if not timed:
        return schedule, None
    last = max(timed, key=lambda i: (i.send_at or datetime.min, i.number))
    assert last.send_at is not None
    last_day = last.send_at.astimezone(ZoneInfo(schedule.tz)).date()
    start = following(schedule, last_day)
    if schedule.follow:
        return (replace(schedule, start=start), last) if start > schedule.start else (
            schedule, None)
    if send_times(schedule, 1)[0] <= last.send_at:
        raise InputError(
            f"{schedule.start} puts this series among the issues already queued "
            f"(issue {last.number}, the last before it, goes out "
            f"{last.send_at.astimezone(ZoneInfo(schedule.tz)):%Y-%m-%d %H:%M %Z}): leave "
            f"--start out to plan it after them, from {start}, or start after {last_day}",
            field="--start")
    return schedule, None


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
                     days=config.mode == "sequence", history=history,
                     extras=folder_extras(config))


def folder_extras(config: Config) -> Extras:
    """The :class:`Extras` of a newsletter folder: its settings and its banks."""
    return Extras(products=config.products,
                  cta=CtaSettings(url=config.cta_url, every=config.cta.every,
                                  button=config.cta.button),
                  banks=load_banks(config.content_dir),
                  bank_settings=BankSettings(config.banks.testimonials_every,
                                             config.banks.resources_every),
                  newsletter=config.brand_name, mode=config.mode, language=config.language)


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


PASSED = "its send time has passed"


def _keep_reason(item: LoadedIssue, state: dict[str, str], now: datetime,
                 history: Mapping[str, tuple[int, int]]) -> str:
    if item.issue.key in history:
        deliveries, proofs = history[item.issue.key]
        recorded = [f"{deliveries:,} {'delivery' if deliveries == 1 else 'deliveries'}"
                    if deliveries else "",
                    f"{proofs:,} {'proof' if proofs == 1 else 'proofs'}" if proofs else ""]
        return f"has {' and '.join(filter(None, recorded))} recorded"
    recorded = state.get(item.path.name)
    if recorded is None:
        return "not written by `newsletter plan` (no record of it): treated as edited"
    if recorded != digest(item.path.read_text("utf-8")):
        return "edited since it was planned"
    if item.issue.send_at is not None and item.issue.send_at <= now:
        return PASSED
    return ""


def _slots(schedule: Schedule, replaceable: Sequence[LoadedIssue], days: bool,
           moved: bool) -> list[datetime]:
    """The send times the series' replaceable files have (all still to come), in order,
    when re-planning keeps them: no start was asked for (``schedule.follow``), broadcast
    mode, and, when the schedule was ``moved`` after other series, none of them before
    its new first day (else the series is planned anew)."""
    if not schedule.follow or days:
        return []
    zone = ZoneInfo(schedule.tz)
    times = sorted(i.issue.send_at.astimezone(zone) for i in replaceable
                   if i.issue.send_at is not None)
    return times if times and not (moved and times[0].date() < schedule.start) else []


def _fresh_times(schedule: Schedule, count: int, busy: set[date], slots: Sequence[datetime]
                 ) -> list[datetime]:
    """``count`` send times on days no kept issue takes: the ``slots`` first (issues keep
    the times they had), then the schedule's, one interval after the last slot used."""
    held = [t for t in slots if t.date() not in busy][:count]
    if held:
        schedule = replace(schedule, start=following(schedule, held[-1].date()))
    more = count - len(held)
    times = [t for t in send_times(schedule, more + len(busy)) if t.date() not in busy]
    return held + times[:more]


def _fresh_issues(content: Content, schedule: Schedule, kept: list[LoadedIssue], anchor: date,
                  slots: Sequence[datetime] = (), **options: Any) -> list[Issue]:
    """Plan the snippets no kept issue holds, on the days no kept issue takes (the
    ``slots`` first: see :func:`_fresh_times`)."""
    covered = {origin for item in kept for block in item.issue.blocks
               for origin in block.origins}
    slug = content.article.slug
    left = tuple(s for s in content.snippets if s.kind == "cta" or f"{slug}#{s.id}" not in covered)
    if kept and not any(s.kind != "cta" for s in left):
        return []  # every snippet is in a kept issue (an article with none is an error)
    if content.snippets and left and left[0].id != content.snippets[0].id:
        options["extras"] = replace(options["extras"], welcome=False)  # issue 1 stays as is
    issues = plan(replace(content, snippets=left), schedule, **options)
    busy = {i.issue.send_at.astimezone(ZoneInfo(schedule.tz)).date()
            for i in kept if i.issue.send_at is not None} | {
        anchor + timedelta(days=i.issue.day) for i in kept if i.issue.day is not None}
    times = _fresh_times(schedule, len(issues), busy, slots)
    return [replace(issue, send_at=when) for issue, when in zip(issues, times, strict=False)]


def _day_of(issue: Issue, anchor: date, tz: str) -> int:
    assert issue.send_at is not None
    return (issue.send_at.astimezone(ZoneInfo(tz)).date() - anchor).days


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


CHANGED_WHILE_PLANNING = "changed by someone else while planning: not overwritten"


def _remove(item: LoadedIssue, state: dict[str, str], dry_run: bool) -> FileAction:
    """Remove an unedited file the new plan does not need (kept if edited meanwhile)."""
    if not dry_run and item.path.exists():
        try:
            remove_if_unchanged(item.path, state.get(item.path.name, ""))
        except StaleFileError:
            return FileAction(item.path, "kept", item.issue, CHANGED_WHILE_PLANNING)
    return FileAction(item.path, "removed", item.issue)


def _write(issues: list[Issue], replaceable: list[LoadedIssue], issues_dir: Path,
           state: dict[str, str], dry_run: bool, zone: str = "") -> list[FileAction]:
    """Write the planned files and remove this article's unedited files no longer needed;
    record each written file's digest and the ``zone`` it was planned in (none in sequence
    mode: there each reader's own zone is the issue's)."""
    actions: list[FileAction] = []
    new_state = {name: sha for name, sha in state.items() if (issues_dir / name).is_file()}
    zones = {name: z for name, z in read_zones(issues_dir).items() if name in new_state}
    if not dry_run:
        issues_dir.mkdir(parents=True, exist_ok=True)
    targets = {issues_dir / issue_filename(issue): issue for issue in issues}
    for item in replaceable:
        if item.path not in targets:
            actions.append(_remove(item, state, dry_run))
            if actions[-1].action == "removed":
                new_state.pop(item.path.name, None)
                zones.pop(item.path.name, None)
    for path, issue in targets.items():
        text = dump_issue(issue)
        old = path.read_text("utf-8") if path.is_file() else None
        action = "new" if old is None else "unchanged" if old == text else "updated"
        if not dry_run and action != "unchanged":
            try:  # over exactly the text read: an edit saved meanwhile is kept
                save_if_unchanged(path, text, digest(old) if old is not None else "")
            except StaleFileError:
                actions.append(FileAction(path, "kept", issue, CHANGED_WHILE_PLANNING))
                continue
        actions.append(FileAction(path, action, issue))
        new_state[path.name] = digest(text)
        if zone:
            zones[path.name] = zone
        else:
            zones.pop(path.name, None)
    if not dry_run and (issues or new_state != state):
        write_state(issues_dir, new_state, zones)
    return actions
