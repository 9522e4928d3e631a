"""`newsletter init`: a new newsletter folder with settings, templates and the queue."""

from __future__ import annotations

import shutil
from pathlib import Path

from .config import CONFIG_NAME, default_config_text, default_templates_dir
from .errors import InputError

FOLDERS = ("issues", "content", "subscribers", "templates")
GITIGNORE = """\
# what happened lives in the database; rendered previews and outbox files are rebuilt
subscribers/*.db*
.env
build/
outbox/
"""


def init_folder(folder: Path, *, force: bool = False, settings: dict[str, str] | None = None
                ) -> list[Path]:
    """Create a newsletter folder; return the paths written.

    ``settings`` replaces top-level ``key: value`` lines of the commented default
    newsletter.yaml (e.g. ``{"name": "Plant Notes"}``), keeping every comment.
    """
    config_path = folder / CONFIG_NAME
    if config_path.exists() and not force:
        raise InputError("already a newsletter folder (use --force to overwrite the "
                         "settings and templates)", path=config_path)
    for name in FOLDERS:
        (folder / name).mkdir(parents=True, exist_ok=True)
    config_path.write_text(_with_settings(default_config_text(), settings or {}), "utf-8")
    written = [config_path, *copy_default_templates(folder / "templates")]
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, "utf-8")
        written.append(gitignore)
    return written


def copy_default_templates(target: Path) -> list[Path]:
    """Copy the default email templates into ``target`` for a marketer to edit."""
    source_dir = default_templates_dir()
    written: list[Path] = []
    for path in sorted(source_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = target / path.relative_to(source_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            written.append(dest)
    return written


def _with_settings(text: str, settings: dict[str, str]) -> str:
    lines = text.splitlines(keepends=True)
    for key, value in settings.items():
        prefix = f"{key}:"
        lines = [f"{key}: {value}\n" if line.startswith(prefix) else line for line in lines]
    return "".join(lines)
