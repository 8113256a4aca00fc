"""Scenario files: YAML in, validated :class:`~sim.params.Scenario` out.

A scenario file is a recipe card written as a difference: ``extends: baseline.yaml`` says "start
from that card", and the keys below say what to change. ``--set sales.reps=8`` is one more
change written on the command line. Whatever the source, a bad card gets one clear line that
names the file, the key and what would be valid (see :class:`~sim.errors.ScenarioError`).

Every YAML read here goes through :mod:`sim.yamlio`, which bounds what a file or value can cost
(size, nesting, aliases), and every piece of the input that a message repeats is passed through
:func:`sim.yamlio.shown`, so a message stays one short line a terminal cannot be steered by.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import annotated_types
import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim import kit
from sim.errors import ScenarioError
from sim.files import write_atomic
from sim.params import Scenario, declared_field, nested_section, walk_fields
from sim.params_marketing import Marketing
from sim.yamlio import (
    MAX_BYTES,
    FileTooLargeError,
    LimitError,
    NotRegularFileError,
    read_text,
    safe_load,
    shown,
)

PROJECT_DIR = kit.PROJECT_DIR if kit.in_checkout() else Path.cwd()
"""The project folder, where ``python -m sim`` is run from (the current folder for an installed
kit)."""
SCENARIO_DIR = kit.part_dir("scenarios")
"""The presets: the checkout's ``scenarios/``, or their copy inside an installed package."""
MY_SCENARIOS_DIR = PROJECT_DIR / "my_scenarios"
"""Where the scenario lab saves scenarios, so ``python -m sim run my_scenarios/NAME.yaml`` finds
them from the project folder (and ``NAME`` alone finds them too)."""
_META_KEYS = {"extends", "claims"}  # about the file, not parameters: never merged
_MISSING = object()
_KEY_CHARS = 100  # longest key or file name a message repeats; real keys are under 60


def _error(source: str, key: str | None, problem: str) -> ScenarioError:
    """A ScenarioError whose parts are safe to print: control characters from the input are
    escaped (an ANSI escape in a key must not recolour or clear the user's terminal) and a long
    key is cut, so the message stays one readable line. A file name is not cut: its end is the
    part that says which file.
    """
    return ScenarioError(shown(source, None),
                         None if key is None else shown(key, _KEY_CHARS),
                         shown(problem, 10 * _KEY_CHARS))


# --------------------------------------------------------------------------- key catalogue
def valid_keys(channels: Iterable[str] = ()) -> list[str]:
    """All dotted keys a scenario accepts; channel keys are listed for the given channel names."""
    names = list(channels) or ["<name>"]
    return [key for key, _field, _annotation in walk_fields(names=names)]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to a mistyped ``word`` (difflib), or None if none is near."""
    if len(word) > 2 * _KEY_CHARS:  # no key is that long, and difflib's cost grows with it
        return None
    best = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return best[0] if best else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the candidate nearest to ``word``, or nothing: the one
    suggestion every error message of the kit (files, flags, widgets) appends.
    """
    best = closest(word, candidates)
    return f" (did you mean '{best}'?)" if best else ""


class _Entry(NamedTuple):
    """One key of a raw scenario mapping, beside what the schema declares for it."""

    loc: tuple[Any, ...]              # the key's path from the top (``("sales", "reps")``)
    value: Any
    section: type[BaseModel] | None   # the section that should declare it; None for a name
    field: FieldInfo | None           # its declared field; None for a name or an unknown key


def _entries(data: Any, section: type[BaseModel] = Scenario,
             loc: tuple[Any, ...] = ()) -> Iterator[_Entry]:
    """Every key of a raw mapping, depth first, entering the sections it declares and, in a
    mapping of named sections (``marketing.channels``), each name and what it holds.
    """
    if not isinstance(data, Mapping):
        return  # wrong type: pydantic reports it with the key
    for key, value in data.items():
        field = section.model_fields.get(key) if isinstance(key, str) else None
        here = (*loc, key)
        yield _Entry(here, value, section, field)
        inner = nested_section(field.annotation) if field is not None else None
        if inner is None:
            continue
        sub, named = inner
        if not named:
            yield from _entries(value, sub, here)
        elif isinstance(value, Mapping):
            for name, spec in value.items():
                yield _Entry((*here, name), spec, None, None)
                yield from _entries(spec, sub, (*here, name))


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _check_keys(raw: Mapping[str, Any], source: str) -> None:
    """Refuse unknown names before pydantic sees them, with a did-you-mean."""
    for entry in _entries(raw):
        key = entry.loc[-1]
        dotted = _dotted(entry.loc)
        if entry.section is None:
            if not isinstance(key, str):
                raise _error(source, dotted, "channel names must be text")
        elif not isinstance(key, str):
            raise _error(source, dotted, "keys must be text")
        elif entry.field is None and not (len(entry.loc) == 1 and key in _META_KEYS):
            prefix = dotted[:len(dotted) - len(key)]
            siblings = [f"{prefix}{k}" for k in entry.section.model_fields]
            near = did_you_mean(dotted, siblings) or did_you_mean(
                dotted, valid_keys(_channel_names(raw))
            )
            raise _error(source, dotted, f"unknown key{near}")


def _channel_names(raw: Mapping[str, Any]) -> list[str]:
    marketing = raw.get("marketing") if isinstance(raw, Mapping) else None
    channels = marketing.get("channels") if isinstance(marketing, Mapping) else None
    return [str(c) for c in channels] if isinstance(channels, Mapping) else []


# --------------------------------------------------------------------------- reading files
_READ_ERRORS: tuple[tuple[type[Exception], Callable[[Any], str]], ...] = (
    (FileNotFoundError, lambda exc: "file not found"),
    (IsADirectoryError, lambda exc: "is a folder, not a scenario file"),
    (NotRegularFileError, lambda exc: f"{exc.strerror}; expected a scenario file"),
    (FileTooLargeError, lambda exc: f"{exc.strerror}; a scenario file is YAML text of at most "
                                    f"{MAX_BYTES // 1_000_000} MB"),
    (UnicodeDecodeError, lambda exc: "is not UTF-8 text"),
    (OSError, lambda exc: f"cannot be read ({exc.strerror})"),
    # the operating system takes no file name holding a NUL character
    (ValueError, lambda exc: "cannot be read (the file name holds a NUL character)"),
)
"""What a failed read of a scenario file says, by the first kind of error that matches."""


def _read_yaml(path: Path, source: str, extended: bool = False) -> dict[str, Any]:
    """The mapping in a scenario file, or one clear ScenarioError.

    ``extended`` marks a file reached through another file's ``extends``, which can name any
    file on the machine (a key file, a password list): its content is only quoted in messages
    once it has shown itself to be a scenario mapping, whose top-level keys are scenario keys.
    """
    try:
        text = read_text(path)
    except (OSError, ValueError) as exc:
        problem = next(say(exc) for kind, say in _READ_ERRORS if isinstance(exc, kind))
        raise _error(source, None, problem) from None
    data = _parse_yaml(text, source, extended)
    if data is None:
        raise _error(source, None, "file is empty; expected a mapping of scenario keys")
    if not isinstance(data, dict):
        raise _error(source, None, _not_scenario(
            f"expected a mapping of scenario keys, got {type(data).__name__}", extended))
    if extended:
        _check_extended_keys(data, source)
    return data


def _parse_yaml(text: str, source: str, extended: bool) -> Any:
    """The YAML document in a scenario file's text, or a ScenarioError saying where it is
    malformed (quoting the parser only for a file given by the user, see :func:`_read_yaml`).
    """
    try:
        return safe_load(text, unique_keys=True)
    except yaml.reader.ReaderError as exc:  # a control character; has a position, not a mark
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character
        code = f"#x{char:04x}" if isinstance(char, int) else f"#x{ord(char):04x}"
        problem = "malformed YAML" if extended else f"malformed YAML: {exc.reason} ({code})"
        raise _error(source, f"line {line}", _not_scenario(problem, extended)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        if extended:  # a parser's message quotes the text it stopped at
            raise _error(source, where, _not_scenario("malformed YAML", True)) from None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        if not isinstance(exc, LimitError):  # a limit is valid YAML, only too much of it
            problem = f"malformed YAML: {problem}"
        raise _error(source, where, problem) from None


def _check_extended_keys(data: dict[Any, Any], source: str) -> None:
    """A file named by ``extends`` must have scenario keys at its top level before it is
    quoted: the key itself stays unsaid (it may be the name of a secret); a near scenario key
    can be named, since it comes from the model, not from the file.
    """
    unknown = [k for k in data if k not in Scenario.model_fields and k not in _META_KEYS]
    if unknown:
        best = closest(unknown[0], Scenario.model_fields) if isinstance(
            unknown[0], str) else None
        near = f"; did you mean '{best}'?" if best else ""
        raise _error(source, None, _not_scenario(
            f"its top-level keys are not all scenario keys{near}", True))


def _not_scenario(problem: str, extended: bool) -> str:
    """The problem with a file named by ``extends`` says what it is not, and what to give."""
    if not extended:
        return problem
    return f"is not a scenario file ({problem}); extends must name a scenario file"


def _resolve(path: Path) -> Path:
    """``path.resolve()``, or the path as it is where it cannot be resolved (a symbolic link
    that points at itself): reading it then gives the reason in words.
    """
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``; nested mappings merge key by key."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and everything it ``extends``, merged into one plain mapping."""
    path = Path(path)
    source = str(path)
    resolved = _resolve(path)
    if resolved in _chain:
        loop = " -> ".join(shown(p.name, _KEY_CHARS) for p in (*_chain, resolved))
        raise _error(source, "extends", f"circular extends ({loop})")
    data = _read_yaml(path, source, extended=bool(_chain))
    _check_keys(data, source)
    data.pop("claims", None)  # a file's claims are its own (sim/claims.py), like its description
    parent = data.pop("extends", None)
    if parent is None:
        data.setdefault("name", path.stem)
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise _error(source, "extends", "must be the path of another scenario file")
    parent_path = _resolve(path.parent / parent)
    # os.path.lexists is False for names the system refuses (too long, a NUL) where
    # Path.exists raises; a folder, pipe, device or broken link is refused by _read_yaml
    if not os.path.lexists(parent_path):
        raise _error(source, "extends", f"'{shown(parent)}' not found next to this file")
    base = load_raw(parent_path, (*_chain, resolved))
    base.pop("description", None)  # a description belongs to the file that states it
    merged = deep_merge(base, data)
    merged["name"] = data.get("name", path.stem)
    return merged


def file_claims(path: str | Path) -> object:
    """The ``claims:`` entry of the scenario file ``path`` as written (None when it has none);
    ``sim/claims.py`` checks what it says.
    """
    return _read_yaml(Path(path), str(path)).get("claims")


# --------------------------------------------------------------------------- overrides
def parse_override(text: str) -> tuple[str, Any]:
    """Split ``PATH=VALUE``; the value is read as YAML (``8``, ``0.5``, ``true``, ``fifo``)."""
    if "=" not in text:
        raise _error("--set", text, "expected PATH=VALUE, e.g. sales.reps=8")
    key, _, value_text = text.partition("=")
    key = key.strip()
    if not key:
        raise _error("--set", text, "expected PATH=VALUE, e.g. sales.reps=8")
    try:
        value = safe_load(value_text) if value_text.strip() else None
    except yaml.YAMLError as exc:
        why = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "not YAML"
        raise _error("--set", key, f"cannot read value '{shown(value_text)}' ({why}); give a "
                     "number, true, false, null or text (in quotes if it holds YAML signs)"
                     ) from None
    if value is None and value_text.strip().lower() not in ("null", "~", "none", ""):
        value = value_text
    if isinstance(value, str) and value.strip().lower() == "none":
        # `none` means empty, except where it is itself a valid text (feedback.mode=none)
        field = field_at(tuple(key.split(".")))
        ann = field.annotation if field is not None else None
        if not (ann is str or value in typing.get_args(ann)):
            value = None
    return key, value


def apply_override(raw: dict[str, Any], key: str, value: Any, source: str = "--set") -> None:
    """Set one dotted key in a raw scenario mapping, refusing names the model does not know."""
    parts = key.split(".")
    if len(parts) > 2 and parts[:2] == ["marketing", "channels"] and not _channel_names(raw):
        # the file keeps the default channels: write them out, so that changing one keeps the rest
        marketing = raw.setdefault("marketing", {})
        if marketing is None:
            marketing = raw["marketing"] = {}
        if isinstance(marketing, dict) and marketing.get("channels") is None:
            marketing["channels"] = {n: c.model_dump() for n, c in Marketing().channels.items()}
    known = valid_keys(_channel_names(raw))
    if key not in known:
        if key in ("name", "description"):
            pass
        elif any(k.startswith(key + ".") for k in known):
            raise _error(source, key, "is a section; set one of its keys, e.g. "
                         f"{next(k for k in known if k.startswith(key + '.'))}")
        elif (len(parts) >= 3 and parts[:2] == ["marketing", "channels"]
              and parts[2] not in _channel_names(raw)):
            names = _channel_names(raw)
            listed = ", ".join(shown(n, 40) for n in names[:20]) + (", …" if names[20:] else "")
            raise _error(
                source, key,
                f"unknown channel '{shown(parts[2], 40)}'{did_you_mean(parts[2], names)}; channels "
                f"here: {listed} (add new channels in a scenario file)",
            )
        else:
            raise _error(source, key, f"unknown key{did_you_mean(key, known)}")
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


# --------------------------------------------------------------------------- validation
def field_at(loc: tuple[Any, ...]) -> FieldInfo | None:
    """The declared field at ``loc`` (``("sales", "reps")``), or None if there is none; a
    validation error's location, a channel's key naming its channel.
    """
    return declared_field(loc)


def field_bounds(field: FieldInfo) -> tuple[Any, bool, Any, bool]:
    """A field's declared range as ``(low, low_is_open, high, high_is_open)``; None where open."""
    low = high = None
    low_open = high_open = False
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            low = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            low, low_open = meta.gt, True
        elif isinstance(meta, annotated_types.Le):
            high = meta.le
        elif isinstance(meta, annotated_types.Lt):
            high, high_open = meta.lt, True
    return low, low_open, high, high_open


def _constraints(loc: tuple[Any, ...]) -> str:
    """Describe the valid range of the field at ``loc`` ("0 to 1", "at least 1", …)."""
    field = field_at(loc)
    if field is None:
        return ""
    low, low_open, high, high_open = field_bounds(field)
    ann = str(field.annotation)
    kind = "a whole number" if "int" in ann else "a number"
    num = lambda v: str(v) if isinstance(v, int) else f"{v:g}"  # noqa: E731 - 2**63-1 in full
    if low is not None and high is not None:
        lo = f"above {num(low)}" if low_open else f"from {num(low)}"
        hi = f"below {num(high)}" if high_open else f"to {num(high)}"
        return f"{kind} {lo} {hi}"
    if low is not None:
        return f"{kind} {'above' if low_open else 'at least'} {num(low)}"
    if high is not None:
        return f"{kind} {'below' if high_open else 'at most'} {num(high)}"
    return ""


def _explain(err: Mapping[str, Any]) -> tuple[str | None, str]:
    loc = tuple(err.get("loc", ()))
    key = ".".join(str(p) for p in loc) or None
    kind = err.get("type", "")
    got = err.get("input")
    shown = f" (got {_got(got)})" if not isinstance(got, dict | list) else ""
    valid = _constraints(loc)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal",
                "finite_number"):
        return key, f"must be {valid or 'within range'}{shown}"
    if kind.startswith("int_"):
        return key, f"must be {valid or 'a whole number'}{shown}"
    if kind.startswith("float_"):
        return key, f"must be {valid or 'a number'}{shown}"
    if kind.startswith("bool_"):
        return key, f"must be true or false{shown}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return key, f"must be one of {expected}{shown}"
    if kind in ("string_type", "string_too_short", "string_too_long"):
        return key, f"must be {_text_limits(loc)}{shown}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return key, f"must be a mapping of keys{shown}"
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return key, msg
    return key, f"{err.get('msg', 'invalid value')}{shown}"


def _got(value: Any) -> str:
    """A bad value as a message repeats it: as Python writes it, cut short when long."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:30]!r}… of {len(value)} characters"
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4300 digits refuses to become text
        text = shown(value)
    return shown(text)


def _text_limits(loc: tuple[Any, ...]) -> str:
    """What a text field accepts, from its declared lengths ("text of 1 to 200 characters")."""
    field = field_at(loc)
    metadata = field.metadata if field is not None else []
    low = next((m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)), 0)
    high = next((m.max_length for m in metadata if isinstance(m, annotated_types.MaxLen)), None)
    if high is None:
        return f"text of at least {low} characters" if low else "text"
    return f"text of {low} to {high} characters" if low else f"text of at most {high} characters"


def _reject_non_finite(raw: Any, source: str, prefix: str = "") -> None:
    if isinstance(raw, Mapping):
        for k, v in raw.items():
            _reject_non_finite(v, source, f"{prefix}{k}.")
    elif isinstance(raw, float) and not math.isfinite(raw):
        raise _error(source, prefix.rstrip("."), f"must be a finite number (got {raw})")


def _reject_bool_numbers(data: Any, source: str) -> None:
    """YAML reads yes/no/on/off/true/false as booleans; a numeric key given one is an error,
    not silently 1 or 0 (``--set communication.sla_hours=yes`` must not mean one hour).
    """
    for entry in _entries(data):
        field = entry.field
        if (field is None or not isinstance(entry.value, bool) or field.annotation is bool
                or nested_section(field.annotation) is not None):
            continue
        valid = _constraints(entry.loc)
        if valid:
            raise _error(source, _dotted(entry.loc), f"must be {valid} (got {entry.value})")


def scenario_from_dict(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain mapping into a :class:`Scenario`, or raise one clear ScenarioError."""
    _check_keys(raw, source)
    _reject_non_finite(raw, source)
    _reject_bool_numbers(raw, source)
    data = {k: v for k, v in raw.items() if k not in _META_KEYS}
    marketing = data.get("marketing")
    channels = marketing.get("channels") if isinstance(marketing, Mapping) else None
    if isinstance(channels, Mapping):  # a channel given as `name:` with no body takes every default
        data["marketing"] = {**marketing, "channels": {
            ch: {} if spec is None else spec for ch, spec in channels.items()}}
    try:
        return Scenario.model_validate(data, strict=False)
    except ValidationError as exc:
        key, problem = _explain(exc.errors()[0])
        raise _error(source, key, problem) from None


def load_scenario(
    path: str | Path,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Scenario:
    """Load a scenario file (following ``extends``), apply overrides, validate.

    ``overrides`` is either ``["sales.reps=8", …]`` as on the command line, or a mapping
    ``{"sales.reps": 8}``. Raises :class:`~sim.errors.ScenarioError` on any bad input.
    """
    path = resolve_scenario_path(path)
    raw = load_raw(path)
    source = str(path)
    overridden: set[str] = set()
    if overrides:
        pairs = overrides.items() if isinstance(overrides, Mapping) else map(
            parse_override, overrides
        )
        for key, value in pairs:
            apply_override(raw, key, value)
            overridden.add(key)
        source = f"{path} with --set"
    try:
        return scenario_from_dict(raw, source)
    except ScenarioError as exc:
        # a bad value inherited through `extends` is reported against the file that states it
        origin = _origin(Path(path), exc.key) if exc.key and exc.key not in overridden else None
        if origin is None or origin == _resolve(Path(path)):
            raise
        raise _error(str(origin), exc.key, exc.problem) from None


def _origin(path: Path, key: str) -> Path | None:
    """The nearest file along the ``extends`` chain of ``path`` that sets the dotted ``key``."""
    seen: set[Path] = set()
    path = _resolve(path)
    while path not in seen:
        seen.add(path)
        data = _read_yaml(path, str(path))
        node: Any = data
        for part in key.split("."):
            node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
        if node is not _MISSING:
            return path
        parent = data.get("extends")
        if not isinstance(parent, str):
            return None
        path = _resolve(path.parent / parent)
    return None


def get_value(scenario: Scenario, key: str) -> Any:
    """The value of a dotted key in a scenario (``sales.reps`` -> 4)."""
    node: Any = scenario
    for part in key.split("."):
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return node


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted keys changed, validated like a file."""
    raw = scenario.model_dump()
    for key, value in overrides.items():
        apply_override(raw, key, value)
    return scenario_from_dict(raw, f"{scenario.name} with overrides")


class _Dumper(yaml.SafeDumper):
    """Safe YAML out; text holding a Unicode line break (NEL, LS, PS) is written double-quoted,
    where it is escaped: PyYAML's single-quoted style folds a NEL into a space.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(ch in data for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_scenario(scenario: Scenario, path: str | Path, header: str = "") -> None:
    """Write a scenario as a complete YAML file (atomically) that loads back to the same values."""
    path = Path(path)
    text = yaml.dump(scenario.model_dump(), Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    if header:  # a comment may hold printable characters only (YAML refuses the others)
        header = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in header)
        lines = header.rstrip("\n").split("\n")
        text = "".join(f"# {line}\n" if line else "#\n" for line in lines) + text
    write_atomic(path, text)


def resolve_scenario_path(name: str | Path) -> Path:
    """Accept a path, or a bare name: a preset such as ``baseline`` from ``scenarios/``, else a
    scenario the lab saved in ``my_scenarios/``.
    """
    path = Path(name)
    if path.exists() or path.suffix:
        return path
    for folder in (SCENARIO_DIR, MY_SCENARIOS_DIR):
        candidate = folder / f"{name}.yaml"
        if candidate.exists():
            return candidate
    return path


def preset_names() -> list[str]:
    """Names of the preset scenarios shipped in ``scenarios/`` (without checks)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
