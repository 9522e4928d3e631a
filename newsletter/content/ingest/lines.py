"""What a line of an article looks like: its shape, list marker, callout label, FAQ
question or reference entry. Shared by the text, Markdown and HTML readers."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...models import Block

# --- shapes of a line --------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_ANY_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
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
    if _ANY_INVISIBLE.search(raw):  # translate() looks up every character: only when needed
        raw = raw.translate(_INVISIBLE)
    return " ".join(raw.split())


def core_text(text: str) -> str:
    """``text`` without trailing citation markers and closing quotes/brackets."""
    return _TRAILING_CITATIONS.sub("", text).rstrip().rstrip(_CLOSERS).rstrip()


_SENTENCE_MARK = re.compile(r"[.!?][\"'”’)]*(?:\s|$)")


def has_sentence(text: str) -> bool:
    """``text`` ends a sentence somewhere (a menu entry or a headline seldom does)."""
    return bool(_SENTENCE_MARK.search(text))


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
    """Short, ends without sentence punctuation (a question mark is fine), and reads as
    words, not code (``trees = load_trees(...)``)."""
    if text.endswith(("→", "»")) or _UNORDERED.match(text) or _CODE.search(text):
        return False
    last = final_char(text)
    if last == "?" or core_text(text).endswith(("?!", "!?")):  # "Laser Headlights?!"
        return word_count(text) <= _MAX_QUESTION_WORDS
    return bool(last) and last not in ".!;:,…" and word_count(text) <= _MAX_HEADING_WORDS


# an assignment, a call right after a name, braces, or a dotted name: a line of code
_CODE = re.compile(r"\s=\s|\w\(|[{}]|\b[a-z_]\w*\.[a-z_]\w*\(|^\s*(?:import|from|def|class)\s+\w")


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


def is_short_label(text: str) -> bool:
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


@functools.lru_cache(maxsize=8192)
def list_marker(text: str) -> Marker | None:
    """The bullet or number that starts ``text``, if any (the passes ask often)."""
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
    r"^[#*_\s]*(?:(?:show|view|hide|see|all)\s+)?"
    r"(?:resources|references|sources|bibliography|works cited|notes|citations|"
    r"footnotes|further reading)[*_\s]*:?[*_\s]*$",
    re.IGNORECASE,
)
_REFERENCE_ENTRY = re.compile(
    r"^(?:\[\^?(?P<b>\d{1,3})\]:?|\^?(?P<n>\d{1,3})[.):])\s*(?P<text>\S.*)$"
)
URL_LINE = re.compile(r"^(?:(?i:https?://|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
                      r"(?:com|org|net|io|co|uk|de|fr|info|blog|dev|app|me|tv|news|ca|au)/?)$")
# an address, or a site's name written as one ("topleftpixel.com"; not "ASP.NET")


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
    """``("3", "https://...")`` for ``3. https://...``, ``[3] text`` or ``[^3]: text``: the
    entry as written, its text with its URL (``Survey 2022, https://...``)."""
    match = _REFERENCE_ENTRY.match(text)
    if not match:
        return None
    return (match["b"] or match["n"]), match["text"].strip()


def mark_faq_questions(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Turn question headings inside a FAQ section into ``question`` blocks.

    A FAQ section starts at a heading such as ``FAQs`` and ends at the next heading of the
    same or higher level that is not itself a question, or at a question above the level of
    its questions (``## Ready to Bake?`` after the FAQ's ``###`` questions is a section).
    """
    result: list[Block] = []
    faq_level = question_level = 0
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            is_question = final_char(block.text) == "?"
            if faq_level and is_question and block.level >= question_level:
                block = replace(block, kind="question", rule="faq_question")
                question_level = question_level or block.level
            elif faq_level and block.level <= faq_level:
                faq_level = question_level = 0
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
    if head.level <= 1:
        return False  # the article's title is followed by all its sections, not a FAQ
    for position in range(index + 1, len(blocks)):  # islice would step over the start again
        block = blocks[position]
        if block.kind not in ("heading", "question"):
            if not questions:
                return False
            continue
        if final_char(block.text) != "?" or block.level < head.level:
            break
        questions += 1
    return questions >= 2


_HEADING_MARKS = re.compile(
    r"\[\s*\[edit\]\([^)]*\)\s*\]|\[\s*edit(?:\s*\|\s*edit source)?\s*\](?:\([^)]*\))?|"
    r"\s*[¶§🔗⚓]+\s*$|\s+#+\s*$",
    re.IGNORECASE,
)


def strip_heading_marks(text: str) -> str:
    """A heading without its permalink sign (``¶``, ``#``, ``§``) or ``[edit]`` link."""
    return " ".join(_HEADING_MARKS.sub(" ", text).split())


# --- page titles -----------------------------------------------------------------------------

TITLE_PARTS = re.compile(r"\s+(\||—|–|-|·|•|::|»)\s+")
_SITE_SEPARATORS = frozenset(["|", "—", "·", "•", "::", "»"])
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:www\d?\.)?([^/:?#]+)", re.IGNORECASE)


def strip_site_name(title: str, url: str = "") -> str:
    """The article's own title from a page title: ``Basic Lumbar Routine — Dr Tim Foo | State
    Of Flow`` -> ``Basic Lumbar Routine``.

    A trailing part is the site's name when it spells the page's host name (``Dr Tim Foo``
    for ``drtimfoo.com``), or when it is short and follows a separator that titles use for
    site names (`` | ``, `` — ``, `` · ``). A hyphen or en dash only separates a part the host
    name confirms, so ``Migraines and Headaches - Patient Home Guide`` keeps its hyphen.
    """
    parts = TITLE_PARTS.split(title.strip())  # text, separator, text, ...
    texts, separators = parts[0::2], parts[1::2]
    host = _host_letters(url)
    for index in range(1, len(texts)):
        letters = _letters(texts[index])
        if host and len(letters) >= 4 and (letters in host or host in letters):
            texts, separators = texts[:index], separators[: index - 1]
            break
    while (len(texts) > 1 and separators[-1] in _SITE_SEPARATORS
           and word_count(texts[-1]) <= 5 and word_count(" ".join(texts[:-1])) >= 2):
        texts, separators = texts[:-1], separators[:-1]
    joined = texts[0]
    for separator, text in zip(separators, texts[1:], strict=False):
        joined += f" {separator} {text}"
    return joined.strip() or title.strip()


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _host_letters(url: str) -> str:
    """``drtimfoo`` for ``https://www.drtimfoo.com/blog``: the host without www and suffix."""
    match = _HOST.match(url.strip())
    if not match:
        return ""
    labels = match[1].lower().split(".")
    name = max(labels[:-1] or labels, key=len)
    return _letters(name)


LONG_LISTING = "long_listing: a code listing too long for an email (the article keeps it)"
_LISTING_LINES = 12


def is_long_listing(code: str) -> bool:
    """A code listing of more than a dozen lines: no tip-sized email can hold it."""
    return code.strip("\n").count("\n") >= _LISTING_LINES
