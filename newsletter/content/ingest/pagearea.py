"""The article's stretch of a scraped page, found by where its prose is.

A scrape of a whole page converted to Markdown keeps everything the page showed: menus,
teasers of other stories with their blurbs, comment widgets, the footer's blurb. The article
is where the prose is dense: paragraphs of sentences written outside links. As in the
text-density extractors (Finn's body text extraction, readability's scoring), the heaviest
runs of such paragraphs mark the article; runs of two paragraphs or more near them (a
section after a gallery) belong to it too. After that stretch every block but the reference
list is page furniture, dropped with its reason. Above it only links
and short lines without a sentence go (an introduction set apart from the body by a "read
also" link or a product box stays); a button there (one short link) stays for ``split`` to
judge as a call to action.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from ...models import Block
from .lines import has_sentence, word_count

Drop = Callable[[Block, str], None]

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_PROSE_WORDS = 12  # words outside links that make a paragraph of the article's kind
_RUN_GAP = 4  # blocks (a heading, a picture's list, a quote) between paragraphs of one run
_NEAR = 10  # blocks: a run this close to the article, of two paragraphs or more, is part of it
REASON = ("page_chrome: outside the article's text on a scraped page (menus, teasers, "
          "comments, footer)")


def drop_outside_article(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """On a scraped page, drop what stands before and after the article's prose."""
    if not scraped:
        return blocks
    runs = _runs(blocks, [i for i, b in enumerate(blocks) if prose_words(b)])
    if len(runs) < 2:
        return blocks
    start, end = _article_span(blocks, runs)
    end = _with_closing_blocks(blocks, end)
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        above = index < start and not (_chrome_above(block) and not _button(block))
        if start <= index <= end or above or _kept_outside(blocks, index):
            kept.append(block)
        else:
            drop(block, REASON)
    return kept


def _chrome_above(block: Block) -> bool:
    """Above the article only links and short lines that say nothing in a sentence are
    furniture (``FIND YOUR NEXT CAR``): its title, standfirst, introduction and the lists
    and headings of an opening section stay."""
    if _links_only(block):
        return True
    return (block.kind == "paragraph" and not prose_words(block)
            and word_count(block.text) < _PROSE_WORDS and not has_sentence(block.text + " "))


def prose_words(block: Block) -> int:
    """The words ``block`` writes in sentences outside links (0 for a heading, a link list,
    a headline with its blurb)."""
    if block.kind not in ("paragraph", "quote", "list", "callout"):
        return 0
    texts = block.items if block.kind == "list" else (block.text,)
    return sum(_sentence_words(t) for t in texts)


def _linked_words(texts: Sequence[str]) -> int:
    """The words of ``texts`` that are the text of a link."""
    return sum(word_count(m[1]) for t in texts for m in _LINK.finditer(t))


def _sentence_words(text: str) -> int:
    linked = _linked_words((text,))
    outside = _LINK.sub(" ", text)
    words = word_count(outside)
    if words < _PROSE_WORDS or linked > words or not has_sentence(outside + " "):
        return 0
    return words


def _runs(blocks: Sequence[Block], indices: Sequence[int]) -> list[list[int]]:
    """The prose blocks in runs: close together, with no block of links between them."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index - runs[-1][-1] <= _RUN_GAP and not any(
                _links_only(b) for b in blocks[runs[-1][-1] + 1:index]):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _links_only(block: Block) -> bool:
    """A list or paragraph that is mostly links (a menu, a list of other stories)."""
    if block.kind not in ("list", "paragraph"):
        return False
    texts = block.items or (block.text,)
    linked = _linked_words(texts)
    return linked * 2 > sum(word_count(t) for t in texts) > 0 and linked > 0


def _article_span(blocks: Sequence[Block], runs: list[list[int]]) -> tuple[int, int]:
    weights = [sum(prose_words(blocks[i]) for i in run) for run in runs]
    heavy = [n for n, w in enumerate(weights) if w * 3 >= max(weights)]
    first, last = heavy[0], heavy[-1]
    while first > 0 and _joins(blocks, runs[first - 1], runs[first], after_article=False):
        first -= 1
    while last + 1 < len(runs) and _joins(blocks, runs[last], runs[last + 1], after_article=True):
        last += 1
    return runs[first][0], runs[last][-1]


def _joins(blocks: Sequence[Block], before: list[int], after: list[int],
           after_article: bool) -> bool:
    """Two runs of prose close together: the one that joins the article has two paragraphs
    or more. After the article a block of links between them (other stories) parts them;
    above it, links are the article's own asides (its products, a table of contents)."""
    between = blocks[before[-1] + 1:after[0]]
    joining = after if after_article else before
    return len(joining) >= 2 and len(between) <= _NEAR and not (
        after_article and _list_of_links(between))


def _list_of_links(blocks: Sequence[Block]) -> bool:
    """A menu or a list of other stories among ``blocks``: a list of three links or more, or
    two blocks of links in a row (one link in a box is the article's own aside)."""
    flags = [_links_only(b) for b in blocks]
    menus = any(f and b.kind == "list" and len(b.items) >= 3
                for f, b in zip(flags, blocks, strict=True))
    return menus or any(a and b for a, b in pairwise(flags))


def _with_closing_blocks(blocks: Sequence[Block], end: int) -> int:
    """The article's last blocks after its last paragraph: a list, a table or code of its
    own text (not links), and the headings over them."""
    while end + 1 < len(blocks) and _own_text(blocks[end + 1]):
        end += 1
    while blocks[end].kind in ("heading", "question") and end > 0:
        end -= 1  # a heading with nothing of the article under it
    return end


def _own_text(block: Block) -> bool:
    if block.kind in ("heading", "question") or block.rule in ("code_block", "table"):
        return True
    if block.kind != "list":
        return False
    return _linked_words(block.items) * 2 < sum(word_count(_LINK.sub(" ", t)) for t in block.items)


def _button(block: Block) -> bool:
    """One short link on its own (``[Request an appointment](/appointments)``): above the
    article it may be the page's own call to action, which ``split`` judges."""
    match = _LINK.fullmatch(block.text.strip()) if block.kind == "paragraph" else None
    return match is not None and 0 < word_count(match[1]) <= 5


def _kept_outside(blocks: Sequence[Block], index: int) -> bool:
    """The reference list and its heading stay wherever they stand."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return blocks[index].kind == "reference" or (
        blocks[index].kind == "heading" and following is not None
        and following.kind == "reference")
