"""Typed configuration read from ``config.yaml``.

Every setting has a default, so a missing section is fine; an unknown key, a wrong type
or an out-of-range value is an error naming the file and line. Paths are resolved
relative to the config file, never to the working directory. Secrets (the Discord
token) are never read from here: see :mod:`bot.secrets`.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from .engine.settings import EngineConfig
from .knowledge.paths import KnowledgePaths
from .knowledge.problems import KnowledgeError, Problem
from .knowledge.yamlio import MAX_BYTES, LineDict, read_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"
CONFIG_ENV = "FOC_BOT_CONFIG"


@dataclass(frozen=True)
class KnowledgeConfig:
    """Where the knowledge lives; relative paths are relative to ``directory``."""

    directory: str = "knowledge"
    qa: str = "qa.yaml"
    facts: str = "facts.yaml"
    sources: str = "sources"
    members: str = "members.yaml"
    # Alternates moderators attached from Discord (/kb unanswered); written by the bot
    # only, so it never rewrites the files people edit. A missing file means none.
    learned: str = "learned.yaml"
    # Where imports, learned additions and rollbacks keep the versions they replace.
    backups: str = "backups"
    # Backups kept: always the newest backups_keep, and every one younger than
    # backups_days days; older ones are deleted after each new backup.
    backups_keep: int = 50
    backups_days: float = 7.0
    # Seconds between two checks of the knowledge files for changes (0: never watch).
    watch_interval: float = 5.0
    # Largest qa.yaml accepted by /kb import and `kb import`.
    max_import_bytes: int = 1_000_000


@dataclass(frozen=True)
class DiscordConfig:
    """The Discord front end. No ids are hard-coded: everything server-specific is here."""

    # Guild (server) id for instant command sync while developing; None syncs globally.
    dev_guild: int | None = None
    # Channels where the bot also answers without being mentioned (needs the privileged
    # message_content intent, enabled in the developer portal), and only when at least
    # this confident, to avoid answering chatter.
    answer_channels: tuple[int, ...] = ()
    channel_threshold: float = 80.0
    # Anti-spam: at most user_rate questions per user_per seconds per user, and
    # channel_rate per channel_per seconds per channel.
    user_rate: int = 5
    user_per: float = 60.0
    channel_rate: int = 20
    channel_per: float = 60.0
    # Longest question accepted from Discord.
    max_question_chars: int = 500
    # The same question in the same channel within this many seconds points to the
    # earlier answer instead of repeating it.
    repeat_window: float = 120.0
    # Discord user ids allowed to run owner commands (sync) besides the application owner.
    owner_ids: tuple[int, ...] = ()
    # Role ids whose members may use /kb, besides anyone with the Manage Server permission.
    moderator_roles: tuple[int, ...] = ()
    # Channel id where knowledge problems (a broken edit on disk) are reported; None: log only.
    mod_channel: int | None = None


@dataclass(frozen=True)
class StorageConfig:
    """The bot's own database: questions asked, feedback, the audit log of changes."""

    # SQLite file, relative to the config file.
    path: str = "data/foc-bot.sqlite3"
    # Questions and votes older than this many days are deleted (0 keeps them forever).
    # The audit log of knowledge changes is kept.
    retention_days: int = 90


_RANGES: dict[str, tuple[float, float]] = {
    "retention_days": (0, 36_500),
    "threshold": (0, 100),
    "suggestions": (0, 10),
    "suggestion_floor": (0, 100),
    "max_question_chars": (1, 100_000),
    "channel_threshold": (0, 100),
    "user_rate": (1, 10_000),
    "user_per": (0, 86_400),
    "channel_rate": (1, 10_000),
    "channel_per": (0, 86_400),
    "repeat_window": (0, 86_400),
    "watch_interval": (0, 3_600),
    "max_import_bytes": (1, MAX_BYTES),
    "backups_keep": (1, 100_000),
    "backups_days": (0, 36_500),
}


@dataclass(frozen=True)
class Config:
    """The whole configuration, with paths resolved."""

    path: Path
    knowledge: KnowledgeConfig = field(default_factory=KnowledgeConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)

    @property
    def base(self) -> Path:
        return self.path.parent

    @property
    def knowledge_dir(self) -> Path:
        return (self.base / self.knowledge.directory).resolve()

    @property
    def qa_path(self) -> Path:
        return self.knowledge_dir / self.knowledge.qa

    @property
    def facts_path(self) -> Path:
        return self.knowledge_dir / self.knowledge.facts

    @property
    def members_path(self) -> Path:
        return self.knowledge_dir / self.knowledge.members

    @property
    def sources_dir(self) -> Path:
        return self.knowledge_dir / self.knowledge.sources

    @property
    def learned_path(self) -> Path:
        return self.knowledge_dir / self.knowledge.learned

    @property
    def backups_dir(self) -> Path:
        return self.knowledge_dir / self.knowledge.backups

    def knowledge_paths(self) -> KnowledgePaths:
        """The knowledge files this configuration names."""
        return KnowledgePaths(
            root=self.base,
            sources=self.sources_dir,
            qa=self.qa_path,
            facts=self.facts_path,
            members=self.members_path,
            learned=self.learned_path,
        )

    @property
    def storage_path(self) -> Path:
        return (self.base / self.storage.path).resolve()


_SECTIONS: dict[str, type] = {
    "knowledge": KnowledgeConfig,
    "engine": EngineConfig,
    "discord": DiscordConfig,
    "storage": StorageConfig,
}


def _type_ok(value: Any, annotation: Any) -> bool:
    hint = typing.get_origin(annotation)
    if hint in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is list or hint is tuple:
        (item,) = typing.get_args(annotation)[:1]
        return isinstance(value, list) and all(_type_ok(v, item) for v in value)
    return isinstance(value, annotation)


def _build_section(cls: type, raw: Any, name: str, file: str, problems: list[Problem]) -> Any:
    if raw is None:
        return cls()
    line = raw.line if isinstance(raw, LineDict) else None
    if not isinstance(raw, dict):
        problems.append(Problem(file, f"section {name!r} must be a mapping", line))
        return cls()
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        key_line = raw.line_of(str(key)) if isinstance(raw, LineDict) else None
        if key not in known:
            problems.append(
                Problem(file, f"unknown setting '{name}.{key}' (known: {', '.join(known)})", key_line)
            )
            continue
        if not _type_ok(value, hints[key]):
            expected = getattr(hints[key], "__name__", str(hints[key]))
            problems.append(Problem(file, f"'{name}.{key}' must be {expected}, not {value!r}", key_line))
            continue
        low_high = _RANGES.get(key)
        if low_high and value is not None and not low_high[0] <= value <= low_high[1]:
            problems.append(
                Problem(
                    file,
                    f"'{name}.{key}' must be between {low_high[0]} and {low_high[1]}, not {value}",
                    key_line,
                )
            )
            continue
        if hints[key] is float or (hints[key] == float | None and value is not None):
            value = float(value)
        values[key] = tuple(value) if typing.get_origin(hints[key]) is tuple else value
    for f in fields(cls):
        if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
            problems.append(Problem(file, f"missing setting '{name}.{f.name}'", line))
    return cls(**values)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the configuration.

    ``path`` defaults to ``$FOC_BOT_CONFIG`` or the project's ``config.yaml``. Raises
    KnowledgeError listing every problem.
    """
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    if not chosen.exists() and not path and not os.environ.get(CONFIG_ENV):
        # Installed without the project folder (pip install . rather than -e .).
        raise KnowledgeError(
            [
                Problem(
                    str(chosen),
                    "no config.yaml beside the installed package: install the project in place "
                    "(`pip install -e .` in the project folder), or pass --config FILE or set "
                    f"{CONFIG_ENV}",
                )
            ]
        )
    raw = read_yaml(chosen, str(chosen))
    problems: list[Problem] = []
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise KnowledgeError([Problem(str(chosen), "config must be a mapping of sections", 1)])
    sections: dict[str, Any] = {}
    for key in raw:
        if key not in _SECTIONS:
            line = raw.line_of(str(key)) if isinstance(raw, LineDict) else None
            problems.append(
                Problem(str(chosen), f"unknown section {key!r} (known: {', '.join(_SECTIONS)})", line)
            )
    for name, cls in _SECTIONS.items():
        sections[name] = _build_section(cls, raw.get(name), name, str(chosen), problems)
    if problems:
        raise KnowledgeError(problems)
    return Config(path=chosen, **sections)
