"""The library functions under the studio: content edits, issue-file saves (atomic, refused
when stale), and studio accounts from the CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsletter.accounts import hash_password, verify_password
from newsletter.cli import main
from newsletter.content import edit
from newsletter.content.contentfile import dump_content, load_content
from newsletter.errors import InputError, IssueFileError, StaleFileError
from newsletter.files import digest, save_if_unchanged
from newsletter.models import count_words
from newsletter.planning.edits import cancelled, move_block, read_versioned, restored, save_issue
from newsletter.planning.issuefile import dump_issue, load_issue
from newsletter.planning.plan import plan_into
from newsletter.planning.schedule import Schedule
from newsletter.store import open_store

SOURDOUGH = Path(__file__).parent / "data" / "plan" / "sourdough.yaml"


def test_merge_split_retitle_and_restore_keep_counts_and_sources(tmp_path: Path) -> None:
    content = load_content(SOURDOUGH)
    first, second = content.snippets[0], content.snippets[1]
    merged = edit.merge_snippets(content, first.id, second.id)
    assert len(merged.snippets) == len(content.snippets) - 1
    joined = merged.snippets[0]
    assert joined.id == first.id and second.body in joined.body
    assert joined.words == count_words(first.body) + count_words(second.body)
    assert set(joined.sources) == set(first.sources) | set(second.sources)
    parts = edit.paragraphs(joined.body)
    cut = edit.split_snippet(merged, first.id, len(parts) - 1)
    assert cut.snippets[1].title == f"{first.title} (continued)"
    assert cut.snippets[1].id not in {s.id for s in merged.snippets}
    changed = edit.change_snippet(content, first.id, kind="tip", title="A new title")
    assert (changed.snippets[0].kind, changed.snippets[0].title) == ("tip", "A new title")
    with pytest.raises(InputError, match="not a snippet kind"):
        edit.change_snippet(content, first.id, kind="nonsense", title="x")
    if content.dropped:
        back = edit.restore_dropped(content, 0, first.id)
        assert content.dropped[0].text in back.snippets[0].body
        assert len(back.dropped) == len(content.dropped) - 1
    path = tmp_path / "c.yaml"
    path.write_text(dump_content(cut), "utf-8")
    assert load_content(path) == replace(cut, snippets=tuple(
        replace(s, lines=(), reason="") for s in cut.snippets))


def test_saves_are_refused_when_the_file_changed_and_never_leave_half_a_file(
        tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("one\n", "utf-8")
    with pytest.raises(StaleFileError, match="changed by someone else"):
        save_if_unchanged(path, "two\n", digest("zero\n"))
    assert path.read_text("utf-8") == "one\n"
    assert save_if_unchanged(path, "two\n", digest("one\n")) == digest("two\n")
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]  # no temporary file left


def _save_in_another_process(path: Path, expected: str, n: int, start: Any, out: Any) -> None:
    """One of several writers at once, in its own process; its write made slow on purpose so
    that the others reach the same file while it writes."""
    import time

    from newsletter import files

    plain = files.write_atomic

    def slow(target: Path, text: str) -> None:
        time.sleep(0.05)
        plain(target, text)

    files.write_atomic = slow  # type: ignore[assignment]
    start.wait()
    try:
        save_if_unchanged(path, f"from writer {n}\n", expected)
        out.put(n)
    except StaleFileError:
        out.put(-1)


@pytest.mark.parametrize("exists", [True, False])
def test_writers_in_several_processes_never_both_save_over_one_version(
        tmp_path: Path, exists: bool) -> None:
    import multiprocessing

    path = tmp_path / "001-issue.yaml"
    if exists:
        path.write_text("as the pages loaded it\n", "utf-8")
    expected = digest("as the pages loaded it\n") if exists else ""
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(4), context.Queue()
    writers = [context.Process(target=_save_in_another_process,
                               args=(path, expected, n, start, out)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    results = sorted(out.get(timeout=5) for _ in writers)
    assert results[:3] == [-1, -1, -1] and results[3] >= 0  # one saved, three refused
    assert path.read_text("utf-8") == f"from writer {results[3]}\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def _planned(tmp_path: Path) -> Path:
    from datetime import UTC, date, datetime

    issues = tmp_path / "issues"
    plan_into(load_content(SOURDOUGH), Schedule(every_days=3, start=date(2030, 1, 1)), issues,
              now=datetime(2029, 12, 1, tzinfo=UTC), min_words=60, max_words=120)
    return issues


def test_issue_saves_validate_and_move_blocks_between_issues(tmp_path: Path) -> None:
    issues = _planned(tmp_path)
    first, second = sorted(issues.glob("0*.yaml"))[:2]
    current = read_versioned(first)
    with pytest.raises(IssueFileError, match="at least one snippet"):
        save_issue(first, replace(current.issue, blocks=()), expected=current.version)
    assert load_issue(first) == current.issue
    save_issue(first, cancelled(current.issue), expected=current.version)
    assert load_issue(first).status == "cancelled"
    assert restored(load_issue(first)).status == "scheduled"
    current = read_versioned(first)
    moving = current.issue.blocks[0]
    target_before = load_issue(second)
    move_block(current, 0, second)
    assert load_issue(second).blocks == (*target_before.blocks, moving)
    assert moving not in load_issue(first).blocks
    with pytest.raises(StaleFileError):  # the old version no longer matches
        save_issue(first, current.issue, expected=current.version)
    assert dump_issue(load_issue(first)) == first.read_text("utf-8")


def test_users_commands_store_slow_hashes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "l")]).exit_code == 0
    config = ["--config", str(tmp_path / "l" / "newsletter.yaml")]
    env = {"NEWSLETTER_DATABASE_URL": ""}
    added = runner.invoke(main, [*config, "users", "add", "Me@Example.com", "--password-stdin"],
                          input="a very good password\n", env=env)
    assert added.exit_code == 0, added.output
    again = runner.invoke(main, [*config, "users", "add", "me@example.com", "--password-stdin"],
                          input="a very good password\n", env=env)
    assert again.exit_code == 1 and "already has an account" in again.output
    short = runner.invoke(main, [*config, "users", "add", "b@example.com", "--password-stdin"],
                          input="short\n", env=env)
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    listed = runner.invoke(main, [*config, "users", "list"], env=env)
    assert "me@example.com" in listed.output and "a very good password" not in listed.output
    with open_store(f"sqlite:///{tmp_path / 'l' / 'subscribers' / 'newsletter.db'}") as store:
        [user] = store.list_users()
    assert user.password_hash.startswith("scrypt$")
    assert verify_password("a very good password", user.password_hash)
    assert not verify_password("a very good passwore", user.password_hash)
    assert hash_password("a very good password") != user.password_hash  # salted
    removed = runner.invoke(main, [*config, "users", "remove", "me@example.com"], env=env)
    assert removed.exit_code == 0
    assert runner.invoke(main, [*config, "users", "remove", "me@example.com"],
                         env=env).exit_code == 1
