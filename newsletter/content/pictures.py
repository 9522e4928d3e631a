"""The article's pictures, kept with the snippets they illustrate.

Readers drop a picture as a line of its own (``image: ...``), since its alt text is not
content. A picture with an absolute https address can still be shown in an email: the
snippet it stands in, or else the first one after it, takes it as its ``image`` (one each,
never a call to action), and the dropped line says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..models import Dropped, Image, Snippet

_MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>https://[^)\s]+)")
_ADDRESS_FIRST = re.compile(r"^(?P<src>https://\S+)\s*(?P<alt>.*)$")
_PICTURE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]\S*)?$", re.IGNORECASE)


def picture_in(dropped: Dropped) -> Image | None:
    """The picture a dropped ``image:`` line holds, when its address is absolute https."""
    if not dropped.reason.startswith("image"):
        return None
    found = _MARKDOWN_IMAGE.search(dropped.text)
    if found is None:
        found = _ADDRESS_FIRST.match(dropped.text.strip())
        if found is None or not _PICTURE_FILE.search(found["src"]):
            return None
    return Image(src=found["src"], alt=" ".join(found["alt"].split()))


def attach_pictures(snippets: Sequence[Snippet], dropped: Sequence[Dropped]
                    ) -> tuple[list[Snippet], list[Dropped]]:
    """Each https picture given to the snippet it stands in (or the next one) that has
    none yet; its dropped line then names that snippet."""
    kept, notes = list(snippets), []
    for entry in dropped:
        picture = picture_in(entry)
        index = _illustrated(kept, entry.line) if picture else None
        if picture is None or index is None:
            notes.append(entry)
            continue
        kept[index] = replace(kept[index], image=picture)
        notes.append(replace(entry, reason=f"image: shown as the picture of {kept[index].id}"))
    return kept, notes


def _illustrated(snippets: Sequence[Snippet], line: int) -> int | None:
    """The snippet whose lines surround ``line``, else the first one after it (no picture
    yet, not a call to action)."""
    for index, snippet in enumerate(snippets):
        if snippet.kind == "cta" or snippet.image is not None or not snippet.lines:
            continue
        if snippet.lines[0] <= line <= snippet.lines[-1] or snippet.lines[0] > line:
            return index
    return None
