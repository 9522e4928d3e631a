"""Issue files: readable YAML round trip, file:line errors, a queue that survives bad files."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter import yamlfiles
from newsletter.errors import IssueFileError, NewsletterError
from newsletter.models import CallToAction, Image, Issue, IssueBlock, Source
from newsletter.planning.issuefile import (
    dump_issue,
    find_issue,
    issue_data,
    issue_filename,
    load_issue,
    load_issue_file,
    load_queue,
    queue_rows,
)
from newsletter.planning.schedule import local_instant

GOOD = """\
number: 4
subject: Four ways to keep basil alive
preheader: Water less, pinch more.
send_at: 2026-06-02T09:00:00+02:00
status: scheduled
snippets:
  - from: herbs#basil-1a2b
    kind: tip
    title: Pinch the tops
    body: |
      Pinch above a pair of leaves [^1].

      - it branches
      - it bushes out
    sources:
      - {n: "1", url: https://example.org/basil}
cta: {title: Grow with us, body: Join the club., url: https://example.org/club}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def sample_issue(number: int = 7, **changes: object) -> Issue:
    base = Issue(
        number=number, subject="Soil: what's in it?", preheader="Sand, silt, clay — and life.",
        status="scheduled",
        send_at=local_instant(date(2026, 11, 1), time(1, 30), ZoneInfo("America/New_York")),
        blocks=(IssueBlock("faq", "Is clay bad?", "No: it holds water.\n\n1. add compost\n"
                           "2. wait: \"a season\"", (Source("2", "https://e.org/x"),),
                           "soil#clay-9f"),
                IssueBlock("testimonial", "", "Yes: 'great' #1", (), "")),
        cta=CallToAction("Get the guide", "Forty pages.\nFree.", "https://e.org/guide"))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_dump_and_load_give_back_the_same_issue(tmp_path: Path) -> None:
    issue = sample_issue()
    path = write(tmp_path, issue_filename(issue), dump_issue(issue))
    loaded = load_issue(path)
    # An ambiguous local time (1:30 on the night clocks fall back) keeps its instant; the
    # loaded time has a fixed offset, and Python never calls such inter-zone times equal.
    assert loaded.send_at.astimezone(UTC) == issue.send_at.astimezone(UTC)  # type: ignore
    assert loaded.send_at.utcoffset() == issue.send_at.utcoffset()  # type: ignore
    assert replace(loaded, send_at=issue.send_at) == issue


def test_a_source_keeps_its_address_in_url_and_what_it_says_in_text(tmp_path: Path) -> None:
    cited = Source.of("2", "How to Water – The Garden Post https://garden.example/water.")
    assert (cited.url, cited.text) == ("https://garden.example/water",
                                       "How to Water – The Garden Post https://garden.example/water.")
    assert Source.of("3", "Smith, J. (2019) The Mulch Book") == Source("3", "Smith, J. (2019) The "
                                                                      "Mulch Book")
    block = replace(sample_issue().blocks[0], sources=(cited,))
    issue = sample_issue(blocks=(block,))
    path = write(tmp_path, issue_filename(issue), dump_issue(issue))
    assert load_issue(path).blocks[0].sources == (cited,)
    (tmp_path / "old").mkdir()
    old_style = path.read_text("utf-8").replace(", text: 'How to Water – The Garden Post "
                                                "https://garden.example/water.'", "")
    assert load_issue(write(tmp_path / "old", path.name, old_style)).blocks[0].sources == (
        Source("2", "https://garden.example/water"),)


def test_dump_is_readable_with_bodies_as_blocks() -> None:
    text = dump_issue(sample_issue())
    assert "  body: |" in text
    assert re.search(r"^send_at: 2026-11-01T01:30:00-0[45]:00$", text, re.MULTILINE)
    data = yaml.safe_load(text)
    assert list(data)[:5] == ["number", "subject", "preheader", "send_at", "status"]
    assert data["snippets"][0]["from"] == "soil#clay-9f"


def test_filename_is_the_padded_number_and_a_slug() -> None:
    name = issue_filename(sample_issue(number=12, subject="Über 10 tips — for clay soil!"))
    assert re.fullmatch(r"012-[a-z0-9-]+\.yaml", name)
    assert "clay-soil" in name


_printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                     min_size=1, max_size=60).filter(lambda s: s.strip() == s and s)


@settings(max_examples=60, deadline=None)
@given(subject=_printable, preheader=_printable, title=_printable, body=_printable,
       offset=st.integers(-14 * 60, 14 * 60))
def test_round_trip_holds_for_any_text(tmp_path_factory: pytest.TempPathFactory, subject: str,
                                       preheader: str, title: str, body: str,
                                       offset: int) -> None:
    when = datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(minutes=offset)))
    issue = Issue(3, subject, preheader, "draft",
                  (IssueBlock("tip", title, body, (Source("1", body),), "a#b"),), send_at=when)
    folder = tmp_path_factory.mktemp("rt")
    path = write(folder, "003-x.yaml", dump_issue(issue))
    assert load_issue(path) == issue


# --- errors: file, line, problem ---------------------------------------------------------

def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("change", "needle", "field", "problem"), [
    (("subject: Four", "subjcet: Four"), "subjcet", "subjcet", "did you mean 'subject'"),
    (("subject: Four ways to keep basil alive\n", ""), None, "subject", "missing"),
    (("subject: Four ways to keep basil alive", "subject: ''"), "subject:", "subject", "empty"),
    (("status: scheduled", "status: sheduled"), "status:", "status", "did you mean 'scheduled'"),
    (("+02:00", ""), "send_at", "send_at", "no UTC offset"),
    (("2026-06-02T09:00:00+02:00", "next tuesday"), "send_at", "send_at", "not a time"),
    (("number: 4", "number: 5"), "number:", "number", "does not match the file name"),
    (("number: 4", "number: four"), "number:", "number", "whole number"),
    (("  - from: herbs", "  - form: herbs"), "form:", "snippets[0].form", "did you mean 'from'"),
    (("    body: |\n      Pinch above a pair of leaves [^1].\n\n      - it branches\n"
      "      - it bushes out\n", ""), "- from:", "snippets[0].body", "missing"),
    (('{n: "1", url', '{n: "1", link'), "link", "snippets[0].sources[0].link", "unknown key"),
    (("cta: {title", "cta: {titel"), "cta:", "cta.titel", "did you mean 'title'"),
    (("send_at: 2026-06-02T09:00:00+02:00", "send_at: 2026-06-02T09:00:00+02:00\nday: 3"),
     "day:", "day", "not both"),
    (("status: scheduled", "status: scheduled\nstatus: draft"), "status: draft", "status",
     "duplicate key"),
])
def test_bad_files_name_the_line_field_and_problem(
        tmp_path: Path, change: tuple[str, str], needle: str | None, field: str,
        problem: str) -> None:
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, "004-basil.yaml", text)
    with pytest.raises(IssueFileError) as caught:
        load_issue(path)
    error = caught.value
    assert error.path == str(path)
    assert error.field == field
    assert problem in str(error)
    if needle is not None:
        assert error.line == _line_of(text, needle)
    assert str(error).startswith(f"{path}:{error.line}: {field}: ")


def test_snippets_must_be_a_list(tmp_path: Path) -> None:
    text = GOOD[:GOOD.index("snippets:")] + "snippets: Pinch the tops\n"
    with pytest.raises(IssueFileError, match="snippets: expected a list") as caught:
        load_issue(write(tmp_path, "004-basil.yaml", text))
    assert caught.value.line == _line_of(text, "snippets:")


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    text = GOOD.replace("status: scheduled", "status: [scheduled")
    with pytest.raises(IssueFileError, match=r"004-basil\.yaml:\d+: not valid YAML") as caught:
        load_issue(write(tmp_path, "004-basil.yaml", text))
    assert caught.value.line is not None and caught.value.line >= _line_of(text, "[scheduled")


def test_a_scheduled_issue_needs_a_time_but_a_draft_does_not(tmp_path: Path) -> None:
    text = GOOD.replace("send_at: 2026-06-02T09:00:00+02:00\n", "")
    with pytest.raises(IssueFileError, match="needs send_at"):
        load_issue(write(tmp_path, "004-basil.yaml", text))
    draft = load_issue(write(tmp_path, "004-basil.yaml",
                             text.replace("status: scheduled", "status: draft")))
    assert draft.send_at is None and draft.status == "draft"


def test_sequence_day_and_expires_are_read(tmp_path: Path) -> None:
    seq = GOOD.replace("send_at: 2026-06-02T09:00:00+02:00", "day: 6")
    assert load_issue(write(tmp_path, "004-basil.yaml", seq)).day == 6
    timed = GOOD.replace("status:", "expires: 2026-06-04T09:00:00+02:00\nstatus:")
    loaded = load_issue_file(write(tmp_path, "004-basil.yaml", timed))
    assert loaded.expires is not None and loaded.expires > loaded.issue.send_at  # type: ignore
    early = GOOD.replace("status:", "expires: 2026-06-01T09:00:00+02:00\nstatus:")
    with pytest.raises(IssueFileError, match="expires: must be later than send_at"):
        load_issue(write(tmp_path, "004-basil.yaml", early))


def test_values_are_read_as_written_not_as_yaml_guesses(tmp_path: Path) -> None:
    text = GOOD.replace("subject: Four ways to keep basil alive", "subject: Yes").replace(
        'n: "1"', "n: 01")
    issue = load_issue(write(tmp_path, "004-basil.yaml", text))
    assert issue.subject == "Yes"
    assert issue.blocks[0].sources[0].n == "01"


# --- the queue ---------------------------------------------------------------------------

def _queue_folder(tmp_path: Path) -> Path:
    for number, day in ((1, 9), (2, 3), (3, 6)):
        text = GOOD.replace("number: 4", f"number: {number}").replace(
            "2026-06-02", f"2026-06-{day:02d}")
        write(tmp_path, f"{number:03d}-basil.yaml", text)
    return tmp_path


def test_queue_is_in_send_order_and_bad_files_do_not_stop_the_others(tmp_path: Path) -> None:
    folder = _queue_folder(tmp_path)
    write(folder, "004-broken.yaml", GOOD.replace("status: scheduled", "status: sent"))
    write(folder, "005-notyaml.yaml", "number: 5\nsubject: [unclosed\n")
    write(folder, "notes.txt", "not an issue")
    queue = load_queue(folder)
    assert [i.issue.number for i in queue.issues] == [2, 3, 1]
    assert sorted(Path(e.path or "").name for e in queue.errors) == [
        "004-broken.yaml", "005-notyaml.yaml"]
    assert all(e.line for e in queue.errors)


def test_duplicate_numbers_are_an_error_for_both_files(tmp_path: Path) -> None:
    folder = _queue_folder(tmp_path)
    write(folder, "002-again.yaml", GOOD.replace("number: 4", "number: 2"))
    queue = load_queue(folder)
    assert [i.issue.number for i in queue.issues] == [3, 1]
    assert {Path(e.path or "").name for e in queue.errors} == {"002-basil.yaml",
                                                               "002-again.yaml"}
    assert all("also used by" in str(e) for e in queue.errors)
    with pytest.raises(NewsletterError, match="issue 2 is invalid"):
        find_issue(queue, 2)


def test_find_issue(tmp_path: Path) -> None:
    queue = load_queue(_queue_folder(tmp_path))
    assert find_issue(queue, 3).path.name == "003-basil.yaml"
    with pytest.raises(NewsletterError, match="no issue 9"):
        find_issue(queue, 9)


def test_queue_rows_show_local_and_utc_times_and_counts(tmp_path: Path) -> None:
    folder = _queue_folder(tmp_path)
    write(folder, "009-bad.yaml", "number: 9\n")
    zone = ZoneInfo("Asia/Tokyo")
    rows = queue_rows(load_queue(folder), zone, counts={"2": {"sent": 40, "uncertain": 2}})
    issues = [r for r in rows if "error" not in r]
    first = issues[0]
    assert first["number"] == 2
    assert first["counts"] == {"sent": 40, "failed": 0, "uncertain": 2, "claimed": 0, "retry": 0}
    assert issues[1]["counts"]["sent"] == 0
    utc = datetime.fromisoformat(first["send_at_utc"])
    local = datetime.fromisoformat(first["send_at_local"])
    assert utc == local == datetime.fromisoformat(first["send_at"])
    assert utc.utcoffset() == timedelta(0) and local.utcoffset() == timedelta(hours=9)
    assert utc.tzinfo is not None and utc.astimezone(UTC) == utc
    errors = [r for r in rows if "error" in r]
    assert len(errors) == 1 and errors[0]["file"].endswith("009-bad.yaml")


def test_an_issue_id_round_trips_and_is_its_ledger_key(tmp_path: Path) -> None:
    issue = sample_issue(id="soil-3f9a2c7b1d0e")
    loaded = load_issue(write(tmp_path, issue_filename(issue), dump_issue(issue)))
    assert loaded.id == loaded.key == "soil-3f9a2c7b1d0e"
    assert list(yaml.safe_load(dump_issue(issue)))[:2] == ["number", "id"]
    assert sample_issue(number=7).key == "7"  # a file from before ids: keyed by its number


@pytest.mark.parametrize("bad", ["'has space'", "-leading-dash", "'ü-umlaut'", "x" * 65])
def test_a_malformed_id_names_the_file_line_and_field(tmp_path: Path, bad: str) -> None:
    text = dump_issue(sample_issue()).replace("number: 7\n", f"number: 7\nid: {bad}\n")
    path = write(tmp_path, "007-x.yaml", text)
    with pytest.raises(IssueFileError, match=r"007-x\.yaml:2: id: .* is not an issue id"):
        load_issue(path)


def test_a_copied_file_with_the_same_id_makes_both_invalid(tmp_path: Path) -> None:
    first = sample_issue(number=1, id="tips-abc")
    write(tmp_path, "001-a.yaml", dump_issue(first))
    write(tmp_path, "002-b.yaml", dump_issue(replace(first, number=2)))
    write(tmp_path, "003-c.yaml", dump_issue(sample_issue(number=3, id="tips-def")))
    queue = load_queue(tmp_path)
    assert [item.issue.number for item in queue.issues] == [3]
    assert sorted(Path(e.path or "").name for e in queue.errors) == ["001-a.yaml", "002-b.yaml"]
    assert all("issue id tips-abc is also used by" in str(e) for e in queue.errors)


# Text as issues carry it (the characters libyaml and PyYAML write alike and some they do not,
# YAML's indicators among them), and send times in any zone.
ISSUE_TEXT = st.lists(st.sampled_from(
    ["word", "Word", "a", "x:", ": ", "- ", "#", " #", "'", '"', "\\", "[^1]", "**b**", "{", "}",
     "[", "]", ",", "|", ">", "%", "@", "`", "!", "&", "*", "?", "~", "null", "yes", "1e3", "12",
     "2026-12-01", "https://x.example/a?b=c&d=e#f", "ünïcödé", "日本語", "\u00a0", "\u200b",
     " ", "  ", "\n", "\n\n", "…", "—"] * 8 + ["\t", "\x85", "\u2028", "\U0001F600"]),
    max_size=30).map("".join)
SOURCE = st.builds(Source, n=st.integers(1, 300).map(str) | ISSUE_TEXT, url=ISSUE_TEXT)
BLOCK = st.builds(IssueBlock, kind=st.sampled_from(["tip", "testimonial"]) | ISSUE_TEXT,
                  title=ISSUE_TEXT, body=ISSUE_TEXT,
                  sources=st.lists(SOURCE, max_size=3).map(tuple), origin=ISSUE_TEXT,
                  url=ISSUE_TEXT, name=ISSUE_TEXT,
                  image=st.none() | st.builds(Image, src=ISSUE_TEXT, alt=ISSUE_TEXT))


@settings(max_examples=300, deadline=None)
@given(subject=ISSUE_TEXT, preheader=ISSUE_TEXT, blocks=st.lists(BLOCK, max_size=3),
       send_at=st.none() | st.datetimes(timezones=st.timezones()),
       cta=st.none() | st.builds(CallToAction, title=ISSUE_TEXT, body=ISSUE_TEXT,
                                 url=ISSUE_TEXT, button=ISSUE_TEXT),
       following=ISSUE_TEXT)
def test_an_issue_file_is_written_as_pyyamls_dump_of_its_data(
        subject: str, preheader: str, blocks: list[IssueBlock], send_at: datetime | None,
        cta: CallToAction | None, following: str) -> None:
    issue = Issue(number=7, id="tips-3f9a2c7b1d0e", subject=subject, preheader=preheader,
                  status="scheduled", blocks=tuple(blocks), send_at=send_at, cta=cta,
                  next=following)
    data = issue_data(issue, send_at)
    assert dump_issue(issue, send_at) == yamlfiles.dump(data, width=4096)
