"""A real newsletter folder with planned issues and subscribers, for delivery tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from newsletter.cli import main
from newsletter.content.banks import BANK_FILES
from newsletter.planning.issuefile import load_issue
from newsletter.store import Store, SubscriberInput, open_store

SECRET = "test-secret-0123456789abcdef"
API_KEY = "SG.delivery-test-key.never-print-me"
START = "2026-12-01"
SEND_AT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 America/New_York
JUST_AFTER = "2026-12-01T14:05:00+00:00"


@dataclass
class Folder:
    """A newsletter folder set up for sending; ``env`` holds what a cron job would set."""

    root: Path
    env: dict[str, str]

    @property
    def config(self) -> Path:
        return self.root / "newsletter.yaml"

    @property
    def db_url(self) -> str:
        return (self.env.get("NEWSLETTER_DATABASE_URL")
                or f"sqlite:///{self.root / 'subscribers' / 'newsletter.db'}")

    def store(self) -> Store:
        return open_store(self.db_url)

    def key(self, number: int) -> str:
        """The ledger key of issue ``number`` (the id `plan` wrote into its file)."""
        [path] = (self.root / "issues").glob(f"{number:03d}-*.yaml")
        return load_issue(path).key

    def cli(self, *args: str) -> Result:
        """Run `newsletter --config ... ARGS` in process."""
        return CliRunner().invoke(main, ["--config", str(self.config), *args], env=self.env,
                                  catch_exceptions=False)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run `newsletter --config ... ARGS` as a real process, as cron would."""
        env = {**os.environ, **self.env}
        return subprocess.run([sys.executable, "-m", "newsletter", "--config", str(self.config),
                               *args], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start `newsletter --config ... ARGS` as a real process and return at once."""
        env = {**os.environ, **self.env}
        # a suite started in the background inherits SIGINT ignored: give Ctrl-C back
        return subprocess.Popen([sys.executable, "-m", "newsletter", "--config",
                                 str(self.config), *args], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def make_folder(tmp_path: Path, *, backend: str = "outbox", sendgrid_url: str = "",
                subscribers: int = 0, batch_size: int = 1000, concurrency: int = 4,
                postal_address: str = "12 Example Street, Springfield", database_url: str = "",
                extra_config: str = "", delivery: str = "") -> Folder:
    """Init a folder, split the bundled example, plan it from START and add subscribers.

    ``delivery``: more settings of the ``delivery`` mapping (``"rate_per_second: 50"``)."""
    root = tmp_path / "letter"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    config = root / "newsletter.yaml"
    settings = _settings(backend, batch_size, concurrency, postal_address, delivery)
    config.write_text(config.read_text() + settings + extra_config, "utf-8")
    env = {"NEWSLETTER_SECRET_KEY": SECRET, "SENDGRID_API_KEY": API_KEY,
           "SENDGRID_API_HOST": sendgrid_url, "no_proxy": "127.0.0.1,localhost",
           "NEWSLETTER_DATABASE_URL": database_url}
    folder = Folder(root, env)
    article = resources.files("newsletter").joinpath("data", "example-article.txt")
    result = folder.cli("split", str(article), "-o", str(root / "content"))
    assert result.exit_code == 0, result.output
    result = folder.cli("plan", str(next(p for p in (root / "content").glob("*.yaml")
                                                 if p.name not in BANK_FILES)), "--every", "3d",
                        "--at", "09:00", "--tz", "America/New_York", "--start", START,
                        "--now", "2026-11-20T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    if subscribers:
        add_subscribers(folder, subscribers)
    return folder


def _settings(backend: str, batch_size: int, concurrency: int, postal_address: str,
              delivery: str) -> str:
    # SendGrid sends need a public https base_url (the links in the emails).
    public = "base_url: https://news.example.com\n" if backend == "sendgrid" else ""
    return (f"\npostal_address: \"{postal_address}\"\nproducts: [SoilSense Meter]\n"
            "cta_url: https://example.com/soilsense\n"
            f"{public}delivery: {{backend: {backend}, batch_size: {batch_size}, "
            f"concurrency: {concurrency}{', ' + delivery if delivery else ''}}}\n")


def add_subscribers(folder: Folder, count: int, *, status: str = "active", start: int = 0
                    ) -> None:
    """Add ``count`` subscribers reader<i>@example.org with the given status."""
    with folder.store() as store:
        rows = [SubscriberInput(email=f"reader{i}@example.org", name=f"Reader {i}",
                                status=status) for i in range(start, start + count)]
        for at in range(0, len(rows), 5000):
            store.upsert_subscribers(rows[at:at + 5000], source="test",
                                     now=datetime(2026, 11, 1, tzinfo=UTC))


def send_reports(result: Result | subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The JSON printed by `newsletter send ... --json`, in process or as a subprocess."""
    return json.loads(result.stdout)  # errors go to stderr, one line each
