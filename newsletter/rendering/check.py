"""The pre-send gate: what would make an issue unfit to send (errors) or worse (warnings).

`newsletter check` prints the findings, `send` refuses an issue with errors (naming the
issue, the block and the reason) while the other issues still go, and the studio shows
them beside the editor. A finding is plain data::

    Finding(severity="error", code="cta-url", reason="...", issue=3, block="cta")

``issue`` is None for what belongs to no issue (a stub in a bank); ``block`` says where:
``snippets[2]`` (the index in the issue file's list), ``cta``, ``subject``, ``preheader``,
``template`` (the templates or settings, not the issue's text), ``file`` (an invalid issue
file) or ``content/resources.yaml:12`` (a bank entry). ``code`` names the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from lxml import html as lxml_html
from markdown_it import MarkdownIt

from ..config import Config
from ..content.banks import Banks, Resource, Testimonial, bank_path, is_web_url, load_banks
from ..errors import ConfigError, DeliveryError
from ..models import PERSONAL_FIELDS, Issue, IssueBlock, RenderedIssue
from ..planning.compose import Cadence, next_text
from ..planning.issuefile import Queue, file_number, find_issue, load_queue, planned_zones
from ..planning.phrases import LANGUAGES
from .personalize import placeholder
from .render import render, style_blocks

Severity = Literal["error", "warning"]
SUBJECT_LIMIT = 60  # characters, a reader's phone shows about this much
PREHEADER_LIMIT = 100
MAX_HTML_BYTES = 100 * 1024  # Gmail clips at about 102 KB: room for the personal values
MAX_STYLE_BYTES = 16 * 1024  # Gmail ignores a larger <style> block
BUDGET_SLACK = 1.5  # an issue this many times over cadence.max_words is "far over"
# Phrases spam filters weigh (SpamAssassin's and the mailbox providers' usual suspects).
SPAM_PHRASES = ("act now", "buy now", "click here", "order now", "limited time",
                "100% free", "risk-free", "risk free", "no obligation", "guaranteed",
                "winner", "cash bonus", "earn money", "make money", "double your",
                "once in a lifetime", "this is not spam", "dear friend", "urgent")
_PLACEHOLDER = re.compile(r"%%[\w.:-]+%%|\{\{.*?\}\}|\{%.*?%\}|\*\|[A-Z0-9_]+\|\*")
_PERSONAL_TAGS = frozenset(placeholder(f, p) for f in PERSONAL_FIELDS for p in ("html", "text"))
_FOOTNOTE = re.compile(r"\[\^([^\]\s^]+)\]")
_BARE_MARKER = re.compile(r"(?<![\^\w])\[(\d{1,3})\](?![(\[:])")


@dataclass(frozen=True)
class Finding:
    """One problem found by the check (see the module docstring for the fields)."""

    severity: Severity
    code: str
    reason: str
    issue: int | None = None
    block: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"issue {self.issue}" if self.issue else "",
                                      self.block) if p)
        return f"{where}: {self.severity}: {self.reason}" if where else \
            f"{self.severity}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        """The finding as an object of `newsletter check --json`."""
        return asdict(self)


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block a send."""
    return [f for f in findings if f.severity == "error"]


# --- the entry points -------------------------------------------------------------------------


def check_issue(issue: Issue, config: Config, rendered: RenderedIssue | None = None,
                others: Sequence[Issue] = ()) -> list[Finding]:
    """Every finding about one issue; ``others`` (the rest of the queue) for duplicates.

    ``rendered`` is the issue as :func:`~newsletter.rendering.render.render` made it (it is
    rendered here when not given).
    """
    rendered = rendered or render(issue, config)
    found = _Findings(issue.number)
    _check_settings(found, config)
    _check_rendered(found, rendered, issue)
    for index, block in enumerate(issue.blocks):
        _check_block(found, block_label(index, block), block)
    _check_cta(found, issue, config)
    _check_welcome(found, issue, config)
    _check_words(found, issue, config, others)
    return found.items


def gate(issue: Issue, rendered: RenderedIssue, config: Config) -> None:
    """Refuse to send ``issue`` when the check finds errors (what every send calls once).

    A missing postal address is a :class:`ConfigError` (nothing at all can go out); any
    other error a :class:`DeliveryError` naming the issue, each block and its reason.
    """
    found = errors(check_issue(issue, config, rendered))
    if not found:
        return
    if any(f.code == "postal-address" for f in found):
        raise ConfigError(next(f.reason for f in found if f.code == "postal-address"))
    reasons = "; ".join(f"{f.block}: {f.reason}" if f.block else f.reason for f in found)
    raise DeliveryError(f"issue {issue.number} cannot be sent: {reasons}")


@dataclass(frozen=True)
class CheckReport:
    """What `newsletter check` found: every finding, and how many issues it looked at."""

    findings: tuple[Finding, ...]
    issues: int

    @property
    def ok(self) -> bool:
        """True when nothing blocks a send (warnings may remain)."""
        return not errors(self.findings)


def check_folder(config: Config, number: int | None = None) -> CheckReport:
    """Check the queue of a newsletter folder (or issue ``number`` only) and its banks.

    Cancelled issues are skipped; invalid issue files and stubs in the banks are errors.
    """
    queue = load_queue(config.issues_dir)
    items = [i for i in queue.issues if i.issue.status != "cancelled"
             and number in (None, i.issue.number)]
    if number is not None and not _invalid(queue, number):
        find_issue(queue, number)  # no such issue: an error of its own
    issues = [i.issue for i in queue.issues]
    findings = [f for item in items for f in check_issue(
        item.issue, config, others=[o for o in issues if o.number != item.issue.number])]
    findings += _stale_next(queue, config, number)
    findings += _invalid(queue, number)
    if number is None:
        findings += bank_findings(load_banks(config.content_dir), config.content_dir)
    return CheckReport(tuple(findings), len(items))


def _stale_next(queue: Queue, config: Config, number: int | None) -> list[Finding]:
    """A "what comes next" line `plan` wrote that no longer tells the truth (an issue was
    rescheduled, renamed, cancelled or added since)."""
    items = [i for i in queue.issues if i.issue.status != "cancelled"]
    live = [i.issue for i in items]
    zones = planned_zones(config.issues_dir)  # weekdays are told in the zone planned in
    found = []
    for at, issue in enumerate(live):
        following = live[at + 1] if at + 1 < len(live) else None
        cadence = Cadence(mode=config.mode, tz=zones.get(items[at].path.name, config.tz),
                          language=config.language)
        told = next_text(issue, following, cadence)
        if number in (None, issue.number) and _plan_wrote(issue.next) and (
                issue.next.strip() != told):
            found.append(Finding("warning", "next", f"it says {issue.next.strip()!r}, but "
                                 f"now {told!r}: plan again, or edit `next` in the issue "
                                 "file", issue.number, "next"))
    return found


_LAST_WORDS = frozenset(words.last for words in LANGUAGES.values())


def _plan_wrote(text: str) -> bool:
    """Whether a closing line is one `plan` wrote: what comes next ("**When:** subject"),
    or that this is the series' last email."""
    return text.startswith("**") or text.strip() in _LAST_WORDS


def _invalid(queue: Queue, number: int | None) -> list[Finding]:
    return [Finding("error", "invalid-file", str(e), file_number(Path(e.path or "")), "file")
            for e in queue.errors if number in (None, file_number(Path(e.path or "")))]


def bank_findings(banks: Banks, folder: Path) -> list[Finding]:
    """One error per stub of the banks: it waits for what it lacks and is never sent."""
    def where(kind: Literal["testimonials", "resources"], line: int) -> str:
        return f"{Path(folder.name) / bank_path(folder, kind).name}:{line}"

    entries: list[tuple[str, Testimonial | Resource]] = [
        *((where("testimonials", t.line), t) for t in banks.testimonials),
        *((where("resources", r.line), r) for r in banks.resources)]
    return [Finding("error", "stub", f"stub {_label(entry)}: {'; '.join(entry.missing)} "
                    "(never sent until filled in)", None, place)
            for place, entry in entries if entry.missing]


def _label(entry: Testimonial | Resource) -> str:
    text = entry.title if isinstance(entry, Resource) else entry.name or entry.quote
    return repr(text[:60]) if text else "(empty)"


# --- the rules ---------------------------------------------------------------------------------


class _Findings:
    """Findings of one issue, collected in rule order."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.items: list[Finding] = []

    def error(self, code: str, block: str, reason: str) -> None:
        self.items.append(Finding("error", code, reason, self.number, block))

    def warning(self, code: str, block: str, reason: str) -> None:
        self.items.append(Finding("warning", code, reason, self.number, block))


def _check_settings(found: _Findings, config: Config) -> None:
    # The rest of the settings (a public https base_url with SendGrid, ...) are refused
    # when newsletter.yaml is read.
    if not config.postal_address.strip():
        found.error("postal-address", "template", "postal_address is empty in newsletter.yaml:"
                    " the law requires the sender's postal address in every message, so "
                    "nothing is sent without it")


def block_label(index: int, block: IssueBlock) -> str:
    """How findings name a block: its place in the file's list, its kind and title."""
    title = f" {block.title[:50]!r}" if block.title else ""
    return f"snippets[{index}] ({block.kind}{title})"


def _place(issue: Issue, needle: str) -> str:
    """Which part of the issue holds ``needle`` ("template" when none: it came from there)."""
    if not needle:
        return "template"
    if needle in issue.subject:
        return "subject"
    if needle in issue.preheader:
        return "preheader"
    for index, block in enumerate(issue.blocks):
        image = block.image.src if block.image else ""
        if needle in "\n".join((block.title, block.body, block.url, block.name, block.detail,
                                image)):
            return block_label(index, block)
    if issue.cta and needle in f"{issue.cta.title}\n{issue.cta.body}\n{issue.cta.url}":
        return "cta"
    return "template"


def _check_rendered(found: _Findings, rendered: RenderedIssue, issue: Issue) -> None:
    for part, body in (("html", rendered.html), ("text", rendered.text)):
        if placeholder("unsubscribe_url", part) not in body:
            found.error("unsubscribe", "template", f"the {part} template has no unsubscribe "
                        "link (use {{ personal.unsubscribe_url }} in it)")
    size = len(rendered.html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        found.error("html-size", "template", f"the HTML is {size / 1024:.0f} KB; Gmail clips "
                    f"messages over about 102 KB: shorten the issue")
    style = sum(len(s.encode("utf-8")) for s in style_blocks(rendered.html))
    if style > MAX_STYLE_BYTES:
        found.error("style-size", "template", f"the <style> block is {style / 1024:.0f} KB; "
                    "Gmail ignores one over 16 KB: trim the @media rules of email.css")
    for tag in dict.fromkeys(_survivors(rendered)):
        found.error("placeholder", _place(issue, tag), f"{tag!r} would reach readers as it "
                    "is: no value is substituted for it")
    doc = lxml_html.fromstring(rendered.html)
    for href in dict.fromkeys(a.get("href", "") for a in doc.iter("a")):
        where = _place(issue, href)
        if where == "template" and href not in _PERSONAL_TAGS and not _sendable_link(href):
            found.error("link", where, f"link {href!r} is not an absolute http(s) address: "
                        "it cannot work in an email")  # the issue's own links: per block
    for img in doc.iter("img"):
        if not (img.get("alt") or "").strip():
            src = img.get("src", "")
            found.warning("image-alt", _place(issue, src), f"image {src!r} has no alt text "
                          "(screen readers read it out, and clients that block images show it)")


def _survivors(rendered: RenderedIssue) -> list[str]:
    texts = (rendered.subject, rendered.preheader, rendered.html, rendered.text)
    return [m for text in texts for m in _PLACEHOLDER.findall(text) if m not in _PERSONAL_TAGS]


def _sendable_link(href: str) -> bool:
    return is_web_url(href) or href.lower().startswith(("mailto:", "tel:"))


def _check_block(found: _Findings, label: str, block: IssueBlock) -> None:
    _check_citations(found, label, block)
    missing = _stub_missing(block)
    if missing:
        found.error("stub", label, f"{'; '.join(missing)}: a stub is never sent")
    for url in _block_links(block):
        if not _sendable_link(url):
            found.error("link", label, f"link {url!r} is not an absolute http(s) address")
    image = block.image.src if block.image else ""
    if image and (urlsplit(image).scheme != "https" or not is_web_url(image)):
        found.error("link", label, f"image {image!r} is not an absolute https address "
                    "(mail clients block or cannot fetch it)")


def _check_citations(found: _Findings, label: str, block: IssueBlock) -> None:
    cited = {s.n: s for s in block.sources}
    for n in dict.fromkeys(_FOOTNOTE.findall(block.body)):
        if n not in cited:
            found.error("citation", label, f"[^{n}] cites no source (add {{n: '{n}', url: ...}}"
                        " to the block's sources, or remove the marker)")
        elif not cited[n].url.strip():
            found.error("citation", label, f"[^{n}] cites a source with no reference")
    for n in dict.fromkeys(_BARE_MARKER.findall(block.body)):
        if n not in cited:
            found.error("citation", label, f"[{n}] would show as a bare [{n}]: its source is "
                        "not among the block's sources")


def _stub_missing(block: IssueBlock) -> tuple[str, ...]:
    if block.kind == "testimonial":
        return Testimonial(block.body, block.name, url=block.url).missing
    if block.kind == "resource":
        return Resource(block.title, block.url).missing
    return ()


def _block_links(block: IssueBlock) -> list[str]:
    links = [block.url] if block.url.strip() else []
    for token in _MD.parse(block.body):
        for child in token.children or []:
            if child.type == "link_open":
                links.append(str(child.attrGet("href") or ""))
    return links


_MD = MarkdownIt("commonmark", {"html": False})


def _check_cta(found: _Findings, issue: Issue, config: Config) -> None:
    if issue.cta is not None and not (issue.cta.url or config.cta_url).strip():
        found.error("cta-url", "cta", "the call to action has no URL (set cta.url in the issue "
                    "file, or cta_url in newsletter.yaml): a button to nowhere is never sent")
    elif issue.cta is not None and not is_web_url(issue.cta.url or config.cta_url):
        found.error("link", "cta", f"the call to action's URL {issue.cta.url or config.cta_url!r}"
                    " is not an absolute http(s) address")


def _welcome_pattern(template: str) -> re.Pattern[str]:
    before, _, after = template.partition("{name}")
    return re.compile(re.escape(before) + r"(?P<name>.*?)" + re.escape(after))


# The greeting `plan` opens a series' welcome with, in each language, naming the newsletter.
_WELCOMES = tuple(_welcome_pattern(words.welcome) for words in LANGUAGES.values())


def welcome_name(body: str) -> str | None:
    """The newsletter's name as plan's greeting at the start of a welcome names it (None:
    the welcome does not open with that greeting)."""
    found = (pattern.match(body.lstrip()) for pattern in _WELCOMES)
    return next((m["name"] for m in found if m), None)


def _check_welcome(found: _Findings, issue: Issue, config: Config) -> None:
    """The newsletter renamed after `plan` wrote its welcome ("Welcome to My Newsletter")."""
    for index, block in enumerate(issue.blocks):
        named = welcome_name(block.body) if block.kind == "welcome" else None
        if named == "":
            found.warning("name", block_label(index, block), "the welcome names no newsletter "
                          f"(\"Welcome to ****\"): plan again to name {config.brand_name!r}, or "
                          "edit the welcome")
        elif named is not None and named != config.brand_name:
            found.warning("name", block_label(index, block), f"the welcome names {named!r}, "
                          f"but the newsletter is called {config.brand_name!r} now: plan "
                          "again (it rewrites the issues it wrote, keeping their send times) "
                          "or edit the welcome")


def _check_words(found: _Findings, issue: Issue, config: Config, others: Sequence[Issue]
                 ) -> None:
    if len(issue.subject) > SUBJECT_LIMIT:
        found.warning("subject-length", "subject", f"the subject is {len(issue.subject)} "
                      f"characters: inboxes cut it after about {SUBJECT_LIMIT}")
    twins = [o.number for o in others if o.subject.casefold() == issue.subject.casefold()]
    if twins:
        found.warning("subject-duplicate", "subject", "the same subject as issue "
                      + ", ".join(str(n) for n in twins))
    if not issue.preheader.strip():
        found.warning("preheader", "preheader", "no preheader: inboxes show the first words "
                      "of the email instead")
    elif len(issue.preheader) > PREHEADER_LIMIT:
        found.warning("preheader", "preheader", f"the preheader is {len(issue.preheader)} "
                      f"characters: inboxes show about {PREHEADER_LIMIT}")
    budget = config.cadence.max_words
    if issue.words > budget * BUDGET_SLACK:
        found.warning("words", "", f"{issue.words} words, far over the budget of {budget} "
                      "(cadence.max_words): readers skim long emails")
    _check_spam(found, issue)


def _check_spam(found: _Findings, issue: Issue) -> None:
    texts = {"subject": issue.subject, "preheader": issue.preheader,
             **{f"snippets[{i}]": f"{b.title} {b.body}" for i, b in enumerate(issue.blocks)},
             "cta": f"{issue.cta.title} {issue.cta.body}" if issue.cta else ""}
    for where, text in texts.items():
        folded = text.casefold()
        hits = [p for p in SPAM_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded)]
        if hits:
            found.warning("spam-words", where, "spam filters weigh "
                          + ", ".join(repr(h) for h in hits))
    if re.search(r"[!?]{2,}|\$\$", issue.subject) or _shouting(issue.subject):
        found.warning("spam-words", "subject", "spam filters weigh capitals, '!!' and '$$' "
                      "in a subject")


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6
