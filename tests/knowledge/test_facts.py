"""bot.knowledge.facts: fact-card generation, rendering and facts.yaml loading."""

from __future__ import annotations

import pytest

from bot.knowledge import facts
from bot.knowledge.problems import KnowledgeError
from bot.knowledge.sources import load_documents
from tests.knowledge_base import KNOWLEDGE, PROJECT, SOURCES


@pytest.fixture(scope="module")
def cards(documents):
    return facts.generate(documents)


def by_id(cards):
    return {card.id: card for card in cards}


def test_generation_is_deterministic(documents, cards):
    fresh = load_documents(SOURCES, PROJECT)
    assert facts.generate(fresh) == cards
    assert facts.render(facts.generate(fresh)) == facts.render(cards)


def test_card_ids_are_unique(cards):
    ids = [card.id for card in cards]
    assert len(ids) == len(set(ids))


def test_every_quote_is_verbatim_in_its_paragraph(documents, cards):
    for card in cards:
        paragraph = documents[card.source.document].paragraph(card.source.paragraph)
        assert card.source.quote in paragraph, card.id


def test_one_sentence_card_per_sentence(announcement, cards):
    sentences = [c for c in cards if c.type == "sentence"]
    assert len(sentences) == sum(
        len(announcement.sentences(n)) for n in range(1, len(announcement.paragraphs) + 1)
    )


def test_document_card_names_title_publisher_and_date(cards):
    card = by_id(cards)["announcement-document"]
    assert card.type == "document"
    assert "Freedom Online Coalition" in card.text and "2023-08-29" in card.text
    assert card.source.paragraph == 1


@pytest.mark.parametrize(
    ("acronym", "long_name", "paragraph"),
    [
        ("ICESCR", "International Covenant on Economic, Social, and Cultural Rights", 5),
        ("ICCPR", "International Covenant on Civil and Political Rights", 5),
        ("ROK", "Republic of Korea", 8),
        ("FOC", "Freedom Online Coalition", 3),
    ],
)
def test_acronym_cards(cards, acronym, long_name, paragraph):
    card = by_id(cards)[f"announcement-acronym-{acronym.lower()}"]
    assert card.type == "acronym"
    assert card.text == f"{acronym} stands for {long_name}."
    assert card.keys == (acronym, long_name)
    assert (card.source.paragraph, card.source.quote) == (paragraph, f"{long_name} ({acronym})")


def test_exactly_the_four_acronyms(cards):
    assert sorted(c.id for c in cards if c.type == "acronym") == [
        "announcement-acronym-foc",
        "announcement-acronym-iccpr",
        "announcement-acronym-icescr",
        "announcement-acronym-rok",
    ]


def test_south_korea_rok_is_not_an_acronym_definition(announcement):
    assert facts.find_acronyms(announcement.paragraph(3)) == [
        ("FOC", "Freedom Online Coalition", "Freedom Online Coalition (FOC)")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the World Health Organization (WHO) said", [("WHO", "World Health Organization")]),
        ("the Ministry of Foreign Affairs (MOFA) said", [("MOFA", "Ministry of Foreign Affairs")]),
        ("South Korea (ROK) said", []),
        ("a thing (XYZ) happened", []),
    ],
)
def test_find_acronyms(text, expected):
    assert [(a, name) for a, name, _ in facts.find_acronyms(text)] == expected


def test_minister_quotation_card(cards):
    (card,) = [c for c in cards if c.type == "quotation"]
    assert card.source.paragraph == 7
    assert "Park Jin" in card.text
    assert "emphasizes" in card.text
    assert "champion Internet freedom and safeguard online human rights" in card.text


def test_find_quotations_speaker_is_park_jin(announcement):
    (found,) = facts.find_quotations(announcement.paragraph(7))
    speaker, verb, quotation, quote = found
    assert speaker.endswith("Mr. Park Jin")
    assert verb == "emphasizes"
    assert quotation.startswith("As digital technology") and quotation.endswith("online human rights.")
    assert quote in announcement.paragraph(7)


def test_committed_facts_yaml_is_fresh(documents, cards):
    committed = (KNOWLEDGE / "facts.yaml").read_text(encoding="utf-8")
    assert committed == facts.render(cards), "knowledge/facts.yaml is stale: run `python -m bot facts`"


def test_render_starts_with_generated_header(cards):
    assert facts.render(cards).startswith("# GENERATED")


def test_load_round_trips_render(tmp_path, documents, cards):
    path = tmp_path / "facts.yaml"
    path.write_text(facts.render(cards), encoding="utf-8")
    assert facts.load(path, documents, "facts.yaml") == tuple(cards)


def load_problems(tmp_path, documents, text):
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        facts.load(path, documents, "facts.yaml")
    return info.value.problems


def test_load_rejects_tampered_quote(tmp_path, documents, cards):
    text = facts.render(cards)
    assert text.count("quote: Republic of Korea (ROK)\n") == 1
    (problem,) = load_problems(
        tmp_path,
        documents,
        text.replace("quote: Republic of Korea (ROK)\n", "quote: Republic of Korea (RK)\n"),
    )
    assert (problem.file, problem.entry) == ("facts.yaml", "announcement-acronym-rok")
    assert "not verbatim" in problem.message
    assert problem.line is not None


def test_load_rejects_unknown_field(tmp_path, documents, cards):
    text = facts.render(cards).replace(
        "- id: announcement-p2-s1\n", "- id: announcement-p2-s1\n  invented: yes\n", 1
    )
    (problem,) = load_problems(tmp_path, documents, text)
    assert problem.entry == "announcement-p2-s1"
    assert "unknown field 'invented'" in problem.message


def test_load_rejects_duplicate_ids(tmp_path, documents, cards):
    text = facts.render(cards).replace("- id: announcement-p3-s2\n", "- id: announcement-p3-s1\n", 1)
    (problem,) = load_problems(tmp_path, documents, text)
    assert problem.entry == "announcement-p3-s1"
    assert "duplicate id" in problem.message


def test_load_rejects_unknown_type(tmp_path, documents, cards):
    text = facts.render(cards).replace("type: quotation\n", "type: rumour\n", 1)
    (problem,) = load_problems(tmp_path, documents, text)
    assert "unknown fact type 'rumour'" in problem.message


def test_load_rejects_a_file_without_facts_list(tmp_path, documents):
    (problem,) = load_problems(tmp_path, documents, "cards: []\n")
    assert "facts" in problem.message


def test_load_reports_every_problem(tmp_path, documents, cards):
    text = (
        facts.render(cards)
        .replace("quote: Republic of Korea (ROK)\n", "quote: Republic of Korea (RK)\n")
        .replace("type: quotation\n", "type: rumour\n", 1)
    )
    assert len(load_problems(tmp_path, documents, text)) == 2
