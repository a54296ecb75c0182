"""bot.knowledge.sources: documents, paragraphs, sentences, metadata."""

from __future__ import annotations

import pytest

from bot.knowledge.problems import KnowledgeError
from bot.knowledge.sources import load_document, load_documents, split_paragraphs, split_sentences

META = 'title: A Title\npublisher: A Publisher\ndate: "2023-08-29"\n'


def write_doc(directory, name="doc", text="Title\n\nBody text.\n", meta=META):
    (directory / f"{name}.txt").write_bytes(text.encode() if isinstance(text, str) else text)
    if meta is not None:
        (directory / f"{name}.yaml").write_text(meta, encoding="utf-8")
    return directory / f"{name}.txt"


def problems_of(path, root):
    with pytest.raises(KnowledgeError) as info:
        load_document(path, root)
    return info.value.problems


def test_announcement_has_nine_paragraphs(announcement):
    assert len(announcement.paragraphs) == 9


def test_paragraph_one_is_the_title(announcement):
    assert announcement.paragraph(1) == announcement.title
    assert announcement.title == "Republic of Korea Becomes 38th Member Country of Freedom Online Coalition"


def test_paragraphs_are_numbered_from_one(announcement):
    assert announcement.paragraph(2).startswith("Mr. Park Jin")
    assert announcement.paragraph(9).startswith("The Coalition looks forward")


@pytest.mark.parametrize("number", [0, 10, -1])
def test_paragraph_out_of_range_raises(announcement, number):
    with pytest.raises(IndexError):
        announcement.paragraph(number)


def test_metadata_is_read(announcement):
    assert (announcement.id, announcement.publisher, announcement.date) == (
        "announcement",
        "Freedom Online Coalition",
        "2023-08-29",
    )


def test_sentences_are_verbatim_substrings(announcement):
    for number in range(1, 10):
        sentences = announcement.sentences(number)
        assert sentences
        for sentence in sentences:
            assert sentence in announcement.paragraph(number)


def test_sentences_cover_the_paragraph_in_order(announcement):
    for number in range(1, 10):
        paragraph = announcement.paragraph(number)
        at = 0
        for sentence in announcement.sentences(number):
            at = paragraph.index(sentence, at) + len(sentence)
        assert paragraph[at:].strip() == ""


def test_line_break_without_full_stop_does_not_end_a_sentence(announcement):
    # Paragraph 2 is a byline: a name and a title on two lines, one statement.
    assert announcement.sentences(2) == (
        "Mr. Park Jin\nMinister of Foreign Affairs of the Republic of Korea",
    )


def test_line_break_after_a_full_stop_ends_a_sentence():
    from bot.knowledge.sources import split_sentences

    assert split_sentences("One line.\nAnother line") == ["One line.", "Another line"]


def test_mr_park_jin_is_not_split(announcement):
    first = announcement.sentences(7)[0]
    assert "Mr. Park Jin, emphasizes" in first
    assert not any(s.endswith("Mr.") for n in range(1, 10) for s in announcement.sentences(n))


def test_split_sentences_abbreviation():
    assert split_sentences("I met Mr. Park Jin today. He spoke. Then Dr. Kim left!") == [
        "I met Mr. Park Jin today.",
        "He spoke.",
        "Then Dr. Kim left!",
    ]


def test_split_sentences_keeps_closing_quote_with_its_sentence():
    assert split_sentences("He said, “It is done.” Then he left.") == [
        "He said, “It is done.”",
        "Then he left.",
    ]


def test_split_paragraphs_handles_crlf_and_extra_blank_lines():
    assert split_paragraphs("One\r\n\r\n\r\nTwo\nstill two\n  \t\nThree\n") == [
        "One",
        "Two\nstill two",
        "Three",
    ]


def test_load_document_reads_text_and_metadata(tmp_path):
    doc = load_document(write_doc(tmp_path), tmp_path)
    assert (doc.id, doc.title, doc.paragraphs) == ("doc", "A Title", ("Title", "Body text."))


def test_missing_metadata_file_is_named(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, meta=None), tmp_path)
    assert problem.file == "doc.yaml"
    assert "missing metadata file for doc.txt" in problem.message


@pytest.mark.parametrize("field", ["title", "publisher", "date"])
def test_missing_metadata_field_is_named(tmp_path, field):
    meta = "".join(line + "\n" for line in META.splitlines() if not line.startswith(field))
    (problem,) = problems_of(write_doc(tmp_path, meta=meta), tmp_path)
    assert problem.file == "doc.yaml"
    assert f"missing field {field!r}" in problem.message


def test_unknown_metadata_field_is_named_with_line(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, meta=META + "author: Someone\n"), tmp_path)
    assert (problem.file, problem.line) == ("doc.yaml", 4)
    assert "unknown field 'author'" in problem.message


def test_empty_metadata_value_is_refused(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, meta=META.replace("A Title", '""')), tmp_path)
    assert problem.file == "doc.yaml"
    assert "'title'" in problem.message


def test_non_utf8_document_is_named_with_line(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, text=b"Title\n\nCaf\xe9\n"), tmp_path)
    assert (problem.file, problem.line) == ("doc.txt", 3)
    assert "UTF-8" in problem.message


def test_blank_document_is_refused(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, text="  \n\n \n"), tmp_path)
    assert problem.file == "doc.txt"
    assert "no text" in problem.message


def test_zero_byte_document_is_refused(tmp_path):
    (problem,) = problems_of(write_doc(tmp_path, text=""), tmp_path)
    assert problem.file == "doc.txt"


def test_load_documents_reports_problems_of_every_document(tmp_path):
    write_doc(tmp_path, "one", meta=None)
    write_doc(tmp_path, "two", meta=META + "extra: 1\n")
    with pytest.raises(KnowledgeError) as info:
        load_documents(tmp_path, tmp_path)
    assert {p.file for p in info.value.problems} == {"one.yaml", "two.yaml"}


def test_load_documents_keys_by_name(tmp_path):
    write_doc(tmp_path, "b")
    write_doc(tmp_path, "a")
    assert list(load_documents(tmp_path, tmp_path)) == ["a", "b"]


def test_load_documents_empty_directory_is_refused(tmp_path):
    with pytest.raises(KnowledgeError, match="no source documents"):
        load_documents(tmp_path, tmp_path)


def test_load_documents_missing_directory_is_refused(tmp_path):
    with pytest.raises(KnowledgeError, match="sources directory not found"):
        load_documents(tmp_path / "missing", tmp_path)
