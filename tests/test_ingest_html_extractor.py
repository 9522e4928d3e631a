"""The extractor that chooses an HTML page's article: readability-lxml with its slowest steps
done faster (``ingest/readable.py``) must choose exactly the elements readability's own code
chooses, on saved pages and on generated ones; and reading text or Markdown never imports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from readability import Document as Readability

from newsletter.content.ingest.mainpart import NUMBER, Choosing, _chooser

HERE = Path(__file__).parent
PAGES = sorted([*(SHARED / "corpus").glob("*.html"), *(SHARED / "articles").glob("*.html"),
                *(HERE / "data" / "ingest").glob("*.html")])
Reference = type("Reference", (Choosing, Readability), {})  # readability's own steps


def numbered(page: str) -> str:
    """The page's body with every element numbered, as the HTML reader hands it over (here with
    its scripts, styles and comments, which readability's clean-up takes out)."""
    body = lxml.html.document_fromstring(page).find("body")
    for number, element in enumerate(body.iter(etree.Element)):
        element.set(NUMBER, str(number))
    return lxml.html.tostring(body, encoding="unicode")


def chosen(chooser: type, html: str) -> frozenset[str] | None:
    document = chooser(html)
    document.summary(html_partial=True)
    return document.choice


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_faster_extractor_chooses_what_readability_chooses_on_saved_pages(page: Path
                                                                            ) -> None:
    html = numbered(page.read_text("utf-8"))
    assert chosen(_chooser(), html) == chosen(Reference, html)


# what readability looks at: class and id words it scores, hidden and styled-away elements,
# <image>, divs holding only inline markup, loose text beside blocks, <br>, links
TAGS = ["div", "div", "p", "span", "a", "b", "article", "section", "ul", "li", "td", "table",
        "tr", "blockquote", "pre", "code", "h2", "img", "image", "br", "aside", "form", "main"]
ATTRIBUTES = ["", "", " class='comment'", " class='sidebar'", " class='article-body'",
              " class='content'", " id='footer'", " class='post'", " class='menu main'",
              " hidden", " style='display:none'", " style='color:red'", " class='related'",
              " itemprop='articleBody'", " class='subhead'", " href='/x'", " id='meta'"]
WORDS = st.sampled_from(["Water", "the", "basil", "daily,", "and", "keep", "roots", "moist.",
                         "Sign up", "Share", "a", "long", "sentence, with", "commas,", "here."])
TEXT = st.lists(WORDS, max_size=30).map(" ".join)
ELEMENT = st.recursive(
    st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", st.sampled_from(TAGS), TEXT),
    lambda inner: st.builds(
        lambda tag, attributes, text, children, tail:
        f"<{tag}{attributes}>{text}{''.join(children)}</{tag}>{tail}",
        st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), TEXT, st.lists(inner, max_size=5),
        TEXT),
    max_leaves=40,
)
PAGE = st.lists(ELEMENT, min_size=1, max_size=6).map(
    lambda body: f"<html><body>{''.join(body)}</body></html>")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=PAGE)
def test_the_faster_extractor_chooses_what_readability_chooses_on_any_page(page: str) -> None:
    html = numbered(page)
    assert chosen(_chooser(), html) == chosen(Reference, html)


def test_reading_text_or_markdown_never_imports_the_html_reader(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Watering\n\nWater early in the day.\n", "utf-8")
    (tmp_path / "b.md").write_text("# Watering\n\nWater **early** in the day.\n", "utf-8")
    script = (
        "import sys; from pathlib import Path\n"
        "from newsletter.content.ingest import read_article\n"
        "from newsletter.content.split import split\n"
        f"for name in ('a.txt', 'b.md'): split(read_article(Path({str(tmp_path)!r}) / name))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'readability')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
