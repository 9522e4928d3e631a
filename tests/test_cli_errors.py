"""Errors that help: each says what is wrong and what to do, in one line on stderr."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from delivery_helpers import JUST_AFTER, make_folder

from newsletter.cli import main


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                                catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_plan_given_an_article_says_to_split_it_first(tmp_path: Path) -> None:
    (tmp_path / "newsletter.yaml").write_text("name: x\n")
    article = tmp_path / "ARTICLE.txt"
    article.write_text("How to water succulents\n\nWater them rarely, and deeply.\n")
    code, out, err = run(tmp_path, "plan", str(article))
    assert (code, out) == (1, "")
    assert err == (f"error: {article}: this is an article, not a content file: run "
                   f"`newsletter split {article}` first, then plan the content/<slug>.yaml "
                   "it writes\n")


def test_plan_of_a_mistyped_article_path_says_no_such_file(tmp_path: Path) -> None:
    (tmp_path / "newsletter.yaml").write_text("name: x\n")
    missing = tmp_path / "articles" / "typo.md"
    code, out, err = run(tmp_path, "plan", str(missing))
    assert (code, out, err) == (1, "", f"error: {missing}: no such file\n")


def test_a_split_that_finds_no_snippet_is_an_error_naming_why(tmp_path: Path) -> None:
    (tmp_path / "newsletter.yaml").write_text("name: x\n")
    article = tmp_path / "noise.txt"
    article.write_text("Skip to content\n\nShare this\n\nMy Heading\n")
    code, _, err = run(tmp_path, "split", str(article), "-o", str(tmp_path / "content"))
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"error: {article}: no snippets: all 3 lines with text were left "
                          "out (")
    assert "heading with no text under it" in err and "see --explain" in err
    assert not (tmp_path / "content").exists()  # nothing written
    code, out, _ = run(tmp_path, "split", str(article), "--explain")
    assert code == 1 and "Dropped lines:" in out and "Skip to content" in out


def test_send_in_table_mode_says_on_stderr_which_issue_file_is_invalid(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    bad = next((folder.root / "issues").glob("003-*.yaml"))
    bad.write_text(bad.read_text().replace("status: scheduled", "status: maybe"))
    result = folder.cli("send", "--due", "--now", JUST_AFTER)
    assert result.exit_code == 1
    [line] = [e for e in result.stderr.splitlines() if e.startswith("error:")]
    assert line.startswith(f"error: {bad}:") and "status" in line
    assert "sent" in result.stdout  # issue 1 still went out, and the table says so
