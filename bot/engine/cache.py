"""The index cache: a built :class:`~bot.engine.matcher.Matcher`, kept on disk between runs.

Building the index (and compiling the model's trees) takes far longer than answering,
so a cold ``python -m bot ask`` would spend most of its time there. The cache holds the
built matcher, pickled, under ``data/cache/`` beside the configuration (git-ignored).
Its key is a hash of everything the matcher is made of: the bytes of every knowledge
file, the model's parameters, the engine's own source code and the Python version, and
the engine's settings. Any change to any of them is a new key; a missing, stale,
unreadable or damaged cache is rebuilt, never used. Only this program writes the cache,
in its own folder, so unpickling it trusts nothing it did not write itself.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import logging
import os
import pickle
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

from ..knowledge.paths import KnowledgePaths
from ..knowledge.yamlio import atomic_write

log = logging.getLogger(__name__)


def _read_only(mapping: dict) -> types.MappingProxyType:
    return types.MappingProxyType(mapping)


# The knowledge's read-only mappings pickle as the dicts they wrap.
copyreg.pickle(types.MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))

CACHE_DIR = Path("data") / "cache"
_PACKAGE = Path(__file__).resolve().parents[1]  # bot/
_KEEP = 4  # caches kept (other configurations, the previous version)
_UNFINISHED_AGE = 600.0  # seconds: a temporary file this old is no write in progress


def knowledge_files(paths: KnowledgePaths) -> list[Path]:
    """Every file the knowledge is loaded from, in a fixed order."""
    files = sorted(paths.sources.glob("*.txt")) + sorted(paths.sources.glob("*.yaml"))
    files += [paths.qa, paths.facts]
    files += [p for p in (paths.members, paths.learned) if p is not None]
    return files


def _engine_sources() -> list[Path]:
    return sorted([*(_PACKAGE / "engine").glob("*.py"), *(_PACKAGE / "lang").glob("*.py"),
                   *(_PACKAGE / "knowledge").glob("*.py"), _PACKAGE / "engine" / "model.json"])  # fmt: skip


def cache_key(paths: KnowledgePaths, settings: object) -> str:
    """The hash of everything a matcher built from ``paths`` with ``settings`` is made of."""
    digest = hashlib.sha256()
    digest.update(repr((sys.version_info[:3], settings)).encode())
    for path in (*_engine_sources(), *knowledge_files(paths)):
        digest.update(str(path.name).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def cached(paths: KnowledgePaths, settings: object, build: Callable[[], object]) -> object:
    """The matcher for ``paths``: from the cache when it is current, else ``build()``
    (and stored). Errors of the knowledge itself come from ``build`` as they would."""
    try:
        key = cache_key(paths, settings)
    except OSError:
        return build()  # an unreadable file: let the loader report it
    folder = paths.root / CACHE_DIR
    path = folder / f"index-{key[:32]}.pickle"
    try:
        with open(path, "rb") as handle:
            stored_key, matcher = _unpickled(handle.read())
        if stored_key == key:
            return matcher
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged or from another version: rebuild
        log.info("index cache %s not used (%s): rebuilding", path.name, type(exc).__name__)
    matcher = build()
    try:
        data = pickle.dumps((key, matcher), protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        _prune(folder)
    except Exception as exc:  # a read-only checkout still answers, just slower to start
        log.info("index cache not written: %s", exc)
    return matcher


def _unpickled(data: bytes) -> tuple[str, object]:
    """``pickle.loads`` with the garbage collector paused: unpickling makes tens of
    thousands of objects, none of them garbage, and the collections they set off took
    about a third of the time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if collecting:
            gc.enable()


def _prune(folder: Path, now: float | None = None) -> None:
    """Keep the newest caches; drop the temporary files of writes that never finished
    (a process killed mid-write), once they are too old to belong to a write going on."""
    caches = sorted(folder.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time() if now is None else now
    stale = [p for p in folder.glob(".index-*.pickle.*.tmp") if _age(p, now) > _UNFINISHED_AGE]
    for old in [*caches[_KEEP:], *stale]:
        try:
            os.unlink(old)
        except OSError:
            pass


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0
