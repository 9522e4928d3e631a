"""Tables that stay readable at 80 columns: nothing is ever cut, text wraps at words.

Short columns (numbers, dates, statuses) never wrap; addresses and file names fold onto a
second line rather than lose characters; the text columns (subjects, notes) keep a width
where several words fit, and commands leave out optional columns on narrow terminals.
"""

from __future__ import annotations

import os
import re
import sys

from rich import box
from rich.console import Console
from rich.table import Table

NARROW = 110  # a console narrower than this gets the compact form of each table
PIPED_WIDTH = 200  # piped output (grep, logs): one line per row where possible


def console() -> Console:
    """The console of standard output: the terminal's width (``COLUMNS`` wins); when
    piped, wide enough that rows stay whole lines."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console()
    return Console(width=PIPED_WIDTH)


def narrow(out: Console) -> bool:
    """Whether ``out`` should get the compact form of a table."""
    return out.width < NARROW


def table(title: str | None = None) -> Table:
    """An empty table with a rule under the header and two spaces between columns."""
    return Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False,
                 show_edge=False, title_justify="left")


def fixed(t: Table, name: str, *, right: bool = False) -> None:
    """A short column (a number, a date, a status) that never wraps."""
    t.add_column(name, justify="right" if right else "left", no_wrap=True, overflow="fold")


def folding(t: Table, name: str, values: list[str] | None = None, *, most: int = 40) -> int:
    """A column of addresses or paths: kept whole, folded onto a second line if need be;
    wide enough for the longest of ``values`` up to ``most`` characters (its width,
    returned, is what :func:`fold_after` needs)."""
    longest = max((len(v) for v in values or ()), default=0)
    width = max(len(name), min(longest, most))
    # A fixed width: rich does not shrink other columns below a column's min_width.
    t.add_column(name, overflow="fold", width=width)
    return width


def fold_after(value: str, width: int, *marks: str) -> str:
    """``value`` in lines of at most ``width``, broken after one of its ``marks`` where it
    can be ("America/" over "New_York"; an address after its "@", else after dots too):
    the first of ``marks`` whose parts all fit is used, so a folded column breaks between
    the parts of a name rather than inside one."""
    if len(value) <= width:
        return value
    for n in range(1, len(marks) + 1):
        chars = re.escape("".join(marks[:n]))
        parts = re.split(f"(?<=[{chars}])", value)
        if all(len(part) <= width for part in parts) or n == len(marks):
            break
    lines, line = [], ""
    for part in parts:
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ""
        line += part
    return "\n".join([*lines, line])


def text(t: Table, name: str, *, most: int | None = None) -> None:
    """A column of prose (a subject, a note) that wraps at words: the text columns share
    what the short ones leave (the longest gives way first); ``most`` caps a secondary
    one so the main text keeps the room."""
    t.add_column(name, overflow="fold", max_width=most)
