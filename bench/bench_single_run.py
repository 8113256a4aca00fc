"""Single-run time of the default scenario: can a slider re-run it live?

Times ``run(load_scenario("scenarios/baseline.yaml"))`` (52 weeks, ~10,000 leads) and, in the same
process and interleaved with it, a fixed reference workload: the textbook M/M/c queue in bare
SimPy with a fixed number of customers. The verdict is on the absolute best wall time (target
0.25 s); the model-to-reference ratio (CPU time) is the machine-independent figure to compare
between runs and machines (it moves when the model gets slower or faster, not when the machine
is busy).
"""

from __future__ import annotations

import argparse

import _common as c

from sim import load_scenario, run

TARGET_S = 0.25
REF_CUSTOMERS = 20_000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args(argv)

    c.header("single run: default baseline scenario vs. a fixed bare-SimPy reference")
    scenario = load_scenario(c.BASELINE)
    t = c.best_of({
        "model": lambda: run(scenario),
        "reference": lambda: c.mmc_simpy(REF_CUSTOMERS),
    }, repeats=args.repeats)
    model, ref = t["model"], t["reference"]
    res = model.result
    c.info("single_run", f"model: {scenario.name}, {scenario.weeks:g} weeks, {res.leads_created} "
                         f"leads, {res.kpis['mqls']:.0f} MQLs; {model.spread()}")
    c.info("single_run", f"reference: bare SimPy M/M/{c.REF_SERVERS}, {REF_CUSTOMERS} customers; "
                         f"{ref.spread()}")
    ratio = model.best_cpu / ref.best_cpu
    c.info("single_run", f"model / reference: {ratio:.2f} in CPU time, "
                         f"{model.best / ref.best:.2f} in wall time (compare these between runs)")
    c.result("single_run", "baseline single-run wall time (best)",
             f"{model.best:.3f} s (reference {ref.best:.3f} s)",
             f"model/ref {ratio:.2f}; {model.best / TARGET_S:.2f} of target",
             f"<= {TARGET_S} s", model.best <= TARGET_S)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
