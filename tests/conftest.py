"""Shared fixtures: the reference material in ../shared and a fresh newsletter folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.testing.sendgrid_server import SendGridTestServer

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_file(relative: str) -> Path:
    """A file of ../shared; skipped when that folder is absent, never in CI."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("NEWSLETTER_REQUIRE_SHARED") or os.environ.get("CI"):
            raise AssertionError(f"{path} is required in CI")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def sendgrid() -> Iterator[SendGridTestServer]:
    """A SendGrid-compatible server on 127.0.0.1 that accepts the delivery tests' key."""
    from delivery_helpers import API_KEY

    with SendGridTestServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def seed_article() -> Path:
    """The scraped sample article (../shared/seeds/ql-dry-needling.txt)."""
    return shared_file("seeds/ql-dry-needling.txt")


@pytest.fixture
def markdown_article() -> Path:
    """A Markdown blog post with YAML front matter."""
    return shared_file("articles/04-knee-injury-pt-exercises.md")


@pytest.fixture
def html_article() -> Path:
    """A whole saved HTML page with navigation, scripts and footers."""
    return shared_file("articles/07-content-depth-topicseed.html")


def content_files(folder: Path) -> list[Path]:
    """The content files of a content folder (its banks of testimonials and resources are
    not content files)."""
    from newsletter.content.banks import BANK_FILES

    return sorted(p for p in folder.glob("*.yaml") if p.name not in BANK_FILES)
