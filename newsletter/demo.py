"""`newsletter demo`: the whole pipeline on the bundled example, delivered to an outbox.

It reads like the product's script: make a folder, split the article, plan the issues,
add a few subscribers, send issue 1 to the outbox and build previews of every issue.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from .config import CONFIG_NAME, Config, load_config
from .content.contentfile import write_content
from .content.ingest import read_article
from .content.split import split
from .delivery.backends.outbox import OutboxBackend
from .delivery.broadcast import send_issue
from .delivery.run import SendContext, SendOptions, SendReport
from .models import Issue
from .planning.issuefile import load_queue
from .planning.plan import PlanReport, plan_folder
from .planning.schedule import Schedule, parse_at
from .rendering.links import Links
from .rendering.preview import build_issue
from .scaffold import init_folder
from .store import SubscriberInput, open_store

ARTICLE = "example-article.txt"
SETTINGS = {
    "name": "Plant Notes",
    "postal_address": '"Plant Notes, 42 Greenhouse Lane, Portland, OR 97201, USA"',
    "reason": "You are receiving this because you asked for houseplant care tips.",
    "timezone": "America/New_York",
    "products": "[SoilSense Meter]",
    "cta_url": "https://example.com/soilsense-meter",
}
SUBSCRIBERS = (
    ("ada@example.com", "Ada", "active"),
    ("grace@example.org", "Grace", "active"),
    ("linus@example.net", "", "active"),
    ("margaret@example.com", "Margaret <Maggie>", "active"),
    ("ken@example.org", "Ken", "unsubscribed"),  # never mailed: shows suppression
)


@dataclass(frozen=True)
class DemoResult:
    """Where everything the demo made lives, for the summary it prints."""

    folder: Path
    article: Path
    content: Path
    snippets: int
    products: tuple[str, ...]  # named in the demo's newsletter.yaml
    snippets_without_products: int  # what `newsletter split` makes where products is empty
    plan: PlanReport
    sent: SendReport
    outbox: list[Path]
    previews: list[Path]


def run_demo(folder: Path, *, now: datetime, secret: str | None = None) -> DemoResult:
    """Run the whole pipeline in ``folder`` (created; must not be a newsletter yet)."""
    init_folder(folder, settings=SETTINGS)
    config = load_config(folder / CONFIG_NAME, env={})
    article = _copy_article(folder)
    document = read_article(article)
    content = split(document, min_words=config.snippet_min_words,
                    max_words=config.snippet_max_words, products=config.products)
    plain = split(document, min_words=config.snippet_min_words,
                  max_words=config.snippet_max_words, products=())
    content_path = write_content(content, config.content_dir)
    report = plan_folder(content, _schedule(config, now), config, now=now)
    queue = load_queue(config.issues_dir)
    _add_subscribers(config, now)
    sent = _send_first(config, queue.issues[0].issue, now, secret or _new_secret(folder))
    previews = [build_issue(item.issue, config).html for item in queue.issues]
    return DemoResult(folder, article, content_path, len(content.snippets), config.products,
                      len(plain.snippets), report, sent, sorted(config.outbox.glob("*.eml")),
                      previews)


def _copy_article(folder: Path) -> Path:
    target = folder / ARTICLE
    with resources.as_file(resources.files("newsletter").joinpath("data", ARTICLE)) as source:
        shutil.copyfile(source, target)
    return target


def _schedule(config: Config, now: datetime) -> Schedule:
    tomorrow = (now.astimezone(config.tz) + timedelta(days=1)).date()
    return Schedule(every_days=config.cadence.every_days, weekdays=config.cadence.weekdays,
                    at=parse_at(config.cadence.at), tz=config.timezone, start=tomorrow)


def _add_subscribers(config: Config, now: datetime) -> None:
    rows = [SubscriberInput(email=email, name=name, status=status)
            for email, name, status in SUBSCRIBERS]
    with open_store(config.database_url) as store:
        store.upsert_subscribers(rows, source="demo", now=now)


def _send_first(config: Config, issue: Issue, now: datetime, secret: str) -> SendReport:
    with open_store(config.database_url) as store:
        ctx = SendContext(config=config, store=store, backend=OutboxBackend.from_config(config),
                          links=Links(config.base_url, secret), clock=lambda: now,
                          sleep=time.sleep)
        return send_issue(issue, ctx, SendOptions(now=now))


def _new_secret(folder: Path) -> str:
    """A signing key for this demo folder only, kept in its .env (git-ignored)."""
    secret = secrets.token_urlsafe(32)
    env = folder / ".env"
    env.write_text(f"NEWSLETTER_SECRET_KEY={secret}\n", "utf-8")
    env.chmod(0o600)
    return secret
