"""Drip-sequence commands: `newsletter pause` / `resume`, `newsletter subscribers show`,
and the per-issue counts `newsletter queue` shows in sequence mode."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from ..config import Config
from ..errors import InputError, NewsletterError
from ..planning.issuefile import Queue, load_queue
from ..planning.sequence import (
    Progress,
    Step,
    fingerprint,
    next_due,
    series,
    timing_from_config,
    zone_of,
)
from ..store import Store, open_store
from ..store import sequence as seqdb
from . import State, main, parse_now, pass_state
from .subscribers import subscribers


def _switch(state: State, email: str | None, every: bool, paused: bool) -> str:
    if bool(email) == every:
        raise click.UsageError("give an EMAIL or --all (not both)")
    with open_store(state.config.database_url) as store:
        if every:
            seqdb.pause_sequence(store.engine, paused)
            return "the whole sequence is " + ("paused" if paused else "running again")
        if store.get_subscriber(email) is None:  # type: ignore[arg-type]
            raise InputError(f"no subscriber {email!r}", field="EMAIL")
        changed = seqdb.set_paused(store.engine, email, paused)  # type: ignore[arg-type]
    word = "paused" if paused else "resumed"
    return f"{email} {word}" if changed else f"{email} was already {word}"


@main.command()
@click.argument("email", required=False)
@click.option("--all", "every", is_flag=True, help="Pause the whole sequence.")
@pass_state
def pause(state: State, email: str | None, every: bool) -> None:
    """Pause the drip sequence for one subscriber (EMAIL) or for everyone (--all).

    A paused subscriber gets nothing until resumed; other emails (broadcasts) still reach
    them unless they unsubscribe.

    \b
    Example:
      newsletter pause reader@example.com
      newsletter pause --all
    """
    click.echo(_switch(state, email, every, True))


@main.command()
@click.argument("email", required=False)
@click.option("--all", "every", is_flag=True, help="Resume the whole sequence.")
@pass_state
def resume(state: State, email: str | None, every: bool) -> None:
    """Resume the drip sequence for one subscriber (EMAIL) or for everyone (--all).

    No burst: a subscriber owed several issues gets the oldest at the next run, the rest
    spaced by the cadence from that send.

    \b
    Example:
      newsletter resume reader@example.com
      newsletter resume --all
    """
    click.echo(_switch(state, email, every, False))


@subscribers.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Treat this instant as now.")
@pass_state
def show(state: State, email: str, as_json: bool, now_text: str | None) -> None:
    """One subscriber: status, time zone, and where they are in the drip sequence.

    \b
    Example:
      newsletter subscribers show reader@example.com
      newsletter subscribers show reader@example.com --json
    """
    config = state.config
    with open_store(config.database_url) as store:
        info = subscriber_info(store, config, load_queue(config.issues_dir), email,
                               parse_now(now_text))
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    for key, value in info.items():
        click.echo(f"{key:>16}: {'-' if value in (None, '') else value}")


def subscriber_info(store: Store, config: Config, queue: Queue, email: str,
                    now: datetime) -> dict[str, Any]:
    """What `subscribers show` prints: the record, the position in the series, next email."""
    found = store.get_subscriber(email)
    where = seqdb.position(store.engine, email)
    if found is None or where is None:
        raise NewsletterError(f"no subscriber {email!r}")
    timing = timing_from_config(config, local=True)
    zone = zone_of(found.timezone, timing)
    info: dict[str, Any] = {
        "email": found.email, "status": found.status,
        "timezone": found.timezone or f"{config.timezone} (the newsletter's)",
        "confirmed_at": _iso(found.confirmed_at, zone), "mode": config.mode,
        "paused": where.paused, "sequence_paused": seqdb.sequence_paused(store.engine),
        "last_issue": where.last_issue or None, "last_sent_at": _iso(where.last_at, zone),
        "next_issue": None, "next_due_at": None,
    }
    steps = series(queue)
    if config.mode == "sequence" and found.confirmed_at and steps:
        progress = Progress(found.confirmed_at, found.timezone, where.last_issue,
                            where.last_day, where.last_at)
        due = next_due(steps, progress, timing_from_config(config))
        info["position"] = _position(steps, progress)
        if due is not None and not where.paused and found.status == "active":
            info["next_issue"] = due.number
            info["next_due_at"] = _iso(due.at, zone) + (" (due now)" if due.at <= now else "")
    return info


def _position(steps: tuple[Step, ...], progress: Progress) -> str:
    done = sum(1 for s in steps if (s.day, s.number) <= (progress.last_day, progress.last_issue)
               ) if progress.last_issue else 0
    return f"{done} of {len(steps)} issues"


def _iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment else None


def sequence_counts(store: Store, config: Config, queue: Queue, now: datetime
                    ) -> dict[int, dict[str, Any]]:
    """Per issue of the series: received (sent), due now, waiting, and the next due time
    (UTC ISO) — what `newsletter queue` shows in sequence mode. Computes missing hints."""
    steps = series(queue)
    timing = timing_from_config(config)
    seqdb.sync_fingerprint(store.engine, fingerprint(steps, timing))
    seqdb.refresh_hints(store.engine, lambda p: next_due(steps, p, timing), now)
    waiting = seqdb.waiting_by_issue(store.engine, now)
    ledger = store.delivery_counts()
    paused = seqdb.sequence_paused(store.engine)
    keys = {item.issue.number: item.issue.key for item in queue.issues}
    counts = {}
    for step in steps:
        wait = waiting.get(step.number)
        sent = ledger.get(keys[step.number])
        counts[step.number] = {
            "received": sent.sent if sent else 0,
            "due_now": wait.due if wait else 0,
            "waiting": wait.waiting if wait else 0,
            "next_due_at": wait.next_at.isoformat() if wait and wait.next_at else None,
            "sequence_paused": paused,
        }
    return counts


def with_sequence_counts(rows: list[dict[str, Any]], config: Config, queue: Queue,
                         now: datetime | None = None) -> list[dict[str, Any]]:
    """`newsletter queue` rows with a ``sequence`` object per issue of the series:
    {received, due_now, waiting, next_due_at}. A missing SQLite database counts zeros."""
    now = now or parse_now(None)
    if config.database_url.startswith("sqlite") and not _sqlite_exists(config.database_url):
        return rows  # looking creates no database
    with open_store(config.database_url) as store:
        counts = sequence_counts(store, config, queue, now)
    return [{**row, "sequence": counts[row["number"]]} if row.get("number") in counts else row
            for row in rows]


def _sqlite_exists(url: str) -> bool:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    database = make_url(url).database or ""
    return database in ("", ":memory:") or Path(database).expanduser().exists()


def print_sequence_counts(rows: list[dict[str, Any]]) -> None:
    """The sequence table of `newsletter queue`: per issue, received, due now, next due."""
    from . import tables

    rows = [row for row in rows if row.get("sequence")]
    if not rows:
        return  # no subscriber database yet: nothing to count
    paused = any(row["sequence"]["sequence_paused"] for row in rows)
    table = tables.table("sequence (PAUSED: nothing goes out until `newsletter resume "
                         "--all`)" if paused else "sequence")
    for column in ("#", "day", "received", "due now", "waiting", "next due (UTC)"):
        tables.fixed(table, column, right=not column.startswith("next"))
    for row in rows:
        seq = row.get("sequence")
        if seq:
            table.add_row(str(row["number"]), str(row["day"]), str(seq["received"]),
                          str(seq["due_now"]), str(seq["waiting"]),
                          (seq["next_due_at"] or "-")[:16].replace("T", " "))
    tables.console().print(table)
