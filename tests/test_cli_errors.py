"""Errors that help: each says what is wrong and what to do, in one line on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
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


PLAN_THIS = "plan takes the content/<slug>.yaml that `newsletter split ARTICLE` writes"


@pytest.mark.parametrize(("name", "text", "what"), [
    ("article", "How to water succulents\n\nWater them: rarely, and deeply.\n", None),
    ("notes.rst", "Watering\n========\n\nRarely.\n", None),
    ("newsletter-copy.yaml", "name: x\nfrom: {email: a@b.example}\n",
     "this is the newsletter's settings"),
    ("001-first.yaml", "number: 1\nsubject: Hi\nsnippets: []\n", "this is an issue file"),
    ("resources.yaml", "- {title: A guide, url: https://example.com}\n",
     "this is a bank of testimonials or resources (`newsletter banks`)"),
    ("people.csv", "email,name\nann@example.com,Ann\n", "this is a CSV file"),
])
def test_plan_given_another_kind_of_file_says_what_it_is(tmp_path: Path, name: str,
                                                          text: str, what: str | None) -> None:
    (tmp_path / "newsletter.yaml").write_text("name: x\n")
    given = tmp_path / name
    given.write_text(text)
    code, out, err = run(tmp_path, "plan", str(given))
    assert (code, out) == (1, "")
    if what is None:
        assert err == (f"error: {given}: this is an article, not a content file: run "
                       f"`newsletter split {given}` first, then plan the content/<slug>.yaml "
                       "it writes\n")
    else:
        assert err == f"error: {given}: {what}, not a content file: {PLAN_THIS}\n"


def test_plan_of_a_broken_content_file_names_its_mistake(tmp_path: Path) -> None:
    (tmp_path / "newsletter.yaml").write_text("name: x\n")
    broken = tmp_path / "content.yaml"
    broken.write_text("article: {title: x, slug: x, source: x}\nsnippets: 3\n")
    assert run(tmp_path, "plan", str(broken))[2] == \
        f"error: {broken}:2: snippets: expected a list\n"


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


@pytest.mark.parametrize(("address", "why"), [
    ("not an address", "contains a space"),
    ("me@example.com\r\nBcc: all@example.com", "contains a control character"),
])
def test_a_proof_to_a_bad_address_is_refused_before_anything_is_sent(
        tmp_path: Path, address: str, why: str) -> None:
    folder = make_folder(tmp_path)
    result = folder.cli("send", "1", "--test", address)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"error: --test: invalid address {address!r}: {why}\n"
    assert not any((folder.root / "outbox").glob("*.eml"))


def test_a_proof_goes_to_the_address_as_subscribers_addresses_are_read(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    result = folder.cli("send", "1", "--test", "ＭＥ@Example.com\u200b")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("proof of issue 1 sent to me@example.com (")
    [mail] = (folder.root / "outbox").glob("*.eml")
    assert "To: me@example.com" in mail.read_text()


@pytest.mark.parametrize(("typed", "meant"), [("sned", "send"), ("splt", "split"),
                                              ("qeueu", "queue")])
def test_a_misspelt_command_says_which_was_meant(tmp_path: Path, typed: str, meant: str
                                                 ) -> None:
    """The commands load lazily, so click's own did-you-mean saw none of them in a fresh
    process (the installed command, as a user runs it)."""
    command = Path(sys.executable).parent / "newsletter"
    exe = [str(command)] if command.exists() else [sys.executable, "-m", "newsletter"]
    result = subprocess.run([*exe, typed], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2
    assert f"No such command {typed!r}. Did you mean {meant!r}?" in result.stderr


def test_an_unknown_command_or_option_is_still_a_plain_usage_error() -> None:
    unknown = CliRunner().invoke(main, ["zzzzz"])
    assert unknown.exit_code == 2 and "No such command 'zzzzz'." in unknown.output
    assert "Did you mean" not in unknown.output
    option = CliRunner().invoke(main, ["--sen"])
    assert option.exit_code == 2 and "No such option" in option.output
