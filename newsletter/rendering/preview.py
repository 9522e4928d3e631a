"""Previews: an issue rendered and personalised for a sample reader (build/ files, the studio)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..models import Issue, Recipient
from .check import Finding, check_issue
from .personalize import personalize
from .render import render


@dataclass(frozen=True)
class Preview:
    """An issue as the sample reader would get it, and what `newsletter check` finds in it."""

    html: str
    text: str
    findings: tuple[Finding, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """The findings as one line each, a blocking one marked "blocks sending"."""
        return tuple(_warning(f) for f in self.findings)


@dataclass(frozen=True)
class Built:
    """The files written for one issue, and what `newsletter check` finds in it."""

    number: int
    html: Path
    text: Path
    findings: tuple[Finding, ...]


def sample_recipient(config: Config, number: int) -> Recipient:
    """The made-up reader a preview is personalised for: one whose name is not known, so
    the greeting is the one such readers get from a real send (``greeting.fallback``)."""
    return Recipient(email="reader@example.com", name="", fields=preview_links(config, number))


def preview_links(config: Config, number: int) -> dict[str, str]:
    """The links of a preview, to pages `newsletter serve` answers before the issue is
    sent (the archive has it only once it is): "view in browser" opens the issue's preview
    in the studio, the unsubscribe link the page that says how to unsubscribe."""
    return {"unsubscribe_url": f"{config.base_url}/unsubscribe",
            "view_url": f"{config.base_url}/studio/issues/{number}/preview"}


def preview_of(issue: Issue, config: Config) -> Preview:
    """Render ``issue`` (the renderer of sending) and personalise it for the sample reader."""
    rendered = render(issue, config)
    html, text = personalize(rendered, sample_recipient(config, issue.number))
    return Preview(html, text, tuple(check_issue(issue, config, rendered)))


def build_issue(issue: Issue, config: Config) -> Built:
    """Render ``issue``, personalise it for the sample reader, write build/NNN.html and .txt."""
    preview = preview_of(issue, config)
    config.build_dir.mkdir(parents=True, exist_ok=True)
    stem = config.build_dir / f"{issue.number:03d}"
    html_path, text_path = stem.with_suffix(".html"), stem.with_suffix(".txt")
    html_path.write_text(preview.html, "utf-8")
    text_path.write_text(preview.text, "utf-8")
    return Built(issue.number, html_path, text_path, preview.findings)


def _warning(finding: Finding) -> str:
    where = [finding.block] if finding.block else []
    where += ["blocks sending"] if finding.severity == "error" else []
    return finding.reason + (f" [{'; '.join(where)}]" if where else "")
