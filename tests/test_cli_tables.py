"""Every table a command prints stays readable in an 80-column terminal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml
from delivery_helpers import JUST_AFTER, Folder, make_folder

from newsletter.content.banks import BANK_FILES
from newsletter.store import SubscriberInput

LONG_EMAILS = ["annemarie.vandenberg-oosterhout@example.org",
               "x.y@subdomain.of.a.rather.long.domain.example"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    made = make_folder(tmp_path_factory.mktemp("tables"), subscribers=3)
    with made.store() as store:
        store.upsert_subscribers([SubscriberInput(e, name="Annemarie van den Berg",
                                                  timezone="America/Argentina/Buenos_Aires")
                                  for e in LONG_EMAILS], source="test", now=_now())
    made.env["COLUMNS"] = "80"
    assert made.cli("send", "--due", "--now", JUST_AFTER).exit_code == 0
    return made


def _now() -> datetime:
    return datetime(2026, 11, 1, tzinfo=UTC)


def subjects(folder: Folder) -> list[str]:
    return [yaml.safe_load(p.read_text())["subject"]
            for p in sorted((folder.root / "issues").glob("[0-9]*.yaml"))]


def assert_readable(output: str, must_show: list[str], words: int = 3) -> None:
    """Rows within 80 columns, nothing cut, and each text's first ``words`` words on one
    line (never a word per line)."""
    lines = [line for line in output.splitlines() if "/tmp" not in line]  # paths may run on
    assert lines and max(len(line) for line in lines) <= 80, output
    assert "…" not in output, output
    for text in must_show:
        first = " ".join(text.split()[:words])
        assert any(first in line for line in lines), (first, output)


@pytest.mark.parametrize("args", [
    ("queue",), ("send", "--due", "--dry-run", "--now", "2026-12-07T14:05:00+00:00"),
    ("stats",), ("plan", "CONTENT", "--dry-run", "--start", "2026-12-01", "--now",
                 "2026-11-20T00:00:00+00:00")])
def test_issue_tables_fit_80_columns_and_keep_subjects_readable(folder: Folder,
                                                                args: tuple[str, ...]) -> None:
    if "CONTENT" in args:
        content = next(p for p in (folder.root / "content").glob("*.yaml")
                       if p.name not in BANK_FILES)
        args = tuple(str(content) if a == "CONTENT" else a for a in args)
    result = folder.cli(*args)
    assert result.exit_code == 0, result.output
    shown = [s for s in subjects(folder) if s.split()[0] in result.stdout]
    assert shown, result.stdout
    assert_readable(result.stdout, shown)


def test_subscriber_list_fits_80_columns_and_never_cuts_an_address(folder: Folder) -> None:
    result = folder.cli("subscribers", "list")
    assert result.exit_code == 0
    assert_readable(result.stdout, ["Annemarie van den Berg"], words=2)
    lines = result.stdout.splitlines()
    width = lines[0].index("name")  # the email column, read down: folded, never cut
    column = "".join(line[:width].strip() for line in lines[2:])
    for email in [*LONG_EMAILS, "reader0@example.org"]:
        assert email in column
    assert "reader0@example.org" in result.stdout  # a usual one is on one line


def test_folded_addresses_and_zones_break_between_their_parts(folder: Folder) -> None:
    """At 80 columns a long zone breaks at its slashes and a long address after its @-sign,
    never inside a word ("America/New_Yo" over "rk")."""
    lines = folder.cli("subscribers", "list").stdout.splitlines()
    zones = lines[0].index("time zone")
    cells = [line[zones:].strip() for line in lines[2:] if line[zones:].strip()]
    assert cells[:3] == ["America/", "Argentina/", "Buenos_Aires"], cells
    emails = [line[:lines[0].index("name")].strip() for line in lines[2:]]
    assert "annemarie.vandenberg-oosterhout@" in emails and "example.org" in emails, emails
    assert lines[-1].endswith("(5 in all)")


def test_fold_after_prefers_the_first_mark_whose_parts_fit() -> None:
    from newsletter.cli.tables import fold_after

    assert fold_after("America/New_York", 14, "/") == "America/\nNew_York"
    assert fold_after("Europe/London", 14, "/") == "Europe/London"
    assert fold_after("x.y@subdomain.of.a.rather.long.domain.example", 40, "@", ".") == \
        "x.y@subdomain.of.a.rather.long.domain.\nexample"
    assert fold_after("ann.lee@news.example.org", 12, "@", ".") == "ann.lee@\nnews.\nexample.org"


def test_the_send_progress_bar_shows_the_total_and_a_rate() -> None:
    import io

    from rich.console import Console

    from newsletter.cli.send import _BatchProgress
    from newsletter.models import Outcome

    screen = io.StringIO()
    bar = _BatchProgress(quiet=False, console=Console(file=screen, force_terminal=True,
                                                      width=80))
    bar.expect(22_000)
    bar.update([Outcome(f"r{i}@example.org", "sent") for i in range(1000)])
    bar.bar.refresh()
    bar.close()
    shown = screen.getvalue()
    assert "1000/22000" in shown and "/s" in shown
