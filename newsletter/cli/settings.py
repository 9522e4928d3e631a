"""`newsletter config check`: every setting in effect, where it came from, and every problem."""

from __future__ import annotations

import sys
from datetime import time
from typing import Any

import click

from ..config import CONFIG_NAME, check_config, problem_error
from ..config_schema import INVALID, Checked, Problem
from ..tokens import PREVIOUS_ENV, SECRET_ENV, previous_secrets
from ..validators import api_key_problem
from . import State, main, pass_state

SECRETS = (SECRET_ENV, PREVIOUS_ENV, "SENDGRID_API_KEY", "SENDGRID_WEBHOOK_PUBLIC_KEY")


@main.group("config")
def config_group() -> None:
    """Check newsletter.yaml and the environment.

    \b
    Example:
      newsletter config check
    """


@config_group.command("check")
@pass_state
def check(state: State) -> None:
    """Print every setting in effect (file, default or environment) and every problem.

    Exits 1 when there is a problem (the same ones every other command stops at), 0
    otherwise; warnings (a key given twice, the example sender, no postal address) and
    which secrets are set never change the exit code. Secret values are never printed.

    \b
    Example:
      newsletter config check
      newsletter --config /srv/plant-notes/newsletter.yaml config check
    """
    env = state.env
    path, checked = check_config(state.config_path, env)
    problems = (*checked.problems, *secret_problems(checked, env))
    click.echo(f"Settings of {path}" + ("" if path.is_file() else
                                        f" (no {CONFIG_NAME}: defaults only)") + ":")
    for key in checked.origins:
        value = shown(checked.values[key]) if key in checked.values else "(refused)"
        click.echo(f"  {key}: {value}  # {_origin(checked, key)}")
    click.echo("Secrets (from the environment or .env; values never shown):")
    for name in SECRETS:
        click.echo(f"  {name}: {_secret_state(name, env.get(name, ''))}")
    for title, found in (("Warnings", checked.warnings), ("Problems", problems)):
        if found:
            click.echo(f"{title}:")
            for problem in found:
                click.echo(f"  {problem_error(problem, path)}")
    count = len(problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''}" if count else "no problems")
    sys.exit(1 if count else 0)


def secret_problems(checked: Checked, env: dict[str, str]) -> tuple[Problem, ...]:
    """What the secrets lack for the settings in effect: the SendGrid backend without a
    usable SENDGRID_API_KEY (a send would stop at it). The key itself is never named."""
    if checked.values.get("delivery.backend") != "sendgrid":
        return ()
    key = env.get("SENDGRID_API_KEY", "")
    if not key:
        return (Problem("SENDGRID_API_KEY", "not set, and delivery.backend is sendgrid: set "
                        "it in the environment or in .env (send refuses to start without it)",
                        in_file=False),)
    problem = api_key_problem(key)
    return (Problem("SENDGRID_API_KEY", problem, in_file=False),) if problem else ()


def shown(value: Any) -> str:
    """A setting's value as it would be written in newsletter.yaml."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple) and value and isinstance(value[0], time):
        return f'"{value[0]:%H:%M}-{"24:00" if value[1].second else f"{value[1]:%H:%M}"}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _origin(checked: Checked, key: str) -> str:
    origin = checked.origins[key]
    if origin not in ("file", INVALID):
        return origin
    line = checked.lines.get(key)
    where = f"line {line}" if line else CONFIG_NAME
    return f"{where}, see the problems below" if origin == INVALID else where


def _secret_state(name: str, value: str) -> str:
    if not value:
        return "not set" + (" (send and serve need it)" if name == SECRET_ENV else "")
    if name == SECRET_ENV and len(value) < 16:
        return "set, but shorter than 16 characters (send and serve refuse it)"
    if name == PREVIOUS_ENV:
        count = len(previous_secrets({name: value}))
        return (f"set ({count} earlier key{'s' if count != 1 else ''}: the erasures they "
                "keyed still block imports)")
    return "set"
