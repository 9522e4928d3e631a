"""`newsletter check [N]`: the pre-send gate, printed (or as JSON)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from ..config import Config
from ..delivery.renderings import content_digest
from ..errors import NewsletterError
from ..models import Issue
from ..planning.issuefile import load_queue
from ..rendering.check import CheckReport, Finding, check_folder, errors
from ..store import open_store
from . import State, main, pass_state
from .words import counted


@main.command()
@click.argument("number", type=int, required=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of findings: {severity, code, reason, issue, block}.")
@pass_state
def check(state: State, number: int | None, as_json: bool) -> None:
    """Check every issue (or issue NUMBER) and the banks before anything is sent.

    Errors in an issue block `newsletter send` for that issue (the others still go): no
    unsubscribe link or postal address, a placeholder that would reach readers, a citation
    without its source, a stub or a call to action without URL, a link that is not
    absolute http(s), HTML over Gmail's 102 KB or a <style> over 16 KB, an invalid issue
    file (settings readers could not use, such as a base_url they cannot reach while
    sending through SendGrid, stop it before that). A stub in a bank is an error too, but
    it blocks no issue: it is never put in one until filled in. Warnings
    inform: subject length or repeats, no preheader, images without alt text, an issue far
    over the word budget, words spam filters weigh, a "what comes next" line the queue no
    longer bears out.

    Exit code: 0 no errors (warnings may remain), 1 errors found.

    \b
    Example:
      newsletter check
      newsletter check 3 --json | jq '.[] | select(.severity == "error")'
    """
    report = check_folder(state.config, number)
    report = replace(report, findings=(*report.findings, *ledger_findings(state.config, number)))
    if as_json:
        click.echo(json.dumps([f.to_json() for f in report.findings], indent=2,
                              ensure_ascii=False))
    else:
        for finding in report.findings:
            click.echo(str(finding))
        counts = [sum(f.severity == s for f in report.findings) for s in ("error", "warning")]
        click.echo(f"checked {counted(report.issues, 'issue')}: "
                   f"{counted(counts[0], 'error')}, {counted(counts[1], 'warning')}"
                   + "".join(f"; {said}" for said in what_send_does(report)))
    if not report.ok:
        sys.exit(1)


def ledger_findings(config: Config, number: int | None = None) -> list[Finding]:
    """An issue whose file changed after its sending began: `send` refuses it until
    ``--new-version N`` (read from the ledger when there is one; a missing database is not
    created, and one that cannot be read is a warning)."""
    url = config.database_url
    if url.startswith("sqlite") and not Path(url.split(":///", 1)[-1]).exists():
        return []
    issues = [i.issue for i in load_queue(config.issues_dir).issues
              if number is None or i.issue.number == number]
    try:
        with open_store(url) as store:
            return [_changed(issue, stored.version) for issue in issues
                    if (stored := store.current_rendering(issue.key)) is not None
                    and stored.digest and stored.digest != content_digest(issue)]
    except NewsletterError as exc:
        return [Finding("warning", "ledger", f"the ledger could not be read ({exc}): a file "
                        "changed after its sending began is not looked for")]


def _changed(issue: Issue, version: int) -> Finding:
    return Finding("error", "changed", f"changed after its sending began (version {version} "
                   f"is being sent): `send` refuses it until the edit is undone, or sends it "
                   f"with `--new-version {issue.number}` to those who have not had it",
                   issue.number)


def what_send_does(report: CheckReport) -> list[str]:
    """What `send` makes of the errors, as it decides (:func:`rendering.check.gate`): an
    issue with an error is refused and the others go; a bank's stub stops no issue."""
    found = errors(report.findings)
    refused = sorted({f.issue for f in found if f.issue is not None})
    stubs = sum(f.code == "stub" for f in found)
    said = []
    if refused:
        numbers = ", ".join(map(str, refused))
        said.append(f"`send` refuses issue{'s' if len(refused) > 1 else ''} {numbers}"
                    + (" (the others still go)" if len(refused) < report.issues else ""))
    if stubs:
        said.append(f"the {'stub waits' if stubs == 1 else f'{stubs} stubs wait'} in the "
                    f"banks and {'stops' if stubs == 1 else 'stop'} no issue (a stub is never "
                    "sent until filled in)")
    return said
