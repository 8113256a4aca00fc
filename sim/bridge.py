"""The revenue bridge: where a difference in revenue comes from, stage by stage.

Revenue is the end of a chain. It is the leads marketing brings, times the share of them that
become MQLs, times the share of those sales accepts, qualifies and turns into opportunities,
times the share of opportunities won, times what a won deal brings: the price, and the deal size
at that price (mix and discount). Two companies (or one company before and after a change)
differ in some links of that chain, and a manager's first question about a revenue difference is
*which links*. A bridge answers it the way a finance team explains a profit change, as a
waterfall: start at one revenue, add each link's contribution, end at the other.

When links multiply, the order in which one swaps them changes each link's share, unless the
shares are computed with the logarithmic mean Divisia index (LMDI-I, Ang 2005, "The LMDI
approach to decomposition analysis: a practical guide", *Energy Policy* 33: 867-871): a link's
contribution is ``L(R1, R0) * ln(x1 / x0)``, where ``x`` is the link's value before and after
and ``L(a, b) = (a - b) / (ln a - ln b)`` is the logarithmic mean of the two revenues. The
contributions then add up exactly to ``R1 - R0`` whatever the order, and a link that did not
change contributes nothing.

The links are computed from mean KPIs (:data:`sim.kpis.KPI_NAMES`) and telescope: ``leads *
mqls/leads * sals/mqls * sqls/sals * opportunities/sqls * won/opportunities * price *
(revenue/won)/price = revenue``. Opportunities per SQL can exceed one, because sales also opens
opportunities it found itself by prospecting. The price is the price index at the end of the
period (``price_index_final``): where the price moved during the period, the split between
price and deal size is approximate, their sum is not. A zero anywhere in the chain (no deals won) has no
logarithm; as the guide recommends, zeros are replaced by a tiny positive number, so the bridge
still adds up and the link that fell to zero carries the difference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

TINY = 1e-30
"""What a zero in the chain is replaced by (Ang 2005's small-value strategy)."""


class Link(NamedTuple):
    """One link of the revenue chain: its key, a label, and how to compute it from KPIs."""

    key: str
    label: str
    numerator: str
    denominator: str | None


LINKS: tuple[Link, ...] = (
    Link("leads", "Lead volume", "leads", None),
    Link("mql_share", "Leads that became MQLs", "mqls", "leads"),
    Link("sal_share", "MQLs sales accepted", "sals", "mqls"),
    Link("sql_share", "Accepted leads qualified", "sqls", "sals"),
    Link("opportunities_per_sql", "Opportunities per SQL", "opportunities", "sqls"),
    Link("won_share", "Opportunities won", "won", "opportunities"),
    Link("price", "Price", "price_index_final", None),
    Link("deal_size", "Deal size at that price", "revenue", "won"),
)
"""The chain, from the first lead to the booked revenue (``deal_size`` is divided by the price,
so that price and deal size at that price multiply to revenue per deal)."""


class Step(NamedTuple):
    """One bar of the bridge: a link's value before and after and its share of the difference
    in revenue (in currency; the steps add up to ``after - before`` revenue).
    """

    key: str
    label: str
    before: float
    after: float
    effect: float


class Bridge(NamedTuple):
    """A whole bridge: revenue before, the steps in chain order, revenue after."""

    before: float
    after: float
    steps: tuple[Step, ...]

    @property
    def difference(self) -> float:
        """Revenue after less revenue before (the sum of the steps' effects)."""
        return self.after - self.before

    def largest(self, n: int = 3) -> tuple[Step, ...]:
        """The ``n`` steps with the largest effect either way, largest first."""
        return tuple(sorted(self.steps, key=lambda s: -abs(s.effect))[:n])


def _value(kpis: Mapping[str, float], key: str) -> float:
    try:
        value = float(kpis[key])
    except KeyError:
        raise KeyError(f"a revenue bridge needs the KPI {key!r}") from None
    return value if math.isfinite(value) else math.nan


def link_values(kpis: Mapping[str, float]) -> dict[str, float | None]:
    """Each link's value for one set of (mean) KPIs, ``{link key: value}``; ``None`` for a
    link whose denominator is zero (no opportunities: the share of them won is undefined).
    """
    out: dict[str, float | None] = {}
    for link in LINKS:
        top = _value(kpis, link.numerator)
        bottom = 1.0 if link.denominator is None else _value(kpis, link.denominator)
        out[link.key] = top / bottom if bottom else None
    price, size = out["price"], out["deal_size"]
    out["deal_size"] = size / price if size is not None and price else None
    return out


def _log_mean(a: float, b: float) -> float:
    """The logarithmic mean of two positive numbers, ``(a - b) / (ln a - ln b)`` (``a`` if
    they are equal).
    """
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def _reconciled(x0: Mapping[str, float | None], x1: Mapping[str, float | None]
                ) -> tuple[dict[str, float], dict[str, float]]:
    """Both chains with no undefined link and no zero: a link undefined on one side takes the
    other side's value (nothing is known of its change), one undefined on both sides is 1, and
    a zero becomes :data:`TINY`.
    """
    a: dict[str, float] = {}
    b: dict[str, float] = {}
    for link in LINKS:
        v0, v1 = x0[link.key], x1[link.key]
        v0 = v1 if v0 is None else v0
        v1 = v0 if v1 is None else v1
        a[link.key] = max(1.0 if v0 is None else v0, TINY)
        b[link.key] = max(1.0 if v1 is None else v1, TINY)
    return a, b


def revenue_bridge(before: Mapping[str, float], after: Mapping[str, float]) -> Bridge:
    """The bridge from one set of mean KPIs to another (see the module docstring).

    ``before`` and ``after`` map KPI names to values, as ``RunResult.kpis`` or the means of
    :func:`sim.experiment.summarise` do. Their revenue is the product of the chain (it is for
    every model run), so the steps' effects add up to the difference in revenue.
    """
    x0, x1 = link_values(before), link_values(after)
    a, b = _reconciled(x0, x1)
    # the weight comes from the chains' own products, so that the effects add up exactly even
    # where a zero was replaced
    weight = _log_mean(math.prod(b.values()), math.prod(a.values()))
    steps = tuple(
        Step(link.key, link.label, _shown(x0[link.key]), _shown(x1[link.key]),
             weight * math.log(b[link.key] / a[link.key]))
        for link in LINKS)
    return Bridge(_value(before, "revenue"), _value(after, "revenue"), steps)


def _shown(value: float | None) -> float:
    return math.nan if value is None else value


__all__ = ["LINKS", "TINY", "Bridge", "Link", "Step", "link_values", "revenue_bridge"]
