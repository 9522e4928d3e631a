"""The first send of an issue fixes its rendering; every later batch, run and host sends it.

At its first send an issue is rendered, passed through the pre-send gate and stored with
the SHA-256 of its content (subject, preheader, blocks, call to action: what a reader
reads, not when it goes). Later runs send the stored rendering, whatever the templates or
the checkout of their host. An issue file whose content changed after sending began
stops that issue's send with a message naming it, until the operator passes
``--new-version N``: the edit is then rendered and stored as the next version, sent to
those who have not had the issue, and each delivery records the version it got.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace

from ..errors import DeliveryError
from ..models import Issue, IssueBlock, RenderedIssue
from ..rendering.check import gate
from ..rendering.render import render
from ..store import StoredRendering
from .run import SendContext, SendOptions


class IssueChanged(DeliveryError):
    """The issue file changed after its sending began (and no new version was asked for)."""


def content_digest(issue: Issue) -> str:
    """The SHA-256 of what a reader of the issue reads."""
    content = {"subject": issue.subject, "preheader": issue.preheader,
               "blocks": [_block_content(block) for block in issue.blocks],
               "cta": asdict(issue.cta) if issue.cta else None}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()
                          ).hexdigest()


def _block_content(block: IssueBlock) -> dict[str, object]:
    # a source's `text` came later: left out when empty, so the digest of an issue whose
    # sending began before it is the same, and the resumed send goes on
    data = asdict(block)
    data["sources"] = [{k: v for k, v in source.items() if k != "text" or v}
                       for source in data["sources"]]
    return data


def fixed_rendering(issue: Issue, ctx: SendContext, options: SendOptions) -> StoredRendering:
    """The rendering every batch of ``issue`` sends (see the module docstring), with the
    newsletter's greeting for a reader whose name is not known (the database keeps the
    HTML and text only); a dry run stores nothing. Raises :class:`IssueChanged`, or the
    gate's errors."""
    stored = _fixed(issue, ctx, options)
    defaults = {"first_name": ctx.config.greeting.fallback}
    return replace(stored, rendered=replace(stored.rendered, defaults=defaults))


def _fixed(issue: Issue, ctx: SendContext, options: SendOptions) -> StoredRendering:
    digest, store = content_digest(issue), ctx.store
    stored = store.current_rendering(issue.key)
    if stored is None:
        rendered = _rendered(issue, ctx)
        if options.dry_run:
            return StoredRendering(issue.key, 1, digest, rendered, options.now)
        stored = store.record_send(issue.key, rendered, digest=digest, now=ctx.clock())
    if not stored.digest and not options.dry_run:  # sent before digests were kept
        store.adopt_digest(issue.key, digest)
        return stored
    if stored.digest in ("", digest):
        return stored
    if issue.number not in options.new_versions:
        raise IssueChanged(_changed(issue, stored, ctx))
    rendered = _rendered(issue, ctx)
    if options.dry_run:
        return StoredRendering(issue.key, stored.version + 1, digest, rendered, options.now)
    return store.add_send_version(issue.key, rendered, digest=digest, now=ctx.clock())


def _rendered(issue: Issue, ctx: SendContext) -> RenderedIssue:
    rendered = render(issue, ctx.config)
    gate(issue, rendered, ctx.config)
    return rendered


def _changed(issue: Issue, stored: StoredRendering, ctx: SendContext) -> str:
    had = ctx.store.sent_by_version(issue.key).get(stored.version, 0)
    since = stored.since.strftime("%Y-%m-%d %H:%M UTC")
    return (f"issue {issue.number} ({issue.subject!r}) was changed after its sending began "
            f"({since}; {had} recipients have version {stored.version}): nothing more of it "
            "is sent until the change is undone, or sent to those who have not had it with "
            f"`newsletter send ... --new-version {issue.number}`")
