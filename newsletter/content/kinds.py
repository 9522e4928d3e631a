"""The kind of a snippet: tip, fact, steps, faq, list, quote or cta, and the rule that chose it."""

from __future__ import annotations

import re

from .packing import Chunk
from .sections import Section, markers

# --- chunks -> snippets ------------------------------------------------------------------------

_EVIDENCE = re.compile(r"\b(research|studies|study|evidence|trial|according to|researchers|"
                       r"scientists|data|survey|percent|\d+(?:\.\d+)?\s?%)\b", re.IGNORECASE)
_STEPWORDS = re.compile(r"\b(steps?|step-by-step|how to|process|routine|instructions|"
                        r"procedure|first,|expect)\b", re.IGNORECASE)


def chunk_kind(chunk: Chunk, cta: str) -> tuple[str, str]:
    """The snippet kind of a chunk and the rule that chose it."""
    section = chunk.sections[0]
    if cta:
        return "cta", f"cta: {cta}"
    if section.question:
        return "faq", "faq: a question with its answer"
    by_kind: dict[str, int] = {}
    for unit in chunk.units:
        by_kind[unit.kind] = by_kind.get(unit.kind, 0) + unit.words
    main = max(by_kind, key=lambda k: by_kind[k])
    if main == "list" or by_kind.get("list", 0) * 2 >= chunk.words:
        return _list_kind(chunk, section)
    if main == "callout":
        return "tip", "tip: mostly a callout"
    if main == "quote":
        return "quote", "quote: mostly a quotation"
    body = " ".join(u.markdown for u in chunk.units)
    if markers(body) or _EVIDENCE.search(body):
        return "fact", "fact: cites sources or research"
    return "tip", "tip: advice paragraphs"


def _list_kind(chunk: Chunk, section: Section) -> tuple[str, str]:
    lists = [u for u in chunk.units if u.kind == "list"]
    if any(u.steps for u in lists):
        return "steps", "steps: items numbered as steps"
    if any(u.ordered and (_STEPWORDS.search(u.label) or _STEPWORDS.search(section.title))
           for u in lists):
        return "steps", "steps: a numbered list introduced as a process"
    return "list", "list: mostly a list"


