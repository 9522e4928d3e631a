"""Calls to action that earn their place: short, varied, with a button that says what happens.

An article's ``cta`` snippets are pitches, often long (the sample's is 120 words). From each
pitch come several blocks: runs of its own consecutive sentences of at most
:data:`BODY_WORDS` words, each run naming the product or asking the reader to act, under
titles that take turns ("Where The QL Claw Fits In", "Meet The QL Claw", ...). Issues take
the blocks in turn, so two consecutive calls to action never say the same words; with a
single block, it appears every other issue at most. The button says what happens: "Get
The QL Claw" when a product is named, "Book a visit" for an appointment, the
``cta.button`` setting when set. The button goes where the pitch itself asks the reader to
go: its own link whose words ask to act or name the product (``[contact us](https://...)``;
in the block's sentences first, then anywhere in the pitch); else to the ``cta_url``
setting; else to the pitch's first link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..content.pitch import mentions, signals
from ..content.sentences import sentences
from ..models import CallToAction, Snippet, count_words
from .subjects import cut_phrase, phrasings, tidy_title

BODY_WORDS = 50  # a call to action a reader takes in at a glance
TITLE_CHARACTERS = 50
# the clause that names it: "... and Where The QL Claw Fits In" (not from an earlier "When")
_PRODUCT_HEADING = re.compile(r"\b(?:where|why|how|when) ((?:(?!\b(?:where|why|how|when)\b).)"
                              r"{2,50}?) (?:fits in|comes in|helps)\b|"
                              r"^(?:meet|try|introducing|get|discover)\s+(.{2,50})$",
                              re.IGNORECASE)
_ACTIONS = (  # what the pitch asks for -> the button
    (re.compile(r"\b(?:book|schedule|appointment|consultation|assessment|visit us)\b", re.I),
     "Book a visit"),
    (re.compile(r"\b(?:download|e-?book|checklist|worksheet)\b", re.I), "Download it free"),
    (re.compile(r"\b(?:class|course|workshop|webinar|register|enrol+)\b", re.I),
     "Save your spot"),
    (re.compile(r"\b(?:subscribe|membership|join)\b", re.I), "Join now"),
    (re.compile(r"\b(?:call us|contact us|get in touch|talk to us)\b", re.I), "Get in touch"),
    (re.compile(r"\b(?:order|buy|shop|purchase|get yours|shipping|in stock)\b", re.I),
     "Order yours"),
)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_WEB_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?(https?://[^\s)>]+)>?(?:\s+\"[^\"]*\")?\s*\)",
                       re.IGNORECASE)


@dataclass(frozen=True)
class CtaSettings:
    """The ``cta`` settings: the button's URL, how often it appears, its words."""

    url: str = ""
    every: int = 1  # in every Nth issue; 0: never
    button: str = ""  # "" : named from the pitch


def cta_blocks(pitches: Sequence[Snippet], products: Sequence[str], settings: CtaSettings
               ) -> list[CallToAction]:
    """The calls to action made from an article's pitches, in the order issues take them."""
    blocks: list[CallToAction] = []
    for pitch in pitches:
        product = _product(pitch, products)
        runs = _runs(pitch.body, product)
        titles = _titles(pitch.title, product)
        button = settings.button or _button(pitch, product)
        # the button carries the link: the pitch's own links read as words
        blocks += [CallToAction(titles[i % len(titles)],
                                _without_title(_LINK.sub(r"\1", run), titles[i % len(titles)]),
                                button_url(run, pitch.body, product, settings.url), button)
                   for i, run in enumerate(runs)]
    return blocks


def button_url(run: str, pitch: str, product: str, configured: str) -> str:
    """Where the button of the block ``run`` (of the pitch's Markdown ``pitch``) goes: the
    pitch's own link that asks the reader to act, else ``configured`` (``cta_url``), else
    the pitch's first link ("" when there is none of these)."""
    asking = own_links(run, product, asking=True) or own_links(pitch, product, asking=True)
    return next((url for url in (*asking, configured, *own_links(pitch)) if url), "")


def own_links(markdown: str, product: str = "", *, asking: bool = False) -> list[str]:
    """The http(s) addresses of the Markdown links in ``markdown``, in order; ``asking``:
    only those whose words ask the reader to act ("contact us") or name ``product``."""
    links = [(m.group(1), m.group(2)) for m in _WEB_LINK.finditer(markdown)]
    return [url for words, url in links if not asking
            or any(rule.search(words) for rule, _ in _ACTIONS)
            or (product and product.casefold() in words.casefold())]


def place(blocks: Sequence[CallToAction], count: int, every: int
          ) -> list[CallToAction | None]:
    """Which call to action each of ``count`` issues carries: every ``every``-th issue, the
    blocks in turn, never the same words in two issues in a row."""
    if not blocks or every <= 0:
        return [None] * count
    step = max(every, 2) if len({b.body for b in blocks}) == 1 else every
    placed: list[CallToAction | None] = [None] * count
    for turn, index in enumerate(range(0, count, step)):
        placed[index] = blocks[turn % len(blocks)]
    return placed


def _product(pitch: Snippet, products: Sequence[str]) -> str:
    """The product the pitch is about: a configured one it names, or its heading's."""
    named = [p for p in products if mentions(f"{pitch.title}\n{pitch.body}", [p])]
    if named:
        return max(named, key=lambda p: mentions(f"{pitch.title}\n{pitch.body}", [p]))
    found = _PRODUCT_HEADING.search(tidy_title(pitch.title))
    return next((g for g in found.groups() if g), "") if found else ""


def _short_names(product: str) -> list[str]:
    """How a pitch refers to the product: "The QL Claw", "The Claw" (no abbreviation)."""
    short = " ".join(w for w in product.split() if not (w.isupper() and len(w) > 1))
    return [n for n in dict.fromkeys((product, short)) if len(n.split()) >= 1 and n]


def _runs(body: str, product: str) -> list[str]:
    """Consecutive sentences of the pitch, at most BODY_WORDS words a run, each of which
    names the product or asks the reader to act; runs do not overlap."""
    names = _short_names(product) if product else []
    units = [s for para in re.split(r"\n\s*\n", body)
             for s in sentences(" ".join(_plain_line(line) for line in para.splitlines()))]
    runs: list[list[str]] = [[]]
    for unit in units:
        if count_words(" ".join([*runs[-1], unit])) > BODY_WORDS and runs[-1]:
            runs.append([])
        runs[-1].append(unit)
    telling = [" ".join(run) for run in runs if run and count_words(" ".join(run)) <= BODY_WORDS
               and _asks(" ".join(run), names)]
    return telling or [_first_words(body, BODY_WORDS)]


_ITEM_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")


def _plain_line(line: str) -> str:
    """A line of the pitch without its list mark and emphasis (``**Ready?** Sign up``)."""
    return _EMPHASIS.sub(r"\2", _ITEM_MARK.sub("", line)).strip()


def _without_title(run: str, title: str) -> str:
    """The run without the pitch's title when it opens with the title as a sentence of its
    own (``Ready to scale? Sign up ...``: the title shows above it); a title that is only
    the start of the first sentence stays in it."""
    head = run[:len(title) + 1]
    if (title and len(run) > len(title) + 20 and head.casefold().startswith(title.casefold())
            and (title[-1] in "?!." or head[-1] in "?!.:")):
        return run[len(title):].lstrip(" :.?!–—-")
    return run


def _asks(text: str, names: Sequence[str]) -> bool:
    return bool(mentions(text, names) or signals(text, names) & {"offer", "invitation",
                                                                 "product copy", "button"})


def _first_words(body: str, limit: int) -> str:
    """The pitch's first sentences up to ``limit`` words (at least one sentence)."""
    kept: list[str] = []
    for sentence in sentences(" ".join(body.split())):
        if kept and count_words(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def _titles(title: str, product: str) -> list[str]:
    own = [p for p in phrasings(title) if len(p) <= TITLE_CHARACTERS]
    named = [p for p in own if product and product.casefold() in p.casefold()]
    titles = [*(named or own[:1])]
    if product:
        titles += [f"Meet {product}", f"Have you tried {product}?"]
    return list(dict.fromkeys(titles)) or [cut_phrase(title, TITLE_CHARACTERS)]


def _button(pitch: Snippet, product: str) -> str:
    if product:
        return f"Get {product}"
    text = f"{pitch.title}\n{pitch.body}"
    return next((label for rule, label in _ACTIONS if rule.search(text)), "Find out more")
