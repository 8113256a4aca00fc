"""The debrief pack of a workshop game: same-luck replays, bridges, slides and take-home pages.

After the last quarter the room wants three things: *why* a team ended where it did, *what would
have happened* had it chosen otherwise, and something to take back to work. This module is the
game's post-match analysis, like a coach replaying a match on video. :func:`team_bridge` splits
the gap between a team's revenue and the well-aligned reference company's, link by link of the
funnel (:mod:`sim.bridge`). :func:`same_luck_replay` plays one quarter again with other choices
on exactly the random numbers the room played, so the difference is the choices alone, never
luck. :func:`debrief_slides` puts the charts in teaching order, each with a takeaway computed
from the data and a question for the room, and :func:`write_debrief` writes the deck, the
charts as pictures and one take-home page per team.

Everything here reads the game folder through :class:`sim.game.Game`'s public methods and
works for a game that is only partly processed (the charts say what is missing).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.bridge import Bridge, revenue_bridge
from sim.errors import ScenarioError
from sim.files import check_target, write_atomic
from sim.game import REFERENCE, Game, GameError, luck_sentences
from sim.game import plots as game_plots
from sim.game.luck import NAMED_TIES, names
from sim.model import ADJUSTABLE_KEYS, run
from sim.views.bridge import bridge_chart
from sim.views.deck import PICTURE_DPI, Slide, deck_bytes, slug
from sim.views.images import figure_data_uri, figure_png
from sim.views.labels import (
    describe_changes,
    format_setting,
    format_value,
    lever_label,
    lever_unit,
)

FLOWS = ("leads", "mqls", "sals", "sqls", "opportunities")
"""Funnel counts of a quarter, summed from its weeks of the ledger (as the game does)."""
TOTALS = ("revenue", "profit", "won", "total_cost")
"""Money and deals of a quarter: the total to date less the total to the quarter before."""
PAGE_TEAMS = 6
"""Teams per slide of the charts with a panel per team (scoreboards, funnels): more panels
than that are not read from the back of a room."""
PNG_FOLDER = "charts"
DECK_NAME = "debrief.pptx"
PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;line-height:1.45}h1{margin-bottom:.2rem}h2{margin-top:2rem}"
    "img{max-width:100%;height:auto}table{border-collapse:collapse;font-size:.95rem}"
    "th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}"
    "td.changed{font-weight:600;background:#fff4d6}.lead{font-size:1.2rem}"
    ".muted{color:#666}li{margin:.4rem 0}")


# --------------------------------------------------------------------------- round KPIs
def _processed_row(game: Game, team: str, index: int) -> dict[str, Any]:
    """The result row of ``team`` (or the reference) in processed round ``index``."""
    game.round(index)
    if game.state(index).status != "processed":
        raise GameError(str(game.folder), "round", f"round {index} ({game.round(index).name}) "
                        "has not been processed")
    if team != REFERENCE and team not in game.teams:
        raise GameError(str(game.folder), "team", f"{team!r} is not in this game (teams: "
                        f"{', '.join(game.teams)})")
    table = game.round_results(index)
    rows = table[table["team"] == team].to_dict("records") if table is not None else []
    if not rows:
        raise GameError(str(game.folder), "round", f"round {index} has no result for {team!r}")
    return rows[0]


def round_kpis(game: Game, team: str, index: int) -> dict[str, float]:
    """The KPIs of ``team`` (or :data:`~sim.game.REFERENCE`) in processed round ``index``, as
    played: the quarter's funnel counts, revenue, profit, deals and costs, its trust and price
    at the quarter's end, and revenue and profit to date. A revenue bridge takes them as they are.
    """
    row = _processed_row(game, team, index)
    weekly = game.weekly(index)
    ledger = weekly[weekly["team"] == team] if not weekly.empty else weekly
    kpis = {name: float(row[name]) for name in (*FLOWS, *TOTALS, "trust")}
    kpis["price_index_final"] = float(ledger["price_index"].iloc[-1]) if len(ledger) \
        else float(row["pricing.price_index"])
    kpis["revenue_to_date"] = float(row["revenue_to_date"])
    kpis["profit_to_date"] = float(row["profit_to_date"])
    return kpis


# --------------------------------------------------------------------------- replays
def _timeline(game: Game, index: int) -> list[Any]:
    """The quarters processing round ``index`` simulates: the scored ones up to it, or the
    practice round alone.
    """
    rnd = game.round(index)
    if rnd.practice:
        return [rnd]
    return [r for r in game.rounds[: index + 1] if not r.practice]


def _check_changes(changes: Mapping[str, Any]) -> None:
    fixed = sorted(k for k in changes if k not in ADJUSTABLE_KEYS)
    if fixed:
        raise GameError("replay", fixed[0], "cannot change between quarters (a replay changes "
                        "what a team decides, not the company's shape)")


def _replay_run(game: Game, team: str, index: int, changes: Mapping[str, Any]) -> Any:
    """Simulate the quarters up to ``index`` as processing did, with ``changes`` on top of
    the team's choices in quarter ``index``, on the played world's random numbers
    (replication 0 of the game's seed).
    """
    timeline = _timeline(game, index)
    weeks = game.weeks_per_round * len(timeline)
    plan = [dict(game.reference_choices) if team == REFERENCE else game.choices(team, r.index)[0]
            for r in timeline]
    plan[-1].update(changes)
    try:
        scenarios = [game.scenario_for(c, r, weeks) for c, r in zip(plan, timeline, strict=True)]
    except ScenarioError as exc:
        raise GameError("replay", exc.key, exc.problem) from None
    quarters = {k * game.weeks_per_round: s for k, s in enumerate(scenarios)}
    return run(game.company(weeks), seed=game.seed, replication=0, changes=quarters)


def _previous_totals(game: Game, team: str, index: int) -> dict[str, float]:
    """The team's totals to date at the scored quarter before ``index`` (none before the first)."""
    earlier = [r.index for r in _timeline(game, index)[:-1]]
    if not earlier:
        return {}
    row = _processed_row(game, team, earlier[-1])
    return {name: float(row[f"{name}_to_date"]) for name in TOTALS}


def _replayed_kpis(game: Game, team: str, index: int, result: Any) -> dict[str, float]:
    """The quarter's KPIs of a replay, computed exactly as processing computes the played ones."""
    weeks = game.weeks_per_round * len(_timeline(game, index))
    ledger = result.weekly
    quarter = ledger[ledger["week"] > weeks - game.weeks_per_round]
    before = _previous_totals(game, team, index)
    kpis = {name: float(quarter[name].sum()) for name in FLOWS}
    for name in TOTALS:
        kpis[name] = float(result.kpis[name]) - before.get(name, 0.0)
    kpis["trust"] = float(ledger["trust"].iloc[-1])
    kpis["price_index_final"] = float(ledger["price_index"].iloc[-1])
    kpis["revenue_to_date"] = float(result.kpis["revenue"])
    kpis["profit_to_date"] = float(result.kpis["profit"])
    return kpis


def same_luck_replay(game: Game, team: str, index: int,
                     changes: Mapping[str, Any]) -> dict[str, Any]:
    """Round ``index`` again for ``team`` with its choices updated by ``changes`` (dotted
    levers, e.g. ``{"incentives.shared_kpi_weight": 1.0}``), on the same random numbers.

    The earlier quarters are replayed as they were played, so only the changed quarter
    differs, and with no changes the replay gives the played numbers exactly. Returns the
    team, round and changes, the ``played`` and ``replayed`` KPIs of the quarter
    (:func:`round_kpis`) and the revenue ``bridge`` from the played quarter to the replayed one.
    """
    changes = dict(changes)
    _check_changes(changes)
    played = round_kpis(game, team, index)
    replayed = _replayed_kpis(game, team, index, _replay_run(game, team, index, changes))
    return {"team": team, "round": index, "round_name": game.round(index).name,
            "changes": changes, "played": played, "replayed": replayed,
            "bridge": revenue_bridge(played, replayed)}


def team_bridge(game: Game, team: str, index: int | None = None) -> Bridge:
    """The bridge from the reference company's revenue to ``team``'s in round ``index`` (the
    last processed round by default): which links of the funnel made the team's quarter
    better or worse than a well-aligned company's on the same random numbers.
    """
    index = game.last_processed() if index is None else index
    if index is None:
        raise GameError(str(game.folder), "round", "no round has been processed yet")
    return revenue_bridge(round_kpis(game, REFERENCE, index), round_kpis(game, team, index))


# --------------------------------------------------------------------------- words
def percent(share: float) -> str:
    """A share as the slides write it: ``12 %``."""
    return f"{abs(share) * 100:.0f} %"


def compared(ratio: float, what: str = "the reference company") -> str:
    """``12 % above the reference company`` for a ratio of 1.12 (below, level with)."""
    if not math.isfinite(ratio):
        return f"not comparable with {what}"
    if round((ratio - 1) * 100) == 0:
        return f"level with {what}"
    return f"{percent(ratio - 1)} {'above' if ratio > 1 else 'below'} {what}"


def money(value: float, signed: bool = False) -> str:
    """Revenue or profit in the slides' words: ``€45.2 k``."""
    return format_value("revenue", value, signed=signed, compact=True)


def _last_scored(game: Game) -> int | None:
    done = [r.index for r in game.scored_rounds() if game.state(r.index).status == "processed"]
    return max(done) if done else None


def ordinal(place: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def _scored(results: pd.DataFrame) -> pd.DataFrame:
    return results[~results["practice"].astype(bool)] if not results.empty else results


def _reference_score(game: Game) -> float | None:
    last = _last_scored(game)
    table = game.round_results(last) if last is not None else None
    if table is None:
        return None
    ref = table[table["team"] == REFERENCE]
    return float(ref[f"{game.rank_by}_to_date"].iloc[0]) if len(ref) else None


# --------------------------------------------------------------------------- slides
def _tied_with(tied: Sequence[str], teams: int) -> str:
    """The teams a team shares its place with, in words: named up to :data:`NAMED_TIES`."""
    if len(tied) <= NAMED_TIES:
        return names(tied)
    return f"all {len(tied)} other teams" if len(tied) == teams - 1 else \
        f"{len(tied)} other teams"


def _leaderboard_slide(game: Game) -> Slide:
    board = game.leaderboard()
    fig = game_plots.leaderboard_chart(board, game.rank_by, _reference_score(game),
                                       teams=game.teams)
    luck = luck_sentences(board)
    notes = ("Before anyone is crowned: which decision moved your team most on this board, "
             "and would it survive a replay with other luck? " + " ".join(luck)).strip()
    if board.empty:
        return Slide("Leaderboard", fig, "No scored round has been processed yet.", notes)
    first = board.iloc[0]
    last = _last_scored(game)
    done = last == game.scored_rounds()[-1].index
    verb = "finished" if done else f"leads after {game.round(last).name},"
    tied = [t for t in str(first["tied_with"] or "").split(", ") if t]
    group = names([first["team"], *tied]) if len(tied) < NAMED_TIES else f"{len(tied) + 1} teams"
    who = f"{group} share first place (within luck)," if tied else f"{first['team']} {verb} first,"
    text = f"{who} {compared(float(first['vs_reference']))} in {game.rank_by} to date"
    return Slide("Leaderboard", fig, text, notes)


def _gap_by_round(results: pd.DataFrame) -> list[tuple[str, float]]:
    """Per scored round, the teams' mean revenue as a ratio of the reference's."""
    scored = _scored(results)
    out = []
    for name, table in scored.groupby("round_name", sort=False):
        ref = table.loc[table["team"] == REFERENCE, "revenue"]
        teams = table.loc[table["team"] != REFERENCE, "revenue"]
        if len(ref) and float(ref.iloc[0]) and len(teams):
            out.append((str(name), float(teams.mean()) / float(ref.iloc[0])))
    return out


def _revenue_slide(results: pd.DataFrame, teams: Sequence[str]) -> Slide:
    gaps = _gap_by_round(results)
    text = "No scored round has been processed yet."
    if gaps:
        text = f"The teams' average revenue was {compared(gaps[0][1])} in {gaps[0][0]}"
    if len(gaps) > 1:
        text += f" and {compared(gaps[-1][1], 'it')} in {gaps[-1][0]}"
    return Slide("Revenue by quarter", game_plots.revenue_by_round(results, teams), text,
                 "How big was the gap to the dashed reference in the first quarter, and which "
                 "unlock closed most of it?")


def _pages(game: Game, results: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``results`` cut into pages of :data:`PAGE_TEAMS` teams, each page with the reference,
    as ``(title suffix, table)``; one page, without a suffix, for a small room.
    """
    chunks = [game.teams[i:i + PAGE_TEAMS] for i in range(0, len(game.teams), PAGE_TEAMS)]
    if len(chunks) < 2 or results.empty:
        return [("", results)]
    return [(f" ({k} of {len(chunks)})", results[results["team"].isin([*chunk, REFERENCE])])
            for k, chunk in enumerate(chunks, start=1)]


def _scoreboards_slide(results: pd.DataFrame, suffix: str = "") -> Slide:
    fig = game_plots.misalignment_chart(results)
    notes = ("Ask the marketing halves: what did your own screen say in the first quarter, "
             "and what did the company's profit say?")
    scored = _scored(results)
    title = f"Scoreboards vs company{suffix}"
    if scored.empty:
        return Slide(title, fig, "No scored round has been processed yet.", notes)
    first = scored[scored["round"] == scored["round"].min()]
    ref = first[first["team"] == REFERENCE]
    teams = first[first["team"] != REFERENCE]
    if ref.empty or teams.empty or not float(ref["mqls"].iloc[0]):
        return Slide(title, fig, "", notes)
    ratio = teams["mqls"] / float(ref["mqls"].iloc[0])
    row = teams.loc[ratio.idxmax()]
    profit = float(ref["profit"].iloc[0])
    share = f"{percent(float(row['profit']) / profit)}" if profit else "–"
    text = (f"In {row['round_name']} {row['team']}'s marketing delivered "
            f"{percent(float(ratio.max()))} of the reference's MQLs; its profit was {share} "
            "of the reference's")
    return Slide(title, fig, text, notes)


def _trust_slide(game: Game) -> Slide:
    weekly = game.weekly(_last_scored(game)) if _last_scored(game) is not None else pd.DataFrame()
    fig = game_plots.trust_by_team(weekly, teams=game.teams)
    notes = "What made sales' trust in marketing leads fall, and what would rebuild it at work?"
    if weekly.empty:
        return Slide("Trust", fig, "No scored round has been processed yet.", notes)
    final = weekly.groupby("team", sort=False)["trust"].last()
    teams = final.drop(REFERENCE, errors="ignore")
    text = (f"At the end sales' trust in marketing leads ranged from {teams.min():.2f} "
            f"({teams.idxmin()}) to {teams.max():.2f} ({teams.idxmax()})")
    if REFERENCE in final:
        text += f"; the reference ended at {final[REFERENCE]:.2f}"
    return Slide("Trust", fig, text, notes)


def _funnels_slide(game: Game, results: pd.DataFrame, index: int | None,
                   suffix: str = "") -> Slide:
    fig = game_plots.team_funnels(results, index if index is not None else 0)
    notes = "Where did your leads leak, and who in your company would notice it first?"
    table = results[results["round"] == index] if index is not None else pd.DataFrame()
    teams = table[table["team"] != REFERENCE].dropna(subset=["mql_to_sql"]) \
        if not table.empty else table
    if teams.empty:
        return Slide(f"Funnels{suffix}", fig, "No round has been processed yet.", notes)
    row = teams.loc[teams["mql_to_sql"].idxmin()]
    ref = table.loc[table["team"] == REFERENCE, "mql_to_sql"]
    text = (f"In {game.round(index).name} {row['team']} turned {percent(row['mql_to_sql'])} "
            "of its MQLs into SQLs")
    if len(ref) and pd.notna(ref.iloc[0]):
        text += f", the reference {percent(float(ref.iloc[0]))}"
    return Slide(f"Funnels{suffix}", fig, text, notes)


def _largest(bridge: Bridge) -> str:
    step = bridge.largest(1)[0] if bridge.steps else None
    return f"{step.label} ({money(step.effect, signed=True)})" if step else "–"


def bridge_slide(game: Game, team: str, index: int) -> Slide:
    """The slide of ``team``'s bridge from the reference's revenue in round ``index``."""
    bridge = team_bridge(game, team, index)
    name = game.round(index).name
    fig = bridge_chart(bridge, "reference", team, title=f"{team} against the reference, {name}")
    more = "more" if bridge.difference >= 0 else "less"
    text = (f"{team} made {money(abs(bridge.difference))} {more} revenue than the reference in "
            f"{name}; the largest link: {_largest(bridge)}")
    return Slide(f"Bridge: {team} vs reference", fig, text,
                 f"{team}: which of these links did your choices move? Who owns that link in "
                 "your company, and does anyone measure it?")


def replay_slide(replay: Mapping[str, Any]) -> Slide:
    """The slide of a :func:`same_luck_replay`: the played quarter bridged to the replayed one."""
    bridge, team, name = replay["bridge"], replay["team"], replay["round_name"]
    what = describe_changes(replay["changes"]) or "no change"
    fig = bridge_chart(bridge, "played", "replayed",
                       title=f"{team}, {name}: played and replayed on the same luck")
    ratio = bridge.after / bridge.before if bridge.before else math.nan
    text = (f"{name} again for {team} with {what}, on the same luck: revenue "
            f"{money(bridge.difference, signed=True)} ({compared(ratio, 'the played quarter')})")
    return Slide(f"Replay: {team}, {name}", fig, text,
                 "Same people, same luck, one decision different: what does that say about "
                 "the blame in the room?")


def debrief_slides(game: Game, replays: Sequence[Mapping[str, Any]] = ()) -> list[Slide]:
    """The debrief charts in teaching order, each with a takeaway and a question for the room:
    the leaderboard, revenue by quarter against the reference, each half's scoreboard against
    the company, trust, funnels, then each team's bridge from the reference in the last
    processed round, and one slide per same-luck replay in ``replays``. The charts with a
    panel per team show :data:`PAGE_TEAMS` teams to a slide.
    """
    results = game.results()
    last = game.last_processed()
    pages = _pages(game, results)
    slides = [_leaderboard_slide(game), _revenue_slide(results, game.teams),
              *(_scoreboards_slide(page, suffix) for suffix, page in pages), _trust_slide(game),
              *(_funnels_slide(game, page, last, suffix) for suffix, page in pages)]
    if last is not None:
        slides += [bridge_slide(game, team, last) for team in game.teams]
    slides += [replay_slide(replay) for replay in replays]
    return slides


# --------------------------------------------------------------------------- take-home page
def _setting(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    unit = lever_unit(key)
    counted = unit in ("hours", "weeks") and not isinstance(value, bool) and value != 0
    return f"{format_setting(key, value)} {unit}" if counted else format_setting(key, value)


def choices_table(game: Game, team: str) -> str:
    """The team's levers per processed round in words, as an HTML table: one row per lever,
    one column per round, a changed setting highlighted, and which halves were auto-submitted.
    """
    results = game.results()
    mine = results[results["team"] == team] if not results.empty else results
    if mine.empty:
        return "<p class='muted'>No round has been processed yet.</p>"
    levers = [c for c in mine.columns if "." in c]
    head = "".join(f"<th>{html.escape(str(n))}</th>" for n in mine["round_name"])
    rows = []
    for key in levers:
        cells, before = [], None
        for value in mine[key]:
            shown = _setting(key, value)
            mark = " class='changed'" if before is not None and shown != before else ""
            cells.append(f"<td{mark}>{html.escape(shown)}</td>")
            before = shown
        rows.append(f"<tr><th>{html.escape(lever_label(key))}</th>{''.join(cells)}</tr>")
    autos = [", ".join(r for r in ("marketing", "sales") if bool(row[f"auto_{r}"])) or "–"
             for row in mine.to_dict("records")]
    rows.append("<tr><th>Kept last choices (no envelope)</th>"
                + "".join(f"<td>{html.escape(a)}</td>" for a in autos) + "</tr>")
    return (f"<div style='overflow-x:auto'><table><tr><th>Lever</th>{head}</tr>{''.join(rows)}"
            "</table></div><p class='muted'>"
            "Highlighted: a setting changed from the quarter before. The shared revenue goal "
            "is switched on by the game in the round that unlocks it.</p>")


def _questions(bridge: Bridge | None) -> list[str]:
    first = "Which link of your funnel would you look at first at work, and who owns it?"
    if bridge is not None and bridge.steps:
        worst = min(bridge.steps, key=lambda s: s.effect)
        if worst.effect < 0:
            first = (f"Your largest gap to the reference company was at “{worst.label}”. Who "
                     "owns that step in your company, and does anyone measure it?")
        else:
            best = max(bridge.steps, key=lambda s: s.effect)
            first = (f"Your largest lead over the reference came from “{best.label}”. What "
                     "would it take to do that at work?")
    return [first,
            "Which single number could marketing and sales both be measured on from next "
            "quarter, and who would object?",
            "Which quarter of the game looks most like your company today, and what would "
            "unlock the next one?"]


def _standing(game: Game, team: str) -> str:
    board = game.leaderboard()
    mine = board[board["team"] == team] if not board.empty else board
    if mine.empty:
        return "<p class='lead'>No scored round has been processed yet.</p>"
    row = mine.iloc[0]
    last = _last_scored(game)
    table = game.round_results(last)
    ref = table[table["team"] == REFERENCE].iloc[0]
    done = last == game.scored_rounds()[-1].index
    tied = [t for t in str(row["tied_with"] or "").split(", ") if t]
    place = ordinal(int(str(row["place"]).lstrip("=")))
    when = "finished" if done else f"were after {game.round(last).name}"
    shared = f", level within luck with {_tied_with(tied, len(board))}" if tied else ""
    lines = [f"You {when} <b>{place}</b> of {len(board)} teams{html.escape(shared)}."]
    for kpi in ("revenue", "profit"):
        mine_v, ref_v = float(row[f"{kpi}_to_date"]), float(ref[f"{kpi}_to_date"])
        ratio = mine_v / ref_v if ref_v > 0 else math.nan
        lines.append(f"{kpi.capitalize()} to date: <b>{html.escape(money(mine_v))}</b>, "
                     f"{html.escape(compared(ratio))} ({html.escape(money(ref_v))}).")
    return "<p class='lead'>" + "<br>".join(lines) + "</p>"


def _figure(fig: Any, alt: str) -> str:
    return f"<img src='{figure_data_uri(fig, 110)}' alt='{html.escape(alt, quote=True)}'>"


def _charts(game: Game, team: str) -> tuple[str, Bridge | None]:
    """The page's two charts (revenue by round, bridge from the reference) and the bridge."""
    results = game.results()
    mine = results[results["team"].isin([team, REFERENCE])] if not results.empty else results
    parts = ["<h2>Revenue by quarter</h2>",
             _figure(game_plots.revenue_by_round(mine, teams=game.teams),
                     f"{team}'s revenue by quarter")]
    last = game.last_processed()
    if last is None:
        return "".join(parts), None
    slide = bridge_slide(game, team, last)
    bridge = team_bridge(game, team, last)  # the slide's, for the questions
    parts += [f"<h2>Where your revenue differed from the reference ({html.escape(game.round(last).name)})"
              "</h2>", f"<p>{html.escape(slide.takeaway)}.</p>", _figure(slide.figure, slide.title)]
    return "".join(parts), bridge


def take_home_html(game: Game, team: str) -> str:
    """One self-contained page for ``team`` to take home: its place, revenue and profit
    against the reference, its revenue by quarter, its bridge from the reference, its choices
    per round in words and three questions to take back to work.
    """
    if team not in game.teams:
        raise GameError(str(game.folder), "team", f"{team!r} is not in this game")
    name = html.escape(team)
    charts, bridge = _charts(game, team)
    questions = "".join(f"<li>{html.escape(q)}</li>" for q in _questions(bridge))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Team {name}: take-home</title><style>{PAGE_STYLE}</style></head><body>"
            f"<p class='muted'>LeadFlow Lab workshop game · {html.escape(game.name)}</p>"
            f"<h1>Team {name}</h1>{_standing(game, team)}{charts}"
            f"<h2>Your choices, quarter by quarter</h2>{choices_table(game, team)}"
            f"<h2>Three questions to take back to work</h2><ol>{questions}</ol></body></html>")


# --------------------------------------------------------------------------- writing
def pack_files(game: Game, folder: str | Path,
               replays: Sequence[Mapping[str, Any]] = ()) -> dict[Path, bytes]:
    """Every file of the debrief pack in ``folder`` (:func:`write_debrief`) and its bytes,
    made in memory: nothing is written.
    """
    folder, slides = Path(folder), debrief_slides(game, replays)
    done = game.last_processed()
    subtitle = (f"{len(game.teams)} teams · after {game.round(done).name}" if done is not None
                else f"{len(game.teams)} teams · no round processed yet")
    files = {folder / DECK_NAME: deck_bytes(slides, f"Debrief: {game.name}", subtitle)}
    for i, item in enumerate(slides, start=1):
        files[folder / PNG_FOLDER / f"{i:02d}-{slug(item.title)}.png"] = \
            figure_png(item.figure, PICTURE_DPI)
    for team in game.teams:
        files[folder / f"take-home-{team}.html"] = take_home_html(game, team).encode("utf-8")
    return files


def write_debrief(game: Game, out_folder: str | Path, *, force: bool = False,
                  replays: Sequence[Mapping[str, Any]] = ()) -> list[Path]:
    """Write the debrief pack to ``out_folder`` (made if missing): ``debrief.pptx``, each chart
    as ``charts/NN-title.png`` and ``take-home-TEAM.html`` per team; returns the paths.

    Every target is checked before anything is made, so a refusal (an existing file without
    ``force``, a folder that cannot be written) leaves the folder as it was; each file is
    written whole or not at all.
    """
    folder = Path(out_folder)
    known = [folder / DECK_NAME, *(folder / f"take-home-{t}.html" for t in game.teams)]
    for target in known:  # the names known before any chart is drawn: refuse early
        check_target(target, "out_folder", force=force, make_folder=True)
    files = pack_files(game, folder, replays)
    for target in files:
        check_target(target, "out_folder", force=force, make_folder=True)
    (folder / PNG_FOLDER).mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in files.items()]


__all__ = ["bridge_slide", "choices_table", "compared", "debrief_slides", "money",
           "ordinal", "pack_files", "percent", "replay_slide", "round_kpis",
           "same_luck_replay", "take_home_html", "team_bridge", "write_debrief"]
