"""Render an issue once into email-safe, CSS-inlined HTML and a plain-text part.

Jinja2 (autoescaped) fills the templates from the newsletter folder's ``templates/``,
falling back to the package's defaults; premailer then inlines ``email.css`` into style
attributes, keeping only ``@media`` rules in a ``<style>`` block. Per-recipient fields stay
placeholders (see :mod:`newsletter.rendering.personalize`) and are substituted after rendering.

Rendering never refuses a draft: :mod:`newsletter.rendering.check` is the gate senders
pass before anything leaves, and what ``newsletter preview`` reports as warnings.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import jinja2
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

from ..colours import palette
from ..config import Config, default_templates_dir
from ..errors import ConfigError
from ..models import PERSONAL_FIELDS, Image, Issue, IssueBlock, RenderedIssue, Source
from .personalize import Part, placeholder

DEFAULT_TEMPLATES = default_templates_dir()  # the repository's templates/, shipped
HTML_TEMPLATE = "issue.html.j2"
TEXT_TEMPLATE = "issue.txt.j2"
STYLESHEET = "email.css"
TEXT_WIDTH = 72
DEFAULT_BUTTON = "Find out more"  # a call to action whose button says nothing of its own

# --- the data the templates see -------------------------------------------------------------


@dataclass(frozen=True)
class SourceView:
    """A cited source as shown to the reader: its footnote number, link and label."""

    number: int
    url: str  # with UTM parameters; "" when the source is plain text
    label: str  # the link's host, or the source's text


@dataclass(frozen=True)
class BlockView:
    """One issue block ready for the templates: HTML body, wrapped text body, sources.

    ``url`` (tracked), ``name`` and ``detail`` are a testimonial's or a resource's own
    fields (see :class:`~newsletter.models.IssueBlock`); ``image`` is the block's picture.
    """

    kind: str
    title: str
    html: Markup
    text: str
    sources: tuple[SourceView, ...]
    url: str = ""
    name: str = ""
    detail: str = ""
    image: Image | None = None


@dataclass(frozen=True)
class CtaView:
    """The call to action ready for the templates."""

    title: str
    html: Markup
    text: str
    url: str
    button: str = DEFAULT_BUTTON


@dataclass(frozen=True)
class TextView:
    """A short Markdown text ready for the templates (what comes next)."""

    html: Markup
    text: str


# --- entry points ----------------------------------------------------------------------------


def render(issue: Issue, config: Config) -> RenderedIssue:
    """Render ``issue`` once: inlined HTML and plain text with per-recipient placeholders."""
    env = template_environment(config)
    env.filters["utm"] = lambda url: add_utm(url, config.utm, issue.number)
    context = _context(issue, config)
    try:
        html = env.get_template(HTML_TEMPLATE).render(
            **context, personal=_personal("html"), stylesheet=stylesheet(env, config))
        text = env.get_template(TEXT_TEMPLATE).render(**context, personal=_personal("text"))
    except jinja2.TemplateError as exc:
        raise _template_error(exc, config) from None
    return RenderedIssue(number=issue.number, subject=issue.subject, preheader=issue.preheader,
                         html=inline_css(html), text=_tidy_text(text),
                         defaults={"first_name": config.greeting.fallback})


def _template_error(exc: jinja2.TemplateError, config: Config) -> ConfigError:
    """A template problem as a one-line error naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "template"
        return ConfigError(f"template error: {exc.message}", path=name, line=exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        return ConfigError(f"template {exc.name!r} not found in {config.templates_dir} "
                           "or the defaults")
    frame = _template_frame(exc)
    return ConfigError(f"template error: {exc.message or exc}",
                       path=frame[0] if frame else None, line=frame[1] if frame else None)


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in ``exc``'s traceback, if any."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".css")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def template_environment(config: Config) -> jinja2.Environment:
    """The Jinja2 environment: the folder's templates first, then the package's defaults."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(str(config.templates_dir)),
            jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES)),
        ]),
        autoescape=lambda name: bool(name) and not name.endswith(".txt.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["wrap"] = wrap
    env.filters["lines_br"] = lines_br
    return env


def inline_css(html: str) -> str:
    """Inline every style rule into style attributes; only ``@media`` rules stay in <style>."""
    # Imported here: a send whose rendering is stored (every run after its first) never
    # renders, and premailer with what it imports (cssutils, requests) is 0.1 s of start-up.
    import premailer

    return premailer.Premailer(
        _without_imports(html),
        allow_network=False,  # never fetch linked stylesheets (no timeout in premailer)
        strip_important=False,  # the kept @media rules need their !important
        keep_style_tags=False,
        cssutils_logging_level=logging.CRITICAL,  # mso- and -webkit- properties are fine
        disable_validation=True,
        # Width and height attributes are written in the templates (Outlook reads them);
        # copied from CSS they would turn an image's fluid 100% / auto into attributes.
        disable_basic_attributes=["width", "height"],
    ).transform()


_IMPORT = re.compile(r"@import\s[^;]*;?", re.I)


def _without_imports(html: str) -> str:
    # cssutils (inside premailer) downloads @import targets even with allow_network=False.
    return re.sub(r"(<style[^>]*>)(.*?)(</style>)",
                  lambda m: m.group(1) + _IMPORT.sub("", m.group(2)) + m.group(3),
                  html, flags=re.S | re.I)


def style_blocks(html: str) -> list[str]:
    """The contents of every <style> element of ``html``."""
    return re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I)


def add_utm(url: str, utm: Mapping[str, str], number: int) -> str:
    """``url`` with UTM parameters added (``{number}`` is the issue number).

    Only http(s) links are tagged; existing query parameters, and any ``utm_*`` key the
    link already carries, are left as they are.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not utm:
        return url
    present = {p.split("=", 1)[0] for p in parts.query.split("&") if p}
    extra = {}
    for key, value in utm.items():
        name = key if key.startswith("utm_") else f"utm_{key}"
        if name not in present:
            extra[name] = str(value).replace("{number}", str(number))
    if not extra:
        return url
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit(parts._replace(query=query))


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap each line of ``text`` at ``width`` columns, never breaking a word or a URL."""
    return "\n".join(
        textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent,
                      break_long_words=False, break_on_hyphens=False) if line.strip() else ""
        for line in str(text).splitlines())


def lines_br(text: str) -> Markup:
    """Escape ``text`` and turn its line breaks into <br> (for postal addresses)."""
    return Markup("<br>").join(escape(line.strip()) for line in str(text).splitlines())


# --- the template context -------------------------------------------------------------------


def _context(issue: Issue, config: Config) -> dict[str, Any]:
    def track(url: str) -> str:
        return add_utm(url, config.utm, issue.number)

    notes = _number_sources(issue.blocks, track)
    md = _markdown()
    blocks = [_block_view(block, notes, md, track) for block in issue.blocks]
    return {
        **frame(config),
        "issue": issue,
        "blocks": blocks,
        "cta": _cta_view(issue, config, md, track),
        "next": _text_view(issue.next, md, track) if issue.next.strip() else None,
    }


def frame(config: Config) -> dict[str, Any]:
    """What every email's frame shows: the brand, the language, the greeting, the footer."""
    return {
        "newsletter": config.brand_name,
        "brand": replace(config.brand, name=config.brand_name),
        "language": config.language,
        "greeting": config.greeting,
        "postal_address": config.postal_address,
        "reason": config.reason,
    }


def _personal(part: Part) -> dict[str, str]:
    return {name: placeholder(name, part) for name in PERSONAL_FIELDS}


def stylesheet(env: jinja2.Environment, config: Config) -> Markup:
    """email.css (the folder's, else the default) in the newsletter's colours."""
    # Read as plain text, not as a template: CSS is never interpreted by Jinja.
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, STYLESHEET)
    found = _IMPORT.search(source)
    if found:
        raise ConfigError("@import does not work in email (clients ignore it): copy the "
                          "rules into this file", path=filename,
                          line=source.count("\n", 0, found.start()) + 1)
    return Markup(palette(config.brand.accent).css(source))


def _block_view(block: IssueBlock, notes: Mapping[tuple[str, str], SourceView],
                md: MarkdownIt, track: Any) -> BlockView:
    env = _markdown_env(block.sources, notes, track)
    tokens = md.parse(block.body, env)
    return BlockView(
        kind=block.kind, title=block.title,
        html=Markup(md.renderer.render(tokens, md.options, env)),
        text=_tokens_to_text(tokens, env),
        sources=tuple(notes[(s.n, s.url)] for s in block.sources),
        url=track(block.url) if block.url else "", name=block.name, detail=block.detail,
        image=block.image,
    )


def _cta_view(issue: Issue, config: Config, md: MarkdownIt, track: Any) -> CtaView | None:
    if issue.cta is None:
        return None
    env = _markdown_env((), {}, track)
    tokens = md.parse(issue.cta.body, env)
    url = issue.cta.url or config.cta_url
    return CtaView(title=issue.cta.title,
                   html=Markup(md.renderer.render(tokens, md.options, env)),
                   text=_tokens_to_text(tokens, env), url=track(url) if url else "",
                   button=issue.cta.button or config.cta.button or DEFAULT_BUTTON)


def _text_view(markdown: str, md: MarkdownIt, track: Any) -> TextView:
    env = _markdown_env((), {}, track)
    tokens = md.parse(markdown, env)
    return TextView(html=Markup(md.renderer.render(tokens, md.options, env)),
                    text=_tokens_to_text(tokens, env))


# --- sources and footnotes --------------------------------------------------------------------

_MARKER = re.compile(r"\[\^?([^\]\s^]+)\]")


def _number_sources(blocks: Sequence[IssueBlock], track: Any
                    ) -> dict[tuple[str, str], SourceView]:
    """Number every cited source 1, 2, 3 ... in the order a reader meets it in the issue."""
    notes: dict[tuple[str, str], SourceView] = {}
    for block in blocks:
        by_label = {s.n: s for s in block.sources}
        cited = [by_label[m] for m in _MARKER.findall(block.body) if m in by_label]
        for source in [*cited, *block.sources]:
            key = (source.n, source.url)
            if key not in notes:
                notes[key] = _source_view(len(notes) + 1, source, track)
    return notes


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_SOURCE_LABEL = 90


def _source_view(number: int, source: Source, track: Any) -> SourceView:
    """A source as the reader sees it: its title or text (else its site) linked to its URL
    (``Survey 2022, https://...`` -> "Survey 2022" linking there)."""
    entry = (source.text or source.url).strip()
    found = _URL_IN_TEXT.search(entry)
    if not found:
        return SourceView(number, "", entry or f"source {source.n}")
    url = found.group(0).rstrip(".,;:")
    label = " ".join((entry[:found.start()] + entry[found.end():]).split()).strip(" ,;:-–—")
    if len(label) > _SOURCE_LABEL:
        label = label[:_SOURCE_LABEL].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return SourceView(number, track(url), label or host)


# --- Markdown: HTML through markdown-it, text through a small token walker --------------------


def _markdown_env(sources: Iterable[Source], notes: Mapping[tuple[str, str], SourceView],
                  track: Any) -> dict[str, Any]:
    return {"notes": {s.n: notes[(s.n, s.url)] for s in sources if (s.n, s.url) in notes},
            "track": track}


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.inline.ruler.before("link", "footnote_ref", _footnote_rule)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("footnote_ref", _render_footnote)
    md.add_render_rule("link_open", _render_link_open)
    return md


def _footnote_rule(state: StateInline, silent: bool) -> bool:
    """``[^n]`` (or ``[n]`` naming one of the block's sources) is a citation marker."""
    if state.src[state.pos] != "[":
        return False
    match = _MARKER.match(state.src, state.pos)
    if not match:
        return False
    label, caret = match.group(1), state.src.startswith("[^", state.pos)
    follows = state.src[match.end():match.end() + 1]
    if not caret and (label not in state.env.get("notes", {}) or follows in ("(", "[")):
        return False  # an ordinary [bracket] or link text
    if not silent:
        state.push("footnote_ref", "", 0).meta = {"label": label}
    state.pos = match.end()
    return True


def _render_footnote(self: RendererHTML, tokens: Sequence[Token], idx: int,
                     options: Any, env: dict[str, Any]) -> str:
    note = env.get("notes", {}).get(tokens[idx].meta["label"])
    if note is None:
        return ""  # a marker without a source is reported by the preview, never shown bare
    number = f"[{note.number}]"
    if not note.url:
        return f'<sup class="footnote">{number}</sup>'
    return (f'<sup class="footnote"><a class="footnote-link" href="{escape(note.url)}">'
            f"{number}</a></sup>")


def _render_table_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: Any, env: dict[str, Any]) -> str:
    # width/cellpadding attributes for clients that ignore CSS; the look is in email.css
    return ('<table class="md-table" role="table" width="100%" cellpadding="0" '
            'cellspacing="0" border="0">\n')


def _render_link_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                      options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    token.attrSet("href", env["track"](str(token.attrGet("href") or "")))
    return self.renderToken(tokens, idx, options, env)


def _tokens_to_text(tokens: Sequence[Token], env: Mapping[str, Any]) -> str:
    """Plain text of parsed Markdown: wrapped paragraphs, ``-``/``1.`` lists, links as <url>."""
    writer = _TextWriter(env)
    for token in tokens:
        writer.feed(token)
    return "".join(writer.chunks).strip("\n")


class _TextWriter:
    """Walks markdown-it block tokens and writes wrapped plain text."""

    def __init__(self, env: Mapping[str, Any]) -> None:
        self.env = env
        self.chunks: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
        self.marker = ""  # "- " or "3. " waiting for the item's first line
        self.quote = ""
        self.tight = False  # the paragraph belongs to a tight list: no blank line before it
        self.list_start = False
        self.table: list[list[str]] | None = None  # rows of cells while inside a table

    def feed(self, token: Token) -> None:
        kind = token.type
        if kind.startswith(("table_", "tr_")) or self.table is not None:
            self._feed_table(token)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
            self.list_start = len(self.lists) == 1  # a top-level list is set apart
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            ordered, number = self.lists[-1]
            self.marker = f"{number}. " if ordered else "- "
            self.lists[-1][1] += 1
        elif kind in ("blockquote_open", "blockquote_close"):
            self.quote = self.quote + "> " if kind == "blockquote_open" else self.quote[:-2]
        elif kind in ("paragraph_open", "heading_open"):
            self.tight = token.hidden and not self.list_start
            self.list_start = False
        elif kind == "inline":
            self._write(_inline_text(token.children or [], self.env))
        elif kind in ("code_block", "fence"):
            self.chunks.append("\n\n" + textwrap.indent(token.content.rstrip("\n"), "    "))
        elif kind == "hr":
            self.chunks.append("\n\n" + "-" * 24)

    def _feed_table(self, token: Token) -> None:
        if token.type == "table_open":
            self.table = []
        elif token.type == "tr_open" and self.table is not None:
            self.table.append([])
        elif token.type == "inline" and self.table:
            self.table[-1].append(_inline_text(token.children or [], self.env).strip())
        elif token.type == "table_close" and self.table is not None:
            rows, self.table = self.table, None
            self.chunks.append("\n\n" + text_table(rows))

    def _write(self, text: str) -> None:
        indent = self.quote + "   " * max(len(self.lists) - 1, 0)
        gap = "\n" if self.tight and self.chunks else "\n\n"
        self.chunks.append(gap + _wrap_item(text, indent, self.marker))
        self.marker = ""


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """A table for the plain-text part: padded columns under a ruled header row when it fits
    the text width, else one ``header: value`` line per cell, rows apart."""
    width = max((len(row) for row in rows), default=0)
    rows = [[*row, *[""] * (width - len(row))] for row in rows]
    sizes = [max(len(row[i]) for row in rows) for i in range(width)]
    if rows and sum(sizes) + 3 * (width - 1) <= TEXT_WIDTH:
        lines = [" | ".join(c.ljust(n) for c, n in zip(row, sizes, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "-+-".join("-" * n for n in sizes))
        return "\n".join(lines)
    head, *body = rows
    return "\n\n".join("\n".join(wrap(f"{h}: {c}" if h else c) for h, c in zip(head, row,
                                                                            strict=True) if c)
                       for row in body)


def _wrap_item(text: str, indent: str, marker: str) -> str:
    lines = text.split("\n")
    first = textwrap.fill(lines[0], TEXT_WIDTH, initial_indent=indent + marker,
                          subsequent_indent=indent + " " * len(marker),
                          break_long_words=False, break_on_hyphens=False)
    rest = [wrap(line, TEXT_WIDTH, indent + " " * len(marker)) for line in lines[1:]]
    return "\n".join([first, *rest])


def _inline_text(children: Sequence[Token], env: Mapping[str, Any]) -> str:
    out: list[str] = []
    link: list[str] = []  # the open link's tracked href
    start = 0
    for token in children:
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "footnote_ref":
            note = env.get("notes", {}).get(token.meta["label"])
            out.append(f"[{note.number}]" if note else "")
        elif kind == "image":
            out.append(token.content or "")
        elif kind == "link_open":
            link.append(env["track"](str(token.attrGet("href") or "")))
            start = len(out)
        elif kind == "link_close" and link:
            href, label = link.pop(), "".join(out[start:]).strip()
            out[start:] = [f"<{href}>" if label in ("", href) or href.startswith(label)
                           else f"{label} <{href}>"]
    return "".join(out)


def _tidy_text(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines left by template logic."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
