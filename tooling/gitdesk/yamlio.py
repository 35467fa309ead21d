"""Safe, bounded YAML and atomic file writes.

Everything gitdesk reads from a repository goes through :func:`load_yaml_file` or
:func:`load_yaml_text`: a size limit, the C loader when PyYAML has it (ten times faster), and no
anchors or aliases (an alias bomb expands to gigabytes once walked). Every file gitdesk writes
goes through :func:`atomic_write`, so a process killed mid-write leaves either nothing or the
whole file.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from gitdesk.errors import ValidationError

DEFAULT_MAX_BYTES = 1024 * 1024
TMP_PREFIX, TMP_SUFFIX = ".tmp-", ".part"
# a temporary file this old is a killed writer's, not one being written (those live milliseconds)
STALE_TMP_SECONDS = 15 * 60
_swept: set[str] = set()  # folders this process has cleaned already (once each: imports write thousands)

_FastLoader: type
_FastDumper: type
try:  # pragma: no cover - depends on how PyYAML was built
    _FastLoader = yaml.CSafeLoader
    _FastDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _FastLoader = yaml.SafeLoader
    _FastDumper = yaml.SafeDumper


class _NoAliasLoader(yaml.SafeLoader):
    """Pure-Python loader that refuses anchors and aliases (used only when text has ``&``/``*``)."""

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "anchors and aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


# YAML 1.2 core schema: the plain scalars that are not strings. YAML 1.1 (PyYAML's default)
# also reads yes/no/on/off as booleans, 1:30 as 90 (base 60), 010 as octal and 2026-12-25 as a
# date, so `id_prefix: NO` became false and `first_response: 1:30` became 90.
_CORE12 = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]


def _core12(base: type) -> type:
    """``base`` (a safe loader) resolving plain scalars by the YAML 1.2 core schema."""
    import re

    class Loader(base):
        yaml_implicit_resolvers: dict = {}

    for tag, pattern, first in _CORE12:
        for ch in first:
            Loader.yaml_implicit_resolvers.setdefault(ch, []).append((tag, re.compile(pattern)))

    def construct_int(loader, node):
        text = loader.construct_scalar(node)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)  # 010 is ten, not eight

    def construct_bool(loader, node):
        return loader.construct_scalar(node).lower() == "true"

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    return Loader


def _describe(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"malformed YAML: {where}{problem}"


def load_yaml_text(text: str, *, path: str = "<text>", max_bytes: int = DEFAULT_MAX_BYTES, core12: bool = False) -> Any:
    """Parse one YAML document safely; raise :class:`ValidationError` naming ``path``.

    ``core12``: read plain scalars by YAML 1.2's core schema (files people write by hand, such as
    ``helpdesk.yml``), not PyYAML's YAML 1.1 rules."""
    if len(text) > max_bytes:
        raise ValidationError(f"file is larger than the limit of {max_bytes} bytes", path=path)
    loader: type = _NoAliasLoader if ("&" in text or "*" in text) else _FastLoader
    if core12:
        loader = _CORE12_LOADERS.get(loader) or _CORE12_LOADERS.setdefault(loader, _core12(loader))
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are safe loaders
    except yaml.YAMLError as exc:
        raise ValidationError(_describe(exc), path=path) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. an impossible date
        raise ValidationError(f"malformed YAML: {exc}", path=path) from None


_CORE12_LOADERS: dict[type, type] = {}


def read_bytes_within(path: str | os.PathLike, max_bytes: int) -> bytes | None:
    """The file's bytes, or None when it cannot be read or is larger than ``max_bytes`` (for
    derived data, where a file that is not what we wrote is simply recomputed)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    return None if len(data) > max_bytes else data


def decode_limited(data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES, encoding: str = "utf-8") -> str:
    """Bytes read with one byte to spare -> text; too big or not UTF-8 is an error naming ``name``."""
    if len(data) > max_bytes:
        raise ValidationError(f"file is larger than the limit of {max_bytes} bytes", path=name)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 text (byte {exc.start})", path=name) from None


def read_text(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None,
              encoding: str = "utf-8") -> str:
    """A text file from the repository, with the size limit checked before reading it whole."""
    name = display or str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise ValidationError("file not found", path=name) from None
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=name) from None
    return decode_limited(data, name=name, max_bytes=max_bytes, encoding=encoding)


def load_yaml_file(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str | None = None) -> Any:
    """Read and parse a YAML file with the size limit checked before reading it whole."""
    name = display or str(path)
    return load_yaml_text(read_text(path, max_bytes=max_bytes, display=name), path=name, max_bytes=max_bytes)


def dump_yaml(data: Any) -> str:
    """Block-style, key-ordered-as-given, unicode YAML (what humans read in diffs)."""
    return yaml.dump(data, Dumper=_FastDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def is_stale_temporary(path: Path, now: float | None = None) -> bool:
    """A temporary file of :func:`atomic_write` left behind by a writer that was killed."""
    name = path.name
    if not (name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX)):
        return False
    try:
        age = (time.time() if now is None else now) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > STALE_TMP_SECONDS


def sweep_stale_temporaries(folder: Path) -> None:
    """Remove killed writers' temporary files from ``folder`` (the first write there in this
    process does it; a write in progress is younger than :data:`STALE_TMP_SECONDS` and stays)."""
    key = str(folder)
    if key in _swept:
        return
    _swept.add(key)
    now = time.time()
    for tmp in folder.glob(TMP_PREFIX + "*" + TMP_SUFFIX):
        if is_stale_temporary(tmp, now):
            try:
                tmp.unlink()
            except OSError:  # gone already, or not ours to remove: check still names it
                pass


def current_umask() -> int:
    """The process's umask, read from /proc where it can be (setting it to read it back is
    not thread-safe), else set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, data: str | bytes, *, exclusive: bool = False, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    With ``exclusive`` the final name must not exist yet (events are immutable): the rename is
    done with ``os.link`` so an existing file is never replaced, then the temporary is removed.
    ``durable=False`` skips the fsync (bulk imports write thousands of files and flush once).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temporaries(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600: follow the umask like any tool
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ValidationError("refusing to overwrite an existing file", path=str(path)) from None
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
