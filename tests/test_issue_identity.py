"""Each issue has its own ledger identity: a new series never inherits an old one's history.

Issue 11, case 4: the ledger was keyed by the issue number, so a second article planned
after the first one's files were removed started again at issue 1 and reached nobody.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import yaml
from delivery_helpers import JUST_AFTER, SECRET, Folder, make_folder, send_reports
from waitress.server import create_server
from web_support import stop_server

from newsletter.config import load_config
from newsletter.content.banks import BANK_FILES
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.rendering.personalize import placeholder
from newsletter.testing.sendgrid_server import SendGridTestServer
from newsletter.web import create_app

NEXT_SERIES_START = "2027-03-01"
NEXT_SERIES_DUE = "2027-03-01T14:05:00+00:00"  # just after 09:00 in New York


def test_a_new_series_starting_again_at_issue_1_reaches_everyone(
        tmp_path: Path, sendgrid: SendGridTestServer, seed_article: Path) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=40, batch_size=15)
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 0, first.stderr
    old_key = folder.key(1)
    _a_new_series_reaches_everyone(folder, sendgrid, seed_article, old_key, 40)


def test_a_folder_from_before_issue_ids_keeps_its_ledger_and_a_new_series_gets_ids(
        tmp_path: Path, sendgrid: SendGridTestServer, seed_article: Path) -> None:
    """Case 4's migration: issue files written before ids (no ``id:``) keep the key their
    ledger rows have, their number, so a resumed send skips who had the issue; a new
    series planned after those files are gone has ids of its own and reaches everyone."""
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=30, batch_size=10, concurrency=1)
    for path in (folder.root / "issues").glob("[0-9]*.yaml"):
        path.write_text(re.sub(r"(?m)^id: .*\n", "", path.read_text()))
    assert folder.key(1) == "1"
    sendgrid.inject("slow:0", "401")  # one batch goes, then the send stops part-way
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 1 and send_reports(first)[0]["sent"] == 10

    resumed = folder.run("send", "--due", "--now", JUST_AFTER, "--json")

    assert resumed.returncode == 0, resumed.stderr
    [report] = send_reports(resumed)
    assert (report["sent"], report["skipped"]) == (20, 10)
    got = sendgrid.deliveries()
    assert len(got) == 30 and set(got.values()) == {1}
    _a_new_series_reaches_everyone(folder, sendgrid, seed_article, "1", 30)


def _a_new_series_reaches_everyone(folder: Folder, sendgrid: SendGridTestServer,
                                   seed_article: Path, old_key: str, readers: int) -> None:
    """Remove the issue files, plan another article from issue 1 on, send its issue 1:
    every reader gets it once, and nobody got the old issue 1 twice."""
    for path in (folder.root / "issues").glob("[0-9]*.yaml"):
        path.unlink()
    before = {p for p in (folder.root / "content").glob("*.yaml") if p.name not in BANK_FILES}
    split = folder.run("split", str(seed_article), "-o", str(folder.root / "content"))
    assert split.returncode == 0, split.stderr
    [content] = {p for p in (folder.root / "content").glob("*.yaml")
                 if p.name not in BANK_FILES} - before
    planned = folder.run("plan", str(content), "--start", NEXT_SERIES_START, "--tz",
                         "America/New_York", "--now", JUST_AFTER)
    assert planned.returncode == 0, planned.stderr
    assert folder.key(1) != old_key

    second = folder.run("send", "--due", "--now", NEXT_SERIES_DUE, "--json")

    assert second.returncode == 0, second.stderr
    [report] = send_reports(second)
    assert (report["number"], report["sent"], report["skipped"]) == (1, readers, 0)
    per_issue = Counter((r.custom_args["issue"], r.email) for r in sendgrid.recipients)
    assert set(per_issue.values()) == {1}  # nobody got either issue twice
    assert Counter(issue for issue, _ in per_issue) == {old_key: readers,
                                                        folder.key(1): readers}
    queue = json.loads(folder.run("queue", "--json").stdout)
    assert queue[0]["id"] == folder.key(1) and queue[0]["counts"]["sent"] == readers


def test_plan_keeps_issues_already_sent_or_proofed_and_says_so(tmp_path: Path,
                                                               sendgrid: SendGridTestServer
                                                               ) -> None:
    """Case 5: issue 1 sent early with `send 1` and a proof of issue 3, both before their
    send time; re-planning on another cadence keeps both files byte for byte."""
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=12)
    issues = folder.root / "issues"
    early = folder.run("send", "1", "--yes", "--json", "--now", "2026-11-20T12:00:00+00:00")
    assert early.returncode == 0, early.stderr
    proof = folder.run("send", "3", "--test", "editor@example.org")
    assert proof.returncode == 0, proof.stderr
    kept = {p.name: p.read_text() for p in sorted(issues.glob("00[13]-*.yaml"))}

    content = next(p for p in (folder.root / "content").glob("*.yaml")
                   if p.name not in BANK_FILES)
    again = folder.run("plan", str(content), "--every", "2d", "--at", "09:00", "--tz",
                       "America/New_York", "--start", "2026-12-02",
                       "--now", "2026-11-20T13:00:00+00:00")

    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_text() for p in sorted(issues.glob("00[13]-*.yaml"))} == kept
    assert "kept: has 12 deliveries recorded" in again.stdout
    assert "kept: has 1 proof recorded" in again.stdout
    origins = Counter(block["from"] for path in issues.glob("[0-9]*.yaml")
                      for block in yaml.safe_load(path.read_text())["snippets"])
    assert set(origins.values()) == {1}  # no snippet planned twice
    queue = json.loads(folder.run("queue", "--json").stdout)
    first = next(row for row in queue if row["number"] == 1)
    assert first["counts"]["sent"] == 12 and first["file"].endswith(next(iter(kept)))


def test_the_first_send_fixes_the_rendering_until_a_new_version_is_asked_for(
        tmp_path: Path, sendgrid: SendGridTestServer) -> None:
    """Case 6: an edit after sending began reached some readers and not others (a resumed
    send, or two hosts' checkouts), while the archive showed the first rendering."""
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=30, batch_size=10, concurrency=1)
    sendgrid.inject("slow:0", "401")  # one batch goes, then the send stops part-way
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 1 and send_reports(first)[0]["sent"] == 10
    issue_file = next((folder.root / "issues").glob("001-*.yaml"))
    original = issue_file.read_text()
    line = yaml.safe_load(original)["snippets"][0]["body"].split("\n")[0]
    issue_file.write_text(original.replace(line, line + " EDITED", 1))

    stopped = folder.run("send", "--due", "--now", JUST_AFTER, "--json")

    assert stopped.returncode == 1
    [report] = send_reports(stopped)
    assert report["sent"] == 0 and "issue 1 (" in report["error"]
    assert "was changed after its sending began" in report["error"]
    assert "10 recipients have version 1" in report["error"]
    assert "--new-version 1" in report["error"]
    assert "issue 1: issue 1" not in stopped.stderr  # the line names the issue once
    assert sendgrid.stats()["recipients"] == 10

    resumed = folder.run("send", "--due", "--now", JUST_AFTER, "--json", "--new-version", "1")

    assert resumed.returncode == 0, resumed.stderr
    assert send_reports(resumed)[0]["sent"] == 20
    edited = ["EDITED" in json.dumps(body["content"]) for body in sendgrid.bodies]
    assert edited == [False, True, True]
    got = sendgrid.deliveries()
    assert len(got) == 30 and set(got.values()) == {1}
    stats = json.loads(folder.run("stats", "1", "--json").stdout)
    assert stats[0]["versions"] == {"1": 10, "2": 20}
    _archive_shows_each_reader_their_version(folder, sendgrid)

    issue_file.write_text(original)  # a host whose checkout still has the first version
    other_host = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert other_host.returncode == 1
    assert "was changed after its sending began" in send_reports(other_host)[0]["error"]


def _archive_shows_each_reader_their_version(folder: Folder,
                                             sendgrid: SendGridTestServer) -> None:
    """The view link of a reader of each version shows that version; the public page the
    latest."""
    views = {}
    for body in sendgrid.bodies:
        version = 2 if "EDITED" in json.dumps(body["content"]) else 1
        url = body["personalizations"][0]["substitutions"][placeholder("view_url", "text")]
        views[version] = "/archive/" + url.split("/archive/", 1)[1]
    config = load_config(folder.config, env=folder.env)
    with folder.store() as store:
        app = create_app(config, store, secret=SECRET, webhook_public_key="",
                         backend=OutboxBackend(config.outbox), clock=lambda: datetime.now(UTC))
        server = create_server(app, host="127.0.0.1", port=0, threads=2)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

            def page(path: str) -> str:
                with direct.open(base + path, timeout=30) as answer:
                    return answer.read().decode()

            assert "EDITED" not in page(views[1])
            assert "EDITED" in page(views[2])
            assert "EDITED" in page(views[1].split("?")[0])
        finally:
            stop_server(server, thread)


def test_an_issue_keeps_the_digest_its_sending_began_with_though_sources_have_text() -> None:
    """The ledger compares the digest stored at the first send: a source's ``text`` field,
    added later, must not make an unchanged issue read as changed (its send would stop)."""
    from newsletter.delivery.renderings import content_digest
    from newsletter.models import Issue, IssueBlock, Source

    block = IssueBlock("tip", "Clay", "It holds water[^1].", (Source("1", "https://e.org/x"),),
                       "soil#clay")
    issue = Issue(number=1, subject="Soil", preheader="Sand and clay", status="scheduled",
                  blocks=(block,))
    # the digest of this issue before sources had a text field (stored in ledgers already)
    assert content_digest(issue) == (
        "835263e8d2264454758216d1e60c13d7714b535a8b71dcf9fc543de4bbe09ae2")
    cited = Source("1", "https://e.org/x", text="Clay soils – Soil Post https://e.org/x")
    changed = Issue(number=1, subject="Soil", preheader="Sand and clay", status="scheduled",
                    blocks=(replace(block, sources=(cited,)),))
    assert content_digest(changed) != content_digest(issue)


def test_check_reports_an_issue_edited_after_its_sending_began(tmp_path: Path) -> None:
    """`check` said "0 errors" for an issue that `send` then refused."""
    folder = make_folder(tmp_path, subscribers=3)
    sent = folder.run("send", "--due", "--now", JUST_AFTER)
    assert sent.returncode == 0, sent.stderr
    assert folder.cli("check", "1").exit_code == 0
    issue_file = next((folder.root / "issues").glob("001-*.yaml"))
    text = issue_file.read_text()
    line = yaml.safe_load(text)["snippets"][0]["body"].split("\n")[0]
    issue_file.write_text(text.replace(line, line + " EDITED", 1))
    checked = folder.cli("check", "1")
    assert checked.exit_code == 1
    assert "changed after its sending began" in checked.output
    assert "--new-version 1" in checked.output and "`send` refuses issue 1" in checked.output
