"""The broadcast delivery guarantees, by the same scenarios in both modes: exactly once,
suppression, a refused key, crash safety (stale claims -> uncertain), concurrent runs.
And the sequence commands: pause/resume, subscribers show, queue counts."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from delivery_helpers import JUST_AFTER, add_subscribers, send_reports
from pg import db_url  # noqa: F401  (fixture)
from sequence_helpers import MODES, make_mode_folder

import newsletter.cli.sequence  # noqa: F401  (registers pause/resume/subscribers show)
from newsletter.store import open_store
from newsletter.store import sequence as seqdb


def outbox_recipients(folder) -> Counter[tuple[str, str]]:
    got: Counter[tuple[str, str]] = Counter()
    for eml in (folder.root / "outbox").glob("*.eml"):
        mail = BytesParser(policy=policy.default).parse(eml.open("rb"))
        got[(mail["To"], mail["Subject"])] += 1
    return got


@pytest.mark.parametrize("mode", MODES)
def test_a_due_run_reaches_every_active_subscriber_once_and_a_rerun_nobody(
        tmp_path: Path, mode: str) -> None:
    folder = make_mode_folder(tmp_path, mode, subscribers=5)
    first = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert first.exit_code == 0, first.output
    assert [(r["number"], r["sent"]) for r in send_reports(first)] == [(1, 5)]
    again = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert again.exit_code == 0
    assert sum(r["sent"] for r in send_reports(again)) == 0
    got = outbox_recipients(folder)
    assert len(got) == 5 and set(got.values()) == {1}


@pytest.mark.parametrize("mode", MODES)
def test_suppressed_and_pending_subscribers_are_never_sent_to(tmp_path: Path, mode: str,
                                                              sendgrid) -> None:
    folder = make_mode_folder(tmp_path, mode, backend="sendgrid", sendgrid_url=sendgrid.url,
                              subscribers=1200, batch_size=500)
    for n, status in enumerate(("unsubscribed", "bounced", "complained", "pending")):
        add_subscribers(folder, 3, status=status, start=10_000 + 10 * n)
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 0, result.output
    got = sendgrid.deliveries()
    assert len(got) == 1200 and set(got.values()) == {1}
    assert not [e for e in got if int(e.split("@")[0][6:]) >= 10_000]


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_key_stops_the_run_and_the_rerun_delivers_everyone_once(
        tmp_path: Path, mode: str, sendgrid) -> None:
    folder = make_mode_folder(tmp_path, mode, backend="sendgrid", sendgrid_url=sendgrid.url,
                              subscribers=300, batch_size=100, concurrency=2)
    sendgrid.inject("401")
    refused = folder.run("send", "--due", "--now", JUST_AFTER)
    assert refused.returncode == 1 and "SENDGRID_API_KEY" in refused.stderr
    rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert rerun.returncode == 0, rerun.stderr
    got = sendgrid.deliveries()
    assert len(got) == 300 and set(got.values()) == {1}


def _dead_claim(folder, mode: str, count: int) -> None:
    """Claim ``count`` recipients of issue 1 as a process killed before recording would."""
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with folder.store() as store:
        if mode == "broadcast":
            store.claim_batch(folder.key(1), batch_id=uuid.uuid4().hex, limit=count, now=long_ago)
            return
        from newsletter.config import load_config
        from newsletter.planning.issuefile import load_queue
        from newsletter.planning.sequence import next_due, series, timing_from_config

        config = load_config(folder.config)
        steps, timing = series(load_queue(config.issues_dir)), timing_from_config(config)
        keys = {item.issue.number: item.issue.key for item in load_queue(config.issues_dir).issues}
        seqdb.claim_due(store.engine, lambda p: next_due(steps, p, timing),
                        batch_id=uuid.uuid4().hex, limit=count, keys=keys,
                        now=datetime.fromisoformat(JUST_AFTER), stamp=long_ago)


@pytest.mark.parametrize("mode", MODES)
def test_claims_of_a_dead_run_become_uncertain_and_are_not_sent_again(tmp_path: Path,
                                                                     mode: str) -> None:
    folder = make_mode_folder(tmp_path, mode, subscribers=10)
    _dead_claim(folder, mode, 3)
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 3  # finished with unknown outcomes: reported
    [report] = [r for r in send_reports(result) if r["number"] == 1]
    assert (report["sent"], report["uncertain"]) == (7, 3)
    assert len(outbox_recipients(folder)) == 7
    retry = folder.cli("send", "--due", "--retry-uncertain", "--now", JUST_AFTER, "--json")
    assert sum(r["sent"] for r in send_reports(retry)) == 3
    assert set(outbox_recipients(folder).values()) == {1}


@pytest.mark.parametrize("mode", MODES)
def test_four_cron_runs_at_once_send_each_recipient_once(tmp_path: Path, mode: str,
                                                          db_url: str) -> None:  # noqa: F811
    folder = make_mode_folder(tmp_path, mode, batch_size=50, concurrency=2)
    folder.env["NEWSLETTER_DATABASE_URL"] = db_url
    with open_store(db_url) as store:
        from newsletter.store import SubscriberInput

        store.upsert_subscribers([SubscriberInput(email=f"reader{i}@example.org")
                                  for i in range(400)], source="test",
                                 now=datetime(2026, 11, 1, tzinfo=UTC))
    env = {**__import__("os").environ, **folder.env}
    runs = [subprocess.Popen([sys.executable, "-m", "newsletter", "--config",
                              str(folder.config), "send", "--due", "--now", JUST_AFTER,
                              "--json"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outs]
    sent = sum(r["sent"] for out, _ in outs for r in json.loads(out))
    got = outbox_recipients(folder)
    assert sent == 400 and len(got) == 400 and set(got.values()) == {1}


def test_pause_resume_and_show_from_the_command_line(tmp_path: Path) -> None:
    folder = make_mode_folder(tmp_path, "sequence", subscribers=3)
    assert folder.cli("pause", "reader0@example.org").exit_code == 0
    shown = folder.cli("subscribers", "show", "reader0@example.org", "--json",
                       "--now", JUST_AFTER)
    assert json.loads(shown.output)["paused"] is True
    first = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert [(r["number"], r["sent"]) for r in send_reports(first)] == [(1, 2)]
    queue = folder.cli("queue", "--json")
    seq = {r["number"]: r["sequence"] for r in json.loads(queue.output)}
    assert seq[1]["received"] == 2 and seq[2]["waiting"] == 2
    assert folder.cli("resume", "reader0@example.org").exit_code == 0
    info = json.loads(folder.cli("subscribers", "show", "reader0@example.org", "--json",
                                 "--now", JUST_AFTER).output)
    assert info["next_issue"] == 1 and "due now" in info["next_due_at"]
    usage = folder.cli("pause")
    assert usage.exit_code == 2
    assert folder.cli("pause", "--all").exit_code == 0
    paused = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert sum(r["sent"] for r in send_reports(paused)) == 0
    assert "paused" in send_reports(paused)[0]["note"]


def test_pause_and_show_as_real_processes(tmp_path: Path) -> None:
    folder = make_mode_folder(tmp_path, "sequence", subscribers=1)
    # Until cli/__init__.py lists the module, register it the way the CLI will.
    boot = "import newsletter.cli.sequence; from newsletter.cli import main; main()"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", boot, "--config", str(folder.config),
                               *args], env={**__import__("os").environ, **folder.env},
                              capture_output=True, text=True, timeout=60, check=False)

    missing = run("subscribers", "show", "nobody@example.org")
    assert missing.returncode == 1 and "nobody@example.org" in missing.stderr
    assert run("pause", "reader0@example.org").returncode == 0
    shown = run("subscribers", "show", "reader0@example.org")
    assert shown.returncode == 0 and "True" in shown.stdout


def test_queue_in_sequence_mode_shows_days_and_a_paused_sequence(tmp_path: Path) -> None:
    folder = make_mode_folder(tmp_path, "sequence", subscribers=3)
    assert folder.cli("pause", "--all").exit_code == 0
    shown = folder.cli("queue").output
    assert "day 3" in shown and "PAUSED" in shown
    assert folder.cli("resume", "--all").exit_code == 0
    assert "PAUSED" not in folder.cli("queue").output
