"""The `newsletter` command: a thin click layer over the library.

Each command module registers its commands on :data:`main`; errors from the project's
hierarchy become one line on stderr and exit 1 (a send with failures exits 3).
"""

from __future__ import annotations

import difflib
import gc
import importlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import CONFIG_NAME, Config, load_config, missing_config, read_dotenv
from ..errors import ConfigError, NewsletterError, one_line

# Which module defines each command: a command's module (and the libraries it needs) is
# imported only when that command runs, so `newsletter split` does not pay for SQLAlchemy
# and premailer at start-up.
COMMAND_MODULES = {
    "init": "folder", "demo": "folder",
    "split": "content",
    "plan": "issues", "queue": "issues",
    "preview": "render", "build": "render",
    "send": "send",
    "subscribers": "sequence",  # cli.sequence adds `subscribers show` to the group
    "pause": "sequence", "resume": "sequence",
    "serve": "web", "stats": "web",
    "banks": "banks", "check": "check",
    "users": "users",
    "config": "settings",
}


class _Group(click.Group):
    """The top-level group: commands loaded lazily, and :class:`NewsletterError` turned
    into a one-line message and exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(super().list_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module and cmd_name not in self.commands:
            importlib.import_module(f"{__name__}.{module}")
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        """The command named by ``args[0]``; a misspelt one says which was meant (click
        suggests only among the commands loaded, and these load lazily)."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = str(args[0]) if args else ""
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if not close or name.startswith("-") or "Did you mean" in exc.format_message():
                raise
            raise click.UsageError(f"No such command {args[0]!r}. Did you mean "
                                   f"{close[0]!r}?", ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsletterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # the file system: full, read-only, missing, not allowed
            click.echo(f"error: {one_line(exc)}", err=True)
            sys.exit(1)


class State:
    """What every command shares: the config path, loaded on first use."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The newsletter's configuration (newsletter.yaml + environment).

        Outside a newsletter folder this is an error rather than a silent default, so a
        cron job started in the wrong directory fails loudly instead of sending nothing.
        """
        if self._config is None:
            path = self.config_path or Path.cwd() / CONFIG_NAME
            if self.config_path is not None and not path.is_file():
                raise missing_config(path)
            if not path.is_file():
                raise ConfigError(f"no {CONFIG_NAME} in {path.parent} (run `newsletter init`"
                                  " there, cd to your newsletter folder, or pass --config)")
            self._config = load_config(path, env=self.env)
        return self._config

    @property
    def env(self) -> dict[str, str]:
        """The environment, over the newsletter folder's .env file (the process wins)."""
        root = (self.config_path.parent if self.config_path else Path.cwd())
        return {**read_dotenv(root / ".env"), **os.environ}


pass_state = click.make_pass_decorator(State)


def parse_now(text: str | None) -> datetime:
    """``--now ISO-TIME`` as an aware datetime (UTC when no offset); the real time if unset."""
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not an ISO time like 2026-12-01T09:00:00+01:00",
                          field="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Path to newsletter.yaml (default: ./newsletter.yaml).")
@click.version_option(__version__, prog_name="newsletter")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """Turn one long article into a drip of short emails and deliver them.

    \b
    Example:
      newsletter init my-letter && cd my-letter
      newsletter split article.txt
      newsletter plan content/article.yaml --every 3d --at 09:00 --tz Europe/Berlin
      newsletter queue
    """
    ctx.obj = State(config_path)


def run() -> None:
    """The `newsletter` program as a whole process (the console script, ``python -m
    newsletter``): :data:`main`, then an exit that does not collect what is left.

    As it tears the modules down, the interpreter runs the garbage collector over every
    object left (a send leaves about a hundred thousand: its libraries, settings and
    rendering): 0.3 to 0.9 s after a send's work was done, here. Frozen, they are left to
    the operating system; the rest of the exit (flushing output, ``atexit`` handlers,
    closing what reference counting frees) happens as before.
    """
    try:
        main()
    finally:
        gc.freeze()
