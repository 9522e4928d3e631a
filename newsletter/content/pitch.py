"""Calls to action, found as an editor finds them: the sentences that pitch rather than inform.

A sentence pitches by the signals it carries, each a small named rule over its plain text
(link targets and URLs removed, so a product name inside a URL counts for nothing):

- ``offer``: an action word with what it gets the reader ("Book your assessment",
  "Request an appointment", "grab a bottle", "Order now");
- ``invitation``: the author offering themselves ("I'll be happy to help", "let's talk",
  "contact us", "join our ...", "our team");
- ``product``: a name from the newsletter's ``products``;
- ``availability``, ``promotion``, ``product copy``, ``button``: "is now available",
  "templates on Etsy", "20% off", "comes with", a short link that says what it does
  ("[Buy now](...)");
- ``pointer``: arrows that point at a button or form below ("Book a visit ⬇⬇⬇").

A sentence that sends the reader elsewhere ("contact your doctor", "call the help desk")
pitches nothing unless the author also offers themselves. Salesy words alone make no pitch:
in the article's closing sections one strong signal (offer, invitation, availability, a
product with anything) makes a pitch; elsewhere it takes two kinds of signal, or a short
line that is an offer (a button's text). A CTA is the pitch itself: pitching sentences are
cut out of the paragraphs they close or sit in, never a whole article or a section that
merely mentions a product.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace

from .contentfile import count_words
from .markup import plain
from .sections import Section, Unit
from .sentences import sentences
from .titles import gist

_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # its text stays, its address goes
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<[^>]*>|\b(?:https?://|www\.)\S+", re.IGNORECASE)
_ACTION = (r"book|schedule|request|reserve|claim|order|buy|shop|grab|get|start|join|sign up|"
           r"register|enrol+|subscribe|download|try|contact|call|email|message|visit|make|"
           r"pick up|head over")
_GOODS = (r"appointments?|assessments?|consult(?:ation)?s?|video-consult|sessions?|visits?|"
          r"evaluations?|exams?|a call|demos?|trials?|quotes?|class(?:es)?|courses?|"
          r"program(?:me)?s?|memberships?|subscriptions?|copy|copies|bottles?|kits?|bundles?|"
          r"packages?|spots?|seats?|tickets?|products?|e-?books?|apps?|today|"
          r"now|yours|one|here|started|in touch|wait ?list|early access|beta|community|club|"
          r"(?:full|free|complete) (?:\w+ ){0,4}(?:report|guide|white ?paper|checklist|"
          r"template|toolkit)")
_OFFER = re.compile(rf"\b(?:{_ACTION})\b(?:[^.!?]|\.(?=\w)){{0,40}}?\b(?:{_GOODS})\b|"
                    r"\b(?:read|explore|see) (?:the|our|this year'?s?|the \d{4}) (?:full|free|"
                    r"complete) (?:[\w-]+ ){0,4}?(?:report|guide|white ?paper|survey)\b",
                    re.IGNORECASE)
# "Click here to book", "[Visit the shop](...) to order": a way to act, with a link or a
# word that sends the reader there ("enough cash to buy all of them" offers nothing)
_TO_ACT = re.compile(r"\bto (?:book|order|buy|schedule|enrol+|register|sign up)\b", re.IGNORECASE)
_SENDS = re.compile(r"\b(?:click|tap|visit|call|contact|email|head|go|use|follow)\b", re.IGNORECASE)
# "Start today", "make a change now": encouragement; nothing is offered
_ENCOURAGEMENT = re.compile(r"^\W*(?:start|begin|make)\b[^.!?]{0,20}?\b(?:today|now)\b",
                            re.IGNORECASE)
# the writer (or a modal) before the action: "I better start here", "we started today"
_WRITER_ACTS = re.compile(r"\b(?:i|we|i'?d|we'?d|i’d|we’d|better|gonna)\s+$", re.IGNORECASE)
_INVITATION = re.compile(
    r"\b(?:i|we)(?:'ll|’ll| will|'d|’d| would)? (?:(?:be (?:happy|glad|delighted) to|love to)"
    r"\b[^.!?]{0,30}?\b(?:you|your|help|hear|chat|talk|meet|answer)|can help|offer)\b|"
    r"\blet(?:'|’)?s (?:talk|chat|connect|find out|get started)\b|"
    r"\b(?:contact|call|email|message|text|visit|join) (?:us|me)\b|\bget in touch\b|"
    r"\b(?:join|visit|attend|try|book|check out) (?:one of )?our\b|"
    r"\breach out to (?:us|me)\b|"
    # "our team can help"; "our team members" are people the author writes about
    r"\bour (?:[\w-]+ ){0,3}?(?:team|clinic|office|practice|store|shop|studio)\b(?! members?\b)",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:our|we|us|my|i'll|i’ll)\b", re.IGNORECASE)
_AVAILABILITY = re.compile(r"\b(?:is|are) (?:now )?available\b|\bavailable (?:now|today)\b|"
                           # "is set to go on sale in January" reports a launch
                           r"\bin stock\b|(?<!go )(?<!goes )(?<!went )(?<!going )\bon sale\b|"
                           r"\bpre-?orders?\b|"
                           # "tracking templates on Etsy": goods where the reader buys them
                           r"\b(?:templates?|printables?|planners?|(?:spread)?sheets?|workbooks?|"
                           r"e-?books?|prints?|patterns?|courses?|kits?)\b[^.!?]{0,30}?\b(?:on|at|"
                           r"from|in) (?:my |our )?(?:etsy|amazon|gumroad|shopify|ko-fi|"
                           r"teachers pay teachers|the app store|google play)\b", re.IGNORECASE)
_PROMOTION = re.compile(r"\b(?:discount|coupon|promo code|use code|free trial|free shipping|"
                        r"money[- ]back|limited[- ]time|\d+\s?% off|first (?:week|month|lesson|"
                        r"class|session)s? (?:is |are )?free)\b|(?<![\w$])\$\d+(?:\.\d\d)?\b",
                        re.IGNORECASE)
_PRODUCT_COPY = re.compile(r"\b(?:designed to|comes (?:in|with)|at-home (?:\w+ )?(?:tool|device|"
                           r"kit))\b", re.IGNORECASE)
_BUTTON = re.compile(rf"\[\s*(?:{_ACTION}|see|explore|discover|view|learn more|find out)\b"
                     r"[^\]]{0,30}\]\(",
                     re.IGNORECASE)
_ELSEWHERE = re.compile(
    r"\byour (?:doctor|physician|(?:health ?care )?provider|healthcare professional|"
    r"practitioner|pharmacist|dentist|vet|therapist|gp)\b|\b(?:a|the) (?:doctor|physician)\b|"
    r"\bhelp ?desk\b|\bhotline\b|\bconsult (?:your|a|with)\b", re.IGNORECASE)
_PITCH_HEADING = re.compile(
    r"^(?:try|meet|introducing|shop|buy|order|book|schedule|ready to|join|work with)\b|"
    # "Get Your Free Chart" offers; "Get Your Screen at Eye Level" is advice
    rf"^get\b(?:\W+\w+){{0,3}}?\W+(?:free|{_GOODS})\b|"
    r"\bwhere .{2,60}? (?:fits in|comes in)\b|"
    r"\bour .{0,40}\b(?:course|program(?:me)?|kit|app|class|membership|product)$",
    re.IGNORECASE)
# a closing heading that asks the reader to join or contact the author ("Come and join us!")
_INVITING_HEADING = re.compile(r"^(?:come (?:and )?)?(?:join|contact|visit|write to) (?:us|me)\b|"
                               r"^(?:get|keep) in touch\b", re.IGNORECASE)
# arrows that point the reader at a button or form below ("Book your visit ⬇⬇⬇")
_POINTER = re.compile(r"(?:[⬇↓👇⤵⏬🔽]\ufe0f?\s*)+$")
_STRONG = frozenset(("offer", "invitation", "availability", "product", "pointer"))


def mentions(text: str, products: Sequence[str]) -> int:
    """How often ``products`` are named as words in ``text`` (never inside a URL)."""
    visible = _LINK_TARGET.sub(" ", text)
    return sum(len(re.findall(rf"(?<!\w){re.escape(p)}(?!\w)", visible, re.IGNORECASE))
               for p in products if p.strip())


def signals(sentence: str, products: Sequence[str]) -> frozenset[str]:
    """The pitch signals of one sentence of Markdown (see the module's docstring)."""
    return _signals(sentence, tuple(products))


@functools.lru_cache(maxsize=4096)
def _signals(sentence: str, products: tuple[str, ...]) -> frozenset[str]:
    found = {"button"} if _BUTTON.search(sentence) else set()
    if _POINTER.search(sentence):
        found.add("pointer")
    text = plain(_LINK_TARGET.sub(" ", _INLINE_LINK.sub(r"\1", sentence)))
    rules = (("offer", _OFFER), ("invitation", _INVITATION), ("availability", _AVAILABILITY),
             ("promotion", _PROMOTION), ("product copy", _PRODUCT_COPY))
    found |= {name for name, rule in rules if rule.search(text)}
    offers = list(_OFFER.finditer(text))
    if offers and all(_WRITER_ACTS.search(text[: m.start()]) for m in offers):
        found.discard("offer")  # "so I better start here": the writer acts, nothing is offered
    if "offer" in found and _ENCOURAGEMENT.match(text) and not _OFFER.search(
            _ENCOURAGEMENT.sub("", text, count=1)):
        found.discard("offer")
    if _TO_ACT.search(text) and ("](" in sentence or _SENDS.search(text)):
        found.add("offer")
    if mentions(sentence, products):
        found.add("product")
    if _ELSEWHERE.search(text) and not (_INVITATION.search(text) or "product" in found):
        return frozenset()
    if _FIRST_PERSON.search(text) and found & {"offer", "availability", "product copy"}:
        found.add("invitation")
    return frozenset(found)


def is_button(markdown: str, products: Sequence[str]) -> bool:
    """A link-only line that asks the reader to act: an offer in its link text."""
    return bool(signals(markdown, products) & {"offer", "button"})


def pitches(sentence: str, products: Sequence[str], closing: bool) -> str:
    """Why ``sentence`` pitches ("" when it informs)."""
    found = signals(sentence, products)
    short = len(plain(sentence).split()) <= 8
    strong = found & _STRONG
    if (closing and strong) or len(found) >= 2 or ("offer" in found and short):
        return ", ".join(sorted(found))
    return ""


def unit_pitch(unit: Unit, products: Sequence[str], closing: bool) -> str:
    """Why a whole unit pitches: each of its sentences (a list: each item) does."""
    return _unit_pitch(unit.kind == "list", unit.markdown, tuple(products), closing)


@functools.lru_cache(maxsize=4096)  # asked twice of each section's units (split, then kind)
def _unit_pitch(listed: bool, markdown: str, products: tuple[str, ...], closing: bool) -> str:
    parts = _list_items(markdown) if listed else sentences(markdown)
    reasons = [pitches(p, products, closing) for p in parts]
    # "Want help spotting the risks? [Join the waitlist](/w)": the question sets up the pitch
    pitched = [r for r in reasons if r]
    set_up = all(r or (not listed and _SETUP_QUESTION.match(plain(p)))
                 for p, r in zip(parts, reasons, strict=True))
    return pitched[0] if pitched and set_up else ""


_SETUP_QUESTION = re.compile(r"^(?:want|need|looking for|ready|interested|curious|struggling|"
                             r"tired of|not sure|would you like|do you want|are you (?:ready|"
                             r"interested|looking))\b[^.!?]{0,120}\?$", re.IGNORECASE)
_SETUP_RUN = 3  # sentences: a set-up question and what it opens, before the pitch


def _list_items(markdown: str) -> list[str]:
    return [line for line in markdown.split("\n") if re.match(r"^\s*(?:-|\d+\.) ", line)]


def cta_reason(section: Section, products: Sequence[str], closing: bool = False) -> str:
    """Why a whole section is a call to action ("" when it is content).

    Its heading names a product or introduces an offer and its text pitches somewhere; or
    most of its units pitch. A FAQ answer is only ever a pitch by its heading; the article's
    own title heading (its root section) never is."""
    if not section.units or not section.path:
        return ""
    if mentions(section.title, products):
        return "its heading names a product"
    if section.question:
        return ""
    if closing and _INVITING_HEADING.search(plain(section.title)):
        return f"its heading invites the reader ({section.title})"
    units = [unit_pitch(u, products, closing) for u in section.units]
    if _PITCH_HEADING.search(section.title) and any(
            _unit_signals(u, products) for u in section.units):
        return f"its heading introduces an offer ({section.title})"
    pitching = [r for r in units if r]
    if pitching and len(pitching) * 2 > len(units):
        return f"it pitches ({pitching[0]})"
    return ""


def _unit_signals(unit: Unit, products: Sequence[str]) -> set[str]:
    return {s for sentence in sentences(unit.markdown) for s in signals(sentence, products)}


def split_off_pitch(section: Section, products: Sequence[str],
                    closing: bool = False) -> list[Section]:
    """The section with its pitching sentences cut out into sections of their own, so the
    content around them stays content (``Want a head start? Our kit ... [Buy now]``)."""
    if section.question or cta_reason(section, products, closing):
        return [section]
    units = [piece for u in section.units for piece in _cut_pitch(u, products, closing)]
    if not any(pitch for _, pitch in units):
        return [section]
    if closing:
        units = _asides_join_their_pitches(_details_join_their_pitch(units))
    if all(pitch for _, pitch in units):  # the whole section pitches: its heading names it
        return [replace(section, units=[u for u, _ in units], cta=units[0][1])]
    parts: list[Section] = []
    for unit, pitch in units:
        last = parts[-1] if parts else None
        if last is not None and bool(last.cta) == bool(pitch):
            last.units.append(unit)
            continue
        parts.append(replace_section(section, [unit], pitch, first=not parts))
    return parts


_DETAIL_WORDS = 30


def is_detail(unit: Unit) -> bool:
    """A line of contact details rather than a sentence: short, no sentence end
    (``Rothrock Clinic | State College, PA | (814) 441-5532``, a lone link, a lead-in)."""
    text = plain(unit.markdown).strip()
    return unit.kind == "paragraph" and unit.words <= _DETAIL_WORDS and (
        not text or text[-1] not in ".!?")


def _details_join_their_pitch(units: list[tuple[Unit, str]]) -> list[tuple[Unit, str]]:
    """In the closing sections, the details that follow a pitch (addresses, phone numbers,
    links, "Contact us:") belong to it: the reader needs them to act on it."""
    joined: list[tuple[Unit, str]] = []
    for unit, pitch in units:
        if not pitch and joined and joined[-1][1] and is_detail(unit):
            pitch = joined[-1][1]
        joined.append((unit, pitch))
    return joined


_ASIDE_WORDS = 25


def _asides_join_their_pitches(units: list[tuple[Unit, str]]) -> list[tuple[Unit, str]]:
    """In the closing sections, a short line between two pitches ("Your neck deserves
    care.") is part of the pitch they make together, not a snippet of its own."""
    joined = list(units)
    for index in range(1, len(joined) - 1):
        unit, pitch = joined[index]
        if not pitch and unit.words <= _ASIDE_WORDS and joined[index - 1][1] and (
                joined[index + 1][1]):
            joined[index] = (unit, joined[index - 1][1])
    return joined


def replace_section(section: Section, units: list[Unit], pitch: str, first: bool) -> Section:
    """A piece of ``section`` holding ``units``; a pitch piece is titled by its opening."""
    title = section.title if first and not pitch else gist(units[0].markdown) or section.title
    return Section(path=section.path, title=title, level=section.level, units=units,
                   heading=section.heading if first else title, cta=pitch,
                   heading_lines=section.heading_lines if first else (),
                   parent=section.parent if first else "", continued=not first)


def _questions_lead_their_pitch(runs: list[tuple[list[str], str]]) -> None:
    """A question just before a pitch ("Want a head start?") opens the pitch, and so does a
    short run that a set-up question opens ("Would you like to help? Partners can ... Get
    in touch today!")."""
    for index in range(1, len(runs)):
        before, why = runs[index - 1][0], runs[index][1]
        if not why or runs[index - 1][1]:
            continue
        if len(before) <= _SETUP_RUN and _SETUP_QUESTION.match(plain(before[0]).strip()):
            runs[index][0][:0] = before
            before.clear()
        elif before[-1].rstrip().endswith("?") and len(before[-1].split()) <= 12:
            runs[index][0].insert(0, before.pop())
    runs[:] = [run for run in runs if run[0]]


def _pitch_runs_to_the_end(runs: list[tuple[list[str], str]]) -> None:
    """In the closing paragraphs, what follows a pitch is its sign-off ("You'll be back to
    walking in no time!"): it stays with the pitch."""
    first = next((i for i, (_, why) in enumerate(runs) if why), None)
    if first is not None and first < len(runs) - 1:
        tail = [sentence for texts, _ in runs[first:] for sentence in texts]
        runs[first:] = [(tail, runs[first][1])]


def _offered_list(unit: Unit, products: Sequence[str], closing: bool) -> str:
    """In the closing sections, a list whose lead-in ends by offering it ("Our clinic's
    team can:", "We offer:") lists what the pitch offers: it is the pitch's."""
    if unit.kind != "list" or not closing or re.match(r"^(?:-|\d+\.) ", unit.markdown):
        return ""
    lead = unit.markdown.rpartition("\n\n")[0]
    last = sentences(lead)[-1] if lead.strip() else ""
    why = pitches(last, products, closing) if last.rstrip().endswith(":") else ""
    return f"{why} (its lead-in offers the list)" if why else ""


def _cut_pitch(unit: Unit, products: Sequence[str], closing: bool) -> list[tuple[Unit, str]]:
    """A paragraph cut into runs of informing and pitching sentences; other units whole."""
    if unit.kind != "paragraph":
        return [(unit, unit_pitch(unit, products, closing)
                 or _offered_list(unit, products, closing))]
    runs: list[tuple[list[str], str]] = []
    for sentence in sentences(unit.markdown):
        why = pitches(sentence, products, closing)
        if runs and bool(runs[-1][1]) == bool(why):
            runs[-1][0].append(sentence)
        else:
            runs.append(([sentence], why))
    _questions_lead_their_pitch(runs)
    if closing:
        _pitch_runs_to_the_end(runs)
    if len(runs) == 1:
        return [(unit, runs[0][1])]
    return [(replace(unit, markdown=" ".join(texts), words=count_words(" ".join(texts)),
                     label=unit.label if i == 0 else ""), why)
            for i, (texts, why) in enumerate(runs)]
