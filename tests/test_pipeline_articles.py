"""Every article shape, end to end: read -> split -> plan -> render -> personalise.

Each planned issue must render to HTML that parses, with every style inlined except
@media, no placeholder left after substitution, a text part carrying every link, and (for
the scraped sample) every citation shown as a link to the right reference.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from importlib import resources
from pathlib import Path

import pytest
from conftest import shared_file
from lxml import html as lxml_html

from newsletter.config import Config, load_config
from newsletter.content.ingest import read_article
from newsletter.content.split import split
from newsletter.models import Recipient
from newsletter.planning.plan import plan
from newsletter.planning.schedule import Schedule
from newsletter.rendering.check import gate
from newsletter.rendering.personalize import personalize
from newsletter.rendering.render import render, style_blocks

READER = Recipient(email="ann@example.com", name="Ann Lee", subscriber_id="7",
                   fields={"unsubscribe_url": "https://letters.example/unsubscribe/tok?a=1&b=2",
                           "view_url": "https://letters.example/archive/1?t=v",
                           "first_name": "Ann <A&B>"})
ARTICLES = {
    "seed": lambda: shared_file("seeds/ql-dry-needling.txt"),
    "markdown": lambda: shared_file("articles/04-knee-injury-pt-exercises.md"),
    "html": lambda: shared_file("articles/07-content-depth-topicseed.html"),
    "bundled": lambda: Path(str(resources.files("newsletter").joinpath(
        "data", "example-article.txt"))),
}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "newsletter.yaml").write_text(
        "postal_address: '1 Test Street, Testville'\nproducts: [The QL Claw, SoilSense Meter]\n"
        "cta_url: https://shop.example.com/\n")
    return load_config(tmp_path / "newsletter.yaml", env={})


def planned(article: Path, config: Config):
    content = split(read_article(article), products=config.products)
    return content, plan(content, Schedule(tz="Europe/Berlin", start=date(2026, 12, 1)))


@pytest.mark.parametrize("name", ARTICLES)
def test_every_planned_issue_renders_as_a_sendable_email(name: str, config: Config) -> None:
    _, issues = planned(ARTICLES[name](), config)
    assert issues
    # the budget (default 450 words) holds with the call to action, unless one snippet alone
    assert all(i.words <= 450 for i in issues if len(i.blocks) > 1)
    for issue in issues:
        rendered = render(issue, config)
        gate(issue, rendered, config)
        html, text = personalize(rendered, READER)
        tree = lxml_html.fromstring(html)
        assert "%%" not in html + text
        assert all(block.strip().startswith((":root", "@media")) for block in style_blocks(html))
        assert not tree.xpath("//*[@class and not(@style)][self::td or self::p or self::a]")
        hrefs = {unescape(h) for h in re.findall(r'href="([^"]+)"', html)}
        assert [h for h in hrefs if h not in text] == []
        assert READER.fields["unsubscribe_url"] in text
        assert "Ann &lt;A&amp;B&gt;" in html and "Ann <A&B>" in text


def test_every_citation_of_the_sample_links_to_its_reference(config: Config) -> None:
    content, issues = planned(ARTICLES["seed"](), config)
    cited = 0
    for issue in issues:
        html = render(issue, config).html
        for block in issue.blocks:
            for source in block.sources:
                assert content.references[source.n] == source.url
                assert f'href="{source.url}' in html or source.url.replace("&", "&amp;") in html
                cited += 1
    assert cited >= 15
    assert not re.search(r"(?<!\^)\[\d+\]", " ".join(b.body for i in issues for b in i.blocks))
