"""Tests of :mod:`sim.yamlio`, the one reader of YAML from files and ``--set`` values.

The reader promises that no input can make it hang, fill memory or overflow the stack: every
input either loads within the limits or is refused with a :class:`yaml.YAMLError` (or, for
files, an :class:`OSError` or :class:`UnicodeDecodeError`) that callers already turn into one
line. The cases below are the inputs that broke plain ``yaml.safe_load`` and ``Path.read_text``;
the property test at the end throws mixtures of them at the reader.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import yamlio
from sim.yamlio import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    DuplicateKeyError,
    FileTooLargeError,
    LimitError,
    NotRegularFileError,
    read_text,
    safe_load,
    shown,
)


def laughs(levels: int, width: int = 9) -> str:
    """"Billion laughs": each level a list of ``width`` aliases of the level before."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def refused(text: str, kind: type[Exception] = yaml.YAMLError, **kwargs: Any) -> Exception:
    with pytest.raises(kind) as info:
        safe_load(text, **kwargs)
    return info.value


def mark_of(exc: Exception) -> tuple[int, int]:
    mark = exc.problem_mark  # type: ignore[attr-defined]
    return mark.line + 1, mark.column + 1


# --------------------------------------------------------------------------- aliases
@pytest.mark.parametrize(("text", "where"), [
    ("name: r\nsales: &s\n  reps: *s\n", (3, 9)),      # a mapping holding itself
    ("x: &a [*a, *a]\n", (1, 8)),                      # a list holding itself, twice
    ("x: &a {<<: *a}\n", (1, 12)),                     # a merge key merging itself
    ("x: &a [1, [2, {k: *a}]]\n", (1, 19)),            # further down
])
def test_recursive_aliases_are_refused_where_they_are(text, where):
    exc = refused(text, LimitError)
    assert "inside the value it repeats" in exc.problem
    assert mark_of(exc) == where


def test_repeating_a_finished_value_is_not_recursion():
    refused("b: &a [1, *a]\n", LimitError)
    assert safe_load("a: &a [1]\nb: [*a, [*a]]\n") == {"a": [1], "b": [[1], [[1]]]}


@pytest.mark.parametrize("levels", [5, 9, 30])
def test_billion_laughs_is_refused_before_it_expands(levels):
    exc = refused(laughs(levels), LimitError)
    assert f"more than {MAX_NODES:,} values" in exc.problem


def test_the_budget_falls_between_three_and_four_levels_of_laughs():
    assert len(safe_load(laughs(3))["l3"]) == 9  # about 7,400 values once expanded
    refused(laughs(4), LimitError)                # about 66,000


def test_the_budget_counts_plain_values_too_and_real_scenarios_are_far_inside_it():
    refused("[" + ", ".join(["1"] * MAX_NODES) + "]", LimitError)
    assert len(safe_load("[" + ", ".join(["1"] * (MAX_NODES - 1)) + "]")) == MAX_NODES - 1
    text = (Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml").read_text(
        encoding="utf-8")
    assert safe_load(text, unique_keys=True) == yaml.safe_load(text)


# --------------------------------------------------------------------------- nesting
@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,
    "{a: " * 5000 + "1" + "}" * 5000,
    "- " * 5000 + "x\n",
    "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)),
    "[" * MAX_BYTES,
])
def test_deep_nesting_is_refused_not_a_recursion_error(text):
    exc = refused(text, LimitError)
    assert f"nested deeper than {MAX_DEPTH} levels" in exc.problem


def test_nesting_up_to_the_limit_loads():
    data = safe_load("[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1))
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == 1
    refused("[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH, LimitError)


# --------------------------------------------------------------------------- scalars
@pytest.mark.parametrize("text", ["9" * 5000, "-" + "1" * 200, "0x" + "f" * 200,
                                  "1:" * 100 + "1", "1." + "0" * 200])
def test_long_numbers_are_refused(text):
    exc = refused(f"seed: {text}\n", LimitError)
    assert f"longer than {MAX_NUMBER_CHARS} characters" in exc.problem


def test_a_number_at_the_limit_loads_and_a_quoted_digit_string_is_text():
    assert safe_load("x: " + "9" * MAX_NUMBER_CHARS) == {"x": int("9" * MAX_NUMBER_CHARS)}
    refused("x: " + "9" * (MAX_NUMBER_CHARS + 1), LimitError)
    assert safe_load(f"x: '{'9' * 5000}'") == {"x": "9" * 5000}


@pytest.mark.parametrize("value", ["2001-13-45", "!!int abc", "!!int 0x", "!!int 0o9",
                                   "!!int _", "!!int", "!!float abc", "!!float .",
                                   "!!bool maybe", "!!timestamp soon"])
def test_values_their_tag_cannot_read_are_yaml_errors(value):
    exc = refused(f"x: {value}\n", yaml.constructor.ConstructorError)
    assert "cannot read this value as" in exc.problem
    assert mark_of(exc)[0] == 1


def test_text_longer_than_the_limit_is_refused():
    refused("x" * (MAX_BYTES + 1), LimitError)


# --------------------------------------------------------------------------- duplicate keys
def test_duplicate_keys_are_refused_on_request():
    text = "sales:\n  reps: 1\n  reps: 2\n"
    assert safe_load(text) == {"sales": {"reps": 2}}  # yaml.safe_load's behaviour by default
    exc = refused(text, DuplicateKeyError, unique_keys=True)
    assert exc.key == "reps" and mark_of(exc) == (3, 3)
    assert safe_load("a: &a {x: 1}\nb: {<<: *a, x: 2}\n", unique_keys=True)["b"] == {"x": 2}
    assert safe_load("1: a\n'1': b\n", unique_keys=True) == {1: "a", "1": "b"}


def test_a_duplicate_key_is_shown_escaped_and_short():
    exc = refused(f'"\\e[2J{"k" * 500}": 1\n"\\e[2J{"k" * 500}": 2\n', DuplicateKeyError,
                  unique_keys=True)
    assert exc.problem.isprintable() and "\\x1b[2J" in exc.problem
    assert len(exc.problem) < 100


# --------------------------------------------------------------------------- files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            outcome.append(read_text(fifo))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # it blocked: open the pipe for writing so the thread can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
        pytest.fail("reading a named pipe blocked")
    assert isinstance(outcome[0], NotRegularFileError), outcome
    assert "named pipe" in outcome[0].strerror


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device file")
def test_a_device_is_refused_before_it_is_read():
    with pytest.raises(NotRegularFileError, match="device"):
        read_text("/dev/zero")


def test_a_file_over_the_limit_is_refused_from_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: the size says it all, nothing need be read
    with pytest.raises(FileTooLargeError) as info:
        read_text(path)
    assert "larger than 1 MB" in info.value.strerror
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"#" * MAX_BYTES)
    assert len(read_text(exact)) == MAX_BYTES


def test_ordinary_files_raise_what_path_read_text_raises(tmp_path):
    # callers written for Path.read_text keep working: same text, same exceptions
    small = tmp_path / "s.yaml"
    small.write_text("name: café\n", encoding="utf-8")
    assert read_text(small) == read_text(str(small)) == small.read_text(encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        read_text(tmp_path / "missing.yaml")
    with pytest.raises(IsADirectoryError):
        read_text(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    with pytest.raises(UnicodeDecodeError):
        read_text(tmp_path / "latin1.yaml")
    with pytest.raises(FileTooLargeError):
        read_text(small, max_bytes=5)


def test_a_file_that_grows_after_the_size_check_is_read_no_further(tmp_path, monkeypatch):
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"x" * 50)
    # the size check sees the file before it grew: only the bounded read stands in the way
    monkeypatch.setattr(yamlio, "_check_regular", lambda *args: None)
    with pytest.raises(FileTooLargeError):
        read_text(path, max_bytes=10)


# --------------------------------------------------------------------------- shown
@pytest.mark.parametrize(("value", "expected"), [
    ("\x1b[31mred\x07\x00", "\\x1b[31mred\\x07\\x00"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("rtl\u202eevil\u2028next\x85", "rtl\\u202eevil\\u2028next\\x85"),
    ("\U000e0001tag", "\\U000e0001tag"),
])
def test_shown_escapes_what_a_terminal_would_act_on(value, expected):
    assert shown(value) == expected


def test_shown_cuts_long_text_keeps_readable_text_and_is_stable():
    assert shown("café – naïve") == "café – naïve" and shown(42) == "42"
    text = shown("x" * 10_000, 60)
    assert len(text) == 60 and text.endswith("…")
    assert shown(text, 60) == text
    escaped = shown("\x1b" * 100, 60)
    assert len(escaped) == 60 and shown(escaped, 60) == escaped
    assert shown("y" * 10_000, None) == "y" * 10_000


def test_shown_copes_with_an_int_too_long_for_text():
    assert shown(10 ** 5000) == "a 16610-bit whole number"


# --------------------------------------------------------------------------- property test
NASTY_CHARS = "[]{},:&*!|>'\"#%@`-?<=~ \n\t\\" + "\x00\x07\x1b\x7f\x85\u2028\u202e\ufeff"


NASTY = st.one_of(
    st.text(NASTY_CHARS + "ab01", max_size=60),
    st.builds(lambda n, opener: opener * n, st.integers(MAX_DEPTH - 5, 3000),
              st.sampled_from(["[", "{", "- ", "[{", "{a: ", "? ", "&x ["])),
    st.builds(laughs, st.integers(1, 12), st.integers(1, 12)),
    st.sampled_from(["&a [*a]", "&a {x: *a}", "&a {<<: *a}", "&a [&b [*a, *b]]", "*a",
                     "&a x: *a", "a: &a\n  b: *a\n"]),
    st.builds(lambda prefix, n: prefix + "9" * n, st.sampled_from(["", "-", "+", "0x", "0o",
                                                                   "0b1", "1:", "1.", ".", "1e"]),
              st.integers(1, 6000)),
    st.builds(lambda tag, value: f"!!{tag} {value}",
              st.sampled_from(["int", "float", "bool", "timestamp", "binary", "null", "str",
                               "set", "omap", "pairs", "merge", "python/object:os.system"]),
              st.text(NASTY_CHARS + "ab01-:.", max_size=12)),
    st.sampled_from(["2001-13-45", "2001-02-30 25:61:61", "1_0_0", "0b", "0x", "0o",
                     ".inf", "-.nan", "~", "<<: 3", "? [a]\n: 1"]),
)


def _size_and_depth(data: Any, cap: int) -> tuple[int, int]:
    """Values in ``data`` counting shared ones every time they appear (stopping past
    ``cap``), and the deepest nesting."""
    count, deepest = 0, 0
    stack = [(data, 1)]
    while stack and count <= cap:
        value, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend((item, depth + 1) for item in value)
    return count, deepest


@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(NASTY, min_size=1, max_size=4),
       glue=st.sampled_from(["", "\n", ": ", ", ", "\n  - ", "\nk: "]),
       unique_keys=st.booleans())
def test_nasty_input_loads_within_limits_or_is_a_yaml_error(parts, glue, unique_keys):
    text = glue.join(parts)
    try:
        data = safe_load(text, unique_keys=unique_keys)
    except yaml.YAMLError:
        return
    count, deepest = _size_and_depth(data, MAX_NODES)
    assert count <= MAX_NODES, "aliases expanded past the budget"
    assert deepest <= MAX_DEPTH
