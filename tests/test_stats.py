"""`newsletter stats`: per-issue figures from the ledger and the stored events."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from web_support import SECRET, Live, live_app, send_issue_now

from newsletter.cli import main, web  # noqa: F401  (registers serve and stats)
from newsletter.stats import issue_stats
from newsletter.store import SubscriberInput


def _events(live: Live, rows: list[tuple[str, str, str, dict[str, str]]]) -> None:
    ids = {s.email.split("@")[0]: s.id for s in live.store.list_subscribers(limit=100)}
    batch = [{"email": f"{who}@example.com", "event": kind, "issue": issue,
              "subscriber": str(ids[who]), "sg_event_id": f"e{n}",
              "timestamp": int(live.clock().timestamp())} | extra
             for n, (who, kind, issue, extra) in enumerate(rows)]
    assert live.post_events(batch).status == 200


def _scenario(live: Live) -> None:
    for who in ("ann", "bob", "cat", "dan", "eve"):
        live.store.add_subscriber(SubscriberInput(email=f"{who}@example.com"), source="test",
                                  now=live.clock())
    send_issue_now(live, 1, "One <b>bold</b> [red]tip[/red]")
    a, b = {"url": "https://example.com/a"}, {"url": "https://example.com/b"}
    _events(live, [("ann", "delivered", "1", {}), ("bob", "delivered", "1", {}),
                   ("cat", "delivered", "1", {}),
                   ("ann", "open", "1", {}), ("ann", "open", "1", {}), ("bob", "open", "1", {}),
                   ("ann", "click", "1", a), ("ann", "click", "1", a), ("bob", "click", "1", a),
                   ("bob", "click", "1", b), ("cat", "bounce", "1", {"type": "bounce"}),
                   ("dan", "bounce", "1", {"type": "blocked"}), ("eve", "spamreport", "1", {})])
    live.clock.advance(hours=1)
    bob = live.store.get_subscriber("bob@example.com")
    live.store.set_status(bob.id, "unsubscribed", source="one-click", now=live.clock())
    live.clock.advance(days=3)
    send_issue_now(live, 2, "Two")


def test_counts_are_unique_per_subscriber_and_per_issue(tmp_path: Path) -> None:
    with live_app(tmp_path / "letter") as live:
        _scenario(live)
        first, second = issue_stats(live.store)
    assert (first.sent, first.delivered, first.opened, first.clicked) == (5, 3, 2, 2)
    assert (first.bounced, first.complained, first.unsubscribed) == (1, 1, 1)
    assert [(link.url, link.clicks, link.unique) for link in first.top_links] == [
        ("https://example.com/a", 3, 2), ("https://example.com/b", 1, 1)]
    assert second.sent == 2  # ann and dan: bob left, cat bounced, eve complained
    assert (second.opened, second.unsubscribed) == (0, 0)


def test_stats_command_in_process_and_as_a_real_process(tmp_path: Path) -> None:
    with live_app(tmp_path / "letter") as live:
        _scenario(live)
        config = str(live.config.root / "newsletter.yaml")
        env = {"NEWSLETTER_SECRET_KEY": SECRET, "NEWSLETTER_DATABASE_URL":
               live.config.database_url}
        result = CliRunner().invoke(main, ["--config", config, "stats", "--json"], env=env)
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert [d["issue"] for d in data] == [1, 2] and data[0]["clicked"] == 2
        table = CliRunner().invoke(main, ["--config", config, "stats", "1"], env=env)
        assert "One <b>bold</b> [red]tip[/red]" in table.output  # shown as written
        assert "https://example.com/a" in table.output
        missing = CliRunner().invoke(main, ["--config", config, "stats", "9"], env=env)
        assert missing.exit_code == 1 and "issue 9 has not been sent" in missing.output
        process = subprocess.run([sys.executable, "-c", "from newsletter.cli import main, web; "
                                  "main()", "--config", config, "stats", "2", "--json"],
                                 env={"PATH": "/usr/bin:/bin", **env}, capture_output=True,
                                 text=True, timeout=60, check=False)
        assert process.returncode == 0, process.stderr
        assert json.loads(process.stdout)[0]["sent"] == 2


def test_an_unsubscribe_is_credited_to_the_issue_whose_link_was_clicked(tmp_path: Path) -> None:
    from newsletter.rendering.links import Links

    with live_app(tmp_path / "letter") as live:
        for who in ("ann", "bob", "cat"):
            live.store.add_subscriber(SubscriberInput(email=f"{who}@example.com"),
                                      source="test", now=live.clock())
        send_issue_now(live, 1, "One")
        live.clock.advance(days=3)
        send_issue_now(live, 2, "Two")
        live.clock.advance(hours=1)
        links = Links(live.url, SECRET)
        for who, issue in (("ann", "?i=1"), ("bob", "?i=2"), ("cat", "")):
            key = live.store.get_subscriber(f"{who}@example.com").key
            reply = live.request("POST", links.unsubscribe_url(key) + issue,
                                 b"List-Unsubscribe=One-Click",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
            assert reply.status == 200
        first, second = issue_stats(live.store)
    assert (first.unsubscribed, second.unsubscribed) == (1, 2)  # cat: the latest issue
