"""FOC membership records (``knowledge/members.yaml``) and country lookup for ``/member``.

The list is incomplete by nature, so a lookup that finds nothing means "no record in
the knowledge", never "not a member". Names resolve through aliases (South Korea, ROK;
Cape Verde) and, failing that, fuzzily (typos), but only above a strict similarity so
that "Niger" does not become "Nigeria".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from ..lang.text import normalize
from .facts import check_quote
from .model import SourceRef
from .problems import KnowledgeError, Problem
from .sources import Document
from .yamlio import LineDict, read_yaml

_FIELDS = {"country", "aliases", "ordinal", "joined", "founding", "withdrew", "note", "source"}
_FUZZY_CUTOFF = 85.0


@dataclass(frozen=True, slots=True)
class Member:
    """One country's membership record and where it comes from."""

    country: str
    aliases: tuple[str, ...]
    source: str | SourceRef
    ordinal: int | None = None
    joined: int | None = None
    founding: bool = False
    withdrew: str | None = None
    note: str | None = None

    def summary(self) -> str:
        """One plain sentence about the membership."""
        parts = [f"{self.country} is recorded as a member of the Freedom Online Coalition"]
        if self.ordinal:
            parts.append(f" (its {_ordinal(self.ordinal)} member)")
        if self.founding:
            parts.append(", a founding member")
        if self.joined:
            parts.append(f", joined in {self.joined}")
        text = "".join(parts) + "."
        if self.withdrew:
            text = f"{self.country} was a member of the Freedom Online Coalition and withdrew on {self.withdrew}."
        if self.note:
            text += f" {self.note}"
        return text


@dataclass(frozen=True)
class Members:
    """All records, with name lookup."""

    members: tuple[Member, ...]
    founded: Mapping[str, object]

    def __post_init__(self) -> None:
        names: dict[str, Member] = {}
        for member in self.members:
            for name in (member.country, *member.aliases):
                names[normalize(name)] = member
        object.__setattr__(self, "_names", names)

    def find(self, country: str) -> Member | None:
        """The record for ``country`` (name, alias or close spelling), or None."""
        key = normalize(country)
        if not key:
            return None
        names: dict[str, Member] = self._names  # type: ignore[attr-defined]
        if key in names:
            return names[key]
        best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return names[best[0]] if best else None

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        """Country names for autocomplete, best first."""
        countries = sorted(m.country for m in self.members)
        key = normalize(typed)
        if not key:
            return countries[:limit]
        names: dict[str, Member] = self._names  # type: ignore[attr-defined]
        hits = process.extract(key, list(names), scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=50)
        out = dict.fromkeys(names[name].country for name, _, _ in hits)
        return list(out)[:limit]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _member(
    raw: object, file: str, documents: Mapping[str, Document], problems: list[Problem]
) -> Member | None:
    line = raw.line if isinstance(raw, LineDict) else None
    if not isinstance(raw, dict):
        problems.append(Problem(file, "each member must be a mapping with country and source", line))
        return None
    country = raw.get("country")
    who = country if isinstance(country, str) else None
    before = len(problems)

    def bad(message: str) -> None:
        problems.append(Problem(file, message, line, who))

    for key in raw:
        if key not in _FIELDS:
            bad(f"unknown field {key!r} (allowed: {', '.join(sorted(_FIELDS))})")
    if not isinstance(country, str) or not country.strip():
        bad("'country' must be non-empty text")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        bad("'aliases' must be a list of names")
        aliases = []
    for key in ("ordinal", "joined"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            bad(f"{key!r} must be a positive whole number")
    if not isinstance(raw.get("founding", False), bool):
        bad("'founding' must be true or false")
    for key in ("withdrew", "note"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str | int):
            bad(f"{key!r} must be text")
    source = raw.get("source")
    ref: str | SourceRef | None = None
    if isinstance(source, str) and source.strip():
        ref = source.strip()
    elif isinstance(source, dict):
        if set(source) != {"document", "paragraph", "quote"}:
            bad("a document source needs exactly document, paragraph and quote")
        else:
            ref, why = check_quote(
                str(source["document"]), source["paragraph"], str(source["quote"]), documents
            )
            if why:
                bad(why)
    else:
        bad("'source' is required: a web address or {document, paragraph, quote}")
    if len(problems) > before or ref is None:
        return None
    return Member(
        country=country.strip(),
        aliases=tuple(a.strip() for a in aliases),
        source=ref,
        ordinal=raw.get("ordinal"),
        joined=raw.get("joined"),
        founding=raw.get("founding", False),
        withdrew=None if raw.get("withdrew") is None else str(raw["withdrew"]),
        note=raw.get("note"),
    )


def load_members(path: Path, display: str, documents: Mapping[str, Document]) -> Members:
    """Read and validate members.yaml; raise KnowledgeError listing every problem."""
    raw = read_yaml(path, display)
    if not isinstance(raw, dict) or not isinstance(raw.get("members"), list):
        raise KnowledgeError([Problem(display, "expected a mapping with a 'members:' list", 1)])
    problems: list[Problem] = []
    members: list[Member] = []
    seen: dict[str, str] = {}
    for item in raw["members"]:
        member = _member(item, display, documents, problems)
        if member is None:
            continue
        for name in (member.country, *member.aliases):
            key = normalize(name)
            if key in seen and seen[key] != member.country:
                problems.append(
                    Problem(display, f"name {name!r} also used by {seen[key]!r}", None, member.country)
                )
            seen[key] = member.country
        members.append(member)
    founded = raw.get("founded") or {}
    if not isinstance(founded, dict):
        problems.append(Problem(display, "'founded' must be a mapping"))
        founded = {}
    if problems:
        raise KnowledgeError(problems)
    return Members(tuple(members), dict(founded))
