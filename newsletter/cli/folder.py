"""CLI commands that make folders: `init` and `demo`."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import init_folder
from . import main


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
    click.echo(f"  ... {len(written)} files; next: edit newsletter.yaml (name, from, "
               "postal_address), then `newsletter split ARTICLE`.")
