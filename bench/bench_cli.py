"""Start-up of the command line: does ``--help`` answer at once, and a single run soon after?

A trainer types ``python -m sim --help`` in front of a room; a manager runs one scenario to see
a number. Both are mostly start-up: loading Python, the model and its libraries. This script
times, as fresh processes and interleaved, ``python -m sim --help``, ``python -m sim run
baseline`` and the reference ``python -c "import simpy"`` (Python's own start plus the one
library the model cannot do without), best of ``--repeats``. Targets: ``--help`` <= 0.3 s and
``run baseline`` <= 0.6 s of wall time; the ratios to the reference are the figures to compare
between machines. Then it lists what ``run baseline`` loads for longest (``python -X
importtime``): each library over ``--heavy`` milliseconds with the module of the kit that
imports it, the first place to look when the run's start-up grows.
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


def heavy_imports(cmd: list[str], least_ms: float) -> list[tuple[str, float, str]]:
    """The libraries ``cmd`` (a ``python`` command line) spends over ``least_ms`` importing:
    ``(library, milliseconds, the kit's module that imports it)``, slowest first.

    ``-X importtime`` writes one line per module after the modules it imported, indented one
    step deeper than the module that imported it; so a module's importer is the next line
    up with less indentation. A library here is a module that the kit (or Python's start)
    imports itself, such as ``pandas`` or ``scipy.special``.
    """
    done = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True,
                          text=True, check=True, cwd=str(c.ROOT))
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((len(name) - len(name.lstrip()), int(cumulative) / 1000, name.strip()))
    heavy = []
    for i, (depth, ms, name) in enumerate(rows):
        if ms < least_ms or name == "sim" or name.startswith(("sim.", "_")):
            continue
        importer = next((up for up_depth, _, up in rows[i + 1:] if up_depth < depth), "python")
        if importer == "python" or importer == "sim" or importer.startswith("sim."):
            heavy.append((name, ms, importer))
    return sorted(heavy, key=lambda h: -h[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--heavy", type=float, default=20.0, metavar="MS",
                    help="list the libraries run baseline takes longer than this to import")
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
    for library, ms, importer in heavy_imports(COMMANDS["run baseline"], args.heavy):
        c.info(BENCH, f"run baseline imports {library}: {ms:.0f} ms (imported by {importer})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
