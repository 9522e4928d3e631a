"""Which files are articles: the suffixes the readers of `newsletter split` read.

Kept apart from the readers so that `plan` can tell an article from a content file without
importing them.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ArticleError

# The readers' suffixes (newsletter.content.ingest; a test keeps the two the same), the
# usual ones first. A file with no suffix is read by its content.
MAIN_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
ARTICLE_SUFFIXES = (*MAIN_SUFFIXES, ".text", ".mdown", ".mkd", ".xhtml")
_OTHER_TOOLS = {
    ".csv": "subscribers go in with `newsletter subscribers import`, testimonials and "
            "resources with `newsletter banks import`",
    ".tsv": "subscribers go in with `newsletter subscribers import`",
}


def refuse_unreadable(path: Path) -> None:
    """An :class:`ArticleError` naming the file and the kinds `split` reads, for a file
    whose suffix is none of them (a spreadsheet, a PDF, a Word file, ...)."""
    suffix = path.suffix.lower()
    if not suffix or suffix in ARTICLE_SUFFIXES:
        return
    other = _OTHER_TOOLS.get(suffix)
    raise ArticleError(
        f"a {suffix} file is not an article: split reads {', '.join(MAIN_SUFFIXES)} (also "
        f"{', '.join(ARTICLE_SUFFIXES[len(MAIN_SUFFIXES):])}; a file with no suffix by its "
        f"content){f' ({other})' if other else ': save the article as one of these'}",
        path=path)
