"""The Markdown reader on a post with a captioned picture, a nested list and a table."""

from __future__ import annotations

from pathlib import Path

from newsletter.content.ingest import read_article, read_markdown_article
from newsletter.content.split import split

POST = Path(__file__).parent / "data" / "ingest" / "post-with-table.md"


def test_an_emphasised_caption_under_a_picture_is_dropped_as_a_caption() -> None:
    document = read_article(POST)
    reasons = {d.line: d.reason for d in document.dropped}
    assert reasons[7].startswith("image_caption")
    assert all("healthy starter" not in s.body for s in split(document).snippets)


def test_a_caption_in_its_own_paragraph_after_a_picture_is_dropped_but_emphasis_elsewhere_stays(
) -> None:
    text = ("# Title\n\n![Alt](/a.png)\n\n*The finished bed in June.*\n\n"
            "*Always wear gloves when you handle compost.*\n")
    document = read_markdown_article(text)
    assert [d.line for d in document.dropped if d.reason.startswith("image_caption")] == [5]
    assert any("gloves" in b.text for b in document.blocks)


def test_nested_list_items_stay_nested_in_the_body() -> None:
    content = split(read_article(POST))
    body = next(s.body for s in content.snippets if "Whole wheat" in s.body)
    assert ("- Whole wheat or rye flour for the first days\n"
            "  - Rye ferments faster because it carries more wild yeast\n"
            "- All-purpose") in body


def test_a_nested_item_under_a_numbered_item_is_indented_past_the_number() -> None:
    text = "# Title\n\nDo this:\n\n1. First step here\n   - a detail of it\n2. Second step\n"
    body = split(read_markdown_article(text), min_words=1).snippets[0].body
    assert "1. First step here\n   - a detail of it\n2. Second step" in body


def test_a_markdown_table_stays_a_pipe_table() -> None:
    content = split(read_article(POST))
    body = next(s.body for s in content.snippets if "| Day |" in s.body)
    assert "| Day | Flour | Water |\n|-----|-------|-------|" in body


def test_a_table_without_outer_pipes_in_markdown_without_blank_lines_stays_a_table() -> None:
    prose = ("Layer the noodles, the sauce and the cheese in that order, and let the dish rest "
             "for fifteen minutes before you cut it, so the slices hold their shape.")
    text = "\n".join(["# World's Best Lasagna", *[prose] * 6, "## Nutrition Facts (per serving)",
                      "448 | Calories", "---|---", "21g | Fat", "37g | Carbs", "30g | Protein",
                      "## Storage", *[prose] * 5])
    document = read_markdown_article(text, "lasagna.txt", scraped=True)
    tables = [b for b in document.blocks if b.rule == "table"]
    assert [t.text.split("\n")[:3] for t in tables] == [["448 | Calories", "---|---", "21g | Fat"]]
    assert not any("Calories" in d.text for d in document.dropped)


def test_a_heading_over_a_table_never_runs_into_its_header_row() -> None:
    prose = "Bake the dish for fifty minutes, then let it rest before you cut it."
    text = "\n\n".join(["# Lasagna", "## Bake", prose * 8, "## Nutrition Facts",
                        "| Calories | 448 |\n|---|---|\n| Fat | 21g |", "## Notes", prose])
    bodies = [s.body for s in split(read_markdown_article(text, "lasagna.md")).snippets]
    table = next(b for b in bodies if "| Calories |" in b)
    assert "| Calories | 448 |\n|---|---|" in table and "** | Calories" not in table
    assert any(line.startswith("| Calories |") for line in table.split("\n"))
