"""The workshop game's round processing with its luck replays, for a full room.

A facilitator presses "Process round" and the room waits. Every round re-simulates each team's
company from the first quarter, so the last round is the longest; the replays that show how
much of each gap is luck (``luck_reps`` on the rules card) multiply that work. This script plays
a 20-team, 5-round game (a practice round and four 13-week quarters) in which every team makes
different choices, so no two teams share a simulation, and times the processing of each round
four ways, interleaved round by round:

* ``single``: no replays, serially (what processing did before the replays: the baseline);
* ``single pool``: no replays, on a 2-worker process pool;
* ``luck``: with the replays, serially;
* ``luck pool``: with the replays, on a 2-worker pool (what the console and ``python -m sim
  game process`` do on a two-core machine).

Target: every round of ``luck pool`` processes in <= 15 s of wall time (pool start included),
and its tables equal the serial ones, whose played world equals the baseline's. Ratios are
against ``single`` in the same run; they are wall-clock ratios, because the pool's work is done
in its workers and does not count in this process's CPU time.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

import _common as c
import pandas as pd

from sim.game import Game
from sim.parallel import PoolExecutor, SerialExecutor

TARGET_SECONDS = 15.0
BENCH = "game"


def script(teams: list[str]) -> dict[int, dict[str, dict[str, dict]]]:
    """Every team's envelopes: different from every other team's from the first quarter on."""
    plan: dict[int, dict[str, dict[str, dict]]] = {1: {}, 2: {}, 3: {}}
    for i, team in enumerate(teams):
        plan[1][team] = {"marketing": {"pricing.price_index": round(0.9 + 0.015 * i, 3),
                                       "scoring.mql_threshold": round(0.3 + 0.01 * i, 3)},
                         "sales": {"sales.cold_calling": round(0.1 + 0.02 * (i % 7), 3)}}
        plan[2][team] = {"marketing": {"communication.crm_sharing": round(0.3 + 0.03 * i, 3)},
                         "sales": {"communication.sla_hours": float(2 + i % 5)}}
        plan[3][team] = {"sales": {"feedback.mode": ("closed_loop", "none")[i % 2]}}
    return plan


def workers_cpu() -> float:
    """CPU seconds of this process's finished children (a closed pool's workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=20)
    ap.add_argument("--weeks", type=int, default=13, help="weeks per round (default 13)")
    ap.add_argument("--luck-reps", type=int, default=None,
                    help="replays per scored round (default: what the game chooses for its size)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1,
                    help="times each round is processed per way (best kept; default 1)")
    args = ap.parse_args(argv)
    teams = [f"t{i:02d}" for i in range(args.teams)]
    envelopes = script(teams)
    ways = {"single": (0, False), "single pool": (0, True),
            "luck": (args.luck_reps, False), "luck pool": (args.luck_reps, True)}
    with tempfile.TemporaryDirectory(prefix="bench-game-") as tmp:
        games = {name: Game.create(Path(tmp) / name.replace(" ", "-"), teams, seed=7,
                                   weeks_per_round=args.weeks, luck_reps=reps)
                 for name, (reps, _) in ways.items()}
        replays = games["luck"].luck_reps
        c.header(f"workshop game: {args.teams} teams, {args.weeks} weeks a round, {replays} "
                 f"luck replays, {args.workers}-worker pool")
        for rnd in games["single"].rounds:
            workloads = {}
            children: dict[str, list[float]] = {name: [] for name in ways}
            for name, game in games.items():
                game.open_round(rnd.index)
                for team, roles in envelopes.get(rnd.index, {}).items():
                    for role, choices in roles.items():
                        game.submit(team, role, choices, rnd.index)
                game.lock_round(rnd.index)

                def process(game: Game = game, pool: bool = ways[name][1],
                            index: int = rnd.index, seen: list[float] = children[name]
                            ) -> pd.DataFrame:
                    # the console makes its pool per click, so its start is part of the time
                    before = workers_cpu()
                    executor = PoolExecutor(args.workers) if pool else SerialExecutor()
                    try:
                        return game.process_round(index, executor=executor)
                    finally:
                        executor.close()
                        seen.append(workers_cpu() - before)

                workloads[name] = process
            t = c.best_of(workloads, repeats=args.repeats, warmup=False)
            base = t["single"].best
            for name in ways:
                cpu = t[name].best_cpu + min(children[name])
                c.info(BENCH, f"{rnd.name}: {name}: {t[name].spread()}; with the workers' cpu "
                              f"{cpu:.2f} s, i.e. {cpu / args.workers:.1f} s on "
                              f"{args.workers} free cores")
            same = all(t[name].result.equals(t["single"].result) for name in ways)
            if not rnd.practice:
                luck = games["luck"].luck(rnd.index)
                same = same and luck.equals(games["luck pool"].luck(rnd.index))
                played = luck[luck["replication"] == 0].set_index("team")["revenue_to_date"]
                official = t["single"].result.set_index("team")["revenue_to_date"]
                same = same and played.equals(official)
            c.info(BENCH, f"{rnd.name}: played world and replays identical on every way: "
                          f"{'yes' if same else 'NO'}")
            wall = t["luck pool"].best
            c.result(BENCH, f"{rnd.name}: process {args.teams} teams with "
                                 f"{replays} replays, {args.workers}-worker pool (wall)",
                          f"{wall:.1f} s (single run {base:.1f} s, luck serial "
                          f"{t['luck'].best:.1f} s, single pool {t['single pool'].best:.1f} s)",
                          f"x{wall / base:.2f} of single run",
                          f"<= {TARGET_SECONDS:g} s", wall <= TARGET_SECONDS and same)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
