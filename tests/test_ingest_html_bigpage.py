"""A page too big to hold whole is read as it is parsed (``ingest/bigpage.py``): it must read
exactly as the same page held whole, with the same article container; the container is the
<article> with the most words (else <main>, else the densest paragraphs); and page furniture
around the article goes to ``dropped`` with its reason."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsletter.content.ingest import read_html_article
from newsletter.content.ingest.bigpage import read_big_page, survey_page
from newsletter.content.ingest.html import EXTRACTOR_LIMIT, parsable, read_whole_page
from newsletter.models import Document

# the shapes the reading depends on: holders and leaf blocks, furniture by tag, class and id
# (ids a heading spells), hidden text, pictures with tails, scripts, styles and comments
# between texts, footnotes, FAQ markup, links to resolve against the canonical address
TAGS = ["div", "div", "section", "article", "main", "p", "p", "span", "a", "b", "ul", "ol",
        "li", "h2", "h3", "img", "figure", "figcaption", "table", "tr", "td", "blockquote",
        "header", "footer", "nav", "aside", "details", "summary", "dl", "dt", "dd", "script",
        "style", "br", "hr", "pre", "sup", "em", "center"]
ATTRIBUTES = ["", "", "", " class='share'", " class='related-posts'", " id='share-wrapper'",
              " id='sharing-your-work'", " class='content'", " hidden", " style='display:none'",
              " role='main'", " itemprop='articleBody'", " itemtype='https://schema.org/Question'",
              " itemprop='name'", " class='footnotes'", " id='fn1'", " href='#fn1'",
              " href='/rel/1'", " src='/i.jpg' alt='Alt text'", " class='sr-only'",
              " id='references-list'", " class='toc'"]
WORDS = st.sampled_from(["Water", "the", "basil", "daily.", "Share", "By Jane", "[1]", "Related",
                         "Sources", "Share wrapper", "Sharing your work", "References list",
                         "How do I water?", "Step 1:", "Tip:", "é", "More news:", "2024", "87"])
TEXT = st.lists(WORDS, max_size=12).map(" ".join)
BETWEEN = st.one_of(TEXT, st.sampled_from(["", "\n", "<!-- note -->", "<script>x()</script>",
                                           "<style>p{}</style>tail"]))
ELEMENT = st.recursive(
    st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", st.sampled_from(TAGS), TEXT),
    lambda inner: st.builds(
        lambda tag, attributes, text, children: (
            f"<{tag}{attributes}>{text}{''.join(a + b for a, b in children)}</{tag}>"),
        st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES), TEXT,
        st.lists(st.tuples(inner, BETWEEN), max_size=4)),
    max_leaves=30,
)
PAGE = st.builds(
    lambda title, body: ("<html><head><title>" + title + " | Site</title><link rel='canonical' "
                         f"href='https://example.com/a/'></head><body>{''.join(body)}</body>"
                         "</html>"),
    TEXT, st.lists(st.tuples(ELEMENT, BETWEEN).map("".join), min_size=1, max_size=6))
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def held_whole(page: str) -> Document:
    """The page read from its whole tree, with the container the survey chose."""
    container = survey_page(parsable(page), "page.html").container
    return read_whole_page(parsable(page), "page.html", lambda body, numbered: container)


@SETTINGS
@given(page=PAGE, chunk=st.sampled_from([1, 7, 64, 4096]))
# the parser is further on than the event read: here the holder's heading, with the script
# that would spell its id, is parsed before the holder's start is read
@example(page="<html><body><div id='share-wrapper'><h2>Share <script>wrapper</script></h2>"
              "<p>Share it.</p></div><div><p>Water the basil daily, early, at the base.</p>"
              "</div></body></html>", chunk=4096)
def test_a_page_read_as_it_is_parsed_reads_as_the_page_held_whole(page: str, chunk: int) -> None:
    assert read_big_page(page, "page.html", chunk=chunk) == held_whole(page)


def big_page(articles: list[str], middle: str = "") -> str:
    """A page over the extractor's limit: a menu, the given articles, a sidebar, a footer."""
    menu = "".join(f"<li><a href='/s/{n}'>Section {n}</a></li>" for n in range(40))
    section = ("<h2>Step {n}: water early</h2><p>Water at the base of the stem in the morning "
               "so the leaves dry before night; a pot that drains keeps roots breathing.</p>"
               "<figure><img src='/i/{n}.jpg' alt='A pot'><figcaption>Photo: A. Grower"
               "</figcaption></figure><ul><li>compost</li><li>grit</li></ul>")
    body = "".join(section.format(n=n) for n in range(EXTRACTOR_LIMIT // len(section) + 1))
    return ("<html><head><title>Watering | Site</title></head><body>"
            f"<nav><ul>{menu}</ul></nav>{middle}"
            + "".join(f"<article>{text}</article>" for text in [*articles, body])
            + "<aside class='sidebar'><p>Popular posts this week</p></aside>"
            "<footer><p>© Site</p></footer></body></html>")


def test_a_big_page_keeps_its_biggest_article_and_drops_the_furniture_around_it() -> None:
    page = big_page(["<p>A short teaser article with a few words in it.</p>"])
    assert len(page) > EXTRACTOR_LIMIT
    document = read_html_article(page, "page.html")
    texts = " ".join(b.text for b in document.blocks)
    assert document.title == "Watering"
    assert "Step 1: water early" in texts and "teaser" not in texts
    reasons = {d.text: d.reason for d in document.dropped}
    assert reasons["A short teaser article with a few words in it."].startswith("not_article")
    assert reasons["Popular posts this week"] == "page_furniture: <aside>"
    assert reasons["Photo: A. Grower"].startswith("caption")
    assert any(r == "page_furniture: <nav>" for r in reasons.values())
    assert document == held_whole(page)


@pytest.mark.parametrize(("body", "kept", "left_out"), [
    ("<article><p>A short teaser of a few words.</p></article>"
     "<article><p>The whole piece: water early, at the base, and let the pot drain.</p>"
     "<p>Feed once a month in summer.</p></article>", "Feed once a month", "short teaser"),
    ("<div><p>A menu line here.</p></div><main><p>Water the basil early in the day.</p></main>",
     "Water the basil", "menu line"),
    ("<div><p>One aside of a few words.</p></div><div><p>Water early in the day, at the base "
     "of the stem.</p><p>Let the pot drain so the roots can breathe.</p></div>",
     "Let the pot drain", "One aside"),
])
def test_the_container_is_the_biggest_article_else_main_else_the_densest_paragraphs(
        body: str, kept: str, left_out: str) -> None:
    document = read_big_page(f"<html><body>{body}</body></html>", "page.html")
    assert any(kept in b.text for b in document.blocks)
    assert not any(left_out in b.text for b in document.blocks)
    assert any(left_out in d.text and d.reason.startswith("not_article")
               for d in document.dropped)
