"""bot.knowledge.editing: one entry of qa.yaml added or rewritten as text, the rest kept."""

from __future__ import annotations

import pytest

from bot.knowledge.editing import EntryForm, parse_paragraph, raw_entry, slug, split_alternates, with_entry
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.yamlio import parse_yaml

FILE = """\
# header comment
synonyms:
  korea: [rok]
entries:

  # ---- first section ----
  - id: one
    question: First?
    alternates: [a, b]
    answer: One.
    answer_ko: 하나.
    source: {document: announcement, paragraph: 2, quote: Mr. Park Jin}
    tags: [x]

  # ---- second section ----
  - id: two
    question: Second?
    answer: Two.
    source:
      document: announcement
      paragraph: 3
      quote: South Korea
"""


def test_an_edit_changes_only_that_entry_and_keeps_its_other_fields():
    base = raw_entry(FILE, "one", "qa.yaml")
    fields = {**base, "answer": "Uno.", "alternates": ["c"]}
    text = with_entry(FILE, fields, "qa.yaml", replace="one")
    assert "# ---- first section ----" in text and "# ---- second section ----" in text
    assert text.endswith(FILE[FILE.index("  # ---- second section ----") :])
    parsed = parse_yaml(text, "qa.yaml")["entries"]
    assert [e["id"] for e in parsed] == ["one", "two"]
    assert parsed[0]["answer"] == "Uno." and parsed[0]["answer_ko"] == "하나." and parsed[0]["tags"] == ["x"]
    assert parsed[0]["alternates"] == ["c"]


def test_an_added_entry_goes_after_the_last_and_the_text_before_is_untouched():
    fields = {"id": "three", "question": 'Say "hi": ok?', "answer": "Three.", "alternates": ["d"],
              "source": {"document": "announcement", "paragraph": 4, "quote": "x"}}  # fmt: skip
    text = with_entry(FILE, fields, "qa.yaml")
    assert text.startswith(FILE)
    parsed = parse_yaml(text, "qa.yaml")["entries"]
    assert [e["id"] for e in parsed] == ["one", "two", "three"]
    assert parsed[2]["question"] == 'Say "hi": ok?'


def test_an_entry_is_added_to_an_empty_file():
    fields = {
        "id": "x",
        "question": "Q?",
        "answer": "A.",
        "source": {"document": "d", "paragraph": 1, "quote": "q"},
    }
    parsed = parse_yaml(with_entry("entries: []\n", fields, "qa.yaml"), "qa.yaml")
    assert [e["id"] for e in parsed["entries"]] == ["x"]


def test_an_unknown_entry_is_a_problem():
    with pytest.raises(KnowledgeError, match="no entry 'nope'"):
        raw_entry(FILE, "nope", "qa.yaml")


def test_form_parts():
    assert split_alternates("a\n\n - b\na\n• c ") == ("a", "b", "c")
    assert parse_paragraph("8", "announcement") == ("announcement", 8)
    assert parse_paragraph("other: 3", "announcement") == ("other", 3)
    assert parse_paragraph("eight", "announcement") == ("announcement", "eight")  # the file says why
    assert slug("What is the FOC's 38th member?", {"what-is-the-foc-s-38th-member"}) == (
        "what-is-the-foc-s-38th-member-2"
    )
    assert slug("한국은?", ()) == "entry"
    assert EntryForm("q", (), "a", "1", "x").question == "q"
