"""Writing files so that nothing is half-written and nothing is overwritten by surprise.

Every file the kit writes (results, reports, scenarios, game files, sweep runs) goes through
:func:`write_atomic`: the new content goes to a hidden temporary file in the target's folder
and is renamed over the target in one step, so a reader sees the old file or the new one,
never a part. If anything goes wrong on the way (a full disk, a read-only folder, Ctrl+C) the
temporary file is removed and the target is left as it was. :func:`write_folder` does the same
for a whole folder of files (a debrief pack): the old folder or the new one, never a mix.

:func:`check_target` is the one check of an ``--out FILE`` before any work starts: the folder
must exist and be writable, and an existing file is only replaced when the user said
``--force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError

Writer = Callable[[Path], None]


def write_atomic(path: str | Path, content: str | bytes | Writer, *, suffix: str = ".tmp",
                 durable: bool = False) -> Path:
    """Replace ``path`` with ``content`` in one step; return ``path``.

    ``content`` is text (written as UTF-8 with ``\\n`` line ends), bytes, or a function that
    writes the file it is given (``lambda tmp: table.to_csv(tmp)``). The temporary file is
    named ``.NAME.XXXX`` + ``suffix`` beside the target. The new file gets the mode of the file
    it replaces, or the usual mode of a new file (0666 less the umask, so 0644 for most
    users); ``durable`` also flushes it to the disk before the rename, for files that other
    machines read from a shared drive.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        if callable(content):
            content(tmp)
        elif isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
        # mkstemp makes files only their owner may read; results are meant to be shared
        os.chmod(tmp, _mode_for(path))
        if durable:
            _fsync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None and exc.errno is not None:
            # a failed write() names no file: name the one being written
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~current_umask()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_umask() -> int:
    """This process's umask, read without changing it where the system allows.

    ``os.umask`` can only be read by setting it, which for a moment would change the mode of
    files other threads create (the game's server writes from several), so Linux's
    ``/proc/self/status`` is asked first.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


PROTECTED = "is one of the files this command reads"


def write_folder(folder: Path, files: Mapping[Path, bytes], flag: str = "--out") -> list[Path]:
    """Make ``folder`` hold exactly ``files`` (paths inside it and their bytes), in one step.

    The files go to a hidden folder beside it, which is then renamed into place: a reader,
    or a command stopped half-way by a full disk or Ctrl+C, sees the old folder or the new
    one, never a part. An existing ``folder`` is replaced whole, so none of its old files stay
    behind; the caller has checked it may be. Returns the paths written; a folder that cannot
    be written is a :class:`ScenarioError` for ``flag``.
    """
    new = old = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
        old = new.with_suffix(".old")
        new.chmod(0o777 & ~current_umask())  # a folder as mkdir makes it, not mkdtemp's 0700
        for path, data in files.items():
            target = new / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(new, folder, old)
    except OSError as exc:
        raise write_error(folder, exc, flag) from None
    finally:
        for left in (new, old):
            if left is not None:
                shutil.rmtree(left, ignore_errors=True)
    return list(files)


def _swap(new: Path, folder: Path, old: Path) -> None:
    """Rename ``new`` to ``folder``, the folder there before set aside as ``old``, and put
    back if the rename fails.
    """
    if folder.exists():
        folder.rename(old)
    try:
        new.rename(folder)
    except BaseException:
        if old.exists():
            old.rename(folder)
        raise


def check_target(path: str | Path, flag: str = "--out", *, force: bool = False,
                 suffixes: Iterable[str] = (), protected: Iterable[str | Path] = (),
                 protected_why: str = PROTECTED, make_folder: bool = False) -> Path:
    """Refuse an output file that cannot or should not be written, before any work starts.

    The folder must exist and be writable (or, with ``make_folder``, be one that can be made
    there); the name must end in one of ``suffixes`` (if
    given); ``path`` must not be a folder, nor an existing file unless ``force`` (then it is
    replaced); and it must never be one of the ``protected`` files, whatever ``force`` says
    (``protected_why`` says what they are). Each refusal is a :class:`ScenarioError` for
    ``flag`` that says what to do instead.
    """
    path = Path(path)
    suffixes = tuple(suffixes)
    if suffixes and path.suffix.lower() not in suffixes:
        raise ScenarioError(flag, str(path), f"must end in {_either(suffixes)}")
    if path.is_dir():
        raise ScenarioError(flag, str(path), "is a folder; give the name of the file to write")
    if any(_same_file(path, Path(p)) for p in protected):
        raise ScenarioError(flag, str(path), f"{protected_why}; give another file name "
                            "(--force does not change this)")
    if make_folder:
        check_can_create(path.parent, flag)
    else:
        check_folder(path, flag)
    if path.exists() and not force:
        raise ScenarioError(flag, str(path), "already exists; add --force to replace it, or "
                            "give another file name")
    return path


def check_folder(path: str | Path, flag: str) -> None:
    """Refuse a file to be written whose folder is missing, a file, or not writable."""
    path = Path(path)
    parent = path.parent
    if not parent.exists():
        raise ScenarioError(flag, str(path), f"folder '{parent}' does not exist")
    if not parent.is_dir():
        raise ScenarioError(flag, str(path), f"'{parent}' is a file, not a folder")
    if not writable(parent):
        raise ScenarioError(flag, str(path), f"folder '{parent}' is not writable; choose "
                            "another folder")


def check_can_create(folder: str | Path, flag: str) -> None:
    """Refuse a folder to be made (with its parents) where the nearest existing folder above
    it is a file or not writable; an existing ``folder`` must be writable itself.
    """
    folder = Path(folder)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise ScenarioError(flag, str(folder), f"'{existing}' is a file, not a folder")
    if not writable(existing):
        raise ScenarioError(flag, str(folder), f"folder '{existing}' is not writable; choose "
                            "another folder")


def writable(folder: Path) -> bool:
    """Whether files can be created in ``folder``: its permissions allow it and the drive is
    not mounted read-only (which ``os.access`` alone does not see for every drive).
    """
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        return not os.statvfs(folder).f_flag & os.ST_RDONLY
    except (AttributeError, OSError):  # pragma: no cover - no statvfs (Windows)
        return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):  # a loop of links resolves to nothing
        return False


def _either(suffixes: tuple[str, ...]) -> str:
    return suffixes[0] if len(suffixes) == 1 else ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}"


def write_error(path: str | Path, exc: OSError, flag: str = "--out") -> ScenarioError:
    """The one-line error for a file that could not be written (disk full, read-only drive)."""
    reason = exc.strerror or type(exc).__name__
    return ScenarioError(flag, str(path), f"cannot be written ({reason}); nothing was "
                         "changed there, free some space or choose another folder")


class FileMemo:
    """What each file was read into, for as long as the file stays the same.

    Like a librarian who remembers the summary of each book until a new edition arrives: a
    file is known by its inode, size and modification time (every write in this kit replaces
    the file by a new one, so a changed file always has a new inode), and :meth:`get` parses
    it again only when one of them changed. The room server's pages re-read the game folder
    every few seconds, forty of them at once; with this each re-read costs a ``stat`` per file
    instead of a parse. At most ``size`` files are remembered (the least recently used goes
    first), and a parse that fails is not remembered. Safe to share between threads.
    """

    def __init__(self, size: int = 4096):
        self.size = size
        self._known: OrderedDict[str, tuple[tuple[int, int, int], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str | Path, parse: Callable[[Path], Any]) -> Any:
        """``parse(path)``, or what it returned last time if the file has not changed since."""
        path = Path(path)
        try:
            st = path.stat()
        except OSError:  # missing or unreadable: let the parser say so in its own words
            return parse(path)
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        key = str(path.absolute())
        with self._lock:
            known = self._known.get(key)
            if known is not None and known[0] == stamp:
                self._known.move_to_end(key)
                return known[1]
        value = parse(path)
        with self._lock:
            self._known[key] = (stamp, value)
            self._known.move_to_end(key)
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return value
