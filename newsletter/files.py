"""Files people edit: atomic writes, and saves refused when the file changed meanwhile.

Issue and content files are the source of truth, edited by people (an editor, the studio,
``git pull``) and by ``newsletter plan``. A save names the version it started from (the
SHA-256 of the text it read); when the file on disk is no longer that version, the save
is refused and nothing is lost: the file stays as it is and the caller still has its text.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from .errors import StaleFileError

_LOCK = threading.Lock()  # one check-and-replace at a time in this process


def digest(text: str) -> str:
    """The SHA-256 (hex) of a file's text as written."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_version(path: Path) -> str:
    """The digest of the file's current text ("" when it does not exist)."""
    try:
        return digest(path.read_text("utf-8"))
    except FileNotFoundError:
        return ""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees half a file, even after a crash.

    The text goes to a temporary file in the same folder, is flushed to disk, then
    replaces the old file in one rename.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_if_unchanged(path: Path, text: str, expected: str) -> str:
    """Replace ``path`` with ``text`` if its digest is still ``expected``; the new digest.

    ``expected`` "" means the file must not exist yet. Raises :class:`StaleFileError`
    (the file is left as it is) when someone else changed it since it was read.
    """
    with _LOCK:
        if file_version(path) != expected:
            raise StaleFileError(f"{path.name} was changed by someone else since you opened "
                                 "it: nothing was saved", path=path)
        write_atomic(path, text)
    return digest(text)
