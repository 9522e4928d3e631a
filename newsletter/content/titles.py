"""Snippet titles: plain text, at most about 70 characters, each one its own in the article.

A snippet that holds a whole section is titled by its heading. When a long section is cut,
each later part is titled from what it holds, never by repeating the heading as "(part 2)":
a label it opens with (a callout's, a bold lead's), a question it asks, or the gist of its
first sentence. Every function returns the title and the rule that chose it, for
``newsletter split --explain``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .markup import plain
from .sections import Unit
from .sentences import sentences

MAX_TITLE = 70

_LIST_MARK = re.compile(r"^\s*(?:[-*+•→]|\d{1,3}[.)]|#{1,6})\s+")
_SPACES = re.compile(r"\s+")
_BOLD_LEAD = re.compile(r"^\*\*(?P<label>[^*\n]{2,90}?)\*\*\s*(?P<rest>.*)$", re.DOTALL)
# Words a cut title must not end on: it would read as cut mid-phrase.
_DANGLING = frozenset([
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for",
    "with", "from", "as", "into", "onto", "than", "that", "which", "who", "whose", "whom",
    "where", "when", "while", "if", "so", "because", "about", "over", "under", "between",
    "your", "our", "their", "my", "his", "her", "its", "this", "these", "those", "is", "are",
    "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "can",
    "could", "will", "would", "should", "may", "might", "must", "very", "more", "most", "such",
    "not", "no", "new", "own", "other", "many", "some", "any", "each", "every", "all", "few",
    # words that ask for what follows ("challenging due | to ...", "which means | ...")
    "due", "means", "handful", "able", "unable", "according", "thanks", "including", "like",
    "whether", "via", "per", "toward", "towards", "without", "within", "through", "across",
    "during", "until", "despite", "upon", "among",
])
# Leading words that carry no content in a title ("However, ...", "Now ...").
_CONJUNCTIONS = frozenset(["so", "and", "but", "or", "plus"])
_OPENERS = frozenset([
    "however", "also", "additionally", "furthermore", "moreover", "finally", "next", "then",
    "now", "so", "and", "but", "or", "still", "plus", "besides", "meanwhile", "instead",
    "ideally", "basically", "honestly", "look", "okay", "ok", "well", "anyway",
])
# Words that open an introductory phrase set off by a comma ("In other words, ...").
_INTRODUCERS = frozenset([
    "in", "as", "for", "on", "at", "by", "with", "after", "before", "during", "since", "while",
    "when", "if", "although", "though", "because", "yes", "no", "well", "of", "to", "from",
    "besides", "unlike", "like", "despite", "instead", "that", "this", "according",
])
# Words that open a subordinate clause: the main clause after its comma makes the title.
_SUBORDINATORS = frozenset([
    "if", "when", "whenever", "while", "although", "though", "because", "since", "unless",
    "once", "whether", "after", "before", "until", "as",
])
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()]|\s[—–-]\s|—)\s*")


def clean_title(text: str, limit: int = MAX_TITLE) -> str:
    """A heading made fit to be a title: plain, without list marks, within ``limit``."""
    text = _LIST_MARK.sub("", plain(text))
    return shorten(text, limit)


def shorten(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` if it fits; else its first clause that does, else cut at a word, never
    ending on a word that leaves the phrase hanging ("of", "the", "and")."""
    text = text.strip()
    if len(text) <= limit:
        return text
    clause = _fitting_clause(text, limit)
    if clause:
        return without_unpaired(clause)
    words = text[: limit + 1].split()
    if len(text) > limit and not text[limit].isspace():
        words = words[:-1]  # the last word was cut through
    # end at a phrase boundary: before the last word in the final half that opens a clause
    # ("... are here | to help you find"), else before its last function word
    late = [i for i, w in enumerate(words) if i >= 4 and i * 2 >= len(words)
            and w.lower() in _DANGLING]
    opening = [i for i in late if words[i].lower() in _CLAUSE_OPENERS]
    cut = (opening or late or [len(words)])[-1]
    words = words[:cut]
    # a word that ends its clause ("relatively new,") does not hang, whatever it is
    while len(words) > 1 and not words[-1].endswith((",", ";")) and \
            words[-1].lower().strip(":") in _DANGLING:
        words.pop()
    return without_unpaired(" ".join(words).rstrip(",;:—–-"))


_PAIRS = {"“": "”", "(": ")", "[": "]", "‘": "’"}


def without_unpaired(text: str) -> str:
    """``text`` without the quote marks and brackets a cut left open or closed alone
    (``“Don’t panic`` -> ``Don’t panic``); an apostrophe is never taken for a quote."""
    opened: list[int] = []
    unpaired: set[int] = set()
    closers = {close: start for start, close in _PAIRS.items()}
    for i, char in enumerate(text):
        if char in _PAIRS:
            opened.append(i)
        elif char in closers and char != "’":
            if opened and text[opened[-1]] == closers[char]:
                opened.pop()
            else:
                unpaired.add(i)
        elif char == "’" and opened and text[opened[-1]] == "‘":
            opened.pop()
    unpaired.update(opened)
    straight = [i for i, c in enumerate(text) if c == '"']
    if len(straight) % 2:
        unpaired.add(straight[-1])
    kept = "".join(c for i, c in enumerate(text) if i not in unpaired)
    return " ".join(kept.split())


_CLAUSE_OPENERS = frozenset(["to", "that", "which", "who", "whose", "when", "while", "because",
                             "if", "so", "where", "than"])


def _fitting_clause(text: str, limit: int) -> str:
    """The longest run of whole leading clauses within ``limit`` that has 3+ words."""
    best = ""
    for match in _CLAUSE_BREAK.finditer(text):
        candidate = text[: match.start()].strip()
        if len(candidate) > limit:
            break
        balanced = candidate.count("(") == candidate.count(")")
        if (len(candidate.split()) >= 3 and balanced and _ends_cleanly(candidate)
                and not _inside_series(candidate, text[match.start():])):
            best = candidate
    return best


_SERIES_GOES_ON = re.compile(r"^,\s*(?:(?:and|or)\s+)?(?:[\w'’&.-]+\s+){0,2}[\w'’&.-]+\s*(?:,|$)")


def _inside_series(candidate: str, rest: str) -> bool:
    """The break falls inside a series ("Google Docs, WordPress, or Notion"): what follows
    is one more short item, or the candidate ends with one after a comma."""
    last = candidate.rsplit(",", 1)
    return bool(_SERIES_GOES_ON.match(rest)) or (len(last) == 2 and len(last[1].split()) <= 2)


def _ends_cleanly(phrase: str) -> bool:
    last = phrase.split()[-1].lower().strip("\"'“”‘’")
    return last not in _DANGLING


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (plain text)."""
    body = plain(_LIST_MARK.sub("", text.strip().split("\n\n")[0]))
    found = sentences(body)
    return found[0] if found else ""


def gist(text: str, limit: int = MAX_TITLE) -> str:
    """A title from the first sentence of ``text``: the sentence itself when it is short, else
    its leading clause; without a content-free opener ("However, ..."), capitalised, and
    without its final full stop (a question keeps its mark)."""
    sentence = _without_opener(_without_opener(first_sentence(text)))  # "According to X, as ..."
    if sentence.endswith("?") and len(sentence) <= limit:
        return _capitalised(sentence)
    title = shorten(sentence.rstrip(".!…"), limit)
    return _capitalised(title)


def _without_opener(sentence: str) -> str:
    """The sentence without a content-free opening ("However,", "In other words,", "As
    explained above,"): a leading word from :data:`_OPENERS`, or a phrase of up to four
    words set off by a comma when enough follows it."""
    words = sentence.split()
    # a conjunction always; an adverb only when a comma sets it off ("Next, add", not
    # "Next time you ...")
    while len(words) > 3 and words[0].lower().strip(",") in _OPENERS and (
            words[0].endswith(",") or words[0].lower() in _CONJUNCTIONS):
        words = words[1:]
    comma = next((i for i, w in enumerate(words[:4]) if w.endswith(",")), None)
    introductory = bool(words) and (words[0].lower().strip(",") in _INTRODUCERS
                                    or words[0].lower().strip(",").endswith("ly"))
    if introductory and comma is not None and len(words) - comma - 1 >= 5:
        words = words[comma + 1:]
    elif words and words[0].lower() in _SUBORDINATORS:
        # "If your stress system is on, your body stays alert": the main clause says it
        comma = next((i for i, w in enumerate(words[:14]) if w.endswith(",")), None)
        if comma is not None and len(words) - comma - 1 >= 4:
            words = words[comma + 1:]
    return " ".join(words)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def bold_lead(markdown: str) -> str:
    """The label a paragraph opens with in bold (``**Label:** text``), or ""."""
    match = _BOLD_LEAD.match(markdown.strip())
    if not match:
        return ""
    label = plain(match.group("label")).rstrip(":.")
    return label if 1 <= len(label.split()) <= 12 else ""


def question_in(text: str) -> str:
    """The first sentence of ``text`` when it is a question, or ""."""
    sentence = first_sentence(text)
    return sentence if sentence.endswith("?") and len(sentence) <= MAX_TITLE else ""


def joined(titles: Iterable[str]) -> str:
    """``A``, ``A and B``, ``A, B and C`` (sentence headings joined without their full
    stops: ``Be authentic and It's about people``)."""
    names = [t for t in titles if t]
    if len(names) <= 1:
        return "".join(names)
    names = [t[:-1] if t.endswith(".") and not t.endswith("..") else t for t in names]
    return ", ".join(names[:-1]) + " and " + names[-1]


_CORE_NOISE = re.compile(r"\((?:part|pt\.?)\s*\d+\)|\bpart\s+\d+\b|\bcont(?:inued|\.)?\b|"
                         r"\bmore on\b", re.IGNORECASE)
_CORE_WORD = re.compile(r"[a-z0-9]+")


def title_key(title: str) -> str:
    """What makes two titles the same to a reader: their words, ignoring case, punctuation
    and part numbering ("Tips (part 2)" is "Tips")."""
    text = _CORE_NOISE.sub(" ", title.lower().replace("’", "'").replace("'", ""))
    return " ".join(_CORE_WORD.findall(text))


def heading_words(heading: str) -> int:
    """Words in a heading as a reader counts them (letters and digits)."""
    return len(_CORE_WORD.findall(heading.lower()))


_NUMBERED_LABEL = re.compile(r"^(?P<word>[^\W\d_]+)\s*#?(?P<n>\d{1,3})$")


def numbered_range(names: Sequence[str]) -> str:
    """``Step 1`` ... ``Step 8`` -> ``Steps 1–8``; "" unless every name is the same word and
    a number."""
    found = [_NUMBERED_LABEL.match(n) for n in names]
    words = {m["word"].casefold() for m in found if m}
    if len(names) < 2 or not all(found) or len(words) != 1:
        return ""
    word = found[0]["word"]  # type: ignore[index]
    plural = word if word.endswith("s") else f"{word}s"
    return f"{plural} {found[0]['n']}–{found[-1]['n']}"  # type: ignore[index]


def merged_title(headings: Sequence[str], parent: str = "",
                 numbers: Sequence[str] = ()) -> str:
    """One title for short sections merged into one snippet: ``Parent: A and B`` or
    ``A, B and C`` (``Steps 1–4`` for headings that only number steps); numbered
    sections too many to name go by their numbers (``Parent: 1–5``); "" when no such
    title fits in :data:`MAX_TITLE` characters."""
    names = [clean_title(h) for h in headings]
    listed = numbered_range(names) or joined(names)
    by_number = f"{clean_title(parent)}: {numbers[0]}–{numbers[-1]}" if (
        parent and len(numbers) > 1 and all(numbers)) else ""
    for title in (f"{parent}: {listed}" if parent else "", listed, by_number):
        if title and len(title) <= MAX_TITLE:
            return title
    return ""


def part_titles(units: Sequence[Unit]) -> list[tuple[str, str]]:
    """Titles for a later part of a cut section, from what it opens with, best first, each
    with its rule: a callout's label, a bold lead, a question, the gist of a sentence."""
    if not units:
        return []
    first = units[0]
    found = []
    if first.kind == "callout" and first.label:
        found.append((clean_title(first.label), "the label of the callout it opens with"))
    text = _opening_text(first)
    found.append((bold_lead(text), "the bold lead it opens with"))
    found.append((question_in(text), "the question it opens with"))
    found.append((gist(text), "the gist of its first sentence"))
    for later in units[1:3]:
        found.append((bold_lead(later.markdown) or gist(_opening_text(later)),
                      "the gist of a later paragraph"))
    return [(title, rule) for title, rule in found if title]


def _opening_text(unit: Unit) -> str:
    """The text a unit opens with: a list's first item (after its lead-in), else its text."""
    if unit.kind == "list":
        items = [line for line in unit.markdown.split("\n") if _LIST_MARK.match(line)]
        return _LIST_MARK.sub("", items[0]) if items else unit.markdown
    return unit.markdown.lstrip("> ")
