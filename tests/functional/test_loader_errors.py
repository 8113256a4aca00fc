"""Bad input through the real command line: one clear line on stderr, exit code 2, nothing written.

Every case writes its scenario files into a fresh temporary folder, runs ``python -m sim`` there
in a subprocess and checks the contract of MODEL.md section 4: exit code 2, exactly one
non-empty line on stderr, no traceback, nothing on stdout, and a message that names the file
or flag, the key, and what would be valid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"

DIRECTORY = object()  # marks a "file" that is created as a folder


@dataclass
class Case:
    id: str
    argv: list[str]
    expect: list[str]
    files: dict[str, object] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # text the message must not repeat


def yaml_case(id: str, text: str | bytes, *expect: str, command: str = "run",
              extra: tuple[str, ...] = (), absent: tuple[str, ...] | list[str] = ()) -> Case:
    """A bad scenario file ``bad.yaml``; the message must name the file and ``expect``."""
    return Case(id, [command, "bad.yaml", *extra], ["bad.yaml", *expect], {"bad.yaml": text},
                list(absent))


def flag_case(id: str, flags: list[str], *expect: str) -> Case:
    """A good scenario with a bad flag or override."""
    return Case(id, ["run", str(BASELINE), "--weeks", "1", *flags], list(expect))


CASES = [
    # ---------------------------------------------------------------- unknown keys
    yaml_case("unknown-top-level-key", "nmae: x\n", "nmae", "unknown key", "did you mean 'name'"),
    yaml_case("unknown-nested-key", "sales:\n  rpes: 3\n",
              "sales.rpes", "unknown key", "did you mean 'sales.reps'"),
    yaml_case("unknown-section", "salse:\n  reps: 3\n", "salse", "did you mean 'sales'"),
    yaml_case("unknown-channel-key",
              "marketing:\n  channels:\n    webinar: {leads_per_wek: 3}\n",
              "marketing.channels.webinar.leads_per_wek",
              "did you mean 'marketing.channels.webinar.leads_per_week'"),
    yaml_case("channel-name-not-text", "marketing:\n  channels:\n    1: {leads_per_week: 3}\n",
              "marketing.channels.1", "channel names must be text"),
    flag_case("set-unknown-channel",
              ["--set", "marketing.channels.webnar.leads_per_week=3"],
              "--set", "marketing.channels.webnar.leads_per_week", "unknown channel 'webnar'",
              "did you mean 'webinar'", "paid_search"),
    flag_case("set-unknown-key", ["--set", "sales.rpes=3"],
              "--set", "sales.rpes", "did you mean 'sales.reps'"),
    flag_case("set-unknown-top-level-key", ["--set", "seeds=3"],
              "--set", "seeds", "did you mean 'seed'"),
    flag_case("set-past-a-leaf", ["--set", "marketing.channels.webinar.leads_per_week.x=3"],
              "--set", "marketing.channels.webinar.leads_per_week.x", "unknown key"),
    # ---------------------------------------------------------------- wrong types
    yaml_case("string-for-number", "sales:\n  reps: many\n",
              "sales.reps", "whole number", "1 to 10000", "'many'"),
    yaml_case("string-for-float", "communication:\n  crm_sharing: lots\n",
              "communication.crm_sharing", "0 to 1", "'lots'"),
    yaml_case("list-for-mapping", "sales: [1, 2]\n", "sales", "mapping"),
    yaml_case("scalar-for-section", "sales: 3\n", "sales", "mapping"),
    yaml_case("list-for-channels", "marketing:\n  channels: [webinar, events]\n",
              "marketing.channels", "mapping"),
    yaml_case("number-for-bool", "sales:\n  business_hours: 3\n",
              "sales.business_hours", "true or false"),
    yaml_case("number-for-enum", "sales:\n  prioritisation: 3\n",
              "sales.prioritisation", "'fifo'", "'score'", "'cherry_pick'"),
    yaml_case("mapping-for-scalar", "sales:\n  reps: {a: 1}\n",
              "sales.reps", "whole number", "1 to 10000"),
    yaml_case("bool-for-number", "communication:\n  crm_sharing: yes\n",
              "communication.crm_sharing", "0 to 1", "True"),
    yaml_case("fraction-for-whole-number", "sales:\n  reps: 2.5\n",
              "sales.reps", "whole number", "1 to 10000", "2.5"),
    yaml_case("number-for-name", "name: 3\n", "name", "text"),
    flag_case("set-bool-for-number", ["--set", "communication.sla_hours=yes"],
              "--set", "communication.sla_hours", "above 0", "10000"),
    flag_case("set-string-for-number", ["--set", "sales.reps=abc"],
              "--set", "sales.reps", "whole number", "1 to 10000", "'abc'"),
    flag_case("set-unreadable-value", ["--set", "sales.reps=[1"], "--set", "sales.reps", "[1"),
    # ---------------------------------------------------------------- out of range
    yaml_case("negative-rate", "marketing:\n  channels:\n    webinar: {leads_per_week: -5}\n",
              "marketing.channels.webinar.leads_per_week", "from 0", "-5"),
    yaml_case("probability-above-one", "communication:\n  crm_sharing: 1.5\n",
              "communication.crm_sharing", "from 0 to 1", "1.5"),
    yaml_case("zero-reps", "sales:\n  reps: 0\n", "sales.reps", "from 1 to 10000"),
    yaml_case("threshold-above-one", "scoring:\n  mql_threshold: 1.2\n",
              "scoring.mql_threshold", "from 0 to 1"),
    yaml_case("threshold-below-zero", "scoring:\n  mql_threshold: -0.1\n",
              "scoring.mql_threshold", "from 0 to 1"),
    yaml_case("brand-share-one", "marketing:\n  brand_share: 1\n",
              "marketing.brand_share", "below 1"),
    yaml_case("warmup-not-whole-weeks", "warmup_weeks: 1.5\n",
              "warmup_weeks", "whole number", "from 0 to 5200", "1.5"),
    yaml_case("negative-seed-in-file", "seed: -1\n", "seed", "0 to 9223372036854775807"),
    yaml_case("nan", "sales:\n  first_touch_hours: .nan\n",
              "sales.first_touch_hours", "finite"),
    yaml_case("inf", "pricing:\n  price_index: .inf\n", "pricing.price_index", "finite"),
    yaml_case("empty-channels", "marketing:\n  channels: {}\n",
              "marketing.channels", "at least one channel"),
    # ---------------------------------------------------------------- enums
    yaml_case("enum-prioritisation", "sales:\n  prioritisation: lifo\n",
              "sales.prioritisation", "'fifo'", "'score'", "'cherry_pick'", "'lifo'"),
    yaml_case("enum-feedback-mode", "feedback:\n  mode: sometimes\n",
              "feedback.mode", "'none'", "'periodic'", "'closed_loop'"),
    yaml_case("enum-marketing-kpi", "incentives:\n  marketing_kpi: leads\n",
              "incentives.marketing_kpi", "'mql_volume'", "'pipeline'", "'revenue'"),
    yaml_case("enum-sales-comp", "incentives:\n  sales_comp: salary\n",
              "incentives.sales_comp", "'individual_commission'", "'quota_accelerator'",
              "'team_shared'"),
    yaml_case("enum-handoff", "communication:\n  handoff: hourly\n",
              "communication.handoff", "'realtime'", "'daily'", "'weekly'"),
    flag_case("set-enum-case", ["--set", "sales.prioritisation=FIFO"],
              "sales.prioritisation", "'fifo'", "'FIFO'"),
    # ---------------------------------------------------------------- extends
    yaml_case("extends-missing-target", "extends: nope.yaml\n", "extends", "nope.yaml",
              "not found"),
    Case("extends-circular", ["run", "a.yaml"], ["a.yaml", "extends", "circular",
                                                 "a.yaml -> b.yaml -> a.yaml"],
         {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}),
    Case("extends-self", ["run", "self.yaml"], ["self.yaml", "extends", "circular"],
         {"self.yaml": "extends: self.yaml\n"}),
    yaml_case("extends-not-a-string", "extends: 3\n", "extends", "path of another scenario"),
    yaml_case("extends-a-list", "extends: [baseline.yaml]\n", "extends", "path"),
    Case("extends-parent-invalid", ["run", "child.yaml"],
         ["base.yaml", "sales.reps", "from 1 to 10000"],
         {"base.yaml": "sales:\n  reps: 0\n", "child.yaml": "extends: base.yaml\n"}),
    # ---------------------------------------------------------------- unreadable files
    yaml_case("malformed-yaml", "name: x\nsales:\n  reps: 3\n  - x: [\n",
              "line 4", "malformed YAML"),
    yaml_case("tab-indent", "sales:\n\treps: 3\n", "line 2", "malformed YAML"),
    yaml_case("duplicate-key", "sales:\n  reps: 1\nsales:\n  reps: 2\n",
              "line 3", "'sales'", "twice"),
    yaml_case("control-character", b"name: x\nsales:\n  re\x07ps: 3\n", "line 3",
              "malformed YAML"),
    yaml_case("python-tag", "name: !!python/object:os.system x\n", "line 1", "malformed YAML"),
    yaml_case("empty-file", "", "empty"),
    yaml_case("only-comments", "# nothing here\n", "empty"),
    yaml_case("yaml-list", "- 1\n- 2\n", "mapping", "list"),
    yaml_case("yaml-scalar", "hello\n", "mapping", "str"),
    yaml_case("non-utf8", b"name: caf\xe9\n", "UTF-8"),
    yaml_case("key-with-line-break", '"sales\\nreps": 3\n', "sales\\nreps", "unknown key"),
    Case("directory", ["run", "bad.yaml"], ["bad.yaml", "folder"], {"bad.yaml": DIRECTORY}),
    # ---------------------------------------------------------------- hostile YAML
    yaml_case("recursive-alias", "name: r\nsales: &s\n  reps: *s\n",
              "line 3, column 9", "'*s'", "inside the value it repeats", command="validate"),
    yaml_case("self-repeating-alias", "x: &a [*a, *a]\n",
              "line 1, column 8", "'*a'", "inside the value it repeats", command="validate"),
    yaml_case("billion-laughs", "".join(
        [f"l0: &l0 [{', '.join(['lol'] * 9)}]\n"]
        + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)]),
        "more than 10,000 values", "aliases", command="validate"),
    yaml_case("deep-flow-nesting", "sales: " + "[" * 5000 + "]" * 5000 + "\n",
              "line 1", "nested deeper than 64 levels", command="validate"),
    yaml_case("deep-block-nesting", "".join("  " * i + f"k{i}:\n" for i in range(100)),
              "line 64", "nested deeper than 64 levels", command="validate"),
    yaml_case("huge-number", "seed: " + "9" * 5000 + "\n",
              "line 1, column 7", "number longer than 100 characters"),
    yaml_case("impossible-date", "name: 2001-13-45\n", "line 1", "cannot read this value",
              "quote it"),
    yaml_case("description-too-long", "description: " + "x" * 6000 + "\n", "description",
              "text of at most 5000 characters", "of 6000 characters", absent=["x" * 100]),
    yaml_case("name-too-long", "name: " + "y" * 300 + "\n", "name",
              "text of 1 to 200 characters", "of 300 characters", absent=["y" * 100]),
    yaml_case("ansi-escape-in-key", '"\\e[2J\\e[31mred": 1\n',
              "\\x1b[2J\\x1b[31mred", "unknown key"),
    yaml_case("extends-name-too-long", "extends: " + "a" * 5000 + "\n", "extends", "not found",
              absent=["a" * 100]),
    yaml_case("extends-nul", 'extends: "a\\0b"\n', "extends", "'a\\x00b'", "not found"),
    Case("extends-not-a-scenario", ["validate", "child.yaml"],
         ["credentials", "is not a scenario file", "extends must name a scenario file"],
         {"credentials": "aws_secret_access_key: AKIAIOSFODNN7EXAMPLE\n",
          "child.yaml": "extends: credentials\n"},
         absent=["aws_secret_access_key", "AKIA"]),
    Case("extends-malformed-non-scenario", ["validate", "child.yaml"],
         ["credentials", "line 1, column 11", "is not a scenario file (malformed YAML)"],
         {"credentials": "password: *hunter2\n", "child.yaml": "extends: credentials\n"},
         absent=["password", "hunter2"]),
    flag_case("set-deep-nesting", ["--set", "sales.reps=" + "[" * 5000],
              "--set", "sales.reps", "nested deeper than 64 levels", "…"),
    flag_case("set-recursive-alias", ["--set", "sales.reps=&a [*a]"],
              "--set", "sales.reps", "inside the value it repeats"),
    flag_case("set-huge-number", ["--set", "seed=" + "9" * 5000],
              "--set", "seed", "number longer than 100 characters"),
    flag_case("set-ansi-escape-in-key", ["--set", "sales.re\x1b[31mps=3"],
              "--set", "sales.re\\x1b[31mps", "unknown key"),
    flag_case("set-bel-in-unreadable-value", ["--set", "sales.reps=[\x07"],
              "--set", "sales.reps", "cannot read value '[\\x07'"),
    Case("missing-file", ["run", "missing.yaml"], ["missing.yaml", "not found"]),
    Case("missing-preset", ["run", "no_such_preset"], ["no_such_preset", "not found"]),
    # ---------------------------------------------------------------- flags
    flag_case("set-without-equals", ["--set", "sales.reps"],
              "--set", "sales.reps", "PATH=VALUE"),
    flag_case("set-empty-path", ["--set", "=3"], "--set", "PATH=VALUE"),
    flag_case("set-on-section", ["--set", "sales=3"],
              "--set", "sales", "is a section", "sales.reps"),
    flag_case("set-on-channel", ["--set", "marketing.channels.webinar=3"],
              "--set", "marketing.channels.webinar", "is a section"),
    flag_case("set-warmup-negative", ["--set", "warmup_weeks=-1"],
              "with --set", "warmup_weeks", "from 0 to 5200"),
    flag_case("reps-zero", ["--reps", "0"], "--reps", "at least 1"),
    flag_case("reps-not-a-number", ["--reps", "abc"], "--reps", "whole number", "'abc'"),
    flag_case("reps-with-line-break", ["--reps", "a\nb"], "--reps", "whole number"),
    flag_case("seed-negative", ["--seed", "-1"], "--seed", "0 to 2^63-1"),
    flag_case("seed-too-big", ["--seed", str(2**63)], "--seed", "0 to 2^63-1"),
    flag_case("weeks-zero", ["--weeks", "0"], "--weeks", "above 0", "5200"),
    flag_case("weeks-not-a-number", ["--weeks", "abc"], "--weeks", "'abc'"),
    flag_case("weeks-nan", ["--weeks", "nan"], "--weeks", "above 0"),
    flag_case("unknown-flag", ["--frobnicate"], "--frobnicate"),
    Case("unknown-subcommand", ["frobnicate"], ["frobnicate", "'run'", "'compare'", "'validate'"]),
    Case("no-subcommand", [], ["COMMAND"]),
    Case("run-without-scenario", ["run"], ["scenario"]),
    Case("compare-one-scenario", ["compare", str(BASELINE)], ["compare", "two scenarios"]),
    Case("compare-unknown-kpi", ["compare", str(BASELINE), str(BASELINE), "--kpi", "nope"],
         ["--kpi", "'nope'", "'revenue'"]),
    Case("compare-second-file-bad", ["compare", str(BASELINE), "bad.yaml", "--reps", "2"],
         ["bad.yaml", "sales.reps"], {"bad.yaml": "sales:\n  reps: 0\n"}),
    Case("out-is-a-file", ["run", str(BASELINE), "--weeks", "1", "--out", "taken.txt"],
         ["--out", "taken.txt", "is a file", "folder"], {"taken.txt": "keep me\n"}),
]


def _write(tmp_path: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if content is DIRECTORY:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content), encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


def assert_bad_input(result, expect: list[str]) -> str:
    """The contract for bad input; returns the one stderr line."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.strip(), "stderr line is empty"
    assert line.startswith("leadflow: error: "), line
    # no control character reaches the terminal, and a message stays a readable line
    assert line.isprintable(), ascii(line)
    assert len(line) < 1000, line
    for text in expect:
        assert text in line, f"{text!r} missing from: {line}"
    return line


def test_there_are_enough_distinct_cases():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_gives_one_clear_line(case: Case, tmp_path: Path, run_cli):
    _write(tmp_path, case.files)
    before = _snapshot(tmp_path)
    result = run_cli(*case.argv)
    line = assert_bad_input(result, case.expect)
    for text in case.absent:
        assert text not in line, f"{text!r} repeated in: {line}"
    assert result.stdout == ""
    assert _snapshot(tmp_path) == before, "bad input changed files in the working folder"


def test_out_pointing_at_a_file_leaves_it_unchanged(tmp_path: Path, run_cli):
    target = tmp_path / "results"
    target.write_bytes(b"an existing file, not a folder\n")
    stat = target.stat()
    result = run_cli("run", BASELINE, "--weeks", "1", "--out", target)
    assert_bad_input(result, ["--out", str(target), "is a file"])
    assert target.is_file()
    assert target.read_bytes() == b"an existing file, not a folder\n"
    assert target.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_bad_scenario_creates_no_out_folder(tmp_path: Path, run_cli):
    (tmp_path / "bad.yaml").write_text("sales:\n  reps: 0\n", encoding="utf-8")
    result = run_cli("run", "bad.yaml", "--out", tmp_path / "new" / "results")
    assert_bad_input(result, ["bad.yaml", "sales.reps"])
    assert not (tmp_path / "new").exists()


def test_bad_override_leaves_existing_out_folder_untouched(tmp_path: Path, run_cli):
    out = tmp_path / "results"
    out.mkdir()
    (out / "kpis.json").write_text('{"old": true}\n', encoding="utf-8")
    before = _snapshot(out)
    result = run_cli("run", BASELINE, "--set", "sales.reps=0", "--out", out)
    assert_bad_input(result, ["with --set", "sales.reps", "from 1 to 10000"])
    assert _snapshot(out) == before


def test_validate_reports_good_files_and_fails_on_bad_ones(tmp_path: Path, run_cli):
    (tmp_path / "good.yaml").write_text("extends: base.yaml\nsales:\n  reps: 2\n",
                                        encoding="utf-8")
    (tmp_path / "base.yaml").write_text("name: base\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("sales:\n  rpes: 2\n", encoding="utf-8")
    result = run_cli("validate", "good.yaml", "bad.yaml", BASELINE)
    assert_bad_input(result, ["bad.yaml", "sales.rpes", "did you mean 'sales.reps'"])
    ok_lines = result.stdout.splitlines()
    assert len(ok_lines) == 2
    assert ok_lines[0].startswith("ok") and "good.yaml" in ok_lines[0]
    assert ok_lines[1].startswith("ok") and "baseline.yaml" in ok_lines[1]
    assert "bad.yaml" not in result.stdout


def test_validate_reports_each_bad_file_on_its_own_line(tmp_path: Path, run_cli):
    (tmp_path / "one.yaml").write_text("sales:\n  reps: 0\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("feedback:\n  mode: loud\n", encoding="utf-8")
    result = run_cli("validate", "one.yaml", "two.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert "one.yaml" in lines[0] and "sales.reps" in lines[0]
    assert "two.yaml" in lines[1] and "feedback.mode" in lines[1]
    assert result.stdout == ""


# ---------------------------------------------------------------- files that are not files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
@pytest.mark.parametrize("argv", [["validate", "pipe.yaml"], ["run", "pipe.yaml"],
                                  ["validate", "child.yaml"]], ids=" ".join)
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path, run_cli, argv):
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "child.yaml").write_text("extends: pipe.yaml\n", encoding="utf-8")
    result = run_cli(*argv, timeout=120)  # reading the pipe would wait for a writer forever
    assert_bad_input(result, ["pipe.yaml", "is a named pipe, not a regular file",
                              "expected a scenario file"])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device file")
def test_a_device_is_refused_before_it_is_read(run_cli):
    result = run_cli("validate", "/dev/zero", timeout=120)
    assert_bad_input(result, ["/dev/zero", "is a device, not a regular file"])


def test_a_file_over_one_megabyte_is_refused_unread(tmp_path: Path, run_cli):
    with (tmp_path / "big.yaml").open("wb") as fh:
        fh.truncate(2_000_000)  # sparse: only its size is ever looked at
    result = run_cli("validate", "big.yaml")
    assert_bad_input(result, ["big.yaml", "is 2 MB, larger than 1 MB", "at most 1 MB"])


def test_a_symbolic_link_loop_is_refused(tmp_path: Path, run_cli):
    try:
        (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    except OSError:
        pytest.skip("this file system has no symbolic links")
    result = run_cli("validate", "loop.yaml")
    assert_bad_input(result, ["loop.yaml", "cannot be read"])
