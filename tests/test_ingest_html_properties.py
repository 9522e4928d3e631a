"""Properties of the HTML reader on generated pages: only the project's own error escapes, and
every visible text block of the page ends in a snippet, a reference or ``dropped``."""

from __future__ import annotations

import contextlib
import re

import lxml.html
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsletter.content.ingest import read_html_article
from newsletter.content.split import split
from newsletter.errors import NewsletterError

TAGS = ["div", "p", "section", "article", "nav", "aside", "footer", "header", "span", "strong",
        "em", "a", "ul", "ol", "li", "h1", "h2", "h3", "blockquote", "pre", "table", "tr", "td",
        "figure", "figcaption", "details", "summary", "sup", "dl", "dt", "dd", "form", "button"]
CLASSES = ["", "share", "related-posts", "byline", "content", "post-body", "sidebar", "gallery",
           "footnotes", "sr-only", "entry"]
WORDS = st.sampled_from(["Basil", "needs", "light", "water", "daily", "More", "news:", "Share",
                         "By", "Jane", "Updated", "May", "3,", "2024", "1.", "[2]", "?", "87",
                         "Related", "Buy", "now", "¶", "é", "Contents", "the", "and", "soil."])
TEXT = st.lists(WORDS, min_size=0, max_size=12).map(" ".join)


def _element(children: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda tag, cls, text, tail: (
        f"<{tag}{f' class={cls!r}' if cls else ''}>{text}{''.join(children)}</{tag}>{tail}"),
        st.sampled_from(TAGS), st.sampled_from(CLASSES), TEXT, TEXT)


NODE = st.recursive(
    st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", st.sampled_from(TAGS), TEXT),
    lambda inner: st.lists(inner, max_size=4).flatmap(_element),
    max_leaves=25,
)
PAGE = st.builds(lambda title, body: f"<html><head><title>{title}</title></head><body>"
                 f"{''.join(body)}</body></html>", TEXT, st.lists(NODE, max_size=6))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


@SETTINGS
@given(page=PAGE)
def test_only_newsletter_errors_escape(page: str) -> None:
    with contextlib.suppress(NewsletterError):
        split(read_html_article(page, "page.html"), min_words=5)


@SETTINGS
@given(page=PAGE)
@example(page="<div><div><h1>1. Basil</h1><h1>Basil</h1></div></div>Basil")  # found by it
@example(page="<dl><div><dt><div>Basil</div></dt></div></dl>")  # a term grouped in a <div>
@example(page="<dl><section><dt><div>Basil</div></dt></section></dl>")  # or in another element
@example(page="<ul><div><li>Basil</li></div></ul>")  # list items wrapped too
def test_every_visible_text_block_is_in_a_snippet_a_reference_or_dropped(page: str) -> None:
    try:
        document = read_html_article(page, "page.html")
        content = split(document, min_words=5)
    except NewsletterError:
        return
    parts = [document.title, *content.references.values(), *(d.text for d in content.dropped),
             *(d.text for d in document.dropped)]
    for snippet in content.snippets:
        parts += [snippet.title, snippet.body, snippet.section]
    pool, words = squashed(" ".join(parts)), set(re.findall(r"[^\W_]+", " ".join(parts).lower()))
    body = lxml.html.document_fromstring(page).find("body")
    texts = [t for t in body.itertext() if squashed(t)] if body is not None else []
    # a text is accounted for as it stands, or word by word, or without the citation markers
    # that split records apart when they lead nowhere
    lost = [t for t in texts if squashed(t) not in pool
            and not set(re.findall(r"[^\W_]+", t.lower())) <= words
            and squashed(re.sub(r"\[\d+\]", "", t)) not in pool]
    assert lost == []
