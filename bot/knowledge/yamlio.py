"""Safe YAML reading that remembers line numbers, and atomic file writing.

Knowledge files are written by people, and later uploaded through Discord, so reading
them must be safe and informative: only plain YAML types (``SafeLoader``), no anchors or
aliases (which is what makes "billion laughs" files possible), bounded size and nesting,
and every mapping tagged with the line it starts on so errors can point at it.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from .problems import KnowledgeError, Problem

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20


class LineDict(dict):
    """A dict that knows the line its mapping starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, limits nesting and records line numbers."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(None, None, "anchors (&name) are not allowed", event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML raises plain Python errors for some bad values (a 5,000-digit integer,
        # "!!bool maybe", "!!binary" that is not base64): report them at their line.
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"this value cannot be read ({exc.__class__.__name__})", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            # A mapping tag on something else ("!!set [a]", "!!omap x").
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain text", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[str(key)] = key_node.start_mark.line + 1
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
# Dates stay text: "2023-08-29" is shown to people as written.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


_CLoader = getattr(yaml, "CSafeLoader", None)
_BRACKET = re.compile(r"[\[\]{}]")
# What might be an anchor (&a) or alias (*a): such text takes the pure-Python loader,
# which reports it precisely.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:-])[&*]\w", re.MULTILINE)


def _flow_depth(text: str) -> int:
    """An upper bound of the bracket nesting of ``text`` (brackets in strings count too)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_graph(root: yaml.Node) -> None:
    """Refuse aliases (a node reached twice) and nesting deeper than MAX_DEPTH."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed", node.start_mark
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


def _load(text: str) -> Any:
    """Parse with libyaml when available (about 10x faster), else in pure Python.

    libyaml composes recursively in C, so text that may nest deeper than MAX_DEPTH
    goes to the pure-Python loader, which stops at the limit.
    """
    if _CLoader is None or _MAYBE_ANCHOR.search(text) or _flow_depth(text) > MAX_DEPTH:
        return yaml.load(text, Loader=_Loader)
    parser = _CLoader(text)
    try:
        node = parser.get_single_node()
    finally:
        parser.dispose()
    if node is None:
        return None
    _check_graph(node)
    return _Loader("").construct_document(node)


def decode_utf8(data: bytes, file: str) -> str:
    """Decode bytes as UTF-8 or raise a KnowledgeError naming the offending line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KnowledgeError(
            [
                Problem(
                    file,
                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                    line,
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def parse_yaml(data: bytes | str, file: str, max_bytes: int = MAX_BYTES) -> Any:
    """Parse YAML text or bytes safely; raise KnowledgeError with file and line on failure."""
    size = len(data)
    if size > max_bytes:
        raise KnowledgeError([Problem(file, f"file is {size} bytes, more than the limit of {max_bytes}")])
    text = decode_utf8(data, file) if isinstance(data, bytes) else data
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise KnowledgeError([Problem(file, f"YAML syntax: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(file, f"YAML syntax: {exc}")]) from None
    except RecursionError:
        raise KnowledgeError([Problem(file, "YAML nesting too deep")]) from None


def os_problem(exc: OSError, file: str, doing: str = "read") -> Problem:
    """What went wrong reading or writing ``file`` and what to do about it, for people."""
    if isinstance(exc, FileNotFoundError):
        if doing == "read":
            return Problem(file, "file not found: put it back (from a backup or version control)")
        return Problem(file, f"cannot {doing}: its folder is missing; create it")
    if isinstance(exc, IsADirectoryError):
        return Problem(file, f"cannot {doing}: it is a directory, not a file; put the file back in its place")
    if isinstance(exc, PermissionError):
        whom = "read" if doing == "read" else "read and write"
        return Problem(
            file, f"cannot {doing}: permission denied; let the bot's user {whom} it (e.g. chmod u+rw)"
        )
    reason = exc.strerror or exc.__class__.__name__
    return Problem(file, f"cannot {doing}: {reason}; check the disk and the file")


def read_file(path: Path, display: str | None = None) -> bytes:
    """The bytes of a knowledge file; any failure is a KnowledgeError naming ``display``."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KnowledgeError([os_problem(exc, display or str(path))]) from None


def read_regular_file(path: Path, display: str | None = None) -> bytes:
    """Like :func:`read_file`, but refuses a symbolic link or anything but a plain file
    (what is sent out of the knowledge folder must be the file itself, not what a link
    points to)."""
    name = display or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        if path.is_symlink():
            raise KnowledgeError([Problem(name, "is a symbolic link; replace it with the file itself")])
        fd = os.open(path, flags)
    except OSError as exc:
        raise KnowledgeError([os_problem(exc, name)]) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise KnowledgeError([Problem(name, "is not a regular file; put the file back in its place")])
        return handle.read()


def read_yaml(path: Path, display: str | None = None) -> Any:
    """Read and parse a YAML file; errors name ``display`` (default: the path)."""
    name = display or str(path)
    return parse_yaml(read_file(path, name), name)


def remove_stale_temporaries(directory: Path, older_than: float = 60.0) -> list[Path]:
    """Delete what an interrupted :func:`atomic_write` left in ``directory`` (``.NAME.*.tmp``
    files older than ``older_than`` seconds, so a write in progress elsewhere is spared);
    returns what was removed."""
    removed: list[Path] = []
    cutoff = time.time() - older_than
    try:
        candidates = list(directory.glob(".*.tmp"))
    except OSError:
        return removed
    for path in candidates:
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    Writes a temporary file in the same directory, flushes it to disk, then renames it
    over the target (``os.replace`` is atomic on POSIX and Windows). The target keeps its
    permissions (a new file gets rw-r--r--), not the private ones of a temporary file.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows there are no such modes to keep
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
