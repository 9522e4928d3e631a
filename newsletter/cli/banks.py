"""`newsletter banks`: the testimonials and resources beside the content (list, import)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..content.banks import BankKind, Entry, Resource, bank_path, import_csv, load_banks
from . import State, main, pass_state, tables
from .words import counted

KIND = click.Choice(["testimonials", "resources"])


@main.group()
def banks() -> None:
    """The banks of testimonials and resources that `plan` rotates into issues.

    They live in content/testimonials.yaml and content/resources.yaml (edit them by hand, or
    import a CSV). An entry missing what it needs to be sent (a quote and name; a title and
    url) is a stub: listed here and by `newsletter check`, never sent.

    \b
    Example:
      newsletter banks list
      newsletter banks import resources links.csv
    """


@banks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object of both banks.")
@pass_state
def list_(state: State, as_json: bool) -> None:
    """Every entry of both banks, stubs marked with what they lack.

    \b
    Example:
      newsletter banks list --json | jq '.resources[] | select(.stub)'
    """
    loaded = load_banks(state.config.content_dir)
    rows = {"testimonials": [_row(e) for e in loaded.testimonials],
            "resources": [_row(e) for e in loaded.resources]}
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for kind, entries in rows.items():
        stubs = sum(row["stub"] for row in entries)
        click.echo(f"{bank_path(state.config.content_dir, kind)}: "  # type: ignore[arg-type]
                   f"{counted(len(entries), 'entry')}, {counted(stubs, 'stub')}")
        if entries:
            table = tables.table()
            tables.fixed(table, "line", right=True)
            tables.text(table, "entry")
            tables.text(table, "stub: missing")
            for row in entries:
                table.add_row(str(row["line"]), row["label"], "; ".join(row["missing"]))
            tables.console().print(table)


def _row(entry: Entry) -> dict[str, Any]:
    label = entry.title if isinstance(entry, Resource) else f"{entry.name}: {entry.quote}"
    return {"line": entry.line, "key": entry.key, "label": label[:90],
            "stub": bool(entry.missing), "missing": list(entry.missing)}


@banks.command("import")
@click.argument("kind", type=KIND)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print {added, rejected} as JSON.")
@pass_state
def import_(state: State, kind: BankKind, file: Path, as_json: bool) -> None:
    """Add the rows of a CSV FILE to a bank; an entry the bank has is not added twice.

    The header names the columns: quote, name, detail, url (testimonials) or title, url,
    note (resources). A row that completes a stub (same title or quote) fills it in; rows
    that cannot be read are reported with their line and the rest imported.

    \b
    Example:
      newsletter banks import testimonials reviews.csv
      newsletter banks import resources links.csv --json
    """
    added, rejected = import_csv(state.config.content_dir, kind, file)
    entries = getattr(added, kind)
    report = {"added": len(entries), "already": len(added.already),
              "rejected": [{"line": r.line, "reason": r.reason} for r in rejected]}
    if as_json:
        click.echo(json.dumps(report))
    else:
        click.echo(f"{len(entries)} added to {bank_path(state.config.content_dir, kind)}, "
                   f"{len(added.already)} already there, {len(rejected)} rejected")
        for row in rejected:
            click.echo(f"  line {row.line}: {row.reason}", err=True)
