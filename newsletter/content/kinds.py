"""The kind of a snippet and the rule that chose it.

- ``cta``: it pitches (see :mod:`.pitch`);
- ``faq``: a question with its answer;
- ``steps``: a procedure: items numbered as steps, a list introduced as a procedure
  ("Instructions:", "How to ..."), items that are instructions, a numbered sequence of
  sentences, a section headed "Step N", steps numbered in a paragraph ("Step 1: ..."), or
  commands between explanations;
- ``list``, ``quote``: mostly a list, mostly a quotation;
- ``fact``: it cites sources or research;
- ``tip``: advice, the default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .markup import plain
from .packing import Chunk, answers_questions, named_sections, numbered_run
from .sections import Section, Unit, counter, markers
from .sentences import sentences

_EVIDENCE = re.compile(r"\b(?:research(?:ers)?|(?<!case )stud(?:y|ies)|trials?|meta-analys[ie]s|"
                       r"journal|according to|scientists|surveys?|evidence (?:shows|suggests))\b",
                       re.IGNORECASE)
_PROCEDURE = re.compile(r"\b(?:steps?|step-by-step|how to|instructions?|directions|method|"
                        r"procedure|process|protocols?|routine|recipe|tutorial|walkthrough|"
                        r"exercise\s*#?\d+|workout|set(?:ting)? up|setup|install(?:ing|ation)?|"
                        r"configur(?:e|ing|ation)|getting started)\b", re.IGNORECASE)
_STEP_HEADING = re.compile(r"^\s*(?:step|stage|phase)\s*#?\d+\b", re.IGNORECASE)
_INLINE_STEP = re.compile(r"\bstep\s*#?\d{1,2}\s*[:.)–—-]", re.IGNORECASE)
_BOLD_LABEL = re.compile(r"^\s*\*\*(?:[^*]{1,60}:\*\*|[^*]{1,60}\*\*:)\s+(?=\S)")  # "**Label:**"
_ITEM = re.compile(r"^(?:-|\d+\.) (.*)$")
_LABELLED_ITEM = re.compile(r"^\s*(?:\*\*[^*]{1,80}\*\*|[^.:!?]{1,60}?(?::|\s[–—-]\s))")
_SEQUENCE_CUE = re.compile(r"\b(?:repeat|hold|then|until|seconds?|minutes?|hours?|times|reps?|"
                           r"sets?)\b", re.IGNORECASE)
_FENCE = re.compile(r"^(?:```|~~~| {4}\S|\$ )", re.MULTILINE)
_MANNER = frozenset([
    "slowly", "gently", "carefully", "firmly", "lightly", "quickly", "then", "next", "now",
    "finally", "first", "second", "third", "also", "always", "never", "simply", "just",
    "and",
])
# Verbs that open an instruction ("Preheat the oven", "Hold for 30 seconds"): plain English,
# the vocabulary of recipes, exercises, repairs, software and errands alike.
INSTRUCTION_VERBS = frozenset([
    "add", "adjust", "align", "allow", "apply", "arrange", "ask", "attach", "avoid", "bake",
    "begin", "bend", "blend", "boil", "breathe", "bring", "brush", "buy", "call", "check",
    "chill", "chop", "choose", "clamp", "clean", "clear", "click", "close", "combine",
    "connect", "continue", "cook", "cool", "copy", "cover", "create", "cut", "decide", "dig",
    "dip", "discard", "divide", "do", "download", "drag", "drain", "drill", "drink", "drop",
    "dry", "eat", "enable", "engage", "enter", "exhale", "extend", "fill", "find", "finish",
    "fix", "fold", "follow", "freeze", "fry", "garnish", "gather", "get", "go", "grab",
    "grate", "grease", "grill", "hang", "heat", "hold", "inhale", "insert", "install", "keep",
    "knead", "label", "lay", "layer", "lean", "let", "level", "lie", "lift", "limit", "line",
    "list", "lock", "log", "look", "loosen", "lower", "maintain", "make", "mark", "massage",
    "measure", "melt", "mix", "mount", "move", "note", "open", "order", "pack", "paint", "pat",
    "pause", "peel", "pick",
    "place", "plan", "plant", "point", "pour", "preheat", "prepare", "press", "print", "pull",
    "pulse", "push", "put", "raise", "reach", "read", "reduce", "register", "relax", "release",
    "remove", "repeat", "replace", "request", "reserve", "rest", "return", "review", "rinse",
    "roast", "roll", "rotate", "rub", "run", "save", "scoop", "scroll", "season", "secure",
    "select", "serve", "set", "shake", "shape", "shift", "sift", "simmer", "sit", "slice",
    "slide", "soak", "sort", "spray", "spread", "sprinkle", "squeeze", "squat", "stack",
    "stand", "start", "step", "stir", "stop", "store", "straighten", "strain", "stretch",
    "switch", "take", "tap", "test", "tighten", "tilt", "toast", "top", "toss", "track",
    "transfer", "trim", "try", "turn", "twist", "type", "unplug", "upload", "use", "visit",
    "wait", "walk", "wash", "water", "whisk", "wipe", "wrap", "write",
])


def chunk_kind(chunk: Chunk, cta: str) -> tuple[str, str]:
    """The snippet kind of a chunk and the rule that chose it."""
    section = chunk.sections[0]
    if cta:
        return "cta", f"cta: {cta}"
    if section.question:
        return "faq", "faq: a question with its answer"
    if answers_questions(chunk):
        return "faq", "faq: questions answered under their introduction"
    steps = steps_rule(chunk.units, section) or _merged_steps(chunk) or _numbered_instructions(
        chunk)
    if steps:
        return "steps", f"steps: {steps}"
    by_kind: dict[str, int] = {}
    for unit in chunk.units:
        by_kind[unit.kind] = by_kind.get(unit.kind, 0) + unit.words
    main = max(by_kind, key=lambda k: by_kind[k]) if by_kind else "paragraph"
    if main == "list" or by_kind.get("list", 0) * 2 >= chunk.words:
        return "list", "list: mostly a list"
    if main == "callout":
        return "tip", "tip: mostly a callout"
    if main == "quote":
        return "quote", "quote: mostly a quotation"
    body = " ".join(u.markdown for u in chunk.units)
    if markers(body) or _EVIDENCE.search(body):
        return "fact", "fact: cites sources or research"
    return "tip", "tip: advice paragraphs"


def like_numbered_siblings(chunks: Sequence[Chunk],
                           kinds: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """In a numbered run of sibling sections (``1. Side Steps`` ... ``7. Foam Roller``) of
    which most are procedures, a sibling whose list is mostly instructions is one too."""
    runs: dict[tuple[str, ...], list[int]] = {}
    for index, chunk in enumerate(chunks):
        section = chunk.sections[0]
        if len(chunk.sections) == 1 and counter(section.heading):
            runs.setdefault(tuple(section.path[:-1]), []).append(index)
    kinds = list(kinds)
    for members in runs.values():
        steps = sum(kinds[i][0] == "steps" for i in members)
        if len(members) < 3 or steps * 2 < len(members):
            continue
        for i in members:
            if kinds[i][0] in ("tip", "list") and _instruction_list(chunks[i].units):
                kinds[i] = ("steps", "steps: instructions, as most of its numbered "
                                     "siblings are procedures")
    return kinds


def _instruction_list(units: Sequence[Unit]) -> bool:
    """A list of three or more items, at least half of them instructions."""
    for unit in units:
        items = list_items(unit.markdown) if unit.kind == "list" else []
        if len(items) >= 3 and sum(is_instruction(i) for i in items) * 2 >= len(items):
            return True
    return False


def is_walkthrough(section: Section) -> bool:
    """A section that runs commands between its explanations (three or more blocks of
    them): each part of it, cut for size, is a step of the same walkthrough."""
    return sum(bool(_FENCE.search(u.markdown)) for u in section.units) >= 3


def _merged_steps(chunk: Chunk) -> str:
    """Merged sections where one is a procedure under its own heading ("How to practice")
    that makes up a good part of the snippet."""
    for section in chunk.sections[1:] if chunk.part == 0 else ():
        why = steps_rule(section.units, section)
        if why and section.words * 3 >= chunk.words:
            return why
    return ""


def _numbered_instructions(chunk: Chunk) -> str:
    """Merged numbered sections headed by instructions ("1. Buy shoes", "2. Walk first")."""
    named = named_sections(chunk.sections)
    if numbered_run(named) and sum(is_instruction(s.title) for s in named) * 2 > len(named):
        return "numbered sections headed by instructions"
    return ""


def steps_rule(units: Sequence[Unit], section: Section) -> str:
    """Why these units are a procedure ("" when they are not)."""
    if _STEP_HEADING.match(section.heading or section.title):
        return "a section headed as a step"
    words = sum(u.words for u in units) or 1
    for unit in units:
        why = _list_steps(unit, section) if unit.kind == "list" else ""
        if why and unit.words * 4 >= words:
            return why
    if sum(bool(_FENCE.search(u.markdown)) for u in units) >= 2:
        return "commands between explanations"
    if _instruction_paragraphs(section.units) and any(
            _PROCEDURE.search(title) for title in (section.title, *section.path)):
        return "paragraphs of instructions under a how-to heading"
    if any(len(_INLINE_STEP.findall(u.markdown)) >= 3 for u in units if u.kind == "paragraph"):
        return "steps numbered in the text (Step 1: ... Step 2: ...)"
    return ""


def _instruction_paragraphs(units: Sequence[Unit]) -> bool:
    """A section's paragraphs, most of which give an instruction ("Drain the zucchini",
    "Next, pack the jars", "In a separate pot, combine the sugar"): a procedure told in
    prose, of which every part cut for size is a step."""
    paragraphs = [u for u in units if u.kind == "paragraph"]
    instructing = sum(any(map(_instructs, sentences(u.markdown))) for u in paragraphs)
    return len(paragraphs) >= 3 and instructing * 2 >= len(paragraphs)


def _instructs(sentence: str) -> bool:
    """The sentence gives an instruction, at its start or after an opening phrase."""
    head, comma, rest = sentence.partition(", ")
    return is_instruction(sentence) or bool(comma and len(head.split()) <= 8
                                            and is_instruction(rest))


def _list_steps(unit: Unit, section: Section) -> str:
    items = list_items(unit.markdown)
    if not items:
        return ""
    if unit.steps:
        return "items numbered as steps"
    instructions = sum(is_instruction(i) for i in items) / len(items)
    introduced = _PROCEDURE.search(unit.label) or _PROCEDURE.search(section.title)
    if introduced and (unit.ordered or instructions >= 0.5):
        return "a list introduced as a procedure"
    if unit.ordered and instructions >= 0.5 and _sequence_like(items):
        return "numbered instructions"
    # bullets of short commands are tips ("Ask a genuine question"); a routine counts its
    # time and repetitions ("Hold for 5 seconds", "Repeat ten times")
    if len(items) >= 3 and instructions >= 0.6 and (
            _counted(items, instructions) if not unit.ordered else _sequence_like(items)):
        return "items that are instructions in sequence"
    if unit.ordered and _numbered_sequence(items):
        return "a numbered sequence of sentences"
    return ""


def list_items(markdown: str) -> list[str]:
    """The top-level items of a Markdown list unit, as Markdown."""
    return [m.group(1) for line in markdown.split("\n") if (m := _ITEM.match(line))]


def is_instruction(text: str) -> bool:
    """An item that opens with an instruction verb ("Preheat the oven", "Slowly lower"),
    after its bold label if it has one ("**Seek input:** Get an assessment")."""
    text = _BOLD_LABEL.sub("", text, count=1)
    words = re.findall(r"[a-z]+", plain(text).lower())[:3]
    while words and words[0] in _MANNER:
        words = words[1:]
    return bool(words) and words[0] in INSTRUCTION_VERBS


def _counted(items: Sequence[str], instructions: float) -> bool:
    """A routine counts its time and repetitions: in a third of its items, or in one when
    nearly all are instructions ("Slowly stand back up, repeat 5 times")."""
    counts = sum(bool(_SEQUENCE_CUE.search(i)) for i in items)
    return counts * 3 >= len(items) or (counts >= 1 and instructions >= 0.8)


def _sequence_like(items: Sequence[str]) -> bool:
    """Short actions, or ones that count time and repetitions: a routine, not tips."""
    mean = sum(len(plain(i).split()) for i in items) / len(items)
    return mean <= 10 or sum(bool(_SEQUENCE_CUE.search(i)) for i in items) * 2 >= len(items)


def _numbered_sequence(items: Sequence[str]) -> bool:
    """Three or more numbered sentences that are not labelled entries ("Term: text")."""
    sentences = [plain(i) for i in items]
    raw = [i for i in sentences if len(i.split()) >= 6 and i.rstrip().endswith((".", "!"))]
    labelled = sum(bool(_LABELLED_ITEM.match(i) or _LABELLED_ITEM.match(plain(i)))
                   for i in items)
    return len(items) >= 3 and len(raw) * 3 >= len(items) * 2 and labelled * 2 < len(items)
