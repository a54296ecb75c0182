"""bot.engine.decision and bot.engine.train: the fitted model, its export and its fit."""

from __future__ import annotations

import json
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.decision import Decision, load_decision
from bot.engine.features import FEATURES
from bot.engine.train import _tree

ROOT = Path(__file__).resolve().parents[2]


def test_exported_trees_score_as_scikit_learn_does() -> None:
    np = pytest.importorskip("numpy")
    ensemble = pytest.importorskip("sklearn.ensemble")
    rng = random.Random(7)
    X = np.array([[rng.random() for _ in FEATURES] for _ in range(400)])
    y = X[:, 0] + 0.3 * X[:, 5] - 0.4 * X[:, 9] + 0.2 * np.array([rng.random() for _ in range(400)]) > 0.6
    fitted = ensemble.HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=8, random_state=0).fit(X, y)
    decision = Decision.from_dict(
        {
            "features": list(FEATURES),
            "baseline": float(np.ravel(fitted._baseline_prediction)[0]),
            "trees": [_tree(p[0]) for p in fitted._predictors],
            "calibration": {"qa": [1.0, 0.0], "fact": [1.0, 0.0]},
            "threshold": {"qa": 0.5, "fact": 0.5},
        }
    )
    expected = fitted.decision_function(X)
    for row, want in zip(X, expected, strict=True):
        # Thresholds and leaves are rounded to six digits in model.json.
        assert decision.logit(tuple(row)) == pytest.approx(want, abs=1e-3)


def test_the_committed_model_loads_and_is_for_these_features() -> None:
    decision = load_decision()
    assert decision.features == FEATURES
    assert set(decision.threshold) == {"qa", "fact", "doc"}
    assert all(0 < t < 1 for t in decision.threshold.values())
    assert decision.documents is not None, "the cards of uncurated documents have trees of their own"


def test_the_cards_of_an_uncurated_document_are_scored_by_their_own_trees() -> None:
    decision = load_decision()
    rng = random.Random(3)
    rows = [tuple(rng.random() for _ in FEATURES) for _ in range(50)]
    assert any(decision.logit(r, "doc") != decision.logit(r, "qa") for r in rows)
    assert all(decision.logit(r, "fact") == decision.logit(r, "qa") for r in rows)
    # The index cache pickles the decision with its compiled trees: both come back.
    again = pickle.loads(pickle.dumps(decision))
    assert all(again.logit(r, k) == decision.logit(r, k) for r in rows for k in ("qa", "fact", "doc"))


def test_a_model_without_document_trees_scores_documents_with_the_main_trees() -> None:
    data = json.loads((ROOT / "bot" / "engine" / "model.json").read_text(encoding="utf-8"))
    del data["documents"], data["calibration"]["doc"], data["threshold"]["doc"]
    decision = Decision.from_dict(data)
    row = tuple(0.5 for _ in FEATURES)
    assert decision.logit(row, "doc") == decision.logit(row, "qa")
    assert decision.confidence(1.0, "doc") == decision.confidence(1.0, "fact")
    assert decision.threshold["doc"] == decision.threshold["fact"]


def test_a_model_for_other_features_is_refused(tmp_path) -> None:
    data = json.loads((ROOT / "bot" / "engine" / "model.json").read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="other features"):
        load_decision(path)


def test_confidence_is_calibrated_on_held_out_folds() -> None:
    """The reliability table of the fit (cross-validated, grouped by question set): in
    every well-filled decile, the share of right answers is near the confidence."""
    table = json.loads((ROOT / "bot" / "engine" / "model.json").read_text(encoding="utf-8"))["reliability"]
    filled = [(low, high, n, right) for low, high, n, right in table if n >= 50]
    assert filled
    for low, high, _, right in filled:
        assert low / 100 - 0.15 <= right <= high / 100 + 0.15, (low, high, right)


def test_train_reproduces_the_committed_model() -> None:
    """`python -m bot train` on tests/data gives bot/engine/model.json exactly."""
    pytest.importorskip("sklearn")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "train", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
