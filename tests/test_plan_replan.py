"""Planning into issues/: a person's edits and past issues survive re-planning."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from newsletter.config import load_config
from newsletter.content.contentfile import load_content
from newsletter.content.ingest import read_article
from newsletter.content.split import split
from newsletter.errors import InputError
from newsletter.models import Article, Content
from newsletter.planning.issuefile import STATE_NAME, issue_paths, load_issue, load_queue
from newsletter.planning.plan import plan_into
from newsletter.planning.schedule import Schedule
from newsletter.rendering.render import render

DATA = Path(__file__).parent / "data" / "plan"
START = date(2026, 9, 1)
SCHEDULE = Schedule(every_days=3, at=time(9), tz="America/New_York", start=START)
BEFORE = datetime(2026, 8, 1, tzinfo=UTC)
BUDGET = {"min_words": 40, "max_words": 100}


def sourdough() -> Content:
    return load_content(DATA / "sourdough.yaml")


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in issue_paths(folder)}


def test_first_plan_writes_every_issue_and_the_state(tmp_path: Path) -> None:
    report = plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    assert {a.action for a in report.actions} == {"new"}
    assert len(issue_paths(tmp_path)) == len(report.written) > 1
    assert (tmp_path / STATE_NAME).is_file()
    queue = load_queue(tmp_path)
    assert not queue.errors
    assert [i.issue.number for i in queue.issues] == list(range(1, len(queue.issues) + 1))


def test_replanning_unchanged_input_changes_nothing(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    before = texts(tmp_path)
    report = plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    assert {a.action for a in report.actions} == {"unchanged"}
    assert texts(tmp_path) == before


def test_an_edited_file_is_kept_and_its_snippets_not_planned_again(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    edited = issue_paths(tmp_path)[1]
    edited.write_text(re.sub(r"(?m)^subject: .*$", "subject: An edited subject",
                             edited.read_text(), count=1))
    edited_text = edited.read_text()
    edited_origins = {b.origin for b in load_issue(edited).blocks}

    later = replace(SCHEDULE, every_days=2)
    report = plan_into(sourdough(), later, tmp_path, now=BEFORE, **BUDGET)

    assert edited.read_text() == edited_text
    assert [(a.path, a.reason) for a in report.kept] == [(edited, "edited since it was planned")]
    others = [i for i in load_queue(tmp_path).issues if i.path != edited]
    assert not edited_origins & {b.origin for i in others for b in i.issue.blocks}
    all_origins = [b.origin for i in load_queue(tmp_path).issues for b in i.issue.blocks]
    assert len(all_origins) == len(set(all_origins)) == len(
        [s for s in sourdough().snippets if s.kind != "cta"])
    kept_day = load_issue(edited).send_at.date()  # type: ignore[union-attr]
    assert all(i.issue.send_at.date() != kept_day for i in others)  # type: ignore[union-attr]


def test_a_file_whose_send_time_has_passed_is_kept(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    first = load_queue(tmp_path).issues[0]
    sent_text = first.path.read_text()
    after_first = first.issue.send_at + timedelta(hours=1)  # type: ignore[operator]

    report = plan_into(sourdough(), replace(SCHEDULE, start=START + timedelta(days=10)),
                       tmp_path, now=after_first, **BUDGET)

    assert first.path.read_text() == sent_text
    assert [a.reason for a in report.kept] == ["its send time has passed"]
    assert all(a.issue.send_at > after_first for a in report.written)  # type: ignore


def test_a_file_plan_did_not_write_counts_as_edited(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    (tmp_path / STATE_NAME).unlink()
    before = texts(tmp_path)
    report = plan_into(sourdough(), replace(SCHEDULE, every_days=7), tmp_path, now=BEFORE,
                       **BUDGET)
    assert texts(tmp_path) == before
    assert len(report.kept) == len(before) and not report.written


def test_planning_waits_until_invalid_files_are_fixed(tmp_path: Path) -> None:
    # An invalid file may hold this article's snippets: planning around it would queue
    # them twice.
    broken = tmp_path / "002-mine.yaml"
    broken.write_text("number: 2\nsubject: [half\n")
    with pytest.raises(InputError, match=r"fix or remove the invalid issue files.*002-mine"):
        plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    assert broken.read_text() == "number: 2\nsubject: [half\n"
    assert [p.name for p in tmp_path.iterdir()] == ["002-mine.yaml"]


def test_planning_into_the_past_is_refused(tmp_path: Path) -> None:
    late = SCHEDULE.start + timedelta(days=30)
    with pytest.raises(InputError, match="has passed"):
        plan_into(sourdough(), SCHEDULE, tmp_path,
                  now=datetime.combine(late, time(12), tzinfo=UTC), **BUDGET)
    assert not issue_paths(tmp_path)


def rye() -> Content:
    return replace(sourdough(), article=Article("Rye Bread", "rye-bread", "rye.md"))


def test_a_second_article_continues_the_numbering_and_goes_out_after_the_first(
        tmp_path: Path) -> None:
    """Planned without a start, a second article's series follows the first one: numbers
    and send order agree (they interleaved: 1, 4, 2, 5, ...), one interval after its last."""
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    first = load_queue(tmp_path).issues
    report = plan_into(rye(), replace(SCHEDULE, follow=True), tmp_path, now=BEFORE, **BUDGET)
    numbers = sorted(a.issue.number for a in report.written if a.issue)
    assert numbers[0] == len(first) + 1
    queue = load_queue(tmp_path)
    assert not queue.errors and len(queue.issues) == len(first) + len(numbers)
    assert [i.issue.number for i in queue.issues] == list(range(1, len(queue.issues) + 1))
    last = first[-1].issue
    assert report.follows == last
    [after] = [i.issue for i in queue.issues if i.issue.number == len(first) + 1]
    assert after.send_at == last.send_at + timedelta(days=3)


def test_a_start_among_the_issues_already_queued_is_refused(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    before = texts(tmp_path)
    with pytest.raises(InputError, match=r"among the issues already queued.*leave --start "
                                         r"out to plan it after them, from 2026-09-"):
        plan_into(rye(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    assert texts(tmp_path) == before
    last = load_queue(tmp_path).issues[-1].issue
    later = replace(SCHEDULE, start=last.send_at.date() + timedelta(days=1))
    report = plan_into(rye(), later, tmp_path, now=BEFORE, **BUDGET)
    assert report.follows is None and report.written


def test_in_sequence_mode_a_second_series_takes_the_days_after_the_first(
        tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, days=True, **BUDGET)
    first = [i.issue.day for i in load_queue(tmp_path).issues]
    plan_into(rye(), SCHEDULE, tmp_path, now=BEFORE, days=True, **BUDGET)
    days = [i.issue.day for i in load_queue(tmp_path).issues]
    assert days[:len(first)] == first == list(range(0, 3 * len(first), 3))
    assert days == list(range(0, 3 * len(days), 3))  # 0, 3, ... on through the second


def test_a_shorter_plan_removes_its_own_unedited_leftovers(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    many = len(issue_paths(tmp_path))
    report = plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, min_words=150,
                       max_words=450)
    assert len(issue_paths(tmp_path)) == len(report.written) < many
    assert {a.action for a in report.actions} >= {"removed"}
    assert not load_queue(tmp_path).errors


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    report = plan_into(sourdough(), SCHEDULE, tmp_path / "issues", now=BEFORE, dry_run=True,
                       **BUDGET)
    assert report.written and report.dry_run
    assert not (tmp_path / "issues").exists()


@pytest.mark.parametrize("fixture", ["seed_article", "markdown_article", "html_article"])
def test_real_articles_plan_into_issues_that_render(
        fixture: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    article = request.getfixturevalue(fixture)
    content = split(read_article(article))
    report = plan_into(content, SCHEDULE, tmp_path, now=BEFORE)
    queue = load_queue(tmp_path)
    assert not queue.errors and len(queue.issues) == len(report.written)
    planned = [o.split("#", 1)[1] for i in queue.issues for b in i.issue.blocks
               for o in b.origins]
    assert planned == [s.id for s in content.snippets if s.kind != "cta"]
    config_path = tmp_path / "newsletter.yaml"
    config_path.write_text("postal_address: 1 Example Street, Springfield\n")
    config = load_config(config_path, env={})
    for item in queue.issues:
        issue = item.issue
        assert len(issue.subject) <= 60 and len(issue.preheader) <= 100
        rendered = render(issue, config)
        assert rendered.subject == issue.subject
        assert all(s.url in rendered.text for b in issue.blocks for s in b.sources
                   if s.url.startswith("http"))


def test_content_with_nothing_to_plan_is_an_error(tmp_path: Path) -> None:
    pitch_only = replace(sourdough(), snippets=tuple(
        s for s in sourdough().snippets if s.kind == "cta"))
    with pytest.raises(InputError, match="no snippets to plan"):
        plan_into(pitch_only, SCHEDULE, tmp_path, now=BEFORE)
    assert not issue_paths(tmp_path)


def test_every_planned_file_has_its_own_id_kept_when_replanned(tmp_path: Path) -> None:
    fresh = iter(f"sourdough-{n}" for n in range(100))
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, new_id=lambda slug: next(fresh),
              **BUDGET)
    ids = [item.issue.id for item in load_queue(tmp_path).issues]
    assert ids == [f"sourdough-{n}" for n in range(len(ids))]
    report = plan_into(sourdough(), replace(SCHEDULE, every_days=7), tmp_path, now=BEFORE,
                       **BUDGET)
    assert "updated" in {a.action for a in report.actions}
    assert [item.issue.id for item in load_queue(tmp_path).issues] == ids


def test_a_new_series_after_the_old_files_were_removed_gets_new_ids(tmp_path: Path) -> None:
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    old = {item.issue.key for item in load_queue(tmp_path).issues}
    for path in issue_paths(tmp_path):
        path.unlink()
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    new = load_queue(tmp_path).issues
    assert new[0].issue.number == 1
    assert not old & {item.issue.key for item in new}


def test_replanning_without_a_start_keeps_the_times_and_new_issues_follow(tmp_path: Path
                                                                          ) -> None:
    """Without a start asked for (``follow``), re-planning keeps the send times the
    series' issues had; issues the new plan adds come one interval after the last."""
    plan_into(sourdough(), SCHEDULE, tmp_path, now=BEFORE, **BUDGET)
    old = [i.issue.send_at for i in load_queue(tmp_path).issues]
    again = replace(SCHEDULE, start=BEFORE.date() + timedelta(days=1), follow=True)
    report = plan_into(sourdough(), again, tmp_path, now=BEFORE, min_words=20, max_words=60)
    times = [i.issue.send_at for i in load_queue(tmp_path).issues]
    assert len(times) > len(old)
    assert times[:len(old)] == old
    assert report.held == tuple(old)
    dates = [t.date() for t in times if t is not None]
    gaps = {(b - a).days for a, b in pairwise(dates)}
    assert gaps == {3}
