"""Rendering an issue: inlined HTML, plain text, placeholders, UTM, footnotes, golden files."""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import cssutils
import pytest
from lxml import html as lxml_html

from newsletter.config import Config, load_config
from newsletter.errors import ConfigError, DeliveryError
from newsletter.models import CallToAction, Issue, IssueBlock, Recipient, Source
from newsletter.rendering.check import MAX_HTML_BYTES, MAX_STYLE_BYTES, check_issue, gate
from newsletter.rendering.personalize import personalize
from newsletter.rendering.render import DEFAULT_TEMPLATES, add_utm, render, style_blocks

GOLDEN = Path(__file__).parent / "golden"

SETTINGS = """\
name: Garden Notes
from: {email: tips@garden.example, name: Garden Notes}
postal_address: |
  Garden Notes Ltd
  12 Allotment Lane
  Leeds LS1 4AP, United Kingdom
reason: You get this because you asked for our weekly growing tips.
base_url: https://news.garden.example
utm: {source: newsletter, medium: email, campaign: "issue-{number}"}
"""

UNSUBSCRIBE = "https://news.garden.example/unsubscribe/t0k?a=1&b=2"
VIEW = "https://news.garden.example/archive/3?t=v1ew"
READER = Recipient("ann@example.com", "Ann & Bo", {"unsubscribe_url": UNSUBSCRIBE,
                                                   "view_url": VIEW})


def make_config(folder: Path, settings: str = SETTINGS) -> Config:
    """A real newsletter.yaml in ``folder``, read the way the CLI reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newsletter.yaml").write_text(settings, "utf-8")
    return load_config(folder / "newsletter.yaml", env={})


def example_issue() -> Issue:
    """A fixed issue with a list, bold, links, footnotes, a text-only source and a CTA."""
    water = IssueBlock(
        kind="tip", title="Water deeply, not daily",
        body=("Shallow watering keeps roots near the surface, where they dry out first[^2]. "
              "Instead:\n\n- water **twice a week**, soaking the whole bed\n"
              "- check the soil with a finger before you water\n"
              "- mulch to keep the moisture in[^5]\n\n"
              "Our [watering guide](https://garden.example/guide?ref=nl#timing) has a "
              "month-by-month table."),
        sources=(Source("2", "https://www.rhs.example/advice/watering"),
                 Source("5", "Smith, J. (2019) The Mulch Book, p. 12")),
        origin="watering#water-deeply-1a2b")
    night = IssueBlock(
        kind="faq", title="Can I water in the evening?",
        body=("Yes in dry weather, but leaves that stay wet overnight invite mildew[^3].\n\n"
              "1. Water the soil, not the leaves.\n2. Finish before dusk."),
        sources=(Source("3", "https://extension.example.edu/mildew?id=7&lang=en"),))
    return Issue(
        number=3, subject="Water less often, but deeper",
        preheader="Why deep watering grows roots that survive a dry spell",
        status="scheduled", blocks=(water, night),
        cta=CallToAction("Get the watering calendar",
                         "A printable calendar for **every month** of the year.",
                         "https://shop.garden.example/calendar?utm_campaign=spring"))


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path / "letter")


@pytest.fixture
def rendered(config: Config):
    return render(example_issue(), config)


def hrefs(html: str) -> list[str]:
    """Every link target of an HTML document, as a browser would read it (unescaped)."""
    return [a.get("href") for a in lxml_html.fromstring(html).iter("a")]


def text_urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>]+", text)


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["html", "txt"])
def test_the_example_issue_renders_exactly_as_the_golden_file(config: Config, part: str) -> None:
    rendered = render(example_issue(), config)
    produced = rendered.html if part == "html" else rendered.text
    golden = GOLDEN / f"example-issue.{part}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(produced, "utf-8")
    assert golden.exists(), "run UPDATE_GOLDEN=1 pytest tests/test_render.py to create it"
    assert produced == golden.read_text("utf-8"), (
        f"{golden.name} changed; if intended, run UPDATE_GOLDEN=1 pytest tests/test_render.py")


def test_rendering_is_deterministic(config: Config) -> None:
    assert render(example_issue(), config) == render(example_issue(), config)


# --- inlined, email-safe HTML ------------------------------------------------------------------


def test_only_media_rules_stay_in_a_style_block_and_elements_carry_styles(rendered) -> None:
    blocks = style_blocks(rendered.html)
    assert len(blocks) == 1
    rules = list(cssutils.parseString(blocks[0]))
    assert rules and all(rule.type == rule.MEDIA_RULE or rule.selectorText == ":root"
                         for rule in rules)  # :root says: light and dark both designed
    assert "!important" in blocks[0]  # the phone layout needs it to win over inline styles
    body = lxml_html.fromstring(rendered.html).find("body")
    styled = [el for el in body.iter() if isinstance(el.tag, str) and el.get("class")]
    assert len(styled) > 20
    assert [el.get("class") for el in styled if not el.get("style")] == []
    assert "color:" in body.find(".//a").get("style")


def test_html_is_a_fluid_600px_column_with_a_preheader_screen_readers_skip(rendered) -> None:
    doc = lxml_html.fromstring(rendered.html)
    assert doc.find(".//title").text == "Water less often, but deeper"
    assert doc.get("lang") == "en"
    container = doc.find_class("container")[0]
    assert "max-width:600px" in container.get("style").replace(" ", "")
    assert not doc.xpath("//*[@width > 600]")  # nothing fixed wider than the column
    assert '<!--[if mso]><table role="presentation" align="center" width="600"' in rendered.html
    preheader = doc.find_class("preheader")[0]
    assert preheader.text_content().startswith("Why deep watering grows roots")
    assert preheader.get("aria-hidden") == "true"
    assert "display:none" in preheader.get("style").replace(" ", "")
    assert doc.find_class("brand")[0].text_content() == "Garden Notes"


def test_sizes_stay_under_gmail_limits_and_the_issue_may_be_sent(config: Config, rendered) -> None:
    assert len(rendered.html.encode()) < MAX_HTML_BYTES
    assert sum(len(s.encode()) for s in style_blocks(rendered.html)) < MAX_STYLE_BYTES
    assert check_issue(example_issue(), config, rendered) == []
    gate(example_issue(), rendered, config)


def test_markdown_lists_bold_and_links_render_in_both_parts(rendered) -> None:
    doc = lxml_html.fromstring(rendered.html)
    items = [li.text_content().strip() for li in doc.iter("li")]
    assert items[:3] == ["water twice a week, soaking the whole bed",
                         "check the soil with a finger before you water",
                         "mulch to keep the moisture in[2]"]
    assert doc.xpath("//ol/li") and doc.xpath("//strong[text()='twice a week']")
    assert "\n- water twice a week, soaking the whole bed\n" in rendered.text
    assert "\n1. Water the soil, not the leaves.\n2. Finish before dusk.\n" in rendered.text
    assert "**" not in rendered.text


def test_text_part_is_wrapped_except_for_long_urls(rendered) -> None:
    long_lines = [line for line in rendered.text.splitlines() if len(line) > 72]
    assert all(re.search(r"https?://\S{30,}", line) for line in long_lines)
    assert "Shallow watering keeps roots near the surface, where they dry out" in rendered.text


def test_a_script_in_a_title_or_body_is_escaped(config: Config) -> None:
    issue = dataclasses.replace(example_issue(), blocks=(IssueBlock(
        "tip", "<script>alert(1)</script> & more", "Body <img src=x onerror=alert(2)> here."),))
    html = render(issue, config).html
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert lxml_html.fromstring(html).xpath("//h2")[0].text == "<script>alert(1)</script> & more"


def test_footer_has_postal_address_reason_view_and_unsubscribe_links(rendered) -> None:
    html, text = personalize(rendered, READER)
    footer = lxml_html.fromstring(html).find_class("footer")[0]
    content = footer.text_content()
    assert "12 Allotment Lane" in content and "Leeds LS1 4AP, United Kingdom" in content
    assert "You get this because you asked for our weekly growing tips." in content
    links = {a.text_content(): a.get("href") for a in footer.iter("a")}
    assert links == {"View in your browser": VIEW, "Unsubscribe": UNSUBSCRIBE}
    assert f"Unsubscribe: {UNSUBSCRIBE}" in text and f"View in your browser: {VIEW}" in text
    assert "12 Allotment Lane" in text


# --- placeholders ------------------------------------------------------------------------------


def test_placeholders_survive_inlining_and_are_substituted_per_part(rendered) -> None:
    assert 'href="%%unsubscribe_url:html%%"' in rendered.html
    assert "%%unsubscribe_url:text%%" in rendered.text
    html, text = personalize(rendered, READER)
    assert "%%" not in html and "%%" not in text
    assert UNSUBSCRIBE.replace("&", "&amp;") in html and UNSUBSCRIBE not in html
    assert UNSUBSCRIBE in text
    assert "Hi Ann," in html and "Hi Ann," in text  # the first word of "Ann & Bo"
    assert UNSUBSCRIBE in hrefs(html) and VIEW in hrefs(html)


# --- footnotes and sources ---------------------------------------------------------------------


def test_footnote_markers_become_numbered_superscript_links_to_their_source(rendered) -> None:
    doc = lxml_html.fromstring(rendered.html)
    sups = doc.xpath("//sup")
    assert [s.text_content() for s in sups] == ["[1]", "[2]", "[3]"]
    first = sups[0].find("a").get("href")
    assert first.startswith("https://www.rhs.example/advice/watering?utm_source=newsletter")
    assert sups[1].find("a") is None  # a source without a URL is shown as text
    assert "[^" not in rendered.html and "[^" not in rendered.text
    assert "first[1]. Instead:" in rendered.text


def test_each_block_lists_its_sources_as_links_or_text(rendered) -> None:
    doc = lxml_html.fromstring(rendered.html)
    lines = [" ".join(p.text_content().split()) for p in doc.find_class("sources")]
    assert lines == ["Sources: [1] rhs.example · [2] Smith, J. (2019) The Mulch Book, p. 12",
                     "Sources: [3] extension.example.edu"]
    assert "[2] Smith, J. (2019) The Mulch Book, p. 12" in rendered.text
    cited = r"\[3\] https://extension\.example\.edu/mildew\?id=7&lang=en&utm_"
    assert re.search(cited, rendered.text)


def test_a_source_written_with_its_title_links_to_the_address_inside_it(config: Config) -> None:
    source = Source("4", "Doe, A. (2021). Shade and street trees. https://study.example/trees")
    block = IssueBlock("fact", "Trees", "Streets with trees are cooler[^4].", (source,))
    html = render(dataclasses.replace(example_issue(), blocks=(block,), cta=None), config).html
    link = lxml_html.fromstring(html).find_class("sources")[0].find(".//a")
    assert link.get("href").startswith("https://study.example/trees?utm_source=newsletter")
    assert "Doe, A. (2021). Shade and street trees" in link.text_content()  # its title


def test_bare_markers_naming_a_source_link_and_unknown_markers_never_show(config: Config) -> None:
    block = IssueBlock("fact", "Bare", "Cited like this [4], a link [4](https://x.example/) "
                       "and a stray[^9] marker. [Not a marker] stays.",
                       (Source("4", "https://study.example/4"),))
    issue = dataclasses.replace(example_issue(), blocks=(block,), cta=None)
    rendered = render(issue, config)
    doc = lxml_html.fromstring(rendered.html)
    assert [s.text_content() for s in doc.xpath("//sup")] == ["[1]"]
    assert doc.xpath("//a[text()='4']")[0].get("href").startswith("https://x.example/?utm_")
    assert "[9]" not in rendered.html and "stray marker" in doc.text_content()
    assert "[Not a marker] stays." in rendered.text
    [finding] = check_issue(issue, config, rendered)
    assert (finding.code, finding.block) == ("citation", "snippets[0] (fact 'Bare')")
    assert "[^9] cites no source" in finding.reason


def test_the_same_source_cited_by_two_blocks_keeps_one_number(config: Config) -> None:
    source = Source("7", "https://study.example/7")
    blocks = (IssueBlock("tip", "A", "One[^7].", (source,)),
              IssueBlock("tip", "B", "Two[^8] and again[^7].",
                         (Source("8", "https://study.example/8"), source)))
    rendered = render(dataclasses.replace(example_issue(), blocks=blocks), config)
    sups = [s.text_content() for s in lxml_html.fromstring(rendered.html).xpath("//sup")]
    assert sups == ["[1]", "[2]", "[1]"]


# --- UTM and links -------------------------------------------------------------------------------


def test_add_utm_keeps_existing_parameters_fragments_and_utm_keys() -> None:
    utm = {"source": "newsletter", "medium": "email", "campaign": "issue-{number}"}
    tagged = add_utm("https://a.example/p?x=1&utm_campaign=spring#top", utm, 4)
    parts = urlsplit(tagged)
    assert parts.fragment == "top"
    assert parse_qs(parts.query) == {"x": ["1"], "utm_campaign": ["spring"],
                                     "utm_source": ["newsletter"], "utm_medium": ["email"]}
    assert add_utm("mailto:me@a.example", utm, 4) == "mailto:me@a.example"
    assert add_utm("https://a.example/", {}, 4) == "https://a.example/"
    assert add_utm("https://a.example/", utm, 4).endswith("utm_campaign=issue-4")


def test_every_web_link_carries_utm_except_the_personal_ones(rendered) -> None:
    html, text = personalize(rendered, READER)
    personal = {UNSUBSCRIBE, VIEW}
    web = [h for h in hrefs(html) if h not in personal]
    assert len(web) >= 5
    for href in web:
        query = parse_qs(urlsplit(href).query)
        assert query["utm_source"] == ["newsletter"] and query["utm_medium"] == ["email"], href
    cta = next(h for h in web if h.startswith("https://shop.garden.example/"))
    assert parse_qs(urlsplit(cta).query)["utm_campaign"] == ["spring"]
    guide = next(h for h in web if h.startswith("https://garden.example/guide"))
    assert guide.endswith("#timing") and "ref=nl&utm_source=newsletter" in guide
    assert all("utm_source=" in u for u in text_urls(text) if u not in personal)


def test_every_link_of_the_html_appears_in_the_text_part(rendered) -> None:
    html, text = personalize(rendered, READER)
    missing = [href for href in set(hrefs(html)) if href not in text]
    assert missing == []


# --- sendability, templates, limits --------------------------------------------------------------


def test_drafts_render_but_cannot_be_sent_without_a_postal_address(tmp_path: Path) -> None:
    config = make_config(tmp_path, SETTINGS.split("postal_address")[0] + "postal_address: ''\n")
    rendered = render(example_issue(), config)
    assert rendered.html
    with pytest.raises(ConfigError, match="postal_address"):
        gate(example_issue(), rendered, config)


def test_a_template_without_the_unsubscribe_link_cannot_be_sent(config: Config) -> None:
    partials = config.templates_dir / "partials"
    partials.mkdir(parents=True)
    (partials / "footer.html.j2").write_text("<p class=\"custom\">{{ postal_address }}</p>\n")
    rendered = render(example_issue(), config)
    assert 'class="custom"' in rendered.html  # the folder's template wins over the default
    with pytest.raises(DeliveryError, match="html template has no unsubscribe link"):
        gate(example_issue(), rendered, config)
    gate(example_issue(), render(example_issue(), dataclasses.replace(
        config, root=config.root / "elsewhere")), config)


def test_a_broken_template_names_its_file_and_line(config: Config) -> None:
    config.templates_dir.mkdir()
    (config.templates_dir / "issue.txt.j2").write_text("Hello\n{% if %}\n")
    with pytest.raises(ConfigError, match=r"issue\.txt\.j2:2: template error"):
        render(example_issue(), config)


def test_an_issue_too_big_for_gmail_renders_but_is_refused(config: Config) -> None:
    paragraph = "Soil that drains well still needs a deep soak now and then. " * 12
    blocks = tuple(IssueBlock("tip", f"Tip {i}", paragraph) for i in range(60))
    big = dataclasses.replace(example_issue(), blocks=blocks)
    rendered = render(big, config)
    assert len(rendered.html.encode()) > MAX_HTML_BYTES
    with pytest.raises(DeliveryError, match="Gmail clips"):
        gate(big, rendered, config)


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red; }")

    def log_message(self, *args: object) -> None:
        pass


def test_premailer_never_fetches_linked_or_imported_stylesheets(config: Config) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        config.templates_dir.mkdir()
        base_html = (DEFAULT_TEMPLATES / "base.html.j2").read_text()
        (config.templates_dir / "base.html.j2").write_text(base_html.replace(
            "<style>", f'<link rel="stylesheet" href="{base}/linked.css">\n'
                       f"<style>@import url({base}/imported.css);"))
        rendered = render(example_issue(), config)
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []
    assert "linked.css" in rendered.html  # left for the mail client, never fetched by us


def test_an_import_in_the_stylesheet_is_refused_with_its_line(config: Config) -> None:
    config.templates_dir.mkdir()
    css = (DEFAULT_TEMPLATES / "email.css").read_text()
    (config.templates_dir / "email.css").write_text("/* mine */\n@import url(x.css);\n" + css)
    with pytest.raises(ConfigError, match=r"email\.css:2: @import does not work in email"):
        render(example_issue(), config)


def test_templates_copied_by_init_render_the_same_email(config: Config) -> None:
    from newsletter.scaffold import copy_default_templates

    written = copy_default_templates(config.templates_dir)
    assert config.templates_dir / "partials" / "footer.html.j2" in written
    assert render(example_issue(), config) == render(example_issue(), dataclasses.replace(
        config, root=config.root / "no-templates-here"))
    footer = config.templates_dir / "partials" / "footer.txt.j2"
    footer.write_text(footer.read_text() + "Edited by the marketer.\n")
    assert render(example_issue(), config).text.endswith("Edited by the marketer.\n")


def test_a_source_with_its_title_and_url_shows_the_title_linked_to_the_url(
        config: Config) -> None:
    entry = "National Sleep Survey 2022, https://survey.example/sleep"
    block = IssueBlock("fact", "Sleep", "Most adults sleep too little[^6].", (Source("6", entry),))
    rendered = render(dataclasses.replace(example_issue(), blocks=(block,), cta=None), config)
    [link] = lxml_html.fromstring(rendered.html).find_class("sources")[0].findall(".//a")
    assert " ".join(link.text_content().split()) == "[1] National Sleep Survey 2022"
    assert link.get("href").startswith("https://survey.example/sleep?utm_")


def test_a_cta_url_with_a_coupon_gets_its_utm_parameters_in_the_same_query(
        tmp_path: Path) -> None:
    """cta_url's own query stays, the UTM parameters join it (never a second '?'), and a
    fragment stays last; the text part carries the same link."""
    config = make_config(tmp_path / "letter", SETTINGS + 'cta_url: "https://shop.garden.'
                                                         'example/offer/?coupon=SAVE10#buy"\n')
    issue = dataclasses.replace(example_issue(), cta=CallToAction("Get it", "A calendar.", ""))
    html, text = personalize(render(issue, config), READER)
    [button] = [h for h in hrefs(html) if h.startswith("https://shop.garden.example/")]
    parts = urlsplit(button)
    assert button.count("?") == 1 and parts.path == "/offer/" and parts.fragment == "buy"
    assert parse_qs(parts.query) == {"coupon": ["SAVE10"], "utm_source": ["newsletter"],
                                     "utm_medium": ["email"], "utm_campaign": ["issue-3"]}
    assert button in text
