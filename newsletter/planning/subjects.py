"""Subjects and preheaders a person would write, from what the issue holds.

A subject is a whole phrase of at most 60 characters, never cut with "…" nor ending on
":". It is the lead block's title when that fits; else a shorter phrasing of it made from
its own words (no parenthesis, the article's own abbreviations such as "QL" for
"quadratus lumborum", no filler words), or a natural part of it (before or after a colon
or a dash); else another block's title; only when nothing fits, the title up to a word
that can end a phrase. Subjects differ across the newsletter ("More on ..." when a title
comes back).

A preheader (at most 100 characters) adds to the subject instead of repeating it: the
lead block's first complete sentence when it says something the subject does not, then
what else is inside ("Also: ...; plus a reader's story"), in whole items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..content.sentences import sentences
from .phrases import ENGLISH, Phrases

SUBJECT_MAX = 60  # characters: inboxes on phones show about this much
PREHEADER_MAX = 100  # characters: inboxes show about this much after the subject

# Words a phrase cannot end on ("Why your back hurts and" reads broken).
_DANGLING = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into",
                       "of", "on", "or", "so", "than", "that", "the", "to", "with", "your",
                       "my", "our", "their", "its", "is", "are", "when", "why", "how", "what",
                       "&", "+", "vs", "no", "not", "very", "almost", "more", "less", "most",
                       "which", "who", "whose", "while", "if", "because", "this", "these",
                       "those", "be", "was", "were", "has", "have", "had", "will", "can"})
_FILLERS = re.compile(r"\s+\b(?:really|actually|simply|just|very|truly|basically)\b",
                      re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_BREAK = re.compile(r"\s*(?::|\s[–—-]\s|—|\?\s)\s*")
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9]{1,5})\)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKER = re.compile(r"\s*\[\^?\d+\](?:\s*\[\^?\d+\])*")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•→]\s+|\d+[.)]\s+|Step \d+\)\s*)")
_TRAILING_MESS = " \t:;,-–—/|(["
_LEADING_JOIN = re.compile(r"^(?:and|but|or|so|plus)\s+", re.IGNORECASE)


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text: no marks, links as their text, no citations."""
    lines = [_LINE_MARK.sub("", line) for line in markdown.splitlines()]
    text = " ".join(line.strip() for line in lines if line.strip())
    text = _MARKER.sub("", _LINK.sub(r"\1", text))
    text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def tidy_title(title: str) -> str:
    """A title as a subject: plain text, no trailing colon, dash or full stop."""
    return _capital(plain_text(title).rstrip(_TRAILING_MESS + "."))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Phrases the article abbreviates, as written: "quadratus lumborum (QL)" -> {"quadratus
    lumborum": "QL"} (the initials of the words before the parenthesis must spell it)."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _ABBREVIATION.finditer(text):
            short = match.group(1)
            words = re.findall(r"[\w'’-]+", text[:match.start()])[-len(short):]
            if len(words) == len(short) and "".join(w[0] for w in words).upper() == short:
                found[" ".join(words).casefold()] = short
    return found


def phrasings(title: str, short: Mapping[str, str] | None = None) -> list[str]:
    """The ways ``title`` can be a subject, best first: each a whole phrase that fits."""
    text = tidy_title(title)
    whole = [text, _PARENTHESES.sub("", text)]
    whole.append(_abbreviate(whole[-1], short or {}))
    whole.append(_FILLERS.sub("", whole[-1]))
    shortest = whole[-1]
    parts = [_capital(_LEADING_JOIN.sub("", p.rstrip(_TRAILING_MESS)))
             + ("?" if f"{p}?" in shortest else "")
             for p in _BREAK.split(shortest) if p]  # "The science of X: why" -> either half
    return _unique([*(w for w in whole if len(w) <= SUBJECT_MAX),
                    *(p for p in parts if len(parts) > 1 and len(p) <= SUBJECT_MAX
                      and len(p.split()) >= 2)])


def _abbreviate(text: str, short: Mapping[str, str]) -> str:
    for phrase, abbr in short.items():
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", abbr, text, flags=re.IGNORECASE)
    return text


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def cut_phrase(text: str, limit: int) -> str:
    """``text`` up to the last word within ``limit`` that can end a phrase (no ellipsis)."""
    words = tidy_title(text).split()
    first = words[0] if words else ""
    while words and (len(" ".join(words)) > limit
                     or words[-1].casefold().strip(",;") in _DANGLING):
        words.pop()
    # One word longer than the limit (a URL, a run of digits) is all there is: cut it.
    return " ".join(words).rstrip(_TRAILING_MESS) or first[:limit]


def write_subject(titles: Sequence[str], taken: set[str], *,
                  short: Mapping[str, str] | None = None, fallback: str = "") -> str:
    """The issue's subject from its blocks' ``titles`` (lead first), unlike ``taken``.

    ``taken`` holds the casefolded subjects of the rest of the newsletter; ``short`` the
    article's abbreviations; ``fallback`` (the article's title) serves when no block has a
    title.
    """
    titles = [t for t in titles if tidy_title(t)] or [fallback or "A new tip"]
    options = [p for t in titles for p in phrasings(t, short)]
    if not options:
        options = [cut_phrase(_abbreviate(_PARENTHESES.sub("", titles[0]), short or {}),
                              SUBJECT_MAX)]
    for candidate in options + [f"More on {o}" for o in options]:
        if candidate.casefold() not in taken and len(candidate) <= SUBJECT_MAX:
            return candidate
    for n in range(2, 100):
        candidate = f"{cut_phrase(options[0], SUBJECT_MAX - 9)}, part {n}"
        if candidate.casefold() not in taken:
            return candidate
    return options[0]


def write_preheader(subject: str, lead_body: str, inside: Sequence[str],
                    words: Phrases = ENGLISH) -> str:
    """A preheader that adds to ``subject``: the lead body's first telling sentence, then
    what else is inside (``inside``: the other blocks, as a reader would name them)."""
    sentence = _telling_sentence(subject, lead_body)
    inside = inside or ([] if sentence else _item_heads(lead_body))
    frame = words.also.format(sentence=sentence, items="") if sentence else \
        words.inside.format(items="")
    also = _listing(inside, PREHEADER_MAX - len(frame), words)
    if sentence and also:
        return words.also.format(sentence=sentence, items=also)
    if sentence:
        return sentence
    if also:
        return words.inside.format(items=also)
    # a body that is only an ellipsis ("…") gives no preheader of its own
    return _leading_clause(plain_text(lead_body), PREHEADER_MAX).rstrip("… ") or subject


_CLAUSE_END = re.compile(r"[,;:—–]\s|\s[-–—]\s|[.!?](?:\s|$)")


def _leading_clause(text: str, limit: int) -> str:
    """The start of ``text`` up to the last clause or sentence break within ``limit`` (four
    words or more), so a long opening sentence gives a whole phrase; else cut at a word."""
    text = " ".join(text.split())
    ends = [m.start() for m in _CLAUSE_END.finditer(text[:limit + 1])]
    for end in reversed(ends):
        clause = text[:end + (text[end] in ".!?")].strip()
        if len(clause.split()) >= 4 and clause.casefold().split()[-1] not in _DANGLING:
            return clause
    return cut_phrase(text, limit)


def _telling_sentence(subject: str, body: str) -> str:
    # each line on its own: a lead-in ("**Increase income:**") never runs into the next
    prose = [line for line in body.splitlines() if line.strip() and not _LINE_MARK.match(line)]
    said = subject.casefold().rstrip("?!.")
    telling = [s for line in prose for s in sentences(plain_text(line))
               if not s.endswith(":") and not (len(said.split()) >= 3
                                                and s.casefold().startswith(said))]
    return next((s for s in telling[:2] if len(s) <= PREHEADER_MAX and s[-1:] in ".!?"), "")


def _item_heads(body: str) -> list[str]:
    """The lead words of a list's items ("Fast pain relief: ..." -> "Fast pain relief")."""
    heads = []
    for line in body.splitlines():
        if _LINE_MARK.match(line) and ":" in line:
            head = plain_text(line).split(":")[0].strip()
            if 1 <= len(head.split()) <= 8:
                heads.append(head)
    return heads


def _listing(items: Sequence[str], room: int, words: Phrases) -> str:
    """"A, B and C" with as many whole items as fit in ``room`` characters."""
    kept: list[str] = []
    for item in dict.fromkeys(i for i in items if i):
        if len(words.join([*kept, item])) > room:
            break
        kept.append(item)
    return words.join(kept)
