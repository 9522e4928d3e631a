"""CLI commands: folder (filled in by its stage)."""

from __future__ import annotations
