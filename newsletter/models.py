"""The plain data that flows between pipeline stages.

Every stage is a function over these frozen dataclasses; nothing here does I/O.

    article file --ingest--> Document --split--> Content --plan--> Issue --render--> RenderedIssue
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# --- ingest: the Document ---------------------------------------------------------------

BlockKind = Literal["heading", "paragraph", "list", "callout", "quote", "question", "reference"]


@dataclass(frozen=True)
class Block:
    """One structural piece of an article, with the source lines it came from.

    Text is inline Markdown (``**bold**``, ``[text](url)``); citation markers are kept as
    ``[n]`` exactly as in the article, so ``split`` can tie them to the reference list.

    - heading: ``text`` is the heading, ``level`` 1..6.
    - question: a FAQ question heading (``text`` ends with ``?``); its answer follows as
      ordinary blocks until the next heading or question.
    - paragraph / quote: ``text``.
    - list: ``items`` (each item's text), ``ordered``, and ``lead`` (the lead-in line ending
      in ``:``, or ``""``).
    - callout: ``label`` (``"Good to Know"``, ``"Pro Tip"``) and ``text`` (after the label).
    - reference: one entry of the reference list: ``label`` is its number, ``text`` its URL
      or text. Readers also collect these into ``Document.references``.
    """

    kind: BlockKind
    text: str = ""
    lines: tuple[int, ...] = ()
    level: int = 0
    items: tuple[str, ...] = ()
    ordered: bool = False
    lead: str = ""
    label: str = ""
    rule: str = ""  # the classification rule that produced this block (for --explain)


@dataclass(frozen=True)
class Dropped:
    """An input line left out of the content, and why (``rule`` names the rule)."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    """An article read into a title and a flat, ordered list of typed blocks."""

    title: str
    source: str  # the path or URL it was read from
    blocks: tuple[Block, ...]
    references: Mapping[str, str] = field(default_factory=dict)  # number -> URL or text
    dropped: tuple[Dropped, ...] = ()


# --- split: snippets and the content file ----------------------------------------------

SnippetKind = Literal["tip", "fact", "steps", "faq", "list", "cta", "quote"]


@dataclass(frozen=True)
class Image:
    """A picture: its absolute https URL and the text that stands for it (``alt``)."""

    src: str
    alt: str = ""


@dataclass(frozen=True)
class Snippet:
    """A tip-sized piece of the article: the unit the planner packs into issues.

    ``body`` is Markdown in which citations are footnote markers ``[^n]``; ``sources`` lists
    exactly the reference numbers that appear in it.
    """

    id: str
    kind: str
    section: str
    title: str
    body: str
    sources: tuple[str, ...] = ()
    words: int = 0
    lines: tuple[int, ...] = ()  # source lines covered (not written to the content file)
    reason: str = ""  # why it was cut this way and typed this kind (for --explain)
    image: Image | None = None  # the article's picture for this snippet (absolute https)


@dataclass(frozen=True)
class Article:
    """Where a content file came from."""

    title: str
    slug: str
    source: str


@dataclass(frozen=True)
class Content:
    """content/<slug>.yaml: an article's snippets, references and dropped lines."""

    article: Article
    references: Mapping[str, str]
    snippets: tuple[Snippet, ...]
    dropped: tuple[Dropped, ...] = ()


# --- plan: issues -------------------------------------------------------------------------

IssueStatus = Literal["draft", "scheduled", "cancelled"]
# An issue's ledger key: a planned id (``tips-3f9a2c7b1d0e``) or, before ids, its number.
ISSUE_KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ISSUE_STATUSES: tuple[str, ...] = ("draft", "scheduled", "cancelled")


_ADDRESS = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A reference cited by an issue block: its number, its URL (the reference's text when
    it has no address), and the reference as written when it says more than its address
    (``How to Write a Cold Email – HubSpot https://...``)."""

    n: str
    url: str
    text: str = ""

    @classmethod
    def of(cls, n: str, reference: str) -> Source:
        """The source for reference ``n`` written as ``reference`` in the content file."""
        found = _ADDRESS.search(reference)
        url = found.group(0).rstrip(".,;:") if found else reference.strip()
        return cls(n, url, "" if reference.strip() == url else reference.strip())


BANK_BLOCK_KINDS: tuple[str, ...] = ("testimonial", "resource")


@dataclass(frozen=True)
class IssueBlock:
    """One block of an issue's content: a snippet copied from an article, or a bank entry.

    ``origin`` is the ``from`` key of the issue file: ``"article-slug#snippet-id"`` for a
    snippet (``"article-slug#id1+id2"`` for consecutive parts of one section made one
    block), ``"testimonials#key"`` / ``"resources#key"`` for a bank entry. The kind is
    open: any kind renders; two have fields of their own:

    - ``testimonial``: ``body`` is the quote (Markdown), ``name`` who said it, ``detail``
      who they are ("Runner, Portland"), ``url`` an optional link to the whole story;
    - ``resource``: ``title`` and ``url`` of the link, ``body`` a short note about it.

    ``image`` is an optional picture shown with the block (absolute https, with alt text).
    """

    kind: str
    title: str
    body: str
    sources: tuple[Source, ...] = ()
    origin: str = ""
    url: str = ""
    name: str = ""
    detail: str = ""
    image: Image | None = None

    @property
    def origins(self) -> tuple[str, ...]:
        """Each ``article-slug#snippet-id`` (or bank entry) the block was made from."""
        slug, _, ids = self.origin.partition("#")
        return tuple(f"{slug}#{i}" for i in ids.split("+")) if ids else ()


@dataclass(frozen=True)
class CallToAction:
    """The issue's call to action: a title, a short pitch, where the button goes and what
    the button says (``button``: "" for the template's default)."""

    title: str
    body: str
    url: str = ""
    button: str = ""


@dataclass(frozen=True)
class Issue:
    """One email of the queue, as in issues/NNN-slug.yaml.

    Broadcast mode sets ``send_at`` (timezone-aware); sequence mode sets ``day``. ``id`` is
    the stable identity `plan` writes into the file (``""`` in files from before ids).
    """

    number: int
    subject: str
    preheader: str
    status: str
    blocks: tuple[IssueBlock, ...]
    send_at: datetime | None = None
    day: int | None = None
    cta: CallToAction | None = None
    id: str = ""
    next: str = ""  # what comes next, shown at the end (Markdown): "**Next Thursday:** ..."

    @property
    def key(self) -> str:
        """The issue's identity in the ledger and in SendGrid's ``custom_args``: its ``id``;
        for a file from before ids, its number (what its ledger rows are keyed by)."""
        return self.id or str(self.number)

    @property
    def words(self) -> int:
        """Words of body text in the issue (blocks and call to action)."""
        texts = [b.body for b in self.blocks] + ([self.cta.body] if self.cta else [])
        return sum(count_words(t) for t in texts)


_MARKER = re.compile(r"\[\^?\d+\]")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|\b(?:https?://|www\.)\S+")
# A word is a run of letters or digits, apostrophes inside it included ("don't", "3-6" is two).
# No nested quantifiers: linear on any text (a megabyte of emoji or dashes counts in ms).
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def count_words(body: str) -> int:
    """Words of a Markdown body as a reader counts them (a step's number too), not citation
    markers, link targets or URLs."""
    text = _MARKER.sub(" ", body)
    return len(_WORD.findall(_LINK_TARGET.sub(" ", text) if "(" in text or "/" in text
                             else text))


# --- render ---------------------------------------------------------------------------------

PERSONAL_FIELDS: tuple[str, ...] = ("name", "first_name", "email", "unsubscribe_url",
                                    "view_url")


@dataclass(frozen=True)
class RenderedIssue:
    """An issue rendered once: inlined HTML and plain text with per-recipient placeholders.

    Placeholders are made by ``render.placeholder(field, part)``; ``render.personalize``
    substitutes them for one recipient.
    """

    number: int
    subject: str
    preheader: str
    html: str
    text: str
    # A personal field's value for readers who have none (greeting.fallback: "Hi there,").
    defaults: Mapping[str, str] = field(default_factory=dict)


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One addressee of a message, with the values of their personal fields."""

    email: str
    name: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)  # name, unsubscribe_url, view_url
    subscriber_id: str = ""


@dataclass(frozen=True)
class Sender:
    """The From (and Reply-To) of every message."""

    email: str
    name: str = ""
    reply_to: str = ""


@dataclass(frozen=True)
class Message:
    """What a backend sends to a batch of recipients: one rendered issue and its envelope."""

    rendered: RenderedIssue
    sender: Sender
    issue_key: str  # identifies the issue in custom_args and headers, e.g. "3"
    categories: tuple[str, ...] = ()
    test: bool = False  # a proof: subject marked, recorded apart from real deliveries
    list_id: str = ""  # the List-Id header (RFC 2919): mail clients group and filter by it
    version: int = 1  # which recorded rendering of the issue this is (the ledger keeps it)


OutcomeStatus = Literal["sent", "failed", "uncertain"]


@dataclass(frozen=True)
class Outcome:
    """What a backend did with one recipient.

    ``sent`` with the provider's message id; ``failed`` with the error (the provider said
    no: safe to send again after a fix); ``uncertain`` when the request may or may not have
    reached the provider (a timeout after the body was sent): never re-sent automatically.
    """

    email: str
    status: OutcomeStatus
    message_id: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        """True when the provider accepted the message."""
        return self.status == "sent"
