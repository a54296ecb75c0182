"""Sample knowledge for tests that build a small knowledge base in a temporary folder,
and sample answers."""

from bot.engine.answer import Answer, Suggestion


def abstention(*suggestions: Suggestion) -> Answer:
    """An "I don't know" offering ``suggestions``."""
    return Answer("q?", False, None, None, 12.0, None, "none", suggestions=suggestions)


# A small, valid Q&A file: two entries quoting the project's own announcement.
SMALL_QA = """\
synonyms:
  korea: [south korea, republic of korea, rok]
  foc: [freedom online coalition]
entries:
  - id: member-count
    question: How many members does the FOC have?
    alternates: [FOC size, number of FOC members]
    answer: The Freedom Online Coalition has 38 members.
    source:
      document: announcement
      paragraph: 8
      quote: increasing the membership to 38
  - id: iccpr-meaning
    question: What does ICCPR stand for?
    alternates: [ICCPR]
    answer: ICCPR stands for the International Covenant on Civil and Political Rights.
    source:
      document: announcement
      paragraph: 5
      quote: International Covenant on Civil and Political Rights (ICCPR)
"""

# An entry to add to SMALL_QA.
NEW_ENTRY = """\
  - id: park-jin
    question: Who is Park Jin?
    alternates: [Park Jin]
    answer: Park Jin is the Minister of Foreign Affairs of the Republic of Korea.
    source:
      document: announcement
      paragraph: 2
      quote: Mr. Park Jin
"""
