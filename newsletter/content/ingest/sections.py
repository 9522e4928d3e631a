"""Passes over a reader's blocks for what only context tells: the page header above a
scrape's title, page furniture, tables of contents, sign-up boxes, bold lines that are
headings, reference sections without numbers, the author's sign-off at the end.

Each pass is a small function ``(blocks, drop, scraped) -> blocks``; ``drop(block, reason)``
records a block's lines as dropped, with the rule that fired as the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from ...models import Block
from .lines import (
    URL_LINE,
    core_text,
    final_char,
    has_sentence,
    is_heading_shape,
    is_reference_heading,
    is_title_case,
    reference_entry,
    word_count,
)
from .noise import (
    RELATED_HEADING,
    is_author_contact,
    is_author_tagline,
    is_boilerplate,
    is_breadcrumb,
    is_byline,
    is_contents_heading,
    is_cookie_notice,
    is_copyright,
    is_counter,
    is_dateline,
    is_disclosure,
    is_jump_link,
    is_link_call,
    is_link_without_url,
    is_navigation,
    is_photo_credit,
    is_read_more_link,
    is_role_line,
    is_separator,
    is_signup_line,
    is_skip_link,
    is_social_line,
    is_teaser_heading,
    is_valediction,
    is_widget_text,
    mentions_photo_credit,
)
from .pagearea import drop_outside_article

Drop = Callable[[Block, str], None]
BlockPass = Callable[[list[Block], Drop, bool], list[Block]]

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_BOLD_ONLY = re.compile(r"^\*\*([^*]+?)\*\*$")
def link_text(text: str) -> str:
    """``text`` with every Markdown link reduced to its text."""
    return _LINK.sub(lambda m: m[1], text)


def _links(text: str) -> list[tuple[str, str]]:
    return [(m[1].strip(), m[2]) for m in _LINK.finditer(text)]


def is_link_only(text: str) -> bool:
    """The text is one link, or links with nothing else but separators."""
    rest = _LINK.sub("", text)
    return bool(_LINK.search(text)) and not re.search(r"\w", rest)


def run_passes(blocks: Sequence[Block], drop: Drop, *, scraped: bool) -> list[Block]:
    """Every pass in order."""
    result = list(blocks)
    for block_pass in PASSES:
        result = block_pass(result, drop, scraped)
    return result


# --- the page header above the title ------------------------------------------------------------


def drop_page_header(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """A scrape of a whole page has its menus above the article's title (a level-1
    heading): when most of what comes before it is links and short lines, it is dropped.
    The title is the last level-1 heading with only such a header above it, so a banner
    heading that a converter put over the page's menus is dropped with them. A scrape with
    no level-1 heading has its title in the first heading (converters give a page's
    headline any level)."""
    titles = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1]
    if not titles and scraped:
        titles = [i for i, b in enumerate(blocks) if b.kind == "heading"][:1]
    start = max((i for n, i in enumerate(titles) if _is_header(blocks[:i], later=n > 0)
                 or (scraped and n > 0 and _page_title_over(blocks[titles[0]:i]))), default=0)
    before = blocks[:start]
    if not before:
        return blocks
    for block in before:
        drop(block, "page_header: menus and links above the article's title")
    return blocks[start:]


def _page_title_over(blocks: Sequence[Block]) -> bool:
    """``blocks`` run from a scrape's first level-1 heading to a later one with no text of
    an article between them (its description, a promotion, a menu): the first is the page's
    title and the later one the article's headline."""
    sizes = [word_count(b.text) for b in blocks[1:]
             if b.kind == "paragraph" and not _DESCRIPTION.match(b.text)]
    lists = [b for b in blocks[1:] if b.kind == "list"]
    return (max(sizes, default=0) < _INTRO_WORDS and sum(sizes) < 2 * _INTRO_WORDS
            and all(word_count(i) <= 4 for b in lists for i in b.items))


_INTRO_WORDS = 40  # an article's introduction says more than a page's description
_DESCRIPTION = re.compile(r"^[*_]*(?:meta )?(?:description|summary|excerpt)[*_]*\s*:", re.I)


def _is_header(before: Sequence[Block], later: bool) -> bool:
    # past an earlier level-1 heading only a long run of menus makes a header: a title, a
    # line of introduction and a table of contents are an article's start
    least, share = (10, 0.8) if later else (3, 0.6)
    return len(before) >= least and sum(_navigational(b) for b in before) >= share * len(before)


def _navigational(block: Block) -> bool:
    if block.kind == "heading":
        return True
    texts = list(block.items) if block.kind == "list" else [block.text]
    return all(is_link_only(t) or word_count(link_text(t)) <= 4 for t in texts)


# --- page furniture, one block at a time ----------------------------------------------------------

NOISE: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("skip_link: accessibility link", is_skip_link),
    ("jump_link: link to another part of the page", is_jump_link),
    ("cookie_notice: cookie banner", is_cookie_notice),
    ("navigation: site menu entry", is_navigation),
    ("byline: author, date or read-time line", is_byline),
    ("dateline: a date on a line of its own", is_dateline),
    ("breadcrumb: breadcrumb trail", is_breadcrumb),
    ("counter: a rating, count or pager of a page widget", is_counter),
    ("widget_text: a message of a page widget", is_widget_text),
    ("photo_credit: photo credit or caption", mentions_photo_credit),
    ("photo_credit: a picture's caption with its credit", is_photo_credit),
    ("social_links: social links or an invitation to get in touch", is_social_line),
    ("author_contact: the author's contact line", is_author_contact),
    ("author_bio: who the writer is", is_author_tagline),
    ("disclosure: the site's affiliate disclosure", is_disclosure),
    ("byline: a writer's role, under their name", is_role_line),
    ("link_without_url: link text whose URL was lost", is_link_without_url),
    ("signup_box: newsletter sign-up box", is_signup_line),
    ("boilerplate: page furniture (share, comments, copyright)", is_boilerplate),
    ("copyright: the site's copyright notice", is_copyright),
    ("separator: one character over and over", is_separator),
)


def drop_furniture(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """Paragraphs that are page furniture on their own (bylines, dates, counters, share
    rows, widget messages, social links); in a scrape also 1-3 word labels of buttons."""
    kept: list[Block] = []
    related = False  # the block before was a 'Related reading' label over a list of links
    for index, block in enumerate(blocks):
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        reason = _furniture(block, scraped, after)
        if not reason and related and block.kind == "list" and _link_list(block.items):
            reason = "related_posts: links to other posts under 'Related reading'"
        related = reason.startswith("related_posts") and block.kind != "list"
        if reason:
            drop(block, reason)
        else:
            kept.append(block)
    return kept


def _furniture(block: Block, scraped: bool, after: Block | None) -> str:
    if block.kind == "list" and scraped and _link_list(block.items):
        return "link_list: a menu or list of links to other pages"
    if block.kind == "list" and block.lead and _link_list(block.items) and _related(block.lead):
        return "related_posts: links to other posts under 'Related reading'"
    if (block.kind in ("paragraph", "heading") and _related(block.text) and after is not None
            and after.kind == "list" and _link_list(after.items)):
        return "related_posts: links to other posts under 'Related reading'"
    if block.kind == "heading" and block.level > 1 and is_byline(link_text(block.text)):
        return "byline: author, date or read-time line"
    if block.kind == "list" and _byline_list(block.items):
        return "byline: author, source and date set as a list"
    if block.kind == "list" and (reason := _furniture_list(block.items)):
        return reason
    if block.kind == "paragraph" and _icon_links(block.text):
        return "share_row: links with no text (the page's share or follow buttons)"
    if block.kind == "paragraph" and _linked_author_and_date(block.text):
        return "byline: the author's name linked to their page, and the date"
    if block.kind == "paragraph" and _option_list(link_text(block.text)):
        return "option_list: the choices of a picker (countries, languages) left by the scrape"
    if block.kind != "paragraph" or "\n" in block.text or word_count(block.text) > 40:
        return ""
    text = link_text(block.text).strip()
    if is_byline(block.text):  # the author's name linked to their page, then the date
        return "byline: author, date or read-time line"
    if is_link_only(block.text) and len(_links(block.text)) >= 2:
        return "link_row: a row of links to other pages"
    if is_read_more_link(block.text):
        return "related_posts: a link to another story after 'Read more:'"
    if is_link_only(block.text) and is_link_call(text):
        return "link_call: a link to follow (the episode, the video, the full story)"
    if _points_to_posts(block.text):
        return "related_posts: a line pointing to the site's other posts"
    # "**Last updated**: May 2024" is still a dateline, "_Credits: image by ..._" a credit
    bare = re.sub(r"\*\*|__|^[*_]|[*_]$", "", text.strip())
    if reason := _noise_reason(text, bare):
        return reason
    if scraped and _button_label(text, after):
        return "ui_label: label of a button or widget left by the scrape"
    return ""


def _noise_reason(*texts: str) -> str:
    """The first rule of :data:`NOISE` that any of ``texts`` (one line, as written and
    without its emphasis) falls under, or ""."""
    return next((reason for reason, test in NOISE if any(test(t) for t in texts)), "")


def _furniture_list(items: Sequence[str]) -> str:
    """A short list whose every item is furniture on its own ("Share on Facebook", "Share
    by email"; "Link copied"): the reason of its first item, as a list."""
    if len(items) > 8 or any(word_count(item) > 12 for item in items):
        return ""
    reasons = [_noise_reason(link_text(item).strip()) for item in items]
    return f"{reasons[0]} (set as a list)" if all(reasons) else ""


# "From: The Daily Paper", "Source: A Wire Service": the publication a byline names
_SOURCE_LABEL = re.compile(r"^(?:from|source|via|publisher)\s*:\s*\S.{0,40}$", re.IGNORECASE)


def _icon_links(text: str) -> bool:
    """Two or more links and no word to read: icons (``[ ____ ](https://...share...)``)."""
    links = _ANY_LINK.findall(text)
    return len(links) >= 2 and not re.search(r"[^\W_]", _ANY_LINK.sub(" ", text) + " ".join(links))


_ANY_LINK = re.compile(r"\[([^\]]{0,80})\]\([^)]{0,2000}\)")  # addresses with spaces too


def _linked_author_and_date(text: str) -> bool:
    """``[Jane Doe](/author/jane) Monday, February 29, 2016 @ 11:10 PM UTC`` (icons a
    converter left as empty emphasis around them aside)."""
    bare = re.sub(r"(?:^|\s)(?:__|\*\*)(?=\s|$)", " ", text).strip()
    found = _AUTHOR_PAGE.match(bare)
    rest = bare[found.end():].strip(" |·•-–—") if found else ""
    return found is not None and (not rest or is_dateline(rest.replace("@", " at ")))


def _byline_list(items: Sequence[str]) -> bool:
    """A page's byline set as a list: the author (or a link to the author's page), the
    publication, the date, the comment count, one an item."""
    items = [i for i in items if i.strip()]
    pairs = [(re.sub(r"\*\*|__", "", link_text(i)).strip(), i) for i in items]
    bylines = sum(is_byline(t) or bool(_AUTHOR_PAGE.fullmatch(i)) for t, i in pairs)
    return 2 <= len(pairs) <= 4 and bylines >= 1 and all(
        is_byline(t) or is_dateline(t) or _SOURCE_LABEL.match(t) or is_counter(t)
        or is_boilerplate(t) or _AUTHOR_PAGE.fullmatch(i) for t, i in pairs)


# a link to the author's page: ``[Jane Doe](/author/jane-doe)``
_AUTHOR_PAGE = re.compile(r"^\[[^\]]{3,60}\]\([^)\s]*(?:/(?:authors?|by|people|staff|profiles?|"
                          r"contributors?|writers?)/|[?&]author=)[^)\s]+(?:\s+\"[^\"]*\")?\)")


_PICKER_LABEL = re.compile(r"^(?:\w+\s){0,2}\w+:\s")
_LOWER_WORD = re.compile(r"^[a-z]")
_NAME_TOKEN = re.compile(r"^\(?[^\W\d_][\w'’-]*\)?$")


def _option_list(text: str) -> bool:
    """Twenty names or more in a row with hardly a punctuation mark: a picker's options."""
    names = _PICKER_LABEL.sub("", text.strip(), count=1).split()
    marks = len(re.findall(r"[.!?,;:](?:\s|$)", " ".join(names)))
    if len(names) < 20 or marks * 25 > len(names):  # prose has a mark every dozen words
        return False
    lower = sum(bool(_LOWER_WORD.match(n)) for n in names)
    wordlike = sum(bool(_NAME_TOKEN.match(n)) for n in names)
    return lower * 10 <= len(names) and wordlike * 10 >= len(names) * 9


def _related(text: str) -> bool:
    label = core_text(link_text(text)).strip("*_ ")
    return bool(RELATED_HEADING.match(label)) or is_teaser_heading(label)


# "Keep your garden healthy—see our [planning guide](...) and [watering tips](...)."
_SEE_OUR = re.compile(r"^(?:[^.!?\[]{0,40}?(?:[—–:,]|\s-)\s*)?(?:see|read|check out|explore|"
                      r"browse|don[’']t miss)\s+(?:our|my|these|the)\b", re.IGNORECASE)


def _points_to_posts(text: str) -> bool:
    """A short line that sends the reader to two or more of the site's other posts, their
    titles as links making up most of it: the post's reading list, not its content."""
    links = _links(text)
    plain_text = core_text(link_text(text)).strip("*_ ")
    linked = sum(word_count(label) for label, _ in links)
    return (len(links) >= 2 and word_count(plain_text) <= 30 and linked * 2 >= word_count(
        plain_text) and bool(_SEE_OUR.match(plain_text)))


def _link_list(items: Sequence[str]) -> bool:
    """Three or more items, nearly all of them only a link (a scraped page's menus)."""
    texts = [i.strip() for i in items if i.strip()]
    links = sum(is_link_only(t) or not re.search(r"[^\W_]", link_text(t))
                or is_boilerplate(link_text(t)) for t in texts)
    return len(texts) >= 3 and links >= 0.8 * len(texts)


def _button_label(text: str, after: Block | None) -> bool:
    """``Save``, ``Keep Screen Awake``, ``Servings:``: a few words with no sentence, not
    introducing a list."""
    if word_count(text) > 3 or final_char(text) in ".!?;," or not re.search(r"[^\W\d_]", text):
        return False
    if is_reference_heading(text):
        return False
    return after is None or after.kind != "list"


# --- sections that are furniture --------------------------------------------------------------


def _section_end(blocks: Sequence[Block], start: int) -> int:
    """The index after the section that the heading at ``start`` opens."""
    level = blocks[start].level or 9
    for index in range(start + 1, len(blocks)):
        block = blocks[index]
        if block.kind == "heading" and (block.level or 9) <= level:
            return index
    return len(blocks)


def drop_signup_sections(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """A heading such as ``From Us to Your Inbox`` opens a sign-up box: its form fields,
    messages and sub-headings go with it."""
    return _drop_sections(blocks, drop, lambda b: is_signup_line(b.text),
                          "signup_box: newsletter sign-up box")


def drop_tables_of_contents(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """A ``Table of Contents`` section, and any list of three or more links to places on
    the page itself (``#section``)."""
    blocks = _drop_sections(blocks, drop, lambda b: is_contents_heading(b.text),
                            "table_of_contents: links to the article's own sections")
    kept = []
    for block in blocks:
        if block.kind == "list" and _anchor_list(block.items):
            drop(block, "table_of_contents: links to the article's own sections")
        else:
            kept.append(block)
    return kept


def _anchor_list(items: Sequence[str]) -> bool:
    links = [_links(item) for item in items if item.strip()]
    return len(links) >= 3 and all(
        len(found) == 1 and "#" in found[0][1] and is_link_only(item.strip())
        for found, item in zip(links, [i for i in items if i.strip()], strict=True))


def _drop_sections(blocks: list[Block], drop: Drop, opens: Callable[[Block], bool],
                   reason: str) -> list[Block]:
    kept: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind == "heading" and opens(block):
            end = _section_end(blocks, index)
            for dropped in blocks[index:end]:
                drop(dropped, reason)
            index = end
            continue
        kept.append(block)
        index += 1
    return kept


# --- bold lines as headings --------------------------------------------------------------------


def bold_headings(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """A paragraph that is one short bold line (``**Why Vitamin D Matters**``) is a heading,
    one level under the article's last real heading. A bold lead-in ending in ``:`` stays
    with what it introduces; ``**Cost: $3 per meal**`` is a label, not a heading."""
    result: list[Block] = []
    real_level = 0
    series = _numbered_series(blocks)
    for index, block in enumerate(blocks):
        if block.kind == "heading" and not block.rule.startswith("bold"):
            real_level = block.level
        text = _bold_heading_text(block) or (_series_text(block) if index in series else "")
        if scraped and not text and _question_line(blocks, index):
            text = link_text(block.text).strip()
        if text:
            level = min(6, real_level + 1) if real_level else 2
            block = Block("heading", text, block.lines, level=level, rule="bold_line_heading")
        elif block.kind == "heading" and block.rule == "bold_line_heading":
            block = replace(block, level=min(6, real_level + 1) if real_level else 2)
        result.append(block)
    return result


_QUESTION_LINE = re.compile(r"^(?:why|how|what|when|where|who|which|is|are|can|do|does|should|"
                            r"will)\b[^.!?\n]{3,80}\?$", re.IGNORECASE)


def _question_line(blocks: Sequence[Block], index: int) -> bool:
    """In a scrape, a lone short question between paragraphs, answered by the paragraph
    after it ("How do engines work?"): a heading whose markup the scrape lost."""
    block = blocks[index]
    before = blocks[index - 1] if index else None
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    return (block.kind == "paragraph" and word_count(block.text) <= 10
            and bool(_QUESTION_LINE.match(link_text(block.text).strip().strip("*_")))
            and before is not None and before.kind == "paragraph"
            and after is not None and after.kind == "paragraph" and word_count(after.text) >= 8)


def _bold_text(block: Block) -> str:
    """The text of a paragraph that is all one bold line, else ""."""
    match = _BOLD_ONLY.match(block.text.strip()) if block.kind == "paragraph" else None
    return " ".join(link_text(match[1]).split()) if match else ""


# "Myth 2: Closing a card helps.", "Quick Win 3: Dispute errors (Week 3)", "4. I didn't
# take the lid off": a numbered label, or a number alone
_NUMBERED_LABEL = re.compile(r"^(?P<label>(?:[A-Z][\w'’-]*\s+){0,3})#?(?P<n>\d{1,2})\s*"
                             r"[:.)–—-]\s+\S")
_MAX_LABELLED_WORDS = 20


def _numbered_series(blocks: Sequence[Block]) -> set[int]:
    """The indexes of bold lines that number a series under one label (``**Myth 1: ...**``,
    ``**Myth 2: ...**``) or none (``**1. ...**``, ``**2. ...**``), each followed by text:
    headings of the items however they end (a myth is a sentence), where one bold sentence
    alone would be emphasis."""
    found: dict[str, list[tuple[int, int]]] = {}
    for index, block in enumerate(blocks[:-1]):
        text = _series_text(block)
        match = _NUMBERED_LABEL.match(text)
        followed = blocks[index + 1].kind != "heading"
        if match and word_count(text) <= _MAX_LABELLED_WORDS and followed:
            found.setdefault(match["label"].strip().lower(), []).append((int(match["n"]), index))
    series: set[int] = set()
    for members in found.values():
        numbers = [n for n, _ in members]
        if len(members) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            series.update(index for _, index in members)
    return series


# "**Step 1:** Choose the right seeds": a bold numbered label, then the step's short name
_LABELLED_LINE = re.compile(r"^\*\*(?P<label>[^*\n]{0,30}?\d{1,2})\s*[:.)]?\*\*\s*[:.)]?\s+"
                            r"(?P<name>[^*\n]{2,80})$")


def _series_text(block: Block) -> str:
    """A line that may number a series: all of it bold, or a bold numbered label and a
    short name after it (``Step 1: Choose the right seeds``)."""
    text = _bold_text(block)
    match = None if text or block.kind != "paragraph" else _LABELLED_LINE.match(
        block.text.strip())
    if match and is_heading_shape(match["name"]) and word_count(match["name"]) <= 10:
        return f"{match['label'].strip()}: {link_text(match['name']).strip()}"
    return text


def _bold_heading_text(block: Block) -> str:
    text = _bold_text(block)
    if not text:
        return ""
    if not is_heading_shape(text) or word_count(text) > 12:
        return ""
    if ": " in text and not is_title_case(text):
        return ""
    return text


# --- reference sections ------------------------------------------------------------------------

_BIBLIOGRAPHIC = re.compile(
    r"\bdoi\b|https?://|\baccessed\b|\bet al\b|\bjournal\b|\bvol\.|\bpp\.|\bretrieved\b|"
    r"\bpress\b|\buniversity\b|\bed(?:s|ition)?\.",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b|\(n\.d\.\)")  # "(n.d.)": an entry with no date


def reference_sections(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """What follows a ``Sources``/``References`` heading (or a ``SOURCES:`` line) up to the
    next heading is the reference list: list items, or paragraphs when it has no list, are
    entries, numbered in order when they carry no number. A numbered list of bibliographic
    entries (years, DOIs, journals, ``Accessed``) is a reference list wherever it stands."""
    result: list[Block] = []
    index = 0
    next_number = _highest_label(blocks) + 1
    blocks = [part for block in blocks for part in _reference_lead_apart(block)]
    while index < len(blocks):
        block = blocks[index]
        heading = _reference_heading(block) or _heading_over_bibliography(blocks, index)
        inline = _inline_reference_list(block) if heading is None else None
        if inline is not None:  # "**Sources:** A · B · C"
            entries = _list_entries(inline, next_number)
            next_number += len(entries)
            result.extend(entries)
            index += 1
            continue
        if heading is None:
            if block.kind == "list" and block.ordered and _bibliographic(block.items):
                entries = _list_entries(block, next_number)
                next_number = max(next_number, max(int(e.label) for e in entries) + 1)
                result.extend(entries)
            else:
                result.append(block)
            index += 1
            continue
        end = _reference_end(blocks, index, heading)
        entries, notes = _section_entries(blocks[index + 1 : end], next_number)
        if not entries or (_NOTES.match(heading.text) and not _cites(blocks[:index], entries)):
            result.append(block)
            index += 1
            continue
        for note in notes:
            drop(note, "reference_note: note or heading inside the reference list")
        next_number = max([next_number, *(int(e.label) + 1 for e in entries if e.label.isdigit())])
        result.extend([heading, *entries])
        index = end
    return result


# "Notes" heads a recipe's or a lesson's notes as often as its footnotes
_NOTES = re.compile(r"^[#*_\s]*notes[*_\s]*:?[*_\s]*$", re.IGNORECASE)


def _cites(blocks: Sequence[Block], entries: Sequence[Block]) -> bool:
    """Some block before the list cites one of its entries (``[2]``, ``[^2]``, ``<sup>``)."""
    text = " ".join(b.text or " ".join(b.items) for b in blocks)
    cited = set(re.findall(r"\[\^?(\w{1,4})\]|<sup>\s*(\d{1,4})\s*</sup>", text))
    return any(e.label in pair for e in entries for pair in cited)


_INLINE_LIST = re.compile(r"^\W*(?P<label>[\w ]{2,40}?)\W*:\W*(?P<rest>\S.*)$", re.DOTALL)
_ENTRY_SEPARATOR = re.compile(r"\s+[·•|]\s+|\s*;\s+")


def _inline_reference_list(block: Block) -> Block | None:
    """A paragraph that is a reference list run into one line, its entries set off by middle
    dots or semicolons (``*📚 **Verified Sources:** IRS Publication 590-A · IRS Topic 557*``):
    the list it is, for :func:`_list_entries`."""
    if block.kind != "paragraph" or not block.lines:
        return None
    match = _INLINE_LIST.match(block.text.strip())
    label = match["label"].split()[-2:] if match else []
    if not label or not (is_reference_heading(" ".join(label))
                         or is_reference_heading(label[-1])):
        return None
    entries = [e.strip(" *_") for e in _ENTRY_SEPARATOR.split(match["rest"].strip(" *_"))]
    if len(entries) < 2 or any(not e or word_count(e) > 30 for e in entries):
        return None
    return Block("list", items=tuple(entries), lines=block.lines, rule="reference_inline_list")


def _reference_lead_apart(block: Block) -> list[Block]:
    """A list led by ``**References:**`` (the label right above its items, no blank line
    between): the label is the reference heading, the items its entries."""
    lead = block.lead.strip().strip("*_").strip()
    if block.kind != "list" or not lead or not is_reference_heading(lead) or not block.lines:
        return [block]
    return [Block("paragraph", block.lead, block.lines[:1], rule="reference_lead"),
            replace(block, lead="", lines=block.lines[1:])]


def _reference_heading(block: Block) -> Block | None:
    text = block.text.strip().strip("*_").strip()
    if block.kind == "heading" and is_reference_heading(text):
        return block
    if block.kind == "paragraph" and is_reference_heading(text) and word_count(text) <= 4:
        return Block("heading", text.rstrip(":").strip(), block.lines, level=9,
                     rule="reference_heading")
    return None


def _heading_over_bibliography(blocks: Sequence[Block], index: int) -> Block | None:
    """A heading of any words (``How we reviewed this article:``) over one list of
    bibliographic entries and nothing else: the reference list's heading."""
    block = blocks[index]
    under = blocks[index + 1 : index + 2]
    after = blocks[index + 2] if index + 2 < len(blocks) else None
    if not (block.kind == "heading" and under and under[0].kind == "list"
            and (after is None or after.kind == "heading")):
        return None
    return block if _bibliographic(under[0].items, share=0.8) else None


def _reference_end(blocks: Sequence[Block], start: int, heading: Block) -> int:
    for index in range(start + 1, len(blocks)):
        block = blocks[index]
        if block.kind in ("heading", "question") and block.level <= heading.level:
            return index
        if block.kind == "paragraph" and is_link_only(block.text) and heading.level == 9:
            return index  # a ``SOURCES:`` line's entries end at the page's own links
    return len(blocks)


def _section_entries(blocks: Sequence[Block], number: int) -> tuple[list[Block], list[Block]]:
    """The reference entries of a reference section, and the blocks that are notes in it."""
    as_entries = _paragraph_entries(blocks)
    entries: list[Block] = []
    notes: list[Block] = []
    for block in blocks:
        if block.kind == "reference":
            entries.append(block)
        elif block.kind == "list":
            entries.extend(_list_entries(block, number))
        elif block.kind in ("paragraph", "quote", "callout") and as_entries:
            entries.append(_entry(block.text, block.lines, number))
        else:
            notes.append(block)
            continue
        number = max([number, *(int(e.label) + 1 for e in entries if e.label.isdigit())])
    return entries, notes


_CITED_WORK = re.compile(r"https?://|\bdoi\b|[“\"][^”\"]{8,}[”\"]|(?<!\w)[*_][^*_]{3,}[*_](?!\w)|"
                         r"\b(?:19|20)\d\d\b")


def _paragraph_entries(blocks: Sequence[Block]) -> bool:
    """Paragraphs are the entries of a reference section with no list when there are two or
    more, each short, and most name a work (a URL, a DOI, a quoted or emphasised title, a
    year); a prose paragraph under ``Resources`` stays prose."""
    if any(b.kind == "list" for b in blocks):
        return False
    texts = [b.text for b in blocks if b.kind in ("paragraph", "quote", "callout")]
    cited = sum(bool(_CITED_WORK.search(t)) for t in texts)
    return (len(texts) >= 2 and all(word_count(t) <= 60 for t in texts)
            and cited * 2 >= len(texts))


def _list_entries(block: Block, number: int) -> list[Block]:
    items = [i for i in block.items if not i.startswith(" ")]
    if block.ordered and block.label.isdigit():
        number = int(block.label)
    elif block.ordered:
        number = 1 if number <= 1 else number
    return [_entry(item, own, number + offset, numbered=block.ordered)
            for offset, (item, own) in enumerate(zip(items, _share_lines(block.lines, len(items)),
                                                     strict=True))]


def _share_lines(lines: Sequence[int], count: int) -> list[tuple[int, ...]]:
    """``lines`` shared out among ``count`` entries, every line to exactly one: one each,
    lines beyond that (a lead-in, an item's second line) to the first entry."""
    if count == 0:
        return []
    extra = max(0, len(lines) - count)
    shares = [tuple(lines[: extra + 1])] + [(n,) for n in lines[extra + 1 :]]
    return (shares + [()] * count)[:count]


def _entry(text: str, lines: Sequence[int], number: int, numbered: bool = False) -> Block:
    found = None if numbered else reference_entry(text.strip())
    label, value = (found[0], found[1]) if found else (str(number), text)
    return Block("reference", reference_value(value), tuple(lines), label=label,
                 rule="reference_entry" if found or numbered else "reference_unnumbered")


def reference_value(text: str) -> str:
    """A reference as plain text: a bare URL stays the URL; links in a text are written as
    ``text URL`` (the link's text dropped when it is the URL itself)."""
    def unlink(match: re.Match[str]) -> str:
        label, url = match[1].strip(), match[2]
        return url if not label or URL_LINE.match(label) or label == url else f"{label} {url}"

    text = _LINK.sub(unlink, text.strip())
    text = re.sub(r"(\*\*|__|(?<!\w)[*_]|[*_](?!\w))", "", text)
    return " ".join(text.split())


def _highest_label(blocks: Sequence[Block]) -> int:
    labels = [int(b.label) for b in blocks if b.kind == "reference" and b.label.isdigit()]
    return max(labels, default=0)


def _bibliographic(items: Sequence[str], share: float = 0.6) -> bool:
    """Most items (``share`` of them) read as bibliographic entries: a year and a DOI, URL,
    journal, ``Accessed``."""
    top = [i for i in items if i.strip() and not i.startswith(" ")]
    hits = sum(bool(_YEAR.search(i) and _BIBLIOGRAPHIC.search(i)) for i in top)
    return len(top) >= 3 and hits >= share * len(top)


# --- the author's sign-off -------------------------------------------------------------------


def drop_signoff(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """The author's sign-off near the end: an author card (a linked picture with a name), a
    valediction (``Yours in health,``) or the author's name in bold on its own line, and the
    short lines after it (the name, credentials, the site, a P.S., social links). When only
    short lines and headings follow to the end (the page's footer: the site's name, an
    address, a copyright line), they go with it."""
    start = _signoff_start(blocks)
    if start is None:
        return blocks
    end = start + 1
    while end < len(blocks) and _signoff_line(blocks[end]):
        end += 1
    kept = [b for b in blocks[start:end] if _points_to_action(b)]
    for block in blocks[start:end]:
        if block not in kept:
            drop(block, "author_signoff: the author's card, credentials and contact lines")
    if not all(_short(b) for b in blocks[end:]):
        return blocks[:start] + kept + blocks[end:]
    for block in blocks[end:]:
        drop(block, "page_footer: the site's name, address and links after the sign-off")
    return blocks[:start] + kept


# "Haven't had your check-up yet? ⬇⬇⬇": the author pointing at a booking button below
_POINTS_DOWN = re.compile(r"\w.*(?:[⬇↓👇⤵⏬🔽]\ufe0f?\s*)+$")


def _points_to_action(block: Block) -> bool:
    return block.kind == "paragraph" and bool(_POINTS_DOWN.search(block.text))


def _signoff_start(blocks: Sequence[Block]) -> int | None:
    """Where the sign-off starts: the first author card in the second half of the blocks or
    of the words, or a valediction or bold name line past the middle of the article's words
    with only short lines after it."""
    sizes = [word_count(b.text or " ".join(b.items)) for b in blocks]
    total, seen = sum(sizes) or 1, 0
    for index, block in enumerate(blocks):
        seen += sizes[index]
        late = seen >= 0.5 * total
        if block.rule == "author_card" and (late or index >= len(blocks) // 2):
            return index
        closing = (block.kind == "paragraph" and is_valediction(block.text)) or (
            block.rule == "bold_line_heading" and _is_person_name(block.text))
        if (closing and late
                and all(_short(b) or b.rule == "author_card" for b in blocks[index + 1 :])):
            return index
    return None


def _signoff_line(block: Block) -> bool:
    """A line of a sign-off: a short paragraph or list, another author card, the name."""
    if block.rule == "bold_line_heading":
        return _is_person_name(block.text)
    return block.kind in ("paragraph", "list") and _short(block)


def _short(block: Block) -> bool:
    """A heading, or a paragraph or list of 40 words or fewer: what a sign-off and a page
    footer are made of (no paragraph of the article)."""
    if block.kind in ("heading", "question"):
        return True
    return (block.kind in ("paragraph", "list")
            and word_count(block.text or " ".join(block.items)) <= 40)


def _is_person_name(text: str) -> bool:
    from .text import is_author_name  # the text reader's test of a name on its own line

    return is_author_name(text)


# --- widgets ------------------------------------------------------------------------------------


def drop_widget_sections(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """In a scraped page, a heading over three or more short lines and nothing else (``Ratings``
    / ``5 out of 5`` / ``Your rating`` / ``Submit`` / ``Log in to rate``): a page widget's
    labels and buttons, not a section of the article."""
    if not scraped:
        return blocks
    kept: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        end = _section_end(blocks, index) if block.kind == "heading" else index + 1
        under = blocks[index + 1 : end]
        if (block.kind == "heading" and len(under) >= 3 and all(
                b.kind == "paragraph" and b.rule != "table" and word_count(b.text) <= 12
                for b in under)
                and not any(word_count(b.text) >= 8 and final_char(b.text) in ".!" and
                            not is_widget_text(b.text) for b in under)):
            for widget in blocks[index:end]:
                drop(widget, "widget: a page widget's labels and buttons")
            index = end
            continue
        kept.append(block)
        index += 1
    return kept


# --- numbered headings written as one-item lists -----------------------------------------------


def numbered_headings(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """``1. Take the blankets off the bed`` over a paragraph, ``2. Check the peep hole`` over
    the next ...: a numbered series of short lines, each a one-item list with prose under it,
    is a series of numbered headings (a writer's or a converter's ``<p>1. ...</p>``), one
    level below the heading above them."""
    series = _numbered_series_items(blocks)
    if not series:
        return blocks
    result = list(blocks)
    level = 2
    for index, block in enumerate(blocks):
        if block.kind == "heading" and index < series[0]:
            level = min(6, block.level + 1)
        if index in series:
            result[index] = Block("heading", f"{_list_number(block)}. {block.items[0].strip()}",
                                  block.lines, level=level, rule=f"{block.rule}+numbered_heading")
    return result


def _numbered_series_items(blocks: Sequence[Block]) -> list[int]:
    """The indices of the one-item numbered lists in the longest run numbered 1, 2, 3 ... in
    order, each a short line with a paragraph right under it (headings numbered the same
    way, ``### 5. Tip``, count in the run)."""
    best: list[int] = []
    current: list[int] = []
    for index in range(len(blocks)):
        number = _series_number(blocks, index)
        if number is None:
            continue
        if current and number == _series_number(blocks, current[-1]) + 1:
            current.append(index)
        else:
            current = [index]
        best = max(best, current, key=len)
    return [i for i in best if blocks[i].kind == "list"] if len(best) >= 2 else []


_NUMBERED_HEADING = re.compile(r"^(\d{1,2})[.)]\s")


def _series_number(blocks: Sequence[Block], index: int) -> int | None:
    block = blocks[index]
    if block.kind == "heading" and (match := _NUMBERED_HEADING.match(block.text)):
        return int(match[1])
    return _list_number(block) if _numbered_line(blocks, index) else None


def _numbered_line(blocks: Sequence[Block], index: int) -> bool:
    block = blocks[index]
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    if not (block.kind == "list" and block.ordered and len(block.items) == 1 and not block.lead):
        return False
    item = block.items[0].strip()
    return (0 < word_count(item) <= 14 and final_char(item) not in ".,;:" and "\n" not in item
            and following is not None and following.kind == "paragraph"
            and word_count(following.text) >= 8)


def _list_number(block: Block) -> int:
    return int(block.label) if block.label.isdigit() else 1


# --- plain lines that head sections in a scrape ------------------------------------------------

_LINE_HEADING_WORDS = 8
_LINE_HEADING_SERIES = 3  # such lines in one article before any is taken for a heading


def plain_line_headings(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """In a scraped page, short lines without final punctuation, each between the text
    before it and a paragraph or list under it (``Downward-Facing Dog`` over the pose's
    steps), three or more of them: the scrape lost their heading tags. Each becomes a
    heading one level below the heading above it."""
    if not scraped:
        return blocks
    lines = [i for i in range(len(blocks)) if _plain_line_heading(blocks, i)]
    if len(lines) < _LINE_HEADING_SERIES:
        return blocks
    result, level = list(blocks), 2
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            level = min(6, block.level + 1)
        elif index in lines:
            result[index] = Block("heading", block.text, block.lines, level=level,
                                  rule="plain_line_heading: a short line over a section's text")
    return result


def _plain_line_heading(blocks: Sequence[Block], index: int) -> bool:
    block = blocks[index]
    if block.kind != "paragraph" or block.rule != "markdown_paragraph" or index == 0:
        return False
    text = block.text.strip()
    after, before = blocks[index + 1] if index + 1 < len(blocks) else None, blocks[index - 1]
    return (0 < word_count(text) <= _LINE_HEADING_WORDS and is_heading_shape(text)
            and text[:1].isupper() and "](" not in text and "\n" not in text
            and after is not None and after.kind in ("paragraph", "list")
            and word_count(after.text or " ".join(after.items)) >= 12
            and not (after.kind == "paragraph" and is_heading_shape(after.text))
            and before.kind in ("paragraph", "list", "heading")
            and final_char(before.text or "x") != ":")


# --- step lists a converter broke -------------------------------------------------------------

_STEP_LABEL = re.compile(r"^(?:step\s*)?\d{1,2}\s*[.:)]?$", re.IGNORECASE)


def step_lists(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """``1. Step 1`` then the step's paragraph, ``2. Step 2`` then its paragraph ...: a
    converter wrote each item's text outside its list. Two such steps or more are one
    numbered list whose items are the steps' paragraphs."""
    result: list[Block] = []
    index = 0
    while index < len(blocks):
        steps, end = _broken_steps(blocks, index)
        if len(steps) >= 2:
            lines = tuple(n for b in blocks[index:end] for n in b.lines)
            first = blocks[index]
            result.append(Block("list", lines=lines, items=tuple(steps), ordered=True,
                                label=first.label, rule="markdown_list+step_paragraphs"))
            index = end
        else:
            result.append(blocks[index])
            index += 1
    return result


def _broken_steps(blocks: Sequence[Block], index: int) -> tuple[list[str], int]:
    steps: list[str] = []
    while index < len(blocks) and _step_label(blocks[index]):
        texts = []
        index += 1
        while index < len(blocks) and blocks[index].kind == "paragraph":
            texts.append(blocks[index].text)
            index += 1
        if not texts:
            break
        steps.append(" ".join(texts))
    return steps, index


def _step_label(block: Block) -> bool:
    return (block.kind == "list" and block.ordered and len(block.items) == 1
            and bool(_STEP_LABEL.match(block.items[0].strip())))


# --- comments end a scraped page ----------------------------------------------------------------

_COMMENTS_HEADING = re.compile(
    r"^(?:\d[\d,]*\s+)?(?:comments?|responses?|replies|reader comments|leave a (?:reply|comment)|"
    r"join the (?:discussion|conversation)|add (?:a )?comment|discussion)\s*:?$",
    re.IGNORECASE,
)


def drop_comments(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """In a scrape of a whole page, a ``Comments`` (``Leave a Reply``, ``12 Comments``)
    heading past the middle of the article opens the readers' comments: it and all that
    follows (tags, related links, the footer) is not the article. So does one earlier when
    the comment form's controls follow it ("Add Comment", "Submit"): long comments can
    outweigh the article."""
    if not scraped:
        return blocks
    sizes = [word_count(b.text or " ".join(b.items)) for b in blocks]
    total, seen = sum(sizes) or 1, 0
    for index, block in enumerate(blocks):
        seen += sizes[index]
        heading, form = _comments_heading(block)
        if heading and (form or seen >= 0.5 * total
                        or _comment_form(blocks[index + 1 : index + 4])):
            for rest in blocks[index:]:
                drop(rest, "comments: readers' comments and the page after them")
            return blocks[:index]
    return blocks


def drop_teaser_sections(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """In a scrape of a whole page, a ``Read this next`` (``Related stories``) heading late
    in the page over nothing but short blurbs and lists (the scrape lost their links): other
    pages' teasers, dropped with it up to the next heading of its level or above."""
    if not scraped:
        return blocks
    sizes = [word_count(b.text or " ".join(b.items)) for b in blocks]
    total, seen, kept, index = sum(sizes) or 1, 0, [], 0
    while index < len(blocks):
        block = blocks[index]
        seen += sizes[index]
        end = _section_end(blocks, index) if block.kind == "heading" else index + 1
        under = blocks[index + 1 : end]
        if (block.kind == "heading" and seen >= 0.6 * total and under
                and is_teaser_heading(link_text(block.text))
                and all(_blurb(b) for b in under)):
            for teaser in blocks[index:end]:
                drop(teaser, "related_teaser: other pages' headlines and blurbs")
            seen += sum(sizes[index + 1 : end])
            index = end
            continue
        kept.append(block)
        index += 1
    return kept


def _blurb(block: Block) -> bool:
    """A teaser's part: a blurb, a short list, another story's linked headline, or the
    heading of another box of them."""
    if block.kind == "list":
        return all(word_count(i) <= _BLURB_WORDS for i in block.items)
    if block.kind == "heading":
        return block.rule.endswith(LINKED_HEADING) or is_teaser_heading(link_text(block.text))
    return block.kind == "paragraph" and word_count(block.text) <= _BLURB_WORDS


_BLURB_WORDS = 45  # a teaser's blurb: a sentence or two about another page


def _comments_heading(block: Block) -> tuple[bool, bool]:
    """Whether ``block`` heads the comments, and whether it carries the comment form's own
    control (``Leave a Comment [Cancel Reply](#respond)``)."""
    if block.kind != "heading":
        return False, False
    text = link_text(block.text).strip()
    bare = _CANCEL_REPLY.sub("", text)
    return bool(_COMMENTS_HEADING.match(bare)), bare != text


_CANCEL_REPLY = re.compile(r"\s*\(?cancel reply\)?$", re.IGNORECASE)
_COMMENT_CONTROL = re.compile(r"^(?:add|post|write|leave) (?:a |your )?(?:comment|reply)|^submit$|"
                              r"^(?:all|newest|oldest|top) comments$|^sort by\b", re.IGNORECASE)


def _comment_form(blocks: Sequence[Block]) -> bool:
    texts = [t for b in blocks for t in ([b.text] if b.kind == "paragraph" else b.items)]
    return any(_COMMENT_CONTROL.match(link_text(t).strip()) for t in texts)


# --- the pager that ends a page ---------------------------------------------------------------

_PAGER = re.compile(r"^(?:[«‹←<]\s*)?(?:prev(?:ious)?|older|newer|next)(?:\s+(?:post|page|"
                    r"article|chapter|entry|story))?(?:\s*[»›→>])?$", re.IGNORECASE)


_TEASER_WORDS = 50  # a teaser's blurb under its linked headline
# what is left of a link around a link (``[[Read on](/a)](/a "Title")`` lost its outer ``[``)
_LOST_LINK = re.compile(r"\]\(\S+(?:\s+\"[^\"]*\")?\)")
LINKED_HEADING = "_linked"  # ends the rule of a heading that links to another page


def drop_teaser_runs(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """Two or more headlines in a row that link to other pages, each with at most a short
    blurb, are teasers for other stories (``### [Title](/other-story)`` + a line); the empty
    headings right above them (``More stories``) go with them. On a scraped page three
    paragraphs in a row that are each one link, with their blurbs, are such teasers too."""
    drops: set[int] = set()
    index = 0
    while index < len(blocks):
        run, end = _teaser_run(blocks, index, scraped)
        linked_paragraphs = any(blocks[i].kind == "paragraph" for i in run)
        if len(run) >= (3 if linked_paragraphs else 2):
            first = index
            while first > 0 and blocks[first - 1].kind == "heading":
                first -= 1
            drops.update(range(first, end))
            index = end
        else:
            index += 1
    for number in sorted(drops):
        drop(blocks[number], "related_posts: headlines of other stories, with their blurbs")
    return [b for n, b in enumerate(blocks) if n not in drops]


def _teaser_run(blocks: Sequence[Block], start: int,
                scraped: bool) -> tuple[list[int], int]:
    """The linked headlines from ``start`` on (each followed by a short blurb), and the end;
    on a scraped page a paragraph that is one link of three words or more is a headline too."""
    run: list[int] = []
    index = start
    while index < len(blocks) and _linked_headline(blocks[index], scraped):
        end = _blurb_end(blocks, index, scraped)
        blurb = sum(word_count(_LOST_LINK.sub(" ", link_text(b.text or " ".join(b.items))))
                    for b in blocks[index + 1:end])
        if blurb > _TEASER_WORDS:
            break
        run.append(index)
        index = end
    return run, index


def _blurb_end(blocks: Sequence[Block], index: int, scraped: bool) -> int:
    """Where the blurb under the linked headline at ``index`` ends: under a link set as a
    paragraph it is the one paragraph after it; under a heading it runs to the next heading
    or headline."""
    end = index + 1
    if blocks[index].kind == "paragraph":
        following = blocks[end] if end < len(blocks) else None
        if following is not None and following.kind == "paragraph" and not (
                _linked_headline(following, scraped)):
            return end + 1
        return end
    while end < len(blocks) and blocks[end].kind not in ("heading", "question") and not (
            _linked_headline(blocks[end], scraped)):
        end += 1
    return end


def _linked_headline(block: Block, scraped: bool) -> bool:
    if block.kind == "paragraph":
        match = _LINK.fullmatch(block.text.strip())
        return scraped and match is not None and word_count(match[1]) >= 3
    return block.kind == "heading" and block.rule.endswith(LINKED_HEADING)


def drop_after_pager(blocks: list[Block], drop: Drop, scraped: bool) -> list[Block]:
    """The links to the previous and next page close a scraped page: with no paragraph of
    prose after them (only the site's footer), they and what follows are dropped."""
    prose = [i for i, b in enumerate(blocks) if _prose(b)]
    start = next((i for i, b in enumerate(blocks)
                  if prose and prose[0] < i and _is_pager(b)), None)
    if start is None or prose[-1] > start:
        return blocks
    for block in blocks[start:]:
        drop(block, "page_footer: the pager and the site's footer after the article")
    return blocks[:start]


def _is_pager(block: Block) -> bool:
    text = re.sub(r"\n[-|: ]+$", "", block.text)  # a pager set as a table's header row
    parts = [p for p in re.split(r"\s*[|·•/]\s*", link_text(text).strip()) if p]
    return block.kind == "paragraph" and bool(parts) and all(_PAGER.match(p) for p in parts)


def _prose(block: Block) -> bool:
    """A paragraph of the article's kind: a sentence of 20 words or more, mostly not links,
    and no copyright notice (a footer's lines are short, linked or legal)."""
    if block.kind != "paragraph" or word_count(block.text) < 20:
        return False
    text = link_text(block.text)
    linked = word_count(text) - word_count(_LINK.sub("", block.text))
    return (has_sentence(text) and linked * 2 < word_count(text)
            and not is_copyright(text[:40]))


PASSES: tuple[BlockPass, ...] = (
    step_lists,
    numbered_headings,
    plain_line_headings,
    drop_page_header,
    bold_headings,
    drop_signoff,
    drop_after_pager,
    drop_teaser_runs,
    drop_comments,
    drop_signup_sections,
    drop_tables_of_contents,
    drop_widget_sections,
    drop_furniture,
    reference_sections,
    drop_outside_article,
    drop_teaser_sections,  # what the article's span kept of a teaser box whose links were lost
)
