"""Server-rendered charts: coordinates for a small SVG line chart (the page also shows the
same figures as a table, so nothing depends on seeing the picture or on JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 720, 240, 40


@dataclass(frozen=True)
class Line:
    """One series: its name, colour and SVG polyline points."""

    name: str
    colour: str
    points: str
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Chart:
    """A line chart over labelled x positions (days), with its largest value for the axis."""

    labels: tuple[tuple[float, str], ...]
    lines: tuple[Line, ...]
    top: int
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


COLOURS = ("#0f5f59", "#b45309", "#7c3aed", "#a4161a")


def line_chart(days: Sequence[str], series: Mapping[str, Mapping[str, int]]) -> Chart:
    """A chart of ``series`` (name -> day -> count) over ``days`` in order."""
    top = max([1, *(v for s in series.values() for v in s.values())])
    span = max(len(days) - 1, 1)

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / span if len(days) > 1 else 0.5)

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top

    lines = []
    for (name, values), colour in zip(series.items(), COLOURS, strict=False):
        dots = tuple((round(x(i), 1), round(y(values.get(d, 0)), 1)) for i, d in enumerate(days))
        lines.append(Line(name, colour, " ".join(f"{a},{b}" for a, b in dots), dots))
    step = max(len(days) // 6, 1)
    labels = tuple((round(x(i), 1), d[5:]) for i, d in enumerate(days) if i % step == 0)
    return Chart(labels, tuple(lines), top)
