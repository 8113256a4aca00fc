"""sim.files: whole files or nothing, the usual file mode, and --out checks before any work."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from sim import Scenario
from sim import files as files_module
from sim.errors import ScenarioError
from sim.files import FileMemo, check_can_create, check_target, write_atomic, write_folder
from sim.scenario import dump_scenario, load_scenario


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_write_atomic_writes_text_bytes_and_through_a_function(tmp_path):
    write_atomic(tmp_path / "a.txt", "é\n")
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    write_atomic(tmp_path / "c.csv", lambda tmp: tmp.write_text("x,y\n"))
    assert (tmp_path / "a.txt").read_bytes() == "é\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.csv").read_text() == "x,y\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.csv"]


@pytest.mark.parametrize("failure", ["writer", "replace"])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch,
                                                                      failure):
    target = tmp_path / "scenario.yaml"
    target.write_text("old\n")

    def half_then_full(tmp: Path) -> None:
        tmp.write_text("half")
        _disk_full()

    if failure == "replace":
        monkeypatch.setattr(files_module.os, "replace", _disk_full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, half_then_full if failure == "writer" else "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.yaml"]


def test_new_files_get_the_usual_mode_and_replaced_files_keep_theirs(tmp_path, umask_022):
    write_atomic(tmp_path / "new.json", "{}")
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644
    os.chmod(tmp_path / "new.json", 0o640)
    write_atomic(tmp_path / "new.json", "{}\n")
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o640


def test_dump_scenario_on_a_full_disk_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module.os, "replace", _disk_full)
    with pytest.raises(OSError):
        dump_scenario(Scenario(weeks=3), tmp_path / "scenario.yaml")
    assert list(tmp_path.iterdir()) == []


def test_dump_scenario_writes_a_file_with_the_usual_mode(tmp_path, umask_022):
    dump_scenario(Scenario(weeks=3), tmp_path / "scenario.yaml")
    assert (tmp_path / "scenario.yaml").stat().st_mode & 0o777 == 0o644
    assert load_scenario(tmp_path / "scenario.yaml").weeks == 3


def test_check_target_replaces_only_with_force(tmp_path):
    target = tmp_path / "report.html"
    assert check_target(target) == target  # a new file is fine
    target.write_text("keep")
    with pytest.raises(ScenarioError, match="already exists; add --force"):
        check_target(target)
    assert check_target(target, force=True) == target
    assert target.read_text() == "keep"  # checking writes nothing


def test_check_target_never_allows_a_protected_file(tmp_path):
    game = tmp_path / "g"
    game.mkdir()
    (game / "game.yaml").write_text("name: g\n")
    for spelling in (game / "game.yaml", game / "." / "game.yaml", tmp_path / "g/../g/game.yaml"):
        with pytest.raises(ScenarioError, match="is one of the game's own files.*--force does "
                           "not change this"):
            check_target(spelling, force=True, protected=[game / "game.yaml"],
                         protected_why="is one of the game's own files")


@pytest.mark.parametrize(("name", "make", "match"), [
    ("out.yaml", lambda p: p.mkdir(), "is a folder"),
    ("out.txt", lambda p: None, "must end in .yaml or .yml"),
])
def test_check_target_refuses_folders_and_wrong_names(tmp_path, name, make, match):
    target = tmp_path / name
    make(target)
    with pytest.raises(ScenarioError, match=match):
        check_target(target, suffixes=(".yaml", ".yml"))


def test_check_target_and_check_can_create_refuse_a_read_only_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "writable", lambda folder: False)
    with pytest.raises(ScenarioError, match="not writable; choose another folder") as info:
        check_target(tmp_path / "x.yaml", "--out")
    assert str(info.value).startswith("--out: ")
    with pytest.raises(ScenarioError, match="not writable"):
        check_can_create(tmp_path / "new" / "game", "game new")
    with pytest.raises(ScenarioError, match="does not exist"):
        check_target(tmp_path / "missing" / "x.yaml")


def test_writable_sees_permissions(tmp_path):
    assert files_module.writable(tmp_path)
    if os.geteuid() != 0:  # the superuser may write anywhere permissions allow
        os.chmod(tmp_path, 0o555)
        try:
            assert not files_module.writable(tmp_path)
        finally:
            os.chmod(tmp_path, 0o755)


# --------------------------------------------------------------------------- FileMemo
def test_file_memo_parses_again_only_when_the_file_changed(tmp_path):
    path = tmp_path / "state.yaml"
    write_atomic(path, "status: open\n")
    parsed = []

    def parse(p):
        parsed.append(p.read_text())
        return p.read_text()

    memo = FileMemo()
    assert memo.get(path, parse) == "status: open\n"
    assert memo.get(path, parse) == "status: open\n"
    assert len(parsed) == 1
    write_atomic(path, "status: open\n")  # same text, a new file: read again, to be safe
    write_atomic(path, "status: locked\n")
    assert memo.get(path, parse) == "status: locked\n"
    assert len(parsed) == 2


def test_file_memo_is_bounded_and_does_not_remember_failures(tmp_path):
    memo = FileMemo(size=3)
    for i in range(10):
        write_atomic(tmp_path / f"{i}.txt", str(i))
        memo.get(tmp_path / f"{i}.txt", lambda p: p.read_text())
    assert len(memo._known) == 3
    calls = []

    def broken(p):
        calls.append(p)
        raise ValueError("not valid")

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get(tmp_path / "0.txt", broken)
    assert len(calls) == 2
    with pytest.raises(FileNotFoundError):  # a missing file goes to the parser every time
        memo.get(tmp_path / "missing.txt", lambda p: p.read_text())


# ------------------------------------------------------------------------------ write_folder
def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def test_write_folder_makes_the_folder_hold_exactly_the_files(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "stale.png").write_bytes(b"from an earlier pack")
    written = write_folder(pack, {pack / "a.txt": b"one", pack / "sub" / "b.bin": b"2"})
    assert written == [pack / "a.txt", pack / "sub" / "b.bin"]
    assert _tree(pack) == {"a.txt": b"one", "sub/b.bin": b"2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]  # no hidden folder left
    assert pack.stat().st_mode & 0o777 == 0o777 & ~os.umask(os.umask(0o022))


def test_write_folder_that_fails_leaves_the_old_folder_and_no_trace(tmp_path, monkeypatch):
    import errno

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "old.txt").write_bytes(b"keep")
    real = Path.write_bytes

    def full_at_the_second(self, data):
        if self.name == "b.bin":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_at_the_second)
    with pytest.raises(ScenarioError, match=r"--out: .*pack: cannot be written \(No space"):
        write_folder(pack, {pack / "a.txt": b"one", pack / "b.bin": b"2"})
    monkeypatch.undo()
    assert _tree(pack) == {"old.txt": b"keep"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]
