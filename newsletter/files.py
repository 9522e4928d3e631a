"""Files people edit: atomic writes, and saves refused when the file changed meanwhile.

Issue and content files are the source of truth, edited by people (an editor, the studio,
``git pull``) and by ``newsletter plan``. A save names the version it started from (the
SHA-256 of the text it read); when the file on disk is no longer that version, the save
is refused and nothing is lost: the file stays as it is and the caller still has its text.

The comparison and the replacement are one step for every writer that goes through here,
in any process on any host sharing the folder: the file is held under an exclusive POSIX
record lock (``fcntl.lockf``, which NFS forwards to its lock manager) from the check to the
rename, and a file that must not exist yet is created by a hard link, which fails when
another writer created it first. Writers that take no lock (an editor, ``git pull``) can
still slip in between the check and the rename, a window of microseconds; every later
save sees their text.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def _synced_copy(path: Path, text: str) -> str:
    """``text`` in a new temporary file beside ``path``, flushed to disk; its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader never sees half a file, even after a crash.

    The text goes to a temporary file in the same folder, is flushed to disk, then
    replaces the old file in one rename.
    """
    tmp = _synced_copy(path, text)
    try:
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
        if not expected:
            _create(path, text)
        else:
            with _locked(path) as current:
                if current != expected:
                    raise _stale(path)
                write_atomic(path, text)
    return digest(text)


def remove_if_unchanged(path: Path, expected: str) -> None:
    """Remove ``path`` if its digest is still ``expected`` (else :class:`StaleFileError`)."""
    with _LOCK, _locked(path) as current:
        if current != expected:
            raise _stale(path)
        path.unlink()


def _stale(path: Path) -> StaleFileError:
    return StaleFileError(f"{path.name} was changed by someone else since you opened it: "
                          "nothing was saved", path=path)


@contextmanager
def _locked(path: Path) -> Iterator[str]:
    """Hold an exclusive lock on the file now at ``path`` (across processes and hosts) and
    give its version.

    A writer replaces the file by a rename, so the lock is on what was there when it was
    taken: after waiting, the lock counts only if ``path`` is still that file; if not, it
    is taken again on the new one. The text is read through the locked descriptor: closing
    any other descriptor of the file would release a POSIX lock.
    """
    while True:
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise _stale(path) from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX)
            held, now = os.fstat(fd), _stat(path)
            if now is not None and (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                yield digest(_as_read_text(_read_all(fd)))
                return
            if now is None:
                raise _stale(path)
        finally:
            os.close(fd)  # closing releases the lock


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _as_read_text(data: bytes) -> str:
    """The bytes as ``Path.read_text`` gives them (what pages and ``plan`` digest)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _create(path: Path, text: str) -> None:
    """Write a file that must not exist yet: complete, and never over another's new file."""
    tmp = _synced_copy(path, text)
    try:
        os.link(tmp, path)  # fails if the name exists: creation is atomic
    except FileExistsError:
        raise _stale(path) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
