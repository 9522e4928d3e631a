"""`newsletter subscribers`: import, add, remove, list and export the subscriber list."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..addresses import clean_name, normalize_address
from ..errors import InputError
from ..store import SUBSCRIBER_STATUSES, Store, Subscriber, SubscriberInput, open_store
from ..subscribers import (
    ImportReport,
    Note,
    count_rows,
    erased_checker,
    export_csv,
    import_csv,
)
from ..tokens import SECRET_ENV, erasure_hash, key_id, previous_secrets, secret_from_env
from . import State, main, pass_state, tables
from .words import counted

SHOWN_PER_GROUP = 5  # lines listed under each kind of warning or rejection

STATUS = click.Choice(SUBSCRIBER_STATUSES)


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _store(state: State) -> Iterator[Store]:
    store = open_store(state.config.database_url)
    try:
        yield store
    finally:
        store.close()


@main.group()
def subscribers() -> None:
    """Manage subscribers: import a CSV, add, remove, list and export.

    \b
    Example:
      newsletter subscribers import list.csv
      newsletter subscribers list --status active
    """


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--status", type=click.Choice(["active", "pending"]), default="active",
              show_default=True, help="Status of rows without a status column.")
@click.option("--source", default="", help="Consent source recorded (default: import:FILE).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON only.")
@pass_state
def import_(state: State, file: Path, status: str, source: str, as_json: bool) -> None:
    """Import subscribers from a CSV file; bad rows are reported, good ones imported.

    Columns are recognised by common names (email / e-mail / Email Address, name or first
    and last name, timezone, confirmed_at / subscribed_at / signup date, status); other
    columns become custom fields. Unsubscribed, bounced and complained addresses are never
    made active again.

    \b
    Example:
      newsletter subscribers import list.csv
      newsletter subscribers import old-esp.csv --status pending --json
    """
    _readable_csv(file)
    with _store(state) as store, _progress(file) as tick:
        report = import_csv(file, store, status=status, source=source, now=_now(),
                            default_tz=state.config.timezone, secret=_secret(state),
                            previous=previous_secrets(state.env), on_progress=tick)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _print_report(file, report)


def _readable_csv(file: Path) -> None:
    """A one-line error naming ``file`` when there is nothing to import from it."""
    if not file.exists():
        raise InputError("no such file", path=file)
    if file.is_dir():
        raise InputError("is a folder, not a CSV file", path=file)


@contextmanager
def _progress(file: Path) -> Iterator[Any]:
    with _rows_bar("importing", lambda: count_rows(file)) as tick:
        yield tick


@contextmanager
def _rows_bar(doing: str, total: Callable[[], int]) -> Iterator[Any]:
    """A bar of rows done out of ``total()`` (asked only on a terminal), with a rate and
    the time, on stderr; None (no bar) when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn(doing), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(doing, total=max(total(), 1), rate="-")

        def tick(done: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            progress.update(task, completed=done,
                            rate=f"{done / elapsed:,.0f}" if elapsed else "-")
        yield tick


def _secret(state: State) -> str | None:
    """The signing secret when set (it keys the hashes of erased addresses)."""
    return state.env.get(SECRET_ENV) or None


def _print_report(file: Path, report: ImportReport) -> None:
    """Warnings, then rejections, grouped by kind with counts and their first lines (on
    stderr); the summary last (on stdout), where it cannot scroll away."""
    for title, notes in (("warning", report.warnings), ("rejected", report.rejected)):
        for line in grouped(file, title, notes):
            click.echo(line, err=True)
    click.echo(f"{file.name}: {report.imported:,} imported, {report.updated:,} updated, "
               f"{report.unchanged:,} unchanged, {counted(report.merged, 'duplicate')} merged, "
               f"{len(report.rejected):,} rejected"
               + (f", {counted(len(report.warnings), 'warning')}" if report.warnings else ""))


def grouped(file: Path, title: str, notes: tuple[Note, ...]) -> list[str]:
    """Notes grouped by kind, largest group first: a count, then the first few lines."""
    groups: dict[str, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.group, []).append(note)
    lines = []
    for group, members in sorted(groups.items(), key=lambda g: -len(g[1])):
        rows = "row" if len(members) == 1 else "rows"
        lines.append(f"{title}: {group}: {len(members):,} {rows}")
        lines += [f"  {file}{f':{n.line}' if n.line else ''}: {n.message}"
                  for n in members[:SHOWN_PER_GROUP]]
        if len(members) > SHOWN_PER_GROUP:
            lines.append(f"  ... and {len(members) - SHOWN_PER_GROUP:,} more (every one: "
                         "--json)")
    return lines


@subscribers.command()
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name.")
@click.option("--status", type=click.Choice(["active", "pending"]), default="active",
              show_default=True)
@click.option("--tz", "timezone", default=None, help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--resubscribe", is_flag=True,
              help="Reactivate an unsubscribed, bounced or complained address (explicit).")
@pass_state
def add(state: State, email: str, name: str, status: str, timezone: str | None,
        resubscribe: bool) -> None:
    """Add one subscriber, or update the one already there (any letter case).

    Like an upsert (sqlite-utils' `upsert`), an address already there is updated with what
    is given: --name or --tz replaces the stored value, and each change is printed
    ("name 'Ann' -> 'Ann Lee'"); what is not given stays. Its status changes only with
    --resubscribe.

    \b
    Example:
      newsletter subscribers add ann@example.org --name "Ann Lee" --tz Europe/Oslo
    """
    if timezone:
        from ..config import check_timezone

        check_timezone(timezone, field="--tz")
    entry = SubscriberInput(normalize_address(email), name=clean_name(name), status=status,
                            timezone=timezone)
    with _store(state) as store:
        check = erased_checker(store, _secret(state), previous_secrets(state.env))
        erased = check([entry.email]) if check else {}
        if erased:
            raise InputError(f"{entry.email} was erased on request on "
                             f"{erased[entry.email]:%Y-%m-%d}: it comes back only by signing "
                             "up through the form (a new consent)", field="email")
        before = store.get_subscriber(entry.email)
        sub, outcome = store.add_subscriber(entry, source="cli", now=_now(),
                                            resubscribe=resubscribe)
    said = {"imported": "added", "updated": "updated", "unchanged": "already there"}
    changes = changed_fields(before, sub) if before else []
    click.echo(f"{sub.email}: {said.get(outcome, outcome)} ({sub.status})"
               + (f": {', '.join(changes)}" if changes else ""))
    if sub.status != status:
        click.echo(f"note: {sub.email} stays {sub.status}; use --resubscribe only if they "
                   "asked to receive the newsletter again", err=True)


def changed_fields(before: Subscriber, after: Subscriber) -> list[str]:
    """What an update changed, as "name 'Ann' -> 'Ann Lee'" (status included)."""
    def shown(value: str | None) -> str:
        return repr(value) if value else "(none)"

    return [f"{label} {shown(old)} -> {shown(new)}"
            for label, old, new in (("name", before.name, after.name),
                                    ("time zone", before.timezone, after.timezone),
                                    ("status", before.status, after.status)) if old != new]


@subscribers.command()
@click.argument("email")
@click.option("--forget", is_flag=True,
              help="Erase the record and its history (GDPR) instead of unsubscribing; a "
                   "keyed hash of the address is kept so that no import adds it again.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation with --forget.")
@pass_state
def remove(state: State, email: str, forget: bool, yes: bool) -> None:
    """Unsubscribe an address (the record is kept, so it is never mailed again).

    \b
    Example:
      newsletter subscribers remove ann@example.org
      newsletter subscribers remove ann@example.org --forget --yes
    """
    address = _lookup_form(email)
    secret = secret_from_env(state.env) if forget else ""  # before anything is changed
    with _store(state) as store:
        if store.get_subscriber(address) is None:
            raise InputError(f"no subscriber {email.strip()!r}", field="email")
        if forget:
            if not yes:
                click.confirm(f"Erase {address} and all their history? Only a keyed hash is "
                              "kept, so that no import adds them again", abort=True)
            store.erase_subscriber(address, erasure_hash=erasure_hash(secret, address),
                                   now=_now(), key_id=key_id(secret))
            click.echo(f"{address}: erased (a keyed hash is kept so that no import brings "
                       "it back; signing up again through the form is a new consent)")
            return
        sub = store.set_status(address, "unsubscribed", source="cli", now=_now())
    click.echo(f"{sub.email}: unsubscribed")


def _lookup_form(email: str) -> str:
    """The address as stored, for finding a subscriber (as given when it is not valid)."""
    try:
        return normalize_address(email)
    except InputError:
        return email.strip()


@subscribers.command("list")
@click.option("--status", type=STATUS, default=None, help="Only subscribers with this status.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="How many to show (0: all, streamed).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@pass_state
def list_(state: State, status: str | None, limit: int, as_json: bool) -> None:
    """Show subscribers and how many have each status.

    \b
    Example:
      newsletter subscribers list --status pending --limit 20
      newsletter subscribers list --json
    """
    with _store(state) as store:
        counts = store.count_by_status()
        rows = store.iter_subscribers(status=status)
        if as_json:
            _list_json(counts, rows, limit)
        else:
            _list_table(counts, rows, limit)


def _limited(rows: Iterator[Subscriber], limit: int) -> Iterator[Subscriber]:
    for n, row in enumerate(rows):
        if limit and n >= limit:
            return
        yield row


def _as_dict(sub: Subscriber) -> dict[str, Any]:
    return {"email": sub.email, "name": sub.name, "status": sub.status,
            "timezone": sub.timezone, "created_at": sub.created_at.isoformat(),
            "confirmed_at": sub.confirmed_at.isoformat() if sub.confirmed_at else None,
            "fields": dict(sub.fields)}


def _list_json(counts: dict[str, int], rows: Iterator[Subscriber], limit: int) -> None:
    out = sys.stdout
    out.write(f'{{"counts": {json.dumps(counts)}, "subscribers": [')
    for n, sub in enumerate(_limited(rows, limit)):
        out.write(("," if n else "") + json.dumps(_as_dict(sub), ensure_ascii=False))
    out.write("]}\n")


def _list_table(counts: dict[str, int], rows: Iterator[Subscriber], limit: int) -> None:
    console = tables.console()
    compact = tables.narrow(console)  # no "added" column (in --json)
    shown = list(_limited(rows, limit))
    table = tables.table()
    emails = tables.folding(table, "email", [s.email for s in shown])
    tables.text(table, "name")
    tables.fixed(table, "status")
    zones = tables.folding(table, "time zone", [s.timezone or "" for s in shown],
                           most=14 if compact else 30)
    if not compact:
        tables.fixed(table, "added")
    for sub in shown:
        table.add_row(tables.fold_after(sub.email, emails, "@", "."), sub.name, sub.status,
                      tables.fold_after(sub.timezone or "", zones, "/"),
                      *([] if compact else [sub.created_at.strftime("%Y-%m-%d")]))
    console.print(table)
    console.print(", ".join(f"{n:,} {status}" for status, n in counts.items())
                  + f" ({sum(counts.values()):,} in all)")


@subscribers.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (default: standard output).")
@click.option("--status", type=STATUS, default=None, help="Only subscribers with this status.")
@click.option("--safe-for-spreadsheets", "safe", is_flag=True,
              help="Put an apostrophe before cells a spreadsheet would run as a formula "
                   "(= + - @ at the start); for opening in a spreadsheet, not for re-import.")
@pass_state
def export(state: State, output: Path | None, status: str | None, safe: bool) -> None:
    """Export subscribers as CSV with a status column (imports back unchanged).

    \b
    Example:
      newsletter subscribers export -o subscribers/backup.csv
      newsletter subscribers export --status unsubscribed > suppressed.csv
      newsletter subscribers export --safe-for-spreadsheets -o for-excel.csv
    """
    with _store(state) as store, _rows_bar("exporting", lambda: _how_many(store, status)
                                           ) as tick:
        if output is None:
            count = export_csv(store, sys.stdout, status=status, safe_for_spreadsheets=safe,
                               on_progress=tick)
        else:
            count = _export_to_file(store, output, status, safe, tick)
    click.echo(f"exported {counted(count, 'subscriber')}" + (f" to {output}" if output else ""),
               err=True)


def _how_many(store: Store, status: str | None) -> int:
    counts = store.count_by_status()
    return counts.get(status, 0) if status else sum(counts.values())


def _export_to_file(store: Store, output: Path, status: str | None, safe: bool,
                    tick: Callable[[int], None] | None = None) -> int:
    # Write beside the target and rename: a failed export never leaves half a file.
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            count = export_csv(store, f, status=status, safe_for_spreadsheets=safe,
                               on_progress=tick)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
