"""The engine's accuracy on the project's question sets must not fall below its floors.

Two kinds of sets:

* the training sets (``tests/data/*.yaml`` and the documents of ``tests/data/documents``,
  answered from their fact cards alone): the model was fitted on them, so these floors
  only catch a change that breaks the engine; they are not estimates of its accuracy;
* the held-out sets (``tests/data/heldoutN``), never used to fit or tune anything: their
  floors sit a little under the first score each set got, which is what the README
  reports.

Floors are on answered right (in scope), abstained (out of scope) and, as a ceiling, on
wrong answers (answered, but wrong: the worst outcome).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from bot.config import load_config
from bot.engine.engine import build_matcher
from bot.engine.evaluate import evaluate, load_cases
from bot.engine.matcher import Matcher
from bot.engine.train import document_sets, with_documents

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def matcher():
    return build_matcher(load_config(ROOT / "config.yaml"))


def check(report, in_scope: float, abstained: float, wrong: float) -> None:
    right, total = report.in_scope()
    assert total > 0 and right / total >= in_scope, [o.case.question for o in report.failures]
    right, total = report.abstained()
    assert total > 0 and right / total >= abstained, [o.case.question for o in report.failures]
    bad, total = report.wrong()
    assert bad / total <= wrong, [o.case.question for o in report.failures if o.answer.answered]


@pytest.mark.parametrize(
    ("name", "in_scope", "abstained", "wrong"),
    [
        ("announce_blind.yaml", 0.72, 0.93, 0.03),
        ("announce_careful.yaml", 0.68, 0.91, 0.07),
        ("announce_chat.yaml", 0.78, 0.89, 0.05),
        ("announce_korean.yaml", 0.79, 0.96, 0.04),
        ("announce_mixed.yaml", 0.65, 0.96, 0.03),
        ("announce_round10.yaml", 0.7, 0.96, 0.03),
        ("announce_round11.yaml", 0.82, 0.86, 0.06),
        ("announce_round13.yaml", 0.82, 0.93, 0.03),
        ("announce_round5.yaml", 0.58, 0.91, 0.04),
        ("announce_round7.yaml", 0.73, 0.93, 0.04),
        ("announce_round8.yaml", 0.78, 0.88, 0.07),
        ("announce_round9.yaml", 0.72, 0.91, 0.04),
        ("dev.yaml", 0.92, 0.96, 0.04),
        ("heldout_chatty.yaml", 0.79, 0.96, 0.03),
        ("heldout_chatty2.yaml", 0.81, 0.96, 0.02),
        ("heldout_fresh.yaml", 0.92, 0.96, 0.04),
        ("heldout_fresh2.yaml", 0.93, 0.96, 0.02),
        ("heldout_fresh3.yaml", 0.88, 0.96, 0.03),
        ("heldout_fresh4.yaml", 0.85, 0.87, 0.06),
        ("heldout_fresh5.yaml", 0.93, 0.96, 0.02),
        ("heldout_fresh6.yaml", 0.88, 0.9, 0.04),
        ("heldout_fresh7.yaml", 0.92, 0.96, 0.04),
        ("heldout_fresh8.yaml", 0.91, 0.93, 0.03),
        ("heldout_fresh9.yaml", 0.86, 0.96, 0.03),
        ("heldout_korean.yaml", 0.72, 0.96, 0.02),
        ("heldout_paraphrases.yaml", 0.81, 0.96, 0.03),
        ("heldout_rephrased.yaml", 0.9, 0.96, 0.03),
        ("heldout_rephrased2.yaml", 0.79, 0.96, 0.03),
        ("heldout_rephrased3.yaml", 0.81, 0.91, 0.03),
    ],
)
def test_training_set_floor(matcher, name: str, in_scope: float, abstained: float, wrong: float) -> None:
    check(evaluate(load_cases(DATA / name), matcher.ask_many), in_scope, abstained, wrong)


DOCUMENT_FLOORS = {
    "aster-annual-report": (0.17, 0.96, 0.06),
    "belastria-murmurly-decision": (0.28, 0.96, 0.02),
    "borvalia-data-protection-bill-hearing": (0.22, 0.96, 0.02),
    "brannock-accession-statement": (0.08, 0.96, 0.08),
    "caradine-open-letter-telecoms-regulator": (0.19, 0.96, 0.02),
    "cavessin-residency-faq": (0.17, 0.96, 0.02),
    "cobalt-commons-wayfarer-fellowship": (0.17, 0.96, 0.02),
    "coldbrook-press-freedom-prize-nominations": (0.19, 0.96, 0.04),
    "corvantia-quibbit-block-hearing-2025": (0.02, 0.96, 0.02),
    "corvid-summit-communique": (0.08, 0.96, 0.02),
    "dalmeira-court-shutdown-ruling": (0.17, 0.96, 0.02),
    "ennadel-declaration-online-civic-space": (0.19, 0.96, 0.02),
    "fenloria-platforms-data-act-summary": (0.17, 0.96, 0.02),
    "ferrant-treaty-ratification": (0.17, 0.96, 0.02),
    "harbor-joint-statement": (0.11, 0.96, 0.04),
    "hearthlink-fund-call-2026": (0.17, 0.96, 0.04),
    "hevenna-kalistra-dpa-mou": (0.11, 0.96, 0.02),
    "hevrin-fellowship-posting": (0.17, 0.96, 0.02),
    "ilsenhaven-ministerial-communique-2025": (0.28, 0.96, 0.02),
    "ivarne-transparency-report-2024": (0.11, 0.96, 0.02),
    "kerrick-eom-jovenia-statement": (0.25, 0.96, 0.02),
    "kestrel-consultation-notice": (0.19, 0.96, 0.02),
    "lestovia-connectivity-action-plan": (0.25, 0.96, 0.04),
    "lindqvist-conference-programme": (0.14, 0.96, 0.06),
    "lumen-programme": (0.22, 0.96, 0.02),
    "marunde-eastern-shutdown-report": (0.08, 0.96, 0.02),
    "meridian-membership": (0.14, 0.96, 0.04),
    "mireth-data-retention-ruling": (0.22, 0.96, 0.02),
    "morrow-transparency-report": (0.17, 0.96, 0.02),
    "morvane-grant-call": (0.31, 0.96, 0.02),
    "norvallen-press-council-harassment-minutes": (0.17, 0.96, 0.02),
    "olvenza-union-ormund-arrest": (0.11, 0.96, 0.02),
    "ondaline-digital-rights-forum-programme": (0.14, 0.96, 0.04),
    "ondravia-commission-phone-surveillance-report": (0.14, 0.96, 0.02),
    "orrin-board-minutes": (0.17, 0.96, 0.02),
    "pellan-outage-report": (0.22, 0.96, 0.02),
    "pemvaro-ombrevia-breach-fine": (0.11, 0.96, 0.02),
    "quarrel-bay-summit-declaration": (0.25, 0.96, 0.06),
    "quill-election-observation": (0.25, 0.96, 0.02),
    "rovenska-audit-cloud-data-handling": (0.11, 0.96, 0.02),
    "safe-channels-workshop-series": (0.19, 0.96, 0.04),
    "saltbridge-secure-newsroom-week": (0.19, 0.96, 0.02),
    "sarrow-fellowship-faq": (0.17, 0.96, 0.02),
    "sarvenne-alliance-new-members": (0.14, 0.91, 0.06),
    "tarrow-privacy-decision": (0.17, 0.96, 0.02),
    "tessel-suspension-notice": (0.11, 0.91, 0.04),
    "threadmarket-appeal-ruling": (0.22, 0.96, 0.02),
    "threadwell-transparency-report-h1-2025": (0.25, 0.96, 0.02),
    "tideline-pelmarra-shutdown-alert": (0.08, 0.96, 0.02),
    "uralink-outage-incident-report": (0.19, 0.96, 0.02),
    "vantor-library-digitisation-update": (0.34, 0.96, 0.04),
    "vellandra-rural-broadband-subsidy-faq": (0.19, 0.96, 0.02),
    "vessa-court-ruling": (0.17, 0.96, 0.04),
    "wexmoor-connectivity-grants-call": (0.19, 0.96, 0.02),
    "xhevar-authority-decision": (0.19, 0.96, 0.02),
    "yastrelia-election-online-ads-guidance": (0.25, 0.96, 0.02),
    "ylvarin-netwatch-annual-report-2024": (0.34, 0.96, 0.02),
    "zembria-membership-announcement": (0.05, 0.96, 0.06),
    "zyvrenn-joint-statement": (0.14, 0.96, 0.02),
}


@pytest.mark.parametrize(("text", "questions"), list(document_sets(DATA / "documents")), ids=lambda p: p.stem)
def test_document_floor(text: Path, questions: Path) -> None:
    """A document added to the sources is answered from its fact cards alone."""
    _documents_floor(text, questions, DOCUMENT_FLOORS[text.stem])


def test_every_document_has_a_floor() -> None:
    assert {text.stem for text, _ in document_sets(DATA / "documents")} == set(DOCUMENT_FLOORS)


def _documents_floor(text: Path, questions: Path, floors: tuple[float, float, float]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = with_documents(ROOT, [text], Path(tmp))
    check(evaluate(load_cases(questions), Matcher(knowledge).ask_many), *floors)


# Each round of held-out material, never fitted or tuned on: its folder, the floors of
# its question sets and of its documents (answered from their fact cards alone). The
# README reports their first score; these floors sit a little under the lower of that
# and today's.
ROUNDS = {
    # A tenth round, written blind to judge a refit with the documents of the first, second,
    # fourth, fifth and sixth rounds moved into the training documents (kept, by a rule
    # written before the scoring): an announcement set and four documents.
    DATA / "heldout10": (
        {"announce_round14.yaml": (0.68, 0.9, 0.05)},
        {
            "drevanne-telecom-authority-throttling-decision": (0.07, 0.96, 0.02),
            "kelmora-civic-tech-hackathon-2026": (0.18, 0.86, 0.06),
            "solvarra-open-networks-compact-accession": (0.07, 0.91, 0.06),
            "tarnwick-digital-id-pilot-faq": (0.15, 0.96, 0.04),
        },
    ),
    # An eleventh round, written blind after the refit on forty-one documents and scored
    # once with it: an announcement set and three documents.
    DATA / "heldout11": (
        {"announce_round15.yaml": (0.72, 0.86, 0.06)},
        {
            "brightwater-digital-literacy-network-report-2025": (0.17, 0.96, 0.06),
            "marrowgate-joint-statement-election-disinformation": (0.25, 0.91, 0.04),
            "orsolen-appeals-court-spyware-judgment": (0.19, 0.91, 0.04),
        },
    ),
    # A twelfth round, written blind at 6916d13 and scored once with it: an announcement
    # set and three documents.
    DATA / "heldout12": (
        {"announce_round16.yaml": (0.60, 0.88, 0.06)},
        {
            "keldmoor-open-data-charter-consultation": (0.15, 0.96, 0.02),
            "tessaly-press-freedom-award-2026": (0.1, 0.78, 0.12),
            "varnholt-internet-shutdown-incident-review": (0.1, 0.96, 0.06),
        },
    ),
    # A thirteenth round, written blind to judge (with the twelfth) the refit with the sets
    # and documents of rounds one to nine moved into the training data (kept, by a rule
    # written before the scoring), and scored first by both engines: an announcement set and
    # three documents.
    DATA / "heldout13": (
        {"announce_round17.yaml": (0.72, 0.91, 0.04)},
        {
            "caldris-coalition-withdrawal-statement": (0.1, 0.96, 0.02),
            "ostrava-bay-digital-inclusion-summit-agenda": (0.13, 0.91, 0.08),
            "pellory-data-protection-authority-annual-report-2025": (0.1, 0.91, 0.04),
        },
    ),
    # A fourteenth round, written blind at cd00035 to judge (with the thirteenth) added
    # answer-shape features (not kept, by a rule written before the scoring), and scored
    # first by both engines: an announcement set and three documents.
    DATA / "heldout14": (
        {"announce_round18.yaml": (0.71, 0.88, 0.06)},
        {
            "miravel-city-council-digital-id-minutes": (0.11, 0.96, 0.04),
            "quessard-broadband-tender-notice": (0.12, 0.96, 0.04),
            "tarrowgate-network-outage-review": (0.15, 0.91, 0.06),
        },
    ),
    # A fifteenth round, written blind at 9cb2adc to judge (with the fourteenth) a model
    # refitted with rounds ten to thirteen in training (not kept, by a rule written before
    # the scoring), and scored first by both: an announcement set and four documents.
    DATA / "heldout15": (
        {"announce_round19.yaml": (0.65, 0.86, 0.08)},
        {
            "brisenmoor-foundation-scholarship-recipients": (0.08, 0.96, 0.02),
            "kaldrevia-cert-router-firmware-advisory": (0.1, 0.81, 0.08),
            "orlanthe-tessmar-subsea-cable-agreement": (0.04, 0.96, 0.02),
            "velmarsk-broadcaster-budget-hearing": (0.14, 0.91, 0.08),
        },
    ),
    # Rounds sixteen to eighteen, written blind at 6043d9b and scored first with it. The
    # sixteenth had no candidate to judge (none of a sweep of the trees' regularization
    # was better cross-validated); the seventeenth judged the index keeping the words of
    # phrases its synonyms replace (not kept, by a rule written before the scoring); the
    # eighteenth judged nothing.
    DATA / "heldout16": (
        {"announce_round20.yaml": (0.68, 0.93, 0.03)},
        {
            "cradle-cam-recall": (0.16, 0.96, 0.02),
            "lantern-square-conduct-policy": (0.22, 0.87, 0.06),
            "orlenne-youth-council-results": (0.05, 0.96, 0.02),
            "velmoria-spyware-sanctions-briefing": (0.13, 0.91, 0.04),
        },
    ),
    DATA / "heldout17": (
        {"announce_round21.yaml": (0.7, 0.86, 0.06)},
        {
            "corvane-financial-statement-2023": (0.27, 0.96, 0.02),
            "harrowmere-open-data-licence-changes": (0.13, 0.96, 0.06),
            "karsendal-breach-letter": (0.3, 0.96, 0.02),
            "vireoline-launch": (0.13, 0.91, 0.04),
        },
    ),
    DATA / "heldout18": (
        {"announce_round22.yaml": (0.65, 0.9, 0.06)},
        {
            "marrovia-online-safety-written-answers": (0.16, 0.91, 0.04),
            "netweave-plenary-decisions": (0.13, 0.87, 0.06),
            "obituary-ilvana-drozmer": (0.16, 0.91, 0.04),
            "tarrowmoor-mesh-newsletter": (0.1, 0.96, 0.02),
        },
    ),
    # A nineteenth round, written blind and scored first at 7b32824 (the engine of
    # 6043d9b). Its candidate (margins against the rivals that could give the asked type
    # of answer) was not sent to it: cross-validated, it answered more wrong.
    DATA / "heldout19": (
        {"announce_round23.yaml": (0.75, 0.81, 0.08)},
        {
            "dravonia-internet-advisory": (0.27, 0.91, 0.06),
            "murmurlane-takedown-timeline": (0.05, 0.96, 0.02),
            "quillmark-release-notes": (0.08, 0.96, 0.02),
            "shutdown-cost-summary": (0.13, 0.91, 0.06),
        },
    ),
}


@pytest.mark.parametrize(
    ("folder", "name", "floors"),
    [(folder, n, f) for folder, (sets, _) in ROUNDS.items() for n, f in sorted(sets.items())],
)
def test_heldout_set_floor(matcher, folder: Path, name: str, floors: tuple[float, float, float]) -> None:
    check(evaluate(load_cases(folder / name), matcher.ask_many), *floors)


@pytest.mark.parametrize(
    ("text", "questions", "floors"),
    [
        (t, q, documents[t.stem])
        for folder, (_, documents) in ROUNDS.items()
        for t, q in document_sets(folder / "documents")
    ],
    ids=lambda v: getattr(v, "stem", ""),
)
def test_heldout_document_floor(text: Path, questions: Path, floors: tuple[float, float, float]) -> None:
    _documents_floor(text, questions, floors)


@pytest.mark.parametrize("folder", list(ROUNDS), ids=lambda p: p.name)
def test_every_heldout_set_has_a_floor(folder: Path) -> None:
    sets, documents = ROUNDS[folder]
    assert {p.name for p in folder.glob("*.yaml")} == set(sets)
    assert {t.stem for t, _ in document_sets(folder / "documents")} == set(documents)


def test_out_of_scope_never_answered_confidently(matcher) -> None:
    """No off-topic question of any set gets a confident answer."""
    for path in sorted(DATA.glob("*.yaml")):
        for case in load_cases(path):
            if case.category == "oos":
                assert not matcher.ask(case.question).answered, case.question


def test_korean_questions_get_korean_answers(matcher) -> None:
    answer = matcher.ask("한국은 몇 번째 회원국이 되었나요?")
    assert answer.answered and answer.lang == "ko"
    assert "38" in (answer.text or "") and any("\uac00" <= ch <= "\ud7a3" for ch in answer.text or "")
    # The source quote stays the English original.
    assert answer.source is not None and "38" in answer.source.quote and answer.source.quote.isascii()
