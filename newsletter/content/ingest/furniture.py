"""Page furniture as elements: what a saved page shows around (and inside) its article that is
not the article. Each rule looks at one element (its tag, class and id words, attributes) and
names why it is left out; the HTML reader records that name as the reason it was dropped."""

from __future__ import annotations

import functools
import re
from itertools import islice

from lxml import etree

_FURNITURE_TAGS = frozenset(
    ("nav", "aside", "form", "footer", "button", "input", "select", "textarea", "dialog",
     "label", "menu")
)
# class or id words that name a widget rather than the article's text
_NOISE_WORDS = {
    "navigation": ("nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "pagination",
                   "masthead", "topbar", "toolbar"),
    "sidebar": ("sidebar", "rail", "widget", "widgets"),
    "share": ("share", "sharing", "social", "sharebar"),
    "related": ("related", "recommended", "recommendations", "trending", "popular",
                "mostread", "recirculation", "outbrain", "taboola", "teaser", "teasers"),
    "comments": ("comment", "comments", "respond", "disqus", "discussion"),
    "signup": ("newsletter", "subscribe", "subscription", "signup", "optin"),
    "cookie": ("cookie", "cookies", "consent", "gdpr"),
    "advert": ("promo", "advert", "advertisement", "ads", "ad", "sponsor", "sponsored",
               "dfp", "adslot", "commercial"),
    "byline": ("byline", "author", "authors", "dateline", "timestamp", "bio", "contributor"),
    "popup": ("popup", "modal", "overlay", "lightbox", "dialog"),
    "gallery": ("gallery", "slideshow", "carousel", "slider"),
    "tags": ("tags", "tag", "keywords", "topics"),
    "credit": ("credit", "credits", "caption", "captions"),
    "toc": ("toc",),
    "score": ("rating", "ratings", "score", "scores", "scorecard", "stars"),
    "banner": ("banner", "meta", "metabar"),
}
_WORD_REASON = {word: name for name, words in _NOISE_WORDS.items() for word in words}
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HIDDEN_CLASS = re.compile(
    r"^(?:[\w-]*-)?(?:sr-only|visually-?hidden|screen-?reader(?:-text|-only)?|offscreen|"
    r"hidden|invisible|a11y-hidden)$",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FOOTNOTE_WORDS = frozenset(["footnotes", "footnote", "endnotes", "endnote", "fn", "references",
                             "reflist", "citations", "bibliography"])
# the class and id words a rule reads: an id that spells its heading is left out of them
TELLING_WORDS = _FOOTNOTE_WORDS | frozenset(_WORD_REASON)
_FOOTNOTE_ID = re.compile(r"^(?:fn|footnote|endnote|note|cite[-_]note|ref)[-_:]?\w*?(\d+)$",
                          re.I)


def class_words(element: etree._Element) -> frozenset[str]:
    """The words of an element's class and id (``post-share_bar`` -> post, share, bar).

    An id of several words that spells the element's own heading (``id="sharing-your-work"``
    over "Sharing your work") is a section's anchor, not a widget's name: it is left out.
    """
    words = name_words(_LAYOUT_MODIFIER.sub(" ", element.get("class", "")))
    ident = name_words(element.get("id", ""))
    if ident and (len(ident) < 2 or not ident <= _own_heading_words(element)):
        words |= ident
    return words


# a class that says what an element has beside it, not what it is ("PostBundle--with-rail",
# "Post--withToolbar", "has-sidebar", "no-ads"): the article's container names its neighbours
_LAYOUT_MODIFIER = re.compile(r"(?<![A-Za-z0-9])(?:with|has|no|without)(?:[-_]|(?=[A-Z]))[\w-]*")


@functools.lru_cache(maxsize=4096)  # a page repeats its class names thousands of times
def name_words(name: str) -> frozenset[str]:
    """The words of a class, an id or a heading's text, lower-cased."""
    return frozenset(word.lower() for word in _CLASS_WORD.findall(name)) if name else _NONE


_NONE: frozenset[str] = frozenset()


def _own_heading_words(element: etree._Element) -> frozenset[str]:
    for child in element.iterchildren("h1", "h2", "h3", "h4", "h5", "h6"):
        return name_words(child.text_content())
    return _NONE


def hidden_reason(element: etree._Element) -> str:
    """Why an element is not shown on the page ("" when it is shown)."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return "hidden: not shown on the page"
    style, names = element.get("style"), element.get("class")
    if style and _HIDDEN_STYLE.search(style):
        return "hidden: styled display:none"
    if names and any(_HIDDEN_CLASS.match(name) for name in names.split()):
        return "hidden: visually hidden (screen-reader or off-screen text)"
    return ""


def furniture_reason(element: etree._Element, in_heading: bool | None = None) -> str:
    """Why an element is page furniture ("" when it may be article text); ``in_heading`` says
    whether it lies inside a heading (looked up when not given)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _FURNITURE_TAGS:
        return f"page_furniture: <{tag}>"
    if tag in ("ul", "ol") and is_table_of_contents(element) and not is_footnote_list(element):
        return "table_of_contents: in-page links"
    if tag == "a" and element.get("href", "").strip().lower().startswith("javascript:"):
        return "page_control: a link that runs a script (a button of the page)"
    if in_heading is None:
        in_heading = any(a.tag in _HEADINGS for a in element.iterancestors())
    if tag == "a" or in_heading:
        return ""  # a link's or a heading's own class names its look, not a widget
    words = class_words(element)
    if words & _FOOTNOTE_WORDS:
        return ""
    names = sorted({_WORD_REASON[w] for w in words if w in _WORD_REASON})
    return f"page_furniture: {names[0]} widget" if names else ""


def is_footnote_list(element: etree._Element) -> bool:
    """``<ol class="footnotes">``, a list inside ``<section class="footnotes">``, or a list
    whose items are footnote targets (``<li id="fn1">``)."""
    owners = [element, *islice(element.iterancestors(), 2)]
    if any(class_words(owner) & _FOOTNOTE_WORDS for owner in owners):
        return True
    items = element.findall("li")
    return bool(items) and all(_FOOTNOTE_ID.match(li.get("id", "")) for li in items)


def footnote_number(item: etree._Element) -> str:
    """The number of a footnote item from its id (``fn3``, ``cite_note-3``), or ""."""
    match = _FOOTNOTE_ID.match(item.get("id", ""))
    return match.group(1) if match else ""


def is_table_of_contents(element: etree._Element) -> bool:
    """A list whose every item links to a place on the same page."""
    items = element.findall("li")
    links = [a for a in element.iter("a") if a.get("href", "").startswith("#")]
    return len(items) >= 2 and len(links) >= len(items)
