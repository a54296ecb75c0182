"""The learned decision: which candidate answers, and how sure the engine is of it.

The parameters come from ``bot/engine/model.json``, written by ``python -m bot train``
(:mod:`bot.engine.train`, scikit-learn) and read here with the standard library only:

1. Gradient-boosted decision trees score each candidate: the log-odds that its answer
   is right for the question, from the features of :mod:`bot.engine.features`. Trees
   let a feature matter only where it should ("when" without a time in the answer
   matters when the rest of the question is well covered). The cards of a document no
   curated entry answers from (kind "doc", see :attr:`bot.engine.index.Index.kinds`)
   have trees of their own, fitted on the questions about such documents.
2. The best candidate's log-odds are calibrated (Platt scaling, fitted on
   cross-validated predictions), so a confidence of 80 is right about 80% of the time.
3. Below the fitted threshold the engine abstains: the threshold maximizes, over the
   cross-validated training questions, right answers plus right abstentions minus
   three times the wrong answers (a wrong confident answer is the worst outcome).

The trees are turned into one Python function of nested comparisons when the model is
loaded: scoring a candidate is then a few hundred comparisons, without any library.
"""

from __future__ import annotations

import json
import marshal
import math
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .features import FEATURES

MODEL_FILE = "model.json"


@dataclass(frozen=True)
class Tree:
    """One regression tree: node arrays, leaves marked by feature -1."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def expression(self, node: int = 0) -> str:
        """The tree as one Python expression of ``x0``, ``x1`` ... (the features)."""
        if self.feature[node] < 0:
            return repr(float(self.value[node]))
        return (
            f"({self.expression(self.left[node])} if x{int(self.feature[node])} <= "
            f"{float(self.threshold[node])!r} else {self.expression(self.right[node])})"
        )


@dataclass(frozen=True, eq=False)
class Decision:
    """The fitted parameters of the decision."""

    features: tuple[str, ...]
    baseline: float
    trees: tuple[Tree, ...]
    # Per kind of candidate ("qa": a curated entry, "fact": a fact card, "doc": a card of
    # a document only its cards answer for): the calibration (slope, intercept) on the
    # log-odds, and the confidence (0-1) to answer at or above.
    calibration: dict[str, tuple[float, float]]
    threshold: dict[str, float]
    # The trees of the "doc" cards, if fitted apart: (baseline, trees).
    documents: tuple[float, tuple[Tree, ...]] | None = None
    _logits: dict[str, Callable[[tuple[float, ...]], float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A model fitted without the "doc" kind weighs those cards as any fact card.
        for name in ("calibration", "threshold"):
            values = getattr(self, name)
            if "doc" not in values and "fact" in values:
                object.__setattr__(self, name, {**values, "doc": values["fact"]})
        main = _compile(self.baseline, self.trees, len(self.features))
        documents = main if self.documents is None else _compile(*self.documents, len(self.features))
        object.__setattr__(self, "_logits", _by_kind(main, documents))

    def logit(self, features: tuple[float, ...], kind: str = "qa") -> float:
        """The log-odds that a candidate of ``kind`` with ``features`` is right."""
        return self._logits[kind](features)

    # Pickled (in the index cache) with the compiled functions' code, which takes far
    # longer to compile than to load.
    def __getstate__(self) -> dict[str, object]:
        state = {
            name: getattr(self, name)
            for name in ("features", "baseline", "trees", "calibration", "threshold", "documents")
        }
        state["code"] = tuple(marshal.dumps(self._logits[kind].__code__) for kind in ("qa", "doc"))
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        codes = state.pop("code")
        for name, value in state.items():
            object.__setattr__(self, name, value)
        main, documents = (types.FunctionType(marshal.loads(code), {}) for code in codes)  # type: ignore[union-attr]
        object.__setattr__(self, "_logits", _by_kind(main, documents))

    @classmethod
    def from_dict(cls, data: dict) -> Decision:
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError("model.json was fitted for other features: run `python -m bot train`")
        documents = data.get("documents")
        return cls(
            features=features,
            baseline=float(data["baseline"]),
            trees=_trees(data["trees"], len(features)),
            calibration={k: (float(v[0]), float(v[1])) for k, v in data["calibration"].items()},
            threshold={k: float(v) for k, v in data["threshold"].items()},
            documents=None
            if documents is None
            else (float(documents["baseline"]), _trees(documents["trees"], len(features))),
        )

    def confidence(self, logit: float, kind: str) -> float:
        """The calibrated probability (0-1) that a candidate of ``kind`` is right."""
        slope, intercept = self.calibration[kind]
        return sigmoid(slope * logit + intercept)


def _by_kind(main: Callable, documents: Callable) -> dict[str, Callable[[tuple[float, ...]], float]]:
    """Which compiled trees score each kind: the documents' trees the "doc" cards."""
    return {"qa": main, "fact": main, "doc": documents}


def _trees(raw_trees: list[dict], n_features: int) -> tuple[Tree, ...]:
    trees = []
    for raw in raw_trees:
        tree = Tree(
            feature=tuple(int(v) for v in raw["feature"]),
            threshold=tuple(float(v) for v in raw["threshold"]),
            left=tuple(int(v) for v in raw["left"]),
            right=tuple(int(v) for v in raw["right"]),
            value=tuple(float(v) for v in raw["value"]),
        )
        if not all(-1 <= f < n_features for f in tree.feature):
            raise ValueError("model.json: a tree splits on an unknown feature")
        trees.append(tree)
    return tuple(trees)


def _compile(
    baseline: float, trees: tuple[Tree, ...], n_features: int
) -> Callable[[tuple[float, ...]], float]:
    """The trees as one Python function of nested comparisons. Only numbers from the
    parameters reach the source (see Tree.expression)."""
    body = " + ".join([repr(float(baseline)), *(t.expression() for t in trees)])
    names = ", ".join(f"x{i}" for i in range(n_features))
    source = f"def logit(x):\n    {names}, = x\n    return {body}\n"
    namespace: dict[str, object] = {}
    exec(compile(source, "<model.json>", "exec"), namespace)
    return namespace["logit"]  # type: ignore[return-value]


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def load_decision(path: Path | None = None) -> Decision:
    """The committed decision (or the one at ``path``)."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return Decision.from_dict(json.loads(text))
