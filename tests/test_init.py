"""`newsletter init` makes a working folder a marketer can edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from newsletter.config import load_config


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_init_creates_the_folder_with_commented_settings(tmp_path: Path) -> None:
    result = run("init", "letter", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "letter"
    for name in ("issues", "content", "subscribers", "templates"):
        assert (folder / name).is_dir()
    text = (folder / "newsletter.yaml").read_text()
    settings = yaml.safe_load(text)
    commented = [k for k in settings if "\n# " not in text.split(f"\n{k}:")[0][-400:]]
    assert not commented, f"settings without a comment above them: {commented}"
    assert load_config(folder / "newsletter.yaml", env={}).name == "My Newsletter"
    assert any((folder / "templates").rglob("*.j2"))


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    again = run("init", cwd=tmp_path)
    assert again.returncode == 1
    assert "already a newsletter folder" in again.stderr
