"""Ranking metrics as pure functions over two frames.

``true`` holds the relevant pairs (``query``, ``item``); ``pred`` holds ranked predictions
(``query``, ``item``, ``rank`` from 1). Every query of ``true`` counts; a query with no
relevant item in ``pred`` scores 0. Relevance is binary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["hit_at_k", "mrr", "ndcg_at_k", "relevant_ranks"]


def relevant_ranks(*, true: pd.DataFrame, pred: pd.DataFrame) -> pd.DataFrame:
    """For every relevant pair, the rank it got (NaN when it was not ranked)."""
    merged = true[["query", "item"]].merge(pred[["query", "item", "rank"]], on=["query", "item"], how="left")
    return merged


def _per_query(values: pd.Series, true: pd.DataFrame) -> float:
    queries = pd.Index(true["query"].unique())
    if len(queries) == 0:
        return float("nan")
    return float(values.reindex(queries, fill_value=0.0).mean())


def hit_at_k(*, true: pd.DataFrame, pred: pd.DataFrame, k: int) -> float:
    """Share of queries with at least one relevant item in the top ``k``."""
    ranks = relevant_ranks(true=true, pred=pred)
    hits = ranks.assign(hit=ranks["rank"] <= k).groupby("query")["hit"].any().astype(float)
    return _per_query(hits, true)


def mrr(*, true: pd.DataFrame, pred: pd.DataFrame) -> float:
    """Mean reciprocal rank of the first relevant item."""
    ranks = relevant_ranks(true=true, pred=pred)
    best = ranks.groupby("query")["rank"].min()
    return _per_query((1.0 / best).fillna(0.0), true)


def ndcg_at_k(*, true: pd.DataFrame, pred: pd.DataFrame, k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains."""
    ranks = relevant_ranks(true=true, pred=pred)
    gains = np.where(ranks["rank"] <= k, 1.0 / np.log2(ranks["rank"].fillna(np.inf) + 1.0), 0.0)
    dcg = pd.Series(gains, index=ranks.index).groupby(ranks["query"]).sum()
    n_relevant = true.groupby("query")["item"].nunique()
    ideal = n_relevant.map(lambda n: sum(1.0 / np.log2(i + 2.0) for i in range(min(int(n), k))))
    return _per_query(dcg / ideal.reindex(dcg.index), true)
