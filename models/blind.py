"""Blind evaluation: grouped cross-validation by foreign-Korean pair, as of each query's date.

Every deal is a query once. Deals are split into folds by pair (the foreign company and its Korean
partner), so neither a query deal nor any other deal of the same pair (a duplicate report, an
earlier or later agreement) feeds the track record, the popularity or any learned parameter of the
ranker that ranks it, nor confirms a partnership flag (evidence citing a held-out deal is dropped).
Within its fold, a query sees only the other folds' deals signed before its own year, only
pipeline assets reported before that year, and only flags evidenced before it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.evidence import without_evidence_of
from kbio_match.features.text_match import indication_lexicon
from kbio_match.models.evaluation import COLD, WARM, Evaluation, _query_row, _rank_rows, deal_profiles, default_rankers
from kbio_match.models.queries import pair_keys

__all__ = ["pair_folds", "evaluate_grouped_cv", "bootstrap_intervals", "PERIODS"]

PERIODS = ((0, 2015, "to 2015"), (2016, 2019, "2016-2019"), (2020, 2022, "2020-2022"), (2023, 9999, "2023 on"))


def pair_folds(deals: pd.DataFrame, n_splits: int = 5, seed: int = 0) -> np.ndarray:
    """Fold number of every deal; all deals of one foreign-Korean pair share a fold."""
    pairs = pair_keys(deals)
    unique = pairs.drop_duplicates().to_numpy()
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {unique[i]: k % n_splits for k, i in enumerate(order)}
    return pairs.map(fold_of).to_numpy()


def _period(year: int) -> str:
    return next(label for low, high, label in PERIODS if low <= year <= high)


def evaluate_grouped_cv(
    catalog: Catalog,
    *,
    rankers: dict[str, Callable[[], object]] | None = None,
    n_splits: int = 5,
    seed: int = 0,
    query_text: bool = False,
) -> Evaluation:
    """Rank every deal's partner with rankers that never saw that deal's pair (see module doc).

    With ``query_text``, each query also carries the searcher's words of its deal's asset
    (``deal_profiles`` with the catalog's ``indication_lexicon``).
    """
    rankers = rankers or default_rankers()
    lexicon = indication_lexicon(catalog.pipeline) if query_text else None
    deals = catalog.deals.reset_index(drop=True)
    folds = pair_folds(deals, n_splits, seed)
    partner_ids = catalog.partners["id"].to_numpy()
    rows = []
    for fold in range(n_splits):
        train = deals[folds != fold]
        test = deals[folds == fold]
        seen = dataclasses.replace(catalog, deals=train, capabilities=without_evidence_of(catalog.capabilities, test))
        for year, queries in test.groupby("year"):
            profiles = deal_profiles(queries, lexicon)
            earlier = set(train.loc[train["year"] < year, "partner_id"])
            for name, factory in rankers.items():
                scores = factory().fit(seen, as_of_year=int(year)).decision_scores(profiles)
                for q, (index, deal) in enumerate(zip(queries.index, queries.itertuples(index=False), strict=True)):
                    rank, top = _rank_rows(scores[q], partner_ids, deal.partner_id, seed=int(index))
                    cold = deal.partner_id not in earlier
                    row = _query_row(int(index), name, deal, cold, rank, top, float(scores[q].max()))
                    rows.append(row | {"fold": fold, "period": _period(int(year))})
    return Evaluation("grouped_cv", pd.DataFrame(rows))


def _metrics(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Per-query metric values from the relevant partner's rank (one relevant item per query)."""
    ranks = ranks.astype(float)
    return {
        "hit@1": (ranks <= 1).astype(float),
        "hit@5": (ranks <= 5).astype(float),
        "hit@10": (ranks <= 10).astype(float),
        "mrr": 1.0 / ranks,
        "ndcg@10": np.where(ranks <= 10, 1.0 / np.log2(ranks + 1.0), 0.0),
    }


def bootstrap_intervals(evaluation: Evaluation, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Each metric with its 95% bootstrap interval (queries resampled with replacement), per
    ranker and group: overall, partnership type, with and without an earlier deal, period."""
    rng = np.random.default_rng(seed)
    out = []
    frame = evaluation.ranks
    groups = [("overall", frame.index == frame.index)]
    groups += [(t, (frame["partnership"] == t).to_numpy()) for t in sorted(frame["partnership"].unique())]
    groups += [(WARM, ~frame["cold"].to_numpy()), (COLD, frame["cold"].to_numpy())]
    if "period" in frame:
        groups += [(label, (frame["period"] == label).to_numpy()) for _, _, label in PERIODS]
    for ranker in frame["ranker"].unique():
        mine = (frame["ranker"] == ranker).to_numpy()
        for group, mask in groups:
            ranks = frame.loc[mine & mask, "rank"].to_numpy()
            if not len(ranks):
                continue
            values = _metrics(ranks)
            draws = rng.integers(0, len(ranks), size=(n_boot, len(ranks)))
            row = {"ranker": ranker, "group": group, "queries": len(ranks)}
            for name, v in values.items():
                boot = v[draws].mean(axis=1)
                row[name] = float(v.mean())
                row[f"{name} lo"], row[f"{name} hi"] = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
            out.append(row)
    return pd.DataFrame(out)
