"""CLI commands `newsletter users add|list|remove`: studio accounts."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from ..accounts import hash_password
from ..errors import InputError
from ..store import open_store
from ..subscribers import email_problem
from . import State, main, pass_state


@main.group()
def users() -> None:
    """Studio accounts (`newsletter serve` under /studio/); passwords kept as scrypt hashes.

    \b
    Example:
      printf '%s\\n' "$STUDIO_PASSWORD" | newsletter users add me@example.com --password-stdin
      newsletter users list
      newsletter users remove me@example.com
    """


@users.command("add")
@click.argument("email")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
@pass_state
def add(state: State, email: str, password_stdin: bool) -> None:
    """Create a studio account for EMAIL (the password is asked for, or read from stdin).

    \b
    Example:
      newsletter users add me@example.com
      printf '%s\\n' "$STUDIO_PASSWORD" | newsletter users add me@example.com --password-stdin
    """
    problem = email_problem(email.strip())
    if problem:
        raise InputError(problem, field="EMAIL")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    hashed = hash_password(password)
    with open_store(state.config.database_url) as store:
        user = store.add_user(email, hashed, now=datetime.now(UTC))
    click.echo(f"added studio account {user.email}")


@users.command("list")
@pass_state
def list_users(state: State) -> None:
    """Every studio account, with when it was made and last signed in.

    \b
    Example:
      newsletter users list
    """
    with open_store(state.config.database_url) as store:
        found = store.list_users()
    if not found:
        click.echo("no studio accounts yet: newsletter users add EMAIL")
    for user in found:
        last = f"{user.last_sign_in_at:%Y-%m-%d %H:%M} UTC" if user.last_sign_in_at else "never"
        click.echo(f"{user.email}\tcreated {user.created_at:%Y-%m-%d}\tlast sign-in {last}")


@users.command("remove")
@click.argument("email")
@pass_state
def remove(state: State, email: str) -> None:
    """Delete the studio account of EMAIL (its open sessions stop working at once).

    \b
    Example:
      newsletter users remove me@example.com
    """
    with open_store(state.config.database_url) as store:
        if not store.remove_user(email):
            raise InputError(f"no studio account for {email.strip().lower()}", field="EMAIL")
    click.echo(f"removed studio account {email.strip().lower()}")
