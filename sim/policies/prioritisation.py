"""Prioritisation: the order in which reps pick leads from the sales queue.

The queue is a deli counter. ``fifo`` serves tickets in order. ``score`` serves the leads
marketing scored highest first. ``cherry_pick`` serves the leads with the largest expected
commission (score x deal size) first, so small or doubtful leads can wait until they go stale.
An SLA (``communication.sla_hours``) is the manager who walks along the line and moves anyone
waiting too long to the front.

Source: MODEL.md section 1; cherry-picking under individual commission is described by Sabnis
et al. 2013. Leads waiting longer than ``sales.lead_expiry_days`` are dropped (they leak).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from typing import Any


def fifo_key(lead: Any) -> float:
    """First in, first out: the earliest queue entry first."""
    return lead.queued_at


def score_key(lead: Any) -> float:
    """Highest marketing score first."""
    return -lead.score


def cherry_pick_key(lead: Any) -> float:
    """Largest expected commission first: score times deal size."""
    return -lead.score * lead.deal_size


RULES: dict[str, Callable[[Any], float]] = {
    "fifo": fifo_key,
    "score": score_key,
    "cherry_pick": cherry_pick_key,
}


class LeadQueue:
    """The sales queue with a priority rule, an optional SLA and expiry of stale leads.

    Each lead carries ``queued_at``, ``score``, ``deal_size`` and a ``ticket`` attribute that the
    queue owns. The queue keeps a time-integral of its length, so the time-average length is
    exact (needed for Little's law).
    """

    def __init__(self, rule: str, sla_hours: float | None, now: Callable[[], float]):
        self._key = RULES[rule]
        self._fifo_rule = rule == "fifo"
        self._heap: list[tuple[float, int, Any]] = []
        self._order: deque[tuple[int, Any]] = deque()
        self.sla = sla_hours  # hours a lead may wait before it jumps the queue; None: no SLA
        self._now = now
        self._seq = 0
        self.length = 0
        self._area = 0.0
        self._last = now()
        self._pending: deque[tuple[float, Any]] = deque()

    def set_policy(self, rule: str, sla_hours: float | None) -> None:
        """Change the priority rule and SLA while leads wait (the waiting leads keep their
        places in entry order and are re-ranked under the new rule).
        """
        self._tick()
        self._key = RULES[rule]
        self._fifo_rule = rule == "fifo"
        self.sla = sla_hours
        self._heap = [] if self._fifo_rule else [
            (self._key(lead), seq, lead) for seq, lead in self._order if lead.ticket == seq]
        heapq.heapify(self._heap)

    def _tick(self) -> float:
        t = self._now()
        self._area += self.length * (t - self._last)
        self._last = t
        pending = self._pending
        if pending and pending[0][0] <= t:
            self._absorb(t)
        return t

    def _absorb(self, t: float) -> None:
        """Move every release due by ``t`` into the queue as if it had joined at its own time."""
        pending = self._pending
        while pending and pending[0][0] <= t:
            at, lead = pending.popleft()
            lead.state = "queued"
            self._area += t - at  # it has been waiting since ``at``
            self._enter(lead, at)

    def _enter(self, lead: Any, at: float) -> None:
        lead.queued_at = at
        self._seq += 1
        lead.ticket = self._seq
        if not self._fifo_rule:
            heapq.heappush(self._heap, (self._key(lead), self._seq, lead))
        self._order.append((self._seq, lead))
        self.length += 1

    def area(self) -> float:
        """Integral of queue length over time up to now."""
        self._tick()
        return self._area

    def schedule(self, arrivals: list[tuple[float, Any]]) -> None:
        """Leads that will join the queue at known times, as ``(time, lead)`` sorted by time.

        They cost no event: whoever next looks at the queue absorbs those that are due.
        """
        self._tick()
        if not arrivals:
            return
        pending = self._pending
        if pending and arrivals[0][0] < pending[-1][0]:
            self._pending = deque(sorted([*pending, *arrivals], key=lambda item: item[0]))
        else:
            pending.extend(arrivals)

    def next_release(self, skip: int = 0) -> float | None:
        """Time of the next scheduled arrival after the first ``skip`` ones, or None."""
        pending = self._pending
        return pending[skip][0] if len(pending) > skip else None

    def push(self, lead: Any, at: float | None = None) -> None:
        """Join the queue now."""
        t = self._tick()
        self._enter(lead, t if at is None else at)

    def _take(self, lead: Any) -> Any:
        lead.ticket = 0
        self.length -= 1
        return lead

    def _oldest(self) -> Any | None:
        order = self._order
        while order and order[0][1].ticket != order[0][0]:
            order.popleft()
        return order[0][1] if order else None

    def pop(self) -> Any | None:
        """The next lead to work, or None when the queue is empty."""
        t = self._now()  # _tick, inlined: this runs once per rep decision
        self._area += self.length * (t - self._last)
        self._last = t
        pending = self._pending
        if pending and pending[0][0] <= t:
            self._absorb(t)
        if self.length == 0:
            return None
        oldest = self._oldest()
        if self._fifo_rule or (self.sla is not None and t - oldest.queued_at >= self.sla):
            self._order.popleft()
            return self._take(oldest)
        heap = self._heap
        while heap:
            _, seq, lead = heapq.heappop(heap)
            if lead.ticket == seq:
                return self._take(lead)
        raise AssertionError("queue length out of step with its contents")  # pragma: no cover

    def has_overdue(self) -> bool:
        """Whether a lead has waited at least the SLA (always False without an SLA)."""
        if self.sla is None:
            return False
        t = self._tick()
        return self.length > 0 and t - self._oldest().queued_at >= self.sla

    def drop_older_than(self, max_wait: float) -> list[Any]:
        """Remove and return every lead that has waited at least ``max_wait`` hours.

        Entries are kept in push order, which is queue-entry order, so stale leads are at the head.
        """
        t = self._tick()
        dropped = []
        order = self._order
        while order:
            seq, lead = order[0]
            if lead.ticket != seq:
                order.popleft()
            elif t - lead.queued_at >= max_wait:
                order.popleft()
                dropped.append(self._take(lead))
            else:
                break
        if len(self._heap) > 2 * self.length + 64:
            self._heap = [e for e in self._heap if e[2].ticket == e[1]]
            heapq.heapify(self._heap)
        return dropped

    def __len__(self) -> int:
        return self.length

    def items(self) -> list[Any]:
        """Leads still waiting, oldest first (not those scheduled for later)."""
        return [ld for s, ld in self._order if ld.ticket == s]
