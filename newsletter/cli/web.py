"""CLI commands `newsletter serve` (the web app under waitress) and `newsletter stats`."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..stats import IssueStats, issue_stats, stats_json
from ..store import open_store
from . import State, main, pass_state, tables
from .words import counted


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Requests handled at once.")
@click.option("--proxy-hops", default=0, show_default=True, type=click.IntRange(0, 8),
              help="Trust X-Forwarded-For/-Proto from this many reverse proxies.")
@click.option("--webhook-max-age", default=600, show_default=True, type=click.IntRange(1),
              help="Seconds a signed webhook timestamp stays valid.")
@click.option("--webhook-max-bytes", default=5 * 1024 * 1024, show_default=True,
              type=click.IntRange(1024), help="Largest webhook body accepted.")
@click.option("--signup-limit", default=20, show_default=True, type=click.IntRange(1),
              help="Sign-ups a minute from one network (IPv4 address, IPv6 /64).")
@pass_state
def serve(state: State, host: str, port: int, threads: int, proxy_hops: int,
          webhook_max_age: int, webhook_max_bytes: int, signup_limit: int) -> None:
    """Serve unsubscribe, the SendGrid webhook, sign-up and the archive (waitress).

    Needs NEWSLETTER_SECRET_KEY; the webhook also needs SENDGRID_WEBHOOK_PUBLIC_KEY.
    Confirmation emails of sign-ups leave from a queue in the database, sent by a
    background thread (and by `newsletter send --due`). Any WSGI server works too:
    gunicorn 'newsletter.web.wsgi:app'.

    \b
    Example:
      export NEWSLETTER_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
      newsletter serve --host 0.0.0.0 --port 8000 --proxy-hops 1
    """
    import waitress
    from werkzeug.middleware.proxy_fix import ProxyFix

    from ..web import WebSettings, app_from_config
    from ..web.webhook import KEY_ENV

    settings = WebSettings(webhook_max_age=timedelta(seconds=webhook_max_age),
                           webhook_max_bytes=webhook_max_bytes, signup_limit=signup_limit)
    # Logging first: the app warns while it is made (e.g. a webhook without its key).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = app_from_config(state.config, state.env, settings)
    wsgi = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops) if proxy_hops else app
    webhook = "on" if state.env.get(KEY_ENV) else f"off ({KEY_ENV} not set: answers 403)"
    click.echo(f"serving {state.config.name} on http://{host}:{port} (webhook {webhook})",
               err=True)
    waitress.serve(wsgi, host=host, port=port, threads=threads, ident="newsletter",
                   max_request_body_size=max(webhook_max_bytes, settings.form_max_bytes),
                   _quiet=True)


@main.command()
@click.argument("number", required=False, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(0, 100),
              help="Top clicked links to list per issue.")
@pass_state
def stats(state: State, number: int | None, as_json: bool, top: int) -> None:
    """Per issue: sent, delivered, opened, clicked (unique), bounced, complained, unsubscribed.

    Opens and clicks count each subscriber once. The figures come from SendGrid's event
    webhook (`newsletter serve`) and the delivery ledger.

    \b
    Example:
      newsletter stats
      newsletter stats 3 --json
    """
    with open_store(state.config.database_url) as store:
        found = issue_stats(store, number, top=top)
    if as_json:
        click.echo(json.dumps(stats_json(found), indent=2))
        return
    if not found:
        click.echo("no issue has been sent yet")
        return
    console = tables.console()
    console.print(_table(found, tables.narrow(console)))
    for item in found if number is not None else ():
        _print_versions(console, item)
        _print_links(console, item)


# (column, short column for narrow screens)
_STATS_COLUMNS = (("delivered", "deliv."), ("opened", "opens"), ("clicked", "clicks"),
                  ("bounced", "bounces"), ("complained", "spam"),
                  ("unsubscribed", "unsubs"))


def _table(found: list[IssueStats], compact: bool) -> Table:
    """Counts with their rates; on a narrow screen short headers and the rate under the
    count, so the subject keeps room."""
    table = tables.table()
    tables.fixed(table, "#", right=True)
    tables.text(table, "subject")
    tables.fixed(table, "sent", right=True)
    for name, short in _STATS_COLUMNS:
        tables.fixed(table, short if compact else name, right=True)
    for s in found:
        table.add_row(str(s.issue), Text(s.subject), str(s.sent),
                      *(_with_rate(s, getattr(s, name), compact) for name, _ in _STATS_COLUMNS))
    return table


def _with_rate(s: IssueStats, count: int, compact: bool) -> str:
    if not s.sent:
        return str(count)
    return f"{count}\n{s.rate(count):.1%}" if compact else f"{count} ({s.rate(count):.1%})"


def _print_versions(console: Console, s: IssueStats) -> None:
    if len(s.versions) > 1:  # edited mid-send (`send --new-version`)
        console.print(Text("sent as " + ", ".join(f"version {v} to {n}" for v, n in
                                                   sorted(s.versions.items()))))


def _print_links(console: Console, s: IssueStats) -> None:
    if not s.top_links:
        console.print("no clicks recorded")
        return
    console.print(Text(f"top links of issue {s.issue}:"))
    for link in s.top_links:
        clicks, people = counted(link.clicks, "click"), counted(link.unique, "person")
        console.print(Text(f"  {clicks:>13}  {people:>13}  {link.url}"))
