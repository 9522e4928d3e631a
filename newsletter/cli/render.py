"""CLI commands `newsletter preview N` and `newsletter build`: rendered issues in build/."""

from __future__ import annotations

import functools
import os
import threading
import webbrowser
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from ..errors import NewsletterError
from ..rendering.preview import Built, build_issue
from . import State, main, pass_state, progress
from .words import counted


def _report(built: Built) -> Counter[str]:
    """Print the files written and, as `newsletter check` words them, what would stop or
    weaken the issue (an error blocks its send, a warning informs); count them."""
    for path in (built.html, built.text):
        click.echo(f"{_shown(path)}  {path.stat().st_size / 1024:.1f} KB")
    for finding in built.findings:
        click.echo(str(finding), err=True)
    return Counter(f.severity for f in built.findings)


def _findings_said(found: Counter[str]) -> str:
    """The findings' count for a summary line ("" when there are none)."""
    if not found:
        return ""
    return (f"{counted(found['error'], 'error')}, {counted(found['warning'], 'warning')}"
            + ("" if not found["error"] else " (`send` refuses the issues with errors; "
               "see `newsletter check`)"))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
@click.argument("number", type=int)
@click.option("--open", "open_browser", is_flag=True,
              help="Serve build/ on 127.0.0.1 and open the issue in a browser (Ctrl-C stops); "
                   "with no browser (a headless machine), print where the file is.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port for --open (0 picks a free one).")
@pass_state
def preview(state: State, number: int, open_browser: bool, port: int) -> None:
    """Render issue NUMBER to build/NNN.html and build/NNN.txt for a sample reader.

    Drafts render too: what `newsletter check` finds is printed as it words it: an error
    (no postal address, no unsubscribe link, too big for Gmail) stops the issue's send,
    a warning informs.

    \b
    Example:
      newsletter preview 3
      newsletter preview 3 --open --port 8025
    """
    from ..planning.issuefile import find_issue, load_queue

    config = state.config
    loaded = find_issue(load_queue(config.issues_dir), number)
    built = build_issue(loaded.issue, config)
    said = _findings_said(_report(built))
    if said:
        click.echo(f"issue {number}: {said}", err=True)
    if open_browser:
        serve_and_open(config.build_dir, built.html.name, port)


@main.command()
@pass_state
def build(state: State) -> None:
    """Render every valid issue of issues/ into build/; list the files that are invalid.

    Exits 1 when any issue file is invalid (the valid ones are still built).

    \b
    Example:
      newsletter build
    """
    from ..planning.issuefile import load_queue

    config = state.config
    queue = load_queue(config.issues_dir)
    found: Counter[str] = Counter()
    with progress.stages(progress.wanted() and len(queue.issues) > 1) as bars:
        bars.stage("building", len(queue.issues), "issues")
        for done, loaded in enumerate(queue.issues, start=1):
            found += _report(build_issue(loaded.issue, config))  # printed above the bar
            bars.done(done)
    for error in queue.errors:
        click.echo(f"error: {error}", err=True)
    if not queue.issues and not queue.errors:
        click.echo(f"No issues in {config.issues_dir} yet: nothing to build (run "
                   "`newsletter plan CONTENT`).")
        return
    click.echo(f"built {counted(len(queue.issues), 'issue')} in {_shown(config.build_dir)}"
               + (f"; {counted(len(queue.errors), 'invalid file')}" if queue.errors else "")
               + (f"; {_findings_said(found)}" if found else ""))
    if queue.errors:
        raise SystemExit(1)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the terminal for our own messages."""


def serve_and_open(folder: Path, page: str, port: int = 0) -> None:
    """Serve ``folder`` on 127.0.0.1 and open ``page`` in a browser until Ctrl-C; with no
    browser to open (a headless machine), say where the page is and return."""
    browser = _browser()
    if browser is None:
        _no_browser(folder / page)
        return
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise NewsletterError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if not _opened(browser, url):
            _no_browser(folder / page)
            return
        click.echo(f"serving {url} (Ctrl-C to stop)")
        thread.join()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.shutdown()
        server.server_close()


def _browser() -> webbrowser.BaseBrowser | None:
    """The browser ``webbrowser`` would open (``BROWSER`` wins), None when there is none, or
    when all it found is a text browser that would take over the terminal (lynx, w3m)."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    chosen = bool(os.environ.get("BROWSER"))
    return browser if chosen or not takes_over_terminal(browser) else None


def takes_over_terminal(browser: webbrowser.BaseBrowser) -> bool:
    """A text browser run in the foreground (``webbrowser``'s lynx, w3m, links): it would
    take over the terminal the preview is served from."""
    return type(browser) is webbrowser.GenericBrowser


def _opened(browser: webbrowser.BaseBrowser, url: str) -> bool:
    try:
        return bool(browser.open(url))
    except (webbrowser.Error, OSError):
        return False


def _no_browser(path: Path) -> None:
    click.echo(f"no browser to open here: the preview is {_shown(path)} "
               f"({path.resolve().as_uri()})")
