"""The studio shows and sets an issue's time in the zone `plan` planned it in (--tz), not
in newsletter.yaml's, as `newsletter queue` does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from studio_support import SOURDOUGH, add_account, signed_in
from web_support import Live, live_app

from newsletter.content.contentfile import load_content
from newsletter.planning.issuefile import load_issue, load_queue
from newsletter.planning.plan import plan_into
from newsletter.planning.schedule import Schedule

ZONE = "America/Los_Angeles"


@pytest.fixture
def live(tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    with live_app(tmp_path / "letter") as live:
        assert live.config.timezone != ZONE
        start = (live.clock() + timedelta(days=7)).date()
        plan_into(load_content(SOURDOUGH), Schedule(every_days=3, start=start, tz=ZONE,
                                                    at=time(22, 30)),
                  live.config.issues_dir, now=live.clock(), min_words=60, max_words=150)
        add_account(live)
        yield live


def test_queue_and_editor_show_and_reschedule_in_the_planned_zone(live: Live) -> None:
    client = signed_in(live)
    queue = client.get("/studio/queue").text
    assert f"Send ({ZONE})" in queue and "22:30" in queue
    item = load_queue(live.config.issues_dir).issues[0]
    page = client.get(f"/studio/issues/{item.issue.number}").text
    assert f"{ZONE} time" in page
    assert re.search(r'name="send_at" type="datetime-local" value="[0-9-]+T22:30"', page)
    version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    local = item.issue.send_at.astimezone(ZoneInfo(ZONE))  # type: ignore[union-attr]
    wanted = (local + timedelta(days=1)).replace(hour=21, minute=0)
    reply = client.post(f"/studio/issues/{item.issue.number}/reschedule", {
        "csrf_token": client.token("/studio/queue"), "version": version,
        "send_at": wanted.strftime("%Y-%m-%dT%H:%M")})
    assert reply.status in (200, 303)
    assert load_issue(item.path).send_at == wanted


def test_planning_a_second_content_file_in_the_studio_puts_it_after_the_queue(
        live: Live) -> None:
    text = SOURDOUGH.read_text("utf-8").replace("sourdough-at-home", "rye-at-home")
    live.config.content_dir.mkdir(parents=True, exist_ok=True)
    (live.config.content_dir / "rye.yaml").write_text(text, "utf-8")
    before = load_queue(live.config.issues_dir).issues
    client = signed_in(live)
    reply = client.post("/studio/queue/plan", {"csrf_token": client.token("/studio/queue"),
                                               "content": "rye.yaml", "start": ""})
    assert reply.status == 303
    page = client.get("/studio/queue").text
    assert f"The series follows issue {before[-1].issue.number}" in page
    queue = load_queue(live.config.issues_dir).issues
    assert [i.issue.number for i in queue] == list(range(1, len(queue) + 1))
    assert len(queue) > len(before)
