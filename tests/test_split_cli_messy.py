"""`newsletter split` on messy articles: unlisted citations in --explain, encoding warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.content.contentfile import load_content

ARTICLE = """A Guide to Window Boxes

Window boxes need more water than beds because the soil dries from every side. [1]

Check them every morning in summer, and water until it runs from the drainage holes. [6]

Sources:
[1] https://example.org/container-watering
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "newsletter.yaml").write_text("snippets:\n  min_words: 10\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_explain_shows_a_citation_with_no_reference_entry(folder: Path) -> None:
    (folder / "boxes.txt").write_text(ARTICLE, "utf-8")
    result = CliRunner().invoke(main, ["split", "boxes.txt", "--explain"])
    assert result.exit_code == 0, result.output
    assert "line 5: '[6]'  (citation [6] has no entry in the reference list)" in result.output
    content = load_content(folder / "content" / "a-guide-to-window-boxes.yaml")
    assert set(content.references) == {"1"}
    assert all("[6]" not in s.body and "6" not in s.sources for s in content.snippets)


def test_split_warns_when_it_reads_a_windows_1252_article(folder: Path) -> None:
    text = ARTICLE.replace("Window boxes", "Caf\xe9 window boxes \u2014 \u201cbig\u201d ones")
    (folder / "boxes.txt").write_bytes(text.encode("cp1252"))
    result = CliRunner().invoke(main, ["split", "boxes.txt"])
    assert result.exit_code == 0, result.output
    assert "Warning: boxes.txt: not UTF-8: read as Windows-1252" in result.output
    content = load_content(folder / "content" / "a-guide-to-window-boxes.yaml")
    assert "Caf\xe9 window boxes \u2014 \u201cbig\u201d ones" in content.snippets[0].body
