"""Learning from users' feedback: outcome rates, decline reasons by component, and a weight
update checked offline on a later time window before anyone publishes it.

Input is the exposure log (``kbio-match feedback export``): one row per shown partner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.pipeline import GROUPS
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

__all__ = [
    "POSITIVE",
    "labelled",
    "outcome_rates",
    "reasons_by_component",
    "WeightUpdate",
    "fit_weight_update",
    "rescore",
]

POSITIVE = ("relevant", "contacted", "meeting", "deal")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a mark, with ``label`` 1 for a positive outcome and 0 for not_relevant."""
    marked = frame[frame["outcome"].notna() & (frame["outcome"] != "")].copy()
    marked["label"] = marked["outcome"].isin(POSITIVE).astype(int)
    return marked


def outcome_rates(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (``position``, ``seeking``, ``model_version``): shown, marked, and the
    share of each outcome among shown partners."""
    out = frame.assign(outcome=frame["outcome"].fillna("unmarked"))
    table = pd.crosstab(out[by], out["outcome"])
    rates = table.div(table.sum(axis=1), axis=0).round(3)
    rates.insert(0, "shown", table.sum(axis=1))
    return rates


def reasons_by_component(frame: pd.DataFrame) -> pd.DataFrame:
    """For each decline reason, the mean of each component among declined partners minus its
    mean among all shown ones: which group's signal misled when users said no."""
    declined = frame[frame["outcome"] == "not_relevant"]
    baseline = frame[list(GROUPS)].mean()
    rows = {reason: group[list(GROUPS)].mean() - baseline for reason, group in declined.groupby("reason")}
    return pd.DataFrame(rows).T.round(3)


@dataclass(frozen=True)
class WeightUpdate:
    weights: dict[str, float]  # new group weights (``w_<group>`` matcher parameters, same scale as today's)
    auc_served: float  # on the held-out window, the served score's AUC for positive vs declined
    auc_updated: float
    n_train: int
    n_test: int

    @property
    def wins(self) -> bool:
        return self.auc_updated > self.auc_served

    def params(self) -> dict[str, float]:
        return {f"w_{g}": w for g, w in self.weights.items()}


def rescore(frame: pd.DataFrame, weights: dict[str, float], gate_floor: float = 0.25) -> np.ndarray:
    """The matcher's formula over stored components, with other group weights."""
    w = np.array([weights[g] for g in GROUPS])
    comps = frame[list(GROUPS)].fillna(0.0).to_numpy(dtype=float)  # a group a request predates: 0
    mean = comps @ w / w.sum()
    return mean * (gate_floor + (1 - gate_floor) * comps[:, GROUPS.index("partnership")])


def fit_weight_update(
    frame: pd.DataFrame, current: dict[str, float], *, test_share: float = 0.3, gate_floor: float = 0.25
) -> WeightUpdate:
    """Fit group weights on the earlier marked rows (logistic regression on the components, kept
    non-negative and on today's scale); compare with the served score on the later rows.

    The split is by time (``created_at``), so the check is what publishing would have done next.
    """
    marked = labelled(frame).sort_values("created_at", kind="stable")
    cut = int(len(marked) * (1 - test_share))
    train, test = marked.iloc[:cut], marked.iloc[cut:]
    if train["label"].nunique() < 2 or test["label"].nunique() < 2:
        raise ValueError("both windows need positive and declined marks to fit and check an update")
    model = LogisticRegression(C=1.0, max_iter=1000).fit(train[list(GROUPS)].fillna(0.0), train["label"])
    coef = np.clip(model.coef_[0], 0.0, None)
    if coef.sum() <= 0:
        coef = np.array([current[g] for g in GROUPS])
    scale = sum(current.values()) / coef.sum()
    weights = {g: round(float(c * scale), 4) for g, c in zip(GROUPS, coef, strict=True)}
    served = roc_auc_score(test["label"], test["score"])
    updated = roc_auc_score(test["label"], rescore(test, weights, gate_floor))
    return WeightUpdate(weights, round(float(served), 4), round(float(updated), 4), len(train), len(test))
