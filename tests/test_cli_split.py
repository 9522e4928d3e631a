"""`newsletter split`: the content file, the summary, --explain, and one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.content.banks import BANK_FILES
from newsletter.content.contentfile import load_content

DATA = Path(__file__).parent / "data" / "split"
ARTICLE = DATA / "sprouting-at-home.txt"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "newsletter.yaml").write_text(
        "products: [Sprout Kit]\nsnippets:\n  min_words: 30\n  max_words: 160\n", "utf-8")
    shutil.copy(ARTICLE, tmp_path / "article.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_split_writes_the_content_file_and_prints_a_summary(folder: Path) -> None:
    result = CliRunner().invoke(main, ["split", "article.txt"])
    assert result.exit_code == 0, result.output
    path = folder / "content" / "sprouting-seeds-at-home-a-practical-guide.yaml"
    content = load_content(path)
    kinds = {s.kind for s in content.snippets}
    assert {"faq", "cta", "steps"} <= kinds  # products come from newsletter.yaml
    assert f"{len(content.snippets)} snippets" in result.output
    assert "within 30-160" in result.output  # bounds from newsletter.yaml
    assert f"{len(content.dropped)} lines left out as noise" in result.output
    assert "content/sprouting-seeds-at-home-a-practical-guide.yaml" in result.output


def test_explain_lists_each_snippet_and_each_dropped_line(folder: Path) -> None:
    result = CliRunner().invoke(main, ["split", "article.txt", "--explain", "-o", "out",
                                       "--min-words", "20", "--max-words", "100"])
    assert result.exit_code == 0, result.output
    content = load_content(next((folder / "out").glob("*.yaml")))
    for snippet in content.snippets:
        assert snippet.id in result.output
        assert snippet.words <= 100 or snippet.kind == "faq"
    assert "line 1: 'Skip to content'" in result.output
    assert "faq: a question with its answer" in result.output
    assert "cta: its heading names a product" in result.output
    assert "within 20-100" in result.output


def test_explain_shows_the_start_of_a_huge_dropped_line_with_its_length(folder: Path) -> None:
    picture = "![](data:image/png;base64," + "A" * 50_000 + ")"
    text = (folder / "article.txt").read_text("utf-8")
    (folder / "article.md").write_text(f"{text}\n\n{picture}\n", "utf-8")
    result = CliRunner().invoke(main, ["split", "article.md", "--explain", "-o", "out"])
    assert result.exit_code == 0, result.output
    shown = next(line for line in result.output.splitlines() if "data:image/png" in line)
    assert len(shown) < 400 and "characters)" in shown


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: None, "no such file"),
    (lambda d: (d / "gone.txt").write_text("", "utf-8"), "empty"),
    (lambda d: (d / "gone.txt").write_bytes(b"\x00\x01\x02binary\x00"), "binary"),
])
def test_bad_articles_are_one_line_errors(folder: Path, setup, message: str) -> None:
    setup(folder)
    result = CliRunner().invoke(main, ["split", "gone.txt"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("error: gone.txt")
    assert message in result.output
    assert not (folder / "content").exists()


def test_min_above_max_is_a_usage_error(folder: Path) -> None:
    result = CliRunner().invoke(main, ["split", "article.txt", "--min-words", "90",
                                       "--max-words", "50"])
    assert result.exit_code == 2 and "larger than --max-words" in result.output


def test_split_as_a_real_command_twice_gives_the_same_file(folder: Path) -> None:
    command = [str(Path(sys.executable).parent / "newsletter"), "split", "article.txt"]
    first = subprocess.run(command, capture_output=True, text=True, cwd=folder, check=True)
    path = next(p for p in (folder / "content").glob("*.yaml") if p.name not in BANK_FILES)
    before = path.read_text("utf-8")
    subprocess.run(command, capture_output=True, text=True, cwd=folder, check=True)
    assert path.read_text("utf-8") == before and "Wrote content/" in first.stdout
    missing = subprocess.run([*command[:2], "nope.md"], capture_output=True, text=True,
                             cwd=folder)
    assert missing.returncode == 1 and missing.stderr.strip().startswith("error: nope.md")


def test_a_count_of_one_reads_in_the_singular(folder: Path) -> None:
    (folder / "one.txt").write_text(
        "Skip to content\n\nWatering a balcony garden\n\n"
        + "Water early in the day so the leaves dry before night, and pour at the base. " * 4
        + "\n", "utf-8")
    result = CliRunner().invoke(main, ["split", "one.txt", "-o", "out", "--min-words", "10"])
    assert result.exit_code == 0, result.output
    assert ": 1 snippet (" in result.output
    assert "  1 line left out as noise" in result.output


def test_splitting_a_content_file_is_refused_and_leaves_it_untouched(folder: Path) -> None:
    assert CliRunner().invoke(main, ["split", "article.txt"]).exit_code == 0
    path = folder / "content" / "sprouting-seeds-at-home-a-practical-guide.yaml"
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["split", str(path)])
    assert result.exit_code == 1 and "this is a content file" in result.output
    assert result.output.count("\n") == 1
    assert path.read_bytes() == before
