"""The revenue bridge as a waterfall chart (the numbers come from :mod:`sim.bridge`).

Read it top to bottom like a till receipt: the first bar is one company's revenue, each bar
below adds (green, to the right) or takes away (vermillion, to the left) what one link of the
funnel contributes, and the last bar is the other company's revenue. The bars are horizontal so
that the links' names are written out in full on a projector and on a phone. :func:`bridge_table`
gives the same steps as the rows of a small table, each link's value in both companies beside
its signed contribution.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.bridge import Bridge
from sim.views.labels import format_as, format_value
from sim.views.palette import OKABE_ITO

TOTAL_COLOUR = "#5f6b78"
"""The two revenue bars in a neutral slate: not a scenario's colour (each scenario keeps its own in
every chart) and not the green or vermillion of a link that adds or takes away."""
RISE_COLOUR = OKABE_ITO[2]
FALL_COLOUR = OKABE_ITO[3]

LINK_FORMATS: dict[str, str] = {
    "leads": "count", "mql_share": "share", "sal_share": "share", "sql_share": "share",
    "opportunities_per_sql": "index", "won_share": "share", "price": "index",
    "deal_size": "currency",
}
"""How the value of each link of :data:`sim.bridge.LINKS` is written (a format kind of
:data:`sim.views.labels.FORMAT_KINDS`): lead volume as a count, the shares in per cent, the
price as an index and the deal size in currency."""


def bridge_rows(bridge: Bridge, before: str, after: str) -> list[tuple[str, float, float, str]]:
    """``(label, left end, width, kind)`` for each bar, top to bottom; ``kind`` is
    ``"total"``, ``"rise"`` or ``"fall"``. A step's bar starts where the previous one ended.
    """
    rows = [(f"Revenue, {before}", 0.0, bridge.before, "total")]
    level = bridge.before
    for step in bridge.steps:
        rows.append((step.label, level, step.effect, "rise" if step.effect >= 0 else "fall"))
        level += step.effect
    rows.append((f"Revenue, {after}", 0.0, bridge.after, "total"))
    return rows


def bridge_table(bridge: Bridge) -> list[tuple[str, str, str, str]]:
    """``(label, value before, value after, revenue effect)`` for each step, as people read
    them (the effect in signed currency), then revenue itself with the whole difference: the
    effects above it add up to that difference (up to the rounding to whole currency units).
    """
    rows = [(step.label, format_as(LINK_FORMATS.get(step.key, "number"), step.before),
             format_as(LINK_FORMATS.get(step.key, "number"), step.after),
             format_value("revenue", step.effect, signed=True)) for step in bridge.steps]
    rows.append(("Revenue", format_value("revenue", bridge.before),
                 format_value("revenue", bridge.after),
                 format_value("revenue", bridge.difference, signed=True)))
    return rows


def bridge_chart(bridge: Bridge, before: str, after: str, ax: Axes | None = None,
                 title: str | None = None) -> Figure:
    """A waterfall from ``before``'s revenue to ``after``'s, one bar per link of the funnel,
    each labelled with its signed contribution in currency.
    """
    if ax is None:
        fig = Figure(figsize=(8.0, 4.6), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure  # type: ignore[assignment]
    rows = bridge_rows(bridge, before, after)
    colours = {"total": TOTAL_COLOUR, "rise": RISE_COLOUR, "fall": FALL_COLOUR}
    y = list(range(len(rows)))[::-1]
    for pos, (_label, left, width, kind) in zip(y, rows, strict=True):
        ax.barh(pos, width, left=left, color=colours[kind], height=0.62)
    ends = [v for _l, left, width, _k in rows for v in (left, left + width)]
    low, high = min(0.0, *ends), max(0.0, *ends)
    scale = (high - low) or 1.0
    for pos, (_label, left, width, kind) in zip(y, rows, strict=True):
        text = format_value("revenue", width, signed=kind != "total", compact=True)
        end = max(left, left + width)
        ax.text(end + 0.01 * scale, pos, text, va="center", ha="left", fontsize=9)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(low - (0.02 * scale if low < 0 else 0.0), high + 0.18 * scale)
    ax.xaxis.set_major_formatter(lambda v, _p: format_value("revenue", v, compact=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or f"Where the revenue difference comes from: {before} to {after}",
                 loc="left", fontsize=11)
    return fig


__all__ = ["LINK_FORMATS", "bridge_chart", "bridge_rows", "bridge_table"]
