"""Each issue has its own ledger identity: a new series never inherits an old one's history.

Issue 11, case 4: the ledger was keyed by the issue number, so a second article planned
after the first one's files were removed started again at issue 1 and reached nobody.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml
from delivery_helpers import JUST_AFTER, make_folder, send_reports

from newsletter.testing.sendgrid_server import SendGridTestServer

NEXT_SERIES_START = "2027-03-01"
NEXT_SERIES_DUE = "2027-03-01T14:05:00+00:00"  # just after 09:00 in New York


def test_a_new_series_starting_again_at_issue_1_reaches_everyone(
        tmp_path: Path, sendgrid: SendGridTestServer, seed_article: Path) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=40, batch_size=15)
    first = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.returncode == 0, first.stderr
    old_key = folder.key(1)
    for path in (folder.root / "issues").glob("[0-9]*.yaml"):
        path.unlink()
    before = set((folder.root / "content").glob("*.yaml"))
    split = folder.run("split", str(seed_article), "-o", str(folder.root / "content"))
    assert split.returncode == 0, split.stderr
    [content] = set((folder.root / "content").glob("*.yaml")) - before
    planned = folder.run("plan", str(content), "--start", NEXT_SERIES_START, "--tz",
                         "America/New_York", "--now", JUST_AFTER)
    assert planned.returncode == 0, planned.stderr
    assert folder.key(1) != old_key

    second = folder.run("send", "--due", "--now", NEXT_SERIES_DUE, "--json")

    assert second.returncode == 0, second.stderr
    [report] = send_reports(second)
    assert (report["number"], report["sent"], report["skipped"]) == (1, 40, 0)
    per_issue = Counter((r.custom_args["issue"], r.email) for r in sendgrid.recipients)
    assert set(per_issue.values()) == {1}  # nobody got either issue twice
    assert Counter(issue for issue, _ in per_issue) == {old_key: 40, folder.key(1): 40}
    queue = json.loads(folder.run("queue", "--json").stdout)
    assert queue[0]["id"] == folder.key(1) and queue[0]["counts"]["sent"] == 40


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

    content = next((folder.root / "content").glob("*.yaml"))
    again = folder.run("plan", str(content), "--every", "2d", "--at", "09:00", "--tz",
                       "America/New_York", "--start", "2026-12-02",
                       "--now", "2026-11-20T13:00:00+00:00")

    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_text() for p in sorted(issues.glob("00[13]-*.yaml"))} == kept
    assert "kept: has 12 deliveries recorded" in again.stdout
    assert "kept: has 1 proofs recorded" in again.stdout
    origins = Counter(block["from"] for path in issues.glob("[0-9]*.yaml")
                      for block in yaml.safe_load(path.read_text())["snippets"])
    assert set(origins.values()) == {1}  # no snippet planned twice
    queue = json.loads(folder.run("queue", "--json").stdout)
    first = next(row for row in queue if row["number"] == 1)
    assert first["counts"]["sent"] == 12 and first["file"].endswith(next(iter(kept)))
