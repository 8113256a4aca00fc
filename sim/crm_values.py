"""Reading the fields of a CRM export: times, money, yes/no, channels and deal outcomes.

Once :mod:`sim.crm_text` has opened the parcel and :mod:`sim.crm_columns` has said which column
is which field, the customs officer of :mod:`sim.crm` reads each value: dates written the local
way (day-first or month-first is decided per column from the values that only fit one
reading), amounts with their currency and thousands separators, yes and no in several
languages, channel names, and from the stage, flags and close dates whether each deal was won,
lost or is still open. Every value that cannot be read is written down in a
:class:`ProblemList`, so the user gets one list with every problem on it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.crm_columns import (
    EXTRA_TIMES,
    FALSE_WORDS,
    FLAGS,
    LOST_STAGES,
    OPEN_STAGES,
    TIMES,
    TRUE_WORDS,
    WON_STAGES,
    channel_key,
    stage_key,
)
from sim.yamlio import shown

SHOWN_ROWS = 3  # bad rows quoted per problem line
DAY_MONTH = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2\d{2,4}\b")
YEAR_FIRST = re.compile(r"^\s*\d{4}[-/.]")
OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})\s*$")
CURRENCY = re.compile(r"[$€£¥₹₽₩₺¢]|\b[A-Za-z]{3}\b|\s|'|’|\u00a0|\u202f")
NUMBER = re.compile(r"^[-+]?\(?[-+]?[\d.,]*\d[\d.,]*\)?%?$")


@dataclass
class ReadOptions:
    """How the user asked the export to be read (the options of :func:`sim.crm.read_export`)."""

    column_map: Mapping[str, str]
    crm: str | None
    dayfirst: bool | None
    date_format: str | None
    decimal: str | None
    won: set[str]
    lost: set[str]
    missing_channel: str | None


class ProblemList:
    """Bad rows gathered per column (one line each), turned into one message at the end."""

    def __init__(self) -> None:
        self.lines: dict[str, str] = {}

    def rows(self, label: str, rows: Sequence[int], values: Sequence[str], what: str,
             fix: str = "") -> None:
        """Note the ``rows`` of column ``label`` whose ``values`` ``what`` (e.g. "are not
        numbers"), quoting the first few, with the ``fix`` to suggest.
        """
        pairs = zip(rows[:SHOWN_ROWS], values[:SHOWN_ROWS], strict=True)
        quoted = ", ".join(f"row {r} {_quote(v)}" for r, v in pairs)
        more = ", …" if len(rows) > SHOWN_ROWS else ""
        n = len(rows)
        if n == 1:
            what = re.sub(r"^(are|have)\b", lambda m: {"are": "is", "have": "has"}[m[1]], what)
        part = f"{n} row{'s' * (n != 1)} {what} ({quoted}{more})" + (f"; {fix}" if fix else "")
        self.lines[label] = f"{self.lines[label]}; and {part}" if label in self.lines else \
            f"{label}: {part}"

    def add(self, line: str) -> None:
        """Note a problem of the whole file (a missing column), said in one line."""
        self.lines[line] = line


def _quote(value: str) -> str:
    return f"'{shown(value, 40)}'"


@dataclass
class FileFields:
    """One file's fields as text, with what reading them needs and where to say what was
    assumed (``notes``) or could not be read (``problems``).
    """

    data: pd.DataFrame  # one text column per field found, named as the field
    labels: dict[str, str]  # each field as messages name it: channel ('Lead Source')
    rows: pd.Series  # each record's row as a spreadsheet numbers it
    opts: ReadOptions
    problems: ProblemList
    notes: list[str]
    name: str  # the file's name, which starts every note
    kind: str  # "leads" or "deals"
    delimiter: str


def parse_fields(f: FileFields) -> pd.DataFrame:
    """The documented columns of one file, read from its text fields."""
    data = f.data
    out = pd.DataFrame(index=data.index)
    out["lead_id"] = data["lead_id"] if "lead_id" in data else pd.Series(
        [str(r) for r in f.rows], index=data.index)
    if "created_at" not in data:
        cols = ", ".join(f"'{c}'" for c in f.labels.values()) or "none recognised"
        f.problems.add(f"created_at: no column for when each record was created (recognised: "
                       f"{cols}); use --map \"COLUMN=created_at\"")
    _read_times(f, out)
    _read_money(f, out)
    flags = {name: _read_flags(f, name) for name in FLAGS if name in data}
    out["status"] = data["status"] if "status" in data else ""
    out["channel"] = _read_channel(f)
    _decide_outcomes(f, out, flags)
    if f.kind == "deals":  # each row is an opportunity, opened when it was created
        out["opportunity_at"] = out["opportunity_at"].fillna(out["created_at"])
    return out


# ----------------------------------------------------------------------------- times
def _read_times(f: FileFields, out: pd.DataFrame) -> None:
    """Every time column into ``out``, day-first or month-first decided per column."""
    present = [c for c in TIMES + EXTRA_TIMES if c in f.data]
    # which reading each column's values allow; a column that decides settles the others
    evidence = {c: _day_month_evidence(f.data[c]) for c in present}
    file_order = _file_order(evidence, f.opts.dayfirst)
    offsets = False
    for col in present:
        text = f.data[col]
        d, m, sep = evidence[col]
        dayfirst = _dayfirst(f.opts.dayfirst, d, m, file_order, sep)
        if (f.opts.date_format is None and f.opts.dayfirst is None and not d and not m
                and _has_day_month(text)):
            _note_both_readings(f, col, dayfirst, file_order, sep)
        parsed, bad = _parse_times(text, dayfirst, f.opts.date_format)
        offsets |= bool(text.str.contains(OFFSET).any()) and f.opts.date_format is None
        if col == "created_at":
            bad = bad | (text == "")
        if bad.any():
            _bad_times(f, col, bad, mixed=d and m)
        out[col] = parsed
    for col in TIMES:
        if col not in out:
            out[col] = pd.Series(pd.NaT, index=f.data.index, dtype="datetime64[ns]")
    if offsets:
        f.notes.append(f"{f.name}: times with a UTC offset or 'Z' were converted to UTC.")


def _file_order(evidence: Mapping[str, tuple[bool, bool, str]], dayfirst: bool | None
                ) -> bool | None:
    """Day-first (True) or month-first (False) for the whole file: the user's word, else the
    columns whose values fit one reading only, if they agree; None when nothing decides.
    """
    if dayfirst is not None:
        return dayfirst
    day_cols = [c for c, (d, m, _) in evidence.items() if d and not m]
    month_cols = [c for c, (d, m, _) in evidence.items() if m and not d]
    if day_cols and not month_cols:
        return True
    if month_cols and not day_cols:
        return False
    return None


def _dayfirst(asked: bool | None, day: bool, month: bool, file_order: bool | None,
              sep: str) -> bool:
    """A column's reading: the user's word, its own values, the file's, then its separator."""
    if asked is not None:
        return asked
    if day != month:
        return day
    if file_order is not None:
        return file_order
    return sep in (".", "-")


def _note_both_readings(f: FileFields, col: str, dayfirst: bool, file_order: bool | None,
                        sep: str) -> None:
    """Say which reading was assumed for a column whose every date fits both."""
    how = "day-first (dd.mm.yyyy)" if dayfirst else "month-first (m/d/yyyy)"
    why = ("as the file's other dates are" if file_order is not None else
           f"as '{sep}' usually means")
    other = "--dayfirst" if not dayfirst else "--date-format with %m before %d"
    f.notes.append(f"{f.name}: {f.labels[col]}: every date fits both day-first and "
                   f"month-first; read as {how}, {why}; if that is wrong give {other}.")


def _bad_times(f: FileFields, col: str, bad: pd.Series, mixed: bool) -> None:
    """Note the rows of a time column that cannot be read (or, for created_at, are empty)."""
    text = f.data[col]
    required = col == "created_at"
    fix = ("give --date-format, e.g. '%d.%m.%Y %H:%M'" if not mixed
           else "the column mixes day-first and month-first dates; give --date-format")
    what = ("cannot be read as a date-time" if not required or
            (text[bad] != "").any() else "have no date")
    if required and (text[bad] == "").all():
        fix = "every record needs the time it was created"
    f.problems.rows(f.labels[col], list(f.rows[bad]), list(text[bad]), what, fix)


def _day_month_evidence(text: pd.Series) -> tuple[bool, bool, str]:
    """(some value is only day-first, some value is only month-first, separator seen)."""
    parts = text.str.extract(DAY_MONTH)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[2], errors="coerce")
    sep = parts[1].dropna()
    return bool((first > 12).any()), bool((second > 12).any()), sep.iloc[0] if len(sep) else "/"


def _has_day_month(text: pd.Series) -> bool:
    """Whether some value is written as d/m/y or m/d/y (with any of the usual separators)."""
    return bool(text.str.match(DAY_MONTH).any())


def _parse_times(text: pd.Series, dayfirst: bool, date_format: str | None
                 ) -> tuple[pd.Series, pd.Series]:
    """The times of a column (UTC, kept without a zone) and which filled values are bad."""
    filled = text != ""
    values = text.where(filled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when dateutil guesses; we check instead
        if date_format:
            parsed = pd.to_datetime(values, format=date_format, errors="coerce", utc=True)
        else:
            parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
            rest = filled & parsed.isna()
            if rest.any():
                _local_formats(parsed, values, rest & text.str.match(DAY_MONTH), dayfirst)
                rest = filled & parsed.isna()
            if rest.any():  # anything else: dateutil, value by value (slower)
                year_first = rest & text.str.match(YEAR_FIRST)
                for mask, order in ((year_first, False), (rest & ~year_first, dayfirst)):
                    if mask.any():
                        parsed[mask] = pd.to_datetime(values[mask], format="mixed",
                                                      dayfirst=order, errors="coerce", utc=True)
    parsed = parsed.dt.tz_convert(None).astype("datetime64[ns]")
    bad = filled & parsed.isna()
    if not date_format:
        # dateutil quietly swaps day and month when the chosen order does not fit
        parts = text.str.extract(DAY_MONTH)
        first = pd.to_numeric(parts[0], errors="coerce")
        second = pd.to_numeric(parts[2], errors="coerce")
        bad |= (second > 12) if dayfirst else (first > 12)
    return parsed.where(~bad), bad


def _local_formats(parsed: pd.Series, values: pd.Series, mask: pd.Series,
                   dayfirst: bool) -> None:
    """Parse the usual local layouts (1/7/2024 10:56 PM, 07.01.2024 22:56) with a format each,
    which pandas applies to a whole column at once; dateutil would take a value at a time.
    """
    seps = values[mask].str.extract(DAY_MONTH)[1].dropna().unique()
    for sep in seps:
        date = f"%d{sep}%m" if dayfirst else f"%m{sep}%d"
        for year in ("%Y", "%y"):
            for clock in (" %I:%M %p", " %I:%M:%S %p", " %H:%M", " %H:%M:%S", ""):
                todo = mask & parsed.isna()
                if not todo.any():
                    return
                got = pd.to_datetime(values[todo], format=f"{date}{sep}{year}{clock}",
                                     errors="coerce", utc=True)
                parsed[todo] = parsed[todo].fillna(got) if got.notna().any() else parsed[todo]



# ----------------------------------------------------------------------------- money
def _read_money(f: FileFields, out: pd.DataFrame) -> None:
    """The amount and discount columns into ``out``, with the decimal mark decided once."""
    cols = [c for c in ("amount", "discount") if c in f.data]
    decimal = _decimal_mark(f, cols)
    for c in cols:
        out[c] = _read_number_column(f, c, decimal)
    for c in ("amount", "discount"):
        if c not in out:
            out[c] = np.nan


def _decimal_mark(f: FileFields, cols: list[str]) -> str | None:
    """The decimal mark: the user's, else the one the values that fit one reading vote for,
    else a point (a comma in a ;-separated file), noted when assumed.
    """
    decimal = f.opts.decimal
    if decimal is not None or not cols:
        return decimal
    votes = {".": 0, ",": 0}
    ambiguous = False
    for c in cols:
        for v in f.data[c]:
            vote = _decimal_vote(v)
            if vote == "?":
                ambiguous = True
            elif vote:
                votes[vote] += 1
    if votes[","] > votes["."]:
        f.notes.append(f"{f.name}: numbers are written with a decimal comma (as in 12.873,33).")
        return ","
    if votes["."] or not ambiguous:
        return "."
    decimal = "," if f.delimiter == ";" else "."
    f.notes.append(f"{f.name}: numbers such as 1{decimal == '.' and ',' or '.'}250 fit both "
                   f"readings; read with a decimal {'comma' if decimal == ',' else 'point'}"
                   f"{' (the file is ;-separated)' if decimal == ',' else ''}; if that is "
                   f"wrong give --decimal {'.' if decimal == ',' else ','}.")
    return decimal


def _read_number_column(f: FileFields, c: str, decimal: str) -> pd.Series:
    """One money column as numbers: amounts zero or more, discounts a share below 1."""
    text = f.data[c]
    values, bad = _numbers(text, decimal or ".")
    if bad.any():
        f.problems.rows(f.labels[c], list(f.rows[bad]), list(text[bad]),
                        "are not numbers" if bad.sum() != 1 else "is not a number",
                        f"give --decimal {',' if decimal == '.' else '.'} if the decimal mark "
                        "is the other one")
    if c == "amount":
        neg = values < 0
        if neg.any():
            f.problems.rows(f.labels[c], list(f.rows[neg]), list(text[neg]),
                            "are negative", "amounts must be zero or more")
    else:
        off = (values < 0) | (values > 0.99)
        if off.any():
            f.problems.rows(f.labels[c], list(f.rows[off]), list(text[off]),
                            "are not a share from 0 to 0.99 (or 0% to 99%)")
    return values.where(~bad)


def _decimal_vote(value: str) -> str | None:
    """The decimal mark a value can only be read with, "?" when both fit, None without one."""
    s = CURRENCY.sub("", value).strip("()+-%")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        return "." if s.rfind(".") > s.rfind(",") else ","
    mark = "." if dots else "," if commas else None
    if mark is None:
        return None
    if s.count(mark) > 1:  # 1,234,567: the mark is a thousands separator
        return "," if mark == "." else "."
    digits = len(s) - s.rfind(mark) - 1
    return mark if digits != 3 else "?"


def _numbers(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """The numbers of a column (currency, separators, negatives and percentages read) and
    which filled values are bad.
    """
    thousands = "," if decimal == "." else "."
    cleaned = text.str.replace(CURRENCY, "", regex=True)
    shape_ok = cleaned.str.match(NUMBER) | (cleaned == "")
    negative = cleaned.str.startswith("(") & cleaned.str.endswith(")")
    share = cleaned.str.endswith("%")
    plain = cleaned.str.strip("()%").str.replace(thousands, "", regex=False)
    plain = plain.str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(plain.where(plain != ""), errors="coerce")
    # a thousands separator must stand before groups of three digits
    groups_ok = ~cleaned.str.contains(rf"\{thousands}(?!\d{{3}}(?:\D|$))", regex=True)
    numbers = numbers.where(~negative, -numbers).where(~share, numbers / 100.0)
    bad = (text != "") & (~shape_ok | ~groups_ok | numbers.isna())
    return numbers.where(~bad).astype(float), bad


# ----------------------------------------------------------------------------- yes/no, channels
def _read_flags(f: FileFields, field: str) -> pd.Series:
    """True/False/None per row; a won column holding stage names gives 'won'/'lost'/'open'."""
    text, label, opts = f.data[field], f.labels[field], f.opts
    low = text.str.lower().str.strip()
    stage = low.map(stage_key)
    out = pd.Series(None, index=text.index, dtype=object)
    out[low.isin(FALSE_WORDS)] = False
    out[low.isin(TRUE_WORDS)] = True
    if label.startswith("won"):  # "won: 'Closed Lost'": someone mapped the stage to won
        out[stage.isin(WON_STAGES | opts.won)] = "won"
        out[stage.isin(LOST_STAGES | opts.lost)] = "lost"
        out[stage.isin(OPEN_STAGES)] = "open"
    bad = out.isna() & (low != "")
    if bad.any():
        fix = ('give --won-values "VALUE" or --lost-values "VALUE" for stage names'
               if label.startswith("won") else "")
        f.problems.rows(label, list(f.rows[bad]), list(text[bad]),
                        "are not yes/no (true/false, 1/0, ja/nein, oui/non, …)", fix)
    return out


def _read_channel(f: FileFields) -> pd.Series:
    """Each row's channel as an identifier; blank ones become ``missing_channel`` (noted) or
    problems when the user refuses them.
    """
    opts, index = f.opts, f.data.index
    if "channel" not in f.data:
        if opts.missing_channel is None:
            f.problems.add("channel: the file has no column for the marketing source; use --map "
                           "\"COLUMN=channel\", or --missing-channel unknown to read every row "
                           "as 'unknown'")
            return pd.Series("", index=index)
        f.notes.append(f"{f.name}: WARNING: no column for the marketing source (such as 'Lead "
                       f"Source'); every row is read as channel '{opts.missing_channel}', so the "
                       "calibration cannot tell channels apart; use --map \"COLUMN=channel\" if "
                       "the file has one.")
        return pd.Series(opts.missing_channel, index=index)
    text = f.data["channel"]
    keys = text.map(channel_key)
    blank = keys == ""
    if blank.any():
        if opts.missing_channel is None:
            f.problems.rows(f.labels["channel"], list(f.rows[blank]), list(text[blank]),
                            "are empty", "give --missing-channel unknown to read them as "
                            "'unknown'")
        else:
            n = int(blank.sum())
            f.notes.append(f"{f.name}: {n} row{'s' * (n != 1)} without a {f.labels['channel']} "
                           f"{'are' if n != 1 else 'is'} read as channel "
                           f"'{opts.missing_channel}'.")
            keys = keys.where(~blank, opts.missing_channel)
    renamed = sorted({f"'{a}' → {b}" for a, b in zip(text, keys, strict=True) if a and a != b})
    if renamed:
        more = ", …" if len(renamed) > 4 else ""
        f.notes.append(f"{f.name}: channel names written as identifiers "
                       f"({', '.join(renamed[:4])}{more}).")
    return keys


# ----------------------------------------------------------------------------- outcomes
def _decide_outcomes(f: FileFields, out: pd.DataFrame, flags: dict[str, pd.Series]) -> None:
    """Decide won / lost / open / no deal per row, and the close time that goes with it.

    The stage decides first, then the won and closed flags, then won and lost times; an open
    deal's close date is an expected one, so it is not kept.
    """
    outcome = _stage_outcomes(f, out.index)
    no_won_flag = flags.get("won") is None
    _flag_outcomes(f, out, flags, outcome)
    if "stage" not in f.data and no_won_flag:
        for col, word in (("won_at", "won"), ("lost_at", "lost")):
            if col in out:
                outcome[out[col].notna() & (outcome == "")] = word
    closed_at = _close_times(f, out, outcome, no_won_flag)
    is_open = outcome == "open"
    expected = int((is_open & closed_at.notna()).sum())
    if expected:
        f.notes.append(f"{f.name}: {expected} open deal{'s' * (expected != 1)} with an expected "
                       f"close date {'are' if expected != 1 else 'is'} not counted as closed.")
    out["closed_at"] = closed_at.where(~is_open)
    out["won"] = (outcome == "won").to_numpy(dtype=bool)
    closed = outcome.isin(["won", "lost"])
    no_close = int(closed.sum() - (closed & out["closed_at"].notna()).sum())
    if no_close and len(out):
        f.notes.append(f"{f.name}: {no_close} closed deal{'s' * (no_close != 1)} without a close "
                       "date count in the win rate's outcome but not in the cycle time.")
    if f.kind == "leads":
        _date_deals(f, out, outcome)
    out.attrs["outcome"] = outcome


def _stage_outcomes(f: FileFields, index: pd.Index) -> pd.Series:
    """The outcome each row's stage says: won, lost, open (any other stage, noted) or ""."""
    outcome = pd.Series("", index=index, dtype=object)
    if "stage" not in f.data:
        return outcome
    stages = f.data["stage"]
    key = stages.map(stage_key)
    won_set, lost_set = WON_STAGES | f.opts.won, LOST_STAGES | f.opts.lost
    outcome[key != ""] = "open"
    outcome[key.isin(won_set)] = "won"
    outcome[key.isin(lost_set)] = "lost"
    unknown = sorted(set(stages[(key != "") & ~key.isin(won_set | lost_set | OPEN_STAGES)]))
    if unknown:
        shown_list = ", ".join(f"'{shown(v, 30)}'" for v in unknown[:4])
        f.notes.append(f"{f.name}: stages taken as open deals: {shown_list}"
                       f"{', …' if len(unknown) > 4 else ''}; if some are won or lost give "
                       "--won-values / --lost-values.")
    return outcome


def _flag_outcomes(f: FileFields, out: pd.DataFrame, flags: dict[str, pd.Series],
                   outcome: pd.Series) -> None:
    """What the won and closed flags add to ``outcome`` (in place)."""
    won = flags.get("won")
    has_stage = "stage" in f.data
    if won is None:
        if "is_closed" in flags and not has_stage:
            outcome[flags["is_closed"].map(lambda v: v is True)] = "lost"
        return
    for word in ("won", "lost", "open"):
        outcome[won == word] = word
    yes = won.map(lambda v: v is True)
    no = won.map(lambda v: v is False)
    outcome[yes] = "won"
    if "is_closed" in flags:
        closed = flags["is_closed"].map(lambda v: v is True)
        outcome[no & closed] = "lost"
        outcome[no & ~closed & (outcome == "")] = "open"
    elif not has_stage:
        # no stage and no closed flag: a close date on a row not won means lost
        outcome[no & out["closed_at"].notna()] = "lost"


def _close_times(f: FileFields, out: pd.DataFrame, outcome: pd.Series,
                 no_won_flag: bool) -> pd.Series:
    """Each row's close time, from the won or lost time when there is no close date; with
    only a close date in the file, every closed row is lost (set in ``outcome``).
    """
    closed_at = out["closed_at"]
    if "won_at" in out:  # Pipedrive: the close time is in the won or the lost column
        closed_at = closed_at.where(~((outcome == "won") & closed_at.isna()), out["won_at"])
    if "lost_at" in out:
        closed_at = closed_at.where(~((outcome == "lost") & closed_at.isna()), out["lost_at"])
    if (outcome.eq("").all() and no_won_flag and "stage" not in f.data
            and "won_at" not in out):
        # only a close date: every closed row is lost (the documented columns' meaning)
        outcome[closed_at.notna()] = "lost"
    return closed_at


def _date_deals(f: FileFields, out: pd.DataFrame, outcome: pd.Series) -> None:
    """A lead's deal without an opportunity date is dated from its SQL date or creation."""
    deal = outcome != ""
    if not deal.any():
        return
    opened = out["opportunity_at"]
    missing = int((deal & opened.isna()).sum())
    if missing and "opportunity_at" in f.data:
        f.notes.append(f"{f.name}: {missing} deal{'s' * (missing != 1)} without an opportunity "
                       "date are dated from the lead's SQL date or creation.")
    if missing:
        fill = out["became_sql_at"].fillna(out["created_at"])
        out["opportunity_at"] = opened.where(~(deal & opened.isna()), fill)
