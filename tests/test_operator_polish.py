"""What a new user met in a fresh clone, each as they would meet it: the CLI over real
files and a real SQLite database (the operator's polish)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.cli import main

DATA = Path(__file__).parent / "data" / "plan"
NOW = "2026-02-20T12:00:00+00:00"
SECRET = "polish-test-secret-0123456789"
CONFIG = """\
name: Bread Notes
timezone: America/New_York
cadence:
  every: 4d
  at: "07:45"
  min_words: 40
  max_words: 100
cta_url: https://bread.example/class
postal_address: 1 Crumb Lane, Loafton
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A newsletter folder with one article's content file."""
    (tmp_path / "newsletter.yaml").write_text(CONFIG)
    (tmp_path / "content").mkdir()
    shutil.copy(DATA / "sourdough.yaml", tmp_path / "content" / "sourdough-at-home.yaml")
    return tmp_path


def run(folder: Path, *args: str, env: dict[str, str] | None = None,
        input: str | None = None) -> Result:
    """The command with this folder's newsletter.yaml, as a user types it."""
    return CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                              env={"NEWSLETTER_SECRET_KEY": SECRET, **(env or {})},
                              input=input, catch_exceptions=False)


def plan(folder: Path, content: str = "sourdough-at-home.yaml", *args: str) -> Result:
    """`newsletter plan content/<content>`, as of NOW."""
    return run(folder, "plan", str(folder / "content" / content), "--now", NOW, *args)


def second_article(folder: Path, slug: str = "rye-at-home") -> Path:
    """The same snippets as another article (its own slug), in content/."""
    text = (folder / "content" / "sourdough-at-home.yaml").read_text()
    old = re.search(r"slug: (\S+)", text)[1]  # type: ignore[index]
    path = folder / "content" / f"{slug}.yaml"
    path.write_text(text.replace(old, slug))
    return path


def one_line_error(result: Result) -> str:
    """The error a command stopped with: exit 1, one line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- 1. a missing --config file -------------------------------------------------------


@pytest.mark.parametrize("command", [["queue"], ["config", "check"], ["send", "--due"]])
def test_a_missing_config_file_is_named_with_what_to_do(tmp_path: Path, command: list[str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--config", "nope.yaml", *command])
    line = one_line_error(result)
    assert line.startswith("error: nope.yaml: no such configuration file")
    assert "--config" in line and "newsletter init" in line
