"""Counts in messages, in the number they agree with: ``1 warning``, ``2 warnings``."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "person": "people"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` in agreement (thousands grouped): ``1 subscriber``,
    ``12,000 subscribers``; ``plural`` when it is not the noun plus ``s``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or _IRREGULAR.get(noun, noun + 's')}"
