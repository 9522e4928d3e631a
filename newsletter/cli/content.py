"""CLI command `newsletter split ARTICLE`: an article into content/<slug>.yaml."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click

from ..collector import long_lived_objects_frozen
from ..content.banks import add_lost_stubs, stubs_note
from ..content.contentfile import write_content
from ..content.ingest import read_article
from ..content.split import split as split_document
from ..errors import ArticleError
from ..models import Content, Dropped, Snippet
from . import State, main, pass_state, progress
from .articles import refuse_unreadable
from .words import counted


def summary(content: Content, path: Path, low: int, high: int,
            warnings: Sequence[str] = (), explained: bool = False) -> list[str]:
    """The lines `newsletter split` prints: snippets by kind, sizes, dropped lines, warnings,
    file (no hint to run --explain when ``explained``: it ran)."""
    snippets = content.snippets
    kinds = Counter(s.kind for s in snippets)
    by_kind = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
    lines = [f"{content.article.title}: {counted(len(snippets), 'snippet')}"
             + (f" ({by_kind})" if by_kind else "")]
    if snippets:
        words = [s.words for s in snippets]
        inside = sum(low <= w <= high for w in words)
        lines.append(f"  {min(words)}-{max(words)} words each; {inside} of {len(words)} "
                     f"within {low}-{high}")
    # a line that is in a snippet and carries a note (markup left out of it) is not left out
    shown = {n for s in snippets for n in s.lines}
    left_out = len({d.line for d in content.dropped if d.line not in shown or not d.line})
    lines.append(f"  {counted(left_out, 'line')} left out as noise or empty headings"
                 + (" (see --explain)" if content.dropped and not explained else ""))
    lines.extend(f"  Warning: {warning}" for warning in warnings)
    lines.append(f"Wrote {_shown(path)}")
    return lines


def _all_lines(count: int) -> str:
    return "the one line with text was" if count == 1 else f"all {count:,} lines with text were"


def no_snippets_reason(content: Content, explained: bool = False) -> str:
    """Why an article gave no snippet at all: nothing to read, or what every line was
    (with a hint to run --explain unless it ran)."""
    if not content.dropped:
        return "no snippets: the article has no text to make tips from"
    reasons = Counter(d.reason for d in content.dropped)
    shown = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
    return (f"no snippets: {_all_lines(len(content.dropped))} left out "
            f"({shown}){'' if explained else '; see --explain'} (nothing written)")


def explanation(content: Content) -> list[str]:
    """Why each snippet was cut and typed as it was, and why each dropped line was dropped."""
    lines = ["Snippets:"]
    for snippet in content.snippets:
        lines.extend(_explain_snippet(snippet))
    lines.append("Dropped lines:" if content.dropped else "Dropped lines: none")
    lines.extend(_explain_dropped(d) for d in content.dropped)
    return lines


def _explain_snippet(snippet: Snippet) -> list[str]:
    return [
        f"  {snippet.id}  {snippet.kind}  {snippet.words} words  "
        f"lines {_line_list(snippet.lines)}",
        f"    title: {snippet.title}",
        f"    why: {snippet.reason}",
    ]


_SHOWN_CHARS = 160  # of a dropped line: enough to recognise it (a data: URL runs to megabytes)


def _explain_dropped(dropped: Dropped) -> str:
    text = dropped.text
    if len(text) > _SHOWN_CHARS:
        text = f"{text[:_SHOWN_CHARS]}… ({len(dropped.text):,} characters)"
    return f"  line {dropped.line}: {text!r}  ({dropped.reason})"


def _line_list(lines: Sequence[int]) -> str:
    return ", ".join(str(n) for n in lines) if lines else "-"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@main.command("split")
@click.argument("article", type=click.Path(path_type=Path))
@click.option("--explain", is_flag=True,
              help="Print why each snippet was cut and typed so, and every dropped line.")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the content file (default: content/ of the newsletter folder).")
@click.option("--min-words", type=click.IntRange(min=1),
              help="Smallest snippet in words (default: snippets.min_words, 40).")
@click.option("--max-words", type=click.IntRange(min=1),
              help="Largest snippet in words (default: snippets.max_words, 180).")
@pass_state
def split_command(state: State, article: Path, explain: bool, output: Path | None,
                  min_words: int | None, max_words: int | None) -> None:
    """Split ARTICLE (.txt, .md or .html) into tip-sized snippets in content/<slug>.yaml.

    Other files (.csv, .pdf, .docx, ...) are refused, naming the kinds it reads; a file
    with no suffix is read as its content shows (text, Markdown or HTML).

    Sections that pitch a product named in `products` of newsletter.yaml become `cta`
    snippets. Every line left out is listed with its reason by --explain. What the scrape
    lost (links without their URLs, testimonial pictures) is added as stubs to the banks in
    content/ (not when -o writes elsewhere), for you to fill in.

    \b
    Example:
      newsletter split articles/watering.txt --explain
      newsletter split post.md --min-words 60 --max-words 150 -o content/
    """
    config = state.config
    low = min_words if min_words is not None else config.snippet_min_words
    high = max_words if max_words is not None else config.snippet_max_words
    if low > high:
        raise click.BadParameter(f"--min-words {low} is larger than --max-words {high}",
                                 param_hint="--min-words/--max-words")
    if article.suffix.lower() in (".yaml", ".yml"):  # re-splitting it would overwrite it
        raise ArticleError("this is a content file (snippets `split` wrote), not an article: "
                           "split reads .txt, .md or .html; edit its snippets in the file or "
                           "in the studio (`newsletter serve`, /studio/)", path=article)
    refuse_unreadable(article)
    warnings: list[str] = []
    with progress.stages(progress.wanted()) as bars, long_lived_objects_frozen():
        size = article.stat().st_size // 1024 if article.is_file() else 0
        bars.stage("reading", size, "KB")
        document = read_article(article, warnings=warnings,
                                progress=lambda share: bars.done(share * size))
        bars.stage("splitting", len(document.blocks), "blocks")
        content = split_document(document, min_words=low, max_words=high,
                                 products=config.products)
        bars.done(len(document.blocks))
        if content.snippets:
            bars.stage("writing", len(content.snippets) + len(content.dropped), "items")
            path = write_content(content, output if output is not None
                                 else config.content_dir, bars.done)
    if explain:
        click.echo("\n".join(explanation(content)))
    if not content.snippets:
        raise ArticleError(no_snippets_reason(content, explain), path=article)
    click.echo("\n".join(summary(content, path, low, high, warnings, explain)))
    if path.parent.resolve() == config.content_dir.resolve():  # the newsletter's banks
        stubs = stubs_note(add_lost_stubs(path.parent, content), path.parent, _shown)
        if stubs:
            click.echo(stubs)
