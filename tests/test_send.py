"""`newsletter send`: what cron runs, one issue, proofs; exactly once, never to the wrong person."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from delivery_helpers import API_KEY, JUST_AFTER, add_subscribers, make_folder, send_reports

from newsletter.testing.sendgrid_server import SendGridTestServer


def test_due_send_reaches_every_active_subscriber_once_through_the_outbox(tmp_path: Path
                                                                           ) -> None:
    folder = make_folder(tmp_path, subscribers=5)
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 0, result.output
    [report] = send_reports(result)
    assert (report["number"], report["sent"], report["failed"]) == (1, 5, 0)
    emls = sorted((folder.root / "outbox").glob("*.eml"))
    assert len(emls) == 5
    mail = BytesParser(policy=policy.default).parse(emls[0].open("rb"))
    assert mail["List-Unsubscribe"].startswith("<http")
    # stats credit the issue it came from
    assert mail["List-Unsubscribe"].endswith(f"?i={folder.key(1)}>")
    assert "%%" not in mail.get_body(("plain",)).get_content()

    again = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert again.exit_code == 0
    assert send_reports(again)[0]["sent"] == 0
    assert send_reports(again)[0]["skipped"] == 5
    assert len(list((folder.root / "outbox").glob("*.eml"))) == 5


def test_nothing_is_due_before_its_time(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    result = folder.cli("send", "--due", "--now", "2026-12-01T13:59:00+00:00", "--json")
    assert result.exit_code == 0
    assert send_reports(result) == []
    assert not (folder.root / "outbox").exists() or not any((folder.root / "outbox").iterdir())


def test_sendgrid_send_suppresses_everyone_who_must_not_get_mail(tmp_path: Path, sendgrid
                                                                  ) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=2500, batch_size=1000)
    for n, status in enumerate(("unsubscribed", "bounced", "complained", "pending")):
        add_subscribers(folder, 3, status=status, start=10_000 + 10 * n)
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 0, result.output
    assert send_reports(result)[0]["sent"] == 2500
    got = sendgrid.deliveries()
    assert len(got) == 2500 and set(got.values()) == {1}
    assert not [e for e in got if int(e.split("@")[0][6:]) >= 10_000]
    assert sendgrid.stats()["requests"] <= 4  # batches of 1000, not one call per recipient


def test_a_refused_api_key_stops_the_send_and_a_rerun_delivers_everyone(tmp_path: Path,
                                                                       sendgrid) -> None:
    folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=sendgrid.url,
                         subscribers=300, batch_size=100, concurrency=2)
    sendgrid.inject("401")
    result = folder.run("send", "--due", "--now", JUST_AFTER)
    assert result.returncode == 1
    assert "SENDGRID_API_KEY" in result.stderr
    assert API_KEY not in result.stderr + result.stdout
    rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
    assert rerun.returncode == 0, rerun.stderr
    got = sendgrid.deliveries()
    assert len(got) == 300 and set(got.values()) == {1}


def test_nothing_is_sent_without_a_postal_address(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=3, postal_address="")
    result = folder.run("send", "--due", "--now", JUST_AFTER)
    assert result.returncode == 1
    assert "postal" in result.stdout + result.stderr
    assert not list((folder.root / "outbox").glob("*.eml"))


def test_dry_run_counts_recipients_and_sends_nothing(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=7)
    result = folder.cli("send", "--due", "--dry-run", "--now", JUST_AFTER, "--json")
    assert result.exit_code == 0
    assert send_reports(result)[0]["recipients"] == 7
    assert not list((folder.root / "outbox").glob("*.eml"))


def test_an_expired_issue_is_not_sent_late_without_force(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    late = "2026-12-04T14:30:00+00:00"  # issue 1 is 72.5 h old; issue 2 is due
    result = folder.cli("send", "--due", "--now", late, "--json")
    reports = {r["number"]: r for r in send_reports(result)}
    assert "expired" in reports[1]["note"] and reports[1]["sent"] == 0
    assert reports[2]["sent"] == 2
    forced = folder.cli("send", "--due", "--force", "--now", late, "--json")
    assert {r["number"]: r["sent"] for r in send_reports(forced)}[1] == 2


def test_a_proof_goes_to_one_address_and_is_not_a_delivery(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    result = folder.cli("send", "1", "--test", "me@example.com")
    assert result.exit_code == 0, result.output
    [eml] = (folder.root / "outbox").glob("*.eml")
    mail = BytesParser(policy=policy.default).parse(eml.open("rb"))
    assert mail["Subject"].startswith("[TEST] ")
    real = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    assert send_reports(real)[0]["sent"] == 2


def test_sending_one_issue_now_needs_confirmation(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    refused = folder.run("send", "2")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    result = folder.cli("send", "2", "--yes", "--json")
    assert send_reports(result)[0]["sent"] == 2


def test_send_without_the_secret_refuses_to_start(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=1)
    folder.env["NEWSLETTER_SECRET_KEY"] = ""
    result = folder.run("send", "--due", "--now", JUST_AFTER)
    assert result.returncode == 1
    assert "NEWSLETTER_SECRET_KEY" in result.stderr


def test_a_bad_issue_file_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    bad = next((folder.root / "issues").glob("003-*.yaml"))
    bad.write_text(bad.read_text().replace("status: scheduled", "status: maybe"))
    result = folder.cli("send", "--due", "--now", "2026-12-01T14:05:00+00:00", "--json")
    reports = send_reports(result)
    assert result.exit_code == 1
    assert any("status" in r["error"] and "003-" in r["error"] for r in reports)
    assert [r["sent"] for r in reports if r["number"] == 1] == [2]


def test_sending_one_issue_to_everyone_is_refused_in_sequence_mode(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, subscribers=2)
    folder.config.write_text(folder.config.read_text() + "\nmode: sequence\n")
    result = folder.run("send", "1", "--yes")
    assert result.returncode == 1
    assert "send --due" in result.stderr
    assert not list((folder.root / "outbox").glob("*.eml"))


def test_outside_a_newsletter_folder_commands_fail_loudly(tmp_path: Path) -> None:
    import subprocess
    import sys

    for args in (["send", "--due"], ["queue"], ["subscribers", "list"]):
        result = subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=tmp_path,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 1, args
        assert "no newsletter.yaml in" in result.stderr and "newsletter init" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing created by looking


def test_ctrl_c_stops_a_send_and_a_rerun_sends_the_rest_once(tmp_path: Path) -> None:
    import signal
    import time

    with SendGridTestServer(api_key=API_KEY, latency=0.3) as server:
        folder = make_folder(tmp_path, backend="sendgrid", sendgrid_url=server.url,
                             subscribers=2000, batch_size=100, concurrency=2)
        running = folder.start("send", "--due", "--now", JUST_AFTER)
        deadline = time.monotonic() + 30
        while len(server.deliveries()) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        running.send_signal(signal.SIGINT)
        _, stderr = running.communicate(timeout=30)
        assert running.returncode == 1
        assert "stopped by Ctrl-C" in stderr
        stopped_at = len(server.deliveries())
        assert stopped_at < 1000  # it stopped claiming at once, not after everyone
        rerun = folder.run("send", "--due", "--now", JUST_AFTER, "--json")
        assert rerun.returncode == 0, rerun.stderr
        got = server.deliveries()
        assert len(got) == 2000 and set(got.values()) == {1}


def test_a_rerun_reports_claims_it_left_to_another_run(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    folder = make_folder(tmp_path, subscribers=5)
    with folder.store() as store:  # a run that claimed two and is still sending (or died)
        store.claim_batch(folder.key(1), batch_id="other-run", limit=2, now=datetime.now(UTC))
    result = folder.cli("send", "--due", "--now", JUST_AFTER, "--json")
    [report] = send_reports(result)
    assert report["sent"] == 3
    assert "2 recipients are claimed by another run" in report["note"]
    assert len(list((folder.root / "outbox").glob("*.eml"))) == 3
