"""CLI commands: issues (filled in by its stage)."""

from __future__ import annotations
