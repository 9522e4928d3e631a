"""CLI commands that make folders: `init` and `demo`."""

from __future__ import annotations

import shlex
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from ..demo import DemoResult, run_demo
from ..scaffold import init_folder
from . import main
from .words import counted


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing newsletter.yaml and templates.")
def init(folder: Path, force: bool) -> None:
    """Create a newsletter folder: newsletter.yaml, templates/, issues/, content/, subscribers/.

    \b
    Example:
      newsletter init plant-notes
      cd plant-notes && $EDITOR newsletter.yaml
    """
    written = init_folder(folder, force=force)
    click.echo(f"Created a newsletter in {folder.resolve()}:")
    for path in written[:3]:
        click.echo(f"  {path.relative_to(folder)}")
    click.echo(f"  ... {counted(len(written), 'file')}; next: edit newsletter.yaml (name, from, "
               "postal_address), then `newsletter split ARTICLE`.")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), required=False)
def demo(folder: Path | None) -> None:
    """Run the whole pipeline on a bundled example article, delivered to a local outbox.

    Makes a newsletter folder (default: a new temporary folder), splits the example
    article into snippets, plans the issues, adds a few sample subscribers, sends issue 1
    to the outbox as .eml files, and writes HTML and text previews of every issue.
    No account and no network needed.

    \b
    Example:
      newsletter demo                 # in a new temporary folder
      newsletter demo ./plant-notes   # in a folder of your choice
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="newsletter-demo-"))
    _print_demo(run_demo(folder.resolve(), now=datetime.now(UTC)))


def _print_demo(result: DemoResult) -> None:
    sent = result.sent
    lines = [
        f"Demo newsletter in {result.folder}",
        f"  article    {result.article.name}",
        f"  snippets   {result.snippets} in {result.content.relative_to(result.folder)}",
        *_why_snippets(result),
        f"  issues     {len(result.plan.written)} in issues/ "
        f"(first: {_first_send(result)})",
        f"  sent       issue {sent.number} \"{sent.subject}\" to "
        f"{counted(sent.sent, 'subscriber')} (1 unsubscribed address skipped)",
        f"  outbox     {counted(len(result.outbox), '.eml file')} in outbox/ (open one in a "
        "mail client)",
        f"  previews   {counted(len(result.previews), 'issue')} in build/ (NNN.html and NNN.txt)",
        "  secret     .env holds this folder's own NEWSLETTER_SECRET_KEY (read by every "
        "command run there)",
        "",
        f"Open {result.previews[0]} in a browser, or try:",
        f"  cd {shlex.quote(str(result.folder))} && {runnable_command()} queue",
    ]
    click.echo("\n".join(lines))


def _why_snippets(result: DemoResult) -> list[str]:
    """Why a plain `newsletter split` of the same article counts otherwise: the demo names
    the article's product in `products`, which makes its pitch one call to action."""
    if result.snippets_without_products == result.snippets or not result.products:
        return []
    named = ", ".join(result.products)
    pad = " " * 13
    return [f"{pad}(newsletter.yaml names {named} in products, so the section that",
            f"{pad}pitches it is one call to action; where products is empty, as",
            f"{pad}`newsletter init` writes it, `newsletter split` makes "
            f"{result.snippets_without_products})"]


def runnable_command() -> str:
    """How to start this program again from any folder of this shell: ``newsletter`` when
    that name on the PATH is this program, else its full path (a venv not activated), else
    ``python -m newsletter`` with this interpreter."""
    started = Path(sys.argv[0]).resolve()
    found = shutil.which("newsletter")
    if found and Path(found).resolve() == started:
        return "newsletter"
    if started.name == "newsletter" and started.is_file():
        return shlex.quote(str(started))
    return f"{shlex.quote(sys.executable)} -m newsletter"


def _first_send(result: DemoResult) -> str:
    first = result.plan.written[0].issue
    return first.send_at.isoformat() if first and first.send_at else "unscheduled"
