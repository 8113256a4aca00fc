"""Start-up of the command line: does ``--help`` answer at once, and a single run soon after?

A trainer types ``python -m sim --help`` in front of a room; a manager runs one scenario to see
a number. Both are mostly start-up: loading Python, the model and its libraries. This script
times, as fresh processes and interleaved, ``python -m sim --help``, ``python -m sim run
baseline`` and the reference ``python -c "import simpy"`` (Python's own start plus the one
library the model cannot do without), best of ``--repeats``. Targets: ``--help`` <= 0.3 s and
``run baseline`` <= 0.6 s of wall time; the ratios to the reference are the figures to compare
between machines.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import _common as c

BENCH = "cli"
TARGETS = {"help": 0.3, "run baseline": 0.6}
COMMANDS = {
    "reference": [sys.executable, "-c", "import simpy"],
    "help": [sys.executable, "-m", "sim", "--help"],
    "run baseline": [sys.executable, "-m", "sim", "run", "baseline"],
}


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=str(c.ROOT))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    c.header("command line start-up: --help and one run, against python -c 'import simpy'")
    best = {name: float("inf") for name in COMMANDS}
    for _ in range(args.repeats):
        for name, cmd in COMMANDS.items():
            best[name] = min(best[name], _wall(cmd))
    ref = best["reference"]
    c.info(BENCH, f"reference (python -c 'import simpy'): best {ref:.3f} s of {args.repeats}")
    for name, target in TARGETS.items():
        c.result(BENCH, f"python -m sim {name} (wall, best of {args.repeats})",
                 f"{best[name]:.3f} s", f"x{best[name] / ref:.1f} of the reference",
                 f"<= {target} s", best[name] <= target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
