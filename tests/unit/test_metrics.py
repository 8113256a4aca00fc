"""Unit tests of sim.metrics."""

import math

import pandas as pd

from sim.metrics import EVENT_LOG_COLUMNS, KPI_GLOSSARY, KPI_NAMES, Collector, EventLog

MODEL_MD_KPIS = """leads mqls sals sqls opportunities won lost revenue marketing_cost sales_cost
meeting_cost total_cost profit roi cac mql_rate mql_to_sql win_rate leakage_rate
speed_to_lead_h_mean speed_to_lead_h_median contacted_within_1h cycle_time_days_mean trust_final
feedback_coverage marketing_sourced_revenue_share mean_discount first_touch_wait_h_mean
sales_queue_len_mean rep_utilization""".split()


def test_every_contracted_kpi_is_named_and_defined():
    assert set(MODEL_MD_KPIS) <= set(KPI_NAMES)
    assert all(KPI_GLOSSARY[k] for k in KPI_NAMES)


def _final():
    return dict(trust=0.5, scoring_noise=0.1, awareness=0.3, conflict=0.2, understanding=0.4,
                price_index=1.0)


def test_counts_only_after_warmup():
    c = Collector(warmup_hours=10)
    c.count("sqls")
    c.add("revenue", 100.0)
    c.count_batch("leads", 10, 4)  # booked before warm-up ends, 4 of them fall after it
    assert c.measured["sqls"] == 0 and c.measured["revenue"] == 0 and c.measured["leads"] == 4
    assert c.total["sqls"] == 1
    c.end_warmup()
    c.count("sqls")
    c.add("revenue", 50.0)
    c.count_batch("never_contacted", 1, 0)  # traced to an MQL before warm-up
    c.count_batch("leads", 5, 5)
    assert c.measured["sqls"] == 1 and c.measured["revenue"] == 50.0 and c.measured["leads"] == 9
    assert c.measured["never_contacted"] == 0
    assert c.total["leads"] == 15 and c.total["sqls"] == 2


def test_kpi_ratios_and_undefined_values():
    c = Collector(0)
    c.count("leads", 100)
    c.count("mqls", 30)
    c.count("sqls", 6)
    c.count("won", 2)
    c.count("lost", 6)
    c.add("revenue", 1000.0)
    c.add("marketing_cost", 300.0)
    c.add("sales_cost", 200.0)
    for h in (0.5, 2.0, 30.0):
        c.record_first_touch(h, h / 2)
    k = c.kpis(_final(), horizon_hours=100, queue_area=50.0, available_rep_hours=200,
               busy_hours=50)
    assert set(k) == set(KPI_NAMES)
    assert k["mql_rate"] == 0.3 and k["mql_to_sql"] == 0.2 and k["win_rate"] == 0.25
    assert k["total_cost"] == 500.0 and k["profit"] == 500.0 and k["roi"] == 1.0
    assert k["cac"] == 250.0
    assert k["speed_to_lead_h_median"] == 2.0
    assert k["contacted_within_1h"] == 1 / 30
    assert k["first_touch_wait_h_mean"] == (0.25 + 1.0 + 15.0) / 3
    assert k["sales_queue_len_mean"] == 0.5 and k["rep_utilization"] == 0.25
    assert math.isnan(k["cycle_time_days_mean"])


def test_event_log_in_memory_and_streamed(tmp_path):
    row = tuple(range(len(EVENT_LOG_COLUMNS)))
    mem = EventLog(True)
    mem.add(row)
    df = mem.close()
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(EVENT_LOG_COLUMNS)
    path = tmp_path / "log" / "events.csv"
    disk = EventLog(path)
    disk.CHUNK = 3
    for _ in range(7):
        disk.add(row)
    assert not path.exists()  # written under a temporary name until complete
    assert disk.close() == path
    assert len(pd.read_csv(path)) == 7
    assert EventLog(None).close() is None
