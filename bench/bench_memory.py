"""Peak memory at one million leads with the event log streamed to disk.

Each measurement runs in a fresh child process (this script with ``--child``), which runs the
model with ``event_log=<a CSV path in a temporary folder>`` and reports its own peak resident set
size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, kilobytes on Linux) as one JSON line. The
parent also reads ``RUSAGE_CHILDREN`` afterwards as a cross-check.

1. A baseline-size run (``scenarios/baseline.yaml`` as is, 52 weeks) gives the comparison
   figure and the leads per week.
2. The measurement: the same company scaled up ``k`` times and run for ``--weeks`` weeks
   (default 520), with ``k`` chosen so that the run creates about ``--leads`` leads (default
   1,000,000). Every channel's ``leads_per_week``, ``sales.reps`` and
   ``marketing.brand_spend_half_saturation`` are multiplied by ``k``, so the sales floor is as
   busy as in the baseline and the larger brand budget builds awareness at the same pace.
   Target: peak RSS <= 500 MB.

Peak RSS includes the interpreter and its imports (numpy, scipy, pandas, simpy), so the child also
reports the RSS right after importing ``sim``, before the run; the difference is what the run
itself added.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as c

TARGET_MB = 500.0
DEFAULT_LEADS = 1_000_000


def _rss_now_kb() -> float:
    """Current resident set size in kilobytes (Linux ``/proc``; peak RSS elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child(overrides: list[str], log_path: str) -> None:
    """Run once with the event log streamed to ``log_path`` and print one JSON line."""
    from sim import load_scenario, run

    rss_import_kb = _rss_now_kb()
    scenario = load_scenario(c.BASELINE, overrides)
    start = time.perf_counter()
    res = run(scenario, event_log=log_path)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(res.event_log, "rb") as fh:
        rows = sum(1 for _ in fh) - 1
    print(json.dumps({
        "weeks": scenario.weeks, "reps": scenario.sales.reps, "leads": res.leads_created,
        "seconds": seconds, "peak_kb": peak_kb, "rss_import_kb": rss_import_kb, "log_rows": rows,
        "log_bytes": Path(res.event_log).stat().st_size,
    }), flush=True)


def measure(overrides: list[str]) -> dict:
    """One child run in a fresh temporary folder; returns its JSON report."""
    with tempfile.TemporaryDirectory(prefix="leadflow-bench-") as tmp:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child",
               "--log", str(Path(tmp) / "events.csv")]
        for item in overrides:
            cmd += ["--set", item]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            out.check_returncode()
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=DEFAULT_LEADS,
                    help="leads the large run should create (sets its weeks)")
    ap.add_argument("--weeks", type=float, default=520.0, help="horizon of the large run")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--set", action="append", default=[], help=argparse.SUPPRESS)
    ap.add_argument("--log", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.set, args.log)
        return 0

    from sim import load_scenario

    c.header(f"memory: peak RSS at ~{args.leads:,} leads, event log streamed to disk")
    small = measure([])
    per_week = small["leads"] / small["weeks"]
    scale = args.leads / (per_week * args.weeks)
    base = load_scenario(c.BASELINE)
    m = base.marketing
    overrides = [f"weeks={args.weeks:g}", f"sales.reps={max(1, round(base.sales.reps * scale))}",
                 f"marketing.brand_spend_half_saturation="
                 f"{m.brand_spend_half_saturation * scale:.6g}"]
    overrides += [f"marketing.channels.{name}.leads_per_week={ch.leads_per_week * scale:.6g}"
                  for name, ch in m.channels.items()]
    c.info("memory", f"large run: baseline x {scale:.2f}: " + " ".join(overrides))
    large = measure(overrides)
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    mb = 1024.0
    for label, r in (("baseline", small), ("large", large)):
        c.info("memory", f"{label}: {r['weeks']:g} weeks, {r['reps']} reps, {r['leads']:,} leads, "
                         f"{r['seconds']:.1f} s, peak {r['peak_kb'] / mb:.1f} MB "
                         f"(after imports {r['rss_import_kb'] / mb:.1f} MB, run added "
                         f"{(r['peak_kb'] - r['rss_import_kb']) / mb:.1f} MB); event log "
                         f"{r['log_rows']:,} rows, {r['log_bytes'] / mb / mb:.1f} MB on disk")
    c.info("memory", f"RUSAGE_CHILDREN peak (largest child): {children_kb / mb:.1f} MB")
    peak_mb = large["peak_kb"] / mb
    ratio = large["peak_kb"] / small["peak_kb"]
    leads_ratio = large["leads"] / small["leads"]
    c.info("memory", f"{leads_ratio:.0f} x the leads for {ratio:.2f} x the peak memory")
    c.result("memory", f"peak RSS at {large['leads']:,} leads ({large['seconds']:.1f} s)",
             f"{peak_mb:.1f} MB vs {small['peak_kb'] / mb:.1f} MB at {small['leads']:,} leads",
             f"ratio {ratio:.2f}", f"<= {TARGET_MB:g} MB", peak_mb <= TARGET_MB)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
