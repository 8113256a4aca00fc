"""Linear scaling: time for 2N leads <= 2.1 x time for N.

Two workloads, each run at a horizon H and 2H, best-of-N (CPU time), interleaved:

* the full model: ``scenarios/baseline.yaml`` at 104 and 208 weeks;
* the queue-bound M/M/c reduction: ``scenarios/checks/mmc.yaml`` at 52 and 104 weeks.

Both horizons are past the first months in which opportunities open but have not closed yet.
Doubling the horizon does not give exactly twice the leads (brand awareness, the channel mix and
nurture returns move the volume), so the verdict uses the time ratio normalised to exactly twice
the leads::

    scaled = (t_2H / t_H) * (2 * leads_H / leads_2H)       target <= 2.1

which equals ``t_2H / t_H`` when the leads double exactly. The raw time ratio is printed too.

The work per lead is not always constant: in the baseline, sales' trust in marketing leads keeps
rising for about three simulated years, so fewer MQLs are ignored and more are worked, and a lead
costs more SimPy events late in a long run than early on. To tell that apart from an algorithm
that scales badly, the script also counts the SimPy events each run scheduled and prints the
time ratio normalised to twice the events: if that one is near 2 while the lead-normalised one is
not, the model does more work per lead, it does not do the same work more slowly.
"""

from __future__ import annotations

import argparse

import _common as c

from sim import load_scenario
from sim.model import LeadFlowModel

TARGET = 2.1
CASES = (
    ("baseline", c.BASELINE, 104.0),
    ("mmc", c.MMC, 52.0),
)


def run_counting(scenario) -> tuple[int, int]:
    """Run once; return (leads created, SimPy events scheduled, or 0 if SimPy hides the count)."""
    model = LeadFlowModel(scenario)
    res = model.run()
    eid = getattr(model.env, "_eid", None)  # SimPy's event sequence counter
    events = next(eid) if eid is not None else 0
    return res.leads_created, events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9,
                    help="repeats of the baseline case (the slower mmc case gets fewer)")
    ap.add_argument("--only", choices=[name for name, _, _ in CASES], default=None)
    args = ap.parse_args(argv)

    c.header("scaling: time for 2N leads vs. time for N")
    for name, path, weeks in CASES:
        if args.only and name != args.only:
            continue
        small = load_scenario(path, [f"weeks={weeks:g}"])
        large = load_scenario(path, [f"weeks={2 * weeks:g}"])
        repeats = args.repeats if name == "baseline" else max(2, (args.repeats + 1) // 2)
        t = c.best_of({
            "N": lambda s=small: run_counting(s),
            "2N": lambda s=large: run_counting(s),
        }, repeats=repeats, warmup=name == "baseline")
        one, two = t["N"], t["2N"]
        (n1, e1), (n2, e2) = one.result, two.result
        raw = two.best_cpu / one.best_cpu
        scaled = raw * (2 * n1 / n2)
        wall_scaled = two.best / one.best * (2 * n1 / n2)
        tag = f"scaling/{name}"
        c.info(tag, f"{weeks:g} weeks: {n1} leads; {one.spread()}")
        c.info(tag, f"{2 * weeks:g} weeks: {n2} leads ({n2 / n1:.2f} x); {two.spread()}")
        c.info(tag, f"CPU per lead: {one.best_cpu / n1 * 1e6:.1f} us at N, "
                    f"{two.best_cpu / n2 * 1e6:.1f} us at 2N; scaled ratio in wall time "
                    f"{wall_scaled:.2f}")
        paired = sorted(b / a * (2 * n1 / n2) for a, b in zip(one.cpu, two.cpu, strict=True))
        c.info(tag, f"paired rounds (N and 2N timed back to back), scaled ratio: median "
                    f"{paired[len(paired) // 2]:.2f}, range {paired[0]:.2f}-{paired[-1]:.2f}")
        if e1 and e2:
            c.info(tag, f"SimPy events per lead: {e1 / n1:.3f} at N, {e2 / n2:.3f} at 2N; "
                        f"time ratio scaled to 2x events {raw * 2 * e1 / e2:.2f}")
        c.result(tag, f"time(2N) / time(N), {name} {weeks:g} vs {2 * weeks:g} wk (CPU)",
                 f"{two.best_cpu:.3f} s / {one.best_cpu:.3f} s (raw {raw:.2f})",
                 f"scaled to 2x leads {scaled:.2f}", f"<= {TARGET}", scaled <= TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
