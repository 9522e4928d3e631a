"""`newsletter plan` and `newsletter queue` as a marketer and a cron job use them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from newsletter.cli import main
from newsletter.planning.issuefile import issue_paths, load_queue

DATA = Path(__file__).parent / "data" / "plan"
NOW = "2026-02-20T12:00:00+00:00"
CONFIG = """\
name: Bread Notes
timezone: America/New_York
cadence:
  every: 4d
  at: "07:45"
  min_words: 40
  max_words: 100
cta_url: https://bread.example/class
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "newsletter.yaml").write_text(CONFIG)
    (tmp_path / "content").mkdir()
    shutil.copy(DATA / "sourdough.yaml", tmp_path / "content" / "sourdough-at-home.yaml")
    return tmp_path


def run(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                              catch_exceptions=False)


def plan(folder: Path, *args: str) -> Result:
    return run(folder, "plan", str(folder / "content" / "sourdough-at-home.yaml"),
               "--now", NOW, *args)


def test_plan_uses_the_configured_cadence_zone_and_cta(folder: Path) -> None:
    result = plan(folder)
    assert result.exit_code == 0, result.output
    issues = load_queue(folder / "issues").issues
    assert len(issues) > 1
    zone = ZoneInfo("America/New_York")
    local = [i.issue.send_at.astimezone(zone) for i in issues]  # type: ignore[union-attr]
    assert all((t.hour, t.minute) == (7, 45) for t in local)
    assert {(b.date() - a.date()).days for a, b in pairwise(local)} == {4}
    today = datetime.fromisoformat(NOW).astimezone(zone).date()
    assert local[0].date() > today  # starts tomorrow, never in the past
    ctas = [i.issue.cta for i in issues]
    assert ctas[0] and all(c.url == "https://bread.example/class" for c in ctas if c)
    for path in issue_paths(folder / "issues"):
        assert path.name in result.stdout


def test_plan_options_override_the_configuration(folder: Path) -> None:
    result = plan(folder, "--on", "tue,sat", "--at", "18:00", "--tz", "Australia/Sydney",
                  "--start", "2026-04-01", "--status", "draft")
    assert result.exit_code == 0, result.output
    zone = ZoneInfo("Australia/Sydney")
    issues = load_queue(folder / "issues").issues
    assert {i.issue.status for i in issues} == {"draft"}
    for item in issues:
        local = item.issue.send_at.astimezone(zone)  # type: ignore[union-attr]
        assert local.strftime("%a %H:%M") in ("Tue 18:00", "Sat 18:00")


def test_dry_run_writes_nothing_and_replan_reports_what_it_kept(folder: Path) -> None:
    assert plan(folder, "--dry-run").exit_code == 0
    assert not issue_paths(folder / "issues")
    assert plan(folder).exit_code == 0
    edited = issue_paths(folder / "issues")[0]
    edited.write_text(edited.read_text().replace("status: scheduled", "status: cancelled"))
    again = plan(folder, "--every", "2d")
    assert again.exit_code == 0, again.output
    assert "edited since it was planned" in again.stdout
    assert "status: cancelled" in edited.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--tz", "Europe/Atlantis"], "unknown time zone 'Europe/Atlantis'"),
    (["--every", "0d"], "--every: '0d' is not a cadence"),
    (["--at", "25:00"], "--at: '25:00' is not a time of day"),
    (["--start", "2026-02-30"], "--start: '2026-02-30' is not a date"),
    (["--on", "mon,funday"], "unknown weekday 'funday'"),
    (["--min-words", "300", "--max-words", "100"], "is more than --max-words"),
])
def test_bad_options_are_one_line_errors(folder: Path, args: list[str], message: str) -> None:
    result = plan(folder, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not issue_paths(folder / "issues")


def test_every_and_on_together_is_a_usage_error(folder: Path) -> None:
    assert plan(folder, "--every", "3d", "--on", "mon").exit_code == 2


def test_a_missing_content_file_is_a_one_line_error(folder: Path) -> None:
    result = run(folder, "plan", str(folder / "content" / "nope.yaml"))
    assert result.exit_code == 1
    assert "nope.yaml" in result.stderr


def test_queue_lists_issues_in_send_order(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    result = run(folder, "queue")
    assert result.exit_code == 0, result.output
    subjects = [i.issue.subject for i in load_queue(folder / "issues").issues]
    positions = [result.stdout.find(s[:20]) for s in subjects]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_queue_json_and_an_invalid_file(folder: Path) -> None:
    assert plan(folder).exit_code == 0
    bad = folder / "issues" / "050-typo.yaml"
    bad.write_text("number: 50\nsubjet: Oops\n")
    result = run(folder, "queue", "--json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    issues = [r for r in rows if "error" not in r]
    errors = [r for r in rows if "error" in r]
    assert len(issues) == len(load_queue(folder / "issues").issues)
    assert {"number", "subject", "send_at", "status", "words", "counts"} <= set(issues[0])
    assert issues[0]["counts"]["sent"] == 0 and "uncertain" in issues[0]["counts"]
    assert errors[0]["file"] == str(bad) and errors[0]["line"] == 2
    assert "did you mean 'subject'" in errors[0]["error"]
    table = run(folder, "queue")
    assert table.exit_code == 1
    assert "050-typo.yaml:2" in table.stderr and issues[0]["subject"][:20] in table.stdout


@pytest.mark.parametrize("issues", ["empty", "missing"])
def test_an_empty_queue_is_no_error_for_queue_build_and_check(folder: Path,
                                                              issues: str) -> None:
    if issues == "empty":
        (folder / "issues").mkdir()
    for command in (["queue"], ["build"], ["check"]):
        result = run(folder, *command)
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.count("\n") == 1 and not result.stderr, (command, result.output)
    assert "newsletter plan" in run(folder, "queue").stdout
    assert "nothing to build" in run(folder, "build").stdout
    assert json.loads(run(folder, "queue", "--json").stdout) == []


def test_the_installed_command_plans_and_lists(folder: Path) -> None:
    command = Path(sys.executable).parent / "newsletter"
    exe = [str(command)] if command.exists() else [sys.executable, "-m", "newsletter"]
    planned = subprocess.run([*exe, "plan", "content/sourdough-at-home.yaml", "--every", "3d",
                              "--tz", "Europe/Berlin", "--start", "2026-03-27",
                              "--now", "2026-03-01T00:00:00+00:00"],
                             cwd=folder, capture_output=True, text=True, check=False)
    assert planned.returncode == 0, planned.stderr
    listed = subprocess.run([*exe, "queue", "--json"], cwd=folder, capture_output=True,
                            text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    berlin = [datetime.fromisoformat(r["send_at"]).astimezone(ZoneInfo("Europe/Berlin"))
              for r in rows]
    assert all((t.hour, t.minute) == (7, 45) for t in berlin)
    assert len({t.utcoffset() for t in berlin}) == 2  # the window crosses 29 March


def test_replanning_warns_when_a_kept_issue_now_goes_out_first(folder: Path) -> None:
    assert plan(folder, "--every", "3d", "--start", "2027-03-01").exit_code == 0
    second = sorted((folder / "issues").glob("002-*.yaml"))[0]
    second.write_text(re.sub(r"(?m)^subject: .*$", "subject: Edited by hand",
                             second.read_text(), count=1))
    result = plan(folder, "--every", "3d", "--start", "2027-03-22")
    assert result.exit_code == 0
    assert "issue 2 (2027-03-04" in result.stderr and "goes out before issue 1" in result.stderr


def _second_article(folder: Path) -> Path:
    """The same snippets as another article (its own slug), in content/."""
    text = (folder / "content" / "sourdough-at-home.yaml").read_text()
    slug = re.search(r"slug: (\S+)", text)[1]  # type: ignore[index]
    path = folder / "content" / "rye.yaml"
    path.write_text(text.replace(slug, "rye-at-home"))
    return path


def test_planning_a_second_article_appends_its_series_after_the_first(folder: Path) -> None:
    """The README's `plan` run again on another article: its issues are numbered after the
    first series and go out after it, in number order, and plan says where it put them;
    the same --start again is refused (the series would interleave), changing nothing."""
    assert plan(folder, "--start", "2027-03-01").exit_code == 0
    first = load_queue(folder / "issues").issues
    rye = str(_second_article(folder))
    again = run(folder, "plan", rye, "--now", NOW, "--start", "2027-03-01")
    assert again.exit_code == 1
    assert "among the issues already queued" in again.stderr and "leave --start out" in \
        again.stderr
    assert len(load_queue(folder / "issues").issues) == len(first)
    result = run(folder, "plan", rye, "--now", NOW)
    assert result.exit_code == 0, result.output
    queue = load_queue(folder / "issues").issues
    numbers = [i.issue.number for i in queue]  # in send order
    assert numbers == list(range(1, 2 * len(first) + 1))
    last = first[-1].issue
    assert f"this series follows issue {last.number} (" in result.stdout
    gap = queue[len(first)].issue.send_at - last.send_at  # type: ignore[operator]
    assert round(gap.total_seconds() / 86400) == 4  # the cadence's interval
    listed = run(folder, "queue", "--json")
    assert [r["number"] for r in json.loads(listed.stdout)] == numbers


def test_queue_and_check_show_a_series_in_the_zone_it_was_planned_in(tmp_path: Path) -> None:
    """`plan --tz` in a folder whose newsletter.yaml says UTC (as `init` writes it): queue
    shows the issues at the local time they were planned for, in that zone, and check
    reads the "what comes next" weekdays in it too (it flagged them all as stale)."""
    (tmp_path / "newsletter.yaml").write_text(CONFIG.replace("America/New_York", "UTC"))
    (tmp_path / "content").mkdir()
    shutil.copy(DATA / "sourdough.yaml", tmp_path / "content" / "sourdough-at-home.yaml")
    done = plan(tmp_path, "--tz", "America/Los_Angeles", "--at", "22:30", "--start",
                "2027-03-01")
    assert done.exit_code == 0, done.output
    table = run(tmp_path, "queue")
    assert table.stdout.lstrip().startswith("times in America/Los_Angeles and UTC")
    rows = [line.split() for line in table.stdout.splitlines() if line[:1].isdigit()]
    assert rows and all(row[2] == "22:30" for row in rows)  # not 06:30 (UTC)
    listed = json.loads(run(tmp_path, "queue", "--json").stdout)
    assert {r["timezone"] for r in listed} == {"America/Los_Angeles"}
    assert all(r["send_at_local"][11:16] == "22:30" for r in listed)
    checked = run(tmp_path, "check", "--json")
    assert [f for f in json.loads(checked.stdout) if f["code"] == "next"] == []


def test_plan_in_another_zone_than_a_local_time_newsletter_says_what_sending_reads(
        tmp_path: Path) -> None:
    (tmp_path / "newsletter.yaml").write_text(CONFIG + "send_local_time: true\n")
    (tmp_path / "content").mkdir()
    shutil.copy(DATA / "sourdough.yaml", tmp_path / "content" / "sourdough-at-home.yaml")
    same = plan(tmp_path, "--tz", "America/New_York", "--dry-run")
    assert same.exit_code == 0 and "send_local_time" not in same.stderr
    other = plan(tmp_path, "--tz", "Europe/Berlin", "--dry-run")
    assert other.exit_code == 0
    assert "note: send_local_time reads each send time as the wall-clock time in " \
           "newsletter.yaml's timezone (America/New_York), not Europe/Berlin" in \
           " ".join(other.stderr.split())


def test_replanning_without_start_keeps_the_series_send_times(folder: Path) -> None:
    """The user test: `plan --start 2027-03-01`, then `plan` again on the unchanged, unsent
    series moved it to tomorrow ("1 rewritten", no word of it). Without --start the issues
    keep their times, and plan says so; --start still reschedules as asked."""
    assert plan(folder, "--start", "2027-03-01").exit_code == 0
    before = {p.name: p.read_text() for p in issue_paths(folder / "issues")}
    again = plan(folder)
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_text() for p in issue_paths(folder / "issues")} == before
    assert "nothing changed" in again.stdout
    assert (f"Kept the send times this series already had ({len(before)} issues from "
            "Mon 2027-03-01 07:45 EST)") in again.stdout
    moved = plan(folder, "--start", "2027-04-05")
    assert moved.exit_code == 0, moved.output
    assert "Kept the send times" not in moved.stdout
    first = load_queue(folder / "issues").issues[0].issue.send_at
    assert first is not None and first.date().isoformat() == "2027-04-05"
