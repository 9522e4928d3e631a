"""The studio end to end in a real browser (Debian's chromium driven by Playwright): sign in,
see the queue, edit an issue (subject, block order) and find the file changed exactly so,
reschedule it, send a test, cancel another and see `newsletter queue --json` agree, upload
an article and plan it, read results after webhook events; every page screenshotted at
1280 and 390 px and checked with axe-core (from the axe-playwright-python package).

One browser and one server for the whole module (browser tests are slow).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from studio_support import EMAIL, PASSWORD, add_account, plan_sample
from test_browser_e2e import ARGS, CHROMIUM, _png_variety, _require_browser
from web_support import SECRET, Live, live_app

from newsletter.cli import main
from newsletter.delivery.backends.outbox import OutboxBackend
from newsletter.delivery.broadcast import send_issue
from newsletter.delivery.run import SendContext, SendOptions
from newsletter.models import CallToAction
from newsletter.planning.issuefile import load_issue, load_queue
from newsletter.rendering.links import Links
from newsletter.store import SubscriberInput

ARTICLE = Path(__file__).parent / "data" / "split" / "balcony-compost.md"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, Any, Path]]:
    """A live studio with a planned queue and an account, and one browser for the module."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("studio")
    with live_app(folder / "letter") as live, sync_playwright() as pw:
        plan_sample(live, (live.clock() + timedelta(days=7)).date())
        add_account(live)
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{live.url}/studio/")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("h1:has-text('Queue')")
            shots = folder / "shots"
            shots.mkdir()
            yield live, page, shots
        finally:
            browser.close()


def check_page(page: Any, shots: Path, name: str) -> None:
    """At 1280 and 390 px: one visible h1, a screenshot with content, no axe violation."""
    from axe_playwright_python.sync_playwright import Axe

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = shots / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert page.locator("h1").count() == 1 and page.locator("h1").is_visible()
        assert _png_variety(path.read_bytes()) > 20, f"{name} at {width} px looks blank"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width} px"
        results = Axe().run(page)
        assert results.violations_count == 0, f"{name} at {width} px: " + \
            results.generate_report()
    page.set_viewport_size({"width": 1280, "height": 900})


def test_sign_in_page_passes_the_checks(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    other = page.context.browser.new_page()
    try:
        other.goto(f"{live.url}/studio/queue")
        assert "/studio/sign-in" in other.url
        check_page(other, shots, "sign-in")
    finally:
        other.close()


def test_queue_lists_issues_and_calendar(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    page.goto(f"{live.url}/studio/queue")
    issues = load_queue(live.config.issues_dir).issues
    assert len(issues) >= 3
    for item in issues:
        page.get_by_role("link", name=item.issue.subject).first.wait_for()
    assert page.locator(".calendar .item").count() == len(issues)
    check_page(page, shots, "queue")


def test_edit_subject_and_block_order_then_save(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    item = next(i for i in load_queue(live.config.issues_dir).issues if len(i.issue.blocks) >= 2)
    before = item.issue
    page.goto(f"{live.url}/studio/issues/{before.number}")
    check_page(page, shots, "editor")
    page.get_by_label("Subject").fill("Bake the loaf of your life")
    assert "26 / 60" in page.locator("[data-count-for=subject]").inner_text()
    page.get_by_role("button", name="Move down").first.click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Saved")
    after = load_issue(item.path)
    blocks = list(before.blocks)
    blocks[0], blocks[1] = blocks[1], blocks[0]
    assert after == replace(before, subject="Bake the loaf of your life", blocks=tuple(blocks))
    frame = page.frame_locator("#preview-frame")
    frame.get_by_text(before.blocks[0].title).first.wait_for(timeout=10_000)
    page.get_by_role("button", name="Phone").click()
    assert page.locator("#preview-frame").bounding_box()["width"] <= 391


def test_call_to_action_button_and_what_comes_next_are_edited_and_saved(
        studio: tuple[Live, Any, Path]) -> None:
    live, page, _ = studio
    item = load_queue(live.config.issues_dir).issues[2]
    page.goto(f"{live.url}/studio/issues/{item.issue.number}")
    page.get_by_label("Call to action title").fill("Bake with us")
    page.get_by_label("Call to action text (Markdown; empty: none)").fill(
        "Our Saturday class shows the whole bake, start to finish.")
    page.get_by_label("Button label").fill("Book a class")
    page.get_by_label("Button link").fill("https://example.org/classes")
    page.get_by_label("What comes next (Markdown, closes the email; empty: none)").fill(
        "**Next week:** the crumb, explained")
    frame = page.frame_locator("#preview-frame")
    frame.get_by_role("link", name="Book a class").wait_for(timeout=10_000)  # live preview
    frame.get_by_text("the crumb, explained").wait_for(timeout=10_000)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Saved")
    after = load_issue(item.path)
    assert after == replace(item.issue, next="**Next week:** the crumb, explained",
                            cta=CallToAction(title="Bake with us", body="Our Saturday class "
                                             "shows the whole bake, start to finish.",
                                             url="https://example.org/classes",
                                             button="Book a class"))
    assert page.get_by_label("Button label").input_value() == "Book a class"


def test_live_preview_shows_unsaved_text_in_a_sandboxed_frame(
        studio: tuple[Live, Any, Path]) -> None:
    live, page, _ = studio
    item = load_queue(live.config.issues_dir).issues[0]
    page.goto(f"{live.url}/studio/issues/{item.issue.number}")
    assert page.locator("#preview-frame").get_attribute("sandbox") == ""
    page.locator("#body-0").fill("A sentence typed just now, not saved yet.")
    frame = page.frame_locator("#preview-frame")
    frame.get_by_text("A sentence typed just now").wait_for(timeout=10_000)
    assert load_issue(item.path) == item.issue  # previewing saved nothing


def test_reschedule_and_send_a_test(studio: tuple[Live, Any, Path]) -> None:
    live, page, _ = studio
    item = load_queue(live.config.issues_dir).issues[0]
    page.goto(f"{live.url}/studio/issues/{item.issue.number}")
    when = (item.issue.send_at + timedelta(days=1)).replace(hour=7, minute=30)
    page.get_by_label("Send at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Reschedule").click()
    page.wait_for_selector("text=now goes out")
    assert load_issue(item.path).send_at == when
    page.get_by_label("Test address").fill("proof@example.com")
    page.get_by_role("button", name="Send test").click()
    page.wait_for_selector("text=Test of issue")
    [proof] = live.outbox()
    assert proof["To"] == "proof@example.com" and "[TEST]" in proof["Subject"]


def test_cancel_another_issue_and_the_cli_agrees(studio: tuple[Live, Any, Path]) -> None:
    live, page, _ = studio
    item = load_queue(live.config.issues_dir).issues[-1]
    number = item.issue.number
    page.goto(f"{live.url}/studio/issues/{number}")
    page.get_by_role("button", name="Cancel issue").click()
    page.wait_for_selector("text=is cancelled")
    rows = _queue_json(live)
    assert next(r for r in rows if r["number"] == number)["status"] == "cancelled"
    page.get_by_role("button", name="Restore issue").click()
    page.wait_for_selector("text=back in the queue")
    assert next(r for r in _queue_json(live) if r["number"] == number)["status"] == "scheduled"


def _queue_json(live: Live) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["--config", str(live.config.root / "newsletter.yaml"),
                                       "queue", "--json"], env={"NEWSLETTER_DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_upload_an_article_and_plan_it(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    page.goto(f"{live.url}/studio/articles")
    check_page(page, shots, "articles")
    page.get_by_label("Article file").set_input_files(str(ARTICLE))
    page.get_by_role("button", name="Upload and split").click()
    page.wait_for_selector("h2:has-text('Snippets')")
    check_page(page, shots, "article")
    before = len(load_queue(live.config.issues_dir).issues)
    page.get_by_label("Start").fill((live.clock() + timedelta(days=60)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Plan", exact=True).click()
    page.wait_for_selector("text=wrote")
    after = load_queue(live.config.issues_dir).issues
    assert len(after) > before
    assert any(b.origin.startswith("composting-on-a-balcony#") for i in after
               for b in i.issue.blocks)


def test_subscribers_pages(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    for n in range(3):
        live.store.add_subscriber(SubscriberInput(email=f"reader{n}@example.com",
                                                  name=f"Reader {n}"), source="test",
                                  now=live.clock())
    page.goto(f"{live.url}/studio/subscribers")
    page.get_by_label("Search").fill("reader1")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="reader1@example.com").click()
    page.wait_for_selector("h2:has-text('Status history')")
    check_page(page, shots, "subscriber")
    page.goto(f"{live.url}/studio/subscribers")
    check_page(page, shots, "subscribers")


def test_results_after_webhook_events(studio: tuple[Live, Any, Path]) -> None:
    live, page, shots = studio
    for n in range(3):
        live.store.add_subscriber(SubscriberInput(email=f"reader{n}@example.com"),
                                  source="test", now=live.clock())
    issue = load_queue(live.config.issues_dir).issues[1].issue
    ctx = SendContext(config=live.config, store=live.store,
                      backend=OutboxBackend(live.config.outbox), links=Links(live.url, SECRET),
                      clock=live.clock, sleep=time.sleep)
    assert send_issue(issue, ctx, SendOptions(now=live.clock(), force=True)).sent == 3
    people = {s.email: s.id for s in live.store.list_subscribers()}
    events = [{"email": email, "event": kind, "issue": issue.key,
               "subscriber": str(sid), "sg_event_id": f"{kind}-{sid}",
               "timestamp": int(live.clock().timestamp()), "url": "https://example.org/bread"}
              for email, sid in people.items() for kind in ("delivered", "open")]
    events.append(events[1] | {"event": "click", "sg_event_id": "click-1"})
    assert live.post_events(events).status == 200
    page.goto(f"{live.url}/studio/results")
    check_page(page, shots, "results")
    page.get_by_role("link", name=issue.subject).click()
    page.wait_for_selector("h2:has-text('Links')")
    facts = page.locator("dl.facts").inner_text()
    assert "Sent\n3" in facts and "Opened\n3" in facts and "Clicked\n1" in facts
    page.get_by_role("cell", name="https://example.org/bread").wait_for()
    check_page(page, shots, "result")
    page.goto(f"{live.url}/studio/issues/{issue.number}")
    page.wait_for_selector("text=it is read-only")
    assert page.get_by_role("button", name="Save").count() == 0
    check_page(page, shots, "sent-issue")
