"""The M/M/c reduction of the model against the same queue in Ciw.

``scenarios/checks/mmc.yaml`` reduces the model to an M/M/c queue: one channel with Poisson
arrivals, ``sales.reps`` servers, exponential first touches with mean ``sales.first_touch_hours``,
FIFO, no business hours. Ciw simulates the same queue (same arrival rate, service rate, servers
and horizon, in hours). Both are timed best-of-N, interleaved; the figure is customers (arrivals)
per CPU second (the wall-clock ratio is printed too). Target: ours >= 2 x Ciw. Both mean waits,
and the Erlang C value, are printed to show the two simulate the same queue.

For scale, the textbook M/M/c queue in bare SimPy (one process per customer) with the same rates
is timed alongside: it shows what SimPy itself reaches without any model logic.
"""

from __future__ import annotations

import argparse

import _common as c
import ciw

from sim import load_scenario, run

TARGET = 2.0
CIW_SEED = 20061


def ciw_mmc(arrival_rate: float, service_rate: float, servers: int, horizon: float,
            seed: int = CIW_SEED) -> tuple[int, float]:
    """Ciw's M/M/c up to ``horizon``; returns (arrivals, mean wait of served customers)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=service_rate)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    records = sim.get_all_records()
    arrivals = sim.nodes[0].number_of_individuals
    return arrivals, sum(r.waiting_time for r in records) / len(records)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=float, default=None,
                    help="horizon in weeks (default: the scenario's own)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)

    overrides = [] if args.weeks is None else [f"weeks={args.weeks:g}"]
    scenario = load_scenario(c.MMC, overrides)
    (name, channel), = scenario.marketing.channels.items()
    arrival_rate = channel.leads_per_week * (1 - scenario.marketing.brand_share) / c.HOURS_PER_WEEK
    service_rate = 1.0 / scenario.sales.first_touch_hours
    servers = scenario.sales.reps
    horizon = scenario.weeks * c.HOURS_PER_WEEK

    c.header(f"vs. Ciw {ciw.__version__}: M/M/{servers} reduction of the model")
    c.info("vs_ciw", f"queue: lambda = {arrival_rate:.4f}/h ({name}), mu = {service_rate:.4f}/h, "
                     f"c = {servers}, horizon = {horizon:g} h ({scenario.weeks:g} weeks), "
                     f"rho = {arrival_rate / (servers * service_rate):.3f}")
    bare_n = round(arrival_rate * horizon)
    t = c.best_of({
        "ours": lambda: run(scenario),
        "ciw": lambda: ciw_mmc(arrival_rate, service_rate, servers, horizon),
        "bare": lambda: c.mmc_simpy(bare_n, arrival_rate, service_rate, servers),
    }, repeats=args.repeats, warmup=False)
    ours, theirs, bare = t["ours"], t["ciw"], t["bare"]
    ours_n = ours.result.leads_created
    ours_wait = ours.result.kpis["first_touch_wait_h_mean"]
    ciw_n, ciw_wait = theirs.result
    erlang = c.erlang_c_wait(arrival_rate, service_rate, servers)
    c.info("vs_ciw", f"ours: {ours_n} customers; {ours.spread()}")
    c.info("vs_ciw", f"ciw:  {ciw_n} customers; {theirs.spread()}")
    c.info("vs_ciw", f"bare SimPy M/M/{servers} (same rates, {bare_n} customers, for scale): "
                     f"{bare.spread()}")
    c.info("vs_ciw", f"mean wait in queue: ours {ours_wait:.4f} h, ciw {ciw_wait:.4f} h, "
                     f"bare SimPy {bare.result[1]:.4f} h, Erlang C {erlang:.4f} h")
    same = all(abs(w / erlang - 1) < 0.15 for w in (ours_wait, ciw_wait))
    c.info("vs_ciw", "both mean waits within 15 % of Erlang C: "
                     + ("yes, same queue" if same else "NO - check the reduction"))
    ours_rate = ours_n / ours.best_cpu
    ciw_rate = ciw_n / theirs.best_cpu
    ratio = ours_rate / ciw_rate
    c.info("vs_ciw", f"ratio in wall time: {(ours_n / ours.best) / (ciw_n / theirs.best):.2f}")
    bare_rate = bare.result[0] / bare.best_cpu
    c.info("vs_ciw", f"for scale, the textbook queue in bare SimPy vs Ciw: "
                     f"{bare_rate / ciw_rate:.2f}; the model vs bare SimPy: "
                     f"{ours_rate / bare_rate:.2f}")
    c.result("vs_ciw", "mmc customers/s, ours vs Ciw (CPU)",
             f"{ours_rate:,.0f} vs {ciw_rate:,.0f} /s", f"ratio {ratio:.2f}",
             f">= {TARGET}", ratio >= TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
