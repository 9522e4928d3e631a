"""`newsletter preview N [--open]` and `newsletter build`, in process and as real commands."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from test_render import SETTINGS, example_issue, make_config

from newsletter.cli import main
from newsletter.planning.issuefile import dump_issue, issue_filename

NEWSLETTER = Path(sys.executable).with_name("newsletter")


def write_issue(folder: Path, number: int, **changes: object) -> Path:
    issue = dataclasses.replace(
        example_issue(), number=number,
        send_at=datetime(2026, 3, number, 9, tzinfo=ZoneInfo("Europe/London")), **changes)
    path = folder / "issues" / issue_filename(issue)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_issue(issue), "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_config(tmp_path)
    write_issue(tmp_path, 1)
    write_issue(tmp_path, 2, subject="Mulch, and why it works")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_preview_writes_personalised_html_and_text_and_reports_sizes(folder: Path) -> None:
    result = run("preview", "2")
    assert result.exit_code == 0, result.output
    html = (folder / "build" / "002.html").read_text()
    text = (folder / "build" / "002.txt").read_text()
    assert "<title>Mulch, and why it works</title>" in html and "Hi there," in html
    assert "%%" not in html and "%%" not in text
    assert "Unsubscribe: https://news.garden.example/unsubscribe\n" in text
    assert "build/002.html" in result.stdout and "build/002.txt" in result.stdout
    assert " KB" in result.stdout
    assert not (folder / "build" / "001.html").exists()


def test_preview_of_a_draft_without_postal_address_reports_the_error_but_writes(tmp_path: Path,
                                                                   monkeypatch) -> None:
    make_config(tmp_path, SETTINGS.split("postal_address")[0])
    write_issue(tmp_path, 1, status="draft")
    monkeypatch.chdir(tmp_path)
    result = run("preview", "1")
    assert result.exit_code == 0
    assert "issue 1, template: error: postal_address is empty" in result.stderr
    assert "issue 1: 1 error" in result.stderr
    assert (tmp_path / "build" / "001.html").exists()


def test_build_words_findings_as_check_does_errors_as_errors(tmp_path: Path,
                                                             monkeypatch) -> None:
    """A finding that blocks the send reads "error:", one that informs "warning:", in the
    very lines `newsletter check` prints; the summary counts both."""
    make_config(tmp_path, SETTINGS.split("postal_address")[0])
    write_issue(tmp_path, 1, subject="A subject far longer than sixty characters, which "
                                     "check warns about")
    monkeypatch.chdir(tmp_path)
    built, checked = run("build"), run("check")
    assert built.exit_code == 0
    findings = [line for line in checked.stdout.splitlines() if line.startswith("issue 1")]
    assert any(": error: postal_address is empty" in line for line in findings)
    assert any(": warning: " in line and "subject" in line for line in findings)
    assert built.stderr.splitlines() == findings
    assert "warning: issue 1: postal_address" not in built.stderr
    assert "blocks sending" not in built.stderr
    assert "1 error, 1 warning" in built.stdout and "`send` refuses" in built.stdout


def test_preview_of_a_missing_issue_is_a_one_line_error(folder: Path) -> None:
    result = run("preview", "9")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_build_renders_valid_issues_and_reports_invalid_files(folder: Path) -> None:
    (folder / "issues" / "003-broken.yaml").write_text("number: 3\nsubject: [unclosed\n")
    result = run("build")
    assert result.exit_code == 1
    assert sorted(p.name for p in (folder / "build").iterdir()) == [
        "001.html", "001.txt", "002.html", "002.txt"]
    assert "003-broken.yaml" in result.stderr
    assert "built 2 issues" in result.stdout and "1 invalid file" in result.stdout


def test_build_of_a_clean_queue_exits_0(folder: Path) -> None:
    assert run("build").exit_code == 0


def test_preview_as_a_real_command(folder: Path) -> None:
    done = subprocess.run([str(NEWSLETTER), "preview", "1"], cwd=folder, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "build/001.html" in done.stdout
    assert "Water less often, but deeper" in (folder / "build" / "001.html").read_text()


def test_preview_open_serves_the_build_folder_until_interrupted(folder: Path) -> None:
    env = {**os.environ, "BROWSER": "true"}  # a browser that opens nothing
    # a suite started in the background inherits SIGINT ignored, and so would the command
    proc = subprocess.Popen([str(NEWSLETTER), "preview", "1", "--open"], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        url = next(line.split()[1] for line in lines if line.startswith("serving "))
        assert url.startswith("http://127.0.0.1:") and url.endswith("/001.html")
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert "Water less often, but deeper" in page and "Hi there," in page
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_preview_open_with_no_browser_prints_the_file_and_returns(folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY",
                                                            "WAYLAND_DISPLAY")}
    env["PATH"] = str(folder / "no-programs-here")  # no browser of any kind to find
    done = subprocess.run([str(NEWSLETTER), "preview", "1", "--open"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    page = folder / "build" / "001.html"
    assert f"no browser to open here: the preview is build/001.html ({page.as_uri()})" \
        in done.stdout
    assert "serving" not in done.stdout


def test_preview_open_never_hands_the_terminal_to_a_text_browser(folder: Path) -> None:
    programs = folder / "programs"
    programs.mkdir()
    lynx = programs / "lynx"  # the only browser on this machine: a text one
    lynx.write_text("#!/bin/sh\necho LYNX RAN\n", encoding="utf-8")
    lynx.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY",
                                                            "WAYLAND_DISPLAY")}
    env["PATH"] = str(programs)
    done = subprocess.run([str(NEWSLETTER), "preview", "1", "--open"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "no browser to open here" in done.stdout and "LYNX RAN" not in done.stdout
