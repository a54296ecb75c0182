"""bot.knowledge.qa: validation of qa.yaml. Every problem names file, line, entry and what is wrong."""

from __future__ import annotations

import pytest

from bot.knowledge.problems import KnowledgeError, Problem
from bot.knowledge.qa import load_qa
from tests.knowledge_base import KNOWLEDGE, line_no

ENTRY_A = """\
  - id: member-count
    question: How many members does the FOC have?
    alternates: [FOC size, number of FOC members]
    answer: The Freedom Online Coalition has 38 members.
    source:
      document: announcement
      paragraph: 8
      quote: increasing the membership to 38
    tags: [membership]
"""
ENTRY_B = """\
  - id: iccpr-meaning
    question: What does ICCPR stand for?
    alternates: [ICCPR]
    answer: ICCPR stands for the International Covenant on Civil and Political Rights.
    source:
      document: announcement
      paragraph: 5
      quote: International Covenant on Civil and Political Rights (ICCPR)
"""
SYNONYMS = "synonyms:\n  korea: [south korea, rok]\n"
VALID = SYNONYMS + "entries:\n" + ENTRY_A + ENTRY_B


def qa_file(a=ENTRY_A, b=ENTRY_B, head=SYNONYMS):
    return head + "entries:\n" + a + b


def load(tmp_path, documents, text):
    path = tmp_path / "qa.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_qa(path, "qa.yaml", documents)


def problems(tmp_path, documents, text):
    with pytest.raises(KnowledgeError) as info:
        load(tmp_path, documents, text)
    assert all(p.file == "qa.yaml" for p in info.value.problems)
    return info.value.problems


def one_problem(tmp_path, documents, text):
    found = problems(tmp_path, documents, text)
    assert len(found) == 1, found
    return found[0]


def test_valid_file_loads(tmp_path, documents):
    qa = load(tmp_path, documents, VALID)
    assert [e.id for e in qa.entries] == ["member-count", "iccpr-meaning"]
    entry = qa.entries[0]
    assert entry.alternates == ("FOC size", "number of FOC members")
    assert (entry.source.paragraph, entry.source.quote, entry.tags) == (
        8,
        "increasing the membership to 38",
        ("membership",),
    )
    assert (entry.file, entry.line) == ("qa.yaml", line_no(VALID, "- id: member-count"))
    assert qa.synonyms == {"korea": ("south korea", "rok")}


def test_quote_is_stored_as_the_documents_own_text(tmp_path, documents):
    text = VALID.replace(
        "quote: increasing the membership to 38",
        'quote: "The Republic  of Korea (ROK) has joined"',
    )
    qa = load(tmp_path, documents, text)
    assert qa.entries[0].source.quote == "The Republic of Korea (ROK) has joined"


def test_empty_file_is_refused(tmp_path, documents):
    problem = one_problem(tmp_path, documents, "")
    assert "'entries' must be a list" in problem.message


def test_yaml_syntax_error_names_the_line(tmp_path, documents):
    text = VALID.replace("question: What does ICCPR stand for?", "question: What: ICCPR")
    problem = one_problem(tmp_path, documents, text)
    assert problem.message.startswith("YAML syntax")
    assert problem.line == line_no(text, "question: What: ICCPR")


def test_non_utf8_names_the_line(tmp_path, documents):
    text = VALID.encode("utf-8").replace(b"has 38 members.", b"has 38 membres \xe9.")
    problem = one_problem(tmp_path, documents, text)
    assert problem.line == line_no(VALID, "has 38 members.")
    assert "UTF-8" in problem.message


def test_unknown_top_level_field(tmp_path, documents):
    text = VALID + "faq:\n  - nothing\n"
    problem = one_problem(tmp_path, documents, text)
    assert problem.line == line_no(text, "faq:")
    assert "unknown top-level field 'faq'" in problem.message


def test_topics_give_the_names_of_tags(tmp_path, documents):
    qa = load(
        tmp_path, documents, qa_file(head=SYNONYMS + "topics:\n  membership: {en: Membership, ko: 회원국}\n")
    )
    assert qa.topics == {"membership": {"en": "Membership", "ko": "회원국"}}


@pytest.mark.parametrize(
    "names", ["Membership", "{ko: 회원국}", "{en: Membership, fr: Adhésion}", "{en: ''}"]
)
def test_a_bad_topic_names_its_line_and_tag(tmp_path, documents, names):
    text = qa_file(head=SYNONYMS + f"topics:\n  membership: {names}\n")
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "  membership:"), "membership")
    assert "topic 'membership' must be" in problem.message


def test_unknown_entry_field(tmp_path, documents):
    text = qa_file(a=ENTRY_A + "    answr: typo\n")
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "answr:"), "member-count")
    assert "unknown field 'answr'" in problem.message


@pytest.mark.parametrize("field", ["question", "answer", "source"])
def test_missing_field(tmp_path, documents, field):
    lines = ENTRY_A.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    text = qa_file(a="".join(lines[:start] + lines[end:]))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "- id: member-count"), "member-count")
    assert f"missing field {field!r}" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "alternates: [FOC size, number of FOC members]",
            "alternates: FOC size",
            "'alternates' must be a list of text",
        ),
        (
            "alternates: [FOC size, number of FOC members]",
            "alternates: [FOC size, 38]",
            "'alternates' must be a list of text",
        ),
        (
            "question: How many members does the FOC have?",
            "question: 42",
            "'question' must be non-empty text",
        ),
        (
            "question: How many members does the FOC have?",
            "question: [a, b]",
            "'question' must be non-empty text",
        ),
        (
            "answer: The Freedom Online Coalition has 38 members.",
            "answer: {text: x}",
            "'answer' must be non-empty text",
        ),
        ("tags: [membership]", "tags: membership", "'tags' must be a list of text"),
    ],
)
def test_wrong_type_names_the_field_line(tmp_path, documents, old, new, message):
    text = qa_file(a=ENTRY_A.replace(old, new))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, new.strip()), "member-count")
    assert message in problem.message


def test_source_must_be_a_mapping(tmp_path, documents):
    block = ENTRY_A[ENTRY_A.index("    source:") : ENTRY_A.index("    tags:")]
    text = qa_file(a=ENTRY_A.replace(block, "    source: paragraph 8\n"))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "source: paragraph 8"), "member-count")
    assert "'source' must be a mapping" in problem.message


@pytest.mark.parametrize("value", ["eight", "8.0", "true", "[8]"])
def test_paragraph_must_be_a_whole_number(tmp_path, documents, value):
    text = qa_file(a=ENTRY_A.replace("paragraph: 8", f"paragraph: {value}"))
    problem = one_problem(tmp_path, documents, text)
    assert problem.entry == "member-count"
    assert line_no(text, "    source:") <= problem.line <= line_no(text, "quote: increasing")
    assert "paragraph must be a whole number" in problem.message


@pytest.mark.parametrize(
    "bad_id",
    [
        "Member-Count",
        "member_count",
        "member count",
        "-member",
        "member-",
        "member--count",
        "membre-été",
        '""',
        "12",
        '"member-count\\n"',
    ],
)
def test_bad_id_slug(tmp_path, documents, bad_id):
    text = qa_file(a=ENTRY_A.replace("id: member-count", f"id: {bad_id}"))
    problem = one_problem(tmp_path, documents, text)
    assert problem.line == line_no(text, f"id: {bad_id}")
    assert "must be a slug" in problem.message


def test_duplicate_ids(tmp_path, documents):
    second = ENTRY_B.replace("id: iccpr-meaning", "id: member-count")
    text = qa_file(b=second)
    problem = one_problem(tmp_path, documents, text)
    first_line = line_no(text, "id: member-count")
    assert (problem.line, problem.entry) == (line_no(text, "id: member-count", nth=2), "member-count")
    assert f"duplicate id 'member-count' (first at line {first_line})" in problem.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("alternates: [ICCPR]", "alternates: [ICCPR, FOC size]", id="alternate-equals-alternate"),
        pytest.param("alternates: [ICCPR]", "alternates: [ICCPR, 'foc SIZE?!']", id="case-and-punctuation"),
        pytest.param(
            "question: What does ICCPR stand for?", "question: Foc size...", id="question-equals-alternate"
        ),
        pytest.param(
            "alternates: [ICCPR]",
            "alternates: [ICCPR, how many MEMBERS does the foc have]",
            id="alternate-equals-question",
        ),
    ],
)
def test_phrasing_collision_between_entries(tmp_path, documents, old, new):
    text = qa_file(b=ENTRY_B.replace(old, new))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "- id: iccpr-meaning"), "iccpr-meaning")
    assert "also used by entry 'member-count'" in problem.message


def test_same_phrasing_twice_in_one_entry_is_not_a_collision(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("[FOC size, number of FOC members]", "[FOC size, foc size!]"))
    assert len(load(tmp_path, documents, text).entries) == 2


def test_quote_not_verbatim_hints_the_right_paragraph(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("paragraph: 8", "paragraph: 5"))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "quote: increasing"), "member-count")
    assert "quote is not verbatim in announcement paragraph 5" in problem.message
    assert "it is in paragraph 8" in problem.message


def test_quote_not_verbatim_anywhere(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("membership to 38", "membership to 39"))
    problem = one_problem(tmp_path, documents, text)
    assert problem.entry == "member-count"
    assert "quote is not verbatim in announcement paragraph 8" in problem.message
    assert "it is in paragraph" not in problem.message


@pytest.mark.parametrize("paragraph", [0, 10, 12, -1])
def test_paragraph_out_of_range(tmp_path, documents, paragraph):
    text = qa_file(a=ENTRY_A.replace("paragraph: 8", f"paragraph: {paragraph}"))
    problem = one_problem(tmp_path, documents, text)
    assert problem.entry == "member-count"
    assert f"has paragraphs 1 to 9, not {paragraph}" in problem.message


def test_unknown_document(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("document: announcement", "document: announcment"))
    problem = one_problem(tmp_path, documents, text)
    assert problem.entry == "member-count"
    assert "unknown document 'announcment' (known: announcement)" in problem.message


def test_unknown_source_field(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("      paragraph: 8\n", "      paragraph: 8\n      page: 2\n"))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "page: 2"), "member-count")
    assert "unknown field 'source.page'" in problem.message


@pytest.mark.parametrize("empty", ['""', '"   "', "''"])
def test_empty_answer(tmp_path, documents, empty):
    text = qa_file(
        a=ENTRY_A.replace("answer: The Freedom Online Coalition has 38 members.", f"answer: {empty}")
    )
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, f"answer: {empty}"), "member-count")
    assert "'answer' must be non-empty text" in problem.message


def test_answer_over_600_characters(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("The Freedom Online Coalition has 38 members.", '"' + "x" * 601 + '"'))
    problem = one_problem(tmp_path, documents, text)
    assert (problem.line, problem.entry) == (line_no(text, "answer: "), "member-count")
    assert "601 characters; the limit is 600" in problem.message


def test_answer_of_exactly_600_characters_is_accepted(tmp_path, documents):
    text = qa_file(a=ENTRY_A.replace("The Freedom Online Coalition has 38 members.", '"' + "x" * 600 + '"'))
    assert len(load(tmp_path, documents, text).entries[0].answer) == 600


def test_synonym_listed_under_two_terms(tmp_path, documents):
    head = "synonyms:\n  korea: [south korea, rok]\n  foc: [freedom online coalition, R.O.K.]\n"
    text = qa_file(head=head)
    problem = one_problem(tmp_path, documents, text)
    assert problem.line == line_no(text, "  foc:")
    assert "synonym 'R.O.K.' is listed under both 'korea' and 'foc'" in problem.message


def test_synonyms_must_be_lists(tmp_path, documents):
    text = qa_file(head="synonyms:\n  korea: rok\n")
    problem = one_problem(tmp_path, documents, text)
    assert problem.line == line_no(text, "korea: rok")
    assert "synonyms of 'korea' must be a non-empty list" in problem.message


def test_several_problems_are_reported_at_once(tmp_path, documents):
    text = (
        qa_file(
            a=ENTRY_A.replace("paragraph: 8", "paragraph: 12") + "    answr: typo\n",
            b=ENTRY_B.replace("id: iccpr-meaning", "id: ICCPR_meaning"),
        )
        + "faq: []\n"
    )
    found = problems(tmp_path, documents, text)
    messages = " | ".join(p.message for p in found)
    assert len(found) == 4, found
    assert "not 12" in messages and "unknown field 'answr'" in messages
    assert "must be a slug" in messages and "unknown top-level field 'faq'" in messages
    assert {p.entry for p in found} == {"member-count", "ICCPR_meaning", None}


def test_problem_str_names_file_line_and_entry():
    assert str(Problem("qa.yaml", "something is wrong", 12, "member-count")) == (
        "qa.yaml:12 [entry member-count]: something is wrong"
    )


def test_knowledge_error_renders_every_problem():
    error = KnowledgeError([Problem("a.yaml", "one", 1), Problem("b.yaml", "two")])
    assert error.render() == "2 problems found:\n  a.yaml:1: one\n  b.yaml: two"


def test_real_qa_file_loads(documents):
    qa = load_qa(KNOWLEDGE / "qa.yaml", "knowledge/qa.yaml", documents)
    assert len(qa.entries) >= 45


def test_real_qa_file_covers_every_paragraph_after_the_title(documents):
    qa = load_qa(KNOWLEDGE / "qa.yaml", "knowledge/qa.yaml", documents)
    covered = {e.source.paragraph for e in qa.entries if e.source.document == "announcement"}
    assert set(range(2, len(documents["announcement"].paragraphs) + 1)) <= covered
