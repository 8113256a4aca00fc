"""Run every benchmark in ``bench/`` and print a summary table.

Each benchmark runs as its own subprocess with this interpreter, so one cannot warm or pollute
another's caches or heap. Their output is shown as it arrives; the ``RESULT`` lines are collected
into the summary at the end, which is also written to ``bench/results/`` (text and JSON).

Exit status: 0 when every script ran to completion, whatever the verdicts (speed targets are
checked here and never by the tests, because shared machines are noisy); 1 if a script crashed.

    python bench/run_all.py                   # everything (a few minutes)
    python bench/run_all.py --only vs_ciw     # one benchmark
    python bench/run_all.py --quick           # smaller workloads and fewer repeats: smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# (name, script, extra arguments for --quick)
BENCHES = (
    ("single_run", "bench_single_run.py", ["--repeats", "3"]),
    ("cli", "bench_cli.py", ["--repeats", "3"]),
    ("throughput", "bench_throughput.py", ["--repeats", "2"]),
    ("vs_ciw", "bench_vs_ciw.py", ["--repeats", "1", "--weeks", "13"]),
    ("scaling", "bench_scaling.py", ["--repeats", "2", "--only", "baseline"]),
    ("memory", "bench_memory.py", ["--leads", "200000", "--weeks", "104"]),
    ("parallel", "bench_parallel.py", ["--reps", "8", "--repeats", "1", "--sweep-side", "4",
                                       "--sweep-reps", "4"]),
    ("widgets", "bench_widgets.py", ["--repeats", "3"]),
    ("game", "bench_game.py", ["--teams", "6", "--weeks", "4"]),
    ("game_server", "bench_game_server.py", ["--teams", "20", "--submits", "5"]),
    ("robustness", "bench_robustness.py", ["--repeats", "2", "--no-projection"]),
    ("browser", "bench_browser.py", ["--samples", "5"]),
)


def _versions() -> str:
    parts = [f"python {platform.python_version()}"]
    for pkg in ("simpy", "numpy", "scipy", "ciw"):
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg} missing")
    return ", ".join(parts)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run_one(name: str, script: str, extra: list[str]) -> dict:
    """Run one benchmark script, echo its output, and return what it reported."""
    cmd = [sys.executable, str(HERE / script), *extra]
    print(f"\n### {name}: bench/{' '.join([script, *extra])}", flush=True)
    start = time.perf_counter()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    lines: list[str] = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env, cwd=HERE.parent) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
        rc = proc.wait()
    elapsed = time.perf_counter() - start
    results = []
    for line in lines:
        if line.startswith("RESULT"):
            fields = [f.strip() for f in line.split("|")[1:]]
            if len(fields) == 6:
                keys = ("bench", "what", "measured", "ratio", "target", "verdict")
                results.append(dict(zip(keys, fields, strict=True)))
    if rc != 0:
        print(f"!!! {name} exited with status {rc}", flush=True)
    return {"name": name, "script": script, "returncode": rc, "seconds": round(elapsed, 1),
            "results": results, "output": lines}


def _table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*head), fmt.format(*["-" * w for w in widths])]
    out += [fmt.format(*r) for r in rows]
    return "\n".join(line.rstrip() for line in out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the LeadFlow Lab benchmarks.")
    ap.add_argument("--only", nargs="+", choices=[b[0] for b in BENCHES], default=None)
    ap.add_argument("--quick", action="store_true",
                    help="smaller workloads and fewer repeats (smoke test; figures are rougher)")
    args = ap.parse_args(argv)

    started = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"LeadFlow Lab benchmarks - {started}", flush=True)
    print(f"{_versions()}; {os.cpu_count()} CPUs; load average at start {_load()}", flush=True)
    if args.quick:
        print("quick mode: smaller workloads and fewer repeats", flush=True)
    t0 = time.perf_counter()
    runs = []
    for name, script, quick in BENCHES:
        if args.only and name not in args.only:
            continue
        runs.append(run_one(name, script, quick if args.quick else []))
    total = time.perf_counter() - t0

    rows = []
    for r in runs:
        for res in r["results"]:
            rows.append([res["bench"], res["what"], res["measured"], res["ratio"], res["target"],
                         res["verdict"]])
        if r["returncode"] != 0:
            rows.append([r["name"], f"script exited with status {r['returncode']}", "", "", "",
                         "CRASH"])
    verdicts = [row[-1] for row in rows]
    summary = _table(rows, ["bench", "what", "measured", "ratio", "target", "verdict"])
    timing = ", ".join(f"{r['name']} {r['seconds']:.0f} s" for r in runs)
    tally = (f"{verdicts.count('PASS')} PASS, {verdicts.count('FAIL')} FAIL, "
             f"{verdicts.count('CRASH')} CRASH")
    if "SKIP" in verdicts:
        tally += f", {verdicts.count('SKIP')} SKIP"
    print("\n" + "=" * 30 + " summary " + "=" * 30)
    print(summary)
    print(f"\n{tally}; total {total:.0f} s ({timing}); load average at end {_load()}")

    RESULTS.mkdir(exist_ok=True)
    header = f"LeadFlow Lab benchmarks - {started}\n{_versions()}\n"
    (RESULTS / "summary.txt").write_text(f"{header}\n{summary}\n\n{tally}\n", encoding="utf-8")
    (RESULTS / "summary.json").write_text(json.dumps({
        "started": started, "versions": _versions(), "quick": args.quick,
        "seconds": round(total, 1), "runs": runs,
    }, indent=2), encoding="utf-8")
    return 1 if any(r["returncode"] != 0 for r in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
