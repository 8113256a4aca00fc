"""The room server under a full room: forty players connected and submitting at once.

Starts ``python -m sim game serve`` on free loopback ports for a 20-team game (40 team-role
links), then forty bots (:class:`sim.game.bot.PageBot`, each speaking the page's websocket
protocol as a phone's browser does) open their pages together and submit their choices
``--submits`` times each at random moments. It reports

* memory: the server's resident memory (the process and any children) at its peak, sampled
  every 0.2 s, against a target of 1.5 GB for the room (the old design used ~265 MB per visitor);
* latency: seconds from pressing *Submit choices* to the server having said "Submitted", at the
  median and the 95th percentile, against a target of 0.5 s at p95;
* the ratio of that p95 to the same bot submitting alone on the idle server, measured first in
  the same run, so that a busy machine shows as a ratio rather than a failure of the design.

The whole run is bounded (``--deadline`` seconds); a bot the server refuses or leaves waiting
counts as a failure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common as c
import httpx

from sim.game import Game
from sim.game.bot import PageBot

BENCH = "game_server"
TARGET_MB = 1536.0
TARGET_P95_S = 0.5


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB (Linux ``/proc``)."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += float(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` has used so far (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, _rss_mb(self.pid))


def _start(folder: Path, port: int, console_port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "sim", "game", "serve", str(folder), "--port", str(port),
           "--console-port", str(console_port), "--url", f"http://127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()[-2000:]}")


def _player(link: str, submits: int, connected: threading.Barrier, seed: int,
            opening: list[float], latencies: list[float], failures: list[str]) -> None:
    """Open the page, wait until every player is connected, then submit at random moments
    over about ten seconds (the last minute of a round, when everyone presses Submit)."""
    rng = random.Random(seed)
    try:
        start = time.perf_counter()
        with PageBot(link, timeout=60) as bot:
            opening.append(time.perf_counter() - start)
            connected.wait(timeout=180)
            for _ in range(submits):
                time.sleep(rng.uniform(0.0, 10.0 / submits))
                latencies.append(bot.submit())
    except Exception as exc:  # one line per failed player, reported at the end
        failures.append(f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=20, help="teams (two players each)")
    ap.add_argument("--submits", type=int, default=5, help="submits per player")
    ap.add_argument("--deadline", type=float, default=240.0, help="seconds for the whole run")
    args = ap.parse_args(argv)

    c.header(f"room server: {2 * args.teams} players connected and submitting at once")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "game"
        game = Game.create(folder, [f"team{i:02d}" for i in range(args.teams)], practice=False,
                           weeks_per_round=4, luck_reps=0)
        game.open_round()
        port, console_port = _free_port(), _free_port()
        proc = _start(folder, port, console_port, Path(tmp) / "server.log")
        sampler = Sampler(proc.pid)
        sampler.start()
        try:
            idle_mb = _rss_mb(proc.pid)
            links = list(game.links(f"http://127.0.0.1:{port}")["link"])
            with PageBot(links[0]) as bot:  # the same submit on the idle server
                bot.submit()
                alone = statistics.median(bot.submit() for _ in range(10))
            latencies: list[float] = []
            opening: list[float] = []
            failures: list[str] = []
            barrier = threading.Barrier(len(links))
            threads = [threading.Thread(target=_player, daemon=True,
                                        args=(link, args.submits, barrier, i, opening, latencies,
                                              failures))
                       for i, link in enumerate(links)]
            began, cpu_before = time.monotonic(), _cpu_s(proc.pid)
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=max(1.0, args.deadline - (time.monotonic() - began)))
            took = time.monotonic() - began
            server_cpu = _cpu_s(proc.pid) - cpu_before
            envelopes = len(list((folder / "rounds" / "00").glob("team*.yaml")))
        finally:
            sampler.stop.set()
            proc.terminate()
            proc.wait(timeout=30)
    hung = sum(t.is_alive() for t in threads)
    expected = len(links) * args.submits
    c.info(BENCH, f"idle server {idle_mb:.0f} MB; {len(links)} players x {args.submits} submits "
                  f"in {took:.1f} s; {len(latencies)}/{expected} acknowledged, {envelopes} "
                  f"envelopes on disk, {len(failures)} players failed, {hung} still waiting; "
                  f"the server used {server_cpu:.1f} CPU-s ({server_cpu / took:.0%} of one core)")
    for failure in failures[:5]:
        c.info(BENCH, f"failed: {failure}")
    if not latencies:
        return c.result(BENCH, "submits acknowledged", "none", "-", f"<= {TARGET_P95_S} s",
                        False) and 0
    c.info(BENCH, f"pages opened together: median {statistics.median(opening):.2f} s, worst "
                  f"{max(opening):.2f} s until a page was up")
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    c.info(BENCH, f"submit latency: median {statistics.median(ordered):.3f} s, p95 {p95:.3f} s, "
                  f"worst {ordered[-1]:.3f} s; alone on the idle server {alone:.3f} s")
    complete = not failures and not hung and len(latencies) == expected and envelopes == len(links)
    c.result(BENCH, f"server memory, {len(links)} players connected and submitting (peak RSS)",
             f"{sampler.peak:.0f} MB", f"{sampler.peak / TARGET_MB:.2f} of target",
             f"<= {TARGET_MB:.0f} MB", sampler.peak <= TARGET_MB and complete)
    c.result(BENCH, f"submit acknowledged, {len(links)} players at once (p95)",
             f"{p95:.3f} s", f"x{p95 / alone:.1f} of one player alone",
             f"<= {TARGET_P95_S} s", p95 <= TARGET_P95_S and complete)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
