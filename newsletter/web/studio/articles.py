"""Articles: upload one (text, Markdown, HTML), split it, review the snippets and dropped
lines, edit them (kind and title, merge, split, restore a dropped line), then plan it.

Upload runs what ``newsletter split`` runs (``read_article`` then ``split``, bounds and
products from newsletter.yaml) and writes content/<slug>.yaml; edits are the functions of
:mod:`newsletter.content.edit`, saved only over the version the page was made from.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.utils import secure_filename

from ...config import WEEKDAYS
from ...content import edit
from ...content.banks import add_lost_stubs, stubs_note
from ...content.contentfile import dump_content, load_content, write_content
from ...content.ingest import read_article
from ...content.split import split
from ...errors import InputError, NewsletterError, StaleFileError
from ...files import digest, save_if_unchanged
from ..common import web_context
from .pages import notice, studio_page
from .queue import content_files

blueprint = Blueprint("articles", __name__)
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def articles_dir() -> Path:
    """Where uploaded articles are kept (beside content/, so a re-split is possible)."""
    return web_context().config.root / "articles"


@blueprint.get("/articles")
def index() -> ResponseReturnValue:
    """The split articles (content files) and the upload form."""
    found, broken = [], []
    for name in content_files():
        try:
            found.append((name, load_content(web_context().config.content_dir / name)))
        except NewsletterError as exc:
            broken.append((name, str(exc)))
    return studio_page("articles.html.j2", title="Articles", contents=found, broken=broken,
                       suffixes=",".join(SUFFIXES))


@blueprint.post("/articles")
def upload() -> ResponseReturnValue:
    """Keep the uploaded article in articles/, split it into content/<slug>.yaml."""
    config = web_context().config
    upload = request.files.get("article")
    name = secure_filename(upload.filename or "") if upload else ""
    if not upload or not name:
        notice("Choose an article file to upload.", "error")
        return redirect(url_for(".index"), 303)
    if Path(name).suffix.lower() not in SUFFIXES:
        notice(f"{name}: not an article file (use {', '.join(SUFFIXES)}).", "error")
        return redirect(url_for(".index"), 303)
    articles_dir().mkdir(parents=True, exist_ok=True)
    path = articles_dir() / name
    upload.save(path)
    warnings: list[str] = []
    try:
        content = split(read_article(path, warnings=warnings),
                        min_words=config.snippet_min_words, max_words=config.snippet_max_words,
                        products=config.products)
    except NewsletterError as exc:
        notice(f"Not split: {exc}", "error")
        return redirect(url_for(".index"), 303)
    written = write_content(content, config.content_dir)
    for warning in warnings:
        notice(f"Warning: {warning}", "warning")
    notice(f"Split {name} into {len(content.snippets)} snippets ({written.name}); "
           f"{len(content.dropped)} lines left out.")
    stubs = stubs_note(add_lost_stubs(config.content_dir, content), config.content_dir,
                       lambda bank: f"content/{bank.name}")
    if stubs:
        notice(stubs, "warning")
    return redirect(url_for(".article", slug=content.article.slug), 303)


def _path(slug: str) -> Path:
    if not _SLUG.match(slug):
        abort(404)
    path = web_context().config.content_dir / f"{slug}.yaml"
    if not path.is_file():
        abort(404, f"No content file {slug}.yaml.")
    return path


@blueprint.get("/articles/<slug>")
def article(slug: str) -> ResponseReturnValue:
    """One split article: snippets (kind, size, title), dropped lines, edits, Plan."""
    path = _path(slug)
    text = path.read_text("utf-8")
    try:
        content = load_content(path)
    except NewsletterError as exc:
        return studio_page("message.html.j2", 422, title=f"{slug}.yaml is invalid",
                           text=str(exc))
    config = web_context().config
    return studio_page("article.html.j2", title=content.article.title, content=content,
                       version=digest(text), kinds=edit.KINDS, paragraphs=edit.paragraphs,
                       file=path.name, contents=[path.name], chosen=path.name,
                       weekdays=WEEKDAYS, cadence=config.cadence, zone=config.timezone)


@blueprint.post("/articles/<slug>")
def change(slug: str) -> ResponseReturnValue:
    """One edit of the snippets, saved over the version the page was made from."""
    path = _path(slug)
    form = request.form
    op = form.get("op", "")
    try:
        content = load_content(path)
        if op == "change":
            content = edit.change_snippet(content, form.get("snippet", ""),
                                          kind=form.get("kind", ""), title=form.get("title", ""))
        elif op == "merge":
            content = edit.merge_snippets(content, form.get("first", ""), form.get("second", ""))
        elif op == "split":
            content = edit.split_snippet(content, form.get("snippet", ""), _int(form, "at"))
        elif op == "restore":
            content = edit.restore_dropped(content, _int(form, "dropped"),
                                           form.get("snippet", ""))
        else:
            abort(400, "Unknown change.")
        save_if_unchanged(path, dump_content(content), form.get("version", ""))
    except StaleFileError:
        notice(f"Not saved: {path.name} was changed by someone else since the page loaded. "
               "Here is the new version; make your change again.", "error")
    except InputError as exc:
        notice(f"Not saved: {exc}", "error")
    else:
        notice("Saved.")
    return redirect(url_for(".article", slug=slug), 303)


def _int(form: object, name: str) -> int:
    value = request.form.get(name, "")
    if not value.lstrip("-").isdigit():
        raise InputError(f"{value!r} is not a number", field=name)
    return int(value)
