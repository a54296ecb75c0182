"""Fitting the decision model (``python -m bot train``): needs scikit-learn (the ``dev``
extra), never imported at run time.

The training questions are the labelled question sets of ``tests/data``:

* ``tests/data/*.yaml``: questions about the project's knowledge (``knowledge/``);
* ``tests/data/documents/NAME.txt`` (+ ``NAME.yaml``) with ``NAME.questions.yaml``:
  documents of other organizations, answered from their fact cards only, each added to
  the project's knowledge as a moderator would add it to ``knowledge/sources/``.

Held-out material (``tests/data/heldout*/``) is never read here.

Each question's candidates (:mod:`bot.engine.features`) are labelled right when the
candidate's answer and quote hold every expected item (the judging rule of
:mod:`bot.engine.evaluate`); for a question that must be abstained on, none is right.
Gradient-boosted trees score candidates: the main trees the curated entries and the
cards of curated documents, the documents' trees the cards of documents only their
cards answer for (learned from every candidate of the questions about such documents).
Cross-validation grouped by question set (each document's set is its own group) gives
out-of-fold scores, on which the calibration per kind of candidate (Platt scaling of
the log-odds) and the threshold per kind are fitted; the final trees are fitted on
everything. The output is rounded and written with sorted keys, so the same data gives
the same file.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..knowledge import facts as facts_file
from ..knowledge.loader import KnowledgePaths, load_knowledge
from ..knowledge.model import Knowledge
from ..knowledge.sources import load_documents
from ..knowledge.yamlio import atomic_write
from .analysis import analyse
from .decision import sigmoid
from .dense import embedder
from .evaluate import Case, holds, load_cases
from .features import FEATURES, MONOTONIC, candidates, embed_questions
from .index import KINDS, Index, answer_text

MODEL_PATH = Path(__file__).with_name("model.json")
DOCUMENT_GROUP = "document:"
# Which trees score a kind of candidate: the cards of a document only its cards answer
# for have their own (see bot.engine.index.Index.kinds).
MODEL_OF = {"qa": "main", "fact": "main", "doc": "documents"}
_DIGITS = 6
_FOLDS = 5
# The trees: how many, how many leaves each, and the shrinkage (scikit-learn's defaults
# but for fewer leaves, which keeps scoring fast).
_TREES = 200
_LEAVES = 16
_RATE = 0.1
# Utility of an outcome, for the threshold: a wrong answer costs three right ones.
_RIGHT, _WRONG = 1.0, -3.0


@dataclass
class Question:
    group: str
    case: Case
    features: list[tuple[float, ...]]
    labels: list[int]
    kinds: list[str]
    # Asked of the knowledge without its curated alternates: trains the model for
    # phrasings nobody wrote in advance; never counted in the figures or the threshold.
    unphrased: bool = False


def questions_for(
    index: Index, cases: list[Case], group: str, max_chars: int = 500, unphrased: bool = False
) -> list[Question]:
    """Each case's candidates, with features and labels."""
    out = []
    queries = [analyse(index, case.question, max_chars) for case in cases]
    embed_questions(query.text for query in queries if query is not None)
    for case, query in zip(cases, queries, strict=True):
        found = candidates(index, query) if query is not None else []
        feats, labels, kinds = [], [], []
        lang = query.lang if query is not None else "en"
        for candidate in found:
            kinds.append(index.kinds[candidate.owner])
            item = index.items[candidate.owner]
            right = case.expect is not None and holds(
                case.expect, f"{answer_text(item, lang)} {item.source.quote}"
            )
            feats.append(candidate.features)
            labels.append(int(right))
        out.append(Question(group, case, feats, labels, kinds, unphrased))
    return out


def with_documents(project: Path, documents: list[Path], workdir: Path) -> Knowledge:
    """The project's knowledge with ``documents`` added to its sources, their fact cards
    generated as ``python -m bot facts`` would, in a copy under ``workdir``."""
    knowledge = workdir / "knowledge"
    shutil.copytree(project / "knowledge", knowledge, ignore=shutil.ignore_patterns("backups"))
    for doc in documents:
        shutil.copy(doc, knowledge / "sources" / doc.name)
        shutil.copy(doc.with_suffix(".yaml"), knowledge / "sources" / doc.with_suffix(".yaml").name)
    sources = load_documents(knowledge / "sources", workdir)
    atomic_write(knowledge / "facts.yaml", facts_file.render(facts_file.generate(sources)))
    return load_knowledge(_paths(workdir))


def _paths(root: Path) -> KnowledgePaths:
    k = root / "knowledge"
    return KnowledgePaths(
        root=root,
        sources=k / "sources",
        qa=k / "qa.yaml",
        facts=k / "facts.yaml",
        members=k / "members.yaml",
        learned=k / "learned.yaml",
    )


def document_sets(data: Path) -> Iterator[tuple[Path, Path]]:
    """(document text, its questions) of every document under ``data``."""
    for text in sorted(data.glob("*.txt")):
        questions = text.with_name(text.stem + ".questions.yaml")
        if questions.exists():
            yield text, questions


def training_questions(project: Path) -> list[Question]:
    """Every labelled question of tests/data, with its candidates."""
    # The labelled questions' vectors are kept in the store, so a refit is quick.
    embedder().keep_questions = True
    try:
        return _training_questions(project)
    finally:
        embedder().keep_questions = False


def _training_questions(project: Path) -> list[Question]:
    data = project / "tests" / "data"
    out: list[Question] = []
    knowledge = load_knowledge(_paths(project))
    # The same questions again, of the knowledge without its alternates: what a
    # question in words no moderator foresaw looks like (same group, so cross-validation
    # never sees a question's twin while judging it).
    bare = replace(
        knowledge, entries=tuple(replace(e, alternates=(), alternates_ko=()) for e in knowledge.entries)
    )
    for index, unphrased in ((Index(knowledge), False), (Index(bare), True)):
        for path in sorted(data.glob("*.yaml")):
            out.extend(questions_for(index, load_cases(path), path.stem, unphrased=unphrased))
    # Each document is added alone, as a moderator adds one, so its questions meet the
    # rivals they meet in use: the project's knowledge and that document's other cards.
    for doc, questions in document_sets(data / "documents"):
        with tempfile.TemporaryDirectory() as tmp:
            index = Index(with_documents(project, [doc], Path(tmp)))
        out.extend(questions_for(index, load_cases(questions), DOCUMENT_GROUP + doc.stem))
    return out


def _round(x: float) -> float:
    return float(f"{x:.{_DIGITS}g}")


def fit(questions: list[Question]) -> dict:
    """The decision's parameters fitted on ``questions`` (see the module docstring)."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    rows = [
        (qi, f, y, k)
        for qi, q in enumerate(questions)
        for f, y, k in zip(q.features, q.labels, q.kinds, strict=True)
    ]
    X = np.array([f for _, f, _, _ in rows], dtype=float)
    y = np.array([label for _, _, label, _ in rows])
    kinds = np.array([k for _, _, _, k in rows], dtype=object)
    groups = np.array([questions[qi].group for qi, _, _, _ in rows])
    real_row = np.array([not questions[qi].unphrased for qi, _, _, _ in rows])
    # The questions about documents only their cards answer for.
    from_facts = np.array([g.startswith(DOCUMENT_GROUP) for g in groups])
    # Each kind's rows go to its trees; trees that would see one class only are not
    # fitted, and their kinds fall back to the main trees.
    of_model = {name: np.array([MODEL_OF[k] == name for k in kinds]) for name in set(MODEL_OF.values())}
    # What each trees learn from: the main trees from the candidates they score; the
    # documents' trees from every candidate of the questions about such documents,
    # the project's own items among them (what a question about another document is not).
    learn = {"main": of_model["main"], "documents": from_facts | of_model["documents"]}
    models = [n for n in ("main", "documents") if of_model[n].any() and len(set(y[learn[n]])) == 2]
    if "documents" not in models:
        of_model["main"] = learn["main"] = np.ones(len(rows), dtype=bool)

    def model() -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=_TREES,
            max_leaf_nodes=_LEAVES,
            learning_rate=_RATE,
            early_stopping=False,
            random_state=0,
            monotonic_cst=[MONOTONIC.get(name, 0) for name in FEATURES],
        )

    # Out-of-fold log-odds, folds grouped by question set.
    oof = np.zeros(len(rows))
    folds = GroupKFold(n_splits=min(_FOLDS, len(set(groups))))
    for train, test in folds.split(X, y, groups):
        for name in models:
            fit_on = train[learn[name][train]]
            score = test[of_model[name][test]]
            if len(score) and len(set(y[fit_on])) == 2:
                fitted = model().fit(X[fit_on], y[fit_on])
                oof[score] = fitted.decision_function(X[score])
    # Calibration per kind of candidate (Platt scaling of its log-odds): a curated
    # entry's phrasings, a card beside them and a card alone reach the same certainty at
    # different log-odds, from different trees. First on every candidate, to choose each
    # question's best; then on the best candidates, which are the ones that answer.
    of_kind = {k: real_row & (kinds == k) for k in KINDS}
    present = [k for k in KINDS if len(set(y[of_kind[k]])) == 2]
    calibration = {k: _platt(oof[of_kind[k]], y[of_kind[k]]) for k in present}
    best_logit, best_right, should_answer, best_kind = _best(questions, oof, kinds, calibration)
    real = np.array([not q.unphrased for q in questions])
    for kind in present:
        chosen = (best_kind == kind) & real
        if len(set(best_right[chosen])) == 2:
            calibration[kind] = _platt(best_logit[chosen], best_right[chosen])
    best_logit, best_right, should_answer, best_kind = _best(questions, oof, kinds, calibration)
    thresholds: dict[str, float] = {}
    confidence = np.zeros(len(questions))
    for kind in present:
        chosen = best_kind == kind
        slope, intercept = calibration[kind]
        confidence[chosen] = 1 / (1 + np.exp(-(slope * best_logit[chosen] + intercept)))
        thresholds[kind] = _threshold(
            confidence[chosen & real], best_right[chosen & real], should_answer[chosen & real]
        )
    threshold = np.array([thresholds.get(kind, 1.0) for kind in best_kind])

    final = {name: model().fit(X[learn[name]], y[learn[name]]) for name in models}
    answered = confidence >= threshold
    cv: dict[str, list[int]] = {}
    for qi, question in enumerate(questions):
        if question.unphrased:
            continue
        stats = cv.setdefault(question.group, [0, 0, 0, 0, 0])  # in scope, right, abstain, abstained, wrong
        if should_answer[qi]:
            stats[0] += 1
            stats[1] += int(answered[qi] and best_right[qi])
        else:
            stats[2] += 1
            stats[3] += int(not answered[qi])
        stats[4] += int(answered[qi] and not best_right[qi])
    reliability = _reliability(confidence[real], best_right[real])
    return {
        "features": list(FEATURES),
        **_trees(final["main"]),
        **({"documents": _trees(final["documents"])} if "documents" in final else {}),
        "calibration": {kind: [_round(a), _round(b)] for kind, (a, b) in calibration.items()},
        "threshold": {kind: _round(t) for kind, t in thresholds.items()},
        "cross_validated": {group: cv[group] for group in sorted(cv)},
        "reliability": reliability,
        "trained_on": {
            "questions": int(real.sum()),
            "unphrased_twins": int((~real).sum()),
            "candidates": len(rows),
            "sets": sorted({q.group for q in questions}),
        },
    }


def _platt(logits, right) -> tuple[float, float]:
    """Slope and intercept of the logistic fit of ``right`` on ``logits``."""
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e6, max_iter=5000).fit(logits.reshape(-1, 1), right)
    return float(platt.coef_[0][0]), float(platt.intercept_[0])


def _trees(fitted) -> dict:
    """A fitted ensemble's baseline and trees."""
    import numpy as np

    return {
        "baseline": _round(float(np.ravel(fitted._baseline_prediction)[0])),
        "trees": [_tree(predictors[0]) for predictors in fitted._predictors],
    }


def _tree(predictor) -> dict:
    """One fitted tree as node arrays (see bot.engine.decision.Tree)."""
    nodes = predictor.nodes
    return {
        "feature": [-1 if node["is_leaf"] else int(node["feature_idx"]) for node in nodes],
        # Split thresholds in full: data values sit right beside them.
        "threshold": [0.0 if node["is_leaf"] else float(node["num_threshold"]) for node in nodes],
        "left": [int(node["left"]) for node in nodes],
        "right": [int(node["right"]) for node in nodes],
        "value": [_round(float(node["value"])) if node["is_leaf"] else 0.0 for node in nodes],
    }


def _reliability(confidence, right) -> list[list[float]]:
    """Per confidence decile of the best candidates: [low, high, questions, share right]."""
    out = []
    for low in range(0, 100, 10):
        inside = (confidence * 100 >= low) & (confidence * 100 < low + 10 if low < 90 else confidence <= 1.0)
        n = int(inside.sum())
        out.append([low, low + 10, n, _round(float(right[inside].mean())) if n else 0.0])
    return out


def _best(questions: list[Question], logits, kinds, calibration):
    """Per question: the log-odds of its most probable candidate (by the calibration of
    its kind), whether it is right, whether the question is in scope, and its kind. A
    question without candidates counts as a very low logit."""
    import numpy as np

    best = np.full(len(questions), -20.0)
    right = np.zeros(len(questions), dtype=int)
    kind = np.array(["qa"] * len(questions), dtype=object)
    at = 0
    for qi, question in enumerate(questions):
        n = len(question.labels)
        if n:
            probable = [
                _calibrated(calibration.get(kinds[at + i], (1.0, 0.0)), logits[at + i]) for i in range(n)
            ]
            top = int(np.argmax(probable))
            best[qi] = logits[at + top]
            right[qi] = question.labels[top]
            kind[qi] = kinds[at + top]
        at += n
    in_scope = np.array([q.case.expect is not None for q in questions])
    return best, right, in_scope, kind


def _calibrated(platt: tuple[float, float], logit: float) -> float:
    return sigmoid(platt[0] * logit + platt[1])


def _threshold(confidence, right, in_scope) -> float:
    """The confidence threshold that maximizes the utility of the outcomes."""
    best_t, best_u = 0.5, -math.inf
    for t in sorted(set(round(float(c), 4) for c in confidence)):
        answered = confidence >= t
        utility = _RIGHT * (answered & (right == 1)).sum()
        utility += _WRONG * (answered & (right == 0)).sum()
        utility += _RIGHT * (~answered & ~in_scope).sum()
        if utility > best_u:
            best_t, best_u = t, utility
    return best_t


def dumps(params: dict) -> str:
    return json.dumps(params, indent=1, sort_keys=True) + "\n"


def write(params: dict, path: Path) -> None:
    atomic_write(path, dumps(params).encode("utf-8"))


def summary(params: dict) -> str:
    """The cross-validated figures of a fit, one line per question set."""
    lines = ["cross-validated, grouped by question set (in scope right; abstained; wrong):"]
    totals = [0, 0, 0, 0, 0]
    for group, stats in params["cross_validated"].items():
        totals = [a + b for a, b in zip(totals, stats, strict=True)]
        lines.append(_line(group, stats))
    lines.append(_line("all", totals))
    return "\n".join(lines) + "\n"


def _line(group: str, stats: list[int]) -> str:
    n, right, a, abstained, wrong = stats

    def pct(x: int, y: int) -> str:
        return f"{x}/{y} = {100 * x / y:.1f}%" if y else "-"

    return f"  {group:32s} {pct(right, n):>18s}  {pct(abstained, a):>18s}  {pct(wrong, n + a):>16s}"
