"""Issue blocks other than snippets: testimonials, resources and images, in files and emails."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html
from test_render import make_config

from newsletter.errors import IssueFileError
from newsletter.models import Image, Issue, IssueBlock
from newsletter.planning.issuefile import dump_issue, issue_filename, load_issue
from newsletter.rendering.render import render

WITH_BANK_BLOCKS = """\
number: 2
subject: Stretch before you sit
preheader: And what one reader does every morning.
send_at: 2026-06-05T09:00:00+02:00
status: scheduled
snippets:
  - from: back#stretch-1a2b
    kind: tip
    title: Stretch before you sit
    body: Reach up, then lean to each side.
    sources: []
    image: {src: "https://cdn.example.org/stretch.jpg", alt: A woman leaning to her left}
  - from: resources#best-ql-stretch
    kind: resource
    title: Best QL stretch for the back
    body: Five minutes, no equipment.
    url: https://example.org/ql-stretch
  - from: testimonials#ann-p-3c4d
    kind: testimonial
    body: I can tie my shoes again without wincing.
    name: Ann P.
    detail: Runner, Portland
    url: https://example.org/stories/ann
"""


def issue_with_everything() -> Issue:
    return Issue(
        number=5, subject="Stretch", preheader="Three ways", status="draft",
        blocks=(
            IssueBlock("tip", "Lean left", "Then right.",
                       image=Image("https://cdn.example.org/a.jpg", "Leaning left")),
            IssueBlock("testimonial", "", "It *works*.", origin="testimonials#bo-1f",
                       name="Bo", detail="Desk worker", url="https://example.org/bo"),
            IssueBlock("resource", "QL massage", "", origin="resources#ql-massage",
                       url="https://example.org/massage"),
        ))


def test_bank_blocks_and_images_load_beside_snippets_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "002-stretch.yaml"
    path.write_text(WITH_BANK_BLOCKS, "utf-8")
    tip, resource, testimonial = load_issue(path).blocks
    assert tip.image == Image("https://cdn.example.org/stretch.jpg", "A woman leaning to her left")
    assert (resource.kind, resource.title, resource.url, resource.body) == (
        "resource", "Best QL stretch for the back", "https://example.org/ql-stretch",
        "Five minutes, no equipment.")
    assert (testimonial.body, testimonial.name, testimonial.detail, testimonial.origin) == (
        "I can tie my shoes again without wincing.", "Ann P.", "Runner, Portland",
        "testimonials#ann-p-3c4d")


def test_bank_blocks_round_trip_and_unused_keys_are_not_written(tmp_path: Path) -> None:
    issue = issue_with_everything()
    text = dump_issue(issue)
    path = tmp_path / issue_filename(issue)
    path.write_text(text, "utf-8")
    assert load_issue(path) == issue
    tip_text = text.split("- from: testimonials#bo-1f")[0]
    assert "name:" not in tip_text and "url:" not in tip_text  # a tip has neither
    assert "image: {src: 'https://cdn.example.org/a.jpg', alt: Leaning left}" in text


def test_a_resource_without_a_note_loads_but_a_tip_still_needs_a_body(tmp_path: Path) -> None:
    path = tmp_path / "002-stretch.yaml"
    path.write_text(WITH_BANK_BLOCKS.replace("    body: Five minutes, no equipment.\n", ""))
    assert load_issue(path).blocks[1].body == ""
    path.write_text(WITH_BANK_BLOCKS.replace("    body: Reach up, then lean to each side.\n", ""))
    with pytest.raises(IssueFileError, match=r"002-stretch.yaml:7: snippets\[0\].body: missing"):
        load_issue(path)


@pytest.mark.parametrize(("change", "broken"), [
    ("alt: A woman", "wrong: A woman"),
    ('{src: "https://cdn.example.org/stretch.jpg", ', "{"),
])
def test_a_bad_image_names_its_line_and_field(tmp_path: Path, change: str, broken: str) -> None:
    path = tmp_path / "002-stretch.yaml"
    path.write_text(WITH_BANK_BLOCKS.replace(change, broken), "utf-8")
    with pytest.raises(IssueFileError, match=r":12: snippets\[0\]\.image"):
        load_issue(path)


def test_testimonials_resources_and_images_render_in_both_parts(tmp_path: Path) -> None:
    rendered = render(issue_with_everything(), make_config(tmp_path / "letter"))
    doc = lxml_html.fromstring(rendered.html)
    [img] = doc.iter("img")
    assert (img.get("src"), img.get("alt"), img.get("width")) == (
        "https://cdn.example.org/a.jpg", "Leaning left", "544")
    assert "height:auto" in img.get("style").replace(" ", "")
    page = doc.text_content()
    assert "It works." in page and "Bo" in page and "Desk worker" in page
    links = {a.text_content().strip(): a.get("href") for a in doc.iter("a")}
    assert links["QL massage"].startswith("https://example.org/massage?utm_source=newsletter")
    assert links["Read the whole story"].startswith("https://example.org/bo?utm_")
    assert "-- Bo, Desk worker" in rendered.text
    assert "QL massage" in rendered.text
    assert "https://example.org/massage?utm_source=newsletter" in rendered.text
