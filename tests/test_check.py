"""`newsletter check`, the pre-send gate: each planted fault is found, and `send` refuses the
issues with errors while it sends the others."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from delivery_helpers import JUST_AFTER, make_folder, send_reports

from newsletter.cli import main
from newsletter.models import CallToAction, Image, Issue, IssueBlock, Source
from newsletter.planning.issuefile import dump_issue, issue_filename, load_issue, load_queue
from newsletter.scaffold import init_folder

SETTINGS = {
    "name": "Back Notes",
    "postal_address": '"Back Notes, 1 Spine Road, Leeds LS1 4AP"',
    "base_url": "https://news.backnotes.example.org",
    "cta_url": "https://shop.backnotes.example.org/claw",
}


def good_issue(number: int, **changes: object) -> Issue:
    issue = Issue(
        number=number, subject=f"Stretch your QL, part {number}",
        preheader="Two minutes a day, and why it works", status="scheduled",
        send_at=datetime(2026, 12, number, 9, tzinfo=UTC),
        blocks=(IssueBlock("tip", "Lean to each side", "Reach up, then lean[^1].",
                           (Source("1", "https://pubmed.example.org/1"),), "back#lean-1a"),),
        cta=CallToAction("Get The QL Claw", "Release the knot at home.", ""))
    return replace(issue, **changes)  # type: ignore[arg-type]


def write(folder: Path, issue: Issue) -> None:
    for old in (folder / "issues").glob(f"{issue.number:03d}-*.yaml"):
        old.unlink()
    (folder / "issues" / issue_filename(issue)).write_text(dump_issue(issue), "utf-8")


def setting(folder: Path, key: str, value: str) -> None:
    config = folder / "newsletter.yaml"
    text = config.read_text()
    config.write_text(re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}", text), "utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    init_folder(tmp_path / "letter", settings=SETTINGS)
    write(tmp_path / "letter", good_issue(1))
    return tmp_path / "letter"


def check(folder: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), "check",
                                       *args, "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def block(kind: str, title: str, body: str, **fields: object) -> IssueBlock:
    return IssueBlock(kind, title, body, **fields)  # type: ignore[arg-type]


def big(n: int) -> tuple[IssueBlock, ...]:
    paragraph = "Soft tissue needs time, warmth and patience before it lets go. " * 12
    return tuple(block("tip", f"Tip {i}", paragraph) for i in range(n))


def templates(folder: Path, name: str, change: Callable[[str], str]) -> None:
    path = folder / "templates" / name
    path.write_text(change(path.read_text()), "utf-8")


ERRORS: dict[str, Callable[[Path], None]] = {
    "unsubscribe": lambda f: templates(f, "partials/footer.txt.j2", lambda t: t.replace(
        "Unsubscribe: {{ personal.unsubscribe_url }}", "")),
    "postal-address": lambda f: setting(f, "postal_address", '""'),
    "placeholder": lambda f: write(f, good_issue(2, blocks=(
        block("tip", "Hi", "Hello {{ first_name }}, stretch today."),))),
    "citation": lambda f: write(f, good_issue(2, blocks=(
        block("fact", "Why", "It releases tension[^7], as [8] shows."),))),
    "stub": lambda f: write(f, good_issue(2, blocks=(
        *good_issue(2).blocks, block("resource", "QL Muscle Massage", "", url="")))),
    "cta-url": lambda f: setting(f, "cta_url", '""'),
    "link": lambda f: write(f, good_issue(2, blocks=(
        block("tip", "Read", "See [our guide](/guide) first."),))),
    "html-size": lambda f: write(f, good_issue(2, blocks=big(70))),
    "style-size": lambda f: templates(f, "email.css", lambda t: t + "@media (max-width: 1px) {"
                                      + ".x { color: #000000 !important; }" * 600 + "}"),
}

WARNINGS: dict[str, Callable[[Path], None]] = {
    "subject-length": lambda f: write(f, good_issue(2, subject="How to stretch the quadratus "
                                                    "lumborum muscle when you sit all day")),
    "subject-duplicate": lambda f: write(f, good_issue(2, subject="Stretch your QL, part 1")),
    "preheader": lambda f: write(f, good_issue(2, preheader="")),
    "image-alt": lambda f: write(f, good_issue(2, blocks=(replace(
        good_issue(2).blocks[0], image=Image("https://cdn.example.org/lean.jpg", "")),))),
    "words": lambda f: write(f, good_issue(2, blocks=big(8))),
    "spam-words": lambda f: write(f, good_issue(2, subject="Act now: stretch your QL")),
    "name": lambda f: write(f, good_issue(2, blocks=(block(
        "welcome", "", "Welcome to **My Newsletter**, and thank you for signing up. Here "
        "is how to look after your back."), *good_issue(2).blocks))),
}


def test_a_clean_folder_passes(folder: Path) -> None:
    assert check(folder) == (0, [])


@pytest.mark.parametrize("code", list(ERRORS))
def test_check_finds_each_planted_error(folder: Path, code: str) -> None:
    ERRORS[code](folder)
    status, findings = check(folder)
    assert status == 1
    found = [f for f in findings if f["code"] == code]
    assert found and all(f["severity"] == "error" for f in found), findings
    assert all(f["reason"] and f["block"] for f in found)


@pytest.mark.parametrize("code", list(WARNINGS))
def test_check_warns_of_each_planted_weakness_and_still_passes(folder: Path, code: str
                                                                ) -> None:
    WARNINGS[code](folder)
    status, findings = check(folder)
    assert status == 0
    assert any(f["code"] == code and f["severity"] == "warning" for f in findings), findings


def test_findings_name_the_issue_and_the_block(folder: Path) -> None:
    ERRORS["stub"](folder)
    ERRORS["citation"](folder)  # replaces issue 2
    write(folder, good_issue(3, blocks=(*good_issue(3).blocks, block("resource", "QL Pain", ""))))
    status, findings = check(folder, "3")
    assert status == 1
    assert findings == [{"severity": "error", "code": "stub", "issue": 3,
                         "block": "snippets[1] (resource 'QL Pain')",
                         "reason": "no url: a stub is never sent"}]
    _, every = check(folder)
    assert {(f["issue"], f["code"]) for f in every} == {(2, "citation"), (3, "stub")}
    assert [f["reason"] for f in every if f["issue"] == 2] == [
        "[^7] cites no source (add {n: '7', url: ...} to the block's sources, or remove the "
        "marker)", "[8] would show as a bare [8]: its source is not among the block's sources"]


def test_stubs_in_the_banks_are_errors_until_filled_in(folder: Path) -> None:
    bank = folder / "content" / "resources.yaml"
    bank.write_text("- title: QL Muscle Massage\n  url: ''\n", "utf-8")
    status, findings = check(folder)
    assert status == 1
    assert findings == [{"severity": "error", "code": "stub", "issue": None,
                         "block": "content/resources.yaml:1",
                         "reason": "stub 'QL Muscle Massage': no url (never sent until filled "
                                   "in)"}]
    bank.write_text("- title: QL Muscle Massage\n  url: https://example.org/m\n", "utf-8")
    assert check(folder) == (0, [])


def test_checking_one_issue_or_a_missing_one(folder: Path) -> None:
    ERRORS["link"](folder)
    assert check(folder, "1") == (0, [])
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), "check",
                                       "9"])
    assert result.exit_code == 1 and "no issue 9" in result.stderr


def test_the_text_report_says_where_and_why(folder: Path) -> None:
    ERRORS["cta-url"](folder)
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), "check"])
    assert result.exit_code == 1
    assert "issue 1, cta: error: the call to action has no URL" in result.stdout
    assert "1 error, 0 warnings" in result.stdout


def test_a_base_url_readers_cannot_reach_stops_check_while_sending_through_sendgrid(
        folder: Path) -> None:
    setting(folder, "base_url", "http://localhost:8000")
    config = folder / "newsletter.yaml"
    config.write_text(config.read_text().replace("backend: outbox", "backend: sendgrid"))
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 1
    assert "base_url" in result.stderr and "must use https" in result.stderr


def test_send_refuses_the_issue_with_errors_and_sends_the_others(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=3)
    paths = sorted((folder.root / "issues").glob("00[123]-*.yaml"))
    issues = [load_issue(path) for path in paths]
    for path, issue in zip(paths, issues, strict=True):  # all three due at once
        if issue.number == 2:  # ... and issue 2 with a stub
            issue = replace(issue, blocks=(*issue.blocks, block("resource", "Repotting", "")))
        path.write_text(dump_issue(replace(issue, send_at=issues[0].send_at)), "utf-8")
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 1
    reports = {r["number"]: r for r in send_reports(result)}
    assert [reports[n]["sent"] for n in (1, 2, 3)] == [3, 0, 3]
    assert reports[2]["error"].startswith("issue 2 cannot be sent: snippets[")
    assert "(resource 'Repotting'): no url: a stub is never sent" in reports[2]["error"]
    mails = [BytesParser(policy=policy.default).parse(p.open("rb"))
             for p in (folder.root / "outbox").glob("*.eml")]
    assert {m["Subject"] for m in mails} == {issues[0].subject, issues[2].subject}


# --- the user test: a Markdown article through init, split, plan and check ------------------


def knee_folder(tmp_path: Path, article: Path) -> Path:
    """A newsletter folder (no cta_url) with the Markdown article split and planned."""
    folder = tmp_path / "knee"
    init_folder(folder, settings={k: v for k, v in SETTINGS.items() if k != "cta_url"})
    cli(folder, "split", str(article))
    [content] = (folder / "content").glob("*knee*.yaml")
    cli(folder, "plan", str(content), "--start", "2027-03-01",
        "--now", "2027-01-10T12:00:00+00:00")
    return folder


def cli(folder: Path, *args: str) -> str:
    """Run a command in ``folder``; its output (it must succeed)."""
    result = CliRunner().invoke(main, ["--config", str(folder / "newsletter.yaml"), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_articles_own_cta_link_is_the_buttons_address(tmp_path: Path,
                                                          markdown_article: Path) -> None:
    """The knee article's pitch links `[contact us](https://bodywisept.com/contact-us/)`:
    the planned call to action goes there (it had url '' and check said "a button to
    nowhere")."""
    folder = knee_folder(tmp_path, markdown_article)
    ctas = [i.issue.cta for i in load_queue(folder / "issues").issues if i.issue.cta]
    assert ctas and {c.url for c in ctas} == {"https://bodywisept.com/contact-us/"}
    status, findings = check(folder)
    assert not [f for f in findings if f["code"] in ("cta-url", "link")], findings
    assert status == 0, findings


def test_renaming_the_newsletter_after_plan_is_a_warning_until_planned_again(
        tmp_path: Path, markdown_article: Path) -> None:
    """The user test: `name:` set after `plan` passed check with 0 findings while the email
    said "Welcome to Back Notes" under the new name. check warns, and `plan` again (no
    --start) rewrites the welcome with the new name, keeping the send times."""
    folder = knee_folder(tmp_path, markdown_article)
    times = [i.issue.send_at for i in load_queue(folder / "issues").issues]
    setting(folder, "name", "Bodywise Notes")
    status, findings = check(folder)
    [found] = [f for f in findings if f["code"] == "name"]
    assert status == 0 and found["severity"] == "warning" and found["issue"] == 1
    assert "'Back Notes'" in found["reason"] and "'Bodywise Notes'" in found["reason"]
    [content] = (folder / "content").glob("*knee*.yaml")
    out = cli(folder, "plan", str(content), "--now", "2027-01-10T12:00:00+00:00")
    assert "Kept the send times this series already had" in out
    assert [i.issue.send_at for i in load_queue(folder / "issues").issues] == times
    assert check(folder) == (0, [])
    first = load_queue(folder / "issues").issues[0].issue
    assert first.blocks[0].body.startswith("Welcome to **Bodywise Notes**")


def test_a_welcome_that_names_no_newsletter_is_a_warning(folder: Path) -> None:
    write(folder, good_issue(2, blocks=(block(
        "welcome", "", "Welcome to ****, and thank you for signing up. Here is how to look "
        "after your back."), *good_issue(2).blocks)))
    _status, findings = check(folder)
    [found] = [f for f in findings if f["code"] == "name"]
    assert found["severity"] == "warning" and "names no newsletter" in found["reason"]


def test_a_welcome_planned_without_a_name_greets_without_one() -> None:
    from newsletter.planning.compose import Cadence, welcome_text

    text = welcome_text("Here is how to look after your back.", "", True, (), Cadence(),
                        after=None)  # type: ignore[arg-type]
    assert text == "Welcome, and thank you for signing up. Here is how to look after your back."


def test_check_makes_no_database_where_there_is_none(tmp_path: Path) -> None:
    from newsletter.cli.check import ledger_findings
    from newsletter.config import load_config

    root = tmp_path / "letter"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    config = load_config(root / "newsletter.yaml", env={})
    assert ledger_findings(config) == []
    assert not list((root / "subscribers").glob("*.db"))
