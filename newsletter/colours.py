"""Colours the emails use, and the WCAG 2 contrast between them.

The newsletter's accent (``brand.accent``) colours the header band, links, labels and the
button; from it come the tint behind the call to action and the lighter accent dark mode
uses, each chosen so that text on it keeps a contrast of at least 4.5:1 (WCAG AA).
"""

from __future__ import annotations

from dataclasses import dataclass

AA = 4.5  # the least contrast normal text needs (WCAG 2, level AA)
WHITE = "#ffffff"
DARK_CARD = "#1c1f23"  # the card's background in dark mode (email.css)


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` (0 to 1) of ``other`` mixed in, as ``#rrggbb``."""
    channels = [round(int(colour[i:i + 2], 16) * (1 - share) + int(other[i:i + 2], 16) * share)
                for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


@dataclass(frozen=True)
class Palette:
    """The accent and what is derived from it (see the module docstring)."""

    accent: str
    tint: str  # the call to action's background: the accent's links stay readable on it
    accent_dark: str  # links and labels in dark mode, readable on the dark card

    def css(self, stylesheet: str) -> str:
        """``stylesheet`` with ``var(--accent)``, ``var(--accent-tint)`` and
        ``var(--accent-dark)`` replaced by the colours (mail clients know no variables)."""
        return (stylesheet.replace("var(--accent-tint)", self.tint)
                .replace("var(--accent-dark)", self.accent_dark)
                .replace("var(--accent)", self.accent))


def palette(accent: str) -> Palette:
    """The palette of ``accent`` (a colour on which white text reads at AA)."""
    tint = next((mix(accent, WHITE, share) for share in (0.92, 0.95, 0.97)
                 if contrast(accent, mix(accent, WHITE, share)) >= AA), WHITE)
    dark = next((mix(accent, WHITE, share / 20) for share in range(21)
                 if contrast(mix(accent, WHITE, share / 20), DARK_CARD) >= AA), WHITE)
    return Palette(accent=accent, tint=tint, accent_dark=dark)
