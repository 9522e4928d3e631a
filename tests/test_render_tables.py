"""Tables in a snippet body: a bordered table in the HTML part, aligned columns in the text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lxml import html as lxml_html
from test_render import example_issue, make_config

from newsletter.models import IssueBlock
from newsletter.rendering.render import render, text_table

TABLE = ("Feed the starter on this schedule:\n\n"
         "| Day | Flour | Water |\n|-----|-------|-------|\n"
         "| 1 | 50 g | 50 g |\n| 2-7 | 50 g | **50 g** |")


def issue_with_table():
    block = IssueBlock("tip", "A feeding table", TABLE)
    return dataclasses.replace(example_issue(), blocks=(block,), cta=None)


def test_a_pipe_table_renders_as_an_inlined_bordered_full_width_table(tmp_path: Path) -> None:
    rendered = render(issue_with_table(), make_config(tmp_path / "letter"))
    assert "| Day |" not in rendered.html and "|-----|" not in rendered.html
    table = lxml_html.fromstring(rendered.html).find_class("md-table")[0]
    cells = [c.text_content().strip() for c in table.iter("th", "td")]
    assert cells == ["Day", "Flour", "Water", "1", "50 g", "50 g", "2-7", "50 g", "50 g"]
    assert "width:100%" in table.get("style", "") and "border" in table.get("style", "")
    assert all("border" in c.get("style", "") for c in table.iter("th", "td"))


def test_the_text_part_shows_the_table_as_aligned_columns(tmp_path: Path) -> None:
    rendered = render(issue_with_table(), make_config(tmp_path / "letter"))
    assert "Day | Flour | Water\n----+-------+------\n1   | 50 g  | 50 g\n2-7 | 50 g  | 50 g" \
        in rendered.text
    assert "|---" not in rendered.text


def test_a_table_too_wide_for_the_text_part_becomes_labelled_lines() -> None:
    rows = [["Symptom", "Cause"], ["Starter smells of nail polish remover " * 2, "Hungry " * 8]]
    text = text_table(rows)
    assert text.startswith("Symptom: Starter smells") and "\nCause: Hungry" in text
    assert all(len(line) <= 72 for line in text.split("\n"))
