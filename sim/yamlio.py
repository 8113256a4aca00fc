"""Reading YAML that someone else wrote: bounded in time, memory and depth.

A scenario file, an override value (``--set sales.reps=8``) or a game envelope is text from a
person, a shared drive or a script, and plain ``yaml.safe_load`` trusts it too far: a recursive
alias makes later walks loop forever, nine levels of aliases to aliases ("billion laughs")
expand to hundreds of millions of values, a few thousand ``[`` end in a RecursionError, and a
device or named pipe given as a file is read forever or blocks. This module is the one place
where such input is read, with small fixed limits a real scenario never comes near:

* :func:`read_text` reads a regular file of at most :data:`MAX_BYTES` as UTF-8, and refuses
  anything else (a folder, a named pipe, a device) without reading it;
* :func:`safe_load` is ``yaml.safe_load`` that refuses recursive aliases, more than
  :data:`MAX_NODES` values once aliases are expanded, nesting deeper than :data:`MAX_DEPTH`,
  numbers longer than :data:`MAX_NUMBER_CHARS` characters and values its tag cannot read
  (``2001-13-45``, ``!!int abc``), each with a :class:`yaml.MarkedYAMLError` that gives the
  line and column;
* :func:`shown` makes a value from the input safe to echo in a one-line message.

Refusals are the exceptions callers already handle for ``Path.read_text`` and
``yaml.safe_load`` (an :class:`OSError` with a readable ``strerror``, a
:class:`UnicodeDecodeError`, a :class:`yaml.YAMLError`), so switching a reader over is a change
of the function called, not of its error handling.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

MAX_BYTES = 1_000_000
"""Largest file read, in bytes (and longest text parsed, in characters): 1 MB. The biggest
preset scenario is about 2 kB."""
MAX_NODES = 10_000
"""Most values (mappings, lists, keys and scalars) in one document, counting every alias as
the values it stands for. A complete scenario written out in full has about 260."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists. A scenario needs four levels."""
MAX_NUMBER_CHARS = 100
"""Longest number, in characters. Turning a longer digit string into a number costs time
that grows faster than its length, and no setting needs more than 20 digits."""

_NUMBER_TAGS = {"tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a number"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
          stat.S_IFSOCK: "a socket"}
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class LimitError(yaml.MarkedYAMLError):
    """Input that is valid YAML but beyond what :func:`safe_load` accepts (too deep, too big,
    a recursive alias); ``problem`` says which limit, ``problem_mark`` where (if known).
    """

    def __init__(self, problem: str, mark: yaml.Mark | None = None):
        super().__init__(problem=problem, problem_mark=mark)


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A key given twice in one mapping (plain YAML silently keeps the last one, so a second
    ``sales:`` block would wipe out the first); ``key`` is the key as written.
    """

    def __init__(self, key: str, mark: yaml.Mark):
        super().__init__(problem=f"key '{shown(key)}' is given twice", problem_mark=mark)
        self.key = key


class NotRegularFileError(OSError):
    """A path that names a named pipe, device or socket rather than a file."""


class FileTooLargeError(OSError):
    """A file larger than the reader accepts."""


# --------------------------------------------------------------------------- files
def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a regular file of at most ``max_bytes`` bytes, decoded as UTF-8.

    Raises what ``Path.read_text`` raises (``FileNotFoundError``, ``IsADirectoryError``,
    ``PermissionError``, ``UnicodeDecodeError``) and, instead of blocking or filling memory,
    :class:`NotRegularFileError` for a named pipe, device or socket and
    :class:`FileTooLargeError` for a file over the limit. Both carry a ``strerror`` that can be
    shown as it is.
    """
    path = Path(path)
    # stat first: opening a named pipe waits for a writer, and opening some devices acts
    _check_regular(os.stat(path), path, max_bytes)
    # O_NONBLOCK keeps the open from waiting should a pipe have replaced the file since
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        _check_regular(os.fstat(fh.fileno()), path, max_bytes)
        data = fh.read(max_bytes + 1)  # one byte more shows a file that grew past the limit
    if len(data) > max_bytes:
        raise FileTooLargeError(errno.EFBIG, f"larger than {_size(max_bytes)}", str(path))
    return data.decode("utf-8")


def _check_regular(st: os.stat_result, path: Path, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise NotRegularFileError(errno.EINVAL, f"is {kind}, not a regular file", str(path))
    if st.st_size > max_bytes:
        raise FileTooLargeError(
            errno.EFBIG, f"is {_size(st.st_size)}, larger than {_size(max_bytes)}", str(path))


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 100_000 else f"{n} bytes"


# --------------------------------------------------------------------------- YAML
class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that keeps count while it composes the node tree, so a limit is hit
    before the cost is paid: the nodes of a document are counted with every alias standing for
    all the nodes under its anchor, and nesting is counted on the way down, before the
    recursion that would overflow the stack.
    """

    def __init__(self, text: str, unique_keys: bool):
        super().__init__(text)
        self._unique_keys = unique_keys
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes it expands to, once composed

    def _count(self, n: int, mark: yaml.Mark) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:
            raise LimitError(f"more than {MAX_NODES:,} values once aliases are expanded; "
                             f"at most {MAX_NODES:,} are read", mark)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None and id(target) not in self._sizes:
                # the anchored collection is still open: the alias is inside what it names
                raise LimitError(f"alias '*{shown(event.anchor)}' is inside the value it "
                                 "repeats; an alias can only repeat a value completed before "
                                 "it", event.start_mark)
            node = super().compose_node(parent, index)  # reports an undefined alias
            self._count(self._sizes[id(node)], event.start_mark)
            return node
        if self._depth >= MAX_DEPTH:
            raise LimitError(f"nested deeper than {MAX_DEPTH} levels; at most {MAX_DEPTH} "
                             "are read", event.start_mark)
        before = self._nodes
        self._count(1, event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._nodes - before
        return node

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        if self._unique_keys:
            # checked on the composed node, once per mapping and before merge keys (<<) are
            # flattened into it, so a merged key overridden on purpose is not a duplicate
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise DuplicateKeyError(key_node.value, key_node.start_mark)
                    seen.add(key)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return super().construct_object(node, deep)
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise LimitError(f"a number longer than {MAX_NUMBER_CHARS} characters; quote it "
                             "to keep it as text", node.start_mark)
        try:
            return super().construct_object(node, deep)
        except (ValueError, ArithmeticError, LookupError, AttributeError, TypeError):
            # PyYAML's scalar constructors let these out for values their tag's pattern
            # admits but Python refuses: 2001-13-45, !!int abc, !!bool maybe, !!float .
            what = _NUMBER_TAGS.get(node.tag) or f"!!{node.tag.rsplit(':', 1)[-1]}"
            raise ConstructorError(None, None, f"cannot read this value as {what} (quote it "
                                   "to keep it as text)", node.start_mark) from None


def safe_load(text: str, *, unique_keys: bool = False) -> Any:
    """Read one YAML document like ``yaml.safe_load``, within this module's limits.

    With ``unique_keys`` a key given twice in one mapping is a :class:`DuplicateKeyError`.
    Every refusal is a :class:`yaml.YAMLError`, most with a ``problem_mark`` for the position.
    """
    if len(text) > MAX_BYTES:
        raise LimitError(f"longer than {MAX_BYTES:,} characters; at most {MAX_BYTES:,} "
                         "are read")
    loader = _BoundedLoader(text, unique_keys)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --------------------------------------------------------------------------- messages
def shown(value: object, limit: int | None = 60) -> str:
    """``value`` as text that is safe in a one-line message on a terminal: control and other
    invisible characters (ANSI escapes, BEL, NUL, line breaks, bidi overrides) are written as
    escapes such as ``\\x1b`` and ``\\n``, and text longer than ``limit`` characters (if given)
    is cut with ``…``. Applying it twice gives the same text.
    """
    text = value if isinstance(value, str) else _str(value)
    out: list[str] = []
    size = 0
    for ch in text:
        if not ch.isprintable():
            code = ord(ch)
            ch = _ESCAPES.get(ch) or (f"\\x{code:02x}" if code < 0x100 else
                                      f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        out.append(ch)
        size += len(ch)
        if limit is not None and size > limit:  # stop early: the value may be a megabyte
            return "".join(out)[: limit - 1] + "…"
    return "".join(out)


def _str(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # an int of more than 4300 digits refuses to become text
        return f"a {value.bit_length()}-bit whole number" if isinstance(value, int) else "?"
