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

Shared helpers used by the Markdown and HTML readers live here too (callouts, FAQ
questions, reference entries, shapes of lines).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from ...models import Block, Document, Dropped

# --- shapes of a line --------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TRAILING_CITATIONS = re.compile(r"(?:\s*\[\d{1,3}\])+$")
_CLOSERS = "\"'”’)]»*_"
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "vs",
        "via",
        "per",
        "into",
        "onto",
        "up",
        "out",
        "off",
        "is",
        "are",
        "be",
        "it",
        "its",
    ]
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_MAX_HEADING_WORDS = 16
_MAX_QUESTION_WORDS = 22


def clean_line(raw: str) -> str:
    """The line without invisible characters, with runs of whitespace (NBSP too) as one space."""
    return " ".join(raw.translate(_INVISIBLE).split())


def core_text(text: str) -> str:
    """``text`` without trailing citation markers and closing quotes/brackets."""
    return _TRAILING_CITATIONS.sub("", text).rstrip().rstrip(_CLOSERS).rstrip()


def final_char(text: str) -> str:
    """The last meaningful character: citation markers and closing quotes ignored."""
    return core_text(text)[-1:]


def word_count(text: str) -> int:
    """Whitespace-separated words."""
    return len(text.split())


def significant_words(text: str) -> set[str]:
    """Lower-cased words of ``text`` other than small function words."""
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _SMALL_WORDS}


def is_title_case(text: str) -> bool:
    """Most significant words start with a capital (``Relieving Back Pain``)."""
    words = _WORD.findall(text)
    if not words:
        return False
    significant = words[:1] + [w for w in words[1:] if w.lower() not in _SMALL_WORDS]
    capitals = sum(w[0].isupper() for w in significant)
    return capitals / len(significant) >= 0.75


def is_heading_shape(text: str) -> bool:
    """Short, and ends without sentence punctuation (a question mark is fine)."""
    if text.endswith(("→", "»")) or _UNORDERED.match(text):
        return False
    last = final_char(text)
    if last == "?":
        return word_count(text) <= _MAX_QUESTION_WORDS
    return bool(last) and last not in ".!;:,…" and word_count(text) <= _MAX_HEADING_WORDS


def shape(text: str) -> str:
    """``label`` (``Name: text``), ``lead`` (ends in ``:``), ``question``, ``fragment``
    (no final punctuation) or ``sentence``."""
    last = final_char(text)
    if last == ":":
        return "lead"
    if _LABELLED.match(text):
        return "label"
    if last == "?":
        return "question"
    return "sentence" if last in ".!;,…" else "fragment"


_LABELLED = re.compile(r"^(?P<label>[^\W\d_][^:]{0,60}?):\s+(?P<rest>\S.*)$")


def _short_label(text: str) -> bool:
    match = _LABELLED.match(text)
    return bool(match) and word_count(match["label"]) <= 7 and "//" not in match["rest"][:3]


# --- list markers ------------------------------------------------------------------------

_UNORDERED = re.compile(
    r"^(?P<mark>[→➔➜➝➞►▶▸▹•●○◦▪▫■□‣⁃·✓✔✗✘☐☑✅❌*+]|->|=>|--?|[–—])\s+(?P<text>\S.*)$"
)
_ORDERED = re.compile(
    r"^(?:(?P<word>step|tip|day|week|phase|stage|part|rule|method|option|way|reason)\s+"
    r"(?P<wn>\d{1,3})\s*[.):\-–—]\s*|(?P<n>\d{1,3})(?P<delim>[.)])\s+|"
    r"\(?(?P<letter>[a-z])\)\s+)(?P<text>\S.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Marker:
    """A list marker found at the start of a line."""

    family: str  # the bullet character, or "1." / "1)" / "step" for numbers
    ordered: bool
    number: int
    text: str  # the item without its marker


def list_marker(text: str) -> Marker | None:
    """The bullet or number that starts ``text``, if any."""
    match = _UNORDERED.match(text)
    if match:
        mark = match["mark"]
        family = "-" if mark in ("-", "--", "–", "—") else mark
        return Marker(family, False, 0, match["text"])
    match = _ORDERED.match(text)
    if match:
        if match["word"]:
            return Marker(match["word"].lower(), True, int(match["wn"]), match["text"])
        if match["letter"]:  # a) b) c): lettered items
            return Marker("a)", True, ord(match["letter"].lower()) - 96, match["text"])
        return Marker("1" + match["delim"], True, int(match["n"]), match["text"])
    return None


# --- callouts, FAQ, references (shared with the other readers) ----------------------------

_CALLOUT_LABELS = (
    r"good to know|pro tip|quick tip|top tip|bonus tip|expert tip|tip|note|please note|"
    r"side note|important|warning|caution|heads up|remember|reminder|key takeaways?|"
    r"takeaway|bottom line|fun fact|did you know|tl;?dr|editor'?s note|fyi|hint|insight"
)
_CALLOUT = re.compile(
    rf"^[*_]{{0,2}}(?P<label>{_CALLOUT_LABELS})[*_]{{0,2}}\s*[:!?\-–—][*_]{{0,2}}\s+"
    r"(?P<text>\S.*)$",
    re.IGNORECASE,
)
_FAQ_HEADING = re.compile(r"\bFAQs?\b|frequently asked|\bquestions\b|\bQ\s*&\s*A\b", re.IGNORECASE)
_REFERENCE_HEADING = re.compile(
    r"^[#*_\s]*(?:resources|references|sources|bibliography|works cited|notes|citations|"
    r"footnotes|further reading)[*_\s]*:?[*_\s]*$",
    re.IGNORECASE,
)
_REFERENCE_ENTRY = re.compile(
    r"^(?:\[\^?(?P<b>\d{1,3})\]:?|\^?(?P<n>\d{1,3})[.):])\s*(?P<text>\S.*)$"
)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def callout_parts(text: str) -> tuple[str, str] | None:
    """``(label, text)`` when ``text`` opens with a callout label such as ``Pro Tip:``."""
    match = _CALLOUT.match(text)
    return (match["label"], match["text"]) if match else None


def is_faq_heading(text: str) -> bool:
    """A heading that opens a FAQ section (``FAQs``, ``Frequently Asked ...``)."""
    return bool(_FAQ_HEADING.search(text))


def is_reference_heading(text: str) -> bool:
    """``Resources:``, ``References``, ``Sources:``, ``Bibliography``, ``Works cited``, ..."""
    return bool(_REFERENCE_HEADING.match(text))


def reference_entry(text: str) -> tuple[str, str] | None:
    """``("3", "https://...")`` for ``3. https://...``, ``[3] text`` or ``[^3]: text``."""
    match = _REFERENCE_ENTRY.match(text)
    if not match:
        return None
    return (match["b"] or match["n"]), reference_target(match["text"].strip())


_URL_INSIDE = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)


def reference_target(text: str) -> str:
    """The URL of an entry that mixes text and a URL (``Survey 2022, https://...``), else
    the entry as it is (a bare URL, or text with no URL)."""
    found = list(dict.fromkeys(u.rstrip(".,;:") for u in _URL_INSIDE.findall(text)))
    if len(found) != 1 or _URL.match(text):
        return text
    return found[0]


def mark_faq_questions(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Turn question headings inside a FAQ section into ``question`` blocks.

    A FAQ section starts at a heading such as ``FAQs`` and ends at the next heading of the
    same or higher level that is not itself a question.
    """
    result: list[Block] = []
    faq_level = 0
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            is_question = final_char(block.text) == "?"
            if faq_level and is_question:
                block = replace(block, kind="question", rule="faq_question")
            elif faq_level and block.level <= faq_level:
                faq_level = 0
            if block.kind == "heading" and (
                is_faq_heading(block.text) or opens_questions(blocks, index)
            ):
                faq_level = block.level or 2
        result.append(block)
    return tuple(result)


def opens_questions(blocks: Sequence[Block], index: int) -> bool:
    """A heading with no text of its own, followed by two or more question headings
    (``What About Naps?`` then ``Is napping good?``, ``How late is too late?``)."""
    head, questions = blocks[index], 0
    for block in blocks[index + 1 :]:
        if block.kind not in ("heading", "question"):
            if not questions:
                return False
            continue
        if final_char(block.text) != "?" or block.level < head.level:
            break
        questions += 1
    return questions >= 2


# --- noise ---------------------------------------------------------------------------------

_SKIP_LINK = re.compile(
    r"^(?:skip|jump) to (?:the )?(?:main )?(?:content|navigation|main|article|footer|menu)\b",
    re.IGNORECASE,
)
_IMAGE_WORDS = (
    "testimonial|testimonials|image|images|photo|photos|picture|pictures|illustration|"
    "infographic|screenshot|logo|icon|banner|graphic|thumbnail|gif|headshot|img"
)
_IMAGE_LABEL = re.compile(rf"\b(?:{_IMAGE_WORDS})$", re.IGNORECASE)
_IMAGE_PREFIX = re.compile(
    r"^(?:photo|image|picture|photo credit|image credit|credit|caption|figure \d+|fig\. ?\d+)"
    r"\s*[:|\-–—]",
    re.IGNORECASE,
)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif)$", re.IGNORECASE)
_LINK_ARROW = re.compile(r"(?:→|»|›|>>|->)\s*$")
_LINK_ONLY = re.compile(
    r"^(?:read more|read the full \w+|continue reading|click here|learn more|see more|"
    r"view all|back to top|read next|keep reading|more info)\b.{0,40}$",
    re.IGNORECASE,
)
_SIGNUP = re.compile(
    r"\b(?:subscribe\b|sign[ -]?up\b|our newsletter|(?:the|our) mailing list|"
    r"receive (?:our )?emails?|enter your email|"
    r"join (?:our|the) (?:list|community|newsletter|mailing list)|(?:to|in) your inbox|"
    r"unsubscribe at any time|no spam)",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:share(?: this)?(?: (?:on|via) \w+)?|tweet|pin it|print|email|facebook|twitter|x|"
    r"linkedin|pinterest|instagram|whatsapp|advertisement|sponsored|previous(?: post)?|"
    r"next(?: post)?|leave a (?:comment|reply)|\d+ comments?|no comments|comments|"
    r"related (?:posts|articles)|you (?:may|might) also like|tags?:.*|categor(?:y|ies):.*|"
    r"posted (?:on|in|by) .*|©.*|copyright .*|all rights reserved.*|cookie settings|"
    r"accept(?: all)?(?: cookies)?)$",
    re.IGNORECASE,
)


_NAVIGATION = re.compile(
    r"^(?:(?:main |mobile |site )?menu|navigation|toggle (?:navigation|menu)|open menu|"
    r"close(?: menu)?|search(?: for)?|log ?in|sign ?in|my account|cart(?: \(\d+\))?|home)$",
    re.IGNORECASE,
)
_CRUMB_SEPARATORS = re.compile(r"\s(?:›|»|>|/|\\|→|·|\|)\s")
_BYLINE_NAME = re.compile(r"^[Bb]y\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:[|·•–—]|$)")
_BYLINE_DATE = re.compile(
    r"^(?:updated|published|last updated|posted)(?: on)?:?\s+\w+\.? \d", re.IGNORECASE
)
_READ_TIME = re.compile(r"\b\d{1,3}\s*(?:-|\s)?min(?:ute)?s?\s+read\b", re.IGNORECASE)
_COOKIE = re.compile(
    r"\b(?:accept|allow|reject|decline|manage)(?: all)?(?: the)? cookies\b|"
    r"\bcookies? (?:settings|policy|preferences|consent|notice|banner)\b|"
    r"\b(?:we|this (?:web)?site) uses? cookies\b|"
    r"\bcookies? to (?:improve|give|ensure|personali[sz]e|analy[sz]e|enhance)\b",
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(
    r"^(?:your |enter your )?(?:e-?mail(?: address)?|first name|last name|full name)\s*\*?:?$",
    re.IGNORECASE,
)
_RELATED_HEADING = re.compile(
    r"^(?:related (?:posts|articles|reading|stories)|you (?:may|might) also like|"
    r"popular (?:posts|articles)|read next|more (?:posts|articles|from the blog)|"
    r"recent posts|further posts)\s*:?$",
    re.IGNORECASE,
)


def is_navigation(text: str) -> bool:
    """A site menu entry left by the scrape: ``Menu``, ``Search``, ``Log in``, ``Home``."""
    return bool(_NAVIGATION.match(core_text(text)))


def is_breadcrumb(text: str) -> bool:
    """A breadcrumb trail: ``Home › Blog › Sleep`` (short parts joined by separators)."""
    parts = _CRUMB_SEPARATORS.split(text)
    if len(parts) < 2 or word_count(text) > 16 or final_char(text) in ".!?":
        return False
    short = all(0 < word_count(p) <= 5 for p in parts)
    return short and (len(parts) >= 3 or parts[0].strip().casefold() == "home")


def is_byline(text: str) -> bool:
    """An author/date/read-time line: ``By Jane Doe | Updated March 3, 2024 | 8 min read``."""
    if word_count(text) > 20:
        return False
    if _BYLINE_NAME.match(text) or _BYLINE_DATE.match(text):
        return True
    read_time = _READ_TIME.search(text)
    return bool(read_time) and (read_time.group(0) == text or bool(re.search(r"[|·•]", text)))


def is_cookie_notice(text: str) -> bool:
    """A cookie banner: ``We use cookies ...``, ``Accept all cookies``."""
    return word_count(text) <= 40 and bool(_COOKIE.search(text))


def is_skip_link(text: str) -> bool:
    """An accessibility link such as ``Skip to content``."""
    return bool(_SKIP_LINK.match(text)) and word_count(text) <= 5


def is_image_label(text: str) -> bool:
    """An image label left by the scrape (``... testimonial``, ``Photo: ...``, a file name)."""
    if word_count(text) > 15 or final_char(text) in ".!?":
        return False
    if _IMAGE_PREFIX.match(text) or _IMAGE_FILE.search(text):
        return True
    return word_count(text) <= 6 and bool(_IMAGE_LABEL.search(text))


def is_link_without_url(text: str) -> bool:
    """A link whose URL the scrape lost: ``... in this article →``, ``Read more``."""
    if word_count(text) > 20:
        return False
    if _LINK_ARROW.search(text):
        return True
    return bool(_LINK_ONLY.match(text)) and final_char(text) not in ".!?"


def is_signup_line(text: str) -> bool:
    """A newsletter sign-up box line: ``Subscribe to our newsletter``, ``Sign up``."""
    if word_count(text) > 25 or not _SIGNUP.search(text):
        return False
    return final_char(text) not in ".;,…" or word_count(text) <= 8


def is_boilerplate(text: str) -> bool:
    """Share buttons, comment counters, copyright lines and similar page furniture."""
    return word_count(text) <= 12 and bool(_BOILERPLATE.match(text))


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


NOISE_RULES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("skip_link: accessibility link", is_skip_link),
    ("cookie_notice: cookie banner", is_cookie_notice),
    ("navigation: site menu entry", is_navigation),
    ("byline: author, date or read-time line", is_byline),
    ("breadcrumb: breadcrumb trail", is_breadcrumb),
    ("form_field: sign-up form field", lambda text: bool(_FORM_FIELD.match(text))),
    ("image_label: image label or caption", is_image_label),
    ("link_without_url: link text whose URL was lost", is_link_without_url),
    ("signup_footer: newsletter sign-up box", is_signup_line),
    ("boilerplate: page furniture (share, comments, copyright)", is_boilerplate),
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
    _tag_signup_boxes(state)


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


def _tag_related_posts(state: State) -> None:
    """Post titles listed under ``Related posts`` / ``You may also like``."""
    for line in state.lines:
        if not _RELATED_HEADING.match(core_text(line.text)):
            continue
        state.drop(line.index, "related_posts: heading of a related-posts list")
        for title in _gapless_run(state, line.index, 1):
            if word_count(title.text) > 16 or final_char(title.text) in ".!;:":
                break
            if state.free(title.index):
                state.drop(title.index, "related_posts: title in a related-posts list")


def _tag_signup_boxes(state: State) -> None:
    """The lines around a sign-up line or form field, with no blank line between, are its box."""
    anchors = [i for i, tag in state.tags.items()
               if tag.rule.startswith(("signup_footer", "form_field"))]
    for index in anchors:
        for step in (1, -1):
            for line in _gapless_run(state, index, step):
                if word_count(line.text) > 30:
                    break
                if state.free(line.index):
                    state.drop(line.index, "signup_box: part of a newsletter sign-up box")


def _heads_prose(state: State, line: Line, reason: str) -> bool:
    """``Client Testimonials`` above a paragraph is a section heading, not an image label."""
    if not reason.startswith("image_label") or _IMAGE_PREFIX.match(line.text):
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
    return reference_entry(text) is not None or bool(_URL.match(text))


def _tag_entries(state: State, start: int) -> None:
    number = 0
    for line in state.lines[start:]:
        entry = reference_entry(line.text)
        if entry is None and _URL.match(line.text):
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
    """The title: the first heading-like line among the first few that are not noise."""
    for line in [ln for ln in state.lines if state.free(ln.index)][:6]:
        if is_heading_shape(line.text) and list_marker(line.text) is None:
            state.tags[line.index] = Tag("title", "title: first heading-like line")
            state.title = line.text
            return


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
    for hole in holes:
        line = state.lines[hole]
        if not state.free(hole) or list_marker(line.text) or shape(line.text) == "lead":
            return None
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
    if kind == "label" and not _short_label(text):
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


# --- captions, link lists, headings ----------------------------------------------------------


def _is_heading_candidate(state: State, line: Line) -> bool:
    return state.free(line.index) and _set_apart(line) and is_heading_shape(line.text)


def _set_apart(line: Line) -> bool:
    return line.gap_before >= 1 and line.gap_after >= 1


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
    tag_lists,
    tag_captions,
    tag_link_lists,
    tag_headings,
)


def read_text_article(text: str, source: str = "") -> Document:
    """Read scraped plain text into a Document (never raises on any text)."""
    state = State(scan_lines(text))
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
        Dropped(line.number, line.text, state.tags[line.index].rule)
        for line in state.lines
        if line.index in state.tags and state.tags[line.index].kind == "drop"
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
    return builder.finish()


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
            "title": Block("heading", line.text, level=1),
            "heading": Block(
                "heading", line.text, level=heading_level(line.gap_before, self.heading_gaps)
            ),
            "refhead": Block("heading", core_text(line.text).rstrip(":"), level=2),
            "callout": Block("callout", tag.text, label=tag.label),
            "reference": Block("reference", tag.text, label=tag.label),
        }
        block = replace(kinds[tag.kind], lines=(line.number,), rule=tag.rule)
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
        self.blocks[-1] = replace(updated, lines=(*last.lines, line.number))
        self.open_kind = "item"

    def _add_text(self, line: Line) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last is not None and line.gap_before == 0 and self.open_kind:
            self.blocks[-1] = _continue(last, line)
            return
        self._push(Block("paragraph", line.text, (line.number,), rule="paragraph"), "paragraph")

    def _push(self, block: Block, kind: str) -> None:
        self.blocks.append(block)
        self.open_list = -1
        self.open_kind = kind if kind in ("paragraph", "item", "callout") else ""

    def finish(self) -> tuple[Block, ...]:
        """The blocks built so far."""
        return tuple(self.blocks)


def _continue(block: Block, line: Line) -> Block:
    """A wrapped line (no blank line before it) continues the block above."""
    lines = (*block.lines, line.number)
    if block.kind == "list" and block.items:
        items = (*block.items[:-1], f"{block.items[-1]} {line.text}")
        return replace(block, items=items, lines=lines)
    return replace(block, text=f"{block.text} {line.text}".strip(), lines=lines)
