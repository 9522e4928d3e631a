"""Progress bars of the long commands (`split`, `build`): the look of the send and import bars.

A bar is drawn on standard error only when both standard output and standard error are
terminals and the command prints no JSON: piped, redirected or machine-read output never
gets one. Each stage of a command is a bar with its total, what is done, a rate and the
time so far; it disappears when the command ends (``transient``), leaving the summary.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def wanted(as_json: bool = False) -> bool:
    """Whether a bar should be drawn: a person watches a terminal, and no JSON is printed."""
    return not as_json and sys.stdout.isatty() and sys.stderr.isatty()


class Stages:
    """One bar per stage of a command, each with a total, a count, a rate and the time."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.task: int | None = None

    def stage(self, label: str, total: float | None, unit: str) -> None:
        """Start the next stage: ``total`` steps of ``unit`` (None: not known)."""
        if self.progress is None:
            return
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task(label, total=total, unit=unit, rate="-")

    def done(self, completed: float) -> None:
        """``completed`` steps of the current stage are done."""
        if self.progress is None or self.task is None:
            return
        elapsed = self.progress.tasks[self.task].elapsed or 0
        rate = f"{completed / elapsed:,.0f}" if elapsed else "-"
        self.progress.update(self.task, completed=completed, rate=rate)


@contextmanager
def stages(show: bool, console: Console | None = None) -> Iterator[Stages]:
    """The bars of one command (none when ``show`` is false)."""
    if not show:
        yield Stages(None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[unit]}  {task.fields[rate]} {task.fields[unit]}/s"),
               TimeElapsedColumn())
    with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
        yield Stages(bar)
