"""`newsletter send`: what cron runs (`--due`), one issue now, or a proof (`--test`)."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..addresses import normalize_address
from ..delivery.backends import get_backend
from ..delivery.broadcast import send_issue, send_test
from ..delivery.due import send_due
from ..delivery.run import SendContext, SendOptions, SendReport, StopSignal, stop_on_signals
from ..delivery.signups import SignupContext, process_signups
from ..errors import DeliveryError, InputError, NewsletterError, StoreError
from ..models import Issue, Outcome
from ..planning.issuefile import Queue, find_issue, load_queue, planned_zones
from ..rendering.links import Links
from ..store import Store, open_store
from ..tokens import secret_from_env
from . import State, main, parse_now, pass_state, tables

EXIT_INCOMPLETE = 3
log = logging.getLogger("newsletter.send")


@main.command()
@click.argument("number", type=int, required=False)
@click.option("--due", is_flag=True, help="Send every scheduled issue whose time has come.")
@click.option("--test", "test_address", metavar="ADDRESS", help="Send one proof to ADDRESS.")
@click.option("--dry-run", is_flag=True,
              help="Show which issues are due and how many would get each; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per issue.")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Treat this instant as now.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Send an issue even past its expiry time.")
@click.option("--retry-uncertain", is_flag=True,
              help="Send again to recipients whose earlier outcome is unknown.")
@click.option("--new-version", "new_versions", type=int, multiple=True, metavar="N",
              help="Issue N's file was edited after its sending began: send the edit, as a "
                   "new version, to those who have not had it (repeatable).")
@click.option("--lease", "lease_minutes", type=click.FloatRange(min=0, min_open=True),
              metavar="MINUTES",
              help="A claim unanswered this long belongs to a dead run and becomes uncertain "
                   "(default: delivery.lease_minutes, 15).")
@pass_state
def send(state: State, number: int | None, due: bool, test_address: str | None,
         dry_run: bool, as_json: bool, now_text: str | None, yes: bool, force: bool,
         retry_uncertain: bool, new_versions: tuple[int, ...],
         lease_minutes: float | None) -> None:
    """Deliver issues to subscribers, each (issue, subscriber) exactly once.

    Exit code: 0 all went well, 1 an error (message on stderr), 3 some recipients failed
    or their outcome is unknown (listed with the reason). The first send of an issue fixes
    what it sends: an issue file edited after that stops its send until you undo the edit
    or pass --new-version N. Failed recipients (the provider
    refused them) are sent again by the next run; recipients whose outcome is unknown
    (a dead run, or no answer after the request left) only with --retry-uncertain.

    \b
    Examples:
      newsletter send --due                  # what cron runs every few minutes
      newsletter send --due --dry-run --now 2026-12-01T09:05:00-05:00
      newsletter send 3 --test me@example.com
      newsletter send 3 --yes --json
      newsletter send --due --new-version 3  # issue 3 was edited mid-send: send the edit
    """
    if test_address and number is None:
        raise click.UsageError("--test needs an issue NUMBER: newsletter send N --test ADDRESS")
    if test_address:
        test_address = _proof_address(test_address)
    if due == (number is not None):
        raise click.UsageError("give an issue NUMBER or --due (not both)")
    if number is not None and not test_address and state.config.mode == "sequence":
        raise NewsletterError("in sequence mode each subscriber gets issue N on their own "
                              "day: run `newsletter send --due` (or `--test ADDRESS` for a "
                              "proof)")
    config = state.config
    options = SendOptions(now=parse_now(now_text), dry_run=dry_run, force=force,
                          retry_uncertain=retry_uncertain,
                          new_versions=frozenset(new_versions),
                          lease=timedelta(minutes=lease_minutes or config.delivery.lease_minutes))
    sending = _context(state, quiet=as_json)
    with sending as ctx, stop_on_signals():
        if due and not dry_run:
            _send_confirmations(ctx)
        queue = load_queue(state.config.issues_dir)
        if test_address:
            _send_proof(ctx, find_issue(queue, number).issue, test_address)  # type: ignore[arg-type]
            return
        try:
            reports = _send(ctx, queue, number, options, yes=yes, progress=sending.progress)
        except (KeyboardInterrupt, StopSignal) as exc:
            raise DeliveryError(f"stopped by {exc or 'Ctrl-C'} before any recipient was "
                                "claimed: running the same command again sends") from None
        idle = not as_json and not any(r.recipients or r.error for r in reports)
        nothing = nothing_due(ctx, queue, options.now) if due and idle else ""
    _print_reports(reports, as_json, nothing)
    sys.exit(_exit_code(reports))


def _send(ctx: SendContext, queue: Queue, number: int | None, options: SendOptions, *,
          yes: bool, progress: _BatchProgress) -> list[SendReport]:
    if number is None:
        if progress.bar is not None and not options.dry_run:  # a total for the bar
            progress.expect(sum(r.recipients for r in send_due(
                queue, ctx, replace(options, dry_run=True))))
        return send_due(queue, ctx, options)
    issue = find_issue(queue, number).issue
    _confirm(ctx.store, issue, yes or options.dry_run)
    if not options.dry_run:
        progress.expect(ctx.store.count_unclaimed(issue.key))
    try:
        return [send_issue(issue, ctx, options)]
    except StoreError as exc:
        return [SendReport(issue.number, issue.subject, error=str(exc), stopped=True)]


class _context:
    """Open the store and backend for a send, with progress reporting; close them after."""

    def __init__(self, state: State, quiet: bool) -> None:
        config = state.config
        self.links = Links(config.base_url, secret_from_env(state.env))
        self.config, self.quiet = config, quiet

    def __enter__(self) -> SendContext:
        self.store = open_store(self.config.database_url)
        self.progress = _BatchProgress(self.quiet)
        return SendContext(config=self.config, store=self.store,
                           backend=get_backend(self.config), links=self.links,
                           clock=lambda: datetime.now(UTC), sleep=time.sleep,
                           on_batch=self.progress.update)

    def __exit__(self, *exc: object) -> None:
        self.progress.close()
        self.store.close()


class _BatchProgress:
    """A rich bar with counts and rate on a terminal; a plain line per batch otherwise."""

    def __init__(self, quiet: bool, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.sent = self.failed = self.uncertain = 0
        self.started = time.monotonic()
        self.bar: Progress | None = None
        if self.console.is_terminal and not quiet:
            self.bar = Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]:.0f}/s  failed {task.fields[bad]}"),
                                TimeElapsedColumn(), console=self.console, transient=True)
            self.task = self.bar.add_task("send", total=None, rate=0.0, bad=0)
        self.quiet = quiet
        self.shown = False

    def expect(self, total: int) -> None:
        """Set the number of recipients the bar counts up to, and show it (a dry run or a
        proof, which never call this, shows no bar)."""
        if self.bar is not None:
            self.bar.update(self.task, total=max(total, 1))
            self._show()

    def _show(self) -> None:
        if self.bar is not None and not self.shown:
            self.started = time.monotonic()
            self.bar.start()
            self.shown = True

    def update(self, outcomes: Sequence[Outcome]) -> None:
        """Account for one finished batch."""
        self.sent += sum(o.status == "sent" for o in outcomes)
        self.failed += sum(o.status == "failed" for o in outcomes)
        self.uncertain += sum(o.status == "uncertain" for o in outcomes)
        done = self.sent + self.failed + self.uncertain
        rate = done / max(time.monotonic() - self.started, 1e-6)
        if self.bar is not None:
            self._show()
            self.bar.update(self.task, completed=done, rate=rate, bad=self.failed)
        elif not self.quiet:
            click.echo(f"batch of {len(outcomes)}: {self.sent} sent, {self.failed} failed, "
                       f"{self.uncertain} uncertain, {rate:.0f}/s", err=True)

    def close(self) -> None:
        """Stop the bar."""
        if self.bar is not None:
            self.bar.stop()


def _send_confirmations(ctx: SendContext) -> None:
    """Send what the sign-up queue holds (when `serve` is not running, cron still does)."""
    report = process_signups(SignupContext(config=ctx.config, store=ctx.store,
                                           backend=ctx.backend, secret=ctx.links.secret,
                                           clock=ctx.clock))
    said = [f"{n} {what}" for n, what in ((report.sent, "sent"),
                                          (report.retrying, "to retry later"),
                                          (report.failed, "given up")) if n]
    if said:
        plural = "s" if report.sent + report.retrying + report.failed > 1 else ""
        click.echo(f"confirmation email{plural}: " + ", ".join(said), err=True)


def _confirm(store: Store, issue: Issue, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise NewsletterError("refusing to send without confirmation: pass --yes")
    count = store.count_unclaimed(issue.key)
    click.confirm(f"Send issue {issue.number} ({issue.subject!r}) to {count} subscribers now?",
                  abort=True)


def _proof_address(text: str) -> str:
    """The proof's address as subscribers' addresses are read; a bad one stops the command
    before anything is rendered or sent."""
    try:
        return normalize_address(text)
    except InputError as exc:
        raise InputError(exc.message, field="--test") from None


def _send_proof(ctx: SendContext, issue: Issue, address: str) -> None:
    outcome = send_test(issue, address, ctx)
    if not outcome.ok:
        raise NewsletterError(f"the proof to {address} was not sent: {outcome.error}")
    click.echo(f"proof of issue {issue.number} sent to {address} ({outcome.message_id})")


def nothing_due(ctx: SendContext, queue: Queue, now: datetime) -> str:
    """The line for a run with nobody to send to: when the next issue is due, in the zone
    it was planned in (else the newsletter's), or that nothing is scheduled after now."""
    config = ctx.config
    if config.mode == "sequence":
        return _nothing_due_in_sequence(ctx, queue, now)
    later = [i for i in queue.issues if i.issue.status == "scheduled" and i.issue.send_at
             and i.issue.send_at > now]
    if not later:
        return "nothing is due, and no scheduled issue is still to come"
    item = min(later, key=lambda i: (i.issue.send_at, i.issue.number))
    zone = planned_zones(config.issues_dir).get(item.path.name, config.tz)
    at = item.issue.send_at.astimezone(zone)  # type: ignore[union-attr]
    local = " (that hour in each reader's own zone)" if config.send_local_time else ""
    return f"nothing is due; next: issue {item.issue.number} at {at:%a %Y-%m-%d %H:%M %Z}{local}"


def _nothing_due_in_sequence(ctx: SendContext, queue: Queue, now: datetime) -> str:
    from .sequence import sequence_counts

    counts = sequence_counts(ctx.store, ctx.config, queue, now)
    waiting = [(datetime.fromisoformat(c["next_due_at"]), n) for n, c in counts.items()
               if c["next_due_at"]]
    if not waiting:
        return "nothing is due, and no subscriber is waiting for an issue"
    at, number = min(waiting)
    return (f"nothing is due; next: issue {number} at "
            f"{at.astimezone(ctx.config.tz):%a %Y-%m-%d %H:%M %Z} (a subscriber's next email)")


def _error_line(report: SendReport) -> str:
    """``error: issue 3: ...``, unless the error names its issue already."""
    named = not report.number or report.error.startswith(f"issue {report.number} ")
    return f"error: {report.error}" if named else f"error: issue {report.number}: {report.error}"


def _print_reports(reports: list[SendReport], as_json: bool, nothing: str = "") -> None:
    if as_json:
        click.echo(json.dumps([_json(r) for r in reports], indent=2))
        for r in reports:  # errors on stderr too, one line each, for the cron log
            if r.error:
                click.echo(_error_line(r), err=True)
        return
    out = tables.console()
    if not reports:
        out.print(nothing or "nothing is due")
    else:
        out.print(_report_table(reports, tables.narrow(out)))
        if nothing:  # every issue due was done already (or expired)
            out.print(nothing.replace("nothing is due", "nobody left to send to", 1))
    for r in reports:
        if r.error:
            click.echo(_error_line(r), err=True)
        for reason, count in r.reasons.items():
            click.echo(f"issue {r.number}: {count} recipients: {reason}", err=True)
        if r.failed:
            click.echo(f"issue {r.number}: {r.failed} recipients failed (not accepted by the "
                       "provider); the next run sends to them again", err=True)
        if r.uncertain:
            click.echo(f"issue {r.number}: {r.uncertain} recipients have an unknown outcome; "
                       f"see `newsletter queue`, re-send with `newsletter send {r.number} "
                       "--retry-uncertain`", err=True)


def _report_table(reports: list[SendReport], compact: bool) -> Table:
    """One row per issue; on a narrow screen, counts that are zero for every issue are
    left out (the lines on stderr and --json say everything)."""
    optional = ("failed", "uncertain", "skipped")
    shown = [c for c in optional if not compact or any(getattr(r, c) for r in reports)]
    table = tables.table()
    tables.fixed(table, "#", right=True)
    tables.text(table, "subject")
    for column in ("recipients", "sent", *shown):
        tables.fixed(table, column, right=True)
    said = any(r.delivery for r in reports)
    if said:
        tables.fixed(table, "delivery")
    tables.text(table, "note", most=24 if compact else None)
    for r in reports:
        note = "error (see below)" if r.error else r.note
        table.add_row(str(r.number or "-"), r.subject, str(r.recipients), str(r.sent),
                      *(str(getattr(r, c)) for c in shown), *([r.delivery] if said else []),
                      note)
    return table


def _json(report: SendReport) -> dict[str, object]:
    data = asdict(report)
    data["ok"] = report.ok
    return data


def _exit_code(reports: list[SendReport]) -> int:
    if any(r.error for r in reports):
        return 1
    return EXIT_INCOMPLETE if any(r.failed or r.uncertain for r in reports) else 0
