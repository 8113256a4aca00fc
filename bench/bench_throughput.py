"""Full-model throughput (leads per second) against a bare-SimPy M/M/c queue.

The model runs the baseline scenario over a longer horizon (104 weeks by default). The reference
is the textbook M/M/c queue in bare SimPy (one process per customer, ``simpy.Resource`` with c
servers, exponential inter-arrival and service times), timed in the same process, interleaved
with the model. Ratio = model leads/s / reference customers/s, both per CPU second of their best
repeat (the wall-clock ratio is printed too); target >= 0.4.

Most baseline leads never reach sales (they fall below the MQL threshold and are handled in the
weekly batch without any event), so the MQL rate, the leads that do become queue events, is
printed alongside for context.
"""

from __future__ import annotations

import argparse

import _common as c

from sim import load_scenario, run

TARGET = 0.4
REF_CUSTOMERS = 50_000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=float, default=104)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    c.header("throughput: full model leads/s vs. bare-SimPy M/M/c customers/s")
    scenario = load_scenario(c.BASELINE, [f"weeks={args.weeks:g}"])
    t = c.best_of({
        "model": lambda: run(scenario),
        "reference": lambda: c.mmc_simpy(REF_CUSTOMERS),
    }, repeats=args.repeats)
    model, ref = t["model"], t["reference"]
    leads = model.result.leads_created
    mqls = model.result.kpis["mqls"]
    served = ref.result[0]
    model_rate = leads / model.best_cpu
    ref_rate = served / ref.best_cpu
    c.info("throughput", f"model: {scenario.name}, {args.weeks:g} weeks, {leads} leads, "
                         f"{mqls:.0f} MQLs; {model.spread()}")
    c.info("throughput", f"reference: bare SimPy M/M/{c.REF_SERVERS}, {served} customers; "
                         f"{ref.spread()}")
    c.info("throughput", f"MQLs (leads that reach the sales queue) per CPU second: "
                         f"{mqls / model.best_cpu:,.0f} = {mqls / model.best_cpu / ref_rate:.2f} "
                         f"x reference")
    ratio = model_rate / ref_rate
    wall_ratio = (leads / model.best) / (served / ref.best)
    c.info("throughput", f"ratio in wall time: {wall_ratio:.2f}")
    c.result("throughput", "model leads/s vs bare-SimPy customers/s (CPU)",
             f"{model_rate:,.0f} vs {ref_rate:,.0f} /s", f"ratio {ratio:.2f}",
             f">= {TARGET}", ratio >= TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
