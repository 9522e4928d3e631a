"""The default templates live once, in the repository's templates/, and ship in the package:
an installed wheel (not the checkout) finds them, `init` copies them, and they render."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from newsletter.config import default_templates_dir

REPO = Path(__file__).resolve().parents[1]


def test_a_checkout_uses_the_top_level_templates() -> None:
    assert default_templates_dir() == REPO / "templates"
    assert (REPO / "templates" / "issue.html.j2").is_file()
    assert not (REPO / "newsletter" / "templates" / "issue.html.j2").exists()  # one copy
    assert (REPO / "newsletter" / "templates" / "web" / "base.html.j2").is_file()


@pytest.mark.slow
def test_an_installed_wheel_ships_and_uses_the_templates(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
        "tests", "subscribers", "outbox", "bench", "docs"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            str(source), "-w", str(tmp_path / "dist")],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("newsletter-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("newsletter/email_templates/") for n in names
               if n.startswith("newsletter/email_templates/")}
    expected = {str(p.relative_to(REPO / "templates")) for p in
                (REPO / "templates").rglob("*") if p.is_file()}
    assert shipped == expected
    assert "newsletter/templates/web/base.html.j2" in names  # the pages stay in the package
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}  # the wheel's newsletter, not the checkout
    run = subprocess.run([sys.executable, "-m", "newsletter", "demo", str(tmp_path / "demo")],
                         capture_output=True, text=True, check=False, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    copied = tmp_path / "demo" / "templates" / "issue.html.j2"
    assert copied.read_text() == (REPO / "templates" / "issue.html.j2").read_text()
    where = subprocess.run([sys.executable, "-c", "import newsletter.config as c; "
                            "print(c.default_templates_dir())"], capture_output=True,
                           text=True, check=True, env=env, cwd=tmp_path).stdout.strip()
    assert where == str(site / "newsletter" / "email_templates")
    assert list((tmp_path / "demo" / "build").glob("*.html"))
