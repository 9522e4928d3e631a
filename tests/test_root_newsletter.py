"""The repository is a working newsletter: newsletter.yaml, content/ (with its banks),
issues/, templates/ and subscribers/ of the bundled example, so `queue`, `check` and
`preview` work from the root right after install, and its planned issues render."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from lxml import html as lxml_html

from newsletter.config import default_templates_dir, load_config
from newsletter.content.banks import BANK_FILES, load_banks
from newsletter.content.contentfile import load_content
from newsletter.planning.issuefile import load_queue
from newsletter.rendering.render import render

REPO = Path(__file__).resolve().parents[1]
LAYOUT = ("newsletter.yaml", "content", "issues", "templates", "subscribers")


def newsletter(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_queue_lists_the_example_issues_from_the_root() -> None:
    result = newsletter("queue", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 3 and all("error" not in row for row in rows)
    assert [row["number"] for row in rows] == list(range(1, len(rows) + 1))
    assert not list((REPO / "subscribers").glob("*.db"))  # looking created no database


def test_check_passes_at_the_root() -> None:
    result = newsletter("check", "--json")
    assert result.returncode == 0, result.stdout
    assert [f for f in json.loads(result.stdout) if f["severity"] == "error"] == []


def test_the_issues_come_from_the_content_and_the_banks_each_entry_once() -> None:
    [content_file] = [p for p in (REPO / "content").glob("*.yaml") if p.name not in BANK_FILES]
    content = load_content(content_file)
    snippets = {f"{content.article.slug}#{s.id}" for s in content.snippets}
    queue = load_queue(REPO / "issues")
    blocks = [b for item in queue.issues for b in item.issue.blocks]
    assert {o for b in blocks for o in b.origins if b.kind not in ("testimonial", "resource")
            } <= snippets
    banks = load_banks(REPO / "content")
    assert banks.testimonials and banks.resources
    assert not any(e.missing for e in (*banks.testimonials, *banks.resources))
    used = [b.origin for b in blocks if b.kind in ("testimonial", "resource")]
    assert len(used) == len(set(used)) == len(banks.testimonials) + len(banks.resources)
    assert (REPO / "templates").resolve() == default_templates_dir().resolve()


def test_every_issue_renders_and_a_copy_of_the_root_previews_and_imports(tmp_path: Path
                                                                        ) -> None:
    config = load_config(REPO / "newsletter.yaml", env={})
    for item in load_queue(config.issues_dir).issues:
        rendered = render(item.issue, config)
        assert "Plant Notes" in rendered.html and item.issue.subject in rendered.html
    copy = tmp_path / "root"
    copy.mkdir()
    for name in LAYOUT:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, copy / name)
    preview = newsletter("preview", "1", cwd=copy)
    assert preview.returncode == 0, preview.stderr
    page = lxml_html.fromstring((copy / "build" / "001.html").read_text()).text_content()
    assert "Welcome to Plant Notes, and thank you for signing up." in page
    imported = newsletter("subscribers", "import", "subscribers/sample.csv", "--json", cwd=copy)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == 4
