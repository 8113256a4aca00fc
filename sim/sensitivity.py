"""Sensitivity statistics over groups of factors: Morris screening, Sobol total-order indices
and the ranking that picks which groups go on from the one stage to the other.

A factor here is a group of model assumptions moved as one (``sim/robustness.py`` makes the
groups); the outputs are one claim's estimates at the sampled points. SALib does the sums; this
module says what an undefined or constant output gives, so a robustness run never stops on one.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def screen(problem: Mapping[str, Any], x: np.ndarray, y: np.ndarray, levels: int
           ) -> dict[str, float]:
    """Morris mu* of every group of ``problem`` for outputs ``y`` at the points ``x``."""
    from SALib.analyze import morris

    names = list(dict.fromkeys(problem["groups"]))
    if not np.all(np.isfinite(y)):
        return dict.fromkeys(names, math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = morris.analyze(dict(problem), x, y, num_levels=levels)
    return {str(n): float(m) for n, m in zip(found["names"], found["mu_star"], strict=True)}


def total_order(problem: Mapping[str, Any], y: np.ndarray, seed: int) -> dict[str, float]:
    """Total-order Sobol index (ST) of every group of ``problem`` for Saltelli outputs ``y``.

    An output that does not vary gives 0 for every group (nothing to explain); one with an
    undefined value (a zero mean to take a share of) gives NaN.
    """
    from SALib.analyze import sobol

    names = list(dict.fromkeys(problem["groups"]))
    if not np.all(np.isfinite(y)):
        return dict.fromkeys(names, math.nan)
    if float(np.var(y)) == 0.0:
        return dict.fromkeys(names, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = sobol.analyze(dict(problem), y, calc_second_order=False, seed=seed % 2**32,
                              print_to_console=False)
    return {n: float(st) for n, st in zip(names, found["ST"], strict=True)}


def choose(screened: Sequence[Mapping[str, float]], top: int, order: Sequence[str]
           ) -> list[tuple[str, float]]:
    """Groups ranked by their mu* over all claims, largest first.

    Each claim's mu* are divided by that claim's largest, so every claim has the same say
    whatever its units (a revenue share, a trust level) and its effect size; a claim whose
    estimate never moved, or is undefined, has no say. Ties keep ``order``. ``top`` is only
    checked here: the caller takes the first ``top``.
    """
    score = dict.fromkeys(order, 0.0)
    for mu in screened:
        largest = max((v for v in mu.values() if math.isfinite(v)), default=0.0)
        if largest > 0:
            for name, v in mu.items():
                score[name] += (v / largest if math.isfinite(v) else 0.0) / len(screened)
    if not 1 <= top <= len(order):
        raise ValueError("top must be from 1 to the number of groups")
    return sorted(score.items(), key=lambda kv: (-kv[1], list(order).index(kv[0])))
