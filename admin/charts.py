"""Charts for the console's pages, drawn as plain SVG geometry (no script, no chart library): bars the template
places, with a table beside them for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faq.models import QueryOutcome
from faq.stats import Day

WIDTH, HEIGHT = 720, 200  # the drawing's viewBox; it scales to the page
LEFT, BOTTOM = 40, 24  # room for the axis labels
# How the bot answered, bottom to top, with the colour and the name staff read.
SERIES = ((QueryOutcome.FAQ, "#1a7f4b", "FAQで回答"), (QueryOutcome.INTENT, "#3b82c4", "機能で回答"),
          (QueryOutcome.SUGGEST, "#e0a100", "もしかして"), (QueryOutcome.FALLBACK, "#c2413a", "答えられず"))


@dataclass(frozen=True)
class Bar:
    """One coloured piece of a day's bar."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    """A stacked bar chart: its pieces, the largest day (the scale), the y of its top line, and day labels."""

    bars: tuple[Bar, ...]
    most: int
    labels: tuple[tuple[float, str], ...]
    series: tuple[tuple[str, str], ...]  # (colour, name) for the legend
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM


def stacked_days(days: Sequence[Day]) -> Chart:
    """Each day's questions as one bar, stacked by how the bot answered them."""
    most = max((day.total for day in days), default=0) or 1
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM
    step = plot_width / max(len(days), 1)
    bars, labels = [], []
    for number, day in enumerate(days):
        x, top = LEFT + number * step + step * 0.15, float(plot_height)
        for outcome, colour, name in SERIES:
            count = day.questions.get(outcome, 0)
            if count:
                height = plot_height * count / most
                top -= height
                bars.append(Bar(round(x, 1), round(top, 1), round(step * 0.7, 1), round(height, 1), colour,
                                f"{day.day:%m/%d} {name} {count}件"))
        if number % 7 == 0 or number == len(days) - 1 and number % 7 > 3:  # the last day, unless crowded
            labels.append((round(x + step * 0.35, 1), f"{day.day.month}/{day.day.day}"))
    return Chart(tuple(bars), most, tuple(labels), tuple((colour, name) for _outcome, colour, name in SERIES))
