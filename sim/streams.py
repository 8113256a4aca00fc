"""Random streams: one named generator per source of randomness.

Picture a casino where every table has its own sealed deck. If the roulette table changes its
rules, the blackjack table still deals the same cards. Here each source of randomness (arrival
counts of the ``webinar`` channel, the attributes of its leads, prospecting, …) draws from its
own deck, cut fresh for every simulated week. A policy that changes one week's lead volume or
how sales treats a lead therefore leaves every other draw untouched: two scenarios run with the
same seed see the same leads with the same dice (common random numbers), which is what makes
paired comparisons sharp.

Every deck comes from one :class:`numpy.random.SeedSequence`: ``SeedSequence(seed,
spawn_key=(replication, stable_id(name), *keys))``. The result depends only on those numbers,
never on the order streams were asked for, so a seed gives the same results serially, in a
process pool or on a cluster.

A weekly stream (:meth:`Streams.weekly`) is one deck per source, cut at a fixed place for each
week: week ``w`` starts ``w × 2**64`` draws into the deck (PCG64 has a period of ``2**128``), so
weeks never share a card however many they draw, and a new week costs a jump rather than a
fresh shuffle.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from scipy.special import ndtri, pdtr


def stable_id(name: str) -> int:
    """A process-independent integer for a stream name (``hash()`` is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent, reproducible generators for one replication.

    >>> s = Streams(seed=1, replication=0)
    >>> a = s.weekly("leads", 3, "webinar").random()
    >>> b = Streams(seed=1, replication=0).weekly("leads", 3, "webinar").random()
    >>> a == b
    True
    """

    __slots__ = ("seed", "replication", "_decks")

    def __init__(self, seed: int, replication: int = 0):
        if seed < 0:
            raise ValueError("seed must be non-negative")
        self.seed = int(seed)
        self.replication = int(replication)
        self._decks: dict[tuple, tuple[np.random.PCG64, dict, np.random.Generator]] = {}

    def seed_sequence(self, name: str, *keys: int | str) -> np.random.SeedSequence:
        """The seed of stream ``name`` split by ``keys``: fixed by the master seed, the
        replication, the name and the keys alone, whatever else was drawn.
        """
        parts = [self.replication, stable_id(name)]
        parts += [k if isinstance(k, int) else stable_id(k) for k in keys]
        return np.random.SeedSequence(self.seed, spawn_key=tuple(parts))

    def weekly(self, name: str, week: int, *keys: int | str) -> np.random.Generator:
        """The generator for ``week`` of stream ``name`` (split further by ``keys``).

        The same for a given seed, replication, name, keys and week, whatever was drawn before.
        It shares its deck with the stream's other weeks, so use it before asking for another
        week of the same stream.
        """
        deck = self._decks.get((name, *keys))
        if deck is None:
            bits = np.random.PCG64(self.seed_sequence(name, *keys))
            deck = self._decks[(name, *keys)] = (bits, bits.state, np.random.Generator(bits))
        bits, start, gen = deck
        bits.state = start
        bits.advance(int(week) << 64)
        return gen


def poisson_inverse(u: float, mean: float) -> int:
    """The Poisson(``mean``) count at cumulative probability ``u`` (inverse CDF).

    Inversion keeps common random numbers monotone: the same ``u`` with a larger mean never gives
    a smaller count, so two scenarios that differ only in volume see nested sets of leads.

    The search starts at the normal approximation and steps one count at a time, so a weekly
    draw costs a handful of CDF evaluations rather than a table of them: the answer is the
    smallest count whose CDF reaches ``u``.
    """
    if mean <= 0:
        return 0
    spread = 12.0 * math.sqrt(mean) + 12.0
    lo, hi = max(0, int(mean - spread)), int(mean + spread)
    k = min(hi, max(lo, int(mean + math.sqrt(mean) * float(ndtri(u)))))
    if pdtr(k, mean) >= u:
        while k > lo and pdtr(k - 1, mean) >= u:
            k -= 1
        return k
    while k < hi and pdtr(k, mean) < u:
        k += 1
    return k
