"""Unit tests of sim.policies.prioritisation (the sales queue)."""

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.policies.prioritisation import LeadQueue


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def lead(queued_at=0.0, score=0.5, deal_size=1.0, name=""):
    return SimpleNamespace(queued_at=queued_at, score=score, deal_size=deal_size, ticket=0,
                           name=name)


def fill(queue, clock, leads):
    for ld in leads:
        clock.t = ld.queued_at
        queue.push(ld)


def test_fifo_serves_in_arrival_order():
    clock = Clock()
    q = LeadQueue("fifo", None, clock)
    a, b, c = lead(0, 0.1, name="a"), lead(1, 0.9, name="b"), lead(2, 0.5, name="c")
    fill(q, clock, [a, b, c])
    assert [q.pop().name for _ in range(3)] == ["a", "b", "c"]
    assert q.pop() is None


def test_score_serves_highest_score_first():
    clock = Clock()
    q = LeadQueue("score", None, clock)
    fill(q, clock, [lead(0, 0.1, name="a"), lead(1, 0.9, name="b"), lead(2, 0.5, name="c")])
    assert [q.pop().name for _ in range(3)] == ["b", "c", "a"]


def test_cherry_pick_serves_largest_expected_commission_first():
    clock = Clock()
    q = LeadQueue("cherry_pick", None, clock)
    fill(q, clock, [lead(0, 0.9, 1.0, "small"), lead(1, 0.3, 10.0, "big")])
    assert q.pop().name == "big"


def test_sla_moves_overdue_leads_to_the_front():
    clock = Clock()
    q = LeadQueue("score", 4.0, clock)
    fill(q, clock, [lead(0, 0.1, name="old"), lead(3, 0.9, name="new")])
    clock.t = 3.5
    assert not q.has_overdue()
    clock.t = 4.0
    assert q.has_overdue()
    assert q.pop().name == "old"
    assert q.pop().name == "new"


def test_stale_leads_are_dropped_from_the_head():
    clock = Clock()
    q = LeadQueue("score", None, clock)
    fill(q, clock, [lead(0, name="a"), lead(5, name="b"), lead(20, name="c")])
    clock.t = 24.0
    dropped = q.drop_older_than(10.0)
    assert [d.name for d in dropped] == ["a", "b"]
    assert len(q) == 1 and q.pop().name == "c"


def test_time_average_length_is_exact():
    clock = Clock()
    q = LeadQueue("fifo", None, clock)
    q.push(lead(0))           # length 1 during [0, 2)
    clock.t = 2.0
    q.push(lead(2))           # length 2 during [2, 3)
    clock.t = 3.0
    q.pop()                   # length 1 during [3, 5)
    clock.t = 5.0
    assert q.area() == pytest.approx(1 * 2 + 2 * 1 + 1 * 2)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["fifo", "score", "cherry_pick"]),
       st.lists(st.tuples(st.sampled_from(["push", "pop", "drop"]),
                          st.floats(0, 1), st.floats(0.1, 5)), max_size=60))
def test_queue_never_loses_or_duplicates_a_lead(rule, ops):
    clock = Clock()
    q = LeadQueue(rule, 2.0, clock)
    inside, out = set(), []
    for i, (op, score, dt) in enumerate(ops):
        clock.t += dt
        if op == "push":
            ld = lead(clock.t, score, 1.0, name=i)
            q.push(ld)
            inside.add(i)
        elif op == "pop":
            got = q.pop()
            if got is not None:
                out.append(got.name)
        else:
            out.extend(d.name for d in q.drop_older_than(3.0))
        assert len(q) == len(inside) - len(out)
    assert len(out) == len(set(out))
    remaining = [ld.name for ld in q.items()]
    assert sorted(remaining + out) == sorted(inside)


# --------------------------------------------------------------------------- set_policy
def test_switching_to_score_reranks_waiting_leads():
    clock = Clock()
    q = LeadQueue("fifo", None, clock)
    fill(q, clock, [lead(0, 0.1, name="a"), lead(1, 0.9, name="b"), lead(2, 0.5, name="c")])
    q.set_policy("score", None)
    assert [q.pop().name for _ in range(3)] == ["b", "c", "a"]
    assert q.pop() is None


def test_switching_to_fifo_restores_entry_order():
    clock = Clock()
    q = LeadQueue("score", None, clock)
    fill(q, clock, [lead(0, 0.1, name="a"), lead(1, 0.9, name="b"), lead(2, 0.5, name="c"),
                    lead(3, 0.7, name="d")])
    assert q.pop().name == "b"
    q.set_policy("fifo", None)
    clock.t = 4.0
    q.push(lead(4, 1.0, name="e"))
    assert [q.pop().name for _ in range(4)] == ["a", "c", "d", "e"]


def test_setting_and_clearing_an_sla():
    clock = Clock()
    q = LeadQueue("score", None, clock)
    fill(q, clock, [lead(0, 0.1, name="old"), lead(3, 0.9, name="new")])
    clock.t = 5.0
    assert q.sla is None and not q.has_overdue()
    q.set_policy("score", 4.0)
    assert q.sla == 4.0 and q.has_overdue()
    q.set_policy("score", None)
    assert q.sla is None and not q.has_overdue()
    assert q.pop().name == "new"  # without the SLA the old lead is not moved to the front


def test_switching_policy_keeps_the_time_average_exact():
    clock = Clock()
    q = LeadQueue("fifo", None, clock)
    q.push(lead(0))           # length 1 during [0, 2)
    clock.t = 2.0
    q.set_policy("cherry_pick", 1.0)
    q.push(lead(2))           # length 2 during [2, 5)
    clock.t = 5.0
    assert q.area() == pytest.approx(1 * 2 + 2 * 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["push", "pop", "drop", "switch"]),
                          st.floats(0, 1), st.floats(0.1, 5),
                          st.sampled_from(["fifo", "score", "cherry_pick"]),
                          st.sampled_from([None, 1.0, 4.0])), max_size=60))
def test_switching_policies_never_loses_or_duplicates_a_lead(ops):
    clock = Clock()
    q = LeadQueue("fifo", None, clock)
    inside, out = set(), []
    for i, (op, score, dt, rule, sla) in enumerate(ops):
        clock.t += dt
        if op == "push":
            q.push(lead(clock.t, score, 1.0, name=i))
            inside.add(i)
        elif op == "pop":
            got = q.pop()
            if got is not None:
                out.append(got.name)
        elif op == "drop":
            out.extend(d.name for d in q.drop_older_than(3.0))
        else:
            q.set_policy(rule, sla)
        assert len(q) == len(inside) - len(out)
    assert len(out) == len(set(out))
    assert sorted([ld.name for ld in q.items()] + out) == sorted(inside)
    q.set_policy("score", None)
    scores = [q.pop().score for _ in range(len(q))]
    assert scores == sorted(scores, reverse=True)
