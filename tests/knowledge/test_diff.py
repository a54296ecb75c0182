"""bot.knowledge.diff: entries added, changed and removed between two versions."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge.diff import EntryChange, KnowledgeDiff, describe, diff_entries, summary
from bot.knowledge.model import Entry, SourceRef

SOURCE = SourceRef("announcement", 8, "increasing the membership to 38")


def entry(entry_id: str, **changes) -> Entry:
    base = Entry(
        id=entry_id,
        question=f"What about {entry_id}?",
        alternates=(f"{entry_id} one", f"{entry_id} two"),
        answer=f"The answer about {entry_id}.",
        source=SOURCE,
        tags=("t",),
        file="knowledge/qa.yaml",
        line=1,
    )
    return dataclasses.replace(base, **changes)


def test_identical_versions_have_no_change():
    old = (entry("a"), entry("b"))
    diff = diff_entries(old, old, {"k": ("v",)}, {"k": ["v"]})
    assert diff.empty and diff == KnowledgeDiff()
    assert summary(diff) == "no change"
    assert describe(diff) == ["no change"]


def test_position_in_the_file_is_not_a_change():
    assert diff_entries((entry("a"),), (entry("a", line=40, file="upload"),)).empty


def test_added_changed_removed_in_their_version_order():
    old = (entry("a"), entry("b"), entry("c"))
    new = (entry("d"), entry("c", answer="New."), entry("a"), entry("e"))
    diff = diff_entries(old, new)
    assert diff.added == ("d", "e")
    assert diff.removed == ("b",)
    assert diff.changed == (EntryChange("c", ("answer",)),)
    assert summary(diff) == "2 added, 1 changed, 1 removed"


def test_alternates_added_and_removed_are_listed():
    old = entry("a")
    new = entry("a", alternates=("a two", "a three", "a four"), tags=("t", "u"))
    (change,) = diff_entries((old,), (new,)).changed
    assert change.fields == ("alternates", "tags")
    assert change.alternates_added == ("a three", "a four")
    assert change.alternates_removed == ("a one",)


def test_every_compared_field_is_detected():
    old = entry("a")
    variants = {
        "question": "Other?",
        "answer": "Other.",
        "source": SourceRef("announcement", 3, "x"),
        "tags": (),
        "alternates": ("a one",),
    }
    for name, value in variants.items():
        (change,) = diff_entries((old,), (dataclasses.replace(old, **{name: value}),)).changed
        assert change.fields == (name,)


def test_synonyms_change_only_counts_when_both_sides_are_known():
    old, new = (entry("a"),), (entry("a"),)
    assert diff_entries(old, new, {"k": ("v",)}, {"k": ("w",)}).synonyms_changed
    assert not diff_entries(old, new, None, {"k": ("w",)}).synonyms_changed
    assert summary(diff_entries(old, new, {}, {"k": ()})) == "0 added, 0 changed, 0 removed, synonyms changed"


def test_describe_lists_each_kind_and_cuts_long_lists():
    old = (*(entry(f"old-{i}") for i in range(5)), entry("kept"))
    new = (entry("kept", alternates=("kept one", "kept new")), entry("new-1"))
    lines = describe(diff_entries(old, new), limit=2)
    assert lines == [
        "added (1):",
        "  new-1",
        "changed (1):",
        "  kept: alternates +1 alternate(s) -1 alternate(s)",
        "removed (5):",
        "  old-0",
        "  old-1",
        "  ... and 3 more",
    ]


ids = st.lists(st.sampled_from("abcdefgh"), unique=True)


@given(ids, ids, st.sets(st.sampled_from("abcdefgh")))
def test_diff_partitions_the_ids(old_ids, new_ids, edited):
    old = tuple(entry(i) for i in old_ids)
    new = tuple(entry(i, answer="Edited.") if i in edited else entry(i) for i in new_ids)
    diff = diff_entries(old, new)
    assert set(diff.added) == set(new_ids) - set(old_ids)
    assert set(diff.removed) == set(old_ids) - set(new_ids)
    assert {c.id for c in diff.changed} == set(old_ids) & set(new_ids) & edited
    assert diff_entries(new, old).added == diff.removed


def test_korean_fields_are_compared_too():
    old = entry("a")
    new = entry("a", question_ko="질문?", alternates_ko=("다른 질문",))
    (change,) = diff_entries((old,), (new,)).changed
    assert change.fields == ("question_ko", "alternates_ko")
    assert change.alternates_added == ("다른 질문",)
