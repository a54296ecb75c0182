"""Noticing edits of the knowledge files by polling their modification times and sizes.

Polling is simple and works everywhere (network drives, containers, editors that
replace files) without a dependency. A snapshot maps every knowledge file to its
(modification time, size, inode, mode); any difference between two snapshots means
reload. The mode is there so that a permission change alone (``chmod 000 qa.yaml``,
which leaves the modification time alone) is noticed and reported too.
Backups and hidden files (editor swap files, the temporary files of an atomic write)
are not knowledge and are ignored.
"""

from __future__ import annotations

from pathlib import Path

Snapshot = dict[str, tuple[int, int, int, int]]


def snapshot(directory: Path, ignore: tuple[Path, ...] = ()) -> Snapshot:
    """(mtime_ns, size, inode, mode) of every file under ``directory``, by relative path."""
    found: Snapshot = {}
    skipped = {path.resolve() for path in ignore}
    if not directory.is_dir():
        return found
    stack = [directory]
    while stack:
        folder = stack.pop()
        try:
            children = list(folder.iterdir())
        except OSError:
            continue  # removed while we looked: the next snapshot will tell
        for path in children:
            if path.name.startswith(".") or path.resolve() in skipped:
                continue
            try:
                if path.is_dir():
                    stack.append(path)
                    continue
                info = path.stat()
            except OSError:
                continue
            found[str(path.relative_to(directory))] = (
                info.st_mtime_ns,
                info.st_size,
                info.st_ino,
                info.st_mode,
            )
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
