"""Newsletter folders in either delivery mode, for the tests run in both modes."""

from __future__ import annotations

from pathlib import Path

from delivery_helpers import START, Folder, make_folder

from newsletter.content.banks import BANK_FILES

MODES = ("broadcast", "sequence")


def make_mode_folder(tmp_path: Path, mode: str, *, settings: str = "", **options: object
                     ) -> Folder:
    """:func:`delivery_helpers.make_folder` in ``mode``; in sequence mode the issues are
    planned again (same cadence) so their files carry `day:` offsets."""
    folder = make_folder(tmp_path, **options)  # type: ignore[arg-type]
    if mode == "broadcast" and not settings:
        return folder
    folder.config.write_text(folder.config.read_text() + f"\nmode: {mode}\n{settings}\n",
                             "utf-8")
    if mode == "sequence":
        for path in (folder.root / "issues").glob("*.yaml"):
            path.unlink()
        (folder.root / "issues" / ".plan-state.yaml").unlink(missing_ok=True)
        content = next(p for p in (folder.root / "content").glob("*.yaml")
                       if p.name not in BANK_FILES)
        result = folder.cli("plan", str(content), "--every", "3d", "--at", "09:00",
                            "--tz", "America/New_York", "--start", START,
                            "--now", "2026-11-20T00:00:00+00:00")
        assert result.exit_code == 0, result.output
    return folder
