"""Scraped plain text -> Document.

A scrape flattens a page into lines. Structure is recovered by classifying each non-blank
line with its neighbours (blank lines around it, length, final punctuation, bullet prefix,
question mark, Title Case, repetition). Each rule is a small named function; the rule that
fired is stored on the block (``Block.rule``) or the dropped line (``Dropped.reason``) so
``newsletter split --explain`` can show it.

The passes run in a fixed order, each one only looking at lines that no earlier pass has
claimed: noise, reference list, callouts, title, lists, captions, link lists, headings.
Whatever is left is paragraph text. Every non-blank line ends in exactly one block, one
reference entry or one dropped record.

The shapes of lines (:mod:`.lines`) and the noise rules (:mod:`.noise`) are shared with
the Markdown and HTML readers.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from ...models import Block, Document, Dropped
from .fragments import fragment_groups, joined, one_element_per_line, one_paragraph_per_line
from .lines import (
    URL_LINE,
    callout_parts,
    clean_line,
    core_text,
    final_char,
    has_sentence,
    is_heading_shape,
    is_reference_heading,
    is_short_label,
    is_title_case,
    list_marker,
    mark_faq_questions,
    reference_entry,
    shape,
    significant_words,
    strip_heading_marks,
    strip_site_name,
    word_count,
)
from .noise import (
    FORM_FIELD,
    IMAGE_PREFIX,
    RELATED_HEADING,
    is_age_notice,
    is_author_contact,
    is_author_tagline,
    is_boilerplate,
    is_breadcrumb,
    is_byline,
    is_cookie_notice,
    is_copyright,
    is_counter,
    is_dateline,
    is_disclosure,
    is_header_key,
    is_image_label,
    is_image_viewer,
    is_jump_link,
    is_link_without_url,
    is_navigation,
    is_number_only,
    is_photo_credit,
    is_role_line,
    is_separator,
    is_share_row,
    is_signup_line,
    is_skip_link,
    is_social_line,
    is_store_button,
    is_teaser_heading,
    is_teaser_link,
    is_widget_text,
)

# --- the reader ----------------------------------------------------------------------------

_EDGE_GAP = 9  # blank lines assumed before the first and after the last line


@dataclass
class Line:
    """A non-blank input line and the blank lines around it."""

    index: int  # position among the non-blank lines
    number: int  # 1-based line number in the file
    text: str
    gap_before: int = _EDGE_GAP
    gap_after: int = _EDGE_GAP
    space_after: bool = False  # a whitespace-only (not empty) line follows before the next
    pieces: tuple[tuple[int, str], ...] = ()  # (number, text) of the lines joined into this

    @property
    def numbers(self) -> tuple[int, ...]:
        """The file's line numbers this line holds (more than one when fragments joined)."""
        return tuple(n for n, _ in self.pieces) or (self.number,)


@dataclass(frozen=True)
class Tag:
    """What a pass decided about one line."""

    kind: str  # drop | title | heading | item | lead | callout | reference | refhead
    rule: str
    group: int = -1  # list id for items and leads
    text: str = ""
    label: str = ""
    ordered: bool = False


@dataclass
class State:
    """The lines and the tags given so far."""

    lines: list[Line]
    tags: dict[int, Tag] = field(default_factory=dict)
    title: str = ""
    groups: int = 0
    element_per_line: bool = False  # a page dump: every element on a line of its own

    def free(self, index: int) -> bool:
        """True when ``index`` is a line no pass has claimed yet."""
        return 0 <= index < len(self.lines) and index not in self.tags

    def drop(self, index: int, rule: str) -> None:
        """Record line ``index`` as noise."""
        self.tags[index] = Tag("drop", rule)

    def new_group(self) -> int:
        """A fresh list id."""
        self.groups += 1
        return self.groups


def scan_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with their gaps; whitespace-only lines count as blank."""
    lines: list[Line] = []
    gap, spaces = 0, False
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        cleaned = clean_line(raw)
        if not cleaned:
            gap, spaces = gap + 1, spaces or bool(raw)
            continue
        if lines:
            lines[-1].gap_after, lines[-1].space_after = gap, spaces
        lines.append(Line(len(lines), number, cleaned, gap if lines else _EDGE_GAP))
        gap, spaces = 0, False
    return lines


def rejoin_fragments(lines: list[Line]) -> list[Line]:
    """Lines a scrape broke out of one sentence (a link's text, a drop cap) joined again."""
    texts, gaps = [ln.text for ln in lines], [ln.gap_before for ln in lines]
    merged: list[Line] = []
    for group in fragment_groups(texts, gaps):
        first, last = lines[group[0]], lines[group[-1]]
        if len(group) == 1:
            first.index = len(merged)
            merged.append(first)
            continue
        merged.append(replace(first, index=len(merged), text=joined([texts[i] for i in group]),
                              gap_after=last.gap_after, space_after=last.space_after,
                              pieces=tuple((lines[i].number, lines[i].text) for i in group)))
    return merged


def as_elements(lines: list[Line]) -> bool:
    """In a page dump with no blank lines every line is an element of its own: set apart.
    Elsewhere, a run of lines written one paragraph a line is set apart the same way."""
    if not one_element_per_line([ln.text for ln in lines], [ln.gap_before for ln in lines]):
        _paragraphs_per_line(lines)
        return False
    for line in lines:
        line.gap_before = line.gap_after = max(1, line.gap_before) if line.index else _EDGE_GAP
    lines[-1].gap_after = _EDGE_GAP
    return True


def _paragraphs_per_line(lines: list[Line]) -> None:
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and lines[end].gap_before == 0:
            end += 1
        run = lines[start:end]
        if one_paragraph_per_line([ln.text for ln in run]):
            for before, after in itertools.pairwise(run):
                before.gap_after = after.gap_before = 1
        start = end


NOISE_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("skip_link: accessibility link", is_skip_link),
    ("cookie_notice: cookie banner", is_cookie_notice),
    ("navigation: site menu entry", is_navigation),
    ("byline: author, date or read-time line", is_byline),
    ("breadcrumb: breadcrumb trail", is_breadcrumb),
    ("form_field: sign-up form field", lambda text: bool(FORM_FIELD.match(text))),
    ("image_label: image label or caption", is_image_label),
    ("link_without_url: link text whose URL was lost", is_link_without_url),
    ("signup_footer: newsletter sign-up box", is_signup_line),
    ("boilerplate: page furniture (share, comments, copyright)", is_boilerplate),
    ("share_row: the page's share or follow buttons", is_share_row),
    ("separator: one character over and over", is_separator),
    ("dateline: a date or time on its own", is_dateline),
    ("age_notice: how old the article is", is_age_notice),
    ("image_viewer: a picture viewer's control", is_image_viewer),
    ("photo_credit: a picture's credit", is_photo_credit),
    ("counter: a count, rating or pager", is_counter),
    ("number_only: a number on its own", is_number_only),
    ("url_only: an address on its own", lambda text: bool(URL_LINE.match(text))),
    ("jump_link: a link to another part of the page", is_jump_link),
    ("copyright: a copyright notice", is_copyright),
    ("widget_text: what a page widget says", is_widget_text),
    ("author_contact: the author's contact line", is_author_contact),
    ("author_bio: who the writer is", is_author_tagline),
    ("disclosure: the site's affiliate disclosure", is_disclosure),
    ("social_links: an invitation to follow or tag the site", is_social_line),
    ("byline: a writer's role, under their name", is_role_line),
    ("store_button: a shop button", is_store_button),
)


def tag_noise(state: State) -> None:
    """Drop lines that are page furniture on their own, and lines repeated twice in a row."""
    previous = ""
    for line in state.lines:
        for reason, test in NOISE_RULES:
            if test(line.text) and not _heads_prose(state, line, reason):
                state.drop(line.index, reason)
                break
        else:
            if line.text.casefold() == previous:
                state.drop(line.index, "repeated_line: same as the line before")
        previous = line.text.casefold()
    _tag_related_posts(state)
    _tag_repeated_widgets(state)
    _tag_signup_boxes(state)
    _tag_header_keys(state)
    _tag_teaser_links(state)
    _tag_credit_labels(state)
    _tag_credited_captions(state)


_WIDGET_GAP, _WIDGET_MARKS = 4, 6  # lines between a widget's labels; labels in a widget


def _tag_repeated_widgets(state: State) -> None:
    """A widget's entries (a playlist, a box of teasers) each carry the same short labels
    (``Now playing``, ``Source:``, the site's name): where labels that recur three times or
    more follow each other closely, with no paragraph between, the run is the widget's."""
    counts = Counter(_label_key(ln.text) for ln in state.lines)
    labels = {key for key, n in counts.items() if key and n >= 3}
    marks = [ln.index for ln in state.lines if _label_key(ln.text) in labels]
    for run in _close_runs(marks):
        span = state.lines[run[0]:run[-1] + 1]
        kinds = {_label_key(state.lines[i].text) for i in run}
        if len(run) < _WIDGET_MARKS or len(kinds) < 2 or any(_is_prose(ln.text) for ln in span):
            continue
        for line in span:
            if state.free(line.index):
                state.drop(line.index, "widget: an entry of a playlist or teaser box "
                                       "(its labels repeat around each entry)")


def _label_key(text: str) -> str:
    """A short label's key ("" for a line that cannot be a widget's label)."""
    core = core_text(text).strip("-*• ").casefold()
    return core if 0 < word_count(core) <= 4 and final_char(text) not in ".!?" else ""


def _close_runs(marks: list[int], gap: int = _WIDGET_GAP) -> list[list[int]]:
    """``marks`` cut where two are more than ``gap`` lines apart."""
    runs: list[list[int]] = []
    for mark in marks:
        if runs and mark - runs[-1][-1] <= gap:
            runs[-1].append(mark)
        else:
            runs.append([mark])
    return runs


def _tag_header_keys(state: State) -> None:
    """``Title:`` / ``Content:`` alone on one of the first lines: a scraper's label whose
    value is on the next line."""
    for line in state.lines[:12]:
        if state.free(line.index) and is_header_key(line.text):
            state.drop(line.index, "metadata_header: a label the scraper wrote")


def _heading_over_picture(state: State, line: Line) -> bool:
    before = state.lines[line.index - 1].text if line.index else ""
    return (word_count(line.text) <= 4 and is_heading_shape(line.text)
            and final_char(line.text) not in ".!?"
            and (_is_prose(before) or final_char(before) in ".!?"))


def _tag_teaser_links(state: State) -> None:
    """``EXPLAINED | Title`` between two paragraphs of the article: a link to another
    story, not a heading (the article goes on with the same story after it)."""
    for line in state.lines[1:-1]:
        if not state.free(line.index) or not is_teaser_link(line.text):
            continue
        before, after = state.lines[line.index - 1], state.lines[line.index + 1]
        if _is_prose(before.text) and _is_prose(after.text):
            state.drop(line.index, "teaser_link: a link to another story between paragraphs")


_CREDIT_LABEL = re.compile(
    r"^\(?(?:photo(?:graph)?|image|picture|illustration|video)s?\s*"
    r"(?:(?:by|credit|courtesy(?: of)?):?|:)$|^credits?:$", re.IGNORECASE)


def _tag_credit_labels(state: State) -> None:
    """``Photograph by`` alone on a line, the photographer's name on the next: a credit."""
    for line in state.lines[:-1]:
        after = state.lines[line.index + 1]
        if state.free(line.index) and _CREDIT_LABEL.match(line.text) and \
                word_count(after.text) <= 10 and final_char(after.text) not in ".!?":
            state.drop(line.index, "photo_credit: a picture's credit")
            state.drop(after.index, "photo_credit: a picture's credit")


def _tag_credited_captions(state: State) -> None:
    """The line right above a photo credit is the picture's caption (blank lines between
    only when it ends without a full stop), unless it is a short heading after a finished
    paragraph (the picture under a heading)."""
    for line in state.lines[:-1]:
        credit = state.tags.get(line.index + 1)
        below = state.lines[line.index + 1].number
        gap = 3 if final_char(line.text) not in ".!?" else 0
        if (state.free(line.index) and below <= line.number + 1 + gap
                and word_count(line.text) <= 60
                and credit is not None and (credit.rule.startswith("photo_credit")
                                            or is_photo_credit(state.lines[line.index + 1].text))
                and not _heading_over_picture(state, line)):
            state.drop(line.index, "image_caption: a picture's caption above its credit")


def _gapless_run(state: State, index: int, step: int) -> list[Line]:
    """The lines after (``step`` 1) or before (-1) line ``index`` with no blank line between."""
    run: list[Line] = []
    while 0 <= index + step < len(state.lines):
        here, there = state.lines[index], state.lines[index + step]
        if (here.gap_after if step > 0 else here.gap_before) != 0:
            break
        run.append(there)
        index += step
    return run


def _box_lines(state: State, index: int, step: int) -> list[Line]:
    """The lines of a box after (or before) line ``index``, with no blank line between; of
    two or more after it, a last one over a paragraph after a blank line is no part of it
    but the heading of that text (a scrape left no blank line between the box and it)."""
    run = _gapless_run(state, index, step)
    last = run[-1] if len(run) >= 2 and step > 0 else None
    after = state.lines[last.index + 1] if last and last.index + 1 < len(state.lines) else None
    if (last and after and last.gap_after > 0 and final_char(last.text) not in ".!;:,"
            and word_count(after.text) >= _TEXT_WORDS and _is_prose(after.text)):
        last.gap_before = state.lines[last.index - 1].gap_after = 1  # set apart as a heading
        return run[:-1]
    return run


_RELATED_MOST = 12  # headlines a related-posts box lists


def _tag_related_posts(state: State) -> None:
    """Post titles listed under ``Related posts`` / ``You may also like``."""
    for line in state.lines:
        if not RELATED_HEADING.match(core_text(line.text)):
            continue
        state.drop(line.index, "related_posts: heading of a related-posts list")
        # on a page dump every line stands apart: the list is the headlines that follow
        run = (state.lines[line.index + 1 : line.index + 1 + _RELATED_MOST]
               if state.element_per_line else _box_lines(state, line.index, 1))
        for title in run:  # headlines run to 25 words
            if word_count(title.text) > 25 or final_char(title.text) in ".!;:":
                break
            if state.free(title.index):
                state.drop(title.index, "related_posts: title in a related-posts list")


def _tag_signup_boxes(state: State) -> None:
    """The lines around a sign-up line or form field, with no blank line between, are its box."""
    anchors = [i for i, tag in state.tags.items()
               if tag.rule.startswith(("signup_footer", "form_field"))]
    for index in anchors:
        for step in (1, -1):
            for line in _box_lines(state, index, step):
                if word_count(line.text) > 30:
                    break
                if state.free(line.index):
                    state.drop(line.index, "signup_box: part of a newsletter sign-up box")


def _heads_prose(state: State, line: Line, reason: str) -> bool:
    """``Client Testimonials`` above a paragraph is a section heading, not an image label."""
    if not reason.startswith("image_label") or IMAGE_PREFIX.match(line.text):
        return False
    after = state.lines[line.index + 1] if line.index + 1 < len(state.lines) else None
    return (
        after is not None
        and line.gap_after <= 2
        and final_char(after.text) in ".!?"
        and word_count(after.text) >= 8
    )


def tag_reference_list(state: State) -> None:
    """The numbered reference list after ``Resources:`` / ``References:`` / ``Sources:``."""
    for line in reversed(state.lines):
        following = state.lines[line.index + 1 : line.index + 2]
        if is_reference_heading(line.text) and following and _entry_like(following[0].text):
            state.tags[line.index] = Tag("refhead", "reference_heading", text=line.text)
            _tag_entries(state, line.index + 1)
            return
    _tag_bracketed_entries(state)


def _entry_like(text: str) -> bool:
    return reference_entry(text) is not None or bool(URL_LINE.match(text))


def _tag_entries(state: State, start: int) -> None:
    number = 0
    for line in state.lines[start:]:
        entry = reference_entry(line.text)
        if entry is None and URL_LINE.match(line.text):
            entry = (str(number + 1), line.text)
        if entry is None:
            return
        number = int(entry[0])
        state.tags[line.index] = Tag("reference", "reference_entry", text=entry[1], label=entry[0])


def _tag_bracketed_entries(state: State) -> None:
    """Without a heading, a run of two or more ``[n] text`` lines is a reference list."""
    run: list[int] = []
    for line in [*state.lines, None]:
        if line is not None and line.text.startswith("[") and reference_entry(line.text):
            run.append(line.index)
            continue
        if len(run) >= 2:
            for index in run:
                label, text = reference_entry(state.lines[index].text) or ("", "")
                state.tags[index] = Tag("reference", "reference_entry", text=text, label=label)
        run = []


def tag_callouts(state: State) -> None:
    """``Good to Know: ...``, ``Pro Tip: ...``, ``Note: ...`` lines become callouts."""
    for line in state.lines:
        parts = callout_parts(line.text) if state.free(line.index) else None
        if parts:
            state.tags[line.index] = Tag("callout", "callout_label", text=parts[1], label=parts[0])


def tag_title(state: State) -> None:
    """The title: among the first lines, the headline a byline or date follows, else the
    first heading-like line; on a page dump, the headline just above the article's text."""
    best = _page_dump_title(state) if state.element_per_line else _first_permalinked(state)
    if best is None:
        candidates = [ln for ln in state.lines[: max(8, len(state.lines) // 3)]
                      if state.free(ln.index) and _headline_like(ln.text)]
        if not candidates:
            return
        best = max(candidates, key=lambda ln: (_title_score(state, ln), -ln.index))
    state.tags[best.index] = Tag("title", f"title: {_title_rule(state, best)}")
    state.title = strip_heading_marks(best.text)


def _first_permalinked(state: State) -> Line | None:
    """On a documentation page whose headings carry a permalink sign (``Tutorial¶``), the
    first of them is the page's own title (menus and the project's name come above it)."""
    marked = [ln for ln in state.lines if state.free(ln.index) and _PERMALINK.search(ln.text)
              and is_heading_shape(strip_heading_marks(ln.text))]
    return marked[0] if len(marked) >= 2 else None


_TITLE_WINDOW = 25  # lines above the article's first paragraph where a page dump's title is
_ADDRESS = re.compile(r"https?://|www\.|\S@\S")  # a headline holds no address
_OPENS = re.compile(r"[\w\"'“‘¿¡]")  # a headline opens with a word or a quote, not "// ..."


def _page_dump_title(state: State) -> Line | None:
    """A page dump's title: above the article's first paragraph (menus and teasers before
    it), the longest headline (of four words or more) that a byline follows, a standfirst
    between them or not, else the longest one close above it. Right above a line the byline
    follows, a headline is the title when that line reads as its standfirst."""
    first = _first_paragraph(state)
    if first is None:
        return None
    above = [ln for ln in state.lines[:first + 1] if state.free(ln.index)
             and word_count(ln.text) >= 4 and _headline_like(ln.text) and _OPENS.match(ln.text)
             and not _ADDRESS.search(ln.text)]
    # the page's title, its h1 and its entry in the contents say the same headline
    seen = Counter(key for ln in state.lines[:first + 1] for key in _headline_keys(ln.text))
    bylined = [ln for ln in above if _introduces_byline(state, ln, dek=2)]
    if bylined:
        best = max(bylined, key=lambda ln: (_said_again(seen, ln),
                                            min(word_count(ln.text), 12), -ln.index))
        bare = _bare_headline(state, best, first)
        if bare is not None:
            return bare
        previous = state.lines[best.index - 1] if best.index else None
        if previous in bylined and _introduces_byline(state, best) and _standfirst(best, previous):
            return previous  # ``best`` is the standfirst between the title and the byline
        return best
    close = [ln for ln in above if ln.index >= first - _TITLE_WINDOW]
    page_title = _headline_keys(state.lines[0].text) if state.lines else set()
    best = max(close, key=lambda ln: (ln.index > 0 and bool(_headline_keys(ln.text) & page_title),
                                      _said_again(seen, ln), min(word_count(ln.text), 12),
                                      ln.index), default=None)
    return best and (_bare_headline(state, best, first) or best)


def _said_again(seen: Counter[str], line: Line) -> bool:
    return any(seen[key] > 1 for key in _headline_keys(line.text))


def _bare_headline(state: State, title: Line, first: int) -> Line | None:
    """The page title's headline on a line of its own below it (``Headline — Site``, then
    ``Headline`` as the page's h1): the article's title, without the site's name."""
    bare = _headline_key(strip_site_name(title.text))
    if bare == _headline_key(title.text):
        return None
    return next((ln for ln in state.lines[title.index + 1 : first + 1]
                 if state.free(ln.index) and _headline_key(ln.text) == bare), None)


def _headline_key(text: str) -> str:
    return text.rstrip("¶#§ \t").casefold()


def _headline_keys(text: str) -> set[str]:
    """The line's headline, with and without the site's name a page title adds to it."""
    return {_headline_key(text), _headline_key(strip_site_name(text))}


def _standfirst(line: Line, above: Line) -> bool:
    """``line`` reads as the standfirst under the headline ``above``: a sentence, a long
    line, or one about as long as the headline (a teaser's short label above is no title)."""
    words = word_count(line.text)
    return _is_prose(line.text) or words >= 14 or word_count(above.text) * 3 >= words * 2


def _first_paragraph(state: State) -> int | None:
    """The first line of the article's text on a page dump: the start of its span of
    paragraphs, at its first line that is a sentence of ten words or more."""
    texts = [ln.index for ln in state.lines
             if state.free(ln.index) and word_count(ln.text) >= _TEXT_WORDS]
    groups = _close_runs(texts, _PARAGRAPH_GAP)
    if not groups:
        return None
    start, _end = _article_span(state, groups)
    return next((ln.index for ln in state.lines[start:] if _is_prose(ln.text)), start)


def _headline_like(text: str) -> bool:
    return (is_heading_shape(text) or (4 <= word_count(text) <= 25 and final_char(text)
                                       not in ".:;,")) and list_marker(text) is None


def _title_score(state: State, line: Line) -> int:
    return 2 * _introduces_byline(state, line, dek=1) + (
        line.index == min(i for i in range(len(state.lines)) if state.free(i)))


def _title_rule(state: State, line: Line) -> str:
    if _introduces_byline(state, line):
        return "the headline a byline or date follows"
    return "first heading-like line"


def _introduces_byline(state: State, line: Line, dek: int = 0) -> bool:
    """A date, an age notice or the author's name follows the line (other furniture, and
    up to ``dek`` lines of a standfirst, between them aside), and the line reads as a
    headline (four words or more)."""
    if word_count(line.text) < 4:
        return False
    for after in state.lines[line.index + 1 : line.index + 6 + dek]:
        named = _names_author(state, after) and not (
            significant_words(after.text) & significant_words(line.text))
        if _is_dated(state, after) or named:
            return True
        if state.free(after.index):
            if dek <= 0:
                return False
            dek -= 1
    return False


def _is_dated(state: State, line: Line) -> bool:
    tag = state.tags.get(line.index)
    return tag is not None and tag.rule.startswith(("dateline", "byline", "age_notice"))


def _byline_names(state: State, title: int) -> list[Line]:
    """Names right under the title (or under its standfirst): the lines after it, before
    anything but dates and other bylines, that are a person's name alone."""
    names: list[Line] = []
    start = title + 1
    if start + 1 < len(state.lines) and _names_author(state, state.lines[start + 1]) and \
            _standfirst(state.lines[start], state.lines[title]):
        start += 1
    for line in state.lines[start : start + 4]:
        if _names_author(state, line):
            names.append(line)
        elif state.free(line.index) and not _is_dated(state, line):
            break  # furniture already dropped ("130 Comments", "by:") does not end the byline
    return names


def _names_author(state: State, line: Line) -> bool:
    """A name alone on a line names the author in a page dump or after ``by:`` (elsewhere a
    short Title Case line is as likely a picture's label)."""
    if not state.free(line.index) or not is_author_name(line.text):
        return False
    previous = state.lines[line.index - 1].text if line.index else ""
    return state.element_per_line or line.text.lower().startswith("by") or bool(
        re.match(r"^by:?$", previous.strip(), re.IGNORECASE))


_NAME = re.compile(
    r"^(?:by:?\s+)?[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|da|del|la|le)){1,3}$")


def is_author_name(text: str) -> bool:
    """A person's name alone on a line (``Keza MacDonald``, ``By Jane van Dyke``): capitalised
    words, none of them a word a heading is made of (``What You Need`` is no name)."""
    text = _HANDLE_AFTER_NAME.sub("", text).rstrip(",|·•")  # "Jane Doe, @janedoe", "Jane Doe,"
    words = re.sub(r"^by:?\s+", "", text, flags=re.IGNORECASE).split()
    particles = sum(w in ("van", "von", "de", "da", "del", "la", "le") for w in words)
    mixed = all(any(c.islower() for c in w) for w in words)  # "ROSE VINA" is a menu entry
    return (2 <= len(words) - particles <= 3 and mixed and bool(_NAME.match(text))
            and not any(w.lower().strip(".,") in _NOT_NAME_WORDS for w in words))


_HANDLE_AFTER_NAME = re.compile(r"(?<=\w)\s*[,|·•]?\s+@\w{2,30}$")
# Words of headings and page furniture, never of a person's name.
_NOT_NAME_WORDS = frozenset([
    "a", "an", "and", "the", "of", "to", "for", "in", "on", "with", "at", "from", "by", "is",
    "are", "be", "it", "its", "this", "that", "these", "those", "all", "any", "more", "most",
    "about", "your", "you", "our", "we", "my", "me", "us", "his", "her", "their", "how", "why",
    "what", "when", "where", "who", "which", "need", "needs", "tips", "tip", "guide", "step",
    "steps", "best", "top", "new", "news", "home", "blog", "shop", "menu", "contact", "share",
    "read", "view", "section", "part", "chapter", "sign", "log", "search", "cart", "account",
    "help", "about", "free", "get", "make", "learn", "see", "why", "start", "end", "final",
    "summary", "conclusion", "introduction", "overview", "faq", "faqs", "questions", "recipe",
    "recipes", "ingredients", "instructions", "directions", "notes", "related", "popular",
    "latest", "comments", "reply", "reviews", "review", "photo", "photos", "video", "videos",
    "image", "images",
])


def tag_page_header(state: State) -> None:
    """What stands above the title on a scraped page (menus, section labels, a picture's
    caption) is page furniture, unless it holds a paragraph of its own."""
    title = next((i for i, t in state.tags.items() if t.kind == "title"), None)
    if not title:
        return
    above = [ln for ln in state.lines[:title] if state.free(ln.index)]
    if any(word_count(ln.text) >= 25 and final_char(ln.text) in ".!?" for ln in above):
        return
    for line in above:
        state.drop(line.index, "page_header: page furniture above the article's title")


def tag_byline_names(state: State) -> None:
    """The author's name just under the title, and later the bio that starts with it."""
    title = next((i for i, t in state.tags.items() if t.kind == "title"), None)
    if title is None:
        return
    bylines = _byline_names(state, title)
    for line in bylines:
        state.drop(line.index, "byline: the author's name under the title")
    bylines += [line for line in state.lines[title + 1 : title + 6]  # "By Jane Doe", tagged
                if _is_dated(state, line) and state.tags[line.index].rule.startswith("byline")
                and is_author_name(line.text)]
    names = [re.sub(r"^by:?\s+", "", line.text, flags=re.IGNORECASE).rstrip(",|·• ")
             for line in bylines]
    for line in state.lines[title + 5 :]:
        if state.free(line.index) and line.text.strip() in names:
            _drop_bio_box(state, line)
        elif state.free(line.index) and any(_is_bio(line.text, name) for name in names):
            state.drop(line.index, "author_bio: about the author")


def _is_bio(text: str, name: str) -> bool:
    return word_count(text) <= 40 and re.match(rf"{re.escape(name)}\b", text) is not None


def _drop_bio_box(state: State, name: Line) -> None:
    """The author's name again late in the page heads the box about them: the name and the
    paragraph under it that speaks of them by their first name."""
    state.drop(name.index, "author_bio: about the author")
    first_name = name.text.split()[0]
    after = next((ln for ln in state.lines[name.index + 1 : name.index + 4]
                  if state.free(ln.index)), None)  # the author's handle between aside
    if after and word_count(after.text) <= 80 and \
            re.match(rf"{re.escape(first_name)}\b", after.text):
        state.drop(after.index, "author_bio: about the author")


_UNDER_HEADLINE = 40  # lines between a headline and its byline where a menu can sit
_STANDFIRST_LINES = 3  # lines a headline's standfirst takes at most


def tag_chrome_under_headline(state: State) -> None:
    """A run of short lines between the headline and its byline or date (a menu of the
    site's newsletters, a widget) is page chrome: more lines than a standfirst, none of them
    a paragraph of the article."""
    title = next((i for i, tag in state.tags.items() if tag.kind == "title"), None)
    if title is None:
        return
    dated = next((ln.index for ln in state.lines[title + 1 : title + _UNDER_HEADLINE]
                  if _is_dated(state, ln)), None)
    if dated is None:
        return
    between = [ln for ln in state.lines[title + 1 : dated] if state.free(ln.index)]
    if len(between) > _STANDFIRST_LINES and all(word_count(ln.text) <= 25 for ln in between):
        for line in between:
            state.drop(line.index, "page_chrome: a menu or widget between the headline and "
                       "its byline")


def tag_teasers(state: State) -> None:
    """The headline of a link to another article, on the line before its ``Read more``."""
    for index, tag in list(state.tags.items()):
        if tag.rule.startswith("link_without_url") and state.free(index - 1):
            before = state.lines[index - 1]
            if word_count(before.text) <= 20 and final_char(before.text) not in ".:":
                state.drop(index - 1, "related_teaser: the headline of a link to another page")


_COMMENTS_START = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|\d+ (?:comments?|responses?)|comments|"
    r"(?:comments?|responses?|replies)\s*\(\d[\d,]*\)?|(?:reader|user|readers') comments|"
    r"join the (?:discussion|conversation)(?:\s*\(\d[\d,]*(?: \w+)?\)?)?)\s*:?$",
    re.IGNORECASE,
)
# a box of advertisements dressed as stories: whatever follows it is the page's, not the article's
_ADS_START = re.compile(
    r"^((?:sponsored|promoted|paid)(?: (?:links?|stories|content|posts|partner content))?"
    r"(?: by [\w .&-]{1,30})?|by (?:taboola|outbrain)|(?:recommended|powered|ads) by "
    r"(?:taboola|outbrain|zergnet|revcontent|mgid)|(?:around|from) the web)(?: \1)?\s*:?$",
    re.IGNORECASE,
)
_FOOTER_START = re.compile(
    r"^(?:you (?:may|might) also like|related (?:posts|articles|stories)|posted in|tagged|"
    r"tags|explore more on these topics|reuse this content|share this(?: article| post)?|"
    r"about the author|more from [\w ]{1,30}|topics)\s*:?$",
    re.IGNORECASE,
)


def tag_page_footer(state: State) -> None:
    """From a line that starts a page's footer, late in the article, to the end: page
    furniture. Comments (``Leave a Reply``, ``12 Comments``) end the article whatever follows;
    tags, related links and shares (``Posted in``, ``Explore more on these topics``) only
    when no paragraph of the article comes after them."""
    _tag_author_bios(state)
    late = _late_short_lines(state)
    ends = [ln for ln in late if _COMMENTS_START.match(core_text(ln.text))
            or _ADS_START.match(core_text(ln.text)) or is_copyright(ln.text)]
    end = ends[0].index if ends else len(state.lines)
    for line in late:
        if line.index >= end:
            break
        footer = bool(_FOOTER_START.match(core_text(line.text)) or is_teaser_heading(line.text))
        if footer and not any(_is_prose(r.text) for r in state.lines[line.index + 1 : end]
                              if state.free(r.index)):
            end = line.index
            break
    if end < len(state.lines):
        _drop_to_end(state, end)


def _late_short_lines(state: State) -> list[Line]:
    """The short lines (eight words at most; a copyright notice of any length) in the
    second half of the text, not already taken for the article's structure: where a
    footer can start."""
    total = sum(word_count(ln.text) for ln in state.lines) or 1
    seen, late = 0, []
    for line in state.lines:
        seen += word_count(line.text)
        tag = state.tags.get(line.index)
        if seen >= 0.5 * total and (word_count(line.text) <= 8 or is_copyright(line.text)) and (
                not tag or tag.kind == "drop"):
            late.append(line)
    return late


_BIO_LABEL = re.compile(r"^about the (?:author|writer)s?\s*:?$", re.IGNORECASE)


def _tag_author_bios(state: State) -> None:
    """``About the author`` and the paragraph right under it (no blank line between) are the
    author's bio, however much prose it holds."""
    for line in state.lines:
        if not _BIO_LABEL.match(core_text(line.text)) or not state.free(line.index):
            continue
        state.drop(line.index, "author_bio: about the author")
        for rest in state.lines[line.index + 1:]:
            if rest.gap_before or not state.free(rest.index):
                break
            state.drop(rest.index, "author_bio: about the author")


_PARAGRAPH_GAP = 12  # lines between two paragraphs of one article on a page dump
_TEXT_WORDS = 10  # a line this long is text, not a menu entry or a label
_CLOSING_ITEMS = 15  # items of a list that closes the article


def tag_outside_article(state: State) -> None:
    """On a page dump (every element a line of its own), the article is the stretch of its
    paragraphs (with its title); the short lines and headlines before and after it are the
    page's menus, widgets, teasers and footer. Its closing list (after a lead-in) stays."""
    if not state.element_per_line:
        return
    # the lines of text (a paragraph, or a piece of one the scrape broke across lines)
    texts = [ln.index for ln in state.lines
             if state.free(ln.index) and word_count(ln.text) >= _TEXT_WORDS]
    groups = _close_runs(texts, _PARAGRAPH_GAP)
    if not groups:
        return
    start, end = _article_span(state, groups)
    end = _closing_list_end(state, end)
    title = next((i for i, t in state.tags.items() if t.kind == "title"), None)
    if title is not None and title < start:
        start = title
    for line in state.lines:
        outside = line.index < start or line.index > end
        headline = word_count(line.text) < _TEXT_WORDS or not has_sentence(line.text)
        if outside and state.free(line.index) and headline:
            state.drop(line.index, "page_chrome: a short line or a headline outside the "
                                   "article's text (menus, widgets, teasers, footer)")


_SECTION_GAP = 40  # lines: a code listing or a gallery between two parts of the article


def _article_span(state: State, groups: list[list[int]]) -> tuple[int, int]:
    """From the first to the last paragraph of the article: the groups of lines with a third
    of the heaviest one's words in sentences or more, and the groups of two or more paragraphs
    close to them (a section after a code listing or a gallery)."""
    # a group weighs the words of its sentences (a list of headlines has hardly any)
    words = [sum(word_count(state.lines[i].text) for i in g
                 if has_sentence(state.lines[i].text)) for g in groups]
    heavy = [n for n, w in enumerate(words) if w * 3 >= max(words)]
    first, last = heavy[0], heavy[-1]
    while first > 0 and _joins(state, groups[first - 1], groups[first]):
        first -= 1
    while last + 1 < len(groups) and _joins(state, groups[last + 1], groups[last]):
        last += 1
    return groups[first][0], groups[last][-1]


def _joins(state: State, group: list[int], neighbour: list[int]) -> bool:
    """Two or more lines of text near the article, a third of their words in sentences or
    more (a list of headlines to other stories has hardly any)."""
    gap = min(abs(group[0] - neighbour[-1]), abs(neighbour[0] - group[-1]))
    texts = [state.lines[i].text for i in group]
    in_sentences = sum(word_count(t) for t in texts if has_sentence(t))
    return len(group) >= 2 and gap <= _SECTION_GAP and in_sentences * 3 >= sum(
        map(word_count, texts))


def _closing_list_end(state: State, last: int) -> int:
    """The last line of the article: its last paragraph with the rest of its sentence (a
    scrape may break it across lines), or the list a lead-in right after it introduces."""
    while last + 1 < len(state.lines) and final_char(state.lines[last].text) not in ".!?:":
        last += 1
    lead = next((ln for ln in state.lines[last:last + 3] if final_char(ln.text) == ":"), None)
    if lead is None:
        return last
    end = lead.index
    for line in state.lines[lead.index + 1:lead.index + 1 + _CLOSING_ITEMS]:
        if _is_prose(line.text) or not 1 < word_count(line.text) <= 15:
            break  # a menu's entries are single words
        end = line.index
    return end


def _is_prose(text: str) -> bool:
    return word_count(text) >= 12 and final_char(text) in ".!?"


def _drop_to_end(state: State, start: int) -> None:
    for rest in state.lines[start:]:
        if state.free(rest.index):
            state.drop(rest.index, "page_footer: comments, tags and links after the article")


# --- lists ---------------------------------------------------------------------------------


@dataclass
class Run:
    """Consecutive list items of one marker family, as line indices and the rule for each."""

    family: str
    ordered: bool
    members: list[tuple[int, str]] = field(default_factory=list)


def tag_lists(state: State) -> None:
    """Bulleted and numbered lists, with items that lost their bullet and the lead-in line."""
    for run in _bullet_runs(state):
        if _lone_numbered_heading(state, run):
            continue
        _extend_by_shape(state, run)
        _tag_run(state, run)


def _bullet_runs(state: State) -> list[Run]:
    runs: list[Run] = []
    current: Run | None = None
    last_number = 0
    for line in state.lines:
        marker = list_marker(line.text) if state.free(line.index) else None
        if marker is None:
            continue
        restart = marker.ordered and marker.number <= 1 and last_number >= 1
        holes = _holes_before(state, current, line.index) if current else None
        if current is None or current.family != marker.family or holes is None or restart:
            current = Run(marker.family, marker.ordered)
            runs.append(current)
        else:
            current.members.extend((hole, "item_between_bullets") for hole in holes)
        current.members.append((line.index, "bullet"))
        last_number = marker.number
    return runs


def _holes_before(state: State, run: Run, index: int) -> list[int] | None:
    """Lines between the run's last item and ``index`` that are items without a bullet."""
    holes = list(range(run.members[-1][0] + 1, index))
    spacing = max([1] + [state.lines[i].gap_before for i, _ in run.members[1:]])
    if len(holes) > 3 or state.lines[index].gap_before > max(spacing, 2):
        return None
    headlines = all(is_heading_shape(state.lines[i].text) for i, _ in [*run.members, (index, "")])
    for hole in holes:
        line = state.lines[hole]
        if not state.free(hole) or list_marker(line.text) or shape(line.text) == "lead":
            return None
        if headlines and _is_prose(line.text):
            return None  # prose between numbered headlines: a listicle's sections
        if line.gap_before > spacing or word_count(line.text) > 80:
            return None
    return holes


def _lone_numbered_heading(state: State, run: Run) -> bool:
    """``Step 1: Prepare the Soil`` followed by prose is a heading, not a one-item list."""
    if len(run.members) != 1 or not run.ordered:
        return False
    line = state.lines[run.members[0][0]]
    after = state.lines[line.index + 1] if line.index + 1 < len(state.lines) else None
    return (
        is_heading_shape(line.text)
        and line.gap_after >= 1
        and after is not None
        and list_marker(after.text) is None
        and shape(after.text) == "sentence"
    )


def _item_shape(text: str) -> str:
    kind = shape(text)
    if kind == "label" and not is_short_label(text):
        return "sentence"
    return kind


def _extend_by_shape(state: State, run: Run) -> None:
    """Unbulleted neighbours with the same shape and spacing as the items join the list."""
    texts = [_marker_text(state.lines[i].text) for i, _ in run.members]
    shapes = Counter(_item_shape(t) for t in texts)
    dominant = shapes.most_common(1)[0][0]
    if dominant not in ("label", "fragment"):
        return
    titled = sum(is_title_case(t) for t in texts) * 2 > len(texts)
    max_gap = max([1] + [state.lines[i].gap_before for i, _ in run.members[1:]])

    def joins(index: int, gap: int) -> bool:
        if not state.free(index) or gap > max_gap:
            return False
        text = state.lines[index].text
        if list_marker(text) or _item_shape(text) != dominant or word_count(text) > 60:
            return False
        return titled or not is_title_case(text) or dominant == "label"

    index = run.members[-1][0] + 1
    while index < len(state.lines) and joins(index, state.lines[index].gap_before):
        run.members.append((index, "item_same_shape"))
        index += 1
    index = run.members[0][0] - 1
    while index >= 0 and joins(index, state.lines[index].gap_after):
        if state.lines[index].gap_before > max_gap:
            break
        run.members.insert(0, (index, "item_same_shape"))
        index -= 1


def _marker_text(text: str) -> str:
    marker = list_marker(text)
    return marker.text if marker else text


def _tag_run(state: State, run: Run) -> None:
    group = state.new_group()
    lost = sum(rule != "bullet" for _, rule in run.members)
    rule = ("numbered_list" if run.ordered else "bullet_list") + (
        f" (+{lost} item(s) without bullet)" if lost else ""
    )
    for index, _ in run.members:
        text = _marker_text(state.lines[index].text)
        state.tags[index] = Tag("item", rule, group, text=text, ordered=run.ordered)
    lead = run.members[0][0] - 1
    if state.free(lead) and shape(state.lines[lead].text) == "lead":
        state.tags[lead] = Tag(
            "lead", rule, group, text=state.lines[lead].text, ordered=run.ordered
        )


def tag_unbulleted_lists(state: State) -> None:
    """A lead-in (``Ingredients:``, ``Instructions:``) followed, with no blank line, by lines
    of one shape (short fragments, or whole sentences): the items of a list whose bullets the
    scrape lost."""
    for line in state.lines:
        if state.free(line.index) and _section_label(state, line):
            _tag_labelled_section(state, line)
        elif state.free(line.index) and shape(line.text) == "lead":
            items = _unbulleted_items(state, line.index)
            if len(items) >= 2:
                _tag_run(state, Run("-", False, [(i, "item_after_lead") for i in items]))


# a recipe's or a how-to's part, named without a colon, its lines right under it
_SECTION_LABEL = re.compile(r"^(?:ingredients|instructions|directions|method|steps|equipment|"
                            r"materials(?: needed)?|tools(?: needed)?|supplies|"
                            r"(?:what )?you(?:'ll|’ll| will)? need|notes?|tips?|"
                            r"nutrition(?: facts| information)?)$", re.IGNORECASE)
_STEP_LINE = re.compile(r"^(?:step|day|week)\s*\d{1,2}\s*[.:)]?$", re.IGNORECASE)


def _section_label(state: State, line: Line) -> bool:
    after = state.lines[line.index + 1] if line.index + 1 < len(state.lines) else None
    return (bool(_SECTION_LABEL.match(core_text(line.text))) and after is not None
            and after.gap_before == 0 and not state.element_per_line)


def _tag_labelled_section(state: State, label: Line) -> None:
    """``Ingredients`` over one item a line, ``Instructions`` over ``Step 1`` / its sentence
    pairs: a heading over the list the scrape took the bullets or numbers from."""
    state.tags[label.index] = Tag("heading", "section_label")
    packed = list(itertools.takewhile(lambda ln: ln.gap_before == 0 and state.free(ln.index),
                                      state.lines[label.index + 1 :]))
    numbered = len(packed) >= 4 and all(
        bool(_STEP_LINE.match(ln.text)) == (n % 2 == 0) for n, ln in enumerate(packed))
    if numbered:
        for step in packed[0::2]:
            state.drop(step.index, "step_label: numbers the step under it (the list numbers it)")
        _tag_run(state, Run("1.", True, [(ln.index, "step_after_label") for ln in packed[1::2]]))
    elif len(packed) >= 2 and all(word_count(ln.text) <= 25 for ln in packed):
        _tag_run(state, Run("-", False, [(ln.index, "item_after_label") for ln in packed]))


def _unbulleted_items(state: State, lead: int) -> list[int]:
    items: list[int] = []
    kind = ""
    for line in state.lines[lead + 1 :]:
        packed = state.element_per_line or line.gap_before == 0
        if not state.free(line.index) or not packed or word_count(line.text) > 40:
            break
        here = "sentence" if final_char(line.text) in ".!?" else "fragment"
        if shape(line.text) == "lead" or (kind and here != kind) or _opens_section(state, line):
            break
        kind = kind or here
        items.append(line.index)
    return items


def _opens_section(state: State, line: Line) -> bool:
    """A numbered line followed by a sentence (``2. Teranino Twist``): a heading."""
    after = state.lines[line.index + 1] if line.index + 1 < len(state.lines) else None
    marker = list_marker(line.text)
    return bool(marker and marker.ordered and is_heading_shape(line.text) and after
                and shape(after.text) == "sentence")


# --- captions, link lists, headings ----------------------------------------------------------


def _is_heading_candidate(state: State, line: Line) -> bool:
    return state.free(line.index) and _set_apart(line) and is_heading_shape(line.text)


def _set_apart(line: Line) -> bool:
    return line.gap_before >= 1 and line.gap_after >= 1


def tag_contents_lists(state: State) -> None:
    """A run of three or more short lines that the article repeats later, in the same
    order, as its headings is its table of contents (the headings stay where they are)."""
    where: dict[str, list[int]] = {}
    for line in state.lines:
        where.setdefault(_entry_key(line.text), []).append(line.index)
    index = 0
    while index < len(state.lines):
        run = _contents_run(state, index)
        if len(run) >= 3 and _repeated_in_order(state, run, where):
            for entry in run:
                state.drop(entry, "table_of_contents: the article's own headings, listed "
                                  "before it")
        index += len(run) or 1


def _contents_run(state: State, start: int) -> list[int]:
    """The short lines from ``start`` on, up to one that repeats an earlier one of them (the
    first heading under the contents, which repeats their first entry)."""
    run: list[int] = []
    seen: set[str] = set()
    for line in state.lines[start:]:
        key = _entry_key(line.text)
        if not (state.free(line.index) and _contents_entry(line.text)) or key in seen:
            break
        run.append(line.index)
        seen.add(key)
    return run


def _entry_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _contents_entry(text: str) -> bool:
    return 0 < word_count(text) <= 10 and final_char(text) not in ".,;!"


def _repeated_in_order(state: State, run: list[int], where: dict[str, list[int]]) -> bool:
    """Two thirds of the run's lines (three at least) come again after it, in its order."""
    position, matched = run[-1], 0
    for entry in run:
        later = where[_entry_key(state.lines[entry].text)]
        found = bisect.bisect_right(later, position)
        if found < len(later):
            position, matched = later[found], matched + 1
    return matched >= 3 and matched * 3 >= len(run) * 2


def tag_captions(state: State) -> None:
    """Image alt text repeated as a lone line under a heading, and repeats of the title."""
    title = state.title.casefold()
    headings: set[str] = set()
    for line in state.lines:
        if not state.free(line.index):
            continue
        text = line.text.casefold()
        if title and text == title:
            state.drop(line.index, "repeats_title: the title again (image alt text)")
        elif _is_caption(state, line):
            state.drop(line.index, "image_caption: alt text repeated under a heading")
        elif text in headings and _is_heading_candidate(state, line):
            state.drop(line.index, "repeats_heading: a heading again (image alt text)")
        elif _next_to_image_label(state, line):
            state.drop(line.index, "image_caption: alt text next to an image label")
        elif _is_heading_candidate(state, line):
            headings.add(text)


def _next_to_image_label(state: State, line: Line) -> bool:
    """A short lone line directly above or below an image label (no blank line between)."""
    if not is_heading_shape(line.text) or final_char(line.text) == "?":
        return False
    neighbours = []
    if line.gap_before == 0:
        neighbours.append(line.index - 1)
    if line.gap_after == 0:
        neighbours.append(line.index + 1)
    return any(
        (tag := state.tags.get(n)) is not None and tag.rule.startswith("image_label")
        for n in neighbours
    )


def _is_caption(state: State, line: Line) -> bool:
    if line.index == 0 or not is_heading_shape(line.text) or final_char(line.text) == "?":
        return False
    previous = state.lines[line.index - 1]
    tag = state.tags.get(previous.index)
    after_heading = (tag is not None and tag.kind == "title") or _is_heading_candidate(
        state, previous
    )
    if not after_heading or word_count(line.text) > 12 or line.gap_before < 1:
        return False
    if line.space_after:
        return True
    words = significant_words(line.text)
    known = significant_words(state.title) | significant_words(previous.text)
    return bool(words) and len(words & known) / len(words) >= 0.75


def tag_link_lists(state: State) -> None:
    """A section made only of short Title Case lines: links whose URLs the scrape lost."""
    index = 0
    while index < len(state.lines):
        index = _link_list_at(state, index) + 1


def _link_list_at(state: State, start: int) -> int:
    """Tag a link list whose heading is line ``start``; returns the last line examined."""
    head = state.lines[start]
    if not _is_heading_candidate(state, head):
        return start
    links = []
    for line in state.lines[start + 1 :]:
        linky = _is_heading_candidate(state, line) and is_title_case(line.text)
        if not linky or line.gap_before > max(1, head.gap_after) or word_count(line.text) > 10:
            break
        links.append(line)
    ends_section = not links or links[-1].gap_after > links[-1].gap_before
    if len(links) < 3 or not ends_section:
        return start
    state.drop(start, "link_list: heading of a section made only of links")
    for line in links:
        state.drop(line.index, "link_list: link text whose URL was lost")
    return links[-1].index


_PERMALINK = re.compile(r"\S\s*[¶§]$")


def tag_permalinked_headings(state: State) -> None:
    """A short line that ends in a permalink sign (``Setting up¶``, as documentation pages
    put after each heading) is a heading, even in a run of short lines."""
    for line in state.lines:
        if state.free(line.index) and _PERMALINK.search(line.text) and is_heading_shape(
                strip_heading_marks(line.text)):
            state.tags[line.index] = Tag("heading", "heading_permalink")


def tag_headings(state: State) -> None:
    """Short lines without final punctuation, set apart by blank lines, and questions."""
    for line in state.lines:
        if _is_heading_candidate(state, line):
            rule = "question_heading" if final_char(line.text) == "?" else "heading_spacing"
            state.tags[line.index] = Tag("heading", rule)


def heading_level(gap: int, gaps: set[int]) -> int:
    """Level 2 for major sections (more blank lines before), 3 for sub-headings."""
    if len({min(g, 2) for g in gaps}) <= 1:
        return 2
    return 2 if gap >= 2 else 3


# --- assembling the Document --------------------------------------------------------------

PASSES: tuple[Callable[[State], None], ...] = (
    tag_noise,
    tag_reference_list,
    tag_callouts,
    tag_title,
    tag_page_header,
    tag_byline_names,
    tag_chrome_under_headline,
    tag_teasers,
    tag_page_footer,
    tag_outside_article,
    tag_permalinked_headings,
    tag_lists,
    tag_unbulleted_lists,
    tag_contents_lists,
    tag_captions,
    tag_link_lists,
    tag_headings,
)


def read_text_article(text: str, source: str = "") -> Document:
    """Read scraped plain text into a Document (never raises on any text)."""
    state = State(rejoin_fragments(scan_lines(text)))
    state.element_per_line = as_elements(state.lines)
    for rule_pass in PASSES:
        rule_pass(state)
    blocks = mark_faq_questions(_blocks(state))
    references = {b.label: b.text for b in blocks if b.kind == "reference"}
    return Document(
        title=state.title or title_from_source(source),
        source=source,
        blocks=blocks,
        references=references,
        dropped=_dropped(state),
    )


def _dropped(state: State) -> tuple[Dropped, ...]:
    return tuple(
        Dropped(number, text, state.tags[line.index].rule)
        for line in state.lines
        if line.index in state.tags and state.tags[line.index].kind == "drop"
        for number, text in (line.pieces or ((line.number, line.text),))
    )


def title_from_source(source: str) -> str:
    """A title made from a file name: ``my-article.txt`` -> ``My article``."""
    stem = PurePath(source).stem.replace("-", " ").replace("_", " ").strip() if source else ""
    return stem[:1].upper() + stem[1:] if stem else "Untitled"


def _blocks(state: State) -> tuple[Block, ...]:
    gaps = {
        line.gap_before
        for line in state.lines
        if (tag := state.tags.get(line.index)) and tag.kind == "heading"
    }
    builder = _Builder(gaps)
    for line in state.lines:
        builder.add(line, state.tags.get(line.index))
    return nest_heading_groups(builder.finish())


def nest_heading_groups(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Headings written alike, where two or more of them stand right above another heading
    (``Features`` / ``Task scheduling`` / its text): those open groups, and the headings
    after each, up to the next such one, are its subsections, a level under it."""
    heads = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level >= 2]
    if len({blocks[i].level for i in heads}) != 1:
        return blocks
    opens = {i for i in heads if i + 1 < len(blocks) and blocks[i + 1].kind == "heading"}
    if len(opens) < 2:
        return blocks
    nested = list(blocks)
    inside = False
    for i in heads:
        inside = inside or i in opens
        if inside and i not in opens:
            nested[i] = replace(blocks[i], level=blocks[i].level + 1)
    return tuple(nested)


class _Builder:
    """Turns tagged lines, in order, into blocks (merging list items and wrapped lines)."""

    def __init__(self, heading_gaps: set[int]) -> None:
        self.heading_gaps = heading_gaps
        self.blocks: list[Block] = []
        self.open_list: int = -1  # group of the list block at the end of self.blocks
        self.open_kind = ""  # kind of the last block a gapless line may continue

    def add(self, line: Line, tag: Tag | None) -> None:
        """Add one line to the blocks."""
        if tag is None:
            self._add_text(line)
        elif tag.kind == "drop":
            self.open_kind = ""
        elif tag.kind in ("item", "lead"):
            self._add_list_line(line, tag)
        else:
            self._add_single(line, tag)

    def _add_single(self, line: Line, tag: Tag) -> None:
        kinds = {
            "title": Block("heading", strip_heading_marks(line.text), level=1),
            "heading": Block(
                "heading", strip_heading_marks(line.text),
                level=heading_level(line.gap_before, self.heading_gaps),
            ),
            "refhead": Block("heading", core_text(line.text).rstrip(":"), level=2),
            "callout": Block("callout", tag.text, label=tag.label),
            "reference": Block("reference", tag.text, label=tag.label),
        }
        block = replace(kinds[tag.kind], lines=line.numbers, rule=tag.rule)
        self._push(block, tag.kind)

    def _add_list_line(self, line: Line, tag: Tag) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last is None or last.kind != "list" or self.open_list != tag.group:
            last = Block("list", ordered=tag.ordered, rule=tag.rule)
            self._push(last, "item")
            self.open_list = tag.group
        if tag.kind == "lead":
            updated = replace(last, lead=tag.text)
        else:
            updated = replace(last, items=(*last.items, tag.text))
        self.blocks[-1] = replace(updated, lines=(*last.lines, *line.numbers))
        self.open_kind = "item"

    def _add_text(self, line: Line) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last is not None and line.gap_before == 0 and self.open_kind:
            self.blocks[-1] = _continue(last, line)
            return
        self._push(Block("paragraph", line.text, line.numbers, rule="paragraph"), "paragraph")

    def _push(self, block: Block, kind: str) -> None:
        self.blocks.append(block)
        self.open_list = -1
        self.open_kind = kind if kind in ("paragraph", "item", "callout") else ""

    def finish(self) -> tuple[Block, ...]:
        """The blocks built so far."""
        return tuple(self.blocks)


def _continue(block: Block, line: Line) -> Block:
    """A wrapped line (no blank line before it) continues the block above."""
    lines = (*block.lines, *line.numbers)
    if block.kind == "list" and block.items:
        items = (*block.items[:-1], f"{block.items[-1]} {line.text}")
        return replace(block, items=items, lines=lines)
    return replace(block, text=f"{block.text} {line.text}".strip(), lines=lines)
