"""CLI commands `newsletter plan` and `newsletter queue`: the issue files in issues/."""

from __future__ import annotations

import difflib
import itertools
import json
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import yaml

from ..config import Config, check_timezone
from ..content.banks import BANK_FILES
from ..content.contentfile import load_content
from ..errors import InputError
from ..models import Content
from ..planning.issuefile import Queue, load_queue, planned_zones, queue_rows
from ..planning.phrases import known as known_language
from ..planning.plan import FileAction, PlanReport, plan_folder, plan_summary
from ..planning.schedule import Schedule, schedule_for
from . import State, main, parse_now, pass_state, tables
from .articles import ARTICLE_SUFFIXES

COUNT_COLUMNS = ("sent", "failed", "uncertain")


def schedule_from_options(config: Config, *, every: str | None, on: str | None,
                          at: str | None, tz: str | None, start: str | None,
                          now: datetime) -> Schedule:
    """The schedule the options ask for (see :func:`planning.schedule.schedule_for`)."""
    if every and on:
        raise click.UsageError("use either --every or --on, not both")
    return schedule_for(config, every=every, on=on, at=at, tz=tz, start=start, now=now)


@main.command()
@click.argument("content_file", metavar="CONTENT",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--every", help="Send every N days: 3d, 7, 1w (default: cadence.every).")
@click.option("--on", help="Send on named weekdays instead: mon,thu (default: cadence.weekdays).")
@click.option("--at", help="Local time of day, HH:MM (default: cadence.at).")
@click.option("--tz", help="IANA time zone such as Europe/Berlin (default: timezone).")
@click.option("--start", help="First possible send day, YYYY-MM-DD (default: tomorrow, or "
              "the times the series already has).")
@click.option("--status", type=click.Choice(["scheduled", "draft"]), default="scheduled",
              show_default=True, help="Status of the issues written.")
@click.option("--min-words", type=click.IntRange(1), help="Word budget of an issue: lower bound.")
@click.option("--max-words", type=click.IntRange(1), help="Word budget of an issue: upper bound.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--now", "now_text", hidden=True, help="Treat this ISO time as now (testing).")
@pass_state
def plan(state: State, content_file: Path, every: str | None, on: str | None, at: str | None,
         tz: str | None, start: str | None, status: str, min_words: int | None,
         max_words: int | None, dry_run: bool, now_text: str | None) -> None:
    """Plan CONTENT (a content/<slug>.yaml file) into issue files in issues/.

    Snippets are packed in article order within the word budget, a send time each on the
    cadence (DST-correct in the time zone), each file with its own `id` (its identity in
    the delivery ledger). Planning again rewrites only what `plan` wrote itself: a file with
    deliveries or proofs recorded, one a person edited, one whose send time has passed and
    an invalid file are kept, and listed with the reason.

    Without --start, an article planned again keeps the send times its issues have (plan
    says so; an issue added goes out one interval after them); --start reschedules it.
    A second article's series is numbered after the issues already queued and goes out
    after them: without --start, one interval after the last of them (plan says so); a
    --start among them is refused.

    \b
    Example:
      newsletter plan content/my-article.yaml --every 3d --at 09:00 --tz Europe/Berlin
      newsletter plan content/my-article.yaml --on mon,thu --start 2026-03-02 --dry-run
    """
    config, now = state.config, parse_now(now_text)
    schedule = schedule_from_options(config, every=every, on=on, at=at, tz=tz, start=start,
                                     now=now)
    report = plan_folder(_content(content_file, config.content_dir), schedule, config, now=now,
                         status=status, min_words=min_words, max_words=max_words,
                         dry_run=dry_run,
                         history=lambda keys: recorded_history(config.database_url, keys))
    _print_report(report, check_timezone(schedule.tz), config.issues_dir)
    if config.send_local_time and config.mode != "sequence" and schedule.tz != config.timezone:
        click.echo(f"note: send_local_time reads each send time as the wall-clock time in "
                   f"newsletter.yaml's timezone ({config.timezone}), not {schedule.tz}: set "
                   f"timezone: {schedule.tz} there for readers to get these at "
                   f"{schedule.at:%H:%M} in their own zone", err=True)
    if not known_language(config.language):
        click.echo(f"note: plan writes its own words (the welcome, 'what comes next', "
                   f"'Inside:') in en, de, fr or es; language {config.language!r} got English:"
                   " word them in the issue files or the studio", err=True)
    if not dry_run:
        for warning in order_warnings(load_queue(config.issues_dir)):
            click.echo(f"warning: {warning}", err=True)


def _content(path: Path, content_dir: Path) -> Content:
    """The content file to plan; an article given instead says what to run first, a file
    that is not there which content file was meant."""
    if not path.exists():
        raise _missing(path, content_dir)
    if path.suffix.lower() in ARTICLE_SUFFIXES:
        raise InputError(_split_first(path), path=path)
    try:
        return load_content(path)
    except InputError as exc:
        other = _what_else(path)
        if other is None:
            raise
        raise InputError(other, path=path) from exc


def _missing(path: Path, content_dir: Path) -> InputError:
    """A content file that is not there, with the one meant when it can be told: the
    same name with .yaml (``content/<slug>``), the slug in content/, or a close name."""
    article = path.suffix.lower() in ARTICLE_SUFFIXES
    meant = [p for p in (path.with_name(path.name + ".yaml"), path.with_suffix(".yaml"),
                         content_dir / f"{path.stem}.yaml") if p.is_file()]
    if not meant and not article:
        names = {p.stem: p for p in content_dir.glob("*.yaml") if p.name not in BANK_FILES}
        meant = [names[n] for n in difflib.get_close_matches(path.stem, names, n=1)]
    if meant and not article:
        return InputError(f"no such content file: did you mean {_typed(meant[0], path)}?",
                          path=path)
    return InputError("no such file" if article else "no such content file (`newsletter "
                      "split ARTICLE` writes content/<slug>.yaml)", path=path)


def _typed(found: Path, given: Path) -> str:
    """``found`` written as the user wrote ``given`` (relative when they were)."""
    if given.is_absolute():
        return str(found)
    try:
        return str(found.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(found)


def _split_first(path: Path) -> str:
    return (f"this is an article, not a content file: run `newsletter split {path}` first, "
            "then plan the content/<slug>.yaml it writes")


# Keys that tell the files plan is given by mistake apart from a broken content file.
_SETTINGS_KEYS = {"name", "from", "postal_address", "base_url", "delivery", "cadence"}
_ISSUE_KEYS = {"number", "subject", "send_at", "day", "preheader"}
_CONTENT_KEYS = {"article", "snippets", "references", "dropped"}


def _what_else(path: Path) -> str | None:
    """What a file that is not a content file is, said as what to do instead (None: it
    looks like a content file with a mistake in it, whose own error is the better one)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        if any(line.split(":", 1)[0] in _CONTENT_KEYS for line in text.splitlines()):
            return None
        return _split_first(path)
    plan_this = "plan takes the content/<slug>.yaml that `newsletter split ARTICLE` writes"
    if path.suffix.lower() in (".csv", ".tsv"):
        return f"this is a CSV file, not a content file: {plan_this}"
    if isinstance(data, str):
        return _split_first(path)
    keys = set(map(str, data)) if isinstance(data, dict) else set()
    if {"number", "subject"} <= keys or (_ISSUE_KEYS & keys and not _CONTENT_KEYS & keys):
        return f"this is an issue file, not a content file: {plan_this}"
    if _SETTINGS_KEYS & keys and not _CONTENT_KEYS & keys:
        return f"this is the newsletter's settings, not a content file: {plan_this}"
    if isinstance(data, list) and data and all(isinstance(e, dict) for e in data):
        return (f"this is a bank of testimonials or resources (`newsletter banks`), not a "
                f"content file: {plan_this}")
    return None


def order_warnings(queue: Queue) -> list[str]:
    """Issues that go out before an issue with a lower number (a kept file can cause it)."""
    dated = sorted((i.issue.number, i.issue.send_at) for i in queue.issues
                   if i.issue.send_at is not None and i.issue.status == "scheduled")
    return [f"issue {later} ({later_at:%Y-%m-%d %H:%M %Z}) now goes out before issue "
            f"{earlier} ({earlier_at:%Y-%m-%d %H:%M %Z}): edit a send_at, or renumber"
            for (earlier, earlier_at), (later, later_at) in itertools.pairwise(dated)
            if later_at < earlier_at]


def _print_report(report: PlanReport, zone: tzinfo, issues_dir: Path) -> None:
    out = tables.console()
    compact = tables.narrow(out)
    table = tables.table("Would write (dry run)" if report.dry_run else None)
    tables.fixed(table, "#", right=True)
    if not compact:
        tables.folding(table, "file", [_relative(a.path, issues_dir) for a in report.actions],
                       most=60)
    tables.fixed(table, "send (local)")
    tables.fixed(table, "status")
    tables.fixed(table, "words", right=True)
    tables.text(table, "subject")
    tables.text(table, "done", most=14 if compact else None)
    for action in report.actions:
        issue = action.issue
        when = (_local(issue.send_at, zone, compact) if issue and issue.send_at else
                f"day {issue.day}" if issue and issue.day is not None else "")
        cells = [str(issue.number) if issue else "",
                 *([] if compact else [_relative(action.path, issues_dir)]), when,
                 issue.status if issue else "", str(issue.words) if issue else "",
                 issue.subject if issue else action.path.name,
                 f"kept: {action.reason}" if action.reason else action.action]
        table.add_row(*cells)
    out.print(table)
    click.echo(plan_summary(report, str(issues_dir)))
    if report.follows is not None:
        click.echo(_follows(report, zone))
    for action in report.retold:
        click.echo(_retold(action, report.dry_run), err=action.action == "kept")


def _retold(action: FileAction, dry_run: bool) -> str:
    """The line about the issue before the series: its closing line rewritten, or kept."""
    issue = action.issue
    assert issue is not None
    if action.action == "kept":
        return (f"note: issue {issue.number} still ends with {issue.next.strip()!r} "
                f"(kept: {action.reason}): edit its `next` to tell what follows it now")
    verb = "would now end" if dry_run else "now ends"
    return f"issue {issue.number} {verb} with what follows it: {issue.next.strip()!r}"


def _follows(report: PlanReport, zone: tzinfo) -> str:
    """Where the series was put: after the queue's last issue before it."""
    last = report.follows
    assert last is not None
    mine = sorted((a.issue for a in report.written if a.issue), key=lambda i: i.number)
    when = (lambda i: _local(i.send_at, zone)) if last.send_at else (lambda i: f"day {i.day}")
    first = f"; its first issue, {mine[0].number}, goes out {when(mine[0])}" if mine else ""
    return (f"this series follows issue {last.number} ({when(last)}), the last one queued "
            f"before it{first} (--start picks a later day)")


def _relative(path: Path, folder: Path) -> str:
    return path.name if path.parent == folder else str(path)


def _local(when: datetime, zone: tzinfo, compact: bool = False) -> str:
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M" if compact else "%a %Y-%m-%d %H:%M %Z")


@main.command()
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list: one object per issue, then one per invalid file.")
@pass_state
def queue(state: State, as_json: bool) -> None:
    """The issues in send order: number, send time (local and UTC), status, subject, words.

    Invalid issue files are listed with the file, line and problem; the queue is still
    printed, and the command exits 1 so cron or CI notices. Local times are in the zone
    each issue was planned in (plan --tz), else in newsletter.yaml's timezone. With --json,
    each issue is {number, id, file, subject, send_at, send_at_local, send_at_utc,
    timezone, day, expires, status, words, delivery, counts: {sent, failed, uncertain,
    claimed, retry}} and each invalid
    file {file, line, error}. The counts come from the database (zeros before the first
    send: a missing SQLite database is not created by looking); ``delivery`` is what the
    ledger says: "sending", "sent", "partly sent" or "" (not yet; and in sequence mode).

    \b
    Example:
      newsletter queue
      newsletter queue --json | jq '.[] | select(.status == "scheduled") | .subject'
    """
    config = state.config
    loaded = load_queue(config.issues_dir)
    counts, states = ledger_view(config.database_url, [i.issue.key for i in loaded.issues],
                                 states=config.mode != "sequence")
    rows = queue_rows(loaded, config.tz, counts, states, planned_zones(config.issues_dir))
    if config.mode == "sequence":  # per issue: received, due now, next due
        from .sequence import print_sequence_counts, with_sequence_counts

        rows = with_sequence_counts(rows, config, loaded)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_queue(rows, config)
        if config.mode == "sequence":
            print_sequence_counts(rows)
    if loaded.errors:
        sys.exit(1)


def _print_queue(rows: list[dict[str, Any]], config: Config) -> None:
    issues = [r for r in rows if "error" not in r]
    if not issues and len(rows) == len(issues):
        click.echo(f"No issues in {config.issues_dir} yet: run `newsletter plan CONTENT`.")
        return
    out = tables.console()
    compact = tables.narrow(out)
    # Counts nobody has yet are left out on a narrow screen (--json has them all).
    counts = [c for c in COUNT_COLUMNS
              if not compact or any(r["counts"][c] for r in issues)]
    zones = sorted({r["timezone"] for r in issues if r["send_at_local"]}) or [config.timezone]
    utc = not compact and zones != ["UTC"]  # a UTC column beside UTC times says nothing
    mixed = len(zones) > 1  # then each time says its zone
    table = tables.table(("times in each issue's zone (as planned)" if mixed else
                          f"times in {zones[0]}") + (" and UTC" if utc else ""))
    tables.fixed(table, "#", right=True)
    tables.fixed(table, "send")
    if utc:
        tables.fixed(table, "UTC")
    said = any(r["delivery"] for r in issues)  # what the ledger says, once anything went
    for column in ("status", *(["delivery"] if said else []), "words", *counts):
        tables.fixed(table, column, right=column not in ("status", "delivery"))
    tables.text(table, "subject")
    for row in issues:
        table.add_row(str(row["number"]), _when(row, "send_at_local", mixed),
                      *([_when(row, "send_at_utc")] if utc else []), row["status"],
                      *([row["delivery"]] if said else []),
                      str(row["words"]), *(str(row["counts"][c]) for c in counts),
                      row["subject"])
    out.print(table)
    for row in rows:
        if "error" in row:
            click.echo(f"invalid: {row['error']}", err=True)


def ledger_view(database_url: str, keys: list[str], *, states: bool
                ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """Issue key -> ledger rows by status, and (with ``states``) -> what the ledger says of
    the issue ("sent", "sending", "partly sent"); nothing when no SQLite database exists."""
    if _no_database_yet(database_url):
        return {}, {}
    from ..store import open_store  # here: `newsletter plan` need not import SQLAlchemy

    with open_store(database_url) as store:
        counts = store.counts_by_key()
        said = {key: store.delivery_state(key) for key in keys if key in counts} if states \
            else {}
    return counts, said


def recorded_history(database_url: str, keys: list[str]) -> dict[str, tuple[int, int]]:
    """Issue key -> (deliveries, proofs) recorded, for the keys with any."""
    if _no_database_yet(database_url):
        return {}
    from ..store import open_store

    with open_store(database_url) as store:
        return store.recorded_history(keys)


def _no_database_yet(database_url: str) -> bool:
    """A SQLite file that does not exist yet (looking must not create it)."""
    if not database_url.startswith("sqlite:///"):
        return False
    path = database_url.removeprefix("sqlite:///").partition("?")[0]
    return bool(path) and path != ":memory:" and not Path(path).expanduser().exists()


def _when(row: dict[str, Any], key: str, zoned: bool = False) -> str:
    if row[key] is None:  # sequence mode: a day of each subscriber's own calendar
        return f"day {row['day']}" if row["day"] is not None and key == "send_at_local" else "-"
    when = datetime.fromisoformat(row[key])
    if zoned:  # its zone's abbreviation (EST, CET) where times of several zones are listed
        return when.astimezone(ZoneInfo(row["timezone"])).strftime("%Y-%m-%d %H:%M %Z")
    return when.strftime("%Y-%m-%d %H:%M")
