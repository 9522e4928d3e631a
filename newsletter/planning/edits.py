"""Changes to issue files made by people (the studio): save, reschedule, cancel, move a block.

Every change is written with :func:`newsletter.files.save_if_unchanged`: it names the
version of the file it started from, so a save over a file changed meanwhile (by another
person, ``plan`` or ``git pull``) is refused and loses nothing. What is written is checked
by the same validation as loading, so a save never leaves an invalid file behind. A file
saved here no longer matches what ``plan`` recorded, so ``plan`` keeps it as edited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..files import digest, save_if_unchanged
from ..models import Issue
from .issuefile import LoadedIssue, dump_issue, load_issue_file, parse_issue


@dataclass(frozen=True)
class Versioned:
    """An issue file as read, with the digest of its text (what a later save must match)."""

    loaded: LoadedIssue
    version: str

    @property
    def issue(self) -> Issue:
        """The issue read from the file."""
        return self.loaded.issue


def read_versioned(path: Path) -> Versioned:
    """Read and validate an issue file, keeping the version a save must start from."""
    text = path.read_text("utf-8")
    return Versioned(parse_issue(text, path), digest(text))


def save_issue(path: Path, issue: Issue, *, expected: str,
               expires: datetime | None = None) -> str:
    """Write ``issue`` to ``path`` if the file is still at version ``expected``.

    Raises :class:`IssueFileError` when the issue would not load back (nothing is written)
    and :class:`StaleFileError` when the file changed since it was read. Returns the new
    version.
    """
    text = dump_issue(issue, expires)
    parse_issue(text, path)  # the same checks as loading, before anything is written
    return save_if_unchanged(path, text, expected)


def rescheduled(issue: Issue, send_at: datetime) -> Issue:
    """The issue sent at ``send_at`` instead (a broadcast time, with its offset)."""
    return replace(issue, send_at=send_at, day=None)


def cancelled(issue: Issue) -> Issue:
    """The issue taken out of the queue (kept in its file, sent by nobody)."""
    return replace(issue, status="cancelled")


def restored(issue: Issue) -> Issue:
    """A cancelled issue back in the queue: scheduled when it has a time and content."""
    ready = (issue.send_at is not None or issue.day is not None) and bool(issue.blocks)
    return replace(issue, status="scheduled" if ready else "draft")


def move_block(source: Versioned, index: int, target_path: Path) -> tuple[str, str]:
    """Move block ``index`` of ``source`` to the end of the issue in ``target_path``.

    The target is written first: a crash between the two writes leaves the block in both
    issues, never in neither. Returns the new versions of (source, target).
    """
    target = load_issue_file(target_path)
    blocks = list(source.issue.blocks)
    block = blocks.pop(index)
    target_text = target_path.read_text("utf-8")
    new_target = save_issue(target_path, replace(target.issue,
                                                 blocks=(*target.issue.blocks, block)),
                            expected=digest(target_text), expires=target.expires)
    new_source = save_issue(source.loaded.path, replace(source.issue, blocks=tuple(blocks)),
                            expected=source.version, expires=source.loaded.expires)
    return new_source, new_target
